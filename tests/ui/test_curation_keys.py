"""Culling from the keyboard: stars, flags, labels, undo, auto-advance, order, cover, filters,
read-only, and another curator's saves arriving while the app runs."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from ui_support import screen_lines, screen_text, settle
from ui_support import tile_edge as edge

from conftest import ImageMaker
from portfolio_tui.curation import Change, Snapshot
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.gallery import GalleryScreen
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid

SIZE = (120, 34)


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
        watch_curation=False,
    )


def on_disk(root: Path) -> Snapshot:
    """What is saved, read as a viewer would (a store of its own, read-only)."""
    with SqliteCurationStore(root, read_only=True) as store:
        return store.load()


async def saved(app: PortfolioApp) -> None:
    assert await asyncio.to_thread(app.curator.flush, 5)


async def test_stars_flags_and_labels_show_on_the_tile_and_reach_the_store(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "p", "6")
        await saved(app)
        await settle(pilot)
        assert "★★★" in edge(app, 0) and "⚑" in edge(app, 0) and "●" in edge(app, 0)
        assert "★" not in edge(app, 1)
        first = on_disk(root).photo("g/a.jpg")
        assert (first.rating, first.flag, first.label) == (3, "pick", "red")
        assert first.updated_by == "me@test"
        # The same label again removes it; x rejects; u unflags; 0 clears the stars.
        await pilot.press("6", "x")
        await saved(app)
        assert on_disk(root).photo("g/a.jpg").flag == "reject"
        await pilot.press("u", "0")
        await saved(app)
        await settle(pilot)
        assert on_disk(root).photo("g/a.jpg").is_empty
        assert "★" not in edge(app, 0) and "✕" not in edge(app, 0)


async def test_undo_and_redo_step_through_changes(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2", "5", "ctrl+z")
        await saved(app)
        assert on_disk(root).photo("g/a.jpg").rating == 2
        await pilot.press("ctrl+z")
        await saved(app)
        assert on_disk(root).photo("g/a.jpg").rating == 0
        await pilot.press("ctrl+y", "ctrl+y")
        await saved(app)
        assert on_disk(root).photo("g/a.jpg").rating == 5


async def test_auto_advance_moves_on_after_a_rating(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        await pilot.press("4")
        assert grid.cursor == 0
        await pilot.press("A", "5", "x")  # rate a.jpg and move on; reject b.jpg and move on
        assert grid.cursor == 2
        assert "auto-advance" in screen_lines(app)[0]
        await pilot.press("6")  # a label does not move on
        assert grid.cursor == 2
        await saved(app)
        snapshot = on_disk(root)
        assert snapshot.photo("g/a.jpg").rating == 5 and snapshot.photo("g/b.jpg").flag == "reject"
        assert snapshot.photo("g/c.jpg").label == "red"


async def test_order_and_cover_are_stored_and_used_next_time(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("greater_than_sign", "greater_than_sign")
        assert [p.name for p in app.screen.query_one(ThumbGrid).photos] == [
            "b.jpg",
            "c.jpg",
            "a.jpg",
        ]
        await pilot.press("C")
        await saved(app)
    stored = on_disk(root)
    assert stored.order["g"] == ("b.jpg", "c.jpg", "a.jpg")
    assert stored.covers["g"] == "a.jpg"
    again = app_for(root)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [p.name for p in again.screen.query_one(ThumbGrid).photos] == [
            "b.jpg",
            "c.jpg",
            "a.jpg",
        ]


async def test_a_filter_narrows_the_grid_and_the_title_counts(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "right", "5")
        await pilot.press("backslash", *"4+", "enter")
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        assert [p.name for p in grid.photos] == ["b.jpg"]
        assert "1 of 3 shown" in screen_lines(app)[0]
        assert "4+" in screen_lines(app)[1]  # the filter stays in view while it applies
        await pilot.press("backslash", "ctrl+u", "enter")  # empty: everything again
        await settle(pilot)
        assert len(grid.photos) == 3


async def test_the_loupe_rates_and_shows_the_badge(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "5", "p")
        await settle(pilot)
        assert isinstance(app.screen, LoupeScreen)
        assert "★★★★★" in screen_text(app) and "pick" in screen_text(app)
        await saved(app)
        assert on_disk(root).photo("g/a.jpg").rating == 5


async def test_read_only_changes_nothing_and_says_so(root: Path) -> None:
    app = app_for(root, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "VIEW ONLY" in screen_lines(app)[0]
        await pilot.press("5", "p", "6", "greater_than_sign", "C")
        await settle(pilot)
        assert "View only" in screen_text(app)
        assert "★" not in edge(app, 0)
    assert sorted(os.listdir(root)) == ["g"]  # no store, no lock file, nothing


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions mean nothing as root")
async def test_a_folder_without_write_permission_is_read_only(root: Path) -> None:
    root.chmod(0o555)
    try:
        app = app_for(root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "VIEW ONLY" in screen_lines(app)[0]
            await pilot.press("5")
            await settle(pilot)
        assert sorted(os.listdir(root)) == ["g"]
    finally:
        root.chmod(0o755)


async def test_another_curators_save_appears_with_a_notice(root: Path) -> None:
    app = PortfolioApp(
        open_portfolio(root),
        open_target="gallery:g",
        curation=SqliteCurationStore(root, author="me@test"),
        watch_curation=True,
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)  # the watcher is up
        with SqliteCurationStore(root, author="anna@studio") as other:
            await asyncio.to_thread(
                other.apply, [Change.rating("g/b.jpg", 4), Change.flag("g/c.jpg", "pick")]
            )
        for _ in range(40):  # within 2 s, with a notice of who did what
            await pilot.pause(0.05)
            if "★★★★" in edge(app, 1) and "anna@studio" in screen_text(app):
                break
        assert "★★★★" in edge(app, 1) and "⚑" in edge(app, 2)
        assert "anna@studio" in screen_text(app) and "rated 1 photo" in screen_text(app)
        # Our own next save keeps theirs (merged field by field).
        await pilot.press("1")
        await saved(app)
    snapshot = on_disk(root)
    assert snapshot.photo("g/a.jpg").rating == 1 and snapshot.photo("g/b.jpg").rating == 4


async def test_markup_in_a_stored_tag_is_shown_as_text(root: Path) -> None:
    with SqliteCurationStore(root, author="x") as store:
        store.apply(
            [
                Change.rating("g/a.jpg", 2),
                Change.tags("g/a.jpg", ["[bold]loud[/bold]", "\x1b[31mred"]),
            ]
        )
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]loud[/bold]" in text
        assert "\x1b" not in text
        assert isinstance(app.screen_stack[-2], GalleryScreen)


@pytest.mark.parametrize(
    ("key", "label"), [("6", "red"), ("7", "yellow"), ("8", "green"), ("9", "blue")]
)
async def test_each_label_key(root: Path, key: str, label: str) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await saved(app)
    assert on_disk(root).photo("g/a.jpg").label == label


async def test_earlier_moves_back_and_sort_cycles_without_writing(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        await pilot.press("end", "less_than_sign")
        assert [p.name for p in grid.photos] == ["a.jpg", "c.jpg", "b.jpg"]
        assert grid.current is not None and grid.current.name == "c.jpg"
        await pilot.press("2", "O")  # by name
        await settle(pilot)
        assert [p.name for p in grid.photos] == ["a.jpg", "b.jpg", "c.jpg"]
        assert "by name" in screen_lines(app)[0]
        await pilot.press("O", "O")  # date (none here: by name), then rating
        await settle(pilot)
        assert grid.photos[0].name == "c.jpg"
        assert "by rating" in screen_lines(app)[0]
        await saved(app)
    assert on_disk(root).order["g"] == ("a.jpg", "c.jpg", "b.jpg")  # sorting wrote nothing


async def test_tags_complete_from_those_in_use_and_are_saved(root: Path) -> None:
    with SqliteCurationStore(root, author="x") as store:
        store.apply([Change.tags("g/c.jpg", ["window light"])])
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t", *"win", "tab", *"smile", "enter")
        await saved(app)
        await settle(pilot)
        assert isinstance(app.screen, GalleryScreen)  # the editor closed
    assert on_disk(root).photo("g/a.jpg").tags == ("window light", "smile")


async def test_notes_are_saved_on_close_and_quit_waits_for_the_editor(root: Path) -> None:
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("E", *"Soft light", "escape")
        await saved(app)
        assert on_disk(root).photo("g/a.jpg").notes == "Soft light"
        await pilot.press("enter")  # the loupe shows them under the photographer's notes
        await settle(pilot)
        assert "Curation notes" in screen_text(app) and "Soft light" in screen_text(app)
        await pilot.press("E", "end", *" and a smile")
        await pilot.press("ctrl+q")  # the editor is modal: typing is not thrown away
        await pilot.pause()
        assert app.is_running and "and a smile" in screen_text(app)
        await pilot.press("escape")
        await saved(app)
    assert on_disk(root).photo("g/a.jpg").notes == "Soft light and a smile"
