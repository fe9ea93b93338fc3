"""Present mode: nothing on screen but the work, for a client across the table.

The deck (``presentation.py``) is a title card, the photos, comparisons as
reveals (A alone, B alone, then side by side) and an end card. No title bar
and no footer; the caption (``i``) and the slideshow's progress mark are the
only words, and curation keys do nothing here: presenting writes nothing except
a client's favourites (``h``, with ``--client NAME``) and her answers to a blind
test (``b`` on a comparison: ``present_blind.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial

from rich.cells import cell_len
from rich.segment import Segment
from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from ...credentials import NONE
from ...portfolio import Comparison, Photo
from ...presentation import (
    EndCard,
    PhotoSlide,
    RevealSlide,
    Slide,
    Slideshow,
    TitleCard,
    first_lines,
    slide_photos,
)
from ...provenance import Provenance, provenance
from ...text import clean, count
from ..commands import PRESENT, bindings
from ..jobs import JobDone, Jobs
from ..navigation import Navigation, navigation
from ..widgets.info_panel import badge
from ..widgets.photo_view import PhotoView

SIDES = 4
"""A comparison has at most four photos."""

TICK = 0.2
"""Seconds between slideshow checks (and progress-mark redraws)."""

MESSAGE_TIME = 2.0
"""Seconds a short message ("8 s per photo") stays in the progress row."""

HEART = "♥"


class SlideMark(Widget):
    """The bottom row: how far the slideshow is through this photo, and where the deck is.

    Blank unless the slideshow runs or a short message is showing, and always
    one row tall, so starting the show never moves the photo.
    """

    DEFAULT_CSS = """
    SlideMark {
        height: 1;
        background: $background;
    }
    SlideMark > .slide-mark--done { color: $text-muted; }
    SlideMark > .slide-mark--text { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"slide-mark--done", "slide-mark--text"}

    progress: var[float | None] = var(None)
    """Fraction of this slide's time gone; None when the slideshow is paused."""
    position: var[str] = var("")
    message: var[str] = var("")

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        text = self.message or (self.position if self.progress is not None else "")
        text = f" {text} " if text else ""
        room = max(0, width - cell_len(text))
        done = 0 if self.progress is None else round(self.progress * room)
        segments = [
            Segment("─" * done, base + self.get_component_rich_style("slide-mark--done")),
            Segment(" " * (room - done), base),
            Segment(text, base + self.get_component_rich_style("slide-mark--text")),
        ]
        return Strip(segments, width).crop(0, width)

    def watch_progress(self) -> None:
        self.refresh()

    def watch_position(self) -> None:
        self.refresh()

    def watch_message(self) -> None:
        self.refresh()


def _card(slide: TitleCard | EndCard, favourites: str | None) -> Content:
    """A card's lines, centred by CSS."""
    lines: list[Content] = []
    if isinstance(slide, TitleCard):
        lines.append(Content.styled(clean(slide.title), "bold"))
        if slide.subtitle:
            lines += [Content(""), Content(clean(slide.subtitle))]
        if slide.photographer:
            lines += [Content(""), Content.styled(clean(slide.photographer), "italic")]
        if slide.detail:
            lines += [Content(""), Content.styled(clean(slide.detail), "dim")]
    else:
        lines.append(Content.styled(clean(slide.closing), "bold"))
        if slide.photographer:
            lines += [Content(""), Content.styled(clean(slide.photographer), "italic")]
        if favourites:
            lines += [Content(""), Content(favourites)]
        if slide.credits:
            lines.append(Content(""))
            lines += [Content.styled(clean(line), "dim") for line in slide.credits]
    return Content("\n").join(lines)


class CaptionProvenanceRead(JobDone[tuple[str, Provenance]]):
    """A photo's provenance (by its rel), for the caption's Content Credentials badge."""


def _provenance_of(photo: Photo) -> tuple[str, Provenance]:
    """The photo's rel and provenance (worker thread: reads XMP and Content Credentials)."""
    return photo.rel, provenance(photo)


