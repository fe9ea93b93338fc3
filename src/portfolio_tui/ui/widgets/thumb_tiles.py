"""The grid's tiles: where they sit (:class:`Geometry`) and how one is drawn, as lines of
Segments (frame, picture or placeholder, title, and stars, flag and label on its lower edge).

Plain functions of what the tile shows; the grid
(:class:`~portfolio_tui.ui.widgets.thumb_grid.ThumbGrid`) composes them into rows and caches those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region

from ...curation import PhotoCuration
from ...imaging.sizes import thumb_rows
from ...portfolio import Photo
from ...text import clean, fit, wrap
from ..rendering import Rendered

LABEL_COLORS = {
    "red": "#e5484d",
    "yellow": "#f5d90a",
    "green": "#46a758",
    "blue": "#3e63dd",
    "purple": "#8e4ec6",
}
"""Colour labels as drawn: the same in every theme, as in Lightroom."""
_HEAVY = "┏━┓┗┛┃"
_ROUNDED = "╭─╮╰╯│"


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

    def index_at(self, x: int, y: int, total: int) -> int | None:
        """The tile at ``x``, ``y`` (virtual coordinates), of ``total``; None between tiles."""
        col, within = divmod(x, self.pitch)
        if col >= self.columns or within >= self.tile_width:
            return None
        index = (y // self.tile_height) * self.columns + col
        return index if 0 <= index < total else None

    def on_screen(self, top: int, height: int, total: int) -> range:
        """Indices of the tiles at least partly in a view ``height`` rows high from ``top``."""
        first = top // self.tile_height * self.columns
        last = ((top + height - 1) // self.tile_height + 1) * self.columns
        return range(first, min(last, total))

    def load_order(self, top: int, height: int, total: int) -> list[int]:
        """Tiles in the view first, then a page below and above, then the rest nearby."""
        first_row = top // self.tile_height
        rows_visible = height // self.tile_height + 2

        def span(start_row: int, count: int) -> range:
            start = max(0, start_row * self.columns)
            return range(start, min(total, (start_row + count) * self.columns))

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


def geometry_for(width: int, thumb_cols: int) -> Geometry:
    """Lay tiles out across ``width`` cells, shrinking thumbnails if even one will not fit."""
    thumb_cols = max(4, min(thumb_cols, width - 3))
    rows = thumb_rows(thumb_cols)
    columns = max(1, (width + 1) // (thumb_cols + 3))
    return Geometry(thumb_cols, rows, columns)


@dataclass(frozen=True)
class TileLook:
    """The grid's styles, resolved once per style change rather than per line."""

    base: Style
    frame: Style
    cursor: Style
    title: Style
    title_cursor: Style
    placeholder: Style
    error: Style
    stars: Style
    pick: Style
    reject: Style

    @classmethod
    def resolve(cls, base: Style, style: Callable[[str], Style]) -> TileLook:
        """The grid's own style ``base``, plus each of its ``thumb-grid--*`` components'."""
        return cls(
            base=base,
            frame=base + style("thumb-grid--frame"),
            cursor=base + style("thumb-grid--cursor"),
            title=base + style("thumb-grid--title"),
            title_cursor=base + style("thumb-grid--title-cursor"),
            placeholder=base + style("thumb-grid--placeholder"),
            error=base + style("thumb-grid--error"),
            stars=base + style("thumb-grid--stars"),
            pick=base + style("thumb-grid--pick"),
            reject=base + style("thumb-grid--reject"),
        )


