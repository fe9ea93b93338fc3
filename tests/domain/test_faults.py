"""Faults while saving (disk full, permission denied, killed processes): no acknowledged edit
is lost, no file is left half written, and the error names the file.

Faults are injected by making the Nth call of one ``os`` function fail (tests run as root,
where chmod cannot refuse anything), at every step of a write: the lock file's open, the
temp file's open, write, fsync, close, the rename, and the folder's open and fsync.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from conftest import run_cli
from portfolio_tui import files as files_module
from portfolio_tui.curation import Change, CurationError, CurationStore
from portfolio_tui.imaging import cache as cache_module
from portfolio_tui.imaging.cache import ImageCache
from portfolio_tui.picks import PICKS_NAME, PicksError, PicksStore

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ERRORS = {errno.ENOSPC: "No space left", errno.EACCES: "Permission denied", errno.EPERM: ""}


def fail_nth(monkeypatch: pytest.MonkeyPatch, name: str, nth: int, code: int) -> Callable[[], int]:
    """Make the ``nth`` call of ``os.<name>`` (1-based) raise OSError(``code``); returns a
    function saying how many calls were made."""
    real = getattr(os, name)
    calls = 0

    def fake(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, fake)
    return lambda: calls


# (step, os function, which call) in the order one picks save makes them: locked() opens the
# lock file, read_regular() opens (and closes) the store, write_atomically() opens, writes,
# fsyncs and closes the temp file, renames it, then fsync_dir() opens and fsyncs the folder.
STEPS = [
    ("lock open", "open", 1),
    ("temp open", "open", 3),
    ("write", "write", 1),
    ("fsync", "fsync", 1),
    ("close", "close", 2),
    ("rename", "replace", 1),
    ("dir open", "open", 4),
    ("dir fsync", "fsync", 2),
]
CURATION_STEPS = [
    ("lock open", "open", 1),
    # The change history is appended and fsynced before the store is written (issue 21).
    ("history open", "open", 3),
    ("history write", "write", 1),
    ("history fsync", "fsync", 1),
    ("temp open", "open", 4),
    ("write", "write", 2),
    ("fsync", "fsync", 2),
    ("close", "close", 3),
    ("rename", "replace", 1),
    ("dir open", "open", 5),
    ("dir fsync", "fsync", 3),
]
AFTER_RENAME = {"dir open", "dir fsync"}
"""Faults after the rename: the new file is in place, so the save stands (the folder's fsync
is best effort, as the system allows)."""


@pytest.fixture(params=sorted(ERRORS), ids=[errno.errorcode[c] for c in sorted(ERRORS)])
def code(request: pytest.FixtureRequest) -> int:
    return int(request.param)


CURATION_FILES = ["curation-history.jsonl", "curation.toml", "curation.toml.lock"]
"""What curation saves leave in the folder: the store, its lock and the change history."""


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def expected_save_error(step: str, code: int) -> bool:
    if step in AFTER_RENAME:
        return False
    # A lock file that cannot be opened for writing is opened read-only (flock works on it).
    return not (step == "lock open" and code in (errno.EACCES, errno.EPERM))


@pytest.mark.parametrize(
    ("step", "func", "nth"), CURATION_STEPS, ids=[s[0] for s in CURATION_STEPS]
)
def test_curation_fault_keeps_the_old_file_and_a_retry_saves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, func: str, nth: int, code: int
) -> None:
    store = CurationStore(tmp_path, author="me@test")
    store.apply([Change.rating("a.jpg", 3), Change.notes("b.jpg", "kept")])
    path = tmp_path / "curation.toml"
    before = path.read_bytes()
    history = (tmp_path / "curation-history.jsonl").read_bytes()
    with monkeypatch.context() as m:
        calls = fail_nth(m, func, nth, code)
        if expected_save_error(step, code):
            with pytest.raises(CurationError) as raised:
                store.apply([Change.rating("a.jpg", 5), Change.flag("c.jpg", "pick")])
        else:
            store.apply([Change.rating("a.jpg", 5), Change.flag("c.jpg", "pick")])
        assert calls() >= nth, "the fault was never reached"
    if expected_save_error(step, code):
        message = str(raised.value)
        named = tmp_path / "curation-history.jsonl" if step.startswith("history") else path
        assert message.startswith(f"{named}: not saved: ")
        assert ERRORS[code] in message and "Traceback" not in message
        assert path.read_bytes() == before  # the previous version, byte for byte
        assert names(tmp_path) == CURATION_FILES  # no temp file
        # The history holds no line for the change that was not saved.
        assert (tmp_path / "curation-history.jsonl").read_bytes() == history
        # Not read-only: a full disk passes; the next save (the app's retry) gets through.
        assert not store.read_only, store.read_only_reason
        store.apply([Change.rating("a.jpg", 5), Change.flag("c.jpg", "pick")])
    snap = CurationStore(tmp_path).load()
    assert snap.photo("a.jpg").rating == 5 and snap.photo("c.jpg").flag == "pick"
    assert snap.photo("b.jpg").notes == "kept"
    assert names(tmp_path) == CURATION_FILES


@pytest.mark.parametrize(("step", "func", "nth"), STEPS, ids=[s[0] for s in STEPS])
def test_picks_fault_keeps_the_old_file_and_a_retry_saves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, func: str, nth: int, code: int
) -> None:
    store = PicksStore(tmp_path, author="me@test")
    store.apply("Anna", add=["a.jpg"])
    path = tmp_path / PICKS_NAME
    before = path.read_bytes()
    with monkeypatch.context() as m:
        calls = fail_nth(m, func, nth, code)
        if expected_save_error(step, code):
            with pytest.raises(PicksError) as raised:
                store.apply("Anna", add=["b.jpg"])
        else:
            store.apply("Anna", add=["b.jpg"])
        assert calls() >= nth, "the fault was never reached"
    if expected_save_error(step, code):
        message = str(raised.value)
        assert message.startswith(f"{path}: not saved: ")
        assert ERRORS[code] in message
        assert path.read_bytes() == before
        assert names(tmp_path) == ["picks.toml", "picks.toml.lock"]
        assert not store.read_only, store.read_only_reason
        store.apply("Anna", add=["b.jpg"])
    assert PicksStore(tmp_path).load("Anna").photos() == ("a.jpg", "b.jpg")
    assert names(tmp_path) == ["picks.toml", "picks.toml.lock"]


@pytest.mark.parametrize("kind", ["curation", "picks"])
def test_a_temp_file_that_cannot_be_removed_goes_with_the_next_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Disk full at write, and the cleanup refused too: the temp file stays until the next
    save, which removes it under the lock."""
    curation = CurationStore(tmp_path)
    picks = PicksStore(tmp_path)

    def save(n: int) -> None:
        if kind == "curation":
            curation.apply([Change.rating(f"p{n}.jpg", 1)])
        else:
            picks.apply("Anna", add=[f"p{n}.jpg"])

    save(0)
    with monkeypatch.context() as m:
        # A curation save writes its history line first: the temp file's write is the 2nd.
        fail_nth(m, "write", 1 if kind == "picks" else 2, errno.ENOSPC)
        fail_nth(m, "unlink", 1, errno.EACCES)
        with pytest.raises((CurationError, PicksError)):
            save(1)
    assert [n for n in names(tmp_path) if n.endswith(".tmp")]  # left behind
    save(2)
    assert not [n for n in names(tmp_path) if n.endswith(".tmp")]


