"""The curation store in SQLite: ``curation.sqlite`` in the portfolio folder (issue 16).

Public API (the same surface as :class:`portfolio_tui.curation.CurationStore`, plus the
incremental reads a live app needs)::

    from portfolio_tui.store.sqlite_curation import SqliteCurationStore, HistoryRow, DB_NAME

    store = SqliteCurationStore(root, author=None, read_only=False, reason=None,
                                lock_timeout=10.0)   # lock_timeout: SQLite's busy timeout
    store.path                  # root / "curation.sqlite"
    store.read_only, store.read_only_reason
    snapshot = store.load()     # the cached snapshot and the rows after it (see Opening);
                                # migrates curation.toml on a writer's first open
    snapshot = store.apply([Change.rating("g/a.jpg", 5)])  # one transaction, durable on return
    rows = store.refresh()      # cheap: PRAGMA data_version, then only the new history rows;
                                # returns other writers' HistoryRow list (empty: nothing new)
    store.changed()             # True when another connection committed since the last read
    store.last_id               # the last history id folded into store.snapshot
    rows = store.changes_since(last_id)   # HistoryRow list after last_id (a pure read)
    store.history(photo=None)   # curation.HistoryRead of the whole table (for `history`)
    store.close()               # also a context manager

``HistoryRow(id, entry)``: ``entry`` is a :class:`portfolio_tui.curation.HistoryEntry`;
``row.change`` is the :class:`~portfolio_tui.curation.Change` it made.

Design
------
*Rows, field by field.*  ``photo_fields`` holds one row per (photo, field): the value as
JSON (SQL NULL once cleared), ``updated_by``, ``updated_at`` and ``change_id``, the history
row that set it; ``gallery_fields`` holds (gallery, ``order`` | ``cover``) the same way.  A
save replaces only its own rows, so two curators changing different fields of one photo
both win and the last writer wins on one field.  A photo's ``updated_by``/``updated_at``
are those of its row with the highest ``change_id``; a cleared row stays (NULL) so that it
still says who cleared it.  Names are kept in their store form (:mod:`portfolio_tui.names`):
a name that is not UTF-8 survives, and JSON escapes its bytes in a value.

*History in the same transaction.*  ``history`` (``id INTEGER PRIMARY KEY``, at, author,
photo or gallery, field, value_from, value_to) gets one row per change inside the save's
``BEGIN IMMEDIATE`` transaction, so a saved change always has its row and a row always has
its change.  Writers are serialised by SQLite's write lock, so ids grow in commit order and
a reader that has seen id N has seen every change up to N.

*Durability.*  WAL mode, ``synchronous=FULL``: the WAL is fsynced at every commit, so a
change is on disk when :meth:`SqliteCurationStore.apply` returns; a kill -9 at any moment
leaves the last committed state (SQLite's own recovery).

*Constant cost per change.*  The store keeps its :class:`~portfolio_tui.curation.Snapshot`
in memory and folds history rows into it: ``apply`` writes its rows, reads the rows after
:attr:`last_id` (its own and other curators') in the same transaction, commits and folds
them; ``refresh`` asks ``PRAGMA data_version`` on its one persistent connection (a few
microseconds) and reads only the new rows when it moved.  Nothing re-reads the store after
a change.  Snapshots stay immutable values (the app compares an old one with a new one).
Measured here, a dict copy of 100,000 photos costs 2 to 5 ms (and ``dict()`` of a
``MappingProxyType`` 63 ms: it goes key by key), too much for every change, so
``snapshot.photos`` is a :class:`~portfolio_tui.store.sharded.Sharded` mapping: 256 small
dicts by key hash, of which a fold copies only those its rows touch (one change at 100,000
photos: 0.5 ms for ``apply``, 0.1 ms for ``refresh``).  ``order`` and ``covers`` (one entry
a gallery) stay plain dicts behind ``MappingProxyType``, copied when a row touches them.

*Migration.*  The first writer to open a folder with ``curation.toml`` or
``curation-history.jsonl`` and no database imports both, read with curation.py's own
readers, in one transaction, under curation.py's lock (so an older app cannot save in
between), then renames them ``*.imported`` so nobody edits a stale copy.  Values the TOML
store reported as problems (``rating = 9``) and keys it did not know are imported as they
are and stay problems until someone sets them.  A reader never migrates: until a curator
has opened the folder it reads the TOML through :class:`~portfolio_tui.curation.CurationStore`.

*Read-only.*  ``read_only=True``, a folder or database the account cannot write, a newer
schema (``PRAGMA user_version``; ``meta.written_by`` names the version to run), or a
damaged or foreign file (``CurationError`` naming the file; read-only until a load works):
the database is opened ``mode=ro`` and nothing is written.  SQLite reads a WAL database
through its ``-shm`` file, which it must be able to create (tested): while a curator has
the database open the ``-shm`` exists and a viewer reads live; in a folder the account
cannot write and no writer has open, the viewer reads a private copy (the database is then
whole in its file, or in it and its ``-wal``) and moves to the real file once a writer's
``-shm`` appears; on a read-only file system with no ``-wal`` it opens the file
``immutable=1`` (nobody can change it).  The database, ``-wal`` and ``-shm`` must be
regular files: they are checked with :func:`~portfolio_tui.files.not_regular` before and
after every open and before every save.  Python's sqlite3 cannot pass
``SQLITE_OPEN_NOFOLLOW``, so a link planted between that check and SQLite's own ``open()``
(or one SQLite makes its ``-wal``/``-shm`` through later) is not caught: that window remains.

*Opening* through a cached snapshot.  Reading every field row costs about 0.8 s at 100,000
photos (0.28 s only for the sqlite3 module to hand over 200,000 rows, an aggregate per photo
in SQL no less), so ``snapshot_cache`` (one row: ``last_id``, ``body``) keeps the snapshot
as it was at history id ``last_id``, as zlib-compressed text: a format line, the galleries
as JSON, then two lines a photo (its name in store form, its fields as a JSON array).  A
load reads it (zlib's checksum finds damage), then folds the history rows after ``last_id`` as
:meth:`refresh` does; the photos are a :class:`~portfolio_tui.store.sharded.Lazy` mapping
that decodes each photo's line on first access (0.12 s to open 100,000 photos, 0.5 s more
the first time every photo is looked at, e.g. :meth:`Snapshot.all_tags`).  The cache is
right whoever writes it when: it is the state at one id (a snapshot only ever holds the
state at :attr:`last_id`), a row after it is folded on load, and a newer id replaces it in
one transaction of its own, so a kill -9 anywhere leaves the old cache or the new one.
Anything that ever writes field rows without history rows, or deletes history rows, must
delete the cache in its transaction.  A writer writes it on close when the snapshot is
:data:`~.sqlite_cache.CACHE_AFTER` rows past it, and after a load that read the field rows (0.3 s at
100,000); no cache is written while the snapshot holds a problem or a row it cannot show,
or a name with a newline.  A cache that is missing, damaged, ahead of the history or
:data:`~.sqlite_cache.CACHE_UNTIL` rows behind is passed over for the field rows; readers
never write it.

The class is one class for callers, built from a base per seam (issue 17):
:mod:`.sqlite_schema` (schema, row types, row codecs, the migration's rows),
:mod:`.sqlite_open` (state, read-only modes, opening, migration), :mod:`.sqlite_read`
(reading the field rows, folding history rows), :mod:`.sqlite_cache` (the snapshot cache,
:meth:`load`, closing); this module adds :meth:`refresh`, :meth:`apply`, :meth:`history`
and :meth:`close`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from types import TracebackType

from .changes import Change, CurationError, ReadOnlyError, Snapshot, validate
from .history import HistoryRead, history
from .sqlite_cache import _Caching
from .sqlite_schema import (
    _ROWS_SQL,
    DB_NAME,
    SCHEMA,
    HistoryRow,
    _is_default,
    _json,
    _name_column,
    _row,
    _rows_between,
    _unjson,
)
from .toml_form import _now

__all__ = ["DB_NAME", "SCHEMA", "HistoryRow", "SqliteCurationStore"]


class SqliteCurationStore(_Caching):
    """``curation.sqlite`` in ``root``: :meth:`load` to read, :meth:`apply` to save,
    :meth:`refresh` to fold in other curators' saves.

    Arguments as :class:`portfolio_tui.curation.CurationStore`; ``lock_timeout`` is the
    time a save waits for another curator's transaction (SQLite's busy timeout).
    """

    def refresh(self) -> list[HistoryRow]:
        """Fold other curators' saves into :attr:`snapshot`; returns them (their rows,
        also those an :meth:`apply` folded in since the last call).  Cheap when nothing
        changed: one ``PRAGMA data_version``."""
        with self._lock:
            if not self._loaded or self._problem is not None:
                # Never loaded: nothing to compare with.  After a failed load (a damaged
                # file put right), what differs from the last good state.
                first = not self._ever_loaded
                before = self.snapshot
                self.load()
                return [] if first else _rows_between(before, self.snapshot)
            if self._old is not None:
                if self._db_ready() or self._toml_stat() != self._old_stat:
                    before = self.snapshot
                    if self._db_ready():
                        self._old = None
                        if self._follow_new_database(before):
                            return self.refresh()
                    self.load()
                    return _rows_between(before, self.snapshot)
                return []
            if self._copy is not None and self.shm_path.exists():
                # A writer opened the database: read the real file from now on.
                self._reopen()
            conn = self._conn
            assert conn is not None
            try:
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version != self._data_version:
                    self._data_version = version
                    rows = self._rows_after(conn, self._last_id)
                    self._fold(rows)
                    self._remote.extend(rows)
            except sqlite3.DatabaseError as exc:
                self._problem = str(self._damaged(exc))
                raise self._damaged(exc) from None
            out, self._remote = self._remote, []
            return out

    # -- writing ---------------------------------------------------------------
    def apply(self, changes: Sequence[Change]) -> Snapshot:
        """Save ``changes`` in one transaction, durable when this returns.

        Returns the new state, including other curators' saves.  Raises
        :class:`InvalidChange` for a bad value (nothing written), :class:`ReadOnlyError`
        on a read-only store and :class:`CurationError` (``"not saved: ..."``) when the
        database could not be written; a batch is all or nothing.
        """
        checked = [validate(c) for c in changes]
        with self._lock:
            reason = self.read_only_reason
            if reason:
                raise ReadOnlyError(self.path, f"read-only: {reason}")
            if not self._loaded or self._conn is None or self._conn_ro:
                self._close()
                self._creating = True  # the first save makes the database
                try:
                    self.load()
                finally:
                    self._creating = False
                reason = self.read_only_reason
                if reason:
                    raise ReadOnlyError(self.path, f"read-only: {reason}")
            if not checked:
                self.refresh()
                return self.snapshot
            conn = self._conn
            assert conn is not None
            try:
                rows, own = self._write(conn, checked)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise CurationError(
                        self.path,
                        f"not saved: another curator has held the database for over "
                        f"{self.lock_timeout:g} s",
                    ) from None
                raise CurationError(self.path, f"not saved: {exc}") from None
            except sqlite3.DatabaseError as exc:
                raise CurationError(self.path, f"not saved: {exc}") from None
            self._fold(rows)
            self._remote.extend(r for r in rows if r.id not in own)
            return self.snapshot

    def _write(
        self, conn: sqlite3.Connection, changes: Sequence[Change]
    ) -> tuple[list[HistoryRow], set[int]]:
        """One transaction: each change's history row and field row; returns every row
        after :attr:`last_id` (other curators' and these) and the ids of these."""
        at = _now().strftime("%Y-%m-%dT%H:%M:%SZ")
        conn.execute("BEGIN IMMEDIATE")
        try:
            schema = conn.execute("PRAGMA user_version").fetchone()[0]
            if schema > SCHEMA:
                # Another version upgraded the database while this app ran.
                self._newer_schema = self._newer(conn, schema)
                raise ReadOnlyError(self.path, f"read-only: {self._newer_schema}")
            own: set[int] = set()
            seen: dict[tuple[str, str, str], object] = {}
            for change in changes:
                if change.photo is None:
                    kind, gallery = change.field.split(":", 1)
                    table, column, name, field = "gallery_fields", "gallery", gallery, kind
                else:
                    table, column, name, field = "photo_fields", "photo", change.photo, change.field
                key = (table, name, field)
                stored = _name_column(name)
                if key in seen:  # a second change of one field replaces the first's value
                    before = seen[key]
                else:
                    got = conn.execute(
                        f"SELECT value FROM {table} WHERE {column} = ? AND field = ?",
                        (stored, field),
                    ).fetchone()
                    before = _unjson(got[0]) if got else None
                seen[key] = change.value
                cursor = conn.execute(
                    "INSERT INTO history (at, author, photo, gallery, field, value_from,"
                    " value_to) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        at,
                        self.author,
                        stored if change.photo is not None else None,
                        stored if change.photo is None else None,
                        field,
                        _json(before),
                        _json(change.value),
                    ),
                )
                change_id = cursor.lastrowid
                assert change_id is not None
                own.add(change_id)
                value = None if _is_default(change.value) else _json(change.value)
                conn.execute(
                    f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?, ?, ?)",
                    (stored, field, value, self.author, at, change_id),
                )
            rows = self._rows_after(conn, self._last_id)
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        self._data_version = version
        return rows, own

    # -- history -------------------------------------------------------------------
    def history(self, photo: str | None = None) -> HistoryRead:
        """Every history entry, oldest first (``photo`` keeps one photo's), as
        :func:`portfolio_tui.curation.history` gives them."""
        with self._lock:
            if not self._loaded:
                self.load()
            if self._old is not None:
                return history(self.root, photo)
            assert self._conn is not None
            try:
                if photo is None:
                    cursor = self._conn.execute(_ROWS_SQL + " ORDER BY id")
                else:
                    cursor = self._conn.execute(
                        _ROWS_SQL + " WHERE photo = ? ORDER BY id", (_name_column(photo),)
                    )
                return HistoryRead(tuple(_row(r).entry for r in cursor))
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None

    def close(self) -> None:
        """Close the database connection (a later call opens it again)."""
        with self._lock:
            self._close()

    def __enter__(self) -> SqliteCurationStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
