"""A gallery's grid of thumbnails."""

from __future__ import annotations

import contextlib

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.screen import Screen
from textual.types import NoActiveAppError
from textual.widgets import Input

from ...curation import Change, Snapshot, in_order
from ...portfolio import Gallery, Photo, PhotoSet, not_shown_note
from ...selection import SORTS, PhotoFilter, parse_filter, select
from ...text import clean
from ..commands import ARRANGE, CURATE, GALLERY, bindings
from ..curation_keys import CurationActions
from ..jobs import JobDone, Jobs
from ..messages import FirstScreenReady, PhotoChosen, PhotoHighlighted
from ..safe import markdown_source, plain
from ..widgets.bars import KeysFooter, TitleBar
from ..widgets.thumb_grid import ThumbGrid

WIDE = 140
"""From this width the gallery's notes start open beside the grid."""

FIRST_FRAME_WAIT = 0.3
"""Longest (seconds from mount) a held screen waits for its first screen of thumbnails."""


class FilterBar(Input):
    """The filter, typed: ``3+ pick red #studio smile`` (see ``selection``); Esc hides it."""

    DEFAULT_CSS = """
    FilterBar { height: 1; border: none; padding: 0 1; display: none; }
    FilterBar.-shown { display: block; }
    """

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.stop()
            self.screen.query_one(ThumbGrid).focus()
            self.remove_class("-shown")
            return
        await super()._on_key(event)


class DatesRead(JobDone[dict[str, str | None]]):
    """When each photo of the gallery was taken (EXIF), by its path in the portfolio."""


