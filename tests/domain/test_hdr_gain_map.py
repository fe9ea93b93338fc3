"""HDR and multi-picture JPEGs (issue 15, item 2): a gain map is never the picture.

The files are built here as Ultra HDR (google/libultrahdr) and Apple write them: a
colour primary, then an MPF second image that is the gain map, with MP type 0
("Undefined"), a big-endian MP index and the gain map's own XMP.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageStat

from portfolio_tui.imaging.decode import load_fitted
from portfolio_tui.metadata import read_info
from portfolio_tui.ui.widgets.info_panel import info_rows

PRIMARY_COLOUR = (200, 150, 90)
HDRGM = "http://ns.adobe.com/hdr-gain-map/1.0/"
ULTRA_HDR_PRIMARY_XMP = f"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
 xmlns:Container="http://ns.google.com/photos/1.0/container/"
 xmlns:Item="http://ns.google.com/photos/1.0/container/item/"
 xmlns:hdrgm="{HDRGM}" hdrgm:Version="1.0"><Container:Directory><rdf:Seq>
<rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="Primary"
 Item:Mime="image/jpeg"/></rdf:li><rdf:li rdf:parseType="Resource"><Container:Item
 Item:Semantic="GainMap" Item:Mime="image/jpeg" Item:Length="{{length}}"/></rdf:li>
</rdf:Seq></Container:Directory></rdf:Description></rdf:RDF></x:xmpmeta>"""
ULTRA_HDR_GAIN_MAP_XMP = f"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
 xmlns:hdrgm="{HDRGM}" hdrgm:Version="1.0" hdrgm:GainMapMin="0" hdrgm:GainMapMax="2.3"
 hdrgm:Gamma="1" hdrgm:OffsetSDR="0.015625" hdrgm:OffsetHDR="0.015625"
 hdrgm:HDRCapacityMin="0" hdrgm:HDRCapacityMax="2.3" hdrgm:BaseRenditionIsHDR="False"/>
</rdf:RDF></x:xmpmeta>"""
APPLE_GAIN_MAP_XMP = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
 xmlns:HDRGainMap="http://ns.apple.com/HDRGainMap/1.0/"
 xmlns:apdi="http://ns.apple.com/pixeldatainfo/1.0/"
 HDRGainMap:HDRGainMapVersion="65536"
 apdi:AuxiliaryImageType="urn:com:apple:photo:2020:aux:hdrgainmap"/>
</rdf:RDF></x:xmpmeta>"""

UNDEFINED, LARGE_THUMBNAIL_FULL_HD, DISPARITY, MULTI_ANGLE = 0x000000, 0x010002, 0x020002, 0x020003


def _jpeg(image: Image.Image, xmp: str | None = None) -> bytes:
    out = io.BytesIO()
    kwargs = {"xmp": xmp.encode()} if xmp else {}
    image.save(out, "JPEG", quality=90, **kwargs)
    return out.getvalue()


def multi_picture(
    path: Path,
    second: Image.Image,
    mp_type: int,
    *,
    primary_size: tuple[int, int] = (1200, 800),
    primary_xmp: str | None = None,
    second_xmp: str | None = None,
) -> Path:
    """A JPEG with an MPF index (big-endian, as libultrahdr writes it) and a second image."""
    secondary = _jpeg(second, second_xmp)
    xmp = primary_xmp.replace("{length}", str(len(secondary))) if primary_xmp else None
    primary = _jpeg(Image.new("RGB", primary_size, PRIMARY_COLOUR), xmp)
    entries_at = 8 + 2 + 3 * 12 + 4
    index = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 3)
    index += struct.pack(">HHI", 0xB000, 7, 4) + b"0100"
    index += struct.pack(">HHII", 0xB001, 4, 1, 2)
    index += struct.pack(">HHII", 0xB002, 7, 32, entries_at) + struct.pack(">I", 0)
    entries_len = 32
    segment_len = 2 + 4 + len(index) + entries_len
    whole_primary = len(primary) + 2 + segment_len
    header_at = 2 + 4 + 4  # SOI, APP2 marker and length, "MPF\0": offsets count from here
    index += struct.pack(">IIIHH", 0x030000, whole_primary, 0, 0, 0)
    index += struct.pack(">IIIHH", mp_type, len(secondary), whole_primary - header_at, 0, 0)
    app2 = b"\xff\xe2" + struct.pack(">H", segment_len) + b"MPF\x00" + index
    path.write_bytes(primary[:2] + app2 + primary[2:] + secondary)
    return path


def gain_map(size: tuple[int, int] = (1200, 800)) -> Image.Image:
    """A gain map as phones write it: greyscale, near black where the scene has no highlights."""
    return Image.new("L", size, 3)


def mean(image: Image.Image) -> float:
    return sum(ImageStat.Stat(image.convert("RGB")).mean) / 3


def primary_mean() -> float:
    return mean(Image.open(io.BytesIO(_jpeg(Image.new("RGB", (8, 8), PRIMARY_COLOUR)))))


BOXES = [(64, 48), (320, 240), (400, 300)]  # grid tile, loupe, contact-sheet cell


