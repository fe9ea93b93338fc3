"""Blind-test answers in SQLite: a ``blind_answers`` table in ``curation.sqlite`` (issue 18).

Beside the client picks, and kept by the same rules
(:mod:`portfolio_tui.store.sqlite_picks`, whose store this one uses for the
database itself)::

    from portfolio_tui.store.sqlite_blind import SqliteBlindStore

    store = SqliteBlindStore(root, author=None, read_only=False)
    store.read_only_reason            # as the picks store's
    store.save(answer)                # one transaction, durable on return
    store.load_all()                  # every answer, oldest first

*The table.*  ``blind_answers (id INTEGER PRIMARY KEY, client, comparison, shown,
preferred, real, correct, at, by)``: ``shown`` is a JSON array of the photos (store
form, :mod:`portfolio_tui.names`) left to right as the client saw them, ``preferred``
and ``real`` a photo or NULL, ``correct`` 1, 0 or NULL (not known).  Made by ``CREATE
TABLE IF NOT EXISTS`` in the first answer's ``BEGIN IMMEDIATE`` transaction, as the picks
table is: nothing is written before the first answer (the database itself made as a
picks save makes it: WAL, application id, schema), no schema version bump, and the
curation store neither reads nor minds it.  Readers open the database read-only
(``mode=ro``, a private copy or ``immutable=1``), so ``picks tally`` and a viewer write
nothing.  A read-only store (``--read-only``, a viewer without ``--allow-picks``, a
linked or damaged file) saves nothing and says why.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

from ..files import NotRegularFile
from ..names import from_store, to_store
from .blind import BlindAnswer
from .changes import CurationError
from .picks import LOCK_TIMEOUT, PicksError, client_name
from .sqlite_picks import SqlitePicksStore, _now, _picks_error

__all__ = ["TABLE", "TABLE_SQL", "SqliteBlindStore"]

TABLE = "blind_answers"
TABLE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, client TEXT NOT NULL,"
    " comparison TEXT NOT NULL, shown TEXT NOT NULL, preferred TEXT, real TEXT,"
    " correct INTEGER, at TEXT NOT NULL, by TEXT NOT NULL)"
)


class SqliteBlindStore:
    """Blind-test answers in ``curation.sqlite`` in ``root`` (arguments as the picks store's)."""

    def __init__(
        self,
        root: Path,
        *,
        author: str | None = None,
        read_only: bool = False,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.picks = SqlitePicksStore(
            root, author=author, read_only=read_only, lock_timeout=lock_timeout
        )
        self.root = self.picks.root
        self.path = self.picks.path
        self.author = self.picks.author

    @classmethod
    def beside(cls, picks: SqlitePicksStore) -> SqliteBlindStore:
        """The answers store of the same folder, author and read-only state as ``picks``."""
        return cls(
            picks.root,
            author=picks.author,
            read_only=picks._forced is not None,
            lock_timeout=picks.lock_timeout,
        )

    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be saved, or None."""
        return self.picks.read_only_reason

    # -- reading ---------------------------------------------------------------
    def load_all(self) -> list[BlindAnswer]:
        """Every answer, oldest first (none when there is no database or no table yet).

        Raises :class:`~portfolio_tui.picks.PicksError` for a damaged or foreign database."""
        picks = self.picks
        picks._check_links()
        if not self.path.exists():
            return []
        helper = picks._helper()
        try:
            conn = helper._connect("ro")
        except CurationError as exc:
            helper._drop_copy()
            raise _picks_error(exc) from None
        try:
            if picks._kind(helper, conn) == "empty":
                return []
            try:
                return _answers(conn)
            except sqlite3.DatabaseError as exc:
                raise picks._damaged(exc) from None
        finally:
            conn.close()
            helper._drop_copy()

    # -- writing ---------------------------------------------------------------
    def save(self, answer: BlindAnswer) -> BlindAnswer:
        """Add ``answer`` in one transaction, durable on return; the answer as saved
        (its time and author filled in).  Raises :class:`PicksError` when nothing was saved."""
        picks = self.picks
        name = client_name(answer.client)
        reason = self.read_only_reason
        if reason:
            raise PicksError(f"read-only ({reason}); nothing saved", self.path)
        saved = BlindAnswer(
            name,
            answer.comparison,
            tuple(answer.shown),
            answer.preferred,
            answer.real,
            answer.correct,
            answer.at or _now(),
            answer.by or self.author,
        )
        try:
            if not picks._database_ready():
                picks._create_database()
            conn = picks._connect_rw()
            try:
                self._insert(conn, saved)
            finally:
                conn.close()
        except NotRegularFile as exc:
            raise PicksError(f"{exc.reason}; nothing saved", exc.path) from None
        except (sqlite3.Error, OSError) as exc:
            raise picks.save_error(exc) from None
        return saved

    def _insert(self, conn: sqlite3.Connection, answer: BlindAnswer) -> None:
        picks = self.picks
        helper = picks._helper()
        if picks._kind(helper, conn) != "ours":
            raise PicksError("not saved: the database has no schema yet; try again", self.path)
        conn.execute("BEGIN IMMEDIATE")
        try:
            picks._schema(helper, conn)
            if picks._newer_schema:
                raise PicksError(f"read-only ({picks._newer_schema}); nothing saved", self.path)
            conn.execute(TABLE_SQL)
            conn.execute(
                f"INSERT INTO {TABLE} (client, comparison, shown, preferred, real, correct,"
                " at, by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    to_store(answer.client),
                    to_store(answer.comparison),
                    json.dumps([to_store(p) for p in answer.shown], ensure_ascii=False),
                    _store_or_none(answer.preferred),
                    _store_or_none(answer.real),
                    None if answer.correct is None else int(answer.correct),
                    answer.at,
                    answer.by,
                ),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise


def _store_or_none(photo: str | None) -> str | None:
    return None if photo is None else to_store(photo)


def _from_store_or_none(value: object) -> str | None:
    return None if value is None else from_store(str(value))


def _shown(value: object) -> tuple[str, ...]:
    """The JSON array of photos; an unreadable value (edited by hand) is read as none."""
    try:
        found = json.loads(str(value))
    except ValueError:
        return ()
    if not isinstance(found, list):
        return ()
    return tuple(from_store(str(p)) for p in found)


def _answers(conn: sqlite3.Connection) -> list[BlindAnswer]:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
    ).fetchone()
    if not has_table:
        return []
    return [
        BlindAnswer(
            from_store(str(client)),
            from_store(str(comparison)),
            _shown(shown),
            _from_store_or_none(preferred),
            _from_store_or_none(real),
            None if correct is None else bool(correct),
            str(at),
            str(by),
        )
        for client, comparison, shown, preferred, real, correct, at, by in conn.execute(
            f"SELECT client, comparison, shown, preferred, real, correct, at, by FROM {TABLE}"
            " ORDER BY id"
        )
    ]
