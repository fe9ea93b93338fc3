"""The notes editor: saved on close, discard, view only, live preview, 64 KB, hostile text."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual import events
from textual.app import App
from textual.widgets import Markdown, Static
from ui_support import region_lines, screen_strips, screen_text, settle, static_text

from portfolio_tui.curation import MAX_NOTES_BYTES, clean_notes
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.commands import GLOBAL, bindings
from portfolio_tui.ui.dialogs.notes_editor import (
    PREVIEW_DELAY,
    NotesArea,
    NotesEditor,
    NotesPreview,
)

WIDE = (160, 48)
SMALL = (80, 24)


class Host(App[None]):
    """The smallest app that shows an editor, with the real app's global keys (q quits)."""

    BINDINGS = bindings(GLOBAL)

    def __init__(self, editor: NotesEditor) -> None:
        super().__init__()
        self.editor = editor
        self.results: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.editor, self.results.append)

    def action_help(self) -> None:
        self.results.append("help was opened")


def editor_app(notes: str = "Old notes.", title: str = "IMG_0042.jpg", **kw: Any) -> Host:
    return Host(NotesEditor(title, notes, **kw))


def area(app: App[Any]) -> NotesArea:
    return app.screen.query_one(NotesArea)


def preview(app: App[Any]) -> NotesPreview:
    return app.screen.query_one(NotesPreview)


def preview_text(app: App[Any]) -> str:
    """What the preview shows, as it is on screen."""
    return "\n".join(region_lines(app, preview(app)))


async def caught_up(pilot: Any) -> None:
    """Wait (up to 10 s, in short pauses) until the preview shows the text, then lay out.

    3 s was once too short on the 3.10 floor run with the machine's other core busy."""
    app = pilot.app
    for _ in range(100):
        await pilot.pause(0.1)
        if not preview(app).display or preview(app).shown == area(app).text:
            break
    await pilot.pause()


def hint(app: App[Any]) -> str:
    return static_text(app.screen.query_one("#notes-hint", Static))


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*["enter" if c == "\n" else c for c in text])


# -- saved on close ----------------------------------------------------------------------


async def test_typing_then_escape_returns_the_new_text() -> None:
    app = editor_app("Old notes.")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        # q and ? are typed, not the app's quit and help keys.
        await type_text(pilot, "\nRetake? q *x*")
        assert app.is_running and app.results == []
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == ["Old notes.\nRetake? q *x*"]


async def test_ctrl_s_saves_and_closes_too() -> None:
    app = editor_app("")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await type_text(pilot, "new  ")
        await pilot.press("ctrl+s")
        await pilot.pause()
    # Exactly what the store saves: trailing space trimmed by curation.clean_notes.
    assert app.results == ["new"]


@pytest.mark.parametrize("key", ["escape", "ctrl+s"])
async def test_unchanged_notes_return_none(key: str) -> None:
    app = editor_app("Line one\n\nLine two")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("x", "backspace")  # changed and changed back
        await pilot.press(key)
        await pilot.pause()
    assert app.results == [None]


async def test_a_change_the_store_would_not_keep_is_no_change() -> None:
    app = editor_app("Notes")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("space", "enter", "enter")  # trailing whitespace only
        assert area(app).text != "Notes"
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_clearing_every_line_returns_an_empty_string_not_none() -> None:
    app = editor_app("Delete me\nand me")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("f7", "backspace")  # select all, delete
        assert area(app).text == ""
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [""]


async def test_discard_closes_without_saving_and_asks_nothing() -> None:
    app = editor_app("Keep this.")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await type_text(pilot, " No!")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert not isinstance(app.screen, NotesEditor)
    assert app.results == [None]


async def test_ctrl_d_deletes_a_character_and_does_not_discard() -> None:
    """Ctrl+D deletes forward in the text (as in Emacs): it must not throw the edit away."""
    app = editor_app("abc")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("left", "ctrl+d")
        assert isinstance(app.screen, NotesEditor)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == ["ab"]


async def test_the_editor_works_over_the_real_app(tmp_path: Path, make_image: Any) -> None:
    root = tmp_path / "p"
    make_image(root / "g" / "a.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g")
    results: list[str | None] = []
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        under = app.screen
        app.push_screen(NotesEditor("a.jpg", ""), results.append)
        await pilot.pause()
        # Typed into the notes: not quit (q), help (?), loupe (e) or pick (p).
        await type_text(pilot, "q? e p")
        assert app.is_running and isinstance(app.screen, NotesEditor)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is under
    assert results == ["q? e p"]


# -- view only -----------------------------------------------------------------------------


