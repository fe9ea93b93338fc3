"""Image decoding and rendering: decode (draft) -> orient -> resize -> cache -> cells.

Nothing here imports Textual, and everything here is meant to run in worker
threads, never on the UI's event loop.
"""

from .cache import ImageCache, fitted, shared_cache
from .cells import halfblock_lines
from .decode import ImageError, ImageProbe, load_fitted, probe

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
