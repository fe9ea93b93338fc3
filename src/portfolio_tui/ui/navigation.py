"""What screens use from the app, as one typed protocol: the curator, the picker, and going places.

Screens reach the app through :func:`navigation` (or a ``portfolio_app`` property built on
it), never by importing ``ui.app``: the app imports the screens, so the screens import only
this leaf module, and need no ``type: ignore`` for the app's own names.
:class:`~portfolio_tui.ui.app.PortfolioApp` is the one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from ..portfolio import Comparison, Gallery, Photo, PhotoSet, Portfolio
    from .curating import Curator
    from .picking import Picker


class Navigation(Protocol):
    """The app as a screen sees it."""

    portfolio: Portfolio
    curator: Curator
    """Ratings, flags, labels, tags, notes, order and covers."""
    picker: Picker
    """The favourites of the client being presented to (``--client``)."""
    auto_advance: bool
    """After a rating or flag, move to the next photo."""

    @property
    def curation_flags(self) -> str:
        """The title bar's note on curation: view only, not saved, auto-advance."""
        ...

    def announce_curation(self, photos: set[str] | None) -> None:
        """Tell every screen what changed (None: everything may have)."""
        ...

    def leave(self, screen: Screen[Any], result: Any = None) -> None:
        """Close ``screen`` (home replaces the first screen)."""
        ...

    def open_gallery(self, gallery: Gallery, cursor: int = 0) -> Screen[Any]:
        """Show a gallery's grid."""
        ...

    def open_photo(self, gallery: Gallery | None, photos: PhotoSet, index: int) -> None:
        """Show a photo in the loupe."""
        ...

    def open_comparison(self, comparison: Comparison, candidates: Sequence[Photo] = ()) -> None:
        """Show a comparison."""
        ...

    def compare_photos(self, photos: Sequence[Photo], candidates: Sequence[Photo] = ()) -> None:
        """An ad hoc comparison."""
        ...

    def survey_photos(self, photos: Sequence[Photo]) -> None:
        """Every photo side by side."""
        ...

    def present_photos(
        self,
        gallery: Gallery | None,
        photos: Sequence[Photo],
        start: Photo | None = None,
        then: Callable[[Photo | None], None] | None = None,
    ) -> None:
        """Present ``photos`` full screen."""
        ...

    def present_comparison(self, comparison: Comparison, blind: bool = False) -> None:
        """Present a comparison as a reveal (``blind``: starting with its blind test)."""
        ...


def navigation(app: App[Any]) -> Navigation:
    """``app`` (a screen's ``self.app``) as screens use it."""
    return cast("Navigation", app)
