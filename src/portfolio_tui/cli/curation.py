"""``portfolio-tui curation export|import``: the curation store in its readable TOML form.

The store is ``curation.sqlite`` (see :mod:`portfolio_tui.store.sqlite_curation`).
``export`` writes every rating, flag, label, tag, note, gallery order and cover in the
``curation.toml`` form (docs/curation.md), for people who keep portfolios in git;
``import FILE`` merges such a file back in one transaction: every photo the file lists
takes its fields from the file, every gallery it orders or covers takes that order or
cover, and nothing else changes. Each imported change is in the history, signed with
``--as`` (default user@host). Exit status: 0 done, 1 nothing to import or the file has
values that cannot be used (nothing imported), 2 bad arguments or unreadable files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..problems import ConfigError
from ..text import clean
from .common import _add_path, add_app_option, portfolio_root


def curation_parser() -> argparse.ArgumentParser:
    """The parser for ``curation``."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="portfolio-tui curation",
        description="The curation store (curation.sqlite) in its readable TOML form.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="export|import")
    export = commands.add_parser(
        "export",
        help="write the whole curation as TOML (stdout, or -o FILE)",
        description="Write every rating, flag, label, tag, note, gallery order and cover "
        "in the curation.toml form (docs/curation.md).",
    )
    _add_path(export, help="portfolio folder")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    merge = commands.add_parser(
        "import",
        help="merge a TOML file made by export back into the store",
        description="Merge FILE into the store in one transaction: each photo FILE lists "
        "takes its fields from FILE, each gallery it orders or covers takes that order or "
        "cover; nothing else changes.",
    )
    merge.add_argument("file", type=Path, metavar="FILE", help="a file made by export")
    _add_path(merge, help="portfolio folder")
    add_app_option(merge, "--as", help="who the history names")
    return parser


def _say(text: str) -> None:
    print(clean(text), file=sys.stderr)


def run_curation(argv: Sequence[str]) -> int:
    """``portfolio-tui curation``."""
    args = curation_parser().parse_args(argv)
    try:
        root = portfolio_root(args.path)
    except ConfigError as exc:
        for problem in exc.problems:
            _say(str(problem))
        return 2
    if args.command == "export":
        return _export(root, args.output)
    return _import(root, args.file, args.author)


def _export(root: Path, output: Path | None) -> int:
    from ..curation import CurationError, to_toml
    from ..files import write_atomically
    from ..store.sqlite_curation import SqliteCurationStore

    try:
        with SqliteCurationStore(root, read_only=True) as store:
            text = to_toml(store.load())
    except (CurationError, OSError) as exc:
        _say(f"portfolio-tui curation export: {exc}; nothing was written")
        return 2
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_atomically(output, text)
    except OSError as exc:
        _say(f"portfolio-tui curation export: cannot write {output}: {exc.strerror or exc}")
        return 2
    print(clean(f"curation written to {output}"))
    return 0


def _import(root: Path, file: Path, author: str | None) -> int:
    from ..curation import CurationError, InvalidChange, clean_author, merge_changes, read_toml
    from ..store.sqlite_curation import SqliteCurationStore

    command = "portfolio-tui curation import"
    try:
        incoming = read_toml(file)
    except (CurationError, OSError) as exc:
        reason = exc if isinstance(exc, CurationError) else f"{file}: {exc.strerror or exc}"
        _say(f"{command}: {reason}; nothing was imported")
        return 2
    if incoming.problems:
        for problem in incoming.problems:
            _say(str(problem))
        _say(f"{command}: fix these values in {file}; nothing was imported")
        return 1
    try:
        who = clean_author(author) if author is not None else None
    except InvalidChange as exc:
        _say(f"{command}: --as: {exc}")
        return 2
    with SqliteCurationStore(root, author=who) as store:
        try:
            changes = merge_changes(store.load(), incoming)
            if not changes:
                print(clean(f"nothing to import: the store already holds what {file} says"))
                return 1
            store.apply(changes)
        except (CurationError, OSError) as exc:
            _say(f"{command}: {exc}; nothing was imported")
            return 2
    photos = len({c.photo for c in changes if c.photo is not None})
    galleries = len({c.field for c in changes if c.photo is None})
    print(
        clean(
            f"{_count(len(changes), 'change')} imported from {file} "
            f"({_count(photos, 'photo')}, "
            f"{_count(galleries, 'gallery order or cover', 'gallery orders or covers')})"
        )
    )
    return 0


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
