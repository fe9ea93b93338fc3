"""The bad-input corpus through the app: every tile browsed, every photo opened (with its
info panel) and presented; no exception, no traceback, a message for each bad photo,
nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ui_support import screen_text, settle

import corpus
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.gallery import GalleryScreen
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid

SIZE = (160, 48)


def listing(root: Path) -> set[str]:
    """Every path under ``root`` (symlinks not followed)."""
    found = set()
    for folder, dirs, files in os.walk(root, followlinks=False):
        found.update(os.path.join(folder, name) for name in [*dirs, *files])
    return found


def assert_clean(text: str) -> None:
    assert "Traceback" not in text
    assert "\x1b" not in text and "\x07" not in text  # nothing reaches the terminal raw


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, list[corpus.Case]]:
    cases = corpus.build(tmp_path)
    yield tmp_path, cases
    os.chmod(tmp_path / "folders" / "locked", 0o700)  # so pytest can clean up


async def test_every_photo_of_the_corpus_browses_opens_and_presents(
    built: tuple[Path, list[corpus.Case]],
) -> None:
    tmp, cases = built
    root = tmp / "portfolio"
    before = listing(root)
    portfolio = open_portfolio(root / "config.toml")
    later = {"deleted-while-shown", "replaced-while-shown"}  # the test below
    by_path = {case.path: case for case in cases if case.path and case.id not in later}
    app = PortfolioApp(
        portfolio, curation=SqliteCurationStore(root, author="qa@test"), watch_curation=False
    )
    messages: dict[str, str] = {}
    async with app.run_test(size=SIZE) as pilot:
        for gallery in portfolio.galleries:
            app.open_gallery(gallery)
            await settle(pilot)
            grid = app.screen.query_one(ThumbGrid)
            for _ in range(len(gallery.photos)):  # every tile, drawn on its way past
                await pilot.press("right")
            await settle(pilot)
            assert_clean(screen_text(app))
            if not gallery.photos:
                await pilot.press("enter", "f", "escape")  # nothing to open or present
                continue
            await pilot.press("home", "enter", "i")
            assert isinstance(app.screen, LoupeScreen), gallery.id
            for photo in gallery.photos:
                await settle(pilot)
                text = screen_text(app)
                assert_clean(text)
                case = by_path.get(photo.rel)
                if case is not None and case.app == corpus.UNREADABLE:
                    assert "⚠" in text, case.id
                    messages[case.id] = text
                await pilot.press("right")
            await pilot.press("escape")
            assert isinstance(app.screen, GalleryScreen)
            await pilot.press("f", "i")  # present the first few too, caption on
            for _ in range(min(8, len(gallery.photos) + 2)):
                await pilot.press("right")
                await settle(pilot)
                assert_clean(screen_text(app))
            await pilot.press("escape", "escape")
            assert grid.photos  # the grid survived it all
        assert app.return_code is None or app.return_code == 0
    assert app._exception is None
    unreadable = {c.id for c in by_path.values() if c.app == corpus.UNREADABLE}
    assert unreadable <= set(messages)
    # A curator's store makes its database at the first save, not by looking.
    assert listing(root) == before, "browsing wrote into the portfolio"


async def test_a_photo_deleted_or_replaced_while_shown_says_so(
    built: tuple[Path, list[corpus.Case]],
) -> None:
    tmp, _ = built
    root = tmp / "portfolio"
    app = PortfolioApp(
        open_portfolio(root / "config.toml"),
        open_target="photo:bad/orient-1.jpg",
        curation=SqliteCurationStore(root, author="qa@test"),
        watch_curation=False,
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "⚠" not in screen_text(app)
        (root / "bad" / "orient-1.jpg").unlink()
        (root / "bad" / "orient-2.jpg").write_bytes(b"no longer a photo")
        await pilot.press("right")  # orient-2: replaced by garbage
        await settle(pilot)
        assert "not an image Pillow can read" in screen_text(app)
        await pilot.press("left")  # orient-1: gone
        await settle(pilot)
        assert "file not found" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, GalleryScreen)
        assert_clean(screen_text(app))
    assert app._exception is None


async def test_the_folder_tricks_and_an_empty_portfolio_open_with_a_notice(
    built: tuple[Path, list[corpus.Case]],
) -> None:
    tmp, _ = built
    for folder, expected in (
        (tmp / "folders", "outside the portfolio root"),
        (tmp / "empty", "no photos found"),
    ):
        app = PortfolioApp(open_portfolio(folder), watch_curation=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.pause(0.2)
            notices = " ".join(str(n.message) for n in app._notifications)
            assert expected in notices, notices
            assert_clean(screen_text(app))
        assert app._exception is None
