"""The loupe: one photo as large as the terminal allows, with notes and info beside it."""

from __future__ import annotations

from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Markdown, Static

from ...metadata import PhotoInfo
from ...portfolio import Gallery, Photo, PhotoSet
from ...provenance import Provenance, provenance
from ...text import clean
from ..commands import CURATE, LOUPE, bindings
from ..curation_keys import CurationActions, curation_badge
from ..decoding import DECODER
from ..jobs import JobDone, JobFailed, Jobs
from ..safe import markdown_source, plain
from ..widgets.bars import KeysFooter, TitleBar
from ..widgets.info_panel import InfoPanel, badge, read_facts
from ..widgets.photo_view import PhotoView

NARROW = 100
"""Below this width the notes panel starts hidden, leaving room for the photo."""

DETAILS_DELAY = 0.06
"""Seconds after the last move before the side panel follows the photo."""

AHEAD, BEHIND = 3, 1
"""Photos decoded ahead of the one shown: this many in the direction of travel, and back."""


def photo_heading(photo: Photo, found: Provenance | None = None) -> Content:
    """Title, caption, provenance badge and tags of a photo as plain content."""
    parts = [Content.styled(clean(photo.display_title), "bold")]
    if photo.caption:
        parts.append(Content.styled(clean(photo.caption), "italic"))
    source = badge(found, photo)
    if photo.tags:
        source = Content.assemble(
            source, ("  ·  " + ", ".join(clean(t) for t in photo.tags), "dim")
        )
    parts.append(source)
    return Content("\n").join(parts)


class ProvenanceRead(JobDone[Provenance]):
    """The shown photo's provenance, for its heading's badge."""


class InfoRead(JobDone[tuple[PhotoInfo, Provenance]]):
    """The shown photo's facts, for the info panel."""


class InfoFailed(JobFailed):
    """The shown photo's facts could not be read."""


