"""Issue 21, item 6: the app ends at once when its terminal hangs up.

When the terminal goes (the ssh client left and sshd closed the pty), the app
must end, not read end of file for ever at full CPU. SIGHUP used to be the
only way out: an app started with SIGHUP ignored, or without the terminal as
its controlling terminal (so no SIGHUP comes), spun until killed.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from app_pty import DA1_PLAIN, AppInPty, app_argv, app_env, env_ignores_signals
from conftest import ImageMaker

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux pty")

HUNG_UP = 128 + 1  # the exit status after a hang-up, as after SIGHUP


@pytest.fixture
def portfolio(tmp_path: Path, make_image: ImageMaker) -> Path:
    root = tmp_path / "p"
    make_image(root / "g" / "a.jpg", size=(80, 100))
    return root


@pytest.mark.skipif(not env_ignores_signals(), reason="needs env --ignore-signal (coreutils)")
def test_the_app_ends_when_the_terminal_hangs_up_even_with_sighup_ignored(
    portfolio: Path, tmp_path: Path
) -> None:
    argv = ["env", "--ignore-signal=HUP", *app_argv(str(portfolio), "--open", "gallery:g")]
    app = AppInPty(argv, app_env(tmp_path), cols=100, rows=30)
    app.spawn()
    try:
        assert app.wait_for(b"a.jpg"), f"the app did not draw its grid: {app.status=}"
        app.settle(0.3)
        os.close(app.fd)  # the terminal goes away
        app.fd = -1
        deadline = time.monotonic() + 5
        while not app.exited() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert app.status == HUNG_UP
    finally:
        app.close()


def test_the_app_ends_on_a_hang_up_that_sends_no_signal(portfolio: Path, tmp_path: Path) -> None:
    # The pty is the app's standard streams but not its controlling terminal: closing
    # it sends no SIGHUP, and reads return end of file.
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    child = subprocess.Popen(
        app_argv(str(portfolio), "--open", "gallery:g"),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=app_env(tmp_path),
        start_new_session=True,
    )
    os.close(slave)
    try:
        output = b""
        deadline = time.monotonic() + 20
        while b"a.jpg" not in output and time.monotonic() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                data = os.read(master, 1 << 16)
                output += data
                if b"\x1b[c" in data:
                    os.write(master, DA1_PLAIN)
        assert b"a.jpg" in output, "the app did not draw its grid"
        time.sleep(0.3)
        os.close(master)
        master = -1
        assert child.wait(timeout=5) == HUNG_UP
    finally:
        if master >= 0:
            os.close(master)
        if child.poll() is None:
            child.kill()
            child.wait()
