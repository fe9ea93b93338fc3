"""The grid keeps a bounded number of thumbnails in memory however far you scroll."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import settle

from conftest import ImageMaker
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.widgets import thumb_loader
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid


async def test_scrolling_a_long_gallery_keeps_memory_bounded(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(90):
        make_image(tmp_path / "shoot" / f"img{i:03d}.jpg", size=(8, 10), color=(i, 80, 160))
    monkeypatch.setattr(thumb_loader, "MAX_LOADED_THUMBS", 24)
    app = PortfolioApp(open_portfolio(tmp_path), open_target="gallery:shoot")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        while grid.cursor < 89:  # page through everything, as a culler would
            await pilot.press("pagedown")
            await settle(pilot)
        assert len(grid.loader.thumbs) <= 24
        # What is on screen now is loaded, even though the start was forgotten.
        assert grid.thumbnail(grid.photos[89]) is not None
        assert grid.thumbnail(grid.photos[0]) is None
        await pilot.press("home")
        await settle(pilot)
        assert grid.thumbnail(grid.photos[0]) is not None  # loaded again on return
