"""Run a command in a real kitty on a virtual X display, and screenshot it.

A test and review harness, not part of the app, built on ``xterm_screenshot``
(same Xvfb, screen grabs and clean-up). ``screenshot(command, out)`` starts
``kitty`` (Debian's kitty 0.26 has Kitty graphics but no Unicode placeholders)
with software OpenGL (``LIBGL_ALWAYS_SOFTWARE=1``: Xvfb has no GPU), no user
config, no padding or decorations, filling a ``width`` x ``height`` screen,
runs ``command`` in it and saves a PNG once the screen holds still.

Command line::

    python scripts/kitty_screenshot.py OUT.png              # the demo's first photo, graphics auto
    python scripts/kitty_screenshot.py OUT.png -- COMMAND...

Needs ``Xvfb`` (Debian package xvfb), ``kitty``, ``import`` (imagemagick).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
TOOLS = ("Xvfb", "kitty", "import")


def _load_xterm_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "xterm_screenshot", Path(__file__).with_name("xterm_screenshot.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


xterm = _load_xterm_harness()


def missing_tools() -> list[str]:
    """The programs this harness needs that are not on PATH."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def kitty_version() -> tuple[int, ...] | None:
    """The installed kitty's version, None if there is none."""
    if shutil.which("kitty") is None:
        return None
    result = subprocess.run(["kitty", "--version"], capture_output=True, text=True, timeout=30)
    words = result.stdout.split()
    if len(words) < 2:
        return None
    return tuple(int(part) for part in words[1].split(".") if part.isdigit())


def screenshot(
    command: Sequence[str],
    out: Path,
    *,
    width: int = 960,
    height: int = 640,
    font_size: float = 10.0,
    wait: float = 25.0,
    quiet: float = 1.5,
    min_wait: float = 3.0,
    interval: float = 0.3,
    env: Mapping[str, str] | None = None,
    keys: Sequence[str] = (),
    ready: Callable[[bytes], bool] | None = None,
    dump: Path | None = None,
) -> Path:
    """Run ``command`` in kitty on a ``width`` x ``height`` screen and save a PNG as ``out``.

    ``env`` adds to (or, with an empty value, removes from) the command's
    environment; ``keys`` are xdotool key names pressed once the screen first
    holds still. See ``xterm_screenshot.screenshot`` for ``wait``, ``quiet``
    and ``min_wait``. ``ready`` (given the PNG bytes) says whether the screen
    shows what is awaited: kitty, busy decoding an image, holds a screen still
    before it draws the image, so until then (or ``wait``) it is grabbed again.
    ``dump`` names a file for every command kitty received (``kitty --dump-commands``):
    the graphics commands in it show whether an image was transmitted and placed.
    """
    missing = missing_tools()
    if missing:
        raise RuntimeError(f"kitty_screenshot needs {', '.join(missing)} on PATH")
    out = Path(out)
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kitty-shot-")))
        display = stack.enter_context(xterm._xvfb(width, height, work / "Xvfb.log"))
        pidfile = work / "command.pid"
        kitty_env = xterm._child_env(display, {"LIBGL_ALWAYS_SOFTWARE": "1", **(env or {})})
        kitty_env.pop("KITTY_WINDOW_ID", None)
        kitty_env.pop("KITTY_PID", None)
        options = {
            "font_size": f"{font_size:g}",
            "remember_window_size": "no",
            "initial_window_width": str(width),
            "initial_window_height": str(height),
            "placement_strategy": "top-left",
            "window_padding_width": "0",
            "hide_window_decorations": "yes",
            "cursor_blink_interval": "0",
            "enable_audio_bell": "no",
            "confirm_os_window_close": "0",
            "linux_display_server": "x11",
            "update_check_interval": "0",
        }
        argv = ["kitty", "--config", "NONE", "--hold"]
        if dump is not None:
            argv.append("--dump-commands")
        for key, value in options.items():
            argv += ["-o", f"{key}={value}"]
        argv += ["sh", "-c", 'echo $$ > "$0"; exec "$@"', str(pidfile), *command]
        log = work / "kitty.log"
        with log.open("wb") as stderr, open(dump or os.devnull, "wb") as stdout:
            terminal = subprocess.Popen(
                argv,
                env=kitty_env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
        stack.callback(xterm._stop_group, pidfile)
        stack.callback(xterm._stop, terminal)
        png = xterm._wait_until_still(
            display, terminal, log, wait=wait, quiet=quiet, min_wait=min_wait, interval=interval
        )
        if keys:
            xterm._press(display, keys)
            png = xterm._wait_until_still(
                display, terminal, log, wait=wait, quiet=quiet, min_wait=0, interval=interval
            )
        deadline = time.monotonic() + wait
        while ready is not None and not ready(png) and time.monotonic() < deadline:
            time.sleep(0.5)
            png = xterm._wait_until_still(
                display, terminal, log, wait=wait, quiet=quiet, min_wait=0, interval=interval
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_bytes(png)
        tmp.replace(out)
    return out


def demo_command() -> list[str]:
    """The app on the demo portfolio, opened on its first photo, graphics as detected."""
    return [
        sys.executable,
        "-m",
        "portfolio_tui",
        str(xterm.DEMO_CONFIG),
        "--open",
        f"photo:{xterm.DEMO_PHOTO}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in args:
        at = args.index("--")
        args, command = args[:at], args[at + 1 :]
    parser = argparse.ArgumentParser(
        description="Screenshot a command running in kitty on a virtual display.",
        epilog="Without a command after --, runs the app on the demo portfolio's first photo.",
    )
    parser.add_argument("out", type=Path, help="PNG to write")
    parser.add_argument("--width", type=int, default=960)
    parser.add_argument("--height", type=int, default=640)
    parser.add_argument("--keys", default="", help="xdotool key names to press, e.g. 'question'")
    parsed = parser.parse_args(args)
    try:
        path = screenshot(
            command or demo_command(),
            parsed.out,
            width=parsed.width,
            height=parsed.height,
            keys=parsed.keys.split(),
        )
    except RuntimeError as error:
        print(f"kitty_screenshot: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
