"""Turn a Pillow image into lines of colour half-block cells.

Each terminal cell shows two vertically stacked pixels: the upper half block
``▀`` in the foreground colour over the background colour.  The output is one
list of Rich segments per terminal line, built once (in a worker thread) and
reused on every repaint.

Two colour depths:

- ``"truecolor"``: every pixel keeps its exact 24-bit colour.
- ``"256"``: the image is first mapped by Pillow to the 240 colours of the
  xterm palette that do not depend on the terminal's theme (the 6x6x6 cube and
  the 24 greys; no dithering, which looks calmer on faces and keeps flat areas
  flat), and each cell names its palette entries.  Textual then writes short
  ``38;5;N`` codes, and since it writes one colour code per segment, segments
  are made as long as the colours allow: neighbouring cells with the same two
  entries, either way up (``▀`` or ``▄``), or one entry in both halves (a full
  block ``█`` in the foreground, a space in the background) share a segment.

Speed: the per-cell work runs in C (Pillow, slicing, ``map``); Python code
runs per colour *run* only where neighbours repeat, and a ``Segment`` (with
its ``Style``) is built once per distinct pair of colours and kept in a
bounded module-level table shared by every render.
"""

from __future__ import annotations

import sys
from itertools import compress, islice
from operator import ne
from typing import TypeVar, cast

from PIL import Image
from rich.color import Color, ColorType
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style

UPPER_HALF = "\u2580"
LOWER_HALF = "\u2584"
FULL_BLOCK = "\u2588"
TRUECOLOR = "truecolor"
EIGHT_BIT = "256"
COLOR_MODES = (TRUECOLOR, EIGHT_BIT)

Lines = list[list[Segment]]

MAX_CACHED = 1 << 15
"""Entries per shared table (segments, colours) before it is emptied and refilled."""

_new = tuple.__new__
"""Builds Rich's named tuples (Segment, Color, ColorTriplet) field by field."""
_K = TypeVar("_K")
_V = TypeVar("_V")

# -- the xterm palette entries that do not change with the terminal's theme --------
_LEVELS = (0, 95, 135, 175, 215, 255)
XTERM_240: tuple[tuple[int, int, int], ...] = tuple(
    [(r, g, b) for r in _LEVELS for g in _LEVELS for b in _LEVELS]
    + [(8 + 10 * i,) * 3 for i in range(24)]
)
"""xterm colours 16..255 (index 0 here is colour 16)."""
_FIRST_ANSI = 16

_PALETTE = Image.new("P", (1, 1))
_PALETTE.putpalette([channel for rgb in XTERM_240 for channel in rgb])

# Colour numbers 0-15 are the theme's; 16-255 are fixed, so each carries its RGB
# value too.  With the triplet set, Textual's ANSI-to-truecolor filter leaves the
# colour alone (it rewrites only colours without one) and Rich writes
# ``38;5;N``; without it every repaint would convert each style back to 24-bit.
_ANSI_COLORS: tuple[Color, ...] = tuple(
    Color(f"color({n + _FIRST_ANSI})", ColorType.EIGHT_BIT, n + _FIRST_ANSI, ColorTriplet(*rgb))
    for n, rgb in enumerate(XTERM_240)
)

_TRUE_SEGMENTS: dict[int, Segment] = {}
_TRUE_COLORS: dict[bytes, Color] = {}
_ANSI_STYLES: dict[int, Style] = {}
"""One Style per (foreground or none, background) pair of palette entries: at most 240 x 241."""
# Which byte of a 16-bit cell key is the top pixel's (see _cell_keys).
_TOP, _BOTTOM = (0, 8) if sys.byteorder == "little" else (8, 0)


