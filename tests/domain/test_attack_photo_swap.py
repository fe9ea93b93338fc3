"""Issue 21, item 9d: a photo is checked again when it is opened, not only at load.

The portfolio is loaded while every photo is a regular file (or a link that
stays inside the root). Then its author swaps one for a symbolic link to an
image outside the portfolio, or for a FIFO, or swaps a gallery folder for a link
out of the root. Thumbnails, contact sheets, picks exports and the decoder must
refuse it with a clear reason, never hang, and never use the outside pixels.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from conftest import ImageMaker, write
from portfolio_tui.cli import export as export_cli
from portfolio_tui.imaging.cache import ImageCache
from portfolio_tui.imaging.decode import ImageError, embedded_thumbnail, load_fitted, probe
from portfolio_tui.metadata import read_info
from portfolio_tui.picks import PicksStore
from portfolio_tui.portfolio import Portfolio, open_portfolio
from portfolio_tui.thumbs import prebuild

GREEN = (0, 255, 0)
"""The outside image's colour: it must never be seen in anything the app makes."""
BOX = (64, 64)


def symlink(target: Path | str, link: Path, *, directory: bool = False) -> None:
    try:
        os.symlink(target, link, target_is_directory=directory)
    except (OSError, NotImplementedError) as exc:  # pragma: no cover - e.g. Windows
        pytest.skip(f"cannot create symlinks here: {exc}")


def swap_for_link(path: Path, target: Path | str) -> None:
    path.unlink()
    symlink(target, path)


def swap_for_fifo(path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path.unlink()
    os.mkfifo(path)


def greenish(image: Image.Image) -> bool:
    """Whether any pixel is close to the outside image's green."""
    rgb = image.convert("RGB")
    r, g, b = rgb.split()
    mask = Image.eval(g, lambda v: 255 if v > 200 else 0)
    low_r = Image.eval(r, lambda v: 255 if v < 60 else 0)
    low_b = Image.eval(b, lambda v: 255 if v < 60 else 0)
    from PIL import ImageChops

    both = ImageChops.multiply(ImageChops.multiply(mask, low_r), low_b)
    return both.getbbox() is not None


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "private.png"
    path.parent.mkdir()
    Image.new("RGB", (80, 60), GREEN).save(path)
    return path


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    folder = tmp_path / "pf"
    make_image(folder / "g" / "a.png", size=(80, 60), color=(200, 30, 30), fmt="PNG")
    make_image(folder / "g" / "b.png", size=(80, 60), color=(30, 30, 200), fmt="PNG")
    return folder


@pytest.fixture
def unblock() -> Iterator[Callable[[Path], None]]:
    """Register FIFOs; at the end each gets a writer, so a reader stuck in open() ends."""
    fifos: list[Path] = []
    yield fifos.append
    for fifo in fifos:
        for _ in range(20):
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                break


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """``work()``'s result; fails the test if it has not returned after ``seconds``."""
    done: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds} s (blocked on a FIFO?)")
    if errors:
        raise errors[0]
    return done[0]


def photo_of(portfolio: Portfolio, rel: str) -> Any:
    photo = portfolio.photo(rel)
    assert photo is not None, rel
    return photo


def cached_images(cache: ImageCache) -> list[Image.Image]:
    found = []
    for path in cache.root.rglob("*.png"):
        with Image.open(path) as image:
            found.append(image.convert("RGB"))
    return found


# -- thumbs ------------------------------------------------------------------------------


def test_thumbs_refuse_a_photo_swapped_for_an_outside_link(
    root: Path, outside: Path, tmp_path: Path
) -> None:
    portfolio = open_portfolio(root)
    swap_for_link(root / "g" / "a.png", outside)
    cache = ImageCache(tmp_path / "cache")
    summary = prebuild(portfolio.every_photo(), cache, jobs=1, box=BOX)
    assert not any(greenish(image) for image in cached_images(cache))
    assert summary.built == 1
    ((path, reason),) = summary.failed
    assert path.name == "a.png"
    assert "symbolic link" in reason


