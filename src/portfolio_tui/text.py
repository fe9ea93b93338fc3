"""The one place that makes outside strings safe to show.

File names, notes, config values, EXIF and XMP fields all come from outside the
program.  Before any of them reaches the screen it goes through :func:`clean`
(control characters replaced, undecodable bytes made visible) and is then shown
as plain text, never parsed as markup.  :func:`escape_markup` exists for the few
places where a string has to be embedded in markup.
"""

from __future__ import annotations

import re
import unicodedata

from rich.cells import cell_len, set_cell_size

__all__ = [
    "clean",
    "clean_multiline",
    "count",
    "escape_content_markup",
    "escape_markup",
    "fit",
    "natural_key",
    "wrap",
]

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"

# Characters that move the cursor, change terminal state or reorder text.  C0
# and C1 controls, DEL, and the bidirectional overrides/isolates ("Trojan
# Source") plus the line/paragraph separators that break layout.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SEPARATORS = "\u2028\u2029\u0085"
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f" + _BIDI + _SEPARATORS + "\ud800-\udfff]",
)
_UNSAFE_KEEP_NEWLINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + _SEPARATORS + "\ud800-\udfff]",
)


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if code < 0x20 or code == 0x7F:
        # U+2400 block: a visible picture of the control character (␛ for ESC).
        return chr(0x2400 + code) if code < 0x20 else "\u2421"
    return REPLACEMENT


def clean(value: object) -> str:
    """Return ``value`` as one line of text safe to show in a terminal.

    Control characters become their visible Unicode pictures (ESC shows as
    ``␛``), bidirectional overrides and lone surrogates (undecodable bytes in a
    file name) become U+FFFD, and the text is NFC-normalised.
    """
    text = value if isinstance(value, str) else str(value)
    text = _UNSAFE.sub(_visible, text)
    return unicodedata.normalize("NFC", text)


def clean_multiline(value: object) -> str:
    """Like :func:`clean` but keeps newlines and tabs (for notes)."""
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE_KEEP_NEWLINES.sub(_visible, text)
    return unicodedata.normalize("NFC", text)


_RICH_BRACKET = re.compile(r"(\\*)(\[(?:[a-z#/@][^[]*?\])?)")


def _rich_bracket(match: re.Match[str]) -> str:
    backslashes, bracket = match.groups()
    if len(bracket) > 1:  # what Rich reads as a tag: backslashes doubled, one more escapes it
        return backslashes * 2 + "\\" + bracket
    return backslashes + "\\["  # plain text: Rich turns "\\[" into "[", other backslashes stay


def escape_markup(value: object) -> str:
    """Clean ``value`` and escape it for embedding in Rich markup (``Text.from_markup``).

    Like ``rich.markup.escape``, which loses the backslash of ``\\[`` before a
    bracket that is not a tag (``C:\\[2024]`` showed as ``C:[2024]``) and
    leaves an odd run of three trailing backslashes escaping the caller's next
    tag.  A trailing run of backslashes is doubled, so the text is meant to be
    followed by markup (or nothing that minds).  Rich also turns ``:smile:``
    into an emoji unless the markup is read with ``emoji=False``.

    Not for Textual's markup (``Content.from_markup``, the command palette):
    that one takes any ``[`` for a tag, so use :func:`escape_content_markup`.
    """
    text = _RICH_BRACKET.sub(_rich_bracket, clean(value))
    return text + "\\" * (len(text) - len(text.rstrip("\\")))


def escape_content_markup(value: object) -> str:
    """Clean ``value`` and escape it for embedding in Textual markup (``Content.from_markup``).

    Textual reads every unescaped ``[`` as the start of a tag (``[Draft] Studio``
    would lose ``[Draft]`` to a style), and ``\\[`` as a literal ``[`` while
    leaving other backslashes alone, so each ``[`` gets one backslash and
    nothing else changes.  Rich's escaping is not enough and doubles backslashes
    Textual then shows.  A string ending in a backslash must not be followed by
    a tag of the caller's own.
    """
    return clean(value).replace("[", "\\[")


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``img2`` before ``img10`` and ignores case."""
    parts = _DIGITS.split(name.casefold())
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts if part != "")


def fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` terminal cells, ending in an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap of cleaned ``text`` to ``width`` cells (long words are cut)."""
    width = max(4, width)
    lines: list[str] = []
    current = ""
    for word in clean(text).split():
        word = fit(word, width)
        if current and cell_len(current) + 1 + cell_len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def count(n: int, word: str, plural: str | None = None) -> str:
    """``1 photo``, ``2 photos``, ``3 galleries``."""
    return f"{n} {word if n == 1 else plural or word + 's'}"
