"""``portfolio-tui thumbs``: build the thumbnail cache ahead of time."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .imaging.cache import ImageCache
from .imaging.decode import ImageError, load_fitted
from .imaging.sizes import default_thumb_box
from .portfolio import Photo


@dataclass
class ThumbsSummary:
    """What a prebuild did."""

    built: int = 0
    cached: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Photos looked at."""
        return self.built + self.cached + len(self.failed)


def _build(cache: ImageCache, path: Path, box: tuple[int, int]) -> str | None:
    """Build one entry; return 'cached', 'built', 'off' (the cache cannot be written), or raise
    ImageError."""
    if cache.disabled_reason is not None:
        return "off"  # decoding the rest would only be thrown away
    if cache.contains(path, box):
        return "cached"
    image = load_fitted(path, box)
    return "built" if cache.put(path, box, image) else "off"


def prebuild(
    photos: Sequence[Photo],
    cache: ImageCache,
    *,
    jobs: int | None = None,
    box: tuple[int, int] | None = None,
    progress: Callable[[Photo], None] | None = None,
) -> ThumbsSummary:
    """Make sure every photo's default grid thumbnail is in ``cache``.

    Decoding runs on ``jobs`` threads (Pillow releases the GIL while it
    decodes, resizes and encodes, so threads use every core without the cost
    of starting processes and copying images between them).
    """
    box = box or default_thumb_box()
    workers = max(1, jobs or os.cpu_count() or 2)
    summary = ThumbsSummary()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="thumbs") as pool:
        futures = {pool.submit(_build, cache, p.real_path, box): p for p in photos}
        try:
            _collect(futures, summary, progress)
        except BaseException:
            # Ctrl+C or SIGTERM: drop what has not started (leaving the pool would run it
            # all) and let the running builds finish their entries, so none is half written.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    summary.seconds = time.perf_counter() - start
    return summary


def _collect(
    futures: dict[Future[str | None], Photo],
    summary: ThumbsSummary,
    progress: Callable[[Photo], None] | None,
) -> None:
    for future in as_completed(futures):
        photo = futures[future]
        try:
            outcome = future.result()
        except ImageError as exc:
            summary.failed.append((photo.path, exc.reason))
        except Exception as exc:  # a decoder bug must not stop the other photos
            summary.failed.append((photo.path, f"could not decode ({type(exc).__name__})"))
        else:
            if outcome == "cached":
                summary.cached += 1
            elif outcome == "built":
                summary.built += 1
        if progress is not None:
            progress(photo)
