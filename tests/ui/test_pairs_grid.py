"""RAW+JPEG pairs and RAW files in the grid: their badge, their info, their rating (issue 15,
item 5). Real camera RAW files (tests/fixtures/raw) beside generated JPEGs."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from PIL import Image
from ui_support import screen_lines, settle, static_text

from conftest import run_cli
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.widgets.info_panel import InfoPanel
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid

SIZE = (120, 34)
RAWS = Path(__file__).resolve().parent.parent / "fixtures" / "raw"


def shoot(tmp_path: Path) -> Path:
    """IMG_1.CR2 + IMG_1.JPG (a pair), IMG_2.RW2 (a RAW alone), IMG_3.jpg (a JPEG alone)."""
    folder = tmp_path / "shoot" / "wedding"
    folder.mkdir(parents=True)
    shutil.copyfile(RAWS / "CanonRaw.cr2", folder / "IMG_1.CR2")
    shutil.copyfile(RAWS / "Panasonic.rw2", folder / "IMG_2.RW2")
    for name in ("IMG_1.JPG", "IMG_3.jpg"):
        Image.new("RGB", (60, 40), (150, 110, 80)).save(folder / name)
    return tmp_path / "shoot"


def app_for(root: Path) -> PortfolioApp:
    return PortfolioApp(
        open_portfolio(root),
        open_target="gallery:wedding",
        curation=SqliteCurationStore(root, author="me@test"),
        watch_curation=False,
    )


def edge(app: PortfolioApp, index: int) -> str:
    """The lower edge of tile ``index`` in the first row (where its badges are), without its
    right corner and the rule beside it (heavy under the cursor, light elsewhere)."""
    grid = app.screen.query_one(ThumbGrid)
    g = grid.geometry
    line = screen_lines(app)[grid.region.y + g.tile_height - 1]
    start = grid.region.x + index * g.pitch
    return line[start : start + g.tile_width].rstrip("╯┛─━")


async def test_the_grid_shows_a_pair_once_with_its_raw_jpeg_badge(tmp_path: Path) -> None:
    app = app_for(shoot(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        assert [p.name for p in grid.photos] == ["IMG_1.JPG", "IMG_2.RW2", "IMG_3.jpg"]
        assert edge(app, 0).endswith("━RAW+JPEG")  # at the right, plain text
        assert edge(app, 1).endswith("─RAW")
        assert "RAW" not in edge(app, 2)
        # A rating shares the edge with the badge.
        await pilot.press("5")
        await asyncio.to_thread(app.curator.flush, 5)
        await settle(pilot)
        assert "★★★★★" in edge(app, 0) and edge(app, 0).endswith("━RAW+JPEG")


async def test_the_info_panel_lists_both_files_of_a_pair(tmp_path: Path) -> None:
    app = app_for(shoot(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoupeScreen)
        await pilot.press("i")
        await settle(pilot)
        lines = static_text(app.screen.query_one(InfoPanel)).splitlines()
        assert [" ".join(line.split()) for line in lines[:2]] == [
            "File wedding/IMG_1.JPG",
            "RAW wedding/IMG_1.CR2",
        ]


async def test_a_rating_given_to_a_pair_in_the_app_is_exported_to_the_raws_sidecar(
    tmp_path: Path,
) -> None:
    root = shoot(tmp_path)
    app = app_for(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4", "p")
        assert await asyncio.to_thread(app.curator.flush, 5)
    done = run_cli("xmp", "export", "shoot", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wedding/IMG_1.xmp: created: rating 4, flag pick" in done.stdout.splitlines()
    folder = root / "wedding"
    assert sorted(p.name for p in folder.glob("*.xmp")) == ["IMG_1.xmp"]
    text = (folder / "IMG_1.xmp").read_text()
    assert 'xmp:Rating="4"' in text and 'digiKam:PickLabel="3"' in text
