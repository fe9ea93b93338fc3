"""The curation store: ratings, flags, labels, tags, notes, order and covers.

Everything lives in ``curation.toml`` in the portfolio root (format in
docs/curation.md).  Several curators may edit one portfolio at once, so every
save takes an exclusive lock on ``curation.toml.lock``, re-reads the file under
the lock, applies only the fields the change touches ("merge field by field"),
writes a temp file in the same folder, fsyncs it, renames it over the store and
fsyncs the folder.  A process killed at any moment leaves either the old or the
new file, both valid.

The file is parsed with ``tomllib`` and written by a small deterministic writer
(photos sorted by path, known keys first), so unknown keys written by another
version survive a save.  Comments do not: the store is re-read on every save
and a style-preserving parse costs about a millisecond per photo table.

Every applied change is also appended to ``curation-history.jsonl`` next to
the store (one JSON object a line: ``at``, ``by``, ``photo`` or ``gallery``,
``field``, ``from``, ``to``), under the same lock, written and fsynced *before*
the store is replaced: a process killed at any moment never leaves a saved
change without its line (at worst a line for a change that did not land).  A
history that cannot be appended to fails the save (``portfolio-tui history``
prints it).

Every file here is opened without following links and must be a regular file
(``files.open_regular``): a store file planted as a link or a FIFO makes the
store read-only with the reason, and is never read or written through.  Names
that are not UTF-8 are stored losslessly (:mod:`portfolio_tui.names`).

No Textual here: this module runs in workers and in command-line tools.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import math
import os
import re
import socket
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, cast

from ._tomlpos import key_positions
from .files import (
    LockTimeout,
    NotRegularFile,
    TooLarge,
    fsync_dir,
    locked,
    not_regular,
    open_regular,
    read_regular,
    remove_stale_temps,
    temp_prefix,
    write_atomically,
    write_problem,
)
from .names import from_store, storable, to_store
from .problems import Problem, Severity
from .store.sharded import Sharded

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "FILE_NAME",
    "FLAGS",
    "FORMAT",
    "HISTORY_NAME",
    "LABELS",
    "LOCK_NAME",
    "MAX_STORE_BYTES",
    "PHOTO_FIELDS",
    "Change",
    "CurationError",
    "CurationStore",
    "HistoryEntry",
    "HistoryRead",
    "InvalidChange",
    "PhotoCuration",
    "ReadOnlyError",
    "Snapshot",
    "author",
    "clean_author",
    "describe",
    "history",
    "in_order",
    "inverse",
    "with_changes",
]

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
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


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


# -- reading ---------------------------------------------------------------------


def _timestamp(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            except OverflowError:  # year 1 or 9999 moved past the calendar's end
                return _clean_line(value.isoformat())
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        return _clean_line(value) or None
    return None


def _to_snapshot(path: Path, text: str, data: Mapping[str, Any]) -> Snapshot:
    """Typed view of the parsed file; bad values become problems, never errors."""
    bad: list[tuple[tuple[str, ...], str]] = []

    def table(key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if isinstance(value, dict):
            return value
        bad.append(((key,), f"{key} must be a table"))
        return {}

    version = data.get("format", FORMAT)
    if isinstance(version, bool) or not isinstance(version, int):
        bad.append((("format",), f"format must be a whole number, not {version!r}"))
        version = FORMAT

    photos: dict[str, PhotoCuration] = {}
    for rel, entry in table("photos").items():
        if not isinstance(entry, dict):
            bad.append((("photos", to_store(rel)), "a photo's curation must be a table"))
            continue
        values: dict[str, Any] = {}
        for name in PHOTO_FIELDS:
            if name not in entry:
                continue
            try:
                values[name] = validate(Change(rel, name, entry[name])).value
            except InvalidChange as exc:
                bad.append((("photos", to_store(rel), name), str(exc)))
        photos[rel] = PhotoCuration(
            **values,
            updated_by=_clean_line(str(entry["updated_by"])) if "updated_by" in entry else None,
            updated_at=_timestamp(entry.get("updated_at")),
        )
    order: dict[str, tuple[str, ...]] = {}
    for gallery, names in table("order").items():
        try:
            value = validate(Change(None, _ORDER + gallery, names)).value
        except InvalidChange as exc:
            bad.append((("order", to_store(gallery)), str(exc)))
        else:
            if isinstance(value, tuple):
                order[gallery] = value
    covers: dict[str, str] = {}
    for gallery, name in table("covers").items():
        try:
            cover = validate(Change.cover(gallery, name)).value
        except InvalidChange as exc:
            bad.append((("covers", to_store(gallery)), str(exc)))
        else:
            if isinstance(cover, str):
                covers[gallery] = cover

    problems: list[Problem] = []
    if bad:
        positions = key_positions(text)
        for keys, message in bad:
            line, column = positions.get(keys, (None, None))
            problems.append(Problem(path, message, line, column, Severity.WARNING))
    return Snapshot(
        photos=MappingProxyType(photos),
        order=MappingProxyType(order),
        covers=MappingProxyType(covers),
        problems=tuple(problems),
        format=version,
    )


def _names_from_store(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as parsed, with every photo path, gallery and file name read back from
    its store form (:func:`portfolio_tui.names.from_store`); other keys as they are."""
    photos = data.get("photos")
    if isinstance(photos, dict):
        data["photos"] = {from_store(k): v for k, v in photos.items()}
    for section in ("order", "covers"):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        decoded: dict[str, Any] = {}
        for gallery, value in table.items():
            if isinstance(value, str):
                value = from_store(value)
            elif isinstance(value, list):
                value = [from_store(v) if isinstance(v, str) else v for v in value]
            decoded[from_store(gallery)] = value
        data[section] = decoded
    return data


