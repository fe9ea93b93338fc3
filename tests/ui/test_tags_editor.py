"""The tags editor: completion from known tags, clean_tags on Enter, Esc cancels, hostile text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.app import App
from textual.widgets import Static
from ui_support import region_lines, screen_strips, screen_text, settle, static_text

from portfolio_tui.curation import MAX_TAG_CHARS
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.commands import GLOBAL, bindings
from portfolio_tui.ui.dialogs.tags_editor import (
    KNOWN_SHOWN,
    TagsEditor,
    TagsInput,
    complete,
    join_tags,
    split_tags,
)

WIDE = (160, 48)
SMALL = (80, 24)
NBSP = "\u00a0"


class Host(App[None]):
    """The smallest app that shows an editor, with the real app's global keys (q quits)."""

    BINDINGS = bindings(GLOBAL)

    def __init__(self, editor: TagsEditor) -> None:
        super().__init__()
        self.editor = editor
        self.results: list[tuple[str, ...] | str | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.editor, self.results.append)

    def action_help(self) -> None:
        self.results.append("help was opened")


def editor_app(
    tags: tuple[str, ...] = (), known: tuple[str, ...] = (), title: str = "IMG_0042.jpg"
) -> Host:
    return Host(TagsEditor(title, tags, known))


def field(app: App[Any]) -> TagsInput:
    return app.screen.query_one(TagsInput)


def shown(app: App[Any], selector: str) -> str:
    """A Static's text with the chips' no-break spaces made plain."""
    return static_text(app.screen.query_one(selector, Static)).replace(NBSP, " ").strip()


def input_line(app: App[Any]) -> str:
    """The input as drawn, with the completion in it."""
    return "".join(region_lines(app, field(app)))


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*text)
    await pilot.pause()  # the suggester answers in a worker


# -- completion ---------------------------------------------------------------------------


async def test_typing_the_start_of_a_known_tag_suggests_it_and_tab_accepts() -> None:
    app = editor_app(known=("window light", "Wide"))
    async with app.run_test(size=WIDE) as pilot:
        await type_text(pilot, "win")
        assert field(app).value == "win"
        assert "window light" in input_line(app)  # the completion, drawn after "win"
        await pilot.press("tab")
        assert field(app).value == "window light, "
        assert app.focused is field(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("window light",)]


async def test_right_arrow_accepts_in_the_known_spelling_and_leaves_the_rest_alone() -> None:
    app = editor_app(tags=("Studio",), known=("window light", "Wide"))
    async with app.run_test(size=WIDE) as pilot:
        await type_text(pilot, "WID")
        assert "Studio, WIDe" in input_line(app)
        await pilot.press("right")
        assert field(app).value == "Studio, Wide"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("Studio", "Wide")]


