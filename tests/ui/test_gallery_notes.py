"""A gallery's notes (config notes and _gallery.md) beside its grid, toggled with N."""

from __future__ import annotations

from ui_support import screen_text, settle

from portfolio_tui.portfolio import Portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.gallery import GalleryScreen


async def test_gallery_notes_open_beside_the_grid_on_a_wide_terminal(
    demo_portfolio: Portfolio,
) -> None:
    app = PortfolioApp(demo_portfolio, open_target="gallery:studio")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, GalleryScreen)
        notes = app.screen.query_one("#gallery-notes")
        assert notes.display
        # The heading comes from portfolio/studio/_gallery.md.
        assert "How to read this gallery" in screen_text(app)
        await pilot.press("N")
        assert not notes.display
        assert "How to read this gallery" not in screen_text(app)


async def test_gallery_notes_start_hidden_on_a_narrow_terminal(demo_portfolio: Portfolio) -> None:
    app = PortfolioApp(demo_portfolio, open_target="gallery:studio")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        notes = app.screen.query_one("#gallery-notes")
        assert not notes.display
        await pilot.press("N")
        assert notes.display