def _names_to_store(data: Mapping[str, Any]) -> dict[str, Any]:
    """The reverse of :func:`_names_from_store`, on a copy (the data itself is kept)."""
    out = dict(data)
    photos = data.get("photos")
    if isinstance(photos, dict):
        out["photos"] = {to_store(k): v for k, v in photos.items()}
    for section in ("order", "covers"):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        encoded: dict[str, Any] = {}
        for gallery, value in table.items():
            if isinstance(value, str):
                value = to_store(value)
            elif isinstance(value, (list, tuple)):
                value = [to_store(v) if isinstance(v, str) else v for v in value]
            encoded[to_store(gallery)] = value
        out[section] = encoded
    return out


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return _names_from_store(tomllib.loads(text))
    except (RecursionError, ValueError) as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise _damaged(path, exc) from None
        # Nesting deeper than Python's stack, or an integer past 4,300 digits:
        # tomllib raises these bare, and no curation file has either.
        raise CurationError(
            path,
            "damaged curation file: a value nested or sized beyond any curation "
            "(the app stays read-only until it is fixed or removed)",
        ) from None


def _damaged(path: Path, exc: tomllib.TOMLDecodeError) -> CurationError:
    """The TOML error with its line and column, as a CurationError."""
    message = str(exc)
    line = column = None
    m = _TOML_POS.search(message)
    if m:
        line, column = int(m.group(1)), int(m.group(2))
        message = message[: m.start()].strip()
    elif getattr(exc, "lineno", None):  # pragma: no cover - newer tomllib
        line, column = exc.lineno, exc.colno
    return CurationError(
        path,
        f"damaged curation file, not valid TOML: {message[:1].lower()}{message[1:]}; "
        "fix or remove that line (the app stays read-only until then)",
        line,
        column,
    )


# -- writing ---------------------------------------------------------------------

_PHOTO_KEY_ORDER = {name: i for i, name in enumerate((*PHOTO_FIELDS, "updated_by", "updated_at"))}
_TOP_ORDER = {"format": 0, "photos": 1, "order": 2, "covers": 3}


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _escape_char(m: re.Match[str]) -> str:
    char = m.group(0)
    named = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    if char in named:
        return named[char]
    return f"\\u{ord(char):04X}"


