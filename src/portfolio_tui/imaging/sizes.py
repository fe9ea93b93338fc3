"""Thumbnail sizes shared by the grid and by ``portfolio-tui thumbs``, and the limits
of pictures drawn in real pixels (Kitty, Sixel).

A thumbnail is drawn in colour half-blocks: one terminal cell shows two pixels
stacked, so a tile ``cols`` cells wide and ``rows`` cells tall holds an image of
at most ``cols`` x ``2 * rows`` pixels.
"""

from __future__ import annotations

import math

THUMB_WIDTHS = (12, 16, 20, 24, 30, 38, 48, 60)
"""Thumbnail widths in cells, stepped through with + and - in the grid."""
DEFAULT_THUMB_INDEX = 3
"""Index into THUMB_WIDTHS that the grid starts with (24 cells)."""
PORTRAIT = 1.25
"""Headshots are mostly 4:5; tiles are shaped for them."""
MAX_PICTURE_SIDE = 4096
"""The largest side, in pixels, of a picture decoded or encoded for Kitty or Sixel."""
MAX_PICTURE_PIXELS = 3840 * 2160
"""The most pixels in one Kitty picture: a 4K screen's, drawn at its own pixels.

The cells and the cell size come from the terminal (a viewer's, over SSH), and
a picture's memory grows with its pixels: about 40 MB a megapixel while it is
encoded and sent, so at most about 350 MB, whatever a terminal claims. A
larger view (a 5K or 8K screen) gets this many pixels, which Kitty scales up."""
MAX_SIXEL_PIXELS = 1920 * 1080
"""The most pixels in one Sixel picture. Sixel encoding costs about three times
Kitty's memory a megapixel, and a second of encoding (in Python) for this many."""
MAX_UPSCALE = 2.0
"""A photo is never scaled past twice its own pixels for real-pixel graphics
(more adds memory, not detail; Kitty scales it the rest of the way)."""


def thumb_rows(cols: int) -> int:
    """Picture rows of a tile ``cols`` cells wide."""
    return max(2, round(cols * PORTRAIT / 2))


def pixel_box(cols: int, rows: int) -> tuple[int, int]:
    """The pixel box a ``cols`` x ``rows`` cell area can show in half-blocks."""
    return cols, rows * 2


def limit_box(
    box: tuple[int, int], max_side: int = MAX_PICTURE_SIDE, max_pixels: int = MAX_PICTURE_PIXELS
) -> tuple[int, int]:
    """``box`` scaled down, keeping its shape, to at most ``max_side`` a side and
    ``max_pixels`` in all."""
    width, height = max(1, box[0]), max(1, box[1])
    scale = min(1.0, max_side / width, max_side / height, math.sqrt(max_pixels / (width * height)))
    if scale >= 1.0:
        return width, height
    return (
        max(1, min(max_side, int(width * scale))),
        max(1, min(max_side, int(height * scale))),
    )


def limit_upscale(
    box: tuple[int, int], photo: tuple[int, int], max_scale: float = MAX_UPSCALE
) -> tuple[int, int]:
    """``box`` shrunk so that fitting a ``photo`` (upright pixels) into it scales it by
    at most ``max_scale``; a fit into the result is the fit into ``box``, capped."""
    limit_w = max(1, int(photo[0] * max_scale))
    limit_h = max(1, int(photo[1] * max_scale))
    return min(max(1, box[0]), limit_w), min(max(1, box[1]), limit_h)


def default_thumb_box() -> tuple[int, int]:
    """The pixel box of the grid's default thumbnail (what ``thumbs`` prebuilds)."""
    cols = THUMB_WIDTHS[DEFAULT_THUMB_INDEX]
    return pixel_box(cols, thumb_rows(cols))


def first_screen_count(width: int, height: int, cols: int | None = None) -> int:
    """How many tiles of ``cols``-cell thumbnails a ``width`` x ``height`` grid shows at once.

    Mirrors the grid's layout: a tile is the thumbnail plus a 3-cell gutter
    across, and its picture rows plus a frame and caption (3 rows) down; a
    row cut by the bottom edge counts.
    """
    cols = cols or THUMB_WIDTHS[DEFAULT_THUMB_INDEX]
    across = max(1, (width + 1) // (cols + 3))
    down = max(1, -(-height // (thumb_rows(cols) + 3)))
    return across * down
