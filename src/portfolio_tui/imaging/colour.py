"""Colour management: every picture drawn or exported is converted to sRGB.

Terminals, Kitty, Sixel and browsers take the pixels they are given as sRGB. A photo
tagged Adobe RGB, Display P3, Rec.2020, ProPhoto or CMYK drawn as it is stored has
wrong colours (skin turns orange, greens go dull), so the decoded picture is
converted with LittleCMS (Pillow's ImageCms) from what the file says it is:

- its embedded ICC profile (``info["icc_profile"]``: JPEG, PNG iCCP, TIFF, WebP...);
- else HEIF/AVIF colour information (an ``nclx`` colour box: ITU-T H.273 codes for the
  primaries and the transfer curve), made into a matrix/TRC profile (:func:`nclx_source`);
- else EXIF ColorSpace uncalibrated (0xFFFF) with InteropIndex ``R03``: Adobe RGB;
- else PNG cHRM/gAMA: a matrix/TRC profile built from its primaries and gamma;
- else nothing: sRGB, the web's and the terminal's own space (no conversion at all).

The intent is relative colorimetric with black point compensation (Photoshop's
default conversion): colours sRGB can show stay exactly as measured (skin tones
are well inside sRGB), those it cannot are clipped to the nearest it can, and a
CMYK profile's ink black becomes sRGB black instead of a dark grey. Matrix/TRC
profiles have one transform for every intent, so for them the choice is moot.

ImageCms is imported only when a file is not sRGB, so start-up and sRGB-only
portfolios never load it. Transforms (a few milliseconds to build) are cached
by the profile's bytes. Untagged CMYK is converted with Pillow's own formula (no
CMYK profile is shipped: the free ones are large and their licences are not the
project's); a tagged CMYK photo uses its profile.
"""

from __future__ import annotations

import io
import math
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image

from .icc import BRADFORD as BRADFORD  # re-exported: built here before
from .icc import D50 as D50
from .icc import _icc_space, _icc_tag, matrix_profile, profile_description

if TYPE_CHECKING:
    from PIL import ImageCms

EXIF_IFD, INTEROP_IFD = 0x8769, 0xA005
COLOR_SPACE, INTEROP_INDEX = 0xA001, 0x0001
UNCALIBRATED = 0xFFFF
ADOBE_RGB_EXIF = 2  # not in the EXIF standard, but some cameras write it
MAX_NAME = 60
MAX_TRANSFORMS = 16
"""Transforms kept: one per profile in use (a portfolio rarely has more than a few)."""

SRGB_PRIMARIES = ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06))
D65_XY = (0.3127, 0.3290)
ADOBE_RGB_PRIMARIES = ((0.64, 0.33), (0.21, 0.71), (0.15, 0.06))
ADOBE_RGB_GAMMA = 563 / 256


@dataclass(frozen=True)
class ColourSource:
    """What a file says its colours are, when that is not plain sRGB.

    ``space`` is the profile's data colour space ("RGB", "CMYK" or "GRAY");
    ``problem`` is set when the profile cannot be used (the photo is then drawn
    as sRGB, and ``check`` warns).
    """

    name: str
    icc: bytes
    space: str
    problem: str | None = None

    @property
    def working_mode(self) -> str:
        """The Pillow mode the decoder should keep the pixels in until conversion."""
        if self.problem is None and self.space == "CMYK":
            return "CMYK"
        if self.problem is None and self.space == "GRAY":
            return "L"
        return "RGB"

    @property
    def note(self) -> str:
        """``Display P3 → sRGB``, or what is wrong with the profile."""
        if self.problem is not None:
            return self.problem
        return f"{self.name} → sRGB"


def _is_srgb(icc: bytes, name: str | None) -> bool:
    """Whether ``icc`` is one of the many sRGB profiles, read without LittleCMS.

    Every sRGB profile calls itself so ("sRGB IEC61966-2.1", "sRGB built-in", "sRGB2014",
    Google's "sRGB"): trusting the name keeps LittleCMS out of most photos' way. But
    linear-light profiles with sRGB's primaries are named so too ("sRGB-elle-V2-g10",
    "sRGB linear"): sRGB's curve is a table or a parametric curve of type 3 or 4, never a
    single gamma, so a profile whose red curve is one is converted after all.
    """
    if name is None or not name.lower().replace(" ", "").startswith("srgb"):
        return False
    try:
        trc = _icc_tag(icc, b"rTRC")
    except Exception:
        return False
    if trc is None:
        return True  # a LUT-based (version 4) sRGB profile
    if trc[:4] == b"curv":
        return len(trc) >= 12 and int.from_bytes(trc[8:12], "big") > 1
    if trc[:4] == b"para":
        return len(trc) >= 10 and int.from_bytes(trc[8:10], "big") >= 3
    return False