_ESCAPE = re.compile("[\x00-\x1f\x7f]")
_ESCAPE_MULTI = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _string(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _ESCAPE.sub(_escape_char, text) + '"'


def _multiline(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"""\n' + _ESCAPE_MULTI.sub(_escape_char, text) + '"""'


def _value(value: Any, top: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _multiline(value) if top and "\n" in value else _string(value)
    if isinstance(value, dt.datetime):
        if value.utcoffset() == dt.timedelta(0):
            return value.replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")  # pragma: no cover


def _render_table(
    out: list[str], path: tuple[str, ...], table: Mapping[str, Any], order: Callable[[str], Any]
) -> None:
    keys = sorted(table, key=order)
    plain = [k for k in keys if not isinstance(table[k], dict)]
    subs = [k for k in keys if isinstance(table[k], dict)]
    if path and (plain or not subs):
        if out:
            out.append("")
        out.append("[" + ".".join(_key(p) for p in path) + "]")
    out.extend(f"{_key(k)} = {_value(table[k], top=True)}" for k in plain)
    for k in subs:
        sub_path = (*path, k)
        if len(sub_path) == 2 and sub_path[0] == "photos":
            _render_table(out, sub_path, table[k], lambda n: (_PHOTO_KEY_ORDER.get(n, 99), n))
        else:
            _render_table(out, sub_path, table[k], lambda n: n)


def render(data: Mapping[str, Any]) -> str:
    """The file's text: deterministic, photos sorted by path, known keys first.

    Names that are not UTF-8 are written in their store form (docs/curation.md)."""
    out: list[str] = []
    _render_table(out, (), _names_to_store(data), lambda n: (_TOP_ORDER.get(n, 9), n))
    return "\n".join(out) + "\n"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _merge(data: dict[str, Any], changes: Sequence[Change], who: str) -> None:
    """Apply ``changes`` (validated) onto the raw data read from disk, in place."""
    data["format"] = FORMAT
    now = _now()
    for change in changes:
        if change.photo is None:
            is_order = change.field.startswith(_ORDER)
            section = "order" if is_order else "covers"
            gallery = change.field[len(_ORDER if is_order else _COVER) :]
            if not isinstance(data.get(section), dict):
                data[section] = {}
            value = change.value
            if value:
                data[section][gallery] = list(value) if isinstance(value, tuple) else value
            else:
                data[section].pop(gallery, None)
            continue
        if not isinstance(data.get("photos"), dict):
            data["photos"] = {}
        photos = data["photos"]
        entry = photos.get(change.photo)
        if not isinstance(entry, dict):
            entry = photos[change.photo] = {}
        if change.value in (None, 0, "", ()):
            entry.pop(change.field, None)
        else:
            entry[change.field] = (
                list(change.value) if isinstance(change.value, tuple) else change.value
            )
        entry["updated_by"] = who
        entry["updated_at"] = now
        if set(entry) <= {"updated_by", "updated_at"}:
            del photos[change.photo]
    for section in ("photos", "order", "covers"):
        if data.get(section) == {}:
            del data[section]


# -- the readable form (``curation export`` / ``curation import``) ---------------


def to_toml(snapshot: Snapshot) -> str:
    """``snapshot`` as ``curation.toml`` text: what ``curation export`` writes, for people
    who keep a portfolio in git (deterministic: photos sorted, one table each)."""
    photos: dict[str, Any] = {}
    for rel, item in snapshot.photos.items():
        entry: dict[str, Any] = {}
        for name in PHOTO_FIELDS:
            value = getattr(item, name)
            if value not in (None, 0, "", ()):
                entry[name] = list(value) if isinstance(value, tuple) else value
        if not entry:
            continue
        if item.updated_by:
            entry["updated_by"] = item.updated_by
        if item.updated_at:
            try:
                entry["updated_at"] = dt.datetime.fromisoformat(
                    item.updated_at.replace("Z", "+00:00")
                )
            except ValueError:
                entry["updated_at"] = item.updated_at
        photos[rel] = entry
    data: dict[str, Any] = {"format": FORMAT}
    if photos:
        data["photos"] = photos
    if snapshot.order:
        data["order"] = {g: list(names) for g, names in snapshot.order.items()}
    if snapshot.covers:
        data["covers"] = dict(snapshot.covers)
    return render(data)


def read_toml(path: Path) -> Snapshot:
    """A file in ``curation.toml`` form (``curation import``); values that cannot be used
    are :attr:`Snapshot.problems` with their line. Raises :class:`CurationError` for a
    file that is not TOML and OSError when it cannot be read (``files.TooLarge`` past
    128 MB, ``files.NotRegularFile`` for a link or special file)."""
    data = read_regular(path, MAX_STORE_BYTES)
    text = data.decode("utf-8", errors="replace")
    try:
        parsed = _parse(path, text)
    except CurationError as exc:  # said of the file being imported, not of the store
        message = exc.message.replace("damaged curation file", "not a curation file")
        message = message.split(" (the app stays read-only", 1)[0]
        raise CurationError(path, message, exc.line, exc.column) from None
    return _to_snapshot(path, text, parsed)


def merge_changes(store: Snapshot, incoming: Snapshot) -> list[Change]:
    """The changes that make ``store`` hold what ``incoming`` says: each photo it lists
    gets its every field from it, each gallery it orders or covers gets that order or
    cover; photos and galleries it does not mention are left as they are."""
    out: list[Change] = []
    for rel in sorted(incoming.photos):
        old, new = store.photo(rel), incoming.photo(rel)
        out.extend(
            Change(rel, name, getattr(new, name))
            for name in PHOTO_FIELDS
            if getattr(old, name) != getattr(new, name)
        )
    for gallery in sorted(incoming.order):
        if store.order.get(gallery, ()) != incoming.order[gallery]:
            out.append(Change.order(gallery, incoming.order[gallery]))
    for gallery in sorted(incoming.covers):
        if store.covers.get(gallery) != incoming.covers[gallery]:
            out.append(Change.cover(gallery, incoming.covers[gallery]))
    return out


# -- the store -------------------------------------------------------------------


class CurationStore:
    """``curation.toml`` in ``root``: :meth:`load` to read, :meth:`apply` to save.

    ``author`` goes into ``updated_by`` (default: ``user@host``).  With
    ``read_only=True`` (``reason`` is then the reason shown, default "opened
    read-only"), or when the folder or file cannot be written, or the file is
    damaged or from a newer version, or the store, its lock or its history is a
    link or a special file, nothing is ever written (not the lock, not the
    history) and :attr:`read_only_reason` says why.
    """

    def __init__(
        self,
        root: Path,
        *,
        author: str | None = None,
        read_only: bool = False,
        reason: str | None = None,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.root = Path(root)
        self.path = self.root / FILE_NAME
        self.lock_path = self.root / LOCK_NAME
        self.history_path = self.root / HISTORY_NAME
        self.author = _clean_text(author)[:200] if author else _default_author()
        self.lock_timeout = lock_timeout
        self._forced = (reason or "opened read-only") if read_only else None
        self._problem: str | None = None
        self.snapshot = Snapshot()
        """The state after the last :meth:`load` or :meth:`apply`."""

    # -- read-only -------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be written, or ``None`` when saving works."""
        if self._forced:
            return self._forced
        if self._problem:
            return self._problem
        for path in (self.path, self.lock_path, self.history_path):
            what = not_regular(path)
            if what is not None:
                return f"{path} {what}; {READ_ONLY_UNTIL}"
        # Not the lock: flock needs no write permission (files.locked opens it read-only).
        return write_problem(self.root, self.path, self.history_path)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    # -- reading ---------------------------------------------------------------
    def _read(self) -> tuple[str, dict[str, Any]]:
        try:
            raw = read_regular(self.path, MAX_STORE_BYTES)
        except FileNotFoundError:
            return "", {}
        except NotRegularFile as exc:
            # Never read: a link to another portfolio's store would show its notes.
            raise CurationError(self.path, f"{exc.reason}; {READ_ONLY_UNTIL}") from None
        except TooLarge as exc:
            raise CurationError(
                self.path,
                f"damaged store: {str(exc.strerror).removeprefix('is ')}, far beyond any "
                "curation; move it away or restore it from a backup (curation is read-only "
                "until then)",
            ) from None
        except OSError as exc:
            raise CurationError(self.path, f"cannot read: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise CurationError(self.path, "damaged curation file: not UTF-8", line) from None
        return text, _parse(self.path, text)

    def _check_version(self, snapshot: Snapshot) -> None:
        if snapshot.format > FORMAT:
            self._problem = (
                f"{self.path} was written by a newer portfolio-tui (format {snapshot.format}); "
                "read-only"
            )

    def load(self) -> Snapshot:
        """Read the store (missing file: empty).  Raises :class:`CurationError`
        when it is damaged; the store is then read-only until a load succeeds."""
        try:
            text, data = self._read()
        except CurationError as exc:
            self._problem = str(exc)
            raise
        self._problem = None
        self.snapshot = _to_snapshot(self.path, text, data)
        self._check_version(self.snapshot)
        return self.snapshot

    # -- writing ---------------------------------------------------------------
    def apply(self, changes: Sequence[Change]) -> Snapshot:
        """Save ``changes``: lock, re-read, merge field by field, write atomically.

        Returns the new state (including other curators' saves).  Raises
        :class:`InvalidChange` for a bad value and :class:`ReadOnlyError` or
        :class:`CurationError` when nothing could be written; once this returns,
        the changes are on disk and survive a crash.
        """
        checked = [validate(c) for c in changes]
        reason = self.read_only_reason
        if reason:
            raise ReadOnlyError(self.path, f"read-only: {reason}")
        if not checked:
            return self.load()
        try:
            with locked(self.lock_path, self.lock_timeout):
                try:
                    _text, data = self._read()
                except CurationError as exc:
                    self._problem = str(exc)
                    raise
                version = data.get("format", FORMAT)
                if isinstance(version, int) and version > FORMAT:
                    self._check_version(Snapshot(format=version))
                    raise ReadOnlyError(self.path, f"read-only: {self._problem}")
                before = _before_values(data, checked)
                _merge(data, checked, self.author)
                text = render(data)
                # The history first, on the disk before the store is replaced: a kill
                # in between leaves a line for a change that did not land, never a
                # saved change without its line.  Under the lock, lines are in save order.
                try:
                    recorded = self._append_history(checked, before)
                except NotRegularFile:
                    raise
                except OSError as exc:
                    raise CurationError(
                        self.history_path,
                        f"not saved: {exc.strerror or exc} (writing the change history)",
                    ) from None
                try:
                    write_atomically(self.path, text)
                except BaseException:
                    # Not saved: the lines go too (only a kill can leave them).
                    self._truncate_history(recorded)
                    raise
                remove_stale_temps(self.root, temp_prefix(self.path))
        except LockTimeout:
            raise CurationError(
                self.lock_path,
                f"another curator has held the lock for over {self.lock_timeout:g} s",
            ) from None
        except NotRegularFile as exc:
            # Planted after the read-only check: refused all the same, nothing written.
            raise ReadOnlyError(exc.path, f"{exc.reason}; {READ_ONLY_UNTIL}") from None
        except OSError as exc:
            # Not a read-only reason: a full disk or a refused write may pass, and the
            # next apply tries again (the app keeps the changes and says NOT SAVED).
            raise CurationError(self.path, f"not saved: {exc.strerror or exc}") from None
        self.snapshot = _to_snapshot(self.path, text, data)
        return self.snapshot

    def _append_history(self, changes: Sequence[Change], before: Sequence[object]) -> int:
        """One line per change, appended with ``O_APPEND`` in one write and fsynced;
        returns the history's size before them (see :meth:`_truncate_history`).

        Raises ``OSError`` (:class:`NotRegularFile` for a link or special file),
        having taken back what it wrote; the caller then leaves the store as it was.
        """
        at = _now().strftime("%Y-%m-%dT%H:%M:%SZ")
        lines = []
        for change, old in zip(changes, before, strict=True):
            entry: dict[str, object] = {"at": at, "by": self.author}
            if change.photo is None:
                entry["gallery"] = change.field.split(":", 1)[1]
                entry["field"] = change.field.split(":", 1)[0]
            else:
                entry["photo"] = change.photo
                entry["field"] = change.field
            entry["from"] = _plain(old)
            entry["to"] = _plain(change.value)
            line = json.dumps(entry, ensure_ascii=False, sort_keys=False)
            # A name that is not UTF-8 holds lone surrogates: JSON's \udcXX escape
            # keeps them (json.loads gives them back) in a file that stays UTF-8.
            lines.append(_SURROGATES.sub(lambda m: f"\\u{ord(m.group(0)):04x}", line))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        created = not os.path.lexists(self.history_path)
        fd = open_regular(self.history_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # A writer killed mid-line: start ours on a line of its own.
                data = b"\n" + data
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)
                raise
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.root)
        return size

    def _truncate_history(self, size: int) -> None:
        """Take back the lines of a save that failed after they were written (the lock
        is held, so nobody appended since); best effort."""
        with contextlib.suppress(OSError):
            fd = open_regular(self.history_path, os.O_WRONLY)
            try:
                os.ftruncate(fd, size)
                os.fsync(fd)
            finally:
                os.close(fd)


def _before_values(data: Mapping[str, Any], changes: Sequence[Change]) -> list[object]:
    """What each change replaces in the raw data (before any of them is merged)."""
    out: list[object] = []
    seen: dict[tuple[str | None, str], object] = {}
    for change in changes:
        key = (change.photo, change.field)
        if key in seen:  # the second change of one field replaces the first's value
            out.append(seen[key])
            seen[key] = change.value
            continue
        if change.photo is None:
            is_order = change.field.startswith(_ORDER)
            section = data.get("order" if is_order else "covers")
            gallery = change.field.split(":", 1)[1]
            value = section.get(gallery) if isinstance(section, dict) else None
        else:
            photos = data.get("photos")
            entry = photos.get(change.photo) if isinstance(photos, dict) else None
            value = entry.get(change.field) if isinstance(entry, dict) else None
        out.append(value)
        seen[key] = change.value
    return out


def _plain(value: object) -> object:
    """``value`` as JSON can hold it (tuples as lists, anything odd as text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


# -- the history -------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One line of ``curation-history.jsonl``: who changed what, when."""

    at: str
    by: str
    field: str
    before: object
    after: object
    photo: str | None = None
    gallery: str | None = None


@dataclass(frozen=True)
class HistoryRead:
    """The history's entries, oldest first, and how many lines could not be used."""

    entries: tuple[HistoryEntry, ...]
    damaged: int = 0


def _entry(line: str) -> HistoryEntry | None:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    at, by, name = data.get("at"), data.get("by"), data.get("field")
    photo, gallery = data.get("photo"), data.get("gallery")
    if not (isinstance(at, str) and isinstance(by, str) and isinstance(name, str)):
        return None
    if not (isinstance(photo, str) ^ isinstance(gallery, str)):
        return None
    if "from" not in data or "to" not in data:
        return None
    return HistoryEntry(
        at=at,
        by=by,
        field=name,
        before=data["from"],
        after=data["to"],
        photo=photo if isinstance(photo, str) else None,
        gallery=gallery if isinstance(gallery, str) else None,
    )


def history(path: Path, photo: str | None = None) -> HistoryRead:
    """Read ``curation-history.jsonl`` (``path`` is the file or the portfolio root).

    Lines that are not a whole entry (a writer killed mid-line, an edit gone
    wrong, bytes that are not UTF-8) are skipped and counted in
    :attr:`HistoryRead.damaged`.  ``photo`` keeps one photo's entries.  A
    missing file is an empty history; one that cannot be read raises OSError
    (:class:`~portfolio_tui.files.NotRegularFile` for a link or special file,
    which is never followed).
    """
    path = Path(path)
    if path.is_dir():
        path = path / HISTORY_NAME
    try:
        raw = read_regular(path, MAX_HISTORY_BYTES)
    except FileNotFoundError:
        return HistoryRead(())
    entries: list[HistoryEntry] = []
    damaged = 0
    for raw_line in raw.split(b"\n"):
        if not raw_line.strip():
            continue
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError:
            damaged += 1
            continue
        entry = _entry(line)
        if entry is None:
            damaged += 1
        elif photo is None or entry.photo == photo:
            entries.append(entry)
    return HistoryRead(tuple(entries), damaged)


def _default_author() -> str:
    return author()