def draw_tile(
    g: Geometry,
    look: TileLook,
    photo: Photo,
    *,
    focused: bool,
    marked: bool,
    rendered: Rendered | None,
    curation: PhotoCuration | None,
    badge: str | None,
) -> list[list[Segment]]:
    """Each line of one tile: frame, picture (or placeholder) and title.

    ``rendered``: the thumbnail, if loaded; ``curation``: stars, flag and label to show
    (None: none); ``badge``: RAW or RAW+JPEG, shown at the right of the lower edge.
    """
    inner = g.thumb_cols
    frame = look.cursor if focused else look.frame
    corners = _HEAVY if focused else _ROUNDED
    # The cursor shows in the top and bottom edges and the title, not the
    # sides: a move then changes three lines of each tile, not all of them
    # (Textual rewrites a changed line from the grid's left edge).
    side = Segment(_ROUNDED[5], look.frame)
    title = fit(("● " if marked else "") + clean(photo.display_title), inner)
    title_style = look.title_cursor if focused or marked else look.title
    pad = (inner - cell_len(title)) // 2
    lines: list[list[Segment]] = [[Segment(corners[0] + corners[1] * inner + corners[2], frame)]]
    for picture_line in _picture(g, look, rendered):
        lines.append([side, *picture_line, side])
    lines.append(
        [
            side,
            Segment(" " * pad, title_style),
            Segment(title, title_style),
            Segment(" " * (inner - pad - cell_len(title)), title_style),
            side,
        ]
    )
    lines.append(_bottom_edge(g, look, corners, frame, curation, badge))
    return lines


def _bottom_edge(
    g: Geometry,
    look: TileLook,
    corners: str,
    frame: Style,
    curation: PhotoCuration | None,
    badge: str | None,
) -> list[Segment]:
    """The tile's lower edge: stars, flag and colour label; RAW or RAW+JPEG at the right."""
    inner = g.thumb_cols
    rule = corners[1]
    parts: list[Segment] = []
    if curation is not None and inner >= 9:
        if curation.rating:
            parts.append(Segment("★" * curation.rating, look.stars))
        if curation.flag == "pick":
            parts.append(Segment("⚑", look.pick))
        elif curation.flag == "reject":
            parts.append(Segment("✕", look.reject))
        if curation.label:
            parts.append(Segment("●", frame + Style(color=LABEL_COLORS[curation.label])))
    segments = [Segment(corners[3] + rule, frame)]
    used = 1
    for part in parts:
        segments += [part, Segment(rule, frame)]
        used += cell_len(part.text) + 1
    tail = f"{badge}{rule}" if badge and inner - used >= len(badge) + 2 else ""
    segments.append(Segment(rule * max(0, inner - used - len(tail)), frame))
    if tail:
        segments += [Segment(badge or "", look.title), Segment(rule, frame)]
    segments.append(Segment(corners[4], frame))
    return segments


def _picture(g: Geometry, look: TileLook, rendered: Rendered | None) -> list[list[Segment]]:
    """The picture rows of a tile, each ``thumb_cols`` cells wide."""
    inner = g.thumb_cols
    base = look.base
    blank_line = [Segment(" " * inner, base)]
    if rendered is not None and not rendered.error:
        strips = rendered.strips
        top = (g.thumb_rows - len(strips)) // 2
        left = (inner - rendered.width) // 2
        lines: list[list[Segment]] = []
        for index in range(g.thumb_rows):
            picture_line = index - top
            if not 0 <= picture_line < len(strips):
                lines.append(blank_line)
                continue
            strip = strips[picture_line]
            if left >= 0 and strip.cell_length + left <= inner:
                right = inner - left - strip.cell_length
                segments = list(strip)
                if left:
                    segments.insert(0, Segment(" " * left, base))
                if right:
                    segments.append(Segment(" " * right, base))
                lines.append(segments)
            else:
                right = max(0, inner - left - strip.cell_length)
                lines.append(list(strip.crop_pad(inner, max(0, left), right, base)))
        return lines
    if rendered is None:
        texts = ["·"]
        style = look.placeholder
    else:
        texts = ["⚠", *wrap(rendered.error or "", inner - 2)]
        style = look.error
    top = (g.thumb_rows - len(texts)) // 2
    lines = []
    for index in range(g.thumb_rows):
        text_line = index - top
        text = fit(texts[text_line], inner) if 0 <= text_line < len(texts) else ""
        pad = (inner - cell_len(text)) // 2
        lines.append(
            [
                Segment(" " * pad, base),
                Segment(text, style),
                Segment(" " * (inner - pad - cell_len(text)), base),
            ]
        )
    return lines
