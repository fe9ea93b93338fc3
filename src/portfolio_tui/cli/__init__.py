"""The ``portfolio-tui`` command line: :func:`main` and the table of its commands.

``portfolio-tui [PATH]`` opens the app (:mod:`.app`); ``portfolio-tui COMMAND ...``
runs one of :data:`COMMANDS`. Each command is a module of this package, imported
only when it runs (start-up imports none of them), whose ``run_COMMAND(argv)``
returns the exit status. What several commands share is in :mod:`.common`; no
command imports another.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .common import _role_words, refuse_for_viewer


class Command(NamedTuple):
    """A word after ``portfolio-tui``: the module that runs it, who may, and its help."""

    name: str
    module: str
    """In this package; its ``run_MODULE(argv)`` runs the command."""
    curator: bool
    """Refused with ``--role viewer`` or ``PORTFOLIO_TUI_ROLE=viewer``."""
    help: tuple[tuple[str, str], ...]
    """The lines of ``portfolio-tui --help``'s command list: usage, what it does."""


COMMANDS: tuple[Command, ...] = (
    Command(
        "check",
        "check",
        False,
        (
            (
                "check [PATH]",
                "list every problem in the config and photos\n"
                "(exit 0 clean, 1 problems, 2 config unreadable)",
            ),
        ),
    ),
    Command(
        "thumbs",
        "thumbs",
        False,
        (("thumbs [PATH] [--jobs N]", "build the thumbnail cache ahead of time"),),
    ),
    Command("cache", "cache", False, (("cache clear", "empty the thumbnail cache"),)),
    Command(
        "xmp",
        "xmp",
        True,
        (
            ("xmp import [PATH]", "ratings, flags and labels from XMP into the store"),
            ("xmp export [PATH]", "and back into XMP sidecars (photos are never written)"),
        ),
    ),
    Command(
        "export",
        "export",
        True,
        (
            (
                "export contact-sheet [PATH] -o FILE.pdf|FILE.png [--gallery ID]",
                "pages of thumbnails with titles, stars and flags",
            ),
            (
                "export picks CLIENT -o DIR [PATH]",
                "copy a client's favourites, with a CSV of names",
            ),
        ),
    ),
    Command(
        "picks",
        "picks",
        True,
        (
            ("picks list CLIENT [PATH]", "the favourites a client marked while presenting"),
            ("picks tally [PATH] [--csv]", "the blind tests' answers, per comparison"),
        ),
    ),
    Command(
        "serve",
        "serve",
        True,
        (
            (
                "serve [PATH] [--host 127.0.0.1] [--port 8000]",
                "the app in a web browser (no password: keep it local)",
            ),
        ),
    ),
    Command(
        "history",
        "history",
        False,
        (
            (
                "history [PHOTO] [PATH] [--limit N]",
                "who rated, flagged or relabelled what, and when",
            ),
        ),
    ),
    Command(
        "curation",
        "curation",
        True,
        (
            ("curation export [PATH] [-o FILE]", "the curation (curation.sqlite) as readable TOML"),
            ("curation import FILE [PATH]", "merge such a file back, in one transaction"),
        ),
    ),
    Command(
        "trust",
        "trust",
        True,
        (
            ("trust [show]", "the C2PA trust list credentials are verified against"),
            (
                "trust update FILE | reset",
                "install a newer list (PEM), or go back to the shipped one",
            ),
        ),
    ),
)
BY_NAME = {command.name: command for command in COMMANDS}
CURATOR_COMMANDS = tuple(command.name for command in COMMANDS if command.curator)
"""Subcommands a viewer may not run (they write files or open a port)."""

EXAMPLES = """\
examples:
  portfolio-tui                          open ./config.toml or this folder
  portfolio-tui ~/Portfolios/2024        open a folder
  portfolio-tui config.toml --open comparison:real-vs-ai
  portfolio-tui config.toml --open photo:studio/hopper-01.jpg
  portfolio-tui check config.toml
  portfolio-tui config.toml --present --client "Anna Smith"
                                         present full screen; h marks Anna's favourites
  portfolio-tui ~/Portfolios/2024 --as maria      curate, changes signed "maria"
  portfolio-tui ~/Portfolios/2024 --role viewer   browse and present, write nothing

In the app press ? for every key, ctrl+p for every command, q to quit.
"""

_HELP_COLUMN = 31


def command_list(commands: Sequence[Command] = COMMANDS) -> str:
    """The help's list of commands, and which are curators' only."""
    lines = ["commands:"]
    for command in commands:
        for usage, what in command.help:
            first, *more = what.split("\n")
            head = f"  portfolio-tui {usage}"
            if len(head) + 2 <= _HELP_COLUMN:
                lines.append(head.ljust(_HELP_COLUMN) + first)
            else:
                lines += [head, " " * _HELP_COLUMN + first]
            lines += [" " * _HELP_COLUMN + line for line in more]
    curators = [command.name for command in commands if command.curator]
    names = ", ".join(curators[:-1]) + f" and {curators[-1]}" if len(curators) > 1 else curators[0]
    lines += [
        "",
        f"  {names} are curators' commands: refused with --role viewer",
        "  or PORTFOLIO_TUI_ROLE=viewer (see docs/ssh.md for keys pinned to a role).",
    ]
    return "\n".join(lines) + "\n"


EPILOG = command_list() + "\n" + EXAMPLES
"""What ``portfolio-tui --help`` prints after the app's options."""


def _quiet_library_warnings() -> None:
    """Pillow warns about odd files (corrupt EXIF, large images) on stderr.

    Every such case is handled and reported in our own words; a raw warning
    written to stderr while the app owns the terminal would only garble it.
    """
    warnings.filterwarnings("ignore", module=r"PIL(\..*)?")
    warnings.filterwarnings("ignore", message=".*DecompressionBomb.*")


def _runner(command: Command) -> Callable[[Sequence[str]], int]:
    """``run_MODULE`` of the command's module, imported now."""
    module = importlib.import_module(f"{__name__}.{command.module}")
    run: Callable[[Sequence[str]], int] = getattr(module, f"run_{command.module}")
    return run


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for the ``portfolio-tui`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Messages show cleaned names (␛, U+FFFD); never crash on a non-UTF-8 console.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    _quiet_library_warnings()
    command = BY_NAME.get(args[0]) if args else None
    if command is not None and command.curator:
        refusal = refuse_for_viewer(command.name, args[1:], os.environ)
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
        if command.name != "serve":  # serve's own parser takes --role
            role, rest = _role_words(args[1:])
            if role not in (None, "curator"):
                print(f"portfolio-tui {args[0]}: --role: use viewer or curator", file=sys.stderr)
                return 2
            args = [args[0], *rest]
    try:
        if command is not None:
            return _runner(command)(args[1:])
        from .app import run_app

        return run_app(args, EPILOG)
    except KeyboardInterrupt:
        return 130


__all__ = ["COMMANDS", "EPILOG", "Command", "main"]
