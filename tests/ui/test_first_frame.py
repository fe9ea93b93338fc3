"""Start-up: a gallery opened from the command line is drawn once, complete, not in stages."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from ui_support import screen_text, settle

from conftest import ImageMaker
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.rendering import CACHE
from portfolio_tui.ui.screens import gallery as gallery_screen
from portfolio_tui.ui.widgets import thumb_loader
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid


@pytest.fixture
def gallery(tmp_path: Path, make_image: ImageMaker) -> Path:
    for i in range(6):
        make_image(tmp_path / "p" / "g" / f"{i}.jpg", color=(40 * i, 90, 160))
    CACHE.clear()
    return tmp_path / "p"


def record_frames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Each frame the app draws: (tiles with their thumbnail, tiles on screen) at that moment."""
    frames: list[tuple[int, int]] = []
    display = App._display

    def recording(self: App[Any], screen: Any, renderable: Any) -> None:
        if renderable is not None and screen.query(ThumbGrid):
            grid = screen.query_one(ThumbGrid)
            shown = [grid.photos[i] for i in grid._on_screen()]
            drawn = [p for p in shown if (t := grid.thumbnail(p)) and not t.placeholder]
            frames.append((len(drawn), len(shown)))
        display(self, screen, renderable)

    monkeypatch.setattr(App, "_display", recording)
    return frames


async def test_the_first_frame_already_has_every_thumbnail(
    gallery: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The grid's "all drawn" message must release the frame, not the time limit (a
    # loaded machine can take longer than FIRST_FRAME_WAIT to decode six photos).
    monkeypatch.setattr(gallery_screen, "FIRST_FRAME_WAIT", 10.0)
    frames = record_frames(monkeypatch)
    app = PortfolioApp(open_portfolio(gallery), open_target="gallery:g")
    started = time.monotonic()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert frames, "nothing was drawn"
        assert time.monotonic() - started < 5, "the frame waited for the time limit"
        first_drawn, first_shown = frames[0]
        assert first_shown == 6 and first_drawn == 6
        assert "loading" not in screen_text(app)


async def test_a_slow_disk_shows_the_grid_after_a_short_wait_anyway(
    gallery: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thumbnails that do not come hold the first frame back only FIRST_FRAME_WAIT."""
    release = threading.Event()
    real = thumb_loader.render_photo

    def stuck(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(thumb_loader, "render_photo", stuck)
    monkeypatch.setattr(gallery_screen, "FIRST_FRAME_WAIT", 0.05)
    frames = record_frames(monkeypatch)
    app = PortfolioApp(open_portfolio(gallery), open_target="gallery:g")
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause(0.3)
            # Drawn without the thumbnails: the titles, the keys, the empty tiles.
            assert frames and frames[0] == (0, 6)
            assert "0.jpg" in screen_text(app)
            release.set()
            await settle(pilot)
            assert frames[-1] == (6, 6)
    finally:
        release.set()


async def test_a_gallery_opened_from_home_is_drawn_at_once(
    gallery: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only start-up is held: Enter on a gallery card shows the grid straight away."""
    release = threading.Event()
    real = thumb_loader.render_photo

    def stuck(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(*args, **kwargs)

    app = PortfolioApp(open_portfolio(gallery))
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            monkeypatch.setattr(thumb_loader, "render_photo", stuck)
            frames = record_frames(monkeypatch)
            await pilot.press("enter")
            await pilot.pause(0.05)
            assert frames and frames[0][0] == 0
            release.set()
            await settle(pilot)
    finally:
        release.set()
