"""Two curators at once: two real app processes in tmux on one portfolio.

Each rates different photos; both sets end up in the curation store (curation.sqlite),
each signed by its author and in the history, and each app shows the other's ratings
while it runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ImageMaker
from portfolio_tui.store.sqlite_curation import SqliteCurationStore

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (Debian: tmux)")


def tmux(socket: str, *args: str) -> str:
    result = subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10, check=False
    )
    return result.stdout


def star_runs(screen: str) -> set[int]:
    """The ratings drawn on ``screen`` (a photo rated 3 shows ``★★★``)."""
    return {len(run) for run in re.findall("★+", screen)}


def wait_for(predicate, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_two_instances_rating_different_photos_both_land(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "p"
    for i in range(6):
        make_image(root / "g" / f"{i}.jpg", size=(80, 100), color=(40 * i, 100, 160))
    socket = f"pt-{os.getpid()}"
    # pytest exports COLUMNS=80 and LINES=24, which Textual would take over the pane's size.
    env = f"env -u COLUMNS -u LINES XDG_CACHE_HOME={tmp_path / 'cache'}"
    python = sys.executable

    def start(window: str, who: str) -> None:
        command = f"{env} {python} -m portfolio_tui {root} --open gallery:g --as {who}; sleep 5"
        if window == "alice":
            tmux(
                socket,
                "new-session",
                "-d",
                "-s",
                "cull",
                "-n",
                window,
                "-x",
                "160",
                "-y",
                "40",
                command,
            )
        else:
            tmux(socket, "new-window", "-t", "cull", "-n", window, command)

    def screen(window: str) -> str:
        return tmux(socket, "capture-pane", "-p", "-t", f"cull:{window}")

    def keys(window: str, *names: str) -> None:
        for name in names:
            tmux(socket, "send-keys", "-t", f"cull:{window}", name)
            time.sleep(0.15)

    try:
        start("alice", "alice@studio")
        start("bob", "bob@studio")
        for window in ("alice", "bob"):
            assert wait_for(lambda w=window: "0.jpg" in screen(w)), screen(window)
        keys("alice", "3", "Right", "4")  # 0.jpg: 3 stars, 1.jpg: 4 stars
        keys("bob", "Right", "Right", "Right", "5", "Right", "p")  # 3.jpg: 5 stars, 4.jpg: pick
        # Each sees the other's work while it runs (live, within two seconds).
        # Only bob rates 5 and flags, only alice rates 3 and 4.
        assert wait_for(lambda: 5 in star_runs(screen("alice")) and "⚑" in screen("alice"), 5), (
            screen("alice")
        )
        assert wait_for(lambda: {3, 4} <= star_runs(screen("bob")), 5), screen("bob")
        keys("alice", "q")
        keys("bob", "q")
        time.sleep(1.0)
    finally:
        tmux(socket, "kill-server")
    assert not (root / "curation.toml").exists()
    with SqliteCurationStore(root, read_only=True) as store:
        snapshot = store.load()
        entries = store.history().entries
    got = {rel: (c.rating, c.flag, c.updated_by) for rel, c in snapshot.photos.items()}
    assert got == {
        "g/0.jpg": (3, None, "alice@studio"),
        "g/1.jpg": (4, None, "alice@studio"),
        "g/3.jpg": (5, None, "bob@studio"),
        "g/4.jpg": (0, "pick", "bob@studio"),
    }
    changes = sorted((e.by, e.photo, e.field, e.after) for e in entries)
    assert changes == [
        ("alice@studio", "g/0.jpg", "rating", 3),
        ("alice@studio", "g/1.jpg", "rating", 4),
        ("bob@studio", "g/3.jpg", "rating", 5),
        ("bob@studio", "g/4.jpg", "flag", "pick"),
    ]
