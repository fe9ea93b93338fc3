"""Issue 21, item 5: the picture boxes a terminal's cell size leads to are bounded.

The unit tests check the box math of Kitty and Sixel pictures (the loupe's fit,
zooms and splits); the last test runs the app in a pseudo-terminal whose
"terminal" claims 120x240-pixel cells, and measures the app's peak memory
(VmHWM) while it draws a photo in the loupe.
"""

from __future__ import annotations

import base64
import io
import re
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from app_pty import AppInPty, app_argv, app_env, peak_kb
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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_app_stays_small_when_the_terminal_claims_huge_cells(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "p"
    make_image(root / "g" / "a.jpg", size=(400, 500))
    app = AppInPty(
        app_argv(str(root), "--open", "photo:g/a.jpg", "--graphics", "kitty", "--read-only"),
        app_env(tmp_path),
        cols=200,
        rows=50,  # no pixel fields in the window size: the app asks with CSI 16 t
        on_cell=lambda: b"\x1b[6;%d;%dt" % (HUGE[1], HUGE[0]),
    )
    app.spawn()
    peak = 0
    try:
        deadline = time.monotonic() + 40
        drawn_at: float | None = None
        while time.monotonic() < deadline and not app.exited():
            peak = max(peak, peak_kb(app.pid))
            if peak > PEAK_BOUND_MB * 1024:
                break  # no need to watch it grow further
            if drawn_at is not None and time.monotonic() - drawn_at > 1.0:
                break
            app.pump(0.05)
            # Placed: virtually (placeholders) or, forced kitty outside tmux, directly.
            if drawn_at is None and b"\x1b_Ga=p," in app.output:
                drawn_at = time.monotonic()
        peak = max(peak, peak_kb(app.pid))
        assert peak <= PEAK_BOUND_MB * 1024, f"peak {peak // 1024} MB"
        assert drawn_at is not None, f"the photo was never sent: {bytes(app.output[-1500:])!r}"
        app.write(b"q")
        assert app.wait(10) == 0
    finally:
        app.close()