@pytest.mark.parametrize("kind", ["curation", "picks"])
def test_a_lock_file_that_cannot_be_made_says_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The first save ever, in a folder where the lock file cannot be created."""
    with monkeypatch.context() as m:
        fail_nth(m, "open", 1, errno.EACCES)
        with pytest.raises((CurationError, PicksError)) as raised:
            if kind == "curation":
                CurationStore(tmp_path).apply([Change.rating("a.jpg", 1)])
            else:
                PicksStore(tmp_path).apply("Anna", add=["a.jpg"])
    assert str(raised.value).endswith("not saved: Permission denied")
    assert names(tmp_path) == []


def test_a_short_write_is_continued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real(fd, bytes(data[:7])))
    files_module.write_atomically(tmp_path / "f.txt", "a longer text than seven bytes\n")
    assert (tmp_path / "f.txt").read_text() == "a longer text than seven bytes\n"


# -- the image cache -------------------------------------------------------------------


class _FailingFile:
    """A file whose writes fail (no fileno, so Pillow writes through ``write``)."""

    def __init__(self, real: io.BufferedWriter, code: int) -> None:
        self._real = real
        self._code = code

    def write(self, _data: bytes) -> int:
        raise OSError(self._code, os.strerror(self._code))

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._real.close()


CACHE_STEPS = ["mkdir", "temp open", "write", "rename"]


@pytest.mark.parametrize("step", CACHE_STEPS)
def test_cache_fault_turns_the_cache_off_and_photos_still_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, code: int
) -> None:
    photo = tmp_path / "a.jpg"
    Image.new("RGB", (60, 80), (10, 200, 30)).save(photo)
    root = tmp_path / "cache"
    cache = ImageCache(root)
    with monkeypatch.context() as m:
        if step == "mkdir":  # Path.mkdir (Python 3.10's pathlib holds its own os.mkdir)

            def refuse(*_args: object, **_kwargs: object) -> None:
                raise OSError(code, os.strerror(code))

            m.setattr(Path, "mkdir", refuse)
        elif step == "temp open":
            # os.open: the cache entry's (missing), the photo's (decode.open_file), the temp's.
            fail_nth(m, "open", 3, code)
        elif step == "rename":
            fail_nth(m, "replace", 1, code)
        else:
            real_fdopen = os.fdopen

            def failing(fd: int, mode: str = "r", *a: Any, **k: Any) -> Any:
                opened = real_fdopen(fd, mode, *a, **k)
                # The cache's writes fail; the photo is read through fdopen too (decode).
                return _FailingFile(opened, code) if "w" in mode else opened

            m.setattr(os, "fdopen", failing)
        image = cache_module.fitted(photo, (30, 40), cache)
    assert image.size == (30, 40)  # decoded without the cache
    reason = cache.disabled_reason or ""
    assert reason.startswith(f"cannot write the image cache at {root} (")
    assert ERRORS[code] in reason
    # Nothing half written: no entry, no temp file.
    left = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    assert left == []
    # Turned off, it stays quiet and keeps working; a new cache (next run) writes again.
    assert cache_module.fitted(photo, (30, 40), cache).size == (30, 40)
    fresh = ImageCache(root)
    assert fresh.put(photo, (30, 40), image) and fresh.get(photo, (30, 40)) is not None


# -- an unwritable cache folder, from the command line ---------------------------------------


def small_portfolio(folder: Path, count: int, size: tuple[int, int] = (64, 80)) -> Path:
    studio = folder / "shoot" / "studio"
    studio.mkdir(parents=True)
    for i in range(count):
        Image.new("RGB", size, (i * 6 % 256, 100, 200 - i)).save(studio / f"p{i:02}.jpg")
    return folder / "shoot"


def test_thumbs_with_an_uncreatable_cache_says_so_in_one_line(tmp_path: Path) -> None:
    small_portfolio(tmp_path, 30)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli(
        "thumbs", "shoot", cwd=tmp_path, env={"XDG_CACHE_HOME": str(blocker / "cache")}
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert result.stdout.startswith("thumbs: 0 built, 0 already cached, 0 failed")
    assert lines[0].startswith("thumbs: cannot write the image cache at ")
    assert str(blocker / "cache") in lines[0] and "Not a directory" in lines[0]


# -- killed processes ------------------------------------------------------------------------


@pytest.fixture
def group_reaper() -> Iterator[list[subprocess.Popen[str]]]:
    """Children started in their own process group; every group is killed at the end."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for child in started:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)


