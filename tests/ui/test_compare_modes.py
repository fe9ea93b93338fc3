"""Comparison modes: linked zoom and pan, candidates, swap, promote, split, flicker, details."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from textual import events
from textual.widgets import Static
from ui_support import screen_text, settle, static_text

from portfolio_tui.portfolio import Photo, Portfolio, open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.rendering import Rendered
from portfolio_tui.ui.screens.compare import CompareScreen
from portfolio_tui.ui.widgets.info_diff import InfoDiff
from portfolio_tui.ui.widgets.photo_view import PhotoView

SIZE = (120, 40)
COLOURS = [(220, 30, 30), (30, 60, 220), (30, 200, 60), (230, 200, 40)]


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    """A gallery of four flat-coloured photos of different sizes, with notes on the first."""
    root = tmp_path / "p"
    (root / "g").mkdir(parents=True)
    for i, colour in enumerate(COLOURS):
        Image.new("RGB", (800 + 200 * i, 1000 + 250 * i), colour).save(root / "g" / f"p{i}.jpg")
    (root / "g" / "p0.jpg.md").write_text("Notes on **p0**.", encoding="utf-8")
    return root


def photos(app: PortfolioApp) -> list[Photo]:
    gallery = app.portfolio.gallery("g")
    assert gallery is not None
    return list(gallery.photos)


def compare(app: PortfolioApp) -> CompareScreen:
    screen = app.screen
    assert isinstance(screen, CompareScreen), type(screen).__name__
    return screen


def colours_in(view: PhotoView) -> set[tuple[int, int, int]]:
    """The distinct background colours the view's picture is drawn with (half-blocks)."""
    rendered = view.rendered
    assert isinstance(rendered, Rendered) and rendered.error is None
    out = set()
    for strip in rendered.strips:
        for segment in strip:
            if segment.style and segment.style.bgcolor and segment.style.bgcolor.triplet:
                out.add(tuple(segment.style.bgcolor.triplet))
    return out


def near(colour: tuple[int, int, int], found: set[tuple[int, int, int]]) -> bool:
    return any(sum(abs(a - b) for a, b in zip(colour, c, strict=True)) < 40 for c in found)


async def test_linked_zoom_and_pan_move_both_photos(shoot: Path) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.compare_photos(photos(app)[:2], photos(app))
        await settle(pilot)
        screen = compare(app)
        assert "fit" in screen.status and "linked" in screen.status
        await pilot.press("z")
        await settle(pilot)
        assert [v.viewport.zoom for v in screen.views] == [1.0, 1.0]
        assert "100 %" in screen.status
        await pilot.press("plus")
        await settle(pilot)
        assert [v.viewport.zoom for v in screen.views] == [2.0, 2.0]
        await pilot.press("minus", "right", "down")
        await settle(pilot)
        first, second = (v.viewport for v in screen.views)
        assert first == second and first.zoom == 1.0
        assert first.cx > 0.5 and first.cy > 0.5  # panned right and down, together
        # The zoomed picture is cut from the photo: one flat colour fills the view.
        assert len(colours_in(screen.views[0])) <= 2


async def test_unlinked_keys_move_the_active_photo_only(shoot: Path) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.compare_photos(photos(app)[:2], photos(app))
        await settle(pilot)
        screen = compare(app)
        await pilot.press("z", "L")
        await settle(pilot)
        assert "unlinked" in screen.status
        await pilot.press("tab", "right")
        await settle(pilot)
        left, right = (v.viewport for v in screen.views)
        assert left.cx == 0.5 and right.cx > 0.5
        assert "▸" in screen_text(app)  # the active photo's label is marked
        await pilot.press("L")  # linking again: both follow the active one
        await settle(pilot)
        left, right = (v.viewport for v in screen.views)
        assert left == right and left.cx > 0.5


async def test_at_fit_arrows_step_the_candidate_and_m_makes_it_the_select(shoot: Path) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        p = photos(app)
        app.compare_photos(p[:2], p)
        await settle(pilot)
        screen = compare(app)
        assert [s.photo for s in screen.sides] == [p[0], p[1]]
        assert "candidate 2/4" in screen.status
        await pilot.press("right")
        await settle(pilot)
        assert [s.photo for s in screen.sides] == [p[0], p[2]]
        assert near(COLOURS[2], colours_in(screen.views[1]))
        await pilot.press("right", "right")  # wraps past the end, skipping the select
        await settle(pilot)
        assert screen.sides[1].photo == p[1]
        await pilot.press("left")
        await settle(pilot)
        assert screen.sides[1].photo == p[3]
        await pilot.press("m")
        await settle(pilot)
        assert screen.sides[0].photo == p[3]
        assert screen.sides[1].photo not in (None, p[3])
        await pilot.press("s")
        await settle(pilot)
        assert screen.sides[1].photo == p[3]
        assert near(COLOURS[3], colours_in(screen.views[1]))


