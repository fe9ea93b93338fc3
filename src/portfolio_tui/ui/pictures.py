"""Photos drawn with real pixels: Kitty graphics or Sixel, made in worker threads.

A :class:`Picture` is one photo scaled to the pixel size of the cells it is
shown in and encoded for the terminal's protocol, kept in a bounded LRU like
the half-block renders, so flipping back and forth costs no decoding.

- **Kitty**: the image is transmitted once under an id; the cells show Unicode
  placeholders in a colour naming that id (see :mod:`..graphics.kitty`).
  :class:`TerminalImages` remembers which ids the terminal holds: repainting a
  photo sends placeholders only, and an image no widget shows any more is
  deleted from the terminal.
- **Kitty, direct placement** (terminals without placeholders: kitty before
  0.28): the image is transmitted the same way, the cells are blank, and
  ``PhotoView.render_lines`` places the image at its cells like a Sixel
  picture; the placement is taken off when the view changes or goes.
- **Sixel**: the pixels are written after the cells they cover (see
  ``PhotoView.render_lines``). A Sixel image lives only as long as nothing
  draws over its cells, so it is sent again when, and only when, Textual
  repaints those cells.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from rich.color import Color
from rich.segment import ControlType, Segment
from rich.style import Style
from textual.strip import Strip

from ..graphics import kitty, sixel
from ..graphics.detect import Capabilities, real_cell_size, wrap_passthrough
from ..imaging import ImageError, fitted, probe
from ..imaging.sizes import MAX_PICTURE_PIXELS, MAX_SIXEL_PIXELS, limit_box, limit_upscale
from ..lru import LRU

GRAPHIC_MODES = ("kitty", "sixel")
ZERO_WIDTH = ((ControlType.CURSOR_FORWARD, 0),)
"""Marks a segment as a control sequence: Textual counts it as no cells."""


@dataclass(frozen=True)
class PictureSettings:
    """How pictures reach this terminal: the protocol and the size of a cell in pixels."""

    mode: str = "halfblock"
    cell_size: tuple[int, int] = (10, 20)
    passthrough: bool = False
    sixel_colors: int = 256
    reason: str = ""
    kitty_direct: bool = False
    """Kitty images placed at the cursor rather than through Unicode placeholders."""

    @property
    def graphics(self) -> bool:
        """True for Kitty or Sixel, False for half-blocks."""
        return self.mode in GRAPHIC_MODES

    @property
    def max_pixels(self) -> int:
        """The most pixels one picture is made of in this mode."""
        return MAX_SIXEL_PIXELS if self.mode == "sixel" else MAX_PICTURE_PIXELS

    @classmethod
    def from_capabilities(cls, found: Capabilities) -> PictureSettings:
        width, height = found.cell_size or (10, 20)
        return cls(
            mode=found.mode,
            # Detection clamps too; a claim that reaches here any other way is held to it.
            cell_size=real_cell_size(width, height),
            passthrough=found.passthrough,
            # Pillow quantises to at most 256 colours, whatever the terminal allows.
            sixel_colors=max(2, min(256, found.sixel_colors)),
            reason=found.reason,
            kitty_direct=found.mode == "kitty" and not found.placeholders,
        )

    def wrap(self, sequence: str) -> str:
        """``sequence`` as it must be written (wrapped for tmux passthrough if needed)."""
        return wrap_passthrough(sequence) if self.passthrough else sequence


PictureKey = tuple[object, ...]

_ids = itertools.count(random.randrange(1, 1 << 22))
_ids_lock = threading.Lock()
_placements = itertools.count(random.randrange(1, 1 << 20))


def _next_id() -> int:
    """A fresh Kitty image id (random start, so two apps in one terminal rarely clash)."""
    with _ids_lock:
        return next(_ids) % ((1 << 24) - 1) + 1


def next_placement_id() -> int:
    """A fresh Kitty placement id, one per widget that places images directly."""
    with _ids_lock:
        return next(_placements) % ((1 << 24) - 1) + 1


@dataclass(frozen=True)
class Picture:
    """A photo encoded for Kitty or Sixel, or the reason it could not be."""

    key: PictureKey
    mode: str
    cols: int = 0
    rows: int = 0
    payload: str = ""
    """Kitty: the transmit sequence; Sixel: the DCS sequence that draws it."""
    image_id: int = 0
    strips: tuple[Strip, ...] = ()
    """Kitty only: one row of placeholders per cell row."""
    error: str | None = None
    direct: bool = False
    """Kitty: placed at the cursor (``PhotoView.render_lines``), no placeholders."""
    stretch: bool = False
    """Kitty direct: the image is smaller than its cells and is scaled up to cover them."""

    @property
    def width(self) -> int:
        return self.cols


def picture_key(
    path: Path, cols: int, rows: int, height_px: int | None, settings: PictureSettings
) -> PictureKey:
    """Identity of a picture: file path, size and mtime, cell box, cell size and protocol."""
    try:
        stat = os.stat(path)
        identity = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        identity = (-1, -1)
    return _key(str(path), identity, cols, rows, height_px, settings)


def _key(
    path: str,
    identity: tuple[int, int],
    cols: int,
    rows: int,
    height_px: int | None,
    settings: PictureSettings,
) -> PictureKey:
    box = (
        cols,
        rows,
        height_px,
        settings.mode,
        settings.cell_size,
        settings.sixel_colors,
        settings.kitty_direct,
    )
    return (path, identity, *box)


def _box_of(key: PictureKey) -> PictureKey:
    """The key without the file's identity."""
    return (key[0], *key[2:])


