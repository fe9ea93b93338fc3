"""The tags editor: one line of comma-separated tags, completed from the tags in use."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual import events
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from ...curation import MAX_TAG_CHARS, MAX_TAGS, InvalidChange, clean_tags
from ...text import clean, count
from ..commands import Command, bindings

KNOWN_SHOWN = 30
"""At most this many known tags are listed under the input."""

TAGS_EDITOR = (
    Command("tags.cancel", "escape", "cancel", "Cancel", "Close without saving", key_display="Esc"),
)
"""The editor's own keys (Enter saves: the input submits; Tab and → complete)."""


# -- the text in the input -------------------------------------------------------------------
#
# Tags are separated by commas.  A tag that holds a comma (the store allows one)
# is written in double quotes, with any quote inside doubled, as in CSV, so
# opening and saving never splits it.


def _needs_quotes(tag: str) -> bool:
    return "," in tag or tag.lstrip().startswith('"')


def quote_tag(tag: str) -> str:
    """``tag`` as written in the input: quoted only when it holds a comma or starts with a quote."""
    return '"' + tag.replace('"', '""') + '"' if _needs_quotes(tag) else tag


def join_tags(tags: Iterable[str]) -> str:
    """Tags as the input shows them: ``studio, window light``."""
    return ", ".join(quote_tag(t) for t in tags)


def _scan(value: str) -> tuple[list[str], int]:
    """The comma-separated parts of ``value`` and where the last part starts."""
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    start = 0
    i = 0
    while i < len(value):
        char = value[i]
        if quoted:
            if char == '"' and value[i + 1 : i + 2] == '"':
                buf.append('"')
                i += 1
            elif char == '"':
                quoted = False
            else:
                buf.append(char)
        elif char == ",":
            parts.append("".join(buf))
            buf = []
            start = i + 1
        elif char == '"' and not "".join(buf).strip():
            quoted = True
            buf = []
        else:
            buf.append(char)
        i += 1
    parts.append("".join(buf))
    return parts, start


def split_tags(value: str) -> list[str]:
    """The tags written in ``value``, uncleaned (``curation.clean_tags`` tidies them)."""
    return _scan(value)[0]


def complete(value: str, known: Sequence[str]) -> str | None:
    """``value`` with its last tag completed from ``known``, or None.

    The match is a case-insensitive prefix; a known tag already in ``value`` is
    never offered.  The first match in ``known`` wins, so the caller's order
    (most used first, or alphabetical) decides.
    """
    parts, start = _scan(value)
    rest = value[start:]
    stem = value[: start + len(rest) - len(rest.lstrip())]
    typed = value[len(stem) :]
    quoted = typed.startswith('"')
    prefix = typed[1:] if quoted else typed
    if not prefix.strip():
        return None
    present = {_fold(t) for t in parts[:-1]}
    for tag in known:
        if _fold(tag) in present or len(tag) <= len(prefix):
            continue
        # Same length, compared folded: the suggestion lines up with what was typed.
        if tag[: len(prefix)].casefold() != prefix.casefold():
            continue
        if quoted:
            return stem + '"' + tag.replace('"', '""') + '"'
        if not _needs_quotes(tag):
            return stem + tag
    return None


def _fold(tag: str) -> str:
    return " ".join(tag.split()).casefold()


class TagSuggester(Suggester):
    """Completes the tag being typed (the last comma-separated part) from known tags."""

    def __init__(self, known: Sequence[str]) -> None:
        # Case-sensitive as far as Textual is concerned: it would otherwise hand us a
        # lower-cased value, and accepting the suggestion would lower-case every tag.
        super().__init__(use_cache=True, case_sensitive=True)
        self.known = tuple(known)

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self.known)


