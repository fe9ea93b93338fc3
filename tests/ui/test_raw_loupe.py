"""A RAW in the loupe (issue 15, item 4): drawn upright from the camera's preview, its info
panel from the RAW, and a damaged RAW says so in the loupe and the app keeps going."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ui_support import screen_text, settle, static_text

from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.rendering import CACHE
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.info_panel import InfoPanel
from portfolio_tui.ui.widgets.photo_view import PhotoView
from raw_support import FIXTURES, rw2

pytest.importorskip("rawpy")

SIZE = (100, 40)


async def test_a_raw_is_drawn_upright_in_the_loupe_with_its_cameras_facts(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "shoot" / "beach"
    folder.mkdir(parents=True)
    rw2(folder, orientation=6, preview=(640, 480))  # P1000001.RW2, shot in portrait
    shutil.copyfile(FIXTURES / "Nikon.nef", folder / "P1000002.NEF")
    CACHE.clear()
    app = PortfolioApp(open_portfolio(tmp_path / "shoot"), open_target="gallery:beach")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        loupe = app.screen
        assert isinstance(loupe, LoupeScreen)
        shown = loupe.query_one(PhotoView).rendered
        assert shown is not None and shown.error is None
        # Portrait: the half-block picture is taller (2 px per row) than it is wide.
        assert len(shown.strips) * 2 > shown.width
        await pilot.press("i")
        await settle(pilot)
        panel = " ".join(static_text(loupe.query_one(InfoPanel)).split())
        assert "Camera Panasonic DMC-LX3" in panel
        assert "Shutter 1/250 s" in panel
        assert "Format Panasonic RW2 (RAW)" in panel
        assert "Drawn from the camera's preview (480 × 640 px)" in panel
        await pilot.press("right")
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "RAW file is damaged or cut short" in text
        panel = " ".join(static_text(loupe.query_one(InfoPanel)).split())
        assert "Camera NIKON D70" in panel
