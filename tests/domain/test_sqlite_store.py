"""The SQLite curation store (issue 16): merging, history, migration, read-only, faults."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from portfolio_tui.curation import (
    FILE_NAME,
    HISTORY_NAME,
    Change,
    CurationError,
    CurationStore,
    InvalidChange,
    ReadOnlyError,
    history,
)
from portfolio_tui.store.sqlite_curation import DB_NAME, SqliteCurationStore

ODD = "g/" + os.fsdecode(b"caf\xe9 \xff\xfe.jpg")
"""A photo whose name is not UTF-8 (Latin-1 e-acute and two bytes no encoding makes)."""
ODD_NAME = ODD.split("/", 1)[1]
SRC = str(Path(__file__).resolve().parents[2] / "src")


def store(root: Path, who: str = "anna") -> SqliteCurationStore:
    s = SqliteCurationStore(root, author=who)
    s.load()
    return s


def rows(root: Path, sql: str) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(root / DB_NAME)) as conn:
        return conn.execute(sql).fetchall()


# -- merging -----------------------------------------------------------------------


def test_two_curators_changing_different_fields_of_one_photo_both_win(tmp_path: Path) -> None:
    anna, ben = store(tmp_path, "anna"), store(tmp_path, "ben")
    anna.apply([Change.rating("g/a.jpg", 4)])
    merged = ben.apply([Change.flag("g/a.jpg", "pick")])  # ben never refreshed
    assert merged.photo("g/a.jpg").rating == 4 and merged.photo("g/a.jpg").flag == "pick"
    assert merged.photo("g/a.jpg").updated_by == "ben"
    again = store(tmp_path, "carl").snapshot.photo("g/a.jpg")
    assert (again.rating, again.flag, again.updated_by) == (4, "pick", "ben")


def test_the_last_writer_wins_on_the_same_field(tmp_path: Path) -> None:
    anna, ben = store(tmp_path, "anna"), store(tmp_path, "ben")
    anna.apply([Change.rating("g/a.jpg", 2), Change.order("g", ["b.jpg", "a.jpg"])])
    ben.apply([Change.rating("g/a.jpg", 5), Change.order("g", ["a.jpg", "b.jpg"])])
    anna.refresh()
    assert anna.snapshot.photo("g/a.jpg").rating == 5
    assert anna.snapshot.order["g"] == ("a.jpg", "b.jpg")
    assert store(tmp_path).snapshot == anna.snapshot


def test_another_curators_change_arrives_by_refresh_without_rereading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna, ben = store(tmp_path, "anna"), store(tmp_path, "ben")
    ben.apply([Change.rating("g/b.jpg", 1)])  # the first save makes the database
    assert [r.change for r in anna.refresh()] == [Change("g/b.jpg", "rating", 1)]
    before = anna.snapshot
    assert anna.refresh() == [] and not anna.changed()

    def no_full_read(*_: object) -> None:
        raise AssertionError("the whole store was read again")

    monkeypatch.setattr(SqliteCurationStore, "_read_all", no_full_read)
    ben.apply([Change.tags("g/a.jpg", ["smile"]), Change.cover("g", "a.jpg")])
    assert anna.changed()
    got = anna.refresh()
    assert [(r.entry.by, r.change) for r in got] == [
        ("ben", Change("g/a.jpg", "tags", ["smile"])),
        ("ben", Change(None, "cover:g", "a.jpg")),
    ]
    assert anna.snapshot.photo("g/a.jpg").tags == ("smile",)
    assert anna.snapshot.covers == {"g": "a.jpg"}
    assert before.photo("g/a.jpg").tags == ()  # an older snapshot stays as it was
    assert anna.refresh() == [] and not anna.changed()
    # Ben's next change reaches Anna through her own save too, and refresh reports it once.
    ben.apply([Change.label("g/b.jpg", "red")])
    anna.apply([Change.notes("g/c.jpg", "mine")])
    assert anna.snapshot.photo("g/b.jpg").label == "red"
    assert [r.entry.photo for r in anna.refresh()] == ["g/b.jpg"]
    assert anna.last_id == 5  # the first save, then four


def test_clearing_every_field_removes_the_photo_and_keeps_who_cleared(tmp_path: Path) -> None:
    anna, ben = store(tmp_path, "anna"), store(tmp_path, "ben")
    anna.apply([Change.rating("a.jpg", 3), Change.label("a.jpg", "blue")])
    ben.apply([Change.rating("a.jpg", 0)])
    assert ben.snapshot.photo("a.jpg").updated_by == "ben"
    assert store(tmp_path).snapshot.photo("a.jpg").updated_by == "ben"
    ben.apply([Change.label("a.jpg", None)])
    assert "a.jpg" not in ben.snapshot.photos
    assert "a.jpg" not in store(tmp_path).snapshot.photos
    anna.refresh()
    assert "a.jpg" not in anna.snapshot.photos


def test_every_change_has_its_history_row_with_what_it_replaced(tmp_path: Path) -> None:
    anna = store(tmp_path, "anna")
    anna.apply([Change.rating("a.jpg", 3)])
    anna.apply([Change.rating("a.jpg", 5), Change.rating("a.jpg", 1), Change.cover("g", "a.jpg")])
    got = [(e.by, e.photo, e.gallery, e.field, e.before, e.after) for e in anna.history().entries]
    assert got == [
        ("anna", "a.jpg", None, "rating", None, 3),
        ("anna", "a.jpg", None, "rating", 3, 5),
        ("anna", "a.jpg", None, "rating", 5, 1),
        ("anna", None, "g", "cover", None, "a.jpg"),
    ]
    assert [e.after for e in anna.history("a.jpg").entries] == [3, 5, 1]
    assert anna.snapshot.photo("a.jpg").rating == 1


def test_a_bad_value_writes_nothing_and_a_batch_is_all_or_nothing(tmp_path: Path) -> None:
    anna = store(tmp_path)
    anna.apply([Change.rating("a.jpg", 3)])
    with pytest.raises(InvalidChange):
        anna.apply([Change.rating("b.jpg", 4), Change.rating("a.jpg", 9)])
    assert rows(tmp_path, "SELECT count(*) FROM history") == [(1,)]
    assert "b.jpg" not in store(tmp_path).snapshot.photos


def test_names_that_are_not_utf8_are_kept_exactly(tmp_path: Path) -> None:
    anna = store(tmp_path)
    anna.apply(
        [
            Change.rating(ODD, 4),
            Change.order("g", [ODD_NAME, "b.jpg"]),
            Change.cover("g", ODD_NAME),
        ]
    )
    again = store(tmp_path)
    assert again.snapshot.photo(ODD).rating == 4
    assert again.snapshot.order["g"] == (ODD_NAME, "b.jpg")
    assert again.snapshot.covers["g"] == ODD_NAME
    assert [e.photo for e in again.history(ODD).entries] == [ODD]


# -- migration -----------------------------------------------------------------------


def old_portfolio(root: Path) -> None:
    """A store made by the TOML CurationStore, with every kind of field and problems."""
    old = CurationStore(root, author="tom@old")
    old.apply(
        [
            Change.rating("g/a.jpg", 5),
            Change.flag("g/a.jpg", "pick"),
            Change.label("g/a.jpg", "green"),
            Change.tags("g/a.jpg", ["window light", "smile"]),
            Change.notes("g/a.jpg", "Best of the set.\nRetouch the hair."),
            Change.flag("g/b.jpg", "reject"),
            Change.rating(ODD, 2),
            Change.order("g", ["b.jpg", ODD_NAME, "a.jpg"]),
            Change.cover("g", ODD_NAME),
            Change.order("h", ["x.jpg"]),
        ]
    )
    CurationStore(root, author="maria@studio").apply(
        [Change.rating("g/b.jpg", 3), Change.rating("g/a.jpg", 4)]
    )
    with open(root / FILE_NAME, "a", encoding="utf-8") as f:
        f.write(
            '\n[photos."g/bad.jpg"]\nrating = 9\nflag = "maybe"\nplugin_score = 0.5\n'
            '\n[photos."g/c.jpg"]\nlabel = "blue"\ntags = ["x", "X", "  y  "]\n'
            'updated_by = "ann"\nupdated_at = 2025-03-14T09:26:53Z\n'
            '\n[plugin]\nsetting = "kept"\n'
        )


def test_a_portfolio_curated_before_opens_with_everything_intact(tmp_path: Path) -> None:
    old_portfolio(tmp_path)
    before = CurationStore(tmp_path).load()
    past = history(tmp_path).entries
    assert len(before.problems) == 2 and len(past) == 12
    new = SqliteCurationStore(tmp_path, author="anna")
    snap = new.load()
    assert dict(snap.photos) == dict(before.photos)
    assert snap.photo("g/a.jpg").rating == 4 and snap.photo("g/c.jpg").tags == ("x", "y")
    assert dict(snap.order) == dict(before.order) and dict(snap.covers) == dict(before.covers)
    assert sorted(p.message.split(": ", 1)[1] for p in snap.problems) == sorted(
        p.message for p in before.problems
    )
    assert all(DB_NAME in str(p) for p in snap.problems)
    assert new.history().entries == past
    # Renamed so nobody edits a stale copy; the bytes are kept.
    assert not (tmp_path / FILE_NAME).exists() and not (tmp_path / HISTORY_NAME).exists()
    assert (tmp_path / (FILE_NAME + ".imported")).is_file()
    assert (tmp_path / (HISTORY_NAME + ".imported")).is_file()
    # Imported once: a second curator's open imports nothing again.
    assert store(tmp_path, "ben").history().entries == past
    # A value kept as a problem stays until someone sets that field.
    assert rows(tmp_path, "SELECT value FROM photo_fields WHERE photo = 'g/bad.jpg'") == [
        ('"maybe"',),
        ("0.5",),
        ("9",),
    ]
    new.apply([Change.rating("g/bad.jpg", 2), Change.flag("g/bad.jpg", None)])
    assert new.snapshot.problems == ()
    assert store(tmp_path).snapshot.problems == ()
    assert new.snapshot.photo("g/bad.jpg").rating == 2
    assert new.history().entries[: len(past)] == past


def test_a_reader_never_migrates_and_follows_once_a_curator_has(tmp_path: Path) -> None:
    old_portfolio(tmp_path)
    viewer = SqliteCurationStore(tmp_path, read_only=True, reason="viewer")
    snap = viewer.load()
    assert snap.photo("g/a.jpg").rating == 4 and viewer.read_only_reason == "viewer"
    assert not (tmp_path / DB_NAME).exists() and (tmp_path / FILE_NAME).exists()
    with pytest.raises(ReadOnlyError):
        viewer.apply([Change.rating("g/a.jpg", 1)])
    assert viewer.refresh() == []
    store(tmp_path, "anna").apply([Change.rating("g/a.jpg", 1)])
    got = viewer.refresh()
    assert [(r.change, r.entry.by) for r in got] == [(Change("g/a.jpg", "rating", 1), "anna")]
    assert viewer.snapshot.photo("g/a.jpg").rating == 1
    store(tmp_path, "ben").apply([Change.flag("g/a.jpg", "reject")])
    assert [r.id for r in viewer.refresh()] == [14]


def test_a_migration_killed_before_the_rename_is_finished_by_the_next_curator(
    tmp_path: Path,
) -> None:
    old_portfolio(tmp_path)
    store(tmp_path).close()
    # As if killed between the commit and the rename: the imported file is still there.
    shutil.copy(tmp_path / (FILE_NAME + ".imported"), tmp_path / FILE_NAME)
    s = store(tmp_path)
    assert not (tmp_path / FILE_NAME).exists()
    assert (tmp_path / (FILE_NAME + ".imported.2")).exists()
    assert len(s.history().entries) == 12
    # A different curation.toml (someone's restored copy) is not the one imported: left.
    (tmp_path / FILE_NAME).write_text("format = 1\n")
    store(tmp_path).close()
    assert (tmp_path / FILE_NAME).exists()


def test_a_damaged_curation_toml_is_not_imported_and_nothing_is_created(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("[photos\n")
    s = SqliteCurationStore(tmp_path)
    with pytest.raises(CurationError, match="not valid TOML"):
        s.load()
    assert not (tmp_path / DB_NAME).exists() and s.read_only
    assert (tmp_path / FILE_NAME).read_text() == "[photos\n"


# -- read-only, damaged, foreign, newer, links -----------------------------------------


def test_read_only_writes_nothing(tmp_path: Path) -> None:
    store(tmp_path).apply([Change.rating("a.jpg", 3)])
    data = (tmp_path / DB_NAME).read_bytes()
    viewer = SqliteCurationStore(tmp_path, read_only=True)
    assert viewer.load().photo("a.jpg").rating == 3
    with pytest.raises(ReadOnlyError, match="opened read-only"):
        viewer.apply([Change.rating("a.jpg", 5)])
    viewer.close()
    assert (tmp_path / DB_NAME).read_bytes() == data


@pytest.mark.parametrize("what", ["garbage", "truncated", "foreign"])
def test_a_damaged_or_foreign_file_is_named_and_never_overwritten(
    tmp_path: Path, what: str
) -> None:
    path = tmp_path / DB_NAME
    if what == "garbage":
        path.write_bytes(b"my holiday notes, not a database\n" * 200)
    elif what == "truncated":
        s = store(tmp_path)
        s.apply([Change.notes(f"p{i}.jpg", "x" * 3000) for i in range(40)])
        s.close()
        path.write_bytes(path.read_bytes()[:9000])
    else:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("CREATE TABLE songs (title TEXT)")
            conn.commit()
    data = path.read_bytes()
    s = SqliteCurationStore(tmp_path)
    with pytest.raises(CurationError) as raised:
        s.load()
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "Traceback" not in message
    assert ("not a curation database" if what == "foreign" else "damaged") in message
    assert s.read_only and str(path) in (s.read_only_reason or "")
    with pytest.raises(ReadOnlyError):
        s.apply([Change.rating("a.jpg", 1)])
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(DB_NAME)) == [DB_NAME]
    # Moved away: the next load works and saving works again.
    path.rename(tmp_path / "moved")
    s.load()
    s.apply([Change.rating("a.jpg", 1)])


def test_a_newer_schema_is_read_only_and_says_which_version_to_run(tmp_path: Path) -> None:
    store(tmp_path).apply([Change.rating("a.jpg", 3)])
    with contextlib.closing(sqlite3.connect(tmp_path / DB_NAME)) as conn:
        conn.execute("PRAGMA user_version = 2")
        conn.execute("UPDATE meta SET value = '0.9.0' WHERE key = 'written_by'")
        conn.commit()
    s = SqliteCurationStore(tmp_path)
    assert s.load().photo("a.jpg").rating == 3
    reason = s.read_only_reason or ""
    assert "schema version 2" in reason and "run portfolio-tui 0.9.0 or newer" in reason
    with pytest.raises(ReadOnlyError, match="schema version 2"):
        s.apply([Change.rating("a.jpg", 5)])
    assert rows(tmp_path, "SELECT count(*) FROM history") == [(1,)]


def test_a_newer_app_upgrading_while_this_one_runs_stops_its_saves(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.apply([Change.rating("a.jpg", 3)])
    with contextlib.closing(sqlite3.connect(tmp_path / DB_NAME)) as conn:
        conn.execute("PRAGMA user_version = 2")
        conn.commit()
    with pytest.raises(ReadOnlyError, match="schema version 2"):
        s.apply([Change.rating("a.jpg", 5)])
    assert rows(tmp_path, "SELECT count(*) FROM history") == [(1,)]


@pytest.mark.parametrize("name", [DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"])
def test_a_database_file_planted_as_a_link_is_never_used(tmp_path: Path, name: str) -> None:
    root, outside = tmp_path / "p", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    store(outside).apply([Change.notes("secret.jpg", "another portfolio's note")])
    target = outside / "target"
    target.write_bytes((outside / DB_NAME).read_bytes())
    data = target.read_bytes()
    if name != DB_NAME:
        made = store(root)
        made.apply([Change.rating("a.jpg", 1)])
        made.close()
    (root / name).symlink_to(target)
    s = SqliteCurationStore(root)
    with contextlib.suppress(CurationError):
        s.load()
    assert "symbolic link" in (s.read_only_reason or "")
    assert "secret.jpg" not in s.snapshot.photos
    with pytest.raises(ReadOnlyError, match="symbolic link"):
        s.apply([Change.rating("a.jpg", 5)])
    assert target.read_bytes() == data


def test_a_link_planted_while_the_app_runs_stops_the_next_save(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.apply([Change.rating("a.jpg", 1)])
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    outside.write_text("profile")
    shm = tmp_path / (DB_NAME + "-shm")
    shm.unlink()
    shm.symlink_to(outside)
    with pytest.raises(ReadOnlyError, match="symbolic link"):
        s.apply([Change.rating("a.jpg", 5)])
    assert outside.read_text() == "profile"


# -- read-only folders -------------------------------------------------------------------

READER = """
import sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
s = SqliteCurationStore(Path(sys.argv[1]))
snap = s.load()
print(snap.photo("a.jpg").rating, s.read_only, flush=True)
if len(sys.argv) > 3:
    sys.stdin.readline()
    print([r.change.value for r in s.refresh()], s.snapshot.photo("a.jpg").rating, flush=True)
