"""The few ISO BMFF (HEIF, AVIF) header boxes the app reads itself: bounded, never trusted.

Pillow's AVIF plugin does not give the nclx colour box, and neither reader says
whether the primary picture carries its own rotation (``irot``/``imir``): both
are read here from the file's first ``HEAD_BYTES``. Anything odd (a box cut
short, the meta box after the picture data) reads as nothing.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from PIL import Image

HEAD_BYTES = 64 * 1024
Box = tuple[bytes, int, int]
"""A box's type and where its body starts and ends in the data."""


def boxes(data: bytes, start: int, end: int) -> Iterator[Box]:
    """The boxes in ``data[start:end]``, up to the first that does not fit."""
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1 and at + 16 <= end:
            size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            return
        yield kind, at + header, at + size
        at += size


def associations(data: bytes, start: int, end: int) -> dict[int, list[int]]:
    """An ipma box: item id -> its properties' indexes (1-based) in ipco."""
    version, flags = data[start], int.from_bytes(data[start + 1 : start + 4], "big")
    (count,) = struct.unpack_from(">I", data, start + 4)
    at, links = start + 8, {}
    for _ in range(count):
        if version < 1:
            (item,) = struct.unpack_from(">H", data, at)
            at += 2
        else:
            (item,) = struct.unpack_from(">I", data, at)
            at += 4
        n = data[at]
        at += 1
        indexes = []
        for _ in range(n):
            if flags & 1:
                indexes.append(struct.unpack_from(">H", data, at)[0] & 0x7FFF)
                at += 2
            else:
                indexes.append(data[at] & 0x7F)
                at += 1
        if at > end:
            break
        links[item] = indexes
    return links


def primary_properties(image: Image.Image) -> tuple[bytes, list[Box]] | None:
    """The file's first bytes and the property boxes of its primary picture; None if unread.

    ``image`` is an opened HEIF or AVIF; its file position is left where it was.
    """
    fp = getattr(image, "fp", None)
    if fp is None:
        return None
    try:
        where = fp.tell()
        try:
            fp.seek(0)
            head = fp.read(HEAD_BYTES)
        finally:
            fp.seek(where)
        return head, _primary(head)
    except (OSError, ValueError, IndexError, struct.error):
        return None


def _primary(head: bytes) -> list[Box]:
    meta = next(((s, e) for kind, s, e in boxes(head, 0, len(head)) if kind == b"meta"), None)
    if meta is None:
        return []
    primary: int | None = None
    properties: list[Box] = []
    links: dict[int, list[int]] = {}
    for kind, start, end in boxes(head, meta[0] + 4, meta[1]):  # meta is a full box
        if kind == b"pitm":
            primary = struct.unpack_from(">H" if head[start] == 0 else ">I", head, start + 4)[0]
        elif kind == b"iprp":
            for inner, s, e in boxes(head, start, end):
                if inner == b"ipco":
                    properties = list(boxes(head, s, e))
                elif inner == b"ipma":
                    links = associations(head, s, e)
    if primary is None:
        return []
    return [properties[i - 1] for i in links.get(primary, ()) if 0 < i <= len(properties)]


def turned_by_container(image: Image.Image) -> bool | None:
    """Whether the primary picture has its own rotation or mirror box (the decoder applies
    it); None where the header cannot be read."""
    found = primary_properties(image)
    if found is None:
        return None
    return any(kind in (b"irot", b"imir") for kind, _, _ in found[1])
