"""The notes editor: Markdown on the left, a live preview on the right, saved on close."""

from __future__ import annotations

import importlib.util
import time

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Markdown, Static, TextArea
from textual.widgets.text_area import Edit, EditResult

from ...curation import MAX_NOTES_BYTES, InvalidChange, clean_notes
from ...text import clean_multiline
from ..commands import Command, bindings
from ..safe import markdown_source, plain

NARROW = 100
"""Below this width the preview goes under the text, and starts hidden."""

PREVIEW_DELAY = 0.2
"""The preview is redrawn at most this often (seconds) while typing: light over SSH."""

NOTES_EDITOR = (
    Command(
        "notes.close", "escape", "close", "Close", "Close, saving any change", key_display="Esc"
    ),
    Command("notes.save", "ctrl+s", "save", "Save", "Save and close", key_display="Ctrl+S"),
    Command(
        "notes.discard",
        "ctrl+g",
        "discard",
        "Discard",
        "Close without saving (no question asked)",
        key_display="Ctrl+G",
    ),
    Command(
        "notes.preview",
        "ctrl+o",
        "toggle_preview",
        "Preview",
        "Show or hide the preview",
        key_display="Ctrl+O",
    ),
    Command("notes.quit-view", "q", "close", "Close", "Close (view only)", show=False),
)
"""The editor's keys. q closes when viewing only (when editing, the text takes it). Ctrl+D
would be the obvious "discard", but in the text it deletes a character (as in Emacs and
readline): one slip would throw the edit away."""

_EMPTY_PREVIEW = "*Nothing to preview yet.*"


