"""Issue 21, item 5: the window size a viewer's terminal claims does not set the server's memory.

ssh passes on whatever size the client's terminal claims (up to 65535 x 65535
cells), and Textual lays out and keeps every cell. The app lays out at most
``WINDOW_COLUMNS`` x ``WINDOW_ROWS``: measured with a half-block loupe, 4000 x 1200
cells took 1.3 GB before (200 x 50: 67 MB) and about 380 MB after, the same as a
real 1000 x 400 window.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from textual import events
from textual.geometry import Size

from app_pty import AppInPty, app_argv, app_env, peak_kb
from conftest import ImageMaker
from portfolio_tui.graphics.detect import WINDOW_COLUMNS, WINDOW_ROWS, real_window_size
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp

LIMIT_KB = 600 * 1024
"""Peak memory allowed at a claimed 4000 x 1200 window; the unbounded app passed 1.3 GB."""


def test_real_windows_pass_and_claims_past_the_largest_are_clamped() -> None:
    assert real_window_size(80, 24) == (80, 24)
    assert real_window_size(850, 240) == (850, 240)
    assert real_window_size(65535, 65535) == (WINDOW_COLUMNS, WINDOW_ROWS)
    assert real_window_size(4000, 30) == (WINDOW_COLUMNS, 30)


async def test_a_huge_resize_lays_out_a_bounded_screen(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(tmp_path / "g" / "a.jpg", size=(40, 50))
    app = PortfolioApp(open_portfolio(tmp_path), watch_curation=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(events.Resize(Size(4000, 1200), Size(4000, 1200)))
        await pilot.pause(0.3)
        assert app.size == Size(WINDOW_COLUMNS, WINDOW_ROWS)
        assert app.screen.size == Size(WINDOW_COLUMNS, WINDOW_ROWS)
        app.post_message(events.Resize(Size(100, 30), Size(100, 30)))
        await pilot.pause(0.3)
        assert app.screen.size == Size(100, 30)  # a real size is taken as it is


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_app_stays_bounded_in_a_window_of_4000_by_1200_cells(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "p"
    (root / "g").mkdir(parents=True)
    # Noise: every cell a colour of its own, as in a real photo (a smooth test image
    # repeats its colours and hides what the layout costs).
    Image.frombytes("RGB", (1600, 2000), os.urandom(1600 * 2000 * 3)).save(root / "g" / "a.jpg")
    app = AppInPty(
        app_argv(str(root), "--open", "photo:g/a.jpg", "--graphics", "halfblock", "--read-only"),
        app_env(tmp_path),
        cols=4000,
        rows=1200,
    )
    app.spawn()
    peak = 0
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not app.exited():
            app.pump(0.05)
            peak = max(peak, peak_kb(app.pid))
            if peak > LIMIT_KB:
                break
        assert not app.exited(), app.output[-2000:]
    finally:
        app.close()
    assert 0 < peak <= LIMIT_KB, f"peak {peak // 1024} MB"
