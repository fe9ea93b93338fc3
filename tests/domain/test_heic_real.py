"""Issue 15, item 3: a real iPhone HEIC taken in portrait is drawn upright, turned once.

tests/fixtures/heic/arrow.heic is an iPhone 8 Plus photo of an arrow drawn on lined
paper, pointing up when the phone was held upright. Its pixels are stored sideways
(4032x3024) with an `irot` box, which libheif applies, and EXIF Orientation 6 (turn
90° clockwise), which pillow-heif resets to 1 after libheif turned the picture: reading
both would turn it twice (landscape, arrow pointing sideways), reading neither would
leave it landscape too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from portfolio_tui.imaging.decode import load_fitted, load_upright, opened_image

ARROW = Path(__file__).resolve().parent.parent / "fixtures" / "heic" / "arrow.heic"


def _arrow_points_up(picture: Image.Image) -> None:
    """Assert ``picture`` is the arrow upright: its tip at the top centre, its head's wide
    base in the upper half, and only paper below the shaft."""
    grey = picture.convert("L")
    width, height = grey.size
    assert height > width, f"not portrait: {grey.size}"
    pixels = grey.load()
    assert pixels is not None
    paper = sorted(grey.resize((32, 32)).tobytes())[512]  # mostly paper: the median is paper
    # The pen's lines, inside a margin (the photo's corners have some shadow).
    ink = [
        (x, y)
        for y in range(int(height * 0.03), int(height * 0.95))
        for x in range(int(width * 0.12), int(width * 0.88))
        if pixels[x, y] < paper * 0.7
    ]
    assert ink, "no arrow drawn"
    tip_x, tip_y = min(ink, key=lambda point: point[1])
    assert tip_y < height * 0.12 and 0.4 < tip_x / width < 0.6, (tip_x, tip_y, grey.size)
    rows: dict[int, list[int]] = {}
    for x, y in ink:
        rows.setdefault(y, []).append(x)
    widest = max(rows, key=lambda y: max(rows[y]) - min(rows[y]))
    assert 0.3 < widest / height < 0.55, (widest, grey.size)  # the head's base, upper half
    assert max(rows[widest]) - min(rows[widest]) > width * 0.6
    below = sum(1 for _, y in ink if y > height * 0.8)  # a speck or two of the paper's grain
    assert below < len(ink) / 100, f"ink below the shaft ({below} of {len(ink)}): upside down?"


@pytest.mark.parametrize(
    "box",
    [(48, 64), (96, 64), (300, 400), (1600, 900)],
    ids=["grid tile", "wide grid tile", "small loupe", "loupe"],
)
def test_the_iphone_portrait_heic_is_drawn_upright(box: tuple[int, int]) -> None:
    picture = load_fitted(ARROW, box)
    assert picture.height == min(box[1], box[0] * 4 // 3)  # 3:4, fitted to the box's height
    _arrow_points_up(picture)


def test_the_zoomable_copy_is_upright_too() -> None:
    picture, _ = load_upright(ARROW, (300, 400))
    _arrow_points_up(picture)


def test_the_files_exif_says_turn_it_which_was_done_once() -> None:
    """What makes turning it twice a real risk: libheif turned it (irot), and the EXIF the
    camera wrote says the stored pixels need turning; the app must not do it again."""
    with opened_image(ARROW) as image:
        assert image.size == (3024, 4032)  # turned by libheif from the stored 4032x3024
        assert image.info.get("original_orientation") == 6
        assert image.getexif().get(0x0112, 1) == 1
    with Image.open(ARROW) as plain:  # as another Pillow program would see it
        assert plain.getexif().get(0x0112, 1) == 1
