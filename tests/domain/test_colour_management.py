"""Issue 15, item 1: photos tagged with a colour profile are drawn in true colour (sRGB).

Skin-tone patches are re-encoded into each profile's space with LittleCMS and tagged;
what the app draws (the fitted picture and its half-block cells) must match
LittleCMS's own conversion of the stored pixels back to sRGB within ΔE2000 1, where
drawing them unconverted is far off.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from colour_support import (
    ICC,
    SKIN_TONES,
    delta_e,
    display_p3,
    from_srgb,
    patch_centres,
    patches,
    profiles,
    rec2020,
    rec2020_trc,
    reference,
)
from portfolio_tui.check import check
from portfolio_tui.contact_sheet import write_sheet
from portfolio_tui.imaging import cache as cache_module
from portfolio_tui.imaging.cache import ImageCache
from portfolio_tui.imaging.cells import halfblock_lines
from portfolio_tui.imaging.colour import srgb_trc
from portfolio_tui.imaging.decode import load_fitted, load_upright
from portfolio_tui.metadata import read_info

PROFILES = profiles()
BOX = (8 * 16, 16)  # each patch fitted to 16x16 pixels


def _tagged(path: Path, icc: bytes, fmt: str = "PNG") -> Image.Image:
    """Write the skin-tone patches encoded in ``icc``'s space, tagged; the stored pixels."""
    stored = from_srgb(patches(), icc)
    options = {"quality": 95, "subsampling": 0} if fmt == "JPEG" else {}
    stored.save(path, fmt, icc_profile=icc, **options)
    with Image.open(path) as image:
        image.load()
        return image.copy()


# -- the test profiles themselves -------------------------------------------------------

P3_TO_SRGB = (  # linear-light matrices, SMPTE EG 432-1 and ITU-R BT.2087
    (1.2249401, -0.2249404, 0.0),
    (-0.0420569, 1.0420571, 0.0),
    (-0.0196376, -0.0786361, 1.0982735),
)
BT2020_TO_SRGB = (
    (1.6605, -0.5876, -0.0728),
    (-0.1246, 1.1329, -0.0083),
    (-0.0182, -0.1006, 1.1187),
)


def _encode(linear: float) -> int:
    linear = min(1.0, max(0.0, linear))
    value = linear * 12.92 if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055
    return round(value * 255)


@pytest.mark.parametrize(
    ("icc", "matrix", "curve"),
    [
        (display_p3(), P3_TO_SRGB, srgb_trc),
        (rec2020(), BT2020_TO_SRGB, rec2020_trc),
    ],
    ids=["display-p3", "rec2020"],
)
def test_built_profiles_convert_as_the_published_matrices_say(icc, matrix, curve) -> None:
    """The test helper's Display P3 and Rec.2020 profiles are what their standards say."""
    transform = ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(icc)),
        ImageCms.createProfile("sRGB"),
        "RGB",
        "RGB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
    )
    for colour in [*SKIN_TONES, (255, 0, 0), (128, 128, 128), (255, 255, 255)]:
        linear = [curve(v / 255) for v in colour]
        expected = tuple(
            _encode(sum(m * v for m, v in zip(row, linear, strict=True))) for row in matrix
        )
        got = ImageCms.applyTransform(Image.new("RGB", (1, 1), colour), transform)
        assert got is not None
        assert all(abs(a - b) <= 1 for a, b in zip(got.getpixel((0, 0)), expected, strict=True)), (
            colour,
            got.getpixel((0, 0)),
            expected,
        )


def test_display_p3_pure_red_is_clipped_to_srgb_red(tmp_path: Path) -> None:
    path = tmp_path / "red.png"
    Image.new("RGB", (64, 64), (255, 0, 0)).save(path, icc_profile=display_p3())
    assert load_fitted(path, (16, 16)).getpixel((8, 8)) == (255, 0, 0)


# -- what is drawn ------------------------------------------------------------------------


CASES = [(name, fmt) for name in PROFILES for fmt in ("PNG", "JPEG", "TIFF")]


