"""How long until a gallery's visible thumbnails are drawn, and what decoding costs.

Run by hand (not part of the test suite): ``.venv/bin/python benchmarks/grid_first_paint.py``.
It opens the demo's largest gallery headless at 160x48 and reports, over several
runs, the time from starting the app to every visible tile holding its thumbnail,
next to the time to decode and draw one thumbnail and one loupe-size photo in a
single thread, so the figures can be compared as ratios on a noisy machine.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from portfolio_tui.imaging import halfblock_lines, load_fitted  # noqa: E402
from portfolio_tui.portfolio import open_portfolio  # noqa: E402
from portfolio_tui.ui.app import PortfolioApp  # noqa: E402
from portfolio_tui.ui.rendering import CACHE  # noqa: E402
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid  # noqa: E402

RUNS = 5
SIZE = (160, 48)


async def first_paint(gallery_id: str) -> float:
    """Seconds from app start to every visible thumbnail loaded."""
    CACHE.clear()
    portfolio = open_portfolio(REPO / "config.toml")
    start = time.perf_counter()
    app = PortfolioApp(portfolio, open_target=f"gallery:{gallery_id}")
    async with app.run_test(size=SIZE) as pilot:
        while True:
            await pilot.pause(0.005)
            screen = app.screen
            grids = screen.query(ThumbGrid)
            if not grids:
                continue
            grid = grids.first()
            visible = grid._visible_indices()[: grid.geometry.columns * 2]
            if visible and all(grid.thumbnail(grid.photos[i]) for i in visible):
                return time.perf_counter() - start


def decode_cost(path: Path, box: tuple[int, int]) -> float:
    """Median seconds to decode, fit and draw ``path`` as half-blocks."""
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        halfblock_lines(load_fitted(path, box))
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    paints = [asyncio.run(first_paint("studio")) for _ in range(RUNS)]
    photo = REPO / "portfolio" / "studio" / "hopper-01.jpg"
    thumb = decode_cost(photo, (24, 30))
    loupe = decode_cost(photo, (100, 92))
    print(f"grid first paint (studio, {SIZE[0]}x{SIZE[1]}, headless), {RUNS} runs:")
    print(
        f"  median {statistics.median(paints) * 1000:.0f} ms, "
        f"min {min(paints) * 1000:.0f} ms, max {max(paints) * 1000:.0f} ms"
    )
    print(f"one thumbnail (24x15 cells) decode+draw: {thumb * 1000:.1f} ms")
    print(f"one loupe photo (100x46 cells) decode+draw: {loupe * 1000:.1f} ms")


if __name__ == "__main__":
    main()