async def test_view_only_cannot_type_and_always_returns_none() -> None:
    app = editor_app("Read me.", read_only=True)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert area(app).read_only
        assert "view only" in hint(app)
        assert "save" not in hint(app)
        await pilot.press("x", "y", "enter", "backspace", "ctrl+v")
        assert area(app).text == "Read me."
        await pilot.press("ctrl+s", "ctrl+g")  # no saving or discarding when viewing
        assert isinstance(app.screen, NotesEditor)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_q_closes_the_viewer_instead_of_quitting_the_app() -> None:
    app = editor_app("Read me.", read_only=True)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
    assert app.results == [None]


# -- preview -------------------------------------------------------------------------------


async def test_preview_shows_rendered_markdown() -> None:
    notes = "# Lighting\n\nUse **two** lights and *one* reflector.\n\n- key\n- fill\n"
    app = editor_app(notes)
    async with app.run_test(size=WIDE) as pilot:
        await caught_up(pilot)
        shown = preview_text(app)
        assert "Lighting" in shown and "# Lighting" not in shown
        assert "Use two lights and one reflector." in shown
        assert "• key" in shown and "• fill" in shown
        assert "**" not in shown
        # The text itself is left as typed.
        assert "Use **two** lights" in "\n".join(region_lines(app, area(app)))


async def test_preview_follows_typing_but_not_at_every_key(monkeypatch: pytest.MonkeyPatch) -> None:
    updates: list[tuple[float, str]] = []
    original = Markdown.update

    def recording(self: Markdown, markdown: str) -> Any:
        updates.append((time.monotonic(), markdown))
        return original(self, markdown)

    monkeypatch.setattr(Markdown, "update", recording)
    app = editor_app("")
    async with app.run_test(size=WIDE) as pilot:
        await caught_up(pilot)
        before = len(updates)
        typed = "# Heading twenty"
        await type_text(pilot, typed)
        await caught_up(pilot)
        assert preview(app).shown == typed
        assert "Heading twenty" in preview_text(app)
    drawn = updates[before:]
    # Never two redraws within 0.2 s (the keys came every few ms): fewer redraws than keys.
    assert 1 <= len(drawn) < len(typed), drawn
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(drawn)]
    assert all(gap >= PREVIEW_DELAY * 0.95 for gap in gaps), gaps
    assert drawn[-1][1] == typed


async def test_the_preview_follows_the_cursor_through_a_long_note() -> None:
    notes = "\n\n".join(f"Paragraph {i}" for i in range(60))
    app = editor_app(notes)
    async with app.run_test(size=WIDE) as pilot:
        await caught_up(pilot)
        view = preview(app)
        # The cursor starts at the end, ready to add to the notes: so does the preview.
        assert view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y
        assert "Paragraph 59" in preview_text(app)
        await pilot.press("pageup", "pageup", "pageup", "pageup", "pageup")
        assert view.scroll_y == 0
        assert "Paragraph 0" in preview_text(app)


async def test_a_slow_preview_waits_for_a_pause_in_the_typing() -> None:
    app = editor_app("")
    async with app.run_test(size=WIDE) as pilot:
        await caught_up(pilot)
        view = preview(app)
        view._delay = 0.5  # as after a redraw that took 0.25 s
        for key in "abcd":
            await pilot.press(key)
            await pilot.pause(0.1)
            assert view.shown == ""  # the typing goes on: no redraw yet
        for _ in range(10):
            await pilot.pause(0.1)
            if view.shown:
                break
        assert view.shown == "abcd"


