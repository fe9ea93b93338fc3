"""Curation where culling happens: stars, flags and labels on the active photo of a comparison
(Tab moves the mark) and on the highlighted photo of a survey, shown in its caption."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from ui_support import screen_lines, screen_text, settle, static_text

from conftest import ImageMaker
from portfolio_tui.curation import Change, Snapshot
from portfolio_tui.portfolio import Photo, open_portfolio
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.compare import CompareScreen
from portfolio_tui.ui.screens.help import HelpScreen
from portfolio_tui.ui.screens.survey import SurveyScreen

SIZE = (160, 40)


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    for i, name in enumerate(["a.jpg", "b.jpg", "c.jpg"]):
        make_image(tmp_path / "p" / "g" / name, color=(60 * i, 120, 200))
    return tmp_path / "p"


def app_for(root: Path, watch: bool = False, **kwargs: object) -> PortfolioApp:
    return PortfolioApp(
        open_portfolio(root),
        open_target="gallery:g",
        curation=SqliteCurationStore(root, author="me@test", **kwargs),
        watch_curation=watch,
    )


def photos(app: PortfolioApp) -> list[Photo]:
    gallery = app.portfolio.gallery("g")
    assert gallery is not None
    return list(gallery.photos)


def on_disk(root: Path) -> Snapshot:
    with SqliteCurationStore(root, read_only=True) as store:
        return store.load()


async def saved(app: PortfolioApp) -> None:
    assert await asyncio.to_thread(app.curator.flush, 5)


def captions(app: PortfolioApp) -> list[str]:
    """Each comparison pane's label and caption, as one line."""
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    return [
        static_text(pane.query_one(".pane-label", Static))
        + " | "
        + static_text(pane.query_one(".pane-caption", Static))
        for pane in screen.query(".pane")
    ]


def active(app: PortfolioApp) -> list[bool]:
    """Which panes are marked as the active one."""
    return [pane.has_class("-active") for pane in app.screen.query(".pane")]


def survey_labels(app: PortfolioApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, SurveyScreen)
    return [
        static_text(label) for label in screen.query(".survey-cell .pane-label").results(Static)
    ]


async def open_compare(app: PortfolioApp, pilot: Pilot[Any]) -> None:
    app.compare_photos(photos(app)[:2], photos(app))
    await settle(pilot)
    assert isinstance(app.screen, CompareScreen)


