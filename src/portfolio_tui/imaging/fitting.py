"""Fitting decoded pixels to a box: RGB conversion, whole-factor reduction, sRGB, Lanczos.

The arithmetic every decoder shares (:mod:`.decode` for Pillow's formats, :mod:`.raw`
for camera previews and LibRaw's output): the size a picture takes in a box
(:func:`_fitted_size`, as Pillow's ``contain`` and ``thumbnail`` make it), the whole
factors it is reduced by first, conversion to RGB (alpha on black, 16-bit and float
greyscale scaled) and to sRGB (:mod:`.colour`, imported at the first use).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    from .colour import ColourSource

BACKGROUND = (0, 0, 0)


def _to_rgb(path: Path, image: Image.Image, mode: str = "RGB", scale: float = 1.0) -> Image.Image:
    """``image`` in ``mode``: RGB, or CMYK / L kept for their colour profile to convert.

    ``scale`` multiplies float ("F") pixels: see :func:`_float_scale`.
    """
    if image.mode == mode:
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale down to 8 bits rather than clipping to white. Pillow's
        # point() refuses big-endian I;16B (TIFFs written "MM"), so widen it to I first.
        if image.mode == "I;16B":
            image = image.convert("I")
        return image.point(lambda v: v / 256).convert("L").convert(mode)
    if image.mode == "F":
        return image.point(lambda v: v * scale).convert("L").convert(mode)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert(mode)
    return image.convert(mode)


def _float_scale(image: Image.Image) -> float:
    """What float pixels are multiplied by to make 8 bits: 255 where they run from 0 to 1
    (TIFF, PFM: Pillow's own conversion would clip them all to black), else 1."""
    if image.mode != "F":
        return 1.0
    high = image.getextrema()[1]
    return 255.0 if isinstance(high, (int, float)) and high <= 1.0 else 1.0


def _managed(
    image: Image.Image, target: tuple[int, int], colour: ColourSource | None, mode: str
) -> tuple[Image.Image, int]:
    """``image`` (decoded, about to be fitted to ``target``) in sRGB, and the whole factor
    it was reduced by on the way.

    Converted before the resize, as docs/DESIGN.md orders it, but on the smallest picture
    that still holds twice the target (what the resize would read anyway): a 6 MP JPEG's
    1/8 draft is 375x250 for a 24x16 thumbnail, and LittleCMS on all of it took a quarter
    of the thumbnail's time; reduced to 54x36 first, nothing. Converting after the resize
    instead cost up to 1.2 ΔE2000 on the grid's thumbnails (benchmarks/colour_accuracy.py).
    sRGB pictures are reduced the same way (as Pillow's ``thumbnail`` does), so a photo's
    thumbnail is the same picture whether it is tagged or not.
    """
    factor = _factor(image.size, target, REDUCING_GAP)
    if factor > 1:
        image = image.reduce(factor)
    return _srgb(image, colour, mode), factor


def _colour_of(image: Image.Image) -> ColourSource | None:
    """What the opened ``image`` says its colours are (None: sRGB); see :mod:`.colour`."""
    from .colour import source_of  # imported at the first decode, not at start-up

    return source_of(image)


def _srgb(image: Image.Image, colour: ColourSource | None, mode: str) -> Image.Image:
    """``image`` (in ``mode``, the file's colours) converted to sRGB for drawing."""
    if colour is None and mode == "RGB":
        return image
    from .colour import to_srgb

    return to_srgb(image, colour)[0]


REDUCING_GAP = 2.0
"""Images are reduced by whole factors to no less than this many times the size shown,
then resized with Lanczos (as Pillow's ``thumbnail`` does): fast, and as sharp."""

STRIP_PIXELS = 1 << 20
"""Pixels converted to RGB at a time: the conversion's copies stay this small."""


def _fit(
    rgb: Image.Image,
    full: tuple[int, int],
    stored_box: tuple[int, int],
    upscale: bool,
    factor: int,
) -> Image.Image:
    """``rgb`` (an image of size ``full`` reduced ``factor`` times) fitted to the box.

    Always a new image, never ``rgb`` itself (that may be the file's, closed soon).
    """
    size = _fitted_size(full, stored_box, upscale)
    if size == rgb.size:
        return rgb.copy()
    # The reduced image's last row and column may stand for less than `factor` pixels:
    # the box keeps the geometry of the full image exactly.
    region = (0.0, 0.0, full[0] / factor, full[1] / factor)
    return rgb.resize(size, Image.Resampling.LANCZOS, box=region)


def _fitted_size(size: tuple[int, int], box: tuple[int, int], upscale: bool) -> tuple[int, int]:
    """The size ``size`` takes in ``box``: as ``ImageOps.contain`` would make it, or without
    upscaling as ``Image.thumbnail`` would (the same arithmetic, so sizes never change)."""
    width, height = size
    box_w, box_h = box
    aspect = width / height
    if upscale:
        if aspect > box_w / box_h:
            return box_w, max(1, round(height / width * box_w))
        if aspect < box_w / box_h:
            return max(1, round(width / height * box_h)), box_h
        return box_w, box_h
    if box_w >= width and box_h >= height:
        return size

    def round_aspect(number: float, key: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    if box_w / box_h >= aspect:
        return round_aspect(box_h * aspect, lambda n: abs(aspect - n / box_h)), box_h
    return box_w, round_aspect(box_w / aspect, lambda n: 0 if n == 0 else abs(aspect - box_w / n))


def _factor(size: tuple[int, int], target: tuple[int, int], gap: float) -> int:
    """The largest whole reduction of ``size`` that keeps ``gap`` times ``target`` or more."""
    return max(1, min(int(size[0] / (target[0] * gap)), int(size[1] / (target[1] * gap))))


def _reduced(size: tuple[int, int], factor: int) -> tuple[int, int]:
    return -(-size[0] // factor), -(-size[1] // factor)


def _converts(image: Image.Image, factor: int, mode: str = "RGB") -> bool:
    return factor > 1 or image.mode != mode


def _gigabytes(size: int) -> str:
    return f"{size / (1 << 30):.3g} GB" if size >= 1 << 30 else f"{size >> 20} MB"