class PresentScreen(Screen[Photo | None]):
    """The deck, one slide at a time; dismisses with the last photo shown."""

    BINDINGS = bindings(PRESENT)
    presenting = True
    """The app keeps notices (other curators' saves) off this screen."""

    index: var[int] = var(0, init=False)
    captions: var[bool] = var(False, init=False)

    def __init__(
        self,
        deck: Sequence[Slide],
        start: int = 0,
        *,
        interval: float = 6.0,
        captions: bool = False,
        clock: Callable[[], float] = time.monotonic,
        blind: bool = False,
    ) -> None:
        """``blind``: start with the blind test of the deck's first comparison (``--blind``)."""
        super().__init__()
        self.deck = list(deck)
        self._blind_first = blind
        self.slideshow = Slideshow(interval, clock)
        self._clock = clock
        self._message_until = 0.0
        self._ticker: Timer | None = None
        self.set_reactive(PresentScreen.index, max(0, min(start, len(self.deck) - 1)))
        self.set_reactive(PresentScreen.captions, captions)
        self._jobs = Jobs(self)
        self._provenance: dict[str, Provenance] = {}
        """Photos' provenance read for the caption (by rel), read only while captions show."""

    @property
    def portfolio_app(self) -> Navigation:
        """The app, as screens use it."""
        return navigation(self.app)

    @property
    def slide(self) -> Slide:
        """The slide on screen."""
        return self.deck[self.index]

    @property
    def last_photo(self) -> Photo | None:
        """The photo on screen, or the last one before this card."""
        for slide in reversed(self.deck[: self.index + 1]):
            photos = slide_photos(slide)
            if photos:
                return photos[0]
        return None

    def compose(self) -> ComposeResult:
        with Center(id="present-card-box"):
            yield Static(id="present-card", markup=False)
        with Horizontal(id="present-sides"):
            for i in range(SIDES):
                with Vertical(classes="present-side", id=f"present-side-{i}"):
                    yield PhotoView(None, id=f"present-photo-{i}")
        yield Static(id="present-caption", markup=False)
        yield SlideMark(id="present-mark")

    def on_mount(self) -> None:
        self._show()
        self._ticker = self.set_interval(TICK, self._tick, pause=True, name="slideshow")
        if self._blind_first:
            first = next((s for s in self.deck if isinstance(s, RevealSlide)), None)
            if first is not None:
                self._blind(first.comparison)

    # -- drawing ------------------------------------------------------------------
    def _show(self) -> None:
        slide = self.slide
        card = isinstance(slide, (TitleCard, EndCard))
        self.query_one("#present-card-box").display = card
        self.query_one("#present-sides").display = not card
        if isinstance(slide, (TitleCard, EndCard)):
            self.query_one("#present-card", Static).update(_card(slide, self._favourites_line()))
        photos = slide_photos(slide)
        labels = self._labels(slide)
        for i, side in enumerate(self.query(".present-side").results(Vertical)):
            shown = i < len(photos)
            side.display = shown
            view = side.query_one(PhotoView)
            view.photo = photos[i] if shown else None
            # A reveal names each side right under its photo.
            view.label = labels[i] if shown and labels else None
        self._show_caption()
        self._show_position()

    def _labels(self, slide: Slide) -> list[Content]:
        """Under each photo of a reveal: its side's label, with a heart for a favourite."""
        if not isinstance(slide, RevealSlide):
            return []
        out = []
        for i in slide.shown:
            side = slide.comparison.sides[i]
            heart = side.photo is not None and self._is_favourite(side.photo)
            out.append(
                Content.assemble(
                    (clean(side.label), "bold"), (f"  {HEART}" if heart else "", "bold red")
                )
            )
        return out

    def _show_caption(self) -> None:
        caption = self.query_one("#present-caption", Static)
        text = self._caption()
        caption.display = self.captions and text is not None
        if text is not None:
            caption.update(text)
        slide = self.slide
        if self.captions and isinstance(slide, PhotoSlide):
            photo = slide.photo
            if photo.rel not in self._provenance:  # read off the UI thread, then shown
                work = partial(_provenance_of, photo)
                self._jobs.start(work, CaptionProvenanceRead, description=str(photo.path))

    @on(CaptionProvenanceRead)
    def _caption_provenance_read(self, message: CaptionProvenanceRead) -> None:
        rel, found = message.result  # kept by rel: a late read never lands on another photo
        self._provenance[rel] = found
        self._show_caption()

    def _caption(self) -> Content | None:
        """Title (and caption), the first lines of the notes, and the favourite's heart."""
        slide = self.slide
        if isinstance(slide, PhotoSlide):
            photo = slide.photo
            heading = [Content.styled(clean(photo.display_title), "bold")]
            if photo.caption:
                heading.append(Content.styled("  ·  " + clean(photo.caption), "italic"))
            if self._is_favourite(photo):
                heading.append(Content.styled(f"  {HEART}", "bold red"))
            found = self._provenance.get(photo.rel)
            if found is not None and found.credentials.state != NONE:  # the signed badge
                heading.append(Content.assemble("   ", badge(found, photo)))
            notes = first_lines(photo.notes)
        elif isinstance(slide, RevealSlide):
            heading = [Content.styled(clean(slide.comparison.title), "bold")]
            notes = first_lines(slide.comparison.notes)
        else:
            return None
        lines = [Content.assemble(*heading)]
        if notes:
            lines.append(Content.styled(clean(notes), "dim"))
        return Content("\n").join(lines)

    def _show_position(self) -> None:
        mark = self.query_one(SlideMark)
        mark.position = f"{self.index + 1} / {len(self.deck)}"
        self._update_mark()

    def _update_mark(self) -> None:
        mark = self.query_one(SlideMark)
        if mark.message and self._clock() >= self._message_until:
            mark.message = ""
        mark.progress = self.slideshow.progress() if self.slideshow.running else None

    def say(self, message: str) -> None:
        """A short message in the progress row (present mode shows no toasts)."""
        mark = self.query_one(SlideMark)
        mark.message = message
        self._message_until = self._clock() + MESSAGE_TIME
        if self._ticker is not None:
            self._ticker.resume()

    # -- favourites ---------------------------------------------------------------
    def _is_favourite(self, photo: Photo) -> bool:
        picker = self.portfolio_app.picker
        return photo in picker

    def _favourites_line(self) -> str | None:
        picker = self.portfolio_app.picker
        if not picker.active:
            return None
        picked = len(picker.picked)
        who = clean(picker.client or "")
        if not picked:
            return f"{who}: no favourites marked"
        return f"{who}: {count(picked, 'favourite')} {HEART}   (F shows them)"

    # -- the slideshow ---------------------------------------------------------------
    def _tick(self) -> None:
        if self.slideshow.due():
            if self.index < len(self.deck) - 1:
                self.index += 1  # watch_index restarts the countdown
            else:
                self.slideshow.pause()
                self.say("End of the slideshow")
        self._update_mark()
        idle = not self.slideshow.running and not self.query_one(SlideMark).message
        if idle and self._ticker is not None:
            self._ticker.pause()  # nothing to count or to clear: no wake-ups

    def watch_index(self) -> None:
        self.slideshow.restart()
        self._show()

    def watch_captions(self) -> None:
        self._show_caption()

    # -- actions ---------------------------------------------------------------------
    def action_step(self, delta: int) -> None:
        """Next or previous slide (stops at the ends)."""
        self.index = max(0, min(len(self.deck) - 1, self.index + delta))

    def action_jump(self, where: str) -> None:
        """The title card or the end card."""
        self.index = 0 if where == "first" else len(self.deck) - 1

    def action_toggle_play(self) -> None:
        """Start or pause the slideshow."""
        if self.slideshow.toggle():
            if self.index >= len(self.deck) - 1:
                self.index = 0  # from the end card, a slideshow starts again
            self.say(f"Slideshow · {self.slideshow.interval:g} s per photo")
        else:
            self.say("Paused")

    def action_interval(self, direction: int) -> None:
        """More (+1) or fewer (-1) seconds per photo."""
        seconds = self.slideshow.step(direction)
        self.say(f"{seconds:g} s per photo")

    def action_toggle_caption(self) -> None:
        """Show or hide the title and the first lines of the notes."""
        self.captions = not self.captions

    def action_favourite(self) -> None:
        """Mark or unmark the photo on screen as the client's favourite."""
        picker = self.portfolio_app.picker
        if not picker.active:
            self.say("To mark favourites, start with --client NAME")
            return
        reason = picker.read_only_reason
        if reason:
            self.say(f"View only: {clean(reason)}")
            return
        photos = slide_photos(self.slide)
        if len(photos) != 1:
            self.say("Mark a favourite on a single photo (← →)")
            return
        photo = photos[0]
        now = picker.toggle(photo)
        self.say(f"{HEART} Favourite of {clean(picker.client)}" if now else "No longer a favourite")
        self._show_caption()
        if isinstance(self.slide, RevealSlide):
            self._show()

    def action_favourites(self) -> None:
        """The client's favourites so far, as a grid."""
        picker = self.portfolio_app.picker
        if not picker.active:
            self.say("To mark favourites, start with --client NAME")
            return
        from .favourites import FavouritesScreen

        self.app.push_screen(
            FavouritesScreen(picker.client or "", picker.photos(self.portfolio_app.portfolio)),
            self._go_to,
        )

    # -- the blind test ------------------------------------------------------------
    def _comparison_here(self) -> Comparison | None:
        """The comparison on screen: a reveal's, or the one the title card on screen opens."""
        slide = self.slide
        if isinstance(slide, TitleCard) and self.index + 1 < len(self.deck):
            slide = self.deck[self.index + 1]
        return slide.comparison if isinstance(slide, RevealSlide) else None

    def action_blind(self) -> None:
        """Show the comparison on screen blind: labels hidden, sides shuffled."""
        comparison = self._comparison_here()
        if comparison is None:
            self.say("A blind test is of a comparison: go to one first")
            return
        self._blind(comparison)

    def _blind(self, comparison: Comparison) -> None:
        from .present_blind import BlindScreen, blind_ready

        why = blind_ready(comparison)
        if why:
            self.say(why)
            return
        self.slideshow.pause()
        self.app.push_screen(
            BlindScreen(comparison), lambda result: self._after_blind(comparison, result)
        )

    def _after_blind(self, comparison: Comparison, result: object) -> None:
        """Revealed: on to the comparison's side-by-side stage, labels and all."""
        if not getattr(result, "revealed", False):
            return
        for index, slide in enumerate(self.deck):
            if not isinstance(slide, RevealSlide) or not slide.together:
                continue
            if slide.comparison.id == comparison.id:
                self.index = index
                return

    def _go_to(self, photo: Photo | None) -> None:
        """Back from the favourites: to the one chosen, if this deck has it."""
        from ...presentation import index_of

        if photo is not None:
            found = index_of(self.deck, photo)
            if found or isinstance(self.deck[0], PhotoSlide):
                self.index = found

    def action_leave(self) -> None:
        """Back to where the presentation started."""
        self.slideshow.pause()
        self.portfolio_app.leave(self, self.last_photo)
