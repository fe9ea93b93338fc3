"""What several commands share: the PATH argument, the app's options, roles, opening a
portfolio (or saying why not), the progress bar, and a client's picks in portfolio order.

A leaf: it imports no other module of :mod:`portfolio_tui.cli`, and nothing here
imports Textual (the theme check imports it only when called).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..problems import ConfigError, Problem
from ..text import clean

if TYPE_CHECKING:
    from ..config import Config
    from ..picks import ClientPicks, Pick
    from ..portfolio import Gallery, Photo, Portfolio
    from ..store.sqlite_picks import SqlitePicksStore

PATH_HELP = "portfolio folder or its config file (default: ./config.toml, else this folder)"


def _add_path(parser: argparse.ArgumentParser, help: str = PATH_HELP) -> None:
    """The optional PATH every command takes (``help``: only where a command words it apart)."""
    parser.add_argument("path", nargs="?", type=Path, metavar="PATH", help=help)


ROLES = ("viewer", "curator")
ROLE_ENV = "PORTFOLIO_TUI_ROLE"
VIEWER_REASON = "viewer: curation is for curators"


class ViewerStays(argparse.Action):
    """``--role``: the last one given, except that once any says viewer, it stays viewer.

    A forced command pins ``--role viewer``; nothing added after it (by a wrapper,
    or a later flag) may lift it to curator.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        if getattr(namespace, self.dest, None) != "viewer":
            setattr(namespace, self.dest, values)


APP_OPTIONS: dict[str, dict[str, Any]] = {
    "--theme": {"metavar": "NAME"},
    "--read-only": {"action": "store_true"},
    "--as": {"dest": "author", "metavar": "NAME"},
    "--present": {"action": "store_true"},
    "--client": {"metavar": "NAME"},
    "--role": {"action": ViewerStays, "choices": ROLES, "default": None},
}
"""The app's options that other commands take too (serve passes them on to the app;
``--as`` also signs imports); each command words its own help."""


def add_app_option(parser: argparse.ArgumentParser, option: str, help: str, **changes: Any) -> None:
    """Add one of :data:`APP_OPTIONS` to ``parser``, with ``help`` (and ``changes``)."""
    parser.add_argument(option, help=help, **{**APP_OPTIONS[option], **changes})


def env_role(environ: Mapping[str, str]) -> str | None:
    """The role ``PORTFOLIO_TUI_ROLE`` names (``None`` when unset or empty).

    Raises ValueError for any other value: a typo must not give a curator's rights.
    """
    value = environ.get(ROLE_ENV, "").strip()
    if not value:
        return None
    if value not in ROLES:
        raise ValueError(f"{ROLE_ENV}={clean(value)!r}: use viewer or curator")
    return value


