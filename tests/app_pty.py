"""The app (or any program) in a pseudo-terminal, with a fake terminal answering its queries.

``AppInPty`` starts ``python -m portfolio_tui ...`` as the session leader of a new
pty of a given size, reads what it writes, and answers the queries a terminal
answers: DA1 (``CSI c``) and the cell size (``CSI 16 t``), each through a
callback so that a test can claim odd cells or answer late. Linux only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DA1_QUERY = b"\x1b[c"
CELL_QUERY = b"\x1b[16t"
DA1_PLAIN = b"\x1b[?62;22c"  # a VT220 with colour and no graphics: detection ends at once


def env_ignores_signals() -> bool:
    """Whether ``env --ignore-signal=HUP`` works here (GNU coreutils 8.31 and later)."""
    import subprocess

    try:
        done = subprocess.run(
            ["env", "--ignore-signal=HUP", "true"], capture_output=True, timeout=10, check=False
        )
    except OSError:
        return False
    return done.returncode == 0


def app_argv(*args: str) -> list[str]:
    """``python -m portfolio_tui ARGS`` with this interpreter."""
    return [sys.executable, "-m", "portfolio_tui", *args]


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment a test runs the app in: its own cache and config, no role set."""
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PORTFOLIO_TUI_ROLE": "",
        **extra,
    }
    for name in ("COLUMNS", "LINES", "TEXTUAL_COLOR_SYSTEM", "TEXTUAL_DRIVER"):
        if name not in extra:
            env.pop(name, None)
    return env


def peak_kb(pid: int) -> int:
    """The app's peak memory (VmHWM) in kB; 0 until it runs (a forked child not yet
    exec'd still has the test process's memory)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        if b"-m\0portfolio_tui\0" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return 0
        status = Path(f"/proc/{pid}/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0])
    return 0


@dataclass
class AppInPty:
    """A program in a pseudo-terminal of ``cols`` x ``rows`` answering like a terminal.

    ``on_da1`` and ``on_cell`` return the bytes to answer each query with (or
    nothing, to stay silent); by default DA1 is answered at once and the cell
    size query not at all.
    """

    argv: list[str]
    env: dict[str, str]
    cols: int = 120
    rows: int = 40
    on_da1: Callable[[], bytes] = lambda: DA1_PLAIN
    on_cell: Callable[[], bytes] = lambda: b""
    pid: int = 0
    fd: int = -1
    output: bytearray = field(default_factory=bytearray)
    status: int | None = None
    da1_seen: int = 0

    def spawn(self) -> None:
        size = struct.pack("HHHH", self.rows, self.cols, 0, 0)
        pid, fd = pty.fork()
        if pid == 0:  # pragma: no cover - the child: the pty is its controlling terminal
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, size)
                os.execvpe(self.argv[0], self.argv, self.env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, size)

    def pump(self, timeout: float) -> bool:
        """Read what arrives within ``timeout`` and answer queries; False if nothing came."""
        if self.fd < 0 or not select.select([self.fd], [], [], max(0.0, timeout))[0]:
            return False
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: the program has closed the terminal
            return False
        if not data:
            return False
        self.output += data
        for _ in range(data.count(CELL_QUERY)):
            self.write(self.on_cell())
        for _ in range(data.count(DA1_QUERY)):
            self.da1_seen += 1
            self.write(self.on_da1())
        return True

    def write(self, data: bytes) -> None:
        if data:
            with contextlib.suppress(OSError):
                os.write(self.fd, data)

    def wait_for(self, needle: bytes, timeout: float = 20.0) -> bool:
        """Read until the output holds ``needle`` (True), the program ends or time is up."""
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            if time.monotonic() > deadline or self.exited():
                return needle in self.output
            self.pump(0.05)
        return True

    def settle(self, seconds: float) -> None:
        """Keep reading and answering for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.pump(min(left, 0.05))

    def exited(self) -> bool:
        if self.status is None and self.pid:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is not None

    def wait(self, timeout: float = 15.0) -> int | None:
        """Read until the program ends; its exit code (negative: the signal), None on time-out."""
        deadline = time.monotonic() + timeout
        while not self.exited() and time.monotonic() < deadline:
            self.pump(0.05)
        return self.status

    def close(self) -> None:
        """Kill the program if it still runs, reap it and close the terminal."""
        if self.pid and not self.exited():
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.status = -signal.SIGKILL
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1
