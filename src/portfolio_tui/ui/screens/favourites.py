"""A client's favourites as a grid: the summary at the end of a presentation."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ...portfolio import Photo, PhotoSet
from ...text import clean, count
from ..commands import FAVOURITES, bindings
from ..messages import PhotoChosen
from ..widgets.bars import KeysFooter, TitleBar
from ..widgets.thumb_grid import ThumbGrid


class FavouritesScreen(Screen[Photo | None]):
    """The photos a client marked with ``h``; Enter goes back to one of them."""

    BINDINGS = bindings(FAVOURITES)
    presenting = True
    """Still in front of the client: no notices about other curators' saves."""

    def __init__(self, client: str, photos: Sequence[Photo]) -> None:
        super().__init__()
        self.client = client
        self.photos = PhotoSet(photos)

    def compose(self) -> ComposeResult:
        yield TitleBar(
            Content.assemble(("Favourites of ", "dim"), clean(self.client)),
            count(len(self.photos), "photograph"),
        )
        if self.photos:
            # Stars and flags are the studio's, not the client's: not on these tiles.
            yield ThumbGrid(self.photos, id="grid", show_curation=False)
        else:
            yield Static(
                "No favourites yet: press h on a photo while presenting.",
                id="favourites-empty",
                markup=False,
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        if self.photos:
            self.query_one(ThumbGrid).focus()

    def on_photo_chosen(self, message: PhotoChosen) -> None:
        message.stop()
        self.dismiss(message.photo)

    def action_back(self) -> None:
        """Back to the presentation."""
        self.dismiss(None)
