"""Colour test helpers: profiles from published colorimetry, reference conversions, ΔE2000.

Display P3 and Rec.2020 profiles are not in Debian here, so they are built from their
published primaries, white point and transfer curves (``imaging.colour.matrix_profile``:
a version 2 matrix/TRC profile) and checked against the published linear conversion
matrices to sRGB (``test_colour_management``). Adobe RGB, ProPhoto and a CMYK profile
are real files from Debian packages (tests/fixtures/SOURCES).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageCms

from portfolio_tui.imaging.colour import D65_XY, matrix_profile, srgb_trc

ICC = Path(__file__).resolve().parent / "fixtures" / "icc"

P3_PRIMARIES = ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060))  # SMPTE EG 432-1
REC2020_PRIMARIES = ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046))  # ITU-R BT.2020


def rec2020_trc(value: float) -> float:
    """BT.2020's (and BT.709's) transfer function, inverted: encoded value to linear light."""
    return value / 4.5 if value < 0.081 else math.pow((value + 0.099) / 1.099, 1 / 0.45)


def display_p3() -> bytes:
    """A Display P3 profile (D65, P3 primaries, the sRGB curve), as iPhones tag photos."""
    return matrix_profile("Display P3", D65_XY, P3_PRIMARIES, srgb_trc)


def rec2020() -> bytes:
    """A Rec. ITU-R BT.2020 profile (D65, BT.2020 primaries and curve)."""
    return matrix_profile("Rec. ITU-R BT.2020", D65_XY, REC2020_PRIMARIES, rec2020_trc)


def profiles() -> dict[str, bytes]:
    """The profiles photos are tagged with in these tests, by the name the app shows."""
    return {
        "Adobe RGB (1998)": (ICC / "AdobeRGB1998.icc").read_bytes(),
        "Display P3": display_p3(),
        "Rec. ITU-R BT.2020": rec2020(),
        "ProPhoto RGB": (ICC / "ProPhotoRGB.icc").read_bytes(),
        "Artifex CMYK SWOP Profile": (ICC / "default_cmyk.icc").read_bytes(),
    }


def _profile(icc: bytes) -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(io.BytesIO(icc))


def _space(icc: bytes) -> str:
    return "CMYK" if icc[16:20] == b"CMYK" else "RGB"


def from_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """An sRGB picture re-encoded into ``icc``'s space (as an editor exports it)."""
    mode = _space(icc)
    transform = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        _profile(icc),
        "RGB",
        mode,
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
    out = ImageCms.applyTransform(image.convert("RGB"), transform)
    assert out is not None
    return out


def reference(image: Image.Image, icc: bytes) -> Image.Image:
    """LittleCMS's own conversion of ``image`` (pixels in ``icc``'s space) to sRGB."""
    transform = ImageCms.buildTransform(
        _profile(icc),
        ImageCms.createProfile("sRGB"),
        image.mode,
        "RGB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
    out = ImageCms.applyTransform(image, transform)
    assert out is not None
    return out


SKIN_TONES = (
    (255, 224, 196),  # very light
    (234, 192, 160),
    (224, 172, 136),
    (198, 134, 66),  # medium
    (141, 85, 36),
    (90, 56, 37),  # deep
    (200, 120, 110),  # lips
    (120, 160, 200),  # a blue backdrop, for contrast
)


def patches(size: int = 32) -> Image.Image:
    """One flat sRGB patch per skin tone, side by side."""
    image = Image.new("RGB", (size * len(SKIN_TONES), size))
    for index, colour in enumerate(SKIN_TONES):
        image.paste(colour, (index * size, 0, (index + 1) * size, size))
    return image


def patch_centres(image: Image.Image) -> list[tuple[int, int, int]]:
    """The colour at the centre of each patch of a (resized) :func:`patches` picture."""
    step = image.width / len(SKIN_TONES)
    y = image.height // 2
    return [image.getpixel((int(step * (i + 0.5)), y)) for i in range(len(SKIN_TONES))]


# -- ΔE2000 -----------------------------------------------------------------------------

_LINEAR = [srgb_trc(v / 255) for v in range(256)]
_WHITE = (0.95047, 1.0, 1.08883)


def lab(rgb: Iterable[int]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an 8-bit sRGB colour."""
    r, g, b = (_LINEAR[v] for v in rgb)
    x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x / _WHITE[0]), f(y / _WHITE[1]), f(z / _WHITE[2])
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal's formulation)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    c_bar7 = ((c1 + c2) / 2) ** 7
    g = 0.5 * (1 - math.sqrt(c_bar7 / (c_bar7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    elif h2p - h1p > 180:
        dh = h2p - h1p - 360
    else:
        dh = h2p - h1p + 360
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, c_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_bar = (h1p + h2p + 360) / 2
    else:
        h_bar = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    rc = 2 * math.sqrt(c_bar**7 / (c_bar**7 + 25**7))
    sl = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    sc = 1 + 0.045 * c_bar
    sh = 1 + 0.015 * c_bar * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt(
        (dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh)
    )


def delta_e(rgb1: Iterable[int], rgb2: Iterable[int]) -> float:
    """ΔE2000 between two 8-bit sRGB colours."""
    return delta_e2000(lab(rgb1), lab(rgb2))


def mean_delta_e(drawn: Image.Image, truth: Image.Image, step: int = 1) -> tuple[float, float]:
    """Mean and max ΔE2000 over the pixels (every ``step``-th) of two same-size pictures."""
    assert drawn.size == truth.size, (drawn.size, truth.size)
    a, b = drawn.convert("RGB").tobytes(), truth.convert("RGB").tobytes()
    cache: dict[bytes, tuple[float, float, float]] = {}

    def lab_of(data: bytes, at: int) -> tuple[float, float, float]:
        key = data[at : at + 3]
        found = cache.get(key)
        if found is None:
            found = cache[key] = lab(key)
        return found

    total, worst, count = 0.0, 0.0, 0
    for at in range(0, len(a), 3 * step):
        value = delta_e2000(lab_of(a, at), lab_of(b, at))
        total += value
        worst = max(worst, value)
        count += 1
    return total / count, worst
