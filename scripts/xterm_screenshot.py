"""Run a command in a real xterm with Sixel graphics, on a virtual X display, and screenshot it.

A test and review harness, not part of the app. ``screenshot(command, out)``:

1. starts ``Xvfb`` on a free display (``-displayfd`` lets the server pick the
   number, so parallel runs never collide), with a screen exactly the size of
   the terminal window;
2. starts ``xterm`` in VT340 mode (``-ti vt340``: Sixel graphics) with 256
   colour registers, Sixel scrolling (images drawn at the cursor), the
   ``6x13`` bitmap font from xfonts-base (every cell exactly 6 x 13 pixels), no
   borders, ``TERM=xterm-256color`` and ``COLORTERM`` unset, running
   ``command``;
3. grabs the screen with ImageMagick's ``import -window root`` every
   ``interval`` seconds until it has stayed the same for ``quiet`` seconds (or
   ``wait`` seconds have passed) and writes it to ``out`` as PNG;
4. stops the command, xterm and Xvfb (each in its own process group) and
   returns ``out``.

Command line::

    python scripts/xterm_screenshot.py OUT.png              # the demo's first photo, in Sixel
    python scripts/xterm_screenshot.py OUT.png -- COMMAND...
    python scripts/xterm_screenshot.py OUT.png --cols 160 --rows 48 -- sh -c '...'

Needs ``Xvfb`` (Debian package xvfb), ``xterm``, ``import`` (imagemagick).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_CONFIG = REPO / "config.toml"
DEMO_PHOTO = "studio/hopper-01.jpg"
"""The first photo of the demo's first gallery (``[[galleries]]`` id "studio")."""

FONT = "-misc-fixed-medium-r-semicondensed--13-120-75-75-c-60-iso10646-1"
"""The ``6x13`` bitmap font, Unicode encoding (block and box-drawing characters)."""
CELL_SIZE = (6, 13)
"""Pixels per terminal cell with FONT: width, height."""
TOOLS = ("Xvfb", "xterm", "import")

XTERM_RESOURCES = (
    "XTerm*decTerminalID: vt340",  # same as -ti vt340: a terminal with Sixel graphics
    "XTerm*numColorRegisters: 256",  # a real VT340 has 16
    "XTerm*sixelScrolling: true",  # draw at the cursor and scroll, as every Sixel program expects
    "XTerm*cursorBlink: false",  # a blinking cursor would never let the screen settle
    "XTerm*scrollBar: false",
)


def missing_tools(keys: bool = False) -> list[str]:
    """The programs this harness needs that are not on PATH (xdotool only to press ``keys``)."""
    tools = (*TOOLS, "xdotool") if keys else TOOLS
    return [tool for tool in tools if shutil.which(tool) is None]