def ultra_hdr(path: Path, *, version_as_element: bool = False) -> Path:
    """An Ultra HDR JPEG; ``version_as_element``: ``<hdrgm:Version>`` as an XMP editor
    rewrites it (Pillow then opens the file as an MPO, as it does Apple's)."""
    primary = ULTRA_HDR_PRIMARY_XMP
    if version_as_element:
        primary = primary.replace(' hdrgm:Version="1.0">', "><hdrgm:Version>1.0</hdrgm:Version>")
    return multi_picture(
        path, gain_map(), UNDEFINED, primary_xmp=primary, second_xmp=ULTRA_HDR_GAIN_MAP_XMP
    )


def test_an_ultra_hdr_jpeg_is_drawn_from_its_photo_not_its_gain_map(tmp_path: Path) -> None:
    for element in (False, True):
        path = ultra_hdr(tmp_path / f"PXL_{element}.jpg", version_as_element=element)
        for box in BOXES:
            shown = load_fitted(path, box)
            assert abs(mean(shown) - primary_mean()) < 4, (element, box)
        assert abs(mean(load_fitted(path, (400, 300), upscale=False)) - primary_mean()) < 4


def test_an_apple_hdr_gain_map_is_not_the_picture(tmp_path: Path) -> None:
    path = multi_picture(
        tmp_path / "IMG_0001.jpg", gain_map(), UNDEFINED, second_xmp=APPLE_GAIN_MAP_XMP
    )
    assert abs(mean(load_fitted(path, (320, 240))) - primary_mean()) < 4


def test_a_colour_gain_map_declared_as_a_large_thumbnail_is_still_not_the_picture(
    tmp_path: Path,
) -> None:
    # Some writers store RGB gain maps; the XMP says what it is whatever the MP type claims.
    path = multi_picture(
        tmp_path / "odd.jpg",
        Image.new("RGB", (1200, 800), (3, 3, 3)),
        LARGE_THUMBNAIL_FULL_HD,
        second_xmp=ULTRA_HDR_GAIN_MAP_XMP,
    )
    assert abs(mean(load_fitted(path, (320, 240))) - primary_mean()) < 4


def test_disparity_and_multi_angle_images_are_not_the_picture(tmp_path: Path) -> None:
    other_eye = Image.new("RGB", (1200, 800), (20, 60, 200))
    for kind in (DISPARITY, MULTI_ANGLE, UNDEFINED):
        path = multi_picture(tmp_path / f"stereo{kind}.mpo", other_eye, kind)
        assert abs(mean(load_fitted(path, (320, 240))) - primary_mean()) < 4, hex(kind)


def test_a_greyscale_large_thumbnail_is_not_the_picture(tmp_path: Path) -> None:
    path = multi_picture(tmp_path / "grey.jpg", gain_map(), LARGE_THUMBNAIL_FULL_HD)
    assert abs(mean(load_fitted(path, (320, 240))) - primary_mean()) < 4


def test_a_camera_large_thumbnail_is_still_used(tmp_path: Path) -> None:
    green = Image.new("RGB", (600, 400), (30, 200, 30))
    path = multi_picture(tmp_path / "cam.jpg", green, LARGE_THUMBNAIL_FULL_HD)
    shown = load_fitted(path, (300, 200))
    r, g, _ = shown.getpixel((150, 100))  # type: ignore[misc]
    assert g > 150 and r < 80


def test_the_info_panel_says_hdr_gain_map(tmp_path: Path) -> None:
    for path in (
        ultra_hdr(tmp_path / "PXL.jpg"),
        ultra_hdr(tmp_path / "PXL-edited.jpg", version_as_element=True),
        multi_picture(tmp_path / "IMG.jpg", gain_map(), UNDEFINED, second_xmp=APPLE_GAIN_MAP_XMP),
    ):
        rows = dict(info_rows(None, read_info(path)))
        assert rows.get("Dynamic range") == "HDR (gain map)", path.name
    plain = multi_picture(
        tmp_path / "cam.jpg", Image.new("RGB", (600, 400)), LARGE_THUMBNAIL_FULL_HD
    )
    assert "Dynamic range" not in dict(info_rows(None, read_info(plain)))


def test_thumbs_draws_an_ultra_hdr_jpeg_from_its_photo(tmp_path: Path) -> None:
    gallery = tmp_path / "portfolio" / "phone"
    gallery.mkdir(parents=True)
    ultra_hdr(gallery / "PXL.jpg", version_as_element=True)
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "portfolio_tui", "thumbs", str(tmp_path / "portfolio")],
        check=True,
        capture_output=True,
        env=env,
    )
    made = [p for p in cache.rglob("*.png")]
    assert made
    for thumb in made:
        assert abs(mean(Image.open(thumb)) - primary_mean()) < 4, thumb


def test_zoomed_views_of_hdr_and_stereo_files_show_the_first_picture(tmp_path: Path) -> None:
    from portfolio_tui.imaging.decode import load_upright

    stereo = multi_picture(
        tmp_path / "s.mpo", Image.new("RGB", (1200, 800), (20, 60, 200)), DISPARITY
    )
    for path in (ultra_hdr(tmp_path / "PXL.jpg", version_as_element=True), stereo):
        upright, _ = load_upright(path, (300, 200))
        assert upright.width >= 300 and abs(mean(upright) - primary_mean()) < 4
