"""Encode a Pillow image as one Sixel graphics sequence (DEC VT340 style).

``encode(image)`` returns the complete DCS string::

    ESC P 0;1;0 q  "1;1;W;H  #n;2;r;g;b ...  band - band - ... - band  ESC \\

* ``P2=1`` ("pixels not painted keep what is behind them") is safe because
  every pixel of the image is painted by exactly one colour.  The only pixels
  left alone are the padding rows below a partial last band, which is wanted.
* The palette -- only the registers the picture uses, in percent 0-100 -- is
  defined once, up front; the bands only select registers with ``#n``.
* A band is 6 pixel rows.  For every colour that occurs in the band we emit
  ``#n``, a skip to the colour's first column and its sixels up to its last
  column (no trailing blanks); colours in a band are separated by ``$`` and
  bands by ``-``.  Every run of 4 or more equal characters becomes ``!N<ch>``.

Quantisation: ``Image.quantize(colors, method=FASTOCTREE)``, no dithering.
Pillow ignores ``dither`` unless a ``palette`` image is passed, so dithering
takes a second pass onto the octree palette.  Measured on two portraits
scaled to 800x1000 and decoded again with ImageMagick: at 256 colours
dithering made the output 27-49% larger (hopper-01: 1.05 MB instead of
0.83 MB) and the per-pixel error slightly worse (mean 3.6-3.8 vs 3.3-3.4 of
255); only after a blur (what the eye averages) was it better, 0.7-0.9 vs
1.5-1.9 of 255, which is invisible either way.  So dithering only inflates
the output.  (At 64 colours it does pay: blurred error 1.4-1.6 instead of
2.9-3.7, for 22-66% more bytes; callers who want few colours may dither
before calling ``encode``.)

Speed: no Python code runs per pixel, and none per sixel.  Per band, the
rows become big integers with one byte per column; eight shifts and masks per
row give the 8 bit planes of the palette index, laid out as sixels (bit ``r``
of byte ``x`` is bit ``k`` of pixel (x, r)); ANDing planes and their
complements gives, for each of the 16 values of the low and of the high
nibble, the sixels where the index has that nibble.  The sixels of colour
``c`` are then ``low[c & 15] & high[c >> 4]``: one AND, then a shift and
``to_bytes`` for the span of columns where the colour occurs, and a
``bytes.translate`` to add 63.  Run-length encoding splits the body on
blanks with ``bytes.split`` (blank and non-blank pieces alternate) and
replaces the remaining runs with one ``re.split``; the pieces are rebuilt
with ``map``, so no Python code runs per run either.

Measured on the development machine (2 shared cores, Python 3.11, Pillow 13)
with ``portfolio/studio/hopper-01.jpg`` resized to 800x1000::

    .venv/bin/python -m timeit -s "from PIL import Image
    from portfolio_tui.graphics.sixel import encode
    im = Image.open('portfolio/studio/hopper-01.jpg').convert('RGB').resize((800, 1000))" \\
        "encode(im)"

-> 104-135 ms per call (best of 5, four runs, while other jobs kept the
two cores busy; load average 2.5), 126 ms of CPU time by
``time.process_time`` (an earlier draft that ran ``bytes.translate`` over
each colour's span of the band took 340 ms).  Of the time, the octree
quantisation is ~10 ms, building the bands ~45 ms and the run-length
encoding ~50 ms.  The output is 805,695 characters (0.8 bytes per
pixel; 829,419 when resized with LANCZOS); with ``colors=16`` it is 0.17 MB
in ~60 ms.  The worst case, random noise at 800x1000 (all 256 colours in
every band), takes ~420 ms and 3.3 MB.
"""

from __future__ import annotations

import re
from itertools import compress, repeat

from PIL import Image

__all__ = ["encode"]

_BAND = 6  # pixel rows per sixel band
_START = b"\x1bP0;1;0q"  # DCS, aspect from the raster attributes, P2=1, default grid
_END = b"\x1b\\"  # ST

# Sixel values 0..63 -> the characters "?".."~".  Larger values never occur.
_TO_SIXEL = bytes(range(63, 127)) + bytes(256 - 64)
_NEXT_COLOR = tuple(b"$#%d" % c for c in range(256))

# Run-length encoding.  While the bands are built, the skip that starts each
# colour's line is written with NUL instead of "?" so that every "?" left in
# the body is a blank inside a line, between two non-blank characters: the body
# is then text, blanks, text, ..., text, which bytes.split() takes apart.
_MARK = 0
_UNMARK = bytes(range(256)).replace(bytes((_MARK,)), b"?")
_BLANKS_TO_SPACE = bytes(range(256)).replace(b"?", b" ")
_ONLY_BLANKS = bytes(c if c == ord("?") else ord(" ") for c in range(256))
_OTHER_RUNS = re.compile(rb"(([@-~])\2\2\2+)")  # split(): text, run, char, text, ...