async def test_the_tag_being_typed_is_the_last_one_and_tags_present_are_never_offered() -> None:
    app = editor_app(tags=("Window light",), known=("window light", "Wide", "studio"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert field(app).value == "Window light, "  # ready for the next tag
        await type_text(pilot, "w")
        assert "Window light, wide" in input_line(app)  # "w" typed, "ide" suggested
        await pilot.press("tab")
        await type_text(pilot, "s")
        await pilot.press("tab")
        assert field(app).value == "Window light, Wide, studio, "
        await type_text(pilot, "w")
        await pilot.press("tab")  # nothing left to offer: Tab changes nothing
        assert field(app).value == "Window light, Wide, studio, w"
        assert app.focused is field(app)


def test_complete_matches_case_insensitive_prefixes_in_the_order_given() -> None:
    known = ["window light", "Wide", "Smith, John", "straße"]
    assert complete("wi", known) == "window light"
    assert complete("wi", list(reversed(known))) == "Wide"
    assert complete("a, WiN", known) == "a, window light"
    assert complete("window light, wi", known) == "window light, Wide"
    assert complete("WINDOW LIGHT, wi", known) == "WINDOW LIGHT, Wide"
    assert complete("Wide", known) is None  # already whole
    assert complete("", known) is None
    assert complete("a, ", known) is None
    assert complete("x", known) is None
    assert complete("STRA", known) == "straße"
    # A known tag with a comma is offered inside quotes, so it stays one tag.
    assert complete('"smi', known) == '"Smith, John"'
    assert complete("smi", known) is None


def test_quoted_tags_survive_a_round_trip() -> None:
    tags = ["Smith, John", 'say "cheese"', '"quoted"', "plain"]
    assert [t.strip() for t in split_tags(join_tags(tags))] == tags
    assert split_tags("a,b , c,,") == ["a", "b ", " c", "", ""]


# -- Enter and Esc ---------------------------------------------------------------------------


async def test_enter_saves_exactly_what_the_store_keeps() -> None:
    app = editor_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        field(app).value = "Studio,  studio , window   light,STUDIO, Window Light"
        await type_text(pilot, ",")
        assert shown(app, "#tags-current") == "Studio   window light"
        assert shown(app, "#tags-status") == "2 tags"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("Studio", "window light")]


async def test_enter_unchanged_keeps_the_tags_including_one_with_a_comma() -> None:
    app = editor_app(tags=("Smith, John", "studio"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert field(app).value == '"Smith, John", studio, '
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("Smith, John", "studio")]


async def test_enter_on_empty_input_clears_every_tag() -> None:
    app = editor_app(tags=("a", "b"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+u")  # delete to the start
        await pilot.pause()
        assert field(app).value == ""
        assert "Enter clears" in shown(app, "#tags-status")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [()]


async def test_escape_cancels_whatever_was_typed() -> None:
    app = editor_app(tags=("a",))
    async with app.run_test(size=WIDE) as pilot:
        await type_text(pilot, "b, c")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TagsEditor)
    assert app.results == [None]


async def test_a_tag_the_store_would_refuse_is_not_saved() -> None:
    app = editor_app()
    async with app.run_test(size=WIDE) as pilot:
        field(app).value = "ok, " + "x" * (MAX_TAG_CHARS + 1)
        await pilot.pause()
        status = app.screen.query_one("#tags-status", Static)
        assert status.has_class("-error")
        assert "longer than 64" in shown(app, "#tags-status")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TagsEditor) and app.results == []
        await pilot.press("backspace", "enter")  # now 64: fits
        await pilot.pause()
    assert app.results == [("ok", "x" * MAX_TAG_CHARS)]


# -- what is listed ------------------------------------------------------------------------


async def test_known_tags_are_listed_in_the_order_given_at_most_thirty() -> None:
    known = tuple(f"tag{i:02}" for i in range(50))
    app = editor_app(tags=("tag00",), known=known)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        listed = shown(app, "#tags-known").split()
        assert listed == list(known[1 : KNOWN_SHOWN + 1])  # tag00 is on the photo already
        assert f"first {KNOWN_SHOWN} of 49" in shown(app, "#tags-known-label")
        # Typing narrows the list: what starts with it first, then what contains it.
        await type_text(pilot, "4")
        assert shown(app, "#tags-known").split()[:3] == ["tag04", "tag14", "tag24"]
        assert "Matching" in shown(app, "#tags-known-label")


async def test_the_dialog_fits_a_small_terminal() -> None:
    known = tuple(f"a-rather-long-tag-name-{i}" for i in range(40))
    app = editor_app(tags=("studio", "window light"), known=known)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        for widget in app.screen.query("#tags-dialog, #tags-dialog > *"):
            region = widget.region
            assert region.x >= 0 and region.right <= SMALL[0], widget
            assert region.y >= 0 and region.bottom <= SMALL[1], widget
            assert region.height > 0, widget
        hint = shown(app, "#tags-hint")
        assert cell_len(hint) <= app.screen.query_one("#tags-hint").region.width
        assert "Enter save" in screen_text(app) and "Esc cancel" in screen_text(app)


# -- hostile text --------------------------------------------------------------------------

FORBIDDEN = ["\x1b", "\x07", "\u202e"]


async def test_markup_and_escape_sequences_show_literally() -> None:
    app = editor_app(
        tags=("[bold]b[/]", "x\x1b[31my"),
        known=("[@click=app.quit]q", "rtl\u202eevil"),
        title="[@click=app.quit]IMG\x1b]0;pwned\x07.jpg",
    )
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert shown(app, "#tags-heading") == "[@click=app.quit]IMG␛]0;pwned␇.jpg"
        text = screen_text(app).replace(NBSP, " ")
        # Tags are shown as the store keeps them: clean_tags makes a control character a space.
        assert "[bold]b[/]" in text and "x [31my" in text
        assert "[@click=app.quit]q" in text and "rtl\ufffdevil" in text
        for texts in screen_strips(app):
            for piece in texts:
                assert not any(char in piece for char in FORBIDDEN), piece
        for selector in ("#tags-heading", "#tags-known", "#tags-current"):
            for x in (1, 3, 8):
                await pilot.click(selector, offset=(x, 0))
        await pilot.pause()
        assert app.is_running and app.results == []
        assert app.focused is field(app)  # a click never takes the keyboard away
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


@pytest.mark.parametrize("keys", ["q", "?"])
async def test_app_keys_are_typed_not_obeyed(keys: str) -> None:
    app = editor_app()
    async with app.run_test(size=WIDE) as pilot:
        await type_text(pilot, keys)
        assert app.is_running and app.results == []
        assert field(app).value == keys


async def test_the_editor_works_over_the_real_app(tmp_path: Path, make_image: Any) -> None:
    root = tmp_path / "p"
    make_image(root / "g" / "a.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g")
    results: list[tuple[str, ...] | None] = []
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        under = app.screen
        app.push_screen(TagsEditor("a.jpg", (), ("portrait", "pose")), results.append)
        await pilot.pause()
        await type_text(pilot, "q, e, por")
        await pilot.press("tab")
        assert app.is_running and isinstance(app.screen, TagsEditor)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is under
    assert results == [("q", "e", "portrait")]
