"""The gallery grid: one ScrollView drawing only its visible rows of thumbnails.

No widget per photo: tiles are drawn line by line in ``render_line`` from
cached Strips, thumbnails are decoded by a pool of worker threads (visible
tiles first) and arrive in batches, and the grid is usable with placeholders
before they do.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from ...imaging.cache import shared_cache
from ...imaging.cells import TRUECOLOR
from ...imaging.sizes import DEFAULT_THUMB_INDEX, THUMB_WIDTHS, pixel_box, thumb_rows
from ...portfolio import Photo, PhotoSet
from ...text import clean, fit, wrap
from ..commands import GRID, bindings
from ..messages import PhotoChosen, PhotoHighlighted
from ..rendering import Rendered, colors_for, render_embedded, render_photo

DECODE_THREADS = max(2, os.cpu_count() or 2)
MAX_LOADED_THUMBS = 1500
"""Thumbnails kept in memory per grid: several screens' worth at any size."""
_POOL = ThreadPoolExecutor(max_workers=DECODE_THREADS, thread_name_prefix="thumb")
_HEAVY = "┏━┓┗┛┃"
_ROUNDED = "╭─╮╰╯│"

Want = tuple[int, int, str]
"""What a load is for: thumbnail columns, rows and colour depth."""


@dataclass(frozen=True)
class Geometry:
    """Where tiles sit for a given widget width and thumbnail width."""

    thumb_cols: int
    thumb_rows: int
    columns: int

    @property
    def tile_width(self) -> int:
        """Frame included."""
        return self.thumb_cols + 2

    @property
    def tile_height(self) -> int:
        """Frame, picture rows and title line."""
        return self.thumb_rows + 3

    @property
    def pitch(self) -> int:
        """Horizontal distance between tile starts (one column gap)."""
        return self.tile_width + 1

    def tile_region(self, index: int) -> Region:
        """The tile's region in virtual (scrolled) coordinates."""
        row, col = divmod(index, self.columns)
        return Region(col * self.pitch, row * self.tile_height, self.tile_width, self.tile_height)


