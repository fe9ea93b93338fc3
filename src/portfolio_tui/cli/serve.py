"""``portfolio-tui serve``: the app in a web browser, through textual-serve.

textual-serve starts one copy of the app per browser tab, as a shell command,
and relays its screen to xterm.js in the page. It has no login: anyone who can
reach the port can use the app (and rate, flag and annotate photos), so the
default address is loopback and any other prints a warning.

``textual_serve`` (and aiohttp) are imported only when the server starts, never
by the app itself.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import ipaddress
import shlex
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..text import clean
from .common import _add_path, add_app_option, open_or_report, theme_problems

if TYPE_CHECKING:
    from ..portfolio import Portfolio

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def serve_parser() -> argparse.ArgumentParser:
    """The parser for ``serve``."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="portfolio-tui serve",
        description="Run the app in a web browser (textual-serve). There is no password: "
        "anyone who can reach the address and port can use the app, so it listens on "
        "127.0.0.1 only unless told otherwise. To use it from another machine, prefer an "
        "SSH tunnel: ssh -L 8000:127.0.0.1:8000 HOST. Photos are drawn in half-blocks.",
    )
    _add_path(parser)
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}; anything else is reachable "
        "by others and has no password)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on (default: {DEFAULT_PORT})",
    )
    add_app_option(
        parser, "--theme", help="colour theme of the app, e.g. projector or textual-light"
    )
    add_app_option(
        parser, "--read-only", help="the app changes nothing (the title bar says VIEW ONLY)"
    )
    add_app_option(
        parser,
        "--as",
        help="who is curating, saved with each change (default: user@host of the server)",
    )
    add_app_option(
        parser,
        "--present",
        help="each tab starts presenting the portfolio full screen (nothing is written)",
    )
    add_app_option(
        parser,
        "--client",
        help="with --present: h marks this client's favourites (saved in curation.sqlite)",
    )
    add_app_option(
        parser,
        "--role",
        help="serve is a curator's command: with viewer it refuses to start",
        default="curator",
    )
    return parser


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int) -> str | None:
    """The warning for listening where others can connect, or None on loopback."""
    if is_loopback(host):
        return None
    return (
        f"portfolio-tui serve: WARNING: listening on {clean(host)}:{port}, which other "
        "machines may reach. There is no password: anyone who can connect can use the "
        "app, see every photo and rate, flag or annotate them.\n"
        "portfolio-tui serve: safer: keep the default --host 127.0.0.1 and open an SSH "
        f"tunnel from your machine: ssh -L {port}:127.0.0.1:{port} THIS-HOST, "
        f"then browse to http://127.0.0.1:{port}"
    )


def app_command(
    target: Path,
    *,
    theme: str | None = None,
    read_only: bool = False,
    author: str | None = None,
    present: bool = False,
    client: str | None = None,
    python: str | None = None,
) -> str:
    """The shell command textual-serve runs for each browser tab, every word quoted."""
    words = [python or sys.executable, "-m", "portfolio_tui", str(target)]
    # xterm.js in the browser draws neither Kitty graphics nor Sixel.
    words += ["--graphics", "halfblock"]
    # NAME=VALUE, so a value that starts with "-" is not taken for an option.
    if theme is not None:
        words.append(f"--theme={theme}")
    if read_only:
        words.append("--read-only")
    if author is not None:
        words.append(f"--as={author}")
    if present:
        words.append("--present")
    if client is not None:
        words.append(f"--client={client}")
    return shlex.join(words)


def portfolio_target(portfolio: Portfolio) -> Path:
    """What to pass the app: the config file if there is one, else the folder; absolute."""
    return (portfolio.config.path or portfolio.root).resolve()


def page_title(portfolio: Portfolio) -> str:
    """The page's title: the portfolio's, cleaned."""
    return clean(portfolio.title) or "portfolio-tui"


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """May a browser page from ``origin`` drive the app through ``host``'s websocket?

    Browsers let any page open a WebSocket to any address (no CORS), so without
    this check a web site visited while the server runs could use the app.
    Only the server's own page (same host and port) is let in; a client that
    sends no Origin is not a browser page and is let in.
    """
    if origin is None:
        return True
    if not host:
        return False
    return urlsplit(origin).netloc.lower() == host.lower()


def host_header_allowed(host_header: str | None, bound_host: str) -> bool:
    """On a loopback address, the browser must have asked for a loopback name too.

    A page whose DNS name is switched to 127.0.0.1 ("DNS rebinding") is its own
    origin, so the origin check passes; its Host header still names it.
    """
    if not is_loopback(bound_host):
        return True
    if not host_header:
        return False
    name = urlsplit(f"//{host_header}").hostname or ""
    return is_loopback(name)


def _validate_theme(theme: str | None, portfolio: Portfolio) -> list[str]:
    """Theme problems, found here rather than in the browser."""
    from ..ui.themes import theme_names

    messages: list[str] = []
    if theme is not None and theme not in theme_names():
        names = ", ".join(theme_names())
        messages.append(
            f"portfolio-tui serve: unknown theme {clean(theme)!r}; choose one of: {names}"
        )
    messages += [str(problem) for problem in theme_problems(portfolio.config)]
    return messages