def _role_words(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """The role ``--role X`` / ``--role=X`` names in ``argv`` (viewer if any says so),
    and ``argv`` without them (for subcommands whose parsers do not know ``--role``)."""
    roles: list[str] = []
    rest: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            rest += [word, *words]
            break
        if word == "--role":
            roles.append(next(words, ""))
        elif word.startswith("--role="):
            roles.append(word[len("--role=") :])
        else:
            rest.append(word)
    role = "viewer" if "viewer" in roles else (roles[-1] if roles else None)
    return role, rest


def settle_role(args: argparse.Namespace, environ: Mapping[str, str]) -> str | None:
    """Fill in ``args.role`` and clean ``args.author``; a problem's message, or None.

    ``PORTFOLIO_TUI_ROLE=viewer`` cannot be lifted by ``--role curator``: the
    more restricted of the two wins.
    """
    try:
        from_env = env_role(environ)
    except ValueError as exc:
        return str(exc)
    args.role = "viewer" if from_env == "viewer" else (args.role or from_env or "curator")
    if args.author is not None:
        from ..curation import InvalidChange, clean_author

        try:
            args.author = clean_author(args.author)
        except InvalidChange as exc:
            return f"--as: {exc}"
    if args.allow_picks and args.role != "viewer":
        print(
            "portfolio-tui: --allow-picks only matters with --role viewer "
            "(a curator may always mark favourites); ignored",
            file=sys.stderr,
        )
    if args.role == "viewer" and args.edit:
        print("portfolio-tui: --edit is for curators; a viewer writes nothing", file=sys.stderr)
    return None


def refuse_for_viewer(command: str, argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The line refusing a curator's subcommand to a viewer, or None when it may run."""
    try:
        role = env_role(environ)
    except ValueError as exc:
        return f"portfolio-tui {command}: {exc}"
    if role == "viewer" or _role_words(argv)[0] == "viewer":
        return (
            f"portfolio-tui {command}: not for viewers (--role viewer): "
            f"{command} is a curator's command"
        )
    return None


def open_or_report(path: Path | None, prog: str = "portfolio-tui") -> Portfolio | None:
    """The portfolio at ``path``; or None, with every config problem printed and what to do.

    Every command that opens a portfolio says the same thing about a broken config
    (file:line: message, then the way to fix it) and exits 2.
    """
    from ..portfolio import open_portfolio

    try:
        return open_portfolio(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"{prog}: fix the config (see docs/config.md); "
            "'portfolio-tui check' lists every problem.",
            file=sys.stderr,
        )
        return None


def theme_problems(config: Config) -> list[Problem]:
    """The configured theme must be one Textual knows."""
    from ..ui.themes import theme_names

    theme = config.display.theme
    known = theme_names()
    if theme in known or config.path is None:
        return []
    names = ", ".join(known)
    return [config.problem(f'unknown theme "{theme}"; choose one of: {names}', "display", "theme")]


@contextlib.contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[object], None]]:
    """A progress bar on stderr, gone when done; yields "one more is done"."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda _done: progress.advance(task)


def portfolio_root(target: Path | None) -> Path:
    """The portfolio folder PATH names (its config's ``root``); raises ConfigError."""
    from ..config import load_config
    from ..portfolio import locate

    config_path, folder = locate(target)
    if config_path is None:
        return folder
    return load_config(config_path).root


@dataclass(frozen=True)
class Placed:
    """A pick found in the portfolio: its gallery (None: only in a comparison) and photo."""

    gallery: Gallery | None
    photo: Photo
    pick: Pick


def arrange(portfolio: Portfolio, picks: ClientPicks) -> tuple[list[Placed], list[Pick]]:
    """``picks`` in the portfolio's order (galleries in order, each in its curated order),
    and the picks whose photo is no longer in the portfolio (in the order marked).

    A photo in several galleries is placed in the first.
    """
    from ..curation import CurationError, Snapshot, in_order
    from ..store.sqlite_curation import SqliteCurationStore

    try:
        with SqliteCurationStore(portfolio.root, read_only=True) as store:
            snapshot = store.load()
    except CurationError:
        snapshot = Snapshot()  # the curated order is a nicety; the files' order will do
    by_rel = {p.photo: p for p in picks.picks}
    placed: list[Placed] = []
    seen: set[str] = set()
    for gallery in portfolio.galleries:
        by_name = {p.name: p for p in gallery.photos}
        for name in in_order(list(by_name), snapshot.order.get(gallery.id, ())):
            photo = by_name[name]
            if photo.rel in by_rel and photo.rel not in seen:
                seen.add(photo.rel)
                placed.append(Placed(gallery, photo, by_rel[photo.rel]))
    missing: list[Pick] = []
    for pick in picks.picks:
        if pick.photo in seen:
            continue
        found = portfolio.photo(pick.photo)
        if found is not None and found.path.is_file():
            seen.add(found.rel)
            placed.append(Placed(None, found, pick))
        else:
            missing.append(pick)
    return placed, missing


def known_clients(store: SqlitePicksStore) -> str:
    """``Anna, Ben`` or ``none yet``, for "no picks for X" messages."""
    from ..picks import PicksError

    try:
        names = store.clients()
    except PicksError:
        return "unknown (the favourites cannot be read)"
    return ", ".join(f"'{clean(n)}'" for n in names) or "none yet"


# -- CSV for spreadsheets ------------------------------------------------------------

CSV_FORMULA = "=+-@"
"""What starts a formula in a spreadsheet cell (OWASP, "CSV Injection")."""
_CSV_BREAKS = ("\t", "\r", "\n")
"""A cell starting with one of these is prefixed too (OWASP)."""
_CSV_LEADING = re.compile(r"\A[\s;,]+")
"""Skipped before the first character that counts (any Unicode space, ";" and ",")."""


def csv_cell(value: str) -> str:
    """Outside text for a spreadsheet (``export picks``, ``picks tally --csv``): never
    read as a formula.

    The first character that counts comes after any leading whitespace, ";" and ",":
    a spreadsheet skips the spaces, and one that splits lines on ";" (the list separator
    in many locales) starts a new cell after it, so " =1+1" and ";=1+1" are formulas too.
    """
    # Python 3.10's csv module cannot write a NUL at all; no cleaned title holds one,
    # but a cell must never stop the export, so it is shown as text.clean shows it.
    value = value.replace("\x00", "\u2400")
    first = _CSV_LEADING.sub("", value, count=1)[:1]
    if value.startswith(_CSV_BREAKS) or (first and first in CSV_FORMULA):
        return "'" + value
    return value
