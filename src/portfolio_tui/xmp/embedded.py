"""The XMP packet embedded in a photo, found by walking the file's structure.

The file is read with ``seek``; no whole file is read into memory and no pixel
is ever decoded:

- JPEG: the APP1 segment starting ``http://ns.adobe.com/xap/1.0/\\0``; segments
  are read one by one and the walk stops at SOS, where the pixels start.
  Extended XMP (``http://ns.adobe.com/xmp/extension/\\0``) is ignored: it holds
  what does not fit in one 64 KB segment, in practice large properties such
  as Camera Raw settings or Photoshop's history, not the short ones read here.
- PNG: the ``iTXt`` chunk with keyword ``XML:com.adobe.xmp`` (compressed or
  not; inflated with a size cap).  Other chunks are skipped with ``seek``.
- WebP: the ``XMP `` chunk of the RIFF container.
- Anything else Pillow can open (TIFF tag 700, ...): ``Image.open`` reads
  only the header, and ``image.info["xmp"]`` holds the packet.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import BinaryIO, Final

from PIL import Image

from ..imaging.raw import RAW_SUFFIXES
from .packets import MAX_PACKET_BYTES, _mb, _open_regular, _too_large

JPEG_XMP_SIGNATURE: Final = b"http://ns.adobe.com/xap/1.0/\x00"
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
PNG_XMP_KEYWORD: Final = b"XML:com.adobe.xmp"
_MAX_SEGMENTS: Final = 4096  # JPEG header segments before giving up
_MAX_CHUNKS: Final = 100_000  # PNG / WebP chunks before giving up


def embedded_origin(photo: Path) -> str:
    """How problems name a photo's embedded XMP."""
    return f"{photo} (embedded XMP)"


def read_embedded_packet(
    photo: Path, problems: list[str], file: Path | None = None
) -> bytes | None:
    """The XMP packet inside the photo (read-only, header only), or None.

    ``file`` is where the photo really is (``Photo.real_path``), read without
    following a link; default ``photo``, which then may not be a link. None too
    when it cannot be read, with the reason appended to ``problems``.
    """
    origin = embedded_origin(photo)
    handle = _open_regular(file or photo, "photo", problems, exactly=True, shown=photo)
    if handle is None:
        return None
    try:
        with handle:
            head = handle.read(16)
            if head.startswith(b"\xff\xd8"):
                packet = _jpeg_packet(handle)
            elif head.startswith(PNG_SIGNATURE):
                packet = _png_packet(handle, origin, problems)
            elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
                packet = _webp_packet(handle, origin, problems)
            elif photo.suffix.lower() in RAW_SUFFIXES:
                # A TIFF-based RAW (DNG, CR2, NEF...) may hold XMP in tag 700, as Lightroom
                # writes it into a DNG; other RAW formats keep it in sidecars. Whether the
                # RAW itself can be read is for the decoder and `check` to say, not XMP.
                tiff = head[:4] in (b"II*\x00", b"MM\x00*")
                packet = _pillow_packet(handle, origin, []) if tiff else None
            else:
                # A HEIC or JPEG XL needs its reader registered (lazily) before Pillow opens it.
                from ..imaging import plugins

                plugins.prepare(photo.suffix, head)
                packet = _pillow_packet(handle, origin, problems)
    except OSError as exc:
        problems.append(f"{origin}: cannot be read: {exc.strerror or exc}")
        return None
    return packet


def _read_exact(handle: BinaryIO, size: int) -> bytes | None:
    data = handle.read(size)
    return data if len(data) == size else None


def _jpeg_packet(handle: BinaryIO) -> bytes | None:
    """The standard XMP packet of a JPEG, from the segments before SOS.

    A segment holds at most 64 KB, so no size check is needed here.
    """
    handle.seek(2)
    for _ in range(_MAX_SEGMENTS):
        marker = handle.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None  # truncated or damaged header: no XMP to be found
        code = marker[1]
        fill = 0
        while code == 0xFF and fill < 64:  # fill bytes before a marker
            byte = handle.read(1)
            if not byte:
                return None
            code, fill = byte[0], fill + 1
        if code in (0xDA, 0xD9):  # start of scan (pixels follow) or end of image
            return None
        if code in (0x01, 0xD8) or 0xD0 <= code <= 0xD7:  # markers without a length
            continue
        raw = _read_exact(handle, 2)
        if raw is None:
            return None
        length = struct.unpack(">H", raw)[0] - 2
        if length < 0:
            return None
        if code == 0xE1 and length >= len(JPEG_XMP_SIGNATURE):
            signature = handle.read(len(JPEG_XMP_SIGNATURE))
            if signature == JPEG_XMP_SIGNATURE:
                return _read_exact(handle, length - len(signature))
            handle.seek(length - len(signature), os.SEEK_CUR)
        else:
            handle.seek(length, os.SEEK_CUR)
    return None


