"""Zoom and pan in a comparison: the cost of a 100 % view and of each pan step.

Run by hand: ``.venv/bin/python benchmarks/zoom_pan.py``. It writes a 24 MP
JPEG under /tmp, then times ``imaging.viewport.load_view`` (what a comparison
pane draws) for the first 100 % view (a full decode, then kept), 20 pan steps
after it, and a first 25 % view (a 1/4 draft decode), for a half-block pane
(200x100 pixels) and a Kitty/Sixel pane (1000x900 pixels).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp())

from portfolio_tui.imaging.viewport import SOURCES, Viewport, load_view

FULL = (6000, 4000)


def photo() -> Path:
    path = Path(tempfile.gettempdir()) / "portfolio-tui-bench-24mp.jpg"
    if not path.exists():
        base = Image.effect_noise(FULL, 40).convert("L")
        Image.merge("RGB", (base, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), base)).save(
            path, quality=90
        )
    return path


def main() -> None:
    path = photo()
    print(f"{'pane':<28}{'first 100 %':>12}{'pan median':>12}{'pan max':>10}{'first 25 %':>12}")
    for name, view in (
        ("half-blocks 200x100 px", (200, 100)),
        ("graphics 1000x900 px", (1000, 900)),
    ):
        SOURCES.clear()
        start = time.perf_counter()
        load_view(path, view, Viewport(1.0), FULL)
        first = time.perf_counter() - start
        viewport, steps = Viewport(1.0), []
        for _ in range(20):
            viewport = viewport.panned(0.25, 0.1, FULL, view)
            start = time.perf_counter()
            load_view(path, view, viewport, FULL)
            steps.append(time.perf_counter() - start)
        SOURCES.clear()
        start = time.perf_counter()
        load_view(path, view, Viewport(0.25), FULL)
        quarter = time.perf_counter() - start
        print(
            f"{name:<28}{first * 1000:>9.0f} ms{statistics.median(steps) * 1000:>9.1f} ms"
            f"{max(steps) * 1000:>7.1f} ms{quarter * 1000:>9.0f} ms"
        )


if __name__ == "__main__":
    main()
