"""Hostile file names and broken images: shown literally, never obeyed, never fatal.

File names come from outside the program.  Markup in them must not be parsed (a
``[@click=app.quit]`` name must not quit), control characters must not reach the
terminal (ESC is drawn as ␛), bidirectional overrides and undecodable bytes must be
replaced, and an image that cannot be decoded becomes a placeholder with its reason.
"""

from __future__ import annotations

import io
import os
import random
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.app import App
from ui_support import (
    jpeg_bytes,
    region_lines,
    screen_strips,
    screen_text,
    settle,
    static_text,
    title_bar,
)

from portfolio_tui.portfolio import Portfolio, open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.gallery import GalleryScreen
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.info_panel import InfoPanel
from portfolio_tui.ui.widgets.photo_view import PhotoView
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid

SIZE = (100, 30)

GALLERY_FOLDER = "[@click=app.quit]shots"
"""The gallery's folder (and so its title) is hostile too."""

HOSTILE: dict[bytes, str] = {
    # file name on disk -> how the app must show it
    b"IMG_[2024].jpg": "IMG_[2024].jpg",
    b"[@click=app.quit]x.jpg": "[@click=app.quit]x.jpg",
    # "/" cannot appear in a file name, so the closing "[/]" tag of the brief is left out.
    b"[bold red]loud.jpg": "[bold red]loud.jpg",
    b"a\x1b[31mb.jpg": "a␛[31mb.jpg",
    "rtl\u202egnp.jpg".encode(): "rtl\ufffdgnp.jpg",
    b"bad-\xff\xfe.jpg": "bad-\ufffd\ufffd.jpg",
}

FORBIDDEN = ("\x1b", "\u202e", "\x07", "\x9b")
"""Characters that must never reach the terminal from a file name."""

BROKEN: dict[str, str] = {
    # file name -> a word the reason shown must contain
    "random.jpg": "image",
    "truncated.jpg": "truncated",
    "empty.jpg": "empty",
}
GOOD = ("good-1.jpg", "good-2.jpg")


