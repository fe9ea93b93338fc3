"""Camera JPEGs show their embedded EXIF thumbnail at once, then the real thumbnail."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from ui_support import settle

from conftest import write_jpeg_with_thumbnail
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.rendering import Rendered
from portfolio_tui.ui.widgets import thumb_loader
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid


async def test_placeholder_first_then_the_real_thumbnail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        write_jpeg_with_thumbnail(tmp_path / "shoot" / f"img{i}.jpg")
    release = threading.Event()
    real_render = thumb_loader.render_photo

    def slow_render(*args: object) -> Rendered:
        release.wait(10)  # the full decode is still "running"
        return real_render(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(thumb_loader, "render_photo", slow_render)
    app = PortfolioApp(open_portfolio(tmp_path), open_target="gallery:shoot")
    async with app.run_test(size=(100, 30)) as pilot:
        grid = app.screen.query_one(ThumbGrid)
        for _ in range(100):
            await pilot.pause(0.02)
            loaded = [grid.thumbnail(p) for p in grid.photos]
            if all(r is not None for r in loaded):
                break
        assert all(r is not None and r.placeholder for r in loaded)
        # The placeholder is the green embedded picture.
        first = loaded[0]
        assert first is not None
        style = first.strips[len(first.strips) // 2]._segments[-1].style
        assert style is not None and style.color is not None
        assert style.color.triplet is not None and style.color.triplet.green > 150

        release.set()
        await asyncio.sleep(0)
        await settle(pilot)
        final = [grid.thumbnail(p) for p in grid.photos]
        assert all(r is not None and not r.placeholder for r in final)
        real = final[0]
        assert real is not None
        style = real.strips[len(real.strips) // 2]._segments[-1].style
        assert style is not None and style.color is not None and style.color.triplet is not None
        assert style.color.triplet.blue > 150  # the blue main image replaced it