def bind_error(host: str, port: int, exc: OSError) -> str:
    """One line for an address that cannot be listened on."""
    where = f"{clean(host)}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"portfolio-tui serve: cannot listen on {where}: the port is already in use "
            f"(another server running?); try --port {port + 1}"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            f"portfolio-tui serve: cannot listen on {where}: permission denied "
            "(ports below 1024 need privileges); try --port 8000"
        )
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"portfolio-tui serve: cannot listen on {where}: {clean(reason)}"


def browse_url(host: str, port: int) -> str:
    """The address to open in a browser."""
    name = host
    if name in ("0.0.0.0", "", "::"):
        name = "127.0.0.1"
    elif ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return f"http://{name}:{port}"


def _make_server(command: str, host: str, port: int, title: str) -> Any:
    """A textual-serve Server that checks who connects and announces itself in our words."""
    from aiohttp import web
    from aiohttp.web_runner import GracefulExit
    from textual_serve.server import Server

    class PortfolioServer(Server):
        """textual-serve with an Origin/Host check on the websocket."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.bound = False  # set once the port is listening
            self.sessions: set[asyncio.Task[Any]] = set()  # one per open browser tab

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            origin = request.headers.get("Origin")
            if not origin_allowed(origin, request.host) or not host_header_allowed(
                request.host, self.host
            ):
                raise web.HTTPForbidden(text="portfolio-tui serve: connection refused")
            task = asyncio.current_task()
            if task is not None:
                self.sessions.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions.discard(task)

        async def handle_index(self, request: web.Request) -> Any:
            # textual-serve writes its own address into the page as the websocket's;
            # the address the browser used is the one that works from there (an SSH
            # tunnel's local port, the machine's name rather than 0.0.0.0). Nothing
            # awaits between this and the page being filled in.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def on_startup(self, app: web.Application) -> None:
            pass  # textual-serve's banner; we print the URL once the port is bound

        async def on_shutdown(self, app: web.Application) -> None:
            # An open tab would hold the server until aiohttp's shutdown timeout:
            # end each session now (textual-serve then closes its socket and asks
            # its app to quit, so nothing is left running).
            for task in list(self.sessions):
                task.cancel()
            if self.sessions:
                await asyncio.wait(list(self.sessions), timeout=5)

        def serve(self, debug: bool = False) -> None:
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)

            def stop() -> None:
                raise GracefulExit()

            try:
                loop.add_signal_handler(signal.SIGINT, stop)
                loop.add_signal_handler(signal.SIGTERM, stop)
            except NotImplementedError:  # pragma: no cover - Windows
                pass
            try:
                web.run_app(
                    self._make_app(),
                    host=self.host,
                    port=self.port,
                    handle_signals=False,
                    loop=loop,
                    shutdown_timeout=5,
                    print=lambda *_args: self._announce(),
                )
            finally:
                if not loop.is_closed():
                    loop.close()

        def _announce(self) -> None:
            self.bound = True
            print(
                f"portfolio-tui serve: open {browse_url(self.host, self.port)} in a browser "
                "(Ctrl+C to stop)",
                flush=True,
            )

    server = PortfolioServer(command, host=host, port=port, title=title)
    return server


def run_serve(argv: Sequence[str]) -> int:
    """``portfolio-tui serve``."""

    args = serve_parser().parse_args(argv)
    if args.role == "viewer":
        print(
            "portfolio-tui serve: not for viewers (--role viewer): serve is a curator's command",
            file=sys.stderr,
        )
        return 2
    if args.author is not None:
        from ..curation import InvalidChange, clean_author

        try:
            args.author = clean_author(args.author)
        except InvalidChange as exc:
            print(f"portfolio-tui serve: --as: {exc}", file=sys.stderr)
            return 2
    if not 0 < args.port < 65536:
        print("portfolio-tui serve: --port must be between 1 and 65535", file=sys.stderr)
        return 2
    portfolio = open_or_report(args.path, "portfolio-tui serve")
    if portfolio is None:
        return 2
    if args.client is not None:
        from ..picks import PicksError, client_name

        try:
            args.client = client_name(args.client)
        except PicksError as exc:
            print(f"portfolio-tui serve: --client: {clean(str(exc))}", file=sys.stderr)
            return 2
    problems = _validate_theme(args.theme, portfolio)
    if problems:
        for message in problems:
            print(message, file=sys.stderr)
        return 2
    warning = exposure_warning(args.host, args.port)
    if warning:
        print(warning, file=sys.stderr)
    command = app_command(
        portfolio_target(portfolio),
        theme=args.theme,
        read_only=args.read_only,
        author=args.author,
        present=args.present,
        client=args.client,
    )
    server = _make_server(command, args.host, args.port, page_title(portfolio))
    try:
        server.serve()
    except OSError as exc:
        if server.bound:
            print(f"portfolio-tui serve: stopped: {clean(exc)}", file=sys.stderr)
        else:
            print(bind_error(args.host, args.port, exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
