"""JPEG multi-picture files (MPF): the camera's large preview and HDR gain maps.

Cameras store a large preview of the photo as the MPF's second image
(:func:`_camera_preview` decodes that instead of the original where it covers the
box); Ultra HDR, Apple and ISO 21496-1 store a gain map there (:func:`has_gain_map`).
Read from the headers only.
"""

from __future__ import annotations

from typing import Literal

from PIL import Image

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
