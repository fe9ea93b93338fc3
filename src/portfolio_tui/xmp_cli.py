"""``portfolio-tui xmp import|export``: ratings and labels between XMP and the curation store."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def run_xmp(argv: Sequence[str]) -> int:
    """``portfolio-tui xmp``."""
    print("portfolio-tui xmp: not built yet", file=sys.stderr)
    return 2
