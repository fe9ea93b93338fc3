"""Typed values out of parsed TOML, each problem located to file:line:col.

:class:`Validator` checks one value at a time against what the schema wants
(table, string, list of strings, number, boolean, choice, relative path) and
records a :class:`~portfolio_tui.problems.Problem` at the key's line and column,
saying what is wrong and how to fix it; unknown keys get a did-you-mean.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from .._tomlpos import KeyPath
from ..problems import Problem


class Validator:
    """Pulls typed values out of parsed TOML, recording located problems."""

    def __init__(self, path: Path, positions: dict[KeyPath, tuple[int, int]]) -> None:
        self.path = path
        self.positions = positions
        self.problems: list[Problem] = []

    def where(self, key_path: KeyPath) -> tuple[int | None, int | None]:
        probe = key_path
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return None, None

    def error(self, key_path: KeyPath, message: str) -> None:
        line, column = self.where(key_path)
        self.problems.append(Problem(self.path, message, line, column))

    def table(self, data: Any, key_path: KeyPath, allowed: tuple[str, ...]) -> dict[str, Any]:
        """Check ``data`` is a table with only ``allowed`` keys; return it (or {})."""
        if not isinstance(data, dict):
            self.error(key_path, f"{key_name(key_path)} must be a table, not {type_name(data)}")
            return {}
        for key in data:
            if key not in allowed:
                guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = (
                    f"; did you mean '{guess[0]}'?"
                    if guess
                    else f"; allowed keys are {', '.join(allowed)}"
                )
                self.error((*key_path, key), f"unknown key '{key}' in {key_name(key_path)}{hint}")
        return data

    def string(
        self, table: dict[str, Any], key: str, key_path: KeyPath, *, required: bool = False
    ) -> str | None:
        if key not in table:
            if required:
                self.error(
                    key_path, f"{key_name(key_path)} is missing '{key}' (add {key} = \"...\")"
                )
            return None
        value = table[key]
        if not isinstance(value, str):
            self.error(
                (*key_path, key),
                f"'{key}' must be a string in quotes, not {type_name(value)} "
                f'(write {key} = "{value}")',
            )
            return None
        return value

    def strings(self, table: dict[str, Any], key: str, key_path: KeyPath) -> tuple[str, ...]:
        """A list of strings; a single string is accepted as a list of one."""
        if key not in table:
            return ()
        value = table[key]
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            self.error(
                (*key_path, key),
                f'\'{key}\' must be a list of strings, like {key} = ["a", "b"], '
                f"not {type_name(value)}",
            )
            return ()
        out: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                self.error(
                    (*key_path, key, index),
                    f"'{key}' item {index + 1} must be a string, not {type_name(item)}",
                )
        return tuple(out)

    def number(
        self, table: dict[str, Any], key: str, key_path: KeyPath, bounds: tuple[float, float]
    ) -> float | None:
        """A number (integer or decimal) within ``bounds``."""
        if key not in table:
            return None
        value = table[key]
        low, high = bounds
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(
                (*key_path, key),
                f"'{key}' must be a number of seconds without quotes, like {key} = 6, "
                f"not {type_name(value)}",
            )
            return None
        if not low <= value <= high:
            self.error(
                (*key_path, key),
                f"'{key}' is {_number_text(value)}; it must be from {low:g} to {high:g}",
            )
            return None
        return float(value)

    def boolean(self, table: dict[str, Any], key: str, key_path: KeyPath) -> bool | None:
        """true or false."""
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, bool):
            self.error(
                (*key_path, key),
                f"'{key}' must be true or false without quotes, not {type_name(value)}",
            )
            return None
        return value

    def choice(
        self,
        table: dict[str, Any],
        key: str,
        key_path: KeyPath,
        choices: tuple[str, ...],
        hint: Callable[[str], str | None] | None = None,
    ) -> str | None:
        value = self.string(table, key, key_path)
        if value is None:
            return None
        if value not in choices:
            extra = hint(value) if hint else None
            folded = value.strip().casefold()
            guess = [c for c in choices if c == folded] or difflib.get_close_matches(
                folded, choices, n=1, cutoff=0.5
            )
            message = extra or (
                f"'{key}' is \"{value}\"; it must be one of "
                + ", ".join(f'"{c}"' for c in choices)
                + (f' (did you mean "{guess[0]}"?)' if guess else "")
            )
            self.error((*key_path, key), message)
            return None
        return value

    def relative_path(self, value: str | None, key_path: KeyPath, what: str) -> str | None:
        """Check a path is relative and stays inside the portfolio root (lexically)."""
        if value is None:
            return None
        if not value.strip():
            self.error(key_path, f"{what} is empty; give a path relative to the portfolio root")
            return None
        posix = value.replace("\\", "/")
        pure = PurePosixPath(posix)
        if pure.is_absolute() or re.match(r"^[A-Za-z]:", posix):
            self.error(
                key_path,
                f"{what} '{value}' is an absolute path; write it relative to the portfolio root",
            )
            return None
        if ".." in pure.parts:
            self.error(
                key_path,
                f"{what} '{value}' leaves the portfolio root ('..'); "
                "keep every photo inside the portfolio folder",
            )
            return None
        return str(pure)


def key_name(key_path: KeyPath) -> str:
    """How a message names a key path: ``[[galleries]] entry 2, folder``, ``[display]``."""
    if not key_path:
        return "the config"
    if len(key_path) >= 2 and key_path[0] in ("galleries", "comparisons"):
        # Users count from 1: ("comparisons", 0, "photos", 2) is entry 1, photos item 3.
        return f"[[{key_path[0]}]] entry {int(key_path[1]) + 1}" + "".join(
            f" item {k + 1}" if isinstance(k, int) else f", {k}" for k in key_path[2:]
        )
    if key_path[0] == "photos" and len(key_path) >= 2:
        return f'[photos."{key_path[1]}"]'
    return "[" + ".".join(str(k) for k in key_path) + "]"


def _number_text(value: float) -> str:
    """``value`` for a message; an integer too large for a float has no ``:g`` form."""
    try:
        return f"{value:g}"
    except OverflowError:
        return f"a number of {len(str(abs(int(value))))} digits"


def type_name(value: Any) -> str:
    """What a message calls the TOML type of ``value``: ``a string``, ``true/false``."""
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