def screen_box(
    cols: int, rows: int, cell_size: tuple[int, int], height_px: int | None = None
) -> tuple[int, int]:
    """The pixels that ``cols`` x ``rows`` cells cover on the screen.

    ``height_px`` is the equal-height cap of comparisons, counted in half-cells
    (the half-block unit), converted here to real pixels.
    """
    cell_w, cell_h = cell_size
    box_h = rows * cell_h
    if height_px is not None:
        box_h = min(box_h, max(1, height_px * cell_h // 2))
    return cols * cell_w, box_h


def pixel_fit(
    cols: int,
    rows: int,
    cell_size: tuple[int, int],
    height_px: int | None = None,
    max_pixels: int = MAX_PICTURE_PIXELS,
) -> tuple[int, int]:
    """The pixel box a picture for ``cols`` x ``rows`` cells is made in.

    The screen's box, scaled down (keeping its shape) to at most
    ``MAX_PICTURE_SIDE`` a side and ``max_pixels`` in all: the cells and the
    cell size come from the terminal, which may claim anything, and a
    picture's memory grows with its pixels. Kitty scales the picture up to its
    cells; Sixel draws it smaller than them.
    """
    return limit_box(screen_box(cols, rows, cell_size, height_px), max_pixels=max_pixels)


def fit_size(size: tuple[int, int], screen: tuple[int, int]) -> tuple[float, float]:
    """The size an image of ``size``, fitted to ``screen``, has there (never smaller)."""
    scale = max(1.0, min(screen[0] / max(1, size[0]), screen[1] / max(1, size[1])))
    return size[0] * scale, size[1] * scale


class PictureCache:
    """Encoded pictures by file identity, box, cell size and protocol; bounded by size."""

    def __init__(self, max_bytes: int = 96 * 1024 * 1024) -> None:
        self._lru: LRU[PictureKey, Picture] = LRU(
            max_bytes, lambda item: len(item.payload) + 16 * item.cols * item.rows + 256, _box_of
        )

    def get(self, key: PictureKey) -> Picture | None:
        return self._lru.get(key)

    def peek(
        self,
        path: Path,
        cols: int,
        rows: int,
        height_px: int | None,
        settings: PictureSettings,
    ) -> Picture | None:
        """The newest picture of ``path`` for this box, without a stat (safe on the UI thread)."""
        return self._lru.newest(_box_of(_key(str(path), (0, 0), cols, rows, height_px, settings)))

    def put(self, item: Picture) -> None:
        self._lru.put(item.key, item)

    def clear(self) -> None:
        self._lru.clear()

    @property
    def size(self) -> int:
        """Bytes held."""
        return self._lru.total


PICTURES = PictureCache()


def render_picture(
    path: Path,
    cols: int,
    rows: int,
    height_px: int | None,
    settings: PictureSettings,
) -> Picture:
    """Decode, scale and encode ``path`` for the terminal (worker threads only)."""
    key = picture_key(path, cols, rows, height_px, settings)
    cached = PICTURES.get(key)
    if cached is not None:
        return cached
    screen = screen_box(cols, rows, settings.cell_size, height_px)
    try:
        photo = probe(path).oriented_size
        box = limit_box(screen, max_pixels=settings.max_pixels)
        image = fitted(path, limit_upscale(box, photo))
    except ImageError as exc:
        return Picture(key, settings.mode, error=exc.reason)
    except MemoryError:
        return Picture(key, settings.mode, error="not enough memory to decode this image")
    picture = picture_from_image(key, image, cols, rows, settings, fit_size(image.size, screen))
    PICTURES.put(picture)
    return picture


def picture_from_image(
    key: PictureKey,
    image: Image.Image,
    cols: int,
    rows: int,
    settings: PictureSettings,
    shown: tuple[float, float] | None = None,
) -> Picture:
    """Encode an image already scaled to real pixels for a ``cols`` x ``rows`` cell area.

    ``shown`` is the size in screen pixels the image stands for, when it was
    made smaller than that (the box limit, or the 2x upscale limit): Kitty
    scales it up to those cells; Sixel draws the image's own pixels.
    """
    cell_w, cell_h = settings.cell_size
    width, height = shown if shown is not None and settings.mode == "kitty" else image.size
    used_cols = max(1, min(cols, math.ceil(width / cell_w - 1e-6)))
    used_rows = max(1, min(rows, math.ceil(height / cell_h - 1e-6)))
    if settings.mode == "kitty":
        used_cols = min(used_cols, kitty.MAX_CELLS)
        used_rows = min(used_rows, kitty.MAX_CELLS)
        image_id = _next_id()
        if settings.kitty_direct:
            payload = kitty.transmit(image_id, image, used_cols, used_rows, virtual=False)
            # Drawn at its own pixel size, unless it stands for a larger area.
            stretch = width > image.width + 0.5 or height > image.height + 0.5
            return Picture(
                key,
                "kitty",
                used_cols,
                used_rows,
                payload,
                image_id,
                direct=True,
                stretch=stretch,
            )
        payload = kitty.transmit(image_id, image, used_cols, used_rows)
        style = Style(color=Color.from_rgb(*kitty.id_color(image_id)))
        strips = tuple(
            Strip([Segment(kitty.placeholder_row(row, used_cols), style)], used_cols)
            for row in range(used_rows)
        )
        return Picture(key, "kitty", used_cols, used_rows, payload, image_id, strips)
    payload = sixel.encode(image, colors=settings.sixel_colors)
    return Picture(key, "sixel", used_cols, used_rows, payload)


@dataclass
class TerminalImages:
    """The Kitty images the terminal holds, and which widgets show them.

    An image is transmitted when a widget first shows it. When the last widget
    stops showing it, the terminal keeps it a while (the ``keep`` most recent,
    up to ``keep_bytes``), so flipping back to the photo just left sends
    nothing; older ones are deleted, and :meth:`clear` deletes the rest when
    the app ends.
    """

    write: Callable[[str], None]
    settings: PictureSettings = field(default_factory=PictureSettings)
    keep: int = 6
    keep_bytes: int = 24 * 1024 * 1024
    _shown: dict[int, set[int]] = field(default_factory=dict)
    _kept: OrderedDict[int, int] = field(default_factory=OrderedDict)
    bytes_sent: int = 0

    def _send(self, sequence: str) -> None:
        data = self.settings.wrap(sequence)
        self.bytes_sent += len(data)
        self.write(data)

    def show(self, owner: object, picture: Picture) -> None:
        """Make sure the terminal holds ``picture`` for ``owner`` (sends it the first time)."""
        if picture.mode != "kitty" or not picture.image_id:
            return
        owners = self._shown.get(picture.image_id)
        if owners is None:
            if self._kept.pop(picture.image_id, None) is None:
                self._send(picture.payload)
            owners = self._shown[picture.image_id] = set()
        owners.add(id(owner))

    def release(self, owner: object, picture: Picture | None) -> None:
        """``owner`` no longer shows ``picture``: keep it a while, then delete it."""
        if picture is None or picture.mode != "kitty" or not picture.image_id:
            return
        owners = self._shown.get(picture.image_id)
        if owners is None:
            return
        owners.discard(id(owner))
        if not owners:
            del self._shown[picture.image_id]
            self._kept[picture.image_id] = len(picture.payload)
            while self._kept and (
                len(self._kept) > self.keep or sum(self._kept.values()) > self.keep_bytes
            ):
                image_id, _ = self._kept.popitem(last=False)
                self._send(kitty.delete(image_id))

    def place(self, picture: Picture, placement_id: int, x: int, y: int) -> None:
        """Place a stored picture (Kitty direct placement) with its top-left cell at ``x``, ``y``.

        Written straight to the terminal, in order with the frames, not inside a frame:
        the compositor paints only the lines it was asked to, and cuts lines at widget
        edges, so a placement inside a frame could be rendered and never sent (a blank
        photo in kitty 0.26, about one start-up in ten). Text does not hide a placed
        image, so it need not follow the frame that blanks its cells.
        """
        if picture.mode == "kitty" and picture.direct and picture.image_id:
            data = kitty_place_sequence(picture, placement_id, x, y, self.settings)
            self.bytes_sent += len(data)
            self.write(data)

    def unplace(self, picture: Picture, placement_id: int) -> None:
        """Take a directly placed picture off the screen (the terminal keeps the image)."""
        if picture.mode == "kitty" and picture.direct and picture.image_id:
            self._send(kitty.unplace(picture.image_id, placement_id))

    def clear(self) -> None:
        """Delete every image this app sent (when it ends)."""
        for image_id in [*self._shown, *self._kept]:
            self._send(kitty.delete(image_id))
        self._shown.clear()
        self._kept.clear()

    @property
    def held(self) -> frozenset[int]:
        """Image ids the terminal holds now, shown or kept."""
        return frozenset(self._shown) | frozenset(self._kept)

    @property
    def shown(self) -> frozenset[int]:
        """Image ids some widget shows now."""
        return frozenset(self._shown)


def sixel_segments(payload: str, x: int, y: int, settings: PictureSettings) -> list[Segment]:
    """Segments that draw a Sixel image with its top-left cell at screen ``x``, ``y``.

    The cursor is saved and restored around the image, so Textual's idea of
    where it is stays true; as control segments they take no cells.
    """
    body = f"\x1b7\x1b[{y + 1};{x + 1}H{settings.wrap(payload)}\x1b8"
    # A control segment: Textual counts it as no cells and writes it as it is.
    return [Segment(body, None, ZERO_WIDTH)]


def kitty_place_sequence(
    picture: Picture, placement_id: int, x: int, y: int, settings: PictureSettings
) -> str:
    """The sequence that places a stored Kitty image with its top-left cell at screen ``x``, ``y``.

    The cursor is saved and restored around it, so it may go out between any two frames.
    """
    cols, rows = (picture.cols, picture.rows) if picture.stretch else (0, 0)
    command = kitty.place(picture.image_id, placement_id, cols, rows)
    return f"\x1b7\x1b[{y + 1};{x + 1}H{settings.wrap(command)}\x1b8"
