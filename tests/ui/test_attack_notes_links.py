"""Issue 21, item 1, in the app: a planted notes link never shows its target's text.

``NAME.md`` and ``_gallery.md`` as symbolic links to a secret outside the
portfolio (or to the app's environment under procfs) must not reach the
loupe's notes, the gallery's notes or the notes editor, while the photo's own
notes from the config still show.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from textual.widgets import Markdown
from ui_support import screen_text, settle

from conftest import ImageMaker, write
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.dialogs.notes_editor import NotesArea, NotesEditor
from portfolio_tui.ui.screens.gallery import GalleryScreen
from portfolio_tui.ui.screens.loupe import LoupeScreen

WIDE = (160, 44)
CONFIG = """\
[[galleries]]
id = "g"
notes = "Gallery notes from the config."

[photos."g/a.jpg"]
notes = "Config notes for a."
"""


def symlink(target: Path | str, link: Path) -> None:
    try:
        os.symlink(target, link)
    except (OSError, NotImplementedError) as exc:  # pragma: no cover - e.g. Windows
        pytest.skip(f"cannot create symlinks here: {exc}")


def planted(tmp_path: Path, make_image: ImageMaker, target: Path) -> Path:
    """A portfolio whose a.md and _gallery.md are links to ``target``."""
    root = tmp_path / "pf"
    make_image(root / "g" / "a.jpg")
    make_image(root / "g" / "b.jpg")
    write(root / "config.toml", CONFIG)
    symlink(target, root / "g" / "a.md")
    symlink(target, root / "g" / "_gallery.md")
    return root


def markdown_sources(app: PortfolioApp) -> str:
    return "\n".join(widget.source for widget in app.screen.query(Markdown))


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    marker = f"SECRET-{uuid.uuid4().hex}"
    return write(tmp_path / "outside" / "passwd", f"root:x:0:0:{marker}:/root\n"), marker


async def test_the_loupe_never_shows_a_linked_secret(
    tmp_path: Path, make_image: ImageMaker, secret: tuple[Path, str]
) -> None:
    path, marker = secret
    root = planted(tmp_path, make_image, path)
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/a.jpg")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoupeScreen)
        text = screen_text(app)
        assert "Config notes for a." in text  # the notes panel is on screen
        assert marker not in text
        assert marker not in markdown_sources(app)


async def test_the_gallery_notes_never_show_a_linked_secret(
    tmp_path: Path, make_image: ImageMaker, secret: tuple[Path, str]
) -> None:
    path, marker = secret
    root = planted(tmp_path, make_image, path)
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, GalleryScreen)
        assert app.screen.query_one("#gallery-notes").display
        text = screen_text(app)
        assert "Gallery notes from the config." in text
        assert marker not in text
        assert marker not in markdown_sources(app)


async def test_the_loupe_never_shows_the_apps_environment(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    environ = Path("/proc/self/environ")
    if not environ.exists():
        pytest.skip("no procfs here")
    variables = [v.decode("utf-8", "replace") for v in environ.read_bytes().split(b"\0") if v]
    assert variables
    root = planted(tmp_path, make_image, environ)
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/a.jpg")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "Config notes for a." in screen_text(app)
        shown = markdown_sources(app)
        for variable in variables:
            assert variable not in shown


async def test_the_notes_editor_neither_shows_nor_writes_through_a_link(
    tmp_path: Path, make_image: ImageMaker, secret: tuple[Path, str]
) -> None:
    path, marker = secret
    before = path.read_bytes()
    root = planted(tmp_path, make_image, path)
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/a.jpg")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, NotesEditor)
        assert marker not in app.screen.query_one(NotesArea).text
        assert marker not in screen_text(app)
        for key in "written":
            await pilot.press(key)
        await pilot.press("escape")
        await settle(pilot)
    # The edit went to the curation store; the link and its target are untouched.
    assert path.read_bytes() == before
    assert os.path.islink(root / "g" / "a.md")
    assert os.readlink(root / "g" / "a.md") == str(path)
