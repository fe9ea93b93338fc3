"""Roles on the command line: ``--role viewer|curator``, ``--allow-picks``, ``--as``,
PORTFOLIO_TUI_ROLE, and the curators' subcommands refused to viewers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ImageMaker, run_cli
from portfolio_tui.cli.app import main_parser, make_stores
from portfolio_tui.cli.common import VIEWER_REASON, settle_role
from portfolio_tui.curation import Change, CurationStore, ReadOnlyError
from portfolio_tui.picks import PicksError
from portfolio_tui.store.sqlite_curation import SqliteCurationStore

NO_ROLE = {"PORTFOLIO_TUI_ROLE": ""}


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    make_image(tmp_path / "p" / "studio" / "a.jpg")
    make_image(tmp_path / "p" / "studio" / "b.jpg")
    return tmp_path / "p"


def stores(root: Path, *argv: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    args = main_parser().parse_args([str(root), *argv])
    assert settle_role(args, env or {}) is None
    return args, *make_stores(args, root)


def test_a_viewer_writes_nothing(root: Path) -> None:
    args, store, picks = stores(root, "--role", "viewer", "--as", "anna")
    assert args.role == "viewer" and picks is None
    assert store.read_only_reason == VIEWER_REASON == "viewer: curation is for curators"
    with pytest.raises(ReadOnlyError):
        store.apply([Change.rating("studio/a.jpg", 5)])
    assert sorted(os.listdir(root)) == ["studio"]  # no store, no lock, no history


def test_a_viewers_picks_are_read_only_unless_allowed(root: Path) -> None:
    _, _, picks = stores(root, "--role", "viewer", "--present", "--client", "Anna Smith")
    assert picks is not None and picks.read_only
    with pytest.raises(PicksError):
        picks.apply("Anna Smith", add=["studio/a.jpg"])
    assert sorted(os.listdir(root)) == ["studio"]
    _, store, picks = stores(
        root, "--role", "viewer", "--present", "--client", "Anna Smith", "--allow-picks"
    )
    assert store.read_only and picks is not None and not picks.read_only


def test_a_curator_changes_land_signed_with_the_as_name(root: Path) -> None:
    args, store, _ = stores(root, "--as", "  maria  ")
    assert args.role == "curator" and not store.read_only
    store.apply([Change.rating("studio/a.jpg", 4)])
    store.close()
    with SqliteCurationStore(root, read_only=True) as again:
        assert again.load().photo("studio/a.jpg").updated_by == "maria"
        (entry,) = again.history().entries
    assert (entry.by, entry.photo, entry.field, entry.before, entry.after) == (
        "maria",
        "studio/a.jpg",
        "rating",
        None,
        4,
    )


def test_the_environment_pins_viewer_and_a_flag_cannot_lift_it(root: Path) -> None:
    args, store, _ = stores(root, "--role", "curator", env={"PORTFOLIO_TUI_ROLE": "viewer"})
    assert args.role == "viewer" and store.read_only
    args, store, _ = stores(root, env={"PORTFOLIO_TUI_ROLE": "curator"})
    assert args.role == "curator" and not store.read_only


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--as", "an\x1b[2Jna"], {}, "control characters"),
        (["--as", "a\nb"], {}, "control characters"),
        (["--as", "   "], {}, "empty"),
        ([], {"PORTFOLIO_TUI_ROLE": "admin"}, "use viewer or curator"),
    ],
)
def test_bad_names_and_roles_are_refused(
    root: Path, argv: list[str], env: dict[str, str], message: str
) -> None:
    args = main_parser().parse_args([str(root), *argv])
    problem = settle_role(args, env)
    assert problem is not None and message in problem


def test_the_app_refuses_a_bad_name_before_it_starts(root: Path) -> None:
    done = run_cli(str(root), "--as", "x\x1by", cwd=root, env=NO_ROLE)
    assert done.returncode == 2 and "--as" in done.stderr and "\x1b" not in done.stderr
    done = run_cli(str(root), "--role", "admin", cwd=root, env=NO_ROLE)
    assert done.returncode == 2 and "invalid choice" in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["serve"],
        ["export", "contact-sheet", "-o", "sheet.pdf"],
        ["export", "picks", "Anna", "-o", "out"],
        ["xmp", "import"],
        ["xmp", "export"],
        ["picks", "list", "Anna"],
    ],
)
@pytest.mark.parametrize("how", ["flag", "flag=", "env"])
def test_curators_commands_are_refused_to_viewers(root: Path, command: list[str], how: str) -> None:
    argv = [*command, str(root)]
    env = dict(NO_ROLE)
    if how == "flag":
        argv += ["--role", "viewer"]
    elif how == "flag=":
        argv.insert(1, "--role=viewer")
    else:
        env["PORTFOLIO_TUI_ROLE"] = "viewer"
    done = run_cli(*argv, cwd=root, env=env)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line == (
        f"portfolio-tui {command[0]}: not for viewers (--role viewer): "
        f"{command[0]} is a curator's command"
    )
    assert sorted(os.listdir(root)) == ["studio"]


def test_curators_commands_accept_role_curator(root: Path) -> None:
    done = run_cli("picks", "list", "--role", "curator", "Anna", str(root), cwd=root, env=NO_ROLE)
    assert "unrecognized" not in done.stderr and "no picks for 'Anna'" in done.stderr
    done = run_cli("serve", str(root), "--role", "curator", "--port", "0", cwd=root, env=NO_ROLE)
    assert done.returncode == 2 and "--port must be between" in done.stderr
    done = run_cli("xmp", "import", "--role", "boss", str(root), cwd=root, env=NO_ROLE)
    assert done.returncode == 2 and "use viewer or curator" in done.stderr


def test_a_viewer_may_still_read_the_history(root: Path) -> None:
    CurationStore(root, author="anna").apply([Change.flag("studio/b.jpg", "pick")])
    done = run_cli(
        "history", str(root), cwd=root, env={"PORTFOLIO_TUI_ROLE": "viewer", "TZ": "UTC"}
    )
    assert done.returncode == 0 and "anna  studio/b.jpg  flag none → pick" in done.stdout