class LoupeScreen(CurationActions, Screen[int]):
    """One photo at a time; dismisses with the index it ended on."""

    BINDINGS = bindings(LOUPE + CURATE)

    index: var[int] = var(0)
    show_info: var[bool] = var(False)
    show_notes: var[bool] = var(True)

    def __init__(self, gallery: Gallery | None, photos: PhotoSet, index: int = 0) -> None:
        super().__init__()
        self.gallery = gallery
        self.photos = photos
        self.set_reactive(LoupeScreen.index, max(0, min(index, len(photos) - 1)))
        self._details: Timer | None = None
        self._notes_source: str | None = None
        """What the notes panel was last given (its Markdown is rebuilt only when it differs)."""
        self._jobs = Jobs(self)

    @property
    def photo(self) -> Photo:
        """The photo being shown."""
        return self.photos[self.index]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="loupe-body"):
            yield PhotoView(self.photo, id="photo")
            # Not focusable: the arrow keys, Home and End always change the photo;
            # the notes scroll with the mouse wheel.
            with VerticalScroll(id="side", can_focus=False):
                yield Static(id="heading", markup=False)
                yield Static(id="curation", markup=False)
                yield InfoPanel(id="info", markup=False)
                yield Markdown(id="notes", open_links=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.show_notes = self.app.size.width >= NARROW
        self._direction = 1
        self._show()

    def neighbours(self) -> list[Photo]:
        """The photos to have ready next: ahead in the direction of travel first."""
        index, step, count = self.index, self._direction, len(self.photos)
        order = [index + step * n for n in range(1, AHEAD + 1)]
        order += [index - step * n for n in range(1, BEHIND + 1)]
        return [self.photos[i] for i in order if 0 <= i < count]

    def _look_ahead(self) -> None:
        """Decode the neighbours for the photo view's size, in the background."""
        if self.is_attached and self.photos:
            self.query_one("#photo", PhotoView).look_ahead(self.neighbours(), owner=self)

    def on_resize(self) -> None:
        self.call_after_refresh(self._look_ahead)  # the old size's look-ahead is useless

    def on_unmount(self) -> None:
        DECODER.retain(self, [])

    def _show(self) -> None:
        """The photo and its title at once; the side panel a moment later.

        The side panel (heading, badges, notes, info) changes the layout and
        rebuilds a Markdown document: done with the photo, it would hold the
        photo's frame back, and with an arrow key held down it would be done
        for every photo passed. So it follows :data:`DETAILS_DELAY` after the
        last move.
        """
        photo = self.photo
        where = clean(self.gallery.title) + "  ›  " if self.gallery else ""
        self.query_one(TitleBar).set(
            Content(where + clean(photo.display_title)),
            plain(f"{photo.name} · {self.index + 1} / {len(self.photos)}"),
        )
        self.query_one("#photo", PhotoView).photo = photo
        self._jobs.outdate(ProvenanceRead, InfoRead)  # the last photo's facts are not wanted
        if self._details is not None:
            self._details.stop()
            self._details = None
        self._details = self.set_timer(DETAILS_DELAY, self._show_details, name="details")

    @property
    def busy(self) -> bool:
        """The side panel has not caught up with the photo yet (tests wait for it)."""
        return self._details is not None

    def _show_details(self) -> None:
        self._details = None
        # With the details: once the keys pause (a held key asks for nothing ahead),
        # and after the photo view has its size and its own decode has gone first.
        self._look_ahead()
        photo = self.photo
        self.query_one("#heading", Static).update(photo_heading(photo))
        self._show_curation()
        panel = self.query_one(InfoPanel)
        panel.photo = photo
        panel.info = None
        panel.provenance = None
        if self.show_info:
            self._read_info(photo)
        self._jobs.start(partial(provenance, photo), ProvenanceRead, description=str(photo.path))

    def _read_info(self, photo: Photo) -> None:
        self._jobs.start(
            partial(read_facts, photo), InfoRead, InfoFailed, description=str(photo.path)
        )

    @on(ProvenanceRead)
    def _provenance_read(self, message: ProvenanceRead) -> None:
        if self._jobs.current(message):  # else the user has moved on to another photo
            self.query_one("#heading", Static).update(photo_heading(self.photo, message.result))

    @on(InfoRead)
    def _info_read(self, message: InfoRead) -> None:
        if self._jobs.current(message):
            panel = self.query_one(InfoPanel)
            panel.info, panel.provenance = message.result

    @on(InfoFailed)
    def _info_failed(self, message: InfoFailed) -> None:
        if not message.cancelled and self._jobs.current(message):
            self.query_one(InfoPanel).info = PhotoInfo(error="could not read this file's details")

    def _show_curation(self) -> None:
        photo = self.photo
        curation = self.portfolio_app.curator.snapshot.photo(photo.rel)
        badge = curation_badge(curation)
        flags = self.portfolio_app.curation_flags
        if flags:
            badge.append(("  " if badge else "") + flags, style="bold")
        self.query_one("#curation", Static).update(badge)
        self.query_one("#curation").display = bool(badge)
        parts = [markdown_source(photo.notes)] if photo.notes else []
        if curation.notes:
            parts.append("**Curation notes**\n\n" + markdown_source(curation.notes))
        source = "\n\n---\n\n".join(parts) if parts else "*No notes for this photo.*"
        if source != self._notes_source:
            # A rating or flag leaves the notes as they were: rebuilding the Markdown
            # (its blocks are widgets) would cost a layout pass for nothing.
            self._notes_source = source
            self.query_one("#notes", Markdown).update(source)

    # -- curation ----------------------------------------------------------------------
    def curation_photo(self) -> Photo | None:
        return self.photo if self.photos else None

    def curation_next(self) -> None:
        self.action_step(1)

    def curation_changed(self, photos: set[str] | None) -> None:
        """Redraw the badge and notes if they are this photo's."""
        if (
            self.is_mounted
            and self.photos
            and (photos is None or self.photo.rel in photos or not photos)
        ):
            self._show_curation()

    def watch_index(self, before: int, after: int) -> None:
        if self.is_mounted:
            self._direction = 1 if after >= before else -1
            self._show()

    def watch_show_info(self, show: bool) -> None:
        self.query_one(InfoPanel).display = show
        self._update_side()
        if show:
            self._read_info(self.photo)

    def watch_show_notes(self, show: bool) -> None:
        self.query_one("#notes").display = show
        self._update_side()

    def _update_side(self) -> None:
        self.query_one("#side").display = self.show_info or self.show_notes

    def action_step(self, delta: int) -> None:
        """Next or previous photo (stops at the ends)."""
        self.index = max(0, min(len(self.photos) - 1, self.index + delta))

    def action_jump(self, where: str) -> None:
        """First or last photo."""
        self.index = 0 if where == "first" else len(self.photos) - 1

    def action_toggle_info(self) -> None:
        """Show or hide the info panel."""
        self.show_info = not self.show_info

    def action_toggle_notes(self) -> None:
        """Show or hide the notes."""
        self.show_notes = not self.show_notes

    def action_present(self) -> None:
        """These photos full screen, from this one; the loupe follows to where it ended."""
        photos = list(self.photos)
        self.portfolio_app.present_photos(self.gallery, photos, self.photo, self._follow_photo)

    def _follow_photo(self, photo: Photo | None) -> None:
        if photo is not None and photo in self.photos:
            self.index = list(self.photos).index(photo)

    def action_back(self) -> None:
        """Back to the grid, which follows to this photo."""
        self.portfolio_app.leave(self, self.index)
