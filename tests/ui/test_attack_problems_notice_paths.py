"""Issue 21, item 9h: a viewer's start-up problems notice names no server path."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets._toast import Toast
from ui_support import settle

from conftest import ImageMaker, write
from portfolio_tui.cli.app import main_parser, make_stores
from portfolio_tui.cli.common import settle_role
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp


async def test_a_viewer_sees_problems_without_the_servers_paths(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "srv" / "p"
    make_image(root / "a" / "x.jpg")
    (root / "a" / "y.jpg").symlink_to(tmp_path / "nowhere.jpg")
    config = write(
        tmp_path / "etc" / "config.toml",
        f'[portfolio]\ntitle = "T"\nroot = "{root}"\n[[galleries]]\nid = "a"\n'
        '[[galleries]]\nid = "gone"\nfolder = "nope"\n',
    )
    args = main_parser().parse_args([str(config), "--role", "viewer"])
    assert settle_role(args, {}) is None
    store, picks = make_stores(args, root)
    app = PortfolioApp(open_portfolio(config), curation=store, picks=picks, watch_curation=False)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await pilot.pause(0.2)  # toasts mount after the first refresh
        toasts = [t.render() for t in app.screen.query(Toast)]
        texts = [t.plain for t in toasts if isinstance(t, Content)]
    notice = next(t for t in texts if "in this portfolio" in t)
    assert str(tmp_path) not in notice and "pytest" not in notice, notice
    # Still says what and where: the config by name, the photo relative to the root.
    assert "config.toml:" in notice and "gallery folder 'nope' does not exist under p;" in notice
    assert "a/y.jpg:" in notice, notice


async def test_a_viewer_sees_a_damaged_store_without_the_servers_paths(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    """The curation store's own start-up notice is a problems notice too."""
    root = tmp_path / "srv" / "p"
    make_image(root / "a" / "x.jpg")
    (root / "curation.toml").write_text("[photos\n", encoding="utf-8")
    args = main_parser().parse_args([str(root), "--role", "viewer"])
    assert settle_role(args, {}) is None
    store, picks = make_stores(args, root)
    app = PortfolioApp(
        open_portfolio(root), curation=store, picks=picks, watch_curation=False, viewer=True
    )
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await pilot.pause(0.2)
        texts = [t.render().plain for t in app.screen.query(Toast)]  # type: ignore[union-attr]
    notice = next(t for t in texts if "curation.toml" in t)
    assert str(tmp_path) not in notice and "pytest" not in notice, notice
    assert notice.startswith("curation.toml:1:"), notice