def screenshot(
    command: Sequence[str],
    out: Path,
    *,
    cols: int = 120,
    rows: int = 40,
    wait: float = 20.0,
    quiet: float = 1.0,
    min_wait: float = 2.0,
    interval: float = 0.3,
    env: Mapping[str, str] | None = None,
    hold: bool = True,
    keys: Sequence[str] = (),
    ready: Callable[[bytes], bool] | None = None,
) -> Path:
    """Run ``command`` in a ``cols`` x ``rows`` Sixel xterm and save a PNG of the screen as ``out``.

    The picture is taken once the screen has not changed for ``quiet`` seconds,
    and no sooner than ``min_wait`` seconds after the window appeared unless the
    screen changed after that (a command that draws before the first grab looks
    the same as one that has not started yet), or after ``wait`` seconds at most.
    ``env`` adds to (or, with an empty value, removes from) the command's
    environment. With ``hold`` the window stays after the command exits.
    ``keys`` (xdotool key names: ``Right``, ``space``, ``i``) are pressed once
    the screen first holds still, one every ``KEY_PAUSE`` seconds; the picture
    is taken when it holds still again. ``ready`` (given the PNG bytes) says
    whether the screen shows what is awaited: a screen that holds still on
    "loading…" (a slow decode on a busy machine) is grabbed again until it
    does, or until ``wait``.
    """
    missing = missing_tools(keys=bool(keys))
    if missing:
        raise RuntimeError(f"xterm_screenshot needs {', '.join(missing)} on PATH")
    width, height = cols * CELL_SIZE[0], rows * CELL_SIZE[1]
    out = Path(out)
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xterm-shot-")))
        display = stack.enter_context(_xvfb(width, height, work / "Xvfb.log"))
        pidfile = work / "command.pid"
        xterm_env = _child_env(display, env)
        argv = [
            "xterm",
            "-ti",
            "vt340",
            "-tn",
            "xterm-256color",
            "-u8",
            "-geometry",
            f"{cols}x{rows}+0+0",
            "-fn",
            FONT,
            "-b",
            "0",
            "-bw",
            "0",
            "-xrm",
            f"XTerm*maxGraphicSize: {width}x{height}",
        ]
        for resource in XTERM_RESOURCES:
            argv += ["-xrm", resource]
        if hold:
            argv.append("-hold")
        # A shell records the command's pid (xterm makes it a session and process
        # group leader), so the whole command can be stopped, not just xterm.
        argv += ["-e", "sh", "-c", 'echo $$ > "$0"; exec "$@"', str(pidfile), *command]
        log = work / "xterm.log"
        with log.open("wb") as stderr:
            xterm = subprocess.Popen(
                argv,
                env=xterm_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        stack.callback(_stop_group, pidfile)
        stack.callback(_stop, xterm)
        png = _wait_until_still(
            display, xterm, log, wait=wait, quiet=quiet, min_wait=min_wait, interval=interval
        )
        if keys:
            _press(display, keys)
            png = _wait_until_still(
                display, xterm, log, wait=wait, quiet=quiet, min_wait=0, interval=interval
            )
        deadline = time.monotonic() + wait
        while ready is not None and not ready(png) and time.monotonic() < deadline:
            time.sleep(0.5)
            png = _wait_until_still(
                display, xterm, log, wait=wait, quiet=quiet, min_wait=0, interval=interval
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_bytes(png)
        tmp.replace(out)
    return out


KEY_PAUSE = 0.4
"""Seconds between pressed keys (each may start a redraw)."""


def _press(display: str, keys: Sequence[str]) -> None:
    """Press ``keys`` in the window under the pointer (the xterm fills the screen)."""
    env = {**os.environ, "DISPLAY": display}
    for key in keys:
        subprocess.run(["xdotool", "key", key], env=env, check=True, timeout=10)
        time.sleep(KEY_PAUSE)


def _child_env(display: str, extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "TERM", "WINDOWID")}
    env["DISPLAY"] = display
    env.setdefault("LANG", "C.UTF-8")
    if "UTF-8" not in env.get("LC_ALL", "UTF-8").upper().replace("UTF8", "UTF-8"):
        env["LC_ALL"] = "C.UTF-8"
    for key, value in (extra or {}).items():
        if value:
            env[key] = value
        else:
            env.pop(key, None)
    return env


@contextlib.contextmanager
def _xvfb(width: int, height: int, log: Path, timeout: float = 10.0) -> Iterator[str]:
    """A virtual X server on a display number it picks itself; yields ``":N"``."""
    read_end, write_end = os.pipe()
    try:
        with log.open("wb") as stderr:
            server = subprocess.Popen(
                [
                    "Xvfb",
                    "-displayfd",
                    str(write_end),
                    "-screen",
                    "0",
                    f"{width}x{height}x24",
                    "-nolisten",
                    "tcp",
                ],
                pass_fds=(write_end,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
    finally:
        os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + timeout
        while not number.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([read_end], [], [], max(0.0, left))
            chunk = os.read(read_end, 64) if ready else b""
            if not chunk:
                raise RuntimeError(f"Xvfb did not start: {_tail(log)}")
            number += chunk
        yield f":{int(number)}"
    finally:
        os.close(read_end)
        _stop(server)


def _grab(display: str) -> bytes:
    """The whole screen as 8-bit PPM bytes (no timestamps, so equal screens are equal bytes)."""
    result = subprocess.run(
        ["import", "-display", display, "-window", "root", "-depth", "8", "ppm:-"],
        capture_output=True,
        timeout=10,
    )
    return result.stdout if result.returncode == 0 else b""


def _wait_until_still(
    display: str,
    xterm: subprocess.Popen[bytes],
    log: Path,
    *,
    wait: float,
    quiet: float,
    min_wait: float,
    interval: float,
) -> bytes:
    """Grab the screen until it holds still; return the last grab as PNG bytes."""
    start = time.monotonic()
    deadline = start + wait
    previous = b""
    first: bytes | None = None
    changed_since_first = False
    still_since = start
    shown_at: float | None = None
    while True:
        now = time.monotonic()
        grab = _grab(display)
        if grab != previous:
            still_since = now
            previous = grab
            if first is None and grab:
                first, shown_at = grab, now
            elif first is not None:
                changed_since_first = True
        if xterm.poll() is not None and not previous:
            raise RuntimeError(f"xterm exited ({xterm.returncode}): {_tail(log)}")
        started = changed_since_first or (shown_at is not None and now - shown_at >= min_wait)
        if (started and now - still_since >= quiet) or now >= deadline:
            break
        time.sleep(interval)
    result = subprocess.run(
        ["import", "-display", display, "-window", "root", "png:-"],
        capture_output=True,
        timeout=10,
        check=True,
    )
    return result.stdout


def _tail(log: Path, limit: int = 500) -> str:
    try:
        return log.read_bytes()[-limit:].decode(errors="replace").strip()
    except OSError:
        return ""


def _stop(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """SIGTERM the process's group, SIGKILL it after ``grace`` seconds, and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _stop_group(pidfile: Path, grace: float = 3.0) -> None:
    """Stop the command's process group (recorded in ``pidfile``) if it is still there."""
    try:
        pgid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def demo_command() -> list[str]:
    """The app on the demo portfolio, opened on its first photo, drawing with Sixel."""
    return [
        sys.executable,
        "-m",
        "portfolio_tui",
        str(DEMO_CONFIG),
        "--graphics",
        "sixel",
        "--open",
        f"photo:{DEMO_PHOTO}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in args:
        at = args.index("--")
        args, command = args[:at], args[at + 1 :]
    parser = argparse.ArgumentParser(
        description="Screenshot a command running in a Sixel-capable xterm on a virtual display.",
        epilog="Without a command after --, runs the app on the demo portfolio's first photo "
        "with --graphics sixel.",
    )
    parser.add_argument("out", type=Path, help="PNG to write")
    parser.add_argument("--cols", type=int, default=120)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--wait", type=float, default=20.0, help="seconds at most (default 20)")
    parser.add_argument(
        "--quiet", type=float, default=1.0, help="seconds the screen must hold still (default 1)"
    )
    parser.add_argument(
        "--keys",
        default="",
        help="xdotool key names to press once the screen holds still, e.g. 'Right Right i'",
    )
    parsed = parser.parse_args(args)
    if not command:
        command = demo_command()
    try:
        path = screenshot(
            command,
            parsed.out,
            cols=parsed.cols,
            rows=parsed.rows,
            wait=parsed.wait,
            quiet=parsed.quiet,
            keys=parsed.keys.split(),
        )
    except RuntimeError as error:
        print(f"xterm_screenshot: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
