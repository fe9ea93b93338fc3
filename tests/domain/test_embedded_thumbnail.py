"""The EXIF-embedded thumbnail cameras write: read fast, upright, and never trusted blindly."""

from __future__ import annotations

from pathlib import Path

from conftest import ImageMaker, write_jpeg_with_thumbnail
from portfolio_tui.imaging.decode import embedded_thumbnail


def test_reads_the_embedded_thumbnail_fitted_to_the_box(tmp_path: Path) -> None:
    photo = write_jpeg_with_thumbnail(tmp_path / "a.jpg")
    thumb = embedded_thumbnail(photo, (20, 20))
    assert thumb is not None
    assert thumb.size == (20, 15)
    r, g, _ = thumb.getpixel((15, 12))
    assert g > 150 and r < 80  # the green thumbnail, not the blue main image


def test_the_embedded_thumbnail_is_turned_upright(tmp_path: Path) -> None:
    # Stored landscape with orientation 6: shown as portrait, red quadrant top-right.
    photo = write_jpeg_with_thumbnail(tmp_path / "a.jpg", orientation=6)
    thumb = embedded_thumbnail(photo, (30, 40))
    assert thumb is not None
    assert thumb.width < thumb.height
    r, g, _ = thumb.getpixel((thumb.width - 3, 3))
    assert r > 150 and g < 100


def test_none_without_exif_or_thumbnail(tmp_path: Path, make_image: ImageMaker) -> None:
    assert embedded_thumbnail(make_image(tmp_path / "plain.jpg"), (20, 20)) is None
    assert embedded_thumbnail(make_image(tmp_path / "o.jpg", orientation=6), (20, 20)) is None
    assert embedded_thumbnail(make_image(tmp_path / "p.png", fmt="PNG"), (20, 20)) is None


def test_none_for_a_damaged_offset_or_a_file_that_is_not_an_image(tmp_path: Path) -> None:
    photo = write_jpeg_with_thumbnail(tmp_path / "a.jpg", corrupt_offset=True)
    assert embedded_thumbnail(photo, (20, 20)) is None
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8 not really")
    assert embedded_thumbnail(junk, (20, 20)) is None
    assert embedded_thumbnail(tmp_path / "missing.jpg", (20, 20)) is None
