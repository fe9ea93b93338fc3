"""The config's typed settings and their defaults.

What a validated config.toml holds (:class:`Config` and the settings of each table),
the choices it allows, and the config of a folder that has none.  Reading and
validating the file is :mod:`.config_reader`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .._tomlpos import KeyPath
from ..problems import Problem, Severity

GRAPHICS_MODES = ("auto", "kitty", "sixel", "halfblock")
"""auto: ask the terminal (Kitty, then Sixel, else half-blocks); else forced."""
COLOR_MODES = ("auto", "truecolor", "256")
"""auto: what the terminal says (COLORTERM, TEXTUAL_COLOR_SYSTEM); else forced."""
SOURCES = ("camera", "ai", "retouched", "composite")
REAL_VS_AI = "real-vs-ai"
COMPARISON_KINDS = (REAL_VS_AI, "before-after", "takes")
"""What a comparison sets side by side (``kind``): ``real-vs-ai`` makes ``check`` ask
for at least one side with verified Content Credentials."""
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DEFAULT_THEME = "textual-dark"


@dataclass(frozen=True)
class PhotoSettings:
    """What the config says about one photo (keyed by its path under the root)."""

    path: str
    title: str | None = None
    caption: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True)
class GallerySettings:
    """One ``[[galleries]]`` entry."""

    id: str
    title: str
    folder: str
    order: tuple[str, ...] = ()
    cover: str | None = None
    notes: str | None = None
    index: int = 0


@dataclass(frozen=True)
class ComparisonItemSettings:
    """One photo of a comparison and its label."""

    photo: str
    label: str | None = None


@dataclass(frozen=True)
class ComparisonSettings:
    """One ``[[comparisons]]`` entry."""

    id: str
    title: str
    items: tuple[ComparisonItemSettings, ...]
    notes: str | None = None
    index: int = 0
    kind: str | None = None
    """One of :data:`COMPARISON_KINDS`, or None (not said)."""


@dataclass(frozen=True)
class DisplaySettings:
    """The ``[display]`` table."""

    graphics: str = "auto"
    colors: str = "auto"
    theme: str = DEFAULT_THEME


INTERVAL_RANGE = (1.0, 600.0)
"""Seconds a slideshow may stay on a photo (``[present] interval``)."""


@dataclass(frozen=True)
class PresentSettings:
    """The ``[present]`` table: how a presentation to a client looks and runs."""

    interval: float = 6.0
    """Seconds per slide in a slideshow (changed live with + and -)."""
    captions: bool = False
    """Start with the caption (title and first lines of the notes) shown."""
    closing: str = "Thank you"
    """The end card's line."""


@dataclass(frozen=True)
class Config:
    """A whole config, validated.  ``path`` is None for a folder without one."""

    path: Path | None
    root: Path
    title: str
    photographer: str | None = None
    credits: tuple[str, ...] = ()
    galleries: tuple[GallerySettings, ...] = ()
    photos: dict[str, PhotoSettings] = field(default_factory=dict)
    comparisons: tuple[ComparisonSettings, ...] = ()
    display: DisplaySettings = field(default_factory=DisplaySettings)
    present: PresentSettings = field(default_factory=PresentSettings)
    pair_raw_jpeg: bool = True
    """A RAW and a JPEG with the same name in one folder are one photo (``[portfolio]``)."""
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)

    def where(self, *path: str | int) -> tuple[int | None, int | None]:
        """Line and column of a key path in the config (None where unknown)."""
        probe: KeyPath = tuple(path)
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return None, None

    def problem(
        self, message: str, *path: str | int, severity: Severity = Severity.ERROR
    ) -> Problem:
        """A problem located at ``path`` in this config (or at the root folder)."""
        if self.path is None:
            return Problem(self.root, message, severity=severity)
        line, column = self.where(*path)
        return Problem(self.path, message, line, column, severity)


def default_config(root: Path) -> Config:
    """The config for a folder that has no config file: everything discovered."""
    root = root.resolve()
    return Config(path=None, root=root, title=root.name or str(root))


def title_from_folder(folder: str) -> str:
    """A gallery title from its folder name: ``street_2024`` -> ``Street 2024``."""
    name = PurePosixPath(folder).name or folder
    name = re.sub(r"[_-]+", " ", name).strip()
    return name[:1].upper() + name[1:] if name else "Photos"
