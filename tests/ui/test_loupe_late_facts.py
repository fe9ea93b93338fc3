"""The loupe's info panel shows the facts of the photo shown, not of one read too slowly.

Reading a photo's facts runs in a thread that cannot be stopped: stepping on
replaces the job, but the old one still finishes and reports. Its report must
not land on the next photo.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Static
from ui_support import settle, static_text

from portfolio_tui.metadata import PhotoInfo
from portfolio_tui.portfolio import Photo, open_portfolio
from portfolio_tui.provenance import Provenance
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens import loupe as loupe_module
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.info_panel import InfoPanel

SIZE = (120, 40)


async def wait_for(event: threading.Event, pilot: Pilot[object]) -> None:
    """Let the app run until a thread sets ``event`` (10 s at most)."""
    deadline = time.monotonic() + 10
    while not event.is_set():
        assert time.monotonic() < deadline, "the job never got there"
        await pilot.pause()


async def test_a_slow_read_of_the_last_photo_does_not_land_on_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "shoot" / "g"
    folder.mkdir(parents=True)
    Image.new("RGB", (300, 200), (200, 40, 40)).save(folder / "a.jpg")
    Image.new("RGB", (500, 400), (40, 40, 200)).save(folder / "b.jpg")

    started, release, reported = threading.Event(), threading.Event(), threading.Event()
    real_read_facts = loupe_module.read_facts

    def slow_for_a(photo: Photo) -> tuple[PhotoInfo, Provenance]:
        if photo.name == "a.jpg":
            started.set()
            assert release.wait(10)
        return real_read_facts(photo)

    monkeypatch.setattr(loupe_module, "read_facts", slow_for_a)
    app = PortfolioApp(open_portfolio(tmp_path / "shoot"), open_target="photo:g/a.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        loupe = app.screen
        assert isinstance(loupe, LoupeScreen)
        assert loupe.photo.name == "a.jpg"
        # Know when a's read has posted its result (from its thread), whatever becomes of it.
        post = loupe.post_message

        def posting(message: Message) -> bool:
            queued = post(message)
            if isinstance(message, loupe_module.InfoRead) and message.result[0].width == 300:
                reported.set()
            return queued

        monkeypatch.setattr(loupe, "post_message", posting)
        panel = loupe.query_one(InfoPanel)

        await pilot.press("i")
        await wait_for(started, pilot)
        assert "reading…" in static_text(panel)

        await pilot.press("right")  # while a's facts are still being read
        await settle(pilot)
        assert loupe.photo.name == "b.jpg"
        assert "500 × 400 px" in static_text(panel)

        release.set()  # a's read finishes now, after b's
        await wait_for(reported, pilot)
        await settle(pilot)  # the report is handled (or dropped)
        text = static_text(panel)
        assert "g/b.jpg" in text
        assert "500 × 400 px" in text
        assert "300 × 200 px" not in text


async def test_a_badge_read_late_does_not_land_before_the_next_photos_details(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between a step and the side panel following it, the last photo's badge is not wanted."""
    folder = tmp_path / "shoot" / "g"
    folder.mkdir(parents=True)
    Image.new("RGB", (300, 200), (200, 40, 40)).save(folder / "a.jpg")
    Image.new("RGB", (500, 400), (40, 40, 200)).save(folder / "b.jpg")

    started, release, reported = threading.Event(), threading.Event(), threading.Event()

    def slow_ai_for_a(photo: Photo) -> Provenance:
        if photo.name != "a.jpg":
            return Provenance(badge="camera", label="Camera original", origin="config")
        started.set()
        assert release.wait(10)
        return Provenance(badge="ai", label="AI-generated", origin="config")

    monkeypatch.setattr(loupe_module, "provenance", slow_ai_for_a)
    app = PortfolioApp(open_portfolio(tmp_path / "shoot"), open_target="photo:g/a.jpg")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(started, pilot)  # a's details are up; its badge is being read
        loupe = app.screen
        assert isinstance(loupe, LoupeScreen)
        post = loupe.post_message

        def posting(message: Message) -> bool:
            queued = post(message)
            if isinstance(message, loupe_module.ProvenanceRead) and message.result.badge == "ai":
                reported.set()
            return queued

        monkeypatch.setattr(loupe, "post_message", posting)
        # The side panel follows the photo only once the keys pause: hold it back.
        monkeypatch.setattr(loupe_module, "DETAILS_DELAY", 30.0)
        await pilot.press("right")
        assert loupe.photo.name == "b.jpg"

        release.set()  # a's badge arrives while b is shown and its details are not up yet
        await wait_for(reported, pilot)
        await pilot.pause()
        await pilot._wait_for_screen()
        heading = static_text(loupe.query_one("#heading", Static))
        assert "AI-generated" not in heading
