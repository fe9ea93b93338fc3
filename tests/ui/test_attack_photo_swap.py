"""Issue 21, item 9d, in the app: a photo swapped after load is refused where it is drawn.

The portfolio is loaded; then photo ``a.png`` is replaced by a symbolic link to
a bright green image outside the portfolio (or by a FIFO). The grid, the
loupe, a comparison and a presentation must show the ⚠ reason instead, and no
cell on screen may carry the outside image's green.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from rich.color import Color
from ui_support import screen_text, settle

from conftest import ImageMaker, write
from portfolio_tui.portfolio import Portfolio, open_portfolio
from portfolio_tui.ui.app import PortfolioApp

SIZE = (120, 40)
GREEN = (0, 255, 0)
CONFIG = """\
[[galleries]]
id = "g"

[[comparisons]]
id = "c"
photos = ["g/a.png", "g/b.png"]
"""


def symlink(target: Path | str, link: Path) -> None:
    try:
        os.symlink(target, link)
    except (OSError, NotImplementedError) as exc:  # pragma: no cover - e.g. Windows
        pytest.skip(f"cannot create symlinks here: {exc}")


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    folder = tmp_path / "pf"
    make_image(folder / "g" / "a.png", size=(80, 60), color=(200, 30, 30), fmt="PNG")
    make_image(folder / "g" / "b.png", size=(80, 60), color=(30, 30, 200), fmt="PNG")
    write(folder / "config.toml", CONFIG)
    return folder


@pytest.fixture
def swapped(root: Path, tmp_path: Path) -> Portfolio:
    """The portfolio as loaded; a.png is then a link to an outside green image."""
    outside = tmp_path / "outside" / "private.png"
    outside.parent.mkdir()
    Image.new("RGB", (80, 60), GREEN).save(outside)
    portfolio = open_portfolio(root)
    (root / "g" / "a.png").unlink()
    symlink(outside, root / "g" / "a.png")
    return portfolio


@pytest.fixture
def fifo_swapped(root: Path) -> Iterator[Portfolio]:
    """The portfolio as loaded; a.png is then a FIFO (given a writer at the end)."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    portfolio = open_portfolio(root)
    fifo = root / "g" / "a.png"
    fifo.unlink()
    os.mkfifo(fifo)
    yield portfolio
    for _ in range(20):  # let any reader stuck in open() go
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            break


def near_green(color: Color | None) -> bool:
    if color is None:
        return False
    r, g, b = color.get_truecolor()
    return g > 200 and r < 60 and b < 60


def green_cells(app: PortfolioApp) -> int:
    """Cells on screen whose foreground or background is the outside image's green."""
    found = 0
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            if style is not None and (near_green(style.color) or near_green(style.bgcolor)):
                found += len(segment.text)
    return found


async def shows_reason_not_pixels(app: PortfolioApp, reason: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert green_cells(app) == 0
        text = screen_text(app)
        assert "⚠" in text
        assert reason in text.replace("\n", " ") or reason.split()[0] in text, text


@pytest.mark.parametrize(
    "target", ["gallery:g", "photo:g/a.png", "comparison:c"], ids=["grid", "loupe", "compare"]
)
async def test_a_photo_swapped_for_an_outside_link_shows_a_reason_not_its_pixels(
    swapped: Portfolio, target: str
) -> None:
    await shows_reason_not_pixels(PortfolioApp(swapped, open_target=target), "symbolic")


async def test_presenting_never_shows_the_outside_pixels(swapped: Portfolio) -> None:
    app = PortfolioApp(swapped, open_target="gallery:g", present=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(3):  # the title card, then a.png, then b.png
            assert green_cells(app) == 0
            await pilot.press("right")
            await settle(pilot)
        assert green_cells(app) == 0


@pytest.mark.parametrize("target", ["gallery:g", "photo:g/a.png"], ids=["grid", "loupe"])
async def test_a_fifo_swapped_in_does_not_hang_the_grid_or_the_loupe(
    fifo_swapped: Portfolio, target: str
) -> None:
    app = PortfolioApp(fifo_swapped, open_target=target)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # fails after 20 s if a decoder is stuck on the FIFO
        assert "⚠" in screen_text(app)
