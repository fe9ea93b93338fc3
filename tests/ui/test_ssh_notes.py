"""Issue 21, item 1, through a real sshd: a viewer never sees a notes link's target.

The portfolio's author planted ``01-anna.md`` as a symbolic link to a file
outside the portfolio. A viewer, whose key's forced command opens that photo in
the loupe, must see the photo's own notes (from the config) but never a byte of
the linked file, on the screen the ssh client receives.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ImageMaker, write
from ssh_support import SshClient, SshdUnavailable, SshServer, forced_command, missing_tools

pytestmark = pytest.mark.skipif(
    bool(missing_tools()),
    reason=f"needs {', '.join(missing_tools()) or 'nothing'} "
    "(Debian packages openssh-server, openssh-client)",
)

PHOTO = "01-anna.jpg"
VISIBLE = "Shot for the spring catalogue"


@dataclass
class Planted:
    root: Path
    server: SshServer
    viewer_key: Path
    marker: str


@pytest.fixture
def planted(tmp_path: Path, make_image: ImageMaker) -> Iterator[Planted]:
    marker = f"SECRET{uuid.uuid4().hex[:12]}"
    secret = write(tmp_path / "outside" / "passwd", f"root:x:0:0:{marker}:/root:/bin/sh\n")
    root = tmp_path / "portfolio"
    make_image(root / "g" / PHOTO, size=(80, 100))
    make_image(root / "g" / "02-ben.jpg", size=(80, 100))
    write(root / "config.toml", f'[photos."g/{PHOTO}"]\nnotes = "{VISIBLE}."\n')
    os.symlink(secret, root / "g" / "01-anna.md")
    server = SshServer(tmp_path / "sshd")
    env = {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "COLORTERM": "",
    }
    app = [sys.executable, "-m", "portfolio_tui", str(root), "--open", f"photo:g/{PHOTO}"]
    viewer = ["--role", "viewer", "--as", "anna"]
    key = server.client_key(
        "anna", f'restrict,pty,command="{forced_command([*app, *viewer], env, server.marker)}"'
    )
    try:
        server.start()
    except SshdUnavailable as error:
        pytest.skip(f"sshd could not start here: {error}")
    try:
        yield Planted(root, server, key, marker)
    finally:
        server.stop()


def test_a_viewer_never_receives_a_linked_notes_file(planted: Planted) -> None:
    client = SshClient(planted.server.ssh_argv(planted.viewer_key, "-tt"), cols=140, rows=40)
    client.spawn()
    try:
        assert client.wait_for(VISIBLE, timeout=30), f"no notes over ssh:\n{client.text()[-3000:]}"
        client.drain(1.0)  # the side panel, the photo and any late notice
        # Both notes views: the side panel, then the photo's notes through the info toggle.
        client.send("i")
        client.send("i")
        received = bytes(client.raw)
        assert planted.marker.encode() not in received
        assert planted.marker not in client.text()
        client.send("q")
        client.wait(timeout=10)
    finally:
        client.close()
