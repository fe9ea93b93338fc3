"""Issue 21, item 1: notes files are read only when they are regular files inside the root.

A hostile author of files put into a portfolio (a synced share, an unpacked zip)
plants ``NAME.md``, ``NAME.jpg.md`` or ``_gallery.md`` as a symbolic link to a
secret elsewhere on the machine, or to the app's own environment under procfs,
or as a FIFO. The app must never read through them, ``check`` must name each
one with what to do, and loading must neither hang nor raise.
"""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import pytest

from conftest import ImageMaker, run_cli, write
from portfolio_tui.files import NotRegularFile
from portfolio_tui.portfolio import Portfolio, open_portfolio

LINK_MESSAGE = "notes file is a symbolic link"
WHAT_TO_DO = "it is not read (copy the text into a regular file)"


def symlink(target: Path | str, link: Path) -> None:
    try:
        os.symlink(target, link)
    except (OSError, NotImplementedError) as exc:  # pragma: no cover - e.g. Windows
        pytest.skip(f"cannot create symlinks here: {exc}")


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    """A file outside the portfolio holding a marker that must never be shown."""
    marker = f"SECRET-{uuid.uuid4().hex}"
    path = write(tmp_path / "outside" / "secret.txt", f"root:x:0:0:{marker}:/root:/bin/sh\n")
    return path, marker


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    folder = tmp_path / "pf"
    make_image(folder / "g" / "a.jpg")
    make_image(folder / "g" / "b.jpg")
    return folder


def every_text(portfolio: Portfolio) -> str:
    """Every piece of notes text the app could show."""
    parts = [g.notes for g in portfolio.galleries]
    parts += [p.notes for p in portfolio.every_photo()]
    return "\n".join(parts)


def problems_about(portfolio: Portfolio, name: str) -> list[str]:
    return [p.message for p in portfolio.problems if p.file.name == name]


@pytest.mark.parametrize("name", ["a.md", "a.jpg.md", "_gallery.md"])
def test_a_notes_link_to_a_secret_is_not_read_and_is_reported(
    root: Path, secret: tuple[Path, str], name: str
) -> None:
    path, marker = secret
    symlink(path, root / "g" / name)
    portfolio = open_portfolio(root)
    assert marker not in every_text(portfolio)
    found = problems_about(portfolio, name)
    assert found == [f"{LINK_MESSAGE}, which is never followed; {WHAT_TO_DO}"], [
        str(p) for p in portfolio.problems
    ]


def test_a_notes_link_inside_the_root_is_not_read_either(root: Path) -> None:
    # O_NOFOLLOW refuses every link: a check on the target could be raced.
    write(root / "g" / "real-notes.txt", "INNER-TEXT")
    symlink("real-notes.txt", root / "g" / "a.md")
    portfolio = open_portfolio(root)
    assert "INNER-TEXT" not in every_text(portfolio)
    assert problems_about(portfolio, "a.md")


def test_a_notes_link_to_the_apps_environment_is_not_read(root: Path) -> None:
    environ = Path("/proc/self/environ")
    if not environ.exists():
        pytest.skip("no procfs here")
    symlink(environ, root / "g" / "a.md")
    symlink(environ, root / "g" / "_gallery.md")
    # The environment this process started with (what /proc/self/environ holds).
    start = [v for v in environ.read_bytes().split(b"\0") if b"=" in v]
    assert start
    portfolio = open_portfolio(root)
    text = every_text(portfolio)
    for variable in start:
        assert variable.decode("utf-8", "replace") not in text
    assert problems_about(portfolio, "a.md") and problems_about(portfolio, "_gallery.md")


