"""The footer: one line of keys, drawn by one widget, clickable, the palette key at the right."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.screen import Screen
from ui_support import screen_lines, settle

from conftest import ImageMaker
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.compare import CompareScreen
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.bars import KeysFooter


@pytest.fixture
def gallery_app(tmp_path: Path, make_image: ImageMaker) -> PortfolioApp:
    for i in range(3):
        make_image(tmp_path / "p" / "g" / f"{i}.jpg")
    return PortfolioApp(open_portfolio(tmp_path / "p"), open_target="gallery:g")


def footer_x(app: PortfolioApp, label: str) -> int:
    """The column where ``label`` is written in the footer line."""
    line = screen_lines(app)[-1]
    assert label in line, line
    return line.index(label)


async def test_each_screen_shows_its_own_keys(gallery_app: PortfolioApp) -> None:
    async with gallery_app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        line = screen_lines(gallery_app)[-1]
        assert " ⏎ Loupe  space Mark " in line
        assert "Compare" in line and "0-5 Stars" in line and "Previous" not in line
        assert line.rstrip().endswith("▏^p Commands")
        await pilot.press("enter")
        await settle(pilot)
        line = screen_lines(gallery_app)[-1]
        assert "Previous" in line and "Compare" not in line


async def test_changing_keys_repaints_one_line_not_the_screen(
    gallery_app: PortfolioApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's own footer rebuilds a widget per key (a full layout) three times per screen."""
    async with gallery_app.run_test(size=(220, 30)) as pilot:
        await settle(pilot)
        footer = gallery_app.screen.query_one(KeysFooter)
        assert not footer.children  # one widget draws the whole line
        layouts: list[Screen[object]] = []
        refresh_layout = Screen._refresh_layout

        def counting(self: Screen[object], *args: object, **kwargs: object) -> None:
            layouts.append(self)
            refresh_layout(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Screen, "_refresh_layout", counting)
        gallery_app.screen._bindings.bind("z", "app.bell", "Zap")
        gallery_app.screen.refresh_bindings()
        await settle(pilot)
        assert " z Zap " in screen_lines(gallery_app)[-1]
        assert layouts == []


async def test_clicking_a_key_presses_it(gallery_app: PortfolioApp) -> None:
    async with gallery_app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await pilot.click(KeysFooter, offset=(footer_x(gallery_app, "Compare"), 0))
        await settle(pilot)
        assert isinstance(gallery_app.screen, CompareScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click(KeysFooter, offset=(footer_x(gallery_app, "Loupe"), 0))
        await settle(pilot)
        assert isinstance(gallery_app.screen, LoupeScreen)


async def test_the_palette_key_keeps_the_right_edge_when_keys_do_not_fit(
    gallery_app: PortfolioApp,
) -> None:
    async with gallery_app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        line = screen_lines(gallery_app)[-1]
        assert len(line) == 60
        assert line.endswith("▏^p Commands ")
        assert line.startswith(" ⏎ Loupe  space Mark ")
        await pilot.click(KeysFooter, offset=(footer_x(gallery_app, "Commands"), 0))
        await pilot.pause()
        assert isinstance(gallery_app.screen, CommandPalette)
