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
:data:`CACHE_AFTER` rows past it, and after a load that read the field rows (0.3 s at
100,000); no cache is written while the snapshot holds a problem or a row it cannot show,
or a name with a newline.  A cache that is missing, damaged, ahead of the history or
:data:`CACHE_UNTIL` rows behind is passed over for the field rows; readers never write it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import urllib.parse
import weakref
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, TypeVar, cast

from .. import __version__
from ..curation import (
    _COVER,
    _ORDER,
    _SURROGATES,
    EMPTY,
    FILE_NAME,
    FLAGS,
    FORMAT,
    HISTORY_NAME,
    LABELS,
    LOCK_NAME,
    LOCK_TIMEOUT,
    PHOTO_FIELDS,
    READ_ONLY_UNTIL,
    Change,
    CurationError,
    CurationStore,
    HistoryEntry,
    HistoryRead,
    InvalidChange,
    PhotoCuration,
    ReadOnlyError,
    Snapshot,
    _clean_line,
    _clean_text,
    _default_author,
    _now,
    _plain,
    _timestamp,
    history,
    validate,
)
from ..files import (
    LockTimeout,
    NotRegularFile,
    fsync_dir,
    locked,
    not_regular,
    open_regular,
    write_problem,
)
from ..names import from_store, storable, to_store
from ..problems import Problem, Severity
from .sharded import Lazy, Sharded

__all__ = ["DB_NAME", "SCHEMA", "HistoryRow", "SqliteCurationStore"]

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
_CACHE_SQL = (
    "CREATE TABLE IF NOT EXISTS snapshot_cache (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " last_id INTEGER NOT NULL, body BLOB NOT NULL)"
)
_CACHE_FORMAT = "portfolio-tui snapshot 1"
"""The first line of the cache's text (another form is passed over)."""
CACHE_AFTER = 1000
"""History rows after the cached snapshot at which a writer's close (or load) writes a new
one: a load folds at most about this many rows on top of the cache (1.5 ms a hundred)."""
CACHE_UNTIL = 20_000
"""Past this many rows after the cache, a load reads the field rows instead (folding costs
about 15 us a row, so 20,000 rows are some 0.3 s, a third of a full read at 100,000)."""
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