async def test_split_view_shows_a_left_and_b_right_with_a_movable_divider(shoot: Path) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.compare_photos(photos(app)[:2], photos(app))
        await settle(pilot)
        screen = compare(app)
        await pilot.press("vertical_line")
        await settle(pilot)
        assert screen.mode == "split" and "split" in screen.status
        view = screen.views[0]
        assert not screen.query_one("#pane-1").display
        assert view.second == photos(app)[1] and view.divider == 0.5
        found = colours_in(view)
        assert near(COLOURS[0], found) and near(COLOURS[1], found)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert view.divider == pytest.approx(0.55)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert view.divider == pytest.approx(0.45)
        await pilot.press("escape")  # out of split first
        await settle(pilot)
        assert screen.mode == "side" and screen.query_one("#pane-1").display
        assert view.second is None
        await pilot.press("escape")  # then back to the grid
        await settle(pilot)
        assert not isinstance(app.screen, CompareScreen)


async def test_flicker_shows_a_and_b_in_turn_in_place(shoot: Path) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.compare_photos(photos(app)[:2], photos(app))
        await settle(pilot)
        screen = compare(app)
        await pilot.press("z")  # flicker keeps the zoom
        await pilot.press("y")
        await settle(pilot)
        view = screen.views[0]
        assert screen.mode == "flicker"
        assert view.photo == photos(app)[1] and view.viewport.zoom == 1.0
        assert near(COLOURS[1], colours_in(view))
        await pilot.press("y")
        await settle(pilot)
        assert view.photo == photos(app)[0]
        assert near(COLOURS[0], colours_in(view))


async def test_details_side_by_side_mark_what_differs(shoot: Path) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.compare_photos(photos(app)[:2], photos(app))
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        table = compare(app).query_one(InfoDiff)
        assert table.display
        text = str(table.visual)
        pixels = next(line for line in text.splitlines() if "Pixels" in line)
        assert pixels.startswith("≠") and "800 × 1000" in pixels and "1000 × 1250" in pixels


async def test_notes_hold_the_comparisons_and_each_photos_notes(shoot: Path) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g")
    async with app.run_test(size=(120, 48)) as pilot:
        await settle(pilot)
        app.compare_photos(photos(app)[:2], photos(app))
        await settle(pilot)
        assert "Notes on p0" in screen_text(app)
        await pilot.press("N")
        await settle(pilot)
        assert "Notes on p0" not in screen_text(app)


async def test_dragging_with_the_mouse_pans_a_zoomed_view(shoot: Path) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.compare_photos(photos(app)[:2], photos(app))
        await settle(pilot)
        screen = compare(app)
        await pilot.press("z")
        await settle(pilot)
        view = screen.views[0]
        x, y = view.region.x + 5, view.region.y + 5
        view.post_message(
            events.MouseMove(
                view,
                x=5,
                y=5,
                delta_x=-4,
                delta_y=0,
                button=1,
                shift=False,
                meta=False,
                ctrl=False,
                screen_x=x,
                screen_y=y,
            )
        )
        await settle(pilot)
        assert view.viewport.cx > 0.5  # dragged left: the photo moved left, the view right
        assert screen.views[1].viewport == view.viewport


async def test_badges_come_from_the_photos_own_xmp(demo_portfolio: Portfolio) -> None:
    """The demo's files say what they are (IPTC digital source type): the badges show it."""
    app = PortfolioApp(demo_portfolio, open_target="comparison:real-vs-ai")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        captions = [static_text(c) for c in compare(app).query(".pane-caption").results(Static)]
        assert ["◆ Camera original" in captions[0], "◆ AI-generated" in captions[1]] == [True] * 2
        assert "◆ Composite with AI" in captions[2]
        await pilot.press("i")
        await settle(pilot)
        table = str(compare(app).query_one(InfoDiff).visual)
        row = next(line for line in table.splitlines() if "Provenance" in line)
        assert row.startswith("≠") and "trainedAlgorithmicMedia" in row


async def test_the_loupe_heading_shows_the_xmp_badge(demo_portfolio: Portfolio) -> None:
    app = PortfolioApp(demo_portfolio, open_target="photo:ai-look/hopper-ai-01.jpg")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert "◆ AI-generated" in screen_text(app)
