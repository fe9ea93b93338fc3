"""Issue 21, item 3 in the app: one odd file name used to stop all saving, silently.

Rating a photo whose name is not UTF-8 raised UnicodeEncodeError in the writer
thread, which caught only CurationError and OSError: the thread died, every
later change was lost, NOT SAVED never showed and ``q`` said "unknown error".
Now such a name saves, and any exception in a writer is NOT SAVED with its
reason (one notice), while the writer keeps serving later changes.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from concurrent.futures import wait
from pathlib import Path
from typing import Any

import pytest
from ui_support import notices, screen_lines, screen_text, settle

from conftest import ImageMaker
from portfolio_tui.curation import Snapshot
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.store.sqlite_picks import SqlitePicksStore
from portfolio_tui.ui.app import PortfolioApp

SIZE = (120, 34)
RAW = b"01-caf\xe9.jpg"
"""Latin-1 é: not UTF-8. Named 01- so that it is the first tile."""


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    made = make_image(tmp_path / "p" / "g" / "made.jpg", color=(200, 60, 60))
    os.rename(made, os.path.join(os.fsencode(made.parent), RAW))
    make_image(tmp_path / "p" / "g" / "02-plain.jpg", color=(60, 200, 60))
    make_image(tmp_path / "p" / "g" / "03-plain.jpg", color=(60, 60, 200))
    return tmp_path / "p"


def app_for(root: Path, **kwargs: Any) -> PortfolioApp:
    kwargs.setdefault("curation", SqliteCurationStore(root, author="me@test"))
    return PortfolioApp(open_portfolio(root), watch_curation=False, **kwargs)


def saved_picks(app: PortfolioApp) -> None:
    """Wait for the favourites' writer to finish what was asked of it (it stays running)."""
    wait(app.picker._pending, timeout=5)


def on_disk(root: Path) -> Snapshot:
    """What is saved, read as a viewer would (a store of its own, read-only)."""
    with SqliteCurationStore(root, read_only=True) as store:
        return store.load()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX byte file names")
async def test_a_photo_named_in_raw_bytes_is_rated_and_still_rated_after_a_restart(
    root: Path,
) -> None:
    rel = "g/" + os.fsdecode(RAW)
    app = app_for(root, open_target="gallery:g")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("3")
        assert await asyncio.to_thread(app.curator.flush, 5), app.curator.error
        await pilot.press("right", "p")
        assert await asyncio.to_thread(app.curator.flush, 5), app.curator.error
        await settle(pilot)
        assert "NOT SAVED" not in screen_lines(app)[0]
        await pilot.press("q")
    assert app.curator.unsaved == 0 and app.curator.error is None
    again = app_for(root, open_target="gallery:g")
    async with again.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert again.curator.snapshot.photo(rel).rating == 3
        assert again.curator.snapshot.photo("g/02-plain.jpg").flag == "pick"
        assert "★★★" in screen_text(again)


async def test_an_unexpected_error_in_the_writer_is_not_saved_once_and_later_changes_save(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = threading.Event()
    broken.set()
    real_apply = SqliteCurationStore.apply

    def apply(self: SqliteCurationStore, changes: Any) -> Any:
        if broken.is_set():
            raise RuntimeError("the store broke in a way nobody foresaw")
        return real_apply(self, changes)

    monkeypatch.setattr(SqliteCurationStore, "apply", apply)
    app = app_for(root, open_target="gallery:g")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("3")
        assert not await asyncio.to_thread(app.curator.flush, 5)
        await settle(pilot)
        assert "NOT SAVED" in screen_lines(app)[0]
        await pilot.press("right", "p")  # the writer is alive and tries again
        assert not await asyncio.to_thread(app.curator.flush, 5)
        await settle(pilot)
        said = [n for n in notices(app) if "not saved" in n]
        assert said == [
            f"{root / 'curation.sqlite'}: not saved: RuntimeError: the store broke in a way "
            "nobody foresaw. The changes stay on screen and are saved with the next one."
        ]
        assert app.curator.unsaved == 2
        broken.clear()
        await pilot.press("right", "4")
        assert await asyncio.to_thread(app.curator.flush, 5)
        await settle(pilot)
        assert "NOT SAVED" not in screen_lines(app)[0]
        assert app.curator.unsaved == 0
    snap = on_disk(root)
    assert snap.photo("g/" + os.fsdecode(RAW)).rating == 3
    assert snap.photo("g/02-plain.jpg").flag == "pick"
    assert snap.photo("g/03-plain.jpg").rating == 4


async def test_quitting_while_the_writer_fails_says_why_not_unknown_error(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def apply(self: SqliteCurationStore, changes: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(SqliteCurationStore, "apply", apply)
    app = app_for(root, open_target="gallery:g")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("3", "right", "5")
        await pilot.press("q")
    # What the command line prints on exit (cli._start_app) comes from these.
    assert app.curator.unsaved == 2
    assert app.curator.error == f"{root / 'curation.sqlite'}: not saved: RuntimeError: boom"


async def test_an_unexpected_error_saving_a_favourite_is_said_once_and_later_ones_save(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = threading.Event()
    broken.set()
    real_apply = SqlitePicksStore.apply

    def apply(self: SqlitePicksStore, client: str, **kwargs: Any) -> Any:
        if broken.is_set():
            raise RuntimeError("picks broke")
        return real_apply(self, client, **kwargs)

    monkeypatch.setattr(SqlitePicksStore, "apply", apply)
    app = app_for(root, present=True, open_target="gallery:g", client="Anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("right", "h", "right", "h")
        await asyncio.to_thread(saved_picks, app)
        await pilot.pause()
        said = [n for n in notices(app) if "Favourite not saved" in n]
        assert said == [
            f"Favourite not saved: {root / 'curation.sqlite'}: not saved: RuntimeError: picks broke"
        ]
        broken.clear()
        await pilot.press("right", "h")
        await asyncio.to_thread(saved_picks, app)
        await pilot.pause()
        assert len([n for n in notices(app) if "Favourite not saved" in n]) == 1
    assert SqlitePicksStore(root).load("Anna").photos() == ("g/03-plain.jpg",)
