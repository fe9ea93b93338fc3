"""Whether a file holds C2PA Content Credentials, from its structure alone.

Most photos in a portfolio hold none, and the c2pa library is a large native
import: :func:`has_manifest` decides from a few headers, read with seeks (never
the whole file), so c2pa is imported only for a file that may hold a manifest.
It looks for the places the C2PA specification puts a manifest store:

- JPEG: an APP11 segment carrying a JUMBF superbox labelled ``c2pa`` (before SOS);
- PNG: a ``caBX`` chunk;
- ISO BMFF (HEIC, AVIF, MP4): a top-level ``uuid`` box with the C2PA UUID;
- RIFF (WebP): a ``C2PA`` chunk;
- TIFF, DNG: tag 52545 (0xCD41) in IFD0;
- any format: a sidecar ``NAME.c2pa`` beside the file (same stem).

A JPEG or PNG whose XMP names a remote manifest (``dcterms:provenance`` with a
URL) counts too, so that the reader can say the credentials are online and are
not fetched. An unreadable or truncated file holds none (False, never an error).
"""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path
from typing import BinaryIO, Final

__all__ = ["EMBEDDED", "REMOTE", "SIDECAR", "has_manifest", "manifest_kind", "sidecar_path"]

EMBEDDED: Final = "embedded"
"""The manifest store is inside the file."""
REMOTE: Final = "remote"
"""The file's XMP points at a manifest stored online (never fetched)."""
SIDECAR: Final = "sidecar"
"""The manifest store is in ``NAME.c2pa`` beside the file."""

C2PA_BMFF_UUID: Final = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")
"""The ``uuid`` box type of a C2PA manifest store in ISO BMFF (C2PA spec, A.5)."""
C2PA_TIFF_TAG: Final = 0xCD41
MAX_SEGMENTS: Final = 4096
"""Segments, chunks or boxes walked at most: a crafted file cannot keep the scan busy."""
XMP_READ: Final = 256 * 1024
"""Bytes of an XMP packet searched for a remote manifest reference."""

_XMP_JPEG = b"http://ns.adobe.com/xap/1.0/\x00"
_PROVENANCE = b"dcterms:provenance"


def sidecar_path(path: Path) -> Path | None:
    """The ``NAME.c2pa`` sidecar beside ``path``, if there is one."""
    if path.suffix.lower() == ".c2pa":
        return None
    sidecar = path.with_suffix(".c2pa")
    try:
        return sidecar if sidecar.is_file() else None
    except (OSError, ValueError):
        return None


def manifest_kind(path: Path) -> str | None:
    """Where ``path``'s manifest is: :data:`EMBEDDED`, :data:`REMOTE`, :data:`SIDECAR`, or None.

    An embedded manifest wins over a sidecar (the reader reads the file's own). A file
    that cannot be opened has none, whatever lies beside it.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block
    except (OSError, ValueError):
        return None  # no such file, not readable
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        regular = False
    if not regular:  # a folder, a device
        os.close(fd)
        return None
    with open(fd, "rb") as f:
        try:
            found = _embedded(f)
        except OSError:
            return None
        except (ValueError, struct.error):  # a damaged header: look no further
            found = None
    if found == EMBEDDED:
        return EMBEDDED
    if sidecar_path(path) is not None:
        return SIDECAR
    return found


def has_manifest(path: Path) -> bool:
    """True when ``path`` holds a manifest, points at a remote one, or has a sidecar."""
    return manifest_kind(path) is not None


def _embedded(f: BinaryIO) -> str | None:
    head = f.read(16)
    if head[:2] == b"\xff\xd8":
        return _jpeg(f)
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return _png(f)
    if head[:4] == b"RIFF" and len(head) >= 12:
        return _riff(f)
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return _tiff(f, head)
    if head[4:8] in (b"ftyp", b"uuid", b"free", b"skip", b"wide", b"mdat", b"moov"):
        return _bmff(f)
    return None


def _jpeg(f: BinaryIO) -> str | None:
    """APP11 segments up to SOS; a remote reference in the XMP APP1."""
    pos = 2
    remote = False
    for _ in range(MAX_SEGMENTS):
        f.seek(pos)
        header = f.read(4)
        if len(header) < 4 or header[0] != 0xFF:
            break
        marker = header[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            pos += 2
            continue
        if marker in (0xDA, 0xD9):  # SOS, EOI: no metadata after this
            break
        length = struct.unpack(">H", header[2:4])[0]
        if length < 2:
            break
        if marker == 0xEB and length >= 2 + 8 + 8 and _jumbf_is_c2pa(f.read(min(length - 2, 96))):
            return EMBEDDED
        if marker == 0xE1 and not remote:
            data = f.read(min(length - 2, XMP_READ))
            remote = data.startswith(_XMP_JPEG) and _names_remote(data)
        pos += 2 + length
    return REMOTE if remote else None


def _jumbf_is_c2pa(payload: bytes) -> bool:
    """An APP11 payload ("JP", instance, sequence, then a JUMBF box) labelled ``c2pa``."""
    if payload[:2] != b"JP":
        return False
    box = payload[8:]
    if box[4:8] != b"jumb":
        return False
    jumd = box[16:] if struct.unpack(">I", box[:4])[0] == 1 else box[8:]
    if jumd[4:8] != b"jumd":
        return False
    description = jumd[16:] if struct.unpack(">I", jumd[:4])[0] == 1 else jumd[8:]
    # 16-byte content type UUID, a toggles byte (0x02: a label follows), the label.
    if len(description) < 17 or not description[16] & 0x02:
        return False
    return description[17:].split(b"\x00", 1)[0] == b"c2pa"


def _names_remote(xmp: bytes) -> bool:
    """The XMP's ``dcterms:provenance`` is a URL (a manifest stored online)."""
    at = xmp.find(_PROVENANCE)
    while at >= 0:
        tail = xmp[at + len(_PROVENANCE) : at + len(_PROVENANCE) + 64].lstrip(b"=\"'> \t\r\n")
        if tail[:8].lower() == b"https://" or tail[:7].lower() == b"http://":
            return True
        at = xmp.find(_PROVENANCE, at + 1)
    return False