def _png_packet(handle: BinaryIO, origin: str, problems: list[str]) -> bytes | None:
    """The ``XML:com.adobe.xmp`` iTXt chunk's text, skipping every other chunk."""
    handle.seek(len(PNG_SIGNATURE))
    prefix_size = len(PNG_XMP_KEYWORD) + 1
    for _ in range(_MAX_CHUNKS):
        header = _read_exact(handle, 8)
        if header is None:
            return None
        length, kind = struct.unpack(">I4s", header)
        if kind == b"IEND":
            return None
        if kind == b"iTXt" and length >= prefix_size:
            prefix = handle.read(prefix_size)
            if prefix == PNG_XMP_KEYWORD + b"\x00":
                if length - prefix_size > MAX_PACKET_BYTES + 1024:  # room for tag and language
                    problems.append(_too_large(origin, length, MAX_PACKET_BYTES))
                    return None
                body = _read_exact(handle, length - prefix_size)
                return None if body is None else _itxt_text(body, origin, problems)
            handle.seek(length - len(prefix) + 4, os.SEEK_CUR)
        else:
            handle.seek(length + 4, os.SEEK_CUR)  # data and CRC
    return None


def _itxt_text(body: bytes, origin: str, problems: list[str]) -> bytes | None:
    """iTXt after its keyword: flag, method, language\\0, translated keyword\\0, text."""
    if len(body) < 2:
        return None
    compressed, method = body[0], body[1]
    parts = body[2:].split(b"\x00", 2)
    if len(parts) < 3:
        problems.append(f"{origin}: the PNG's XMP chunk is damaged; it is ignored")
        return None
    text = parts[2]
    if not compressed:
        return text
    if method != 0:
        problems.append(f"{origin}: the PNG's XMP chunk uses an unknown compression")
        return None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(text, MAX_PACKET_BYTES + 1)
    except zlib.error:
        problems.append(f"{origin}: the PNG's compressed XMP chunk is damaged; it is ignored")
        return None
    if len(data) > MAX_PACKET_BYTES or inflater.unconsumed_tail:
        problems.append(
            f"{origin}: the XMP is too large once decompressed (over {_mb(MAX_PACKET_BYTES)}); "
            "it was not read"
        )
        return None
    return data


def _webp_packet(handle: BinaryIO, origin: str, problems: list[str]) -> bytes | None:
    """The ``XMP `` chunk of a WebP (RIFF) file."""
    handle.seek(12)
    for _ in range(_MAX_CHUNKS):
        header = _read_exact(handle, 8)
        if header is None:
            return None
        kind, length = struct.unpack("<4sI", header)
        if kind == b"XMP ":
            if length > MAX_PACKET_BYTES:
                problems.append(_too_large(origin, length, MAX_PACKET_BYTES))
                return None
            return _read_exact(handle, length)
        handle.seek(length + (length & 1), os.SEEK_CUR)
    return None


def _pillow_packet(handle: BinaryIO, origin: str, problems: list[str]) -> bytes | None:
    """Pillow's ``info["xmp"]``, from the header alone (TIFF and other formats)."""
    try:
        handle.seek(0)
        with Image.open(handle) as image:
            value = image.info.get("xmp")
    except Image.DecompressionBombError:
        problems.append(f"{origin}: the image is too large to open safely; XMP not read")
        return None
    except Exception as exc:  # UnidentifiedImageError, damaged headers: plugins raise anything
        problems.append(f"{origin}: not an image Pillow can read ({type(exc).__name__})")
        return None
    if isinstance(value, str):
        value = value.encode("utf-8", errors="replace")
    if not isinstance(value, bytes) or not value:
        return None
    return value
