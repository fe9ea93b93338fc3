"""``xmp export``: which sidecar each photo's values go to, writing it, and the report.

Export writes the store's values into sidecars (:mod:`.editing` edits them),
so Lightroom, darktable and digiKam see them; the photos themselves are only
ever opened for reading.  New content is written to a temp file in the same
folder, fsynced and renamed over the sidecar.  Export never clears a value the
store does not have, unless ``overwrite`` is set.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from ..curation import InvalidChange, PhotoCuration, Snapshot, clean_photo_path
from ..files import NotRegularFile, write_atomically
from ..portfolio import Photo
from .culling import XmpCulling, culling_of_packet
from .editing import SidecarError, _has_values, update_sidecar
from .sidecars import find_sidecars, read_sidecar_bytes

SidecarName = Literal["ext", "base"]


def sidecar_for(
    photo: Path,
    name: SidecarName | None = "ext",
    *,
    base_is_shared: bool = False,
    raw: Path | None = None,
) -> Path:
    """The sidecar export writes for ``photo``: the one it has, else a new one.

    A sidecar that exists is written, whichever its name, so that the tool that
    made it sees the change and no second sidecar appears beside it: ``name``
    only says which is preferred when both exist, and what a new one is called.
    ``ext``: ``NAME.ext.xmp`` (darktable, digiKam); ``base``: ``NAME.xmp``
    (Lightroom, Bridge, Capture One).  An existing upper-case ``.XMP`` is used
    when there is no lower-case one.  ``base_is_shared``: another photo has the
    same ``NAME`` (``IMG_1.jpg``, ``IMG_1.png``), so with ``ext`` an existing
    ``NAME.xmp`` is nobody's in particular and is not written.

    ``raw``: the RAW paired with the JPEG ``photo``.  The pair's sidecars are the
    RAW's (``IMG_1.CR2.xmp``, ``IMG_1.xmp``), then the JPEG's (``IMG_1.jpg.xmp``),
    in :func:`portfolio_tui.xmp.find_sidecars` order.  When none exists, ``name``
    None (the default of ``xmp export``) makes ``NAME.xmp`` beside the RAW, where
    Lightroom reads it; ``ext`` makes the RAW's ``NAME.ext.xmp`` (darktable).  A
    lone photo takes None as ``ext``.
    """
    if raw is not None:
        return _pair_sidecar(photo, raw, name, base_is_shared)
    if name is None:
        name = "ext"
    ext = (f"{photo.name}.xmp", f"{photo.name}.XMP")
    base = (f"{photo.stem}.xmp", f"{photo.stem}.XMP")
    order: tuple[str, ...]
    if name == "base":
        order = (*base, *ext)
    elif base_is_shared:
        order = ext
    else:
        order = (*ext, *base)
    for candidate in dict.fromkeys(order):
        path = photo.with_name(candidate)
        if os.path.lexists(path):
            return path
    return photo.with_name(order[0])


def _pair_sidecar(photo: Path, raw: Path, name: SidecarName | None, base_is_shared: bool) -> Path:
    """:func:`sidecar_for` a RAW+JPEG pair (the JPEG ``photo`` beside ``raw``)."""
    raw_ext = (f"{raw.name}.xmp", f"{raw.name}.XMP")
    base = () if base_is_shared else (f"{raw.stem}.xmp", f"{raw.stem}.XMP")
    jpeg = (f"{photo.name}.xmp", f"{photo.name}.XMP")
    order = (*base, *raw_ext, *jpeg) if name == "base" else (*raw_ext, *base, *jpeg)
    for candidate in dict.fromkeys(order):
        path = raw.with_name(candidate)
        if os.path.lexists(path):
            return path
    new = raw_ext[0] if name == "ext" or not base else base[0]
    return raw.with_name(new)


def _describe(entry: PhotoCuration, overwrite: bool) -> tuple[str, ...]:
    parts = []
    if entry.rating > 0 and entry.flag != "reject":
        parts.append(f"rating {entry.rating}")
    if entry.flag:
        parts.append(f"flag {entry.flag}")
    if entry.label:
        parts.append(f"label {entry.label}")
    if overwrite:
        cleared = [
            name
            for name, empty in (
                ("rating", entry.rating == 0 and entry.flag != "reject"),
                ("flag", entry.flag is None),
                ("label", entry.label is None),
            )
            if empty
        ]
        if cleared:
            parts.append("no " + ", no ".join(cleared))
    return tuple(parts)


def _kept(entry: PhotoCuration, current: XmpCulling, overwrite: bool) -> tuple[str, ...]:
    """Values the sidecar holds and the store does not (left there unless ``overwrite``)."""
    if overwrite:
        return ()
    out = []
    if current.rating is not None and entry.rating == 0 and entry.flag != "reject":
        out.append(f"rating {current.rating}")
    if current.flag is not None and entry.flag is None:
        out.append(f"flag {current.flag}")
    if current.label is not None and entry.label is None:
        out.append(f"label {current.label}")
    return tuple(out)


Action = Literal["create", "update", "unchanged", "skip"]


@dataclass(frozen=True)
class PhotoExport:
    """One photo's sidecar: what export did (or would do) to it."""

    rel: str
    photo: Path
    sidecar: Path
    action: Action
    values: tuple[str, ...] = ()  # what the sidecar now says: "rating 4", "label red"
    kept: tuple[str, ...] = ()  # values the sidecar holds, the store lacks: "label red"
    notes: tuple[str, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class ExportReport:
    """Every sidecar export considered, and every problem met."""

    photos: tuple[PhotoExport, ...] = ()
    considered: int = 0
    dry_run: bool = False

    def count(self, action: Action) -> int:
        return sum(1 for photo in self.photos if photo.action == action)

    @property
    def problems(self) -> list[str]:
        return [photo.problem for photo in self.photos if photo.problem]

    @property
    def kept(self) -> list[str]:
        return [kept for photo in self.photos for kept in photo.kept]


def export_sidecars(
    photos: Iterable[Photo],
    snapshot: Snapshot,
    *,
    sidecar_name: SidecarName | None = None,
    overwrite: bool = False,
    dry_run: bool = False,
) -> ExportReport:
    """Write each photo's rating, flag and label from ``snapshot`` into its sidecar.

    Photos with nothing in the store and no sidecar get no file.  Photos are
    never opened for writing.  With ``dry_run`` nothing is written and the
    report says what would be.  ``sidecar_name``: see :func:`sidecar_for`.
    """
    todo: list[tuple[Photo, str, Path]] = []
    targets: dict[Path, list[Photo]] = {}
    photos = list(photos)
    stems = Counter(photo.path.with_suffix("") for photo in photos)
    considered = 0
    for photo in photos:
        considered += 1
        try:
            rel = clean_photo_path(photo.rel)
        except InvalidChange:
            continue  # the store cannot hold anything for it
        shared = stems[photo.path.with_suffix("")] > 1
        target = sidecar_for(photo.path, sidecar_name, base_is_shared=shared, raw=photo.raw)
        todo.append((photo, rel, target))
        targets.setdefault(target, []).append(photo)
    done: list[PhotoExport] = []
    for photo, rel, target in sorted(todo, key=lambda item: item[1]):
        entry = snapshot.photo(rel)
        sharing = targets[target]
        if len(sharing) > 1:
            if _has_values(entry):
                others = ", ".join(p.name for p in sharing if p is not photo)
                done.append(
                    PhotoExport(
                        rel,
                        photo.path,
                        target,
                        "skip",
                        problem=f"{target}: would be shared by {photo.name} and {others}; "
                        "not written (use --sidecar-name ext for one sidecar per photo)",
                    )
                )
            continue
        result = _export_one(photo, rel, target, entry, overwrite, dry_run, sidecar_name)
        if result is not None:
            done.append(result)
    return ExportReport(tuple(done), considered, dry_run)


def _export_one(
    photo: Photo,
    rel: str,
    target: Path,
    entry: PhotoCuration,
    overwrite: bool,
    dry_run: bool,
    sidecar_name: SidecarName | None,
) -> PhotoExport | None:
    if target == photo.path:  # pragma: no cover - photos never end in .xmp
        return None
    try:
        info: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return PhotoExport(
            rel, photo.path, target, "skip", problem=f"{target}: cannot be read: {exc.strerror}"
        )
    if not _has_values(entry) and (info is None or not overwrite):
        return None
    notes: list[str] = []
    if photo.raw is not None:
        # A pair's sidecars are read in find_sidecars order: say which one is read first.
        first = next(iter(find_sidecars(photo.path, photo.raw)), None)
        if first is not None and first.name.lower() != target.name.lower():
            notes.append(
                f"{first}: also exists and is read before {target.name} (by import, "
                "darktable and digiKam)"
            )
    elif target.name.lower() != photo.name.lower() + ".xmp" and os.path.lexists(
        photo.path.with_name(photo.name + ".xmp")
    ):
        notes.append(
            f"{photo.path.with_name(photo.name + '.xmp')}: also exists and is read before "
            f"{target.name} (by import, darktable and digiKam)"
        )

    def skip(reason: str) -> PhotoExport:
        return PhotoExport(rel, photo.path, target, "skip", problem=f"{target}: {reason}")

    data: bytes | None = None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            return skip("not updated: it is a symbolic link, and replacing it would lose the link")
        if not stat.S_ISREG(info.st_mode):
            return skip("not updated: it is not a regular file")
        problems: list[str] = []
        data = read_sidecar_bytes(target, problems)
        if data is None:
            return PhotoExport(
                rel, photo.path, target, "skip", problem="; ".join(problems) + "; not updated"
            )
    try:
        updated = update_sidecar(data, entry, overwrite=overwrite, origin=str(target))
    except SidecarError as exc:
        return skip(f"not updated, left as it is: {exc}")
    current = culling_of_packet(data, str(target)) if data is not None else XmpCulling()
    kept = _kept(entry, current, overwrite)
    values = _describe(entry, overwrite)
    if updated is None:
        return PhotoExport(rel, photo.path, target, "unchanged", values, kept, tuple(notes))
    action: Action = "create" if data is None else "update"
    if not dry_run:
        try:
            _write_atomically(target, updated, info)
        except SidecarError as exc:
            return skip(f"not updated: {exc}")
        except OSError as exc:
            return skip(f"not written: {exc.strerror or exc}")
    return PhotoExport(rel, photo.path, target, action, values, kept, tuple(notes))


def _identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _write_atomically(path: Path, data: bytes, before: os.stat_result | None) -> None:
    """:func:`write_atomically`, and nobody changed ``path`` since it was read as ``before``.

    The check runs once the new content is written and fsynced, right before the rename.
    """

    def unchanged() -> None:
        try:
            now: os.stat_result | None = os.lstat(path)
        except FileNotFoundError:
            now = None
        if before is None and now is not None:
            raise SidecarError(_APPEARED)
        if before is not None and (now is None or _identity(now) != _identity(before)):
            raise SidecarError(_CHANGED)

    try:
        write_atomically(path, data, check=unchanged)
    except NotRegularFile:
        # It was a regular file (or none) when it was read: a link or special file there
        # now was put there since.
        raise SidecarError(_APPEARED if before is None else _CHANGED) from None


_APPEARED = "it appeared while exporting; run the export again"
_CHANGED = "it changed while exporting; run the export again"


def display_path(root: Path, path: Path) -> str:
    """``path`` relative to the portfolio ``root`` when inside it, with ``/``."""
    try:
        return PurePosixPath(*path.relative_to(root).parts).as_posix()
    except ValueError:
        return str(path)
