"""``portfolio-tui serve``: argument handling, and the app drawn in headless Chromium."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ImageMaker, write
from portfolio_tui.cli import main
from portfolio_tui.cli import serve as serve_cli
from portfolio_tui.portfolio import open_portfolio

TITLE = "Quillfeather Lighthouse Headshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def titled_portfolio(tmp_path: Path, make_image: ImageMaker) -> Path:
    """A config with a distinctive title and one small gallery, in a folder with a space."""
    root = tmp_path / "my portfolio's folder"
    for name in ("a.jpg", "b.jpg"):
        make_image(root / "studio" / name, size=(60, 80))
    return write(root / "config.toml", f'[portfolio]\ntitle = "{TITLE}"\n')


# ---------------------------------------------------------------- arguments


def test_defaults_are_loopback_port_8000() -> None:
    args = serve_cli.serve_parser().parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert args.path is None and args.theme is None and not args.read_only


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2", "[::1]"])
def test_loopback_addresses_print_no_warning(host: str) -> None:
    assert serve_cli.exposure_warning(host, 8000) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "studio.example.com"])
def test_other_addresses_warn_and_suggest_a_tunnel(host: str) -> None:
    warning = serve_cli.exposure_warning(host, 8123)
    assert warning is not None
    assert f"listening on {host}:8123" in warning
    assert "no password" in warning
    assert "ssh -L 8123:127.0.0.1:8123" in warning


def test_warning_goes_to_stderr_before_binding(
    titled_portfolio: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[tuple[str, str, int, str]] = []

    class FakeServer:
        bound = False

        def serve(self) -> None:
            pass

    def fake(command: str, host: str, port: int, title: str) -> FakeServer:
        started.append((command, host, port, title))
        return FakeServer()

    monkeypatch.setattr(serve_cli, "_make_server", fake)
    assert serve_cli.run_serve([str(titled_portfolio), "--host", "0.0.0.0"]) == 0
    err = capsys.readouterr().err
    assert "WARNING: listening on 0.0.0.0:8000" in err
    assert "ssh -L 8000:127.0.0.1:8000" in err
    [(command, host, port, title)] = started
    assert (host, port, title) == ("0.0.0.0", 8000, TITLE)
    assert "--graphics halfblock" in command


def test_command_quotes_a_path_with_spaces_and_quotes(titled_portfolio: Path) -> None:
    portfolio = open_portfolio(titled_portfolio)
    target = serve_cli.portfolio_target(portfolio)
    command = serve_cli.app_command(
        target, theme="projector", read_only=True, author="-maria o'neil", python="/x y/python"
    )
    assert shlex.split(command) == [
        "/x y/python",
        "-m",
        "portfolio_tui",
        str(titled_portfolio.resolve()),
        "--graphics",
        "halfblock",
        "--theme=projector",
        "--read-only",
        "--as=-maria o'neil",
    ]
    assert serve_cli.app_command(target).startswith(shlex.quote(sys.executable) + " -m ")


def test_the_command_is_accepted_by_the_app_parser(titled_portfolio: Path) -> None:
    from portfolio_tui.cli.app import main_parser

    command = serve_cli.app_command(titled_portfolio, theme="nord", author="-x", read_only=True)
    args = main_parser().parse_args(shlex.split(command)[3:])
    assert args.path == titled_portfolio and args.graphics == "halfblock"
    assert (args.theme, args.author, args.read_only) == ("nord", "-x", True)
    assert not args.present and args.client is None
    presenting = serve_cli.app_command(titled_portfolio, present=True, client="-Anna O'Neil")
    args = main_parser().parse_args(shlex.split(presenting)[3:])
    assert (args.present, args.client) == (True, "-Anna O'Neil")


def test_page_title_is_the_cleaned_portfolio_title(tmp_path: Path, make_image: ImageMaker) -> None:
    make_image(tmp_path / "p" / "a.jpg")
    config = write(tmp_path / "p" / "config.toml", '[portfolio]\ntitle = "Bad\\u001b[31m"\n')
    assert serve_cli.page_title(open_portfolio(config)) == "Bad␛[31m"


def test_bad_config_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path / "broken.toml", "[portfolio\ntitle = 1\n")
    assert main(["serve", str(config)]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err
    assert "Traceback" not in err


def test_unknown_theme_exits_2(titled_portfolio: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(titled_portfolio), "--theme", "nope"]) == 2
    assert "unknown theme 'nope'" in capsys.readouterr().err


def test_port_in_use_is_one_line_and_exit_1(
    titled_portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(titled_portfolio), "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_websocket_origin_and_host_checks() -> None:
    allowed = serve_cli.origin_allowed
    assert allowed(None, "127.0.0.1:8000")
    assert allowed("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert not allowed("https://evil.example", "127.0.0.1:8000")
    assert not allowed("http://127.0.0.1:9000", "127.0.0.1:8000")
    host_ok = serve_cli.host_header_allowed
    assert host_ok("127.0.0.1:8000", "127.0.0.1") and host_ok("localhost:8000", "127.0.0.1")
    assert host_ok("[::1]:8000", "::1")
    assert not host_ok("rebound.evil.example:8000", "127.0.0.1")
    assert host_ok("studio.lan:8000", "0.0.0.0")


def test_the_app_does_not_import_textual_serve() -> None:
    code = (
        "import sys, contextlib\n"
        "import portfolio_tui.cli.app, textual.app\n"
        "with contextlib.suppress(ImportError):\n"
        "    import portfolio_tui.ui.app\n"
        "print(sorted(m for m in sys.modules if m.startswith(('textual_serve', 'aiohttp'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- in a browser

# Runs before the page's scripts. textual-serve keeps its xterm.js Terminal in
# a closure; its wrapper object assigns ``this.websocket_url`` in its
# constructor, so a setter of that name on Object.prototype sees the wrapper
# once and hands it to the test as window.__textualWrapper.
CAPTURE_TERMINAL = """
Object.defineProperty(Object.prototype, "websocket_url", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "websocket_url", {
      value, writable: true, configurable: true, enumerable: true,
    });
    window.__textualWrapper = this;
  },
});
"""

# The text xterm.js holds on screen (its buffer), whatever renderer draws it.
READ_SCREEN = """
(() => {
  const wrapper = window.__textualWrapper;
  if (!wrapper || !wrapper.terminal) return null;
  const buffer = wrapper.terminal.buffer.active;
  const lines = [];
  for (let y = 0; y < wrapper.terminal.rows; y++) {
    const line = buffer.getLine(y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """End a process started in its own session, and everything it started."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    # The app a tab started is in the server's group too; make sure it is gone.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def _started(command: list[str], **kwargs: object) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, start_new_session=True, **kwargs)  # type: ignore[call-overload]
    try:
        yield process
    finally:
        _stop_group(process)


def _wait_for_port(port: int, server: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"serve exited with {server.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"serve did not listen on port {port}")


def _devtools_port(profile: Path, browser: subprocess.Popen[bytes], deadline: float) -> int:
    marker = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if browser.poll() is not None:
            raise AssertionError(f"chromium exited with {browser.returncode}")
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(marker.read_text().splitlines()[0])
        time.sleep(0.05)
    raise AssertionError("chromium did not open its DevTools port")


async def _screen_text(devtools: int, url: str, want: str, timeout: float) -> str:
    """Load ``url`` in the browser's page and wait until its terminal shows ``want``."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{devtools}/json/list") as response:
            targets = await response.json()
        page = next(t for t in targets if t.get("type") == "page")
        async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            ids = iter(range(1, 1_000_000))

            async def call(method: str, **params: object) -> dict[str, object]:
                number = next(ids)
                await ws.send_json({"id": number, "method": method, "params": params})
                while True:
                    message = json.loads((await ws.receive(timeout=timeout)).data)
                    if message.get("id") == number:
                        if "error" in message:
                            raise AssertionError(f"{method}: {message['error']}")
                        result: dict[str, object] = message["result"]
                        return result

            await call("Page.enable")
            await call("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_TERMINAL)
            await call("Page.navigate", url=url)
            deadline = time.monotonic() + timeout
            text = ""
            while time.monotonic() < deadline:
                reply = await call("Runtime.evaluate", expression=READ_SCREEN, returnByValue=True)
                value = reply["result"].get("value")  # type: ignore[attr-defined]
                text = value if isinstance(value, str) else ""
                if want in text:
                    return text
                await asyncio.sleep(0.2)
            return text


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package chromium)")
@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
def test_the_browser_shows_the_portfolio_title(titled_portfolio: Path, tmp_path: Path) -> None:
    pytest.importorskip("aiohttp")
    assert CHROMIUM is not None
    deadline = time.monotonic() + 30
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    serve_log = (tmp_path / "serve.log").open("wb")
    profile = tmp_path / "chromium profile"
    server_command = [sys.executable, "-m", "portfolio_tui", "serve", str(titled_portfolio)]
    with _started(
        [*server_command, "--port", str(port)],
        stdout=serve_log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as server:
        _wait_for_port(port, server, deadline)
        with _started(
            [
                CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--window-size=1280,800",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ) as browser:
            devtools = _devtools_port(profile, browser, deadline)
            text = asyncio.run(
                _screen_text(devtools, url, TITLE, timeout=max(1.0, deadline - time.monotonic()))
            )
        refused = asyncio.run(_websocket_refusals(port))
        tunnel_page = asyncio.run(_page_through_tunnel(port))
    serve_log.close()
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert TITLE in text, f"terminal text:\n{text}\n\nserve output:\n{log}"
    assert f"open http://127.0.0.1:{port}" in log
    # Another site's page, or a rebound DNS name, cannot drive the app.
    assert refused == {"foreign origin": 403, "rebound host": 403}
    # The page points its websocket at the address the browser used (an SSH
    # tunnel's local port), not at the server's own.
    assert f'data-session-websocket-url="ws://localhost:{port + 1}/ws"' in tunnel_page


async def _page_through_tunnel(port: int) -> str:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        headers = {"Host": f"localhost:{port + 1}"}
        async with session.get(f"http://127.0.0.1:{port}/", headers=headers) as response:
            return await response.text()


async def _websocket_refusals(port: int) -> dict[str, int | None]:
    import aiohttp

    attempts = {
        "foreign origin": {"Origin": "https://evil.example"},
        "rebound host": {"Host": f"rebound.evil.example:{port}"},
    }
    statuses: dict[str, int | None] = {}
    async with aiohttp.ClientSession() as session:
        for name, headers in attempts.items():
            try:
                async with session.ws_connect(f"ws://127.0.0.1:{port}/ws", headers=headers):
                    statuses[name] = None
            except aiohttp.WSServerHandshakeError as exc:
                statuses[name] = exc.status
    return statuses
