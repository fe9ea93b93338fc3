"""A disk cache of fitted images (thumbnails and display-size previews).

Entries live under the user cache directory from platformdirs (so
``XDG_CACHE_HOME`` moves it), never inside the portfolio.  An entry is keyed by
the photo's absolute path, file size and mtime and the pixel box it was fitted
to, so an edited or replaced photo is simply a miss.  Entries are PNG files
(lossless, and never pickled: a cache file can hold nothing but pixels).

Writes go to a temporary file in the same folder and are renamed into place, so
a reader never sees half an entry; a damaged entry (a crash between write and
rename on a file system that reorders them) fails to decode, is deleted and
counts as a miss.  The cache is bounded in bytes: when it grows past the bound,
the least recently used entries (by mtime, refreshed on every hit) are removed
down to 90 % of it.  Nothing happens at import time: the folder is made on the
first write.  When the folder cannot be written the cache turns itself off and
says why (``disabled_reason``); the app works on without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from ..files import open_regular, write_atomically

if TYPE_CHECKING:
    from .cells import Lines

APP_NAME = "portfolio-tui"
FORMAT_VERSION = "3"
"""Bump when the way images are fitted changes, so old entries stop matching (2: colour
managed to sRGB; 3: HEIC/AVIF nclx colour, HEICs turned by EXIF alone; the start-up
prefetch and the background child share this module)."""
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
VIEWER_MAX_BYTES = 128 * 1024 * 1024
"""The viewers' own cache (``VIEWERS_FOLDER``): all viewers of the account together."""
VIEWERS_FOLDER = "viewers"
SUFFIX = ".png"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/portfolio-tui/images`` (or the platform's equivalent)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False)) / "images"


@dataclass(frozen=True)
class CacheStats:
    """What is in the cache folder."""

    entries: int
    bytes: int


class ImageCache:
    """Fitted images on disk, keyed by file identity and pixel box; thread-safe."""

    def __init__(self, root: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root if root is not None else default_cache_dir()
        self.max_bytes = max_bytes
        self.disabled_reason: str | None = None
        self._lock = threading.Lock()
        self._size: int | None = None  # bytes on disk, measured on first write

    # -- keys ------------------------------------------------------------------
    @staticmethod
    def key(path: Path, box: tuple[int, int]) -> str | None:
        """The entry name for ``path`` fitted to ``box``; None if the file is gone."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        ident = "\0".join(
            (
                FORMAT_VERSION,
                os.fsencode(os.path.abspath(path)).hex(),
                str(stat.st_size),
                str(stat.st_mtime_ns),
                f"{box[0]}x{box[1]}",
            )
        )
        return hashlib.sha256(ident.encode()).hexdigest()

    def _entry(self, key: str) -> Path:
        return self.root / key[:2] / (key + SUFFIX)

    # -- reading ---------------------------------------------------------------
    def get(self, path: Path, box: tuple[int, int]) -> Image.Image | None:
        """The cached image for ``path`` at ``box``, or None (a miss)."""
        key = self.key(path, box)
        if key is None:
            return None
        entry = self._entry(key)
        try:
            # Not through a link: an entry is only ever a file this cache wrote.
            with os.fdopen(open_regular(entry), "rb") as stream, Image.open(stream) as image:
                image.load()
                result = image.convert("RGB") if image.mode != "RGB" else image.copy()
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry: drop it, rebuild it
            with contextlib.suppress(OSError):
                entry.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(entry)  # mark as recently used for LRU eviction
        return result

    def contains(self, path: Path, box: tuple[int, int]) -> bool:
        """Whether an entry exists (without decoding it)."""
        key = self.key(path, box)
        return key is not None and self._entry(key).is_file()

    # -- writing ---------------------------------------------------------------
    def put(self, path: Path, box: tuple[int, int], image: Image.Image) -> bool:
        """Store ``image`` as the entry for ``path`` at ``box``; False if not stored."""
        if self.disabled_reason is not None:
            return False
        key = self.key(path, box)
        if key is None:
            return False
        entry = self._entry(key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            if not stat.S_ISDIR(os.lstat(entry.parent).st_mode):
                return False  # a link planted in the cache: never written through
            # No fsync: a lost entry costs one decode, and a damaged one is dropped on read.
            # Read and write for the account only; a link planted at the entry is replaced,
            # never written through; temp names end in .png, so `clear` removes strays.
            write_atomically(
                entry,
                lambda stream: image.save(stream, "PNG", compress_level=1),
                durable=False,
                mode=0o600,
                keep_mode=False,
                regular_only=False,
                temp_name=(".tmp-", SUFFIX),
            )
            written = entry.stat().st_size
        except OSError as exc:
            self.disabled_reason = (
                f"cannot write the image cache at {self.root} ({exc.strerror or exc}); "
                "thumbnails are rebuilt each time"
            )
            return False
        self._grew(written)
        return True

    def _grew(self, written: int) -> None:
        with self._lock:
            if self._size is None:
                self._size = self.stats().bytes
            else:
                self._size += written
            if self._size <= self.max_bytes:
                return
            self._size = self._evict(int(self.max_bytes * 0.9))

    def _evict(self, target: int) -> int:
        """Remove least recently used entries until at most ``target`` bytes remain."""
        entries: list[tuple[int, int, Path]] = []
        for path in self._files():
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= target:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
        return total

    # -- housekeeping ----------------------------------------------------------
    def _files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [p for p in self.root.glob("*/*" + SUFFIX) if not p.name.startswith(".")]

    def stats(self) -> CacheStats:
        """Entries and bytes in the cache folder."""
        total = 0
        count = 0
        for path in self._files():
            with contextlib.suppress(OSError):
                total += path.stat().st_size
                count += 1
        return CacheStats(count, total)

    def clear(self) -> CacheStats:
        """Delete every entry (and stray temporary files); return what was removed.

        The viewers' cache inside this one goes too (its entries are counted).
        """
        removed = self.stats()
        viewers = self.root / VIEWERS_FOLDER
        if viewers.is_dir() and not viewers.is_symlink():
            also = ImageCache(viewers).clear()
            removed = CacheStats(removed.entries + also.entries, removed.bytes + also.bytes)
        if self.root.is_dir():
            for path in self.root.glob("*/*"):
                if path.is_file() and (path.suffix == SUFFIX):
                    with contextlib.suppress(OSError):
                        path.unlink()
            for folder in self.root.glob("*"):
                if folder.is_dir():
                    with contextlib.suppress(OSError):
                        folder.rmdir()
        with self._lock:
            self._size = 0
        return removed


class ViewerCache(ImageCache):
    """A viewer's cache: reads the account's shared cache, writes only into its own.

    Viewers (docs/ssh.md) may browse, resize and zoom as they like: what they decode is
    kept in ``VIEWERS_FOLDER`` inside the shared cache, under a smaller bound, so their
    sessions can never evict the thumbnails the curators' sessions (or ``thumbs``) built.
    A hit in the shared cache still marks that entry as recently used.
    """

    def __init__(
        self,
        shared: ImageCache | None = None,
        root: Path | None = None,
        max_bytes: int = VIEWER_MAX_BYTES,
    ) -> None:
        self.shared = shared if shared is not None else ImageCache()
        super().__init__(root if root is not None else self.shared.root / VIEWERS_FOLDER, max_bytes)

    def get(self, path: Path, box: tuple[int, int]) -> Image.Image | None:
        """The shared cache's image, else this one's, else None."""
        found = self.shared.get(path, box)
        return found if found is not None else super().get(path, box)

    def contains(self, path: Path, box: tuple[int, int]) -> bool:
        """Whether either cache holds the entry."""
        return self.shared.contains(path, box) or super().contains(path, box)


_shared: ImageCache | None = None
_shared_lock = threading.Lock()


def shared_cache() -> ImageCache:
    """The process-wide cache (created on first use, never at import)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ImageCache()
        return _shared


def use_viewer_cache() -> None:
    """From now on this process writes thumbnails only into the viewers' cache."""
    set_shared_cache(ViewerCache())


def set_shared_cache(cache: ImageCache | None) -> None:
    """Replace the process-wide cache (None: make a new one on next use); for tests."""
    global _shared
    with _shared_lock:
        _shared = cache


_inflight: dict[tuple[str, tuple[int, int]], Future[Image.Image]] = {}
_inflight_lock = threading.Lock()
_writer: ThreadPoolExecutor | None = None
LARGE_PIXELS = 250_000
"""Entries bigger than this (display-size previews) are written in the background."""


def _write_later(store: ImageCache, path: Path, box: tuple[int, int], image: Image.Image) -> None:
    """Store a large entry on a background thread: its PNG costs more than showing it."""
    global _writer
    with _inflight_lock:
        if _writer is None:
            _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")
        writer = _writer
    writer.submit(store.put, path, box, image)


def fitted(path: Path, box: tuple[int, int], cache: ImageCache | None = None) -> Image.Image:
    """``load_fitted`` through the disk cache: a hit skips decoding entirely.

    Two threads asking for the same image at once decode it once: the second
    waits for the first (start-up prefetch and the grid often meet this way).
    """
    from .decode import load_fitted

    store = cache if cache is not None else shared_cache()
    job = (os.path.abspath(path), box)
    with _inflight_lock:
        running = _inflight.get(job)
        mine = running is None
        if mine:
            running = _inflight[job] = Future()
    assert running is not None
    if not mine:
        return running.result().copy()
    try:
        image = store.get(path, box)
        if image is None:
            image = load_fitted(path, box)
            if image.width * image.height > LARGE_PIXELS:
                _write_later(store, path, box, image.copy())
            else:
                store.put(path, box, image)
    except BaseException as exc:
        running.set_exception(exc)
        raise
    else:
        running.set_result(image)
        return image
    finally:
        with _inflight_lock:
            _inflight.pop(job, None)


def prefetch(
    paths: Sequence[Path],
    box: tuple[int, int],
    workers: int = 2,
    colors: str | None = None,
) -> ThreadPoolExecutor:
    """Start fitting ``paths`` to ``box`` in the background, in order, into the disk cache.

    The app calls this before Textual starts, so the first screen's thumbnails
    decode while Textual imports and sets up. With ``colors`` ("truecolor" or
    "256") each is also drawn in half-blocks and kept for :func:`take_drawn`,
    so the grid's first frame costs no drawing either. Failures are left for
    the grid to meet and report. Call ``shutdown(wait=False,
    cancel_futures=True)`` on the result to drop what has not started.
    """
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prefetch")
    for path in paths:
        pool.submit(_quietly, path, box, colors)
    return pool


Drawn = tuple["Lines", int]
"""Half-block lines and their width in cells."""

_drawn: dict[tuple[str, tuple[int, int], str], tuple[tuple[int, int], Drawn]] = {}
_drawn_lock = threading.Lock()


def take_drawn(
    path: Path, box: tuple[int, int], colors: str, identity: tuple[int, int]
) -> Drawn | None:
    """The lines :func:`prefetch` drew for ``path`` (once; ``identity`` is size and mtime_ns)."""
    with _drawn_lock:
        found = _drawn.pop((str(path), box, colors), None)
    if found is None or found[0] != identity:
        return None
    return found[1]


def _quietly(path: Path, box: tuple[int, int], colors: str | None = None) -> None:
    with contextlib.suppress(Exception):
        if colors is None:
            if not shared_cache().contains(path, box):  # warm: the grid reads it itself
                fitted(path, box)
            return
        from .cells import halfblock_lines

        stat = os.stat(path)
        image = fitted(path, box)
        drawn = (halfblock_lines(image, colors), image.width)
        with _drawn_lock:
            _drawn[(str(path), box, colors)] = ((stat.st_size, stat.st_mtime_ns), drawn)
