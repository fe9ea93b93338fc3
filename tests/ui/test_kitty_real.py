"""Kitty graphics in a real kitty (Debian 12's 0.26, no Unicode placeholders) on Xvfb.

Before issue 15 the app drew a wall of placeholder boxes there. The test opens
a synthetic photo in the loupe with ``graphics = "auto"``, screenshots kitty
(``scripts/kitty_screenshot.py``) and finds the photo drawn in real pixels:
four solid quadrants of the right shape, a checkerboard alternating finer than
a cell, and a smooth colour gradient showing thousands of distinct colours.
Placeholder boxes show two colours; half-blocks one colour per half-cell.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image
from test_xterm_sixel import checker_runs, find_pattern, pattern

REPO = Path(__file__).resolve().parents[2]


def _load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "kitty_screenshot", REPO / "scripts" / "kitty_screenshot.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = _load_harness()

pytestmark = pytest.mark.skipif(
    bool(harness.missing_tools()),
    reason=f"needs {', '.join(harness.missing_tools()) or 'nothing'} on PATH "
    "(Debian packages kitty, xvfb, imagemagick)",
)

SIZE = (400, 300)
SQUARE = 2


def photo() -> Image.Image:
    """The xterm test's quadrants and checkerboard, with the checkerboard's right half a
    gradient (green fixed at 128, so no pixel of it is near a quadrant's colour)."""
    image = pattern(SIZE, square=SQUARE)
    width, height = SIZE
    left, top = width // 2, height // 4
    gradient = Image.new("RGB", (width // 4, height // 2))
    gw, gh = gradient.size
    gradient.putdata(
        [(255 * x // (gw - 1), 128, 255 * y // (gh - 1)) for y in range(gh) for x in range(gw)]
    )
    image.paste(gradient, (left, top))
    return image


def _shows_pattern(png: bytes) -> bool:
    with Image.open(io.BytesIO(png)) as shot:
        try:
            find_pattern(shot.convert("RGB"))
        except AssertionError:
            return False
    return True


def test_kitty_draws_the_loupe_photo_in_real_pixels(tmp_path: Path) -> None:
    version = harness.kitty_version()
    portfolio = tmp_path / "portfolio"
    (portfolio / "shoot").mkdir(parents=True)
    photo().save(portfolio / "shoot" / "pattern.png")
    out = tmp_path / "shot.png"
    app = [sys.executable, "-m", "portfolio_tui", str(portfolio)]
    app += ["--graphics", "auto", "--open", "photo:shoot/pattern.png"]
    # kitty on software OpenGL can hold the screen still a while before the image shows.
    harness.screenshot(app, out, wait=40, min_wait=5, quiet=2, ready=_shows_pattern)

    with Image.open(out) as shot_file:
        shot = shot_file.convert("RGB")
    found = find_pattern(shot)
    assert abs(found.width / found.height - SIZE[0] / SIZE[1]) < 0.05, (found, version)
    assert found.width >= 300, found  # large in the loupe, not a thumbnail
    # The checkerboard (left half of the middle) alternates finer than a cell
    # (8 px or more across here): real pixels, not half-blocks, not boxes.
    runs = checker_runs(shot, found)
    assert len(runs) > 30, runs
    assert sum(runs) / len(runs) < 5, runs
    # The gradient (right half of the middle) keeps its thousands of colours.
    gx = found.left + found.width // 2 + 4
    gy = found.top + found.height // 4 + 4
    patch = shot.crop((gx, gy, gx + found.width // 4 - 8, gy + found.height // 2 - 8))
    colours = len(patch.getcolors(maxcolors=patch.width * patch.height) or [])
    assert colours > 1000, colours
