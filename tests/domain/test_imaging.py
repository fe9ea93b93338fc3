"""imaging: fitted, upright RGB decoding with readable errors, and half-block cells."""

from __future__ import annotations

import io
import math
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, JpegImagePlugin
from rich.color import Color
from rich.segment import Segment

from conftest import ImageMaker
from portfolio_tui.imaging import ImageError, halfblock_lines, load_fitted, probe
from portfolio_tui.imaging.cells import UPPER_HALF
from portfolio_tui.imaging.decode import verify

RED = (255, 0, 0)


def red_quadrant(image: Image.Image) -> str:
    """Which quadrant of ``image`` is the red one (TL, TR, BL or BR)."""
    w, h = image.size
    centres = {
        "TL": (w // 4, h // 4),
        "TR": (3 * w // 4, h // 4),
        "BL": (w // 4, 3 * h // 4),
        "BR": (3 * w // 4, 3 * h // 4),
    }
    found = []
    for name, xy in centres.items():
        r, g, b = image.getpixel(xy)  # type: ignore[misc]
        if r > 220 and g < 60 and b < 60:
            found.append(name)
    assert len(found) == 1, (found, image.size)
    return found[0]


# -- load_fitted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "box"),
    [
        ((40, 50), (40, 40)),
        ((400, 100), (40, 40)),
        ((100, 400), (40, 40)),
        ((300, 200), (7, 100)),
        ((10, 10), (1, 1)),
    ],
)
def test_fits_inside_the_box_and_keeps_aspect(
    tmp_path: Path, make_image: ImageMaker, size: tuple[int, int], box: tuple[int, int]
) -> None:
    path = make_image(tmp_path / "a.png", size=size, fmt="PNG")
    image = load_fitted(path, box)
    assert image.mode == "RGB"
    assert image.width <= box[0] and image.height <= box[1]
    assert image.width == box[0] or image.height == box[1]  # fills one dimension
    assert abs(image.width / image.height - size[0] / size[1]) <= 1 / min(image.size)


def test_upscales_small_images_unless_told_not_to(tmp_path: Path, make_image: ImageMaker) -> None:
    path = make_image(tmp_path / "a.png", size=(10, 20), fmt="PNG")
    assert load_fitted(path, (100, 100)).size == (50, 100)
    assert load_fitted(path, (100, 100), upscale=False).size == (10, 20)


@pytest.mark.parametrize(
    ("orientation", "quadrant"),
    [(1, "TL"), (2, "TR"), (3, "BR"), (4, "BL"), (5, "TL"), (6, "TR"), (7, "BR"), (8, "BL")],
)
def test_exif_orientation_is_applied(
    tmp_path: Path, make_image: ImageMaker, orientation: int, quadrant: str
) -> None:
    # Stored 40 wide x 60 tall with red top-left; 5-8 are stored on their side.
    path = make_image(tmp_path / "o.jpg", size=(40, 60), orientation=orientation)
    image = load_fitted(path, (80, 80))
    if orientation >= 5:
        assert image.size == (80, 53)
    else:
        assert image.size == (53, 80)
    assert red_quadrant(image) == quadrant


def test_sideways_photo_fits_the_box_after_rotation(tmp_path: Path, make_image: ImageMaker) -> None:
    path = make_image(tmp_path / "o.jpg", size=(40, 60), orientation=6)
    image = load_fitted(path, (30, 100))
    assert image.size == (30, 20)


def test_large_jpeg_uses_draft_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_image: ImageMaker
) -> None:
    path = make_image(tmp_path / "big.jpg", size=(4000, 3000))
    calls: list[tuple[str | None, tuple[int, int] | None]] = []
    decoded: list[tuple[int, int]] = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self: JpegImagePlugin.JpegImageFile, mode: str | None, size: tuple[int, int] | None):  # type: ignore[no-untyped-def]
        calls.append((mode, size))
        result = original(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    image = load_fitted(path, (40, 40))
    assert image.size == (40, 30)
    assert calls == [("RGB", (40, 40))]
    # The decoder itself scaled down by 8: it never produced 12 megapixels.
    assert decoded == [(500, 375)]


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("RGBA", "PNG"),
        ("LA", "PNG"),
        ("L", "PNG"),
        ("1", "PNG"),
        ("CMYK", "JPEG"),
        ("I;16", "TIFF"),
    ],
)
def test_modes_are_converted_to_rgb(tmp_path: Path, mode: str, fmt: str) -> None:
    path = tmp_path / f"m.{fmt.lower()}"
    Image.new(mode, (8, 8)).save(path, fmt)
    assert Image.open(path).mode == mode
    image = load_fitted(path, (8, 8))
    assert image.mode == "RGB"
    assert image.size == (8, 8)


