"""Problems found in a config or portfolio, reported as ``file:line:col: message``."""

from __future__ import annotations

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

    def location(self) -> str:
        """``file:line:col`` (as much of it as is known)."""
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return clean(f"{self.location()}: {prefix}{self.message}")


class ConfigError(Exception):
    """The config cannot be used at all (unreadable file, invalid TOML, or errors in it)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class ConfigUnreadable(ConfigError):
    """The config file cannot be read or is not valid TOML (``check`` exits 2)."""
