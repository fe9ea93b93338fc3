"""The SQLite curation store's schema, row types and row helpers (no connection here).

Constants of ``curation.sqlite`` (name, schema, application id), :class:`HistoryRow`, the
JSON/column codecs of field values, and the functions that turn TOML snapshots into
history rows for the migration.  See :mod:`.sqlite_curation` for the store itself.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, cast

from ..files import open_regular
from ..names import from_store, storable, to_store
from .changes import (
    _COVER,
    _ORDER,
    _SURROGATES,
    EMPTY,
    FLAGS,
    LABELS,
    PHOTO_FIELDS,
    Change,
    InvalidChange,
    PhotoCuration,
    Snapshot,
    _clean_line,
    validate,
)
from .history import HistoryEntry
from .toml_curation import _plain
from .toml_form import _timestamp

DB_NAME = "curation.sqlite"
SCHEMA = 1
"""The schema this module reads and writes (``meta.schema`` and ``PRAGMA user_version``)."""
APPLICATION_ID = 0x50544355
"""``PRAGMA application_id`` of a curation database ("PTCU"): anything else is foreign."""
IMPORTED_SUFFIX = ".imported"

_SCHEMA_SQL = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE photo_fields (photo TEXT NOT NULL, field TEXT NOT NULL, value TEXT,"
    " updated_by TEXT, updated_at TEXT, change_id INTEGER NOT NULL,"
    " PRIMARY KEY (photo, field)) WITHOUT ROWID",
    "CREATE TABLE gallery_fields (gallery TEXT NOT NULL, field TEXT NOT NULL, value TEXT,"
    " updated_by TEXT, updated_at TEXT, change_id INTEGER NOT NULL,"
    " PRIMARY KEY (gallery, field)) WITHOUT ROWID",
    "CREATE TABLE history (id INTEGER PRIMARY KEY, at TEXT NOT NULL, author TEXT NOT NULL,"
    " photo TEXT, gallery TEXT, field TEXT NOT NULL, value_from TEXT, value_to TEXT,"
    " CHECK ((photo IS NULL) <> (gallery IS NULL)))",
    "CREATE INDEX history_photo ON history (photo) WHERE photo IS NOT NULL",
)
_IMPORTED = 0
"""``change_id`` of a row imported from ``curation.toml`` whose value was valid (cleaned)."""
_IMPORTED_RAW = -1
"""``change_id`` of an imported row kept as it was because it did not validate."""
V = TypeVar("V")
_FIELD_INDEX = {name: i for i, name in enumerate(PHOTO_FIELDS)}
_MISSING = object()
_DEFAULTS: dict[str, object] = {name: getattr(EMPTY, name) for name in PHOTO_FIELDS}
_DEFAULT_VALUES = tuple(_DEFAULTS[name] for name in PHOTO_FIELDS)


@dataclass(frozen=True)
class HistoryRow:
    """One row of the history table: its id and the entry (who changed what, when)."""

    id: int
    entry: HistoryEntry

    @property
    def change(self) -> Change:
        """The change this row made (``field`` ``order:<gallery>`` for a gallery)."""
        e = self.entry
        if e.gallery is not None:
            return Change(None, f"{e.field}:{e.gallery}", e.after)
        return Change(e.photo, e.field, e.after)


def _json(value: object) -> str:
    """JSON text SQLite can hold: a name's non-UTF-8 bytes (lone surrogates) as \\udcXX."""
    text = json.dumps(_plain(value), ensure_ascii=False)
    return _SURROGATES.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _unjson(text: str | None) -> object:
    return None if text is None else json.loads(text)


def _name_column(name: str) -> str:
    """A photo path or gallery name as kept in a column (its store form)."""
    return to_store(name) if storable(name) else _SURROGATES.sub("\ufffd", name)


def _word(text: str) -> str:
    """Free text from an old history line (author, time): no lone surrogates."""
    return _SURROGATES.sub("\ufffd", text)


def _is_default(value: object) -> bool:
    return value is None or value == 0 or value == "" or value == () or value == []


def _photo_value(field: str, value: object, trusted: bool) -> object:
    """The typed value of a photo field row; raises :class:`InvalidChange`.

    ``trusted`` rows were validated when written, so a type check is enough (full
    validation of 200,000 rows costs about a second at every open)."""
    if value is None:
        return _DEFAULTS[field]
    if trusted:
        if field == "rating" and type(value) is int and 0 <= value <= 5:
            return value
        if field == "flag" and value in FLAGS:
            return value
        if field == "label" and value in LABELS:
            return value
        if field == "tags" and type(value) is list and all(type(t) is str for t in value):
            return tuple(value)
        if field == "notes" and type(value) is str:
            return value
    return validate(Change("x", field, value)).value