def source_of(image: Image.Image) -> ColourSource | None:
    """What ``image`` (opened, header read) says about its colours; None for sRGB.

    Reads only the header: the ICC profile, EXIF and PNG chunks. Never raises.
    """
    try:
        return _source_of(image)
    except Exception:  # odd metadata never stops a photo from showing
        return None


def _source_of(image: Image.Image) -> ColourSource | None:
    icc = image.info.get("icc_profile")
    if isinstance(icc, bytes) and icc:
        space = _icc_space(icc)
        if space is None:
            return ColourSource(
                "damaged profile",
                icc,
                "other",
                problem="its colour profile (ICC) is damaged, so the photo is drawn as sRGB; "
                "re-export it with a valid profile (or none, for sRGB)",
            )
        name = profile_description(icc)
        if space == "RGB" and _is_srgb(icc, name):
            return None
        if space != _expected_space(image.mode):
            return ColourSource(
                name or "unnamed profile",
                icc,
                space,
                problem=f"its colour profile ({name or 'unnamed'}, {space}) does not match its "
                f"{image.mode} pixels, so the photo is drawn as sRGB; re-export it with a "
                "matching profile",
            )
        return ColourSource(name or f"unnamed {space} profile", icc, space)
    if image.mode == "CMYK":
        return None  # untagged CMYK: Pillow's own formula (see the module's notes)
    nclx = _nclx_of(image)
    if nclx is not None:
        return nclx_source(nclx)
    if image.format == "PNG":
        return _png_source(image)
    return _exif_source(image)


def _expected_space(mode: str) -> str:
    if mode == "CMYK":
        return "CMYK"
    if mode in ("1", "L", "LA", "I", "F") or mode.startswith("I;16"):
        return "GRAY"
    return "RGB"


def _exif_source(image: Image.Image) -> ColourSource | None:
    if image.format not in ("JPEG", "MPO", "TIFF", "WEBP") or image.mode not in ("RGB", "RGBA"):
        return None
    exif = image.getexif()
    sub = exif.get_ifd(EXIF_IFD)
    space = sub.get(COLOR_SPACE)
    if space == ADOBE_RGB_EXIF:
        return adobe_rgb()
    if space != UNCALIBRATED:
        return None
    index = exif.get_ifd(INTEROP_IFD).get(INTEROP_INDEX)
    if isinstance(index, bytes):
        index = index.decode("ascii", "replace")
    if isinstance(index, str) and index.strip("\0 ").upper() == "R03":
        return adobe_rgb()
    return None  # uncalibrated with nothing else said: sRGB is the best guess


def adobe_rgb() -> ColourSource:
    """Adobe RGB (1998), as EXIF's InteropIndex R03 names it without a profile."""
    return ColourSource(
        "Adobe RGB (1998)",
        _built(
            "Adobe RGB (1998)",
            D65_XY,
            ADOBE_RGB_PRIMARIES,
            ADOBE_RGB_GAMMA,
        ),
        "RGB",
    )


def _png_source(image: Image.Image) -> ColourSource | None:
    if "srgb" in image.info or image.mode not in ("RGB", "RGBA", "P", "PA"):
        return None
    gamma = image.info.get("gamma")
    chroma = image.info.get("chromaticity")
    if gamma is None and chroma is None:
        return None
    white, primaries = D65_XY, SRGB_PRIMARIES
    if chroma is not None and len(chroma) == 8:
        values = [float(v) for v in chroma]
        if all(0 < v < 1 for v in values):
            white = (values[0], values[1])
            primaries = ((values[2], values[3]), (values[4], values[5]), (values[6], values[7]))
    exponent = 1 / float(gamma) if gamma else 2.2
    if not 0.2 <= exponent <= 5:
        return None  # a nonsense gAMA: drawn as sRGB
    srgb_like = (
        abs(exponent - 2.2) < 0.03
        and _close(white, D65_XY)
        and all(_close(p, q) for p, q in zip(primaries, SRGB_PRIMARIES, strict=True))
    )
    if srgb_like:
        return None  # what sRGB-writing software puts beside the sRGB chunk
    name = f"PNG gamma {exponent:.2f}" + (" and primaries" if chroma is not None else "")
    return ColourSource(name, _built(name, white, primaries, exponent), "RGB")