def test_transparent_areas_become_the_dark_background(tmp_path: Path) -> None:
    rgba = Image.new("RGBA", (20, 20), (255, 255, 255, 0))
    rgba.paste((0, 0, 255, 255), (0, 0, 10, 20))
    rgba.save(tmp_path / "a.png")
    image = load_fitted(tmp_path / "a.png", (20, 20))
    assert image.getpixel((2, 10)) == (0, 0, 255)
    assert image.getpixel((17, 10)) == (0, 0, 0)


def test_palette_with_transparency(tmp_path: Path) -> None:
    palette = Image.new("P", (20, 20), 0)
    palette.putpalette([255, 255, 255, 0, 255, 0] + [0] * 762)
    palette.paste(1, (0, 0, 10, 20))
    palette.save(tmp_path / "p.png", transparency=0)
    assert Image.open(tmp_path / "p.png").mode == "P"
    image = load_fitted(tmp_path / "p.png", (20, 20))
    assert image.getpixel((2, 10)) == (0, 255, 0)
    assert image.getpixel((17, 10)) == (0, 0, 0)  # not the palette's white


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path: Path) -> None:
    grey = Image.new("I;16", (8, 8), 65535)
    for x in range(4):
        for y in range(8):
            grey.putpixel((x, y), 32768)
    grey.save(tmp_path / "g.tif")
    assert Image.open(tmp_path / "g.tif").mode == "I;16"
    image = load_fitted(tmp_path / "g.tif", (8, 8))
    assert image.getpixel((1, 1)) == (128, 128, 128)
    assert image.getpixel((6, 1)) == (255, 255, 255)


# -- errors ----------------------------------------------------------------------------------


def reason(path: Path) -> str:
    with pytest.raises(ImageError) as info:
        load_fitted(path, (40, 40))
    assert info.value.path == path
    assert str(path) in str(info.value)
    return info.value.reason


def test_random_bytes_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "noise.jpg"
    path.write_bytes(bytes(range(256)) * 8)
    assert reason(path) == "not an image Pillow can read (wrong format or damaged)"


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert reason(path) == "file is empty (0 bytes); copy the photo again"


