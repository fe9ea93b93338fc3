"""ICC colour profiles read and written by hand, without LittleCMS.

Reading: a profile's data colour space (:func:`_icc_space`), one tag's data
(:func:`_icc_tag`) and the name it gives itself (:func:`profile_description`), from
bounded reads of an untrusted blob. Writing: version 2 matrix/TRC display profiles
from published colorimetry (:func:`matrix_profile`), for files that describe their
colours without a profile (EXIF Adobe RGB, PNG cHRM/gAMA, HEIF/AVIF nclx). Used by
:mod:`.colour` and :mod:`portfolio_tui.metadata`; imports neither.
"""

from __future__ import annotations

import struct
from typing import Any

MAX_PROFILE_NAME = 60
ICC_HEADER_SIZE = 128
MAX_ICC_TAGS = 1024  # real profiles have tens; a crafted count is not walked far
D50 = (0.9642, 1.0, 0.8249)


def clean_text(value: Any, limit: int) -> str | None:
    """A text field from a file's header (str or bytes) without NULs or edge spaces,
    at most ``limit`` characters (cut with an ellipsis); None when empty or not text."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _icc_space(icc: bytes) -> str | None:
    """The profile's data colour space from its header, or None when it is no profile."""
    if len(icc) < 132 or icc[36:40] != b"acsp":
        return None
    return {b"RGB ": "RGB", b"CMYK": "CMYK", b"GRAY": "GRAY"}.get(icc[16:20], "other")


def profile_description(icc: object) -> str | None:
    """The name an ICC profile gives itself (``sRGB IEC61966-2.1``); never raises.

    Read from the profile's ``desc`` tag by hand rather than through
    LittleCMS (``PIL.ImageCms``): the blob comes from the file, so it is
    untrusted, and only one short string is wanted.  Version 2 profiles hold
    ASCII (``desc`` type, or ``text``), version 4 ones UTF-16 in one or more
    languages (``mluc`` type; English is preferred, else the first).  None
    when there is no profile or it is damaged; at most
    :data:`MAX_PROFILE_NAME` characters.
    """
    if not isinstance(icc, bytes) or len(icc) < ICC_HEADER_SIZE + 4:
        return None
    if icc[36:40] != b"acsp":  # the signature every ICC profile carries
        return None
    try:
        tag = _icc_tag(icc, b"desc")
        return None if tag is None else clean_text(_icc_text(tag), MAX_PROFILE_NAME)
    except (struct.error, ValueError):  # damaged beyond what the bounds checks catch
        return None


