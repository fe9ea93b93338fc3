"""Client picks: the store survives reloads, merges writers, writes nothing when it must not."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest

from conftest import can_chmod
from portfolio_tui import files as files_module
from portfolio_tui.files import locked
from portfolio_tui.picks import (
    PICKS_NAME,
    ClientPicks,
    Pick,
    PicksError,
    PicksStore,
    client_name,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CRAFTED_CLIENTS = [
    'Anna "The Boss" Smith',
    "[bold red]Ben[/] O'Brien",
    "Zoë Ångström 山田",
    "back\\slash = [x]",
    "#not a comment",
]
CRAFTED_PHOTOS = [
    'studio/quote"d.jpg',
    "studio/new\nline.jpg",
    "studio/esc\x1b[31mred.jpg",
    "studio/[bold]markup[/].jpg",
    "studio/tab\there.jpg",
    "studio/del\x7f.jpg",
    "studio/back\\slash.jpg",
    "studio/ünïcødé 山.jpg",
    "studio/nfd-Zoe\u0308.jpg",  # decomposed, as macOS names files: kept as it is
]


def names(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


def test_picks_survive_a_reload_in_the_order_marked(tmp_path: Path) -> None:
    store = PicksStore(tmp_path, author="maria")
    after = store.apply("Anna Smith", add=["studio/b.jpg", "studio/a.jpg"])
    after = store.apply("Anna Smith", add=["outdoor/c.jpg"])
    assert after.photos() == ("studio/b.jpg", "studio/a.jpg", "outdoor/c.jpg")
    again = PicksStore(tmp_path).load("  Anna Smith ")
    assert again == after
    assert "studio/a.jpg" in again and "studio/x.jpg" not in again
    assert all(p.by == "maria" and p.at.endswith("Z") for p in again.picks)
    assert PicksStore(tmp_path).clients() == ["Anna Smith"]


def test_file_is_readable_toml_with_a_version(tmp_path: Path) -> None:
    PicksStore(tmp_path, author="maria").apply("Anna Smith", add=["studio/hopper-01.jpg"])
    text = (tmp_path / PICKS_NAME).read_text(encoding="utf-8")
    assert text.startswith("# Client favourites")
    assert '[clients."Anna Smith"]' in text
    assert '"studio/hopper-01.jpg" = { at = ' in text
    data = tomllib.loads(text)
    assert data["version"] == 1
    entry = data["clients"]["Anna Smith"]["studio/hopper-01.jpg"]
    assert entry["by"] == "maria" and entry["at"].tzinfo is not None


def test_add_keeps_the_first_time_and_remove_of_absent_is_a_no_op(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PicksStore(tmp_path, author="maria")
    first = store.apply("Anna", add=["a.jpg"])
    stamp = (tmp_path / PICKS_NAME).stat().st_mtime_ns
    writes: list[Path] = []
    real = files_module.write_atomically
    monkeypatch.setattr(
        "portfolio_tui.store.picks.write_atomically", lambda p, t: (writes.append(p), real(p, t))
    )
    again = PicksStore(tmp_path, author="tom").apply("Anna", add=["a.jpg"], remove=["zzz.jpg"])
    assert again == first  # same time, same author
    assert writes == []  # nothing changed: nothing written
    assert (tmp_path / PICKS_NAME).stat().st_mtime_ns == stamp
    assert store.apply("Anna", remove=["a.jpg"]) == ClientPicks("Anna", ())
    assert writes == [tmp_path / PICKS_NAME]
    assert PicksStore(tmp_path).clients() == []  # a client with no picks is gone


def test_two_stores_merge_each_others_picks(tmp_path: Path) -> None:
    maria = PicksStore(tmp_path, author="maria")
    tom = PicksStore(tmp_path, author="tom")
    maria.apply("Anna", add=["a.jpg", "b.jpg"])
    after = tom.apply("Anna", add=["c.jpg"], remove=["a.jpg"])
    assert after.photos() == ("b.jpg", "c.jpg")
    assert [p.by for p in after.picks] == ["maria", "tom"]
    tom.apply("Ben", add=["a.jpg"])
    assert maria.apply("Anna", add=["d.jpg"]).photos() == ("b.jpg", "c.jpg", "d.jpg")
    assert maria.clients() == ["Anna", "Ben"]


def _picker(root: str, worker: int, start: multiprocessing.synchronize.Event) -> None:
    store = PicksStore(Path(root), author=f"w{worker}")
    start.wait(10)
    for n in range(30):
        store.apply("Anna" if n % 2 else "ben", add=[f"w{worker}/p{n:02d}.jpg"])


def test_four_processes_lose_no_pick(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn" if sys.platform == "win32" else "fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_picker, args=(str(tmp_path), w, start)) for w in range(4)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    store = PicksStore(tmp_path)
    got = set(store.load("Anna").photos()) | set(store.load("ben").photos())
    assert got == {f"w{w}/p{n:02d}.jpg" for w in range(4) for n in range(30)}
    assert store.clients() == ["Anna", "ben"]
    assert names(tmp_path) == ["picks.toml", "picks.toml.lock"]  # no temp file left


def test_read_only_store_writes_nothing(tmp_path: Path) -> None:
    store = PicksStore(tmp_path, read_only=True)
    assert store.read_only and store.read_only_reason == "opened read-only"
    with pytest.raises(PicksError, match="read-only"):
        store.apply("Anna", add=["a.jpg"])
    assert store.load("Anna") == ClientPicks("Anna", ())
    assert store.clients() == []
    assert names(tmp_path) == []  # no file, no lock file


def test_missing_folder_is_read_only(tmp_path: Path) -> None:
    store = PicksStore(tmp_path / "gone")
    assert "not a folder" in (store.read_only_reason or "")
    with pytest.raises(PicksError):
        store.apply("Anna", add=["a.jpg"])
    assert not (tmp_path / "gone").exists()


@pytest.mark.skipif(not can_chmod(), reason="permissions mean nothing as root")
def test_unwritable_folder_writes_nothing(tmp_path: Path) -> None:
    PicksStore(tmp_path).apply("Anna", add=["a.jpg"])
    tmp_path.chmod(0o555)
    try:
        store = PicksStore(tmp_path)
        assert "no permission" in (store.read_only_reason or "")
        with pytest.raises(PicksError):
            store.apply("Anna", add=["b.jpg"])
    finally:
        tmp_path.chmod(0o755)
    assert PicksStore(tmp_path).load("Anna").photos() == ("a.jpg",)


def test_corrupt_file_names_file_and_line_and_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / PICKS_NAME
    damaged = (
        'version = 1\n\n[clients."Anna"]\n"a.jpg" = { at = 2026-01-01T00:00:00Z by = "x" }\n'
        '"b.jpg" = { at = 2026-01-01T00:00:01Z, by = "x" }\n'
    )
    path.write_text(damaged, encoding="utf-8")
    store = PicksStore(tmp_path)
    with pytest.raises(PicksError) as caught:
        store.load("Anna")
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}:4: damaged picks file")
    assert "fix or remove that line" in str(caught.value)
    assert store.read_only  # until a load succeeds
    with pytest.raises(PicksError, match=r":4: damaged"):
        store.apply("Anna", add=["b.jpg"])
    with pytest.raises(PicksError):
        store.clients()
    assert path.read_text(encoding="utf-8") == damaged
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_not_utf8_and_bad_shape_are_errors(tmp_path: Path) -> None:
    path = tmp_path / PICKS_NAME
    path.write_bytes(b"version = 1\n# caf\xe9\n")
    with pytest.raises(PicksError, match=r"picks\.toml:2: damaged picks file: not UTF-8"):
        PicksStore(tmp_path).load("Anna")
    path.write_text("version = 1\nclients = 3\n", encoding="utf-8")
    with pytest.raises(PicksError, match=r"picks\.toml:2: 'clients' must hold"):
        PicksStore(tmp_path).load("Anna")


def test_newer_version_says_to_upgrade_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / PICKS_NAME
    path.write_text('version = 2\n[clients."Anna"]\n"a.jpg" = {}\n', encoding="utf-8")
    store = PicksStore(tmp_path)
    with pytest.raises(PicksError, match=r"newer portfolio-tui \(version 2\); upgrade"):
        store.load("Anna")
    with pytest.raises(PicksError, match="upgrade"):
        store.apply("Anna", add=["b.jpg"])
    assert "version = 2" in path.read_text(encoding="utf-8")


def test_unknown_keys_are_kept(tmp_path: Path) -> None:
    path = tmp_path / PICKS_NAME
    path.write_text(
        'version = 1\nnote = "from a plugin"\n[clients."Anna"]\n'
        '"a.jpg" = { at = 2026-01-01T00:00:00Z, by = "x", stars = 3 }\n',
        encoding="utf-8",
    )
    PicksStore(tmp_path).apply("Anna", add=["b.jpg"])
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["note"] == "from a plugin"
    assert data["clients"]["Anna"]["a.jpg"]["stars"] == 3
    assert list(data["clients"]["Anna"]) == ["a.jpg", "b.jpg"]


@pytest.mark.parametrize("client", CRAFTED_CLIENTS)
def test_crafted_client_and_photo_names_round_trip(tmp_path: Path, client: str) -> None:
    store = PicksStore(tmp_path, author='evil"\x1b[2J author')
    store.apply(client, add=CRAFTED_PHOTOS)
    store.apply("Other", add=["x.jpg"])
    again = PicksStore(tmp_path).load(client)
    assert again.photos() == tuple(CRAFTED_PHOTOS)
    assert all("\x1b" not in p.by for p in again.picks)  # the author is cleaned
    assert sorted(PicksStore(tmp_path).clients(), key=str.casefold) == sorted(
        [client, "Other"], key=str.casefold
    )
    tomllib.loads((tmp_path / PICKS_NAME).read_text(encoding="utf-8"))  # valid TOML


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("Anna\nSmith", "control characters or line breaks"),
        ("evil\x1b[31m", "control characters"),
        ("rtl\u202eoverride", "control characters"),
        ("x" * 65, "at most 64"),
    ],
)
def test_bad_client_names_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PicksError, match=message) as caught:
        client_name(text)
    assert caught.value.path is None
    with pytest.raises(PicksError):
        PicksStore(tmp_path).apply(text, add=["a.jpg"])
    assert names(tmp_path) == []


def test_client_name_normalises() -> None:
    assert client_name("  Zoe\u0308 ") == "Zoë"
    assert client_name("x" * 64) == "x" * 64


@pytest.mark.parametrize("photo", ["/etc/passwd", "../outside.jpg", "", ".", "a/\x00b.jpg"])
def test_bad_photo_paths_are_refused(tmp_path: Path, photo: str) -> None:
    with pytest.raises(PicksError):
        PicksStore(tmp_path).apply("Anna", add=[photo])
    assert names(tmp_path) == []


def test_lock_held_too_long_is_a_picks_error(tmp_path: Path) -> None:
    store = PicksStore(tmp_path, lock_timeout=0.05)
    store.apply("Anna", add=["a.jpg"])
    with locked(tmp_path / "picks.toml.lock", 1.0), pytest.raises(PicksError, match="lock"):
        store.apply("Anna", add=["b.jpg"])
    assert store.apply("Anna", add=["b.jpg"]).photos() == ("a.jpg", "b.jpg")


def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = PicksStore(tmp_path)
    store.apply("Anna", add=["a.jpg"])
    before = (tmp_path / PICKS_NAME).read_bytes()

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "fsync", full)
    with pytest.raises(PicksError, match="not saved: No space left"):
        store.apply("Anna", add=["b.jpg"])
    monkeypatch.undo()
    assert (tmp_path / PICKS_NAME).read_bytes() == before
    assert names(tmp_path) == ["picks.toml", "picks.toml.lock"]


def test_client_picks_contains_and_photos() -> None:
    picks = ClientPicks(
        "A", (Pick("b.jpg", "2026-11-28T10:02:03Z", "maria"), Pick("a.jpg", "", ""))
    )
    assert picks.photos() == ("b.jpg", "a.jpg")
    assert "a.jpg" in picks and "c.jpg" not in picks and len(picks) == 2


def test_importing_picks_does_not_import_textual() -> None:
    import subprocess

    code = (
        "import sys, portfolio_tui.picks, portfolio_tui.cli.picks\nprint('textual' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "False", result.stderr
