"""The change history: ``curation-history.jsonl`` and ``portfolio-tui history``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ImageMaker, run_cli
from portfolio_tui.curation import (
    HISTORY_NAME,
    Change,
    CurationStore,
    ReadOnlyError,
    history,
)

UTC = {"TZ": "UTC", "PORTFOLIO_TUI_ROLE": ""}


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    for gallery, name in [("studio", "a.jpg"), ("studio", "b.jpg"), ("outdoor", "a.jpg")]:
        make_image(tmp_path / "p" / gallery / name)
    return tmp_path / "p"


def lines(root: Path) -> list[dict[str, object]]:
    text = (root / HISTORY_NAME).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_each_applied_change_is_one_line_with_who_when_from_and_to(root: Path) -> None:
    store = CurationStore(root, author="anna")
    store.apply([Change.rating("studio/a.jpg", 3)])
    store.apply(
        [
            Change.rating("studio/a.jpg", 5),
            Change.flag("studio/b.jpg", "pick"),
            Change.tags("studio/b.jpg", ["team", "outdoor"]),
            Change.order("studio", ["b.jpg", "a.jpg"]),
            Change.cover("studio", "b.jpg"),
        ]
    )
    CurationStore(root, author="ben").apply([Change.label("studio/a.jpg", "red")])
    found = lines(root)
    assert [
        (e["by"], e.get("photo") or e.get("gallery"), e["field"], e["from"], e["to"]) for e in found
    ] == [
        ("anna", "studio/a.jpg", "rating", None, 3),
        ("anna", "studio/a.jpg", "rating", 3, 5),
        ("anna", "studio/b.jpg", "flag", None, "pick"),
        ("anna", "studio/b.jpg", "tags", None, ["team", "outdoor"]),
        ("anna", "studio", "order", None, ["b.jpg", "a.jpg"]),
        ("anna", "studio", "cover", None, "b.jpg"),
        ("ben", "studio/a.jpg", "label", None, "red"),
    ]
    for entry in found:
        assert isinstance(entry["at"], str) and entry["at"].endswith("Z")
    # The store agrees: updated_by is the last author.
    snapshot = CurationStore(root).load()
    assert snapshot.photo("studio/a.jpg").updated_by == "ben"
    assert snapshot.photo("studio/b.jpg").updated_by == "anna"


def test_the_reader_returns_entries_and_filters_by_photo(root: Path) -> None:
    store = CurationStore(root, author="anna")
    store.apply([Change.rating("studio/a.jpg", 2), Change.rating("outdoor/a.jpg", 4)])
    store.apply([Change.rating("studio/a.jpg", 0)])
    read = history(root)
    assert len(read.entries) == 3 and read.damaged == 0
    only = history(root / HISTORY_NAME, photo="studio/a.jpg").entries
    assert [(e.before, e.after) for e in only] == [(None, 2), (2, 0)]
    assert history(root / "nothing-here").entries == ()


def test_a_read_only_store_writes_no_history(root: Path) -> None:
    store = CurationStore(root, author="anna", read_only=True, reason="viewer: test")
    assert store.read_only_reason == "viewer: test"
    with pytest.raises(ReadOnlyError, match="viewer: test"):
        store.apply([Change.rating("studio/a.jpg", 5)])
    assert sorted(os.listdir(root)) == ["outdoor", "studio"]
    assert CurationStore(root, read_only=True).read_only_reason == "opened read-only"


def test_damaged_lines_are_skipped_and_counted(root: Path) -> None:
    CurationStore(root, author="anna").apply([Change.rating("studio/a.jpg", 1)])
    with (root / HISTORY_NAME).open("ab") as f:
        f.write(b'not json\n{"at": 1}\n[1, 2]\n\xff\xfe\n\n{"at": "x", "by": "y", "field"')
    # A writer killed mid-line left no newline: the next save starts a line of its own.
    CurationStore(root, author="ben").apply([Change.rating("studio/a.jpg", 2)])
    read = history(root)
    assert [(e.by, e.after) for e in read.entries] == [("anna", 1), ("ben", 2)]
    assert read.damaged == 5


def test_a_history_that_cannot_be_appended_saves_nothing(root: Path) -> None:
    """No saved change without its line (issue 21): the history is written first, and a
    history that is not a file makes the store read-only until it is one."""
    store = CurationStore(root, author="anna")
    store.apply([Change.rating("studio/a.jpg", 4)])
    (root / HISTORY_NAME).unlink()
    (root / HISTORY_NAME).mkdir()  # cannot be opened for writing, even by root
    reason = store.read_only_reason
    assert reason == (
        f"{root / HISTORY_NAME} is a folder, not a file; "
        "curation is read-only until it is a regular file"
    )
    with pytest.raises(ReadOnlyError, match="is a folder, not a file"):
        store.apply([Change.rating("studio/a.jpg", 5)])
    assert CurationStore(root).load().photo("studio/a.jpg").rating == 4
    (root / HISTORY_NAME).rmdir()
    store.apply([Change.rating("studio/a.jpg", 5)])
    assert [(e.before, e.after) for e in history(root).entries] == [(4, 5)]


WRITER = """
import sys
from pathlib import Path
from portfolio_tui.curation import Change, CurationStore
root, who = Path(sys.argv[1]), sys.argv[2]
store = CurationStore(root, author=who, lock_timeout=60)
for i in range(20):
    store.apply([Change.notes(f"studio/{who}-{i}.jpg", f"{who} {i}")])
