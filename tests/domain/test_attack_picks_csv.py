"""Issue 21, item 9i: no cell of picks.csv is read as a formula by a spreadsheet.

OWASP's CSV injection guidance: a cell that starts with = + - @, a tab or a line break is
prefixed with ``'``. A spreadsheet also starts a formula after leading spaces, and one that
splits on ``;`` (the list separator in many locales) starts a new cell after one, so the first
character that counts is the first after any leading whitespace, ``;`` or ``,``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import ImageMaker, write
from portfolio_tui.cli.export import _csv_text, run_export
from portfolio_tui.picks import PicksStore

from ._fuzzing import FUZZ

FORMULA = "=+-@"
LEADING = re.compile(r"[\s;,]*")


def read_back(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def starts_a_formula(cell: str) -> bool:
    """What a spreadsheet may run: a tab or line break first, or = + - @ first after any
    leading whitespace, ";" or ","."""
    if cell[:1] in ("\t", "\r", "\n"):
        return True
    return cell[LEADING.match(cell).end() :][:1] in tuple(FORMULA)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "title",
    [
        ";=1+1",
        " =1+1",
        ',=HYPERLINK("http://x")',
        " ; , =cmd|' /C calc'!A0",
        "  @SUM(A1)",
        "; -2+3",
        "=1+1",
    ],
)
def test_a_title_that_would_start_a_formula_is_prefixed(
    title: str, tmp_path: Path, make_image: ImageMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "shoot"
    make_image(root / "g" / "a.jpg")
    quoted = title.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    quoted = quoted.replace("\r", "\\r").replace("\n", "\\n")
    write(
        root / "config.toml",
        f'[portfolio]\ntitle = "T"\n[[galleries]]\nid = "g"\ntitle = "{quoted}"\n'
        f'[photos."g/a.jpg"]\ntitle = "{quoted}"\n',
    )
    PicksStore(root, author="maria").apply("Anna", add=("g/a.jpg",))
    assert run_export(["picks", "Anna", str(root), "-o", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    text = (tmp_path / "out" / "picks.csv").read_text(encoding="utf-8")
    header, row = read_back(text)
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == "'" + title
    assert cells["gallery"] == "'" + title


@pytest.mark.parametrize("title", ["\t=1", "\r=1", "\n=1", " \t=1"])
def test_a_title_with_a_tab_or_line_break_first_is_no_formula(
    title: str, tmp_path: Path, make_image: ImageMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "shoot"
    make_image(root / "g" / "a.jpg")
    quoted = title.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
    write(
        root / "config.toml",
        f'[portfolio]\ntitle = "T"\n[photos."g/a.jpg"]\ntitle = "{quoted}"\n',
    )
    PicksStore(root, author="maria").apply("Anna", add=("g/a.jpg",))
    assert run_export(["picks", "Anna", str(root), "-o", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    header, row = read_back((tmp_path / "out" / "picks.csv").read_text(encoding="utf-8"))
    assert not starts_a_formula(dict(zip(header, row, strict=True))["title"])


def test_harmless_titles_are_left_alone() -> None:
    rows = [
        [
            "a-1.jpg",
            "Studio",
            "Well lit, f/2.8 = sharp",
            "g/a-1.jpg",
            "2024-01-01T00:00:00Z",
            "ann@x",
        ]
    ]
    assert read_back(_csv_text(rows))[1] == rows[0]


cell_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from([" ", "\t", "\r", "\n", ";", ",", "\u00a0", *FORMULA, "a", "'"])).map(
        "".join
    ),
)


@FUZZ
@given(st.lists(st.lists(cell_text, min_size=6, max_size=6), max_size=4))
@example([[";=1+1", " =1+1", ",=1", "\t=1", "@x", "-1"]])
@example([["", "", "", "", "", "\x00"]])  # Python 3.10's csv could not write it
def test_no_cell_read_back_starts_a_formula(rows: list[list[str]]) -> None:
    """Whatever the cells hold, each reads back as itself or as itself after one ``'``,
    the ``'`` exactly when it would start a formula."""
    back = read_back(_csv_text(rows))
    assert len(back) == len(rows) + 1
    for row, got in zip(rows, back[1:], strict=True):
        for written, shown in zip(row, got, strict=True):
            cell = written.replace("\x00", "\u2400")  # a NUL is shown as ␀ (csv cannot write it)
            assert not starts_a_formula(shown), (cell, shown)
            assert shown == ("'" + cell if starts_a_formula(cell) else cell)
