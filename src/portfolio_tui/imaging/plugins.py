"""Pillow plugins for HEIC/HEIF and JPEG XL, registered only when such a file is met.

pillow-heif and pillow-jxl-plugin load native libraries (libheif, libjxl): importing
them at start-up would slow every launch for folders that hold none of these files,
so the decoder asks :func:`prepare` before opening a file, and the plugin is imported
the first time a file needs it (by its extension, or by its first bytes when a name
lies).
"""

from __future__ import annotations

import threading

HEIF_SUFFIXES = frozenset({".heic", ".heif", ".hif"})
JXL_SUFFIXES = frozenset({".jxl"})
# ISO base media brands of HEIF stills (AVIF is Pillow's own).
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
_JXL_CODESTREAM = b"\xff\x0a"
_JXL_CONTAINER = b"\x00\x00\x00\x0cJXL \r\n\x87\n"

_lock = threading.Lock()
_registered: set[str] = set()


def _register(kind: str) -> bool:
    """Import and register the plugin for ``kind``; False if it is not installed."""
    with _lock:
        if kind in _registered:
            return True
        try:
            if kind == "heif":
                from pillow_heif import register_heif_opener

                register_heif_opener()
            else:
                import pillow_jxl  # noqa: F401  (importing it registers the plugin)
        except ImportError:
            return False
        _registered.add(kind)
        return True


def kind_of(suffix: str, head: bytes = b"") -> str | None:
    """``"heif"`` or ``"jxl"`` when a file with this suffix or these first bytes needs a plugin."""
    suffix = suffix.lower()
    if suffix in HEIF_SUFFIXES:
        return "heif"
    if suffix in JXL_SUFFIXES:
        return "jxl"
    if head.startswith(_JXL_CODESTREAM) or head.startswith(_JXL_CONTAINER):
        return "jxl"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"
    return None


def prepare(suffix: str, head: bytes = b"") -> bool:
    """Register the plugin a file needs; True when one was needed and is now registered."""
    kind = kind_of(suffix, head)
    if kind is None:
        return False
    if kind in _registered:  # the common case, without taking the lock
        return True
    return _register(kind)
