"""Camera RAW files through LibRaw (rawpy): embedded previews first, sensor pixels when needed.

A RAW file holds the camera's own JPEG preview beside the sensor data. Drawing that
preview (as Photo Mechanic does) costs a small JPEG decode; developing the sensor data
costs seconds. So every view asks for the smallest source that covers it: the preview,
else LibRaw's half-size development, else the full one (zoomed past the half size).

rawpy and numpy are imported inside the functions that need them, so a portfolio without
RAW files never loads them and start-up does not move. Files are opened through
:func:`.opening.open_file` (no links, regular files only) and LibRaw is handed that
descriptor (``/proc/self/fd/N``), never the path: it reads only what it needs, so a
preview never reads a 50 MB file. That opening, and the preview's extraction, are
:mod:`.libraw`; the shared decode steps come from :mod:`.opening` and :mod:`.fitting`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .libraw import FLIP_TO_ORIENTATION, MAX_PREVIEW_BYTES, _Opened, _opened, _preview, reason_for

if TYPE_CHECKING:
    from PIL import Image

    from .opening import ImageProbe

__all__ = [
    "EXIF_IFD",
    "FLIP_TO_ORIENTATION",
    "FORMAT_NAMES",
    "LIBRAW_BYTES_PER_PIXEL",
    "MAKE",
    "MAX_EMBEDDED_PREVIEW",
    "MAX_PREVIEW_BYTES",
    "METADATA_HEAD",
    "RAW_BYTES_PER_PIXEL",
    "RAW_SUFFIXES",
    "VIEW_PREVIEW",
    "WANTED",
    "Source",
    "described",
    "embedded_thumbnail",
    "exif",
    "fitted_with_source",
    "format_name",
    "is_raw",
    "load_fitted",
    "load_upright",
    "probe",
    "reason_for",
    "verify",
]

RAW_SUFFIXES = frozenset(
    {".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".sr2", ".srf", ".raf", ".orf", ".rw2"}
    | {".pef", ".srw", ".dng", ".3fr", ".iiq", ".erf", ".mos", ".x3f", ".rwl", ".raw"}
)
FORMAT_NAMES = {
    ".cr2": "Canon CR2",
    ".cr3": "Canon CR3",
    ".crw": "Canon CRW",
    ".nef": "Nikon NEF",
    ".nrw": "Nikon NRW",
    ".arw": "Sony ARW",
    ".sr2": "Sony SR2",
    ".srf": "Sony SRF",
    ".raf": "Fujifilm RAF",
    ".orf": "Olympus ORF",
    ".rw2": "Panasonic RW2",
    ".pef": "Pentax PEF",
    ".srw": "Samsung SRW",
    ".dng": "DNG",
    ".3fr": "Hasselblad 3FR",
    ".iiq": "Phase One IIQ",
    ".erf": "Epson ERF",
    ".mos": "Leaf MOS",
    ".x3f": "Sigma X3F",
    ".rwl": "Leica RWL",
    ".raw": "Panasonic/Leica RAW",
}
MAX_EMBEDDED_PREVIEW = 512 * 1024
"""The grid's instant placeholder uses a preview only this small (a tiny decode)."""
VIEW_PREVIEW = 640
"""A preview this long or longer covers the loupe in most terminals (the info panel says
the photo is drawn from it); smaller ones are thumbnails for the grid."""
METADATA_HEAD = 256 * 1024
"""CR3 keeps its EXIF boxes, TIFF RAWs their IFDs, within the file's first bytes."""
LIBRAW_BYTES_PER_PIXEL = 8
"""LibRaw's working image: four 16-bit channels per pixel developed."""
RAW_BYTES_PER_PIXEL = 2
"""The sensor data as unpacked: one 16-bit value per photosite."""

Source = Literal["preview", "half", "full"]


def is_raw(path: Path | str) -> bool:
    """Whether the file's name says it is a camera RAW file."""
    return Path(path).suffix.lower() in RAW_SUFFIXES


def format_name(path: Path | str) -> str:
    """``Nikon NEF (RAW)``: the RAW format as the info panel names it."""
    suffix = Path(path).suffix.lower()
    return f"{FORMAT_NAMES.get(suffix, suffix.lstrip('.').upper())} (RAW)"


def probe(path: Path) -> ImageProbe:
    """The RAW's sensor size and orientation from its header (no sensor data read)."""
    with _opened(path) as opened:
        return _probe_of(opened)


def _probe_of(opened: _Opened) -> ImageProbe:
    from .opening import ImageProbe

    kind = opened.path.suffix.lstrip(".").upper() or "RAW"
    return ImageProbe(kind, opened.width, opened.height, opened.orientation)


