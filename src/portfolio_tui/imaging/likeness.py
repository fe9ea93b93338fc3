"""How alike two frames look: a 64-bit perceptual hash and the distance between two.

The hash is a pHash: the frame in grey, averaged down to 32 x 32 (Pillow's BOX
filter, a true area average), its 2-D DCT, and of the 8 x 8 lowest frequencies
one bit each, set where the coefficient is above their median (so 32 bits are
set). It keeps the frame's broad layout of light and dark and forgets what burst
frames differ in: exposure (a uniform change scales every coefficient alike), JPEG
quality and noise (averaged away, and high frequencies are not kept); a 1-3 % crop
shift or a 1° turn moves low frequencies little. The cosines are integers
(x 4096), so the same pixels give the same bits on every machine.

It is computed from a small decoded copy the app already has (a thumbnail or a
preview, upright, any size; ~256 px is plenty), so grouping costs no extra full
decode. :func:`hash_file` is for callers with only a path (`thumbs`, the
benchmark): it decodes through :func:`.decode.load_upright` (JPEG draft, the
camera's preview for a RAW, the memory budget) to about 256 px first.

Measured (benchmarks/stacks_grouping.py, one core, Python 3.11, Pillow 13):

- :func:`frame_hash` of a 256 px thumbnail: 0.6 ms (pure Python, no numpy: the
  DCT keeps only the 8 rows of the basis it needs). Of a 6 MP image in memory,
  6.5 ms: the BOX average reads every pixel, so hash the thumbnail.
- :func:`hash_file` of a 6 MP JPEG (draft decode at 1/8, then the hash): 16-20 ms,
  nearly all of it the JPEG's entropy decoding, which draft mode cannot skip.

A dHash (9 x 8 cells, one bit per pair of neighbours; 0.13 ms) was measured on
the same three sessions. Its burst pairs spread wider (95 % within 16-19 bits, all
within 21-25; here 12 and 18-20), so it needs a threshold of about 20 where this
needs 14; there it did as well (precision 1.0, recall 0.96-0.99). This one stays
because 20 bits is close to chance: two unrelated 64-bit hashes differ in 32 ± 4
bits, so about 1 pair in 540 of them is within 20 and would stack when the times
do not split them, against about 1 in 150,000 within 14 (balanced hashes).
"""

from __future__ import annotations

import math
from operator import mul
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow is loaded by the first hash, not by importing this module
    from PIL import Image

HASH_BITS = 64
"""Bits in a hash: the largest possible distance between two frames."""

HASH_SOURCE_PX = 256
"""The size :func:`hash_file` decodes to before hashing (the shorter side, at least)."""

_SIDE = 32  # the grey copy the DCT is taken of
_KEPT = 8  # the 8 x 8 lowest frequencies make the 64 bits
_SCALE = 1 << 12  # cosines as integers: the same bits on every machine
_BASIS = tuple(
    tuple(round(math.cos(math.pi * (2 * x + 1) * u / (2 * _SIDE)) * _SCALE) for x in range(_SIDE))
    for u in range(_KEPT)
)


def frame_hash(image: Image.Image) -> int:
    """The 64-bit perceptual hash of ``image`` (upright, any mode, any size >= 1 px).

    Bit 63 is the lowest frequency (the mean), bit 0 the highest kept; a bit is set
    where its coefficient is above the median of the 64. All arithmetic is on
    integers, so the same pixels give the same hash on every machine.
    """
    from PIL import Image

    grey = image if image.mode == "L" else image.convert("L")
    pixels = grey.resize((_SIDE, _SIDE), Image.Resampling.BOX).tobytes()
    # The 2-D DCT-II, separably: each row against the 8 kept basis rows, then each column.
    rows = [
        [sum(map(mul, pixels[y * _SIDE : (y + 1) * _SIDE], basis)) for basis in _BASIS]
        for y in range(_SIDE)
    ]
    coefficients = [
        sum(basis[y] * rows[y][v] for y in range(_SIDE)) for basis in _BASIS for v in range(_KEPT)
    ]
    ranked = sorted(coefficients)
    twice_median = ranked[31] + ranked[32]
    bits = 0
    for value in coefficients:
        bits = bits << 1 | (2 * value > twice_median)
    return bits


def hamming(first: int, second: int) -> int:
    """How many of the 64 bits differ: 0 for frames that look the same, ~32 for unrelated ones."""
    return bin(first ^ second).count("1")  # int.bit_count is 3.10+, but this reads plainer


def hash_file(path: Path) -> int:
    """The hash of the photo at ``path``, decoded small (:data:`HASH_SOURCE_PX`) and upright.

    Raises :class:`.opening.ImageError` for a file that cannot be shown, like every
    decoder.
    """
    from .decode import load_upright

    image, _stored = load_upright(path, (HASH_SOURCE_PX, HASH_SOURCE_PX))
    try:
        return frame_hash(image)
    finally:
        image.close()
