"""Another curator's saves reach a running app live through the SQLite store: the tile
shows the new value and a notice names who changed what; the app's own saves are never
announced as someone else's; a viewer (read-only) follows them too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from ui_support import notices, screen_lines, settle
from ui_support import tile_edge as edge

from conftest import ImageMaker
from portfolio_tui.curation import Change
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.ui.app import PortfolioApp

SIZE = (120, 34)
WAIT = 10.0
"""Seconds a remote save may take to show (watchfiles, or the one-second poll)."""


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    for i, name in enumerate(["a.jpg", "b.jpg", "c.jpg"]):
        make_image(tmp_path / "p" / "g" / name, color=(60 * i, 120, 200))
    return tmp_path / "p"


def app_for(root: Path, **kwargs: object) -> PortfolioApp:
    return PortfolioApp(
        open_portfolio(root),
        open_target="gallery:g",
        curation=SqliteCurationStore(root, author="me@test", **kwargs),  # type: ignore[arg-type]
        watch_curation=True,
    )


async def until(pilot, done: Callable[[], bool]) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``done`` every 0.1 s for up to :data:`WAIT` seconds."""
    for _ in range(int(WAIT / 0.1)):
        if done():
            return True
        await pilot.pause(0.1)
    return done()


async def started(pilot) -> None:  # type: ignore[no-untyped-def]
    """The first load shown and the watcher up."""
    await settle(pilot)
    await pilot.pause(0.5)


async def test_another_curators_rating_shows_on_the_tile_with_a_notice_naming_her(
    root: Path,
) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        assert "★" not in edge(app, 1)
        with SqliteCurationStore(root, author="maria") as maria:
            await asyncio.to_thread(maria.apply, [Change.rating("g/b.jpg", 4)])

            def shown() -> bool:
                return "★★★★" in edge(app, 1) and any("maria" in n for n in notices(app))

            assert await until(pilot, shown), (edge(app, 1), notices(app))
        assert app.curator.snapshot.photo("g/b.jpg").rating == 4
        assert "★" not in edge(app, 0) and "★" not in edge(app, 2)  # only that photo
        said = [n for n in notices(app) if "maria" in n]
        assert said == ["maria: rated 1 photo"], said


async def test_the_apps_own_change_is_not_announced_as_someone_elses(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("3")
        assert await asyncio.to_thread(app.curator.flush, 5), app.curator.error
        await pilot.pause(0.5)  # the watcher sees our own commit in the -wal
        # A remote save after ours: once it is announced, the watcher has read past ours.
        with SqliteCurationStore(root, author="maria") as maria:
            await asyncio.to_thread(maria.apply, [Change.flag("g/c.jpg", "pick")])
            assert await until(pilot, lambda: any("maria" in n for n in notices(app)))
        await settle(pilot)
        assert "★★★" in edge(app, 0) and "⚑" in edge(app, 2)
        assert [n for n in notices(app) if ":" in n and "rated" in n] == [], notices(app)
        assert not any("me@test" in n for n in notices(app)), notices(app)
        assert [n for n in notices(app) if "maria" in n] == ["maria: flagged 1 photo"]


async def test_a_viewer_sees_another_curators_save_live(root: Path) -> None:
    with SqliteCurationStore(root, author="maria") as maria:
        maria.apply([Change.rating("g/a.jpg", 2)])
        app = app_for(root, read_only=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await started(pilot)
            assert "VIEW ONLY" in screen_lines(app)[0]
            assert "★★" in edge(app, 0) and "★" not in edge(app, 1)
            await asyncio.to_thread(maria.apply, [Change.rating("g/b.jpg", 5)])

            def shown() -> bool:
                return "★★★★★" in edge(app, 1) and any("maria" in n for n in notices(app))

            assert await until(pilot, shown), (edge(app, 1), notices(app))
            assert app.curator.snapshot.photo("g/b.jpg").rating == 5
            assert "★★" in edge(app, 0)


async def test_a_viewer_opened_before_any_curator_follows_the_first_save(root: Path) -> None:
    app = app_for(root, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        assert not (root / "curation.sqlite").exists()
        with SqliteCurationStore(root, author="maria") as maria:
            await asyncio.to_thread(maria.apply, [Change.rating("g/c.jpg", 3)])

            def shown() -> bool:
                return "★★★" in edge(app, 2) and any("maria" in n for n in notices(app))

            assert await until(pilot, shown), (edge(app, 2), notices(app))