@pytest.mark.parametrize(
    ("name", "fmt"), [case for case in CASES if case != ("Artifex CMYK SWOP Profile", "PNG")]
)
def test_tagged_skin_tones_are_drawn_as_littlecms_converts_them(
    tmp_path: Path, name: str, fmt: str
) -> None:
    icc = PROFILES[name]
    path = tmp_path / f"skin.{fmt.lower()}"
    stored = _tagged(path, icc, fmt)
    truth = patch_centres(reference(stored, icc))
    unconverted = patch_centres(stored.convert("RGB"))

    drawn = load_fitted(path, BOX)
    for got, want in zip(patch_centres(drawn), truth, strict=True):
        assert delta_e(got, want) <= 1.0, (name, got, want)
    # The test means something: drawn as stored, the patches were visibly wrong.
    assert max(delta_e(raw, want) for raw, want in zip(unconverted, truth, strict=True)) > 3

    # The half-block cells the grid and loupe draw carry the same colours.
    lines = halfblock_lines(drawn, "truecolor")
    cells = []
    for segment in lines[len(lines) // 2]:
        colour = segment.style.color.get_truecolor()
        cells += [tuple(colour)] * len(segment.text)
    step = len(cells) / len(SKIN_TONES)
    for index, want in enumerate(truth):
        assert delta_e(cells[int(step * (index + 0.5))], want) <= 1.0


def test_a_zoomed_copy_is_converted_too(tmp_path: Path) -> None:
    icc = PROFILES["Display P3"]
    path = tmp_path / "skin.png"
    truth = patch_centres(reference(_tagged(path, icc), icc))
    upright, _ = load_upright(path, (256, 32))
    for got, want in zip(patch_centres(upright), truth, strict=True):
        assert delta_e(got, want) <= 1.0


def test_untagged_photos_are_drawn_exactly_as_stored(tmp_path: Path) -> None:
    path = tmp_path / "plain.png"
    patches().save(path)
    assert load_fitted(path, (256, 32)).tobytes() == patches().tobytes()


def test_srgb_photos_never_load_littlecms(tmp_path: Path) -> None:
    """Start-up and sRGB portfolios pay nothing: ImageCms is imported only for other spaces."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    patches().save(tmp_path / "tagged.jpg", icc_profile=srgb)
    patches().save(tmp_path / "plain.jpg")
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from portfolio_tui.imaging.decode import load_fitted
        from portfolio_tui.metadata import read_info
        for name in ("tagged.jpg", "plain.jpg"):
            load_fitted(Path({str(tmp_path)!r}) / name, (32, 32))
            assert read_info(Path({str(tmp_path)!r}) / name).colour_conversion is None
        print("PIL.ImageCms" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_exif_adobe_rgb_without_a_profile_is_converted(tmp_path: Path) -> None:
    """Cameras set to Adobe RGB write no profile: EXIF ColorSpace 0xFFFF, InteropIndex R03."""
    icc = (ICC / "AdobeRGB1998.icc").read_bytes()
    stored = from_srgb(patches(), icc)
    exif = Image.Exif()
    sub = exif.get_ifd(0x8769)
    sub[0xA001] = 0xFFFF  # ColorSpace: uncalibrated
    sub[0xA005] = {0x0001: "R03"}  # the Interop IFD's InteropIndex, as cameras write it
    path = tmp_path / "camera.jpg"
    stored.save(path, quality=95, subsampling=0, exif=exif)
    with Image.open(path) as image:
        image.load()
        truth = patch_centres(reference(image.copy(), icc))
    for got, want in zip(patch_centres(load_fitted(path, BOX)), truth, strict=True):
        assert delta_e(got, want) <= 1.0
    assert read_info(path).colour_conversion == "Adobe RGB (1998) → sRGB"


def test_png_gamma_without_a_profile_is_honoured(tmp_path: Path) -> None:
    """A linear PNG (gAMA 1.0) shows mid-grey 0.5 light as sRGB 188, not 128."""
    info = PngImagePlugin.PngInfo()
    info.add(b"gAMA", (100000).to_bytes(4, "big"))
    path = tmp_path / "linear.png"
    Image.new("RGB", (32, 32), (128, 128, 128)).save(path, pnginfo=info)
    red, green, blue = load_fitted(path, (16, 16)).getpixel((8, 8))
    assert abs(red - 188) <= 1 and red == green == blue


def test_info_panel_names_the_conversion(tmp_path: Path) -> None:
    path = tmp_path / "iphone.jpg"
    _tagged(path, PROFILES["Display P3"], "JPEG")
    info = read_info(path)
    assert info.color_profile == "Display P3"
    assert info.colour_conversion == "Display P3 → sRGB"
    untagged = tmp_path / "plain.jpg"
    patches().save(untagged)
    assert read_info(untagged).colour_conversion is None


def test_cmyk_with_and_without_a_profile(tmp_path: Path) -> None:
    icc = PROFILES["Artifex CMYK SWOP Profile"]
    stored = from_srgb(patches(), icc)
    tagged, untagged = tmp_path / "tagged.jpg", tmp_path / "untagged.jpg"
    stored.save(tagged, quality=95, icc_profile=icc)  # Adobe's inverted CMYK JPEG
    stored.save(untagged, quality=95)
    with Image.open(tagged) as image:
        assert image.mode == "CMYK"
        image.load()
        truth = patch_centres(reference(image.copy(), icc))
        naive = patch_centres(image.convert("RGB"))
    for got, want in zip(patch_centres(load_fitted(tagged, BOX)), truth, strict=True):
        assert delta_e(got, want) <= 1.0
    # Untagged CMYK has no space to convert from: Pillow's formula, never black.
    for got, want in zip(patch_centres(load_fitted(untagged, BOX)), naive, strict=True):
        assert delta_e(got, want) <= 1.0


def test_16_bit_and_float_pictures_are_drawn(tmp_path: Path) -> None:
    grey16 = Image.new("I;16", (32, 32), 0x8000)
    grey16.save(tmp_path / "grey16.png")
    assert abs(load_fitted(tmp_path / "grey16.png", (16, 16)).getpixel((8, 8))[0] - 128) <= 1
    light = Image.new("F", (32, 32), 0.5)
    light.save(tmp_path / "float.tif")
    assert abs(load_fitted(tmp_path / "float.tif", (16, 16)).getpixel((8, 8))[0] - 128) <= 1


BROKEN = "its colour profile ({}) cannot be read, so the photo is drawn as sRGB; re-export it with a valid profile (or none, for sRGB)"  # noqa: E501


def test_a_broken_profile_is_drawn_as_srgb_and_check_warns(tmp_path: Path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    good = (ICC / "AdobeRGB1998.icc").read_bytes()
    broken = good[:132] + b"\0" * 40  # a header that promises tags the file does not hold
    path = folder / "broken.jpg"
    patches().save(path, quality=95, subsampling=0, icc_profile=broken)
    with Image.open(path) as image:
        as_stored = patch_centres(image.convert("RGB"))
    for got, want in zip(patch_centres(load_fitted(path, BOX)), as_stored, strict=True):
        assert delta_e(got, want) <= 1.0
    result = check(tmp_path)
    messages = [p.message for p in result.warnings if p.file.name == "broken.jpg"]
    assert messages == [BROKEN.format("unnamed RGB profile")]
    assert result.exit_code == 0
    assert read_info(path).colour_conversion == messages[0]


def test_contact_sheet_pages_are_tagged_srgb(tmp_path: Path) -> None:
    page = Image.new("RGB", (64, 64), (200, 150, 120))
    [written] = write_sheet([page], tmp_path / "sheet.png")
    with Image.open(written) as image:
        icc = image.info.get("icc_profile")
        assert icc
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        assert ImageCms.getProfileDescription(profile).strip().startswith("sRGB")
        assert image.getpixel((8, 8)) == (200, 150, 120)


def test_thumbnails_cached_before_colour_management_are_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    icc = PROFILES["Display P3"]
    path = tmp_path / "iphone.png"
    truth = patch_centres(reference(_tagged(path, icc), icc))
    store = ImageCache(tmp_path / "cache")
    with monkeypatch.context() as old:
        old.setattr(cache_module, "FORMAT_VERSION", "1")  # the unmanaged pipeline's entries
        store.put(path, BOX, Image.open(path).convert("RGB").resize((128, 16)))
    drawn = cache_module.fitted(path, BOX, cache=store)
    for got, want in zip(patch_centres(drawn), truth, strict=True):
        assert delta_e(got, want) <= 1.0


def _png16(path: Path, image: Image.Image, icc: bytes) -> None:
    """``image`` written as a 48-bit RGB PNG (16 bits a sample) with an iCCP chunk."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b""
    for y in range(image.height):
        rows += b"\0" + b"".join(
            struct.pack(">3H", *(v * 257 for v in image.getpixel((x, y))))
            for x in range(image.width)
        )
    ihdr = struct.pack(">IIBBBBB", image.width, image.height, 16, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"iCCP", b"profile\0\0" + zlib.compress(icc))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_a_48_bit_png_tagged_prophoto_is_converted(tmp_path: Path) -> None:
    icc = PROFILES["ProPhoto RGB"]
    stored = from_srgb(patches(8), icc)
    path = tmp_path / "scan16.png"
    _png16(path, stored, icc)
    truth = patch_centres(reference(stored, icc))
    with Image.open(path) as image:
        assert image.info.get("icc_profile") == icc  # Pillow read it as a tagged image
    for got, want in zip(patch_centres(load_fitted(path, (64, 8))), truth, strict=True):
        assert delta_e(got, want) <= 1.0


def test_a_linear_profile_named_srgb_is_still_converted(tmp_path: Path) -> None:
    """sRGB profiles are trusted by name, but not linear ones that borrow it."""
    from portfolio_tui.imaging.colour import D65_XY, SRGB_PRIMARIES, matrix_profile

    linear = matrix_profile("sRGB-elle-V2-g10", D65_XY, SRGB_PRIMARIES, 1.0)
    path = tmp_path / "linear.png"
    Image.new("RGB", (32, 32), (128, 128, 128)).save(path, icc_profile=linear)
    assert abs(load_fitted(path, (16, 16)).getpixel((8, 8))[0] - 188) <= 1


def test_the_info_panel_row_says_what_was_converted(tmp_path: Path) -> None:
    from portfolio_tui.ui.widgets.info_panel import info_rows

    path = tmp_path / "iphone.jpg"
    _tagged(path, PROFILES["Display P3"], "JPEG")
    assert dict(info_rows(None, read_info(path)))["Colour"] == "Display P3 → sRGB"
    plain = tmp_path / "plain.jpg"
    patches().save(plain)
    assert "Colour" not in dict(info_rows(None, read_info(plain)))
