"""Opening a portfolio from the command-line PATH: a config file, a folder, or neither."""

from __future__ import annotations

from pathlib import Path

from ..problems import Problem
from .config_reader import load_config
from .config_types import default_config
from .loader import load_portfolio
from .portfolio_types import Portfolio

CONFIG_NAME = "config.toml"


def locate(target: Path | None, cwd: Path | None = None) -> tuple[Path | None, Path]:
    """Work out (config file or None, portfolio folder) from the command-line PATH.

    PATH may be a config file or a folder.  With no PATH: ``./config.toml`` if it
    exists, else the current folder.  A folder holding ``config.toml`` uses it.
    """
    cwd = cwd or Path.cwd()
    if target is None:
        candidate = cwd / CONFIG_NAME
        return (candidate, cwd) if candidate.is_file() else (None, cwd)
    target = target.expanduser()
    if not target.is_absolute():
        target = cwd / target
    if target.is_dir():
        candidate = target / CONFIG_NAME
        return (candidate, target) if candidate.is_file() else (None, target)
    if not target.exists() and target.suffix.lower() != ".toml":
        return None, target  # a folder that is not there: reported as such
    return target, target.parent


def open_portfolio(target: Path | None, cwd: Path | None = None) -> Portfolio:
    """Locate, read the config (raising ConfigError) and load the portfolio."""
    config_path, folder = locate(target, cwd)
    if config_path is None:
        if not folder.exists():
            from ..problems import ConfigError

            raise ConfigError(
                [Problem(folder, "no such file or folder; give a portfolio folder or config.toml")]
            )
        config = default_config(folder)
    else:
        config = load_config(config_path)
    return load_portfolio(config)