def _gallery_value(gallery: str, kind: str, value: object, trusted: bool) -> object:
    if value is None:
        return None
    if trusted:
        if kind == "order" and type(value) is list and all(type(n) is str for n in value):
            return tuple(value)
        if kind == "cover" and type(value) is str:
            return value
    prefix = _ORDER if kind == "order" else _COVER
    return validate(Change(None, prefix + gallery, value)).value


def _readonly_filesystem(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


_ROWS_SQL = "SELECT id, at, author, photo, gallery, field, value_from, value_to FROM history"


def _row(r: tuple[Any, ...]) -> HistoryRow:
    row_id, at, by, photo, gallery, field, before, after = r
    return HistoryRow(
        row_id,
        HistoryEntry(
            at=at,
            by=by,
            field=field,
            before=_unjson(before),
            after=_unjson(after),
            photo=None if photo is None else from_store(photo),
            gallery=None if gallery is None else from_store(gallery),
        ),
    )


def _rows_between(before: Snapshot, after: Snapshot) -> list[HistoryRow]:
    """Rows (id 0) for what differs between two snapshots read whole (no history ids)."""
    out = []
    for change in after.changes_from(before):
        if change.photo is None:
            kind, gallery = change.field.split(":", 1)
            entry = HistoryEntry("", "", kind, None, change.value, gallery=gallery)
        else:
            item = after.photo(change.photo)
            entry = HistoryEntry(
                item.updated_at or "",
                item.updated_by or "",
                change.field,
                getattr(before.photo(change.photo), change.field),
                change.value,
                photo=change.photo,
            )
        out.append(HistoryRow(0, entry))
    return out


def _import_rows(
    data: dict[str, Any], extra: dict[str, Any]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The field rows of a parsed ``curation.toml``: valid values cleaned as the TOML
    store shows them, others as they are; what fits no row goes into ``extra``."""
    photo_rows: list[tuple[Any, ...]] = []
    photos = data.get("photos", {})
    if not isinstance(photos, dict):
        extra["photos"] = photos
        photos = {}
    for rel, entry in photos.items():
        if not isinstance(entry, dict):
            extra.setdefault("photos", {})[rel] = entry
            continue
        by = _clean_line(str(entry["updated_by"])) if "updated_by" in entry else None
        at = _timestamp(entry.get("updated_at"))
        for name, value in entry.items():
            if name in ("updated_by", "updated_at"):
                continue
            kept, change_id = value, _IMPORTED_RAW
            if name in PHOTO_FIELDS:
                with contextlib.suppress(InvalidChange):
                    kept, change_id = validate(Change(rel, name, value)).value, _IMPORTED
                if change_id == _IMPORTED and _is_default(kept):
                    continue  # a field at its default is no row (as the TOML store drops it)
            photo_rows.append((_name_column(rel), name, _json(kept), by, at, change_id))
    gallery_rows: list[tuple[Any, ...]] = []
    for section, kind in (("order", "order"), ("covers", "cover")):
        table = data.get(section, {})
        if not isinstance(table, dict):
            extra[section] = table
            continue
        prefix = _ORDER if kind == "order" else _COVER
        for gallery, value in table.items():
            kept, change_id = value, _IMPORTED_RAW
            with contextlib.suppress(InvalidChange):
                kept, change_id = validate(Change(None, prefix + gallery, value)).value, _IMPORTED
            if change_id == _IMPORTED and _is_default(kept):
                continue
            gallery_rows.append((_name_column(gallery), kind, _json(kept), None, None, change_id))
    return photo_rows, gallery_rows


def _item(values: Sequence[Any], by_at: tuple[str | None, str | None]) -> PhotoCuration:
    rating, flag, label, tags, notes = values
    return PhotoCuration(rating, flag, label, tags, notes, by_at[0], by_at[1])


def _copy(mapping: Mapping[str, V]) -> dict[str, V]:
    """A dict copy; ``MappingProxyType.copy`` copies the dict behind it at C speed, where
    ``dict(proxy)`` goes key by key (63 ms instead of 4 for 100,000 photos)."""
    if isinstance(mapping, (dict, MappingProxyType)):
        return cast("dict[str, V]", mapping.copy())
    return dict(mapping)


def _read_or_empty(path: Path) -> bytes:
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        return b""
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _free_name(path: Path) -> Path:
    """``path`` + ``.imported``, or ``.imported.2`` ... when that is taken."""
    target = path.with_name(path.name + IMPORTED_SUFFIX)
    n = 2
    while os.path.lexists(target):
        target = path.with_name(f"{path.name}{IMPORTED_SUFFIX}.{n}")
        n += 1
    return target