def _icc_tag(icc: bytes, signature: bytes) -> bytes | None:
    """The data of one tag from the profile's tag table, if it lies inside the blob."""
    (count,) = struct.unpack_from(">I", icc, ICC_HEADER_SIZE)
    table = ICC_HEADER_SIZE + 4
    count = min(count, MAX_ICC_TAGS, (len(icc) - table) // 12)
    for index in range(count):
        sig, offset, size = struct.unpack_from(">4sII", icc, table + 12 * index)
        if sig == signature:
            if size < 12 or offset + size > len(icc):
                return None
            return icc[offset : offset + size]
    return None


def _icc_text(tag: bytes) -> str | None:
    """The text of a ``desc``, ``text`` or ``mluc`` tag."""
    kind = tag[:4]
    if kind == b"desc":  # textDescriptionType: count, then ASCII with a NUL
        (length,) = struct.unpack_from(">I", tag, 8)
        return tag[12 : 12 + length].split(b"\x00", 1)[0].decode("latin-1")
    if kind == b"text":
        return tag[8:].split(b"\x00", 1)[0].decode("latin-1")
    if kind != b"mluc":
        return None
    records, record_size = struct.unpack_from(">II", tag, 8)
    if record_size < 12:
        return None
    records = min(records, (len(tag) - 16) // record_size)
    chosen: tuple[int, int] | None = None
    rank_chosen = 3
    for index in range(records):
        language, country, length, offset = struct.unpack_from(
            ">2s2sII", tag, 16 + index * record_size
        )
        rank = 0 if (language, country) == (b"en", b"US") else 1 if language == b"en" else 2
        if rank < rank_chosen:
            chosen, rank_chosen = (offset, length), rank
    if chosen is None:
        return None
    offset, length = chosen
    if offset + length > len(tag):
        return None
    return tag[offset : offset + length].decode("utf-16-be", errors="replace")


# -- building matrix/TRC profiles -------------------------------------------------------


def _xyz(xy: tuple[float, float]) -> tuple[float, float, float]:
    x, y = xy
    return x / y, 1.0, (1 - x - y) / y


def _mul(m: list[list[float]], v: Any) -> list[float]:
    return [sum(m[r][c] * v[c] for c in range(3)) for r in range(3)]


def _matmul(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    return [[sum(a[r][k] * b[k][c] for k in range(3)) for c in range(3)] for r in range(3)]


def _inverse(m: list[list[float]]) -> list[list[float]]:
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return [
        [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
        [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
        [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
    ]


BRADFORD = [
    [0.8951, 0.2664, -0.1614],
    [-0.7502, 1.7135, 0.0367],
    [0.0389, -0.0685, 1.0296],
]


def _adapt(white: tuple[float, float, float]) -> list[list[float]]:
    """The Bradford matrix taking XYZ under ``white`` to XYZ under D50."""
    src, dst = _mul(BRADFORD, white), _mul(BRADFORD, D50)
    scale = [[dst[i] / src[i] if i == j else 0.0 for j in range(3)] for i in range(3)]
    return _matmul(_inverse(BRADFORD), _matmul(scale, BRADFORD))


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(xyz: Any) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(v) for v in xyz)


def _curve_tag(trc: Any) -> bytes:
    if isinstance(trc, (int, float)):
        # parametricCurveType 0 (Y = X^g): read by LittleCMS in v2 profiles too, and
        # exact where curv's 8.8 fixed point would round the gamma.
        return b"para\0\0\0\0" + struct.pack(">HH", 0, 0) + _s15(float(trc))
    samples = [max(0, min(65535, round(trc(i / 1023) * 65535))) for i in range(1024)]
    return b"curv\0\0\0\0" + struct.pack(">I1024H", 1024, *samples)


def _desc_tag(text: str) -> bytes:
    ascii_text = text.encode("ascii", "replace") + b"\0"
    body = b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text
    return body + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + bytes(67)


def _text_tag(text: str) -> bytes:
    return b"text\0\0\0\0" + text.encode("ascii", "replace") + b"\0"


def matrix_profile(
    name: str,
    white: tuple[float, float],
    primaries: Any,
    trc: Any,
) -> bytes:
    """A version 2 matrix/TRC ICC display profile from published colorimetry.

    ``white`` and ``primaries`` are CIE xy chromaticities (red, green, blue); ``trc``
    is a gamma (a number) or a function from encoded [0, 1] to linear [0, 1]. The
    colorants are Bradford-adapted to D50, as ICC version 2 requires.
    """
    white_xyz = _xyz(white)
    columns = [_xyz(p) for p in primaries]
    m = [[columns[c][r] for c in range(3)] for r in range(3)]
    scale = _mul(_inverse(m), white_xyz)
    rgb_to_xyz = [[m[r][c] * scale[c] for c in range(3)] for r in range(3)]
    adapted = _matmul(_adapt(white_xyz), rgb_to_xyz)
    curve = _curve_tag(trc)
    tags = [
        (b"desc", _desc_tag(name)),
        (b"cprt", _text_tag("No copyright, use freely")),
        (b"wtpt", _xyz_tag(white_xyz)),
        (b"rXYZ", _xyz_tag([adapted[r][0] for r in range(3)])),
        (b"gXYZ", _xyz_tag([adapted[r][1] for r in range(3)])),
        (b"bXYZ", _xyz_tag([adapted[r][2] for r in range(3)])),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    table = struct.pack(">I", len(tags))
    data = b""
    seen: dict[bytes, int] = {}
    for signature, body in tags:
        if body in seen:  # the three TRCs share one curve, as real profiles do
            table += struct.pack(">4sII", signature, seen[body], len(body))
            continue
        while (offset + len(data)) % 4:
            data += b"\0"
        seen[body] = offset + len(data)
        table += struct.pack(">4sII", signature, offset + len(data), len(body))
        data += body
    size = 128 + table_size + len(data)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(16)  # platform, flags, manufacturer, model
        + bytes(8)  # attributes
        + struct.pack(">I", 0)  # perceptual intent
        + b"".join(_s15(v) for v in D50)
        + bytes(4)  # creator
        + bytes(16)  # profile id
        + bytes(28)
    )
    assert len(header) == 128
    return header + table + data
