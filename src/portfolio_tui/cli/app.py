"""Opening a portfolio in the app: the app's parser (``portfolio-tui [PATH] [options]``),
:func:`run_app`, and what start-up does before and around Textual (colours, the first
screen's thumbnails, signals, the garbage collector).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import subprocess
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..text import clean
from .common import (
    VIEWER_REASON,
    _add_path,
    add_app_option,
    open_or_report,
    settle_role,
    theme_problems,
)

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from ..graphics.detect import Capabilities
    from ..portfolio import Portfolio
    from ..store.sqlite_curation import SqliteCurationStore
    from ..store.sqlite_picks import SqlitePicksStore
    from ..ui.app import PortfolioApp

DESCRIPTION = """\
Browse a headshot portfolio in the terminal: galleries of thumbnails, a loupe
with the photographer's notes, and side-by-side comparisons (real photograph
against AI headshot, before and after retouching, take A against take B).

PATH is a portfolio folder or its config.toml. Without PATH, ./config.toml is
used if it exists, otherwise the current folder: each folder of photos in it
becomes a gallery.
"""


def _open_target(value: str) -> str:
    kind, sep, rest = value.partition(":")
    if not sep or kind not in ("gallery", "comparison", "photo") or not rest:
        raise argparse.ArgumentTypeError("use gallery:ID, comparison:ID or photo:RELATIVE/PATH.jpg")
    return value


def main_parser(epilog: str | None = None) -> argparse.ArgumentParser:
    """The parser for opening a portfolio; ``epilog``: its help's list of commands."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="portfolio-tui",
        description=DESCRIPTION,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_path(parser)
    parser.add_argument(
        "--open",
        dest="open_target",
        type=_open_target,
        metavar="TARGET",
        help="start in gallery:ID, comparison:ID or photo:RELATIVE/PATH.jpg",
    )
    parser.add_argument(
        "--graphics",
        choices=("auto", "kitty", "sixel", "halfblock"),
        help="how pictures are drawn: auto (ask the terminal), kitty, sixel or halfblock "
        "(default: from the config, else auto)",
    )
    parser.add_argument(
        "--colors",
        choices=("auto", "truecolor", "256"),
        help="colour depth: auto (ask the terminal), truecolor or 256 "
        "(default: from the config, else auto)",
    )
    add_app_option(
        parser,
        "--theme",
        help="colour theme, e.g. projector (light, high contrast) or textual-light",
    )
    add_app_option(
        parser,
        "--read-only",
        help="change nothing: ratings, flags, labels, tags and notes can be seen, not set",
    )
    add_app_option(
        parser, "--as", help="who is curating, saved with each change (default: user@host)"
    )
    add_app_option(
        parser,
        "--role",
        help="viewer: browse, compare and present, nothing written (implies --read-only); "
        "curator: everything (default: $PORTFOLIO_TUI_ROLE, else curator); "
        "viewer wins, given once or in the environment, whatever else is given",
    )
    parser.add_argument(
        "--allow-picks",
        action="store_true",
        help="with --role viewer: a viewer may mark a client's favourites (--client)",
    )
    add_app_option(
        parser,
        "--present",
        help="start presenting full screen: the whole portfolio, or the --open target; "
        "nothing is written except a client's favourites (with --client)",
    )
    add_app_option(
        parser,
        "--client",
        help="while presenting, h marks a favourite for this client (saved in curation.sqlite; "
        "'portfolio-tui picks list NAME' prints them)",
    )
    parser.add_argument(
        "--blind",
        action="store_true",
        help="with --open comparison:ID (implies --present): a blind test first, its labels "
        "hidden and its sides shuffled; the client's answers are saved with --client",
    )
    parser.add_argument(
        "--edit",
        action="store_true",
        help="with --present: allow curation (stars, flags ...) after leaving the presentation",
    )
    parser.add_argument("--version", action="version", version=f"portfolio-tui {__version__}")
    return parser