class SqliteCurationStore:
    """``curation.sqlite`` in ``root``: :meth:`load` to read, :meth:`apply` to save,
    :meth:`refresh` to fold in other curators' saves.

    Arguments as :class:`portfolio_tui.curation.CurationStore`; ``lock_timeout`` is the
    time a save waits for another curator's transaction (SQLite's busy timeout).
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
        self.path = self.root / DB_NAME
        self.wal_path = self.root / (DB_NAME + "-wal")
        self.shm_path = self.root / (DB_NAME + "-shm")
        self.author = _clean_text(author)[:200] if author else _default_author()
        self.lock_timeout = lock_timeout
        self._forced = (reason or "opened read-only") if read_only else None
        self._problem: str | None = None
        """Why the last load failed (damaged, foreign, a link): read-only until one works."""
        self._newer_schema: str | None = None
        self._conn: sqlite3.Connection | None = None
        self._conn_ro = False
        self._copy: Path | None = None
        """The private copy a reader reads while no writer has the database open."""
        self._copy_finalizer: weakref.finalize[Any, Any] | None = None
        self._old: CurationStore | None = None
        self._old_stat: tuple[int, int] | None = None
        self._lock = threading.RLock()
        self._loaded = False
        self._ever_loaded = False
        self._creating = False
        self._last_id = 0
        self._data_version: int | None = None
        self._remote: list[HistoryRow] = []
        # Rows the snapshot cannot show (unknown fields, values that do not validate):
        # a photo with one stays in the snapshot, as the TOML store keeps it.
        self._extra: dict[str, set[str]] = {}
        self._cache_id: int | None = None
        """The history id of the snapshot cached in the database (None: none read)."""
        self._problems: dict[tuple[str, str, str], Problem] = {}
        self.snapshot = Snapshot()
        """The state after the last :meth:`load`, :meth:`apply` or :meth:`refresh`."""

    # -- read-only -------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be written, or ``None`` when saving works."""
        if self._forced:
            return self._forced
        for path in (self.path, self.wal_path, self.shm_path):
            what = not_regular(path)
            if what is not None:
                return f"{path} {what}; {READ_ONLY_UNTIL}"
        if self._problem:
            return self._problem
        if self._newer_schema:
            return self._newer_schema
        return write_problem(self.root, self.path, self.wal_path, self.shm_path)

    @property
    def newer_schema(self) -> str | None:
        """Why this version may not write the database (a newer app's schema), or None."""
        return self._newer_schema

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def last_id(self) -> int:
        """The id of the last history row folded into :attr:`snapshot`."""
        return self._last_id

    # -- opening ---------------------------------------------------------------
    def _check_links(self) -> None:
        for path in (self.path, self.wal_path, self.shm_path):
            what = not_regular(path)
            if what is not None:
                raise CurationError(path, f"{what}; {READ_ONLY_UNTIL}")

    def _connect(self, mode: str) -> sqlite3.Connection:
        """A connection in ``mode`` (``ro``, ``rw``, ``rwc``); links refused before and after."""
        self._check_links()
        path, extra = self.path, ""
        if mode == "ro" and not self.shm_path.exists() and not os.access(self.root, os.W_OK):
            # SQLite reads a WAL database through its -shm file, which it cannot make here.
            if _readonly_filesystem(self.root) and not self.wal_path.exists():
                # Nobody can write this folder and no -wal holds changes: the file alone
                # is the whole database, read as immutable (no locks, no -shm).
                extra = "&immutable=1"
            else:
                # Curators may write here later, or a -wal holds changes: read a private
                # copy (no writer has it open, or its -shm would exist); refresh()
                # moves to the real file once a writer opens it.
                path = self._private_copy()
        uri = f"file:{urllib.parse.quote(os.fsencode(path))}?mode={mode}{extra}"
        try:
            conn = sqlite3.connect(
                uri,
                uri=True,
                timeout=self.lock_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise CurationError(self.path, f"cannot open: {exc}") from None
        try:
            self._check_links()
        except CurationError:
            conn.close()
            raise
        return conn

    def _private_copy(self) -> Path:
        """The database (and its -wal) copied into a private temporary folder."""
        self._drop_copy()
        folder = Path(tempfile.mkdtemp(prefix="portfolio-tui-curation-"))
        self._copy = folder
        # Removed with the store, or at exit by a process that never calls close().
        self._copy_finalizer = weakref.finalize(self, shutil.rmtree, folder, True)
        try:
            for source in (self.path, self.wal_path):
                if os.path.lexists(source):
                    fd = open_regular(source)
                    with os.fdopen(fd, "rb") as src, open(folder / source.name, "wb") as dst:
                        shutil.copyfileobj(src, dst)
        except OSError as exc:
            raise CurationError(self.path, f"cannot read: {exc.strerror or exc}") from None
        return folder / self.path.name

    def _drop_copy(self) -> None:
        if self._copy_finalizer is not None:
            self._copy_finalizer()  # removes the folder, once
            self._copy_finalizer = None
        self._copy = None

    def _kind(self, conn: sqlite3.Connection) -> str:
        """``"ours"``, ``"empty"`` (a file SQLite made but nobody filled) or raise."""
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
        if app_id == APPLICATION_ID:
            return "ours"
        if app_id == 0 and tables == 0:
            return "empty"
        raise CurationError(
            self.path,
            f"not a curation database (an SQLite file of another program, application id "
            f"{app_id:#x}); move it away (curation is read-only until then)",
        )

    def _damaged(self, exc: BaseException) -> CurationError:
        return CurationError(
            self.path,
            f"damaged or foreign database ({exc}); move it away or restore it from a "
            "backup (curation is read-only until then, and nothing is written to it)",
        )

    def _can_write(self) -> bool:
        return self._forced is None and self.read_only_reason is None

    def _ensure_open(self) -> None:
        """Open the database (migrating on a writer's first open), or fall back to the
        TOML store for a reader of a folder no curator has opened yet."""
        if self._conn is not None or self._old is not None:
            return
        writer = self._can_write()
        exists = self.path.exists()
        if exists:
            conn = self._connect("rw" if writer else "ro")
            try:
                kind = self._kind(conn)
            except CurationError:
                conn.close()
                raise
            if kind == "ours":
                self._use(conn, read_only=not writer)
                return
            conn.close()
        if not writer or not (self._creating or self._to_migrate()):
            # A reader; or a curator who has saved nothing yet in a folder with nothing
            # to import: the database is made by the first save, not by looking.
            self._old = CurationStore(
                self.root, author=self.author, read_only=True, reason=self._forced
            )
            return
        self._migrate()

    def _to_migrate(self) -> bool:
        """Whether the folder holds a TOML store or history to import."""
        return any(os.path.lexists(self.root / name) for name in (FILE_NAME, HISTORY_NAME))

    def _use(self, conn: sqlite3.Connection, read_only: bool) -> None:
        try:
            if not read_only:
                conn.execute("PRAGMA synchronous = FULL")
            schema = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._damaged(exc) from None
        self._conn = conn
        self._conn_ro = read_only
        self._newer_schema = self._newer(conn, schema) if schema > SCHEMA else None
        if not read_only and self._newer_schema is None:
            self._finish_migration(conn)

    def _finish_migration(self, conn: sqlite3.Connection) -> None:
        """Rename the ``curation.toml`` and history this database was imported from, right
        after the import or where a kill came between its commit and the rename.

        Only the very bytes imported (their SHA-256 is in ``meta``): a copy someone put
        back later with other contents is left where it is."""
        renamed = False
        for name in (FILE_NAME, HISTORY_NAME):
            path = self.root / name
            if not path.exists() or not_regular(path) is not None:
                continue
            with contextlib.suppress(sqlite3.Error, OSError):
                row = conn.execute(
                    "SELECT value FROM meta WHERE key = ?", (f"imported_sha256 {name}",)
                ).fetchone()
                if row and hashlib.sha256(path.read_bytes()).hexdigest() == row[0]:
                    os.rename(path, _free_name(path))
                    renamed = True
        if renamed:
            with contextlib.suppress(OSError):
                fsync_dir(self.root)

    def _newer(self, conn: sqlite3.Connection, schema: int) -> str:
        run = "a newer portfolio-tui"
        with contextlib.suppress(sqlite3.Error):
            row = conn.execute("SELECT value FROM meta WHERE key = 'written_by'").fetchone()
            if row:
                run = f"portfolio-tui {_clean_line(str(row[0]))[:40]} or newer"
        return (
            f"{self.path} has schema version {schema}; this portfolio-tui {__version__} "
            f"knows schema {SCHEMA}: run {run} to curate (read-only until then)"
        )

    # -- migration ---------------------------------------------------------------
    def _migrate(self) -> None:
        """Create the database, importing ``curation.toml`` and its history in one
        transaction; then rename them so nobody edits a stale copy."""
        toml_path = self.root / FILE_NAME
        history_path = self.root / HISTORY_NAME
        try:
            with locked(self.root / LOCK_NAME, self.lock_timeout):
                if self.path.exists():
                    # Another writer may have migrated while this one waited.
                    conn = self._connect("rw")
                    try:
                        kind = self._kind(conn)
                    except CurationError:
                        conn.close()
                        raise
                    if kind == "ours":
                        self._use(conn, read_only=False)
                        return
                    conn.close()
                old = CurationStore(self.root, read_only=True)
                snapshot = old.load()  # a damaged store stops here: nothing created
                if snapshot.format > FORMAT:
                    raise CurationError(
                        toml_path,
                        f"written by a newer portfolio-tui (format {snapshot.format}); "
                        "not imported, read-only",
                    )
                text, data = old._read()
                # The history's bytes before its entries: a line appended in between
                # would be renamed away unread, this way it is left in place.
                history_bytes = _read_or_empty(history_path)
                past = history(history_path)
                conn = self._connect("rwc")
                try:
                    self._create(conn, text, data, past.entries, history_bytes)
                except BaseException:
                    conn.close()
                    raise
                self._use(conn, read_only=False)  # renames the imported files
                if not past.entries and not text and not history_bytes:
                    # Nothing was imported, so no older app curates here: the lock (only
                    # ever needed to create the database) is not left in the portfolio.
                    # Removed while held: a process waiting on it then finds the database.
                    with contextlib.suppress(OSError):
                        os.unlink(self.root / LOCK_NAME)
        except LockTimeout:
            raise CurationError(
                self.root / LOCK_NAME,
                f"another curator has held the lock for over {self.lock_timeout:g} s",
            ) from None
        except NotRegularFile as exc:
            raise CurationError(exc.path, f"{exc.reason}; {READ_ONLY_UNTIL}") from None
        except sqlite3.Error as exc:
            raise CurationError(
                self.path, f"not saved: cannot create the database: {exc}"
            ) from None
        except OSError as exc:
            raise CurationError(self.path, f"not saved: {exc.strerror or exc}") from None

    def _create(
        self,
        conn: sqlite3.Connection,
        text: str,
        data: dict[str, Any],
        entries: Sequence[HistoryEntry],
        history_bytes: bytes,
    ) -> None:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA_SQL:
                conn.execute(statement)
            meta = {
                "schema": str(SCHEMA),
                "written_by": __version__,
                "created_at": _now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            if text:
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                meta[f"imported_sha256 {FILE_NAME}"] = digest
            if history_bytes:
                digest = hashlib.sha256(history_bytes).hexdigest()
                meta[f"imported_sha256 {HISTORY_NAME}"] = digest
            extra = {
                k: v for k, v in data.items() if k not in ("format", "photos", "order", "covers")
            }
            photo_rows, gallery_rows = _import_rows(data, extra)
            if extra:
                # Nothing the app reads: kept so that an export can give it back.
                meta["imported_extra"] = _json(extra)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            conn.executemany("INSERT INTO photo_fields VALUES (?, ?, ?, ?, ?, ?)", photo_rows)
            conn.executemany("INSERT INTO gallery_fields VALUES (?, ?, ?, ?, ?, ?)", gallery_rows)
            conn.executemany(
                "INSERT INTO history (at, author, photo, gallery, field, value_from, value_to)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        _word(e.at),
                        _word(e.by),
                        None if e.photo is None else _name_column(e.photo),
                        None if e.gallery is None else _name_column(e.gallery),
                        _word(e.field),
                        _json(e.before),
                        _json(e.after),
                    )
                    for e in entries
                ),
            )
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    # -- reading ---------------------------------------------------------------
    def load(self) -> Snapshot:
        """Read the whole store (a first writer's open migrates ``curation.toml``).

        Raises :class:`CurationError` when the database is damaged or foreign; the store
        is then read-only until a load succeeds."""
        with self._lock:
            try:
                return self._load()
            except CurationError as exc:
                self._problem = str(exc)
                self._close()
                raise

    def _load(self) -> Snapshot:
        if self._problem is not None:
            self._problem = None
            self._close()
        if self._conn is not None and self._conn_ro and self._can_write():
            self._close()  # the folder became writable: reopen as a writer
        self._ensure_open()
        if self._old is not None:
            snapshot = self._old.load()
            self._old_stat = self._toml_stat()
            if self._db_ready():
                # A curator migrated while the TOML was read: the database is the truth.
                self._old = None
                self._ensure_open()
            else:
                self.snapshot = snapshot
                self._loaded = self._ever_loaded = True
                return snapshot
        conn = self._conn
        assert conn is not None
        try:
            self._data_version = conn.execute("PRAGMA data_version").fetchone()[0]
            conn.execute("BEGIN")
            try:
                after = self._read_cached(conn)
                if after is None:
                    self._read_all(conn)
            finally:
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
        self._fold(after or [])
        self._loaded = self._ever_loaded = True
        self._remote = []
        if after is None or len(after) >= CACHE_AFTER:
            self._write_cache()
        return self.snapshot

    def _read_cached(self, conn: sqlite3.Connection) -> list[HistoryRow] | None:
        """The cached snapshot as :attr:`snapshot` (its photos decoded on first access) and
        the history rows after it, to fold in; None when there is no usable cache."""
        self._cache_id = None
        try:
            if not conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'snapshot_cache'"
            ).fetchone():
                return None
            got = conn.execute("SELECT last_id, body FROM snapshot_cache WHERE id = 1").fetchone()
            if got is None:
                return None
            cache_id, body = got
            last = conn.execute("SELECT coalesce(max(id), 0) FROM history").fetchone()[0]
        except sqlite3.DatabaseError:
            return None  # a damaged cache is no cache: the full read says what is wrong
        if (
            type(cache_id) is not int
            or not 0 <= cache_id <= last
            or last - cache_id > CACHE_UNTIL
            or type(body) is not bytes
        ):
            return None
        try:
            # zlib's checksum finds a damaged body.
            text = zlib.decompress(body).decode("utf-8")
        except (zlib.error, UnicodeDecodeError):
            return None
        decoded = _decode_cache(text)
        if decoded is None:
            return None
        photos, order, covers = decoded
        rows = self._rows_after(conn, cache_id)
        self._extra = {}
        self._problems = {}
        self._last_id = self._cache_id = cache_id
        self.snapshot = Snapshot(
            photos=Lazy(photos, _cached_item),
            order=MappingProxyType(order),
            covers=MappingProxyType(covers),
        )
        return rows

    def _write_cache(self) -> None:
        """Keep :attr:`snapshot` in the database as the state at :attr:`last_id`, for the
        next load; nothing when it could not be read back as it is (a problem, a row the
        snapshot cannot show, a name the format cannot hold) or a newer one is there.

        Correct whoever writes when: the cache is the state at one history id, rows after
        it are folded on load, and a later id replaces it in one transaction."""
        conn = self._conn
        if (
            conn is None
            or self._conn_ro
            or not self._loaded
            or self._old is not None
            or not self._can_write()
            or self._problems
            or self._extra
            or self.snapshot.problems
            or (self._cache_id is not None and self._last_id - self._cache_id < CACHE_AFTER)
        ):
            return
        body = _encode_cache(self.snapshot)
        if body is None:
            return
        try:
            data = body.encode("utf-8")
        except UnicodeEncodeError:
            return  # cannot happen after _encode_cache's escapes: no cache then
        # Compressed (10 MB of text is 1.4 MB at 100,000 photos, 40 ms): the write lock is
        # held for the write, and a load reads and decompresses it in less time than the text.
        packed = zlib.compress(data, 1)
        with contextlib.suppress(sqlite3.Error):
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(_CACHE_SQL)
                conn.execute(
                    "INSERT OR REPLACE INTO snapshot_cache SELECT 1, ?, ? WHERE ? >"
                    " coalesce((SELECT last_id FROM snapshot_cache WHERE id = 1), -1)",
                    (self._last_id, packed, self._last_id),
                )
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            self._cache_id = self._last_id

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

    # -- closing -------------------------------------------------------------------
    def _close(self) -> None:
        if self._conn is not None:
            self._write_cache()
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
        self._old = None
        self._loaded = False
        self._drop_copy()

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


