"""What a presentation to a client shows, in order, and the slideshow's clock.

A presentation is a *deck*: a title card, the photos (a comparison becomes a
reveal: each side alone, then all side by side), and an end card. Building it
is plain data work, tested without a terminal; ``ui/screens/present.py`` draws it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..curation import Snapshot, in_order
from ..text import count
from .portfolio_types import Comparison, Gallery, Photo, Portfolio

INTERVAL_STEPS = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 30.0, 45.0, 60.0)
"""The intervals + and - step through (seconds); a configured value between them is kept."""


@dataclass(frozen=True)
class TitleCard:
    """The opening card, or one that opens a gallery or a comparison in a longer deck."""

    title: str
    photographer: str | None = None
    subtitle: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class PhotoSlide:
    """One photo, full screen."""

    photo: Photo
    gallery: Gallery | None = None


@dataclass(frozen=True)
class RevealSlide:
    """One stage of a comparison's reveal: some of its sides (one alone, or all together)."""

    comparison: Comparison
    shown: tuple[int, ...]
    """Indices into ``comparison.sides`` (only sides whose photo exists)."""

    @property
    def together(self) -> bool:
        """True for the side-by-side stage."""
        return len(self.shown) > 1

    @property
    def photos(self) -> tuple[Photo, ...]:
        """The photos on screen, left to right."""
        return tuple(p for i in self.shown if (p := self.comparison.sides[i].photo) is not None)


@dataclass(frozen=True)
class EndCard:
    """The closing card."""

    photographer: str | None
    closing: str
    credits: tuple[str, ...] = ()


Slide = TitleCard | PhotoSlide | RevealSlide | EndCard


def presentable(gallery: Gallery, snapshot: Snapshot) -> list[Photo]:
    """A gallery's photos as a client should see them: the curated order, rejects left out."""
    by_name = {p.name: p for p in gallery.photos}
    ordered = [
        by_name[name] for name in in_order(list(by_name), snapshot.order.get(gallery.id, ()))
    ]
    return [p for p in ordered if snapshot.photo(p.rel).flag != "reject"]


def reveal(comparison: Comparison) -> list[RevealSlide]:
    """Each side alone (A, then B ...), then all of them side by side."""
    present = [i for i, side in enumerate(comparison.sides) if side.photo is not None]
    stages = [RevealSlide(comparison, (i,)) for i in present]
    if len(present) > 1:
        stages.append(RevealSlide(comparison, tuple(present)))
    return stages


def _opening(portfolio: Portfolio, subtitle: str | None, detail: str | None) -> TitleCard:
    return TitleCard(portfolio.title, portfolio.config.photographer, subtitle, detail)


def _ending(portfolio: Portfolio) -> EndCard:
    config = portfolio.config
    return EndCard(config.photographer, config.present.closing, config.credits)


def photo_count(photos: Sequence[Photo]) -> str:
    """``12 photographs``."""
    return count(len(photos), "photograph")


def gallery_deck(portfolio: Portfolio, gallery: Gallery, photos: Sequence[Photo]) -> list[Slide]:
    """Title card, ``photos`` (the gallery's, as chosen by the caller), end card."""
    return [
        _opening(portfolio, gallery.title, photo_count(photos)),
        *(PhotoSlide(photo, gallery) for photo in photos),
        _ending(portfolio),
    ]


def comparison_deck(portfolio: Portfolio, comparison: Comparison) -> list[Slide]:
    """Title card, the reveal, end card."""
    return [_opening(portfolio, comparison.title, None), *reveal(comparison), _ending(portfolio)]


def photos_deck(portfolio: Portfolio, photos: Sequence[Photo], subtitle: str) -> list[Slide]:
    """A chosen set of photos (a client's favourites, the marked ones) between the cards."""
    return [
        _opening(portfolio, subtitle, photo_count(photos)),
        *(PhotoSlide(photo, portfolio.gallery(photo.gallery_id or "")) for photo in photos),
        _ending(portfolio),
    ]


def portfolio_deck(portfolio: Portfolio, snapshot: Snapshot) -> list[Slide]:
    """The whole portfolio: every gallery behind its own card, then every comparison."""
    shown = [(g, presentable(g, snapshot)) for g in portfolio.galleries]
    total = sum(len(photos) for _, photos in shown)
    deck: list[Slide] = [_opening(portfolio, None, photo_count([p for _, ps in shown for p in ps]))]
    if not total and not portfolio.comparisons:
        deck[0] = _opening(portfolio, None, "no photographs yet")
    for gallery, photos in shown:
        if photos:
            deck.append(TitleCard(gallery.title, None, None, photo_count(photos)))
            deck.extend(PhotoSlide(photo, gallery) for photo in photos)
    for comparison in portfolio.comparisons:
        stages = reveal(comparison)
        if stages:
            deck.append(TitleCard(comparison.title, None, None, None))
            deck.extend(stages)
    deck.append(_ending(portfolio))
    return deck


def index_of(deck: Sequence[Slide], photo: Photo | None) -> int:
    """Where ``photo``'s slide is (the title card when it has none)."""
    if photo is not None:
        for index, slide in enumerate(deck):
            if isinstance(slide, PhotoSlide) and slide.photo.rel == photo.rel:
                return index
    return 0


def slide_photos(slide: Slide) -> tuple[Photo, ...]:
    """The photos a slide shows."""
    if isinstance(slide, PhotoSlide):
        return (slide.photo,)
    if isinstance(slide, RevealSlide):
        return slide.photos
    return ()


def first_lines(notes: str, limit: int = 220) -> str:
    """The first paragraph of Markdown notes as plain text, cut at a word near ``limit``."""
    lines: list[str] = []
    for raw in notes.strip().splitlines():
        line = raw.strip()
        if not line:
            if lines:
                break
            continue
        if line.startswith("#") or set(line) <= set("-*_= "):
            continue  # headings and rules are structure, not the note
        line = line.lstrip(">").strip()
        if line[:2] in ("- ", "* ", "+ "):
            line = line[2:]
        lines.append(line.replace("**", "").replace("__", "").replace("`", ""))
    text = " ".join(lines)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + " …"
    return text


class Slideshow:
    """When the slideshow moves on: an interval, a running flag, and a clock.

    The countdown starts again whenever the slide changes (by the show or by a
    key), so a photo the presenter turned to gets its full time. ``clock`` is
    injectable so tests run minutes of slideshow in no time.
    """

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self.running = False
        self._started = clock()

    def start(self) -> None:
        """Run, counting from now."""
        self.running = True
        self._started = self.clock()

    def pause(self) -> None:
        """Stop moving on (the slide stays)."""
        self.running = False

    def toggle(self) -> bool:
        """Start or pause; True when now running."""
        if self.running:
            self.pause()
        else:
            self.start()
        return self.running

    def restart(self) -> None:
        """The slide changed: give it the whole interval."""
        self._started = self.clock()

    def due(self) -> bool:
        """Time to move on."""
        return self.running and self.clock() - self._started >= self.interval

    def progress(self) -> float:
        """How much of this slide's time has passed, 0 to 1 (0 when paused)."""
        if not self.running:
            return 0.0
        return max(0.0, min(1.0, (self.clock() - self._started) / self.interval))

    def step(self, direction: int) -> float:
        """A longer (+1) or shorter (-1) interval from :data:`INTERVAL_STEPS`; the new one."""
        now = self.interval
        if direction > 0:
            self.interval = next((s for s in INTERVAL_STEPS if s > now + 1e-9), now)
        else:
            self.interval = next((s for s in reversed(INTERVAL_STEPS) if s < now - 1e-9), now)
        return self.interval
