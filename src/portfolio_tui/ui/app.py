"""The Textual app: small on purpose; screens own their state."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from textual import events
from textual.app import App, SystemCommand
from textual.geometry import Size
from textual.notifications import SeverityLevel
from textual.screen import Screen

from ..curation import CurationStore
from ..graphics.detect import real_window_size
from ..portfolio import Comparison, ComparisonSide, Gallery, Photo, PhotoSet, Portfolio
from ..problems import shorten_paths
from ..store.sqlite_curation import SqliteCurationStore
from ..text import clean, clean_multiline, count, escape_content_markup
from .commands import GLOBAL, bindings
from .curating import Curator, Saved, SaveFailed, TagsCounted
from .picking import Picker, PicksFailed
from .pictures import PictureSettings, TerminalImages
from .screens.gallery import GalleryScreen
from .themes import THEMES

if TYPE_CHECKING:
    from ..presentation import Slide
    from ..store.sqlite_picks import SqlitePicksStore

# The home, loupe, comparison and help screens (and the covers' picture
# widgets and the Markdown widget they bring) are imported when first opened:
# start-up pays only for what it shows.

GRAPHICS_NAMES = {
    "halfblock": "colour half-blocks",
    "kitty": "Kitty graphics (real pixels)",
    "sixel": "Sixel graphics (real pixels)",
}


GARBAGE_IDLE = 0.5
"""Seconds without a key or mouse event before the app collects garbage itself."""
GARBAGE_FULL = 30.0
"""Seconds between full collections (only when idle for a few seconds)."""
GARBAGE_MOST = 300_000
"""Young objects after which the young generations are collected even mid-burst."""

WATCH_DELAY = 0.5
"""Seconds after start before other curators' saves are watched for (the first load reads them)."""


class _Base(Screen[None]):
    """Textual's default screen, under the first screen this app shows; never seen.

    Textual lays out the screen under the top one (in case the top one is
    translucent) and hands what it never painted up to the top screen as a
    repaint: with the plain default screen, two extra full-screen frames at
    start-up. The first screen this app pushes is always opaque, so this one
    counts as current only while it is on top.
    """

    @property
    def is_current(self) -> bool:
        return self.is_active