def run_app(argv: Sequence[str], epilog: str | None = None) -> int:
    """Open the portfolio in the app (``epilog``: the help's list of commands)."""
    _ignore_quit_key()
    parser = main_parser(epilog)
    args = parser.parse_args(argv)
    portfolio = open_or_report(args.path)
    if portfolio is None:
        return 2
    # Textual reads TEXTUAL_COLOR_SYSTEM when it is first imported, so this comes
    # before any Textual import (the domain above never imports it).
    apply_colors(args.colors or portfolio.config.display.colors, os.environ)
    if args.open_target and not _target_exists(portfolio, args.open_target):
        print(_unknown_target(portfolio, args.open_target), file=sys.stderr)
        return 2
    if args.blind:
        if not (args.open_target or "").startswith("comparison:"):
            print(
                "portfolio-tui: --blind presents one comparison blind: add --open comparison:ID",
                file=sys.stderr,
            )
            return 2
        args.present = True
    if args.client is not None:
        from ..picks import PicksError, client_name

        try:
            args.client = client_name(args.client)
        except PicksError as exc:
            print(f"portfolio-tui: --client: {clean(str(exc))}", file=sys.stderr)
            return 2
        if not args.present:
            print(
                "portfolio-tui: --client marks favourites while presenting "
                "(press f, or add --present)",
                file=sys.stderr,
            )
    if args.edit and not args.present:
        print("portfolio-tui: --edit only matters with --present; ignored", file=sys.stderr)
    role_problem = settle_role(args, os.environ)
    if role_problem:
        print(f"portfolio-tui: {clean(role_problem)}", file=sys.stderr)
        return 2
    if args.theme is not None and _unknown_theme(args.theme):
        return 2
    no_terminal = terminal_problem(os.environ)
    if no_terminal:
        print(f"portfolio-tui: needs a terminal (ssh -t); {no_terminal}", file=sys.stderr)
        return 2
    if args.role == "viewer":  # reads the curators' thumbnails, never evicts them
        from ..imaging.cache import use_viewer_cache

        use_viewer_cache()
    # Before Textual is imported (the theme check below imports it): the first
    # screen's thumbnails decode on another core during that import.
    prefetch = None if args.present else _prefetch_first_screen(portfolio, args.open_target)
    try:
        return _start_app(args, portfolio)
    finally:
        if prefetch is not None:
            prefetch.stop()


def terminal_problem(environ: Mapping[str, str]) -> str | None:
    """Why the app has no terminal to run in (as a phrase), or None when it has one.

    ``ssh -T``, scp and sftp run a key's forced command with pipes: the app
    would draw into a pipe, and once the other end left, read an endless end
    of file at full CPU. Textual reads keys from standard input and draws on
    standard error; all three must be a terminal. ``serve`` runs the app with
    Textual's web driver (TEXTUAL_DRIVER), which talks through pipes.
    """
    if environ.get("TEXTUAL_DRIVER"):
        return None
    for fd, name in ((0, "standard input"), (1, "standard output"), (2, "standard error")):
        try:
            is_terminal = os.isatty(fd)
        except OSError:
            is_terminal = False
        if not is_terminal:
            return f"{name} is not a terminal"
    return None


def _unknown_theme(theme: str) -> bool:
    """Say so and return True when ``--theme`` names no theme Textual knows."""
    from ..ui.themes import theme_names

    if theme in theme_names():
        return False
    names = ", ".join(theme_names())
    print(f"portfolio-tui: unknown theme {clean(theme)!r}; choose one of: {names}", file=sys.stderr)
    return True


def _start_app(args: argparse.Namespace, portfolio: Portfolio) -> int:
    theme = theme_problems(portfolio.config)
    if theme:
        for problem in theme:
            print(problem, file=sys.stderr)
        return 2
    # Ask the terminal what it can draw before Textual takes over its input.
    # A reply that misses the 0.2 s deadline would reach Textual as keys: drain
    # reads it (up to 1 s more, and only when a reply is still on its way).
    from ..graphics.detect import detect, drain

    capabilities = drain(detect(args.graphics or portfolio.config.display.graphics))
    capabilities = _settle_kitty_colours(capabilities, os.environ)
    from ..ui.app import PortfolioApp
    from ..ui.pictures import PictureSettings

    store, picks = make_stores(args, portfolio.root)
    app = PortfolioApp(
        portfolio,
        open_target=args.open_target,
        pictures=PictureSettings.from_capabilities(capabilities),
        colors=args.colors,
        theme=args.theme,
        typeahead=capabilities.typeahead,
        curation=store,
        present=args.present,
        client=args.client,
        picks=picks,
        viewer=args.role == "viewer",
        blind=args.blind,
    )
    _quiet_collector()
    _end_on_hang_up(app)
    app.run()
    left = app.curator.unsaved
    if left:
        print(
            f"portfolio-tui: {left} curation change{'s' if left != 1 else ''} could not be "
            f"saved to {clean(str(store.path))}: {clean(app.curator.error or 'unknown error')}",
            file=sys.stderr,
        )
        return 1
    return app.return_code or 0


