"""Kitty and Sixel pictures in the loupe and comparison: sent once, reused, deleted.

The app runs headless, so what would reach the terminal is recorded from
``TerminalImages.write`` (Kitty transmits and deletes) and from the strips the
photo view hands the compositor (placeholders, Sixel sequences).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from rich.color import ColorType
from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from ui_support import settle

from conftest import DEMO_CONFIG, ImageMaker
from portfolio_tui.graphics.kitty import PLACEHOLDER
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.pictures import Picture, PictureSettings
from portfolio_tui.ui.rendering import Rendered
from portfolio_tui.ui.screens.gallery import GalleryScreen
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets import photo_view
from portfolio_tui.ui.widgets.photo_view import PhotoView

KITTY = PictureSettings(mode="kitty", cell_size=(8, 16), reason="the terminal answered")
SIXEL = PictureSettings(mode="sixel", cell_size=(8, 16), reason="the terminal answered")
SIZE = (100, 30)


@pytest.fixture
def shoot(tmp_path: Path, make_image: ImageMaker) -> Path:
    """One gallery of three photos of different colours."""
    root = tmp_path / "shoot"
    for i, colour in enumerate([(200, 40, 40), (40, 200, 40), (40, 40, 200)]):
        make_image(root / "g" / f"p{i}.jpg", size=(400, 500), color=colour)
    return root


def graphics_app(root: Path, settings: PictureSettings) -> tuple[PortfolioApp, list[str]]:
    """The app opened on the first photo, recording what it writes to the terminal."""
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/p0.jpg", pictures=settings)
    written: list[str] = []
    app.terminal_images.write = written.append
    return app, written


def view_of(app: PortfolioApp) -> PhotoView:
    assert isinstance(app.screen, LoupeScreen)
    return app.screen.query_one(PhotoView)


def transmitted_ids(written: list[str]) -> list[int]:
    return [int(m) for m in re.findall(r"\x1b_Ga=t,[^;]*?i=(\d+)", "".join(written))]


def deleted_ids(written: list[str]) -> list[int]:
    return [int(m) for m in re.findall(r"\x1b_Ga=d,d=I,q=2,i=(\d+)", "".join(written))]


def pixel_width(picture: Picture) -> int:
    """The width in pixels of the image a picture sends."""
    if picture.mode == "sixel":
        match = re.search(r'"1;1;(\d+);(\d+)', picture.payload)
        assert match is not None
        return int(match.group(1))
    chunks = re.findall(r"\x1b_G[^;]*;([^\x1b]*)\x1b", picture.payload)
    png = base64.b64decode("".join(chunks))
    return Image.open(io.BytesIO(png)).width


def sixel_in(strips: list[Strip]) -> list[str]:
    """The Sixel sequences inside ``strips``."""
    return [s.text for strip in strips for s in strip if "\x1bP" in s.text]


async def test_kitty_sends_a_photo_once_and_shows_placeholders(shoot: Path) -> None:
    app, written = graphics_app(shoot, KITTY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = view_of(app)
        picture = view.rendered
        assert isinstance(picture, Picture) and picture.mode == "kitty"
        assert transmitted_ids(written) == [picture.image_id]
        # The photo is 400x500 px; 8x16-pixel cells: the picture keeps its shape.
        assert picture.rows <= view.size.height
        assert abs(picture.cols * 8 / (picture.rows * 16) - 0.8) < 0.1
        lines = view.render_lines(Region(0, 0, *view.size))
        shown = [line for line in lines if PLACEHOLDER in line.text]
        assert len(shown) == picture.rows
        assert all(line.text.count(PLACEHOLDER) == picture.cols for line in shown)
        # Repainting an unchanged photo sends no image data at all.
        before = len("".join(written))
        for _ in range(3):
            view.refresh()
            await pilot.pause()
        await pilot.resize_terminal(SIZE[0], SIZE[1])
        await settle(pilot)
        assert len("".join(written)) == before


async def test_kitty_keeps_recent_photos_in_the_terminal_and_deletes_older(shoot: Path) -> None:
    app, written = graphics_app(shoot, KITTY)
    app.terminal_images.keep = 1
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = view_of(app).rendered
        assert isinstance(first, Picture)
        await pilot.press("right")
        await settle(pilot)
        second = view_of(app).rendered
        assert isinstance(second, Picture) and second.image_id != first.image_id
        assert transmitted_ids(written) == [first.image_id, second.image_id]
        assert deleted_ids(written) == []
        assert app.terminal_images.shown == {second.image_id}
        assert app.terminal_images.held == {first.image_id, second.image_id}
        # Back to the photo just left: the terminal still has it; nothing is sent.
        await pilot.press("left")
        await settle(pilot)
        assert view_of(app).rendered is first
        assert transmitted_ids(written) == [first.image_id, second.image_id]
        # Two photos on: only the most recent one left is kept, the older is deleted.
        await pilot.press("right", "right")
        await settle(pilot)
        third = view_of(app).rendered
        assert isinstance(third, Picture)
        assert deleted_ids(written) == [first.image_id]
        assert app.terminal_images.held == {second.image_id, third.image_id}


async def test_kitty_images_are_deleted_when_the_app_ends(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(tmp_path / "p" / "g" / "a.jpg", size=(300, 300))
    make_image(tmp_path / "p" / "g" / "b.jpg", size=(300, 300))
    app = PortfolioApp(open_portfolio(tmp_path / "p"), open_target="gallery:g", pictures=KITTY)
    written: list[str] = []
    app.terminal_images.write = written.append
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        (shown,) = app.terminal_images.shown
        await pilot.press("escape")
        await settle(pilot)
        assert app.terminal_images.shown == frozenset()
        assert deleted_ids(written) == []  # kept for a quick return
        app.exit()
        assert deleted_ids(written) == [shown]
        assert app.terminal_images.held == frozenset()


async def test_sixel_is_written_after_the_cells_it_covers(shoot: Path) -> None:
    app, written = graphics_app(shoot, SIXEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = view_of(app)
        picture = view.rendered
        assert isinstance(picture, Picture) and picture.mode == "sixel"
        assert written == []  # Sixel goes out with the frame, not on the side
        view.forget_sixel()  # as if the terminal had never shown it
        full = view.render_lines(Region(0, 0, *view.size))
        sequences = sixel_in(full)
        assert len(sequences) == 1
        # On the last line of the update, so the blank cells under it are already written.
        assert "\x1bP" in "".join(s.text for s in full[-1])
        # Placed at the picture's top-left cell on screen, cursor saved and restored.
        box = view.content_region
        left = box.x + (view.size.width - picture.cols) // 2
        top = box.y + (view.size.height - picture.rows) // 2
        assert sequences[0].startswith(f"\x1b7\x1b[{top + 1};{left + 1}H\x1bP")
        assert sequences[0].endswith("\x1b\\\x1b8")
        # The cells hold no text: nothing but the image is drawn there.
        cells = ["".join(s.text for s in line if not s.control) for line in full]
        assert all(text.strip() == "" for text in cells)
        # A repaint that does not touch the picture's cells (here the left margin) sends nothing.
        assert left - box.x > 0
        assert sixel_in(view.render_lines(Region(0, 0, 1, view.size.height))) == []


async def test_sixel_is_not_drawn_while_another_screen_is_on_top(shoot: Path) -> None:
    app, _ = graphics_app(shoot, SIXEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = view_of(app)
        await pilot.press("question_mark")
        await settle(pilot)
        assert sixel_in(view.render_lines(Region(0, 0, *view.size))) == []


async def test_an_unreadable_photo_in_graphics_mode_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "p" / "g" / "bad.jpg"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not a jpeg")
    app = PortfolioApp(
        open_portfolio(tmp_path / "p"), open_target="photo:g/bad.jpg", pictures=SIXEL
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one(PhotoView)
        lines = view.render_lines(Region(0, 0, *view.size))
        assert sixel_in(lines) == []
        assert "bad.jpg" in "\n".join(line.text for line in lines)


async def test_help_names_the_graphics_mode_and_why(shoot: Path) -> None:
    app, _ = graphics_app(shoot, SIXEL)
    async with app.run_test(size=SIZE):
        text = app.graphics_description
        assert "Sixel graphics" in text
        assert "the terminal answered" in text
        assert "8x16 pixels" in text


async def test_comparison_draws_each_side_in_graphics() -> None:
    app = PortfolioApp(
        open_portfolio(DEMO_CONFIG),
        open_target="comparison:real-vs-ai",
        pictures=KITTY,
    )
    written: list[str] = []
    app.terminal_images.write = written.append
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        views = list(app.screen.query(PhotoView))
        pictures = [view.rendered for view in views]
        assert len(pictures) == 3  # the demo's real-vs-ai has three sides
        assert all(isinstance(p, Picture) and p.mode == "kitty" for p in pictures)
        # Equal heights: both sides span the same number of cell rows.
        assert len({p.rows for p in pictures if isinstance(p, Picture)}) == 1
        # Each side is drawn once, at the common height: nothing sent twice.
        assert sorted(transmitted_ids(written)) == sorted(
            p.image_id for p in pictures if isinstance(p, Picture)
        )


@pytest.fixture
def sixels_sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Sixel images the photo views put in their frames, in order."""
    sent: list[str] = []
    original = photo_view.sixel_segments

    def recording(*args: Any) -> list[Segment]:
        segments = original(*args)
        sent.append(segments[0].text)
        return segments

    monkeypatch.setattr(photo_view, "sixel_segments", recording)
    return sent


