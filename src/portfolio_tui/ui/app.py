"""The Textual app: curation, favourites, terminal images and start-up; navigation between
screens is in app_navigation.py, and screens own their state."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import RenderableType
from textual import events
from textual.app import SystemCommand
from textual.geometry import Size
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget

from ..curation import CurationStore
from ..graphics.detect import real_window_size
from ..portfolio import Portfolio
from ..problems import shorten_paths
from ..store.sqlite_curation import SqliteCurationStore
from ..text import clean, clean_multiline, count, escape_content_markup
from .app_navigation import NavigatingApp
from .commands import GLOBAL, bindings
from .curating import Curator, Saved, SaveFailed, TagsCounted
from .frame_watch import FrameWatch
from .picking import Picker, PicksFailed
from .pictures import PictureSettings, TerminalImages
from .themes import THEMES

if TYPE_CHECKING:
    from ..store.sqlite_picks import SqlitePicksStore
    from .navigation import Navigation

# The home, loupe, comparison and help screens (and the covers' picture
# widgets and the Markdown widget they bring) are imported when first opened
# (see app_navigation): start-up pays only for what it shows.

_T = TypeVar("_T")

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


class PortfolioApp(NavigatingApp):
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
        blind: bool = False,
    ) -> None:
        """``curation``: the store to use (default: ``curation.sqlite`` in the portfolio root,
        saved as user@host); ``watch_curation``: follow other curators' saves live;
        ``present``: start presenting (the whole portfolio, or ``open_target``);
        ``client``: whose favourites ``h`` marks while presenting, saved in ``picks``;
        ``viewer``: a viewer's session, whose notices name no path on the server;
        ``blind``: with ``present`` and a comparison as ``open_target``, start with its
        blind test (labels hidden, sides shuffled)."""
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
        self.frames = FrameWatch()
        """Which Sixel images the frames carried to the terminal (see ``ui.frame_watch``)."""
        self._theme_name = theme or portfolio.config.display.theme
        self.title = "portfolio-tui"
        store = curation if curation is not None else SqliteCurationStore(portfolio.config.root)
        self.curator = Curator(self, store, self.announce_curation)
        """Ratings, flags, labels, tags, notes, order and covers (see ``ui.curating``)."""
        self._watch_curation = watch_curation
        self._stop_watching = asyncio.Event()
        self.auto_advance = False
        """After a rating or flag, move to the next photo."""
        self._last_input = time.monotonic()
        self._last_full_collection = time.monotonic()
        self._present_first = present
        self._blind_first = blind
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
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write = self.frames.watch(driver.write)  # type: ignore[method-assign,assignment]
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

    def announce_curation(self, photos: set[str] | None) -> None:
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


def _runner(node: Widget, action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await node.run_action(action)

    return run


def _opener(function: Callable[[_T], object], item: _T) -> Callable[[], object]:
    return lambda: function(item)


if TYPE_CHECKING:

    def _screens_see(app: PortfolioApp) -> Navigation:
        return app  # mypy checks here that the app is what ui.navigation says screens use