def _end_on_hang_up(app: PortfolioApp, grace: float = 12.0) -> None:
    """End the app as soon as its terminal goes away (the ssh client left).

    A hang-up sends SIGHUP, whose default ends the process on the spot, losing
    a change still on its way to the store; and an app started with SIGHUP
    ignored (nohup) went on reading end of file, its input thread spinning at
    full CPU for ever. A thread waits for the hang-up itself (poll on standard
    input for no event: only a hang-up or an error wakes it) or for SIGHUP,
    then asks the app to exit as ``q`` would, and ends the process after
    ``grace`` seconds if that has not done it (the app waits up to 5 s each for
    the curation and picks writers).
    """
    import select
    import signal
    import threading

    if not hasattr(select, "poll"):  # pragma: no cover - Windows
        return
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)

    def hung_up(_signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):
            os.write(wake_write, b"!")

    hang_up_signal = getattr(signal, "SIGHUP", None)
    if hang_up_signal is not None:
        signal.signal(hang_up_signal, hung_up)

    def watch() -> None:
        poller = select.poll()
        poller.register(0, 0)
        poller.register(wake_read, select.POLLIN)
        while not poller.poll():
            pass
        last_resort = threading.Timer(grace, os._exit, (128 + 1,))  # 129: as after SIGHUP
        last_resort.daemon = True
        last_resort.start()
        with contextlib.suppress(Exception):  # not running yet, or already ending
            app.call_from_thread(app.exit, None, 128 + 1)

    threading.Thread(target=watch, name="hang-up", daemon=True).start()


def make_stores(
    args: argparse.Namespace, root: Path
) -> tuple[SqliteCurationStore, SqlitePicksStore | None]:
    """The curation store and (with ``--client``) the picks store the arguments allow.

    A viewer's curation store is read-only with the reason "viewer: curation is
    for curators"; its picks store too, unless ``--allow-picks``.
    """
    from ..store.sqlite_curation import SqliteCurationStore

    viewer = args.role == "viewer"
    read_only = viewer or args.read_only or (args.present and not args.edit)
    store = SqliteCurationStore(
        root,
        author=args.author,
        read_only=read_only,
        reason=VIEWER_REASON if viewer else None,
    )
    picks = None
    if args.client is not None:
        from ..store.sqlite_picks import SqlitePicksStore

        picks_read_only = args.read_only or (viewer and not args.allow_picks)
        picks = SqlitePicksStore(root, author=store.author, read_only=picks_read_only)
    return store, picks


class _FirstScreen:
    """What start-up decodes and draws ahead of the app (see :func:`_prefetch_first_screen`)."""

    def __init__(self, pool: Executor | None, child: subprocess.Popen[bytes] | None) -> None:
        self.pool = pool
        self.child = child

    def stop(self) -> None:
        from ..imaging.background import stop

        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        stop(self.child)


