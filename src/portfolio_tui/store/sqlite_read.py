"""Reading the SQLite curation store: the field rows, folding history rows, following.

:class:`_Reading` (a base of :class:`~.sqlite_curation.SqliteCurationStore`) reads the
field rows into a snapshot, folds history rows on top of it, and notices other
curators' saves and a database replaced or created under a reader.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from ..files import (
    not_regular,
    open_regular,
)
from ..names import from_store, to_store
from ..problems import Problem, Severity
from .changes import (
    EMPTY,
    FILE_NAME,
    PHOTO_FIELDS,
    CurationError,
    InvalidChange,
    PhotoCuration,
    Snapshot,
)
from .history import HistoryEntry
from .sharded import Sharded
from .sqlite_open import _Opening
from .sqlite_schema import (
    _DEFAULT_VALUES,
    _DEFAULTS,
    _FIELD_INDEX,
    _IMPORTED,
    _MISSING,
    _ROWS_SQL,
    APPLICATION_ID,
    HistoryRow,
    _copy,
    _gallery_value,
    _is_default,
    _item,
    _name_column,
    _photo_value,
    _row,
)


class _Reading(_Opening):
    """Reading and folding rows (see :mod:`.sqlite_read`)."""

    def _read_all(self, conn: sqlite3.Connection) -> None:
        last = conn.execute("SELECT coalesce(max(id), 0) FROM history").fetchone()[0]
        photos: dict[str, PhotoCuration] = {}
        self._extra = {}
        self._problems = {}
        rows = conn.execute(
            "SELECT photo, field, value, updated_by, updated_at, change_id FROM photo_fields"
        )
        # 200,000 rows: one flat loop, each distinct (field, JSON) decoded once (ratings,
        # flags, labels and tag sets repeat), PhotoCuration built from a list.
        decoded: dict[tuple[str, str], object] = {}
        index = _FIELD_INDEX
        current: str | None = None
        values: list[Any] = []
        newest = -2
        by_at: tuple[str | None, str | None] = (None, None)
        keep = False
        for photo, name, raw, by, at, change_id in rows:
            if photo != current:
                if current is not None:
                    item = _item(values, by_at)
                    if keep or not item.is_empty:
                        photos[from_store(current)] = item
                current, values, newest, keep = photo, list(_DEFAULT_VALUES), -2, False
            if change_id > newest:
                newest, by_at = change_id, (by, at)
            if raw is None:
                continue
            at_index = index.get(name)
            if at_index is not None and change_id >= _IMPORTED:
                value = decoded.get((name, raw), _MISSING)
                if value is _MISSING:
                    try:
                        value = _photo_value(name, json.loads(raw), True)
                    except (InvalidChange, ValueError) as exc:
                        self._bad(from_store(photo), name, exc)
                        keep = True
                        continue
                    decoded[(name, raw)] = value
                values[at_index] = value
                continue
            one: dict[str, Any] = {}
            if self._photo_field(from_store(photo), name, raw, change_id, one):
                keep = True
            elif at_index is not None:
                values[at_index] = one[name]
        if current is not None:
            item = _item(values, by_at)
            if keep or not item.is_empty:
                photos[from_store(current)] = item
        order: dict[str, tuple[str, ...]] = {}
        covers: dict[str, str] = {}
        for gallery_s, kind, raw, _by, _at, change_id in conn.execute(
            "SELECT gallery, field, value, updated_by, updated_at, change_id FROM gallery_fields"
        ):
            if raw is None:
                continue
            gallery = from_store(gallery_s)
            value = self._gallery_field(gallery, kind, json.loads(raw), change_id >= _IMPORTED)
            if kind == "order" and isinstance(value, tuple) and value:
                order[gallery] = value
            elif kind == "cover" and isinstance(value, str):
                covers[gallery] = value
        self._last_id = last
        self.snapshot = Snapshot(
            photos=Sharded(photos),
            order=MappingProxyType(order),
            covers=MappingProxyType(covers),
            problems=tuple(self._problems.values()),
        )

    def _photo_field(
        self, photo: str, name: str, raw: str, change_id: int, values: dict[str, Any]
    ) -> bool:
        """Put one non-NULL row's value into ``values``; True when the row is one the
        snapshot cannot show (unknown field, invalid value), which keeps the photo."""
        if name not in PHOTO_FIELDS:
            self._extra.setdefault(photo, set()).add(name)
            return True
        try:
            values[name] = _photo_value(name, json.loads(raw), change_id >= _IMPORTED)
        except (InvalidChange, ValueError) as exc:
            self._bad(photo, name, exc)
            return True
        return False

    def _bad(self, photo: str, name: str, exc: Exception) -> None:
        """A value the snapshot shows as the default: a problem, and the photo is kept."""
        self._extra.setdefault(photo, set()).add(name)
        self._problems[("photo", photo, name)] = Problem(
            self.path, f'photos."{_name_column(photo)}".{name}: {exc}', severity=Severity.WARNING
        )

    def _gallery_field(self, gallery: str, kind: str, value: object, trusted: bool) -> object:
        try:
            return _gallery_value(gallery, kind, value, trusted)
        except InvalidChange as exc:
            section = "order" if kind == "order" else "covers"
            self._problems[("gallery", gallery, kind)] = Problem(
                self.path, f'{section}."{to_store(gallery)}": {exc}', severity=Severity.WARNING
            )
            return None

    def _db_ready(self) -> bool:
        """Whether a curator has created the database (checked without keeping it open)."""
        if not self.path.exists() or not_regular(self.path) is not None:
            return False
        with contextlib.suppress(OSError):
            # The application id in the file's header: no connection, no -shm needed.
            fd = open_regular(self.path)
            try:
                if int.from_bytes(os.pread(fd, 4, 68), "big") == APPLICATION_ID:
                    return True
            finally:
                os.close(fd)
        if not self.wal_path.exists():
            return False  # a committed header would be in the file or in the -wal
        try:
            conn = self._connect("ro")
        except CurationError:
            return False
        try:
            return self._kind(conn) == "ours"
        except CurationError:
            return False
        finally:
            conn.close()
            if self._conn is None:
                self._drop_copy()  # a probe's copy, not one a connection reads

    def _toml_stat(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.root / FILE_NAME)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def changed(self) -> bool:
        """Whether another process saved since this store last read (cheap)."""
        with self._lock:
            if self._old is not None:
                return self._toml_stat() != self._old_stat or self._db_ready()
            if self._conn is None or (self._copy is not None and self.shm_path.exists()):
                return True
            try:
                version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.DatabaseError:
                return True
            return bool(version != self._data_version)

    def changes_since(self, last_id: int) -> list[HistoryRow]:
        """The history rows after ``last_id``, oldest first (a read; nothing folded)."""
        with self._lock:
            if self._old is not None:
                return []
            self._ensure_open()
            assert self._conn is not None
            try:
                return self._rows_after(self._conn, last_id)
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None

    def _rows_after(self, conn: sqlite3.Connection, last_id: int) -> list[HistoryRow]:
        return [_row(r) for r in conn.execute(_ROWS_SQL + " WHERE id > ? ORDER BY id", (last_id,))]

    def _follow_new_database(self, before: Snapshot) -> bool:
        """Open a database another curator created while this store read an empty folder,
        to read it row by row from its first history row (every change, none merged away);
        False when it holds anything imported (then it is read whole)."""
        if before.photos or before.order or before.covers or self._old_stat is not None:
            return False
        self._ensure_open()
        conn = self._conn
        if conn is None or self._old is not None:
            return False
        try:
            imported = conn.execute(
                "SELECT 1 FROM photo_fields WHERE change_id <= ? UNION ALL "
                "SELECT 1 FROM gallery_fields WHERE change_id <= ? LIMIT 1",
                (_IMPORTED, _IMPORTED),
            ).fetchone()
        except sqlite3.DatabaseError:
            return False
        if imported:
            return False
        self._last_id = 0
        self._data_version = None  # refresh reads every row after 0
        return True

    def _reopen(self) -> None:
        """Reopen the connection, keeping the snapshot and :attr:`last_id` (the ids are the
        database's own, so the new connection goes on from them)."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
        self._drop_copy()
        self._ensure_open()
        self._data_version = None  # a new connection: read the rows after last_id

    def _fold(self, rows: Sequence[HistoryRow]) -> None:
        """Bring :attr:`snapshot` up to date with ``rows`` (in id order): one dict copy."""
        if not rows:
            return
        snap = self.snapshot
        base = snap.photos if isinstance(snap.photos, Sharded) else Sharded(snap.photos)
        pending: dict[str, PhotoCuration | None] = {}
        order: dict[str, tuple[str, ...]] | None = None
        covers: dict[str, str] | None = None
        for row in rows:
            e = row.entry
            if e.photo is not None:
                self._fold_photo(base, pending, e)
                continue
            gallery = e.gallery
            assert gallery is not None
            self._problems.pop(("gallery", gallery, e.field), None)
            value = self._gallery_field(gallery, e.field, e.after, True)
            if e.field == "order":
                order = _copy(snap.order) if order is None else order
                if isinstance(value, tuple) and value:
                    order[gallery] = value
                else:
                    order.pop(gallery, None)
            elif e.field == "cover":
                covers = _copy(snap.covers) if covers is None else covers
                if isinstance(value, str) and value:
                    covers[gallery] = value
                else:
                    covers.pop(gallery, None)
        self._last_id = max(self._last_id, rows[-1].id)
        changes: dict[str, Any] = {"photos": base.updated(pending) if pending else base}
        if order is not None:
            changes["order"] = MappingProxyType(order)
        if covers is not None:
            changes["covers"] = MappingProxyType(covers)
        if self._problems or snap.problems:
            changes["problems"] = tuple(self._problems.values())
        self.snapshot = replace(snap, **changes)

    def _fold_photo(
        self,
        base: Sharded[PhotoCuration],
        pending: dict[str, PhotoCuration | None],
        e: HistoryEntry,
    ) -> None:
        photo = e.photo
        assert photo is not None
        extra = self._extra.get(photo)
        self._problems.pop(("photo", photo, e.field), None)
        if extra is not None:
            extra.discard(e.field)
        current = (pending[photo] if photo in pending else base.get(photo)) or EMPTY
        fields: dict[str, Any] = {"updated_by": e.by, "updated_at": e.at}
        if e.field in PHOTO_FIELDS:
            after = None if _is_default(e.after) else e.after
            try:
                fields[e.field] = _photo_value(e.field, after, True)
            except (InvalidChange, ValueError) as exc:
                fields[e.field] = _DEFAULTS[e.field]
                self._bad(photo, e.field, exc)
        elif not _is_default(e.after):
            self._extra.setdefault(photo, set()).add(e.field)
        updated = replace(current, **fields)
        if updated.is_empty and not self._extra.get(photo):
            pending[photo] = None
        else:
            pending[photo] = updated
