"""A portfolio with problems opens anyway and says what is wrong, not just how many."""

from __future__ import annotations

from pathlib import Path

from ui_support import screen_text, settle

from conftest import ImageMaker, write
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.home import HomeScreen


async def test_a_missing_gallery_folder_is_named_and_the_rest_still_opens(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(tmp_path / "p" / "a" / "x.jpg")
    write(
        tmp_path / "config.toml",
        '[portfolio]\ntitle = "Miss"\nroot = "p"\n'
        '[[galleries]]\nid = "a"\n[[galleries]]\nid = "gone"\nfolder = "nope"\n',
    )
    app = PortfolioApp(open_portfolio(tmp_path / "config.toml"))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.pause(0.2)  # toasts mount after the first refresh
        text = screen_text(app)
        assert "1 problem in this portfolio" in text
        # The toast wraps; the message's words are there, whichever line they land on.
        words = " ".join(text.replace("▌", " ").split())
        assert "gallery folder 'nope' does not exist under" in words
        await pilot.press("enter")  # the good gallery still opens
        await settle(pilot)
        assert type(app.screen).__name__ == "GalleryScreen"


async def test_help_says_when_the_colour_depth_is_forced(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(tmp_path / "a" / "x.jpg")
    app = PortfolioApp(open_portfolio(tmp_path), colors="256")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert 'forced by colors = "256"' in app.graphics_description
        await pilot.press("question_mark")
        await settle(pilot)
        words = " ".join(screen_text(app).replace("│", " ").split())
        assert 'forced by colors = "256"' in words
        assert "Pictures: colour half-blocks" in words
