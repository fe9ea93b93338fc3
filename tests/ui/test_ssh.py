"""Curating over SSH with a real sshd and forced commands (issue 9).

A throwaway sshd listens on 127.0.0.1 with its own host key and an
authorized_keys file in which every key has a forced command, the way a studio
gives its staff access: anna's key runs the app as a viewer, maria's as a
curator, and neither key gets a shell, port forwarding or a command of its
own. The ssh client runs in a 120x40 pseudo-terminal; the tests type keys into
it and read what the app draws (escape sequences removed).
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ImageMaker
from portfolio_tui.curation import Snapshot
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from ssh_support import SshClient, SshdUnavailable, SshServer, forced_command, missing_tools

pytestmark = pytest.mark.skipif(
    bool(missing_tools()),
    reason=f"needs {', '.join(missing_tools()) or 'nothing'} "
    "(Debian packages openssh-server, openssh-client)",
)

PHOTOS = ("01-anna.jpg", "02-ben.jpg", "03-cleo.jpg")


def _has_role_option() -> bool:
    """Whether the CLI has ``--role viewer|curator`` (else ``--read-only`` is the viewer)."""
    result = subprocess.run(
        [sys.executable, "-m", "portfolio_tui", "--help"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    return "--role" in result.stdout


@dataclass
class Studio:
    """The portfolio, the server and the two staff keys."""

    root: Path
    server: SshServer
    viewer_key: Path
    curator_key: Path
    role_option: bool

    def client(self, key: Path, command: str | None = None, tty: str = "-tt") -> SshClient:
        argv = self.server.ssh_argv(key, tty, command=command)
        client = SshClient(argv, cols=120, rows=40)
        client.spawn()
        return client


@pytest.fixture
def studio(tmp_path: Path, make_image: ImageMaker) -> Iterator[Studio]:
    root = tmp_path / "portfolio"
    for i, name in enumerate(PHOTOS):
        make_image(root / "g" / name, size=(80, 100), color=(60 * i, 120, 180))
    role_option = _has_role_option()
    server = SshServer(tmp_path / "sshd")
    env = {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "COLORTERM": "",
    }
    app = [sys.executable, "-m", "portfolio_tui", str(root), "--open", "gallery:g"]
    viewer = (
        ["--role", "viewer", "--as", "anna"] if role_option else ["--read-only", "--as", "anna"]
    )
    curator = ["--role", "curator", "--as", "maria"] if role_option else ["--as", "maria"]
    viewer_key = server.client_key(
        "anna", f'restrict,pty,command="{forced_command([*app, *viewer], env, server.marker)}"'
    )
    curator_key = server.client_key(
        "maria", f'restrict,pty,command="{forced_command([*app, *curator], env, server.marker)}"'
    )
    try:
        server.start()
    except SshdUnavailable as error:
        pytest.skip(f"sshd could not start here: {error}")
    try:
        yield Studio(root, server, viewer_key, curator_key, role_option)
    finally:
        server.stop()


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root``: its size and modification time."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }


def curation(root: Path) -> Snapshot:
    """The curation as a reader finds it now (the app's store, read-only)."""
    with SqliteCurationStore(root, read_only=True) as store:
        return store.load()


def quit_app(client: SshClient) -> None:
    client.send("q")
    status = client.wait(timeout=10)
    assert status is not None, f"ssh did not end after q:\n{client.text()[-2000:]}"


def test_viewer_keys_change_nothing_and_say_view_only(studio: Studio) -> None:
    before = tree(studio.root)
    client = studio.client(studio.viewer_key)
    try:
        assert client.wait_for(PHOTOS[0]), f"no grid over ssh:\n{client.text()[-2000:]}"
        client.send("3px")
        assert client.wait_for("View only", timeout=5), client.text()[-2000:]
        assert "VIEW ONLY" in client.text()  # the title bar says so from the start
        quit_app(client)
    finally:
        client.close()
    for name in (
        "curation.sqlite",
        "curation.toml",
        "curation.toml.lock",
        "curation-history.jsonl",
    ):
        assert not (studio.root / name).exists(), name
    assert tree(studio.root) == before


def test_curator_changes_land_signed_by_the_key_owner(studio: Studio) -> None:
    name = f"g/{PHOTOS[0]}"
    client = studio.client(studio.curator_key)
    try:
        assert client.wait_for(PHOTOS[0]), f"no grid over ssh:\n{client.text()[-2000:]}"
        assert "VIEW ONLY" not in client.text()
        client.send("3")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and curation(studio.root).photo(name).rating != 3:
            client.drain(0.1)  # saved while the session is still open, not only on q
        quit_app(client)
    finally:
        client.close()
    photo = curation(studio.root).photo(name)
    assert (photo.rating, photo.updated_by) == (3, "maria")
    with SqliteCurationStore(studio.root, read_only=True) as store:
        changes = [(e.by, e.photo, e.field, e.after) for e in store.history().entries]
    assert changes == [("maria", name, "rating", 3)]


def test_a_command_on_the_ssh_line_runs_the_forced_one_instead(
    studio: Studio, tmp_path: Path
) -> None:
    owned = tmp_path / f"owned-{uuid.uuid4().hex}"
    command = f"touch {owned}; echo SHELL-RAN"
    client = studio.client(studio.viewer_key, command)
    try:
        # The app, not the shell, answers: the same grid as without a command.
        assert client.wait_for(PHOTOS[0], "SHELL-RAN"), client.text()[-2000:]
        quit_app(client)
    finally:
        client.close()
    assert "SHELL-RAN" not in client.text()
    assert not owned.exists()
    # Without a terminal on the far side (-T) the command is ignored just the same: the
    # forced one runs, and the app says it needs a terminal and exits 2 (issue 21).
    client = studio.client(studio.viewer_key, command, tty="-T")
    try:
        assert client.wait_for("needs a terminal", "SHELL-RAN"), client.text()[-2000:]
        assert client.wait(timeout=10) == 2
    finally:
        client.close()
    assert "portfolio-tui: needs a terminal (ssh -t)" in client.text()
    assert "SHELL-RAN" not in client.text()
    assert not owned.exists()


def test_restrict_refuses_port_forwarding(studio: Studio) -> None:
    # -R is asked for while connecting; with ExitOnForwardFailure ssh gives up when refused
    # (allowed, ssh -N would stay connected until the timeout).
    result = subprocess.run(
        studio.server.ssh_argv(
            studio.viewer_key,
            "-N",
            "-o",
            "ExitOnForwardFailure=yes",
            "-R",
            f"0:127.0.0.1:{studio.server.port}",
        ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )
    assert result.returncode != 0
    assert "forwarding failed" in result.stderr, result.stderr