def _png(f: BinaryIO) -> str | None:
    """Chunk headers up to IEND: ``caBX``; a remote reference in the XMP ``iTXt``."""
    pos = 8
    remote = False
    for _ in range(MAX_SEGMENTS * 4):
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            break
        length, kind = struct.unpack(">I4s", header)
        if kind == b"caBX":
            return EMBEDDED
        if kind == b"IEND":
            break
        if kind == b"iTXt" and not remote:
            data = f.read(min(length, XMP_READ))
            remote = data.startswith(b"XML:com.adobe.xmp\x00") and _names_remote(data)
        pos += 12 + length
    return REMOTE if remote else None


def _riff(f: BinaryIO) -> str | None:
    """RIFF chunks (WebP): ``C2PA``."""
    pos = 12
    for _ in range(MAX_SEGMENTS):
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            break
        kind, size = struct.unpack("<4sI", header)
        if kind == b"C2PA":
            return EMBEDDED
        pos += 8 + size + (size & 1)
    return None


def _bmff(f: BinaryIO) -> str | None:
    """Top-level boxes (HEIC, AVIF, MP4): ``uuid`` with the C2PA UUID."""
    pos = 0
    for _ in range(MAX_SEGMENTS):
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            break
        size, kind = struct.unpack(">I4s", header)
        header_size = 8
        if size == 1:
            large = f.read(8)
            if len(large) < 8:
                break
            size = struct.unpack(">Q", large)[0]
            header_size = 16
        if kind == b"uuid" and f.read(16) == C2PA_BMFF_UUID:
            return EMBEDDED
        if size == 0:  # to the end of the file
            break
        if size < header_size:
            break
        pos += size
    return None


def _tiff(f: BinaryIO, head: bytes) -> str | None:
    """IFD0's tags (TIFF, DNG, BigTIFF): 0xCD41."""
    order = "<" if head[:2] == b"II" else ">"
    big = head[2:4] in (b"+\x00", b"\x00+")
    if big:
        offset = struct.unpack(order + "Q", head[8:16])[0]
        f.seek(offset)
        count = struct.unpack(order + "Q", f.read(8))[0]
        entry, tag_format = 20, order + "H"
    else:
        offset = struct.unpack(order + "I", head[4:8])[0]
        f.seek(offset)
        count = struct.unpack(order + "H", f.read(2))[0]
        entry, tag_format = 12, order + "H"
    count = min(count, MAX_SEGMENTS)
    table = f.read(count * entry)
    for i in range(len(table) // entry):
        if struct.unpack_from(tag_format, table, i * entry)[0] == C2PA_TIFF_TAG:
            return EMBEDDED
    return None