def encode(image: Image.Image, *, colors: int = 256) -> str:
    """The complete Sixel DCS sequence (ESC P ... ESC \\) that draws ``image`` (any mode;
    converted to RGB) at its pixel size, with at most ``colors`` (1-256) colour registers.
    """
    if not 1 <= colors <= 256:
        raise ValueError(f"colors must be between 1 and 256, not {colors}")
    width, height = image.size
    if width < 1 or height < 1:
        raise ValueError(f"cannot encode an empty image ({width}x{height})")
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    indexed = rgb.quantize(colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    # skips[n]: the shortest way to write n blank sixels.
    skips = [b"", b"?", b"??", b"???", *(b"!%d?" % n for n in range(4, width + 1))]
    marked_skips = [skip.replace(b"?", bytes((_MARK,))) for skip in skips]
    body = _run_length(_bands(indexed, marked_skips), skips)
    header = b'%s"1;1;%d;%d%s' % (_START, width, height, _palette(indexed))
    return (header + body + _END).decode("ascii")


def _palette(indexed: Image.Image) -> bytes:
    """``#n;2;r;g;b`` (percent) for every register the image uses."""
    rgb = indexed.getpalette("RGB") or []
    rgb += [0] * (768 - len(rgb))
    percent = [(value * 100 + 127) // 255 for value in rgb]
    used = compress(range(256), indexed.histogram())
    return b"".join(b"#%d;2;%d;%d;%d" % (n, *percent[3 * n : 3 * n + 3]) for n in used)


def _nibble_masks(planes: list[tuple[int, int]], low_bit: int) -> list[int]:
    """For v in 0..15: the sixels where bits ``low_bit``..``low_bit + 3`` of the index are v.

    ``planes[k]`` is (sixels where bit k is 0, sixels where bit k is 1).
    """
    (n0, p0), (n1, p1), (n2, p2), (n3, p3) = planes[low_bit : low_bit + 4]
    low_pair = (n0 & n1, p0 & n1, n0 & p1, p0 & p1)
    high_pair = (n2 & n3, p2 & n3, n2 & p3, p2 & p3)
    return [low_pair[v & 3] & high_pair[v >> 2] for v in range(16)]


def _bands(indexed: Image.Image, skips: list[bytes]) -> bytes:
    """The sixel bands of a "P" image, blanks inside a colour's line not yet run-length encoded.

    An integer with one byte per column, bit ``r`` for the band's row ``r``, is
    the colour's sixels: byte x (little-endian) is the sixel of column x.
    """
    width, height = indexed.size
    data = indexed.tobytes()
    ones = int.from_bytes(b"\x01" * width, "little")
    out: list[bytes] = []
    for top in range(0, height, _BAND):
        rows = min(_BAND, height - top)
        at = top * width
        row_ints = [
            int.from_bytes(data[start : start + width], "little")
            for start in range(at, at + rows * width, width)
        ]
        every_row = sum(ones << r for r in range(rows))
        planes: list[tuple[int, int]] = []
        for bit in range(8):
            plane = 0
            for r, row in enumerate(row_ints):
                plane |= ((row >> bit) & ones) << r
            planes.append((every_row ^ plane, plane))
        low = _nibble_masks(planes, 0)
        high = _nibble_masks(planes, 4)
        band_start = len(out)
        for color in compress(range(256), indexed.crop((0, top, width, top + rows)).histogram()):
            sixels = low[color & 15] & high[color >> 4]
            first = ((sixels & -sixels).bit_length() - 1) >> 3  # lowest non-zero byte
            stop = (sixels.bit_length() + 7) >> 3
            line = (sixels >> (8 * first)).to_bytes(stop - first, "little").translate(_TO_SIXEL)
            out += (_NEXT_COLOR[color], skips[first], line)
        out[band_start] = out[band_start][1:]  # the band's first colour needs no "$"
        out.append(b"-")
    out.pop()  # no "-" after the last band
    return b"".join(out)


def _run_length(body: bytes, skips: list[bytes]) -> bytes:
    """Write every run of 4 or more equal characters as ``!N<char>``; unmark the skips."""
    texts = body.translate(_BLANKS_TO_SPACE).split()
    pieces = [b""] * (2 * len(texts) - 1)
    pieces[0::2] = texts
    pieces[1::2] = map(skips.__getitem__, map(len, body.translate(_ONLY_BLANKS).split()))
    pieces = _OTHER_RUNS.split(b"".join(pieces))
    runs = pieces[1::3]
    pieces[1::3] = map(b"!%d%s".__mod__, zip(map(len, runs), pieces[2::3], strict=True))
    pieces[2::3] = repeat(b"", len(runs))
    return b"".join(pieces).translate(_UNMARK)
