"""Turn a Pillow image into lines of colour half-block cells.

Each terminal cell shows two vertically stacked pixels: the upper half block
``▀`` in the foreground colour over the background colour.  The output is one
list of Rich segments per terminal line, built once and reused on every
repaint.  Colours are truecolor; Rich/Textual map them down for 256-colour
terminals.
"""

from __future__ import annotations

from PIL import Image
from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style

UPPER_HALF = "\u2580"

Lines = list[list[Segment]]


def halfblock_lines(image: Image.Image) -> Lines:
    """Render ``image`` (RGB) as ``ceil(height / 2)`` lines of ``width`` cells.

    Runs of identical cells are merged into one segment, which keeps flat
    backgrounds cheap to send to the terminal.
    """
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    width, height = rgb.size
    if height % 2:
        padded = Image.new("RGB", (width, height + 1))
        padded.paste(rgb, (0, 0))
        padded.paste(rgb.crop((0, height - 1, width, height)), (0, height))
        rgb, height = padded, height + 1
    data = rgb.tobytes()
    stride = width * 3
    styles: dict[bytes, Style] = {}
    colors: dict[bytes, Color] = {}
    lines: Lines = []
    for y in range(0, height, 2):
        top = data[y * stride : (y + 1) * stride]
        bottom = data[(y + 1) * stride : (y + 2) * stride]
        line: list[Segment] = []
        run_key = b""
        run_length = 0
        for x in range(0, stride, 3):
            key = top[x : x + 3] + bottom[x : x + 3]
            if key == run_key:
                run_length += 1
                continue
            if run_length:
                line.append(Segment(UPPER_HALF * run_length, styles[run_key]))
            style = styles.get(key)
            if style is None:
                fg, bg = key[:3], key[3:]
                fg_color = colors.get(fg) or colors.setdefault(fg, _color(fg))
                bg_color = colors.get(bg) or colors.setdefault(bg, _color(bg))
                style = styles[key] = Style.from_color(fg_color, bg_color)
            run_key, run_length = key, 1
        if run_length:
            line.append(Segment(UPPER_HALF * run_length, styles[run_key]))
        lines.append(line)
    return lines


def _color(rgb: bytes) -> Color:
    return Color.from_triplet(ColorTriplet(rgb[0], rgb[1], rgb[2]))
