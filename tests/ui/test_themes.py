"""The projector theme: light and high-contrast, chosen by --theme or display.theme."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.color import Color
from ui_support import settle

from conftest import ImageMaker
from portfolio_tui.cli.common import theme_problems
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid


async def test_projector_theme_is_light_with_dark_text(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(tmp_path / "p" / "g" / "a.jpg")
    app = PortfolioApp(open_portfolio(tmp_path / "p"), open_target="gallery:g", theme="projector")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "projector"
        variables = app.theme_variables
        background = Color.parse(variables["background"])
        text = Color.parse(variables["foreground"])
        assert background.brightness > 0.9 and text.brightness < 0.15
        # Tile frames stay visible on white (a dark theme lightens them).
        grid = app.screen.query_one(ThumbGrid)
        frame = grid._styles().frame.color
        assert frame is not None and frame.triplet is not None
        assert max(frame.triplet) < 200


def test_the_config_and_the_command_line_accept_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[portfolio]\ntitle = "T"\n[display]\ntheme = "projector"\n')
    from portfolio_tui.config import load_config

    assert theme_problems(load_config(config)) == []
    result = subprocess.run(
        [sys.executable, "-m", "portfolio_tui", str(tmp_path), "--theme", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "projector" in result.stderr
