"""Client picks in curation.sqlite: the same behaviour as picks.toml, a one-time import of
an existing picks.toml, nothing written by looking, and the curation store unaffected."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import can_chmod
from portfolio_tui.curation import Change
from portfolio_tui.picks import PICKS_NAME, ClientPicks, PicksError, PicksStore
from portfolio_tui.store import sqlite_picks
from portfolio_tui.store.sqlite_curation import DB_NAME, SqliteCurationStore
from portfolio_tui.store.sqlite_picks import SqlitePicksStore

CLIENTS = {
    "Anna Smith": ["studio/b.jpg", "studio/a.jpg", "outdoor/c.jpg"],
    "ben": ["studio/a.jpg"],
    'Zoë "The Boss" 山田': ["studio/new\nline.jpg", "studio/back\\slash.jpg", "caf\udce9.jpg"],
}


def names(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


def picks_in_db(root: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(root / DB_NAME) as conn:
        return sorted(conn.execute("SELECT client, photo FROM picks"))


def test_picks_survive_a_reload_in_the_order_marked(tmp_path: Path) -> None:
    store = SqlitePicksStore(tmp_path, author="maria")
    for client, photos in CLIENTS.items():
        after = store.apply(client, add=photos[:2])
        after = store.apply(client, add=photos[2:])
        assert after.photos() == tuple(photos)
    again = SqlitePicksStore(tmp_path)
    for client, photos in CLIENTS.items():
        got = again.load(f"  {client} ")
        assert got.photos() == tuple(photos)
        assert all(p.by == "maria" and p.at.endswith("Z") for p in got.picks)
    assert again.clients() == ["Anna Smith", "ben", 'Zoë "The Boss" 山田']
    assert list(again.load_all()) == again.clients()
    assert store.path == tmp_path / DB_NAME and again.root == tmp_path
    assert PICKS_NAME not in names(tmp_path)  # no TOML file any more


def test_two_stores_see_and_merge_each_others_picks(tmp_path: Path) -> None:
    maria = SqlitePicksStore(tmp_path, author="maria")
    tom = SqlitePicksStore(tmp_path, author="tom")
    maria.apply("Anna", add=["a.jpg", "b.jpg"])
    assert tom.load("Anna").photos() == ("a.jpg", "b.jpg")
    after = tom.apply("Anna", add=["c.jpg"], remove=["a.jpg"])
    assert after.photos() == ("b.jpg", "c.jpg")
    assert [p.by for p in after.picks] == ["maria", "tom"]
    tom.apply("Ben", add=["a.jpg"])
    assert maria.apply("Anna", add=["d.jpg"]).photos() == ("b.jpg", "c.jpg", "d.jpg")
    assert maria.clients() == ["Anna", "Ben"]


def test_adding_a_picked_photo_keeps_its_first_time_and_remove_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_picks, "_now", lambda: "2026-01-01T10:00:00Z")
    first = SqlitePicksStore(tmp_path, author="maria").apply("Anna", add=["a.jpg"])
    monkeypatch.setattr(sqlite_picks, "_now", lambda: "2026-06-01T10:00:00Z")
    again = SqlitePicksStore(tmp_path, author="tom").apply("Anna", add=["a.jpg", "b.jpg"])
    assert again.picks[0] == first.picks[0]  # same time, same author
    assert again.picks[0].at == "2026-01-01T10:00:00Z" and again.picks[0].by == "maria"
    assert again.picks[1].at == "2026-06-01T10:00:00Z" and again.picks[1].by == "tom"
    store = SqlitePicksStore(tmp_path)
    assert store.apply("Anna", remove=["a.jpg", "zzz.jpg"]).photos() == ("b.jpg",)
    assert store.apply("Anna", add=["c.jpg"], remove=["c.jpg"]).photos() == ("b.jpg",)
    assert store.apply("Anna", remove=["b.jpg"]) == ClientPicks("Anna", ())
    assert SqlitePicksStore(tmp_path).clients() == []  # a client with no picks is gone
    assert picks_in_db(tmp_path) == []


def test_nothing_is_written_when_nothing_changes(tmp_path: Path) -> None:
    store = SqlitePicksStore(tmp_path, author="maria")
    assert store.load("Anna") == ClientPicks("Anna", ())
    assert store.clients() == []
    assert store.apply("Anna") == ClientPicks("Anna", ())
    assert store.apply("Anna", remove=["a.jpg"]) == ClientPicks("Anna", ())
    assert store.apply("Anna", add=["a.jpg"], remove=["a.jpg"]) == ClientPicks("Anna", ())
    assert names(tmp_path) == []  # no database made by looking or by an empty save
    store.apply("Anna", add=["a.jpg"])
    store.apply("Ben", add=["b.jpg"])
    with sqlite3.connect(tmp_path / DB_NAME) as watcher:
        version = watcher.execute("PRAGMA data_version").fetchone()[0]
        store.apply("Anna", add=["a.jpg"], remove=["zzz.jpg"])
        store.load_all()
        # data_version moves when another connection commits: nobody did.
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == version
        store.apply("Anna", add=["c.jpg"])
        assert watcher.execute("PRAGMA data_version").fetchone()[0] != version


def make_toml(root: Path) -> dict[str, ClientPicks]:
    old = PicksStore(root, author="old app")
    for client, photos in CLIENTS.items():
        old.apply(client, add=photos)
    return old.load_all()


def test_picks_toml_is_imported_once_by_the_first_save(tmp_path: Path) -> None:
    before = make_toml(tmp_path)
    toml_bytes = (tmp_path / PICKS_NAME).read_bytes()
    store = SqlitePicksStore(tmp_path, author="maria")
    assert store.load_all() == before  # read through the TOML store: nothing written
    assert names(tmp_path) == ["picks.toml", "picks.toml.lock"]

    after = store.apply("ben", add=["new.jpg"])
    assert after.photos() == ("studio/a.jpg", "new.jpg")
    assert after.picks[0] == before["ben"].picks[0]  # time and author kept
    got = SqlitePicksStore(tmp_path).load_all()
    assert {c: got[c] for c in ("Anna Smith", 'Zoë "The Boss" 山田')} == {
        c: before[c] for c in ("Anna Smith", 'Zoë "The Boss" 山田')
    }
    assert PICKS_NAME not in names(tmp_path)
    assert (tmp_path / "picks.toml.imported").read_bytes() == toml_bytes
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        marker = conn.execute(
            "SELECT value FROM meta WHERE key = 'imported_sha256 picks.toml'"
        ).fetchone()
    assert marker is not None

    # Imported once: a removed pick does not come back, not even when the very file is
    # put back (as after a kill between the commit and the rename): it is renamed again.
    store.apply("Anna Smith", remove=["studio/b.jpg"])
    shutil.copy(tmp_path / "picks.toml.imported", tmp_path / PICKS_NAME)
    assert "studio/b.jpg" not in SqlitePicksStore(tmp_path).load("Anna Smith")
    store.apply("Anna Smith", add=["x.jpg"])
    assert SqlitePicksStore(tmp_path).load("Anna Smith").photos() == (
        "studio/a.jpg",
        "outdoor/c.jpg",
        "x.jpg",
    )
    assert "picks.toml.imported.2" in names(tmp_path) and PICKS_NAME not in names(tmp_path)


def test_import_goes_with_a_save_that_makes_the_database_for_curation_too(
    tmp_path: Path,
) -> None:
    make_toml(tmp_path)
    (tmp_path / "curation.toml").write_text(
        'format = 1\n[photos."studio/a.jpg"]\nrating = 4\n', encoding="utf-8"
    )
    SqlitePicksStore(tmp_path).apply("Cleo", add=["studio/a.jpg"])
    assert "curation.toml.imported" in names(tmp_path)
    assert "picks.toml.imported" in names(tmp_path)
    with SqliteCurationStore(tmp_path) as curation:
        assert curation.load().photo("studio/a.jpg").rating == 4
    assert SqlitePicksStore(tmp_path).clients() == [
        "Anna Smith",
        "ben",
        "Cleo",
        'Zoë "The Boss" 山田',
    ]


def test_viewer_never_writes_and_reads_picks_toml_before_migration(tmp_path: Path) -> None:
    before = make_toml(tmp_path)
    viewer = SqlitePicksStore(tmp_path, read_only=True)
    assert viewer.read_only and viewer.read_only_reason == "opened read-only"
    assert viewer.load_all() == before
    with pytest.raises(PicksError, match="read-only"):
        viewer.apply("Anna Smith", add=["x.jpg"])
    assert names(tmp_path) == ["picks.toml", "picks.toml.lock"]

    SqlitePicksStore(tmp_path, author="maria").apply("ben", add=["b.jpg"])
    rows = picks_in_db(tmp_path)
    assert viewer.load("ben").photos() == ("studio/a.jpg", "b.jpg")
    with pytest.raises(PicksError, match="read-only"):
        viewer.apply("ben", remove=["b.jpg"])
    assert picks_in_db(tmp_path) == rows


def test_a_database_without_the_picks_table_still_shows_picks_toml(tmp_path: Path) -> None:
    before = make_toml(tmp_path)
    with SqliteCurationStore(tmp_path, author="maria") as curation:
        curation.apply([Change.rating("studio/a.jpg", 3)])  # a curator's first save
    assert "picks.toml" in names(tmp_path)  # the curation store leaves picks alone
    writer = SqlitePicksStore(tmp_path)
    assert writer.apply("ben", add=["studio/a.jpg"], remove=["nope.jpg"]) == before["ben"]
    assert "picks.toml" in names(tmp_path)  # a save that changes nothing imports nothing
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'picks'").fetchall() == []
    assert SqlitePicksStore(tmp_path, read_only=True).load_all() == before
    assert SqlitePicksStore(tmp_path).apply("ben", add=["z.jpg"]).photos()[-1] == "z.jpg"
    assert "picks.toml.imported" in names(tmp_path)


@pytest.mark.parametrize("name", [DB_NAME, DB_NAME + "-wal"])
def test_a_link_planted_in_place_of_the_database_makes_picks_read_only(
    tmp_path: Path, name: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "target.sqlite"
    target.write_bytes(b"")
    root = tmp_path / "portfolio"
    root.mkdir()
    (root / name).symlink_to(target)
    store = SqlitePicksStore(root, author="maria")
    reason = store.read_only_reason or ""
    assert str(root / name) in reason and "symbolic link" in reason
    with pytest.raises(PicksError, match="read-only") as caught:
        store.apply("Anna", add=["a.jpg"])
    assert str(root / name) in str(caught.value)
    with pytest.raises(PicksError, match="symbolic link"):
        store.load("Anna")
    assert target.read_bytes() == b""
    assert names(root) == [name]


@pytest.mark.skipif(not can_chmod(), reason="permissions mean nothing as root")
def test_unwritable_folder_reads_and_writes_nothing(tmp_path: Path) -> None:
    SqlitePicksStore(tmp_path).apply("Anna", add=["a.jpg"])
    listing = names(tmp_path)
    tmp_path.chmod(0o555)
    try:
        store = SqlitePicksStore(tmp_path)
        assert "no permission" in (store.read_only_reason or "")
        assert store.load("Anna").photos() == ("a.jpg",)
        with pytest.raises(PicksError):
            store.apply("Anna", add=["b.jpg"])
    finally:
        tmp_path.chmod(0o755)
    assert names(tmp_path) == listing
    assert SqlitePicksStore(tmp_path).load("Anna").photos() == ("a.jpg",)


def test_picks_first_then_curation_share_the_database(tmp_path: Path) -> None:
    SqlitePicksStore(tmp_path, author="maria").apply("Anna", add=["a.jpg"])
    assert (tmp_path / DB_NAME).exists()
    with SqliteCurationStore(tmp_path, author="tom") as curation:
        assert not curation.read_only
        curation.apply([Change.rating("a.jpg", 5), Change.flag("b.jpg", "pick")])
    with SqliteCurationStore(tmp_path) as again:
        snapshot = again.load()
        assert snapshot.photo("a.jpg").rating == 5
        assert snapshot.photo("b.jpg").flag == "pick"
        assert len(again.history().entries) == 2
    assert SqlitePicksStore(tmp_path).load("Anna").photos() == ("a.jpg",)


def test_curation_first_then_picks_share_the_database(tmp_path: Path) -> None:
    curation = SqliteCurationStore(tmp_path, author="tom")
    curation.apply([Change.rating("a.jpg", 2)])
    picks = SqlitePicksStore(tmp_path, author="maria")
    picks.apply("Anna", add=["a.jpg"])  # while the curation store has it open
    curation.apply([Change.rating("a.jpg", 4)])
    assert curation.refresh() == []  # a picks save is no curation change
    curation.close()
    with SqliteCurationStore(tmp_path) as again:
        assert again.load().photo("a.jpg").rating == 4
    assert picks.load("Anna").photos() == ("a.jpg",)


def test_a_newer_schema_is_read_but_not_written(tmp_path: Path) -> None:
    store = SqlitePicksStore(tmp_path, author="maria")
    store.apply("Anna", add=["a.jpg"])
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute("PRAGMA user_version = 2")
    assert store.load("Anna").photos() == ("a.jpg",)
    assert "schema version 2" in (store.read_only_reason or "")
    with pytest.raises(PicksError, match="schema version 2"):
        SqlitePicksStore(tmp_path).apply("Anna", add=["b.jpg"])
    assert picks_in_db(tmp_path) == [("Anna", "a.jpg")]


def test_a_foreign_database_is_named_and_left_alone(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute("CREATE TABLE other (x)")
    before = (tmp_path / DB_NAME).read_bytes()
    store = SqlitePicksStore(tmp_path)
    with pytest.raises(PicksError, match="not a curation database") as caught:
        store.load("Anna")
    assert caught.value.path == tmp_path / DB_NAME
    assert store.read_only  # until a load works
    with pytest.raises(PicksError):
        store.apply("Anna", add=["a.jpg"])
    assert (tmp_path / DB_NAME).read_bytes() == before


def test_importing_the_store_does_not_import_textual() -> None:
    import subprocess
    import sys

    code = "import sys, portfolio_tui.store.sqlite_picks\nprint('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "False", result.stderr
