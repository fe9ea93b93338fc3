"""``portfolio-tui history [PHOTO] [PATH]``: who changed what in the curation, and when.

Reads the history table of ``curation.sqlite`` (``curation-history.jsonl`` in a
folder no curator has opened since; see :mod:`portfolio_tui.store.sqlite_curation`) and prints
one line per change, oldest first so the newest is last::

    2026-11-28 10:02  anna  studio/a.jpg  rating 3 → 5

Times are in the local time zone (set ``TZ=UTC`` for UTC).  Every name and
value is cleaned for the terminal.  Exit status: 0 when something was printed,
1 when the history has nothing (for that photo), 2 for a bad argument.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from ..curation import HISTORY_NAME, CurationError, HistoryEntry
from ..problems import ConfigError
from ..text import clean
from .common import portfolio_root

NOTES_PREVIEW = 40
"""Characters of notes shown in a line (the history file has them whole)."""


def history_parser() -> argparse.ArgumentParser:
    """The parser for ``history``."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="portfolio-tui history",
        description="Print who rated, flagged, labelled, tagged, annotated, reordered or set "
        "covers, and when, from the curation history in the portfolio folder; newest last. "
        "PHOTO is a path relative to the portfolio (studio/a.jpg), or a file name if only "
        "one photo has it. Exit status: 0 changes printed, 1 none found, 2 bad arguments.",
    )
    parser.add_argument(
        "words",
        nargs="*",
        metavar="[PHOTO] [PATH]",
        help="a photo to show alone, and the portfolio folder or its config.toml "
        "(default: ./config.toml, else this folder); one word that is a folder or a "
        ".toml file is taken for PATH",
    )
    parser.add_argument(
        "--limit",
        "-n",
        type=int,
        metavar="N",
        default=None,
        help="only the last N changes",
    )
    return parser


def _split(words: Sequence[str]) -> tuple[str | None, Path | None]:
    """(PHOTO, PATH) from up to two words."""
    if len(words) == 2:
        return words[0], Path(words[1])
    if len(words) == 1:
        word = words[0]
        candidate = Path(word).expanduser()
        if candidate.is_dir() or (candidate.suffix.lower() == ".toml" and candidate.is_file()):
            return None, candidate
        return word, None
    return None, None


def _when(at: str) -> str:
    try:
        moment = dt.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return at
    try:
        return moment.astimezone().strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):  # pragma: no cover - the calendar's edges
        return moment.strftime("%Y-%m-%d %H:%M")


def _value(field: str, value: object) -> str:
    if field == "rating" and value is None:
        return "0"
    if value is None or value == "" or value == [] or (field != "rating" and value == 0):
        return "none"
    if field == "order" and isinstance(value, list):
        return f"{len(value)} photo{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field == "notes" and isinstance(value, str):
        text = " ".join(value.split())
        return repr(text if len(text) <= NOTES_PREVIEW else text[: NOTES_PREVIEW - 1] + "…")
    return str(value)


def describe_entry(entry: HistoryEntry) -> str:
    """One line for ``entry``, cleaned for the terminal."""
    where = entry.photo if entry.photo is not None else f"gallery {entry.gallery}"
    change = (
        f"{entry.field} {_value(entry.field, entry.before)} → {_value(entry.field, entry.after)}"
    )
    return clean(f"{_when(entry.at)}  {entry.by}  {where}  {change}")


def _photo_key(photo: str, entries: Sequence[HistoryEntry]) -> str | list[str]:
    """The photo path ``photo`` names: itself, or the one path with that file name;
    a list of candidates when the name is ambiguous."""
    paths = {e.photo for e in entries if e.photo is not None}
    wanted = photo.strip().removeprefix("./")
    if wanted in paths:
        return wanted
    named = sorted(p for p in paths if p.rsplit("/", 1)[-1] == wanted)
    if len(named) == 1:
        return named[0]
    return named if named else wanted


def run_history(argv: Sequence[str]) -> int:
    """``portfolio-tui history``."""
    parser = history_parser()
    args = parser.parse_args(argv)
    if len(args.words) > 2:
        parser.error("at most two words: [PHOTO] [PATH]")
    if args.limit is not None and args.limit < 1:
        print("portfolio-tui history: --limit must be 1 or more", file=sys.stderr)
        return 2
    photo, target = _split(args.words)
    try:
        root = portfolio_root(target)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    from ..store.sqlite_curation import SqliteCurationStore

    try:
        with SqliteCurationStore(root, read_only=True) as store:
            read = store.history()
    except CurationError as exc:
        print(clean(f"portfolio-tui history: {exc}"), file=sys.stderr)
        return 2
    except OSError as exc:
        where = exc.filename or root / HISTORY_NAME
        print(
            clean(f"portfolio-tui history: cannot read {where}: {exc.strerror or exc}"),
            file=sys.stderr,
        )
        return 2
    entries = list(read.entries)
    if photo is not None:
        key = _photo_key(photo, entries)
        if isinstance(key, list):
            print(
                clean(f"portfolio-tui history: {photo!r} names {len(key)} photos: ")
                + ", ".join(clean(k) for k in key)
                + "; give the path relative to the portfolio",
                file=sys.stderr,
            )
            return 2
        entries = [e for e in entries if e.photo == key]
    if args.limit is not None:
        entries = entries[-args.limit :]
    for entry in entries:
        print(describe_entry(entry))
    if read.damaged:
        print(
            f"portfolio-tui history: {read.damaged} damaged line"
            f"{'s' if read.damaged != 1 else ''} skipped",
            file=sys.stderr,
        )
    if not entries:
        what = clean(f" for {photo}") if photo is not None else ""
        print(clean(f"no curation changes recorded{what} in {root}"), file=sys.stderr)
        return 1
    return 0
