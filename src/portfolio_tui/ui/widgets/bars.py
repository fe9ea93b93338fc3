"""The one-line bars: the title bar at the top of each screen, the keys at the bottom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.style import Style as VisualStyle
from textual.widget import Widget
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
    TitleBar > #title {
        width: 1fr; padding-right: 2; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis;
    }
    TitleBar > #status { width: auto; color: $text-muted; text-wrap: nowrap; }
    """

    def __init__(self, title: Content | str = "", status: Content | str = "") -> None:
        super().__init__()
        self._title = title
        self._status = status
        self._status_width = (
            Content(status).cell_length if isinstance(status, str) else status.cell_length
        )

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="title", markup=False)
        yield Static(self._status, id="status", markup=False)

    def set(self, title: Content | str | None = None, status: Content | str | None = None) -> None:
        """Update either side.

        Without a layout pass unless the status changes width: the title takes
        whatever room is left, so a new title never moves anything. (A layout
        pass costs a stepping loupe tens of milliseconds a photo.)
        """
        # The same text again (another curator changed a photo not shown) draws nothing.
        if title is not None and title != self._title:
            self._title = title
            self.query_one("#title", Static).update(title, layout=False)
        if status is not None and status != self._status:
            self._status = status
            bar = self.query_one("#status", Static)
            before = self._status_width
            self._status_width = (
                Content(status).cell_length if isinstance(status, str) else status.cell_length
            )
            bar.update(status, layout=self._status_width != before)


class KeysFooter(Widget, can_focus=False):
    """The active keys in one line, drawn by one widget.

    Textual's Footer is a container of one widget per key that it rebuilds
    whenever a screen's bindings may have changed (every focus change, three
    times while a screen starts), and each rebuild is a full-screen layout and
    repaint. This footer draws the same line itself, so a change of keys is a
    repaint of one line. A click on a key presses it; the command palette's
    key sits at the right edge.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "keys-footer--key",
        "keys-footer--description",
        "keys-footer--hover",
        "keys-footer--rule",
    }
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .keys-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .keys-footer--hover { background: $block-hover-background; }
        & > .keys-footer--rule { color: $foreground 20%; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[_FooterKey, ...] = ()
        self._palette: _FooterKey | None = None
        self._hover: _FooterKey | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if screen is not self.screen:
            return
        app = self.app
        keys: list[_FooterKey] = []
        palette: _FooterKey | None = None
        seen: set[str] = set()
        for name, (_, binding, enabled, _) in screen.active_bindings.items():
            if name == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = _FooterKey(
                    binding.key, app.get_key_display(binding), binding.description, enabled
                )
            elif binding.show and binding.action not in seen:
                seen.add(binding.action)  # one entry per action, as Textual's footer
                keys.append(
                    _FooterKey(
                        binding.key, app.get_key_display(binding), binding.description, enabled
                    )
                )
        if (tuple(keys), palette) != (self._keys, self._palette):
            self._keys, self._palette = tuple(keys), palette
            self.refresh()

    def _spans(self, width: int) -> list[tuple[int, int, _FooterKey]]:
        """Where each key is drawn: (start, end, key), left to right.

        The palette's key keeps the right edge; keys that do not fit before it
        are cut off there, as in Textual's footer.
        """
        limit = width - (self._palette.width if self._palette is not None else 0)
        spans: list[tuple[int, int, _FooterKey]] = []
        x = 0
        for key in self._keys:
            if x >= limit:
                break
            spans.append((x, min(x + key.width, limit), key))
            x += key.width
        if self._palette is not None:
            spans.append((max(0, limit), width, self._palette))
        return spans

    def render(self) -> Content:
        width = self.size.width
        key_style = self.get_visual_style("keys-footer--key")
        text_style = self.get_visual_style("keys-footer--description")
        hover_style = self.get_visual_style("keys-footer--hover")
        rule_style = self.get_visual_style("keys-footer--rule")
        line = Content("")
        for start, end, key in self._spans(width):
            pieces = [(f" {key.display} ", key_style), (f"{key.description} ", text_style)]
            if key is self._palette:
                pieces = [
                    ("\u258f", rule_style),
                    (key.display, key_style),
                    (f" {key.description} ", text_style),
                ]
            extra = hover_style if key is self._hover else None
            if not key.enabled:
                extra = VisualStyle(dim=True) + extra if extra else VisualStyle(dim=True)
            drawn = Content.assemble(
                *((piece, style + extra if extra else style) for piece, style in pieces)
            )
            line = line.pad_right(start - line.cell_length) + drawn.truncate(end - start)
        return line

    def _key_at(self, x: int) -> _FooterKey | None:
        for start, end, key in self._spans(self.size.width):
            if start <= x < end:
                return key
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._key_at(event.x)
        if hover is not self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()


@dataclass(frozen=True)
class _FooterKey:
    key: str
    display: str
    description: str
    enabled: bool

    @property
    def width(self) -> int:
        return cell_len(self.display) + cell_len(self.description) + 3