async def test_compare_curates_the_active_side_and_shows_it(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await open_compare(app, pilot)
        assert active(app) == [True, False]
        await pilot.press("tab", "4")  # the candidate becomes the active side
        await saved(app)
        await settle(pilot)
        first, second = captions(app)
        assert active(app) == [False, True] and "★★★★☆" in second
        assert "★" not in first
        assert on_disk(root).photo("g/b.jpg").rating == 4
        assert on_disk(root).photo("g/a.jpg").rating == 0
        await pilot.press("x", "7")
        await saved(app)
        await settle(pilot)
        assert "✕ reject" in captions(app)[1] and "● yellow" in captions(app)[1]
        assert on_disk(root).photo("g/b.jpg").flag == "reject"
        await pilot.press("ctrl+z", "ctrl+z")
        await saved(app)
        await settle(pilot)
        assert "reject" not in captions(app)[1] and "★★★★☆" in captions(app)[1]
        assert on_disk(root).photo("g/b.jpg").flag is None
        assert on_disk(root).photo("g/b.jpg").rating == 4
        # Tab back: the select takes the keys now.
        await pilot.press("tab", "p")
        await saved(app)
        await settle(pilot)
        assert "⚑ pick" in captions(app)[0] and "pick" not in captions(app)[1]
        assert on_disk(root).photo("g/a.jpg").flag == "pick"


async def test_compare_keeps_u_for_linking_and_zoom_when_the_active_side_steps(
    root: Path,
) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_compare(app, pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await pilot.press("z")
        await settle(pilot)
        zoomed = list(screen.viewports)
        assert not zoomed[0].is_fit
        await pilot.press("tab", "3")
        await saved(app)
        await settle(pilot)
        assert screen.viewports == zoomed  # the zoom stays as it was
        assert "★★★" in captions(app)[1]
        await pilot.press("L")  # the comparison's own key for linking is L, not u
        await settle(pilot)
        assert not screen.linked


async def test_flicker_curates_the_photo_shown(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_compare(app, pilot)
        await pilot.press("y", "5")  # flicker shows B first
        await saved(app)
        await settle(pilot)
        assert on_disk(root).photo("g/b.jpg").rating == 5
        assert "★★★★★" in captions(app)[0]
        await pilot.press("y", "1")  # A again
        await saved(app)
        assert on_disk(root).photo("g/a.jpg").rating == 1


async def test_another_curators_change_shows_in_the_caption(root: Path) -> None:
    app = app_for(root, watch=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await open_compare(app, pilot)
        await pilot.pause(0.3)  # the watcher is up
        with SqliteCurationStore(root, author="anna@studio") as other:
            await asyncio.to_thread(other.apply, [Change.label("g/b.jpg", "green")])
        for _ in range(40):
            await pilot.pause(0.05)
            if "● green" in captions(app)[1]:
                break
        assert "● green" in captions(app)[1] and "green" not in captions(app)[0]


async def test_survey_curates_the_highlighted_photo(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.survey_photos(photos(app))
        await settle(pilot)
        await pilot.press("right", "4", "p", "8")
        await saved(app)
        await settle(pilot)
        labels = survey_labels(app)
        assert "★★★★☆" in labels[1] and "⚑ pick" in labels[1] and "● green" in labels[1]
        assert "★" not in labels[0] and "★" not in labels[2]
        assert on_disk(root).photo("g/b.jpg").rating == 4
        assert on_disk(root).photo("g/b.jpg").flag == "pick"
        assert on_disk(root).photo("g/a.jpg").rating == 0
        await pilot.press("ctrl+z")
        await saved(app)
        await settle(pilot)
        assert "green" not in survey_labels(app)[1]
        assert on_disk(root).photo("g/b.jpg").label is None
        assert on_disk(root).photo("g/b.jpg").flag == "pick"
        await pilot.press("u")  # unflag
        await saved(app)
        await settle(pilot)
        assert "pick" not in survey_labels(app)[1]
        assert on_disk(root).photo("g/b.jpg").flag is None
        # x drops from the survey here; reject is in the command palette.
        reject = next(c for c in app.get_system_commands(app.screen) if c.title == "Reject")
        await reject.callback()
        await saved(app)
        await settle(pilot)
        assert "✕ reject" in survey_labels(app)[1]
        assert on_disk(root).photo("g/b.jpg").flag == "reject"


@pytest.mark.parametrize("where", ["compare", "survey"])
async def test_read_only_refuses_and_says_so(root: Path, where: str) -> None:
    app = app_for(root, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        if where == "compare":
            await open_compare(app, pilot)
        else:
            app.survey_photos(photos(app))
            await settle(pilot)
        await pilot.press("tab" if where == "compare" else "right", "5", "p", "6")
        await settle(pilot)
        assert "View only" in screen_text(app)
        assert "★" not in screen_text(app)
    assert sorted(p.name for p in root.iterdir()) == ["g"]  # no store, nothing written


async def test_compare_footer_and_help_list_the_curation_keys(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        await open_compare(app, pilot)
        footer = screen_lines(app)[-1]
        assert "0-5 Stars" in footer and "p/x/u Pick" in footer and "6-9 Label" in footer
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        help_text = static_text(app.screen.query_one("#help Static", Static))
        section = help_text.split("Curation (grid, loupe, compare, survey")[1].split("\n\n")[0]
        assert "0-5" in section and "p/x/u" in section and "Ctrl+Z" in section
