"""A gallery's grid of thumbnails."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from ...portfolio import Gallery, PhotoSet
from ...text import clean
from ..commands import GALLERY, bindings
from ..messages import PhotoChosen, PhotoHighlighted
from ..safe import plain
from ..widgets.bars import TitleBar
from ..widgets.thumb_grid import ThumbGrid


class GalleryScreen(Screen[None]):
    """The grid of one gallery; Enter opens the loupe."""

    BINDINGS = bindings(GALLERY)

    def __init__(self, gallery: Gallery, cursor: int = 0) -> None:
        super().__init__()
        self.gallery = gallery
        self.photos = PhotoSet(gallery.photos)
        self._start = cursor

    def compose(self) -> ComposeResult:
        yield TitleBar(plain(self.gallery.title), self._status(self._start))
        grid = ThumbGrid(self.photos, id="grid")
        grid.set_reactive(ThumbGrid.cursor, self._start)
        yield grid
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ThumbGrid).focus()

    @property
    def grid(self) -> ThumbGrid:
        """The thumbnail grid."""
        return self.query_one(ThumbGrid)

    def _status(self, index: int) -> str:
        total = len(self.photos)
        if not total:
            return "no photos"
        photo = self.photos[index]
        return f"{clean(photo.name)} · {index + 1} / {total}"

    def on_photo_highlighted(self, message: PhotoHighlighted) -> None:
        self.query_one(TitleBar).set(status=plain(self._status(message.index)))

    def on_photo_chosen(self, message: PhotoChosen) -> None:
        self.app.open_photo(self.gallery, self.photos, message.index)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        """Back to the home screen."""
        self.dismiss()

    def follow(self, index: int) -> None:
        """Put the grid cursor on ``index`` (when coming back from the loupe)."""
        self.grid.cursor = index
