"""Curation changes and their validation, and the snapshot they apply to (no I/O here).

Holds the store constants (file names, limits, flags, labels), the errors, the values
(:class:`PhotoCuration`, :class:`Change`, :class:`Snapshot`), the pure functions on them
(:func:`with_changes`, :func:`inverse`, :func:`in_order`, :func:`describe`), the author
name, and :func:`validate` with the cleaners it uses.  Every store (TOML, SQLite) and the
UI build on these.
"""

from __future__ import annotations

import getpass
import re
import socket
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, cast

from ..names import storable
from ..problems import Problem
from .sharded import Sharded

FORMAT = 1
"""The version this module reads and writes (the ``format`` key at the top)."""
FILE_NAME = "curation.toml"
LOCK_NAME = "curation.toml.lock"
HISTORY_NAME = "curation-history.jsonl"
FLAGS = ("pick", "reject")
LABELS = ("red", "yellow", "green", "blue", "purple")
PHOTO_FIELDS = ("rating", "flag", "label", "tags", "notes")
"""The fields a :class:`Change` may set on a photo."""
MAX_RATING = 5
MAX_NOTES_BYTES = 64 * 1024
MAX_TAG_CHARS = 64
MAX_TAGS = 100
LOCK_TIMEOUT = 10.0
"""Seconds to wait for another curator's save before giving up."""
MAX_STORE_BYTES = 128 * 1024 * 1024
"""``curation.toml`` is refused past this: 100,000 curated photos are about 13 MB."""
MAX_HISTORY_BYTES = 1024 * 1024 * 1024
"""``curation-history.jsonl`` is not read past this (about ten million changes)."""
READ_ONLY_UNTIL = "curation is read-only until it is a regular file"

_ORDER = "order:"
_COVER = "cover:"
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_NOTES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_SURROGATES = re.compile("[\ud800-\udfff]")


# -- errors ----------------------------------------------------------------------