def test_a_fifo_as_notes_does_not_hang_and_is_reported(root: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(root / "g" / "a.md")
    os.mkfifo(root / "g" / "_gallery.md")
    loaded: list[Portfolio] = []
    thread = threading.Thread(target=lambda: loaded.append(open_portfolio(root)), daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # pragma: no cover - the bug: the thread is stuck in open()
        # Let the stuck open() return, so the test run can end.
        for name in ("a.md", "_gallery.md"):
            fd = os.open(root / "g" / name, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        pytest.fail("loading the portfolio hung on a FIFO notes file")
    (portfolio,) = loaded
    for name in ("a.md", "_gallery.md"):
        assert problems_about(portfolio, name) == [
            "notes file is a device, pipe or socket, not a file; " + WHAT_TO_DO
        ]


def test_regular_notes_beside_them_are_still_read(root: Path, secret: tuple[Path, str]) -> None:
    symlink(secret[0], root / "g" / "a.md")
    write(root / "g" / "b.md", "Shot at f/2.")
    write(root / "g" / "_gallery.md", "About the gallery.")
    portfolio = open_portfolio(root)
    b = portfolio.photo("g/b.jpg")
    gallery = portfolio.gallery("g")
    assert b is not None and gallery is not None
    assert b.notes == "Shot at f/2."
    assert gallery.notes == "About the gallery."


def test_notes_in_a_gallery_folder_linked_inside_the_root_are_read(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "pf"
    make_image(root / "2024" / "selects" / "a.jpg")
    write(root / "2024" / "selects" / "a.md", "Linked folder notes.")
    symlink(root / "2024" / "selects", root / "best")
    write(root / "config.toml", '[[galleries]]\nid = "best"\nfolder = "best"\n')
    photo = open_portfolio(root).photo("best/a.jpg")
    assert photo is not None
    assert photo.notes == "Linked folder notes."


def test_a_notes_file_whose_folder_leads_outside_the_root_is_refused(
    tmp_path: Path, secret: tuple[Path, str]
) -> None:
    # The gallery folder was checked at load; if it is swapped for a link out of the
    # root before its notes are read, the notes are still refused.
    from portfolio_tui.portfolio import read_notes_file

    path, marker = secret
    root = tmp_path / "pf"
    root.mkdir()
    symlink(path.parent, root / "swapped")
    with pytest.raises(NotRegularFile) as caught:
        read_notes_file(root / "swapped" / "secret.txt", root.resolve(), limit=1 << 16)
    assert "outside the portfolio" in caught.value.reason
    assert marker not in str(caught.value)


def test_check_names_each_planted_notes_file(root: Path, secret: tuple[Path, str]) -> None:
    path, marker = secret
    symlink(path, root / "g" / "a.md")
    symlink(path, root / "g" / "_gallery.md")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "g" / "b.jpg.md")
    result = run_cli("check", str(root), cwd=root.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    assert marker not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"pf/g/a.md: {LINK_MESSAGE}, which is never followed; {WHAT_TO_DO}" in lines
    assert f"pf/g/_gallery.md: {LINK_MESSAGE}, which is never followed; {WHAT_TO_DO}" in lines
    if hasattr(os, "mkfifo"):
        assert (
            "pf/g/b.jpg.md: notes file is a device, pipe or socket, not a file; " + WHAT_TO_DO
        ) in lines
    assert "Traceback" not in result.stderr


def xmp_packet(rating: int) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f'xmp:Rating="{rating}"/></rdf:RDF></x:xmpmeta>'
    ).encode()


def test_an_xmp_sidecar_link_is_not_read_either(root: Path, tmp_path: Path) -> None:
    from portfolio_tui.xmp import read_xmp

    elsewhere = tmp_path / "outside" / "other.xmp"
    elsewhere.parent.mkdir(exist_ok=True)
    elsewhere.write_bytes(xmp_packet(5))
    symlink(elsewhere, root / "g" / "a.jpg.xmp")
    facts = read_xmp(root / "g" / "a.jpg")
    assert facts.rating is None
    assert facts.problems == (
        f"{root / 'g' / 'a.jpg.xmp'}: cannot read this XMP sidecar: it is a symbolic link, "
        "which is never followed; it is ignored",
    )