class TagsInput(Input):
    """The input: Tab accepts the completion (as → does) and adds a comma."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False, id="tags.complete")]

    def __init__(
        self, value: str, known: Sequence[str], *, id: str | None = None, placeholder: str = ""
    ) -> None:
        self.known = tuple(known)
        super().__init__(
            value,
            placeholder=placeholder,
            suggester=TagSuggester(self.known),
            max_length=MAX_TAGS * (2 * MAX_TAG_CHARS + 4),  # quoted, quotes doubled
            select_on_focus=False,
            id=id,
        )

    def action_complete(self) -> None:
        """Accept the completion and start the next tag."""
        completed = complete(self.value, self.known) if self.cursor_at_end else None
        if completed is None:
            raise SkipAction()
        self.value = completed + ", "
        self.cursor_position = len(self.value)


def _chips(tags: Iterable[str], style: str) -> Content:
    # No-break spaces inside a chip: a line breaks between chips, not inside one.
    return Content(" ").join(
        Content.styled(f"\u00a0{clean(t)}\u00a0".replace(" ", "\u00a0"), style) for t in tags
    )


class TagsEditor(ModalScreen[tuple[str, ...] | None]):
    """Edit one photo's tags; dismisses with the cleaned tags, or None on Esc.

    The tuple is exactly what the store saves (``curation.clean_tags``); ``()``
    clears every tag.
    """

    BINDINGS = bindings(TAGS_EDITOR)
    AUTO_FOCUS = "#tags-input"

    DEFAULT_CSS = """
    TagsEditor {
        align: center middle;
        /* Opaque, as help: dimming a photo grid behind a modal is slow. */
        background: $background;
    }
    #tags-dialog {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-color: $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    #tags-heading { height: 1; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis; }
    #tags-input { margin: 1 0 0 0; }
    #tags-status {
        height: 1; color: $text-muted; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    #tags-status.-error { color: $text-error; text-style: bold; }
    .tags-label { height: 1; color: $text-muted; margin-top: 1; }
    #tags-current, #tags-known { height: auto; max-height: 6; }
    #tags-hint { height: 1; margin-top: 1; color: $text-muted; text-wrap: nowrap; }
    """

    def __init__(self, title: str, tags: Sequence[str], known: Sequence[str]) -> None:
        super().__init__()
        self._title = title
        try:
            self._tags = clean_tags(list(tags))
        except InvalidChange:  # too many or too long: show them, let the user fix them
            self._tags = tuple(t for t in tags if isinstance(t, str))
        seen: set[str] = set()
        unique: list[str] = []
        for tag in known:
            tag = " ".join(clean(tag).split())
            if tag and _fold(tag) not in seen:
                seen.add(_fold(tag))
                unique.append(tag)
        self.known = tuple(unique)
        """Known tags, cleaned, the first spelling of each, in the order given."""

    def compose(self) -> ComposeResult:
        with Vertical(id="tags-dialog"):
            yield Static(Content(clean(self._title)), id="tags-heading", markup=False)
            yield TagsInput(
                # Ready for the next tag: adding one is what the editor is mostly for.
                join_tags(self._tags) + ", " if self._tags else "",
                self.known,
                id="tags-input",
                placeholder="Tags, separated by commas (empty: no tags)",
            )
            yield Static(id="tags-status", markup=False)
            yield Static("On this photo", classes="tags-label", markup=False)
            yield Static(id="tags-current", markup=False)
            yield Static(id="tags-known-label", classes="tags-label", markup=False)
            yield Static(id="tags-known", markup=False)
            yield Static(self._hint(), id="tags-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#tags-dialog").border_title = "Tags"
        self._show(self.query_one(TagsInput).value)

    @staticmethod
    def _hint() -> Content:
        pairs = (("Enter", "save"), ("Esc", "cancel"), ("Tab / →", "complete"))
        return Content("  ·  ").join(Content.assemble((k, "bold"), f" {w}") for k, w in pairs)

    # -- what the input says ---------------------------------------------------------------

    def parse(self) -> tuple[str, ...]:
        """The tags in the input, as the store will save them (raises ``InvalidChange``)."""
        return clean_tags(split_tags(self.query_one(TagsInput).value))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    def _show(self, value: str) -> None:
        status = self.query_one("#tags-status", Static)
        parts = split_tags(value)
        try:
            tags = clean_tags(parts)
        except InvalidChange as error:
            status.update(f"{clean(error)}: Enter will not save this")
            status.add_class("-error")
            tags = tuple(" ".join(clean(p).split()) for p in parts if p.strip())
        else:
            empty = "No tags: Enter clears them" if self._tags else "No tags yet"
            status.update(count(len(tags), "tag") if tags else empty)
            status.remove_class("-error")
        self.query_one("#tags-current", Static).update(
            _chips(tags, "$text on $primary-muted") if tags else Content.styled("none", "dim")
        )
        self._show_known(tags, parts[-1])

    def _show_known(self, tags: Sequence[str], typing: str) -> None:
        used = {_fold(t) for t in tags}
        fragment = _fold(typing.lstrip().lstrip('"'))
        offered = [t for t in self.known if _fold(t) not in used]
        if fragment:
            # What completes the tag being typed first, then what merely contains it.
            starts = [t for t in offered if _fold(t).startswith(fragment)]
            offered = starts + [t for t in offered if fragment in _fold(t) and t not in starts]
        label = self.query_one("#tags-known-label", Static)
        shown = offered[:KNOWN_SHOWN]
        more = len(offered) - len(shown)
        label.update(
            ("Matching tags" if fragment else "Tags in this portfolio")
            + (f" (first {len(shown)} of {len(offered)})" if more else "")
        )
        self.query_one("#tags-known", Static).update(
            _chips(shown, "$text on $panel") if shown else Content.styled("none yet", "dim")
        )

    # -- closing -------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            tags = self.parse()
        except InvalidChange:
            self.app.bell()  # the status line already says why
            return
        self.dismiss(tags)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    def on_click(self, event: events.Click) -> None:
        # Whatever was clicked, typing goes on in the input.
        self.query_one(TagsInput).focus()
