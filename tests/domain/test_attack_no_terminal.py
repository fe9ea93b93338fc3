"""Issue 21, item 6: without a terminal the app says so and exits 2, before Textual.

Run with pipes (as ``ssh -T``, scp and sftp run a forced command) the app used
to start and draw into the pipe, and spin at full CPU once the other end had
gone. The commands that need no terminal still run with pipes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ImageMaker

NEEDS_A_TERMINAL = "portfolio-tui: needs a terminal (ssh -t)"


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    make_image(tmp_path / "p" / "g" / "a.jpg")
    return tmp_path / "p"


def run(*args: str, cwd: Path, python: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``python -m portfolio_tui ARGS`` with pipes for all three standard streams."""
    return subprocess.run(
        [sys.executable, *python, "-m", "portfolio_tui", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "PORTFOLIO_TUI_ROLE": ""},
        stdin=subprocess.PIPE,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


@pytest.mark.parametrize(
    "argv",
    [[], ["--open", "gallery:g"], ["--role", "viewer"], ["--present"], ["--graphics", "kitty"]],
)
def test_the_app_with_pipes_says_it_needs_a_terminal(root: Path, argv: list[str]) -> None:
    done = run(str(root), *argv, cwd=root)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith(NEEDS_A_TERMINAL), line
    assert done.stdout == ""
    assert sorted(os.listdir(root)) == ["g"]  # nothing written


def test_the_refusal_comes_before_textual_is_imported(root: Path) -> None:
    done = run(str(root), cwd=root, python=("-X", "importtime"))
    assert done.returncode == 2 and NEEDS_A_TERMINAL in done.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert not [name for name in imported if name.split(".")[0] == "textual"]


def test_help_and_version_need_no_terminal(root: Path) -> None:
    assert run("--version", cwd=root).returncode == 0
    done = run("--help", cwd=root)
    assert done.returncode == 0 and "--role" in done.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "PATH"],
        ["thumbs", "PATH"],
        ["cache", "info"],
        ["history", "PATH"],
        ["picks", "clients", "PATH"],
        ["xmp", "export", "PATH", "--dry-run"],
    ],
)
def test_commands_without_a_screen_still_run_with_pipes(root: Path, argv: list[str]) -> None:
    done = run(*[str(root) if word == "PATH" else word for word in argv], cwd=root)
    assert NEEDS_A_TERMINAL not in done.stderr
    assert done.returncode in (0, 1), done.stderr
