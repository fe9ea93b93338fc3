"""Driving the app through the demo portfolio with Textual's Pilot: keys, mouse, resizes.

Every test opens the real demo (config.toml at the repository root) headless and waits
for the image workers with :func:`ui_support.settle`, never with fixed sleeps.  Each app
start costs about half a second, so key tables run in one app rather than one app per row.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from textual.widgets import Markdown, OptionList, Static
from ui_support import region_lines, screen_text, settle, static_text, title_bar

from portfolio_tui.portfolio import Portfolio, open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.commands import COMPARE, GALLERY, GRID, HOME, LOUPE, SECTIONS
from portfolio_tui.ui.screens.compare import CompareScreen
from portfolio_tui.ui.screens.gallery import GalleryScreen
from portfolio_tui.ui.screens.help import HelpScreen
from portfolio_tui.ui.screens.home import HomeScreen
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.gallery_card import GalleryCard
from portfolio_tui.ui.widgets.info_diff import InfoDiff
from portfolio_tui.ui.widgets.info_panel import InfoPanel
from portfolio_tui.ui.widgets.photo_view import PhotoView
from portfolio_tui.ui.widgets.thumb_grid import THUMB_WIDTHS, ThumbGrid, geometry_for

SIZE = (100, 30)
"""Three grid columns, the loupe's notes shown, the comparison's notes hidden (short)."""

STUDIO = [
    "studio/hopper-02.jpg",
    "studio/collins-02.jpg",
    "studio/collins-01.png",
    "studio/collins-03.jpg",
    "studio/collins-04.jpg",
    "studio/hopper-01.jpg",
    "studio/hopper-03.jpg",
    "studio/hopper-04.jpg",
]
"""The studio gallery in display order: the config's order list, then natural order."""


def make_app(portfolio: Portfolio, target: str | None = None) -> PortfolioApp:
    """The app on a portfolio, optionally opened at a --open target."""
    return PortfolioApp(portfolio, open_target=target)


def name_of(index: int) -> str:
    """File name of the studio photo at ``index``."""
    return STUDIO[index].split("/")[1]


def grid_of(app: PortfolioApp) -> ThumbGrid:
    """The grid of the gallery screen on top of the stack."""
    screen = app.screen
    assert isinstance(screen, GalleryScreen), type(screen).__name__
    return screen.grid


def loupe_of(app: PortfolioApp) -> LoupeScreen:
    """The loupe on top of the stack."""
    screen = app.screen
    assert isinstance(screen, LoupeScreen), type(screen).__name__
    return screen


def compare_of(app: PortfolioApp) -> CompareScreen:
    """The comparison on top of the stack."""
    screen = app.screen
    assert isinstance(screen, CompareScreen), type(screen).__name__
    return screen


def stack_names(app: PortfolioApp) -> list[str]:
    """Class names of the screen stack, bottom first (Textual's default screen left out)."""
    return [type(screen).__name__ for screen in app.screen_stack[1:]]


def assert_laid_out(grid: ThumbGrid) -> None:
    """The grid's tile layout is the one for its current width."""
    width = grid.scrollable_content_region.width
    assert grid.geometry == geometry_for(width, THUMB_WIDTHS[grid.thumb_width])


def assert_cursor_visible(grid: ThumbGrid) -> None:
    """The cursor's tile lies inside the scrolled viewport."""
    tile = grid.geometry.tile_region(grid.cursor)
    top = grid.scroll_offset.y
    assert top <= tile.y
    assert tile.bottom <= top + grid.scrollable_content_region.height


def assert_fits(view: PhotoView) -> None:
    """The view's photo is drawn, inside the view, touching two of its sides."""
    rendered = view.rendered
    assert rendered is not None
    assert rendered.error is None, rendered.error
    width, height = view.size
    assert 0 < rendered.width <= width
    assert 0 < len(rendered.strips) <= height
    assert rendered.width == width or len(rendered.strips) == height


@pytest.fixture
def empty_portfolio(tmp_path: Path) -> Portfolio:
    """A portfolio folder with no photos: help drawn over it has no pictures to dim."""
    folder = tmp_path / "empty"
    folder.mkdir()
    return open_portfolio(folder)


def test_demo_studio_order_is_what_these_tests_assume(demo_portfolio: Portfolio) -> None:
    """Guards the indices used below against edits to config.toml."""
    studio = demo_portfolio.gallery("studio")
    assert studio is not None
    assert [photo.rel for photo in studio.photos] == STUDIO


# -- home ------------------------------------------------------------------------------


