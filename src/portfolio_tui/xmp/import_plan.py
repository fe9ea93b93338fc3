"""Planning and applying ``xmp import``: what a photo's XMP changes in the curation store.

Import never clears a field: an unrated photo in XMP leaves the store's rating
alone.  A field the store already holds with another value is a conflict: kept,
unless ``overwrite`` is set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..curation import (
    Change,
    CurationStore,
    InvalidChange,
    PhotoCuration,
    Snapshot,
    clean_photo_path,
)
from ..portfolio import Photo
from .culling import XmpCulling, read_culling

if TYPE_CHECKING:
    from ..store.sqlite_curation import SqliteCurationStore


@dataclass(frozen=True)
class Conflict:
    """The store holds ``store`` for ``field`` where the XMP says ``xmp``."""

    field: str
    store: object
    xmp: object


@dataclass(frozen=True)
class PhotoImport:
    """One photo: what its XMP says, and what that does to the store."""

    rel: str
    path: Path
    xmp: XmpCulling
    changes: tuple[Change, ...] = ()
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """What an import does: per photo, the changes and conflicts; and every problem.

    ``photos`` lists only photos with something to report.  With ``overwrite``
    each conflict also has its change (XMP wins); without, conflicts are kept.
    """

    photos: tuple[PhotoImport, ...] = ()
    read: int = 0
    with_xmp: int = 0  # photos whose XMP holds a rating, flag or label
    overwrite: bool = False
    problems: tuple[str, ...] = ()

    @property
    def changes(self) -> list[Change]:
        return [change for photo in self.photos for change in photo.changes]

    def count(self, field_name: str) -> int:
        """Changes to ``field_name`` (rating, flag, label)."""
        return sum(1 for change in self.changes if change.field == field_name)

    @property
    def conflicts(self) -> int:
        return sum(len(photo.conflicts) for photo in self.photos)

    @property
    def notes(self) -> list[str]:
        return [note for photo in self.photos for note in photo.xmp.notes]


_FIELDS: Final = ("rating", "flag", "label")


def _decide(
    rel: str, path: Path, xmp: XmpCulling, entry: PhotoCuration, overwrite: bool
) -> PhotoImport:
    changes: list[Change] = []
    conflicts: list[Conflict] = []
    for name in _FIELDS:
        wanted = getattr(xmp, name)
        if wanted is None:
            continue
        current = getattr(entry, name)
        if current == wanted:
            continue
        if current not in (None, 0):
            conflicts.append(Conflict(name, current, wanted))
            if not overwrite:
                continue
        changes.append(Change(rel, name, wanted))
    return PhotoImport(rel, path, xmp, tuple(changes), tuple(conflicts))


def plan_import(
    photos: Iterable[Photo], snapshot: Snapshot, *, overwrite: bool = False
) -> ImportPlan:
    """Read every photo's XMP and work out what importing it would change.

    Nothing is written.  ``photos`` is usually ``portfolio.every_photo()``;
    ``snapshot`` the store as loaded.
    """
    entries: list[PhotoImport] = []
    problems: list[str] = []
    read = with_xmp = 0
    for photo in photos:
        read += 1
        xmp = read_culling(photo.path, photo.real_path, photo.raw)
        problems.extend(xmp.problems)
        with_xmp += xmp.says_something
        try:
            rel = clean_photo_path(photo.rel)
        except InvalidChange as exc:
            if xmp.says_something:
                problems.append(f"{photo.path}: cannot be curated ({exc}); rename the file")
            continue
        entry = _decide(rel, photo.path, xmp, snapshot.photo(rel), overwrite)
        if entry.changes or entry.conflicts or xmp.notes:
            entries.append(entry)
    entries.sort(key=lambda e: e.rel)
    return ImportPlan(tuple(entries), read, with_xmp, overwrite, tuple(problems))


def apply_import(
    store: CurationStore | SqliteCurationStore, plan: ImportPlan
) -> tuple[ImportPlan, Snapshot]:
    """Save the plan's changes in one :meth:`CurationStore.apply` batch.

    The store is re-read first and the plan decided again against it (the XMP
    is not read again), so a field another curator set since the plan was made
    counts as a conflict.  Returns the plan as applied and the store after it.
    Raises what :meth:`CurationStore.apply` raises; then nothing is written.
    """
    fresh = store.load()
    entries = tuple(
        _decide(photo.rel, photo.path, photo.xmp, fresh.photo(photo.rel), plan.overwrite)
        for photo in plan.photos
    )
    applied = dataclasses.replace(plan, photos=entries)
    changes = applied.changes
    snapshot = store.apply(changes) if changes else fresh
    return applied, snapshot
