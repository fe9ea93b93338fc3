"""The disk cache of fitted images: hits, invalidation, eviction, and where it lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from conftest import ImageMaker, can_chmod
from portfolio_tui.imaging.cache import ImageCache, default_cache_dir, fitted
from portfolio_tui.imaging.decode import load_fitted


def test_cache_lives_under_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "portfolio-tui" / "images"


def test_nothing_is_created_until_the_first_write(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "c")
    assert cache.get(tmp_path / "nothing.jpg", (10, 10)) is None
    assert not (tmp_path / "c").exists()


def test_a_stored_image_comes_back_pixel_for_pixel(tmp_path: Path, make_image: ImageMaker) -> None:
    photo = make_image(tmp_path / "p" / "a.jpg", size=(400, 500))
    cache = ImageCache(tmp_path / "c")
    image = load_fitted(photo, (24, 30))
    assert cache.put(photo, (24, 30), image)
    again = cache.get(photo, (24, 30))
    assert again is not None
    assert again.size == image.size
    assert again.tobytes() == image.tobytes()
    # Never inside the portfolio.
    assert not [p for p in (tmp_path / "p").iterdir() if p.name != "a.jpg"]


def test_entries_are_keyed_by_box(tmp_path: Path, make_image: ImageMaker) -> None:
    photo = make_image(tmp_path / "a.jpg", size=(400, 500))
    cache = ImageCache(tmp_path / "c")
    cache.put(photo, (24, 30), load_fitted(photo, (24, 30)))
    assert cache.get(photo, (48, 60)) is None
    assert cache.contains(photo, (24, 30))


def test_changing_the_photo_is_a_miss(tmp_path: Path, make_image: ImageMaker) -> None:
    photo = make_image(tmp_path / "a.jpg", size=(400, 500), color=(10, 200, 10))
    cache = ImageCache(tmp_path / "c")
    cache.put(photo, (24, 30), load_fitted(photo, (24, 30)))
    make_image(photo, size=(400, 500), color=(200, 10, 10))  # replaced: new size/mtime
    stat = photo.stat()
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert cache.get(photo, (24, 30)) is None
    fresh = fitted(photo, (24, 30), cache)
    assert fresh.getpixel((20, 25))[0] > 150  # the new, red photo


def test_a_damaged_entry_is_dropped_and_rebuilt(tmp_path: Path, make_image: ImageMaker) -> None:
    photo = make_image(tmp_path / "a.jpg", size=(400, 500))
    cache = ImageCache(tmp_path / "c")
    cache.put(photo, (24, 30), load_fitted(photo, (24, 30)))
    (entry,) = list((tmp_path / "c").glob("*/*.png"))
    entry.write_bytes(b"\x89PNG half written")
    assert cache.get(photo, (24, 30)) is None
    assert not entry.exists()
    assert fitted(photo, (24, 30), cache).size == (24, 30)
    assert entry.exists()


def test_least_recently_used_entries_are_evicted_past_the_bound(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    photos = [make_image(tmp_path / f"{i}.png", size=(64, 64), fmt="PNG") for i in range(6)]
    noisy = Image.effect_noise((64, 64), 80).convert("RGB")  # incompressible, ~12 KB as PNG
    probe = ImageCache(tmp_path / "probe")
    probe.put(photos[0], (64, 64), noisy)
    entry_size = probe.stats().bytes
    cache = ImageCache(tmp_path / "c", max_bytes=int(entry_size * 3.5))
    for i, photo in enumerate(photos[:3]):
        cache.put(photo, (64, 64), noisy)
        key = cache.key(photo, (64, 64))
        assert key is not None
        # Distinct, old "last used" times: photo 0 oldest.
        os.utime(cache._entry(key), ns=(i * 10**9, i * 10**9))
    cache.get(photos[0], (64, 64))  # photo 0 used again: now the most recent
    cache.put(photos[3], (64, 64), noisy)  # over the bound: evict down to 90 %
    assert cache.stats().bytes <= cache.max_bytes
    assert cache.contains(photos[0], (64, 64))
    assert cache.contains(photos[3], (64, 64))
    assert not cache.contains(photos[1], (64, 64))  # the least recently used went first


def test_clear_removes_everything(tmp_path: Path, make_image: ImageMaker) -> None:
    photo = make_image(tmp_path / "a.jpg")
    cache = ImageCache(tmp_path / "c")
    cache.put(photo, (24, 30), load_fitted(photo, (24, 30)))
    removed = cache.clear()
    assert removed.entries == 1
    assert cache.stats().entries == 0
    assert cache.get(photo, (24, 30)) is None


def test_an_unwritable_cache_turns_itself_off(tmp_path: Path, make_image: ImageMaker) -> None:
    photo = make_image(tmp_path / "a.jpg")
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    cache = ImageCache(blocker / "c")
    assert not cache.put(photo, (24, 30), load_fitted(photo, (24, 30)))
    assert cache.disabled_reason is not None
    assert "cannot write the image cache" in cache.disabled_reason
    # Still works, just without the cache.
    assert fitted(photo, (24, 30), cache).size == (24, 30)


@pytest.mark.skipif(not can_chmod(), reason="permissions mean nothing as root")
def test_a_read_only_cache_folder_turns_it_off(tmp_path: Path, make_image: ImageMaker) -> None:
    photo = make_image(tmp_path / "a.jpg")
    root = tmp_path / "c"
    root.mkdir()
    root.chmod(0o500)
    try:
        cache = ImageCache(root)
        assert not cache.put(photo, (24, 30), load_fitted(photo, (24, 30)))
        assert cache.disabled_reason is not None
    finally:
        root.chmod(0o700)
