"""text.py: outside strings made safe to show, markup escaping, cell-width fitting."""

from __future__ import annotations

import os

import pytest
from rich.cells import cell_len
from rich.text import Text

from portfolio_tui.text import clean, clean_multiline, escape_markup, fit, natural_key, wrap


def test_escape_shows_as_visible_picture() -> None:
    assert clean("a\x1b[31mred") == "a␛[31mred"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("bell\x07", "bell␇"),
        ("nul\x00", "nul␀"),
        ("tab\there", "tab␉here"),
        ("new\nline", "new␊line"),
        ("cr\rx", "cr␍x"),
        ("del\x7f", "del␡"),
        ("csi\x9b31m", "csi\ufffd31m"),
        ("c1\x85", "c1\ufffd"),
    ],
)
def test_control_characters_are_replaced(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_bidi_override_is_replaced() -> None:
    # "Trojan Source": U+202E would make 'gpj.exe' read as 'exe.jpg'.
    cleaned = clean("photo\u202egpj.exe")
    assert "\u202e" not in cleaned
    assert cleaned == "photo\ufffdgpj.exe"


@pytest.mark.parametrize("char", ["\u202a", "\u202d", "\u2066", "\u2069", "\u200f", "\u2028"])
def test_other_bidi_and_separators_are_replaced(char: str) -> None:
    assert clean(f"a{char}b") == "a\ufffdb"


def test_undecodable_file_name_bytes_become_visible() -> None:
    name = os.fsdecode(b"bad\xff.jpg")
    assert "\udcff" in name  # a lone surrogate, as the OS hands it over
    cleaned = clean(name)
    assert cleaned == "bad\ufffd.jpg"
    cleaned.encode("utf-8")  # no longer raises


def test_ordinary_unicode_is_kept() -> None:
    for text in ("Zoë Ångström", "日本語の写真", "😀 headshot", "Łódź — café"):
        assert clean(text) == text


def test_clean_normalises_to_nfc() -> None:
    assert clean("e\u0301") == "\u00e9"


def test_clean_accepts_non_strings() -> None:
    assert clean(42) == "42"


def test_clean_multiline_keeps_newlines_and_tabs_but_not_escapes() -> None:
    assert clean_multiline("one\ntwo\tcol\x1b[2J") == "one\ntwo\tcol␛[2J"


def test_clean_multiline_normalises_line_endings() -> None:
    assert clean_multiline("a\r\nb\rc") == "a\nb\nc"


@pytest.mark.parametrize(
    "text",
    [
        "[@click=app.quit]x",
        "[bold]loud[/bold]",
        "[link=https://example.com]click[/link]",
        "[#ff0000]red",
        "\\[bold]",
        "plain [not a tag",
    ],
)
def test_escape_markup_makes_markup_inert(text: str) -> None:
    rendered = Text.from_markup(escape_markup(text))
    assert rendered.plain == text
    assert not rendered.spans


def test_escape_markup_also_cleans() -> None:
    rendered = Text.from_markup(escape_markup("[bold]\x1b[31m"))
    assert rendered.plain == "[bold]␛[31m"


def test_natural_key_sorts_numbers_by_value_and_ignores_case() -> None:
    names = ["img10.jpg", "IMG3.jpg", "img2.jpg", "img1.jpg", "a.jpg"]
    assert sorted(names, key=natural_key) == [
        "a.jpg",
        "img1.jpg",
        "img2.jpg",
        "IMG3.jpg",
        "img10.jpg",
    ]
    assert sorted(["take-11", "take-2", "take-10", "take-1"], key=natural_key) == [
        "take-1",
        "take-2",
        "take-10",
        "take-11",
    ]


def test_fit_leaves_short_text_alone() -> None:
    assert fit("abc", 3) == "abc"
    assert fit("abc", 10) == "abc"


def test_fit_cuts_with_an_ellipsis() -> None:
    assert fit("abcdef", 4) == "abc…"
    assert fit("abc", 0) == ""
    assert fit("abc", -1) == ""


@pytest.mark.parametrize("width", range(1, 12))
def test_fit_counts_wide_characters_as_two_cells(width: int) -> None:
    text = "日本語テキスト"  # 14 cells
    fitted = fit(text, width)
    assert cell_len(fitted) <= width
    assert fitted.endswith("…")
    assert fit("日本語", 5) == "日本…"


def test_wrap_breaks_on_words_within_width() -> None:
    assert wrap("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]


def test_wrap_cuts_words_longer_than_a_line() -> None:
    assert wrap("supercalifragilistic", 8) == ["superca…"]


@pytest.mark.parametrize("width", [4, 5, 6, 7, 9])
def test_wrap_counts_wide_characters_as_two_cells(width: int) -> None:
    lines = wrap("日本語 写真 とても 長い 説明文です", width)
    assert lines
    assert all(cell_len(line) <= width for line in lines)


def test_wrap_cleans_text() -> None:
    assert wrap("a\x1bb c", 20) == ["a␛b c"]
