"""HEIC photos come out upright whether the turn is in the container or only in EXIF.

libheif applies a HEIF's own rotation box (``irot``), which iPhones' Camera app
writes; some iPhone apps (ProCam) write only EXIF orientation 6, which libheif
ignores as the HEIF spec says, while Apple's viewers turn the photo. A real
ProCam file (iPhone 7, a castle under a blue sky) was drawn on its side.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from portfolio_tui.imaging.decode import load_fitted, load_upright, probe

pillow_heif = pytest.importorskip("pillow_heif")

RED, BLUE = (200, 0, 0), (0, 0, 200)


def stored_picture() -> Image.Image:
    """Landscape as stored: red top half, blue bottom half. Turned 90° clockwise (EXIF 6)
    for viewing, red is on the right."""
    picture = Image.new("RGB", (64, 48), RED)
    picture.paste(BLUE, (0, 24, 64, 48))
    return picture


def exif_only(path: Path, orientation: int) -> Path:
    """A HEIC with no rotation box whose EXIF says ``orientation``, as ProCam writes them."""
    exif = Image.Exif()
    exif[0x0112] = 1
    pillow_heif.register_heif_opener()
    stored_picture().save(path, exif=exif.tobytes())
    data = path.read_bytes()
    assert b"irot" not in data
    order = "big" if b"MM\x00*" in data else "little"
    # The Orientation entry: tag 0x0112, type SHORT (3), count 1, then its value.
    entry = (0x0112).to_bytes(2, order) + (3).to_bytes(2, order) + (1).to_bytes(4, order)
    at = data.index(entry) + len(entry)
    assert data[at : at + 2] == (1).to_bytes(2, order)
    path.write_bytes(data[:at] + orientation.to_bytes(2, order) + data[at + 2 :])
    return path


def with_rotation_box(path: Path) -> Path:
    """A HEIC whose container turns it (pillow-heif writes EXIF 6 as an irot box)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    pillow_heif.register_heif_opener()
    stored_picture().save(path, exif=exif.tobytes())
    assert b"irot" in path.read_bytes()
    return path


def red_is_right(picture: Image.Image) -> bool:
    width, height = picture.size
    left = picture.getpixel((width // 6, height // 2))
    right = picture.getpixel((width - 1 - width // 6, height // 2))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    return right[0] > 150 > left[0] and left[2] > 150 > right[2]


@pytest.mark.parametrize("make", [exif_only, with_rotation_box], ids=["exif-only", "irot"])
def test_a_heic_turned_by_exif_or_by_its_container_is_drawn_upright_once(
    tmp_path: Path, make: object
) -> None:
    path = (
        make(tmp_path / "IMG_0001.HEIC", 6)
        if make is exif_only
        else with_rotation_box(tmp_path / "IMG_0001.HEIC")
    )
    assert probe(path).oriented_size == (48, 64)
    for box in [(24, 32), (300, 300)]:
        picture = load_fitted(path, box)
        assert picture.height > picture.width, (box, picture.size)
        assert red_is_right(picture)
    upright, _ = load_upright(path, (48, 64))
    assert upright.size == (48, 64) and red_is_right(upright)


def test_a_heic_with_exif_orientation_1_and_no_box_stays_as_stored(tmp_path: Path) -> None:
    path = exif_only(tmp_path / "flat.heic", 1)
    picture = load_fitted(path, (64, 64))
    assert picture.size == (64, 48)
    assert picture.getpixel((32, 6))[0] > 150  # red still on top
