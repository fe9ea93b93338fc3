"""Issue 21, item 5: the cell size a terminal claims must not set the server's memory.

A viewer's terminal answers ``CSI 16 t`` (or fills the TIOCGWINSZ pixel fields)
with whatever it likes. A claimed 120x240-pixel cell made the loupe decode and
encode a 9216x11520 picture (1.6 GB). The claim is clamped to sizes real
terminals have, and every picture box to a few thousand pixels a side.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ImageMaker
from portfolio_tui.graphics.detect import CELL_HEIGHTS, CELL_WIDTHS, detect
from portfolio_tui.imaging.decode import load_fitted
from portfolio_tui.imaging.sizes import (
    MAX_PICTURE_PIXELS,
    MAX_PICTURE_SIDE,
    limit_box,
    limit_upscale,
)

DA1_SIXEL = b"\x1b[?62;4;22c"
NO_TMUX: dict[str, str] = {}


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    try:
        yield master, slave
    finally:
        os.close(master)
        os.close(slave)


def answer_with(master: int, reply: bytes) -> threading.Thread:
    """A terminal that reads the queries (DA1 last) and sends ``reply``."""

    def run() -> None:
        received = b""
        deadline = time.monotonic() + 2.0
        while not received.endswith(b"\x1b[c") and time.monotonic() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                received += os.read(master, 4096)
        os.write(master, reply)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_the_real_cell_sizes_are_the_bounds() -> None:
    # Small bitmap fonts (5x8) and large HiDPI presentation fonts (44x88) fit; a
    # cell of a whole inch at 300 dpi does not.
    assert CELL_WIDTHS[0] <= 5 and CELL_HEIGHTS[0] <= 8
    assert CELL_WIDTHS[1] >= 44 and CELL_HEIGHTS[1] >= 88
    assert CELL_WIDTHS[1] <= 64 and CELL_HEIGHTS[1] <= 128


@pytest.mark.parametrize("choice", ["auto", "kitty", "sixel"])
def test_a_huge_claimed_cell_is_clamped(pty_pair: tuple[int, int], choice: str) -> None:
    master, slave = pty_pair
    thread = answer_with(master, b"\x1b[6;240;120t" + DA1_SIXEL)
    caps = detect(choice, environ=NO_TMUX, tty=slave, timeout=1.0)
    thread.join(timeout=3)
    assert caps.cell_size == (CELL_WIDTHS[1], CELL_HEIGHTS[1])


def test_a_tiny_claimed_cell_is_clamped(pty_pair: tuple[int, int]) -> None:
    master, slave = pty_pair
    thread = answer_with(master, b"\x1b[6;1;1t" + DA1_SIXEL)
    caps = detect("auto", environ=NO_TMUX, tty=slave, timeout=1.0)
    thread.join(timeout=3)
    assert caps.cell_size == (CELL_WIDTHS[0], CELL_HEIGHTS[0])


def test_huge_window_pixel_fields_are_clamped(pty_pair: tuple[int, int]) -> None:
    # ssh passes the client's pixel size on: 65535 pixels over one column is a claim.
    _master, slave = pty_pair
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 1, 1, 65535, 65535))
    caps = detect("kitty", environ=NO_TMUX, tty=slave)
    assert caps.cell_size == (CELL_WIDTHS[1], CELL_HEIGHTS[1])


def test_real_cell_sizes_pass_unchanged(pty_pair: tuple[int, int]) -> None:
    master, slave = pty_pair
    thread = answer_with(master, b"\x1b[6;38;17t" + DA1_SIXEL)
    caps = detect("auto", environ=NO_TMUX, tty=slave, timeout=1.0)
    thread.join(timeout=3)
    assert caps.cell_size == (17, 38)


def test_a_fit_never_makes_a_picture_larger_than_the_limit(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    path = make_image(tmp_path / "a.png", size=(40, 50), fmt="PNG")
    image = load_fitted(path, (6000, 6000))
    assert max(image.size) <= MAX_PICTURE_SIDE
    assert image.width * image.height <= MAX_PICTURE_PIXELS


def test_limit_box_keeps_the_shape() -> None:
    assert limit_box((800, 600)) == (800, 600)
    assert limit_box((3840, 2160)) == (3840, 2160)  # a 4K screen, at its own pixels
    width, height = limit_box((24_000, 12_000))
    assert max(width, height) <= MAX_PICTURE_SIDE and width * height <= MAX_PICTURE_PIXELS
    assert abs(width / height - 2.0) < 0.01
    width, height = limit_box((10_000, 100))
    assert width == MAX_PICTURE_SIDE and abs(width / height - 100) < 3


def test_limit_upscale_stops_at_twice_the_photo() -> None:
    assert limit_upscale((4000, 1920), (400, 500)) == (800, 1000)
    assert limit_upscale((300, 200), (400, 500)) == (300, 200)  # shrinking is free
