"""Problems found in a config or portfolio, reported as ``file:line:col: message``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .text import clean


class Severity(str, Enum):
    """How bad a problem is: errors stop the app, warnings are shown and skipped."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the config or the portfolio, with where it is."""

    file: Path
    message: str
    line: int | None = None
    column: int | None = None
    severity: Severity = Severity.ERROR

    def location(self, file: str | None = None) -> str:
        """``file:line:col`` (as much of it as is known; ``file`` in place of the path)."""
        where = str(self.file) if file is None else file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return clean(f"{self.location()}: {prefix}{self.message}")

    def shown(self, root: Path) -> str:
        """This problem for a screen anyone may read: no path on the server in it.

        Paths under ``root`` are relative to it, any other path is its name alone.
        The app's start-up notice reaches viewers over SSH (docs/ssh.md); ``check``
        and ``str()`` keep the full paths for whoever runs the portfolio.
        """
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        where = self.location(_short_path(Path(os.path.abspath(self.file)), root))
        return clean(f"{where}: {prefix}{shorten_paths(self.message, root)}")


def _short_path(path: Path, root: Path) -> str:
    for base in dict.fromkeys((Path(os.path.abspath(root)), root.resolve())):
        if path == base:
            return base.name or "."
        if base in path.parents:
            return path.relative_to(base).as_posix()
    return path.name or "."


_ABSOLUTE = re.compile(r"(?<![\w.~/:-])/[^\s'\";,()\[\]]+")
"""An absolute path in running text: from a "/" not inside a word, a URL or a relative path,
up to a space, quote or separator (of a path with spaces, the words after the first stay)."""


def shorten_paths(text: str, root: Path) -> str:
    """``text`` with paths under ``root`` made relative to it and other absolute paths cut
    to their last part ("/etc/passwd" -> "passwd")."""
    for base in sorted({str(root), os.path.abspath(root), str(root.resolve())}, key=len)[::-1]:
        if base in ("", os.sep):
            continue

        def relative(match: re.Match[str], name: str = Path(base).name) -> str:
            return "" if match.group(1) else name  # "ROOT/a/x.jpg" -> "a/x.jpg"; "ROOT" -> name

        text = re.sub(r"(?<![\w.~/:-])" + re.escape(base) + r"(/|(?![\w.-]))", relative, text)
    return _ABSOLUTE.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1] or "/", text)


class ConfigError(Exception):
    """The config cannot be used at all (unreadable file, invalid TOML, or errors in it)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class ConfigUnreadable(ConfigError):
    """The config file cannot be read or is not valid TOML (``check`` exits 2)."""
