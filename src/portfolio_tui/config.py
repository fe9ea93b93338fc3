"""The TOML config under its old import path: the names now live in :mod:`portfolio_tui.model`.

The typed settings and their defaults are :mod:`.model.config_types`; reading and
validating config.toml, every problem located to file:line:col, is
:mod:`.model.config_reader` (with :mod:`.model.config_validator`).
"""

from __future__ import annotations

from .model.config_reader import load_config, parse_config, read_config
from .model.config_types import (
    COLOR_MODES,
    DEFAULT_THEME,
    GRAPHICS_MODES,
    ID_PATTERN,
    INTERVAL_RANGE,
    SOURCES,
    ComparisonItemSettings,
    ComparisonSettings,
    Config,
    DisplaySettings,
    GallerySettings,
    PhotoSettings,
    PresentSettings,
    default_config,
    title_from_folder,
)
from .problems import ConfigError, ConfigUnreadable, Problem, Severity

__all__ = [
    "COLOR_MODES",
    "DEFAULT_THEME",
    "GRAPHICS_MODES",
    "ID_PATTERN",
    "INTERVAL_RANGE",
    "SOURCES",
    "ComparisonItemSettings",
    "ComparisonSettings",
    "Config",
    "ConfigError",
    "ConfigUnreadable",
    "DisplaySettings",
    "GallerySettings",
    "PhotoSettings",
    "PresentSettings",
    "Problem",
    "Severity",
    "default_config",
    "load_config",
    "parse_config",
    "read_config",
    "title_from_folder",
]
