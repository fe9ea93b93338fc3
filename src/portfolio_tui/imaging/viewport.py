"""Zoom and pan: which part of a photo a view shows, and drawing that part.

A :class:`Viewport` is either *fit* (the whole photo, as large as the view
allows) or a zoom factor (screen pixels per photo pixel: 1.0 is 100 %) with a
centre given as a fraction of the photo's width and height. Because the centre
is relative, one viewport shared by two photos shows the same part of both:
two framings of one face line up, whatever their resolutions.

:func:`load_view` draws a viewport. Fit goes through the thumbnail/preview
disk cache; a zoomed view crops a decoded copy of the photo kept in a small
memory-bounded LRU, so panning and stepping the zoom do not decode again. JPEGs
are decoded in draft mode at the smallest scale that still has the pixels the
zoom needs.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from ..lru import LRU
from .cache import fitted
from .decode import ImageError, load_upright

ZOOM_STEPS = (0.125, 0.25, 1 / 3, 0.5, 2 / 3, 1.0, 2.0, 4.0)
"""Zoom levels stepped through with + and -, as screen pixels per photo pixel."""
PAN_STEP = 0.25
"""One pan key moves the view by a quarter of its width or height."""

Size = tuple[int, int]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Viewport:
    """Fit, or a zoom factor and the photo's point (as fractions) at the view's centre."""

    zoom: float | None = None
    cx: float = 0.5
    cy: float = 0.5

    @property
    def is_fit(self) -> bool:
        return self.zoom is None

    def scale(self, image: Size, view: Size) -> float:
        """Screen pixels per photo pixel."""
        return self.zoom if self.zoom is not None else fit_scale(image, view)

    def percent(self, image: Size, view: Size) -> int:
        """The zoom as a whole percentage (for the status bar)."""
        return round(self.scale(image, view) * 100)

    def toggled(self) -> Viewport:
        """``z``: fit <-> 100 %, keeping the centre."""
        return replace(self, zoom=None if self.zoom is not None else 1.0)

    def zoomed_in(self, image: Size, view: Size) -> Viewport:
        """The next zoom step above the current scale (stays at the largest)."""
        now = self.scale(image, view)
        bigger = [step for step in ZOOM_STEPS if step > now * 1.001]
        return replace(self, zoom=bigger[0] if bigger else ZOOM_STEPS[-1]).clamped(image, view)

    def zoomed_out(self, image: Size, view: Size) -> Viewport:
        """The next zoom step below; fit once a step would show the whole photo."""
        now = self.scale(image, view)
        fit = fit_scale(image, view)
        smaller = [step for step in ZOOM_STEPS if step < now * 0.999 and step > fit * 1.001]
        if not smaller:
            return replace(self, zoom=None)
        return replace(self, zoom=smaller[-1]).clamped(image, view)

    def panned(self, dx: float, dy: float, image: Size, view: Size) -> Viewport:
        """Move by ``dx``, ``dy`` views (``PAN_STEP`` per key); fit does not pan."""
        if self.zoom is None:
            return self
        scale = self.zoom
        moved = replace(
            self,
            cx=self.cx + dx * view[0] / scale / max(1, image[0]),
            cy=self.cy + dy * view[1] / scale / max(1, image[1]),
        )
        return moved.clamped(image, view)

    def dragged(self, dx_px: float, dy_px: float, image: Size, view: Size) -> Viewport:
        """Move with the mouse: the photo follows the pointer by ``dx_px``, ``dy_px`` screen px."""
        if self.zoom is None:
            return self
        return self.panned(-dx_px / max(1, view[0]), -dy_px / max(1, view[1]), image, view)

    def clamped(self, image: Size, view: Size) -> Viewport:
        """The centre moved just enough that the view stays on the photo."""
        if self.zoom is None:
            return replace(self, cx=min(1.0, max(0.0, self.cx)), cy=min(1.0, max(0.0, self.cy)))
        cx = _clamp_axis(self.cx, image[0] * self.zoom, view[0])
        cy = _clamp_axis(self.cy, image[1] * self.zoom, view[1])
        return replace(self, cx=cx, cy=cy)

    def region(self, image: Size, view: Size) -> tuple[Box, Size]:
        """(the photo's box in photo pixels, the size it is drawn at) for this view."""
        width, height = image
        scale = self.scale(image, view)
        if self.zoom is None:
            out = (max(1, round(width * scale)), max(1, round(height * scale)))
            return (0.0, 0.0, float(width), float(height)), out
        here = self.clamped(image, view)
        shown_w = min(float(width), view[0] / scale)
        shown_h = min(float(height), view[1] / scale)
        left = min(max(0.0, here.cx * width - shown_w / 2), width - shown_w)
        top = min(max(0.0, here.cy * height - shown_h / 2), height - shown_h)
        out = (max(1, round(shown_w * scale)), max(1, round(shown_h * scale)))
        return (left, top, left + shown_w, top + shown_h), out


def fit_scale(image: Size, view: Size) -> float:
    """The scale at which the whole photo just fits the view."""
    return min(view[0] / max(1, image[0]), view[1] / max(1, image[1]))


def _clamp_axis(centre: float, scaled: float, view: float) -> float:
    """Keep a view ``view`` px wide inside a photo ``scaled`` px wide (centred if smaller)."""
    if scaled <= view:
        return 0.5
    half = view / 2 / scaled
    return min(1.0 - half, max(half, centre))


class SourceCache:
    """Decoded, upright photos for zoomed views, bounded by memory; thread-safe."""

    def __init__(self, max_bytes: int = 192 * 1024 * 1024) -> None:
        self._lru: LRU[tuple[object, ...], Image.Image] = LRU(
            max_bytes, lambda image: image.width * image.height * 3
        )

    def put(self, key: tuple[object, ...], image: Image.Image) -> None:
        self._lru.put(key, image)

    def copies_of(self, identity: tuple[object, ...]) -> list[Image.Image]:
        """Cached copies of one file (any decoded size), marked recently used."""
        return self._lru.matching(lambda key: key[: len(identity)] == identity)

    def clear(self) -> None:
        self._lru.clear()

    @property
    def size(self) -> int:
        return self._lru.total


SOURCES = SourceCache()


def decoded(path: Path, at_least: Size) -> Image.Image:
    """``path`` decoded upright, with at least ``at_least`` pixels where it has them.

    Cached by file identity and the size needed: a second zoom or pan of the
    same photo costs a crop. Raises :class:`ImageError` for a bad file.
    """
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise ImageError(path, f"cannot read the file ({exc.strerror or exc})") from None
    identity = (str(path), stat.st_size, stat.st_mtime_ns)
    # Any decoded copy at least this large will do (a larger one is cropped finer).
    for image in SOURCES.copies_of(identity):
        if image.width >= at_least[0] and image.height >= at_least[1]:
            return image
    upright, stored = load_upright(path, at_least)
    SOURCES.put((*identity, stored), upright)
    return upright


def load_view(path: Path, view: Size, viewport: Viewport, full: Size) -> Image.Image:
    """The part of ``path`` that ``viewport`` shows in a ``view`` px area (worker threads only).

    ``full`` is the photo's upright pixel size (from its header). Fit is the
    same image the loupe shows; a zoom crops and scales a decoded copy.
    Scaling up past 100 % keeps pixels square and sharp (nearest neighbour),
    so pixel-peeping shows the photo's own pixels.
    """
    if viewport.is_fit:
        return fitted(path, view)
    box, out = viewport.region(full, view)
    scale = viewport.scale(full, view)
    # Decode with enough pixels for this zoom (whole photo at `scale`, at least).
    need = (math.ceil(full[0] * min(1.0, scale)), math.ceil(full[1] * min(1.0, scale)))
    source = decoded(path, need)
    ratio_x = source.width / max(1, full[0])
    ratio_y = source.height / max(1, full[1])
    crop = (
        round(box[0] * ratio_x),
        round(box[1] * ratio_y),
        max(round(box[0] * ratio_x) + 1, round(box[2] * ratio_x)),
        max(round(box[1] * ratio_y) + 1, round(box[3] * ratio_y)),
    )
    part = source.crop(crop)
    method = Image.Resampling.NEAREST if scale > 1.0 else Image.Resampling.LANCZOS
    return part.resize(out, method) if part.size != out else part
