"""A Kitty placement or Sixel picture still reaches the terminal when another widget crosses it.

Textual's compositor cuts each screen line at every widget's edge (Rich's
``Segment.divide``) and keeps nothing after the last cut: escape sequences
appended after the last cell of a line were dropped whenever a toast, or any
widget, crossed that line. A Kitty placement now goes straight to the terminal;
a Sixel picture goes inside the line, after its own cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static
from ui_support import screen_strips, settle

from conftest import ImageMaker
from portfolio_tui.graphics.detect import Capabilities
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.pictures import Picture, PictureSettings
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.photo_view import PhotoView

OLD_KITTY = Capabilities(
    "kitty",
    "kitty 0.26.5: direct placement",
    (8, 16),
    tmux=False,
    passthrough=False,
    terminal="kitty 0.26.5",
    placeholders=False,
)
SIXEL = Capabilities("sixel", "xterm: Sixel", (8, 16), tmux=False, passthrough=False)
SIZE = (100, 30)


@pytest.fixture
def shoot(tmp_path: Path, make_image: ImageMaker) -> Path:
    root = tmp_path / "shoot"
    # Wide, so the picture spans the view's whole width and its last row is the view's.
    make_image(root / "g" / "p0.jpg", size=(1600, 500), color=(200, 40, 40))
    return root


def sent(app: PortfolioApp) -> str:
    """Everything the composited screen would write, escape sequences included."""
    return "".join(text for line in screen_strips(app) for text in line)


class Band(Static):
    """Another widget over the photo's rows, as a toast is."""

    DEFAULT_CSS = "Band { layer: overlay; dock: bottom; width: 20; height: 100%; offset: 10 0; }"


@pytest.mark.parametrize("capabilities", [OLD_KITTY, SIXEL], ids=["kitty-direct", "sixel"])
async def test_the_picture_is_sent_while_another_widget_crosses_its_rows(
    shoot: Path, capabilities: Capabilities
) -> None:
    app = PortfolioApp(
        open_portfolio(shoot),
        open_target="photo:g/p0.jpg",
        pictures=PictureSettings.from_capabilities(capabilities),
    )
    written: list[str] = []
    app.terminal_images.write = written.append
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoupeScreen)
        view = app.screen.query_one(PhotoView)
        assert isinstance(view.rendered, Picture)
        await app.screen.mount(Band("over the photo"))
        await pilot.pause()
        written.clear()
        view.forget_sixel()  # the terminal shows nothing there: the next paint sends it
        frame = sent(app)
        if capabilities is SIXEL:
            assert "\x1bP" in frame
        else:
            assert "\x1b_Ga=p" in "".join(written)
