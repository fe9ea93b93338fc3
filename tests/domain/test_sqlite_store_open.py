"""Opening the SQLite curation store through its cached snapshot (issue 16: opening a
100,000-photo portfolio in under 200 ms): what opens is always what was saved."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from portfolio_tui.curation import Change, PhotoCuration, Snapshot
from portfolio_tui.store import sqlite_cache
from portfolio_tui.store.sharded import Lazy
from portfolio_tui.store.sqlite_curation import DB_NAME, SqliteCurationStore

ODD = "g/" + os.fsdecode(b"caf\xe9 \xff\xfe.jpg")
"""A photo whose name is not UTF-8."""
SRC = str(Path(__file__).resolve().parents[2] / "src")


def store(root: Path, who: str = "anna", read_only: bool = False) -> SqliteCurationStore:
    s = SqliteCurationStore(root, author=who, read_only=read_only)
    s.load()
    return s


def sql(root: Path, statement: str, *args: object) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(root / DB_NAME)) as conn:
        got = conn.execute(statement, args).fetchall()
        conn.commit()
        return got


def cached_id(root: Path) -> int | None:
    got = sql(root, "SELECT last_id FROM snapshot_cache")
    return None if not got else int(got[0][0])  # type: ignore[call-overload]


def full_read(root: Path, elsewhere: Path) -> Snapshot:
    """The store read from its field rows: a copy with no cache, opened read-only."""
    with (
        contextlib.closing(sqlite3.connect(root / DB_NAME)) as source,
        contextlib.closing(sqlite3.connect(elsewhere / DB_NAME)) as copy,
    ):
        source.backup(copy)
        copy.execute("DROP TABLE snapshot_cache")
        copy.commit()
    return store(elsewhere, "viewer", read_only=True).snapshot


@pytest.fixture(autouse=True)
def cache_at_every_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """A close writes the cache from 1,000 new rows on; here from the first."""
    monkeypatch.setattr(sqlite_cache, "CACHE_AFTER", 0)


@pytest.fixture
def no_full_read(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it: from then on an open must come from the cache (and the rows after it)."""

    def refuse(*_: object) -> None:
        raise AssertionError("the field rows were read: the cache was not used")

    return lambda: monkeypatch.setattr(SqliteCurationStore, "_read_all", refuse)


def curate(root: Path) -> dict[str, PhotoCuration]:
    """A store with every kind of value, closed (its cache written); what it holds."""
    s = store(root)
    s.apply(
        [
            Change.rating("g/a.jpg", 5),
            Change.flag("g/a.jpg", "pick"),
            Change.label("g/a.jpg", "red"),
            Change.tags("g/a.jpg", ["bride", "Zoë"]),
            Change.notes("g/a.jpg", "two lines\nand a tab\there, \u2028 too"),
            Change.rating("g/b.jpg", 3),
            Change.rating("g/c.jpg", 1),
            Change.rating(ODD, 4),
            Change.notes(ODD, "odd"),
            Change.order("g", ["b.jpg", "a.jpg"]),
            Change.cover("g", "a.jpg"),
        ]
    )
    s.apply([Change.rating("g/c.jpg", 0), Change.tags("g/b.jpg", ["x"])])  # c is cleared
    expected = dict(s.snapshot.photos.items())
    s.close()
    return expected


def test_an_open_through_the_cache_shows_everything_a_full_read_shows(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, no_full_read: Callable[[], None]
) -> None:
    expected = curate(tmp_path)
    full = full_read(tmp_path, tmp_path_factory.mktemp("full"))
    assert cached_id(tmp_path) == sql(tmp_path, "SELECT max(id) FROM history")[0][0]
    no_full_read()
    cached = store(tmp_path).snapshot
    assert dict(cached.photos.items()) == expected == dict(full.photos.items())
    assert cached == full
    assert cached.photo(ODD).notes == "odd" and "g/c.jpg" not in cached.photos
    assert cached.order == {"g": ("b.jpg", "a.jpg")} and cached.covers == {"g": "a.jpg"}
    assert store(tmp_path, "viewer", read_only=True).snapshot == full


def test_another_writers_change_after_the_cache_is_there_on_open(
    tmp_path: Path, no_full_read: Callable[[], None]
) -> None:
    curate(tmp_path)
    no_full_read()
    before = cached_id(tmp_path)
    ben = store(tmp_path, "ben")
    ben.apply([Change.rating("g/a.jpg", 1), Change.cover("g", None)])  # ben stays open
    assert cached_id(tmp_path) == before
    opened = store(tmp_path, "carl").snapshot
    assert opened.photo("g/a.jpg").rating == 1 and opened.photo("g/a.jpg").flag == "pick"
    assert opened.photo("g/a.jpg").updated_by == "ben" and "g" not in opened.covers
    viewer = store(tmp_path, "viewer", read_only=True).snapshot
    assert viewer.photo("g/a.jpg").rating == 1


