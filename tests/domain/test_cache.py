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


def test_two_threads_asking_for_one_image_decode_it_once(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from portfolio_tui.imaging import decode

    photo = make_image(tmp_path / "a.jpg", size=(200, 250))
    calls: list[Path] = []
    real = decode.load_fitted
    gate = threading.Event()

    def slow(path: Path, box: tuple[int, int]) -> Image.Image:
        calls.append(path)
        gate.wait(2)
        return real(path, box)

    monkeypatch.setattr(decode, "load_fitted", slow)
    cache = ImageCache(tmp_path / "cache")
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(fitted, photo, (20, 25), cache) for _ in range(4)]
        time.sleep(0.2)  # every caller is waiting on the first decode by now
        gate.set()
        images = [f.result() for f in futures]
    assert calls == [photo]
    assert {image.size for image in images} == {(20, 25)}
    assert len({id(image) for image in images}) == 4  # each caller gets its own copy


def test_a_failed_decode_fails_every_waiting_caller(tmp_path: Path) -> None:
    from portfolio_tui.imaging.decode import ImageError

    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a jpeg")
    with pytest.raises(ImageError):
        fitted(bad, (20, 25), ImageCache(tmp_path / "cache"))
    with pytest.raises(ImageError):  # nothing stuck in flight: it fails again, not hangs
        fitted(bad, (20, 25), ImageCache(tmp_path / "cache"))


def test_large_previews_are_written_to_disk_in_the_background(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    import time

    photo = make_image(tmp_path / "big.jpg", size=(1200, 1500))
    cache = ImageCache(tmp_path / "cache")
    image = fitted(photo, (800, 1000), cache)
    assert image.size == (800, 1000)
    deadline = time.monotonic() + 10
    while not cache.contains(photo, (800, 1000)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert cache.get(photo, (800, 1000)) is not None


def test_prefetch_fills_the_cache_in_the_background(tmp_path: Path, make_image: ImageMaker) -> None:
    from portfolio_tui.imaging.cache import prefetch, set_shared_cache

    cache = ImageCache(tmp_path / "cache")
    set_shared_cache(cache)
    photos = [make_image(tmp_path / f"p{i}.jpg", size=(120, 150)) for i in range(5)]
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"junk")  # a bad file is skipped, not raised
    pool = prefetch([*photos, broken], (24, 30))
    pool.shutdown(wait=True)
    assert all(cache.contains(p, (24, 30)) for p in photos)
    assert not cache.contains(broken, (24, 30))
