"""Zoomed, panned and split views of photos, drawn in worker threads.

A fit view of one photo goes through :func:`render_photo` / :func:`render_picture`
and their caches. Anything else (a zoom, a pan, a split between two photos)
is a :class:`ViewRequest`: its image is cut from decoded copies of the photos
(``imaging.viewport``), then drawn as half-blocks or encoded for Kitty or
Sixel like any other picture. The last few views are kept, so flipping between
A and B, or back to a zoom just left, costs nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw
from textual.strip import Strip

from ..imaging import ImageError, halfblock_lines
from ..imaging.decode import probe
from ..imaging.sizes import MAX_UPSCALE, limit_upscale
from ..imaging.viewport import Viewport, load_view
from ..lru import LRU
from .pictures import (
    Picture,
    PictureSettings,
    fit_size,
    picture_from_image,
    pixel_fit,
    screen_box,
)
from .rendering import TRUECOLOR, Rendered

DIVIDER = (255, 255, 255)
"""The split line's colour: white reads on dark and light photos alike with its shadow."""
KEEP = 24
FIT = Viewport()


@dataclass(frozen=True)
class ViewRequest:
    """What a view shows: a photo at a viewport, or two split at a divider."""

    photo: Path
    viewport: Viewport = FIT
    second: Path | None = None
    divider: float | None = None
    """Split: the fraction of the width showing ``photo``; ``second`` shows the rest."""

    @property
    def is_plain_fit(self) -> bool:
        """A whole photo, fitted: the ordinary loupe render serves it."""
        return self.viewport.is_fit and self.second is None


_views: LRU[tuple[object, ...], Rendered | Picture] = LRU(KEEP)


def _identity(path: Path | None) -> tuple[int, int]:
    if path is None:
        return (0, 0)
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


def view_image(
    request: ViewRequest, box: tuple[int, int], max_upscale: float | None = None
) -> Image.Image:
    """The image a request shows in a ``box`` of pixels (raises ImageError).

    With ``max_upscale``, a fit scales each photo by at most that much (the
    image is then smaller than the box); a zoom is the user's own choice.
    """

    def fit_box(size: tuple[int, int]) -> tuple[int, int]:
        if max_upscale is None or not request.viewport.is_fit:
            return box
        return limit_upscale(box, size, max_upscale)

    full = probe(request.photo).oriented_size
    image = load_view(request.photo, fit_box(full), request.viewport, full)
    if request.second is None or request.divider is None:
        return image
    # The other photo at the same framing and size, so the two halves meet.
    other_full = probe(request.second).oriented_size
    other = load_view(request.second, fit_box(other_full), request.viewport, other_full)
    if other.size != image.size:
        other = other.resize(image.size, Image.Resampling.LANCZOS)
    split = image.copy()
    x = max(0, min(image.width, round(request.divider * image.width)))
    split.paste(other.crop((x, 0, image.width, image.height)), (x, 0))
    draw = ImageDraw.Draw(split)
    line = max(1, image.width // 400)
    draw.rectangle((max(0, x - line), 0, min(image.width - 1, x + line - 1), image.height), DIVIDER)
    return split


def render_view(
    request: ViewRequest,
    cols: int,
    rows: int,
    settings: PictureSettings,
    colors: str = TRUECOLOR,
) -> Rendered | Picture:
    """Draw ``request`` in ``cols`` x ``rows`` cells (worker threads only)."""
    key = (
        request,
        _identity(request.photo),
        _identity(request.second),
        cols,
        rows,
        settings.mode,
        settings.cell_size,
        settings.sixel_colors,
        colors,
    )
    cached = _views.get(key)
    if cached is not None:
        return cached
    if settings.graphics:
        box = pixel_fit(cols, rows, settings.cell_size, max_pixels=settings.max_pixels)
    else:
        box = (cols, rows * 2)
    render_key = (str(request.photo), 0, 0, cols, rows)
    try:
        image = view_image(request, box, MAX_UPSCALE if settings.graphics else None)
    except ImageError as exc:
        if settings.graphics:
            return Picture(render_key, settings.mode, error=exc.reason)
        return Rendered(render_key, error=exc.reason)
    except MemoryError:
        return Rendered(render_key, error="not enough memory to decode this image")
    result: Rendered | Picture
    if settings.graphics:
        # What the image stands for on the screen: a fit as large as it fits there; a
        # zoom as many times larger as the box was made smaller than the screen.
        screen = screen_box(cols, rows, settings.cell_size)
        if request.viewport.is_fit:
            shown = fit_size(image.size, screen)
        else:
            ratio = screen[0] / max(1, box[0])
            shown = (image.width * ratio, image.height * ratio)
        result = picture_from_image(render_key, image, cols, rows, settings, shown)
    else:
        lines = halfblock_lines(image, colors)
        strips = tuple(Strip(line, image.width) for line in lines)
        result = Rendered(render_key, strips, image.width, colors=colors)
    _views.put(key, result)
    return result


def clear() -> None:
    """Forget every kept view (tests)."""
    _views.clear()
