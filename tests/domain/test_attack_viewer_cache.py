"""Issue 21, item 9g: viewers read the shared thumbnail cache and write only their own.

A viewer's session decodes what the shared cache lacks (another terminal size, another
zoom) into ``viewers/`` inside it, under a smaller bound: the curators' entries are never
evicted, rewritten or added to. The real session over SSH is in
tests/ui/test_attack_viewer_cache_ssh.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ImageMaker
from portfolio_tui.imaging import background
from portfolio_tui.imaging.cache import (
    VIEWERS_FOLDER,
    ImageCache,
    ViewerCache,
    default_cache_dir,
    fitted,
    shared_cache,
    use_viewer_cache,
)


def files(folder: Path) -> dict[str, int]:
    """Every entry directly under ``folder`` (not the viewers' folder) and its size."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.glob("*/*.png")}


def test_a_viewer_reads_shared_entries_and_writes_its_own_elsewhere(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    photos = [make_image(tmp_path / "p" / f"{i}.jpg", size=(300, 200)) for i in range(3)]
    shared = ImageCache(tmp_path / "c")
    for photo in photos:
        fitted(photo, (60, 40), shared)  # the curators' thumbnails
    before = files(shared.root)
    viewer = ViewerCache(shared)
    assert viewer.root == shared.root / VIEWERS_FOLDER
    for photo in photos:
        assert viewer.contains(photo, (60, 40))
        assert fitted(photo, (60, 40), viewer).size == (60, 40)  # a hit: nothing written
    assert not viewer.root.exists()
    for photo in photos:
        fitted(photo, (90, 60), viewer)  # another terminal size: a miss
    assert files(shared.root) == before
    assert len(files(viewer.root)) == len(photos)
    assert viewer.contains(photos[0], (90, 60)) and not shared.contains(photos[0], (90, 60))


def test_a_viewer_filling_its_cache_never_evicts_a_curators_entry(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    photos = [make_image(tmp_path / "p" / f"{i}.jpg", size=(300, 200)) for i in range(4)]
    shared = ImageCache(tmp_path / "c", max_bytes=10**9)
    for photo in photos:
        fitted(photo, (60, 40), shared)
    before = files(shared.root)
    viewer = ViewerCache(shared, max_bytes=6_000)
    for width in range(40, 400, 12):  # a viewer resizing the terminal again and again
        for photo in photos:
            fitted(photo, (width, width * 2 // 3), viewer)
    assert files(shared.root) == before
    assert 0 < sum(files(viewer.root).values()) <= 6_000


def test_the_app_process_of_a_viewer_uses_the_viewers_cache() -> None:
    use_viewer_cache()
    cache = shared_cache()
    assert isinstance(cache, ViewerCache)
    assert cache.shared.root == default_cache_dir()
    assert cache.root == default_cache_dir() / VIEWERS_FOLDER
    assert cache.max_bytes < cache.shared.max_bytes


def test_the_start_up_process_keeps_to_the_viewers_cache_and_its_bound(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    photos = [make_image(tmp_path / "p" / f"{i}.jpg", size=(300, 200)) for i in range(2)]
    shared = ImageCache(tmp_path / "c")
    viewer = ViewerCache(shared, max_bytes=12_345)
    child = background.fit_elsewhere(photos, (60, 40), viewer)
    assert child is not None
    assert child.wait(timeout=60) == 0
    assert child.args[-1] == "12345"
    assert not shared.root.joinpath("00").exists() and files(shared.root) == {}
    assert len(files(viewer.root)) == len(photos)


def test_cache_clear_removes_the_viewers_entries_too(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    photo = make_image(tmp_path / "p" / "a.jpg", size=(300, 200))
    shared = ImageCache(tmp_path / "c")
    fitted(photo, (60, 40), shared)
    fitted(photo, (90, 60), ViewerCache(shared))
    removed = shared.clear()
    assert removed.entries == 2
    assert list(shared.root.rglob("*.png")) == []


def test_the_background_module_still_takes_three_arguments(tmp_path: Path) -> None:
    """An older app's command line (no bound) still works."""
    result = subprocess.run(
        [sys.executable, "-m", "portfolio_tui.imaging.background", str(tmp_path / "c"), "8", "8"],
        input=b"",
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
