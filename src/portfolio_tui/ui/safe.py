"""Outside strings turned into Textual content that is never parsed as markup."""

from __future__ import annotations

from textual.content import Content

from ..text import clean, clean_multiline, escape_content_markup, escape_markup


def plain(value: object, style: str = "") -> Content:
    """One line of outside text as Content (cleaned, no markup parsing)."""
    return Content.styled(clean(value), style) if style else Content(clean(value))


def plain_block(value: object) -> Content:
    """Multi-line outside text as Content (cleaned, newlines kept)."""
    return Content(clean_multiline(value))


def markdown_source(value: object) -> str:
    """Outside Markdown made safe to hand to the Markdown widget."""
    return clean_multiline(value)


__all__ = ["escape_content_markup", "escape_markup", "markdown_source", "plain", "plain_block"]
