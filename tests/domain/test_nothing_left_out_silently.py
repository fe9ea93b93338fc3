"""Every file in a gallery folder is shown or named by ``check`` (issue 15, item 6)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from conftest import run_cli
from portfolio_tui.check import check
from portfolio_tui.portfolio import open_portfolio

RAW_CR2 = "a RAW file (CR2); RAW files are not shown yet: keep a JPEG beside it"


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
        "IMG_1.CR2",
        "clip.mov",
        "layers.psd",
        "IMG_2.dng",
        "plan.docx",
        "README",
    )
    done = run_cli("check", "shoot", cwd=tmp_path)
    assert done.stdout.splitlines() == [
        "shoot/wedding/IMG_1.CR2: warning: a RAW file (CR2); RAW files are not shown yet: "
        "keep a JPEG beside it",
        "shoot/wedding/IMG_2.dng: warning: a RAW file (DNG); RAW files are not shown yet: "
        "keep a JPEG beside it",
        "shoot/wedding/README: warning: a file without an extension is not a photo format the "
        "app shows (JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF, JPEG XL, JPEG 2000); it is not shown",
        "shoot/wedding/clip.mov: warning: not a photo (video); it is not shown",
        "shoot/wedding/layers.psd: warning: Photoshop files are not shown; export a JPEG beside it",
        "shoot/wedding/plan.docx: warning: a .docx file is not a photo format the app shows "
        "(JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF, JPEG XL, JPEG 2000); it is not shown",
        "check: no problems, 6 warnings in 6 files (1 gallery, 1 photo, 0 comparisons checked).",
    ]
    assert done.returncode == 0  # the gallery shows its photo: the rest are warnings


def test_hidden_files_and_sidecars_are_the_only_silent_ones(tmp_path: Path) -> None:
    root = tmp_path / "shoot"
    sidecars = [f"IMG_1{s}" for s in (".xmp", ".pp3", ".dop", ".cos", ".cof", ".json", ".thm")]
    sidecars += ["IMG_1.jpg.xmp", "IMG_1.AAE", "IMG_1.c2pa", "notes.txt", "IMG_1.md"]
    _files(root / "wedding", "IMG_1.jpg", ".DS_Store", "._IMG_1.jpg", "Thumbs.db", *sidecars)
    for xmp in ("IMG_1.xmp", "IMG_1.jpg.xmp"):
        (root / "wedding" / xmp).write_text('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')
    result = check(root)
    assert [str(p) for p in result.problems] == []
    assert open_portfolio(root).galleries[0].not_shown == 0


def test_a_folder_of_raw_files_alone_says_how_many_are_not_shown_and_check_fails(
    tmp_path: Path,
) -> None:
    _files(tmp_path / "shoot", "A.CR2", "B.NEF", "B.xmp")
    done = run_cli("check", "shoot", cwd=tmp_path)
    assert done.stdout.splitlines() == [
        "shoot: no photo in this folder is shown: 2 files are not shown (each is named below, "
        "with why); add JPEGs or other photos it can show",
        f"shoot/A.CR2: warning: {RAW_CR2}",
        f"shoot/B.NEF: warning: {RAW_CR2.replace('CR2', 'NEF')}",
        "check: 1 problem and 2 warnings in 3 files "
        "(0 galleries, 0 photos, 0 comparisons checked).",
    ]
    assert done.returncode == 1


def test_a_gallery_folder_of_raw_files_beside_others_is_named_too(tmp_path: Path) -> None:
    _files(tmp_path / "shoot" / "jpegs", "a.jpg")
    _files(tmp_path / "shoot" / "raws", "A.CR3")
    result = check(tmp_path / "shoot", cwd=tmp_path)
    assert [str(p) for p in result.problems] == [
        f"{tmp_path}/shoot/raws: no photo in this folder is shown: 1 file is not shown (each is "
        "named below, with why); add JPEGs or other photos it can show",
        f"{tmp_path}/shoot/raws/A.CR3: warning: a RAW file (CR3); RAW files are not shown yet: "
        "keep a JPEG beside it",
    ]
    assert result.exit_code == 1
    portfolio = open_portfolio(tmp_path / "shoot")
    assert [g.title for g in portfolio.galleries] == ["Jpegs"]
    assert len(portfolio.not_shown) == 1
