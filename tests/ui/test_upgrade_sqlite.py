"""A portfolio curated with the TOML store (before curation moved to SQLite) opens in a
curator's app with every rating, flag, label, tag, note, order, cover, favourite and
history entry where it was; the old files are renamed, never edited again."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import screen_lines, settle

from conftest import ImageMaker
from portfolio_tui.cli import main
from portfolio_tui.curation import Change, CurationStore
from portfolio_tui.picks import PicksStore
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_curation import DB_NAME, SqliteCurationStore
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid

SIZE = (120, 34)


@pytest.fixture
def old(tmp_path: Path, make_image: ImageMaker) -> Path:
    root = tmp_path / "p"
    for i, name in enumerate(["a.jpg", "b.jpg", "c.jpg"]):
        make_image(root / "g" / name, color=(60 * i, 120, 200))
    toml = CurationStore(root, author="ben")
    toml.apply([Change.rating("g/a.jpg", 4), Change.tags("g/a.jpg", ["eyes"])])
    toml.apply([Change.flag("g/b.jpg", "pick"), Change.label("g/b.jpg", "red")])
    toml.apply([Change.notes("g/c.jpg", "Soft light\nkeep"), Change.cover("g", "c.jpg")])
    toml.apply([Change.order("g", ["c.jpg", "a.jpg", "b.jpg"])])
    PicksStore(root, author="ben").apply("Anna", add=["g/a.jpg", "g/c.jpg"])
    return root


async def test_a_portfolio_curated_before_opens_with_everything_intact(
    old: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = CurationStore(old).load()
    picks_bytes = (old / "picks.toml").read_bytes()
    app = PortfolioApp(
        open_portfolio(old),
        open_target="gallery:g",
        curation=SqliteCurationStore(old, author="maria"),
        watch_curation=False,
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ThumbGrid)
        assert [p.name for p in grid.photos] == ["c.jpg", "a.jpg", "b.jpg"]  # the order
        badges = screen_lines(app)[grid.region.y + grid.geometry.tile_height - 1]
        assert "★★★★" in badges and "⚑" in badges  # a.jpg's stars, b.jpg's pick
        assert app.curator.snapshot.photo("g/c.jpg").notes == "Soft light\nkeep"
        await pilot.press("q")
    with SqliteCurationStore(old, read_only=True) as store:
        snap = store.load()
        assert dict(snap.photos) == dict(before.photos)
        assert dict(snap.order) == dict(before.order) and dict(snap.covers) == dict(before.covers)
    # The old files are renamed so nobody edits a stale copy; the favourites stay as they were.
    assert (old / DB_NAME).is_file()
    assert not (old / "curation.toml").exists() and (old / "curation.toml.imported").is_file()
    assert not (old / "curation-history.jsonl").exists()
    assert (old / "curation-history.jsonl.imported").is_file()
    assert (old / "picks.toml").read_bytes() == picks_bytes
    assert PicksStore(old).load("Anna").photos() == ("g/a.jpg", "g/c.jpg")
    # `history` reads every entry made before the upgrade from the database.
    capsys.readouterr()
    assert main(["history", str(old)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7 and all("ben" in line for line in lines)
    assert "g/a.jpg  rating 0 → 4" in lines[0]