"""


def test_concurrent_writers_each_change_is_in_the_history_exactly_once(root: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(root), who]) for who in ("anna", "ben")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    read = history(root)
    assert read.damaged == 0
    seen = [(e.by, e.photo, e.after) for e in read.entries]
    expected = {
        (who, f"studio/{who}-{i}.jpg", f"{who} {i}") for who in ("anna", "ben") for i in range(20)
    }
    assert len(seen) == 40 and set(seen) == expected
    for who in ("anna", "ben"):  # each writer's changes in the order it made them
        mine = [photo for by, photo, _ in seen if by == who]
        assert mine == [f"studio/{who}-{i}.jpg" for i in range(20)]
    snapshot = CurationStore(root).load()
    assert {(p.updated_by, rel) for rel, p in snapshot.photos.items()} == {
        (who, photo) for who, photo, _ in expected
    }


# -- portfolio-tui history ---------------------------------------------------------------


def test_history_prints_the_changes_newest_last(root: Path) -> None:
    store = CurationStore(root, author="anna")
    store.apply([Change.rating("studio/a.jpg", 3)])
    store.apply([Change.rating("studio/a.jpg", 5), Change.flag("studio/b.jpg", "pick")])
    CurationStore(root, author="b\x1b[31men").apply([Change.notes("outdoor/a.jpg", "x\ny")])
    done = run_cli("history", str(root), cwd=root.parent, env=UTC)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert len(out) == 4
    assert out[0].endswith("  anna  studio/a.jpg  rating 0 → 3")
    assert out[1].endswith("  anna  studio/a.jpg  rating 3 → 5")
    assert out[2].endswith("  anna  studio/b.jpg  flag none → pick")
    assert "\x1b" not in done.stdout and "outdoor/a.jpg  notes none → 'x y'" in out[3]
    assert out[0][:16].count("-") == 2 and out[0][10] == " "  # 2026-11-28 10:02

    by_path = run_cli("history", "studio/a.jpg", str(root), cwd=root.parent, env=UTC)
    assert by_path.returncode == 0 and len(by_path.stdout.splitlines()) == 2
    by_name = run_cli("history", "b.jpg", cwd=root, env=UTC)  # PATH defaults to this folder
    assert by_name.returncode == 0 and "flag none → pick" in by_name.stdout
    limited = run_cli("history", str(root), "--limit", "1", cwd=root.parent, env=UTC)
    assert limited.stdout.splitlines() == out[-1:]


def test_history_exit_codes(root: Path) -> None:
    empty = run_cli("history", str(root), cwd=root.parent, env=UTC)
    assert empty.returncode == 1 and empty.stdout == ""
    store = CurationStore(root, author="anna")
    store.apply([Change.rating("studio/a.jpg", 3), Change.rating("outdoor/a.jpg", 1)])
    missing = run_cli("history", "studio/zz.jpg", str(root), cwd=root.parent, env=UTC)
    assert missing.returncode == 1 and "no curation changes recorded" in missing.stderr
    ambiguous = run_cli("history", "a.jpg", str(root), cwd=root.parent, env=UTC)
    assert ambiguous.returncode == 2 and "outdoor/a.jpg, studio/a.jpg" in ambiguous.stderr
    bad = run_cli("history", str(root), "--limit", "0", cwd=root.parent, env=UTC)
    assert bad.returncode == 2
    with (root / HISTORY_NAME).open("a") as f:
        f.write("garbage\n")
    damaged = run_cli("history", str(root), cwd=root.parent, env=UTC)
    assert damaged.returncode == 0 and "1 damaged line skipped" in damaged.stderr