def test_truncated_jpeg(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.effect_noise((300, 200), 64).convert("RGB").save(buffer, "JPEG")
    data = buffer.getvalue()
    path = tmp_path / "half.jpg"
    path.write_bytes(data[: len(data) // 2])
    assert probe(path).width == 300  # the header is intact...
    assert reason(path) == "image file is truncated (incomplete copy?)"  # ...the pixels are not
    with pytest.raises(ImageError, match="truncated"):
        verify(path)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_png_header_claiming_huge_size(tmp_path: Path) -> None:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    path = tmp_path / "bomb.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + _png_chunk(b"IEND", b"")
    )
    assert "too large" in reason(path)
    with pytest.raises(ImageError, match="too large"):
        probe(path)


def test_size_over_a_lowered_pixel_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_image: ImageMaker
) -> None:
    path = make_image(tmp_path / "a.png", size=(100, 100), fmt="PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    message = reason(path)
    assert "too large" in message or "decompression-bomb" in message


def test_missing_file(tmp_path: Path) -> None:
    assert reason(tmp_path / "gone.jpg") == "file not found (moved or deleted?)"


def test_folder_named_like_an_image(tmp_path: Path) -> None:
    (tmp_path / "dir.jpg").mkdir()
    assert "folder" in reason(tmp_path / "dir.jpg")


def test_heic_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    message = reason(path)
    assert "HEIC" in message
    assert "JPEG" in message


# -- probe / verify ---------------------------------------------------------------------------


def test_probe_reads_header_and_orientation(tmp_path: Path, make_image: ImageMaker) -> None:
    info = probe(make_image(tmp_path / "a.jpg", size=(40, 60), orientation=6))
    assert (info.format, info.width, info.height, info.orientation) == ("JPEG", 40, 60, 6)
    assert info.oriented_size == (60, 40)
    plain = probe(make_image(tmp_path / "b.png", size=(40, 60), fmt="PNG"))
    assert (plain.format, plain.orientation, plain.oriented_size) == ("PNG", 1, (40, 60))


def test_probe_ignores_invalid_orientation(tmp_path: Path, make_image: ImageMaker) -> None:
    assert probe(make_image(tmp_path / "a.jpg", orientation=9)).orientation == 1


def test_verify_accepts_good_images(tmp_path: Path, make_image: ImageMaker) -> None:
    assert verify(make_image(tmp_path / "a.jpg")).width == 40


# -- half-block cells --------------------------------------------------------------------------


def cells(line: list[Segment]) -> list[tuple[Color | None, Color | None]]:
    """One (foreground, background) pair per cell of a rendered line."""
    out = []
    for segment in line:
        assert segment.text == UPPER_HALF * len(segment.text)
        assert segment.style is not None
        out.extend([(segment.style.color, segment.style.bgcolor)] * len(segment.text))
    return out


def rgb(color: Color | None) -> tuple[int, int, int]:
    assert color is not None
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


@pytest.mark.parametrize(("width", "height"), [(1, 1), (3, 4), (5, 7), (16, 9)])
def test_halfblock_line_count_and_width(width: int, height: int) -> None:
    lines = halfblock_lines(Image.new("RGB", (width, height), (9, 9, 9)))
    assert len(lines) == math.ceil(height / 2)
    for line in lines:
        assert sum(len(s.text) for s in line) == width


def test_halfblock_colours_top_is_foreground_bottom_is_background() -> None:
    image = Image.new("RGB", (2, 2))
    image.putpixel((0, 0), (255, 0, 0))
    image.putpixel((0, 1), (0, 0, 255))
    image.putpixel((1, 0), (0, 255, 0))
    image.putpixel((1, 1), (10, 20, 30))
    (line,) = halfblock_lines(image)
    assert [(rgb(fg), rgb(bg)) for fg, bg in cells(line)] == [
        ((255, 0, 0), (0, 0, 255)),
        ((0, 255, 0), (10, 20, 30)),
    ]


def test_halfblock_odd_height_repeats_the_last_row() -> None:
    image = Image.new("RGB", (1, 3), (0, 0, 0))
    image.putpixel((0, 2), (200, 100, 50))
    lines = halfblock_lines(image)
    assert len(lines) == 2
    ((fg, bg),) = cells(lines[1])
    assert rgb(fg) == rgb(bg) == (200, 100, 50)


def test_halfblock_runs_are_merged() -> None:
    image = Image.new("RGB", (10, 2), (50, 50, 50))
    image.paste((255, 255, 255), (7, 0, 10, 2))
    (line,) = halfblock_lines(image)
    assert [len(s.text) for s in line] == [7, 3]


def test_halfblock_converts_other_modes() -> None:
    lines = halfblock_lines(Image.new("L", (4, 2), 128))
    (line,) = lines
    assert [rgb(fg) for fg, _ in cells(line)] == [(128, 128, 128)] * 4


def test_first_screen_count_matches_the_grid_layout() -> None:
    from portfolio_tui.imaging.sizes import first_screen_count

    # 200x48 cells of grid at the default 24-cell tiles: 7 across, 2 whole rows
    # and a third cut by the bottom edge (the grid draws 14 + 7 tiles).
    assert first_screen_count(200, 48) == 21
    assert first_screen_count(200, 48, cols=20) == 8 * 4  # 15-row tiles: the 4th row is cut
    assert first_screen_count(10, 5) == 1


def _mpo(path: Path, main: tuple[int, int], preview: tuple[int, int]) -> Path:
    """A JPEG with an MPF preview: the original red, the preview green (so a test can tell).

    Pillow writes the second image's MP type as "undefined"; a camera says "large
    thumbnail (full HD)", the only kind used as a preview, so the entry is set to that.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    big = Image.new("RGB", main, (200, 30, 30))
    small = Image.new("RGB", preview, (30, 200, 30))
    big.save(path, "MPO", save_all=True, append_images=[small], quality=90)
    with Image.open(path) as written:
        second = written.mpinfo[0xB002][1]  # type: ignore[attr-defined]
        size, offset = second["Size"], second["DataOffset"]
    entry = struct.pack("<LLLHH", 0, size, offset, 0, 0)
    data = path.read_bytes()
    assert data.count(entry) == 1
    path.write_bytes(data.replace(entry, struct.pack("<LLLHH", 0x010002, size, offset, 0, 0)))
    return path


def _is_green(image: Image.Image) -> bool:
    r, g, _ = image.getpixel((image.width // 2, image.height // 2))  # type: ignore[misc]
    return g > 150 and r < 80


def test_a_large_enough_camera_preview_is_decoded_instead_of_the_original(tmp_path: Path) -> None:
    path = _mpo(tmp_path / "cam.jpg", (3000, 2000), (1500, 1000))
    shown = load_fitted(path, (400, 300))
    assert shown.size == (400, 267) and _is_green(shown)


def test_a_preview_smaller_than_the_view_is_not_used(tmp_path: Path) -> None:
    path = _mpo(tmp_path / "cam.jpg", (3000, 2000), (600, 400))
    shown = load_fitted(path, (1200, 900))
    assert shown.size == (1200, 800) and not _is_green(shown)


def test_a_preview_of_another_shape_is_not_used(tmp_path: Path) -> None:
    path = _mpo(tmp_path / "cam.jpg", (3000, 2000), (1600, 900))  # letterboxed 16:9
    assert not _is_green(load_fitted(path, (400, 300)))
