"""Image decoding and rendering: decode (draft) -> orient -> resize -> cache -> cells.

Nothing here imports Textual, and everything here is meant to run in worker
threads, never on the UI's event loop.

The names below are loaded on first use (PEP 562): domain code that needs only
``imaging.raw``'s file suffixes (the portfolio loader, the CLI) does not pay
for Pillow and the decoders.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cache import ImageCache, fitted, shared_cache
    from .cells import halfblock_lines
    from .decode import ImageError, ImageProbe, load_fitted, probe

_HOME = {
    "ImageCache": "cache",
    "fitted": "cache",
    "shared_cache": "cache",
    "halfblock_lines": "cells",
    "ImageError": "decode",
    "ImageProbe": "decode",
    "load_fitted": "decode",
    "probe": "decode",
}

__all__ = [
    "ImageCache",
    "ImageError",
    "ImageProbe",
    "fitted",
    "halfblock_lines",
    "load_fitted",
    "probe",
    "shared_cache",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