def _covers(size: tuple[int, int], needed: tuple[int, int]) -> bool:
    return size[0] >= needed[0] and size[1] >= needed[1]


def _needed(opened: _Opened, stored_box: tuple[int, int]) -> tuple[int, int]:
    """The photo fitted to ``stored_box`` (never past its sensor size): what a source must hold."""
    scale = min(1.0, stored_box[0] / opened.width, stored_box[1] / opened.height)
    return max(1, int(opened.width * scale)), max(1, int(opened.height * scale))


def _half_size(opened: _Opened) -> tuple[int, int]:
    return (opened.width + 1) // 2, (opened.height + 1) // 2


def _developed_bytes(opened: _Opened, half: bool) -> int:
    """What LibRaw and the copies made of its output hold while developing."""
    width, height = _half_size(opened) if half else (opened.width, opened.height)
    sensor = opened.raw_width * opened.raw_height * RAW_BYTES_PER_PIXEL
    # LibRaw's 4x16-bit working image, its 3-byte output, and Pillow's RGB copy (4 bytes).
    return sensor + width * height * (LIBRAW_BYTES_PER_PIXEL + 3 + 4)


def _develop(opened: _Opened, half: bool) -> Image.Image:
    """The sensor data developed by LibRaw (camera white balance, sRGB, 8 bits), as stored.

    Raises ImageError; holds its memory from the decode budget while developing.
    """
    import rawpy
    from PIL import Image

    from .budget import BUDGET, megapixels
    from .fitting import _gigabytes
    from .opening import ImageError

    needed = _developed_bytes(opened, half)
    if needed > BUDGET.total:
        raise ImageError(
            opened.path,
            f"RAW image is {megapixels((opened.width, opened.height))} megapixels, too large "
            f"to develop within the memory budget ({_gigabytes(BUDGET.total)}); "
            "export a JPEG beside it",
        )
    with BUDGET.reserve(needed):
        try:
            array = opened.raw.postprocess(
                half_size=half, use_camera_wb=True, output_bps=8, user_flip=0
            )
        except (rawpy.LibRawError, MemoryError) as exc:
            raise ImageError(opened.path, reason_for(exc)) from None
        if getattr(array, "ndim", 0) != 3 or array.shape[2] != 3 or array.size == 0:
            raise ImageError(opened.path, "LibRaw developed no picture; export a JPEG beside it")
        return Image.fromarray(array, "RGB")


def _from_preview(
    path: Path, preview: Image.Image, stored_box: tuple[int, int], upscale: bool
) -> Image.Image:
    """The preview (opened) fitted to ``stored_box`` in sRGB, like any JPEG."""
    from . import fitting

    if preview.format == "JPEG":
        preview.draft("RGB", stored_box)
    colour = fitting._colour_of(preview)
    mode = colour.working_mode if colour is not None else "RGB"
    full = preview.size
    target = fitting._fitted_size(full, stored_box, upscale)
    with _preview_reserved(path, preview):
        image, factor = fitting._managed(fitting._to_rgb(path, preview, mode), target, colour, mode)
        return fitting._fit(image, full, stored_box, upscale, factor)


def _preview_reserved(path: Path, preview: Image.Image) -> contextlib.AbstractContextManager[None]:
    """Hold from the decode budget what decoding the (drafted) preview takes: it and a copy."""
    from .budget import BUDGET, decoded_bytes
    from .opening import ImageError, _check_size

    _check_size(path, preview)
    needed = 2 * decoded_bytes("RGB", preview.size)
    if needed > BUDGET.total:
        raise ImageError(path, "the camera's preview is too large to decode; export a JPEG")
    return BUDGET.reserve(needed)


def _shape_matches(preview: Image.Image, opened: _Opened) -> bool:
    """Whether the preview has the photo's shape (no letterbox bars)."""
    aspect = opened.width / opened.height
    return abs(preview.width / preview.height - aspect) / aspect < 0.03


def _usable(preview: Image.Image | None, opened: _Opened, needed: tuple[int, int]) -> bool:
    """Whether the preview can stand for the photo at ``needed`` pixels: its shape (no
    letterbox bars) and at least that many pixels."""
    return preview is not None and _shape_matches(preview, opened) and _covers(preview.size, needed)


def load_fitted(path: Path, box: tuple[int, int], *, upscale: bool = True) -> Image.Image:
    """``path`` (a RAW) fitted to ``box``, upright, in sRGB: from its preview where that
    covers the box, else developed by LibRaw. Raises ImageError."""
    image, _source = fitted_with_source(path, box, upscale=upscale)
    return image