def geometry_for(width: int, thumb_cols: int) -> Geometry:
    """Lay tiles out across ``width`` cells, shrinking thumbnails if even one will not fit."""
    thumb_cols = max(4, min(thumb_cols, width - 3))
    rows = thumb_rows(thumb_cols)
    columns = max(1, (width + 1) // (thumb_cols + 3))
    return Geometry(thumb_cols, rows, columns)


class ThumbGrid(ScrollView, can_focus=True):
    """A virtualised grid of half-block thumbnails with a keyboard cursor."""

    DEFAULT_CSS = """
    ThumbGrid {
        background: $background;
        scrollbar-gutter: stable;
    }
    ThumbGrid > .thumb-grid--frame { color: $panel-lighten-2; }
    ThumbGrid > .thumb-grid--cursor { color: $accent; text-style: bold; }
    ThumbGrid > .thumb-grid--title { color: $text-muted; }
    ThumbGrid > .thumb-grid--title-cursor {
        color: $text; background: $accent 40%; text-style: bold;
    }
    ThumbGrid > .thumb-grid--placeholder { color: $text-disabled; }
    ThumbGrid > .thumb-grid--error { color: $text-warning; }
    ThumbGrid:blur > .thumb-grid--cursor { color: $accent 50%; }
    """
    COMPONENT_CLASSES = {
        "thumb-grid--frame",
        "thumb-grid--cursor",
        "thumb-grid--title",
        "thumb-grid--title-cursor",
        "thumb-grid--placeholder",
        "thumb-grid--error",
    }
    BINDINGS = bindings(GRID)

    photos: reactive[PhotoSet] = reactive(PhotoSet, always_update=True)
    cursor: reactive[int] = reactive(0)
    thumb_width: reactive[int] = reactive(DEFAULT_THUMB_INDEX)
    """Index into THUMB_WIDTHS."""

    def __init__(
        self,
        photos: PhotoSet | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        # Loaded thumbnails, least recently drawn first; bounded so scrolling
        # through a 10,000-photo shoot does not keep 10,000 thumbnails alive.
        self._thumbs: OrderedDict[str, Rendered] = OrderedDict()
        self._want: Want = (0, 0, TRUECOLOR)
        self._geometry = geometry_for(80, THUMB_WIDTHS[self.thumb_width])
        if photos is not None:
            self.set_reactive(ThumbGrid.photos, photos)

    # -- state -----------------------------------------------------------------
    @property
    def geometry(self) -> Geometry:
        """Current tile layout."""
        return self._geometry

    @property
    def current(self) -> Photo | None:
        """The photo under the cursor."""
        return self.photos[self.cursor] if 0 <= self.cursor < len(self.photos) else None

    @property
    def color_depth(self) -> str:
        """The colour depth thumbnails are drawn in ("truecolor" or "256")."""
        return self._want[2]

    def thumbnail(self, photo: Photo) -> Rendered | None:
        """The loaded thumbnail for ``photo`` at the current size, if any."""
        return self._thumbs.get(photo.rel)

    def _relayout(self) -> None:
        width = max(1, self.scrollable_content_region.width)
        geometry = geometry_for(width, THUMB_WIDTHS[self.thumb_width])
        want = (geometry.thumb_cols, geometry.thumb_rows, colors_for(self.app))
        if want != self._want:
            self._thumbs.clear()
            self._want = want
        self._geometry = geometry
        rows = -(-len(self.photos) // geometry.columns)
        self.virtual_size = Size(
            geometry.columns * geometry.pitch - 1, max(1, rows * geometry.tile_height)
        )
        self.refresh()
        self._load_visible()

    def on_resize(self) -> None:
        self._relayout()
        self.call_after_refresh(self.scroll_to_cursor, False)

    def watch_photos(self) -> None:
        self._thumbs.clear()
        self.cursor = min(self.cursor, max(0, len(self.photos) - 1))
        if self.is_mounted:
            self._relayout()

    def watch_thumb_width(self) -> None:
        if self.is_mounted:
            self._relayout()
            self.call_after_refresh(self.scroll_to_cursor, False)

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.photos) - 1)) if self.photos else 0

    def watch_cursor(self, old: int, new: int) -> None:
        for index in {old, new}:
            self._refresh_tile(index)
        self.scroll_to_cursor(True)
        photo = self.current
        if photo is not None:
            self.post_message(PhotoHighlighted(photo, new))

    def _refresh_tile(self, index: int) -> None:
        if not self.is_mounted or not 0 <= index < len(self.photos):
            return
        region = self._geometry.tile_region(index).translate(-self.scroll_offset)
        self.refresh(region)

    def scroll_to_cursor(self, animate: bool = True) -> None:
        """Scroll so the cursor's tile is in view."""
        if self.photos:
            self.scroll_to_region(
                self._geometry.tile_region(self.cursor), animate=False, immediate=not animate
            )

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._load_visible()

    # -- actions ---------------------------------------------------------------
    def action_cursor(self, where: str) -> None:
        """Move the cursor: up, down, left, right, first, last, page_up, page_down."""
        if not self.photos:
            return
        g = self._geometry
        page = max(1, self.scrollable_content_region.height // g.tile_height) * g.columns
        moves = {
            "up": -g.columns,
            "down": g.columns,
            "left": -1,
            "right": 1,
            "page_up": -page,
            "page_down": page,
        }
        if where == "first":
            self.cursor = 0
        elif where == "last":
            self.cursor = len(self.photos) - 1
        elif where in ("up", "down") and not 0 <= self.cursor + moves[where] < len(self.photos):
            return  # stay in the same column at the edges, as Lightroom does
        else:
            self.cursor = self.cursor + moves[where]

    def action_open(self) -> None:
        """Open the photo under the cursor."""
        photo = self.current
        if photo is not None:
            self.post_message(PhotoChosen(photo, self.cursor))

    def action_thumb_size(self, step: int) -> None:
        """Make thumbnails larger or smaller."""
        self.thumb_width = max(0, min(len(THUMB_WIDTHS) - 1, self.thumb_width + step))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self._index_at(offset.x + self.scroll_offset.x, offset.y + self.scroll_offset.y)
        if index is None:
            return
        self.focus()
        self.cursor = index
        if event.chain >= 2:
            self.action_open()

    def _index_at(self, x: int, y: int) -> int | None:
        g = self._geometry
        col, within = divmod(x, g.pitch)
        if col >= g.columns or within >= g.tile_width:
            return None
        index = (y // g.tile_height) * g.columns + col
        return index if 0 <= index < len(self.photos) else None

    # -- thumbnails --------------------------------------------------------------
    def _visible_indices(self) -> list[int]:
        """Visible tiles first, then a page below and above, then the rest nearby."""
        g = self._geometry
        height = max(1, self.scrollable_content_region.height)
        first_row = int(self.scroll_offset.y) // g.tile_height
        rows_visible = height // g.tile_height + 2
        total = len(self.photos)

        def span(start_row: int, count: int) -> range:
            start = max(0, start_row * g.columns)
            return range(start, min(total, (start_row + count) * g.columns))

        order: list[int] = []
        seen: set[int] = set()
        for block in (
            span(first_row, rows_visible),
            span(first_row + rows_visible, rows_visible),
            span(first_row - rows_visible, rows_visible),
        ):
            for i in block:
                if i not in seen:
                    seen.add(i)
                    order.append(i)
        return order

    def _load_visible(self) -> None:
        if not self.is_mounted or not self.photos:
            return
        wanted = [
            self.photos[i]
            for i in self._visible_indices()
            if (loaded := self._thumbs.get(self.photos[i].rel)) is None or loaded.placeholder
        ]
        if wanted:
            # Placeholders only for tiles showing nothing yet (decided here, on the UI thread).
            blank = frozenset(p.rel for p in wanted if p.rel not in self._thumbs)
            self._load(wanted, self._want, blank)

    @work(thread=True, exclusive=True, group="thumbs", exit_on_error=False)
    def _load(self, photos: list[Photo], want: Want, blank: frozenset[str]) -> None:
        worker = get_current_worker()
        cols, rows, colors = want
        pending: dict[Future[Rendered], Photo] = {}
        queue = list(photos)
        batch: list[tuple[Photo, Rendered]] = []
        # Photos not in the disk cache need a full decode: show the camera's
        # embedded thumbnail at once (a tiny decode) while the real one is made.
        cache = shared_cache()
        for photo in photos:
            if worker.is_cancelled:
                return
            if photo.rel not in blank or cache.contains(photo.path, pixel_box(cols, rows)):
                continue
            quick = render_embedded(photo.path, cols, rows, colors)
            if quick is not None:
                batch.append((photo, quick))
        if batch:
            self.app.call_from_thread(self._add_thumbs, batch, want)
            batch = []
        last_flush = time.monotonic()
        while (queue or pending) and not worker.is_cancelled:
            while queue and len(pending) < DECODE_THREADS * 2:
                photo = queue.pop(0)
                # Positional: tests stand in for render_photo with (path, *args).
                pending[_POOL.submit(render_photo, photo.path, cols, rows, None, colors)] = photo
            done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            for future in done:
                photo = pending.pop(future)
                try:
                    batch.append((photo, future.result()))
                except Exception:  # a decoder bug shows as an unreadable tile, never a crash
                    batch.append((photo, Rendered(("", 0, 0, 0, 0), error="could not draw")))
            now = time.monotonic()
            if batch and (now - last_flush > 0.05 or not (queue or pending)):
                self.app.call_from_thread(self._add_thumbs, batch, want)
                batch, last_flush = [], now
        for future in pending:
            future.cancel()

    def _add_thumbs(self, batch: list[tuple[Photo, Rendered]], want: Want) -> None:
        if want != self._want:
            return
        for photo, rendered in batch:
            current = self._thumbs.get(photo.rel)
            if rendered.placeholder and current is not None and not current.placeholder:
                continue  # the real thumbnail won the race
            self._thumbs[photo.rel] = rendered
            self._thumbs.move_to_end(photo.rel)
        while len(self._thumbs) > MAX_LOADED_THUMBS:
            self._thumbs.popitem(last=False)
        index_of = {p.rel: i for i, p in enumerate(self.photos)}
        for photo, _ in batch:
            index = index_of.get(photo.rel)
            if index is not None:
                self._refresh_tile(index)

    # -- drawing -----------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        g = self._geometry
        base = self.rich_style
        row_y = y + int(self.scroll_offset.y)
        row, line = divmod(row_y, g.tile_height)
        segments: list[Segment] = []
        for col in range(g.columns):
            index = row * g.columns + col
            if col:
                segments.append(Segment(" ", base))
            if index >= len(self.photos):
                segments.append(Segment(" " * g.tile_width, base))
                continue
            segments.extend(self._tile_line(index, line, base))
        strip = Strip(segments).adjust_cell_length(max(width, 0) + int(self.scroll_offset.x), base)
        return strip.crop(int(self.scroll_offset.x), int(self.scroll_offset.x) + width)

    def _tile_line(self, index: int, line: int, base: Style) -> list[Segment]:
        g = self._geometry
        inner = g.thumb_cols
        focused = index == self.cursor
        frame = base + self.get_component_rich_style(
            "thumb-grid--cursor" if focused else "thumb-grid--frame"
        )
        heavy = focused
        if line == 0:
            return [
                Segment(("┏" + "━" * inner + "┓") if heavy else ("╭" + "─" * inner + "╮"), frame)
            ]
        if line == g.tile_height - 1:
            return [
                Segment(("┗" + "━" * inner + "┛") if heavy else ("╰" + "─" * inner + "╯"), frame)
            ]
        side = Segment("┃" if heavy else "│", frame)
        photo = self.photos[index]
        if line == g.tile_height - 2:
            title = fit(clean(photo.display_title), inner)
            style = base + self.get_component_rich_style(
                "thumb-grid--title-cursor" if focused else "thumb-grid--title"
            )
            pad = (inner - cell_len(title)) // 2
            return [
                side,
                Segment(" " * pad, style),
                Segment(title, style),
                Segment(" " * (inner - pad - cell_len(title)), style),
                side,
            ]
        picture_line = line - 1
        return [side, *self._picture_line(photo, picture_line, base), side]

    def _picture_line(self, photo: Photo, line: int, base: Style) -> list[Segment]:
        g = self._geometry
        inner = g.thumb_cols
        rendered = self._thumbs.get(photo.rel)
        if rendered is not None and line == 0:
            self._thumbs.move_to_end(photo.rel)  # drawn: recently used
        if rendered is not None and not rendered.error:
            strips = rendered.strips
            top = (g.thumb_rows - len(strips)) // 2
            index = line - top
            if 0 <= index < len(strips):
                strip = strips[index]
                left = (inner - rendered.width) // 2
                return list(strip.crop_pad(inner, left, inner - left - strip.cell_length, base))
            return [Segment(" " * inner, base)]
        if rendered is None:
            lines = ["·"]
            style = base + self.get_component_rich_style("thumb-grid--placeholder")
        else:
            lines = ["⚠", *wrap(rendered.error or "", inner - 2)]
            style = base + self.get_component_rich_style("thumb-grid--error")
        top = (g.thumb_rows - len(lines)) // 2
        index = line - top
        text = lines[index] if 0 <= index < len(lines) else ""
        text = fit(text, inner)
        pad = (inner - cell_len(text)) // 2
        return [
            Segment(" " * pad, base),
            Segment(text, style),
            Segment(" " * (inner - pad - cell_len(text)), base),
        ]
