"""Roles in the app: a viewer sees VIEW ONLY and writes nothing, a curator's keys are
signed and recorded in the history, and nothing in the app leads out of it."""

from __future__ import annotations

import ast
import asyncio
import io
import os
import tokenize
from pathlib import Path

import pytest
from ui_support import screen_lines, screen_text, settle

import portfolio_tui.ui
from conftest import ImageMaker
from portfolio_tui.cli.app import main_parser, make_stores
from portfolio_tui.cli.common import settle_role
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.store.sqlite_picks import SqlitePicksStore
from portfolio_tui.ui.app import PortfolioApp

SIZE = (120, 34)


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    for i, name in enumerate(["a.jpg", "b.jpg", "c.jpg"]):
        make_image(tmp_path / "p" / "g" / name, color=(60 * i, 120, 200))
    return tmp_path / "p"


def app_for(root: Path, *argv: str) -> PortfolioApp:
    """The app as ``portfolio-tui ROOT ARGV`` builds it (stores from the command line)."""
    args = main_parser().parse_args([str(root), *argv])
    assert settle_role(args, {}) is None
    store, picks = make_stores(args, root)
    return PortfolioApp(
        open_portfolio(root),
        open_target=args.open_target or "gallery:g",
        curation=store,
        present=args.present,
        client=args.client,
        picks=picks,
        watch_curation=False,
    )


async def test_a_viewers_keys_write_nothing_and_the_app_says_view_only(root: Path) -> None:
    app = app_for(root, "--role", "viewer", "--as", "anna")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "VIEW ONLY" in screen_lines(app)[0]
        await pilot.press("5", "p", "6", "greater_than_sign", "C", "ctrl+z")
        await settle(pilot)
        assert "View only: viewer: curation is for curators" in screen_text(app)
    assert sorted(p.name for p in root.iterdir()) == ["g"]  # no store, lock or history


async def test_a_viewer_marks_a_clients_favourites_only_when_allowed(root: Path) -> None:
    argv = ("--role", "viewer", "--present", "--open", "gallery:g", "--client", "Anna")
    app = app_for(root, *argv)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "h")
        await pilot.pause()
        assert "View only" in screen_text(app)
        assert not app.picker.picked
    assert sorted(p.name for p in root.iterdir()) == ["g"]

    app = app_for(root, *argv, "--allow-picks")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "h")
        await pilot.pause()
        app.picker.close(timeout=5)
    assert SqlitePicksStore(root).load("Anna").photos() == ("g/a.jpg",)
    # The favourite is in the database; curation stays the curators': nothing curated,
    # no history.
    with SqliteCurationStore(root, read_only=True) as store:
        snap = store.load()
        assert not snap.photos and not snap.order and not snap.covers
        assert not store.history().entries


async def test_a_curators_keys_are_signed_and_in_the_history(root: Path) -> None:
    app = app_for(root, "--as", "maria")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert await asyncio.to_thread(app.curator.flush, 5)
    assert (root / "curation.sqlite").is_file()
    with SqliteCurationStore(root, read_only=True) as store:
        snapshot = store.load()
        entries = store.history().entries
    assert snapshot.photo("g/a.jpg").rating == 5
    assert snapshot.photo("g/a.jpg").updated_by == "maria"
    changes = [(e.by, e.photo, e.field, e.after) for e in entries]
    assert changes == [("maria", "g/a.jpg", "rating", 3), ("maria", "g/a.jpg", "rating", 5)]


# -- no way out ------------------------------------------------------------------------

FORBIDDEN = ("subprocess", "os.system", "webbrowser", "open_url(", "suspend(")


def code_without_comments_or_docstrings(source: str) -> str:
    """``source``'s tokens joined without spaces, minus comments and docstrings."""
    docstrings: set[tuple[int, int]] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                docstrings.add((body[0].lineno, body[0].col_offset))
    kept: list[str] = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            continue
        if token.type == tokenize.STRING and token.start in docstrings:
            continue
        kept.append(token.string)
    return "".join(kept)


def test_the_scan_finds_what_it_looks_for() -> None:
    planted = '"""Uses subprocess in a docstring."""\n# os.system( in a comment\nimport os\n'
    assert not any(word in code_without_comments_or_docstrings(planted) for word in FORBIDDEN)
    for line in ("import subprocess", "os.system('x')", "self.app.suspend()", "open_url(u)"):
        code = code_without_comments_or_docstrings(planted + line + "\n")
        assert any(word in code for word in FORBIDDEN), line


def test_nothing_in_the_ui_leads_out_of_the_app() -> None:
    """No shell-out, no browser, no suspending to run another program (docs/ssh.md)."""
    folder = Path(portfolio_tui.ui.__file__).parent
    sources = sorted(folder.rglob("*.py"))
    assert len(sources) > 10
    found = [
        f"{path.relative_to(folder)}: {word}"
        for path in sources
        for word in FORBIDDEN
        if word in code_without_comments_or_docstrings(path.read_text(encoding="utf-8"))
    ]
    assert found == []


async def test_the_command_palette_offers_no_screenshot_to_a_file(root: Path) -> None:
    """Textual's Screenshot command saves an SVG in the Downloads folder: not offered."""
    app = app_for(root, "--role", "viewer")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Quit" in titles and "Help" in titles
        assert "Screenshot" not in titles


@pytest.mark.parametrize(
    "name",
    [
        "curation.sqlite",  # the history's home: the database
        "curation.sqlite-wal",  # where SQLite writes every change first
        "curation-history.jsonl",  # an old history a first curator would import
    ],
)
async def test_a_history_that_is_not_a_file_makes_curation_view_only(root: Path, name: str) -> None:
    """No change is saved without its row in the history (issue 21): with something
    else in the place of a file the history lives in, curation is view only and says why."""
    planted = root / name
    planted.mkdir()  # something in the file's place
    app = app_for(root, "--as", "maria")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "VIEW ONLY" in screen_lines(app)[0]
        await pilot.press("3")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        view_only = [line for line in said if line.startswith(f"View only: {planted}")]
        assert len(view_only) == 1, said
        assert view_only[0].endswith(
            "is a folder, not a file; curation is read-only until it is a regular file"
        )
        assert "★" not in screen_text(app)
    assert os.listdir(planted) == []  # nothing written into it either
    planted.rmdir()
    # No database, store or history was made (a migration's lock may be left).
    assert set(os.listdir(root)) <= {"g", "curation.toml.lock"}
    with SqliteCurationStore(root, read_only=True) as store:
        assert store.load().photo("g/a.jpg").rating == 0
        assert store.history().entries == ()
