"""What a photo's file says about it: EXIF exposure data, colour profile, sizes.

Every value is read defensively (EXIF written by odd software, or crafted, is
common) and returned as plain data; the UI cleans it before showing it.
Provenance (camera, AI, ...) is not here: see :mod:`portfolio_tui.provenance`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from .imaging import raw as camera_raw
from .imaging.decode import ImageError, has_gain_map, header_exif, opened_image, probe
from .imaging.icc import ICC_HEADER_SIZE as ICC_HEADER_SIZE  # re-exported: read here before
from .imaging.icc import MAX_ICC_TAGS as MAX_ICC_TAGS
from .imaging.icc import MAX_PROFILE_NAME as MAX_PROFILE_NAME
from .imaging.icc import clean_text, profile_description

EXIF_IFD = 0x8769
MAKE, MODEL, DATETIME, ARTIST, SOFTWARE = 0x010F, 0x0110, 0x0132, 0x013B, 0x0131
EXPOSURE_TIME, F_NUMBER, ISO = 0x829A, 0x829D, 0x8827
DATETIME_ORIGINAL, FOCAL_LENGTH, FOCAL_35MM = 0x9003, 0x920A, 0xA405
LENS_MAKE, LENS_MODEL = 0xA433, 0xA434
MAX_FIELD = 120


@dataclass(frozen=True)
class PhotoInfo:
    """Exposure and file facts for the info panel; None where unknown."""

    camera: str | None = None
    lens: str | None = None
    focal_length: str | None = None
    aperture: str | None = None
    shutter: str | None = None
    iso: str | None = None
    taken: str | None = None
    artist: str | None = None
    width: int | None = None
    height: int | None = None
    file_size: int | None = None
    format: str | None = None
    color_profile: str | None = None
    colour_conversion: str | None = None
    dynamic_range: str | None = None
    orientation: int = 1
    error: str | None = None
    drawn_from: str | None = None
    """For a RAW: what the picture is drawn from (the camera's preview, or LibRaw)."""

    @property
    def pixel_size(self) -> str | None:
        """``4000 × 6000 px (24.0 MP)``."""
        if not self.width or not self.height:
            return None
        megapixels = self.width * self.height / 1_000_000
        if megapixels < 0.1:
            return f"{self.width} × {self.height} px"
        return f"{self.width} × {self.height} px ({megapixels:.1f} MP)"

    @property
    def file_size_text(self) -> str | None:
        """Human file size."""
        return human_size(self.file_size) if self.file_size is not None else None


def human_size(size: int) -> str:
    """``1536`` -> ``1.5 KB``."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover


def _text(value: Any, limit: int = MAX_FIELD) -> str | None:
    return clean_text(value, limit)


def _number(value: Any) -> float | None:
    try:
        if isinstance(value, tuple) and len(value) == 2:
            return float(value[0]) / float(value[1]) if value[1] else None
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def _camera(make: str | None, model: str | None) -> str | None:
    if make and model and model.lower().startswith(make.split()[0].lower()):
        return model
    return " ".join(p for p in (make, model) if p) or None


def format_shutter(seconds: float) -> str:
    """``0.00625`` -> ``1/160 s``; ``2.0`` -> ``2 s``."""
    if seconds <= 0:
        return "?"
    if seconds >= 1:
        return f"{seconds:g} s"
    fraction = Fraction(seconds).limit_denominator(16000)
    if fraction.numerator == 1:
        return f"1/{fraction.denominator} s"
    return f"1/{round(1 / seconds)} s"


def read_info(path: Path) -> PhotoInfo:
    """Read the info panel's facts from ``path``; never raises."""
    try:
        # Not through a link: a photo swapped for one since load shows nothing of its target.
        size: int | None = os.stat(path, follow_symlinks=False).st_size
    except (OSError, ValueError):
        size = None
    if camera_raw.is_raw(path):
        return _raw_info(path, size)
    try:
        header = probe(path)
    except ImageError as exc:
        return PhotoInfo(file_size=size, error=exc.reason)
    fields: dict[str, Any] = {}
    color_profile: str | None = None
    colour_conversion: str | None = None
    dynamic_range: str | None = None
    try:
        with opened_image(path) as image:
            color_profile = profile_description(image.info.get("icc_profile"))
            colour_conversion = _colour_note(image)
            exif = header_exif(image)
            sub = exif.get_ifd(EXIF_IFD)
            fields = _exif_fields(exif, sub)
            if has_gain_map(image):
                dynamic_range = "HDR (gain map)"
    except Exception:  # corrupt EXIF must never stop the panel
        fields = {}
    width, height = header.oriented_size
    return PhotoInfo(
        width=width,
        height=height,
        file_size=size,
        format=header.format,
        color_profile=color_profile,
        colour_conversion=colour_conversion,
        dynamic_range=dynamic_range,
        orientation=header.orientation,
        **fields,
    )


def _raw_info(path: Path, size: int | None) -> PhotoInfo:
    """A RAW's facts: its own EXIF (read without touching the sensor data), the sensor's
    pixel size, and what the picture is drawn from. Camera and exposure show even for a
    RAW LibRaw cannot read, beside the problem."""
    found = camera_raw.exif(path)
    try:
        fields = _exif_fields(*found) if found is not None else {}
    except Exception:  # corrupt EXIF must never stop the panel
        fields = {}
    kind = camera_raw.format_name(path)
    try:
        header, preview = camera_raw.described(path)  # one LibRaw opening for both
    except ImageError as exc:
        return PhotoInfo(file_size=size, format=kind, error=exc.reason, **fields)
    if preview is not None:
        drawn_from = f"the camera's preview ({preview[0]} × {preview[1]} px)"
    else:
        drawn_from = "developed by LibRaw (half size)"
    width, height = header.oriented_size
    return PhotoInfo(
        width=width,
        height=height,
        file_size=size,
        format=kind,
        orientation=header.orientation,
        drawn_from=drawn_from,
        **fields,
    )


def _colour_note(image: Any) -> str | None:
    from .imaging.colour import note_for  # not at start-up: the panel reads in workers

    return note_for(image)


def _exif_fields(exif: Any, sub: Any) -> dict[str, Any]:
    make, model = _text(exif.get(MAKE)), _text(exif.get(MODEL))
    lens = _text(sub.get(LENS_MODEL))
    lens_make = _text(sub.get(LENS_MAKE))
    if lens and lens_make and not lens.lower().startswith(lens_make.split()[0].lower()):
        lens = f"{lens_make} {lens}"
    focal = _number(sub.get(FOCAL_LENGTH))
    focal35 = _number(sub.get(FOCAL_35MM))
    focal_text = None
    if focal:
        focal_text = f"{focal:g} mm"
        if focal35 and abs(focal35 - focal) >= 1:
            focal_text += f" ({focal35:g} mm full-frame equiv.)"
    f_number = _number(sub.get(F_NUMBER))
    exposure = _number(sub.get(EXPOSURE_TIME))
    iso_value = sub.get(ISO)
    if isinstance(iso_value, tuple) and iso_value:
        iso_value = iso_value[0]
    iso = _number(iso_value)
    taken = _text(sub.get(DATETIME_ORIGINAL)) or _text(exif.get(DATETIME))
    if taken and len(taken) >= 10 and taken[4] == ":" and taken[7] == ":":
        taken = taken[:4] + "-" + taken[5:7] + "-" + taken[8:]
    return {
        "camera": _camera(make, model),
        "lens": lens,
        "focal_length": focal_text,
        "aperture": f"f/{f_number:g}" if f_number else None,
        "shutter": format_shutter(exposure) if exposure else None,
        "iso": f"ISO {int(iso)}" if iso else None,
        "taken": taken,
        "artist": _text(exif.get(ARTIST)),
    }
