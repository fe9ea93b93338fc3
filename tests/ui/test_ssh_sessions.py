"""Issue 21, item 6: SSH sessions without a terminal end, and so does the app when one leaves.

``ssh -T``, scp and sftp run a key's forced command with pipes instead of a
terminal. The app used to start anyway, drawing into the pipe, and once the
client left it read an endless end of file at full CPU: one orphan per
attempt. Now it says it needs a terminal and exits 2 before Textual is
imported. With a terminal, the app ends when the client leaves, even when it
was started with SIGHUP ignored. Through a real sshd on 127.0.0.1 (see
ssh_support.py); every test checks that no process of the forced command is
left (each carries the server's marker in its environment).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app_pty import env_ignores_signals
from conftest import ImageMaker
from ssh_support import (
    SshClient,
    SshdUnavailable,
    SshServer,
    forced_command,
    kill_tree,
    marked,
    missing_tools,
)

pytestmark = pytest.mark.skipif(
    bool(missing_tools()),
    reason=f"needs {', '.join(missing_tools()) or 'nothing'} "
    "(Debian packages openssh-server, openssh-client)",
)

PHOTO = "01-anna.jpg"
NEEDS_A_TERMINAL = "portfolio-tui: needs a terminal (ssh -t)"


@dataclass
class Server:
    root: Path
    server: SshServer
    viewer_key: Path
    stubborn_key: Path
    """Runs the app with SIGHUP ignored (as under nohup)."""

    def left(self) -> list[int]:
        """The forced commands' processes still alive."""
        return marked(self.server.marker)

    def gone_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.left():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def run(self, argv: list[str], timeout: float = 20) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture
def studio(tmp_path: Path, make_image: ImageMaker) -> Iterator[Server]:
    root = tmp_path / "portfolio"
    make_image(root / "g" / PHOTO, size=(80, 100))
    server = SshServer(tmp_path / "sshd")
    env = {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TERM": "xterm-256color",
        "COLORTERM": "",
    }
    app = [sys.executable, "-m", "portfolio_tui", str(root), "--open", "gallery:g"]
    viewer = [*app, "--role", "viewer", "--as", "anna"]
    viewer_key = server.client_key(
        "anna", f'restrict,pty,command="{forced_command(viewer, env, server.marker)}"'
    )
    stubborn = ["env", "--ignore-signal=HUP", *viewer]
    stubborn_key = server.client_key(
        "ben", f'restrict,pty,command="{forced_command(stubborn, env, server.marker)}"'
    )
    try:
        server.start()
    except SshdUnavailable as error:
        pytest.skip(f"sshd could not start here: {error}")
    try:
        yield Server(root, server, viewer_key, stubborn_key)
    finally:
        server.stop()


def test_ssh_without_a_terminal_is_told_to_use_one(studio: Server) -> None:
    done = studio.run(studio.server.ssh_argv(studio.viewer_key, "-T"))
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[0].startswith(NEEDS_A_TERMINAL), done.stderr
    assert done.stdout == ""  # no screen drawn into the pipe
    assert studio.gone_within(5), f"left running: {studio.left()}"


def test_scp_and_sftp_leave_no_process(studio: Server, tmp_path: Path) -> None:
    sent = tmp_path / "payload.txt"
    sent.write_text("hello\n")
    base = studio.server.ssh_argv(studio.viewer_key)[1:-1]  # the options, without ssh and host
    options = [word if word != "-p" else "-P" for word in base]  # scp and sftp spell it -P
    host = f"{studio.server.user}@127.0.0.1"
    batch = tmp_path / "batch"
    batch.write_text(f"put {sent} /tmp/never-written-{time.monotonic_ns()}\n")
    for argv in (
        ["scp", *options, str(sent), f"{host}:{tmp_path / 'scp-copy.txt'}"],
        ["scp", "-O", *options, str(sent), f"{host}:{tmp_path / 'scp-legacy.txt'}"],
        ["sftp", *options, "-b", str(batch), host],
    ):
        done = studio.run(argv)
        assert done.returncode != 0, argv
        assert studio.gone_within(5), f"{argv[0]} left running: {studio.left()}"
    assert not (tmp_path / "scp-copy.txt").exists()
    assert not (tmp_path / "scp-legacy.txt").exists()


@pytest.mark.parametrize("key", ["viewer_key", "stubborn_key"])
def test_the_app_ends_when_the_ssh_client_leaves(studio: Server, key: str) -> None:
    if key == "stubborn_key" and not env_ignores_signals():
        pytest.skip("needs env --ignore-signal (GNU coreutils 8.31+)")
    client = SshClient(studio.server.ssh_argv(getattr(studio, key), "-tt"), cols=100, rows=30)
    client.spawn()
    try:
        assert client.wait_for(PHOTO), f"no grid over ssh:\n{client.text()[-2000:]}"
        assert studio.left(), "the app is not running"
        kill_tree(client.pid)  # the client goes away: sshd hangs the terminal up
    finally:
        client.close()
    assert studio.gone_within(5), f"left running: {studio.left()}"
