"""The title bars say when files are not shown (issue 15, item 6)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from ui_support import screen_text, settle, title_bar

from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp

SIZE = (120, 36)


async def test_the_grid_title_bar_says_how_many_files_are_not_shown(tmp_path: Path) -> None:
    gallery = tmp_path / "shoot" / "wedding"
    gallery.mkdir(parents=True)
    for i in range(3):
        Image.new("RGB", (60, 40), (40 * i, 90, 160)).save(gallery / f"IMG_{i}.jpg")
    for name in ("IMG_0.CR2", "clip.mov", "IMG_0.xmp", ".DS_Store"):
        (gallery / name).write_bytes(b"x" * 32)
    app = PortfolioApp(open_portfolio(tmp_path / "shoot"), open_target="gallery:wedding")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # IMG_0.CR2 is shown, paired with IMG_0.jpg; the video is not.
        assert title_bar(app)[1] == "IMG_0.jpg · 1 / 3 · 1 file not shown (check lists them)"


async def test_a_portfolio_of_videos_alone_says_why_nothing_is_shown(tmp_path: Path) -> None:
    root = tmp_path / "shoot"
    root.mkdir()
    for name in ("A.mov", "B.mp4", "B.xmp"):
        (root / name).write_bytes(b"x" * 32)
    app = PortfolioApp(open_portfolio(root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert title_bar(app)[1] == (
            "0 galleries · 0 photos · 0 comparisons · 2 files not shown (check lists them)"
        )
        text = " ".join(screen_text(app).split())
        assert "No photos shown here: 2 files are not shown (videos, editors' files" in text
        assert "No photos found here" not in text


async def test_a_gallery_showing_everything_says_nothing_more(tmp_path: Path) -> None:
    gallery = tmp_path / "shoot" / "wedding"
    gallery.mkdir(parents=True)
    Image.new("RGB", (60, 40), (40, 90, 160)).save(gallery / "IMG_0.jpg")
    (gallery / "IMG_0.xmp").write_bytes(b"<x/>")
    app = PortfolioApp(open_portfolio(tmp_path / "shoot"), open_target="gallery:wedding")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert title_bar(app)[1] == "IMG_0.jpg · 1 / 1"