def _close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 0.002 and abs(a[1] - b[1]) < 0.002


_built_profiles: dict[tuple[Any, ...], bytes] = {}


def _built(name: str, white: tuple[float, float], primaries: Any, gamma: float) -> bytes:
    key = (name, white, primaries, gamma)
    found = _built_profiles.get(key)
    if found is None:
        found = matrix_profile(name, white, primaries, gamma)
        if len(_built_profiles) < 64:
            _built_profiles[key] = found
    return found


# -- converting -------------------------------------------------------------------------

_transforms: OrderedDict[tuple[bytes, str], Any] = OrderedDict()
_transforms_lock = threading.Lock()
_broken: OrderedDict[bytes, str] = OrderedDict()


def _srgb_profile() -> ImageCms.ImageCmsProfile:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _transform(source: ColourSource, mode: str) -> Any:
    """The cached LittleCMS transform from ``source`` in ``mode`` to sRGB RGB.

    Raises ``ValueError`` with the user's words when the profile cannot be used.
    """
    import hashlib

    digest = hashlib.sha256(source.icc).digest()
    key = (digest, mode)
    with _transforms_lock:
        found = _transforms.get(key)
        if found is not None:
            _transforms.move_to_end(key)
            return found
        if digest in _broken:
            raise ValueError(_broken[digest])
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(source.icc))
        built = ImageCms.buildTransform(
            profile,
            _srgb_profile(),
            mode,
            "RGB",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            # NOCACHE: the transform is shared by the decoder threads, and LittleCMS's
            # one-pixel cache is not safe to share.
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION | ImageCms.Flags.NOCACHE,
        )
    except Exception:  # PyCMSError, OSError...: LittleCMS refuses the profile
        problem = (
            f"its colour profile ({source.name}) cannot be read, so the photo is drawn as "
            "sRGB; re-export it with a valid profile (or none, for sRGB)"
        )
        with _transforms_lock:
            _broken[digest] = problem
            while len(_broken) > MAX_TRANSFORMS:
                _broken.popitem(last=False)
        raise ValueError(problem) from None
    with _transforms_lock:
        _transforms[key] = built
        while len(_transforms) > MAX_TRANSFORMS:
            _transforms.popitem(last=False)
    return built


def problem(source: ColourSource | None) -> str | None:
    """What is wrong with ``source``'s profile (for ``check``), or None when it converts."""
    if source is None:
        return None
    if source.problem is not None:
        return source.problem
    try:
        _transform(source, source.working_mode)
    except ValueError as exc:
        return str(exc)
    return None


def to_srgb(image: Image.Image, source: ColourSource | None) -> tuple[Image.Image, str | None]:
    """``image`` converted to sRGB RGB, and the note saying so (None: it was sRGB).

    ``image`` is in ``source.working_mode`` (RGB, or CMYK/L for such profiles): the
    small decoded picture, not the original. Anything else becomes RGB as it is. A
    profile LittleCMS refuses leaves the picture as it is (drawn as sRGB), with the
    problem as the note. RGB is converted in place.
    """
    if source is None:
        return (image if image.mode == "RGB" else image.convert("RGB")), None
    if source.problem is not None or image.mode != source.working_mode:
        return (image if image.mode == "RGB" else image.convert("RGB")), source.note
    try:
        transform = _transform(source, image.mode)
    except ValueError as exc:
        return (image if image.mode == "RGB" else image.convert("RGB")), str(exc)
    from PIL import ImageCms

    if image.mode == "RGB":
        ImageCms.applyTransform(image, transform, inPlace=True)
        return image, source.note
    converted = ImageCms.applyTransform(image, transform)
    assert converted is not None
    return converted, source.note


def srgb_icc() -> bytes:
    """The sRGB profile's bytes, to tag what this app writes."""
    return _srgb_profile().tobytes()


