"""LibRaw (rawpy) opening a camera RAW file: safely, quietly, with reasons for its errors.

The file is opened through :func:`.opening.open_file` (no links, regular files only)
and LibRaw is handed that descriptor (``/proc/self/fd/N``), never the path; LibRaw's
own messages on stderr are silenced (:func:`_quiet`); its exceptions become a
photographer's words (:func:`reason_for`); and the camera's embedded preview is
extracted (:func:`_preview`). rawpy and Pillow are imported inside the functions.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

# LibRaw's `flip` as the EXIF orientation it stands for (LibRaw reads EXIF's 1..8 into
# 0,1,3,2,4,6,7,5), so decode's one transpose table turns RAWs and JPEGs alike.
FLIP_TO_ORIENTATION = {0: 1, 1: 2, 3: 3, 2: 4, 4: 5, 6: 6, 7: 7, 5: 8}
MAX_PREVIEW_BYTES = 64 << 20
"""A camera preview larger than this is no preview (a crafted length): not read."""


def _libraw_version() -> str:
    try:
        import rawpy

        return ".".join(str(part) for part in rawpy.libraw_version)
    except Exception:
        return ""


def reason_for(exc: BaseException) -> str:
    """What a LibRaw (rawpy) error means to a photographer, and what to do."""
    name = type(exc).__name__
    if isinstance(exc, ImportError):
        return "RAW files need rawpy, which is not installed; install it: pip install rawpy"
    if name == "LibRawFileUnsupportedError":
        libraw = " ".join(part for part in ("LibRaw", _libraw_version()) if part)
        return (
            f"{libraw} cannot read this camera's RAW files (an unsupported camera "
            "or not a RAW file); export a JPEG or DNG beside it"
        )
    if name in ("LibRawIOError", "LibRawDataError", "LibRawRequestForNonexistentImageError"):
        return (
            "RAW file is damaged or cut short (its sensor data is incomplete); "
            "copy it from the card again"
        )
    if name == "LibRawTooBigError":
        return "RAW image is too big for LibRaw to develop; export a JPEG or DNG beside it"
    if name == "LibRawMemoryError" or isinstance(exc, MemoryError):
        return "not enough memory to develop this RAW file; export a smaller JPEG beside it"
    if name in ("LibRawOutOfOrderCallError", "LibRawCancelledByCallbackError"):
        return "LibRaw could not develop this RAW file; export a JPEG or DNG beside it"
    return f"LibRaw cannot read this RAW file ({name}); export a JPEG or DNG beside it"


@dataclass
class _Opened:
    """A RAW file opened by LibRaw: its sizes (stored orientation) and orientation."""

    path: Path
    raw: Any  # rawpy.RawPy
    width: int
    height: int
    raw_width: int
    raw_height: int
    orientation: int

    @property
    def sideways(self) -> bool:
        return self.orientation in (5, 6, 7, 8)


def _descriptor_path(fd: int) -> str:
    """A name the C library can open that is exactly this descriptor's file."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(folder):
            return f"{folder}/{fd}"
    raise OSError("no /proc/self/fd or /dev/fd to hand the file to LibRaw")


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[_Opened]:
    """``path`` opened safely and parsed by LibRaw (headers only); ImageError if it cannot be."""
    from .opening import ImageError, open_file

    with open_file(path) as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise ImageError(path, "file is empty (0 bytes); copy the photo again")
        try:
            import rawpy
        except ImportError as exc:
            raise ImageError(path, reason_for(exc)) from None
        try:
            raw = rawpy.imread(_descriptor_path(handle.fileno()))
        except (rawpy.LibRawError, OSError, MemoryError) as exc:
            raise ImageError(path, reason_for(exc)) from None
        _quiet(raw)
        try:
            sizes = raw.sizes
            if sizes.width <= 0 or sizes.height <= 0:
                raise ImageError(path, "RAW file has no picture; copy it from the card again")
            yield _Opened(
                path,
                raw,
                sizes.width,
                sizes.height,
                max(sizes.raw_width, sizes.width),
                max(sizes.raw_height, sizes.height),
                FLIP_TO_ORIENTATION.get(sizes.flip, 1),
            )
        finally:
            raw.close()


# rawpy releases whose object layout _quiet was checked against: PyObject header, Cython's
# method table, then the LibRaw pointer; LibRaw's first member after its own vtable is
# the libraw_data_t the C API takes.
_QUIET_LAYOUT = {"0.27.1": 56, "0.28.0": 56}
_QUIET_OFFSET = 24
_libraw_c: Any = None


def _quiet(raw: Any) -> None:
    """Stop LibRaw printing "data corrupted" / "Unexpected end of file" on stderr.

    LibRaw reports damaged sensor data through a callback that writes to the process's
    stderr, where the app is drawing the screen (Textual writes to it): the message would
    land in the middle of a frame. The error itself still comes back as an exception and
    is reported in our own words. rawpy does not expose the callback, so it is cleared
    through LibRaw's C API, only for rawpy releases whose layout is known, and only when
    the pointer found gives back the sizes rawpy reports; otherwise nothing is done.
    """
    global _libraw_c
    try:
        import ctypes

        import rawpy

        if _QUIET_LAYOUT.get(rawpy.__version__) != type(raw).__basicsize__:
            return
        if _libraw_c is None:
            folder = os.path.dirname(rawpy.__file__)
            names = sorted(n for n in os.listdir(folder) if n.startswith("libraw_r.so"))
            if not names:
                _libraw_c = False
                return
            lib = ctypes.CDLL(os.path.join(folder, names[0]))
            for name in ("libraw_get_raw_width", "libraw_get_iheight"):
                getattr(lib, name).restype = ctypes.c_int
                getattr(lib, name).argtypes = [ctypes.c_void_p]
            lib.libraw_set_dataerror_handler.argtypes = [ctypes.c_void_p] * 3
            lib.libraw_set_dataerror_handler.restype = None
            _libraw_c = lib
        if not _libraw_c:
            return
        pointer = ctypes.c_void_p.from_address(id(raw) + _QUIET_OFFSET).value
        if not pointer:
            return
        data = pointer + ctypes.sizeof(ctypes.c_void_p)
        sizes = raw.sizes
        if (
            _libraw_c.libraw_get_raw_width(data) == sizes.raw_width
            and _libraw_c.libraw_get_iheight(data) == sizes.iheight
        ):
            _libraw_c.libraw_set_dataerror_handler(data, None, None)
    except Exception:  # only the message is at stake
        return


def _preview(opened: _Opened, max_bytes: int = MAX_PREVIEW_BYTES) -> Image.Image | None:
    """The camera's embedded preview, opened (JPEG: header only), or None; never raises."""
    from PIL import Image

    try:
        thumb = opened.raw.extract_thumb()
    except Exception:  # no preview, an unsupported one, or damaged: developed instead
        return None
    try:
        if thumb.format.name == "JPEG":
            data = bytes(thumb.data)
            if not data.startswith(b"\xff\xd8") or len(data) > max_bytes:
                return None
            image = Image.open(io.BytesIO(data))
            if image.format != "JPEG" or image.width < 1 or image.height < 1:
                return None
            return image
        array = thumb.data
        if getattr(array, "ndim", 0) != 3 or array.shape[2] != 3:
            return None
        return Image.fromarray(array.astype("uint8"), "RGB")
    except Exception:
        return None
