"""Start-up decoding in another process, and thumbnails drawn ahead in a thread."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import ImageMaker
from portfolio_tui.imaging.background import fit_elsewhere, stop
from portfolio_tui.imaging.cache import ImageCache, prefetch, set_shared_cache, take_drawn
from portfolio_tui.imaging.cells import TRUECOLOR

BOX = (24, 30)


def test_another_process_fills_the_cache_with_any_file_name(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    cache = ImageCache(tmp_path / "cache")
    names = ["plain.jpg", "new\nline.jpg", "[b]markup[/b].jpg", "\x1b[31mred.jpg"]
    photos = [make_image(tmp_path / "p" / name, size=(300, 200)) for name in names]
    broken = tmp_path / "p" / "broken.jpg"
    broken.write_bytes(b"not a jpeg")  # skipped; the app reports it
    child = fit_elsewhere([*photos, broken], BOX, cache)
    assert child is not None
    assert child.wait(timeout=60) == 0
    assert all(cache.contains(photo, BOX) for photo in photos)
    assert not cache.contains(broken, BOX)
    assert fit_elsewhere(photos, BOX, cache) is None  # all cached: no process at all
    stop(child)  # already ended: nothing to do, no error


def test_a_cache_that_cannot_be_written_starts_no_process(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    cache = ImageCache(tmp_path / "cache")
    cache.disabled_reason = "read-only file system"
    photo = make_image(tmp_path / "a.jpg")
    assert fit_elsewhere([photo], BOX, cache) is None


def test_stop_ends_a_process_still_working(tmp_path: Path, make_image: ImageMaker) -> None:
    cache = ImageCache(tmp_path / "cache")
    photos = [make_image(tmp_path / f"{i}.jpg", size=(2000, 1500)) for i in range(20)]
    child = fit_elsewhere(photos, BOX, cache)
    assert child is not None
    stop(child)
    assert child.returncode is not None


def test_drawn_ahead_thumbnails_are_taken_once_and_only_for_the_same_file(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    set_shared_cache(ImageCache(tmp_path / "cache"))
    try:
        photo = make_image(tmp_path / "a.jpg", size=(240, 300))
        other = make_image(tmp_path / "b.jpg", size=(240, 300))
        prefetch([photo, other], BOX, workers=1, colors=TRUECOLOR).shutdown(wait=True)
        stat = os.stat(photo)
        drawn = take_drawn(photo, BOX, TRUECOLOR, (stat.st_size, stat.st_mtime_ns))
        assert drawn is not None
        lines, width = drawn
        assert width == 24 and len(lines) == 15
        assert take_drawn(photo, BOX, TRUECOLOR, (stat.st_size, stat.st_mtime_ns)) is None
        # Another colour depth, or a file changed since it was drawn: not this drawing.
        stat = os.stat(other)
        assert take_drawn(other, BOX, "256", (stat.st_size, stat.st_mtime_ns)) is None
        assert take_drawn(other, BOX, TRUECOLOR, (stat.st_size + 1, stat.st_mtime_ns)) is None
    finally:
        set_shared_cache(None)