async def test_the_preview_sits_beside_on_a_wide_terminal_and_ctrl_o_hides_it() -> None:
    app = editor_app("Some *notes*")
    async with app.run_test(size=WIDE) as pilot:
        await caught_up(pilot)
        text, view = area(app).region, preview(app).region
        assert view.x >= text.right and view.y == text.y
        assert "Some notes" in preview_text(app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert not preview(app).display
        assert area(app).region.width > text.width
        assert app.is_running  # ctrl+o is not the app's key


async def test_narrow_terminal_hides_the_preview_and_ctrl_o_shows_it_below() -> None:
    app = editor_app("Some *notes*")
    async with app.run_test(size=SMALL) as pilot:
        await caught_up(pilot)
        assert not preview(app).display
        await pilot.press("ctrl+o")
        await caught_up(pilot)
        text, view = area(app).region, preview(app).region
        assert view.y >= text.bottom and view.x == text.x
        assert "Some notes" in preview_text(app)


async def test_small_terminal_shows_the_whole_key_hint() -> None:
    for read_only in (False, True):
        app = editor_app("x", read_only=read_only)
        async with app.run_test(size=SMALL) as pilot:
            await pilot.pause()
            label = app.screen.query_one("#notes-hint", Static)
            assert cell_len(hint(app)) <= label.region.width, hint(app)
            assert "Esc" in hint(app) and "Ctrl+O" in hint(app)
            assert "64 KB" in screen_text(app)


# -- hostile text --------------------------------------------------------------------------

FORBIDDEN = ["\x1b", "\x07", "\x9b", "\u202e"]
HOSTILE_TITLE = "[bold red]IMG[/] [@click=app.quit]x\x1b[31m.jpg"
HOSTILE_NOTES = (
    "[@click=app.quit]click me[/] and [link=https://example.com]x[/link]\n"
    "\x1b[2J\x1b]0;pwned\x07 rtl\u202eevil\n"
    "[a link](app.quit) <script>alert(1)</script>\n"
)


def assert_nothing_forbidden(app: App[Any]) -> None:
    for y, texts in enumerate(screen_strips(app)):
        for text in texts:
            for char in FORBIDDEN:
                assert char not in text, (y, text)


async def test_markup_and_escape_sequences_show_literally() -> None:
    app = editor_app(HOSTILE_NOTES, title=HOSTILE_TITLE)
    async with app.run_test(size=WIDE) as pilot:
        await caught_up(pilot)
        heading = static_text(app.screen.query_one("#notes-heading", Static))
        assert heading == "[bold red]IMG[/] [@click=app.quit]x␛[31m.jpg"
        written = "\n".join(region_lines(app, area(app)))
        assert "[@click=app.quit]click me[/]" in written
        assert "␛[2J␛]0;pwned␇ rtl\ufffdevil" in written
        shown = preview_text(app)
        assert "[@click=app.quit]click me[/] and [link=https://example.com]x[/link]" in shown
        assert "␛[2J" in shown
        assert_nothing_forbidden(app)
        # Clicking the literal markup and the Markdown link does nothing.
        for x in (2, 6, 20, 30):
            await pilot.click(NotesPreview, offset=(x, 0))
            await pilot.click(NotesPreview, offset=(x, 2))
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, NotesEditor)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]  # shown cleaned, but not changed by the user


async def test_pasted_escape_sequences_are_made_visible() -> None:
    app = editor_app("")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.post_message(events.Paste("red\x1b[31m!\x1b[0m\r\nnext\u202e"))
        await caught_up(pilot)
        assert area(app).text == "red␛[31m!␛[0m\nnext\ufffd"
        assert_nothing_forbidden(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == ["red␛[31m!␛[0m\nnext\ufffd"]


# -- 64 KB ---------------------------------------------------------------------------------


def filler(size: int) -> str:
    """``size`` bytes of notes in lines of 64, ending in "a" (a long note, not one long line)."""
    lines = ("a" * 63 + "\n") * (size // 64)
    return lines + "a" * (size - len(lines))


async def test_typing_stops_at_64_kb_with_a_notice() -> None:
    notes = filler(MAX_NOTES_BYTES - 3)
    app = editor_app(notes)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#notes-size").has_class("-full")
        await pilot.press("x", "y", "z", "w", "v")
        text = area(app).text
        assert text == notes + "xyz"
        assert app.screen.query_one("#notes-size").has_class("-full")
        assert [n.title for n in app._notifications] == ["Notes are full"]  # one, not two
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [notes + "xyz"]
    assert clean_notes(app.results[0]) == notes + "xyz"  # the store takes it


async def test_a_paste_is_cut_to_fit_without_splitting_a_character() -> None:
    notes = filler(MAX_NOTES_BYTES - 5)
    app = editor_app(notes)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.post_message(events.Paste("ééé"))  # 6 bytes, 5 fit: two whole characters
        await pilot.pause()
        assert area(app).text == notes + "éé"
        app.post_message(events.Paste("é"))  # 2 bytes, 1 free: nothing
        await pilot.pause()
        assert area(app).text == notes + "éé"


async def test_oversized_notes_can_be_shortened_but_not_saved_until_they_fit() -> None:
    notes = filler(MAX_NOTES_BYTES + 2)
    app = editor_app(notes)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("backspace")  # shrinking is always allowed
        await pilot.press("x")  # growing is not
        assert area(app).text == notes[:-1]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, NotesEditor)  # not saved: the store would refuse it
        await pilot.press("backspace", "escape")
        await pilot.pause()
    assert app.results == [notes[:-2].rstrip("\n")]  # as the store saves it
