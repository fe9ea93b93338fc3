"""A throwaway OpenSSH server on 127.0.0.1 and an ssh client in a pseudo-terminal.

For the tests of curating over SSH (issue 9): ``SshServer`` writes a host key,
an ``sshd_config`` and an ``authorized_keys`` file with forced commands into a
temporary folder and runs ``/usr/sbin/sshd -D`` on a free port; ``SshClient``
runs ``ssh -tt`` in a pseudo-terminal of a given size, types keys and collects
what the far end draws. Everything started here is killed by ``stop``/``close``
(the processes themselves and whatever they started, found through /proc).
Linux and Debian's openssh-server and openssh-client; ``missing_tools`` says
what is absent so that a test can skip.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

SSHD = "/usr/sbin/sshd"
"""sshd insists on being started by its absolute path (it re-executes itself)."""

DA1_QUERIES = (b"\x1b[c", b"\x1b[0c")
DA1_REPLY = b"\x1b[?62;22c"  # VT220 with ANSI colour, no Sixel: graphics detection ends at once
ESCAPES = re.compile(
    rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)"
)


class SshdUnavailable(RuntimeError):
    """sshd could not be started here (the environment, not the app): tests skip."""


def missing_tools() -> list[str]:
    """The programs this harness needs that are not installed, with their Debian package."""
    missing = []
    if not (os.path.isfile(SSHD) and os.access(SSHD, os.X_OK)):
        missing.append(f"{SSHD} (openssh-server)")
    for tool in ("ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            missing.append(f"{tool} (openssh-client)")
    if not sys.platform.startswith("linux"):
        missing.append("Linux")
    return missing


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_key(path: Path) -> str:
    """An ed25519 key without a passphrase at ``path``; returns the public key line."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=10,
    )
    return (path.parent / f"{path.name}.pub").read_text().strip()