def srgb_trc(value: float) -> float:
    """The sRGB (and Display P3) curve: encoded value to linear light."""
    return value / 12.92 if value <= 0.04045 else math.pow((value + 0.055) / 1.055, 2.4)


# -- HEIF/AVIF colour information (nclx) ------------------------------------------------
#
# HEIF and AVIF say what their colours are with a `colr` box: an ICC profile (what Apple
# writes; pillow-heif and Pillow put it in info["icc_profile"], and it wins) or `nclx`,
# ITU-T H.273 codes for the primaries, the transfer curve and the YCbCr matrix. libheif
# and libavif apply the matrix when they make RGB; the primaries and the curve are made
# into a matrix/TRC profile here. BT.709 primaries with the sRGB curve (what cameras and
# libheif write for sRGB) and unspecified codes need nothing.

NCLX_PRIMARIES: dict[int, tuple[str, tuple[float, float], Any]] = {
    1: ("sRGB", D65_XY, SRGB_PRIMARIES),  # BT.709
    9: ("Rec. 2020", D65_XY, ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046))),
    11: ("DCI-P3", (0.314, 0.351), ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060))),
    12: ("Display P3", D65_XY, ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060))),
}
"""ITU-T H.273 colour primaries: code -> name, white point and red, green, blue (CIE xy)."""
UNSPECIFIED = 2
SRGB_TRANSFER = 13
BT709_TRANSFERS = frozenset({1, 6, 14, 15})  # BT.709, BT.601, BT.2020 10- and 12-bit: one curve
PQ, HLG = 16, 18
SDR_WHITE_NITS = 203.0
"""Where HDR pictures put diffuse (paper) white (ITU-R BT.2408): linear 1 before the roll-off."""
KNEE = 0.75
"""HDR light below this (linear, SDR white = 1) is drawn as it is; above, rolled off."""
HDR_PEAK_NITS = 1000.0
"""Drawn as white: HLG's reference display peak, and what HDR photos are mastered to."""


def bt709_trc(value: float) -> float:
    """The BT.709 (BT.601, BT.2020) curve, inverted: encoded value to linear light."""
    return value / 4.5 if value < 0.081 else math.pow((value + 0.099) / 1.099, 1 / 0.45)


def _roll_off(x: float) -> float:
    """HDR light (SDR white = 1) tone mapped into [0, 1]: as it is below ``KNEE``, then an
    extended Reinhard shoulder of the same slope there, reaching white at ``HDR_PEAK_NITS``
    (diffuse white is drawn at 0.875, 241 in sRGB, and highlights keep their steps)."""
    if x <= KNEE:
        return max(0.0, x)
    u = (x - KNEE) / (1 - KNEE)
    peak = (HDR_PEAK_NITS / SDR_WHITE_NITS - KNEE) / (1 - KNEE)
    return min(1.0, KNEE + (1 - KNEE) * u * (1 + u / (peak * peak)) / (1 + u))


def pq_trc(value: float) -> float:
    """SMPTE ST 2084 (PQ), tone mapped: encoded value to displayable linear light."""
    m1, m2 = 2610 / 16384, 2523 / 4096 * 128
    c1, c2, c3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
    power = math.pow(max(0.0, value), 1 / m2)
    nits = 10000 * math.pow(max(power - c1, 0.0) / (c2 - c3 * power), 1 / m1)
    return _roll_off(nits / SDR_WHITE_NITS)


def hlg_trc(value: float) -> float:
    """ARIB STD-B67 (HLG), tone mapped: encoded value to displayable linear light.

    The light is BT.2100's reference display's (1000 nits x scene light ^ 1.2), with the
    OOTF applied to each channel instead of to the luminance: a curve, as ICC needs."""
    a, b, c = 0.17883277, 0.28466892, 0.55991073
    value = max(0.0, value)
    scene = value * value / 3 if value <= 0.5 else (math.exp((value - c) / a) + b) / 12
    return _roll_off(1000 * math.pow(scene, 1.2) / SDR_WHITE_NITS)


NCLX_TRANSFERS: dict[int, tuple[str, Any]] = {
    **{code: ("BT.709 curve", bt709_trc) for code in BT709_TRANSFERS},
    4: ("gamma 2.2", 2.2),
    5: ("gamma 2.8", 2.8),
    8: ("linear", 1.0),
    SRGB_TRANSFER: ("sRGB curve", srgb_trc),
    PQ: ("PQ", pq_trc),
    HLG: ("HLG", hlg_trc),
}
"""ITU-T H.273 transfer characteristics: code -> name and curve (others: the sRGB curve)."""
_USUAL_TRANSFERS = {1: {SRGB_TRANSFER}, 9: BT709_TRANSFERS, 12: {SRGB_TRANSFER}}
"""The curve each space comes with, left out of the name the info panel shows."""


