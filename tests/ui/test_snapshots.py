"""SVG snapshots of the grid, the loupe and a comparison, on small synthetic photos.

The photos are 40x50 BMPs in fixed colours (uncompressed, so even the file sizes in the
info panel are the same everywhere) and the config gives every visible text
(titles, notes, labels), so nothing machine-specific (tmp paths, dates) reaches the
screen.  Update with ``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at
the SVGs in ``tests/ui/__snapshots__/`` before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from ui_support import screen_text, settle

from portfolio_tui.portfolio import Portfolio, open_portfolio
from portfolio_tui.ui.app import PortfolioApp

SIZE = (100, 30)

COLOURS = {
    "amber.bmp": (230, 160, 40),
    "teal.bmp": (30, 150, 150),
    "plum.bmp": (120, 50, 110),
    "moss.bmp": (90, 130, 50),
    "slate.bmp": (80, 90, 110),
}

CONFIG = """\
[portfolio]
title = "Snapshot portfolio"
photographer = "Test Studio"
root = "photos"

[display]
graphics = "halfblock"
theme = "textual-dark"

[[galleries]]
id = "set"
title = "Synthetic set"
folder = "set"
order = ["amber.bmp", "teal.bmp", "plum.bmp", "moss.bmp", "slate.bmp"]

[photos."set/amber.bmp"]
title = "Amber"
caption = "A warm test card."
tags = ["warm", "test"]
source = "camera"
notes = \"\"\"
## Amber

A **fixed** note, so the snapshot never changes.

- first point
- second point
\"\"\"

[photos."set/teal.bmp"]
title = "Teal"
caption = "A cool test card."
source = "retouched"

[[comparisons]]
id = "pair"
title = "Amber against teal"
notes = "Look at the **colour**, nothing else."
photos = [
    { photo = "set/amber.bmp", label = "Warm" },
    { photo = "set/teal.bmp", label = "Cool" },
]
"""

RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def snapshot_portfolio(tmp_path: Path, make_image: Callable[..., Path]) -> Portfolio:
    """Five synthetic photos, one gallery, one comparison, no problems."""
    for name, colour in COLOURS.items():
        make_image(tmp_path / "photos" / "set" / name, size=(40, 50), color=colour, fmt="BMP")
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    portfolio = open_portfolio(tmp_path / "config.toml")
    assert portfolio.problems == ()
    return portfolio


def then_settle(*keys: str) -> RunBefore:
    """A run_before hook: wait for the images, press ``keys``, wait again, check no tmp path."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        app = pilot.app
        assert isinstance(app, PortfolioApp)
        root = str(app.portfolio.root)
        assert root not in screen_text(app), "an absolute path would make the snapshot unstable"
        assert app.portfolio.root.parent.name not in screen_text(app)

    return run_before


def test_grid_snapshot(snap_compare: Any, snapshot_portfolio: Portfolio) -> None:
    """The grid of five thumbnails, the cursor on the second (heavy frame, highlighted title)."""
    app = PortfolioApp(snapshot_portfolio, open_target="gallery:set")
    assert snap_compare(app, terminal_size=SIZE, run_before=then_settle("right"))


def test_loupe_snapshot(snap_compare: Any, snapshot_portfolio: Portfolio) -> None:
    """The loupe on the first photo with its heading, notes and the info panel."""
    app = PortfolioApp(snapshot_portfolio, open_target="photo:set/amber.bmp")
    assert snap_compare(app, terminal_size=SIZE, run_before=then_settle("i"))


def test_comparison_snapshot(snap_compare: Any, snapshot_portfolio: Portfolio) -> None:
    """Two photos side by side at equal height under their labels (notes hidden: short)."""
    app = PortfolioApp(snapshot_portfolio, open_target="comparison:pair")
    assert snap_compare(app, terminal_size=SIZE, run_before=then_settle())


def test_home_snapshot(snap_compare: Any, snapshot_portfolio: Portfolio) -> None:
    """The home screen: title, photographer, the gallery card with its cover, the comparison."""
    app = PortfolioApp(snapshot_portfolio)
    assert snap_compare(app, terminal_size=SIZE, run_before=then_settle())


def test_comparison_zoomed_snapshot(snap_compare: Any, snapshot_portfolio: Portfolio) -> None:
    """2-up at 200 %, panned right: both photos cut at the same place (linked)."""
    app = PortfolioApp(snapshot_portfolio, open_target="comparison:pair")
    assert snap_compare(
        app, terminal_size=SIZE, run_before=then_settle("z", "plus", "right", "right")
    )


def test_split_snapshot(snap_compare: Any, snapshot_portfolio: Portfolio) -> None:
    """Split view: amber left of the divider, teal right, the divider moved right once."""
    app = PortfolioApp(snapshot_portfolio, open_target="comparison:pair")
    assert snap_compare(
        app, terminal_size=SIZE, run_before=then_settle("vertical_line", "right_square_bracket")
    )


def test_survey_snapshot(snap_compare: Any, snapshot_portfolio: Portfolio) -> None:
    """Survey of four photos at one size, the second highlighted."""
    app = PortfolioApp(snapshot_portfolio, open_target="gallery:set")

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        gallery = snapshot_portfolio.gallery("set")
        assert gallery is not None
        app.survey_photos(gallery.photos[:4])
        await then_settle("right")(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_present_title_card_snapshot(snap_compare: Any, snapshot_portfolio: Portfolio) -> None:
    """Present mode's title card: portfolio title, gallery, photographer, count; nothing else."""
    app = PortfolioApp(snapshot_portfolio, open_target="gallery:set", present=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=then_settle())


def test_present_reveal_snapshot(snap_compare: Any, snapshot_portfolio: Portfolio) -> None:
    """The reveal's last stage: both photos side by side under their labels, caption shown."""
    app = PortfolioApp(snapshot_portfolio, open_target="comparison:pair", present=True)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=then_settle("right", "right", "right", "i")
    )