def descendants(pid: int) -> list[int]:
    """Every living process started (directly or not) by ``pid``, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name, in parentheses, may hold spaces: the fields follow the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def marked(marker: str) -> list[int]:
    """The processes whose environment holds ``marker`` (a forced command's, say)."""
    needle = marker.encode()
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if needle in Path(f"/proc/{entry}/environ").read_bytes():
                    found.append(int(entry))
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid``, its process group if it leads one, and everything it started."""
    if pid <= 0:
        return
    victims = descendants(pid)
    with contextlib.suppress(OSError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
    for victim in [pid, *victims]:
        with contextlib.suppress(OSError):
            os.kill(victim, signal.SIGKILL)


def forced_command(argv: list[str], env: dict[str, str], marker: str = "") -> str:
    """An authorized_keys ``command="..."`` value: ``env VAR=... argv...`` (sshd clears
    the environment, so what the app needs is set on the command line)."""
    words = ["env", *([marker] if marker else []), *(f"{k}={v}" for k, v in env.items()), *argv]
    line = " ".join(shlex.quote(word) for word in words)
    if '"' in line or "\\" in line or "\n" in line:
        raise ValueError(f"cannot put this in authorized_keys: {line!r}")
    return line


@dataclass
class SshServer:
    """sshd on 127.0.0.1 with its own host key, config and authorized_keys in ``folder``."""

    folder: Path
    user: str = field(default_factory=lambda: _current_user())
    port: int = 0
    marker: str = field(default_factory=lambda: f"PT_SSH_TEST={uuid.uuid4().hex}")
    """Put in each forced command's environment (``forced_command(..., marker=...)``) so
    that ``stop`` finds commands that outlived their connection (no terminal, no SIGHUP)."""
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = self.folder / "sshd.log"

    def client_key(self, name: str, options: str) -> Path:
        """A new client key whose public half is authorized with ``options``
        (say ``restrict,pty,command="..."``); returns the private key's path."""
        key = self.folder / name
        public = make_key(key)
        with (self.folder / "authorized_keys").open("a") as out:
            out.write(f"{options} {public}\n")
        return key

    def start(self, timeout: float = 10.0) -> None:
        """Write the config, start sshd and wait until it accepts; SshdUnavailable if not."""
        host_key = self.folder / "host_ed25519"
        if not host_key.exists():
            make_key(host_key)
        (self.folder / "authorized_keys").touch()
        os.chmod(self.folder / "authorized_keys", 0o600)
        if os.geteuid() == 0:
            # The privilege separation directory Debian's service would create.
            with contextlib.suppress(OSError):
                os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.port = free_port()
        config = self.folder / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {host_key}",
                    f"PidFile {self.folder / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.folder / 'authorized_keys'}",
                    "StrictModes no",
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    # Root (CI runs as root) only with a key that has a forced command.
                    "PermitRootLogin forced-commands-only",
                    f"AllowUsers {self.user}",
                    "PermitUserEnvironment no",
                    "LogLevel VERBOSE",
                    # Forwarding stays at sshd's default (allowed): refusing it is the
                    # job of each key's ``restrict``, which the tests check.
                    "",
                ]
            )
        )
        log = self.log.open("wb")
        try:
            self.process = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            raise SshdUnavailable(f"{SSHD} could not be run: {error}") from error
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SshdUnavailable(
                    f"sshd exited with {self.process.returncode}: {self.log_text().strip()}"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock,
            ):
                # A listening sshd greets first ("SSH-2.0-OpenSSH_...").
                sock.settimeout(2)
                if sock.recv(64).startswith(b"SSH-"):
                    return
            time.sleep(0.05)
        self.stop()
        raise SshdUnavailable(f"sshd did not accept within {timeout:g} s: {self.log_text()}")

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def ssh_argv(self, key: Path, *options: str, command: str | None = None) -> list[str]:
        """``ssh`` as this server's user with only ``key``, no config, no known_hosts;
        ``options`` go before the destination, ``command`` after it."""
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(key),
            "-p",
            str(self.port),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=5",
            "-o",
            "LogLevel=ERROR",
            *options,
            f"{self.user}@127.0.0.1",
            *([] if command is None else [command]),
        ]

    def stop(self) -> None:
        """Kill sshd and every connection and command it started."""
        if self.process is not None:
            kill_tree(self.process.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        for pid in marked(self.marker):
            if pid != os.getpid():
                kill_tree(pid)


def _current_user() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


@dataclass
class SshClient:
    """A program (``ssh -tt ...``) in a pseudo-terminal of ``cols`` x ``rows``."""

    argv: list[str]
    cols: int = 120
    rows: int = 40
    pid: int = 0
    fd: int = -1
    raw: bytearray = field(default_factory=bytearray)
    status: int | None = None

    def spawn(self) -> None:
        size = struct.pack("HHHH", self.rows, self.cols, 0, 0)
        env = {**os.environ, "TERM": "xterm-256color"}
        for name in ("COLUMNS", "LINES"):  # pytest sets them; they are not this terminal's size
            env.pop(name, None)
        pid, fd = pty.fork()
        if pid == 0:  # child: a session leader whose controlling terminal is the pty
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, size)
                os.execvpe(self.argv[0], self.argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, size)

    def pump(self, timeout: float) -> bool:
        """Read what arrives within ``timeout``, answering the app's DA1 query; False if
        nothing came."""
        if self.fd < 0:
            return False
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: the other side has closed
            return False
        if not data:
            return False
        self.raw += data
        for query in DA1_QUERIES:
            for _ in range(data.count(query)):
                with contextlib.suppress(OSError):
                    os.write(self.fd, DA1_REPLY)
        return True

    def text(self) -> str:
        """Everything drawn so far, escape sequences removed."""
        return ESCAPES.sub(b"", bytes(self.raw)).decode("utf-8", "replace")

    def wait_for(self, *needles: str, timeout: float = 15.0) -> bool:
        """Read until the output holds one of ``needles`` (True) or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if any(needle in text for needle in needles):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.exited():
                return any(needle in self.text() for needle in needles)
            self.pump(min(remaining, 0.1))

    def drain(self, seconds: float) -> None:
        """Keep reading for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self.pump(min(remaining, 0.1))

    def send(self, keys: str, pause: float = 0.25) -> None:
        """Type ``keys`` one at a time, reading the screen in between."""
        for key in keys:
            os.write(self.fd, key.encode())
            self.drain(pause)

    def exited(self) -> bool:
        if self.status is None and self.pid:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is not None

    def wait(self, timeout: float = 10.0) -> int | None:
        """Read until the program exits; its exit code, or None after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not self.exited() and time.monotonic() < deadline:
            self.pump(0.05)
        if self.exited():
            while self.pump(0):  # what is left in the pty
                pass
        return self.status

    def close(self) -> None:
        """Kill the program and whatever it started, reap it, close the pty."""
        if self.pid and not self.exited():
            kill_tree(self.pid)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
                self.status = -9
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1
