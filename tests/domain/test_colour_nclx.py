"""Issue 15, item 1: HEIC/HEIF and AVIF colour information without an ICC profile (nclx).

A HEIF or AVIF file may say its colours with ITU-T H.273 codes (an `nclx` colour box)
instead of a profile: Display P3 (12) or BT.2020 (9) primaries, the sRGB (13) or BT.709
(1, 14) curve, PQ (16) and HLG (18) for HDR. What the app draws must match LittleCMS's
conversion with a real profile of that space within ΔE2000 1.5, where drawing the
pixels as they are is far off; sRGB (BT.709 primaries, sRGB curve: what Sony's HIF and
libheif write) must not be touched at all.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from colour_support import (
    SKIN_TONES,
    delta_e,
    from_srgb,
    patch_centres,
    patches,
    profiles,
    rec2020,
    reference,
)
from portfolio_tui.imaging.colour import source_of
from portfolio_tui.imaging.decode import load_fitted, opened_image
from portfolio_tui.metadata import read_info

ARROW = Path(__file__).resolve().parent.parent / "fixtures" / "heic" / "arrow.heic"
BOX = (8 * 16, 16)  # each skin-tone patch fitted to 16x16 pixels
SATURATED = ((230, 40, 40), (40, 200, 60), (40, 60, 220), (250, 200, 30))
COLOUR_BOX = (12 * 16, 16)


def _apple_display_p3() -> bytes:
    """The Display P3 profile a real iPhone wrote (arrow.heic): LittleCMS's reference."""
    with opened_image(ARROW) as image:
        icc = image.info["icc_profile"]
    assert b"Display P3" in icc
    return bytes(icc)


def _heic(path: Path, picture: Image.Image, primaries: int, transfer: int) -> Image.Image:
    """``picture`` saved as a HEIC with only an nclx colour box; the pixels libheif gives."""
    import pillow_heif

    picture = picture.copy()
    picture.info.pop("icc_profile", None)  # LittleCMS tags what it makes: nclx only here
    pillow_heif.from_pillow(picture).save(
        path,
        quality=-1,  # lossless, so the patches stay flat
        chroma=444,
        color_primaries=primaries,
        transfer_characteristics=transfer,
        matrix_coefficients=6,
        full_range_flag=1,
    )
    with opened_image(path) as image:
        nclx = image.info["nclx_profile"]
        assert (nclx["color_primaries"], nclx["transfer_characteristics"]) == (primaries, transfer)
        assert "icc_profile" not in image.info
        return image.convert("RGB")


COLOURS = SKIN_TONES + SATURATED


def _patches_in(icc: bytes) -> Image.Image:
    """Skin tones and saturated colours, one flat patch each, re-encoded into ``icc``'s space."""
    picture = Image.new("RGB", (32 * len(COLOURS), 32))
    for index, colour in enumerate(COLOURS):
        picture.paste(colour, (index * 32, 0, index * 32 + 32, 32))
    return from_srgb(picture, icc)


