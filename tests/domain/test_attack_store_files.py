"""Issue 21, items 2, 7 and 9a: store files planted as links or special files.

A hostile file author (a synced share, an unpacked zip or tar keeps symlinks)
can put ``curation-history.jsonl`` in the portfolio as a link to the account's
shell profile, a lock file as a link to anywhere, ``curation.toml`` as a link
to another portfolio's store, or a FIFO or a link to ``/dev/zero`` in place of
a store. None of them may be written through, read, or hang a session: the
store turns read-only with the reason, and ``check`` names the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from conftest import ImageMaker, run_cli
from portfolio_tui import files
from portfolio_tui.curation import Change, CurationError, CurationStore
from portfolio_tui.imaging.cache import ImageCache
from portfolio_tui.picks import PicksError, PicksStore
from portfolio_tui.store import picks as picks_module
from portfolio_tui.store import toml_curation as curation_module

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX links and FIFOs")

PROFILE = "# the account's login script\nexport PATH=$HOME/bin:$PATH\n"


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    make_image(tmp_path / "p" / "g" / "a.jpg")
    make_image(tmp_path / "p" / "g" / "b.jpg")
    return tmp_path / "p"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def listing(folder: Path) -> dict[str, bytes | str]:
    """Every entry of ``folder``: a file's bytes, or where a link points."""
    found: dict[str, bytes | str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            found[entry.name] = f"-> {os.readlink(entry)}"
        elif entry.is_file():
            found[entry.name] = entry.read_bytes()
        else:
            found[entry.name] = "<folder or special>"
    return found


# -- item 2: nothing is written through a planted link ---------------------------------


def test_a_history_linked_to_the_shell_profile_is_never_appended_to(
    root: Path, outside: Path
) -> None:
    profile = outside / ".profile"
    profile.write_text(PROFILE)
    os.symlink(profile, root / "curation-history.jsonl")
    evil = "g/20-$(echo aWQ+L3RtcC9vd25lZA== | base64 -d | sh).jpg"
    store = CurationStore(root, author="maria")
    reason = store.read_only_reason
    assert reason is not None and "curation-history.jsonl" in reason
    assert "symbolic link" in reason and "read-only" in reason
    with pytest.raises(CurationError, match="symbolic link"):
        store.apply([Change.rating(evil, 5)])
    assert profile.read_text() == PROFILE
    assert not (root / "curation.toml").exists()  # the save did not happen either
    assert not (root / "curation.toml.lock").exists()


@pytest.mark.parametrize("kind", ["curation", "picks"])
def test_a_lock_file_linked_elsewhere_creates_nothing_there(
    root: Path, outside: Path, kind: str
) -> None:
    target = outside / "planted"
    lock = "curation.toml.lock" if kind == "curation" else "picks.toml.lock"
    os.symlink(target, root / lock)
    with pytest.raises((CurationError, PicksError)) as raised:
        if kind == "curation":
            CurationStore(root, author="maria").apply([Change.rating("g/a.jpg", 3)])
        else:
            PicksStore(root, author="anna").apply("Anna", add=["g/a.jpg"])
    assert lock in str(raised.value) and "symbolic link" in str(raised.value)
    assert not target.exists()
    assert listing(outside) == {}


def test_locked_refuses_a_link_or_a_fifo_made_after_any_check(root: Path, outside: Path) -> None:
    """The preflight check can be raced: the lock's own open must refuse too."""
    os.symlink(outside / "planted", root / "x.lock")
    with (
        pytest.raises(files.NotRegularFile, match="symbolic link"),
        files.locked(root / "x.lock", 1),
    ):
        pass
    assert not (outside / "planted").exists()
    os.mkfifo(root / "y.lock")
    with (
        pytest.raises(files.NotRegularFile, match="device, pipe or socket"),
        files.locked(root / "y.lock", 1),
    ):
        pass


def test_a_link_planted_after_the_check_still_refuses_the_save(
    root: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = outside / ".profile"
    profile.write_text(PROFILE)
    store = CurationStore(root, author="maria")
    store.apply([Change.rating("g/a.jpg", 1)])
    (root / "curation-history.jsonl").unlink()
    os.symlink(profile, root / "curation-history.jsonl")
    # As if the link appeared between the read-only check and the save.
    monkeypatch.setattr(CurationStore, "read_only_reason", property(lambda _self: None))
    with pytest.raises(CurationError, match="symbolic link"):
        store.apply([Change.rating("g/a.jpg", 4)])
    assert profile.read_text() == PROFILE
    assert CurationStore(root).load().photo("g/a.jpg").rating == 1


def test_write_atomically_never_replaces_a_link_or_special_file(root: Path, outside: Path) -> None:
    profile = outside / ".profile"
    profile.write_text(PROFILE)
    os.symlink(profile, root / "curation.toml")
    with pytest.raises(files.NotRegularFile, match="symbolic link"):
        files.write_atomically(root / "curation.toml", "format = 1\n")
    assert os.readlink(root / "curation.toml") == str(profile)
    assert profile.read_text() == PROFILE
    os.mkfifo(root / "picks.toml")
    with pytest.raises(files.NotRegularFile, match="device, pipe or socket"):
        files.write_atomically(root / "picks.toml", "version = 1\n")
    assert sorted(p.name for p in root.iterdir()) == ["curation.toml", "g", "picks.toml"]


def test_the_picks_export_never_writes_its_csv_through_a_planted_link(
    root: Path, outside: Path
) -> None:
    PicksStore(root, author="anna").apply("Anna", add=["g/a.jpg"])
    out = outside / "export"
    out.mkdir()
    profile = outside / ".profile"
    profile.write_text(PROFILE)
    os.symlink(profile, out / "picks.csv")
    result = run_cli("export", "picks", "Anna", str(root), "-o", str(out), cwd=root)
    assert profile.read_text() == PROFILE
    assert "picks.csv" in result.stdout and "symbolic link" in result.stdout, result
    assert result.returncode == 1


# -- item 9a and 7: a linked or special store is never read ------------------------------


def test_a_curation_toml_linked_to_another_portfolio_shows_nothing_of_it(
    root: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    CurationStore(other, author="them").apply([Change.notes("g/a.jpg", "SECRET client notes")])
    os.symlink(other / "curation.toml", root / "curation.toml")
    viewer = CurationStore(root, read_only=True, reason="viewer: curation is for curators")
    with pytest.raises(CurationError) as raised:
        viewer.load()
    assert "SECRET" not in str(raised.value)
    assert str(raised.value) == (
        f"{root / 'curation.toml'}: is a symbolic link, which is never followed; "
        "curation is read-only until it is a regular file"
    )
    assert viewer.snapshot.photo("g/a.jpg").notes == ""
    curator = CurationStore(root, author="maria")
    reason = curator.read_only_reason
    assert reason is not None and "symbolic link" in reason
    with pytest.raises(CurationError):
        curator.apply([Change.rating("g/a.jpg", 2)])
    assert os.path.islink(root / "curation.toml")
    assert "SECRET" in (other / "curation.toml").read_text()


def test_a_picks_toml_linked_elsewhere_is_not_read(root: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    PicksStore(other, author="them").apply("Anna", add=["g/a.jpg", "g/b.jpg"])
    os.symlink(other / "picks.toml", root / "picks.toml")
    store = PicksStore(root, author="anna")
    with pytest.raises(PicksError, match="symbolic link"):
        store.load("Anna")
    reason = store.read_only_reason
    assert reason is not None and "picks.toml" in reason and "symbolic link" in reason


LOAD_CHILD = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    # The child may use 1 GB at most: a store read without a bound dies here, not the machine.
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    from portfolio_tui.curation import CurationError, CurationStore
    from portfolio_tui.picks import PicksError, PicksStore
    root, kind = Path(sys.argv[1]), sys.argv[2]
    try:
        if kind == "curation":
            CurationStore(root).load()
        else:
            PicksStore(root).load("Anna")
    except (CurationError, PicksError) as exc:
        print("refused:", exc)
    else:
        print("read it")
    """
)


def load_in_child(root: Path, kind: str) -> str:
    """Load the store in a child with a memory bound and a deadline; what it printed."""
    try:
        result = subprocess.run(
            [sys.executable, "-c", LOAD_CHILD, str(root), kind],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading the {kind} store hung")
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


@pytest.mark.parametrize("kind", ["curation", "picks"])
def test_a_fifo_as_the_store_neither_hangs_nor_is_read(root: Path, kind: str) -> None:
    name = "curation.toml" if kind == "curation" else "picks.toml"
    os.mkfifo(root / name)
    said = load_in_child(root, kind)
    assert said.startswith(f"refused: {root / name}"), said
    assert "device, pipe or socket" in said


@pytest.mark.parametrize("kind", ["curation", "picks"])
def test_a_link_to_the_zero_device_neither_exhausts_memory_nor_is_read(
    root: Path, kind: str
) -> None:
    name = "curation.toml" if kind == "curation" else "picks.toml"
    os.symlink("/dev/zero", root / name)
    said = load_in_child(root, kind)
    assert said.startswith(f"refused: {root / name}"), said
    assert "symbolic link" in said


def test_a_fifo_store_is_refused_on_a_thread_without_blocking_it(root: Path) -> None:
    """The app reads the store in a worker thread: it must come back at once."""
    os.mkfifo(root / "curation.toml")
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            CurationStore(root).load()
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():  # unblock the reader so the thread can end, then fail
        fd = os.open(root / "curation.toml", os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        pytest.fail("reading a FIFO store blocked")
    assert isinstance(outcome[0], CurationError)


@pytest.mark.parametrize("kind", ["curation", "picks"])
def test_a_store_past_the_size_limit_is_a_damaged_store(
    root: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    module = curation_module if kind == "curation" else picks_module
    monkeypatch.setattr(module, "MAX_STORE_BYTES", 4096)
    name = "curation.toml" if kind == "curation" else "picks.toml"
    (root / name).write_text("# padding\n" * 1000)
    with pytest.raises((CurationError, PicksError)) as raised:
        if kind == "curation":
            CurationStore(root).load()
        else:
            PicksStore(root).load("Anna")
    message = str(raised.value)
    assert message.startswith(f"{root / name}: damaged store: larger than 4 KB"), message
    assert "move it away" in message


def test_the_size_limit_is_far_above_a_100000_photo_store() -> None:
    # A photo's table is about 130 bytes of TOML: 100,000 photos are about 13 MB.
    assert curation_module.MAX_STORE_BYTES >= 100 * 1024 * 1024
    assert picks_module.MAX_STORE_BYTES >= 100 * 1024 * 1024


# -- check names each one ------------------------------------------------------------


def test_check_lists_every_linked_or_special_store_file(root: Path, outside: Path) -> None:
    profile = outside / ".profile"
    profile.write_text(PROFILE)
    os.symlink(profile, root / "curation-history.jsonl")
    os.symlink(outside / "planted", root / "picks.toml.lock")
    os.mkfifo(root / "curation.toml")
    result = run_cli("check", str(root), cwd=outside)
    out = result.stdout
    assert result.returncode == 1, out
    for name, what in [
        ("curation-history.jsonl", "is a symbolic link, which is never followed"),
        ("picks.toml.lock", "is a symbolic link, which is never followed"),
        ("curation.toml", "is a device, pipe or socket, not a file"),
    ]:
        lines = [x for x in out.splitlines() if x.startswith(f"{root / name}: {what}")]
        assert len(lines) == 1, f"{name} not listed:\n{out}"
        assert "read-only" in lines[0] and "remove it" in lines[0], lines[0]
    assert profile.read_text() == PROFILE
    assert not (outside / "planted").exists()


# -- the thumbnail cache ----------------------------------------------------------------


def test_the_image_cache_writes_nothing_through_a_linked_folder(
    tmp_path: Path, outside: Path, make_image: ImageMaker
) -> None:
    from PIL import Image

    photo = make_image(tmp_path / "p" / "a.jpg")
    cache = ImageCache(tmp_path / "cache")
    key = cache.key(photo, (40, 40))
    assert key is not None
    (tmp_path / "cache").mkdir()
    os.symlink(outside, tmp_path / "cache" / key[:2])
    assert not cache.put(photo, (40, 40), Image.new("RGB", (8, 8)))
    assert listing(outside) == {}
    assert cache.get(photo, (40, 40)) is None