def fitted_with_source(
    path: Path, box: tuple[int, int], *, upscale: bool = True
) -> tuple[Image.Image, Source]:
    """:func:`load_fitted`, and which source it was drawn from."""
    from . import fitting
    from .opening import ImageError
    from .sizes import limit_box

    box = limit_box(box)
    with _opened(path) as opened:
        stored_box = (box[1], box[0]) if opened.sideways else box
        needed = _needed(opened, stored_box)
        preview = _preview(opened)
        try:
            if _usable(preview, opened, needed):
                assert preview is not None
                return _turned(_from_preview(path, preview, stored_box, upscale), opened), "preview"
            half = _covers(_half_size(opened), needed)
            try:
                developed = _develop(opened, half=half)
            except ImageError:
                if preview is None:
                    raise
                # Damaged sensor data, or a camera LibRaw cannot develop: the camera's own
                # preview still shows the photo, small as it is.
                return _turned(_from_preview(path, preview, stored_box, upscale), opened), "preview"
            full = developed.size
            target = fitting._fitted_size(full, stored_box, upscale)
            developed, factor = fitting._managed(developed, target, None, "RGB")
            fitted = fitting._fit(developed, full, stored_box, upscale, factor)
            return _turned(fitted, opened), "half" if half else "full"
        finally:
            if preview is not None:
                preview.close()


def _turned(image: Image.Image, opened: _Opened) -> Image.Image:
    from .opening import _TRANSPOSE

    transpose = _TRANSPOSE.get(opened.orientation)
    return image.transpose(transpose) if transpose is not None else image


def load_upright(path: Path, at_least: tuple[int, int]) -> tuple[Image.Image, tuple[int, int]]:
    """``path`` upright with at least ``at_least`` pixels where the sensor has them, and the
    stored size it was decoded at: the preview if it covers that, else LibRaw's half-size
    development, else the full one (the sensor's own pixels, for zooming in)."""
    from . import fitting
    from .opening import ImageError

    with _opened(path) as opened:
        wanted = (at_least[1], at_least[0]) if opened.sideways else at_least
        needed = _needed(opened, (max(1, wanted[0]), max(1, wanted[1])))
        preview = _preview(opened)
        try:
            if _usable(preview, opened, needed):
                assert preview is not None
                if preview.format == "JPEG":
                    preview.draft("RGB", needed)
                colour = fitting._colour_of(preview)
                mode = colour.working_mode if colour is not None else "RGB"
                with _preview_reserved(path, preview):
                    image = fitting._srgb(fitting._to_rgb(path, preview, mode), colour, mode)
                    if image is preview:
                        image = preview.copy()
            else:
                try:
                    image = _develop(opened, half=_covers(_half_size(opened), needed))
                except ImageError:
                    if preview is None:
                        raise
                    with _preview_reserved(path, preview):
                        image = fitting._to_rgb(path, preview, "RGB").copy()
        finally:
            if preview is not None:
                preview.close()
        stored = image.size
        return _turned(image, opened), stored


def verify(path: Path) -> ImageProbe:
    """Probe, draw a small version, and read the whole sensor data (``check``): a RAW whose
    data is cut short is named even where its preview still shows."""
    import rawpy

    from .budget import BUDGET
    from .opening import ImageError

    info = probe(path)
    load_fitted(path, (64, 64))
    with _opened(path) as opened:
        sensor = opened.raw_width * opened.raw_height * RAW_BYTES_PER_PIXEL
        if sensor > BUDGET.total:
            return info  # developing it is refused with a reason where it is shown
        with BUDGET.reserve(sensor):
            try:
                opened.raw.unpack()
            except (rawpy.LibRawError, MemoryError) as exc:
                raise ImageError(path, reason_for(exc)) from None
    return info


def embedded_thumbnail(path: Path, box: tuple[int, int]) -> Image.Image | None:
    """The camera's small preview fitted to ``box`` and upright, for the grid to show at
    once while LibRaw develops the photo; None otherwise. Never raises.

    Where the preview covers the box, the real thumbnail is that same preview decoded
    (:func:`load_fitted`), as cheap as a placeholder would be: None then, so the grid does
    not decode it twice before its first frame.
    """
    try:
        with _opened(path) as opened:
            preview = _preview(opened, MAX_EMBEDDED_PREVIEW)
            if preview is None:
                return None
            try:
                if preview.format != "JPEG" or not _shape_matches(preview, opened):
                    return None
                if preview.width * preview.height > 4_000_000:
                    return None
                stored_box = (box[1], box[0]) if opened.sideways else box
                if _covers(preview.size, _needed(opened, stored_box)):
                    return None
                return _turned(_from_preview(path, preview, stored_box, True), opened)
            finally:
                preview.close()
    except Exception:
        return None


