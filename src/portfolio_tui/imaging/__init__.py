"""Image decoding and rendering: decode (draft) -> orient -> resize -> cells.

Nothing here imports Textual, and everything here is meant to run in worker
threads, never on the UI's event loop.
"""

from .cells import halfblock_lines
from .decode import ImageError, ImageProbe, load_fitted, probe

__all__ = ["ImageError", "ImageProbe", "halfblock_lines", "load_fitted", "probe"]
