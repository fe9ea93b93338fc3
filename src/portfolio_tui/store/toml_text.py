"""TOML values as text, for the stores' readable files (``curation.toml``'s form and
``picks.toml``): keys bare when they can be, every control character escaped, so any
name round-trips through ``tomllib``."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPE = re.compile("[\x00-\x1f\x7f]")
_ESCAPE_MULTI = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # a multi-line string keeps \t and \n
_NAMED = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _escape_char(m: re.Match[str]) -> str:
    char = m.group(0)
    return _NAMED.get(char) or f"\\u{ord(char):04X}"


def string(text: str) -> str:
    """A TOML basic string: every control character escaped, so any name is safe."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _ESCAPE.sub(_escape_char, text) + '"'


def multiline(text: str) -> str:
    """A TOML multi-line basic string (notes keep their line breaks readable)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"""\n' + _ESCAPE_MULTI.sub(_escape_char, text) + '"""'


def key(name: str) -> str:
    """``name`` as a TOML key: bare when it can be, quoted otherwise."""
    return name if BARE_KEY.fullmatch(name) else string(name)


def value(item: Any, top: bool = False) -> str:
    """``item`` as a TOML value; ``top``: a key's own value, where a string with line
    breaks is written multi-line."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if math.isnan(item):
            return "nan"
        if math.isinf(item):
            return "inf" if item > 0 else "-inf"
        return repr(item)
    if isinstance(item, str):
        return multiline(item) if top and "\n" in item else string(item)
    if isinstance(item, dt.datetime):
        if item.utcoffset() == dt.timedelta(0):
            return item.replace(tzinfo=None).isoformat() + "Z"
        return item.isoformat()
    if isinstance(item, (dt.date, dt.time)):
        return item.isoformat()
    if isinstance(item, (list, tuple)):
        return "[" + ", ".join(value(v) for v in item) + "]"
    if isinstance(item, Mapping):
        return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in item.items()) + " }"
    raise TypeError(f"cannot write {type(item).__name__} to TOML")  # pragma: no cover