def _encode_cache(snapshot: Snapshot) -> str | None:
    """The snapshot as the cache's text: a format line, the galleries as JSON, then two
    lines a photo (its name in store form, its fields as a JSON array); None when a name
    holds a newline or cannot be stored."""
    order = {to_store(g): list(v) for g, v in snapshot.order.items() if storable(g)}
    covers = {to_store(g): v for g, v in snapshot.covers.items() if storable(g)}
    if len(order) != len(snapshot.order) or len(covers) != len(snapshot.covers):
        return None
    lines = [_CACHE_FORMAT, ""]
    photos = snapshot.photos
    held = photos.raw_items() if isinstance(photos, Lazy) else photos.items()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    escaped = False
    for name, item in held:
        if not storable(name):
            return None
        stored = to_store(name)
        escaped = escaped or stored != name
        lines.append(stored)
        if type(item) is str:
            lines.append(item)  # as read from the last cache: not decoded since
        else:
            assert isinstance(item, PhotoCuration)
            lines.append(
                dumps(
                    [
                        item.rating,
                        item.flag,
                        item.label,
                        list(item.tags),
                        item.notes,
                        item.updated_by,
                        item.updated_at,
                    ]
                )
            )
    lines[1] = _json({"order": order, "covers": covers, "escaped": escaped})
    body = "\n".join(lines)
    if body.count("\n") != len(lines) - 1:
        return None  # a name holding a newline would split its line
    # Notes or tags from a name that is not UTF-8: JSON escapes, as in a field row.
    return _SURROGATES.sub(lambda m: f"\\u{ord(m.group(0)):04x}", body)


