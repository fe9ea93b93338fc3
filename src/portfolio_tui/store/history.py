"""Reading ``curation-history.jsonl``, the TOML store's history (one JSON object a line).

:func:`history` reads it (capped at :data:`MAX_HISTORY_BYTES`) into :class:`HistoryEntry`
rows; the SQLite store keeps its history in a table and reports the same entries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..files import read_regular
from .changes import HISTORY_NAME, MAX_HISTORY_BYTES, author

# -- the history -------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One line of ``curation-history.jsonl``: who changed what, when."""

    at: str
    by: str
    field: str
    before: object
    after: object
    photo: str | None = None
    gallery: str | None = None


@dataclass(frozen=True)
class HistoryRead:
    """The history's entries, oldest first, and how many lines could not be used."""

    entries: tuple[HistoryEntry, ...]
    damaged: int = 0


def _entry(line: str) -> HistoryEntry | None:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    at, by, name = data.get("at"), data.get("by"), data.get("field")
    photo, gallery = data.get("photo"), data.get("gallery")
    if not (isinstance(at, str) and isinstance(by, str) and isinstance(name, str)):
        return None
    if not (isinstance(photo, str) ^ isinstance(gallery, str)):
        return None
    if "from" not in data or "to" not in data:
        return None
    return HistoryEntry(
        at=at,
        by=by,
        field=name,
        before=data["from"],
        after=data["to"],
        photo=photo if isinstance(photo, str) else None,
        gallery=gallery if isinstance(gallery, str) else None,
    )


def history(path: Path, photo: str | None = None) -> HistoryRead:
    """Read ``curation-history.jsonl`` (``path`` is the file or the portfolio root).

    Lines that are not a whole entry (a writer killed mid-line, an edit gone
    wrong, bytes that are not UTF-8) are skipped and counted in
    :attr:`HistoryRead.damaged`.  ``photo`` keeps one photo's entries.  A
    missing file is an empty history; one that cannot be read raises OSError
    (:class:`~portfolio_tui.files.NotRegularFile` for a link or special file,
    which is never followed).
    """
    path = Path(path)
    if path.is_dir():
        path = path / HISTORY_NAME
    try:
        raw = read_regular(path, MAX_HISTORY_BYTES)
    except FileNotFoundError:
        return HistoryRead(())
    entries: list[HistoryEntry] = []
    damaged = 0
    for raw_line in raw.split(b"\n"):
        if not raw_line.strip():
            continue
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError:
            damaged += 1
            continue
        entry = _entry(line)
        if entry is None:
            damaged += 1
        elif photo is None or entry.photo == photo:
            entries.append(entry)
    return HistoryRead(tuple(entries), damaged)


def _default_author() -> str:
    return author()
