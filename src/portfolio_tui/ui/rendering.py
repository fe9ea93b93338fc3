"""Photos rendered to Strips in worker threads, with a bounded in-memory cache.

A rendered photo is keyed by the file's identity (path, size, mtime), the
cell size it was drawn for and the colour depth ("truecolor" or "256"), so a
replaced file, a resized terminal or another colour depth draws afresh while
going back and forth between photos costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.color import ColorSystem
from rich.segment import Segment
from textual.strip import Strip

from ..imaging import ImageError, fitted, halfblock_lines
from ..imaging.cache import take_drawn
from ..imaging.cells import EIGHT_BIT, TRUECOLOR
from ..imaging.decode import embedded_thumbnail
from ..lru import LRU

if TYPE_CHECKING:
    from textual.app import App

RenderKey = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class Rendered:
    """A photo drawn as half-block Strips, or the reason it could not be."""

    key: RenderKey
    strips: tuple[Strip, ...] = ()
    width: int = 0
    error: str | None = None
    placeholder: bool = False
    """Drawn from the camera's embedded thumbnail while the real one is made."""
    colors: str = TRUECOLOR
    """The colour depth it was drawn in: "truecolor" or "256"."""


def render_key(path: Path, cols: int, rows: int, height_px: int | None = None) -> RenderKey:
    """Identity of a render: file path, size and mtime, plus the box it fits.

    ``height_px`` caps the height in pixels (two per cell) for equal-height layouts.
    """
    if height_px is not None:
        rows = -min(rows * 2, height_px)
    try:
        stat = os.stat(path)
        size, mtime = stat.st_size, stat.st_mtime_ns
    except OSError:
        size, mtime = -1, -1
    return (str(path), size, mtime, cols, rows)


def render_key_without_stat(
    path: Path, cols: int, rows: int, height_px: int | None = None
) -> tuple[str, int, int]:
    """The box part of a render key: path and cell box, no file identity."""
    if height_px is not None:
        rows = -min(rows * 2, height_px)
    return (str(path), cols, rows)


_Box = tuple[str, int, int, str]
"""Path, cell box and colour depth: a render found without touching the file system."""


def _box_of(key: tuple[RenderKey, str]) -> _Box:
    render, colors = key
    return (render[0], render[3], render[4], colors)


class RenderCache:
    """Rendered photos by file identity, box and colour depth; bounded by cell count."""

    def __init__(self, max_cells: int = 2_000_000) -> None:
        self._lru: LRU[tuple[RenderKey, str], Rendered] = LRU(
            max_cells, lambda item: max(1, item.width * len(item.strips)), _box_of
        )

    def get(self, key: RenderKey, colors: str = TRUECOLOR) -> Rendered | None:
        """The cached render for ``key`` in ``colors``, marking it recently used."""
        return self._lru.get((key, colors))

    def peek(
        self,
        path: Path,
        cols: int,
        rows: int,
        height_px: int | None = None,
        colors: str = TRUECOLOR,
    ) -> Rendered | None:
        """The newest render of ``path`` for this box, without a stat (safe on the UI thread).

        It may be stale if the file changed since; callers show it at once and
        let a worker confirm it with :func:`render_photo`.
        """
        return self._lru.newest((*render_key_without_stat(path, cols, rows, height_px), colors))

    def put(self, item: Rendered) -> None:
        """Store a render, evicting the least recently used beyond the bound."""
        self._lru.put((item.key, item.colors), item)

    def clear(self) -> None:
        """Forget everything."""
        self._lru.clear()


CACHE = RenderCache()


def colors_for(app: App[Any]) -> str:
    """The colour depth to draw photos in for ``app``: "truecolor", else "256".

    Anything short of truecolor (256, 16 colours) gets the 256-colour drawing,
    which Rich maps down further if it must.  A headless app (tests, the
    screenshots Textual exports) has no terminal and exports 24-bit colour, so
    it draws in truecolor whatever the environment says.
    """
    if app.is_headless:
        return TRUECOLOR
    return TRUECOLOR if app.console.color_system == "truecolor" else EIGHT_BIT


def render_photo(
    path: Path,
    cols: int,
    rows: int,
    height_px: int | None = None,
    colors: str = TRUECOLOR,
) -> Rendered:
    """Decode and draw ``path`` to fit ``cols`` x ``rows`` cells (worker threads only).

    ``colors`` is "truecolor" or "256" (see :func:`colors_for`).
    """
    key = render_key(path, cols, rows, height_px)
    cached = CACHE.get(key, colors)
    if cached is not None:
        return cached
    box_h = rows * 2 if height_px is None else min(rows * 2, height_px)
    early = take_drawn(path, (cols, box_h), colors, (key[1], key[2]))
    if early is not None:  # drawn before the app started (see cli)
        lines, width = early
        rendered = Rendered(key, tuple(Strip(line, width) for line in lines), width, colors=colors)
        CACHE.put(rendered)
        return rendered
    try:
        image = fitted(path, (cols, box_h))
    except ImageError as exc:
        return Rendered(key, error=exc.reason)
    except MemoryError:
        return Rendered(key, error="not enough memory to decode this image")
    lines = halfblock_lines(image, colors)
    warm_ansi(lines, colors)
    strips = tuple(Strip(line, image.width) for line in lines)
    rendered = Rendered(key, strips, image.width, colors=colors)
    CACHE.put(rendered)
    return rendered


def warm_ansi(lines: Iterable[Iterable[Segment]], colors: str) -> None:
    """Work out each cell style's escape codes now, in the decoding thread.

    Textual writes a frame by turning every segment's style into its SGR codes,
    caching them on the style; a photo has thousands of styles it has never
    seen, and working them out cost the frame that first shows the photo about
    as long as drawing everything else. Done here, that frame only joins
    strings. (The styles are shared between renders, so most are done already.)
    """
    system = ColorSystem.TRUECOLOR if colors == TRUECOLOR else ColorSystem.EIGHT_BIT
    render = Strip.render_ansi
    for line in lines:
        for segment in line:
            style = segment.style
            if style is not None and style._ansi is None:
                render(style, system)


def render_embedded(path: Path, cols: int, rows: int, colors: str = TRUECOLOR) -> Rendered | None:
    """A quick placeholder from the EXIF thumbnail, or None (worker threads only)."""
    image = embedded_thumbnail(path, (cols, rows * 2))
    if image is None:
        return None
    strips = tuple(Strip(line, image.width) for line in halfblock_lines(image, colors))
    return Rendered(
        render_key(path, cols, rows), strips, image.width, placeholder=True, colors=colors
    )