class PortfolioApp(App[None]):
    """Browse a portfolio: home, gallery grid, loupe, comparisons."""

    CSS_PATH = "app.tcss"
    BINDINGS = bindings(GLOBAL)
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        portfolio: Portfolio,
        *,
        open_target: str | None = None,
        pictures: PictureSettings | None = None,
        colors: str | None = None,
        theme: str | None = None,
        typeahead: bytes = b"",
        curation: SqliteCurationStore | CurationStore | None = None,
        watch_curation: bool = True,
        present: bool = False,
        client: str | None = None,
        picks: SqlitePicksStore | None = None,
        viewer: bool = False,
    ) -> None:
        """``curation``: the store to use (default: ``curation.sqlite`` in the portfolio root,
        saved as user@host); ``watch_curation``: follow other curators' saves live;
        ``present``: start presenting (the whole portfolio, or ``open_target``);
        ``client``: whose favourites ``h`` marks while presenting, saved in ``picks``;
        ``viewer``: a viewer's session, whose notices name no path on the server."""
        super().__init__()
        self.viewer = viewer
        self._typeahead = typeahead
        self.color_choice = colors or portfolio.config.display.colors
        self.portfolio = portfolio
        self.open_target = open_target
        if pictures is None:
            pictures = PictureSettings(reason="no terminal was asked (half-blocks work everywhere)")
        self.pictures = pictures
        """How photos reach this terminal (found by ``graphics.detect`` before start)."""
        self.terminal_images = TerminalImages(self._write_graphics, pictures)
        self._theme_name = theme or portfolio.config.display.theme
        self.title = "portfolio-tui"
        store = curation if curation is not None else SqliteCurationStore(portfolio.config.root)
        self.curator = Curator(self, store, self._curation_changed)
        """Ratings, flags, labels, tags, notes, order and covers (see ``ui.curating``)."""
        self._watch_curation = watch_curation
        self._stop_watching = asyncio.Event()
        self.auto_advance = False
        """After a rating or flag, move to the next photo."""
        self._last_input = time.monotonic()
        self._last_full_collection = time.monotonic()
        self._present_first = present
        if client is not None and picks is None:
            from ..store.sqlite_picks import SqlitePicksStore

            picks = SqlitePicksStore(portfolio.config.root, author=store.author)
        self.picker = Picker(self, picks, client)
        """The favourites of the client being presented to (``--client``)."""

    @property
    def graphics_description(self) -> str:
        """Which picture mode is active, and why (shown in help)."""
        colours = {
            "truecolor": "24-bit colour",
            "256": "256 colours",
            "standard": "16 colours",
            "windows": "16 colours",
        }.get(str(self.console.color_system), str(self.console.color_system))
        mode = self.pictures.mode
        why = self.pictures.reason or "the default"
        if self.pictures.graphics:
            width, height = self.pictures.cell_size
            why += f"; a cell is {width}x{height} pixels"
        depth = (
            f'forced by colors = "{self.color_choice}"'
            if self.color_choice != "auto"
            else "as the terminal reports (COLORTERM, TEXTUAL_COLOR_SYSTEM)"
        )
        return (
            f"Pictures: {GRAPHICS_NAMES.get(mode, mode)} ({why}). "
            f"Text and half-blocks: {colours}, {depth}."
        )

    def get_default_screen(self) -> Screen[Any]:
        return _Base(id="_default")

    def exit(
        self,
        result: None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        """Leave, once every curation change is on disk; delete Kitty images left behind."""
        self.curator.close(timeout=5)  # the CLI reports anything left unsaved
        self.picker.close(timeout=5)
        self._stop_watching.set()
        self.terminal_images.clear()
        super().exit(result, return_code, message)

    def _write_graphics(self, data: str) -> None:
        """Write an image escape sequence to the terminal, in order with the frames."""
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(data)

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        if self._theme_name in self.available_themes:
            self.theme = self._theme_name
        self.curator.load()
        self.picker.load()
        if not gc.isenabled():  # the CLI turned automatic collection off (see cli)
            self.set_interval(1.0, self.collect_garbage, name="garbage")
        if self._watch_curation:
            # Not before the first frame: watchfiles (and anyio) cost start-up time.
            self.set_timer(WATCH_DELAY, self._watch_others, name="curation-watch")
        # With --open the target is the first screen: home (its cards and cover
        # decodes) is only built when the user goes back to it (see leave()).
        if self._present_first:
            self._present_target(self.open_target)
        elif not (self.open_target and self.open_path(self.open_target, first=True)):
            self.push_screen(self._home())
        # After the first refresh, so the toast lands on the screen now showing.
        self.call_after_refresh(self._report_problems)
        if self._typeahead:
            self.call_after_refresh(self._replay_typeahead)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent)):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def collect_garbage(self) -> None:
        """Collect reference cycles while nobody is pressing keys (automatic collection is off).

        Young generations when the keyboard has been idle half a second (or
        when very many young objects have piled up, say during a long key
        hold); everything, every half minute, when it has been idle longer.
        """
        now = time.monotonic()
        idle = now - self._last_input
        if idle >= GARBAGE_IDLE * 4 and now - self._last_full_collection >= GARBAGE_FULL:
            gc.collect()
            self._last_full_collection = now
        elif idle >= GARBAGE_IDLE or gc.get_count()[0] >= GARBAGE_MOST:
            gc.collect(1)

    def _watch_others(self) -> None:
        # The coroutine is made when the worker runs: an app quitting before then
        # leaves no "never awaited" warning behind.
        self.run_worker(
            self._follow_others,  # type: ignore[arg-type]  # Textual types callables oddly
            group="curation-watch",
            exit_on_error=False,
        )

    async def _follow_others(self) -> None:
        await self.curator.watch(self._stop_watching)

    def on_unmount(self) -> None:
        self._stop_watching.set()  # the watcher's thread ends within its timeout

    # -- curation -------------------------------------------------------------------
    def on_saved(self, message: Saved) -> None:
        self.curator.saved(message)

    def on_save_failed(self, message: SaveFailed) -> None:
        self.curator.failed(message)

    def on_tags_counted(self, message: TagsCounted) -> None:
        self.curator.tags_counted(message)

    def on_picks_failed(self, message: PicksFailed) -> None:
        self.picker.failed(message)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast of plain text, except in front of a client: there only errors are shown.

        ``markup`` is accepted for Textual's signature and ignored. Notices carry file
        names, titles and error texts, and ``Widget.notify`` asks for markup by default: a
        photo named ``[@click=app.screenshot(...)]x.jpg`` became a link that wrote a file,
        and ``[a=b=c]x.jpg`` crashed the app (issue 21). So no notice is ever markup,
        whoever sends it, and control characters in it are made visible. In a viewer's
        session paths are shown relative to the portfolio, or by name (``shorten_paths``).
        """
        if getattr(self.screen, "presenting", False) and severity != "error":
            return
        if self.viewer:  # a store's or a writer's message names its file in full
            root = self.portfolio.config.root
            message, title = shorten_paths(message, root), shorten_paths(title, root)
        super().notify(
            clean_multiline(message),
            title=clean(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_help_quit(self) -> None:
        """Ctrl+C: say how to quit (Textual's own hint is markup, which notices never are)."""
        self.notify("Press Ctrl+Q to quit the app", title="Do you want to quit?")

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Do nothing: the app writes no screenshots (Textual's action saves an SVG anywhere).

        The command palette's Screenshot entry is gone too; this closes the action itself to
        any link that might still reach it.
        """

    @property
    def size(self) -> Size:
        """The terminal's size in cells, as much of it as the app lays out (see ``_on_resize``)."""
        return Size(*real_window_size(*super().size))

    async def _on_resize(self, event: events.Resize) -> None:
        """Lay out at most ``WINDOW_COLUMNS`` x ``WINDOW_ROWS`` cells, whatever the terminal
        claims (issue 21: a viewer's window of 4000 x 1200 cells took the server to 1.3 GB)."""
        size = Size(*real_window_size(*event.size))
        if size != event.size:
            # Textual calls each class's _on_resize in turn: App's gets the bounded event
            # here, and prevent_default keeps it from seeing the claimed one after.
            await super()._on_resize(events.Resize(size, size, pixel_size=event.pixel_size))
            event.prevent_default()

    def _curation_changed(self, photos: set[str] | None) -> None:
        """Tell every screen (shown or under another) what changed; they redraw what shows it."""
        for screen in self.screen_stack:
            changed = getattr(screen, "curation_changed", None)
            if changed is not None:
                changed(photos)

    @property
    def curation_flags(self) -> str:
        """The title bar's note on curation: view only, not saved, auto-advance."""
        flags = []
        reason = self.curator.read_only_reason
        if reason:
            flags.append("VIEW ONLY")
        elif self.curator.error:
            flags.append("NOT SAVED")
        if self.auto_advance and not reason:
            flags.append("auto-advance")
        return " · ".join(flags)

    def _replay_typeahead(self) -> None:
        """Keys typed while the terminal was being asked about graphics: handled now."""
        from textual._xterm_parser import XTermParser

        parser = XTermParser()
        text = self._typeahead.decode("utf-8", "replace")
        for message in [*parser.feed(text), *parser.feed("")]:
            if isinstance(message, events.Key):
                message.set_sender(self)
                self.post_message(message)

    def _report_problems(self) -> None:
        """Name the first few loading problems; the rest of the portfolio works.

        Paths are relative to the portfolio root, or a name alone (``Problem.shown``):
        whoever reads the screen, a viewer over SSH too, learns no folder of the server.
        """
        problems = self.portfolio.problems
        if problems:
            root = self.portfolio.config.root
            shown = "\n".join(f"• {p.shown(root)}" for p in problems[:3])
            more = f"\n… and {len(problems) - 3} more." if len(problems) > 3 else ""
            self.notify(
                f"{shown}{more}\nThe rest of the portfolio works; "
                "'portfolio-tui check' lists every problem.",
                title=f"{count(len(problems), 'problem')} in this portfolio",
                severity="warning",
                markup=False,
                timeout=12,
            )

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
    ) -> None:
        from .screens.present import PresentScreen

        settings = self.portfolio.config.present
        screen = PresentScreen(deck, start, interval=settings.interval, captions=settings.captions)
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

    def present_comparison(self, comparison: Comparison) -> None:
        """A comparison as a reveal: each photo alone, then side by side."""
        from ..presentation import comparison_deck

        self._present(comparison_deck(self.portfolio, comparison))

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
            self.present_comparison(comparison)
        elif photo is not None:
            home = self.portfolio.gallery(photo.gallery_id or "")
            if home is not None:
                self.present_photos(home, presentable(home, self.curator.snapshot), photo)
            else:
                self.present_photos(None, [photo], photo)
        else:
            self.action_present_portfolio()

    def action_help(self) -> None:
        """Show every key."""
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.graphics_description))

    # -- command palette ----------------------------------------------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action of the current screen, plus going to any gallery or comparison."""
        seen: set[str] = set()
        for node in (screen.focused, screen):
            if node is None:
                continue
            for binding in node._bindings:
                b = binding[1] if isinstance(binding, tuple) else binding
                if b.id and b.id not in seen and b.description:
                    seen.add(b.id)
                    yield SystemCommand(
                        b.description,
                        f"{b.id} ({b.key})",
                        _runner(node, b.action),
                    )
        for gallery in self.portfolio.galleries:
            yield SystemCommand(
                f"Gallery: {escape_content_markup(gallery.title)}",
                f"{len(gallery)} photos",
                _opener(self.open_gallery, gallery),
                discover=False,
            )
        for comparison in self.portfolio.comparisons:
            yield SystemCommand(
                f"Compare: {escape_content_markup(comparison.title)}",
                f"{len(comparison.sides)} photos",
                _opener(self.open_comparison, comparison),
                discover=False,
            )
        yield SystemCommand("Help", "Show every key", self.action_help)
        # Textual's "Screenshot" saves an SVG in the Downloads folder: a file written
        # outside the portfolio, which a viewer (docs/ssh.md) must not be able to do.
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command


def _runner(node: object, action: str):  # type: ignore[no-untyped-def]
    async def run() -> None:
        await node.run_action(action)  # type: ignore[attr-defined]

    return run


def _opener(function, item):  # type: ignore[no-untyped-def]
    return lambda: function(item)