def test_a_link_inside_the_root_retargeted_outside_after_load_shows_no_outside_pixels(
    root: Path, outside: Path, tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(root / "originals" / "c.png", size=(80, 60), color=(200, 30, 200), fmt="PNG")
    symlink("../originals/c.png", root / "g" / "c.png")
    portfolio = open_portfolio(root)
    assert photo_of(portfolio, "g/c.png")
    swap_for_link(root / "g" / "c.png", outside)
    cache = ImageCache(tmp_path / "cache")
    summary = prebuild(portfolio.every_photo(), cache, jobs=1, box=BOX)
    assert summary.failed == []  # the link's target found at load is what is read
    assert not any(greenish(image) for image in cached_images(cache))


def test_a_gallery_folder_swapped_for_an_outside_link_is_refused(
    tmp_path: Path, outside: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "pf"
    make_image(root / "g" / "private.png", size=(80, 60), color=(200, 30, 30), fmt="PNG")
    portfolio = open_portfolio(root)
    (root / "g").rename(root / "g-moved")
    symlink(outside.parent, root / "g", directory=True)
    cache = ImageCache(tmp_path / "cache")
    summary = prebuild(portfolio.every_photo(), cache, jobs=1, box=BOX)
    assert not any(greenish(image) for image in cached_images(cache))
    ((_path, reason),) = summary.failed
    assert "linked folder" in reason


# -- every way the pixels are read -----------------------------------------------------


def test_every_decoder_entry_refuses_the_swapped_link(root: Path, outside: Path) -> None:
    portfolio = open_portfolio(root)
    photo = photo_of(portfolio, "g/a.png")
    swap_for_link(root / "g" / "a.png", outside)
    for call in (
        lambda: load_fitted(photo.real_path, BOX),
        lambda: probe(photo.real_path),
    ):
        with pytest.raises(ImageError, match="symbolic link"):
            call()
    assert embedded_thumbnail(photo.real_path, BOX) is None
    info = read_info(photo.real_path)
    assert info.error is not None and "symbolic link" in info.error
    assert info.width is None
    assert info.file_size != outside.stat().st_size  # nothing of the target, not even its size


def test_a_fifo_swapped_in_after_load_never_hangs_a_decoder(
    root: Path, unblock: Callable[[Path], None]
) -> None:
    portfolio = open_portfolio(root)
    photo = photo_of(portfolio, "g/a.png")
    swap_for_fifo(root / "g" / "a.png")
    unblock(root / "g" / "a.png")
    with pytest.raises(ImageError, match="device, pipe or socket"):
        within(10, lambda: load_fitted(photo.real_path, BOX))
    assert within(10, lambda: embedded_thumbnail(photo.real_path, BOX)) is None
    assert within(10, lambda: read_info(photo.real_path)).error


# -- contact sheet and picks export ------------------------------------------------------


@pytest.fixture
def preloaded(monkeypatch: pytest.MonkeyPatch) -> Callable[[Portfolio], None]:
    """Make the export commands use a portfolio loaded earlier (before the swap)."""

    def use(portfolio: Portfolio) -> None:
        monkeypatch.setattr(export_cli, "open_or_report", lambda *a, **k: portfolio)

    return use


def test_a_contact_sheet_never_prints_the_outside_image(
    root: Path,
    outside: Path,
    tmp_path: Path,
    preloaded: Callable[[Portfolio], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    preloaded(open_portfolio(root))
    swap_for_link(root / "g" / "a.png", outside)
    sheet = tmp_path / "sheet.png"
    code = export_cli.run_export(["contact-sheet", str(root), "-o", str(sheet)])
    out = capsys.readouterr().out
    assert code == 1
    assert "symbolic link" in out
    with Image.open(sheet) as page:
        assert not greenish(page)


def test_a_picks_export_never_copies_the_outside_file(
    root: Path,
    outside: Path,
    tmp_path: Path,
    preloaded: Callable[[Portfolio], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    PicksStore(root, author="maria").apply("ann", add=("g/a.png", "g/b.png"))
    preloaded(open_portfolio(root))
    swap_for_link(root / "g" / "a.png", outside)
    out = tmp_path / "for-ann"
    code = export_cli.run_export(["picks", "ann", str(root), "-o", str(out)])
    said = capsys.readouterr()
    assert code == 1, said
    secret = outside.read_bytes()
    copies = [p for p in out.iterdir() if p.suffix == ".png"]
    assert [p.name for p in copies] == ["b.png"]
    assert all(p.read_bytes() != secret for p in out.iterdir())
    assert "symbolic link" in said.out + said.err


def test_a_picks_export_of_a_fifo_does_not_hang(
    root: Path,
    tmp_path: Path,
    preloaded: Callable[[Portfolio], None],
    unblock: Callable[[Path], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    PicksStore(root, author="maria").apply("ann", add=("g/a.png",))
    preloaded(open_portfolio(root))
    swap_for_fifo(root / "g" / "a.png")
    unblock(root / "g" / "a.png")
    out = tmp_path / "for-ann"
    code = within(10, lambda: export_cli.run_export(["picks", "ann", str(root), "-o", str(out)]))
    said = capsys.readouterr()
    assert code == 1
    assert "device, pipe or socket" in said.out + said.err


def test_a_regular_photo_and_an_inside_link_still_decode(
    root: Path, make_image: ImageMaker
) -> None:
    make_image(root / "originals" / "c.png", size=(80, 60), fmt="PNG")
    symlink("../originals/c.png", root / "g" / "c.png")
    write(root / "config.toml", "")
    portfolio = open_portfolio(root)
    for rel in ("g/a.png", "g/c.png"):
        photo = photo_of(portfolio, rel)
        assert load_fitted(photo.real_path, BOX).size == (64, 48)
        assert probe(photo.real_path).width == 80


def test_the_badge_never_comes_from_the_outside_files_xmp(root: Path, tmp_path: Path) -> None:
    from portfolio_tui.provenance import provenance

    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" '
        b'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        b'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/'
        b'trainedAlgorithmicMedia"/></rdf:RDF></x:xmpmeta>'
    )
    elsewhere = tmp_path / "outside" / "ai.jpg"
    elsewhere.parent.mkdir()
    Image.new("RGB", (16, 12), GREEN).save(elsewhere, "JPEG", xmp=xmp)
    portfolio = open_portfolio(root)
    photo = photo_of(portfolio, "g/a.png")
    swap_for_link(root / "g" / "a.png", elsewhere)
    assert provenance(photo).source_type is None
