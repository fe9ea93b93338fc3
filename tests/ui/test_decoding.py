"""The shared decoder and the loupe's look-ahead: most urgent first, nothing queued for
photos already passed, neighbours ready before the user arrives, memory bounded."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from ui_support import settle

from conftest import ImageMaker
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui import rendering
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.decoding import Decoder
from portfolio_tui.ui.rendering import CACHE, RenderCache
from portfolio_tui.ui.screens.loupe import AHEAD, BEHIND, LoupeScreen
from portfolio_tui.ui.widgets.photo_view import PhotoView

SIZE = (100, 30)


def blocked(decoder: Decoder, workers: int) -> threading.Event:
    """Occupy every thread of ``decoder`` until the returned event is set."""
    gate = threading.Event()
    for n in range(workers):
        decoder.submit(("gate", n), gate.wait, priority=-1, owner="gate")
    deadline = time.monotonic() + 5
    while len(decoder.running()) < workers and time.monotonic() < deadline:
        time.sleep(0.005)
    return gate


def test_the_most_urgent_job_runs_first() -> None:
    decoder = Decoder(workers=1)
    gate = blocked(decoder, 1)
    ran: list[str] = []
    futures = [
        decoder.submit(name, lambda name=name: ran.append(name), priority=p, owner="me")
        for name, p in (("far", 3), ("here", 0), ("next", 1))
    ]
    gate.set()
    for future in futures:
        future.result(timeout=5)
    assert ran == ["here", "next", "far"]


def test_asking_for_something_else_drops_what_has_not_started() -> None:
    """A held arrow key: 40 requests, each replacing the last; only the last one runs."""
    decoder = Decoder(workers=2)
    gate = blocked(decoder, 2)
    started_before = decoder.started
    ran: list[int] = []
    futures = []
    for n in range(40):
        decoder.retain("view", [n])
        futures.append(decoder.submit(n, lambda n=n: ran.append(n), priority=0, owner="view"))
    assert decoder.pending() == [39]
    assert all(f.cancelled() for f in futures[:-1])
    gate.set()
    futures[-1].result(timeout=5)
    assert ran == [39]
    assert decoder.started - started_before == 1


def test_one_key_asked_twice_runs_once_at_the_more_urgent_priority() -> None:
    decoder = Decoder(workers=1)
    gate = blocked(decoder, 1)
    calls: list[str] = []
    decoder.submit("other", lambda: calls.append("other"), priority=2, owner="ahead")
    first = decoder.submit("photo", lambda: calls.append("photo") or 7, priority=3, owner="ahead")
    second = decoder.submit("photo", lambda: calls.append("again"), priority=0, owner="view")
    assert first is second
    decoder.retain("ahead", [])  # the look-ahead moved on, but the view still wants it
    assert decoder.pending() == ["photo"]
    gate.set()
    assert second.result(timeout=5) == 7
    assert calls == ["photo"]


def test_a_failing_job_hands_its_error_to_whoever_waits() -> None:
    decoder = Decoder(workers=1)

    def boom() -> None:
        raise ValueError("bad file")

    with pytest.raises(ValueError, match="bad file"):
        decoder.submit("x", boom, priority=0, owner="me").result(timeout=5)
    assert decoder.submit("y", lambda: 1, priority=0, owner="me").result(timeout=5) == 1


@pytest.fixture
def shoot(tmp_path: Path, make_image: ImageMaker) -> Path:
    for i in range(10):
        make_image(tmp_path / "p" / "g" / f"{i:02}.jpg", size=(80, 100), color=(20 * i, 90, 150))
    return tmp_path / "p"


def drawn(app: PortfolioApp) -> set[str]:
    """Photos whose render for the loupe's photo view is in the render cache."""
    view = app.screen.query_one("#photo", PhotoView)
    width, height = view.size
    return {
        photo.name
        for photo in app.screen.photos  # type: ignore[attr-defined]
        if CACHE.peek(photo.path, width, height) is not None
    }


async def test_the_loupe_decodes_its_neighbours_ahead_in_the_direction_of_travel(
    shoot: Path,
) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="photo:g/05.jpg", watch_curation=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoupeScreen)
        assert (AHEAD, BEHIND) == (3, 1)
        assert drawn(app) == {"05.jpg", "06.jpg", "07.jpg", "08.jpg", "04.jpg"}
        await pilot.press("left")  # now travelling back: 3, 2, 1 ahead, 5 behind
        await settle(pilot)
        assert {"03.jpg", "02.jpg", "01.jpg"} <= drawn(app)
        assert "00.jpg" not in drawn(app) and "09.jpg" not in drawn(app)


