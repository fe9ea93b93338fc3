"""``portfolio-tui curation export [PATH] [-o FILE]`` and ``curation import FILE [PATH]``:
the SQLite store in its readable TOML form, run as a photographer would."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ImageMaker
from portfolio_tui.cli import main
from portfolio_tui.curation import Change, Snapshot
from portfolio_tui.store.sqlite_curation import SqliteCurationStore

PHOTOS = ("studio/anna.jpg", "studio/ben.jpg", "studio/cara.jpg", "outdoor/dan.jpg")
FIELDS = ("rating", "flag", "label", "tags", "notes")


@pytest.fixture(autouse=True)
def _curator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTFOLIO_TUI_ROLE", raising=False)


def folder(root: Path, make_image: ImageMaker) -> Path:
    for name in PHOTOS:
        make_image(root / name)
    return root


@pytest.fixture
def curated(tmp_path: Path, make_image: ImageMaker) -> Path:
    """A folder curated in the app: every kind of value, two galleries."""
    root = folder(tmp_path / "curated", make_image)
    with SqliteCurationStore(root, author="maria") as store:
        store.apply(
            [
                Change.rating("studio/anna.jpg", 4),
                Change.flag("studio/anna.jpg", "pick"),
                Change.label("studio/anna.jpg", "green"),
                Change.tags("studio/anna.jpg", ["window light", "smile"]),
                Change.notes("studio/anna.jpg", 'Best of the set.\nRetouch "the" hair.'),
                Change.flag("studio/ben.jpg", "reject"),
                Change.label("outdoor/dan.jpg", "purple"),
                Change.rating("outdoor/dan.jpg", 1),
                Change.order("studio", ["cara.jpg", "anna.jpg", "ben.jpg"]),
                Change.cover("studio", "anna.jpg"),
                Change.cover("outdoor", "dan.jpg"),
            ]
        )
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["curation", *args])
    out, err = capsys.readouterr()
    return code, out, err


def load(root: Path) -> Snapshot:
    with SqliteCurationStore(root, read_only=True) as store:
        return store.load()


def values(snapshot: Snapshot) -> dict[str, tuple[object, ...]]:
    """What a curator sees of each photo (not who changed it when)."""
    return {rel: tuple(getattr(snapshot.photo(rel), name) for name in FIELDS) for rel in PHOTOS}


def history_length(root: Path) -> int:
    with SqliteCurationStore(root, read_only=True) as store:
        return len(store.history().entries)


def test_export_then_import_into_a_fresh_folder_round_trips(
    curated: Path, tmp_path: Path, make_image: ImageMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "curation-export.toml"
    code, out, err = run(capsys, "export", str(curated), "-o", str(out_file))
    assert code == 0, err
    assert out.strip() == f"curation written to {out_file}"
    code, stdout_text, _ = run(capsys, "export", str(curated))
    assert code == 0 and stdout_text == out_file.read_text()  # stdout: the same text
    assert 'tags = ["window light", "smile"]' in stdout_text

    fresh = folder(tmp_path / "fresh", make_image)
    code, out, err = run(capsys, "import", str(out_file), str(fresh), "--as", "tom")
    assert code == 0, err
    assert out.strip() == (
        f"11 changes imported from {out_file} (3 photos, 3 gallery orders or covers)"
    )

    original, copy = load(curated), load(fresh)
    assert values(copy) == values(original)
    assert values(copy)["studio/anna.jpg"] == (
        4,
        "pick",
        "green",
        ("window light", "smile"),
        'Best of the set.\nRetouch "the" hair.',
    )
    assert (
        dict(copy.order) == dict(original.order) == {"studio": ("cara.jpg", "anna.jpg", "ben.jpg")}
    )
    assert (
        dict(copy.covers)
        == dict(original.covers)
        == {
            "studio": "anna.jpg",
            "outdoor": "dan.jpg",
        }
    )
    # Exported again, the fresh folder says what the curated one said (but who and when).
    code, again, _ = run(capsys, "export", str(fresh))
    assert code == 0
    strip = lambda text: [  # noqa: E731
        line for line in text.splitlines() if not line.startswith(("updated_by", "updated_at"))
    ]
    assert strip(again) == strip(out_file.read_text())


def test_import_merges_photo_by_photo(
    curated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = load(curated)
    file = tmp_path / "edit.toml"
    file.write_text(
        'format = 1\n\n[photos."studio/anna.jpg"]\nrating = 2\n\n'
        '[photos."studio/cara.jpg"]\nlabel = "red"\n\n[order]\nstudio = ["ben.jpg"]\n'
    )
    code, out, err = run(capsys, "import", str(file), str(curated))
    assert code == 0, err
    assert out.strip() == (f"7 changes imported from {file} (2 photos, 1 gallery order or cover)")
    after = load(curated)
    # A photo the file lists takes every field from it: anna keeps only her rating.
    assert values(after)["studio/anna.jpg"] == (2, None, None, (), "")
    assert values(after)["studio/cara.jpg"] == (0, None, "red", (), "")
    # Photos and galleries the file does not mention are as they were.
    for rel in ("studio/ben.jpg", "outdoor/dan.jpg"):
        assert values(after)[rel] == values(before)[rel]
        assert after.photo(rel).updated_by == "maria"
    assert after.order["studio"] == ("ben.jpg",)
    assert dict(after.covers) == dict(before.covers)


def test_import_signs_the_history_with_as(
    curated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "edit.toml"
    file.write_text('format = 1\n\n[photos."studio/ben.jpg"]\nrating = 5\nflag = "reject"\n')
    code, _, err = run(capsys, "import", str(file), str(curated), "--as", "  Lena  ")
    assert code == 0, err
    with SqliteCurationStore(curated, read_only=True) as store:
        last = store.history().entries[-1]
        assert store.load().photo("studio/ben.jpg").updated_by == "Lena"
    assert (last.by, last.photo, last.field, last.before, last.after) == (
        "Lena",
        "studio/ben.jpg",
        "rating",
        None,
        5,
    )


def test_a_bad_value_names_file_and_line_and_imports_nothing(
    curated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, entries = values(load(curated)), history_length(curated)
    file = tmp_path / "bad.toml"
    file.write_text(
        'format = 1\n\n[photos."studio/ben.jpg"]\nlabel = "blue"\n\n'
        '[photos."studio/anna.jpg"]\nrating = 9\n'
    )
    code, out, err = run(capsys, "import", str(file), str(curated))
    assert code == 1 and out == ""
    assert f"{file}:7" in err and "rating" in err and "9" in err
    assert "nothing was imported" in err
    assert values(load(curated)) == before  # ben's good label not imported either
    assert history_length(curated) == entries


def test_a_file_that_is_not_toml_is_exit_2_and_imports_nothing(
    curated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, entries = values(load(curated)), history_length(curated)
    file = tmp_path / "broken.toml"
    file.write_text('format = 1\n[photos."studio/anna.jpg"\nrating = 1\n')
    code, out, err = run(capsys, "import", str(file), str(curated))
    assert code == 2 and out == ""
    assert f"{file}:2" in err and "nothing was imported" in err
    assert values(load(curated)) == before
    assert history_length(curated) == entries


def test_importing_twice_has_nothing_to_import(
    curated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "edit.toml"
    file.write_text('format = 1\n\n[photos."studio/cara.jpg"]\nrating = 3\n')
    assert run(capsys, "import", str(file), str(curated))[0] == 0
    entries = history_length(curated)
    code, out, _ = run(capsys, "import", str(file), str(curated))
    assert code == 1
    assert out.strip() == f"nothing to import: the store already holds what {file} says"
    assert history_length(curated) == entries


def test_a_viewer_is_refused(
    curated: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before, entries = values(load(curated)), history_length(curated)
    file = tmp_path / "edit.toml"
    file.write_text('format = 1\n\n[photos."studio/cara.jpg"]\nrating = 3\n')
    monkeypatch.setenv("PORTFOLIO_TUI_ROLE", "viewer")
    for args in (("import", str(file), str(curated)), ("export", str(curated))):
        code, out, err = run(capsys, *args)
        assert code == 2 and out == ""
        assert "not for viewers" in err
    assert values(load(curated)) == before
    assert history_length(curated) == entries


def test_control_characters_in_a_file_name_are_cleaned(
    curated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "evil\x1b[2J\x07[red]name.toml"
    file.write_text('format = 1\n\n[photos."studio/anna.jpg"]\nrating = 9\n')
    code, out, err = run(capsys, "import", str(file), str(curated))
    assert code == 1 and out == ""
    assert "\x1b" not in err and "\x07" not in err
    assert "evil␛[2J␇[red]name.toml:4" in err
