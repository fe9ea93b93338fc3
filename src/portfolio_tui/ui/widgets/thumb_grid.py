"""The gallery grid: one ScrollView drawing only its visible rows of thumbnails.

No widget per photo: tiles are composed a whole row of tiles at a time into
cached Strips (so scrolling back and forth, and every repaint, is a dict
lookup per line), thumbnails are decoded by a pool of worker threads (visible
tiles first) and arrive in batches, and the grid is usable with placeholders
before they do.

Tiles are laid out and drawn in ``thumb_tiles``; thumbnails are kept and decoded by
``thumb_loader``'s :class:`~portfolio_tui.ui.widgets.thumb_loader.ThumbLoader`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future

from rich.segment import Segment
from textual import events, work
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.types import NoActiveAppError
from textual.worker import get_current_worker

from ...curation import PhotoCuration
from ...imaging.sizes import DEFAULT_THUMB_INDEX, THUMB_WIDTHS
from ...portfolio import Photo, PhotoSet
from ..commands import GRID, bindings
from ..messages import FirstScreenReady, PhotoChosen, PhotoHighlighted
from ..rendering import Rendered, colors_for
from .thumb_loader import Batch, ThumbLoader, Want
from .thumb_tiles import LABEL_COLORS, Geometry, TileLook, draw_tile, geometry_for

__all__ = ["LABEL_COLORS", "THUMB_WIDTHS", "Geometry", "ThumbGrid", "Want", "geometry_for"]

MAX_CACHED_ROWS = 48
"""Composed rows of tiles kept for repaints (a few screens' worth)."""
PREFETCH_DELAY = 0.15
"""Seconds of no scrolling before the pages around the view are loaded ahead."""


class ThumbGrid(ScrollView, can_focus=True):
    """A virtualised grid of half-block thumbnails with a keyboard cursor."""

    DEFAULT_CSS = """
    ThumbGrid {
        background: $background;
        scrollbar-gutter: stable;
    }
    ThumbGrid > .thumb-grid--frame { color: $panel-lighten-2; }
    ThumbGrid:light > .thumb-grid--frame { color: $panel-darken-2; }
    ThumbGrid > .thumb-grid--cursor { color: $accent; text-style: bold; }
    ThumbGrid > .thumb-grid--title { color: $text-muted; }
    ThumbGrid > .thumb-grid--title-cursor {
        color: $text; background: $accent 40%; text-style: bold;
    }
    ThumbGrid > .thumb-grid--placeholder { color: $text-disabled; }
    ThumbGrid > .thumb-grid--error { color: $text-warning; }
    ThumbGrid > .thumb-grid--stars { color: $warning; }
    ThumbGrid > .thumb-grid--pick { color: $success; text-style: bold; }
    ThumbGrid > .thumb-grid--reject { color: $error; text-style: bold; }
    ThumbGrid:blur > .thumb-grid--cursor { color: $accent 50%; }
    """
    COMPONENT_CLASSES = {
        "thumb-grid--frame",
        "thumb-grid--cursor",
        "thumb-grid--title",
        "thumb-grid--title-cursor",
        "thumb-grid--placeholder",
        "thumb-grid--error",
        "thumb-grid--stars",
        "thumb-grid--pick",
        "thumb-grid--reject",
    }
    BINDINGS = bindings(GRID)

    photos: reactive[PhotoSet] = reactive(PhotoSet, always_update=True)
    cursor: reactive[int] = reactive(0, repaint=False)
    """Moving it repaints the two tiles involved (not the whole grid)."""
    thumb_width: reactive[int] = reactive(DEFAULT_THUMB_INDEX)
    """Index into THUMB_WIDTHS."""

    def __init__(
        self,
        photos: PhotoSet | None = None,
        *,
        cursor: int = 0,
        id: str | None = None,
        classes: str | None = None,
        show_curation: bool = True,
    ) -> None:
        """``show_curation``: stars, flags and labels on the tiles (not in front of a client)."""
        super().__init__(id=id, classes=classes)
        self._show_curation = show_curation
        self.loader = ThumbLoader()
        """The thumbnails loaded, and the decodes that make them."""
        self._geometry = geometry_for(80, THUMB_WIDTHS[self.thumb_width])
        self._index_of: dict[str, int] = {}
        self.marked: set[str] = set()
        """Photos marked with Space for a comparison or survey (by path in the portfolio)."""
        # Composed rows of tiles (one Strip per line, the content width wide),
        # by row number; dropped when a tile in the row changes.
        self._rows: dict[int, tuple[Strip, ...]] = {}
        self._row_width = 0
        self._look: TileLook | None = None
        self._sized: tuple[Size, Size, Size] | None = None
        self._prefetch: Timer | None = None
        self._first_screen_done = False
        self.set_reactive(ThumbGrid.cursor, cursor)
        if photos is not None:
            self.set_reactive(ThumbGrid.photos, photos)
            self._index_of = {p.rel: i for i, p in enumerate(photos)}
            # Built by a running app (a screen opening): start decoding now, not
            # once mounted, which at start-up is some 100 ms later.
            with contextlib.suppress(NoActiveAppError):  # made outside an app
                self._warm_up()

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
        return self.loader.want[2]

    def thumbnail(self, photo: Photo) -> Rendered | None:
        """The loaded thumbnail for ``photo`` at the current size, if any."""
        return self.loader.thumbs.get(photo.rel)

    def _relayout(self) -> None:
        width = max(1, self.scrollable_content_region.width)
        geometry = geometry_for(width, THUMB_WIDTHS[self.thumb_width])
        self.loader.resize((geometry.thumb_cols, geometry.thumb_rows, colors_for(self.app)))
        self._geometry = geometry
        self._forget_rows()
        rows = -(-len(self.photos) // geometry.columns)
        self.virtual_size = Size(
            geometry.columns * geometry.pitch - 1, max(1, rows * geometry.tile_height)
        )
        self.refresh()
        self._load_visible()
        self._check_first_screen()

    def _check_first_screen(self) -> None:
        """Say once when every tile on the first screen has its thumbnail (or its error)."""
        if self._first_screen_done or not self.is_mounted or not self._sized:
            return
        thumbs, photos = self.loader.thumbs, self.photos
        if all(
            (shown := thumbs.get(photos[i].rel)) is not None and not shown.placeholder
            for i in self._on_screen()
        ):
            self._first_screen_done = True
            self.post_message(FirstScreenReady())

    def on_mount(self) -> None:
        if not self.loader.warming:
            self._warm_up()
        self._estimate_size()

    def on_resize(self) -> None:
        self._relayout()
        self.call_after_refresh(self.scroll_to_cursor, False)

    def watch_photos(self, photos: PhotoSet) -> None:
        self.loader.thumbs.clear()
        self._index_of = {p.rel: i for i, p in enumerate(photos)}
        self._forget_rows()
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
        photo = self.current
        if photo is None or not self.is_mounted:
            self._show_cursor(old, new)
            return
        # The screen hears of the move first and the grid repaints from the
        # screen's queue after it: whatever the screen changes (its title bar)
        # is then drawn in the same frame as the grid, not one frame later.
        self.screen.post_message(PhotoHighlighted(photo, new))
        self.screen.call_later(self._show_cursor, old, new)

    def _show_cursor(self, old: int, new: int) -> None:
        self._refresh_tiles([old, new], edges_only=True)
        self.scroll_to_cursor(True)

    def _refresh_tiles(self, indices: Iterable[int], edges_only: bool = False) -> None:
        """Compose the rows of these tiles again, and repaint those on screen.

        Each row is repainted from its left edge to the end of its last changed
        tile: Textual writes each line of a repaint once per separate dirty
        stretch of it, and always from the widget's left edge, so tiles 1, 3
        and 5 of a row refreshed one by one would send the row three times
        over; one stretch per line sends it once, for the same bytes as one tile.
        """
        if not self.is_mounted:
            return
        g = self._geometry
        ends: dict[int, int] = {}
        for index in indices:
            if 0 <= index < len(self.photos):
                row, col = divmod(index, g.columns)
                ends[row] = max(ends.get(row, 0), col * g.pitch + g.tile_width)
        view = self.scrollable_content_region.reset_offset
        left = int(self.scroll_offset.x)
        top = int(self.scroll_offset.y)
        # The cursor changes a tile's top and bottom edges and its title line only.
        spans = [(0, 1), (g.tile_height - 2, 2)] if edges_only else [(0, g.tile_height)]
        for row, end in ends.items():
            self._rows.pop(row, None)
            for first, height in spans:
                region = Region(0, row * g.tile_height - top + first, end - left, height)
                if region.overlaps(view):
                    self.refresh(region)

    def get_line_filters(self) -> Sequence[LineFilter]:
        """The app's line filters, less the ANSI-to-truecolor one: photos are drawn in RGB.

        That filter looks up every segment's style in a 1,024-entry cache; a
        photo has about as many styles as cells (10,000 at 200x50), so every
        lookup missed and the filter cost some 60 ms a frame for nothing.
        """
        return [f for f in super().get_line_filters() if not isinstance(f, ANSIToTruecolor)]

    def curation_changed(self, photos: set[str] | None) -> None:
        """Redraw the lower edges of tiles whose stars, flag or label changed (None: all)."""
        if photos is None:
            self._forget_rows()
            self.refresh()
            return
        indices = [i for rel in photos if (i := self._index_of.get(rel)) is not None]
        if not indices or not self.is_mounted:
            return
        g = self._geometry
        view = self.scrollable_content_region.reset_offset
        left, top = int(self.scroll_offset.x), int(self.scroll_offset.y)
        for index in indices:
            row, col = divmod(index, g.columns)
            self._rows.pop(row, None)
            region = Region(
                0,
                row * g.tile_height - top + g.tile_height - 1,
                col * g.pitch + g.tile_width - left,
                1,
            )
            if region.overlaps(view):
                self.refresh(region)

    def scroll_to_cursor(self, animate: bool = True) -> None:
        """Scroll so the cursor's tile is in view."""
        if self.photos:
            self.scroll_to_region(
                self._geometry.tile_region(self.cursor), animate=False, immediate=not animate
            )

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.call_after_refresh(self._load_after_scroll)

    def _load_after_scroll(self) -> None:
        """Load what scrolled into view now; load ahead once scrolling pauses.

        Decoding threads compete with the UI thread for the GIL, so loading the
        next page while a key is being answered would slow every frame of it.
        """
        if self._prefetch is not None:
            self._prefetch.stop()
            self._prefetch = None
        thumbs, photos = self.loader.thumbs, self.photos
        if any(
            (shown := thumbs.get(photos[i].rel)) is None or shown.placeholder
            for i in self._on_screen()
        ):
            self._load_visible()
        else:
            self._prefetch = self.set_timer(PREFETCH_DELAY, self._load_visible)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # Colours came from the styles (focus, theme): resolve and compose again.
        self._look = None
        self._forget_rows()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # ScrollView compares the compositor's virtual size (the viewport) with the
        # grid's own (every row), which never match: without this, any layout on
        # the screen (the title bar's status after each key) repainted the
        # scrollbar in a frame of its own.
        sized = (size, container_size, self.virtual_size)
        if sized == self._sized:
            return False
        self._sized = sized
        return super()._size_updated(size, virtual_size, container_size, layout)

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

    def action_toggle_mark(self) -> None:
        """Mark or unmark the photo under the cursor for a comparison or survey."""
        photo = self.current
        if photo is None:
            return
        self.marked ^= {photo.rel}
        self._refresh_tiles([self.cursor])
        self.screen.post_message(PhotoHighlighted(photo, self.cursor))

    @property
    def marked_photos(self) -> list[Photo]:
        """The marked photos, in the gallery's order."""
        return [p for p in self.photos if p.rel in self.marked]

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
        return self._geometry.index_at(x, y, len(self.photos))

    # -- thumbnails --------------------------------------------------------------
    def _on_screen(self) -> range:
        """Indices of the tiles at least partly on screen."""
        height = max(1, self.scrollable_content_region.height)
        return self._geometry.on_screen(int(self.scroll_offset.y), height, len(self.photos))

    def _visible_indices(self) -> list[int]:
        """Visible tiles first, then a page below and above, then the rest nearby."""
        height = max(1, self.scrollable_content_region.height)
        return self._geometry.load_order(int(self.scroll_offset.y), height, len(self.photos))

    def _warm_up(self) -> None:
        """Start decoding what the first screen will show, before the first layout.

        At start-up the grid is made well before it is first laid out (Textual
        is still styling and composing the screen): the decodes run meanwhile,
        and :meth:`_load_visible` takes the finished ones into the first frame.
        The box is known exactly (it does not depend on the width); which tiles
        show is estimated from the whole terminal, which covers the grid's part.
        """
        if not self.photos:
            return
        width, height = self.app.size
        g = geometry_for(max(1, width), THUMB_WIDTHS[self.thumb_width])
        want = (g.thumb_cols, g.thumb_rows, colors_for(self.app))
        row = self.cursor // g.columns
        rows = height // g.tile_height + 1
        first = max(0, (row - rows) * g.columns) if row >= rows else 0
        photos = self.photos
        end = min(len(photos), first + g.columns * (rows + 1))
        self.loader.warm_up((photos[i] for i in range(first, end)), want)

    def _estimate_size(self) -> None:
        """Size the whole grid before its first layout, for the screen's width.

        The first layout then already has the scrollbar: otherwise that layout
        finds the grid taller than its view, and only the next one shows the
        scrollbar (a frame more, repainting the whole grid). The first resize
        sets the exact size (the same, unless the notes panel takes room).
        """
        if not self.photos:
            return
        width = self.app.size.width - self.styles.gutter.width
        if self.styles.scrollbar_gutter == "stable":
            width -= self.styles.scrollbar_size_vertical
        g = geometry_for(max(1, width), THUMB_WIDTHS[self.thumb_width])
        rows = -(-len(self.photos) // g.columns)
        self.virtual_size = Size(g.columns * g.pitch - 1, rows * g.tile_height)

    def _load_visible(self) -> None:
        if not self.is_mounted or not self.photos:
            return
        loader = self.loader
        warm = loader.take_warm()
        shown = self._on_screen()
        found = loader.ready((self.photos[index] for index in shown), warm)
        if found:
            self._add_thumbs(found, loader.want)
        confirm = {photo.rel for photo, _ in found}
        wanted = [
            self.photos[i]
            for i in self._visible_indices()
            if self.photos[i].rel in confirm
            or (loaded := loader.thumbs.get(self.photos[i].rel)) is None
            or loaded.placeholder
        ]
        adopted = {p.rel: warm.pop(p.rel) for p in wanted if p.rel in warm}
        for future in warm.values():
            future.cancel()  # decoded for tiles that turned out not to be wanted
        if wanted:
            # Placeholders only for tiles showing nothing yet (decided here, on the UI thread).
            blank = frozenset(p.rel for p in wanted if p.rel not in loader.thumbs)
            first = frozenset(p.rel for p in wanted) & {self.photos[i].rel for i in shown}
            first -= confirm
            self._load(wanted, loader.want, blank, first, adopted)

    @work(thread=True, exclusive=True, group="thumbs", exit_on_error=False)
    def _load(
        self,
        photos: list[Photo],
        want: Want,
        blank: frozenset[str],
        on_screen: frozenset[str] = frozenset(),
        adopted: dict[str, Future[Rendered]] | None = None,
    ) -> None:
        """Decode ``photos`` (see :meth:`ThumbLoader.decode`); batches go to :meth:`_add_thumbs`."""
        worker = get_current_worker()

        def hand_over(batch: Batch, want: Want, painted: threading.Event | None) -> None:
            self.app.call_from_thread(self._add_thumbs, batch, want, painted)

        self.loader.decode(
            photos,
            want,
            blank,
            on_screen,
            adopted or {},
            hand_over,
            lambda: worker.is_cancelled,
        )

    def _add_thumbs(
        self,
        batch: Batch,
        want: Want,
        painted: threading.Event | None = None,
    ) -> None:
        """Take decoded thumbnails (on the UI thread); ``painted`` is set once they are drawn."""
        if painted is not None:
            self.call_after_refresh(painted.set)
        if want != self.loader.want:
            return
        changed = self.loader.take(batch, (self.photos[shown].rel for shown in self._on_screen()))
        self._refresh_tiles(
            index for photo in changed if (index := self._index_of.get(photo.rel)) is not None
        )
        self._check_first_screen()

    # -- drawing -----------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        row, line = divmod(y + scroll_y, self._geometry.tile_height)
        if width + scroll_x > self._row_width:
            self._forget_rows()
            self._row_width = width + scroll_x
        strips = self._rows.get(row)
        if strips is None:
            strips = self._compose_row(row)
        strip = strips[line]
        if scroll_x or strip.cell_length != width:
            strip = strip.crop(scroll_x, scroll_x + width)
        return strip

    def _forget_rows(self) -> None:
        self._rows.clear()
        self._row_width = 0

    def _styles(self) -> TileLook:
        look = self._look
        if look is None:
            look = self._look = TileLook.resolve(self.rich_style, self.get_component_rich_style)
        return look

    def _compose_row(self, row: int) -> tuple[Strip, ...]:
        """Every line of a row of tiles, at least as wide as the content, and cache it."""
        g = self._geometry
        look = self._styles()
        base = look.base
        lines: list[list[Segment]] = [[] for _ in range(g.tile_height)]
        gap = Segment(" ", base)
        blank = Segment(" " * g.tile_width, base)
        for col in range(g.columns):
            index = row * g.columns + col
            if col:
                # Between two plain frames the gap takes the frames' style (a space
                # shows only its background, which is the same): side, gap and
                # side then go out as one segment, one colour code instead of three.
                joined = self.cursor not in (index - 1, index) and index < len(self.photos)
                space = Segment(" ", look.frame) if joined else gap
                for line in lines:
                    line.append(space)
            if not 0 <= index < len(self.photos):
                for line in lines:
                    line.append(blank)
                continue
            for line, segments in zip(lines, self._tile(index, look), strict=True):
                line.extend(segments)
        drawn = g.columns * g.pitch - 1
        width = max(self._row_width, drawn)
        if width > drawn:
            fill = Segment(" " * (width - drawn), base)
            for line in lines:
                line.append(fill)
        strips = tuple(Strip(Segment.simplify(line), width) for line in lines)
        if len(self._rows) >= MAX_CACHED_ROWS:
            self._drop_far_rows(row)
        self._rows[row] = strips
        return strips

    def _drop_far_rows(self, row: int) -> None:
        """Keep the cached rows nearest ``row`` (half the bound)."""
        keep = sorted(self._rows, key=lambda r: abs(r - row))[: MAX_CACHED_ROWS // 2]
        self._rows = {r: self._rows[r] for r in keep}

    def _tile(self, index: int, look: TileLook) -> list[list[Segment]]:
        """Each line of one tile (see ``thumb_tiles.draw_tile``)."""
        photo = self.photos[index]
        rendered = self.loader.thumbs.get(photo.rel)
        if rendered is not None:
            self.loader.thumbs.move_to_end(photo.rel)  # drawn: recently used
        return draw_tile(
            self._geometry,
            look,
            photo,
            focused=index == self.cursor,
            marked=photo.rel in self.marked,
            rendered=rendered,
            curation=self._curation(photo),
            # Which files the photo is matters while culling, not in front of a client.
            badge=photo.format_badge if self._show_curation else None,
        )

    def _curation(self, photo: Photo) -> PhotoCuration | None:
        curator = getattr(self.app, "curator", None)
        if curator is None or not self._show_curation:
            return None
        found = curator.snapshot.photo(photo.rel)
        return None if found.is_empty else found
