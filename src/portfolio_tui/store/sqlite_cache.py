"""The snapshot cache of the SQLite curation store, and the load that uses it.

:class:`_Caching` (a base of :class:`~.sqlite_curation.SqliteCurationStore`) loads the
store from the cached snapshot and the history rows after it (or from the field rows),
writes a new cache when enough rows were folded, and closes the connection.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zlib
from types import MappingProxyType

from ..names import from_store, storable, to_store
from .changes import _SURROGATES, EMPTY, FLAGS, LABELS, CurationError, PhotoCuration, Snapshot
from .sharded import Lazy
from .sqlite_read import _Reading
from .sqlite_schema import HistoryRow, _gallery_value, _json

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


class _Caching(_Reading):
    """Loading through the snapshot cache (see :mod:`.sqlite_cache`)."""

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
