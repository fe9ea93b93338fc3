"""Thumbnail sizes shared by the grid and by ``portfolio-tui thumbs``.

A thumbnail is drawn in colour half-blocks: one terminal cell shows two pixels
stacked, so a tile ``cols`` cells wide and ``rows`` cells tall holds an image of
at most ``cols`` x ``2 * rows`` pixels.
"""

from __future__ import annotations

THUMB_WIDTHS = (12, 16, 20, 24, 30, 38, 48, 60)
"""Thumbnail widths in cells, stepped through with + and - in the grid."""
DEFAULT_THUMB_INDEX = 3
"""Index into THUMB_WIDTHS that the grid starts with (24 cells)."""
PORTRAIT = 1.25
"""Headshots are mostly 4:5; tiles are shaped for them."""


def thumb_rows(cols: int) -> int:
    """Picture rows of a tile ``cols`` cells wide."""
    return max(2, round(cols * PORTRAIT / 2))


def pixel_box(cols: int, rows: int) -> tuple[int, int]:
    """The pixel box a ``cols`` x ``rows`` cell area can show in half-blocks."""
    return cols, rows * 2


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
