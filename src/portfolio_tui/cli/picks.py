"""``portfolio-tui picks``: the favourites clients marked while the photographer presented.

``picks list CLIENT [PATH]`` prints one client's picks in the portfolio's gallery
order; ``picks clients [PATH]`` lists every client with picks.  Both only read:
the picks file is opened read-only and nothing is ever written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..picks import PicksError, client_name
from ..store.sqlite_picks import SqlitePicksStore
from ..text import clean, count
from .common import _add_path, arrange, known_clients, open_or_report

if TYPE_CHECKING:
    from ..portfolio import Portfolio

PROG = "portfolio-tui picks"
EXIT_STATUS = """\
exit status:
  0  listed
  1  the client has no picks (the clients that have some are listed)
  2  usage error, or the config or the favourites cannot be read
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
    actions = parser.add_subparsers(dest="action", metavar="{list,clients}", required=True)
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


def run_picks(argv: Sequence[str]) -> int:
    """``portfolio-tui picks list|clients ...``."""
    args = _parser().parse_args(list(argv))
    if args.action == "list":
        return _list(args)
    return _clients(args)
