"""Sixel in a real terminal: xterm (VT340 mode) on Xvfb, screenshotted with ImageMagick.

Each test draws a synthetic picture (four coloured quadrants around a patch of
fine checkerboard), takes a screenshot of the terminal with
``scripts/xterm_screenshot.py`` and finds the picture in it: the quadrants must
form a rectangle of the expected size, and the checkerboard must still
alternate at a pitch finer than a terminal cell. Half-block output cannot do
that: it has one colour per cell across (6 pixels with the harness's font).
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image, ImageChops, ImageFilter

REPO = Path(__file__).resolve().parents[2]


def _load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "xterm_screenshot", REPO / "scripts" / "xterm_screenshot.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = _load_harness()
CELL_W, CELL_H = harness.CELL_SIZE

pytestmark = pytest.mark.skipif(
    bool(harness.missing_tools()),
    reason=f"needs {', '.join(harness.missing_tools()) or 'nothing'} on PATH "
    "(Debian packages xterm, xvfb, imagemagick)",
)

RED = (220, 30, 30)
GREEN = (30, 180, 40)
BLUE = (30, 40, 220)
YELLOW = (240, 220, 20)
QUADRANTS = (RED, GREEN, BLUE, YELLOW)  # top left, top right, bottom left, bottom right
TOLERANCE = 48
"""How far (per channel) a screen pixel may be from a quadrant colour (Sixel colour
registers are in percent, and a 256-register palette may be chosen for the whole picture)."""


def _shows_pattern(png: bytes) -> bool:
    """Whether the screen shows the pattern yet (not the loupe's "loading…")."""
    with Image.open(io.BytesIO(png)) as shot:
        try:
            find_pattern(shot.convert("RGB"))
        except AssertionError:
            return False
    return True


def pattern(size: tuple[int, int], square: int) -> Image.Image:
    """Four coloured quadrants, with a black-and-white checkerboard of ``square``-pixel
    squares over the middle half of the picture (a quarter of its area)."""
    width, height = size
    image = Image.new("RGB", size)
    half_w, half_h = width // 2, height // 2
    for (x, y), colour in zip(((0, 0), (1, 0), (0, 1), (1, 1)), QUADRANTS, strict=True):
        image.paste(colour, (x * half_w, y * half_h, (x + 1) * half_w, (y + 1) * half_h))
    left, top = width // 4, height // 4
    for y in range(top, top + half_h):
        for x in range(left, left + half_w):
            dark = ((x - left) // square + (y - top) // square) % 2 == 0
            image.putpixel((x, y), (0, 0, 0) if dark else (255, 255, 255))
    return image


@dataclass(frozen=True)
class Found:
    """Where the pattern is in a screenshot, in screen pixels."""

    left: int
    top: int
    right: int  # exclusive
    bottom: int  # exclusive

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


def _colour_box(shot: Image.Image, colour: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """Bounding box of the solid areas of ``colour`` on screen. The mask is opened (eroded,
    then dilated, by a 5 x 5 square), so thin strokes of a similar colour elsewhere on
    screen, such as text, do not count."""
    difference = ImageChops.difference(shot, Image.new("RGB", shot.size, colour))
    near = [band.point(lambda v: 255 if v <= TOLERANCE else 0) for band in difference.split()]
    mask = ImageChops.multiply(ImageChops.multiply(near[0], near[1]), near[2])
    opened = mask.filter(ImageFilter.MinFilter(5)).filter(ImageFilter.MaxFilter(5))
    box = opened.getbbox()
    if box is None:
        raise AssertionError(f"no region of colour {colour} on screen")
    return box


def find_pattern(shot: Image.Image) -> Found:
    """The pattern's rectangle, checked to be four quadrants in the right places."""
    red, green, blue, yellow = (_colour_box(shot, colour) for colour in QUADRANTS)
    # Quadrants meet: red is left of green and above blue, yellow is bottom right.
    assert red[2] <= green[0] + 2 and red[3] <= blue[1] + 2, (red, green, blue)
    assert abs(red[0] - blue[0]) <= 2 and abs(green[2] - yellow[2]) <= 2, (red, blue, green)
    assert abs(red[1] - green[1]) <= 2 and abs(blue[3] - yellow[3]) <= 2, (red, green, blue)
    return Found(red[0], red[1], max(green[2], yellow[2]), max(blue[3], yellow[3]))


def checker_runs(shot: Image.Image, found: Found) -> list[int]:
    """Lengths of the dark and light runs along the middle row of the checkerboard."""
    y = found.top + found.height // 2
    # Stay a little inside the patch (the middle half), away from resampled edges.
    start = found.left + found.width // 4 + 3
    end = found.left + 3 * found.width // 4 - 3
    row = shot.convert("L").crop((start, y, end, y + 1))
    runs: list[int] = []
    current: bool | None = None
    for value in row.tobytes():
        dark = value < 128
        if dark == current:
            runs[-1] += 1
        else:
            runs.append(1)
            current = dark
    return runs[1:-1]  # the first and last runs are cut by the window


@pytest.fixture
def no_leftovers(tmp_path: Path) -> Iterator[Path]:
    """A file for the command's pid; afterwards the command must be gone."""
    pidfile = tmp_path / "command.pid"
    yield pidfile
    if pidfile.exists():
        pid = int(pidfile.read_text())
        stat = Path(f"/proc/{pid}/stat")
        alive = stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        assert not alive, f"the command (pid {pid}) outlived the screenshot"


def _imagemagick_writes_sixel() -> bool:
    convert = shutil.which("convert")
    if convert is None:
        return False
    listing = subprocess.run([convert, "-list", "format"], capture_output=True, text=True)
    return any(
        line.split()[:1] == ["SIXEL*"] or ("SIXEL" in line and "rw" in line)
        for line in listing.stdout.splitlines()
    )


@pytest.mark.skipif(not _imagemagick_writes_sixel(), reason="ImageMagick cannot write Sixel")
def test_xterm_draws_imagemagick_sixel_at_pixel_resolution(
    tmp_path: Path, no_leftovers: Path
) -> None:
    size = (240, 160)
    source = tmp_path / "pattern.png"
    pattern(size, square=1).save(source)
    out = tmp_path / "shot.png"
    script = f'echo $$ > "{no_leftovers}"; convert "{source}" sixel:-; exec sleep 30'
    harness.screenshot(["sh", "-c", script], out, cols=80, rows=24, min_wait=1.0, wait=15)

    with Image.open(out) as shot_file:
        shot = shot_file.convert("RGB")
    assert shot.size == (80 * CELL_W, 24 * CELL_H)
    found = find_pattern(shot)
    assert abs(found.width - size[0]) <= 3 and abs(found.height - size[1]) <= 3, found
    runs = checker_runs(shot, found)
    # One-pixel squares: the row alternates every pixel.
    assert len(runs) >= size[0] // 2 - 10, runs
    assert max(runs) <= 2, runs


def test_app_draws_photo_in_sixel_in_xterm(tmp_path: Path, no_leftovers: Path) -> None:
    size = (400, 300)
    square = 2
    portfolio = tmp_path / "portfolio"
    (portfolio / "shoot").mkdir(parents=True)
    pattern(size, square=square).save(portfolio / "shoot" / "pattern.png")
    out = tmp_path / "shot.png"
    app = [sys.executable, "-m", "portfolio_tui", str(portfolio)]
    app += ["--graphics", "sixel", "--open", "photo:shoot/pattern.png"]
    script = 'echo $$ > "$0"; exec "$@"'
    harness.screenshot(
        ["sh", "-c", script, str(no_leftovers), *app],
        out,
        cols=120,
        rows=40,
        quiet=1.5,
        wait=18,
        ready=_shows_pattern,
    )

    with Image.open(out) as shot_file:
        shot = shot_file.convert("RGB")
    found = find_pattern(shot)
    # The photo is scaled to the loupe, keeping its shape; it is drawn large.
    assert abs(found.width / found.height - size[0] / size[1]) < 0.05, found
    assert found.width >= 30 * CELL_W, found
    scale = found.width / size[0]
    runs = checker_runs(shot, found)
    # Squares of `square` image pixels are `square * scale` screen pixels: far finer
    # than a cell, which is all half-blocks can show across.
    expected = (found.width // 2 - 6) / (square * scale)
    assert len(runs) >= 0.8 * expected - 2, (runs, expected)
    assert sum(runs) / len(runs) < CELL_W * 2 / 3, runs


def test_present_mode_fills_the_xterm_with_the_photo_in_sixel(
    tmp_path: Path, no_leftovers: Path
) -> None:
    """--present: the photo in Sixel at the full terminal height, no bars around it."""
    size = (400, 300)
    portfolio = tmp_path / "portfolio"
    (portfolio / "shoot").mkdir(parents=True)
    pattern(size, square=2).save(portfolio / "shoot" / "pattern.png")
    out = tmp_path / "shot.png"
    cols, rows = 120, 40
    app = [sys.executable, "-m", "portfolio_tui", str(portfolio), "--present"]
    app += ["--graphics", "sixel", "--open", "photo:shoot/pattern.png"]
    script = 'echo $$ > "$0"; exec "$@"'
    harness.screenshot(
        ["sh", "-c", script, str(no_leftovers), *app],
        out,
        cols=cols,
        rows=rows,
        quiet=1.5,
        wait=18,
        ready=_shows_pattern,
    )

    with Image.open(out) as shot_file:
        shot = shot_file.convert("RGB")
    found = find_pattern(shot)
    assert abs(found.width / found.height - size[0] / size[1]) < 0.05, found
    # All rows but the slideshow's progress row: the loupe's title bar, footer and
    # notes are gone (the landscape pattern is limited by the height here).
    assert found.height > (rows - 2) * CELL_H, found
    assert len(checker_runs(shot, found)) > 40  # real pixels, not half-blocks
