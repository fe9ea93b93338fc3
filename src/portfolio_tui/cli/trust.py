"""``portfolio-tui trust [show|update FILE|reset]``: the C2PA trust list credentials are
verified against (see docs/provenance.md).

- ``show`` (or plain ``trust``): the list in use, where it came from, its date, and the
  subject of each certificate;
- ``update FILE``: check FILE (PEM text with at least one certificate) and install it
  as your list, atomically, recording where it came from and when;
- ``reset``: remove your list; the copy shipped with the package is then in use.

Nothing is downloaded: fetch a newer list yourself (the official one is
``trust-list/C2PA-TRUST-LIST.pem`` in github.com/c2pa-org/conformance-public) and
pass the file. Exit status: 0 done, 2 a bad FILE or a list that cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..text import clean

PROG = "portfolio-tui trust"


def trust_parser() -> argparse.ArgumentParser:
    """The parser for ``trust``."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog=PROG,
        description="The C2PA trust list that makes Content Credentials 'trusted': a copy of "
        "the official list ships with portfolio-tui; 'update FILE' installs a newer one for "
        "you. Nothing is fetched from the network. Exit status: 0 done, 2 a bad FILE.",
    )
    commands = parser.add_subparsers(dest="command", metavar="show|update|reset")
    commands.add_parser(
        "show",
        help="the list in use, its source and date, and its certificates (the default)",
        description="Print the trust list in use: its file, source, date, certificate "
        "count and the subject of each certificate.",
    )
    update = commands.add_parser(
        "update",
        help="install FILE (PEM certificates) as your trust list",
        description="Check FILE (PEM text with one or more certificates) and install it as "
        "your trust list, in your user config folder, with a record of where it came from "
        "and when. The list in use changes all at once or not at all.",
    )
    update.add_argument("file", type=Path, metavar="FILE", help="a PEM trust list")
    commands.add_parser(
        "reset",
        help="remove your list; the shipped one is used again",
        description="Remove the trust list 'update' installed; the copy shipped with "
        "portfolio-tui is then in use.",
    )
    return parser


def _say(text: str) -> None:
    print(clean(text), file=sys.stderr)


def run_trust(argv: Sequence[str]) -> int:
    """``portfolio-tui trust``."""
    args = trust_parser().parse_args(argv)
    if args.command == "update":
        return _update(args.file)
    if args.command == "reset":
        return _reset()
    return _show()


def _show() -> int:
    from ..credentials.trust import trust_list

    used = trust_list()
    if used.problem:
        _say(f"{PROG}: {used.problem}")
    whose = "shipped with portfolio-tui" if used.shipped else "installed by 'trust update'"
    lines = [
        f"trust list: {used.path} ({whose})",
        f"source: {used.source}",
        f"date: {used.date}",
        *(f"{key}: {value}" for key, value in used.details if key != "certificates"),
        f"certificates: {used.count}",
        *(f"  {subject}" for subject in used.subjects),
    ]
    for line in lines:
        print(clean(line))
    return 0


def _update(file: Path) -> int:
    from ..credentials.trust import TrustListError, install_trust_list, user_trust_path

    command = f"{PROG} update"
    try:
        installed = install_trust_list(file)
    except TrustListError as exc:
        _say(f"{command}: {file} is not a trust list: {exc}; the list in use is unchanged")
        return 2
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename) == file:
            _say(f"{command}: cannot read {file}: {exc.strerror or exc}")
        elif exc.filename is None and str(file) in str(exc):
            _say(f"{command}: cannot read {exc}")
        else:
            target = exc.filename or user_trust_path()
            _say(f"{command}: cannot write {target}: {exc.strerror or exc}")
        return 2
    print(
        clean(
            f"trust list installed: {installed.count} certificate"
            f"{'s' if installed.count != 1 else ''} from {file} into {installed.path}"
        )
    )
    print("Content Credentials are now verified against it ('portfolio-tui trust' shows it).")
    return 0


def _reset() -> int:
    from ..credentials.trust import remove_trust_list, shipped_trust_list

    try:
        removed = remove_trust_list()
    except OSError as exc:
        _say(f"{PROG} reset: cannot remove {exc.filename}: {exc.strerror or exc}")
        return 2
    shipped = shipped_trust_list()
    head = f"removed your trust list {removed}" if removed else "no trust list of yours to remove"
    print(
        clean(f"{head}; the shipped list is in use ({shipped.count} certificates, {shipped.date})")
    )
    return 0
