"""Real RAW fixtures for the RAW tests, and a Panasonic RW2 made to order from the real one."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from PIL import Image

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "raw"
RED = (200, 40, 30)
BLUE = (30, 60, 200)


def ifd0_entries(data: bytes) -> dict[int, int]:
    """Tag -> position of its entry in a little-endian TIFF-like file's IFD0 (RW2)."""
    ifd = struct.unpack_from("<I", data, 4)[0]
    count = struct.unpack_from("<H", data, ifd)[0]
    return {
        struct.unpack_from("<H", data, ifd + 2 + 12 * n)[0]: ifd + 2 + 12 * n for n in range(count)
    }


def rw2(tmp_path: Path, *, orientation: int = 1, preview: tuple[int, int] | None = None) -> Path:
    """The real Panasonic RW2 with its Orientation tag set, and (optionally) its 8x8 camera
    preview replaced by a larger one: red with a blue top-left quarter, so a picture drawn
    from the preview tells itself from LibRaw's development (greyish blue here)."""
    data = bytearray((FIXTURES / "Panasonic.rw2").read_bytes())
    entries = ifd0_entries(data)
    struct.pack_into("<H", data, entries[0x0112] + 8, orientation)
    if preview is not None:
        image = Image.new("RGB", preview, RED)
        image.paste(BLUE, (0, 0, preview[0] // 2, preview[1] // 2))
        jpeg = io.BytesIO()
        image.save(jpeg, "JPEG", quality=92)
        # Tag 0x2E (JpgFromRaw) holds the preview; the new one goes where the old one was
        # (flat colours compress well below its 10.8 KB): appended, it would lengthen what
        # LibRaw reads as the sensor data, which the test file has cut short.
        count, offset = struct.unpack_from("<II", data, entries[0x002E] + 4)
        new = jpeg.getvalue()
        assert len(new) <= count
        data[offset : offset + count] = new + bytes(count - len(new))
        struct.pack_into("<I", data, entries[0x002E] + 4, len(new))
    path = tmp_path / "P1000001.RW2"
    path.write_bytes(bytes(data))
    return path
