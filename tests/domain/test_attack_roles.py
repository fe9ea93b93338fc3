"""Issue 21, item 9c: any ``viewer`` wins, and no option may be abbreviated.

``--role viewer --role curator`` opened the app as a curator (argparse keeps
the last value), and ``--rol curator`` or ``--read`` were taken for the options
they begin. A forced command that pins ``--role viewer`` must stay a viewer
whatever follows it, and every parser refuses abbreviations.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app_pty import AppInPty, app_argv, app_env
from conftest import ImageMaker, run_cli
from portfolio_tui.cli.app import main_parser, make_stores
from portfolio_tui.cli.common import VIEWER_REASON, settle_role

NO_ROLE = {"PORTFOLIO_TUI_ROLE": ""}


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    make_image(tmp_path / "p" / "studio" / "a.jpg")
    return tmp_path / "p"


@pytest.mark.parametrize(
    "argv",
    [
        ["--role", "viewer", "--role", "curator"],
        ["--role=viewer", "--role=curator"],
        ["--role", "curator", "--role", "viewer"],
        ["--role", "viewer", "--as", "anna", "--role", "curator", "--role", "curator"],
    ],
)
@pytest.mark.parametrize("env_role", ["", "curator"])
def test_any_viewer_on_the_command_line_wins(root: Path, argv: list[str], env_role: str) -> None:
    args = main_parser().parse_args([str(root), *argv])
    assert settle_role(args, {"PORTFOLIO_TUI_ROLE": env_role}) is None
    store, _picks = make_stores(args, root)
    assert args.role == "viewer"
    assert store.read_only and store.read_only_reason == VIEWER_REASON


def test_serve_keeps_a_viewer_too(root: Path) -> None:
    from portfolio_tui.cli.serve import serve_parser

    args = serve_parser().parse_args([str(root), "--role", "viewer", "--role", "curator"])
    assert args.role == "viewer"


@pytest.mark.parametrize(
    "argv",
    [
        ["PATH", "--rol", "curator"],
        ["PATH", "--ro", "viewer"],
        ["PATH", "--read"],
        ["PATH", "--allow"],
        ["PATH", "--graph", "kitty"],
        ["PATH", "--op", "gallery:studio"],
        ["check", "PATH", "--he"],
        ["thumbs", "PATH", "--job", "2"],
        ["cache", "info", "--he"],
        ["history", "PATH", "--lim", "3"],
        ["serve", "PATH", "--po", "8001"],
        ["serve", "PATH", "--rol", "viewer"],
        ["xmp", "import", "PATH", "--dry"],
        ["xmp", "export", "PATH", "--side", "base"],
        ["picks", "list", "Anna", "PATH", "--he"],
        ["export", "contact-sheet", "PATH", "--out", "x.pdf"],
        ["export", "contact-sheet", "PATH", "-o", "x.pdf", "--col", "3"],
        ["export", "picks", "Anna", "PATH", "--out", "dir"],
    ],
)
def test_abbreviated_options_are_refused(root: Path, argv: list[str]) -> None:
    words = [str(root) if word == "PATH" else word for word in argv]
    done = run_cli(*words, cwd=root, env=NO_ROLE)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "unrecognized arguments" in done.stderr or "required" in done.stderr, done.stderr
    assert sorted(os.listdir(root)) == ["studio"]  # nothing was written


def test_the_app_opened_with_viewer_then_curator_says_view_only(root: Path, tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("a Linux pty")
    argv = app_argv(str(root), "--open", "gallery:studio", "--role", "viewer", "--role", "curator")
    app = AppInPty(argv, app_env(tmp_path), cols=100, rows=30)
    app.spawn()
    try:
        assert app.wait_for(b"a.jpg"), app.output[-2000:]
        assert b"VIEW ONLY" in app.output  # the title bar, from the start
        app.settle(0.3)
        app.write(b"3")
        assert app.wait_for(b"View only", 10), app.output[-2000:]
        app.write(b"q")
        assert app.wait(15) == 0
    finally:
        app.close()
    assert sorted(os.listdir(root)) == ["studio"]
