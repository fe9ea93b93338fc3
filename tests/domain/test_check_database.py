"""``portfolio-tui check`` reads curation.sqlite as a viewer would and names a database the
app would keep read-only: damaged or foreign, from a newer schema, or a link."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from conftest import ImageMaker
from portfolio_tui.check import check
from portfolio_tui.curation import Change
from portfolio_tui.problems import Problem
from portfolio_tui.store.sqlite_curation import DB_NAME, SqliteCurationStore


@pytest.fixture
def shoot(tmp_path: Path, make_image: ImageMaker) -> Path:
    root = tmp_path / "shoot"
    make_image(root / "studio" / "anna.jpg")
    make_image(root / "studio" / "ben.jpg")
    return root


def curate(root: Path) -> None:
    with SqliteCurationStore(root, author="maria") as store:
        store.apply(
            [
                Change.rating("studio/anna.jpg", 4),
                Change.tags("studio/anna.jpg", ["smile"]),
                Change.order("studio", ["ben.jpg", "anna.jpg"]),
            ]
        )


def database_problems(root: Path) -> list[Problem]:
    return [p for p in check(root).problems if p.file.name.startswith(DB_NAME)]


def test_a_healthy_curated_database_is_no_problem(shoot: Path) -> None:
    curate(shoot)
    assert (shoot / DB_NAME).is_file()
    assert check(shoot).problems == ()


def test_garbage_in_the_database_is_named(shoot: Path) -> None:
    (shoot / DB_NAME).write_bytes(b"this is not a database\x00\xff" * 300)
    (problem,) = database_problems(shoot)
    assert problem.file == shoot / DB_NAME
    assert problem.message.startswith("damaged or foreign database")
    assert "move it away or restore it from a backup" in problem.message
    assert str(shoot) not in problem.message  # named once, as the problem's file


def test_another_programs_sqlite_file_is_named(shoot: Path) -> None:
    with sqlite3.connect(shoot / DB_NAME) as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")
    conn.close()
    (problem,) = database_problems(shoot)
    assert problem.file == shoot / DB_NAME
    assert problem.message.startswith("not a curation database")


def test_a_database_from_a_newer_schema_is_named(shoot: Path) -> None:
    curate(shoot)
    conn = sqlite3.connect(shoot / DB_NAME)
    with conn:  # as a newer app leaves it: its schema, its version in meta
        conn.execute("PRAGMA user_version = 99")
        conn.execute("UPDATE meta SET value = '9.0.0' WHERE key = 'written_by'")
    conn.close()
    (problem,) = database_problems(shoot)
    assert problem.file == shoot / DB_NAME
    assert "has schema version 99; this portfolio-tui " in problem.message
    assert "run portfolio-tui 9.0.0 or newer to curate (read-only until then)" in problem.message
    # check names the file once, as the problem's file (relative to where it runs).
    assert str(shoot) not in problem.message


def test_a_symlink_named_like_the_database_is_named(shoot: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    curate(elsewhere)  # a real, healthy database, reached through a link
    os.symlink(elsewhere / DB_NAME, shoot / DB_NAME)
    (problem,) = database_problems(shoot)
    assert problem.file == shoot / DB_NAME
    assert problem.message.startswith("is a symbolic link, which is never followed")
