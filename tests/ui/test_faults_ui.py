"""Faults as the photographer meets them: a full disk while culling, an unwritable cache, a
slow file system and a slow save. The app keeps running, shows what it could not save, and
saves it once the fault clears."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from ui_support import notices, screen_lines, screen_text, settle
from ui_support import tile_edge as edge

from conftest import ImageMaker
from portfolio_tui.curation import Change, Snapshot
from portfolio_tui.imaging.cache import set_shared_cache, shared_cache
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.ui import rendering
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.photo_view import PhotoView
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid

SIZE = (120, 34)


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    for i, name in enumerate(["a.jpg", "b.jpg", "c.jpg"]):
        make_image(tmp_path / "p" / "g" / name, color=(60 * i, 120, 200))
    return tmp_path / "p"


def app_for(root: Path) -> PortfolioApp:
    return PortfolioApp(
        open_portfolio(root),
        open_target="gallery:g",
        curation=SqliteCurationStore(root, author="me@test"),
        watch_curation=False,
    )


def on_disk(root: Path) -> Snapshot:
    """What is saved, read as a viewer would (a store of its own, read-only)."""
    with SqliteCurationStore(root, read_only=True) as store:
        return store.load()


class FullDisk:
    """The store's SQLite connection on a disk with no room left: while ``full`` is set,
    every write fails as SQLite reports it (SQLITE_FULL); reads and the rest go through."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.full = threading.Event()
        self.full.set()

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if self.full.is_set() and sql.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError("database or disk is full")
        return self.conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


async def test_a_full_disk_keeps_the_changes_shown_and_saves_them_when_it_clears(
    root: Path,
) -> None:
    # A curator saved here before (the database exists, and the app opens it).
    with SqliteCurationStore(root, author="ben") as before:
        before.apply([Change.cover("g", "a.jpg")])
    app = app_for(root)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        store = app.curator.store
        assert isinstance(store, SqliteCurationStore) and store._conn is not None
        disk = FullDisk(store._conn)
        store._conn = disk  # type: ignore[assignment]
        await pilot.press("3")
        assert not await asyncio.to_thread(app.curator.flush, 5)  # tried, failed
        await settle(pilot)
        assert "NOT SAVED" in screen_lines(app)[0] and "VIEW ONLY" not in screen_lines(app)[0]
        assert "★★★" in edge(app, 0)
        # Keys keep working while the disk is full; each change is shown at once.
        await pilot.press("right", "p", "7")
        await asyncio.to_thread(app.curator.flush, 5)
        await settle(pilot)
        assert "★★★" in edge(app, 0) and "⚑" in edge(app, 1) and "●" in edge(app, 1)
        assert "NOT SAVED" in screen_lines(app)[0]
        assert app.curator.unsaved == 3
        assert not on_disk(root).photos  # each failed save was rolled back whole
        # One notice for the cause (not one per key), naming the file and the reason.
        said = [n for n in notices(app) if "not saved" in n]
        assert said == [
            f"{root / 'curation.sqlite'}: not saved: database or disk is full. "
            "The changes stay on screen and are saved with the next one."
        ]
        # The disk has room again: the next change saves everything waiting.
        disk.full.clear()
        await pilot.press("right", "4")
        assert await asyncio.to_thread(app.curator.flush, 5)
        await settle(pilot)
        assert "NOT SAVED" not in screen_lines(app)[0]
        assert app.curator.unsaved == 0
    snap = on_disk(root)
    assert snap.photo("g/a.jpg").rating == 3
    b = snap.photo("g/b.jpg")
    assert (b.flag, b.label) == ("pick", "yellow")
    assert snap.photo("g/c.jpg").rating == 4