class CurationError(Exception):
    """The store cannot be read or written; ``str()`` is ``file:line:col: message``."""

    def __init__(
        self, path: Path, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        super().__init__(str(Problem(path, message, line, column)))


class ReadOnlyError(CurationError):
    """A save was asked of a read-only store (the reason is the message)."""


class InvalidChange(ValueError):
    """A :class:`Change` with a value the store does not accept (nothing is written)."""


# -- values ----------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoCuration:
    """What the curators decided about one photo (defaults mean "nothing yet")."""

    rating: int = 0
    flag: str | None = None
    label: str | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    updated_by: str | None = None
    updated_at: str | None = None

    @property
    def is_empty(self) -> bool:
        """No rating, flag, label, tags or notes."""
        return (
            self.rating == 0
            and self.flag is None
            and self.label is None
            and not self.tags
            and not self.notes
        )


EMPTY = PhotoCuration()


@dataclass(frozen=True)
class Change:
    """One field of one photo, or the order or cover of one gallery.

    ``photo`` is the path relative to the portfolio root (``"studio/a.jpg"``)
    and ``field`` one of :data:`PHOTO_FIELDS`; ``None`` (or 0, ``()``, ``""``)
    clears the field.  For a gallery, ``photo`` is ``None`` and ``field`` is
    ``"order:<gallery>"`` (value: file names) or ``"cover:<gallery>"`` (value: a
    file name, or ``None`` to clear).  The constructors below build them.
    """

    photo: str | None
    field: str
    value: object

    @classmethod
    def rating(cls, photo: str, stars: int) -> Change:
        return cls(photo, "rating", stars)

    @classmethod
    def flag(cls, photo: str, flag: str | None) -> Change:
        return cls(photo, "flag", flag)

    @classmethod
    def label(cls, photo: str, label: str | None) -> Change:
        return cls(photo, "label", label)

    @classmethod
    def tags(cls, photo: str, tags: Sequence[str]) -> Change:
        return cls(photo, "tags", tags)

    @classmethod
    def notes(cls, photo: str, notes: str) -> Change:
        return cls(photo, "notes", notes)

    @classmethod
    def order(cls, gallery: str, names: Sequence[str]) -> Change:
        return cls(None, _ORDER + gallery, names)

    @classmethod
    def cover(cls, gallery: str, name: str | None) -> Change:
        return cls(None, _COVER + gallery, name)


@dataclass(frozen=True)
class Snapshot:
    """The store as read (or as written by the last save).

    ``problems`` lists values in the file that could not be used (a rating of
    9, a tag that is not a string ...): they are shown as defaults here and kept
    on disk untouched until someone sets that field.
    """

    photos: Mapping[str, PhotoCuration] = field(default_factory=lambda: MappingProxyType({}))
    order: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    covers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple[Problem, ...] = ()
    format: int = FORMAT

    def photo(self, rel_path: str) -> PhotoCuration:
        """The curation of ``rel_path`` (all defaults when it has none)."""
        return self.photos.get(rel_path, EMPTY)

    def all_tags(self) -> list[str]:
        """Every tag in use, sorted case-insensitively (for completion)."""
        tags = {t for p in self.photos.values() for t in p.tags}
        return sorted(tags, key=lambda t: (t.casefold(), t))

    def changes_from(self, before: Snapshot) -> list[Change]:
        """The changes that turn ``before`` into this snapshot (for "what changed")."""
        out: list[Change] = []
        if isinstance(self.photos, Sharded) and isinstance(before.photos, Sharded):
            # Versions of one store's state share what they did not change.
            paths: Iterable[str] = sorted(self.photos.differing(before.photos))
        else:
            paths = sorted(set(self.photos) | set(before.photos))
        for path in paths:
            old, new = before.photo(path), self.photo(path)
            out.extend(
                Change(path, name, getattr(new, name))
                for name in PHOTO_FIELDS
                if getattr(old, name) != getattr(new, name)
            )
        for gallery in sorted(set(self.order) | set(before.order)):
            if self.order.get(gallery, ()) != before.order.get(gallery, ()):
                out.append(Change.order(gallery, self.order.get(gallery, ())))
        for gallery in sorted(set(self.covers) | set(before.covers)):
            if self.covers.get(gallery) != before.covers.get(gallery):
                out.append(Change.cover(gallery, self.covers.get(gallery)))
        return out


def with_changes(snapshot: Snapshot, changes: Sequence[Change], who: str | None = None) -> Snapshot:
    """``snapshot`` as it will be once ``changes`` (validated) are saved.

    What the app shows the moment a key is pressed, before the save is on
    disk; the save's own result (with other curators' changes) replaces it.
    """
    if not changes:
        return snapshot
    sharded = isinstance(snapshot.photos, Sharded)
    # A Sharded mapping (the SQLite store's) is updated by copying only the buckets the
    # changes touch: at 100,000 photos a whole dict copy is most of a key press.
    photos: dict[str, Any] = {} if sharded else dict(snapshot.photos)
    order = dict(snapshot.order)
    covers = dict(snapshot.covers)
    for change in changes:
        change = validate(change)
        if change.photo is None:
            if change.field.startswith(_ORDER):
                gallery = change.field[len(_ORDER) :]
                if change.value:
                    order[gallery] = tuple(cast("Sequence[str]", change.value))
                else:
                    order.pop(gallery, None)
            else:
                gallery = change.field[len(_COVER) :]
                if change.value:
                    covers[gallery] = str(change.value)
                else:
                    covers.pop(gallery, None)
            continue
        if change.photo in photos:
            current = photos[change.photo] or EMPTY
        else:
            current = snapshot.photos.get(change.photo, EMPTY)
        fields: dict[str, Any] = {change.field: change.value, "updated_by": who}
        updated = replace(current, **fields)
        if updated.is_empty:
            if sharded:
                photos[change.photo] = None
            else:
                photos.pop(change.photo, None)
        else:
            photos[change.photo] = updated
    if sharded:
        new_photos: Mapping[str, PhotoCuration] = cast(
            "Sharded[PhotoCuration]", snapshot.photos
        ).updated(photos)
    else:
        new_photos = MappingProxyType(photos)
    return replace(
        snapshot,
        photos=new_photos,
        order=MappingProxyType(order),
        covers=MappingProxyType(covers),
    )


def inverse(snapshot: Snapshot, changes: Sequence[Change]) -> list[Change]:
    """The changes that put back what ``changes`` replace in ``snapshot`` (for undo)."""
    out: list[Change] = []
    for change in reversed([validate(c) for c in changes]):
        if change.photo is None:
            if change.field.startswith(_ORDER):
                gallery = change.field[len(_ORDER) :]
                out.append(Change.order(gallery, snapshot.order.get(gallery, ())))
            else:
                gallery = change.field[len(_COVER) :]
                out.append(Change.cover(gallery, snapshot.covers.get(gallery)))
        else:
            out.append(
                Change(
                    change.photo, change.field, getattr(snapshot.photo(change.photo), change.field)
                )
            )
    return out


def in_order(names: Sequence[str], stored: Sequence[str]) -> list[str]:
    """``names`` (a gallery's files) in the stored order; files it does not list keep
    their own order after the listed ones, and listed files that are gone are skipped."""
    present = set(names)
    listed = [name for name in stored if name in present]
    seen = set(listed)
    return listed + [name for name in names if name not in seen]


def describe(changes: Sequence[Change]) -> str:
    """A short sentence for a notice: "rated 2 photos, flagged 1"."""
    verbs = {
        "rating": "rated",
        "flag": "flagged",
        "label": "labelled",
        "tags": "tagged",
        "notes": "wrote notes for",
    }
    counts: dict[str, set[str]] = {}
    gallery_parts: list[str] = []
    for change in changes:
        if change.photo is None:
            what = "reordered" if change.field.startswith(_ORDER) else "set the cover of"
            gallery = change.field.split(":", 1)[1]
            gallery_parts.append(f"{what} {gallery}")
        else:
            counts.setdefault(verbs.get(change.field, change.field), set()).add(change.photo)
    parts = [
        f"{verb} {len(photos)} photo{'s' if len(photos) != 1 else ''}"
        for verb, photos in counts.items()
    ]
    return ", ".join(parts + gallery_parts)


def author() -> str:
    """``user@host`` for ``updated_by`` (never raises)."""
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    try:
        host = socket.gethostname()
    except Exception:
        host = ""
    name = f"{user}@{host}" if host else user
    return _clean_text(name)[:200] or "unknown"


def clean_author(name: object) -> str:
    """A name for ``--as``: one line, at most 200 characters.

    Raises :class:`InvalidChange` for a name with control characters (an escape
    sequence, a newline) or one that is empty once spaces are trimmed.  Bytes that
    are not UTF-8 (a terminal in Latin-1) become U+FFFD.
    """
    if not isinstance(name, str):
        raise InvalidChange(f"a name must be a string, not {name!r}")
    if _UNSAFE.search(name):
        raise InvalidChange("a name must not contain control characters")
    cleaned = _clean_text(name)[:200]
    if not cleaned:
        raise InvalidChange("a name must not be empty")
    return cleaned


# -- validation ------------------------------------------------------------------


def _clean_line(text: str) -> str:
    text = unicodedata.normalize("NFC", _UNSAFE.sub(" ", text))
    return " ".join(text.split())


def _clean_text(text: str) -> str:
    """:func:`_clean_line` for words (names, tags), not file names: a byte that is not
    UTF-8 becomes U+FFFD (the file's text must be UTF-8, and nothing needs it back)."""
    return _clean_line(_SURROGATES.sub("\ufffd", text))


def clean_photo_path(photo: object) -> str:
    """A photo's key: a relative POSIX path inside the root, normalised."""
    if not isinstance(photo, str) or not photo.strip():
        raise InvalidChange(f"photo path must be a non-empty string, not {photo!r}")
    if _UNSAFE.search(photo) or "\\" in photo:
        raise InvalidChange(f"photo path {photo!r} contains control characters or backslashes")
    if not storable(photo):
        raise InvalidChange(f"photo path {photo!r} is not valid text")
    path = PurePosixPath(unicodedata.normalize("NFC", photo))
    if path.is_absolute() or ".." in path.parts or str(path) == ".":
        raise InvalidChange(f"photo path {photo!r} must be relative to the portfolio root")
    return str(path)


def _clean_name(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidChange(f"{what} must be a string, not {value!r}")
    name = _clean_line(value)
    if not name:
        raise InvalidChange(f"{what} must not be empty")
    if not storable(name):
        raise InvalidChange(f"{what} {name!r} is not valid text")
    return name


def clean_tags(tags: object) -> tuple[str, ...]:
    """Tags without control characters or doubled spaces, deduplicated (first wins)."""
    if isinstance(tags, str) or not isinstance(tags, (list, tuple)):
        raise InvalidChange(f"tags must be a list of strings, not {tags!r}")
    out: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidChange(f"tag {tag!r} is not a string")
        text = _clean_text(tag)
        if len(text) > MAX_TAG_CHARS:
            raise InvalidChange(f"tag {text[:20]!r}... is longer than {MAX_TAG_CHARS} characters")
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    if len(out) > MAX_TAGS:
        raise InvalidChange(f"{len(out)} tags on one photo; at most {MAX_TAGS}")
    return tuple(out)


def clean_notes(notes: object) -> str:
    """Notes with newlines kept, other control characters removed, at most 64 KB."""
    if notes is None:
        return ""
    if not isinstance(notes, str):
        raise InvalidChange(f"notes must be a string, not {type(notes).__name__}")
    text = notes.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", _SURROGATES.sub("\ufffd", _UNSAFE_NOTES.sub("", text)))
    size = len(text.encode("utf-8"))
    if size > MAX_NOTES_BYTES:
        raise InvalidChange(f"notes are {size} bytes; at most {MAX_NOTES_BYTES} (64 KB)")
    return text.rstrip()


def _check_rating(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RATING:
        raise InvalidChange(f"rating must be a whole number from 0 to {MAX_RATING}, not {value!r}")
    return value


def _check_choice(value: object, what: str, choices: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in choices:
        raise InvalidChange(f"{what} must be one of {', '.join(choices)} (or none), not {value!r}")
    return str(value)


def validate(change: Change) -> Change:
    """``change`` with its value checked and normalised; raises :class:`InvalidChange`."""
    if not isinstance(change, Change):
        raise InvalidChange(f"not a Change: {change!r}")
    name, value = change.field, change.value
    if name.startswith((_ORDER, _COVER)):
        if change.photo is not None:
            raise InvalidChange(f"{name} is a gallery field: photo must be None")
        prefix = _ORDER if name.startswith(_ORDER) else _COVER
        gallery = _clean_name(name[len(prefix) :], "gallery name")
        if prefix == _ORDER:
            if isinstance(value, str) or not isinstance(value, (list, tuple)):
                raise InvalidChange(f"order of {gallery!r} must be a list of file names")
            what = f"file name in the order of {gallery!r}"
            # A dict keeps the first place of each name; a list's ``in`` made this
            # quadratic (200,000 names: minutes, under the lock on every save).
            names = dict.fromkeys(_clean_name(item, what) for item in value)
            return Change(None, prefix + gallery, tuple(names))
        cover = None if value is None else _clean_name(value, f"cover of {gallery!r}")
        return Change(None, prefix + gallery, cover)
    photo = clean_photo_path(change.photo)
    cleaned: object
    if name == "rating":
        cleaned = _check_rating(value)
    elif name == "flag":
        cleaned = _check_choice(value, "flag", FLAGS)
    elif name == "label":
        cleaned = _check_choice(value, "label", LABELS)
    elif name == "tags":
        cleaned = clean_tags(() if value is None else value)
    elif name == "notes":
        cleaned = clean_notes(value)
    else:
        raise InvalidChange(
            f"unknown field {name!r}; photo fields are {', '.join(PHOTO_FIELDS)}, "
            "gallery fields are order:<gallery> and cover:<gallery>"
        )
    return Change(photo, name, cleaned)
