"""metadata.py: EXIF and file facts for the info panel, read defensively."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from conftest import REPO, ImageMaker
from portfolio_tui.metadata import (
    EXIF_IFD,
    MAX_FIELD,
    MAX_PROFILE_NAME,
    PhotoInfo,
    format_shutter,
    human_size,
    profile_description,
    read_info,
)


def jpeg_with_exif(path: Path, *, orientation: int | None = None, **tags: object) -> Path:
    """A 60x40 JPEG whose EXIF has the usual camera fields, overridable by tag name."""
    exif = Image.Exif()
    exif[0x010F] = tags.get("make", "Canon")
    exif[0x0110] = tags.get("model", "Canon EOS R5")
    if orientation is not None:
        exif[0x0112] = orientation
    sub = exif.get_ifd(EXIF_IFD)
    sub[0xA434] = tags.get("lens", "RF85mm F1.2 L USM")
    sub[0x920A] = IFDRational(85, 1)
    sub[0x829D] = IFDRational(28, 10)
    sub[0x829A] = IFDRational(1, 160)
    sub[0x8827] = 200
    sub[0x9003] = "2024:03:14 10:22:00"
    Image.new("RGB", (60, 40), (10, 20, 30)).save(path, exif=exif)
    return path


def test_reads_exposure_fields(tmp_path: Path) -> None:
    info = read_info(jpeg_with_exif(tmp_path / "a.jpg"))
    assert info.error is None
    assert info.camera == "Canon EOS R5"  # the make is not repeated
    assert info.lens == "RF85mm F1.2 L USM"
    assert info.focal_length == "85 mm"
    assert info.aperture == "f/2.8"
    assert info.shutter == "1/160 s"
    assert info.iso == "ISO 200"
    assert info.taken == "2024-03-14 10:22:00"
    assert info.format == "JPEG"
    assert (info.width, info.height) == (60, 40)
    assert info.pixel_size == "60 × 40 px"


def test_camera_joins_make_and_model_when_model_lacks_make(tmp_path: Path) -> None:
    info = read_info(jpeg_with_exif(tmp_path / "a.jpg", make="FUJIFILM", model="X-T5"))
    assert info.camera == "FUJIFILM X-T5"


def test_orientation_six_reports_upright_pixel_size(tmp_path: Path) -> None:
    info = read_info(jpeg_with_exif(tmp_path / "a.jpg", orientation=6))
    assert info.orientation == 6
    assert (info.width, info.height) == (40, 60)


def test_file_size(tmp_path: Path, make_image: ImageMaker) -> None:
    path = make_image(tmp_path / "a.jpg")
    info = read_info(path)
    assert info.file_size == path.stat().st_size
    assert info.file_size_text == human_size(path.stat().st_size)


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 bytes"), (1023, "1023 bytes"), (1536, "1.5 KB"), (5 * 1024**2, "5.0 MB")],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1 / 160, "1/160 s"), (1 / 8000, "1/8000 s"), (0.5, "1/2 s"), (2.0, "2 s"), (0.3, "1/3 s")],
)
def test_format_shutter(seconds: float, text: str) -> None:
    assert format_shutter(seconds) == text


def test_no_exif_gives_none_fields(tmp_path: Path, make_image: ImageMaker) -> None:
    info = read_info(make_image(tmp_path / "plain.png", fmt="PNG"))
    assert info.error is None
    assert (info.camera, info.lens, info.shutter, info.iso, info.taken) == (None,) * 5
    assert (info.width, info.height, info.format) == (40, 50, "PNG")


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_corrupt_exif_gives_none_fields_not_an_exception(tmp_path: Path) -> None:
    path = jpeg_with_exif(tmp_path / "a.jpg")
    data = bytearray(path.read_bytes())
    start = data.find(b"Exif\x00\x00") + 6
    data[start + 8 : start + 80] = b"\xff" * 72  # the IFD entries become nonsense
    path.write_bytes(bytes(data))
    info = read_info(path)
    assert info.error is None
    assert info.camera is None
    assert info.shutter is None
    assert (info.width, info.height) == (60, 40)


def test_very_long_exif_string_is_truncated(tmp_path: Path) -> None:
    info = read_info(jpeg_with_exif(tmp_path / "a.jpg", lens="L" * 10_000, model="M" * 10_000))
    assert info.lens == "L" * (MAX_FIELD - 1) + "…"
    assert info.camera == "Canon " + "M" * (MAX_FIELD - 1) + "…"


def test_unreadable_file_gives_error_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(b"not a jpeg at all")
    info = read_info(path)
    assert info.error == "not an image Pillow can read (wrong format or damaged)"
    assert info.file_size == len(b"not a jpeg at all")
    assert info.camera is None and info.width is None
    assert info.pixel_size is None


def test_missing_file_gives_error_field(tmp_path: Path) -> None:
    info = read_info(tmp_path / "gone.jpg")
    assert info == PhotoInfo(error="file not found (moved or deleted?)")


def test_pixel_size_names_megapixels_for_real_photos() -> None:
    from portfolio_tui.metadata import PhotoInfo

    assert PhotoInfo(width=6000, height=4000).pixel_size == "6000 × 4000 px (24.0 MP)"


# -- colour profile ----------------------------------------------------------------------


def srgb_icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def test_color_profile_from_an_srgb_icc(tmp_path: Path) -> None:
    path = tmp_path / "a.jpg"
    Image.new("RGB", (20, 10)).save(path, icc_profile=srgb_icc())
    assert read_info(path).color_profile == "sRGB built-in"


def test_color_profile_of_a_version_2_profile_in_a_png(tmp_path: Path) -> None:
    """The demo's NASA PNG carries Photoshop's v2 sRGB profile (a ``desc`` tag)."""
    info = read_info(REPO / "scripts" / "demo-sources" / "astronaut.png")
    assert info.color_profile == "sRGB IEC61966-2.1"


def test_no_icc_profile_is_none(tmp_path: Path, make_image: ImageMaker) -> None:
    assert read_info(make_image(tmp_path / "a.jpg")).color_profile is None


def icc_with_desc(tag: bytes, *, count: int = 1, offset: int | None = None) -> bytes:
    """A minimal ICC blob: header with 'acsp', a one-entry tag table, the 'desc' tag."""
    start = 128 + 4 + 12
    header = bytearray(128)
    header[36:40] = b"acsp"
    table = struct.pack(">I", count) + struct.pack(
        ">4sII", b"desc", start if offset is None else offset, len(tag)
    )
    blob = bytes(header) + table + tag
    return struct.pack(">I", len(blob)) + blob[4:]


def mluc(*records: tuple[bytes, str]) -> bytes:
    head = b"mluc\x00\x00\x00\x00" + struct.pack(">II", len(records), 12)
    strings = [text.encode("utf-16-be") for _, text in records]
    offset = len(head) + 12 * len(records)
    table = b""
    for (language, _), data in zip(records, strings, strict=True):
        table += language + struct.pack(">II", len(data), offset)
        offset += len(data)
    return head + table + b"".join(strings)


def test_profile_description_prefers_english_in_a_v4_profile() -> None:
    tag = mluc((b"deDE", "Farbraum"), (b"enGB", "Colour space"), (b"enUS", "Color space"))
    assert profile_description(icc_with_desc(tag)) == "Color space"
    tag = mluc((b"deDE", "Farbraum"), (b"frFR", "Espace"))
    assert profile_description(icc_with_desc(tag)) == "Farbraum"


def test_profile_description_is_capped_and_stripped() -> None:
    text = b"  " + b"A" * 500 + b"\x00"
    tag = b"desc\x00\x00\x00\x00" + len(text).to_bytes(4, "big") + text
    assert profile_description(icc_with_desc(tag)) == "A" * (MAX_PROFILE_NAME - 1) + "…"


@pytest.mark.parametrize(
    ("icc", "expected"),
    [
        pytest.param(b"garbage" * 50, None, id="garbage"),
        pytest.param(b"\x00" * 40, None, id="too-short"),
        pytest.param(icc_with_desc(b"desc\x00\x00\x00\x00"), None, id="tag-cut-short"),
        pytest.param(
            icc_with_desc(b"desc\x00\x00\x00\x00\xff\xff\xff\xffab"), "ab", id="count-past-end"
        ),
        pytest.param(icc_with_desc(mluc((b"enUS", "x")), offset=2**32 - 8), None, id="tag-outside"),
        pytest.param(
            icc_with_desc(mluc((b"enUS", "x")), count=2**32 - 1), "x", id="huge-tag-count"
        ),
        pytest.param(
            icc_with_desc(b"mluc\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x0c" + b"\xff" * 12),
            None,
            id="mluc-record-outside",
        ),
        pytest.param(
            icc_with_desc(b"mluc\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00" + b"\x00" * 12),
            None,
            id="mluc-record-size-0",
        ),
        pytest.param(icc_with_desc(b"curv\x00\x00\x00\x00\x00\x00\x00\x00"), None, id="not-text"),
    ],
)
def test_hostile_icc_never_raises(tmp_path: Path, icc: bytes, expected: str | None) -> None:
    assert profile_description(icc) == expected
    exif = Image.Exif()
    exif[0x0110] = "Canon EOS R5"
    path = tmp_path / "a.jpg"
    Image.new("RGB", (20, 10), (1, 2, 3)).save(path, icc_profile=icc, exif=exif)
    info = read_info(path)
    assert info.error is None
    assert (info.width, info.height) == (20, 10)
    assert info.color_profile == expected
    assert info.camera == "Canon EOS R5"  # a bad profile costs nothing else
