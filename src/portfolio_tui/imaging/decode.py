"""Decode images fast and safely, already scaled and upright.

JPEGs are decoded with Pillow's draft mode (the decoder scales by 1/2, 1/4 or
1/8 while decoding), so a thumbnail never pays for a full-size decode.  The
EXIF orientation is applied after resizing, where it is cheap.  Anything that
cannot be shown raises :class:`ImageError` with a reason a photographer can act
on; the caller draws a placeholder with that reason.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

# Orientation tag values 5-8 store the image on its side.
_SIDEWAYS = {5, 6, 7, 8}
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
ORIENTATION_TAG = 0x0112
BACKGROUND = (0, 0, 0)


class ImageError(Exception):
    """An image that cannot be shown, with a short human reason."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class ImageProbe:
    """What a header read says about an image, without decoding its pixels."""

    format: str
    width: int
    height: int
    orientation: int

    @property
    def oriented_size(self) -> tuple[int, int]:
        """Width and height as the photo is meant to be seen."""
        if self.orientation in _SIDEWAYS:
            return self.height, self.width
        return self.width, self.height


def _open(path: Path) -> Image.Image:
    # Pillow warns (DecompressionBombWarning) between MAX_IMAGE_PIXELS and twice
    # that, and raises above; _check_size refuses both, so the warning is noise.
    # (warnings.catch_warnings is not thread-safe, hence no local filter here.)
    try:
        if os.stat(path).st_size == 0:
            raise ImageError(path, "file is empty (0 bytes); copy the photo again")
    except OSError:
        pass  # Image.open below reports missing or unreadable files precisely
    try:
        return Image.open(path)
    except Image.DecompressionBombError:
        raise ImageError(
            path, "image is too large to open safely (over Pillow's decompression-bomb limit)"
        ) from None
    except UnidentifiedImageError:
        suffix = path.suffix.lower()
        if suffix in (".heic", ".heif"):
            raise ImageError(path, "HEIC/HEIF is not supported; export the photo as JPEG") from None
        raise ImageError(path, "not an image Pillow can read (wrong format or damaged)") from None
    except FileNotFoundError:
        raise ImageError(path, "file not found (moved or deleted?)") from None
    except IsADirectoryError:
        raise ImageError(path, "is a folder, not an image") from None
    except PermissionError:
        raise ImageError(path, "permission denied; check the file's permissions") from None
    except OSError as exc:
        if "truncated" in str(exc).lower():  # Pillow's words for a file that ends early
            raise ImageError(path, "image file is truncated (incomplete copy?)") from None
        raise ImageError(path, f"cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # Pillow plugins raise assorted errors on hostile headers
        raise ImageError(path, f"damaged image header ({type(exc).__name__})") from None


def _check_size(path: Path, image: Image.Image) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageError(path, "image has no pixels")
    limit = Image.MAX_IMAGE_PIXELS
    if limit and width * height > limit:
        raise ImageError(
            path,
            f"image is {width}x{height} pixels, over the decompression-bomb limit "
            f"of {limit:,}; resize it",
        )


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def probe(path: Path) -> ImageProbe:
    """Read the header and check the image is safe to decode (no pixel decode)."""
    image = _open(path)
    with image:
        _check_size(path, image)
        return ImageProbe(image.format or "?", image.width, image.height, _orientation(image))


def verify(path: Path) -> ImageProbe:
    """Probe and also decode a small version, catching truncated or corrupt data.

    PNG pixels are also checked against their CRCs: a flipped bit there can
    still decode (into wrong pixels), so only the checksums tell.
    """
    info = probe(path)
    if info.format == "PNG":
        _verify_checksums(path)
    load_fitted(path, (64, 64))
    return info


def _verify_checksums(path: Path) -> None:
    image = _open(path)
    try:
        with image:
            image.verify()
    except ImageError:
        raise
    except Exception as exc:  # Pillow raises SyntaxError, OSError, struct.error ... here
        if isinstance(exc, EOFError) or "truncated" in str(exc).lower():
            raise ImageError(path, "image file is truncated (incomplete copy?)") from None
        raise ImageError(
            path, "damaged image data (a checksum does not match); copy the photo again"
        ) from None


def _to_rgb(path: Path, image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale down to 8 bits rather than clipping to white.
        return image.point(lambda v: v / 256).convert("L").convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def load_fitted(path: Path, box: tuple[int, int], *, upscale: bool = True) -> Image.Image:
    """Decode ``path`` scaled to fit inside ``box`` (pixels), upright, in RGB.

    Uses JPEG draft decoding, so the decoder never produces more than about
    twice the pixels needed.  Raises :class:`ImageError` for anything that
    cannot be shown.
    """
    box_w, box_h = max(1, box[0]), max(1, box[1])
    image = _open(path)
    try:
        _check_size(path, image)
        orientation = _orientation(image)
        # Draft and resize happen in the stored orientation, so swap the box.
        stored_box = (box_h, box_w) if orientation in _SIDEWAYS else (box_w, box_h)
        rgb = _camera_preview(image, stored_box) if image.format == "MPO" else None
        if rgb is None:
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", stored_box)
            rgb = _load_rgb(path, image)
        if upscale:
            fitted = ImageOps.contain(rgb, stored_box, Image.Resampling.LANCZOS)
        else:
            fitted = rgb.copy()
            fitted.thumbnail(stored_box, Image.Resampling.LANCZOS)
        transpose = _TRANSPOSE.get(orientation)
        return fitted.transpose(transpose) if transpose is not None else fitted
    finally:
        image.close()


PREVIEW_TYPES = frozenset(
    {
        "Large Thumbnail (VGA equivalent)",
        "Large Thumbnail (full HD equivalent)",
        "Large Thumbnail (4K equivalent)",
        "Large Thumbnail (8K equivalent)",
        "Undefined",
    }
)
"""MPF image types that are a preview of the photo (not another view of a stereo pair)."""


def _camera_preview(image: Image.Image, stored_box: tuple[int, int]) -> Image.Image | None:
    """The camera's large preview (the MPF second image) when it covers ``stored_box``.

    Cameras store a 1,600 to 3,800-pixel JPEG of the photo beside it; decoding
    that instead of a 24 MP original is several times faster, and for a
    terminal it is still more pixels than can be shown. It is used only when
    it has the photo's shape (no letterboxing) and is at least as large as the
    photo fitted to the box. None otherwise (and on any error), with the file
    back on its first image.
    """
    try:
        entries = getattr(image, "mpinfo", {}).get(0xB002) or []
        if len(entries) < 2 or getattr(image, "n_frames", 1) < 2:
            return None
        kind = entries[1].get("Attribute", {}).get("MPType")
        if kind not in PREVIEW_TYPES:
            return None
        full_w, full_h = image.size
        scale = min(stored_box[0] / full_w, stored_box[1] / full_h)
        needed = (int(full_w * scale), int(full_h * scale))
        image.seek(1)
        width, height = image.size
        same_shape = abs(width / height - full_w / full_h) < 0.01
        if not same_shape or width < needed[0] or height < needed[1]:  # would need upscaling
            image.seek(0)
            return None
        image.draft("RGB", stored_box)
        preview = image.convert("RGB")
        preview.load()
        return preview
    except Exception:  # a damaged preview is simply not used
        try:
            image.seek(0)
        except Exception:
            return None
        return None


try:
    from struct import error as struct_error
except ImportError:  # pragma: no cover
    struct_error = ValueError  # type: ignore[misc,assignment]


def _load_rgb(path: Path, image: Image.Image) -> Image.Image:
    """Decode ``image`` (first frame) to RGB, turning decoder failures into ImageError."""
    try:
        image.seek(0)
        rgb = _to_rgb(path, image)
        rgb.load()
    except Image.DecompressionBombError:
        raise ImageError(path, "image is too large to decode safely") from None
    except OSError as exc:
        message = str(exc)
        if "truncated" in message:
            raise ImageError(path, "image file is truncated (incomplete copy?)") from None
        raise ImageError(path, f"damaged image data ({message or 'decode error'})") from None
    except (ValueError, SyntaxError, IndexError, struct_error, EOFError, ZeroDivisionError):
        raise ImageError(path, "damaged image data") from None
    return rgb


def load_upright(path: Path, at_least: tuple[int, int]) -> tuple[Image.Image, tuple[int, int]]:
    """``path`` decoded upright in RGB with at least ``at_least`` pixels where it has them.

    JPEGs decode in draft mode at the smallest scale (1/8 .. 1) that keeps
    ``at_least`` (given upright). Returns the image and the stored (pre-rotation)
    size the decoder produced, which identifies the draft scale for caching.
    """
    image = _open(path)
    try:
        _check_size(path, image)
        orientation = _orientation(image)
        wanted = (at_least[1], at_least[0]) if orientation in _SIDEWAYS else at_least
        if image.format == "JPEG":
            image.draft("RGB", (max(1, wanted[0]), max(1, wanted[1])))
        stored = image.size
        rgb = _load_rgb(path, image)
        transpose = _TRANSPOSE.get(orientation)
        if transpose is not None:
            upright = rgb.transpose(transpose)
        else:  # detach from the file, which is closed below
            upright = rgb.copy() if rgb is image else rgb
    finally:
        image.close()
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
    try:
        with Image.open(path) as image:
            if image.format != "JPEG":
                return None
            raw = image.info.get("exif")
            if not isinstance(raw, bytes) or not raw:
                return None
            exif = image.getexif()
            ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
            orientation = _orientation(image)
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
    except Exception:  # a damaged embedded thumbnail is simply not used
        return None
    transpose = _TRANSPOSE.get(orientation)
    return fitted.transpose(transpose) if transpose is not None else fitted
