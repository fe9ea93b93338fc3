"""Decode images fast and safely, already scaled and upright.

JPEGs are decoded with Pillow's draft mode (the decoder scales by 1/2, 1/4 or
1/8 while decoding), so a thumbnail never pays for a full-size decode.  The
EXIF orientation is applied after resizing, where it is cheap.  Anything that
cannot be shown raises :class:`ImageError` with a reason a photographer can act
on; the caller draws a placeholder with that reason.

Opening a file and reading its header is :mod:`.opening`, fitting the decoded
pixels to a box :mod:`.fitting`, a JPEG's MPF preview and gain map :mod:`.mpf`,
camera RAW files :mod:`.raw`; their names are importable from here too.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
from pathlib import Path

from PIL import ExifTags, Image, ImageOps

from . import raw as camera_raw
from .budget import BUDGET, decoded_bytes, megapixels
from .fitting import (
    BACKGROUND,
    REDUCING_GAP,
    STRIP_PIXELS,
    _colour_of,
    _converts,
    _factor,
    _fit,
    _fitted_size,
    _float_scale,
    _gigabytes,
    _managed,
    _reduced,
    _srgb,
    _to_rgb,
)
from .mpf import (
    AUXILIARY_MARKS,
    GAIN_MAP_MARKS,
    LARGE_THUMBNAILS,
    MAX_MPF_FRAMES_READ,
    _camera_preview,
    has_gain_map,
)
from .opening import (
    _SIDEWAYS,
    _TRANSPOSE,
    MAX_JPEG_SEGMENTS,
    ORIENTATION_TAG,
    ImageError,
    ImageProbe,
    _check_size,
    _orientation,
    header_exif,
    open_file,
    opened_image,
)
from .sizes import limit_box

__all__ = [
    "AUXILIARY_MARKS",
    "BACKGROUND",
    "GAIN_MAP_MARKS",
    "JPEG_THUMB_LENGTH",
    "JPEG_THUMB_OFFSET",
    "LARGE_THUMBNAILS",
    "MAX_EMBEDDED_THUMB",
    "MAX_JPEG_SEGMENTS",
    "MAX_MPF_FRAMES_READ",
    "ORIENTATION_TAG",
    "REDUCING_GAP",
    "STRIP_PIXELS",
    "ImageError",
    "ImageProbe",
    "embedded_thumbnail",
    "file_size",
    "has_gain_map",
    "header_exif",
    "load_fitted",
    "load_upright",
    "open_file",
    "opened_image",
    "probe",
    "verify",
]


def probe(path: Path) -> ImageProbe:
    """Read the header and check the image is safe to decode (no pixel decode)."""
    if camera_raw.is_raw(path):
        return camera_raw.probe(path)
    with opened_image(path) as image:
        _check_size(path, image)
        return ImageProbe(image.format or "?", image.width, image.height, _orientation(image))


def verify(path: Path) -> ImageProbe:
    """Probe and also decode a small version, catching truncated or corrupt data.

    PNG pixels are also checked against their CRCs: a flipped bit there can
    still decode (into wrong pixels), so only the checksums tell.
    """
    if camera_raw.is_raw(path):
        return camera_raw.verify(path)
    info = probe(path)
    if info.format == "PNG":
        _verify_checksums(path)
    load_fitted(path, (64, 64))
    return info


def _verify_checksums(path: Path) -> None:
    try:
        with opened_image(path) as image:
            image.verify()
    except ImageError:
        raise
    except Exception as exc:  # Pillow raises SyntaxError, OSError, struct.error ... here
        if isinstance(exc, EOFError) or "truncated" in str(exc).lower():
            raise ImageError(path, "image file is truncated (incomplete copy?)") from None
        raise ImageError(
            path, "damaged image data (a checksum does not match); copy the photo again"
        ) from None


def load_fitted(path: Path, box: tuple[int, int], *, upscale: bool = True) -> Image.Image:
    """Decode ``path`` scaled to fit inside ``box`` (pixels), upright, in RGB.

    Uses JPEG draft decoding, so the decoder never produces more than about
    twice the pixels needed. Other formats decode whole within the memory
    budget, and are reduced before their colours are converted (see
    :func:`_decode_rgb`). The colours are converted to sRGB from the file's
    profile (:func:`_managed`). Raises :class:`ImageError` for anything that
    cannot be shown.
    """
    if camera_raw.is_raw(path):
        return camera_raw.load_fitted(path, box, upscale=upscale)
    # No caller needs more; a box from a terminal's claims must not set the memory used.
    box_w, box_h = limit_box(box)
    with opened_image(path) as image:
        _check_size(path, image)
        orientation = _orientation(image)
        # Draft and resize happen in the stored orientation, so swap the box.
        stored_box = (box_h, box_w) if orientation in _SIDEWAYS else (box_w, box_h)
        colour = _colour_of(image)
        mode = colour.working_mode if colour is not None else "RGB"
        rgb = _camera_preview(image, stored_box) if image.format == "MPO" else None
        if rgb is not None:
            full = rgb.size
            rgb, factor = _managed(rgb, _fitted_size(full, stored_box, upscale), colour, "RGB")
            fitted = _fit(rgb, full, stored_box, upscale, factor)
        else:
            drafted = image.format in ("JPEG", "MPO")
            if drafted:
                image.draft("RGB", stored_box)
            elif image.format == "HEIF":
                # pillow-heif decodes the file's own thumbnail instead (iPhones store a
                # 320-pixel one) when it holds twice the picture fitted to the box, the
                # margin every other format is reduced to before its Lanczos resize: a
                # grid tile in milliseconds, not a 12 MP decode of some 300 ms.
                width, height = _fitted_size(image.size, stored_box, upscale)
                wanted = (math.ceil(width * REDUCING_GAP), math.ceil(height * REDUCING_GAP))
                drafted = image.draft("RGB", wanted) is not None
            full = image.size
            target = _fitted_size(full, stored_box, upscale)
            # Draft mode has scaled a JPEG already; anything else is reduced here.
            factor = 1 if drafted else _factor(full, target, REDUCING_GAP)
            with _reserve(path, image, factor, extra=decoded_bytes("RGB", target), mode=mode):
                rgb = _decode_rgb(path, image, factor, mode)
                rgb, more = _managed(rgb, target, colour, mode)
                fitted = _fit(rgb, full, stored_box, upscale, factor * more)
        transpose = _TRANSPOSE.get(orientation)
        return fitted.transpose(transpose) if transpose is not None else fitted


def _reserve(
    path: Path, image: Image.Image, factor: int, extra: int = 0, mode: str = "RGB"
) -> contextlib.AbstractContextManager[None]:
    """Hold, from the process's memory budget, what decoding ``image`` at ``factor`` takes.

    That is the whole image as decoded (no draft mode outside JPEG), the reduced
    RGB copy when there is one, and ``extra``: what the caller makes from it. An
    image needing more than the whole budget is refused (:class:`ImageError`).
    """
    needed = decoded_bytes(image.mode, image.size) + extra
    if _converts(image, factor, mode):
        needed += decoded_bytes("RGB", _reduced(image.size, factor))
        needed += STRIP_PIXELS * 4 * 3  # a strip's crop, its RGBA and its RGB
    if needed > BUDGET.total:
        raise ImageError(
            path,
            f"image is {megapixels(image.size)} megapixels, too large to decode for display "
            f"within the memory budget ({_gigabytes(BUDGET.total)}); export a smaller copy",
        )
    return BUDGET.reserve(needed)


try:
    from struct import error as struct_error
except ImportError:  # pragma: no cover
    struct_error = ValueError  # type: ignore[misc,assignment]


def _decode_rgb(path: Path, image: Image.Image, factor: int, mode: str = "RGB") -> Image.Image:
    """Decode ``image`` (first frame) to RGB, reduced ``factor`` times; decoder failures
    become ImageError. Call it while holding :func:`_reserve`'s reservation.

    The reduction and the colour conversion go strip by strip: converting a 366 KB,
    89-megapixel RGBA PNG whole made four copies of it (1.8 GB); in strips only the
    decoded image itself is ever full size. The result may be ``image`` itself
    (already RGB, not reduced).
    """
    try:
        image.seek(0)
        try:
            image.load()
        except (ValueError, SyntaxError, EOFError, struct_error):
            if getattr(image, "tile", None):
                raise  # the pixels themselves
            # Every pixel was decoded; only what the file holds after them failed (a text
            # chunk inflating past Pillow's limit, a damaged trailing chunk): it shows.
            image.load()
        if not _converts(image, factor, mode):
            return image
        width, height = image.size
        out = Image.new(mode, _reduced(image.size, factor))
        scale = _float_scale(image)  # the whole picture's range, the same for every strip
        # Whole blocks of `factor` rows per strip, so each reduces exactly as the whole would.
        rows = max(factor, STRIP_PIXELS // width // factor * factor)
        for top in range(0, height, rows):
            strip = _to_rgb(path, image.crop((0, top, width, min(height, top + rows))), mode, scale)
            out.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
        return out
    except Image.DecompressionBombError:
        raise ImageError(path, "image is too large to decode safely") from None
    except OSError as exc:
        message = str(exc)
        if "truncated" in message:
            raise ImageError(path, "image file is truncated (incomplete copy?)") from None
        raise ImageError(path, f"damaged image data ({message or 'decode error'})") from None
    except (ValueError, SyntaxError, IndexError, struct_error, EOFError, ZeroDivisionError):
        raise ImageError(path, "damaged image data") from None


def load_upright(path: Path, at_least: tuple[int, int]) -> tuple[Image.Image, tuple[int, int]]:
    """``path`` decoded upright in RGB with at least ``at_least`` pixels where it has them.

    JPEGs decode in draft mode at the smallest scale (1/8 .. 1) that keeps
    ``at_least`` (given upright); other formats are reduced by the largest whole
    factor that keeps it. Returns the image and the stored (pre-rotation) size it
    was decoded to, which identifies the scale for caching.
    """
    if camera_raw.is_raw(path):
        return camera_raw.load_upright(path, at_least)
    with opened_image(path) as image:
        _check_size(path, image)
        orientation = _orientation(image)
        wanted = (at_least[1], at_least[0]) if orientation in _SIDEWAYS else at_least
        wanted = (max(1, wanted[0]), max(1, wanted[1]))
        drafted = image.format in ("JPEG", "MPO")  # an MPO's first picture is the photo
        if drafted:
            image.draft("RGB", wanted)
        factor = 1 if drafted else _factor(image.size, wanted, 1.0)
        transpose = _TRANSPOSE.get(orientation)
        colour = _colour_of(image)
        mode = colour.working_mode if colour is not None else "RGB"
        # Turned, or detached from the file (closed below): one more copy of the result.
        copied = transpose is not None or not _converts(image, factor, mode)
        result = decoded_bytes("RGB", _reduced(image.size, factor)) if copied else 0
        with _reserve(path, image, factor, extra=result, mode=mode):
            rgb = _decode_rgb(path, image, factor, mode)
            stored = rgb.size
            # Zoomed views crop and scale this copy many times: converted once, here.
            rgb = _srgb(rgb, colour, mode)
            if rgb is not image:
                image.close()  # the full-size decode is no longer needed: free it first
            upright = rgb.transpose(transpose) if transpose is not None else rgb
            if upright is image:
                upright = image.copy()
    return upright, stored


def file_size(path: Path) -> int | None:
    """Size of a file in bytes, or None where it cannot be read."""
    try:
        return os.stat(path).st_size
    except OSError:
        return None


JPEG_THUMB_OFFSET, JPEG_THUMB_LENGTH = 0x0201, 0x0202
MAX_EMBEDDED_THUMB = 512 * 1024


def embedded_thumbnail(path: Path, box: tuple[int, int]) -> Image.Image | None:
    """The small JPEG a camera embeds in EXIF (IFD1), fitted to ``box`` and upright.

    Reading it costs a header parse and a tiny decode, so the grid can show it
    at once while the real thumbnail is made.  None when there is none or it is
    damaged; never raises.
    """
    if camera_raw.is_raw(path):
        return camera_raw.embedded_thumbnail(path, box)
    try:
        with opened_image(path) as image:
            if image.format != "JPEG":
                return None
            raw = image.info.get("exif")
            if not isinstance(raw, bytes) or not raw:
                return None
            exif = image.getexif()
            ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
            orientation = _orientation(image)
            colour = _colour_of(image)  # a camera's thumbnail is in the photo's colour space
        offset, length = ifd1.get(JPEG_THUMB_OFFSET), ifd1.get(JPEG_THUMB_LENGTH)
        if not isinstance(offset, int) or not isinstance(length, int):
            return None
        if not 0 < length <= MAX_EMBEDDED_THUMB:
            return None
        tiff = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
        data = tiff[offset : offset + length]
        if len(data) != length or not data.startswith(b"\xff\xd8"):
            return None
        with Image.open(io.BytesIO(data)) as thumb:
            if thumb.width * thumb.height > 4_000_000:
                return None
            stored_box = (box[1], box[0]) if orientation in _SIDEWAYS else box
            fitted = ImageOps.contain(thumb.convert("RGB"), stored_box, Image.Resampling.LANCZOS)
            if colour is not None and colour.working_mode == "RGB":
                fitted = _srgb(fitted, colour, "RGB")
    except Exception:  # a damaged embedded thumbnail is simply not used
        return None
    transpose = _TRANSPOSE.get(orientation)
    return fitted.transpose(transpose) if transpose is not None else fitted