async def test_enter_on_the_focused_card_opens_its_gallery(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, GalleryCard)
        assert app.focused.gallery.id == "studio"
        await pilot.press("right")
        assert isinstance(app.focused, GalleryCard)
        assert app.focused.gallery.id == "retouching"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GalleryScreen)
        assert app.screen.gallery.id == "retouching"
        assert title_bar(app) == ("Retouching: before and after", "01-hopper-before.jpg · 1 / 4")


async def test_home_cards_show_their_cover_photos(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        cards = list(app.screen.query(GalleryCard))
        assert [card.gallery.id for card in cards] == ["studio", "retouching", "ai-look", "takes"]
        for card in cards:
            view = card.query_one(PhotoView)
            assert view.photo == card.gallery.cover
            assert_fits(view)


# -- gallery grid ----------------------------------------------------------------------


async def test_grid_keys_move_the_cursor(demo_portfolio: Portfolio) -> None:
    """One key at a time from the first of 8 photos; expectations follow the layout."""
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = grid_of(app)
        g = grid.geometry
        c = g.columns
        page = max(1, grid.scrollable_content_region.height // g.tile_height) * c
        assert 2 < c < 7, "the moves below assume three to six columns"
        assert page < 7, "the page keys need more than one page"
        steps = [
            ("right", 1),
            ("l", 2),
            ("j", 2 + c),
            ("h", 1 + c),
            ("left", c),
            ("k", 0),
            ("up", 0),  # top row: stays
            ("left", 0),  # first photo: stays
            ("down", c),
            ("end", 7),
            ("right", 7),  # last photo: stays
            ("down", 7),  # last row: stays
            ("home", 0),
            ("pagedown", page),
            ("pageup", 0),
        ]
        for key, expected in steps:
            await pilot.press(key)
            assert grid.cursor == expected, key
        assert title_bar(app)[1] == f"{name_of(0)} · 1 / 8"


async def test_grid_draws_thumbnails_and_marks_the_cursor_tile(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = grid_of(app)
        g = grid.geometry
        for photo in grid.photos:
            thumb = grid.thumbnail(photo)
            assert thumb is not None, photo.rel
            assert thumb.error is None, thumb.error
            assert 0 < thumb.width <= g.thumb_cols
            assert 0 < len(thumb.strips) <= g.thumb_rows
        await pilot.press("right")
        lines = region_lines(app, grid)
        tiles = [g.tile_region(i) for i in range(g.columns)]
        middle = 1 + g.thumb_rows // 2
        assert all("▀" in lines[middle][t.x : t.right] for t in tiles)
        tops = [lines[0][t.x : t.right] for t in tiles]
        assert tops[0] == "╭" + "─" * g.thumb_cols + "╮"
        assert tops[1] == "┏" + "━" * g.thumb_cols + "┓"


async def test_thumbnail_size_keys_redraw_at_the_new_size(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = grid_of(app)
        for key, grows in (("plus", True), ("minus", False), ("minus", False)):
            before = grid.geometry
            await pilot.press(key)
            await settle(pilot)
            after = grid.geometry
            assert after.thumb_cols != before.thumb_cols, key
            assert (after.thumb_cols > before.thumb_cols) == grows, key
            thumb = grid.thumbnail(grid.photos[0])
            assert thumb is not None, key
            assert thumb.width == after.thumb_cols or len(thumb.strips) == after.thumb_rows, key


async def test_grid_e_key_shows_the_cursor_photo_in_the_loupe(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid_of(app).cursor = 5
        await pilot.press("e")
        await settle(pilot)
        loupe = loupe_of(app)
        assert loupe.photo.rel == "studio/hopper-01.jpg"
        assert loupe.query_one("#photo", PhotoView).photo == loupe.photo
        assert title_bar(app) == (
            "Studio headshots  ›  Grace Hopper: the full frame",
            "hopper-01.jpg · 6 / 8",
        )


async def test_click_moves_the_cursor_to_the_clicked_tile_only(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = grid_of(app)
        gap = grid.geometry.tile_region(1).x - 1
        assert await pilot.click(grid, offset=(gap, 3))
        assert grid.cursor == 0
        tile = grid.geometry.tile_region(4)
        assert await pilot.click(grid, offset=(tile.x + 3, tile.y + 3))
        assert grid.cursor == 4
        assert isinstance(app.screen, GalleryScreen)


async def test_double_click_on_a_tile_opens_the_loupe(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = grid_of(app)
        tile = grid.geometry.tile_region(2)
        assert await pilot.click(grid, offset=(tile.x + 3, tile.y + 3), times=2)
        await settle(pilot)
        assert loupe_of(app).photo.rel == "studio/collins-01.png"


async def test_back_keys_leave_the_gallery_for_home(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("escape", "g"):
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, GalleryScreen), key
            await pilot.press(key)
            await settle(pilot)
            assert stack_names(app) == ["HomeScreen"], key


# -- loupe -----------------------------------------------------------------------------


async def test_loupe_keys_step_and_stop_at_the_ends(demo_portfolio: Portfolio) -> None:
    """From the second of 8 photos, one key at a time, with the notes hidden (see below)."""
    app = make_app(demo_portfolio, "photo:studio/collins-02.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        loupe = loupe_of(app)
        view = loupe.query_one("#photo", PhotoView)
        await pilot.press("N")
        assert loupe.index == 1
        steps = [
            ("right", 2),
            ("l", 3),
            ("down", 4),
            ("left", 3),
            ("h", 2),
            ("up", 1),
            ("home", 0),
            ("left", 0),  # first photo: stays
            ("end", 7),
            ("right", 7),  # last photo: stays
        ]
        for key, expected in steps:
            await pilot.press(key)
            assert loupe.index == expected, key
            assert view.photo is not None
            assert view.photo.rel == STUDIO[expected], key
            assert title_bar(app)[1] == f"{name_of(expected)} · {expected + 1} / 8", key


async def test_loupe_photo_keys_work_while_the_notes_scroll(demo_portfolio: Portfolio) -> None:
    """With notes longer than their panel, up/down/Home/End still change the photo.

    The footer and help promise these keys step through photos; the notes panel must not
    swallow them for scrolling.
    """
    app = make_app(demo_portfolio, "photo:studio/hopper-01.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        loupe = loupe_of(app)
        side = loupe.query_one("#side")
        assert loupe.show_notes
        assert side.max_scroll_y > 0, "the notes must overflow for this test to mean anything"
        expected = {"down": 6, "up": 4, "home": 0, "end": 7}
        landed: dict[str, int] = {}
        for key in expected:
            loupe.index = 5
            await pilot.press(key)
            landed[key] = loupe.index
        assert landed == expected


async def test_loupe_info_shows_the_exif_of_the_shown_photo(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "photo:studio/hopper-01.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = loupe_of(app).query_one(InfoPanel)
        assert not panel.display
        await pilot.press("i")
        await settle(pilot)
        assert panel.display
        text = static_text(panel)
        assert "Canon EOS R5" in text
        assert "85 mm" in text
        assert "Canon EOS R5" in screen_text(app)
        await pilot.press("right")
        await settle(pilot)
        text = static_text(panel)
        assert "studio/hopper-03.jpg" in text
        assert "224 × 280 px" in text
        await pilot.press("i")
        await settle(pilot)
        assert not panel.display
        assert "224 × 280 px" not in screen_text(app)


async def test_loupe_notes_show_the_sidecar_and_shift_n_hides_them(
    demo_portfolio: Portfolio,
) -> None:
    """Notes come from portfolio/studio/hopper-01.md; hiding them gives the photo the width."""
    app = make_app(demo_portfolio, "photo:studio/hopper-01.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        loupe = loupe_of(app)
        notes = loupe.query_one("#notes", Markdown)
        view = loupe.query_one("#photo", PhotoView)
        assert notes.display
        assert "## The full frame" in notes.source
        assert "The full frame" in screen_text(app)
        assert view.size.width < SIZE[0]
        await pilot.press("N")
        await settle(pilot)
        assert not notes.display
        assert "The full frame" not in screen_text(app)
        assert view.size.width == SIZE[0]
        assert_fits(view)


async def test_back_from_the_loupe_puts_the_grid_cursor_on_the_last_photo(
    demo_portfolio: Portfolio,
) -> None:
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = grid_of(app)
        grid.cursor = 2
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("right", "right")
        await settle(pilot)
        assert loupe_of(app).index == 4
        await pilot.press("escape")
        await settle(pilot)
        assert grid_of(app) is grid
        assert grid.cursor == 4
        assert title_bar(app)[1] == "collins-04.jpg · 5 / 8"
        assert grid.geometry.tile_region(4).y > 0, "the cursor should be on a later row"
        assert_cursor_visible(grid)


# -- comparison -----------------------------------------------------------------------


async def test_option_list_opens_the_highlighted_comparison(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(len(demo_portfolio.galleries)):
            await pilot.press("tab")
        assert isinstance(app.focused, OptionList)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert compare_of(app).comparison.id == "retouch-before-after"
        await pilot.press("escape")
        await settle(pilot)
        assert stack_names(app) == ["HomeScreen"]


async def test_comparison_draws_every_side_at_the_same_pixel_height_under_its_label(
    demo_portfolio: Portfolio,
) -> None:
    """ "grades" has four sides, one stored sideways with an EXIF orientation."""
    app = make_app(demo_portfolio, "comparison:grades")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = compare_of(app)
        labels = [static_text(s) for s in screen.query(".pane-label").results(Static)]
        assert labels == ["Original", "Warm", "Cool", "Black & white"]
        text = screen_text(app)
        assert all(label in text for label in labels)
        views = list(screen.query(PhotoView))
        assert len(views) == 4
        heights = {view.fit_height_px for view in views}
        assert len(heights) == 1
        (common,) = heights
        assert common is not None
        for view in views:
            rendered = view.rendered
            assert rendered is not None
            assert rendered.error is None, rendered.error
            assert len(rendered.strips) == math.ceil(common / 2)
            assert rendered.width <= view.size.width
            assert len(rendered.strips) <= view.size.height


async def test_comparison_photos_line_up_even_when_captions_wrap(
    demo_portfolio: Portfolio,
) -> None:
    """Equal heights only help if the photos also start on the same screen row.

    At 100 columns the first caption of "real-vs-ai" wraps to three lines, the others to two.
    """
    app = make_app(demo_portfolio, "comparison:real-vs-ai")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tops: list[int] = []
        for view in compare_of(app).query(PhotoView):
            rendered = view.rendered
            assert rendered is not None
            assert rendered.error is None
            tops.append(view.region.y + max(0, (view.size.height - len(rendered.strips)) // 2))
        assert len(set(tops)) == 1, f"first photo rows on screen: {tops}"


async def test_comparison_i_shows_each_sides_info(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "comparison:grades")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = compare_of(app).query_one(InfoDiff)
        assert not table.display
        await pilot.press("i")
        await settle(pilot)
        assert table.display
        text = static_text(table)
        assert "Canon EOS R5" in text
        assert "Pixels" in text


async def test_comparison_notes_start_hidden_when_short_and_n_shows_them(
    demo_portfolio: Portfolio,
) -> None:
    app = make_app(demo_portfolio, "comparison:real-vs-ai")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notes = compare_of(app).query_one("#compare-notes")
        assert not notes.display
        assert "What to look for" not in screen_text(app)
        await pilot.press("N")
        await settle(pilot)
        assert notes.display
        assert "What to look for" in screen_text(app)


# -- help and quitting --------------------------------------------------------------------


async def test_help_lists_every_key_and_the_graphics_mode(empty_portfolio: Portfolio) -> None:
    app = make_app(empty_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            assert isinstance(app.screen, HelpScreen), key
            text = static_text(app.screen.query_one("#help Static", Static))
            for _title, commands in SECTIONS:
                for command in commands:
                    assert command.key_text in text
                    assert command.help in text
            assert app.graphics_description in text
            assert "Pictures:" in screen_text(app)
            app.screen.dismiss()
            await pilot.pause()


async def test_help_closes_back_to_the_screen_below(empty_portfolio: Portfolio) -> None:
    app = make_app(empty_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("escape", "question_mark", "q"):
            await pilot.press("f1")
            assert isinstance(app.screen, HelpScreen), key
            await pilot.press(key)
            assert isinstance(app.screen, HomeScreen), key
            assert app.is_running


async def test_q_quits_from_the_grid(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


# -- --open targets -------------------------------------------------------------------------


async def test_open_gallery_target_starts_in_its_grid(demo_portfolio: Portfolio) -> None:
    """Home is not built under an --open target; going back builds it then."""
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert stack_names(app) == ["GalleryScreen"]
        grid = grid_of(app)
        assert [photo.rel for photo in grid.photos] == STUDIO
        assert grid.cursor == 0
        assert_laid_out(grid)
        await pilot.press("escape")
        await settle(pilot)
        assert stack_names(app) == ["HomeScreen"]


async def test_open_comparison_target_starts_in_it(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "comparison:real-vs-ai")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert stack_names(app) == ["CompareScreen"]
        assert compare_of(app).comparison.id == "real-vs-ai"
        await pilot.press("g")
        await settle(pilot)
        assert stack_names(app) == ["HomeScreen"]


async def test_open_photo_target_lands_in_the_loupe_over_its_grid(
    demo_portfolio: Portfolio,
) -> None:
    """The grid below was never shown; going back must show it laid out, on the photo."""
    app = make_app(demo_portfolio, "photo:studio/hopper-04.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert stack_names(app) == ["GalleryScreen", "LoupeScreen"]
        assert loupe_of(app).photo.rel == "studio/hopper-04.jpg"
        below = app.screen_stack[-2]
        assert isinstance(below, GalleryScreen)
        assert below.gallery.id == "studio"
        assert below.grid.cursor == 7
        await pilot.press("escape")
        await settle(pilot)
        grid = grid_of(app)
        assert grid.cursor == 7
        assert_laid_out(grid)
        assert_cursor_visible(grid)
        assert grid.thumbnail(grid.photos[7]) is not None


# -- command palette --------------------------------------------------------------------------


async def test_palette_offers_every_action_of_the_current_screen(
    demo_portfolio: Portfolio,
) -> None:
    """Walks loupe -> grid -> home -> comparison, checking the palette on each screen."""
    expected = {
        "LoupeScreen": {c.description for c in LOUPE},
        "GalleryScreen": {c.description for c in GRID + GALLERY},
        "HomeScreen": {c.description for c in HOME if c.id != "home.open"} | {"Open"},
        "CompareScreen": {c.description for c in COMPARE},
    }
    everywhere = {f"Gallery: {g.title}" for g in demo_portfolio.galleries} | {
        f"Compare: {c.title}" for c in demo_portfolio.comparisons
    }
    app = make_app(demo_portfolio, "photo:studio/hopper-01.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for screen_name, descriptions in expected.items():
            if screen_name == "CompareScreen":
                app.open_path("comparison:real-vs-ai")
            elif screen_name != "LoupeScreen":
                await pilot.press("escape")
            await settle(pilot)
            assert type(app.screen).__name__ == screen_name
            titles = {command.title for command in app.get_system_commands(app.screen)}
            assert descriptions <= titles, (screen_name, descriptions - titles)
            assert everywhere <= titles, (screen_name, everywhere - titles)


async def test_palette_screen_command_runs_its_action(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Last")
        await command.callback()
        await pilot.pause()
        assert grid_of(app).cursor == 7


# -- resizing ---------------------------------------------------------------------------------


async def test_resize_lays_the_grid_out_again(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "gallery:studio")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = grid_of(app)
        grid.cursor = 7
        for new_size in ((80, 24), (250, 70)):
            before = grid.geometry.columns
            await pilot.resize_terminal(*new_size)
            await settle(pilot)
            assert_laid_out(grid)
            assert grid.geometry.columns != before, new_size
            assert_cursor_visible(grid)
            thumb = grid.thumbnail(grid.photos[7])
            assert thumb is not None, new_size
            assert thumb.error is None


async def test_resize_draws_the_loupe_photo_at_the_new_size(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "photo:studio/hopper-01.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = loupe_of(app).query_one("#photo", PhotoView)
        assert_fits(view)
        for new_size in ((80, 24), (250, 70)):
            before = view.rendered
            assert before is not None
            await pilot.resize_terminal(*new_size)
            await settle(pilot)
            after = view.rendered
            assert after is not None
            assert (after.width, len(after.strips)) != (before.width, len(before.strips))
            assert_fits(view)


async def test_resize_keeps_comparison_heights_equal(demo_portfolio: Portfolio) -> None:
    app = make_app(demo_portfolio, "comparison:grades")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        views = list(compare_of(app).query(PhotoView))
        before = views[0].fit_height_px
        await pilot.resize_terminal(200, 60)
        await settle(pilot)
        heights = {view.fit_height_px for view in views}
        assert len(heights) == 1
        (common,) = heights
        assert common is not None
        assert common != before
        assert {len(v.rendered.strips) for v in views if v.rendered} == {math.ceil(common / 2)}


# -- a whole session ----------------------------------------------------------------------------


async def test_a_whole_session_from_home_to_quit(demo_portfolio: Portfolio) -> None:
    """Home, grid, loupe, info, notes, back to the grid and home, quit (comparisons: above)."""
    app = make_app(demo_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        grid = grid_of(app)
        columns = grid.geometry.columns
        assert columns <= 5
        await pilot.press("down", *["right"] * (5 - columns))
        assert grid.cursor == 5
        await pilot.press("enter")
        await settle(pilot)
        loupe = loupe_of(app)
        assert loupe.photo.rel == "studio/hopper-01.jpg"
        await pilot.press("i")
        await settle(pilot)
        assert "Canon EOS R5" in static_text(loupe.query_one(InfoPanel))
        await pilot.press("N", "right", "right")
        await settle(pilot)
        assert loupe.index == 7
        assert not loupe.query_one("#notes").display
        await pilot.press("g")
        await settle(pilot)
        assert grid_of(app) is grid
        assert grid.cursor == 7
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert isinstance(app.focused, GalleryCard)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
