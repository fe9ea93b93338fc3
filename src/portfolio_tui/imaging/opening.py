"""Opening a photo's file safely and reading its header: no pixels decoded here.

:class:`ImageError` (a photo that cannot be shown, with a reason a photographer can
act on) and :class:`ImageProbe` (what a header says), the EXIF orientation tables,
:func:`open_file` (a regular file at exactly its path), :func:`opened_image` (Pillow
on that file, with the reasons for what it refuses, 12-bit JPEGs among them), the
decompression-bomb size check and the orientation a header asks for. Shared by
:mod:`.decode` and :mod:`.raw`; imports neither.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from ..files import NotRegularFile, open_exactly
from . import plugins

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
