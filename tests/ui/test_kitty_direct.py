"""Kitty direct placement (kitty before 0.28): placed at the cells, taken off when the view changes.

The app runs headless, so what would reach the terminal is recorded from
``TerminalImages.write`` (transmits, placements taken off, deletes) and from
the strips the photo view hands the compositor (the placement itself).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from textual.geometry import Region
from ui_support import settle

from conftest import ImageMaker
from portfolio_tui.graphics.detect import Capabilities
from portfolio_tui.graphics.kitty import PLACEHOLDER
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.pictures import (
    Picture,
    PictureSettings,
    kitty_place_sequence,
    picture_from_image,
)
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.photo_view import PhotoView

OLD_KITTY = Capabilities(
    "kitty",
    "kitty 0.26.5: Kitty graphics, direct placement (Unicode placeholders need 0.28);"
    " it answered the Kitty graphics query",
    (8, 16),
    tmux=False,
    passthrough=False,
    terminal="kitty 0.26.5",
    placeholders=False,
)
DIRECT = PictureSettings.from_capabilities(OLD_KITTY)
SIZE = (100, 30)


@pytest.fixture
def shoot(tmp_path: Path, make_image: ImageMaker) -> Path:
    root = tmp_path / "shoot"
    for i, colour in enumerate([(200, 40, 40), (40, 200, 40)]):
        make_image(root / "g" / f"p{i}.jpg", size=(400, 500), color=colour)
    return root


def direct_app(root: Path) -> tuple[PortfolioApp, list[str]]:
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/p0.jpg", pictures=DIRECT)
    written: list[str] = []
    app.terminal_images.write = written.append
    return app, written


def view_of(app: PortfolioApp) -> PhotoView:
    assert isinstance(app.screen, LoupeScreen)
    return app.screen.query_one(PhotoView)


def placed(written: list[str]) -> list[str]:
    """The Kitty placement sequences written to the terminal, in order."""
    return re.findall(r"\x1b7\x1b\[\d+;\d+H\x1b_Ga=p[^\x1b]*\x1b\\\x1b8", "".join(written))


def paint(view: PhotoView, written: list[str]) -> list[str]:
    """Paint ``view`` whole; the placements that painting sent."""
    before = len(placed(written))
    view.render_lines(Region(0, 0, *view.size))
    return placed(written)[before:]


def taken_off(written: list[str]) -> list[tuple[int, int]]:
    """(image id, placement id) of every placement taken off the screen."""
    found = re.findall(r"\x1b_Ga=d,d=i,q=2,i=(\d+),p=(\d+)", "".join(written))
    return [(int(i), int(p)) for i, p in found]


def test_old_kitty_capabilities_give_direct_placement() -> None:
    assert DIRECT.mode == "kitty" and DIRECT.kitty_direct


async def test_direct_placement_draws_at_the_pictures_cells_once(shoot: Path) -> None:
    app, written = direct_app(shoot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = view_of(app)
        picture = view.rendered
        assert isinstance(picture, Picture) and picture.direct and picture.image_id
        sent = "".join(written)
        # Stored, not placed virtually: no U=1, and no placeholder boxes in the cells.
        assert f"a=t,q=2,f=100,i={picture.image_id}" in sent
        assert "U=1" not in sent
        view.forget_sixel()  # as if the terminal showed nothing there
        before = len(placed(written))
        full = view.render_lines(Region(0, 0, *view.size))
        assert all(PLACEHOLDER not in line.text for line in full)
        cells = ["".join(s.text for s in line if not s.control) for line in full]
        assert all(text.strip() == "" for text in cells)
        # Not inside the frame (the compositor may not send every line it renders):
        # straight to the terminal, at the picture's top-left cell, cursor kept.
        assert not any("\x1b_Ga=p" in line.text for line in full)
        (sequence,) = placed(written)[before:]
        box = view.content_region
        left = box.x + (view.size.width - picture.cols) // 2
        top = box.y + (view.size.height - picture.rows) // 2
        pid = view._placement_id
        assert sequence == (
            f"\x1b7\x1b[{top + 1};{left + 1}H"
            f"\x1b_Ga=p,q=2,C=1,i={picture.image_id},p={pid}\x1b\\\x1b8"
        )
        # Text does not hide a placed image: a repaint places nothing again.
        assert paint(view, written) == []


async def test_direct_placement_is_taken_off_when_the_photo_changes(shoot: Path) -> None:
    app, written = direct_app(shoot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = view_of(app)
        first = view.rendered
        assert isinstance(first, Picture)
        pid = view._placement_id
        assert taken_off(written) == []
        await pilot.press("right")
        await settle(pilot)
        second = view.rendered
        assert isinstance(second, Picture) and second.image_id != first.image_id
        assert taken_off(written) == [(first.image_id, pid)]
        view.forget_sixel()
        (sequence,) = paint(view, written)
        assert f"i={second.image_id},p={pid}" in sequence


async def test_direct_placement_leaves_while_another_screen_is_on_top(shoot: Path) -> None:
    app, written = direct_app(shoot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = view_of(app)
        picture = view.rendered
        assert isinstance(picture, Picture)
        view.render_lines(Region(0, 0, *view.size))  # make sure it is placed
        await pilot.press("question_mark")
        await settle(pilot)
        # Above the text, a placed image would cover the help: it is taken off.
        assert (picture.image_id, view._placement_id) in taken_off(written)
        assert paint(view, written) == []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoupeScreen)
        view.forget_sixel()
        assert len(paint(view, written)) == 1


async def test_direct_placements_are_deleted_when_the_loupe_closes_and_the_app_ends(
    shoot: Path,
) -> None:
    app, written = direct_app(shoot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = view_of(app)
        picture = view.rendered
        assert isinstance(picture, Picture)
        pid = view._placement_id
        view.render_lines(Region(0, 0, *view.size))
        await pilot.press("escape")  # back to the grid
        await settle(pilot)
        assert (picture.image_id, pid) in taken_off(written)
        app.exit()
        deleted = re.findall(r"\x1b_Ga=d,d=I,q=2,i=(\d+)", "".join(written))
        assert str(picture.image_id) in deleted
        assert app.terminal_images.held == frozenset()


async def test_help_names_the_terminal_and_the_placement(shoot: Path) -> None:
    app, _ = direct_app(shoot)
    async with app.run_test(size=SIZE):
        text = app.graphics_description
        assert "kitty 0.26.5: Kitty graphics, direct placement" in text
        assert "Unicode placeholders need 0.28" in text


async def test_a_late_screen_change_signal_does_not_leave_the_photo_off(shoot: Path) -> None:
    """The signal can come after the loupe's last paint: the photo is placed again."""
    app, written = direct_app(shoot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = view_of(app)
        picture = view.rendered
        assert isinstance(picture, Picture)
        view.render_lines(Region(0, 0, *view.size))
        view.forget_sixel()  # as the screen-change signal does
        assert (picture.image_id, view._placement_id) in taken_off(written)
        await pilot.pause()
        await pilot.pause()
        # Painted again: the terminal shows the photo (headless, the frame is not recorded).
        assert view._placed is not None and view._placed[0] is picture


def test_a_small_photo_is_stretched_over_its_cells_a_large_one_drawn_as_is() -> None:
    small = picture_from_image(("k",), Image.new("RGB", (100, 80)), 50, 20, DIRECT, (200, 160))
    sequence = kitty_place_sequence(small, 7, 3, 2, DIRECT)
    # Shown at twice its pixels: 200x160 screen pixels is 25x10 cells of 8x16.
    assert (small.cols, small.rows) == (25, 10)
    assert sequence == (
        f"\x1b7\x1b[3;4H\x1b_Ga=p,q=2,C=1,i={small.image_id},p=7,c=25,r=10\x1b\\\x1b8"
    )
    exact = picture_from_image(("k",), Image.new("RGB", (200, 160)), 50, 20, DIRECT, (200, 160))
    sequence = kitty_place_sequence(exact, 7, 0, 0, DIRECT)
    assert ",c=" not in sequence  # its own pixels, no resampling by the terminal
