"""Issue 21, item 5: the picture boxes a terminal's cell size leads to are bounded.

The unit tests check the box math of Kitty and Sixel pictures (the loupe's fit,
zooms and splits); the last test runs the app in a pseudo-terminal whose
"terminal" claims 120x240-pixel cells, and measures the app's peak memory
(VmHWM) while it draws a photo in the loupe.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import io
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest
from PIL import Image

from conftest import ImageMaker
from portfolio_tui.graphics.detect import Capabilities
from portfolio_tui.imaging.sizes import MAX_PICTURE_PIXELS, MAX_PICTURE_SIDE, MAX_SIXEL_PIXELS
from portfolio_tui.imaging.viewport import Viewport
from portfolio_tui.ui import zoom
from portfolio_tui.ui.pictures import Picture, PictureSettings, pixel_fit, render_picture

HUGE = (120, 240)
"""The cell the issue's attacker claimed."""


def pixel_size(picture: Picture) -> tuple[int, int]:
    """The size in pixels of the image a picture sends to the terminal."""
    assert picture.error is None, picture.error
    if picture.mode == "sixel":
        match = re.search(r'"1;1;(\d+);(\d+)', picture.payload)
        assert match is not None
        return int(match.group(1)), int(match.group(2))
    chunks = re.findall(r"\x1b_G[^;]*;([^\x1b]*)\x1b", picture.payload)
    return Image.open(io.BytesIO(base64.b64decode("".join(chunks)))).size


def test_picture_settings_clamp_a_claimed_cell() -> None:
    found = Capabilities("kitty", "asked", HUGE, False, False)
    assert PictureSettings.from_capabilities(found).cell_size == (64, 128)


def test_a_pixel_box_is_at_most_a_few_thousand_pixels_a_side() -> None:
    width, height = pixel_fit(300, 80, HUGE)
    assert max(width, height) <= MAX_PICTURE_SIDE and width * height <= MAX_PICTURE_PIXELS
    width, height = pixel_fit(300, 80, HUGE, max_pixels=MAX_SIXEL_PIXELS)
    assert width * height <= MAX_SIXEL_PIXELS
    assert abs(width / height - (300 * 120) / (80 * 240)) < 0.01  # the view's shape
    assert pixel_fit(100, 30, (10, 20)) == (1000, 600)  # real boxes are untouched


@pytest.mark.parametrize("mode", ["kitty", "sixel"])
def test_a_huge_cell_gives_a_bounded_picture(
    tmp_path: Path, make_image: ImageMaker, mode: str
) -> None:
    path = make_image(tmp_path / "big.jpg", size=(3000, 3000))
    settings = PictureSettings(mode=mode, cell_size=HUGE)  # as if nothing had clamped it
    picture = render_picture(path, 40, 20, None, settings)
    width, height = pixel_size(picture)
    assert max(width, height) <= MAX_PICTURE_SIDE and width * height <= settings.max_pixels
    if mode == "kitty":  # the terminal scales it up: it still fills the view
        assert (picture.cols, picture.rows) == (40, 20)


@pytest.mark.parametrize("mode", ["kitty", "sixel"])
def test_a_small_photo_is_not_upscaled_past_twice_its_pixels(
    tmp_path: Path, make_image: ImageMaker, mode: str
) -> None:
    # A 200x250 photo in 100x24 cells of 20x40 pixels (a HiDPI screen): a 768x960 fit.
    path = make_image(tmp_path / "small.jpg", size=(200, 250))
    settings = PictureSettings(mode=mode, cell_size=(20, 40))
    picture = render_picture(path, 100, 24, None, settings)
    assert pixel_size(picture) == (400, 500)
    if mode == "kitty":  # sent at 2x, shown as large as before (Kitty scales it)
        assert (picture.cols, picture.rows) == (39, 24)
    else:  # Sixel is drawn at its own pixels
        assert (picture.cols, picture.rows) == (20, 13)


@pytest.mark.parametrize("mode", ["kitty", "sixel"])
def test_zoomed_and_split_views_are_bounded(
    tmp_path: Path, make_image: ImageMaker, mode: str
) -> None:
    first = make_image(tmp_path / "a.jpg", size=(3000, 3000))
    second = make_image(tmp_path / "b.jpg", size=(3000, 3000), color=(10, 200, 10))
    settings = PictureSettings(mode=mode, cell_size=HUGE)
    zoom.clear()
    for request in (
        zoom.ViewRequest(first, Viewport(zoom=4.0)),
        zoom.ViewRequest(first, Viewport(), second, 0.5),
    ):
        picture = zoom.render_view(request, 40, 20, settings)
        assert isinstance(picture, Picture)
        width, height = pixel_size(picture)
        assert max(width, height) <= MAX_PICTURE_SIDE, request
        assert width * height <= settings.max_pixels, request
        if mode == "kitty":  # shown over the whole view all the same
            assert (picture.cols, picture.rows) == (40, 20), request
    zoom.clear()


# -- end to end: the app in a pseudo-terminal that claims huge cells -------------------------
PEAK_BOUND_MB = 250
"""Peak memory the app may reach drawing the loupe (about 85 MB normally; 1.6 GB unclamped)."""


def _peak_kb(pid: int) -> int:
    """The app's peak memory in kB; 0 until it runs (a forked child not yet exec'd has
    the test process's memory)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        if b"-m\0portfolio_tui\0" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return 0
        status = Path(f"/proc/{pid}/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0])
    return 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_app_stays_small_when_the_terminal_claims_huge_cells(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "p"
    make_image(root / "g" / "a.jpg", size=(400, 500))
    argv = [
        sys.executable,
        "-m",
        "portfolio_tui",
        str(root),
        "--open",
        "photo:g/a.jpg",
        "--graphics",
        "kitty",
        "--read-only",
    ]
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PORTFOLIO_TUI_ROLE": "",
    }
    for name in ("COLUMNS", "LINES", "TEXTUAL_COLOR_SYSTEM"):
        env.pop(name, None)
    size = struct.pack("HHHH", 50, 200, 0, 0)  # no pixel fields: the app asks with CSI 16 t
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, size)
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, size)
    output = bytearray()
    peak = 0
    status: int | None = None
    try:
        deadline = time.monotonic() + 40
        drawn_at: float | None = None
        while time.monotonic() < deadline:
            peak = max(peak, _peak_kb(pid))
            if peak > PEAK_BOUND_MB * 1024:
                break  # no need to watch it grow further
            if drawn_at is not None and time.monotonic() - drawn_at > 1.0:
                break
            if not select.select([fd], [], [], 0.05)[0]:
                continue
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                break
            output += data
            if b"\x1b[16t" in data:
                os.write(fd, b"\x1b[6;%d;%dt" % (HUGE[1], HUGE[0]))
            if b"\x1b[c" in data:
                os.write(fd, b"\x1b[?62;22c")
            # Placed: virtually (placeholders) or, forced kitty outside tmux, directly.
            if drawn_at is None and b"\x1b_Ga=p," in output:
                drawn_at = time.monotonic()
        peak = max(peak, _peak_kb(pid))
        assert peak <= PEAK_BOUND_MB * 1024, f"peak {peak // 1024} MB"
        assert drawn_at is not None, f"the photo was never sent: {bytes(output[-1500:])!r}"
        os.write(fd, b"q")
        end = time.monotonic() + 10
        while status is None and time.monotonic() < end:
            if select.select([fd], [], [], 0.05)[0]:
                with contextlib.suppress(OSError):
                    os.read(fd, 1 << 16)
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(code)
        assert status == 0
    finally:
        if status is None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