async def test_a_store_that_is_a_link_is_view_only_and_nothing_reaches_its_target(
    root: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with SqliteCurationStore(elsewhere, author="x") as store:
        store.apply([Change.rating("g/a.jpg", 1)])
    (root / "curation.sqlite").symlink_to(elsewhere / "curation.sqlite")
    app = app_for(root)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.pause(0.2)
        assert "VIEW ONLY" in screen_lines(app)[0]
        assert any("curation.sqlite" in n and "link" in n for n in notices(app)), notices(app)
        assert "★" not in edge(app, 0)  # what the link points to is not shown as this store
        await pilot.press("5", "right", "p")
        await settle(pilot)
        assert "★★★★★" not in edge(app, 0)
    with SqliteCurationStore(elsewhere, read_only=True) as target:
        snap = target.load()
    assert snap.photo("g/a.jpg").rating == 1 and snap.photo("g/b.jpg").flag is None
    assert (root / "curation.sqlite").is_symlink()


async def test_a_slow_save_never_holds_the_keys_up(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_apply = SqliteCurationStore.apply
    saving = threading.Event()
    first_done = threading.Event()

    def slow_apply(self: SqliteCurationStore, changes: Any) -> Any:
        saving.set()
        time.sleep(1.0)
        try:
            return real_apply(self, changes)
        finally:
            first_done.set()

    monkeypatch.setattr(SqliteCurationStore, "apply", slow_apply)
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        await pilot.press("3")
        assert await asyncio.to_thread(saving.wait, 2)
        began = time.monotonic()
        await pilot.press("right", "5", "right", "x")
        took = time.monotonic() - began
        # Handled while the first save still sleeps in the writer thread.
        assert not first_done.is_set()
        assert app.curator.unsaved >= 1
        assert grid.cursor == 2
        assert "★★★★★" in edge(app, 1) and "✕" in edge(app, 2)
        assert took < 0.8, f"four keys took {took:.2f} s during a save"
        assert await asyncio.to_thread(app.curator.flush, 5)
    snap = on_disk(root)
    assert snap.photo("g/a.jpg").rating == 3 and snap.photo("g/b.jpg").rating == 5
    assert snap.photo("g/c.jpg").flag == "reject"


async def test_slow_reads_never_hold_the_keys_up(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fitted = rendering.fitted
    started = threading.Event()

    def slow_fitted(*args: Any, **kwargs: Any) -> Any:
        started.set()
        time.sleep(0.5)  # a photo on a sleepy network share
        return real_fitted(*args, **kwargs)

    monkeypatch.setattr(rendering, "fitted", slow_fitted)
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert await asyncio.to_thread(started.wait, 2)
        grid = app.screen.query_one(ThumbGrid)
        began = time.monotonic()
        await pilot.press("right")
        took = time.monotonic() - began
        assert grid.cursor == 1
        assert any(grid.thumbnail(p) is None for p in grid.photos), "decodes not pending"
        assert took < 0.45, f"a key took {took:.2f} s while photos were decoding"
        await pilot.press("2")
        assert "★★" in edge(app, 1)
        await settle(pilot)
        assert all(grid.thumbnail(p) is not None for p in grid.photos)
        assert await asyncio.to_thread(app.curator.flush, 5)


async def test_an_uncreatable_cache_still_shows_every_photo(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder would go under this file")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    set_shared_cache(None)
    app = app_for(root)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        for photo in grid.photos:
            shown = grid.thumbnail(photo)
            assert shown is not None and shown.error is None and shown.strips, photo.rel
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoupeScreen)
        view = app.screen.query_one(PhotoView)
        assert view.rendered is not None and getattr(view.rendered, "error", None) is None
        await pilot.press("right")
        await settle(pilot)
        assert view.rendered is not None and getattr(view.rendered, "error", None) is None
        assert "Traceback" not in screen_text(app)
        assert len(notices(app)) <= 1, notices(app)
    reason = shared_cache().disabled_reason or ""
    assert reason.startswith(f"cannot write the image cache at {blocker / 'cache'}")
    assert not (blocker.parent / "cache").exists()
