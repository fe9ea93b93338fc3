"""Find where keys and array elements sit in a TOML document.

``tomllib`` says nothing about positions once a document parses, yet a
photographer fixing a config by hand needs the line.  This scanner walks the
(already valid) TOML text and maps every key path -- ``("galleries", 0, "id")``,
``("photos", "studio/a.jpg", "tags", 1)`` -- to its 1-based line and column.
It never raises: on anything unexpected it returns what it found so far.
:func:`error_position` does the same for a document that does not parse.
"""

from __future__ import annotations

import contextlib
import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

Position = tuple[int, int]
KeyPath = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def error_position(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None, int | None]:
    """``exc``'s message without its "(at line L, column C)", then L and C (1-based).

    Config, curation and picks files all report a TOML error this way.
    """
    message = str(exc)
    m = _TOML_POS.search(message)
    if m:
        return message[: m.start()].strip(), int(m.group(1)), int(m.group(2))
    if getattr(exc, "lineno", None):  # pragma: no cover - newer tomllib
        return message, getattr(exc, "lineno", None), getattr(exc, "colno", None)
    return message, None, None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)
        self.positions: dict[KeyPath, Position] = {}
        self.aot: dict[KeyPath, int] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    # -- helpers ---------------------------------------------------------
    def where(self, index: int) -> Position:
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= index:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, index - self._line_starts[lo] + 1

    def peek(self, k: int = 1) -> str:
        return self.s[self.i : self.i + k]

    def skip(self, newlines: bool = False) -> None:
        while self.i < self.n:
            c = self.s[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#" and newlines:
                while self.i < self.n and self.s[self.i] != "\n":
                    self.i += 1
            else:
                break

    def skip_line(self) -> None:
        while self.i < self.n and self.s[self.i] != "\n":
            self.i += 1

    def string(self) -> str:
        """Consume a string at the cursor and return its decoded value."""
        start = self.i
        for quote in ('"""', "'''"):
            if self.s.startswith(quote, self.i):
                end = self.s.find(quote, self.i + 3)
                while quote == '"""' and end > 0 and _escaped(self.s, end):
                    end = self.s.find(quote, end + 1)
                end = self.n if end < 0 else end + 3
                while end < self.n and self.s[end] == quote[0]:
                    end += 1
                self.i = end
                return ""
        quote = self.s[self.i]
        self.i += 1
        while self.i < self.n and self.s[self.i] != quote:
            if quote == '"' and self.s[self.i] == "\\":
                self.i += 1
            self.i += 1
        self.i += 1
        raw = self.s[start : self.i]
        try:
            return str(tomllib.loads("k = " + raw)["k"])
        except Exception:
            return raw.strip("\"'")

    def key(self) -> list[str]:
        parts: list[str] = []
        while self.i < self.n:
            self.skip()
            c = self.peek()
            if c in "\"'":
                parts.append(self.string())
            else:
                m = _BARE.match(self.s, self.i)
                if not m:
                    break
                parts.append(m.group(0))
                self.i = m.end()
            self.skip()
            if self.peek() == ".":
                self.i += 1
                continue
            break
        return parts

    def resolve(self, keys: list[str]) -> KeyPath:
        path: list[str | int] = []
        for k in keys:
            path.append(k)
            if tuple(path) in self.aot:
                path.append(self.aot[tuple(path)])
        return tuple(path)

    def value(self, path: KeyPath) -> None:
        c = self.peek()
        if c in "\"'":
            self.string()
        elif c == "[":
            self.i += 1
            index = 0
            while self.i < self.n:
                self.skip(newlines=True)
                if self.peek() == "]":
                    self.i += 1
                    return
                element: KeyPath = (*path, index)
                self.positions[element] = self.where(self.i)
                self.value(element)
                self.skip(newlines=True)
                if self.peek() == ",":
                    self.i += 1
                    index += 1
                elif self.peek() != "]":
                    return
        elif c == "{":
            self.i += 1
            while self.i < self.n:
                self.skip()
                if self.peek() == "}":
                    self.i += 1
                    return
                self.assignment(path)
                self.skip()
                if self.peek() == ",":
                    self.i += 1
                elif self.peek() != "}":
                    return
        else:
            while self.i < self.n and self.s[self.i] not in ",]}\n#":
                self.i += 1

    def assignment(self, table: KeyPath) -> None:
        start = self.i
        keys = self.key()
        if not keys:
            self.skip_line()
            return
        path = (*table, *keys)
        self.positions.setdefault(path, self.where(start))
        self.skip()
        if self.peek() == "=":
            self.i += 1
            self.skip()
            self.value(path)

    def run(self) -> None:
        table: KeyPath = ()
        while self.i < self.n:
            self.skip(newlines=True)
            if self.i >= self.n:
                break
            start = self.i
            if self.s.startswith("[[", self.i):
                self.i += 2
                keys = self.key()
                parent = self.resolve(keys[:-1]) if len(keys) > 1 else ()
                base = (*parent, *keys[-1:])
                self.aot[base] = self.aot.get(base, -1) + 1
                table = (*base, self.aot[base])
                self.positions.setdefault(base, self.where(start))
                self.positions[table] = self.where(start)
                self.skip_line()
            elif self.peek() == "[":
                self.i += 1
                table = self.resolve(self.key())
                self.positions.setdefault(table, self.where(start))
                self.skip_line()
            else:
                self.assignment(table)
                self.skip()
                if self.peek() == "#" or self.peek() == "\n" or self.i == start:
                    self.skip_line()


def _escaped(s: str, index: int) -> bool:
    backslashes = 0
    j = index - 1
    while j >= 0 and s[j] == "\\":
        backslashes += 1
        j -= 1
    return backslashes % 2 == 1


def key_positions(text: str) -> dict[KeyPath, Position]:
    """Map every key path in ``text`` to its (line, column), both 1-based."""
    scanner = _Scanner(text)
    # Best effort by design: a position we cannot find falls back to the parent's.
    with contextlib.suppress(Exception):
        scanner.run()
    return scanner.positions