async def test_a_sixel_still_on_screen_is_stepped_over_not_sent_again(
    shoot: Path, sixels_sent: list[str]
) -> None:
    sent = sixels_sent
    app, _ = graphics_app(shoot, SIXEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(sent) == 1  # the frames that showed the photo sent it once
        view = view_of(app)
        whole = Region(0, 0, *view.size)
        again = view.render_lines(whole)
        assert sixel_in(again) == []
        picture = view.rendered
        assert isinstance(picture, Picture)
        skips = [s.text for line in again for s in line if s.control and "\x1b[" in s.text]
        assert skips == [f"\x1b[{picture.cols}C"] * picture.rows
        assert all(line.cell_length == view.size.width for line in again)
        # A partial repaint (something over part of the photo went away) draws it whole.
        assert len(sixel_in(view.render_lines(Region(0, 0, view.size.width, 3)))) == 1
        # Another screen drew over it: sent again once, though Textual repaints twice.
        sent.clear()
        await pilot.press("question_mark")
        await settle(pilot)
        assert sent == []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoupeScreen)
        assert len(sent) == 1
        # A new terminal size: the photo is drawn for it, and sent.
        await pilot.resize_terminal(SIZE[0] + 10, SIZE[1])
        await settle(pilot)
        assert len(sent) > 1 and sent[-1] != sent[0]


