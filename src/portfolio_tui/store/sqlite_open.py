"""Opening ``curation.sqlite``: read-only modes, the private copy, and the migration.

:class:`_Opening`, the first base of :class:`~.sqlite_curation.SqliteCurationStore`, holds
the store's state, why it is read-only, how a connection is opened (writer, reader of a
private copy, immutable reader), and the migration from ``curation.toml``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import tempfile
import threading
import urllib.parse
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..files import (
    LockTimeout,
    NotRegularFile,
    fsync_dir,
    locked,
    not_regular,
    open_regular,
    write_problem,
)
from ..problems import Problem
from .changes import (
    FILE_NAME,
    FORMAT,
    HISTORY_NAME,
    LOCK_NAME,
    LOCK_TIMEOUT,
    READ_ONLY_UNTIL,
    CurationError,
    Snapshot,
    _clean_line,
    _clean_text,
)
from .history import HistoryEntry, _default_author, history
from .sqlite_schema import (
    _SCHEMA_SQL,
    APPLICATION_ID,
    DB_NAME,
    SCHEMA,
    HistoryRow,
    _free_name,
    _import_rows,
    _json,
    _name_column,
    _read_or_empty,
    _readonly_filesystem,
    _word,
)
from .toml_curation import CurationStore
from .toml_form import _now


class _Opening:
    """The state of a SQLite curation store and how its database is opened."""

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
