"""Present mode: nothing but the work, reveals, captions, a slideshow on a fake clock,
and a client's favourites (safe, merged, summarised)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from ui_support import screen_text, settle

from conftest import ImageMaker, write
from portfolio_tui.curation import Change
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.presentation import gallery_deck, slide_photos
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.store.sqlite_picks import SqlitePicksStore
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.favourites import FavouritesScreen
from portfolio_tui.ui.screens.gallery import GalleryScreen
from portfolio_tui.ui.screens.present import PresentScreen, SlideMark
from portfolio_tui.ui.widgets.bars import KeysFooter, TitleBar
from portfolio_tui.ui.widgets.photo_view import PhotoView
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid

SIZE = (120, 34)

CONFIG = """
[portfolio]
title = "Ada Studio: headshots"
photographer = "Ada Lovelace"
credits = ["Make-up: J. Smith"]

[present]
interval = 5
closing = "Thank you for coming"

[[galleries]]
id = "g"
title = "Studio"

[photos."g/a.jpg"]
title = "Anna, warm"
notes = "**Window light** from the left.\\n\\nSecond paragraph, not in the caption."

[photos."g/b.jpg"]
title = "[bold]Bea[/bold] \\u001b[31m"

[[comparisons]]
id = "real-vs-ai"
title = "Real or AI"
photos = [
  { photo = "g/a.jpg", label = "Photographer" },
  { photo = "g/b.jpg", label = "AI generated" },
]
"""


@pytest.fixture
def config(tmp_path: Path, make_image: ImageMaker) -> Path:
    for i, name in enumerate(["a.jpg", "b.jpg", "c.jpg"]):
        make_image(tmp_path / "g" / name, color=(60 * i, 120, 200))
    return write(tmp_path / "config.toml", CONFIG)


def app_for(config: Path, **kwargs: object) -> PortfolioApp:
    root = config.parent
    kwargs.setdefault("curation", SqliteCurationStore(root, author="me@test"))
    return PortfolioApp(open_portfolio(config), watch_curation=False, **kwargs)  # type: ignore[arg-type]


async def shown_text(pilot) -> str:  # type: ignore[no-untyped-def]
    """The screen's text once the last key's layout has been drawn."""
    await pilot.pause()
    return screen_text(pilot.app)


def present_screen(app: PortfolioApp) -> PresentScreen:
    assert isinstance(app.screen, PresentScreen), app.screen
    return app.screen


def shown_photos(screen: PresentScreen) -> list[str]:
    return [
        view.photo.name
        for view in screen.query(PhotoView).results(PhotoView)
        if view.photo is not None and view.parent is not None and view.parent.display
    ]


async def test_f_presents_the_grid_from_its_cursor_with_no_chrome(config: Path) -> None:
    app = app_for(config, open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right", "f")
        screen = present_screen(app)
        await settle(pilot)
        assert shown_photos(screen) == ["b.jpg"]
        assert not screen.query(TitleBar) and not screen.query(KeysFooter)
        view = screen.query_one("#present-photo-0", PhotoView)
        # The photo has the whole screen but the progress row.
        assert view.parent is not None and view.parent.size.height == SIZE[1] - 1
        assert "Studio" not in await shown_text(pilot)  # no title bar, no caption
        await pilot.press("right", "escape")
        assert isinstance(app.screen, GalleryScreen)
        assert app.screen.query_one(ThumbGrid).cursor == 2  # the grid follows


async def test_title_card_photos_and_end_card(config: Path) -> None:
    app = app_for(config, present=True, open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = await shown_text(pilot)
        assert "Ada Studio: headshots" in text and "Ada Lovelace" in text
        assert "Studio" in text and "3 photographs" in text
        await pilot.press("right")
        assert shown_photos(present_screen(app)) == ["a.jpg"]
        await pilot.press("end")
        text = await shown_text(pilot)
        assert "Thank you for coming" in text and "Make-up: J. Smith" in text
        await pilot.press("escape")  # the first screen: home takes its place
        assert type(app.screen).__name__ == "HomeScreen"


async def test_caption_shows_title_and_first_paragraph_as_plain_text(config: Path) -> None:
    app = app_for(config, present=True, open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right")
        assert "Anna, warm" not in await shown_text(pilot)
        await pilot.press("i")
        text = await shown_text(pilot)
        assert "Anna, warm" in text and "Window light from the left." in text
        assert "Second paragraph" not in text and "**" not in text
        await pilot.press("right")
        text = await shown_text(pilot)
        # Markup and an escape sequence in a title are shown, not obeyed.
        assert "[bold]Bea[/bold] ␛[31m" in text
        await pilot.press("i")
        assert "Bea" not in await shown_text(pilot)


async def test_a_comparison_is_revealed_a_then_b_then_together(config: Path) -> None:
    app = app_for(config, present=True, open_target="comparison:real-vs-ai")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Real or AI" in await shown_text(pilot)
        screen = present_screen(app)
        seen = []
        for _ in range(3):
            await pilot.press("right")
            await settle(pilot)
            seen.append(shown_photos(screen))
        assert seen == [["a.jpg"], ["b.jpg"], ["a.jpg", "b.jpg"]]
        text = await shown_text(pilot)
        assert "Photographer" in text and "AI generated" in text
        left, right = (screen.query_one(f"#present-side-{i}") for i in (0, 1))
        assert left.region.width == pytest.approx(right.region.width, abs=1)
        assert left.region.right <= right.region.x


async def test_compare_screen_f_presents_the_comparison_as_shown(config: Path) -> None:
    app = app_for(config, open_target="comparison:real-vs-ai")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "f")  # swapped sides are presented swapped
        await pilot.press("right")
        assert shown_photos(present_screen(app)) == ["b.jpg"]
        await pilot.press("escape")
        assert type(app.screen).__name__ == "CompareScreen"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def wait_for(condition, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    """Real time passes (the screen's timer ticks every 0.2 s) until ``condition()``."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_slideshow_moves_on_by_the_clock_and_stops_at_the_end(config: Path) -> None:
    app = app_for(config, open_target="gallery:g")
    clock = FakeClock()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        portfolio = app.portfolio
        gallery = portfolio.gallery("g")
        assert gallery is not None
        screen = PresentScreen(
            gallery_deck(portfolio, gallery, gallery.photos), 1, interval=5, clock=clock
        )
        await app.push_screen(screen)
        await pilot.press("space")
        assert screen.slideshow.running
        clock.now += 4.9
        await asyncio.sleep(0.5)
        assert screen.index == 1  # not yet
        mark = screen.query_one(SlideMark)
        assert mark.progress == pytest.approx(0.98)
        clock.now += 0.1
        await wait_for(lambda: screen.index == 2)
        # Arrows still work, and the photo turned to gets the whole interval.
        clock.now += 3
        await pilot.press("left")
        assert screen.index == 1
        clock.now += 4
        await asyncio.sleep(0.5)
        assert screen.index == 1
        # + and - change the interval, and say so in the progress row.
        await pilot.press("plus")
        assert screen.slideshow.interval == 6 and "6 s per photo" in await shown_text(pilot)
        clock.now += 6
        await wait_for(lambda: screen.index == 2)
        for expected in (3, 4):  # c.jpg, then the end card, where the show stops
            clock.now += 6
            await wait_for(lambda expected=expected: screen.index == expected)
        clock.now += 60
        await wait_for(lambda: not screen.slideshow.running)
        assert screen.index == 4 and "End of the slideshow" in await shown_text(pilot)
        await pilot.press("space")  # from the end card, a new show starts at the top
        assert screen.index == 0 and screen.slideshow.running
        await pilot.press("space")
        assert not screen.slideshow.running and "Paused" in await shown_text(pilot)


async def test_presenting_writes_nothing_and_shows_no_notices(config: Path) -> None:
    root = config.parent
    app = app_for(config, present=True, open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "5", "p", "x", "6", "h", "ctrl+z", "t")
        assert isinstance(app.screen, PresentScreen)
        assert "start with --client NAME" in await shown_text(pilot)
        app.notify("anna@studio: rated 2 photos")  # what another curator's save would say
        await pilot.pause()
        assert not app._notifications
        app.notify("disk full", severity="error")  # errors still reach the presenter
        await pilot.pause()
        assert len(app._notifications) == 1
    assert sorted(p.name for p in root.iterdir()) == ["config.toml", "g"]


async def test_a_clients_favourites_are_marked_saved_and_summarised(config: Path) -> None:
    root = config.parent
    app = app_for(config, present=True, open_target="gallery:g", client="Anna Smith")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")  # on the title card: nothing to mark
        assert "single photo" in await shown_text(pilot)
        await pilot.press("right", "h", "right", "right", "h", "i")
        assert "♥" in await shown_text(pilot)  # c.jpg's caption
        await pilot.press("left", "h", "h", "h")  # b.jpg: marked, unmarked, marked
        await pilot.press("end")
        assert "Anna Smith: 3 favourites" in await shown_text(pilot)
        app.picker.close(timeout=5)
        await pilot.press("F")
        assert isinstance(app.screen, FavouritesScreen)
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        assert [p.name for p in grid.photos] == ["a.jpg", "c.jpg", "b.jpg"]
        assert "Favourites of Anna Smith" in await shown_text(pilot)
        await pilot.press("right", "enter")  # back into the deck at c.jpg
        screen = present_screen(app)
        assert shown_photos(screen) == ["c.jpg"]
    stored = SqlitePicksStore(root).load("Anna Smith")
    assert sorted(stored.photos()) == ["g/a.jpg", "g/b.jpg", "g/c.jpg"]
    assert {pick.by for pick in stored.picks} == {"me@test"}
    # Another presentation to the same client starts with her favourites.
    again = app_for(config, present=True, open_target="gallery:g", client="Anna Smith")
    async with again.run_test(size=SIZE) as pilot:
        assert len(again.picker.picked) == 3


async def test_a_read_only_session_marks_no_favourites(config: Path) -> None:
    root = config.parent
    app = app_for(
        config,
        present=True,
        open_target="gallery:g",
        client="Anna",
        picks=SqlitePicksStore(root, read_only=True),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "h")
        assert "View only" in await shown_text(pilot)
        assert not app.picker.picked
    assert sorted(p.name for p in root.iterdir()) == ["config.toml", "g"]


async def test_f_on_home_presents_the_whole_portfolio_without_rejects(config: Path) -> None:
    root = config.parent
    with SqliteCurationStore(root, author="me@test") as store:
        store.apply([Change.flag("g/b.jpg", "reject")])
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the curation has loaded (it is read in a thread)
        await pilot.press("f")
        screen = present_screen(app)
        shown = [name for slide in screen.deck for name in (p.name for p in slide_photos(slide))]
        # The gallery without its reject, then the comparison's reveal (b.jpg is part of
        # the comparison the photographer chose, so it stays there).
        assert shown == ["a.jpg", "c.jpg", "a.jpg", "b.jpg", "a.jpg", "b.jpg"]
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"