def _markdown_language() -> str | None:
    """``"markdown"`` when the tree-sitter extra is installed; plain text otherwise."""
    found = importlib.util.find_spec
    if found("tree_sitter") and found("tree_sitter_markdown"):
        return "markdown"
    return None


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _kb(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.1f} KB" if size < 10 * 1024 else f"{size // 1024} KB"


def _fit_bytes(text: str, room: int) -> str:
    """The longest start of ``text`` that is at most ``room`` bytes of UTF-8."""
    if room <= 0:
        return ""
    return text.encode("utf-8", "surrogatepass")[:room].decode("utf-8", "ignore")


class NotesArea(TextArea):
    """A TextArea that keeps notes within 64 KB and never holds a control character.

    Every edit (typing, paste, cut, the API) passes through :meth:`edit`: the
    inserted text is cleaned (ESC becomes a visible ``␛``, so nothing pasted can
    reach the terminal) and cut to what still fits under the limit.
    """

    class LimitReached(Message):
        """Some inserted text did not fit under the 64 KB limit."""

        def __init__(self, refused: int) -> None:
            super().__init__()
            self.refused = refused
            """Bytes of the insertion that were left out."""

    def edit(self, edit: Edit) -> EditResult:
        text = clean_multiline(edit.text) if edit.text else ""
        if text:
            before = _size(self.text)
            removed = _size(self.get_text_range(edit.from_location, edit.to_location))
            room = MAX_NOTES_BYTES - (before - removed)
            fitting = _fit_bytes(text, room)
            if fitting != text:
                self.post_message(self.LimitReached(_size(text) - _size(fitting)))
                text = fitting
                if not text and edit.from_location == edit.to_location:
                    return EditResult(end_location=edit.from_location, replaced_text="")
        if text != edit.text:
            edit = Edit(text, edit.from_location, edit.to_location, edit.maintain_selection_offset)
        return super().edit(edit)


class NotesPreview(VerticalScroll, can_focus=False):
    """The rendered Markdown, redrawn at most every :data:`PREVIEW_DELAY` seconds.

    A long note takes a while to lay out (500 paragraphs: about two seconds, with
    the keyboard stalled). When a redraw takes longer than the delay, the preview
    waits for a pause in the typing of twice that long before drawing again.
    """

    DEFAULT_CSS = """
    NotesPreview { height: 1fr; width: 1fr; padding: 0 1; }
    NotesPreview > Markdown { padding: 0; margin: 0; }
    """

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = text
        self._shown: str | None = None  # being drawn, or drawn
        self._drawn: str | None = None
        self._timer: Timer | None = None
        self._delay = PREVIEW_DELAY
        self._fraction = 0.0

    def compose(self) -> ComposeResult:
        yield Markdown(open_links=False)

    def on_mount(self) -> None:
        self._schedule(0)

    def show(self, text: str) -> None:
        """Ask for ``text`` to be shown; drawn within the delay, not at every key."""
        self._text = text
        if self._timer is not None and self._delay > PREVIEW_DELAY:
            self._timer.stop()  # slow to draw: wait until the typing pauses
            self._timer = None
        self._schedule(self._delay)

    def catch_up(self) -> None:
        """Draw now what changed while hidden (redraws are skipped then)."""
        self._schedule(0)

    def _schedule(self, delay: float) -> None:
        if self._timer is None and self._text != self._shown:
            # A timer of 0 s divides by zero in Textual: "now" is a millisecond.
            self._timer = self.set_timer(max(delay, 0.001), self._redraw)

    async def _redraw(self) -> None:
        self._timer = None
        if not self.display or self._text == self._shown:
            return
        text = self._text
        self._shown = text
        started = time.monotonic()
        await self.query_one(Markdown).update(markdown_source(text) if text else _EMPTY_PREVIEW)
        self._drawn = text
        took = time.monotonic() - started
        self._delay = 2 * took if took > PREVIEW_DELAY else PREVIEW_DELAY
        self._schedule(self._delay)  # text typed while drawing

    @property
    def shown(self) -> str | None:
        """The text the preview shows now (None before the first draw)."""
        return self._drawn

    def on_resize(self) -> None:
        # Shown, laid out again, or new blocks drawn (a new virtual height): back to the cursor.
        self.follow(self._fraction)

    def follow(self, fraction: float) -> None:
        """Scroll to the same place in the document as the cursor (0 top, 1 bottom)."""
        self._fraction = fraction
        self.scroll_to(y=round(fraction * self.max_scroll_y), animate=False, immediate=True)


class NotesEditor(ModalScreen[str | None]):
    """Edit (or view) one photo's notes; dismisses with the new notes, or None.

    The result is the text as the store will save it (``curation.clean_notes``),
    or None when nothing changed, on discard, and always when read-only.  An
    empty string means "clear the notes".
    """

    BINDINGS = bindings(NOTES_EDITOR)
    AUTO_FOCUS = "#notes-text"

    DEFAULT_CSS = """
    NotesEditor {
        align: center middle;
        /* Opaque, as help: dimming a photo grid behind a modal is slow. */
        background: $background;
    }
    #notes-dialog {
        width: 100%;
        height: 100%;
        max-width: 160;
        max-height: 50;
        border: round $accent;
        border-title-color: $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    #notes-heading {
        height: 1;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        margin-bottom: 1;
    }
    #notes-body { height: 1fr; }
    #notes-text { width: 1fr; height: 1fr; border: none; padding: 0 1; background: $panel; }
    #notes-text:focus { border: none; }
    #notes-preview { border-left: vkey $panel-lighten-2; }
    NotesEditor.-narrow #notes-body { layout: vertical; }
    NotesEditor.-narrow #notes-preview {
        border-left: none;
        border-top: solid $panel-lighten-2;
    }
    #notes-footer { height: 1; margin-top: 1; }
    #notes-hint { width: 1fr; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    #notes-size { width: auto; color: $text-muted; padding-left: 2; }
    #notes-size.-full { color: $text-warning; text-style: bold; }
    """

    def __init__(self, title: str, notes: str, read_only: bool = False) -> None:
        super().__init__()
        self._title = title
        self.read_only = read_only
        """Viewing only: nothing can be typed and every close dismisses None."""
        # Shown as the store would show it: newlines kept, controls made visible.
        self._initial = clean_multiline(notes or "")
        self._preview_choice: bool | None = None  # None: by terminal width
        self._last_notice = 0.0
        self._size_shown = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="notes-dialog"):
            yield Static(plain(self._title), id="notes-heading", markup=False)
            with Horizontal(id="notes-body"):
                yield NotesArea(
                    self._initial,
                    id="notes-text",
                    soft_wrap=True,
                    read_only=self.read_only,
                    language=_markdown_language(),
                    tab_behavior="focus",
                    show_line_numbers=False,
                    placeholder="" if self.read_only else "Notes in Markdown: **bold**, - lists",
                )
                yield NotesPreview(self._initial, id="notes-preview")
            with Horizontal(id="notes-footer"):
                yield Static(id="notes-hint", markup=False)
                yield Static(id="notes-size", markup=False)

    def on_mount(self) -> None:
        dialog = self.query_one("#notes-dialog")
        dialog.border_title = "Notes (view only)" if self.read_only else "Notes"
        area = self.query_one(NotesArea)
        if not self.read_only:
            area.move_cursor(area.document.end)
        self._show_size(self._initial)
        self._layout(self.app.size.width)

    def _hint(self, narrow: bool) -> Content:
        keys = {c.id: c.key_text for c in NOTES_EDITOR}
        pairs = (
            [("notes.close", "close"), ("notes.preview", "preview")]
            if self.read_only
            else [
                ("notes.close", "save & close"),
                ("notes.save", "save"),
                ("notes.discard", "discard"),
                ("notes.preview", "preview"),
            ]
        )
        if narrow:  # Ctrl+S does what Esc does: the first to go when space is short
            pairs = [pair for pair in pairs if pair[0] != "notes.save"]
        parts = [Content.assemble((keys[i], "bold"), f" {what}") for i, what in pairs]
        if self.read_only:
            parts.insert(0, Content.styled("view only", "italic"))
        return Content("  ·  ").join(parts)

    # -- layout --------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        narrow = width < NARROW
        self.set_class(narrow, "-narrow")
        self.query_one("#notes-hint", Static).update(self._hint(narrow))
        shown = self._preview_choice if self._preview_choice is not None else not narrow
        preview = self.query_one(NotesPreview)
        preview.display = shown
        if shown:
            preview.catch_up()

    def action_toggle_preview(self) -> None:
        """Show or hide the preview."""
        self._preview_choice = not self.query_one(NotesPreview).display
        self._layout(self.app.size.width)

    # -- editing -------------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        self.query_one(NotesPreview).show(text)
        self._show_size(text)

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        area = event.text_area
        lines = area.document.line_count
        row = area.selection.end[0]
        self.query_one(NotesPreview).follow(row / (lines - 1) if lines > 1 else 0.0)

    def on_notes_area_limit_reached(self, event: NotesArea.LimitReached) -> None:
        self.app.bell()
        now = time.monotonic()
        if now - self._last_notice > 3:  # one toast for a burst of refused keys
            self._last_notice = now
            self.notify(
                f"Notes hold at most {MAX_NOTES_BYTES // 1024} KB; "
                f"{event.refused} bytes were left out.",
                title="Notes are full",
                severity="warning",
                markup=False,
            )

    def _show_size(self, text: str) -> None:
        size = _size(text)
        shown = f"{_kb(size)} of {MAX_NOTES_BYTES // 1024} KB"
        label = self.query_one("#notes-size", Static)
        if shown != self._size_shown:  # most keys change no digit: no repaint
            self._size_shown = shown
            label.update(shown)
        label.set_class(size >= MAX_NOTES_BYTES, "-full")

    # -- closing -------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The text in the editor now."""
        return self.query_one(NotesArea).text

    def result(self) -> str | None:
        """What closing now would save: the cleaned notes, or None when nothing changed.

        Raises ``InvalidChange`` when the notes are over 64 KB (only possible when
        they arrived that way).
        """
        text = self.text
        if self.read_only or text == self._initial:
            return None
        new = clean_notes(text)
        try:
            old = clean_notes(self._initial)
        except InvalidChange:
            old = None
        return None if new == old else new

    def action_close(self) -> None:
        """Close, saving any change."""
        try:
            result = self.result()
        except InvalidChange as error:
            self.app.bell()
            self.notify(f"{error}. Shorten them, or discard.", severity="error", markup=False)
            return
        self.dismiss(result)

    def action_save(self) -> None:
        """Save and close (the same as Esc)."""
        self.action_close()

    def action_discard(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.read_only and action in ("save", "discard"))
