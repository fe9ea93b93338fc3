"""Helpers shared by the UI tests: waiting for image workers and reading what is on screen."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

from PIL import Image
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from portfolio_tui.ui.decoding import DECODER
from portfolio_tui.ui.widgets.bars import TitleBar
from portfolio_tui.ui.widgets.photo_view import PhotoView

SETTLE_ROUNDS = 2000
SETTLE_SECONDS = 20.0
LONG_LIVED = {"curation-watch"}
"""Worker groups that run as long as the app (settle does not wait for them)."""


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker and decode (images, EXIF reads) has finished and its result is shown.

    A finished worker can start another (the comparison measures aspect ratios, then draws at
    the common height), so this loops until no worker and no decode is left.
    """
    app = pilot.app
    await pilot.pause()
    deadline = time.monotonic() + SETTLE_SECONDS
    rounds = 0
    while True:
        working = [w for w in app.workers if w.group not in LONG_LIVED and not w.is_finished]
        decoding = DECODER.pending() or DECODER.running()
        decoding = decoding or getattr(app.screen, "busy", False)  # e.g. the loupe's side panel
        decoding = decoding or any(view.busy for view in app.screen.query(PhotoView))
        if not working and not decoding:
            # A worker or decode that ended during the pause has posted its result but the
            # widget may not have handled it yet: let every widget drain its queue once more.
            await pilot.pause()
            await pilot._wait_for_screen()
            if not (DECODER.pending() or DECODER.running()):
                return
        rounds += 1
        if rounds > SETTLE_ROUNDS or time.monotonic() > deadline:
            raise AssertionError(
                f"still busy after {SETTLE_SECONDS} s: {working} {DECODER.pending()} "
                f"{DECODER.running()}"
            )
        if working:
            await app.workers.wait_for_complete(working)
        else:
            await asyncio.sleep(0.01)
        await pilot.pause()


def screen_strips(app: App[Any]) -> list[list[str]]:
    """The current screen as composited, one list of segment texts per terminal line."""
    strips = app.screen._compositor.render_strips()
    return [[segment.text for segment in strip] for strip in strips]


def screen_lines(app: App[Any]) -> list[str]:
    """The current screen as composited, one string per terminal line."""
    return ["".join(texts) for texts in screen_strips(app)]


def screen_text(app: App[Any]) -> str:
    """Every line on screen, joined with newlines."""
    return "\n".join(screen_lines(app))


def region_lines(app: App[Any], widget: Widget) -> list[str]:
    """The part of the composited screen that ``widget`` covers."""
    region = widget.region
    lines = screen_lines(app)[region.y : region.bottom]
    return [line[region.x : region.right] for line in lines]


def static_text(widget: Static) -> str:
    """The plain text a Static shows."""
    visual = widget.visual
    return visual.plain if isinstance(visual, Content) else str(visual)


def title_bar(app: App[Any]) -> tuple[str, str]:
    """(title, status) from the current screen's title bar."""
    bar = app.screen.query_one(TitleBar)
    return static_text(bar.query_one("#title", Static)), static_text(
        bar.query_one("#status", Static)
    )


def jpeg_bytes(
    size: tuple[int, int] = (40, 50), color: tuple[int, int, int] = (90, 140, 200)
) -> bytes:
    """A small valid JPEG, in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def tile_edge(app: App[Any], index: int) -> str:
    """The lower edge of tile ``index`` in the first row of the grid shown (its badges)."""
    from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid

    grid = app.screen.query_one(ThumbGrid)
    g = grid.geometry
    line = screen_lines(app)[grid.region.y + g.tile_height - 1]
    start = grid.region.x + index * g.pitch
    return line[start : start + g.tile_width]


def notices(app: App[Any]) -> list[str]:
    """Every notice the app has shown, as text."""
    return [str(n.message) for n in app._notifications]
