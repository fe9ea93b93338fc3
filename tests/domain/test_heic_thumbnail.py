"""Grid tiles of a HEIC come from the thumbnail the phone stored in it, not the whole photo.

iPhones store a 320-pixel HEVC thumbnail in every HEIC. Decoding the 12 MP photo
took about 300 ms a tile; the thumbnail a few milliseconds (docs/performance.md).
A view the thumbnail cannot fill twice over still decodes the photo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from portfolio_tui.imaging import decode
from portfolio_tui.imaging.decode import load_fitted

pytest.importorskip("pillow_heif")
ARROW = Path(__file__).resolve().parents[1] / "fixtures" / "heic" / "arrow.heic"


@pytest.fixture
def decoded_sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size of each picture the decoder decodes (the photo, or a stored thumbnail)."""
    sizes: list[tuple[int, int]] = []
    real = decode._decode_rgb

    def recording(path: Path, image: Image.Image, *args: Any, **kwargs: Any) -> Image.Image:
        sizes.append(image.size)
        return real(path, image, *args, **kwargs)

    monkeypatch.setattr(decode, "_decode_rgb", recording)
    return sizes


def test_a_grid_tile_of_a_real_iphone_heic_is_drawn_from_its_thumbnail(
    decoded_sizes: list[tuple[int, int]],
) -> None:
    tile = load_fitted(ARROW, (24, 32))
    assert tile.size == (24, 32)
    assert decoded_sizes == [(240, 320)]  # the stored thumbnail, not the 3024x4032 photo
    # Still the photo, upright: the arrow's tip is at the top, in the middle.
    column = [tile.getpixel((12, y)) for y in range(32)]
    darkest = min(range(32), key=lambda y: sum(column[y]))  # type: ignore[arg-type]
    assert darkest < 16


@pytest.mark.parametrize("box", [(600, 800), (150, 200)])
def test_a_view_the_thumbnail_cannot_fill_twice_over_decodes_the_photo(
    decoded_sizes: list[tuple[int, int]], box: tuple[int, int]
) -> None:
    # 150x200 fits in the 240x320 thumbnail, but not twice over: the margin every other
    # format keeps before its Lanczos resize (the thumbnail's own HEVC artefacts showed
    # there: mean ΔE2000 1.0 to 3.7 against the photo at 120 px).
    picture = load_fitted(ARROW, box)
    assert picture.size == box
    assert decoded_sizes == [(3024, 4032)]