async def test_arriving_at_a_prefetched_photo_shows_it_without_a_decode(
    shoot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="photo:g/00.jpg", watch_curation=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        decodes: list[Path] = []
        real = rendering.fitted

        def counting(path: Path, box: Any) -> Any:
            decodes.append(path)
            return real(path, box)

        monkeypatch.setattr(rendering, "fitted", counting)
        await pilot.press("right")
        view = app.screen.query_one("#photo", PhotoView)
        # Shown at once from the render made ahead, before any thread has run.
        assert view.rendered is not None and not view.is_loading
        assert view.photo is not None and view.photo.name == "01.jpg"
        await settle(pilot)
        assert all(path.name != "01.jpg" for path in decodes)


async def test_holding_an_arrow_key_decodes_only_where_the_user_stops(
    shoot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slow decodes (0.15 s) and nine presses 10 ms apart: the photos passed are not
    decoded once the key has moved on, and the photo the user stopped at is shown."""
    real = rendering.fitted
    decoded: list[str] = []

    def slow(path: Path, box: Any) -> Any:
        time.sleep(0.15)
        decoded.append(path.name)
        return real(path, box)

    app = PortfolioApp(open_portfolio(shoot), open_target="photo:g/00.jpg", watch_curation=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        CACHE.clear()
        monkeypatch.setattr(rendering, "fitted", slow)
        screen = app.screen
        assert isinstance(screen, LoupeScreen)
        for _ in range(9):  # a key held down: repeats every 10 ms, faster than a decode
            screen.action_step(1)
            await asyncio.sleep(0.01)
        await settle(pilot)
        view = app.screen.query_one("#photo", PhotoView)
        assert view.photo is not None and view.photo.name == "09.jpg"
        assert view.rendered is not None and not view.rendered.error
        # At most the two decodes already running when the key moved on, plus the photo
        # itself and its look-ahead (one behind: 08), ever ran; not one per press.
        assert len(decoded) <= 2 + 1 + BEHIND + 2, decoded
        assert "09.jpg" in decoded


async def test_the_look_ahead_stays_inside_the_render_cache_bound(
    shoot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walking a whole shoot keeps at most the bound's worth of renders in memory."""
    app = PortfolioApp(open_portfolio(shoot), open_target="photo:g/00.jpg", watch_curation=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one("#photo", PhotoView)
        width, height = view.size
        one = width * height  # a render is at most the view's cells
        small = RenderCache(max_cells=3 * one)
        monkeypatch.setattr(rendering, "CACHE", small)
        monkeypatch.setattr("portfolio_tui.ui.widgets.photo_view.CACHE", small)
        for _ in range(9):
            await pilot.press("right")
            await settle(pilot)
            assert small._lru.total <= 3 * one
        assert view.photo is not None and view.photo.name == "09.jpg"


async def test_stepping_candidates_in_a_comparison_draws_the_next_ones_ahead(shoot: Path) -> None:
    app = PortfolioApp(open_portfolio(shoot), open_target="gallery:g", watch_curation=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")  # 00 against 01, the rest of the gallery as candidates
        await settle(pilot)
        await pilot.press("right")  # candidate 02; 03 and 04 ahead, 01 behind
        await settle(pilot)
        view = app.screen.query_one("#view-1", PhotoView)
        assert view.photo is not None and view.photo.name == "02.jpg"
        width, height = view.size
        ready = {
            photo.name
            for photo in app.portfolio.every_photo()
            if CACHE.peek(photo.path, width, height, view.fit_height_px) is not None
        }
        assert {"03.jpg", "04.jpg", "01.jpg"} <= ready
        assert "06.jpg" not in ready


async def test_the_app_collects_garbage_itself_when_the_keys_are_idle(
    shoot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Automatic collection is off (cli); the app's own passes wait for a pause in the keys."""
    import gc

    from portfolio_tui.ui import app as app_module

    calls: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: calls.append(generation) or 0)
    app = PortfolioApp(open_portfolio(shoot), open_target="photo:g/00.jpg", watch_curation=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        now = time.monotonic()
        app._last_input = now  # a key this instant: nothing collected
        app.collect_garbage()
        assert calls == []
        app._last_input = now - app_module.GARBAGE_IDLE - 0.1  # a short pause: the young
        app.collect_garbage()
        assert calls == [1]
        app._last_input = now - 10  # a long one, and none for a while: everything
        app._last_full_collection = now - app_module.GARBAGE_FULL - 1
        app.collect_garbage()
        assert calls == [1, 2]
        await pilot.press("right")  # a key resets the idle clock
        assert time.monotonic() - app._last_input < 1
