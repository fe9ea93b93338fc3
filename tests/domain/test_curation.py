"""The curation store: format, merge rules, validation, damage and read-only mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import can_chmod
from portfolio_tui import curation
from portfolio_tui import files as files_module
from portfolio_tui.curation import (
    Change,
    CurationError,
    CurationStore,
    InvalidChange,
    PhotoCuration,
    ReadOnlyError,
)
from portfolio_tui.files import locked

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def store(root: Path, who: str = "ann@studio", **kwargs: object) -> CurationStore:
    return CurationStore(root, author=who, **kwargs)  # type: ignore[arg-type]


def files(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


def test_round_trip(tmp_path: Path) -> None:
    a = store(tmp_path)
    assert a.load().photos == {}
    a.apply(
        [
            Change.rating("studio/a.jpg", 4),
            Change.flag("studio/a.jpg", "pick"),
            Change.label("studio/a.jpg", "green"),
            Change.tags("studio/a.jpg", ["smile", "window light"]),
            Change.notes("studio/a.jpg", 'Best one.\nSay "hi" \\ back.'),
            Change.rating("studio/b.jpg", 1),
        ]
    )
    snap = store(tmp_path).load()
    a_jpg = snap.photo("studio/a.jpg")
    assert (a_jpg.rating, a_jpg.flag, a_jpg.label) == (4, "pick", "green")
    assert a_jpg.tags == ("smile", "window light")
    assert a_jpg.notes == 'Best one.\nSay "hi" \\ back.'
    assert a_jpg.updated_by == "ann@studio"
    assert a_jpg.updated_at is not None and a_jpg.updated_at.endswith("Z")
    assert snap.photo("studio/b.jpg").rating == 1
    assert snap.photo("studio/none.jpg") == PhotoCuration()
    text = (tmp_path / "curation.toml").read_text()
    assert text.startswith("format = 1\n")
    assert '[photos."studio/a.jpg"]' in text
    assert text.index('"studio/a.jpg"') < text.index('"studio/b.jpg"')
    assert snap.problems == ()


def test_output_is_deterministic_and_sorted(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.apply([Change.rating("z.jpg", 1), Change.rating("a/b.jpg", 2), Change.rating("m.jpg", 3)])
    text = (tmp_path / "curation.toml").read_text()
    keys = [line for line in text.splitlines() if line.startswith("[photos.")]
    assert keys == sorted(keys)
    data = tomllib.loads(text)
    # Rendering what was parsed gives the same text back.
    assert curation.render(data) == text


def test_clearing_fields_removes_them(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.apply([Change.rating("a.jpg", 3), Change.flag("a.jpg", "reject")])
    snap = s.apply([Change.rating("a.jpg", 0), Change.flag("a.jpg", None)])
    assert "a.jpg" not in snap.photos
    assert "a.jpg" not in (tmp_path / "curation.toml").read_text()


def test_merge_field_by_field(tmp_path: Path) -> None:
    a = store(tmp_path, "ann@one")
    b = store(tmp_path, "bob@two")
    a.load()
    b.load()
    a.apply([Change.rating("p1.jpg", 5)])
    # B has not re-loaded: its save must still keep A's rating.
    b.apply([Change.flag("p1.jpg", "pick"), Change.rating("p2.jpg", 2)])
    snap = store(tmp_path).load()
    assert snap.photo("p1.jpg").rating == 5
    assert snap.photo("p1.jpg").flag == "pick"
    assert snap.photo("p1.jpg").updated_by == "bob@two"
    assert snap.photo("p2.jpg").rating == 2


def test_same_field_last_writer_wins(tmp_path: Path) -> None:
    a = store(tmp_path, "ann@one")
    b = store(tmp_path, "bob@two")
    a.apply([Change.rating("p1.jpg", 5), Change.tags("p1.jpg", ["a"])])
    b.apply([Change.rating("p1.jpg", 1)])
    snap = a.load()
    assert snap.photo("p1.jpg").rating == 1
    assert snap.photo("p1.jpg").tags == ("a",)


def test_apply_returns_other_curators_changes(tmp_path: Path) -> None:
    a = store(tmp_path, "ann@one")
    b = store(tmp_path, "bob@two")
    before = a.load()
    b.apply([Change.label("x.jpg", "red")])
    after = a.apply([Change.rating("y.jpg", 3)])
    assert after.photo("x.jpg").label == "red"
    assert after.changes_from(before) == [
        Change("x.jpg", "label", "red"),
        Change("y.jpg", "rating", 3),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (Change.rating("a.jpg", 6), "rating must be a whole number from 0 to 5"),
        (Change.rating("a.jpg", True), "rating must be a whole number"),
        (Change.rating("a.jpg", "3"), "rating must be a whole number"),
        (Change.flag("a.jpg", "keep"), "flag must be one of pick, reject"),
        (Change.label("a.jpg", "orange"), "label must be one of red, yellow"),
        (Change.tags("a.jpg", "one"), "tags must be a list of strings"),
        (Change.tags("a.jpg", [1]), "is not a string"),
        (Change.notes("a.jpg", "x" * (64 * 1024 + 1)), "at most 65536"),
        (Change("a.jpg", "stars", 3), "unknown field 'stars'"),
        (Change.rating("../a.jpg", 3), "must be relative to the portfolio root"),
        (Change.rating("/etc/a.jpg", 3), "must be relative to the portfolio root"),
        (Change.rating("", 3), "non-empty string"),
        (Change.order("studio", "a.jpg"), "must be a list of file names"),
        (Change.cover("", "a.jpg"), "gallery name must not be empty"),
    ],
)
def test_validation_errors_are_clear(tmp_path: Path, change: Change, message: str) -> None:
    s = store(tmp_path)
    with pytest.raises(InvalidChange, match=message.replace("(", r"\(")):
        s.apply([Change.rating("ok.jpg", 1), change])
    assert files(tmp_path) == []  # nothing written, not even the valid change


def test_tags_and_notes_are_cleaned(tmp_path: Path) -> None:
    s = store(tmp_path)
    snap = s.apply(
        [
            Change.tags("a.jpg", ["  smile ", "Smile", "bad\x1b[31mtag", "", "two  words"]),
            Change.notes("a.jpg", "line one\r\nline\x07 two\x1b\n"),
        ]
    )
    assert snap.photo("a.jpg").tags == ("smile", "bad [31mtag", "two words")
    assert snap.photo("a.jpg").notes == "line one\nline two"


def test_damaged_file_names_file_and_line_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "curation.toml"
    damaged = 'format = 1\n\n[photos."a.jpg"]\nrating = 3\nflag = pick\n'
    path.write_text(damaged)
    s = store(tmp_path)
    with pytest.raises(CurationError) as info:
        s.load()
    assert str(info.value).startswith(f"{path}:5:")
    assert info.value.line == 5
    assert "not valid TOML" in str(info.value)
    assert s.read_only and "damaged" in (s.read_only_reason or "")
    with pytest.raises(ReadOnlyError):
        s.apply([Change.rating("b.jpg", 1)])
    assert path.read_text() == damaged
    assert files(tmp_path) == ["curation.toml"]


def test_file_damaged_by_someone_else_is_not_overwritten(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.apply([Change.rating("a.jpg", 1)])
    path = tmp_path / "curation.toml"
    path.write_text("format = 1\n[photos\n")
    with pytest.raises(CurationError, match=":2:"):
        s.apply([Change.rating("b.jpg", 1)])
    assert path.read_text() == "format = 1\n[photos\n"
    assert s.read_only


def test_bad_values_become_problems_and_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "curation.toml"
    path.write_text('format = 1\n\n[photos."a.jpg"]\nrating = 9\nlabel = "red"\n')
    s = store(tmp_path)
    snap = s.load()
    assert snap.photo("a.jpg").rating == 0
    assert snap.photo("a.jpg").label == "red"
    assert [str(p) for p in snap.problems] == [
        f"{path}:4:1: warning: rating must be a whole number from 0 to 5, not 9"
    ]
    s.apply([Change.flag("a.jpg", "pick")])
    assert tomllib.loads(path.read_text())["photos"]["a.jpg"]["rating"] == 9


def test_read_only_flag_writes_nothing(tmp_path: Path) -> None:
    s = store(tmp_path, read_only=True)
    assert s.read_only and s.read_only_reason == "opened read-only"
    assert s.load().photos == {}
    with pytest.raises(ReadOnlyError, match="read-only"):
        s.apply([Change.rating("a.jpg", 3)])
    assert files(tmp_path) == []


def test_root_under_a_file_is_read_only(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    s = store(blocker / "portfolio")
    assert s.read_only and "is not a folder" in (s.read_only_reason or "")
    with pytest.raises(ReadOnlyError):
        s.apply([Change.rating("a.jpg", 3)])
    assert files(tmp_path) == ["file.txt"]


def test_unwritable_folder_is_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m: False if Path(p) == tmp_path else real_access(p, m)
    )
    s = store(tmp_path)
    assert s.read_only_reason == f"no permission to write in {tmp_path}"
    with pytest.raises(ReadOnlyError):
        s.apply([Change.rating("a.jpg", 3)])
    assert files(tmp_path) == []


@pytest.mark.skipif(not can_chmod(), reason="permissions mean nothing as root")
def test_chmod_read_only_folder_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "portfolio"
    root.mkdir()
    store(root).apply([Change.rating("a.jpg", 3)])
    before = (root / "curation.toml").read_bytes()
    root.chmod(0o555)
    try:
        s = store(root)
        assert s.read_only
        with pytest.raises(ReadOnlyError):
            s.apply([Change.rating("a.jpg", 1)])
        assert (root / "curation.toml").read_bytes() == before
    finally:
        root.chmod(0o755)


def test_failed_write_is_reported_and_the_next_save_tries_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = store(tmp_path)
    s.apply([Change.rating("a.jpg", 3)])
    before = (tmp_path / "curation.toml").read_bytes()

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    # write_atomically (files.py) fsyncs the temp file before renaming it.
    monkeypatch.setattr(files_module.os, "fsync", full)
    with pytest.raises(CurationError, match="not saved: No space left"):
        s.apply([Change.rating("a.jpg", 1)])
    # Not read-only: a full disk may pass (the app says NOT SAVED and tries again).
    assert not s.read_only
    assert (tmp_path / "curation.toml").read_bytes() == before
    # The history holds the first save only (the failed one wrote nothing anywhere).
    assert sorted(files(tmp_path)) == [
        "curation-history.jsonl",
        "curation.toml",
        "curation.toml.lock",
    ]
    assert len((tmp_path / "curation-history.jsonl").read_text().splitlines()) == 1
    monkeypatch.undo()
    assert s.apply([Change.rating("a.jpg", 1)]).photo("a.jpg").rating == 1


def test_lock_held_too_long_is_a_curation_error(tmp_path: Path) -> None:
    s = store(tmp_path, lock_timeout=0.05)
    s.apply([Change.rating("a.jpg", 3)])
    before = (tmp_path / "curation.toml").read_bytes()
    held = pytest.raises(CurationError, match=r"held the lock for over 0\.05 s")
    with locked(tmp_path / "curation.toml.lock", 1.0), held:
        s.apply([Change.rating("a.jpg", 1)])
    assert (tmp_path / "curation.toml").read_bytes() == before
    assert s.apply([Change.rating("a.jpg", 1)]).photo("a.jpg").rating == 1


def test_unknown_keys_are_preserved(tmp_path: Path) -> None:
    path = tmp_path / "curation.toml"
    path.write_text(
        "format = 1\n"
        'future = "kept"\n'
        "when = 2024-05-01T10:00:00Z\n"
        "\n"
        '[photos."a.jpg"]\n'
        "rating = 2\n"
        "face = { x = 0.5, y = [1, 2] }\n"
        'history = ["x\\ty"]\n'
        "\n"
        '[photos."a.jpg".crop]\n'
        "left = 3\n"
        "\n"
        "[plugins.sharpness]\n"
        "threshold = 1.5\n"
        "on = true\n"
        "day = 2024-05-01\n"
    )
    before = tomllib.loads(path.read_text())
    store(tmp_path).apply([Change.rating("a.jpg", 4), Change.rating("b.jpg", 1)])
    after = tomllib.loads(path.read_text())
    for key in ("future", "when", "plugins"):
        assert after[key] == before[key]
    for key in ("face", "history", "crop"):
        assert after["photos"]["a.jpg"][key] == before["photos"]["a.jpg"][key]
    assert after["photos"]["a.jpg"]["rating"] == 4


def test_order_and_covers(tmp_path: Path) -> None:
    a = store(tmp_path, "ann@one")
    b = store(tmp_path, "bob@two")
    a.apply([Change.order("studio", ["b.jpg", "a.jpg", "b.jpg"]), Change.cover("studio", "a.jpg")])
    b.apply([Change.cover("outdoor", "x.jpg"), Change.rating("studio/a.jpg", 2)])
    snap = store(tmp_path).load()
    assert snap.order == {"studio": ("b.jpg", "a.jpg")}
    assert snap.covers == {"outdoor": "x.jpg", "studio": "a.jpg"}
    text = (tmp_path / "curation.toml").read_text()
    assert '[order]\nstudio = ["b.jpg", "a.jpg"]' in text
    assert '[covers]\noutdoor = "x.jpg"\nstudio = "a.jpg"' in text
    snap = a.apply([Change.cover("studio", None), Change.order("studio", [])])
    assert snap.order == {} and snap.covers == {"outdoor": "x.jpg"}


def test_newer_format_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "curation.toml"
    path.write_text("format = 2\n")
    s = store(tmp_path)
    s.load()
    assert s.read_only and "newer" in (s.read_only_reason or "")
    with pytest.raises(ReadOnlyError):
        s.apply([Change.rating("a.jpg", 1)])
    assert path.read_text() == "format = 2\n"


def test_author_is_user_at_host() -> None:
    who = curation.author()
    assert "@" in who or who
    assert "\n" not in who


def test_config_toml_is_never_touched(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# mine\n[portfolio]\n")
    store(tmp_path).apply([Change.rating("a.jpg", 1)])
    assert config.read_text() == "# mine\n[portfolio]\n"


def test_importing_curation_does_not_import_textual() -> None:
    code = (
        "import sys, portfolio_tui.curation\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
