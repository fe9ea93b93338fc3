"""Colour depth: the grid draws thumbnails in the app's colour depth, and renders are kept apart."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.color import ColorType
from ui_support import settle

from conftest import ImageMaker
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui import rendering
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.rendering import CACHE, colors_for, render_photo
from portfolio_tui.ui.widgets import thumb_grid
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid


def fake_app(color_system: str | None, headless: bool = False) -> Any:
    return SimpleNamespace(is_headless=headless, console=SimpleNamespace(color_system=color_system))


@pytest.mark.parametrize(
    ("system", "expected"),
    [("truecolor", "truecolor"), ("256", "256"), ("standard", "256"), ("windows", "256")],
)
def test_anything_short_of_truecolor_draws_in_256_colours(system: str, expected: str) -> None:
    assert colors_for(fake_app(system)) == expected


def test_a_headless_app_draws_in_truecolor() -> None:
    """Its only output is Textual's 24-bit screenshot, whatever the environment says."""
    assert colors_for(fake_app("standard", headless=True)) == "truecolor"


def test_renders_in_each_depth_are_cached_apart(tmp_path: Path, make_image: ImageMaker) -> None:
    photo = make_image(tmp_path / "a.jpg", size=(40, 50), color=(30, 140, 200))
    true = render_photo(photo, 10, 5)
    eight = render_photo(photo, 10, 5, colors="256")
    assert true is not eight
    assert (true.colors, eight.colors) == ("truecolor", "256")
    assert render_photo(photo, 10, 5) is true
    assert render_photo(photo, 10, 5, None, "256") is eight
    assert CACHE.peek(photo, 10, 5) is true
    assert CACHE.peek(photo, 10, 5, colors="256") is eight
    style = eight.strips[2]._segments[0].style
    assert style is not None and style.bgcolor is not None
    assert style.bgcolor.type == ColorType.EIGHT_BIT


async def test_the_grid_draws_in_the_apps_colour_depth(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(4):
        make_image(tmp_path / "shoot" / f"img{i}.jpg", size=(40, 50), color=(40 * i, 120, 200))
    monkeypatch.setattr(thumb_grid, "colors_for", lambda app: "256")
    app = PortfolioApp(open_portfolio(tmp_path), open_target="gallery:shoot")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        assert grid.color_depth == "256"
        for photo in grid.photos:
            rendered = grid.thumbnail(photo)
            assert rendered is not None and rendered.colors == "256"
        # What reaches the screen names palette entries, not 24-bit colours.
        picture = grid.render_line(5)
        colours = [s.style.bgcolor for s in picture if s.style and s.style.bgcolor and s.text]
        assert any(c.type == ColorType.EIGHT_BIT for c in colours)

        # The terminal's depth changing (say, a forced setting) draws everything again.
        monkeypatch.setattr(thumb_grid, "colors_for", rendering.colors_for)
        grid._relayout()
        await settle(pilot)
        assert grid.color_depth == "truecolor"
        rendered = grid.thumbnail(grid.photos[0])
        assert rendered is not None and rendered.colors == "truecolor"
