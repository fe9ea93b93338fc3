"""A gallery on the home screen: cover photo, title and photo count."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ...portfolio import Gallery
from ...text import count
from ..commands import CARD, bindings
from ..messages import GalleryChosen
from ..safe import plain
from .photo_view import PhotoView


class GalleryCard(Vertical, can_focus=True):
    """A focusable card; Enter or a click opens the gallery."""

    DEFAULT_CSS = """
    GalleryCard {
        width: 1fr;
        height: 18;
        border: round $panel-lighten-2;
        padding: 0 1;
    }
    GalleryCard:focus { border: heavy $accent; }
    GalleryCard > PhotoView { height: 1fr; }
    GalleryCard > .card-title { height: 1; text-style: bold; content-align: center middle;
        width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    GalleryCard > .card-count { height: 1; color: $text-muted; content-align: center middle;
        width: 1fr; }
    """
    BINDINGS = bindings(CARD)

    def __init__(self, gallery: Gallery) -> None:
        super().__init__()
        self.gallery = gallery

    def compose(self) -> ComposeResult:
        # Covers stay in half-blocks: small, many, and inside a scrolling list.
        yield PhotoView(self.gallery.cover, graphics=False)
        yield Static(plain(self.gallery.title), classes="card-title", markup=False)
        yield Static(count(len(self.gallery), "photo"), classes="card-count", markup=False)

    def action_choose(self) -> None:
        """Open this gallery."""
        self.post_message(GalleryChosen(self.gallery))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.focus()
        self.action_choose()