def described(path: Path) -> tuple[ImageProbe, tuple[int, int] | None]:
    """:func:`probe`, and the size (upright) of the camera preview the views draw, from one
    opening: None where they develop the sensor data instead (no preview, a thumbnail too
    small for a view, or one of another shape). Raises ImageError as :func:`probe` does."""
    with _opened(path) as opened:
        info = _probe_of(opened)
        preview = _preview(opened)
        if preview is None:
            return info, None
        with preview:
            if max(preview.size) < VIEW_PREVIEW or not _shape_matches(preview, opened):
                return info, None
            size = preview.size
        return info, ((size[1], size[0]) if opened.sideways else size)


# --- metadata: EXIF without touching the sensor data ------------------------------------

_TIFF_MAGICS = {
    b"II*\x00": b"II*\x00",
    b"MM\x00*": b"MM\x00*",
    b"IIRO": b"II*\x00",  # Olympus ORF
    b"IIRS": b"II*\x00",  # Olympus ORF (some bodies)
    b"MMOR": b"MM\x00*",  # Olympus ORF (big-endian)
    b"IIU\x00": b"II*\x00",  # Panasonic RW2/RWL/RAW
}
EXIF_IFD = 0x8769
MAKE = 0x010F
WANTED = (0x829A, 0x829D, 0x8827)
"""Exposure time, f-number, ISO: where the header lacks one, the preview's EXIF may hold it
(Panasonic keeps ISO in its own tag, and the EXIF in the preview)."""


def exif(path: Path) -> tuple[Image.Exif, dict[int, Any]] | None:
    """The RAW's EXIF: IFD0 and the EXIF IFD, as Pillow reads them; None if none is found.

    Never through rawpy's ``other``/``lens`` (they read and decode the whole sensor
    data): TIFF-based RAWs (NEF, CR2, DNG, ARW, ORF, RW2 ...) are TIFF at their start,
    CR3 keeps TIFF blobs in its CMT1/CMT2 boxes, and RAF, X3F and RW2 also carry EXIF in
    their embedded preview JPEG, which fills what the header lacks. Never raises.
    """
    from PIL import Image

    from .opening import ImageError, open_file

    try:
        with open_file(path) as handle:
            head = handle.read(METADATA_HEAD)
    except (ImageError, OSError):
        return None
    found: tuple[Image.Exif, dict[int, Any]] | None = None
    try:
        found = _cr3_exif(head) or _tiff_exif(head)
    except Exception:
        found = None
    if found is None or not found[0].get(MAKE) or any(tag not in found[1] for tag in WANTED):
        try:
            with _opened(path) as opened:
                preview = _preview(opened)
                if preview is not None:
                    with preview:
                        ifd0 = preview.getexif()
                        sub = dict(ifd0.get_ifd(EXIF_IFD))
                    if found is None:
                        found = (ifd0, sub)
                    else:
                        merged = Image.Exif()
                        for tag, value in ifd0.items():
                            merged[tag] = value
                        for tag, value in found[0].items():
                            merged[tag] = value
                        found = (merged, {**sub, **found[1]})
        except Exception:
            pass
    return found


def _tiff_exif(head: bytes) -> tuple[Image.Exif, dict[int, Any]] | None:
    from PIL import Image

    magic = _TIFF_MAGICS.get(head[:4])
    if magic is None:
        return None
    data = magic + head[4:]
    ifd0 = Image.Exif()
    ifd0.load(data)
    try:
        sub = dict(ifd0.get_ifd(EXIF_IFD))
    except Exception:
        sub = {}
    return ifd0, sub


def _cr3_exif(head: bytes) -> tuple[Image.Exif, dict[int, Any]] | None:
    """EXIF from a CR3's CMT1 (IFD0) and CMT2 (EXIF IFD) boxes, each a TIFF blob."""
    from PIL import Image

    if head[4:12] != b"ftypcrx ":
        return None
    blobs: dict[bytes, bytes] = {}
    for name in (b"CMT1", b"CMT2"):
        at = head.find(name)
        if at < 4:
            continue
        size = int.from_bytes(head[at - 4 : at], "big")
        blob = head[at + 4 : at - 4 + size]
        if size >= 8 and len(blob) == size - 8:
            blobs[name] = blob
    if b"CMT1" not in blobs:
        return None
    ifd0 = Image.Exif()
    ifd0.load(blobs[b"CMT1"])
    sub: dict[int, Any] = {}
    if b"CMT2" in blobs:
        exif_ifd = Image.Exif()
        exif_ifd.load(blobs[b"CMT2"])
        sub = dict(exif_ifd)
    return ifd0, sub
