"""The app's navigation: opening, leaving and presenting screens.

:class:`NavigatingApp` is the base class of :class:`~portfolio_tui.ui.app.PortfolioApp` that
holds what :class:`~portfolio_tui.ui.navigation.Navigation` names for going places (the
loupe, comparison, survey, home and present screens are imported when first opened).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.screen import Screen

from ..portfolio import Comparison, ComparisonSide, Gallery, Photo, PhotoSet, Portfolio
from ..text import clean
from .screens.gallery import GalleryScreen

if TYPE_CHECKING:
    from ..presentation import Slide
    from .curating import Curator


class NavigatingApp(App[None]):
    """Opening, leaving and presenting screens; the app proper is ``PortfolioApp``."""

    portfolio: Portfolio
    curator: Curator
    _blind_first: bool = False
    """``--blind``: a comparison presented from the command line starts with its blind test."""

    # -- navigation (screens call these) ----------------------------------------
    def open_path(self, target: str, *, first: bool = False) -> bool:
        """Open ``gallery:ID``, ``comparison:ID`` or ``photo:REL``; False if there is none.

        ``first``: the app's first screen, whose grid is drawn once complete.
        """
        kind, _, value = target.partition(":")
        if kind == "gallery":
            gallery = self.portfolio.gallery(value)
            if gallery is not None:
                self.push_screen(GalleryScreen(gallery, hold=first))
                return True
        elif kind == "comparison":
            comparison = self.portfolio.comparison(value)
            if comparison is not None:
                self.open_comparison(comparison)
                return True
        elif kind == "photo":
            photo = self.portfolio.photo(value)
            if photo is not None:
                self.open_single(photo)
                return True
        return False

    def leave(self, screen: Screen[Any], result: Any = None) -> None:
        """Close ``screen``; when it is the first screen (opened by --open), home replaces it."""
        if len(self.screen_stack) <= 2 and screen is self.screen:
            self.switch_screen(self._home())
        else:
            screen.dismiss(result)

    def _home(self) -> Screen[Any]:
        from .screens.home import HomeScreen

        return HomeScreen(self.portfolio)

    def open_gallery(self, gallery: Gallery, cursor: int = 0) -> GalleryScreen:
        """Show a gallery's grid."""
        screen = GalleryScreen(gallery, cursor)
        self.push_screen(screen)
        return screen

    def open_photo(self, gallery: Gallery | None, photos: PhotoSet, index: int) -> None:
        """Show a photo in the loupe; the grid follows to where the loupe ended."""
        below = self.screen

        def follow(end: int | None) -> None:
            if isinstance(below, GalleryScreen) and end is not None:
                below.follow(end)

        from .screens.loupe import LoupeScreen

        self.push_screen(LoupeScreen(gallery, photos, index), follow)

    def open_single(self, photo: Photo) -> None:
        """Open a photo's loupe over its gallery's grid (or on its own)."""
        gallery = self.portfolio.gallery(photo.gallery_id) if photo.gallery_id else None
        if gallery is not None and photo in gallery.photos:
            index = gallery.photos.index(photo)
            self.open_gallery(gallery, index)
            self.open_photo(gallery, PhotoSet(gallery.photos), index)
        else:
            self.open_photo(None, PhotoSet([photo]), 0)

    def open_comparison(self, comparison: Comparison, candidates: Sequence[Photo] = ()) -> None:
        """Show a comparison; ``candidates`` are what the right side steps through."""
        from .screens.compare import CompareScreen

        self.push_screen(CompareScreen(comparison, candidates))

    def compare_photos(self, photos: Sequence[Photo], candidates: Sequence[Photo] = ()) -> None:
        """An ad hoc comparison: the first photo is the select, the next the candidate."""
        labels = ["Select", "Candidate"] if len(photos) == 2 else [""] * len(photos)
        sides = tuple(
            ComparisonSide(photo.rel, label or photo.display_title, photo)
            for photo, label in zip(photos, labels, strict=False)
        )
        title = "  vs  ".join(clean(photo.display_title) for photo in photos[:4])
        self.open_comparison(Comparison("ad-hoc", title, sides), candidates)

    def survey_photos(self, photos: Sequence[Photo]) -> None:
        """Every photo side by side at the largest equal size."""
        from .screens.survey import SurveyScreen

        self.push_screen(SurveyScreen(list(photos)))

    # -- presenting -------------------------------------------------------------------
    def _present(
        self,
        deck: Sequence[Slide],
        start: int = 0,
        then: Callable[[Photo | None], None] | None = None,
        blind: bool = False,
    ) -> None:
        from .screens.present import PresentScreen

        settings = self.portfolio.config.present
        screen = PresentScreen(
            deck, start, interval=settings.interval, captions=settings.captions, blind=blind
        )
        self.push_screen(screen, then)

    def present_photos(
        self,
        gallery: Gallery | None,
        photos: Sequence[Photo],
        start: Photo | None = None,
        then: Callable[[Photo | None], None] | None = None,
    ) -> None:
        """``photos`` full screen between a title and an end card, from ``start``'s slide."""
        from ..presentation import gallery_deck, index_of, photos_deck

        if gallery is not None:
            deck = gallery_deck(self.portfolio, gallery, photos)
        else:
            deck = photos_deck(self.portfolio, photos, "Selected photographs")
        self._present(deck, index_of(deck, start) if start is not None else 0, then)

    def present_comparison(self, comparison: Comparison, blind: bool = False) -> None:
        """A comparison as a reveal: each photo alone, then side by side (``blind``: its
        blind test first, over the title card)."""
        from ..presentation import comparison_deck

        self._present(comparison_deck(self.portfolio, comparison), blind=blind)

    def action_present_portfolio(self) -> None:
        """Every gallery (curated order, no rejects), then every comparison."""
        from ..presentation import portfolio_deck

        self._present(portfolio_deck(self.portfolio, self.curator.snapshot))

    def _present_target(self, target: str | None) -> None:
        """``--present``: the whole portfolio, or the gallery, comparison or photo named."""
        from ..presentation import presentable

        kind, _, value = (target or "").partition(":")
        gallery = self.portfolio.gallery(value) if kind == "gallery" else None
        comparison = self.portfolio.comparison(value) if kind == "comparison" else None
        photo = self.portfolio.photo(value) if kind == "photo" else None
        if gallery is not None:
            self.present_photos(gallery, presentable(gallery, self.curator.snapshot))
        elif comparison is not None:
            self.present_comparison(comparison, blind=self._blind_first)
        elif photo is not None:
            home = self.portfolio.gallery(photo.gallery_id or "")
            if home is not None:
                self.present_photos(home, presentable(home, self.curator.snapshot), photo)
            else:
                self.present_photos(None, [photo], photo)
        else:
            self.action_present_portfolio()