async def test_a_sixel_counts_as_shown_only_once_a_frame_carries_it(
    shoot: Path, sixels_sent: list[str]
) -> None:
    """Textual renders whole widgets but writes only the lines its update covers (and no
    frame made during a batch update): an image rendered is not yet an image shown."""
    app, _ = graphics_app(shoot, SIXEL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = view_of(app)
        whole = Region(0, 0, *view.size)
        app.frames.watch(lambda data: None)  # as in a terminal: frames are watched
        view.forget_sixel()
        sixels_sent.clear()
        assert len(sixel_in(view.render_lines(whole))) == 1  # a frame that was not written
        # Not taken as shown: the next repaint sends it again, not steps over it.
        assert len(sixel_in(view.render_lines(whole))) == 1
        # Once the screen is idle, the view paints itself again (in a real terminal
        # that frame goes out whole).
        for _ in range(50):
            await pilot.pause(0.02)
            if len(sixels_sent) > 2:
                break
        assert len(sixels_sent) > 2
        app.frames.saw(f"\x1b[H{sixels_sent[-1]}\x1b[40;1H")  # that frame reached the terminal
        await settle(pilot)
        count = len(sixels_sent)
        assert sixel_in(view.render_lines(whole)) == []  # now it is stepped over
        await settle(pilot)
        assert len(sixels_sent) == count  # and nothing repaints it any more


async def test_keys_typed_while_the_terminal_was_asked_are_not_lost(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        make_image(tmp_path / "p" / "g" / name)
    app = PortfolioApp(
        open_portfolio(tmp_path / "p"),
        open_target="gallery:g",
        typeahead=b"\x1b[Cl",  # right arrow, then l (also "next")
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GalleryScreen)
        assert screen.grid.cursor == 2


async def test_the_loupe_draws_half_blocks_in_the_apps_colour_depth(
    shoot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(photo_view, "colors_for", lambda app: "256")
    app = PortfolioApp(open_portfolio(shoot), open_target="photo:g/p0.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rendered = view_of(app).rendered
        assert isinstance(rendered, Rendered) and rendered.colors == "256"
        styles = [s.style for strip in rendered.strips for s in strip if s.style]
        colours = [c for style in styles for c in (style.color, style.bgcolor) if c]
        assert colours and all(c.type == ColorType.EIGHT_BIT for c in colours)


@pytest.mark.parametrize("settings", [KITTY, SIXEL], ids=["kitty", "sixel"])
async def test_zoom_split_and_flicker_draw_real_pixels(
    shoot: Path, settings: PictureSettings
) -> None:
    app, _ = graphics_app(shoot, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gallery = app.portfolio.gallery("g")
        assert gallery is not None
        app.compare_photos(gallery.photos[:2], gallery.photos)
        await settle(pilot)
        for keys in (("z",), ("vertical_line",), ("escape", "y")):
            await pilot.press(*keys)
            await settle(pilot)
            view = app.screen.query(PhotoView).first()
            picture = view.rendered
            assert isinstance(picture, Picture), keys
            assert picture.mode == settings.mode and picture.error is None
            # Drawn at the cells' real pixels (8 across a cell), not one pixel per cell.
            assert pixel_width(picture) > 4 * picture.cols
