"""files.open_regular / read_regular: links and special files are refused, never followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portfolio_tui.files import NotRegularFile, TooLarge, open_regular, read_regular


def test_a_regular_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_bytes(b"hello")
    assert read_regular(tmp_path / "notes.md", 10) == b"hello"


def test_a_link_to_a_secret_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0")
    os.symlink(secret, tmp_path / "notes.md")
    with pytest.raises(NotRegularFile, match="symbolic link"):
        read_regular(tmp_path / "notes.md", 1000)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "curation.toml")
    with pytest.raises(NotRegularFile, match="device, pipe or socket"):
        read_regular(tmp_path / "curation.toml", 1000)


def test_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile, match="device, pipe or socket"):
        read_regular(Path("/dev/zero"), 1000)


def test_a_file_past_the_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big").write_bytes(b"x" * 2048)
    with pytest.raises(TooLarge, match="larger than 1 KB"):
        read_regular(tmp_path / "big", 1024)


def test_writing_through_a_planted_link_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "profile"
    target.parent.mkdir()
    os.symlink(target, tmp_path / "curation.lock")
    with pytest.raises(NotRegularFile):
        open_regular(tmp_path / "curation.lock", os.O_RDWR | os.O_CREAT)
    assert not target.exists()
