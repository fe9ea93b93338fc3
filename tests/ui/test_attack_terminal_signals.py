"""Issue 21, item 9f: Ctrl+\\ or Ctrl+C at start-up must not kill the app (with a core file).

While the app asks the terminal what it can draw, the terminal is in a raw-ish
mode; Ctrl+\\ (byte 0x1c) there sent SIGQUIT and the app died with a core
file, Ctrl+C (0x03) ended it. Now the bytes are read like any other key typed
meanwhile (kept and replayed to the app, where neither quits), and the rest of
start-up, before Textual owns the terminal, ignores SIGQUIT.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from app_pty import DA1_PLAIN, AppInPty, app_argv, app_env
from conftest import ImageMaker

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux pty")


@pytest.fixture
def portfolio(tmp_path: Path, make_image: ImageMaker) -> Path:
    root = tmp_path / "p"
    make_image(root / "g" / "a.jpg", size=(80, 100))
    make_image(root / "g" / "b.jpg", size=(80, 100), color=(20, 90, 200))
    return root


def start(portfolio: Path, tmp_path: Path, on_da1: object = None) -> AppInPty:
    argv = app_argv(str(portfolio), "--open", "gallery:g", "--read-only")
    app = AppInPty(argv, app_env(tmp_path), cols=100, rows=30)
    if on_da1 is not None:
        app.on_da1 = on_da1  # type: ignore[assignment]
    app.spawn()
    return app


def quits_normally(app: AppInPty) -> None:
    assert app.wait_for(b"a.jpg"), f"the app did not draw its grid: {app.status=}"
    app.settle(0.5)
    app.write(b"q")
    assert app.wait(15) == 0, f"exit status {app.status}"


@pytest.mark.parametrize(("key", "name"), [(b"\x1c", "ctrl+backslash"), (b"\x03", "ctrl+c")])
def test_a_signal_key_during_terminal_detection_is_just_a_key(
    portfolio: Path, tmp_path: Path, key: bytes, name: str
) -> None:
    # The terminal takes its time with DA1: the user presses the key meanwhile.
    def slow_da1() -> bytes:
        app.write(key)
        time.sleep(0.1)
        return DA1_PLAIN

    app = start(portfolio, tmp_path, slow_da1)
    try:
        assert app.wait_for(b"\x1b[c", 20), "the app never asked the terminal"
        quits_normally(app)
        assert app.da1_seen >= 1
    finally:
        app.close()


def test_ctrl_backslash_typed_all_through_start_up_does_not_kill_the_app(
    portfolio: Path, tmp_path: Path
) -> None:
    # From the first query until the grid is drawn (Textual's import and start-up
    # in between, with the terminal still in its ordinary mode), Ctrl+\ every 20 ms.
    app = start(portfolio, tmp_path)
    try:
        assert app.wait_for(b"\x1b[c", 20), "the app never asked the terminal"
        deadline = time.monotonic() + 20
        while b"a.jpg" not in app.output and time.monotonic() < deadline and not app.exited():
            app.write(b"\x1c")
            app.pump(0.02)
        quits_normally(app)
    finally:
        app.close()
