"""``portfolio-tui picks``: the favourites clients marked while the photographer presented.

``picks list CLIENT [PATH]`` prints one client's picks in the portfolio's gallery
order; ``picks clients [PATH]`` lists every client with picks; ``picks tally [PATH]
[--csv]`` counts the blind tests' answers, per comparison.  All only read: the
database is opened read-only and nothing is ever written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import cell_len

from ..picks import PicksError, client_name
from ..store.sqlite_picks import SqlitePicksStore
from ..text import clean, count, fit
from .common import _add_path, arrange, csv_cell, known_clients, open_or_report

if TYPE_CHECKING:
    from ..portfolio import Portfolio
    from ..store.blind import ComparisonTally

PROG = "portfolio-tui picks"
EXIT_STATUS = """\
exit status:
  0  listed
  1  the client has no picks (the clients that have some are listed)
  2  usage error, or the config or the favourites cannot be read
"""
TALLY_EXIT_STATUS = """\
exit status:
  0  tallied (or no answers yet, which it says)
  2  usage error, or the config or the answers cannot be read
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog=PROG,
        description="The favourites clients marked with `h` while presenting "
        "(portfolio-tui --present --client NAME), kept in curation.sqlite in the portfolio. "
        "These commands only read.",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="{list,clients,tally}", required=True)
    listing = actions.add_parser(
        "list",
        allow_abbrev=False,
        help="one client's picks, in the portfolio's gallery order",
        description="Print a client's picks gallery by gallery (titles and paths), then "
        "the picks whose photo is no longer in the portfolio, then a count.",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument("client", metavar="CLIENT", help="the client's name, as given to --client")
    _add_path(listing)
    clients = actions.add_parser(
        "clients",
        allow_abbrev=False,
        help="every client with picks, and how many",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_path(clients)
    tallying = actions.add_parser(
        "tally",
        allow_abbrev=False,
        help="the blind tests' answers, per comparison",
        description="Per comparison with answers to a blind test (b while presenting, or "
        "--blind): each side's photo, how many clients preferred it, how many marked it as "
        "the real photograph, and how many told real from AI (correct / answers where that "
        "is known). Each client's first answer to a comparison counts; later ones came "
        "after she had seen the reveal.",
        epilog=TALLY_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_path(tallying)
    tallying.add_argument(
        "--csv",
        action="store_true",
        help="CSV on standard output (a header row, then a row a side)",
    )
    return parser


def _error(message: str) -> None:
    print(clean(f"{PROG}: {message}"), file=sys.stderr)


def _open(path: Path | None) -> Portfolio | None:
    return open_or_report(path, PROG)


def _list(args: argparse.Namespace) -> int:
    try:
        client = client_name(args.client)
    except PicksError as exc:
        _error(str(exc))
        return 2
    portfolio = _open(args.path)
    if portfolio is None:
        return 2
    store = SqlitePicksStore(portfolio.root, read_only=True)
    try:
        picks = store.load(client)
    except PicksError as exc:
        _error(str(exc))
        return 2
    if not picks.picks:
        _error(f"no picks for '{client}'; clients with picks: {known_clients(store)}")
        return 1
    placed, missing = arrange(portfolio, picks)
    print(clean(f"Favourites of {client} ({portfolio.title})"))
    width = min(40, max((len(clean(p.photo.display_title)) for p in placed), default=0))
    heading: object = object()
    for each in placed:
        if each.gallery is not heading:
            heading = each.gallery
            title = each.gallery.title if each.gallery is not None else "Not in a gallery"
            print()
            print(clean(title))
        print(clean(f"  {each.photo.display_title:<{width}}  {each.photo.rel}"))
    if missing:
        print()
        print("No longer in the portfolio")
        for pick in missing:
            print(clean(f"  {pick.photo}  (picked {pick.at or 'at an unknown time'})"))
    print()
    total = count(len(picks.picks), "pick")
    if missing:
        print(f"{total}: {len(placed)} in the portfolio, {len(missing)} no longer in it")
    else:
        print(total)
    return 0


def _clients(args: argparse.Namespace) -> int:
    portfolio = _open(args.path)
    if portfolio is None:
        return 2
    store = SqlitePicksStore(portfolio.root, read_only=True)
    try:
        everyone = store.load_all()
    except PicksError as exc:
        _error(str(exc))
        return 2
    if not everyone:
        print(clean(f"no client picks yet in {portfolio.root}"))
        return 0
    width = min(40, max(len(clean(name)) for name in everyone))
    for name, picks in everyone.items():
        print(clean(f"{name:<{width}}  {count(len(picks.picks), 'pick')}"))
    print(count(len(everyone), "client"))
    return 0


CSV_HEADER = (
    "comparison",
    "title",
    "side",
    "photo",
    "preferred",
    "marked_real",
    "clients",
    "told_apart",
    "told_apart_known",
)


def _tally(args: argparse.Namespace) -> int:
    from ..store.blind import tally
    from ..store.sqlite_blind import SqliteBlindStore

    portfolio = _open(args.path)
    if portfolio is None:
        return 2
    try:
        answers = SqliteBlindStore(portfolio.root, read_only=True).load_all()
    except PicksError as exc:
        _error(str(exc))
        return 2
    counted = tally(answers, portfolio.comparisons)
    if args.csv:
        _tally_csv(counted)
        return 0
    if not counted:
        print(clean(f"no blind test answers yet in {portfolio.root}"))
        return 0
    _tally_table(counted)
    return 0


def _pad(text: str, width: int) -> str:
    """``text`` cut or padded to ``width`` terminal cells."""
    text = fit(text, width)
    return text + " " * (width - cell_len(text))


def _csv_cell(value: str) -> str:
    """Outside text, cleaned, for a spreadsheet (see :func:`.common.csv_cell`)."""
    return csv_cell(clean(value))


def _tally_csv(counted: Sequence[ComparisonTally]) -> None:
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for each in counted:
        for side in each.sides:
            writer.writerow(
                [
                    _csv_cell(each.comparison),
                    _csv_cell(each.title),
                    _csv_cell(side.label),
                    _csv_cell(side.photo),
                    side.preferred,
                    side.marked_real,
                    each.clients,
                    each.correct,
                    each.known,
                ]
            )


def _tally_table(counted: Sequence[ComparisonTally]) -> None:
    for number, each in enumerate(counted):
        if number:
            print()
        title = f"{each.title} ({each.comparison})" if each.title else each.comparison
        print(clean(f"{title}: {count(each.clients, 'client')}"))
        rows = [("side", "photo", "preferred", "marked real")]
        rows += [
            (clean(s.label) or "-", clean(s.photo), str(s.preferred), str(s.marked_real))
            for s in each.sides
        ]
        label_w = min(30, max(cell_len(r[0]) for r in rows))
        photo_w = min(50, max(cell_len(r[1]) for r in rows))
        for label, photo, preferred, real in rows:
            print(f"  {_pad(label, label_w)}  {_pad(photo, photo_w)}  {preferred:>9}  {real:>11}")
        if each.known:
            print(f"  told real from AI: {each.correct} of {each.known}")
        else:
            print(
                "  told real from AI: not known (no answer set a known camera original "
                "against an AI-generated or composite image)"
            )


def run_picks(argv: Sequence[str]) -> int:
    """``portfolio-tui picks list|clients|tally ...``."""
    args = _parser().parse_args(list(argv))
    if args.action == "list":
        return _list(args)
    if args.action == "tally":
        return _tally(args)
    return _clients(args)