def spawn(
    reaper: list[subprocess.Popen[str]], args: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        args,
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, killed as a whole
    )
    reaper.append(child)
    return child


def cache_files(cache: Path) -> tuple[list[Path], list[Path]]:
    """(entries, temp files) under the cache folder."""
    found = [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else []
    return [p for p in found if not p.name.startswith(".")], [
        p for p in found if p.name.startswith(".")
    ]


def wait_for_entries(cache: Path, child: subprocess.Popen[str], at_least: int) -> None:
    deadline = time.monotonic() + 20
    while len(cache_files(cache)[0]) < at_least:
        assert child.poll() is None, "thumbs finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)


KILL_PHOTOS = 40


@pytest.fixture(scope="module")
def big_shoot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of 40 large JPEGs (made once: each test has its own cache)."""
    return small_portfolio(tmp_path_factory.mktemp("kill"), KILL_PHOTOS, size=(2400, 3000))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_thumbs_killed_mid_run_leaves_only_valid_entries(
    tmp_path: Path, big_shoot: Path, group_reaper: list[subprocess.Popen[str]], sig: str
) -> None:
    count = KILL_PHOTOS
    xdg = tmp_path / "xdg"
    cache = xdg / "portfolio-tui" / "images"
    args = [sys.executable, "-m", "portfolio_tui", "thumbs", str(big_shoot), "--jobs", "2"]
    child = spawn(group_reaper, args, tmp_path, {"XDG_CACHE_HOME": str(xdg)})
    wait_for_entries(cache, child, 3)
    signum = getattr(signal, sig)
    sent = time.monotonic()
    os.killpg(child.pid, signum)
    _out, err = child.communicate(timeout=10)
    took = time.monotonic() - sent
    entries, _temps = cache_files(cache)
    assert 0 < len(entries) < count, "killed too late to mean anything"
    if sig != "SIGKILL":  # stopped: the running builds finish, the queued ones are dropped
        assert took < 3, f"{sig} took {took:.1f} s"
        assert child.returncode == 128 + signum
        assert "Traceback" not in err
        assert err.strip().splitlines()[-1] == (
            "thumbs: stopped; the thumbnails built so far are kept"
        )
    for entry in entries:  # every entry is whole
        with Image.open(entry) as image:
            image.load()
    again = run_cli("thumbs", str(big_shoot), cwd=tmp_path, env={"XDG_CACHE_HOME": str(xdg)})
    assert again.returncode == 0, again.stderr
    assert "already cached, 0 failed" in again.stdout
    entries, temps = cache_files(cache)
    assert len(entries) == count
    if sig != "SIGKILL":
        assert temps == []  # a stopped run leaves no temp files


PICKS_CHILD = """
import sys
from pathlib import Path
from portfolio_tui.picks import PicksStore

store = PicksStore(Path(sys.argv[1]), author="child@test")
n = 0
while True:
    store.apply("Anna", add=[f"r{sys.argv[2]}/p{n}.jpg"], remove=[f"seed/p{n}.jpg"])
    print(f"ack {n}", flush=True)
    n += 1
"""


def read_acks(first: str, rest: str) -> list[int]:
    return [int(line.split()[1]) for line in [first, *rest.splitlines()] if line.startswith("ack")]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_picks_writer_killed_mid_save_keeps_every_acknowledged_pick(
    tmp_path: Path, group_reaper: list[subprocess.Popen[str]]
) -> None:
    store = PicksStore(tmp_path, author="parent@test")
    store.apply("Anna", add=[f"seed/p{i}.jpg" for i in range(300)])
    store.apply("Ben", add=["b.jpg"])
    path = tmp_path / PICKS_NAME
    for round_ in range(8):
        child = spawn(
            group_reaper,
            [sys.executable, "-c", PICKS_CHILD, str(tmp_path), str(round_)],
            tmp_path,
            {},
        )
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.startswith("ack"), first + (child.stderr.read() if child.stderr else "")
        time.sleep(0.01 * round_)
        os.killpg(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=10)
        acked = read_acks(first, rest)
        anna = tomllib.loads(path.read_text())["clients"]["Anna"]  # always valid TOML
        for n in acked:
            assert f"r{round_}/p{n}.jpg" in anna, (round_, n)
        assert PicksStore(tmp_path).load("Ben").photos() == ("b.jpg",)
    store.apply("Ben", add=["c.jpg"])  # the next save removes temp files killed writers left
    assert names(tmp_path) == ["picks.toml", "picks.toml.lock"]


CURATION_CHILD = """
import sys
from pathlib import Path
from portfolio_tui.curation import Change, CurationStore

store = CurationStore(Path(sys.argv[1]), author="child@test")
n = 0
while True:
    store.apply([Change.notes(f"p{n}.jpg", "x" * 500), Change.rating("a.jpg", 1 + n % 5)])
    print(f"ack {n}", flush=True)
    n += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="needs SIGTERM")
def test_curation_writer_terminated_keeps_every_printed_change(
    tmp_path: Path, group_reaper: list[subprocess.Popen[str]]
) -> None:
    for round_ in range(3):
        child = spawn(
            group_reaper, [sys.executable, "-c", CURATION_CHILD, str(tmp_path)], tmp_path, {}
        )
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.startswith("ack"), first
        time.sleep(0.02 * round_)
        os.killpg(child.pid, signal.SIGTERM)
        rest, _ = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGTERM
        acked = read_acks(first, rest)
        snap = CurationStore(tmp_path).load()  # valid, or this raises
        for n in acked:
            assert snap.photo(f"p{n}.jpg").notes == "x" * 500, (round_, n)
    CurationStore(tmp_path).apply([Change.rating("done.jpg", 1)])
    assert names(tmp_path) == CURATION_FILES
