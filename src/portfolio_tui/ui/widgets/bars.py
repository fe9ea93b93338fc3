"""The one-line title bar at the top of each screen."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey


class TitleBar(Horizontal):
    """Where you are on the left, position or counts on the right."""

    DEFAULT_CSS = """
    TitleBar {
        height: 1;
        dock: top;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    TitleBar > #title {
        width: 1fr; padding-right: 2; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis;
    }
    TitleBar > #status { width: auto; color: $text-muted; text-wrap: nowrap; }
    """

    def __init__(self, title: Content | str = "", status: Content | str = "") -> None:
        super().__init__()
        self._title = title
        self._status = status

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="title", markup=False)
        yield Static(self._status, id="status", markup=False)

    def set(self, title: Content | str | None = None, status: Content | str | None = None) -> None:
        """Update either side."""
        if title is not None:
            self.query_one("#title", Static).update(title)
        if status is not None:
            self.query_one("#status", Static).update(status)


class KeysFooter(Footer):
    """Textual's footer, rebuilt only when the keys it would show change.

    Textual's Footer rebuilds all its keys whenever a screen's bindings may
    have changed (every focus change), which happens three times while a
    screen starts and costs a full-screen layout each time; the keys shown
    are the same each time.
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[object, ...] | None = None

    def _keys(self) -> tuple[object, ...]:
        return tuple(
            (binding.key, binding.action, binding.description, binding.show, enabled)
            for (_, binding, enabled, _) in self.screen.active_bindings.values()
        )

    def compose(self) -> ComposeResult:
        # Before the screen's bindings are ready the footer composes nothing.
        self._shown = self._keys() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # A key starts compact and is then bound to the footer's (not
                # compact): each change restyles it, twice per key per compose.
                # Born with the footer's value, it is styled once. (The
                # command palette's key is not bound and stays compact.)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and self._keys() == self._shown:
            self._bindings_ready = True
            return
        super().bindings_changed(screen)
