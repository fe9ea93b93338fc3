"""``portfolio-tui thumbs`` and ``portfolio-tui cache``, run as a photographer would."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import ImageMaker, run_cli


def run(*args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """The CLI with its cache in ``cache`` (XDG_CACHE_HOME)."""
    return run_cli(*args, cwd=cwd, env={"XDG_CACHE_HOME": str(cache)})


def test_thumbs_builds_then_reuses_and_cache_clear_empties(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    for name in ("a.jpg", "b.jpg", "c.png"):
        make_image(tmp_path / "shoot" / "studio" / name, size=(300, 375))
    cache = tmp_path / "xdg"

    first = run("thumbs", "shoot", "--jobs", "2", cwd=tmp_path, cache=cache)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("thumbs: 3 built, 0 already cached, 0 failed, ")
    assert str(cache / "portfolio-tui" / "images") in first.stdout
    assert len(list((cache / "portfolio-tui" / "images").glob("*/*.png"))) == 3
    assert not [
        p
        for p in (tmp_path / "shoot" / "studio").iterdir()
        if p.suffix == ".png" and p.name != "c.png"
    ]

    second = run("thumbs", "shoot", cwd=tmp_path, cache=cache)
    assert second.stdout.startswith("thumbs: 0 built, 3 already cached, 0 failed, ")

    cleared = run("cache", "clear", cwd=tmp_path, cache=cache)
    assert cleared.returncode == 0
    assert cleared.stdout.startswith("cache: removed 3 images (")
    assert not list((cache / "portfolio-tui" / "images").glob("*/*.png"))


def test_thumbs_lists_photos_it_cannot_read_and_exits_1(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(tmp_path / "shoot" / "studio" / "good.jpg")
    (tmp_path / "shoot" / "studio" / "bad.jpg").write_bytes(b"not a jpeg")
    result = run("thumbs", "shoot", cwd=tmp_path, cache=tmp_path / "xdg")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(
        line.endswith("bad.jpg: not an image Pillow can read (wrong format or damaged)")
        for line in lines
    )
    assert lines[-1].startswith("thumbs: 1 built, 0 already cached, 1 failed, ")
    assert "Traceback" not in result.stderr


def test_thumbs_rejects_zero_jobs(tmp_path: Path) -> None:
    (tmp_path / "shoot").mkdir()
    result = run("thumbs", "shoot", "--jobs", "0", cwd=tmp_path, cache=tmp_path / "xdg")
    assert result.returncode == 2
    assert "--jobs must be 1 or more" in result.stderr
