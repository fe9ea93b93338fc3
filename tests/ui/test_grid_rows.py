"""The grid composes whole rows of tiles once and reuses them: what it shows must stay current."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from ui_support import region_lines, settle

from conftest import ImageMaker
from portfolio_tui.portfolio import Photo, open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.rendering import Rendered
from portfolio_tui.ui.widgets import thumb_grid, thumb_loader
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid, Want

SIZE = (100, 30)
"""Three columns of 24-cell thumbnails, one and a half rows on screen."""


def make_gallery(root: Path, make_image: ImageMaker, count: int) -> PortfolioApp:
    for i in range(count):
        make_image(root / "shoot" / f"img{i:03d}.jpg", size=(8, 10), color=(i * 3, 90, 150))
    return PortfolioApp(open_portfolio(root), open_target="gallery:shoot")


def frame_style(grid: ThumbGrid, index: int) -> object:
    """The style of the top frame line of tile ``index`` (which must be on screen)."""
    region = grid.geometry.tile_region(index)
    line = grid.render_line(region.y - int(grid.scroll_offset.y))
    x = 0
    for segment in line:
        if x <= region.x < x + segment.cell_length:
            return segment.style
        x += segment.cell_length
    raise AssertionError("tile not found")


async def test_the_cursor_frame_follows_the_cursor(tmp_path: Path, make_image: ImageMaker) -> None:
    app = make_gallery(tmp_path, make_image, 12)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        for key, cursor in (("right", 1), ("down", 4), ("left", 3), ("up", 0)):
            await pilot.press(key)
            await settle(pilot)
            assert grid.cursor == cursor
            lines = region_lines(app, grid)
            heavy = [(y, line.index("┏")) for y, line in enumerate(lines) if "┏" in line]
            region = grid.geometry.tile_region(cursor).translate(-grid.scroll_offset)
            assert heavy == [(region.y, region.x)], key


async def test_a_thumbnail_that_arrives_later_is_drawn(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    app = make_gallery(tmp_path, make_image, 6)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        before = grid.render_line(3)
        photo = grid.photos[0]
        replacement = Rendered(("x", 0, 0, 0, 0), (Strip([Segment("#" * 24)]),) * 15, width=24)
        grid._add_thumbs([(photo, replacement)], grid.loader.want)
        after = grid.render_line(3)
        assert after.text != before.text
        assert "#" * 24 in after.text


async def test_scrolling_shows_thumbnails_loaded_ahead_not_stale_rows(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    app = make_gallery(tmp_path, make_image, 45)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        for _ in range(4):
            await pilot.press("pagedown")
            await settle(pilot)
            await pilot.pause(thumb_grid.PREFETCH_DELAY + 0.1)  # the pages ahead load
            await settle(pilot)
            for index in grid._on_screen():
                assert grid.thumbnail(grid.photos[index]) is not None
            text = "\n".join(region_lines(app, grid))
            assert "·" not in text  # no placeholder left on screen
        assert len(grid._rows) <= thumb_grid.MAX_CACHED_ROWS


async def test_losing_focus_redraws_the_cursor_in_its_blurred_colour(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    app = make_gallery(tmp_path, make_image, 3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        focused = frame_style(grid, 0)
        app.screen.set_focus(None)
        await pilot.pause()
        blurred = frame_style(grid, 0)
        assert blurred != focused
        grid.focus()
        await pilot.pause()
        assert frame_style(grid, 0) == focused


async def test_the_first_screen_of_thumbnails_arrives_together(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decoded at start-up, they are handed over in one batch (one repaint), not one by one."""
    app = make_gallery(tmp_path, make_image, 9)
    batches: list[set[str]] = []
    real_add = ThumbGrid._add_thumbs

    def recording_add(
        self: ThumbGrid,
        batch: list[tuple[Photo, Rendered]],
        want: Want,
        painted: threading.Event | None = None,
    ) -> None:
        # What this batch changes (a render confirmed by the worker is the same object).
        thumbs = self.loader.thumbs
        batches.append({photo.rel for photo, r in batch if thumbs.get(photo.rel) is not r})
        real_add(self, batch, want, painted)

    monkeypatch.setattr(ThumbGrid, "_add_thumbs", recording_add)
    real_render = thumb_loader.render_photo

    def uneven_render(path: Path, *args: Any) -> Rendered:
        time.sleep(0.2 + 0.06 * (int(path.stem[3:]) % 4))  # slow, and finishing apart
        return real_render(path, *args)

    monkeypatch.setattr(thumb_loader, "render_photo", uneven_render)
    monkeypatch.setattr(thumb_loader, "FIRST_BATCH_WAIT", 5.0)  # however slow this machine is
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        on_screen = {grid.photos[i].rel for i in grid._on_screen()}
        assert len(on_screen) == 6
        carrying = [batch & on_screen for batch in batches if batch & on_screen]
        # Those the start-up decodes finished before the first layout, then the rest.
        assert len(carrying) <= 2, carrying
        assert set().union(*carrying) == on_screen


async def test_tiles_arriving_together_repaint_their_rows_once(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual would send a line once per separate dirty stretch: one stretch per row."""
    app = make_gallery(tmp_path, make_image, 6)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        regions: list[Region] = []
        monkeypatch.setattr(grid, "refresh", lambda *r, **k: regions.extend(r))
        picture = (Strip([Segment("#" * 24)]),) * 15
        batch = [
            (grid.photos[i], Rendered((f"x{i}", 0, 0, 0, 0), picture, width=24)) for i in (0, 2)
        ]
        grid._add_thumbs(batch, grid.loader.want)
        g = grid.geometry
        # From the row's left edge to the end of tile 2: one stretch, sent once.
        assert regions == [Region(0, 0, 2 * g.pitch + g.tile_width, g.tile_height)]


async def test_moving_the_cursor_repaints_its_tiles_not_the_grid(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_gallery(tmp_path, make_image, 6)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        calls: list[tuple[Region, ...]] = []
        real_refresh = grid.refresh

        def recording_refresh(*regions: Region, **kwargs: bool) -> ThumbGrid:
            calls.append(regions)
            return real_refresh(*regions, **kwargs)

        monkeypatch.setattr(grid, "refresh", recording_refresh)
        await pilot.press("right")
        await settle(pilot)
        assert grid.cursor == 1
        g = grid.geometry
        # Only the lines the cursor changes, for both tiles in one stretch each:
        # the top edge, and the title and lower edge (not the pictures between).
        width = g.pitch + g.tile_width
        assert calls == [
            (Region(0, 0, width, 1),),
            (Region(0, g.tile_height - 2, width, 2),),
        ]
