"""File names in the TOML stores, including names that are not UTF-8 (no Textual here).

A Linux file name is bytes. One that is not UTF-8 (``café.jpg`` saved in
Latin-1 by an old camera or a Windows zip) reaches Python with each such byte
as a lone surrogate (``caf\\udce9.jpg``, PEP 383), which TOML cannot hold. In
``curation.toml`` and ``picks.toml`` such a name is written with each of those
bytes as ``\\xHH`` and each backslash doubled (``caf\\xe9.jpg``; TOML shows it
as ``"caf\\\\xe9.jpg"``), and read back to the same name. Every other name is
written as it is, so stores of UTF-8 names stay byte for byte what they were
(docs/curation.md, "Names that are not UTF-8").
"""

from __future__ import annotations

import re

__all__ = ["from_store", "storable", "to_store"]

_SURROGATE = re.compile("[\ud800-\udfff]")
_BAD_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
"""Surrogates that are no byte of a file name (PEP 383 makes only U+DC80..U+DCFF)."""
_ESCAPED = re.compile(r"\\(\\|x[89a-fA-F][0-9a-fA-F])")


def storable(name: str) -> bool:
    """Whether ``name`` can be written to a store: any text, and bytes that are not UTF-8,
    but no lone surrogate that stands for no byte."""
    return _BAD_SURROGATE.search(name) is None


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return "\\" if code == "\\" else chr(0xDC00 + int(code[1:], 16))


def from_store(text: str) -> str:
    """A name as written in a store -> the name (``caf\\xe9.jpg`` -> ``caf\\udce9.jpg``)."""
    if "\\" not in text:
        return text
    return _ESCAPED.sub(_unescape, text)


def to_store(name: str) -> str:
    """A name -> as written in a store; :func:`from_store` gives ``name`` back.

    A name with no byte outside UTF-8 that reads back as itself is written as it
    is; any other has every backslash doubled and every such byte as ``\\xHH``.
    """
    if _SURROGATE.search(name) is None and ("\\" not in name or from_store(name) == name):
        return name
    if not storable(name):
        raise ValueError(f"{name!r} holds a lone surrogate that is no byte of a file name")
    escaped = name.replace("\\", "\\\\")
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group(0)) - 0xDC00:02x}", escaped)
