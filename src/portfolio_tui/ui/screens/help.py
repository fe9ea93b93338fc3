"""Help: every key, by where it works, and the graphics mode in use."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ... import __version__
from ..commands import HELP, SECTIONS, bindings


def help_text(graphics: str) -> Content:
    """The help screen's body."""
    parts: list[Content] = [
        Content.styled(f"portfolio-tui {__version__}", "bold"),
        Content.styled(graphics, "dim"),
        Content(""),
    ]
    # The key column is as wide as the longest key list, plus a gap.
    from ..dialogs.notes_editor import NOTES_EDITOR
    from ..dialogs.tags_editor import TAGS_EDITOR

    sections = (*SECTIONS, ("Notes editor (E)", NOTES_EDITOR), ("Tags editor (t)", TAGS_EDITOR))
    width = 2 + max(cell_len(c.key_text) for _, commands in sections for c in commands)
    for title, commands in sections:
        parts.append(Content.styled(title, "bold underline"))
        for command in commands:
            keys = command.key_text
            padded = f"  {keys}{' ' * (width - cell_len(keys))}"
            parts.append(Content.assemble((padded, "bold"), command.help))
        parts.append(Content(""))
    parts.append(Content.styled("Ctrl+P opens the command palette: every action is there.", "dim"))
    return Content("\n").join(parts)


class HelpScreen(ModalScreen[None]):
    """A modal listing every key."""

    BINDINGS = bindings(HELP)

    def __init__(self, graphics: str) -> None:
        super().__init__()
        self._graphics = graphics

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text(self._graphics), markup=False)

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Keys"
        self.query_one("#help").border_subtitle = "Esc to close"

    def action_close(self) -> None:
        """Close help."""
        self.dismiss()
