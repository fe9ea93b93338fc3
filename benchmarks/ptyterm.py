"""Run a terminal program in a pseudo-terminal and record what it writes, frame by frame.

A helper for the benchmarks (not part of the app). It answers Textual's
synchronized-output query the way a modern terminal does, so every screen
update arrives between ``ESC[?2026h`` and ``ESC[?2026l``; a *frame* is one such
update. It answers the primary device attributes query (DA1) as a 256-colour
xterm without graphics does, so the app's graphics detection ends at once, as
it does in a real terminal, instead of waiting for its deadline. Times are
seconds from just before the child process was started.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from dataclasses import dataclass, field

SYNC_START = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"
DA1_QUERIES = (b"\x1b[c", b"\x1b[0c")
DA1_REPLY = b"\x1b[?62;22c"  # VT220 with ANSI colour; no Sixel (attribute 4)


@dataclass
class Frame:
    """One synchronized update: when it ended and how many bytes it took."""

    end: float
    size: int
    data: bytes = b""
    """The update itself, when the session keeps it (``keep_data``)."""


@dataclass
class Session:
    """A program running in a pseudo-terminal of ``cols`` x ``rows``."""

    argv: list[str]
    cols: int = 200
    rows: int = 50
    env: dict[str, str] = field(default_factory=dict)
    keep_data: bool = False
    pid: int = 0
    fd: int = -1
    start: float = 0.0
    frames: list[Frame] = field(default_factory=list)
    total_bytes: int = 0
    raw: bytearray = field(default_factory=bytearray)
    """Everything the program wrote, kept when ``keep_output`` is set."""
    keep_output: bool = False
    _buffer: bytes = b""
    _frame_start: int | None = None

    def spawn(self) -> None:
        """Start the program with the terminal size set before it runs."""
        env = {**os.environ, "TERM": "xterm-256color", **self.env}
        self.start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
            os.execvpe(self.argv[0], self.argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))

    def resize(self, cols: int, rows: int) -> float:
        """Change the terminal's size (the program gets SIGWINCH); return when."""
        self.cols, self.rows = cols, rows
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        return time.perf_counter() - self.start

    def send(self, data: bytes) -> float:
        """Type ``data``; return when (seconds since start)."""
        os.write(self.fd, data)
        return time.perf_counter() - self.start

    def pump(self, timeout: float) -> bool:
        """Read whatever arrives within ``timeout``; False once nothing came."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:
            return False
        if not data:
            return False
        now = time.perf_counter() - self.start
        self.total_bytes += len(data)
        if self.keep_output:
            self.raw += data
        if SYNC_QUERY in data:
            os.write(self.fd, SYNC_REPLY)
        for query in DA1_QUERIES:
            for _ in range(data.count(query)):
                os.write(self.fd, DA1_REPLY)
        self._buffer += data
        while True:
            if self._frame_start is None:
                at = self._buffer.find(SYNC_START)
                if at < 0:
                    self._buffer = self._buffer[-len(SYNC_START) :]
                    break
                self._frame_start = 0
                self._buffer = self._buffer[at:]
            end = self._buffer.find(SYNC_END)
            if end < 0:
                break
            end += len(SYNC_END)
            self.frames.append(Frame(now, end, self._buffer[:end] if self.keep_data else b""))
            self._buffer = self._buffer[end:]
            self._frame_start = None
        return True

    def settle(self, quiet: float = 0.6, limit: float = 60.0) -> float:
        """Read until the screen has been still for ``quiet`` s; return the last frame's end."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            if not self.pump(quiet) and self.frames:
                break
        return self.frames[-1].end if self.frames else float("nan")

    def frames_since(self, index: int) -> list[Frame]:
        """Frames recorded after the first ``index`` frames."""
        return self.frames[index:]

    def close(self) -> None:
        """Quit the program (q, then SIGTERM if it lingers) and reap it."""
        with contextlib.suppress(OSError):
            os.write(self.fd, b"q")
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            self.pump(0.05)
        else:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGTERM)
                os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def kill_group(self) -> None:
        """SIGKILL whatever is left in the program's process group (call after ``close``).

        ``pty.fork`` makes the program a session and group leader, so anything it
        started and left behind (worker processes) is in the group ``pid``.
        """
        if self.pid:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)


def compile_sources() -> None:
    """Write bytecode for the app's modules first, as an installed copy has it.

    Where PYTHONDONTWRITEBYTECODE is set (as on the development machine), an
    editable install would otherwise compile every module on every start,
    a cost (about 55 ms) that the bare Textual app, compiled at install, does
    not pay.
    """
    import subprocess
    import sys
    from pathlib import Path

    source = Path(__file__).resolve().parent.parent / "src"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(source)], env=env, check=False)
