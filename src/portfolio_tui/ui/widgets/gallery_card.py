"""A gallery on the home screen: cover photo, title and photo count."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ...portfolio import Gallery, Photo
from ...text import count
from ..commands import CARD, bindings
from ..messages import GalleryChosen
from ..safe import plain
from .photo_view import Decoded, PhotoView

COVER_TRIES = 12
"""Photos tried after a cover that cannot be drawn, before its problem is shown instead."""


class CoverView(PhotoView):
    """A gallery's cover; when it cannot be drawn, the next photo that can is shown.

    A cover is the config's choice or the gallery's first file, and either may be
    damaged or in a format that cannot be decoded. The decode still runs in the
    decoder threads: a failed result is caught here before it is shown, and the
    next photo is asked for instead. Only when none of the next few can be drawn
    does the card show the problem (the cover's own is then in ``check``).
    """

    def __init__(self, gallery: Gallery) -> None:
        super().__init__(gallery.cover, graphics=False)
        cover = gallery.cover
        self._next = iter([p for p in gallery.photos if p is not cover][:COVER_TRIES])

    def on_decoded(self, message: Decoded) -> None:
        # Runs before PhotoView.on_decoded (Textual calls handlers down the MRO).
        photo = self.photo
        if photo is None or not message.wanted or message.wanted[0] != photo.real_path:
            return
        if message.error is None and getattr(message.result[1], "error", None) is None:
            return
        following: Photo | None = next(self._next, None)
        if following is not None:
            message.prevent_default()  # the ⚠ is never drawn; the next photo is asked for
            self.photo = following


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
        yield CoverView(self.gallery)
        yield Static(plain(self.gallery.title), classes="card-title", markup=False)
        yield Static(count(len(self.gallery), "photo"), classes="card-count", markup=False)

    def action_choose(self) -> None:
        """Open this gallery."""
        self.post_message(GalleryChosen(self.gallery))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.focus()
        self.action_choose()
