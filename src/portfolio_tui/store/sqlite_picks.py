"""Client picks in SQLite: a ``picks`` table in the portfolio's ``curation.sqlite`` (issue 16).

Public API: exactly :class:`portfolio_tui.picks.PicksStore`'s::

    from portfolio_tui.store.sqlite_picks import SqlitePicksStore

    store = SqlitePicksStore(root, author=None, read_only=False, lock_timeout=10.0)
    store.path, store.root, store.author       # path: root / "curation.sqlite"
    store.read_only, store.read_only_reason
    store.load("Anna")                         # ClientPicks, in the order marked
    store.load_all(); store.clients()          # every client with a pick, sorted
    store.apply("Anna", add=[...], remove=[...])   # one transaction; ClientPicks after it

Errors are :class:`portfolio_tui.picks.PicksError`, with the messages the TOML store gives
where the situation is the same.

Design
------
*The table.*  ``picks (client, photo, at, by, seq, PRIMARY KEY (client, photo)) WITHOUT
ROWID``: names in their store form (:mod:`portfolio_tui.names`), ``at`` and ``by`` as the
TOML store wrote them.  A WITHOUT ROWID table has no insertion order, and ClientPicks shows
picks in the order they were marked (a picks.toml in its file's order, whatever the times
say), so ``seq`` (one more than the largest, taken inside the write transaction) keeps it.
The table is made by ``CREATE TABLE IF NOT EXISTS`` in the first picks save's ``BEGIN
IMMEDIATE`` transaction: no schema version bump, and the curation store neither reads nor
minds it.

*The database* is made by the curation store (``SqliteCurationStore(root).apply([])``:
WAL, application id, schema, and a ``curation.toml`` migrated as any first curator's save
does) when a picks save finds none; this module then opens its own ``mode=rw`` connection
(busy timeout, ``synchronous=FULL``), one per call.  Readers open it through the curation
store's own opener (``mode=ro``; a private copy or ``immutable=1`` where the folder cannot
be written), so a viewer writes nothing.  The database, ``-wal`` and ``-shm`` must be
regular files, checked before every open and save: otherwise read-only with the reason.

*Migration.*  While the database holds no ``imported_sha256 picks.toml`` in ``meta``, an
existing ``picks.toml`` is read (by :class:`~portfolio_tui.picks.PicksStore`'s reader) and
shown merged with the table; the first save by a writer imports every client's picks in
that save's transaction, under ``picks.toml.lock`` (so an older app cannot save in
between), records the file's SHA-256, then renames it ``picks.toml.imported``.  A kill
between the commit and the rename is put right by the next save (only those very bytes
are renamed).  Nothing is written by loading, nor by a save that changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

from ..files import (
    LockTimeout,
    NotRegularFile,
    TooLarge,
    fsync_dir,
    locked,
    not_regular,
    read_regular,
    write_problem,
)
from ..names import from_store, to_store
from .changes import CurationError
from .picks import (
    LOCK_NAME,
    LOCK_TIMEOUT,
    MAX_STORE_BYTES,
    PICKS_NAME,
    READ_ONLY_UNTIL,
    ClientPicks,
    Pick,
    PicksError,
    PicksStore,
    _clean_author,
    _client_order,
    _photo_key,
    client_name,
)
from .sqlite_curation import SqliteCurationStore
from .sqlite_schema import DB_NAME, SCHEMA, _free_name

__all__ = ["MARKER", "TABLE_SQL", "SqlitePicksStore"]

TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS picks (client TEXT NOT NULL, photo TEXT NOT NULL,"
    " at TEXT NOT NULL, by TEXT NOT NULL, seq INTEGER NOT NULL,"
    " PRIMARY KEY (client, photo)) WITHOUT ROWID"
)
MARKER = f"imported_sha256 {PICKS_NAME}"
"""The ``meta`` key holding the SHA-256 of the ``picks.toml`` imported (as for curation.toml)."""

_Table = dict[str, list[Pick]]


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _picks_error(exc: CurationError) -> PicksError:
    return PicksError(exc.message, exc.path, exc.line)


class SqlitePicksStore:
    """Client picks in ``curation.sqlite`` in ``root``: :meth:`load` a client's picks,
    :meth:`apply` to save.  Arguments and behaviour as :class:`~portfolio_tui.picks.PicksStore`
    (``lock_timeout``: how long a save waits for another writer's transaction)."""

    def __init__(
        self,
        root: Path,
        *,
        author: str | None = None,
        read_only: bool = False,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        from .changes import author as default_author

        self.root = Path(root)
        self.path = self.root / DB_NAME
        self.wal_path = self.root / (DB_NAME + "-wal")
        self.shm_path = self.root / (DB_NAME + "-shm")
        self.toml_path = self.root / PICKS_NAME
        self.lock_path = self.root / LOCK_NAME
        """``picks.toml``'s lock: taken only while importing it (older apps save under it)."""
        self.author = (_clean_author(author) if author else "") or default_author()
        self.lock_timeout = lock_timeout
        self._forced = "opened read-only" if read_only else None
        self._problem: str | None = None
        self._newer_schema: str | None = None

    # -- read-only -------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be written, or ``None`` when saving works (a damaged or
        foreign database, or a newer schema, once a load or save has met it)."""
        if self._forced:
            return self._forced
        special = self._special()
        if special:
            return special
        if self._problem:
            return self._problem
        if self._newer_schema:
            return self._newer_schema
        return write_problem(self.root, self.path, self.wal_path, self.shm_path)

    @property
    def read_only(self) -> bool:
        """True when :meth:`apply` would refuse."""
        return self.read_only_reason is not None

    def _special(self) -> str | None:
        """The database, -wal or -shm planted as a link or special file, or None."""
        for path in (self.path, self.wal_path, self.shm_path):
            what = not_regular(path)
            if what is not None:
                return f"{path} {what}; {READ_ONLY_UNTIL}"
        return None

    def _check_links(self) -> None:
        for path in (self.path, self.wal_path, self.shm_path):
            what = not_regular(path)
            if what is not None:
                raise PicksError(f"{what}; {READ_ONLY_UNTIL}", path)

    # -- the database ----------------------------------------------------------
    def _helper(self) -> SqliteCurationStore:
        """The curation store of this folder, for its opener and checks (no I/O here)."""
        return SqliteCurationStore(self.root, read_only=True, lock_timeout=self.lock_timeout)

    def _kind(self, helper: SqliteCurationStore, conn: sqlite3.Connection) -> str:
        """``"ours"`` or ``"empty"``; :class:`PicksError` for a damaged or foreign file."""
        try:
            return helper._kind(conn)
        except CurationError as exc:
            raise _picks_error(exc) from None

    def _schema(self, helper: SqliteCurationStore, conn: sqlite3.Connection) -> None:
        """Note a newer schema (read-only then); a read still works."""
        schema = conn.execute("PRAGMA user_version").fetchone()[0]
        self._newer_schema = helper._newer(conn, schema) if schema > SCHEMA else None

    def _connect_rw(self) -> sqlite3.Connection:
        self._check_links()
        uri = f"file:{urllib.parse.quote(os.fsencode(self.path))}?mode=rw"
        try:
            conn = sqlite3.connect(
                uri,
                uri=True,
                timeout=self.lock_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise PicksError(f"cannot open: {exc}", self.path) from None
        try:
            self._check_links()
            conn.execute(f"PRAGMA busy_timeout = {int(self.lock_timeout * 1000)}")
            conn.execute("PRAGMA synchronous = FULL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _damaged(self, exc: BaseException) -> PicksError:
        return _picks_error(self._helper()._damaged(exc))

    # -- reading ---------------------------------------------------------------
    def _toml(self) -> _Table:
        """``picks.toml`` through the TOML store's own reader (missing: nothing)."""
        found = PicksStore(self.root, author=self.author, read_only=True).load_all()
        return {name: list(c.picks) for name, c in found.items()}

    def _pending_import(self, marker: str | None) -> bool:
        return marker is None and os.path.lexists(self.toml_path)

    def _read(self) -> _Table:
        """Every client's picks; :class:`PicksError` (read-only until a read works)."""
        try:
            table = self._read_all()
        except PicksError as exc:
            self._problem = str(exc)
            raise
        self._problem = None
        return table

    def _read_all(self) -> _Table:
        self._check_links()
        if not self.path.exists():
            self._newer_schema = None
            return self._toml()
        helper = self._helper()
        try:
            conn = helper._connect("ro")
        except CurationError as exc:
            helper._drop_copy()
            raise _picks_error(exc) from None
        try:
            if self._kind(helper, conn) == "empty":
                return self._toml()  # a file nobody filled: no database yet
            try:
                self._schema(helper, conn)
                conn.execute("BEGIN")
                try:
                    rows, marker = _rows(conn)
                finally:
                    conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None
        finally:
            conn.close()
            helper._drop_copy()
        if self._pending_import(marker):
            _merge(rows, self._toml())
        return rows

    def load_all(self) -> dict[str, ClientPicks]:
        """Every client with at least one pick, sorted case-insensitively."""
        found = (ClientPicks(name, tuple(picks)) for name, picks in self._read().items())
        return {c.client: c for c in sorted(found, key=_client_order) if c.picks}

    def clients(self) -> list[str]:
        """Every client with at least one pick, sorted case-insensitively."""
        return list(self.load_all())

    def load(self, client: str) -> ClientPicks:
        """``client``'s picks (none when the database or the client is missing).

        Raises :class:`PicksError` for a bad name or a damaged database."""
        name = client_name(client)
        return ClientPicks(name, tuple(self._read().get(name, ())))

    # -- writing ---------------------------------------------------------------
    def apply(
        self, client: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> ClientPicks:
        """Add and remove ``client``'s picks in one transaction, durable on return.

        Adding a photo already picked keeps its first time; removing one not picked does
        nothing; nothing is written when nothing changes (no database made either).
        Returns the client's picks after the save (other writers' included).  Raises
        :class:`PicksError` when nothing could be written."""
        name = client_name(client)
        adding = list(dict.fromkeys(_photo_key(p) for p in add))
        removing = {_photo_key(p) for p in remove}
        if not adding and not removing:
            return self.load(name)
        reason = (
            self._forced
            or self._special()
            or write_problem(self.root, self.path, self.wal_path, self.shm_path)
        )
        if reason:
            raise PicksError(f"read-only ({reason}); nothing saved", self.path)
        try:
            if not self._database_ready():
                current = self.load(name)
                if not removing & set(current.photos()) and all(
                    p in current or p in removing for p in adding
                ):
                    return current  # nothing would change: no database for that
                self._create_database()
            conn = self._connect_rw()
            try:
                return self._save(conn, name, adding, removing)
            finally:
                conn.close()
        except LockTimeout:
            raise PicksError(
                f"another writer has held the lock for over {self.lock_timeout:g} s; "
                "try again in a moment",
                self.lock_path,
            ) from None
        except NotRegularFile as exc:
            raise PicksError(f"{exc.reason}; {READ_ONLY_UNTIL}", exc.path) from None
        except (sqlite3.Error, OSError) as exc:
            raise self.save_error(exc) from None

    def save_error(self, exc: sqlite3.Error | OSError) -> PicksError:
        """What a failed write into the database says (picks and blind answers alike)."""
        if isinstance(exc, sqlite3.OperationalError):
            if "locked" in str(exc) or "busy" in str(exc):
                return PicksError(
                    f"not saved: another writer has held the database for over "
                    f"{self.lock_timeout:g} s; try again in a moment",
                    self.path,
                )
            return PicksError(f"not saved: {exc}", self.path)
        if isinstance(exc, sqlite3.DatabaseError):
            return self._damaged(exc)
        if isinstance(exc, OSError):
            return PicksError(f"not saved: {exc.strerror or exc}", self.path)
        return PicksError(f"not saved: {exc}", self.path)

    def _database_ready(self) -> bool:
        """Whether the curation database exists with its schema (checked read-only)."""
        if not self.path.exists():
            return False
        helper = self._helper()
        try:
            conn = helper._connect("ro")
        except CurationError as exc:
            helper._drop_copy()
            raise _picks_error(exc) from None
        try:
            return self._kind(helper, conn) == "ours"
        finally:
            conn.close()
            helper._drop_copy()

    def _create_database(self) -> None:
        """The database, made as a curator's first save makes it (curation.toml imported)."""
        try:
            with SqliteCurationStore(
                self.root, author=self.author, lock_timeout=self.lock_timeout
            ) as made:
                made.apply([])
        except CurationError as exc:
            raise _picks_error(exc) from None

    def _save(
        self, conn: sqlite3.Connection, name: str, adding: list[str], removing: set[str]
    ) -> ClientPicks:
        helper = self._helper()
        if self._kind(helper, conn) != "ours":
            raise PicksError("not saved: the database has no schema yet; try again", self.path)
        with contextlib.ExitStack() as stack:
            if os.path.lexists(self.toml_path):
                # An older app saves picks.toml under this lock: none while it is imported.
                stack.enter_context(locked(self.lock_path, self.lock_timeout))
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._schema(helper, conn)
                if self._newer_schema:
                    raise PicksError(f"read-only ({self._newer_schema}); nothing saved", self.path)
                conn.execute(TABLE_SQL)
                marker = _marker(conn)
                digest = None
                if self._pending_import(marker):
                    # The bytes hashed before they are read: if an older app saved in
                    # between, they differ and the file is left in place, not lost.
                    raw = _read_toml(self.toml_path)
                    digest = hashlib.sha256(raw).hexdigest()
                    try:
                        self._import(conn, self._toml())
                    except PicksError as exc:
                        self._problem = str(exc)  # read-only until a load works
                        raise
                    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (MARKER, digest))
                before = conn.total_changes
                stored = to_store(name)
                for photo in removing:
                    conn.execute(
                        "DELETE FROM picks WHERE client = ? AND photo = ?",
                        (stored, to_store(photo)),
                    )
                at = _now()
                for photo in adding:
                    if photo in removing:
                        continue  # added and removed in one call: the removal wins
                    conn.execute(
                        "INSERT OR IGNORE INTO picks SELECT ?, ?, ?, ?,"
                        " coalesce((SELECT max(seq) FROM picks), 0) + 1",
                        (stored, to_store(photo), at, self.author),
                    )
                changed = conn.total_changes != before
                after = _client_rows(conn, stored)
                if not changed:
                    conn.execute("ROLLBACK")  # nothing to save: no table, no import
                else:
                    conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
            self._problem = None
            if changed:
                self._finish_migration(conn)
        return ClientPicks(name, tuple(after))

    def _import(self, conn: sqlite3.Connection, table: _Table) -> None:
        """Every client's picks from ``picks.toml``, in its order, after any in the table."""
        start = conn.execute("SELECT coalesce(max(seq), 0) FROM picks").fetchone()[0]
        rows = []
        for client in sorted(table, key=lambda c: (c.casefold(), c)):
            for pick in table[client]:
                start += 1
                rows.append((to_store(client), to_store(pick.photo), pick.at, pick.by, start))
        conn.executemany("INSERT OR IGNORE INTO picks VALUES (?, ?, ?, ?, ?)", rows)

    def _finish_migration(self, conn: sqlite3.Connection) -> None:
        """Rename the ``picks.toml`` imported (only the very bytes whose SHA-256 is in
        ``meta``: a copy put back later with other contents is left in place)."""
        path = self.toml_path
        if not path.exists() or not_regular(path) is not None:
            return
        with contextlib.suppress(sqlite3.Error, OSError):
            marker = _marker(conn)
            if marker and hashlib.sha256(_read_toml(path)).hexdigest() == marker:
                os.rename(path, _free_name(path))
                fsync_dir(self.root)


def _read_toml(path: Path) -> bytes:
    try:
        return read_regular(path, MAX_STORE_BYTES)
    except FileNotFoundError:
        return b""
    except TooLarge:
        return b""  # the reader says what is wrong with it


def _marker(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (MARKER,)).fetchone()
    return None if row is None else str(row[0])


def _has_table(conn: sqlite3.Connection) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'picks'"
        ).fetchone()
    )


def _rows(conn: sqlite3.Connection) -> tuple[_Table, str | None]:
    """Every client's picks in the order marked, and the import marker."""
    table: _Table = {}
    if _has_table(conn):
        for client, photo, at, by in conn.execute(
            "SELECT client, photo, at, by FROM picks ORDER BY seq"
        ):
            table.setdefault(from_store(client), []).append(Pick(from_store(photo), at, by))
    return table, _marker(conn)


def _client_rows(conn: sqlite3.Connection, stored: str) -> list[Pick]:
    return [
        Pick(from_store(photo), at, by)
        for photo, at, by in conn.execute(
            "SELECT photo, at, by FROM picks WHERE client = ? ORDER BY seq", (stored,)
        )
    ]


def _merge(rows: _Table, toml: _Table) -> None:
    """``picks.toml``'s picks after the table's, as the import will put them."""
    for client, picks in toml.items():
        have = rows.setdefault(client, [])
        known = {p.photo for p in have}
        have.extend(p for p in picks if p.photo not in known)