def _nclx_of(image: Image.Image) -> dict[str, Any] | None:
    """The nclx colour box of a HEIF (pillow-heif's ``info``) or AVIF (read here)."""
    nclx = image.info.get("nclx_profile")
    if isinstance(nclx, dict):
        return nclx
    if image.format == "AVIF":
        return _avif_nclx(image)
    return None


def _code(nclx: dict[str, Any], key: str) -> int:
    value = nclx.get(key)
    return value if isinstance(value, int) else UNSPECIFIED


def _xy(nclx: dict[str, Any], name: str) -> tuple[float, float] | None:
    x, y = nclx.get(f"color_primary_{name}_x"), nclx.get(f"color_primary_{name}_y")
    if not isinstance(x, (int, float)) or not isinstance(y, (int, float)):
        return None
    if not (0 < x < 1 and 0 < y < 1 and x + y <= 1):
        return None
    return (round(float(x), 4), round(float(y), 4))


def nclx_source(nclx: dict[str, Any]) -> ColourSource | None:
    """The profile an nclx colour box (pillow-heif's dict) describes; None for sRGB.

    BT.709/sRGB primaries (or unspecified) with the sRGB curve (or unspecified) is sRGB
    and is never converted. PQ and HLG pictures are tone mapped: diffuse white (203 nits)
    is drawn as white, brighter light rolled off (:func:`_roll_off`), each channel apart.
    """
    primaries, transfer = _code(nclx, "color_primaries"), _code(nclx, "transfer_characteristics")
    if primaries == UNSPECIFIED:
        primaries = 1
    if transfer == UNSPECIFIED:
        transfer = SRGB_TRANSFER
    if primaries == 1 and transfer == SRGB_TRANSFER:
        return None  # the Sony and libheif sRGB case: the fast path, no LittleCMS at all
    known = NCLX_PRIMARIES.get(primaries)
    if known is not None:
        space, white, xy = known
    else:
        white_xy, red, green, blue = (_xy(nclx, n) for n in ("white", "red", "green", "blue"))
        if white_xy is None or red is None or green is None or blue is None:
            space, white, xy = NCLX_PRIMARIES[1]  # no usable chromaticities: as sRGB
        else:
            space, white, xy = f"primaries {primaries}", white_xy, (red, green, blue)
    curve_name, curve = NCLX_TRANSFERS.get(transfer, (f"curve {transfer} as sRGB", srgb_trc))
    usual = transfer in _USUAL_TRANSFERS.get(primaries, ())
    if primaries == 1 and transfer in BT709_TRANSFERS:
        space, usual = "BT.709", True  # video's own space: sRGB's primaries, another curve
    name = f"{space} (nclx)" if usual else f"{space} {curve_name} (nclx)"
    if transfer in (PQ, HLG):
        name = f"{space} {curve_name} (nclx, tone mapped)"
    return ColourSource(name, _built(name, white, xy, curve), "RGB")


def _avif_nclx(image: Image.Image) -> dict[str, Any] | None:
    """The primary item's nclx colour box, from the file's header (:mod:`.bmff`).

    Pillow's AVIF plugin gives the ICC profile but not nclx.
    """
    from .bmff import primary_properties

    found = primary_properties(image)
    if found is None:
        return None
    head, properties = found
    for kind, start, end in properties:
        if kind == b"colr" and head[start : start + 4] == b"nclx" and end - start >= 11:
            codes = struct.unpack_from(">HHHB", head, start + 4)
            return {
                "color_primaries": codes[0],
                "transfer_characteristics": codes[1],
                "matrix_coefficients": codes[2],
                "full_range_flag": codes[3] >> 7,
            }
    return None


def note_for(image: Image.Image) -> str | None:
    """What drawing ``image`` (opened, header read) does to its colours, for the info panel:
    ``Display P3 → sRGB``, what is wrong with its profile, or None for sRGB."""
    source = source_of(image)
    if source is None:
        return None
    return problem(source) or source.note