def _decode_cache(
    body: str,
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]] | None:
    """The cache's photos (name -> its JSON line, decoded later), order and covers."""
    lines = body.split("\n")
    if len(lines) < 2 or len(lines) % 2 or lines[0] != _CACHE_FORMAT:
        return None
    photos = dict(zip(lines[2::2], lines[3::2], strict=True))
    if len(photos) != len(lines) // 2 - 1:
        return None
    order: dict[str, tuple[str, ...]] = {}
    covers: dict[str, str] = {}
    try:
        head = json.loads(lines[1])
        if head["escaped"] is True:
            # Only where a name is not UTF-8: from_store costs 10 ms a 100,000 names.
            photos = {from_store(name): raw for name, raw in photos.items()}
        for gallery, value in head["order"].items():
            checked = _gallery_value(gallery, "order", value, True)
            if isinstance(checked, tuple) and checked:
                order[from_store(gallery)] = checked
        for gallery, value in head["covers"].items():
            checked = _gallery_value(gallery, "cover", value, True)
            if isinstance(checked, str) and checked:
                covers[from_store(gallery)] = checked
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return photos, order, covers


def _cached_item(raw: str) -> PhotoCuration:
    """One photo of the cache.  zlib's checksum was checked when it was read, so only a
    forged one fails here: that photo then shows no curation rather than stopping the app."""
    try:
        rating, flag, label, tags, notes, by, at = json.loads(raw)
    except (ValueError, TypeError):
        return EMPTY
    if (
        type(rating) is int
        and 0 <= rating <= 5
        and (flag is None or (type(flag) is str and flag in FLAGS))
        and (label is None or (type(label) is str and label in LABELS))
        and type(tags) is list
        and all(type(t) is str for t in tags)
        and type(notes) is str
        and (by is None or type(by) is str)
        and (at is None or type(at) is str)
    ):
        return PhotoCuration(rating, flag, label, tuple(tags), notes, by, at)
    return EMPTY
