"""Every file in a gallery folder is shown or named by ``check`` (issue 15, item 6)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from conftest import run_cli
from portfolio_tui.check import check
from portfolio_tui.portfolio import open_portfolio

SHOWN = "JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF, JPEG XL, JPEG 2000, camera RAW"
VIDEO = "not a photo (video); it is not shown"


def _files(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name.endswith(".jpg"):
            Image.new("RGB", (40, 30), (120, 90, 60)).save(folder / name)
        else:
            (folder / name).write_bytes(b"not shown " * 8)


def test_check_names_each_file_it_does_not_show_with_why_and_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "shoot"
    _files(
        root / "wedding",
        "IMG_1.jpg",
        "clip.mov",
        "layers.psd",
        "plan.docx",
        "README",
    )
    done = run_cli("check", "shoot", cwd=tmp_path)
    assert done.stdout.splitlines() == [
        "shoot/wedding/README: warning: a file without an extension is not a photo format the "
        f"app shows ({SHOWN}); it is not shown",
        f"shoot/wedding/clip.mov: warning: {VIDEO}",
        "shoot/wedding/layers.psd: warning: Photoshop files are not shown; export a JPEG beside it",
        "shoot/wedding/plan.docx: warning: a .docx file is not a photo format the app shows "
        f"({SHOWN}); it is not shown",
        "check: no problems, 4 warnings in 4 files (1 gallery, 1 photo, 0 comparisons checked).",
    ]
    assert done.returncode == 0  # the gallery shows its photo: the rest are warnings


def test_hidden_files_and_sidecars_are_the_only_silent_ones(tmp_path: Path) -> None:
    root = tmp_path / "shoot"
    sidecars = [f"IMG_1{s}" for s in (".xmp", ".pp3", ".dop", ".cos", ".cof", ".json", ".thm")]
    sidecars += ["IMG_1.jpg.xmp", "IMG_1.AAE", "notes.txt", "IMG_1.md"]
    _files(root / "wedding", "IMG_1.jpg", ".DS_Store", "._IMG_1.jpg", "Thumbs.db", *sidecars)
    for xmp in ("IMG_1.xmp", "IMG_1.jpg.xmp"):
        (root / "wedding" / xmp).write_text('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')
    result = check(root)
    assert [str(p) for p in result.problems] == []
    assert open_portfolio(root).galleries[0].not_shown == 0
    # A C2PA sidecar is not left out either: it is read, and one that is junk says so.
    _files(root / "wedding", "IMG_1.c2pa")
    (problem,) = [str(p) for p in check(root).problems]
    assert problem.startswith(f"{root}/wedding/IMG_1.jpg: its Content Credentials")
    assert "cannot be read" in problem
    assert open_portfolio(root).galleries[0].not_shown == 0


def test_a_folder_of_videos_alone_says_how_many_are_not_shown_and_check_fails(
    tmp_path: Path,
) -> None:
    _files(tmp_path / "shoot", "A.mov", "B.mp4", "B.xmp")
    done = run_cli("check", "shoot", cwd=tmp_path)
    assert done.stdout.splitlines() == [
        "shoot: no photo in this folder is shown: 2 files are not shown (each is named below, "
        "with why); add JPEGs or other photos it can show",
        f"shoot/A.mov: warning: {VIDEO}",
        f"shoot/B.mp4: warning: {VIDEO}",
        "check: 1 problem and 2 warnings in 3 files "
        "(0 galleries, 0 photos, 0 comparisons checked).",
    ]
    assert done.returncode == 1


def test_a_gallery_folder_of_videos_beside_others_is_named_too(tmp_path: Path) -> None:
    _files(tmp_path / "shoot" / "jpegs", "a.jpg")
    _files(tmp_path / "shoot" / "clips", "A.mov")
    result = check(tmp_path / "shoot", cwd=tmp_path)
    assert [str(p) for p in result.problems] == [
        f"{tmp_path}/shoot/clips: no photo in this folder is shown: 1 file is not shown (each is "
        "named below, with why); add JPEGs or other photos it can show",
        f"{tmp_path}/shoot/clips/A.mov: warning: {VIDEO}",
    ]
    assert result.exit_code == 1
    portfolio = open_portfolio(tmp_path / "shoot")
    assert [g.title for g in portfolio.galleries] == ["Jpegs"]
    assert len(portfolio.not_shown) == 1
