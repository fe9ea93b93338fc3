"""A gallery's grid of thumbnails."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.screen import Screen

from ...portfolio import Gallery, PhotoSet
from ...text import clean
from ..commands import GALLERY, bindings
from ..messages import FirstScreenReady, PhotoChosen, PhotoHighlighted
from ..safe import markdown_source, plain
from ..widgets.bars import KeysFooter, TitleBar
from ..widgets.thumb_grid import ThumbGrid

WIDE = 140
"""From this width the gallery's notes start open beside the grid."""

FIRST_FRAME_WAIT = 0.3
"""Longest (seconds from mount) a held screen waits for its first screen of thumbnails."""


class GalleryScreen(Screen[None]):
    """The grid of one gallery; Enter opens the loupe."""

    BINDINGS = bindings(GALLERY)

    show_notes: var[bool] = var(False)

    def __init__(self, gallery: Gallery, cursor: int = 0, *, hold: bool = False) -> None:
        """``hold``: draw nothing until the first screen of thumbnails is ready (start-up)."""
        super().__init__()
        self.gallery = gallery
        self.photos = PhotoSet(gallery.photos)
        self._start = cursor
        self._holding = hold

    def compose(self) -> ComposeResult:
        yield TitleBar(plain(self.gallery.title), self._status(self._start))
        with Horizontal(id="gallery-body"):
            yield ThumbGrid(self.photos, cursor=self._start, id="grid")
            # Filled when first shown: Markdown costs start-up time (import and layout).
            yield VerticalScroll(id="gallery-notes", can_focus=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        if self._holding:
            self.set_timer(FIRST_FRAME_WAIT, self._release, name="first-frame")
        self.query_one(ThumbGrid).focus()
        # Gallery notes start open where there is room for them beside the grid.
        self.show_notes = bool(self.gallery.notes) and self.app.size.width >= WIDE
        self.watch_show_notes(self.show_notes)

    # -- the first frame -------------------------------------------------------
    # Textual draws a new screen several times while it settles: a first
    # layout, a second for the sizes the first found, then the tiles as their
    # thumbnails arrive, each a full-screen frame (and each rendered, 20-50 ms).
    # Held, the layouts run but nothing is rendered or written until the grid
    # says its first screen is drawn (or the wait ends): start-up is one frame.

    def _compositor_refresh(self) -> None:
        if not self._holding:
            super()._compositor_refresh()

    def on_first_screen_ready(self, message: FirstScreenReady) -> None:
        message.stop()
        # After the layouts already asked for, so the one frame comes after them.
        self.call_after_refresh(self._release)

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self.refresh()  # what the held layouts left dirty: the whole screen, once

    def on_screen_resume(self) -> None:
        # Laid out while hidden under the loupe (or resized there): bring the cursor into view.
        self.grid.call_after_refresh(self.grid.scroll_to_cursor, False)

    def watch_show_notes(self, show: bool) -> None:
        panel = self.query_one("#gallery-notes", VerticalScroll)
        if show and not panel.children:
            from textual.widgets import Markdown

            notes = self.gallery.notes
            panel.mount(
                Markdown(
                    markdown_source(notes) if notes else "*No notes for this gallery.*",
                    open_links=False,
                )
            )
        panel.display = show

    def action_toggle_notes(self) -> None:
        """Show or hide the gallery's notes."""
        self.show_notes = not self.show_notes

    @property
    def grid(self) -> ThumbGrid:
        """The thumbnail grid."""
        return self.query_one(ThumbGrid)

    def _status(self, index: int) -> str:
        total = len(self.photos)
        if not total:
            return "no photos"
        photo = self.photos[index]
        marked = len(self.grid.marked) if self.is_mounted else 0
        extra = f" · {marked} marked" if marked else ""
        return f"{clean(photo.name)} · {index + 1} / {total}{extra}"

    def action_compare(self) -> None:
        """2-up: the first marked photo as select and the next as candidate, else this and next."""
        marked = self.grid.marked_photos
        if len(marked) >= 2:
            pair = marked[:2]
        else:
            index = self.grid.cursor
            if len(self.photos) < 2:
                self.notify("A comparison needs two photos", timeout=3)
                return
            pair = [self.photos[index], self.photos[(index + 1) % len(self.photos)]]
        self.app.compare_photos(pair, list(self.photos))  # type: ignore[attr-defined]

    def action_survey(self) -> None:
        """The marked photos side by side."""
        marked = self.grid.marked_photos
        if not 2 <= len(marked) <= 9:
            self.notify(
                f"Mark 2 to 9 photos with Space for a survey ({len(marked)} marked)", timeout=3
            )
            return
        self.app.survey_photos(marked)  # type: ignore[attr-defined]

    def on_photo_highlighted(self, message: PhotoHighlighted) -> None:
        self.query_one(TitleBar).set(status=plain(self._status(message.index)))

    def on_photo_chosen(self, message: PhotoChosen) -> None:
        self.app.open_photo(self.gallery, self.photos, message.index)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        """Back to the home screen."""
        self.app.leave(self)  # type: ignore[attr-defined]

    def follow(self, index: int) -> None:
        """Put the grid cursor on ``index`` (when coming back from the loupe)."""
        self.grid.cursor = index
