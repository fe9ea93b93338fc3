"""Thumbnails for tiles the user has already scrolled past are not decoded."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from ui_support import settle

from conftest import ImageMaker
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.rendering import Rendered
from portfolio_tui.ui.widgets import thumb_loader
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid


async def test_jumping_to_the_end_abandons_the_start(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(200):
        make_image(tmp_path / "shoot" / f"img{i:03d}.jpg", size=(8, 10), color=(i, 90, 150))
    decoded: list[str] = []
    lock = threading.Lock()
    gate = threading.Event()
    real_render = thumb_loader.render_photo

    def counting_render(path: Path, *args: int) -> Rendered:
        gate.wait(10)  # hold the first decodes until the user has jumped
        with lock:
            decoded.append(path.name)
        return real_render(path, *args)

    monkeypatch.setattr(thumb_loader, "render_photo", counting_render)
    app = PortfolioApp(open_portfolio(tmp_path), open_target="gallery:shoot")
    async with app.run_test(size=(100, 30)) as pilot:
        grid = app.screen.query_one(ThumbGrid)
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        gate.set()
        await settle(pilot)
        assert grid.cursor == 199
        assert grid.thumbnail(grid.photos[199]) is not None
        # Only what was already being decoded at the start finished; the rest
        # of the first screens was dropped when the user jumped away.
        early = [name for name in decoded if name < "img100"]
        assert len(early) <= 2 * thumb_loader.DECODE_THREADS
        assert len(decoded) < 60
