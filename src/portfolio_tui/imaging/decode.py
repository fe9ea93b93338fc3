"""Decode images fast and safely, already scaled and upright.

JPEGs are decoded with Pillow's draft mode (the decoder scales by 1/2, 1/4 or
1/8 while decoding), so a thumbnail never pays for a full-size decode.  The
EXIF orientation is applied after resizing, where it is cheap.  Anything that
cannot be shown raises :class:`ImageError` with a reason a photographer can act
on; the caller draws a placeholder with that reason.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from ..files import NotRegularFile, open_exactly
from . import plugins
from . import raw as camera_raw
from .budget import BUDGET, decoded_bytes, megapixels
from .sizes import limit_box

if TYPE_CHECKING:
    from .colour import ColourSource

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


def _refusal(exc: NotRegularFile) -> str:
    """A tile's reason for a photo that is no longer a regular file where it was at load."""
    if exc.reason.startswith("is a folder"):
        return "is a folder, not an image"
    return f"the file {exc.reason}; it is not shown (was it replaced? open the portfolio again)"


def open_file(path: Path) -> BinaryIO:
    """Open a photo's file for reading: a regular file reached at exactly ``path``.

    ``path`` is where the file really is (``Photo.real_path``, every link resolved
    at load). A link put in its place since, a folder on the way that became a
    link, a FIFO or a device is refused on the descriptor itself
    (``files.open_exactly``), so nothing outside the portfolio is read and
    nothing blocks. Raises :class:`ImageError` with the reason.
    """
    try:
        fd = open_exactly(path)
    except NotRegularFile as exc:
        raise ImageError(path, _refusal(exc)) from None
    except FileNotFoundError:
        raise ImageError(path, "file not found (moved or deleted?)") from None
    except PermissionError:
        raise ImageError(path, "permission denied; check the file's permissions") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise ImageError(path, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return os.fdopen(fd, "rb")


@contextlib.contextmanager
def opened_image(path: Path) -> Iterator[Image.Image]:
    """``path`` opened by Pillow through :func:`open_file` (header read, no pixels yet).

    The image and its file are closed on leaving. Raises :class:`ImageError` for
    anything that cannot be shown.
    """
    with open_file(path) as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise ImageError(path, "file is empty (0 bytes); copy the photo again")
        image = _open(path, handle)
        try:
            yield image
        finally:
            image.close()


def _open(path: Path, handle: BinaryIO) -> Image.Image:
    # Pillow warns (DecompressionBombWarning) between MAX_IMAGE_PIXELS and twice
    # that, and raises above; _check_size refuses both, so the warning is noise.
    # (warnings.catch_warnings is not thread-safe, hence no local filter here.)
    needs_plugin = plugins.prepare(path.suffix)
    try:
        try:
            return Image.open(handle)
        except UnidentifiedImageError:
            # A HEIC or JPEG XL under another name: its first bytes say so.
            handle.seek(0)
            if needs_plugin or not plugins.prepare("", handle.read(16)):
                raise
            handle.seek(0)
            return Image.open(handle)
    except Image.DecompressionBombError:
        raise ImageError(
            path, "image is too large to open safely (over Pillow's decompression-bomb limit)"
        ) from None
    except UnidentifiedImageError:
        _refuse_unsupported_jpeg(path, handle)
        kind = plugins.kind_of(path.suffix)
        if kind is not None and not needs_plugin:
            package = "pillow-heif" if kind == "heif" else "pillow-jxl-plugin"
            raise ImageError(
                path,
                f"{'HEIC/HEIF' if kind == 'heif' else 'JPEG XL'} needs {package}, which is not "
                f"installed; install it (pip install {package}) or export the photo as JPEG",
            ) from None
        if kind is not None:
            name = "HEIC/HEIF" if kind == "heif" else "JPEG XL"
            raise ImageError(
                path,
                f"damaged {name} file: it cannot be read; copy the photo again or export a JPEG",
            ) from None
        raise ImageError(path, "not an image Pillow can read (wrong format or damaged)") from None
    except PermissionError:
        raise ImageError(path, "permission denied; check the file's permissions") from None
    except OSError as exc:
        if "truncated" in str(exc).lower():  # Pillow's words for a file that ends early
            raise ImageError(path, "image file is truncated (incomplete copy?)") from None
        raise ImageError(path, f"cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # Pillow plugins raise assorted errors on hostile headers
        _refuse_unsupported_jpeg(path, handle)
        raise ImageError(path, f"damaged image header ({type(exc).__name__})") from None


_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # DHT, JPG, DAC are not frames
MAX_JPEG_SEGMENTS = 4096


def _jpeg_precision(handle: BinaryIO) -> int | None:
    """The sample precision (bits) in a JPEG's frame header (SOFn); None if none is found."""
    try:
        handle.seek(0)
        if handle.read(2) != b"\xff\xd8":
            return None
        for _ in range(MAX_JPEG_SEGMENTS):
            byte = handle.read(1)
            while byte == b"\xff":  # fill bytes before a marker
                byte = handle.read(1)
            if not byte:
                return None
            marker = byte[0]
            if marker in (0x01, *range(0xD0, 0xD8)):  # no length
                continue
            if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header seen
                return None
            head = handle.read(3)
            if len(head) < 2:
                return None
            if marker in _SOF_MARKERS:
                return head[2] if len(head) == 3 else None
            handle.seek(int.from_bytes(head[:2], "big") - 3, os.SEEK_CUR)
    except (OSError, ValueError):
        return None
    return None


def _refuse_unsupported_jpeg(path: Path, handle: BinaryIO) -> None:
    """Raise the reason for a valid JPEG that Pillow cannot decode (12-bit), if it is one.

    Pillow's JPEG decoder is built for 8-bit samples and refuses 12-bit ones
    (scanners, medical and some camera files) as if they were not images at all.
    """
    bits = _jpeg_precision(handle)
    if bits is not None and bits != 8:
        raise ImageError(
            path,
            f"{bits}-bit JPEG, which Pillow cannot decode; export it as an 8-bit JPEG or a TIFF",
        )


def _check_size(path: Path, image: Image.Image) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageError(path, "image has no pixels")
    # Pillow refuses past twice MAX_IMAGE_PIXELS (its decompression-bomb error) and only
    # warns from once: 100-megapixel camera files live in between, and there the memory
    # budget decides (see _reserve).
    limit = 2 * Image.MAX_IMAGE_PIXELS if Image.MAX_IMAGE_PIXELS else 0
    if limit and width * height > limit:
        raise ImageError(
            path,
            f"image is {width}x{height} pixels, over the decompression-bomb limit "
            f"of {limit:,}; resize it",
        )


def header_exif(image: Image.Image) -> Image.Exif:
    """The image's EXIF as its header holds it, never decoding the pixels.

    Pillow's ``getexif`` decodes a whole PNG to look for EXIF after the pixels,
    outside the memory budget (a 366 KB PNG takes 356 MB that way); writers put
    it before them, and only that is read.
    """
    if image.format == "PNG" and "exif" not in image.info:
        return Image.Exif()
    return image.getexif()


def _orientation(image: Image.Image) -> int:
    if image.format == "HEIF":
        return _heif_orientation(image)
    try:
        value = header_exif(image).get(ORIENTATION_TAG, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _heif_orientation(image: Image.Image) -> int:
    """The turn still to apply to a decoded HEIF picture.

    libheif applies the container's own rotation and mirror (``irot``/``imir``)
    and pillow-heif then reports EXIF orientation 1. Some iPhone apps (ProCam)
    write no such box and only EXIF orientation 6: libheif, following the HEIF
    spec, leaves those sideways, while Apple's viewers turn them. The photographer
    took them upright, so the EXIF turn is applied where the container has none.
    """
    original = image.info.get("original_orientation")
    if not isinstance(original, int) or not 2 <= original <= 8:
        return 1
    from .bmff import turned_by_container

    return original if turned_by_container(image) is False else 1


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


def _to_rgb(path: Path, image: Image.Image, mode: str = "RGB", scale: float = 1.0) -> Image.Image:
    """``image`` in ``mode``: RGB, or CMYK / L kept for their colour profile to convert.

    ``scale`` multiplies float ("F") pixels: see :func:`_float_scale`.
    """
    if image.mode == mode:
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale down to 8 bits rather than clipping to white. Pillow's
        # point() refuses big-endian I;16B (TIFFs written "MM"), so widen it to I first.
        if image.mode == "I;16B":
            image = image.convert("I")
        return image.point(lambda v: v / 256).convert("L").convert(mode)
    if image.mode == "F":
        return image.point(lambda v: v * scale).convert("L").convert(mode)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert(mode)
    return image.convert(mode)


def _float_scale(image: Image.Image) -> float:
    """What float pixels are multiplied by to make 8 bits: 255 where they run from 0 to 1
    (TIFF, PFM: Pillow's own conversion would clip them all to black), else 1."""
    if image.mode != "F":
        return 1.0
    high = image.getextrema()[1]
    return 255.0 if isinstance(high, (int, float)) and high <= 1.0 else 1.0


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


def _managed(
    image: Image.Image, target: tuple[int, int], colour: ColourSource | None, mode: str
) -> tuple[Image.Image, int]:
    """``image`` (decoded, about to be fitted to ``target``) in sRGB, and the whole factor
    it was reduced by on the way.

    Converted before the resize, as docs/DESIGN.md orders it, but on the smallest picture
    that still holds twice the target (what the resize would read anyway): a 6 MP JPEG's
    1/8 draft is 375x250 for a 24x16 thumbnail, and LittleCMS on all of it took a quarter
    of the thumbnail's time; reduced to 54x36 first, nothing. Converting after the resize
    instead cost up to 1.2 ΔE2000 on the grid's thumbnails (benchmarks/colour_accuracy.py).
    sRGB pictures are reduced the same way (as Pillow's ``thumbnail`` does), so a photo's
    thumbnail is the same picture whether it is tagged or not.
    """
    factor = _factor(image.size, target, REDUCING_GAP)
    if factor > 1:
        image = image.reduce(factor)
    return _srgb(image, colour, mode), factor


def _colour_of(image: Image.Image) -> ColourSource | None:
    """What the opened ``image`` says its colours are (None: sRGB); see :mod:`.colour`."""
    from .colour import source_of  # imported at the first decode, not at start-up

    return source_of(image)


def _srgb(image: Image.Image, colour: ColourSource | None, mode: str) -> Image.Image:
    """``image`` (in ``mode``, the file's colours) converted to sRGB for drawing."""
    if colour is None and mode == "RGB":
        return image
    from .colour import to_srgb

    return to_srgb(image, colour)[0]


REDUCING_GAP = 2.0
"""Images are reduced by whole factors to no less than this many times the size shown,
then resized with Lanczos (as Pillow's ``thumbnail`` does): fast, and as sharp."""

STRIP_PIXELS = 1 << 20
"""Pixels converted to RGB at a time: the conversion's copies stay this small."""


def _fit(
    rgb: Image.Image,
    full: tuple[int, int],
    stored_box: tuple[int, int],
    upscale: bool,
    factor: int,
) -> Image.Image:
    """``rgb`` (an image of size ``full`` reduced ``factor`` times) fitted to the box.

    Always a new image, never ``rgb`` itself (that may be the file's, closed soon).
    """
    size = _fitted_size(full, stored_box, upscale)
    if size == rgb.size:
        return rgb.copy()
    # The reduced image's last row and column may stand for less than `factor` pixels:
    # the box keeps the geometry of the full image exactly.
    region = (0.0, 0.0, full[0] / factor, full[1] / factor)
    return rgb.resize(size, Image.Resampling.LANCZOS, box=region)


def _fitted_size(size: tuple[int, int], box: tuple[int, int], upscale: bool) -> tuple[int, int]:
    """The size ``size`` takes in ``box``: as ``ImageOps.contain`` would make it, or without
    upscaling as ``Image.thumbnail`` would (the same arithmetic, so sizes never change)."""
    width, height = size
    box_w, box_h = box
    aspect = width / height
    if upscale:
        if aspect > box_w / box_h:
            return box_w, max(1, round(height / width * box_w))
        if aspect < box_w / box_h:
            return max(1, round(width / height * box_h)), box_h
        return box_w, box_h
    if box_w >= width and box_h >= height:
        return size

    def round_aspect(number: float, key: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    if box_w / box_h >= aspect:
        return round_aspect(box_h * aspect, lambda n: abs(aspect - n / box_h)), box_h
    return box_w, round_aspect(box_w / aspect, lambda n: 0 if n == 0 else abs(aspect - box_w / n))


def _factor(size: tuple[int, int], target: tuple[int, int], gap: float) -> int:
    """The largest whole reduction of ``size`` that keeps ``gap`` times ``target`` or more."""
    return max(1, min(int(size[0] / (target[0] * gap)), int(size[1] / (target[1] * gap))))


def _reduced(size: tuple[int, int], factor: int) -> tuple[int, int]:
    return -(-size[0] // factor), -(-size[1] // factor)


def _converts(image: Image.Image, factor: int, mode: str = "RGB") -> bool:
    return factor > 1 or image.mode != mode


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


def _gigabytes(size: int) -> str:
    return f"{size / (1 << 30):.3g} GB" if size >= 1 << 30 else f"{size >> 20} MB"


LARGE_THUMBNAILS = frozenset({0x010001, 0x010002})
"""MP types (CIPA DC-007) that say an MPF image is a preview of the photo: the large
thumbnails, VGA and full-HD equivalent. Every other type is another picture: a stereo
pair's other eye (disparity), a multi-angle view, a panorama frame, or "undefined", which
is what Ultra HDR and Apple write for their gain maps."""

GAIN_MAP_MARKS = (
    b"http://ns.adobe.com/hdr-gain-map/1.0/",  # Ultra HDR (hdrgm), Adobe
    b"http://ns.apple.com/HDRGainMap/1.0/",
    b"urn:com:apple:photo:2020:aux:hdrgainmap",
    b"urn:iso:std:iso:ts:21496:-1",  # ISO 21496-1 gain map metadata (APP2)
)
AUXILIARY_MARKS = (
    *GAIN_MAP_MARKS,
    b"urn:com:apple:photo:",  # Apple auxiliary images: depth, portrait mattes, gain maps
    b"http://ns.google.com/photos/1.0/depthmap/",
    b"GDepth",
)
MAX_MPF_FRAMES_READ = 8


def _mpf_type(image: Image.Image, index: int) -> int | None:
    """The MP type (CIPA DC-007) of the file's MPF image ``index``, read from its MP entry."""
    data = image.info.get("mp")
    if not isinstance(data, bytes) or len(data) < 8:
        return None
    order: Literal["big", "little"] = "big" if data.startswith(b"MM") else "little"
    if not data.startswith((b"MM\x00\x2a", b"II\x2a\x00")):
        return None
    ifd = int.from_bytes(data[4:8], order)
    count = int.from_bytes(data[ifd : ifd + 2], order)
    for n in range(min(count, 64)):
        at = ifd + 2 + 12 * n
        entry = data[at : at + 12]
        if len(entry) < 12 or int.from_bytes(entry[:2], order) != 0xB002:
            continue
        offset = int.from_bytes(entry[8:12], order) + 16 * index
        attribute = data[offset : offset + 4]
        return int.from_bytes(attribute, order) & 0x00FFFFFF if len(attribute) == 4 else None
    return None


def _marked(image: Image.Image, marks: tuple[bytes, ...]) -> bool:
    """Whether the current frame's APP segments (XMP, ISO 21496-1) carry one of ``marks``."""
    for _marker, content in getattr(image, "applist", []):
        if isinstance(content, bytes) and any(mark in content for mark in marks):
            return True
    return False


def has_gain_map(image: Image.Image) -> bool:
    """Whether the JPEG ``image`` (just opened) carries an HDR gain map; never raises.

    Ultra HDR says so in the primary image's XMP (``hdrgm``); Apple and ISO 21496-1
    only in the gain map's own segments, so the MPF images' headers are read too.
    The image is left on its first picture.
    """
    try:
        if "mp" not in image.info:
            return False
        if _marked(image, GAIN_MAP_MARKS):
            return True
        frames = min(getattr(image, "n_frames", 1), MAX_MPF_FRAMES_READ)
        try:
            for frame in range(1, frames):
                image.seek(frame)
                if _marked(image, GAIN_MAP_MARKS):
                    return True
        finally:
            image.seek(0)
    except Exception:  # a damaged MPF index is simply no gain map
        return False
    return False


def _camera_preview(image: Image.Image, stored_box: tuple[int, int]) -> Image.Image | None:
    """The camera's large preview (the MPF second image) when it covers ``stored_box``.

    Cameras store a 1,600 to 3,800-pixel JPEG of the photo beside it; decoding
    that instead of a 24 MP original is several times faster, and for a
    terminal it is still more pixels than can be shown. It is used only when
    its MP type says it is a large thumbnail, it is a colour image with the
    photo's shape (no letterboxing), no XMP calls it a gain map, depth or other
    auxiliary image, and it is at least as large as the photo fitted to the box.
    None otherwise (and on any error), with the file back on its first image.
    """
    try:
        if getattr(image, "n_frames", 1) < 2 or _mpf_type(image, 1) not in LARGE_THUMBNAILS:
            return None
        if _marked(image, GAIN_MAP_MARKS):  # the primary names its second image a gain map
            return None
        full_w, full_h = image.size
        scale = min(stored_box[0] / full_w, stored_box[1] / full_h)
        needed = (int(full_w * scale), int(full_h * scale))
        image.seek(1)
        width, height = image.size
        same_shape = abs(width / height - full_w / full_h) < 0.01
        usable = image.mode == "RGB" and not _marked(image, AUXILIARY_MARKS)
        if not usable or not same_shape or width < needed[0] or height < needed[1]:
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
