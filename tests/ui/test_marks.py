"""Marking photos in the grid (Space) for a comparison (c) or a survey (n)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from ui_support import screen_text, settle, title_bar

from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.compare import CompareScreen
from portfolio_tui.ui.screens.gallery import GalleryScreen
from portfolio_tui.ui.screens.survey import SurveyScreen


@pytest.fixture
def app(tmp_path: Path) -> PortfolioApp:
    for i in range(5):
        path = tmp_path / "p" / "g" / f"m{i}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (300, 375), (50 * i, 90, 160)).save(path)
    return PortfolioApp(open_portfolio(tmp_path / "p"), open_target="gallery:g")


async def test_space_marks_and_c_compares_the_marked_pair(app: PortfolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "right", "right", "space")
        await settle(pilot)
        gallery = app.screen
        assert isinstance(gallery, GalleryScreen)
        assert [p.name for p in gallery.grid.marked_photos] == ["m0.jpg", "m2.jpg"]
        assert title_bar(app)[1].endswith("2 marked")
        assert screen_text(app).count("● m") == 2  # marked tiles say so under the picture
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert [s.photo.name for s in screen.sides if s.photo] == ["m0.jpg", "m2.jpg"]
        assert [s.label for s in screen.sides] == ["Select", "Candidate"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("space")  # unmark m2
        await settle(pilot)
        assert [p.name for p in gallery.grid.marked_photos] == ["m0.jpg"]


async def test_c_without_marks_compares_this_photo_and_the_next(app: PortfolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right", "c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert [s.photo.name for s in screen.sides if s.photo] == ["m1.jpg", "m2.jpg"]


async def test_n_surveys_the_marked_photos_and_says_how_many_it_needs(app: PortfolioApp) -> None:
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("space", "n")
        await settle(pilot)
        assert isinstance(app.screen, GalleryScreen)
        assert any("Mark 2 to 9 photos" in n.message for n in app._notifications)
        await pilot.press("right", "space", "right", "space", "n")
        await settle(pilot)
        survey = app.screen
        assert isinstance(survey, SurveyScreen)
        assert [p.name for p in survey.photos] == ["m0.jpg", "m1.jpg", "m2.jpg"]