class GalleryScreen(CurationActions, Screen[None]):
    """The grid of one gallery; Enter opens the loupe; curation keys act on the cursor's photo."""

    BINDINGS = bindings(GALLERY + CURATE + ARRANGE)

    show_notes: var[bool] = var(False)

    def __init__(self, gallery: Gallery, cursor: int = 0, *, hold: bool = False) -> None:
        """``hold``: draw nothing until the first screen of thumbnails is ready (start-up)."""
        super().__init__()
        self.gallery = gallery
        self.photos = PhotoSet(gallery.photos)
        """What the grid shows: the gallery in its curated order, filtered and sorted."""
        self._start = cursor
        self._filter = PhotoFilter()
        self._sort = "order"
        self._taken: dict[str, str | None] | None = None
        self._jobs = Jobs(self)
        with contextlib.suppress(NoActiveAppError, AttributeError):  # made outside an app
            # The curated order from the start, not one frame later.
            self.photos = PhotoSet(self._in_stored_order(self.portfolio_app.curator.snapshot))
        self._holding = hold

    def compose(self) -> ComposeResult:
        yield TitleBar(plain(self.gallery.title), self._status(self._start))
        yield FilterBar(
            placeholder="filter: 3+  pick  red  #tag  words   (Enter applies, Esc hides)"
        )
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
        everything = len(self.gallery.photos)
        shown = f"{total} of {everything} shown" if total != everything else ""
        flags = self.portfolio_app.curation_flags if self.is_attached else ""
        sort = f"by {self._sort}" if self._sort != "order" else ""
        hidden = not_shown_note(self.gallery.not_shown) if self.gallery.not_shown else ""
        tail = " · ".join(x for x in (shown, sort, flags, hidden) if x)
        if not total:
            return f"no photos match · {tail}" if shown else "no photos"
        photo = self.photos[min(index, total - 1)]
        marked = len(self.grid.marked) if self.is_mounted else 0
        extra = f" · {marked} marked" if marked else ""
        tail = f" · {tail}" if tail else ""
        return f"{clean(photo.name)} · {index + 1} / {total}{extra}{tail}"

    def _update_status(self) -> None:
        self.query_one(TitleBar).set(status=plain(self._status(self.grid.cursor)))

    # -- curation ----------------------------------------------------------------------
    def curation_photo(self) -> Photo | None:
        return self.grid.current if self.is_mounted else None

    def curation_next(self) -> None:
        self.grid.action_cursor("right")

    def curation_changed(self, photos: set[str] | None) -> None:
        """Badges, order, filter and title follow what changed (here or by another curator)."""
        if not self.is_mounted:
            return
        if photos is None or self._filter.active or self._sort == "rating":
            self._reselect()
        else:
            self.grid.curation_changed(photos)
        self._update_status()

    def _in_stored_order(self, snapshot: Snapshot) -> list[Photo]:
        """The gallery's photos in the order the curators gave it (new files last)."""
        by_name = {p.name: p for p in self.gallery.photos}
        stored = snapshot.order.get(self.gallery.id, ())
        return [by_name[name] for name in in_order(list(by_name), stored)]

    def _reselect(self) -> None:
        """Show the gallery again, through the curated order, the filter and the sort."""
        snapshot = self.portfolio_app.curator.snapshot
        ordered = self._in_stored_order(snapshot)
        chosen = select(ordered, snapshot, self._filter, self._sort, self._taken)
        if [p.rel for p in chosen] == [p.rel for p in self.photos]:
            self.grid.curation_changed(None)
            return
        grid = self.grid
        current = grid.current
        # The cursor stays on its photo, or (if it was filtered out) where it was.
        keep = grid.cursor
        self.photos = PhotoSet(chosen)
        grid.photos = self.photos
        if current is not None:
            for i, photo in enumerate(chosen):
                if photo.rel == current.rel:
                    keep = i
                    break
        grid.cursor = min(keep, max(0, len(chosen) - 1))
        grid.curation_changed(None)

    def action_set_cover(self) -> None:
        """Make the photo under the cursor the gallery's cover."""
        photo = self.curation_photo()
        if photo is not None and self.portfolio_app.curator.change(
            [Change.cover(self.gallery.id, photo.name)], "cover"
        ):
            self.notify(
                f"Cover of {clean(self.gallery.title)}: {clean(photo.name)}",
                markup=False,
                timeout=2,
            )

    def action_move_photo(self, delta: int) -> None:
        """Move the photo earlier or later in the gallery's own order."""
        if self._filter.active or self._sort != "order":
            self.notify("Reorder with no filter and the gallery's own order (Shift+O)", timeout=3)
            return
        photo = self.curation_photo()
        if photo is None:
            return
        names = [p.name for p in self.photos]
        at = names.index(photo.name)
        to = max(0, min(len(names) - 1, at + delta))
        if to == at:
            return
        names.insert(to, names.pop(at))
        if self.portfolio_app.curator.change([Change.order(self.gallery.id, names)], "order"):
            self.grid.cursor = to

    def action_filter(self) -> None:
        """Show the filter line and type into it."""
        bar = self.query_one(FilterBar)
        bar.add_class("-shown")
        bar.focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if not isinstance(message.input, FilterBar):
            return
        message.stop()
        self._filter = parse_filter(message.value)
        if not self._filter.active:
            message.input.remove_class("-shown")
        self.grid.focus()
        self._reselect()
        self._update_status()

    def action_cycle_sort(self) -> None:
        """Sort by the gallery's order, name, date taken, rating, in turn."""
        self._sort = SORTS[(SORTS.index(self._sort) + 1) % len(SORTS)]
        if self._sort == "date" and self._taken is None:
            self._jobs.start(self._read_dates, DatesRead)
            self.notify("Reading the dates photos were taken…", timeout=2)
            return
        self._reselect()
        self._update_status()

    def _read_dates(self) -> dict[str, str | None]:
        from ...metadata import read_info

        return {p.rel: read_info(p.real_path).taken for p in self.gallery.photos}

    @on(DatesRead)
    def _dates_read(self, message: DatesRead) -> None:
        if not self._jobs.current(message):
            return  # a newer read of the same dates is coming
        self._taken = message.result
        if self._sort == "date":
            self._reselect()
            self._update_status()

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
        self.portfolio_app.compare_photos(pair, list(self.photos))

    def action_survey(self) -> None:
        """The marked photos side by side."""
        marked = self.grid.marked_photos
        if not 2 <= len(marked) <= 9:
            self.notify(
                f"Mark 2 to 9 photos with Space for a survey ({len(marked)} marked)",
                markup=False,
                timeout=3,
            )
            return
        self.portfolio_app.survey_photos(marked)

    def on_photo_highlighted(self, message: PhotoHighlighted) -> None:
        self.query_one(TitleBar).set(status=plain(self._status(message.index)))

    def on_photo_chosen(self, message: PhotoChosen) -> None:
        self.portfolio_app.open_photo(self.gallery, self.photos, message.index)

    def action_present(self) -> None:
        """The photos shown (filter and sort kept), full screen, from the one under the cursor."""
        photos = list(self.photos)
        if not photos:
            self.notify("No photos to present: clear the filter (\\, then Esc)", timeout=3)
            return
        self.portfolio_app.present_photos(
            self.gallery, photos, self.grid.current, self.follow_photo
        )

    def follow_photo(self, photo: Photo | None) -> None:
        """Put the cursor on ``photo`` (when a presentation ends on it)."""
        if photo is not None and photo in self.photos:
            self.grid.cursor = list(self.photos).index(photo)

    def action_back(self) -> None:
        """Back to the home screen."""
        self.portfolio_app.leave(self)

    def follow(self, index: int) -> None:
        """Put the grid cursor on ``index`` (when coming back from the loupe)."""
        self.grid.cursor = index