def write_raw(folder: Path, name: bytes, data: bytes) -> None:
    """Write a file whose name may hold any bytes but "/" and NUL."""
    fd = os.open(os.path.join(os.fsencode(folder), name), os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def noisy_jpeg(size: tuple[int, int] = (160, 200), seed: int = 3) -> bytes:
    """A JPEG of seeded noise: large enough that cutting it in half loses scan data."""
    rng = random.Random(seed)
    pixels = bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def hostile_portfolio(tmp_path: Path) -> Portfolio:
    """One gallery whose folder and every file name are hostile."""
    folder = tmp_path / "hostile" / GALLERY_FOLDER
    folder.mkdir(parents=True)
    for i, name in enumerate(HOSTILE):
        write_raw(folder, name, jpeg_bytes(color=(40 * i, 120, 200 - 30 * i)))
    portfolio = open_portfolio(tmp_path / "hostile")
    assert len(portfolio.galleries) == 1
    assert len(portfolio.galleries[0]) == len(HOSTILE)
    return portfolio


@pytest.fixture
def broken_portfolio(tmp_path: Path) -> Portfolio:
    """Two good photos around three that cannot be decoded."""
    folder = tmp_path / "broken" / "mixed"
    folder.mkdir(parents=True)
    (folder / "good-1.jpg").write_bytes(jpeg_bytes(color=(200, 60, 60)))
    (folder / "good-2.jpg").write_bytes(jpeg_bytes(color=(60, 200, 60)))
    (folder / "random.jpg").write_bytes(random.Random(1).randbytes(4096))
    data = noisy_jpeg()
    (folder / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (folder / "empty.jpg").write_bytes(b"")
    portfolio = open_portfolio(tmp_path / "broken")
    assert len(portfolio.galleries) == 1
    return portfolio


def shown_name(photo_name: str) -> str:
    """What the app must show for a photo's file name (str, surrogate-escaped)."""
    return HOSTILE[os.fsencode(photo_name)]


def assert_nothing_forbidden(app: App[Any]) -> None:
    """No segment on screen, and nothing in an SVG export, carries a raw control character."""
    for y, texts in enumerate(screen_strips(app)):
        for text in texts:
            for char in FORBIDDEN:
                assert char not in text, (y, text)
            assert not any("\ud800" <= c <= "\udfff" for c in text), (y, text)
    svg = app.export_screenshot()
    for char in FORBIDDEN:
        assert char not in svg


async def open_gallery(pilot: Any) -> ThumbGrid:
    """From home, Enter on the (only) gallery card; returns its grid."""
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, GalleryScreen)
    return screen.grid


# -- hostile names -------------------------------------------------------------------------


async def test_hostile_names_show_literally_across_the_grid(
    hostile_portfolio: Portfolio,
) -> None:
    app = PortfolioApp(hostile_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        assert GALLERY_FOLDER in screen_text(app)
        grid = await open_gallery(pilot)
        total = len(grid.photos)
        assert title_bar(app)[0] == GALLERY_FOLDER
        for index, photo in enumerate(grid.photos):
            if index:
                await pilot.press("right")
            assert grid.cursor == index
            assert title_bar(app)[1] == f"{shown_name(photo.name)} · {index + 1} / {total}"
            assert shown_name(photo.name) in screen_text(app)
            assert_nothing_forbidden(app)
        assert app.is_running


async def test_hostile_names_show_literally_in_the_loupe_and_its_info(
    hostile_portfolio: Portfolio,
) -> None:
    app = PortfolioApp(hostile_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_gallery(pilot)
        photos = list(grid.photos)
        await pilot.press("enter", "i")
        for index, photo in enumerate(photos):
            if index:
                await pilot.press("right")
            await settle(pilot)
            loupe = app.screen
            assert isinstance(loupe, LoupeScreen)
            assert loupe.photo == photo
            shown = shown_name(photo.name)
            title, status = title_bar(app)
            assert title.startswith(GALLERY_FOLDER)
            assert status == f"{shown} · {index + 1} / {len(photos)}"
            info = static_text(loupe.query_one(InfoPanel))
            assert f"{GALLERY_FOLDER}/{shown}" in info
            assert "Pixels" in info
            assert shown in screen_text(app)
            assert_nothing_forbidden(app)
        assert app.is_running


async def test_clicking_a_markup_name_does_not_run_it(hostile_portfolio: Portfolio) -> None:
    """The "[@click=app.quit]" in the title bar and status is text, not a link."""
    app = PortfolioApp(hostile_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_gallery(pilot)
        grid.cursor = next(
            i for i, p in enumerate(grid.photos) if p.name == "[@click=app.quit]x.jpg"
        )
        await pilot.pause()
        for selector in ("TitleBar #title", "TitleBar #status"):
            assert await pilot.click(selector, offset=(2, 0)), selector
            assert await pilot.click(selector, offset=(5, 0)), selector
            await pilot.pause()
            assert app.is_running, selector
            assert isinstance(app.screen, GalleryScreen)
    assert app.return_code is None or app.return_code == 0


# -- broken images -------------------------------------------------------------------------


async def test_broken_images_are_placeholder_tiles_with_their_reason(
    broken_portfolio: Portfolio,
) -> None:
    app = PortfolioApp(broken_portfolio)
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await open_gallery(pilot)
        g = grid.geometry
        lines = region_lines(app, grid)
        assert g.tile_region(len(grid.photos) - 1).bottom <= len(lines), "all tiles visible"
        for index, photo in enumerate(grid.photos):
            thumb = grid.thumbnail(photo)
            assert thumb is not None, photo.name
            tile = g.tile_region(index)
            inside = [line[tile.x + 1 : tile.right - 1] for line in lines[tile.y + 1 : tile.bottom]]
            tile_text = " ".join(" ".join(inside).split())
            if photo.name in GOOD:
                assert thumb.error is None, thumb.error
                assert thumb.strips
                assert "▀" in tile_text
                continue
            assert thumb.error is not None, photo.name
            assert BROKEN[photo.name] in thumb.error
            assert "⚠" in tile_text
            for word in thumb.error.split():
                assert word in tile_text, (photo.name, word, tile_text)
        assert app.is_running


async def test_loupe_shows_why_a_photo_cannot_be_drawn(broken_portfolio: Portfolio) -> None:
    app = PortfolioApp(broken_portfolio)
    async with app.run_test(size=SIZE) as pilot:
        grid = await open_gallery(pilot)
        photos = list(grid.photos)
        await pilot.press("enter", "i")
        for index, photo in enumerate(photos):
            if index:
                await pilot.press("right")
            await settle(pilot)
            loupe = app.screen
            assert isinstance(loupe, LoupeScreen)
            view = loupe.query_one("#photo", PhotoView)
            rendered = view.rendered
            assert rendered is not None, photo.name
            text = screen_text(app)
            if photo.name in GOOD:
                assert rendered.error is None, rendered.error
                continue
            assert rendered.error is not None, photo.name
            assert BROKEN[photo.name] in rendered.error
            assert f"⚠ {photo.name}" in text
            on_screen = " ".join(text.split())
            for word in rendered.error.split():
                assert word in on_screen, (photo.name, word)
            if photo.name != "truncated.jpg":  # its header reads fine; only the pixels fail
                info = static_text(loupe.query_one(InfoPanel))
                assert "Problem" in info, photo.name
        assert app.is_running


async def test_a_bracketed_gallery_title_shows_whole_in_the_command_palette(
    tmp_path: Path,
) -> None:
    """The palette reads titles as Textual markup: "[Draft] Studio" must not lose "[Draft]"."""
    from textual.content import Content

    (tmp_path / "Draft").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "Draft" / "a.jpg")
    (tmp_path / "config.toml").write_text(
        '[portfolio]\ntitle = "t"\n[[galleries]]\nid = "d"\ntitle = "[Draft] Studio \\\\"\n'
        'folder = "Draft"\n',
        encoding="utf-8",
    )
    app = PortfolioApp(open_portfolio(tmp_path / "config.toml"), watch_curation=False)
    async with app.run_test(size=SIZE):
        titles = [
            Content.from_markup(command.title).plain
            for command in app.get_system_commands(app.screen)
        ]
    assert "Gallery: [Draft] Studio \\" in titles
