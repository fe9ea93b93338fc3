"""Survey: marked photos at the largest equal size; arrows highlight, x drops, Enter opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from ui_support import settle, title_bar

from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.screens.survey import SurveyScreen, layout
from portfolio_tui.ui.widgets.photo_view import PhotoView


@pytest.mark.parametrize(
    ("count", "width", "height", "expected"),
    [
        (2, 160, 46, (2, 1)),  # portraits on a wide screen: side by side
        (4, 160, 46, (4, 1)),
        (6, 160, 46, (3, 2)),
        (9, 160, 46, (5, 2)),
        (3, 40, 80, (1, 3)),  # a tall, narrow terminal stacks them
    ],
)
def test_layout_gives_the_largest_equal_size(
    count: int, width: int, height: int, expected: tuple[int, int]
) -> None:
    assert layout(count, width, height) == expected


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "g").mkdir(parents=True)
    for i in range(5):
        Image.new("RGB", (400, 500), (40 * i, 100, 200)).save(root / "g" / f"s{i}.jpg")
    return root


async def test_survey_shows_each_photo_at_one_size_and_drops_the_highlighted(
    shoot: Path,
) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g")
    async with app.run_test(size=(160, 46), notifications=True) as pilot:
        await settle(pilot)
        gallery = app.portfolio.gallery("g")
        assert gallery is not None
        app.survey_photos(gallery.photos[:4])
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SurveyScreen)
        views = list(screen.query(PhotoView))
        assert len(views) == 4
        sizes = {view.size for view in views}
        assert len(sizes) == 1  # every photo gets the same area
        widths = {view.rendered.width for view in views if view.rendered is not None}
        assert len(widths) == 1
        assert title_bar(app)[1] == "4 photos"
        await pilot.press("right", "delete")
        await settle(pilot)
        assert [p.name for p in screen.photos] == ["s0.jpg", "s2.jpg", "s3.jpg"]
        assert title_bar(app)[1] == "3 photos of 4 (1 dropped)"
        assert len(list(screen.query(PhotoView))) == 3
        assert screen.cursor == 1
        await pilot.press("delete", "delete")  # a survey keeps at least two
        await settle(pilot)
        assert len(screen.photos) == 2
        assert any("needs two photos" in n.message for n in app._notifications)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoupeScreen)
