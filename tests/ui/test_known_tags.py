"""The tags editor's completion lists the tags in use now: counted once after the store
is read, then kept up to date by every change, the app's own and other curators'."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import Input
from ui_support import settle

from conftest import ImageMaker
from portfolio_tui.curation import Change
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.ui.app import PortfolioApp

SIZE = (120, 34)


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    for i, name in enumerate(["a.jpg", "b.jpg", "c.jpg"]):
        make_image(tmp_path / "p" / "g" / name, color=(60 * i, 120, 200))
    root = tmp_path / "p"
    with SqliteCurationStore(root, author="ben") as store:
        store.apply([Change.tags("g/a.jpg", ["eyes", "smile"]), Change.tags("g/b.jpg", ["Smile"])])
    return root


async def test_completion_follows_the_apps_changes_and_other_curators(root: Path) -> None:
    app = PortfolioApp(
        open_portfolio(root),
        open_target="gallery:g",
        curation=SqliteCurationStore(root, author="me@test"),
        watch_curation=True,
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(50):  # counted in a thread after the first read
            if app.curator._tag_counts is not None:
                break
            await pilot.pause(0.1)
        assert app.curator.known_tags() == ["eyes", "Smile", "smile"]
        app.curator.change([Change.tags("g/c.jpg", ["window"])], "tags")
        app.curator.change([Change.tags("g/b.jpg", [])], "tags")
        assert app.curator.known_tags() == ["eyes", "smile", "window"]
        with SqliteCurationStore(root, author="maria") as maria:
            await asyncio.to_thread(maria.apply, [Change.tags("g/a.jpg", ["smile", "rim"])])
        for _ in range(100):
            if "eyes" not in app.curator.known_tags():
                break
            await pilot.pause(0.1)
        assert app.curator.known_tags() == ["rim", "smile", "window"]
        await pilot.press("t")  # the editor is given exactly these
        await pilot.pause()
        suggester = app.screen.query_one(Input).suggester
        assert getattr(suggester, "known", None) == ("rim", "smile", "window")
