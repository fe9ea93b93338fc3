"""files.write_atomically, the one way the app puts a file in place: the stores, sidecars,
contact sheets, cache entries and exported copies all go through it, each with its options."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from portfolio_tui import files


class WriterFailed(Exception):
    pass


@pytest.fixture
def umask() -> Iterator[None]:
    """A known umask (022), so the modes a test expects do not depend on the shell's."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def half_then_fail(out: BinaryIO) -> None:
    out.write(b"new content, half of it")
    out.flush()  # on the disk, in the temp file
    raise WriterFailed("the writer failed half-way")


def test_a_writer_that_fails_half_way_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sheet.pdf"
    target.write_bytes(b"old content")
    with pytest.raises(WriterFailed):
        files.write_atomically(target, half_then_fail)
    assert target.read_bytes() == b"old content"
    assert listing(tmp_path) == ["sheet.pdf"]


def test_a_check_that_refuses_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.xmp"
    target.write_bytes(b"old")

    def refuse() -> None:
        raise WriterFailed("changed meanwhile")

    with pytest.raises(WriterFailed):
        files.write_atomically(target, b"new", check=refuse)
    assert target.read_bytes() == b"old"
    assert listing(tmp_path) == ["a.xmp"]


@pytest.mark.parametrize("data", ["text é\n", b"bytes \xc3\xa9\n", "writer"])
def test_text_bytes_and_a_writer_all_land(tmp_path: Path, data: str | bytes) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"old")
    if data == "writer":
        files.write_atomically(target, lambda out: out.write("written é\n".encode()))
        assert target.read_text(encoding="utf-8") == "written é\n"
    else:
        files.write_atomically(target, data)
        assert target.read_bytes() == (data.encode() if isinstance(data, str) else data)
    assert listing(tmp_path) == ["out"]


def test_the_temp_file_is_one_remove_stale_temps_recognises(tmp_path: Path) -> None:
    """What a killed writer leaves is found by the stores' cleanup (under their lock)."""
    target = tmp_path / "picks.toml"
    seen: list[str] = []

    def look(out: BinaryIO) -> None:
        seen.extend(listing(tmp_path))
        out.write(b"x")
        raise WriterFailed  # then "killed": the cleanup is what would not run

    with pytest.raises(WriterFailed):
        files.write_atomically(target, look)
    (temp,) = seen
    assert temp.startswith(files.temp_prefix(target)) and temp.endswith(files.TEMP_SUFFIX)
    (tmp_path / temp).write_bytes(b"left by a killed writer")
    files.remove_stale_temps(tmp_path, files.temp_prefix(target))
    assert listing(tmp_path) == []


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "curation.toml"
    target.write_text("old")
    target.chmod(0o640)
    files.write_atomically(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # A new file gets 0o666 less the umask; keep_mode=False does not keep the old mode.
    target.chmod(0o640)
    files.write_atomically(target, "newer", keep_mode=False)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_an_exact_mode_ignores_the_umask(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "copy.jpg"
    files.write_atomically(target, b"pixels", mode=0o664)
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_a_link_at_the_target_is_refused_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("someone else's file")
    target = tmp_path / "store.toml"
    target.symlink_to(outside)
    called: list[bool] = []
    with pytest.raises(files.NotRegularFile, match="symbolic link"):
        files.write_atomically(target, lambda out: called.append(True))
    assert called == []  # refused before anything was written
    assert target.is_symlink() and os.readlink(target) == str(outside)
    assert outside.read_text() == "someone else's file"
    assert listing(tmp_path) == ["outside.txt", "store.toml"]


def test_regular_only_false_replaces_a_link_without_writing_through_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("someone else's file")
    target = tmp_path / "entry.png"
    target.symlink_to(outside)
    files.write_atomically(target, b"entry", regular_only=False)
    assert not target.is_symlink() and target.read_bytes() == b"entry"
    assert outside.read_text() == "someone else's file"


def test_exclusive_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "a.jpg"
    target.write_bytes(b"another photo")
    copied: list[bool] = []
    with pytest.raises(FileExistsError):
        files.write_atomically(target, lambda out: copied.append(True), exclusive=True)
    assert copied == []  # refused before copying a byte
    assert target.read_bytes() == b"another photo"
    assert listing(tmp_path) == ["a.jpg"]


@pytest.mark.parametrize("hard_links", [True, False], ids=["link", "no-hard-links"])
def test_exclusive_refuses_a_file_that_appears_while_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    """The name is taken after the first look (another export into the same folder)."""
    if not hard_links:  # FAT, some network shares

        def no_link(*_args: object, **_kwargs: object) -> None:
            raise OSError(errno.EPERM, os.strerror(errno.EPERM))

        monkeypatch.setattr(os, "link", no_link)
    target = tmp_path / "a.jpg"

    def meanwhile(out: BinaryIO) -> None:
        target.write_bytes(b"written meanwhile")
        out.write(b"the copy")

    with pytest.raises(FileExistsError):
        files.write_atomically(target, meanwhile, exclusive=True)
    assert target.read_bytes() == b"written meanwhile"
    assert listing(tmp_path) == ["a.jpg"]
    # With the name free, the same call writes it (and leaves no temp file).
    other = tmp_path / "b.jpg"
    files.write_atomically(other, b"the copy", exclusive=True)
    assert other.read_bytes() == b"the copy"
    assert listing(tmp_path) == ["a.jpg", "b.jpg"]


@pytest.mark.parametrize(
    ("options", "syncs"),
    [({}, 2), ({"sync_folder": False}, 1), ({"durable": False}, 0)],
    ids=["durable", "file-only", "not-durable"],
)
def test_what_is_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, bool], syncs: int
) -> None:
    """The file's data then the folder's entry; the image cache syncs neither (a lost entry
    costs a decode), an export syncs its folder once at the end."""
    real = os.fsync
    calls: list[int] = []

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    for data in (b"bytes", lambda out: out.write(b"writer")):
        calls.clear()
        files.write_atomically(tmp_path / "f", data, **options)
        assert len(calls) == syncs


def test_each_writer_keeps_the_modes_its_files_always_had(tmp_path: Path, umask: None) -> None:
    """Through the one primitive, what each writer leaves on the disk is as it was: a
    contact sheet and a cache entry are the account's only (as their mkstemp files were),
    an exported copy has its original's permission bits and times (as shutil.copy2 keeps
    them), a store keeps whatever mode it was given."""
    from PIL import Image

    from portfolio_tui.cli.export import _copy_new
    from portfolio_tui.contact_sheet import write_sheet
    from portfolio_tui.imaging.cache import ImageCache

    page = Image.new("RGB", (40, 60), (200, 200, 200))
    sheet = tmp_path / "sheet.pdf"
    sheet.write_bytes(b"an older sheet")
    sheet.chmod(0o644)
    assert write_sheet([page], sheet) == [sheet]
    assert sheet.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600

    photo = tmp_path / "a.png"
    page.save(photo)
    cache = ImageCache(tmp_path / "cache")
    assert cache.put(photo, (20, 30), page)
    (entry,) = (tmp_path / "cache").glob("*/*.png")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600

    photo.chmod(0o640)
    os.utime(photo, ns=(1_000_000_000, 1_500_000_000_000_000_000))
    out = tmp_path / "export"
    out.mkdir()
    assert _copy_new(photo, out, "a.png", set()) == ("a.png", True)
    copy = out / "a.png"
    assert copy.read_bytes() == photo.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o640
    assert copy.stat().st_mtime_ns == photo.stat().st_mtime_ns
    assert listing(out) == ["a.png"]
