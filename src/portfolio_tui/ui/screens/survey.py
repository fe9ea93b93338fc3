"""Survey: the marked photos side by side at the largest equal size; drop the weakest.

The curation keys (stars, flags, labels, tags, notes, undo) act on the highlighted
photo, and each photo's label shows its stars, flag and label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Static

from ...portfolio import Photo, PhotoSet
from ...text import clean, count
from ..commands import CURATE, SURVEY, bindings
from ..curation_keys import CurationActions, curation_badge
from ..navigation import navigation
from ..widgets.bars import KeysFooter, TitleBar
from ..widgets.photo_view import PhotoView

MIN_PHOTOS, MAX_PHOTOS = 2, 9
PORTRAIT = 1.25
"""Height over width of the photos the layout plans for (headshots are mostly 4:5)."""


def layout(count: int, width: int, height: int, aspect: float = PORTRAIT) -> tuple[int, int]:
    """(columns, rows) that show ``count`` photos of ``aspect`` at the largest equal size.

    Cells are ``width`` x ``height`` terminal cells in all; a cell is about twice
    as tall as it is wide, so a photo's height in cells is half its pixels.
    """
    best, best_area = (count, 1), -1.0
    for columns in range(1, count + 1):
        rows = math.ceil(count / columns)
        cell_w, cell_h = width / columns, height / rows - 1  # a label row per photo
        if cell_w <= 0 or cell_h <= 0:
            continue
        photo_w = min(cell_w, cell_h * 2 / aspect)
        area = photo_w * photo_w * aspect
        if area > best_area + 1e-9:
            best, best_area = (columns, rows), area
    return best


class SurveyScreen(CurationActions, Screen[None]):
    """2 to 9 photos at one size; arrows highlight, x drops, Enter opens the loupe."""

    # The survey's own keys first: where a key is in both (x drops), it keeps its
    # meaning here; the curation command is still in the palette.
    BINDINGS = bindings(SURVEY + CURATE)

    cursor: var[int] = var(0)

    def __init__(self, photos: Sequence[Photo]) -> None:
        super().__init__()
        self.photos = list(photos[:MAX_PHOTOS])
        self.dropped: list[Photo] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(Content.assemble(("Survey  ›  ", "dim"), "marked photos"))
        with Grid(id="survey"):
            for photo in self.photos:
                with Vertical(classes="survey-cell"):
                    yield Static(self._label(photo), classes="pane-label", markup=False)
                    yield PhotoView(photo)
        yield KeysFooter()

    def on_mount(self) -> None:
        self._relayout()

    def _label(self, photo: Photo) -> Content:
        """The photo's title, then its stars, flag and label."""
        curation = curation_badge(self.portfolio_app.curator.snapshot.photo(photo.rel))
        if not curation:
            return Content(clean(photo.display_title))
        return Content.assemble(clean(photo.display_title), "  ", Content.from_rich_text(curation))

    # -- curation ------------------------------------------------------------------
    def curation_photo(self) -> Photo | None:
        return self.photos[self.cursor] if self.photos else None

    def curation_next(self) -> None:
        """Auto-advance: highlight the next photo (the last one stays)."""
        if self.cursor < len(self.photos) - 1:
            self.cursor += 1

    def curation_changed(self, photos: set[str] | None) -> None:
        """Redraw the labels of the photos that changed (all of them if unsure)."""
        if not self.is_mounted:
            return
        for photo, cell in zip(self.photos, self._cells(), strict=False):
            if photos is None or not photos or photo.rel in photos:
                cell.query_one(".pane-label", Static).update(self._label(photo))

    def on_resize(self) -> None:
        self._relayout()

    def _cells(self) -> list[Vertical]:
        return list(self.query(".survey-cell").results(Vertical))

    def _relayout(self) -> None:
        grid = self.query_one("#survey", Grid)
        width, height = grid.size if grid.size.width else self.app.size
        columns, rows = layout(len(self.photos), max(1, width), max(1, height))
        grid.styles.grid_size_columns = columns
        grid.styles.grid_size_rows = rows
        # Equal cells, whatever the remainder: every photo gets exactly the same area.
        inner = max(1, width - 2 - (columns - 1))  # padding, and a gutter between columns
        grid.styles.grid_columns = str(max(1, inner // columns))
        grid.styles.grid_rows = str(max(1, height // rows))
        for index, cell in enumerate(self._cells()):
            cell.set_class(index == self.cursor, "-highlight")
        total = len(self.photos) + len(self.dropped)
        status = f"{count(len(self.photos), 'photo')}"
        if self.dropped:
            status += f" of {total} ({len(self.dropped)} dropped)"
        self.query_one(TitleBar).set(status=status)

    def watch_cursor(self) -> None:
        if self.is_mounted:
            self._relayout()

    def action_move(self, step: int) -> None:
        """Highlight the previous or next photo."""
        self.cursor = (self.cursor + step) % len(self.photos)

    async def action_drop(self) -> None:
        """Take the highlighted photo out of the survey (the file is untouched)."""
        if len(self.photos) <= MIN_PHOTOS:
            self.notify("A survey needs two photos; Esc goes back", timeout=3)
            return
        index = self.cursor
        self.dropped.append(self.photos.pop(index))
        await self._cells()[index].remove()
        self.cursor = min(index, len(self.photos) - 1)
        self._relayout()

    def action_open(self) -> None:
        """The highlighted photo in the loupe, stepping through the survey's photos."""
        navigation(self.app).open_photo(None, PhotoSet(self.photos), self.cursor)

    def action_back(self) -> None:
        """Back to where the survey was opened."""
        navigation(self.app).leave(self)