"""


def as_nobody(
    *args: str, stdin: int | None = None, tmp: Path | None = None
) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp)} if tmp else None
    return subprocess.Popen(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, *args],
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


needs_root_and_setpriv = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="runs a reader as another account (needs root and setpriv)",
)


@pytest.fixture
def shared_root() -> Iterator[Path]:
    """A folder every account can read and only root can write (pytest's own are private)."""
    folder = Path(tempfile.mkdtemp(prefix="sqlite-store-"))
    os.chmod(folder, 0o755)
    (folder / "p").mkdir(mode=0o755)
    yield folder / "p"
    shutil.rmtree(folder)


@needs_root_and_setpriv
def test_an_account_that_cannot_write_the_folder_reads_and_follows_live(shared_root: Path) -> None:
    root = shared_root
    probe = as_nobody("-c", "pass")
    if probe.wait(timeout=60) != 0:
        pytest.skip("this Python cannot run as another account (its files are private)")
    s = store(root)
    s.apply([Change.rating("a.jpg", 3)])
    s.close()  # no writer: no -wal, no -shm, and the reader cannot make them
    assert not (root / (DB_NAME + "-shm")).exists()
    reader_tmp = root.parent / "tmp"
    reader_tmp.mkdir()
    os.chmod(reader_tmp, 0o777)
    reader = as_nobody("-c", READER, str(root), SRC, "wait", stdin=subprocess.PIPE, tmp=reader_tmp)
    assert reader.stdout is not None and reader.stdin is not None
    assert reader.stdout.readline().split() == ["3", "True"]
    writer = store(root, "anna")  # a curator opens it: -wal and -shm now exist
    writer.apply([Change.rating("a.jpg", 5)])
    out, _ = reader.communicate("\n", timeout=60)
    assert out.strip() == "[5] 5", out
    assert list(reader_tmp.iterdir()) == []  # the private copy it read went with it
    # Nothing was migrated here, so the creation lock went with the creation.
    assert sorted(p.name for p in root.iterdir()) == [DB_NAME, DB_NAME + "-shm", DB_NAME + "-wal"]


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "4m") -> Iterator[Path]:
    folder.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root in a machine that allows it)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