def _centres(image: Image.Image) -> list[tuple[int, int, int]]:
    step = image.width / len(COLOURS)
    return [image.getpixel((int(step * (i + 0.5)), image.height // 2)) for i in range(len(COLOURS))]


def _worst(drawn: Image.Image, truth: Image.Image) -> float:
    return max(delta_e(a, b) for a, b in zip(_centres(drawn), _centres(truth), strict=True))


@pytest.mark.parametrize(
    ("primaries", "transfer", "icc", "name"),
    [
        (12, 13, _apple_display_p3(), "Display P3 (nclx)"),
        (9, 14, rec2020(), "Rec. 2020 (nclx)"),
        (9, 1, rec2020(), "Rec. 2020 (nclx)"),
    ],
    ids=["Display P3", "BT.2020 10-bit curve", "BT.2020 BT.709 curve"],
)
def test_nclx_heic_is_drawn_as_littlecms_converts_it(
    tmp_path: Path, primaries: int, transfer: int, icc: bytes, name: str
) -> None:
    path = tmp_path / "phone.heic"
    stored = _heic(path, _patches_in(icc), primaries, transfer)
    truth = reference(stored, icc)
    drawn = load_fitted(path, COLOUR_BOX)
    assert _worst(drawn, truth) <= 1.5
    assert _worst(stored.resize(drawn.size), truth) > 3  # drawn as stored: far off
    assert read_info(path).colour_conversion == f"{name} → sRGB"


def test_the_info_panel_row_names_the_nclx_space(tmp_path: Path) -> None:
    from portfolio_tui.ui.widgets.info_panel import info_rows

    path = tmp_path / "p3.heic"
    _heic(path, patches(), 12, 13)
    assert dict(info_rows(None, read_info(path)))["Colour"] == "Display P3 (nclx) → sRGB"


def test_srgb_nclx_is_not_converted_and_never_loads_littlecms(tmp_path: Path) -> None:
    """BT.709 primaries with the sRGB curve (Sony's HIF: 1/13/5) is sRGB: the fast path."""
    path = tmp_path / "sony.hif"
    stored = _heic(path, patches(), 1, 13)
    with opened_image(path) as image:
        assert source_of(image) is None
    assert load_fitted(path, (256, 32), upscale=False).tobytes() == stored.tobytes()
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from portfolio_tui.imaging.decode import load_fitted
        from portfolio_tui.metadata import read_info
        load_fitted(Path({str(path)!r}), (32, 32))
        assert read_info(Path({str(path)!r})).colour_conversion is None
        print("PIL.ImageCms" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_an_embedded_profile_wins_over_nclx(tmp_path: Path) -> None:
    """HEIF and AVIF may carry both colour boxes; the ICC profile is the one to trust.

    libavif writes an nclx box beside the profile; it is made to say Display P3 here."""
    adobe = profiles()["Adobe RGB (1998)"]
    path = tmp_path / "both.avif"
    from_srgb(patches(), adobe).save(path, icc_profile=adobe, quality=100)
    _set_avif_nclx(path, 12, 13)
    assert read_info(path).colour_conversion == "Compatible with Adobe RGB (1998) → sRGB"
    with opened_image(path) as image:
        image.info["nclx_profile"] = {"color_primaries": 12, "transfer_characteristics": 13}
        source = source_of(image)  # as pillow-heif would give a HEIF with both boxes
        assert source is not None and source.name == "Compatible with Adobe RGB (1998)"


def _set_avif_nclx(path: Path, primaries: int, transfer: int) -> None:
    """Rewrite the codes of the AVIF's nclx colour box (Pillow writes BT.709/sRGB only)."""
    data = bytearray(path.read_bytes())
    at = data.find(b"colrnclx") + 8
    assert at > 8
    struct.pack_into(">HH", data, at, primaries, transfer)
    path.write_bytes(bytes(data))


def test_nclx_avif_is_drawn_as_littlecms_converts_it(tmp_path: Path) -> None:
    icc = _apple_display_p3()
    path = tmp_path / "p3.avif"
    picture = _patches_in(icc)
    picture.info.pop("icc_profile", None)  # nclx only
    picture.save(path, quality=100, subsampling="4:4:4")
    _set_avif_nclx(path, 12, 13)
    with Image.open(path) as image:
        stored = image.convert("RGB")
    truth = reference(stored, icc)
    drawn = load_fitted(path, COLOUR_BOX)
    assert _worst(drawn, truth) <= 1.5
    assert _worst(stored.resize(drawn.size), truth) > 3
    assert read_info(path).colour_conversion == "Display P3 (nclx) → sRGB"


def test_an_untagged_avif_stays_srgb(tmp_path: Path) -> None:
    path = tmp_path / "plain.avif"
    patches().save(path, quality=100)
    assert read_info(path).colour_conversion is None


PQ_WHITE, PQ_400 = round(0.5807 * 255), round(0.6518 * 255)  # 203 (BT.2408) and 400 nits
HLG_WHITE, HLG_400 = round(0.75 * 255), round(0.8579 * 255)


@pytest.mark.parametrize(
    ("transfer", "white", "highlight", "name"),
    [
        (16, PQ_WHITE, PQ_400, "Rec. 2020 PQ (nclx, tone mapped)"),
        (18, HLG_WHITE, HLG_400, "Rec. 2020 HLG (nclx, tone mapped)"),
    ],
    ids=["PQ", "HLG"],
)
def test_hdr_heic_is_tone_mapped_not_drawn_dim(
    tmp_path: Path, transfer: int, white: int, highlight: int, name: str
) -> None:
    """PQ and HLG pictures put paper white at about 58% (PQ) or 75% (HLG) of their code
    range: drawn as stored, every photo is a dim grey. Tone mapped, paper white is near
    white, a 400-nit highlight brighter still, 1000 nits and up white, greys in order."""
    greys = [white // 4, white // 2, white, highlight, 255]
    picture = Image.new("RGB", (32 * len(greys), 32))
    for index, grey in enumerate(greys):
        picture.paste((grey, grey, grey), (index * 32, 0, index * 32 + 32, 32))
    path = tmp_path / "hdr.heic"
    _heic(path, picture, 9, transfer)
    drawn = load_fitted(path, (16 * len(greys), 16))
    values = [drawn.getpixel((16 * i + 8, 8)) for i in range(len(greys))]
    assert all(max(v) - min(v) <= 1 for v in values), values  # greys stay grey
    levels = [v[1] for v in values]
    assert levels == sorted(levels) and len(set(levels)) == len(levels), levels
    assert 235 <= levels[2] <= 245, levels  # paper white: near white, room for highlights
    assert levels[-1] >= 254, levels
    assert white < 200 and read_info(path).colour_conversion == f"{name} → sRGB"


def test_other_primaries_are_built_from_their_chromaticities() -> None:
    """Codes without a table entry (here BT.470 System M, 4) use the xy libheif reports;
    nonsense xy falls back to sRGB's primaries rather than failing."""
    from portfolio_tui.imaging.colour import nclx_source

    nclx = {
        "color_primaries": 4,
        "transfer_characteristics": 4,
        "color_primary_red_x": 0.67,
        "color_primary_red_y": 0.33,
        "color_primary_green_x": 0.21,
        "color_primary_green_y": 0.71,
        "color_primary_blue_x": 0.14,
        "color_primary_blue_y": 0.08,
        "color_primary_white_x": 0.310,
        "color_primary_white_y": 0.316,
    }
    source = nclx_source(nclx)
    assert source is not None and source.name == "primaries 4 gamma 2.2 (nclx)"
    nonsense = nclx_source({**nclx, "color_primary_red_x": 7.0})
    assert nonsense is not None and nonsense.name == "sRGB gamma 2.2 (nclx)"
    assert nclx_source({"color_primaries": 2, "transfer_characteristics": 2}) is None


def test_skin_tones_survive_a_p3_heic(tmp_path: Path) -> None:
    """The colours a client judges: every skin tone within ΔE2000 1.5 of what it was."""
    path = tmp_path / "portrait.heic"
    _heic(path, from_srgb(patches(), _apple_display_p3()), 12, 13)
    drawn = patch_centres(load_fitted(path, BOX))
    assert max(delta_e(a, b) for a, b in zip(drawn, SKIN_TONES, strict=True)) <= 1.5
