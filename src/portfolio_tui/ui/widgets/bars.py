"""The one-line title bar at the top of each screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static


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
    TitleBar > #title { width: 1fr; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis; }
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