@pytest.mark.parametrize("left", ["closed cleanly", "writer killed", "wal without shm"])
def test_a_folder_read_only_for_everyone_still_opens(tmp_path: Path, left: str) -> None:
    with tmpfs(tmp_path / "dvd") as root:
        code = (
            "import os, sys\nsys.path.insert(0, sys.argv[2])\nfrom pathlib import Path\n"
            "from portfolio_tui.curation import Change\n"
            "from portfolio_tui.store.sqlite_curation import SqliteCurationStore\n"
            "s = SqliteCurationStore(Path(sys.argv[1]))\ns.load()\n"
            "s.apply([Change.rating('a.jpg', 4)])\n"
            "if sys.argv[3] == 'closed cleanly': s.close()\nelse: os._exit(0)\n"
        )
        subprocess.run([sys.executable, "-c", code, str(root), SRC, left], check=True)
        if left == "wal without shm":
            (root / (DB_NAME + "-shm")).unlink()
        names = sorted(p.name for p in root.iterdir())
        remount_read_only(root)
        s = SqliteCurationStore(root)
        assert s.load().photo("a.jpg").rating == 4
        assert s.read_only and s.refresh() == []
        with pytest.raises(ReadOnlyError):
            s.apply([Change.rating("a.jpg", 1)])
        s.close()
        assert sorted(p.name for p in root.iterdir()) == names


