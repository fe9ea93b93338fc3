"""Issue 21 through a real sshd: store files planted as links or FIFOs (items 2, 7, 9a).

The curation store is ``curation.sqlite`` (with SQLite's ``-wal`` beside it), which holds
the history too; ``curation.toml`` is still read, and imported, in a folder no curator
has opened since.

The portfolio is what a hostile file author can shape (a synced share, an
unpacked tar keeps symlinks and FIFOs); the people are the studio's: a viewer
whose key runs ``--role viewer --present --client anna --allow-picks`` and a
curator whose key runs ``--role curator``. Each attack from the issue is made
through ssh in a pseudo-terminal, as a user would meet it: nothing outside the
portfolio is created or changed, nothing of another store is shown, the session
says why, and ``q`` ends it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ImageMaker
from portfolio_tui.curation import Change
from portfolio_tui.picks import PicksStore
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from ssh_support import SshClient, SshdUnavailable, SshServer, forced_command, missing_tools

pytestmark = pytest.mark.skipif(
    bool(missing_tools()) or not hasattr(os, "mkfifo"),
    reason=f"needs {', '.join(missing_tools()) or 'POSIX FIFOs'} "
    "(Debian packages openssh-server, openssh-client)",
)

PHOTOS = ("01-anna.jpg", "02-ben.jpg", "03-cleo.jpg")
PROFILE = "# the account's login script\nexport PATH=$HOME/bin:$PATH\n"


@dataclass
class Studio:
    """The portfolio, a folder outside it, the server and the staff keys."""

    root: Path
    outside: Path
    server: SshServer
    presenter_key: Path
    curator_key: Path

    def client(self, key: Path) -> SshClient:
        client = SshClient(self.server.ssh_argv(key, "-tt"), cols=120, rows=40)
        client.spawn()
        return client


@pytest.fixture
def studio(tmp_path: Path, make_image: ImageMaker) -> Iterator[Studio]:
    root = tmp_path / "portfolio"
    for i, name in enumerate(PHOTOS):
        make_image(root / "g" / name, size=(80, 100), color=(60 * i, 120, 180))
    outside = tmp_path / "home"
    outside.mkdir()
    server = SshServer(tmp_path / "sshd")
    env = {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "COLORTERM": "",
    }
    app = [sys.executable, "-m", "portfolio_tui", str(root)]
    presenter = [
        *app,
        *("--role", "viewer", "--as", "anna", "--present", "--client", "anna", "--allow-picks"),
    ]
    curator = [*app, "--open", "gallery:g", "--role", "curator", "--as", "maria"]
    presenter_key = server.client_key(
        "anna", f'restrict,pty,command="{forced_command(presenter, env, server.marker)}"'
    )
    curator_key = server.client_key(
        "maria", f'restrict,pty,command="{forced_command(curator, env, server.marker)}"'
    )
    try:
        server.start()
    except SshdUnavailable as error:
        pytest.skip(f"sshd could not start here: {error}")
    try:
        yield Studio(root, outside, server, presenter_key, curator_key)
    finally:
        server.stop()


def press_right(client: SshClient) -> None:
    """The right arrow, in one write (typed a byte at a time, ESC alone would be Escape)."""
    os.write(client.fd, b"\x1b[C")
    client.drain(0.3)


def quit_app(client: SshClient) -> None:
    client.send("q")
    status = client.wait(timeout=10)
    assert status is not None, f"ssh did not end after q:\n{client.text()[-2000:]}"


def test_a_viewer_marking_a_favourite_creates_nothing_through_a_linked_picks_lock(
    studio: Studio,
) -> None:
    # Favourites from an earlier version wait in picks.toml: the first favourite saved
    # imports them into the database under picks.toml.lock, which is a planted link.
    PicksStore(studio.root, author="ben").apply("Earlier client", add=["studio/a.jpg"])
    kept = (studio.root / "picks.toml").read_bytes()
    (studio.root / "picks.toml.lock").unlink()  # the earlier version's lock, gone
    planted = studio.outside / "planted"
    os.symlink(planted, studio.root / "picks.toml.lock")
    client = studio.client(studio.presenter_key)
    try:
        assert client.wait_for("photographs"), f"no title card:\n{client.text()[-2000:]}"
        press_right(client)  # the gallery's card
        press_right(client)  # its first photo
        client.send("h")
        assert client.wait_for("not saved", timeout=5), client.text()[-2000:]
        said = client.text()
        assert "symbolic" in said and "toml.lock" in said, said[-2000:]
        quit_app(client)
    finally:
        client.close()
    assert not planted.exists()
    assert sorted(os.listdir(studio.outside)) == []
    assert (studio.root / "picks.toml").read_bytes() == kept  # not imported, not renamed


@pytest.mark.parametrize(
    "name",
    [
        "curation.sqlite",  # the database, history and all
        "curation.sqlite-wal",  # where SQLite writes each change before the database
    ],
)
def test_a_curators_rating_never_reaches_a_profile_linked_as_the_history(
    studio: Studio, name: str
) -> None:
    profile = studio.outside / ".profile"
    profile.write_text(PROFILE)
    before = profile.stat()
    os.symlink(profile, studio.root / name)
    client = studio.client(studio.curator_key)
    try:
        assert client.wait_for(PHOTOS[0]), f"no grid over ssh:\n{client.text()[-2000:]}"
        assert "VIEW ONLY" in client.text()  # said from the start
        client.send("3")
        assert client.wait_for("symbolic", timeout=5), client.text()[-2000:]
        assert "View only" in client.text()
        assert name in client.text()
        client.drain(0.5)
        quit_app(client)
    finally:
        client.close()
    after = profile.stat()
    assert profile.read_text() == PROFILE
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert sorted(os.listdir(studio.outside)) == [".profile"]
    assert os.path.islink(studio.root / name)
    made = sorted(p for p in os.listdir(studio.root) if p.startswith("curation") and p != name)
    assert made in ([], ["curation.toml.lock"]), made  # no database, store or history


@pytest.mark.parametrize(
    "name",
    [
        "curation.sqlite",
        "curation.sqlite-wal",
        "curation.toml",  # a folder not yet moved to the database
    ],
)
def test_a_fifo_as_a_curation_file_neither_hangs_the_session_nor_stops_q(
    studio: Studio, name: str
) -> None:
    os.mkfifo(studio.root / name)
    client = studio.client(studio.curator_key)
    try:
        assert client.wait_for(PHOTOS[0]), f"no grid over ssh:\n{client.text()[-2000:]}"
        if name == "curation.toml":
            assert client.wait_for("pipe", timeout=5), client.text()[-2000:]
        else:  # said when a key tries to change something
            client.send("3")
            assert client.wait_for("pipe", timeout=5), client.text()[-2000:]
        assert "VIEW ONLY" in client.text()
        started = time.monotonic()
        quit_app(client)
        assert time.monotonic() - started < 8
    finally:
        client.close()


def test_a_fifo_as_picks_toml_neither_hangs_the_presentation_nor_stops_q(
    studio: Studio,
) -> None:
    os.mkfifo(studio.root / "picks.toml")
    client = studio.client(studio.presenter_key)
    try:
        assert client.wait_for("photographs"), f"no title card:\n{client.text()[-2000:]}"
        press_right(client)
        client.send("h")
        assert client.wait_for("View only", timeout=5), client.text()[-2000:]
        quit_app(client)
    finally:
        client.close()


def test_a_curation_store_linked_to_another_portfolio_shows_none_of_it(
    studio: Studio, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    with SqliteCurationStore(other, author="them") as theirs:
        theirs.apply(
            [Change.rating(f"g/{name}", 5) for name in PHOTOS]
            + [Change.flag(f"g/{PHOTOS[0]}", "pick")]
        )
    before = (other / "curation.sqlite").read_bytes()
    os.symlink(other / "curation.sqlite", studio.root / "curation.sqlite")
    client = studio.client(studio.curator_key)
    try:
        assert client.wait_for(PHOTOS[0]), f"no grid over ssh:\n{client.text()[-2000:]}"
        assert client.wait_for("symbolic", timeout=5), client.text()[-2000:]
        client.drain(1.0)
        assert "★" not in client.text() and "⚑" not in client.text()
        assert "VIEW ONLY" in client.text()
        quit_app(client)
    finally:
        client.close()
    assert os.path.islink(studio.root / "curation.sqlite")
    assert (other / "curation.sqlite").read_bytes() == before
