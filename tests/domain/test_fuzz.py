"""Property tests (hypothesis) for everything that reads outside input: "nothing breaks it".

This file fuzzes name sanitising (text.py, ui/safe.py); the readers are fuzzed in
test_fuzz_toml.py (config, _tomlpos, curation store, picks store) and
test_fuzz_xmp.py (XMP packets, sidecars, embedded XMP, xmp_sync).  The property
everywhere: no exception escapes but the documented ones, and what comes back
keeps its invariants (problems located in the file, no control characters ...).

The settings live in tests/domain/_fuzzing.py: 100 examples per property, no
deadline; the whole set takes about 25 s (3.11) to 40 s (3.10) on two cores.
A long campaign::

    FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest -q -x tests/domain/test_fuzz*.py

Hypothesis keeps every failure it finds in .hypothesis/ (ignored by git) and
replays it first next time; a failure prints a ``@reproduce_failure`` blob.
Once a bug is fixed, its minimal example goes into an ``@example`` or a plain
test, so it stays fixed without the database.
"""

from __future__ import annotations

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text
from textual.content import Content

from portfolio_tui.picks import MAX_CLIENT_CHARS, PicksError, client_name
from portfolio_tui.text import (
    clean,
    clean_multiline,
    escape_content_markup,
    escape_markup,
    fit,
    wrap,
)
from portfolio_tui.ui.safe import markdown_source, plain, plain_block

from ._fuzzing import FUZZ

# Characters that have broken terminal apps: controls, ESC, bidi overrides and
# isolates, separators, zero-width joiners, combining marks, wide and ambiguous
# cells, variation selectors, markup's own characters, lone surrogates.
TRICKY = (
    [chr(c) for c in range(0x20)]
    + ["\x7f", "\x80", "\x85", "\x9b", "\x9f", "\u00ad"]
    + list("\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
    + list("\u2066\u2067\u2068\u2069\u2028\u2029\ufeff\ufffd\ufe0f\u0301\u0308\u20dd")
    + ["\ud800", "\udfff", "\udc80"]
    + list("[]\\/@#=$:; \"'")
    + ["e\u0301", "\u1100\u1161", "中", "ｗ", "😀", "👩\u200d💻", "🇫🇷", "\u0e33", "…"]
    + ["[b]", "[/]", "[@click=app.quit]", "[link=x]", "[Draft]", "[ on red]", "[$x]"]
)
any_char = st.characters(exclude_categories=())  # every code point, lone surrogates too
outside_text = st.one_of(
    st.text(any_char),
    st.lists(st.sampled_from(TRICKY) | st.text(any_char, max_size=3)).map("".join),
)

UNSAFE = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} | set(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)


def _unsafe(text: str, allowed: str = "") -> list[str]:
    return [c for c in text if (c in UNSAFE and c not in allowed) or 0xD800 <= ord(c) <= 0xDFFF]


@FUZZ
@given(outside_text)
@example("a\x1b[31mred\u202egnp.exe\ud800")
def test_clean_is_one_safe_line_and_idempotent(text: str) -> None:
    """clean(): no C0/C1 control, ESC, DEL, bidi override/isolate, separator or surrogate."""
    cleaned = clean(text)
    assert _unsafe(cleaned) == []
    assert "\n" not in cleaned and "\r" not in cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean(cleaned) == cleaned


@FUZZ
@given(outside_text)
def test_clean_multiline_keeps_only_newlines_and_tabs(text: str) -> None:
    cleaned = clean_multiline(text)
    assert _unsafe(cleaned, allowed="\n\t") == []
    assert "\r" not in cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_multiline(cleaned) == cleaned
    assert markdown_source(text) == cleaned
    assert plain_block(text).plain == cleaned


@FUZZ
@given(st.one_of(outside_text, st.integers(), st.binary(max_size=20), st.none()))
def test_clean_takes_any_value(value: object) -> None:
    assert _unsafe(clean(value)) == []
    assert plain(value).plain == clean(value)


@FUZZ
@given(outside_text)
@example("\\[bold]")
@example("plain \\")
@example("\\[")  # rich.markup.escape: the backslash was lost ("[")
@example("x\\\\\\")  # and three trailing backslashes escaped the next tag
def test_escape_markup_reads_back_through_rich_markup(text: str) -> None:
    """escape_markup() is for Rich markup: embedded between tags, Text.from_markup gives
    back clean(text) with only those tags' style (a trailing backslash is doubled so
    it cannot escape the tag after it, so the text is checked embedded, as it is used;
    emoji codes such as :smile: have no escape in Rich, hence emoji=False)."""
    rendered = Text.from_markup(f"[red]{escape_markup(text)}[/red]", emoji=False)
    assert rendered.plain == clean(text)
    assert {str(span.style) for span in rendered.spans} <= {"red"}


@FUZZ
@given(outside_text)
@example("[Draft] Studio")  # Textual took "[Draft]" for a style tag and dropped it
@example("back\\[b]slash\\")
@example("[@click=app.quit]x")
def test_escape_content_markup_reads_back_through_textual_markup(text: str) -> None:
    """escape_content_markup() is for Textual markup (Content.from_markup, the palette)."""
    escaped = escape_content_markup(text)
    rendered = Content.from_markup(escaped)
    assert rendered.plain == clean(text)
    assert not rendered.spans
    after_a_tag = Content.from_markup(f"Gallery: [b]{escaped}")
    assert after_a_tag.plain == "Gallery: " + clean(text)
    assert {str(span.style) for span in after_a_tag.spans} <= {"b"}


widths = st.integers(min_value=-3, max_value=60)


@FUZZ
@given(outside_text, widths)
@example("中中中", 2)
@example("👩\u200d💻👩\u200d💻", 3)
def test_fit_never_exceeds_the_width(text: str, width: int) -> None:
    text = clean(text)  # fit() is given cleaned text
    fitted = fit(text, width)
    assert cell_len(fitted) <= max(0, width)
    if width <= 0:
        assert fitted == ""  # even for zero-width text such as "\ufeff"
    elif cell_len(text) <= width:
        assert fitted == text
    elif width > 0:
        assert fitted.endswith("…")


@FUZZ
@given(outside_text, widths)
def test_wrap_keeps_every_line_in_width_and_every_word(text: str, width: int) -> None:
    lines = wrap(text, width)
    limit = max(4, width)
    for line in lines:
        assert cell_len(line) <= limit
        assert _unsafe(line) == []
        assert line == line.strip()
    words = clean(text).split()
    assert " ".join(lines).split() == [fit(word, limit) for word in words]


@FUZZ
@given(outside_text)
@example(" Ann\u202e ")
def test_client_name_is_clean_or_refused(text: str) -> None:
    """picks.client_name(): a name safe to show and store, or PicksError."""
    try:
        name = client_name(text)
    except PicksError:
        return
    assert name == name.strip() and 0 < len(name) <= MAX_CLIENT_CHARS
    assert _unsafe(name) == []
    assert clean(name) == name
    assert client_name(name) == name