def _prefetch_first_screen(portfolio: Portfolio, target: str | None) -> _FirstScreen | None:
    """Start on the thumbnails a gallery opens with, before Textual is imported.

    Textual takes about half a second to import and lay out, holding the GIL
    most of that time. Thumbnails the disk cache lacks are decoded meanwhile
    by another process, on the other core; those it holds are read and drawn
    in half-blocks by a thread (little work, so the GIL is no obstacle), and
    the grid finds them ready for its first frame. Only for ``--open
    gallery:ID``, where the first screen is known.
    """
    from ..imaging.background import fit_elsewhere
    from ..imaging.cache import prefetch, shared_cache
    from ..imaging.sizes import default_thumb_box, first_screen_count

    kind, _, value = (target or "").partition(":")
    gallery = portfolio.gallery(value) if kind == "gallery" else None
    if gallery is None or not gallery.photos:
        return None
    try:
        width, height = os.get_terminal_size(sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except (OSError, ValueError):
        width, height = 80, 24
    count = first_screen_count(width, max(1, height - 2))  # title bar and footer
    paths = [photo.real_path for photo in gallery.photos[:count]]
    box = default_thumb_box()
    cache = shared_cache()
    cached = [path for path in paths if cache.contains(path, box)]
    pool = None
    if cached:
        pool = prefetch(cached, box, workers=1, colors=_expected_colors(os.environ))
    child = fit_elsewhere(paths, box, cache) if len(cached) < len(paths) else None
    return _FirstScreen(pool, child)


def _expected_colors(environ: Mapping[str, str]) -> str:
    """The colour depth the app will draw photos in, as Textual will find it (see colors_for)."""
    system = environ.get("TEXTUAL_COLOR_SYSTEM", "auto")
    if system == "auto":
        truecolor = environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit")
    else:
        truecolor = system == "truecolor"
    return "truecolor" if truecolor else "256"


_COLOR_SYSTEMS = {"truecolor": "truecolor", "256": "256"}


def _settle_kitty_colours(found: Capabilities, environ: MutableMapping[str, str]) -> Capabilities:
    """Kitty placeholders name their image in a 24-bit colour: make sure Textual sends one.

    Every terminal with Kitty graphics has 24-bit colour, so ``auto`` colours
    become truecolor; a forced 256-colour setting wins and pictures fall back
    to half-blocks (an 8-bit colour could name only 255 images).
    """
    if found.mode != "kitty":
        return found
    if environ.get("TEXTUAL_COLOR_SYSTEM", "truecolor") == "truecolor":
        environ["TEXTUAL_COLOR_SYSTEM"] = "truecolor"
        return found
    return dataclasses.replace(
        found,
        mode="halfblock",
        reason="Kitty graphics need 24-bit colour and colours are forced to 256: half-blocks",
    )


def apply_colors(choice: str, environ: MutableMapping[str, str]) -> None:
    """Force Textual's colour system for a ``truecolor``/``256`` choice; leave ``auto`` alone.

    ``auto`` keeps whatever the terminal says (COLORTERM, or TEXTUAL_COLOR_SYSTEM
    if the user set it); a choice in the config or on the command line wins.
    """
    system = _COLOR_SYSTEMS.get(choice)
    if system is not None:
        environ["TEXTUAL_COLOR_SYSTEM"] = system


def _target_exists(portfolio: object, target: str) -> bool:
    from ..portfolio import Portfolio

    assert isinstance(portfolio, Portfolio)
    kind, _, value = target.partition(":")
    if kind == "gallery":
        return portfolio.gallery(value) is not None
    if kind == "comparison":
        return portfolio.comparison(value) is not None
    return portfolio.photo(value) is not None


def _unknown_target(portfolio: object, target: str) -> str:
    from ..portfolio import Portfolio

    assert isinstance(portfolio, Portfolio)
    kind, _, value = target.partition(":")
    if kind == "gallery":
        known = [g.id for g in portfolio.galleries]
    elif kind == "comparison":
        known = [c.id for c in portfolio.comparisons]
    else:
        known = [p.rel for p in portfolio.photos()][:10]
    listing = ", ".join(clean(k) for k in known) or "none"
    return clean(f"portfolio-tui: no {kind} '{value}' in this portfolio; known: {listing}")


def _ignore_quit_key() -> None:
    """Ctrl+\\ must not end the app, with a core file, while it starts.

    Until Textual's driver clears ISIG (and while the terminal is asked what it
    can draw, see ``graphics.detect._raw``), the terminal turns Ctrl+\\ into
    SIGQUIT, whose default action dumps core: a keystroke any viewer can send,
    and the core would hold whatever the app had read. Child processes inherit it.
    """
    import signal

    quit_signal = getattr(signal, "SIGQUIT", None)
    if quit_signal is not None:
        signal.signal(quit_signal, signal.SIG_IGN)


def _quiet_collector() -> None:
    """Keep Python's garbage collector from pausing the app between a key and its frame.

    A photo drawn in half-blocks is thousands of small objects (segments,
    styles, strips), made in the decoding threads and kept by the render
    caches. The collector's automatic passes walked them every few photos:
    one pass took 107 ms and held a loupe step back by as much (the p95).
    They need no collector at all (they hold no reference cycles, so they are
    freed the moment a cache drops them), so everything alive at start-up is
    moved out of its sight and automatic collection is off; the app collects
    itself when the keyboard is idle (``PortfolioApp.collect_garbage``).
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.disable()