def halfblock_lines(image: Image.Image, colors: str = TRUECOLOR) -> Lines:
    """Render ``image`` as ``ceil(height / 2)`` lines of ``width`` cells.

    ``colors`` is ``"truecolor"`` or ``"256"`` (see the module notes).  Runs of
    identical cells are merged into one segment, which keeps flat backgrounds
    cheap to send to the terminal.
    """
    if colors not in COLOR_MODES:
        raise ValueError(f"colors must be one of {COLOR_MODES}, not {colors!r}")
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    width, height = rgb.size
    if height % 2:
        padded = Image.new("RGB", (width, height + 1))
        padded.paste(rgb, (0, 0))
        padded.paste(rgb.crop((0, height - 1, width, height)), (0, height))
        rgb, height = padded, height + 1
    if not width:
        return [[] for _ in range(height // 2)]
    if colors == EIGHT_BIT:
        indices = rgb.quantize(palette=_PALETTE, dither=Image.Dither.NONE)
        return _ansi_lines(_cell_keys(indices.tobytes(), width, height, 1), width)
    keys = _cell_keys(rgb.tobytes(), width, height, 3)
    make = _true_segment
    get = _TRUE_SEGMENTS.get
    lines: Lines = []
    for start in range(0, len(keys), width):
        row = keys[start : start + width]
        # Where a cell differs from its left neighbour (a run starts), found in C.
        starts = list(compress(range(1, width), map(ne, islice(row, 1, None), row)))
        line: list[Segment]
        if len(starts) == width - 1:  # no two neighbours alike (typical of photos)
            found = list(map(get, row))
            if None in found:
                line = [segment or make(key) for segment, key in zip(found, row, strict=True)]
            else:
                line = cast("list[Segment]", found)
        else:
            line = []
            for begin, end in zip([0, *starts], [*starts, width], strict=True):
                key = row[begin]
                segment = get(key) or make(key)
                if end - begin > 1:
                    segment = Segment(segment.text * (end - begin), segment.style)
                line.append(segment)
        lines.append(line)
    return lines


def _cell_keys(data: bytes, width: int, height: int, depth: int) -> list[int]:
    """One int per cell naming its top and bottom pixel (``depth`` bytes each).

    Pixels are interleaved with strided slice assignments and the buffer is
    read back as machine integers, so no Python code runs per cell.
    """
    stride = width * depth
    top = b"".join(data[y * stride : (y + 1) * stride] for y in range(0, height, 2))
    bottom = b"".join(data[(y + 1) * stride : (y + 2) * stride] for y in range(0, height, 2))
    size = 8 if depth == 3 else 2
    cells = bytearray(size * width * (height // 2))
    for channel in range(depth):
        cells[channel::size] = top[channel::depth]
        cells[depth + channel :: size] = bottom[channel::depth]
    return memoryview(cells).cast("Q" if size == 8 else "H").tolist()


def _remember(table: dict[_K, _V], key: _K, value: _V) -> _V:
    """Store ``value``; a full table is emptied first (bounded, and cheap per hit)."""
    if len(table) >= MAX_CACHED:
        table.clear()
    table[key] = value
    return value


def _true_segment(key: int) -> Segment:
    raw = key.to_bytes(8, sys.byteorder)
    style = Style.from_color(_true_color(raw[0:3]), _true_color(raw[3:6]))
    # The style's escape codes, written now (in the decoding thread) in exactly the
    # form a 24-bit terminal is sent them, so the frame that first shows the photo
    # only joins strings: working them out per style then cost as long as the
    # rest of the frame. Rich and Textual keep them in this slot themselves.
    style._ansi = "38;2;%d;%d;%d;48;2;%d;%d;%d" % tuple(raw[0:6])  # noqa: UP031
    return _remember(_TRUE_SEGMENTS, key, _new(Segment, (UPPER_HALF, style, None)))


def _true_color(rgb: bytes) -> Color:
    color = _TRUE_COLORS.get(rgb)
    if color is None:
        # What Color.from_triplet builds, without the named-tuple constructors'
        # Python-level overhead (this runs for every new colour of every photo).
        triplet = _new(ColorTriplet, (rgb[0], rgb[1], rgb[2]))
        color = _new(Color, ("#" + rgb.hex(), ColorType.TRUECOLOR, None, triplet))
        _remember(_TRUE_COLORS, rgb, color)
    return color


def _ansi_lines(keys: list[int], width: int) -> Lines:
    """Lines of 256-colour cells, each segment as long as its two colours allow.

    A segment has a foreground ``fg`` (or none yet) and a background ``bg``.
    A cell joins it when it shows the same two colours either way up (``▀``:
    fg over bg, ``▄``: bg over fg) or one of them in both halves (``█`` or a
    space); a segment of spaces takes its foreground from the first cell that
    needs one.  Runs of identical cells are found in C first.
    """
    styles = _ANSI_STYLES
    lines: Lines = []
    for start in range(0, len(keys), width):
        row = keys[start : start + width]
        starts = [0, *compress(range(1, width), map(ne, islice(row, 1, None), row))]
        line: list[Segment] = []
        fg = bg = -1  # no segment yet
        text = ""
        for begin, end in zip(starts, [*starts[1:], width], strict=True):
            key = row[begin]
            top, bottom = (key >> _TOP) & 0xFF, (key >> _BOTTOM) & 0xFF
            if top == bottom == bg:
                cell = " "
            elif fg < 0 <= bg and bg in (top, bottom):
                fg = bottom if top == bg else top  # a segment of spaces gains its foreground
                cell = LOWER_HALF if top == bg else UPPER_HALF
            elif top == fg and bottom == bg:
                cell = UPPER_HALF
            elif top == bg and bottom == fg:
                cell = LOWER_HALF
            elif top == bottom == fg:
                cell = FULL_BLOCK
            else:
                if text:
                    line.append(_new(Segment, (text, _ansi_style(styles, fg, bg), None)))
                text = ""
                if top == bottom:
                    fg, bg, cell = -1, top, " "
                else:
                    fg, bg, cell = top, bottom, UPPER_HALF
            text += cell * (end - begin)
        if text:
            line.append(_new(Segment, (text, _ansi_style(styles, fg, bg), None)))
        lines.append(line)
    return lines


def _ansi_style(styles: dict[int, Style], fg: int, bg: int) -> Style:
    """The style for palette entries ``fg`` (or none, -1) over ``bg``, shared."""
    key = (fg << 8) | bg
    style = styles.get(key)
    if style is None:
        color = _ANSI_COLORS[fg] if fg >= 0 else None
        style = styles[key] = Style.from_color(color, _ANSI_COLORS[bg])
    return style