# -- faults --------------------------------------------------------------------------------


def test_a_full_database_says_not_saved_keeps_everything_and_a_retry_saves(
    tmp_path: Path,
) -> None:
    # SQLite's own SQLITE_FULL, through the real write path: the connection may not grow
    # the file past its present size.
    s = store(tmp_path)
    s.apply([Change.rating("a.jpg", 3)])
    assert s._conn is not None
    pages = s._conn.execute("PRAGMA page_count").fetchone()[0]
    s._conn.execute(f"PRAGMA max_page_count = {pages}")
    batch = [Change.notes(f"p{i}.jpg", "x" * 3000) for i in range(50)]
    with pytest.raises(CurationError) as raised:
        s.apply(batch)
    assert str(raised.value) == f"{tmp_path / DB_NAME}: not saved: database or disk is full"
    assert not s.read_only
    assert rows(tmp_path, "SELECT count(*) FROM history") == [(1,)]
    assert "p0.jpg" not in s.snapshot.photos and s.snapshot.photo("a.jpg").rating == 3
    s._conn.execute("PRAGMA max_page_count = 1073741823")
    s.apply(batch)
    assert len(store(tmp_path).snapshot.photos) == 51


def test_a_full_disk_says_not_saved_and_a_retry_saves(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "400k") as root:
        s = store(root)
        s.apply([Change.rating("a.jpg", 3)])
        filler = root / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        failed = 0
        for i in range(20):
            try:
                s.apply([Change.notes(f"p{i}.jpg", "x" * 8000)])
            except CurationError as exc:
                assert str(exc).startswith(f"{root / DB_NAME}: not saved: "), exc
                failed += 1
                break
        assert failed, "the disk never filled"
        saved = set(s.snapshot.photos)
        filler.unlink()
        s.apply([Change.rating("b.jpg", 2)])
        again = store(root)
        assert set(again.snapshot.photos) == saved | {"b.jpg"}
        assert rows(root, "SELECT count(*) FROM history") == [(len(saved) + 1,)]
        s.close()
        again.close()
        assert rows(root, "PRAGMA integrity_check") == [("ok",)]


