"""Colour depth: the terminal decides unless the config or --colors forces it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write
from portfolio_tui.cli.app import apply_colors
from portfolio_tui.config import load_config
from portfolio_tui.problems import ConfigError

PROBE = (
    "import os, sys\n"
    "from portfolio_tui.cli.app import apply_colors\n"
    "apply_colors(sys.argv[1], os.environ)\n"
    "from textual.app import App\n"
    "print(App().console.color_system)\n"
)


def color_system(choice: str, **env: str) -> str:
    """What Textual's console picks after apply_colors(choice), in a fresh process."""
    base = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "TEXTUAL_COLOR_SYSTEM")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, choice],
        env={**base, "TERM": "xterm-256color", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_auto_follows_colorterm() -> None:
    assert color_system("auto", COLORTERM="truecolor") == "truecolor"
    assert color_system("auto") == "256"


def test_forcing_256_wins_over_a_truecolor_terminal() -> None:
    assert color_system("256", COLORTERM="truecolor") == "256"


def test_forcing_truecolor_wins_over_a_256_colour_terminal() -> None:
    assert color_system("truecolor") == "truecolor"


def test_auto_leaves_the_environment_alone() -> None:
    environ: dict[str, str] = {"TEXTUAL_COLOR_SYSTEM": "standard"}
    apply_colors("auto", environ)
    assert environ == {"TEXTUAL_COLOR_SYSTEM": "standard"}


def test_config_colors_is_validated(tmp_path: Path) -> None:
    write(tmp_path / "config.toml", '[display]\ncolors = "16"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "config.toml")
    (problem,) = info.value.problems
    assert problem.line == 2
    assert '"auto", "truecolor", "256"' in problem.message


def test_config_colors_is_read(tmp_path: Path) -> None:
    write(tmp_path / "config.toml", '[display]\ncolors = "256"\n')
    assert load_config(tmp_path / "config.toml").display.colors == "256"
