"""The footer rebuilds only when the keys it shows change (each rebuild is a full layout)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer
from ui_support import screen_text, settle

from conftest import ImageMaker
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.widgets.bars import KeysFooter


async def test_a_gallery_starts_with_one_footer_build_and_shows_its_keys(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        make_image(tmp_path / "p" / "g" / f"{i}.jpg")
    built: list[KeysFooter] = []
    compose = KeysFooter.compose

    def counting(self: KeysFooter):  # type: ignore[no-untyped-def]
        if self._bindings_ready:
            built.append(self)
        return compose(self)

    monkeypatch.setattr(KeysFooter, "compose", counting)
    app = PortfolioApp(open_portfolio(tmp_path / "p"), open_target="gallery:g")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(built) == 1  # Textual's own Footer builds its keys three times here
        assert "Compare" in screen_text(app).splitlines()[-1]
        # Keys that change (another screen's) are shown.
        await pilot.press("enter")
        await settle(pilot)
        assert "Previous" in screen_text(app).splitlines()[-1]
        assert isinstance(app.screen.query_one(Footer), KeysFooter)