def test_a_curator_closing_with_an_old_snapshot_never_hides_a_newer_change(
    tmp_path: Path, no_full_read: Callable[[], None]
) -> None:
    curate(tmp_path)
    anna = store(tmp_path, "anna")  # read before ben's change, never refreshed
    store(tmp_path, "ben").apply([Change.rating("g/b.jpg", 5)])  # ben never closes
    anna.close()
    no_full_read()
    assert store(tmp_path, "carl").snapshot.photo("g/b.jpg").rating == 5


KILLED = """
import os, signal, sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from portfolio_tui.curation import Change
from portfolio_tui.store import sqlite_cache
from portfolio_tui.store.sharded import Lazy
from portfolio_tui.store.sqlite_curation import SqliteCurationStore

sqlite_cache.CACHE_AFTER = 0
store = SqliteCurationStore(Path(sys.argv[1]), author="ben")
store.load()
store.apply([Change.rating("g/a.jpg", 2), Change.tags("g/new.jpg", ["late"])])
print("saved", flush=True)
if sys.argv[3] == "before the cache":
    os.kill(os.getpid(), signal.SIGKILL)


class KilledAtCommit:
    # The cache's transaction has written its row when the kill comes.
    def __init__(self, conn):
        self.conn = conn

    def execute(self, statement, *args):
        if statement == "COMMIT":
            os.kill(os.getpid(), signal.SIGKILL)
        return self.conn.execute(statement, *args)

    def close(self):
        self.conn.close()


store._conn = KilledAtCommit(store._conn)
store.close()
"""


@pytest.mark.parametrize("when", ["before the cache", "while writing the cache"])
def test_a_kill_9_between_a_change_and_the_cache_loses_nothing(
    tmp_path: Path, no_full_read: Callable[[], None], when: str
) -> None:
    curate(tmp_path)
    no_full_read()
    before = cached_id(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", KILLED, str(tmp_path), SRC, when],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -9 and done.stdout == "saved\n", done.stderr
    assert cached_id(tmp_path) == before
    assert sql(tmp_path, "PRAGMA integrity_check") == [("ok",)]
    opened = store(tmp_path, "carl").snapshot
    assert opened.photo("g/a.jpg").rating == 2 and opened.photo("g/new.jpg").tags == ("late",)
    assert opened.photo("g/a.jpg").flag == "pick"  # the rest, from the cache


SHORT = 'portfolio-tui snapshot 1\n{"order": {}, "covers": {}, "escaped": false}\ng/a.jpg'


@pytest.mark.parametrize(
    ("damage", "args"),
    [
        (
            "UPDATE snapshot_cache SET body = CAST("
            "substr(body, 1, length(body) / 2) || x'00ff' || substr(body, length(body) / 2 + 3)"
            " AS BLOB)",
            (),
        ),
        ("UPDATE snapshot_cache SET last_id = last_id + 5", ()),
        ("UPDATE snapshot_cache SET body = CAST(x'ff00' AS TEXT)", ()),
        ("UPDATE snapshot_cache SET body = ?", (zlib.compress(b"\xff\x00"),)),
        ("UPDATE snapshot_cache SET body = ?", (zlib.compress(SHORT.encode()),)),
    ],
    ids=["bytes changed", "claims a later id", "text", "not utf-8", "cut short"],
)
def test_a_damaged_or_impossible_cache_is_passed_over_for_the_field_rows(
    tmp_path: Path, damage: str, args: tuple[object, ...]
) -> None:
    expected = curate(tmp_path)
    sql(tmp_path, damage, *args)
    store(tmp_path, "ben").apply([Change.flag("g/c.jpg", "reject")])
    opened = store(tmp_path, "carl")
    assert opened.snapshot.photo("g/c.jpg").flag == "reject"
    assert opened.snapshot.photo("g/a.jpg") == expected["g/a.jpg"]
    assert len(opened.snapshot.photos) == len(expected) + 1
    assert not opened.read_only and not opened.snapshot.problems


def test_a_lazy_mapping_decodes_once_and_its_versions_stay_apart() -> None:
    decoded: list[str] = []

    def decode(raw: str) -> PhotoCuration:
        decoded.append(raw)
        return PhotoCuration(rating=int(raw))

    old: Lazy[PhotoCuration] = Lazy({f"p{i}": str(i % 6) for i in range(1000)}, decode)
    assert old["p7"].rating == 1 and old.get("p7") == PhotoCuration(rating=1)
    assert old.get("missing", "9") == "9" and decoded == ["1"]  # only p7 so far
    new = old.updated({"p7": PhotoCuration(rating=5), "p8": None})
    assert isinstance(new, Lazy) and len(new) == 999 and "p8" not in new
    assert old["p7"].rating == 1 and old["p8"].rating == 2 and new["p9"].rating == 3
    assert sorted(p.rating for p in new.values()).count(5) == 1 + 166
    assert dict(new.items()) == new.copy()
    seen = len(decoded)
    assert list(new.values()) == list(new.values()) and len(decoded) == seen  # once each