# -- the snapshot's photos mapping ---------------------------------------------------------


def test_a_new_version_of_the_photos_mapping_leaves_the_old_one_as_it_was() -> None:
    import random

    from portfolio_tui.store.sharded import Sharded

    rng = random.Random(7)
    model: dict[str, int] = {f"p{i}.jpg": i for i in range(3000)}
    current = Sharded(model)
    versions = [(current, dict(model))]
    for _ in range(200):
        changes: dict[str, int | None] = {}
        for _ in range(rng.randint(1, 5)):
            key = f"p{rng.randrange(3500)}.jpg"
            changes[key] = None if rng.random() < 0.3 else rng.randrange(10)
        current = current.updated(changes)
        for key, value in changes.items():
            if value is None:
                model.pop(key, None)
            else:
                model[key] = value
        versions.append((current, dict(model)))
    for mapping, expected in versions[::20] + versions[-1:]:
        assert len(mapping) == len(expected) and mapping.copy() == expected
        assert dict(mapping.items()) == expected and sorted(mapping) == sorted(expected)
        assert sorted(mapping.values()) == sorted(expected.values())
        assert all(mapping.get(k) == expected.get(k) for k in ("p1.jpg", "p3400.jpg", "x"))
        assert ("p1.jpg" in mapping) == ("p1.jpg" in expected) and 5 not in mapping
