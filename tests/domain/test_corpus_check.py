"""The bad-input corpus through ``check``: every bad case named with its file and reason,
every good-but-unusual file left alone, and the command itself calm about all of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import corpus
from conftest import can_chmod, run_cli
from portfolio_tui.check import check
from portfolio_tui.problems import Problem, Severity


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[corpus.Case]]:
    tmp = tmp_path_factory.mktemp("corpus")
    cases = corpus.build(tmp)
    yield tmp, cases
    os.chmod(tmp / "folders" / "locked", 0o700)


def about(problem: Problem, root: Path, rel: str) -> bool:
    """Is ``problem`` about the file at ``rel`` (or a sidecar beside it)?"""
    target = root / rel
    file = Path(problem.file)
    return file == target or file == target.with_suffix(".xmp")


def test_check_names_every_bad_file_with_its_reason(built: tuple[Path, list[corpus.Case]]) -> None:
    tmp, cases = built
    root = tmp / "portfolio"
    result = check(root / "config.toml")
    assert result.exit_code == 1
    for case in cases:
        if not case.path or case.portfolio != "portfolio":
            continue
        if case.id in ("deleted-while-shown", "replaced-while-shown"):
            continue  # happen while the app runs
        found = [p for p in result.problems if about(p, root, case.path)]
        if case.check is None:
            assert not [p for p in found if p.severity is Severity.ERROR], (case.id, found)
        else:
            assert any(case.check in p.message for p in found), (case.id, found)


def test_check_names_folder_tricks_and_an_empty_portfolio(
    built: tuple[Path, list[corpus.Case]],
) -> None:
    tmp, cases = built
    folders = tmp / "folders"
    result = check(folders)
    checked = 0
    for case in cases:
        if case.portfolio != "folders" or (case.root_only_skip and not can_chmod()):
            continue  # root reads a folder without permissions anyway
        found = [p for p in result.problems if Path(p.file) == folders / case.path]
        assert case.check and any(case.check in p.message for p in found), (case.id, found)
        checked += 1
    assert checked >= 2
    empty = check(tmp / "empty")
    assert [(p.severity, p.message.split(";")[0]) for p in empty.problems] == [
        (Severity.WARNING, "no photos found")
    ]
    assert empty.exit_code == 0


def test_a_missing_gallery_folder_is_located_in_the_config(
    built: tuple[Path, list[corpus.Case]],
) -> None:
    tmp, _ = built
    result = check(tmp / "portfolio" / "config.toml")
    (problem,) = [p for p in result.problems if "no-such-folder" in p.message]
    assert Path(problem.file).name == "config.toml" and problem.line == 16


def test_every_type_error_in_a_config_is_located(built: tuple[Path, list[corpus.Case]]) -> None:
    tmp, _ = built
    result = check(tmp / "types" / "config.toml")
    assert result.exit_code == 1
    assert all(p.line is not None for p in result.errors), result.errors
    lines = {p.line for p in result.errors}
    # Every key written with a wrong type, an unknown key, a missing id, a bad choice.
    assert {2, 3, 4, 5, 8, 9, 10, 13, 14, 17, 18, 20, 21, 23, 28, 29, 33, 35} <= lines


def test_the_check_command_on_the_corpus_is_calm(built: tuple[Path, list[corpus.Case]]) -> None:
    tmp, _ = built
    result = run_cli("check", "portfolio/config.toml", cwd=tmp)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("check: ")
    assert "portfolio/bad/huge.png: image is too large to open safely" in result.stdout


def test_a_folder_without_read_permission_is_named_even_as_root(
    built: tuple[Path, list[corpus.Case]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root reads any folder, so the refusal is injected where the portfolio lists it."""
    tmp, _ = built
    folders = tmp / "folders"
    real = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if Path(path) == folders / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr("portfolio_tui.model.loader.os.scandir", scandir)
    result = check(folders)
    found = [p for p in result.problems if Path(p.file) == folders / "locked"]
    assert [p.message for p in found] == [
        "cannot read this folder (permission denied); check its permissions"
    ]
