"""The grid's thumbnails: the ones loaded (bounded, least recently drawn first) and the
decoding of the missing ones on a pool of threads, visible tiles first, handed over in batches.

:class:`ThumbLoader` knows photos and boxes, not tiles or scrolling: the grid
(:class:`~portfolio_tui.ui.widgets.thumb_grid.ThumbGrid`) says which photos it wants, runs
:meth:`ThumbLoader.decode` in its worker thread and draws what comes back.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from ...imaging.cache import shared_cache
from ...imaging.cells import TRUECOLOR
from ...imaging.sizes import pixel_box
from ...portfolio import Photo
from ..rendering import CACHE, Rendered, render_embedded, render_photo

DECODE_THREADS = max(2, os.cpu_count() or 2)
MAX_LOADED_THUMBS = 1500
"""Thumbnails kept in memory per grid: several screens' worth at any size."""
_POOL = ThreadPoolExecutor(max_workers=DECODE_THREADS, thread_name_prefix="thumb")
_FLUSH_SECONDS = 0.05
"""Decoded thumbnails are handed to the UI at most this often (one repaint per batch)."""
FIRST_BATCH_WAIT = 0.3
"""The tiles on screen arrive together, unless some take longer than this."""

Want = tuple[int, int, str]
"""What a load is for: thumbnail columns, rows and colour depth."""

Batch = list[tuple[Photo, Rendered]]
"""Decoded thumbnails, handed to the UI thread together."""


class ThumbLoader:
    """One grid's thumbnails at its current box (``want``), and the decodes that make them."""

    def __init__(self) -> None:
        # Loaded thumbnails, least recently drawn first; bounded so scrolling
        # through a 10,000-photo shoot does not keep 10,000 thumbnails alive.
        self.thumbs: OrderedDict[str, Rendered] = OrderedDict()
        self.want: Want = (0, 0, TRUECOLOR)
        self._warm: tuple[Want, dict[str, Future[Rendered]]] = (self.want, {})

    @property
    def warming(self) -> bool:
        """Start-up decodes were started (:meth:`warm_up`) and not yet taken."""
        return bool(self._warm[1])

    def resize(self, want: Want) -> None:
        """Thumbnails for another box (or colour depth) from now on: the loaded ones go."""
        if want != self.want:
            self.thumbs.clear()
            self.want = want

    def warm_up(self, photos: Iterable[Photo], want: Want) -> None:
        """Start decoding ``photos`` at ``want`` before the grid's first layout."""
        cols, rows_px, colors = want
        futures = {
            photo.rel: _POOL.submit(render_photo, photo.real_path, cols, rows_px, None, colors)
            for photo in photos
        }
        self._warm = (want, futures)

    def take_warm(self) -> dict[str, Future[Rendered]]:
        """The start-up decodes, if they are for the current box (others are cancelled)."""
        want, futures = self._warm
        self._warm = (self.want, {})
        if want == self.want:
            return futures
        for future in futures.values():
            future.cancel()
        return {}

    def ready(self, photos: Iterable[Photo], warm: dict[str, Future[Rendered]]) -> Batch:
        """Renders of ``photos`` already made, to show at once without touching the files.

        At start-up (finished ``warm`` decodes, taken out of it) or before a tile was
        forgotten (the render cache); the worker confirms them.
        """
        cols, rows, colors = self.want
        found: Batch = []
        for photo in photos:
            loaded = self.thumbs.get(photo.rel)
            if loaded is not None and not loaded.placeholder:
                continue
            future = warm.get(photo.rel)
            if future is not None and future.done() and not future.cancelled():
                del warm[photo.rel]
                if future.exception() is None:
                    found.append((photo, future.result()))
                    continue
            peeked = CACHE.peek(photo.real_path, cols, rows, colors=colors)
            if peeked is not None:
                found.append((photo, peeked))
        return found

    def take(self, batch: Batch, on_screen: Iterable[str]) -> list[Photo]:
        """Keep decoded thumbnails (on the UI thread); the photos whose tile changed.

        What is ``on_screen`` (paths) is the last to go, whatever order the batches came in.
        """
        thumbs = self.thumbs
        changed: list[Photo] = []
        for photo, rendered in batch:
            current = thumbs.get(photo.rel)
            if rendered.placeholder and current is not None and not current.placeholder:
                continue  # the real thumbnail won the race
            thumbs[photo.rel] = rendered
            thumbs.move_to_end(photo.rel)
            if rendered is not current:
                changed.append(photo)
        for rel in on_screen:
            if rel in thumbs:
                thumbs.move_to_end(rel)
        while len(thumbs) > MAX_LOADED_THUMBS:
            thumbs.popitem(last=False)
        return changed

    def decode(
        self,
        photos: list[Photo],
        want: Want,
        blank: frozenset[str],
        on_screen: frozenset[str],
        adopted: dict[str, Future[Rendered]],
        hand_over: Callable[[Batch, Want, threading.Event | None], None],
        cancelled: Callable[[], bool],
    ) -> None:
        """Decode ``photos`` in order on the pool and hand them to the UI in batches (a thread).

        The tiles ``on_screen`` arrive together in one batch (one repaint, not one
        per decode); the rest (pages ahead) are only started once that batch has
        been drawn (``hand_over`` sets the event it is given then), so their
        decoding does not slow the frame down.  Decodes already under way
        (``adopted``) are waited for, not started again.  ``blank``: tiles showing
        nothing yet, which get the camera's embedded thumbnail first.
        """
        cols, rows, colors = want
        pending: dict[Future[Rendered], Photo] = {
            adopted[photo.rel]: photo for photo in photos if photo.rel in adopted
        }
        queue = [(at, photo) for at, photo in enumerate(photos) if photo.rel not in adopted]
        batch: Batch = []
        # Photos not in the disk cache need a full decode: show the camera's
        # embedded thumbnail at once (a tiny decode) while the real one is made.
        cache = shared_cache()
        for photo in photos:
            if cancelled():
                break
            if photo.rel not in blank or cache.contains(photo.real_path, pixel_box(cols, rows)):
                continue
            quick = render_embedded(photo.real_path, cols, rows, colors)
            if quick is not None:
                batch.append((photo, quick))
        if batch and not cancelled():
            hand_over(batch, want, None)
            batch = []
        # First the tiles on screen, all at once, handed over in one batch; the
        # rest (pages ahead) only once that batch has been drawn.
        waiting = set(on_screen)
        head = max((at + 1 for at, p in enumerate(photos) if p.rel in waiting), default=0)
        started = last_flush = time.monotonic()
        while (queue or pending) and not cancelled():
            while queue and (queue[0][0] < head if head else len(pending) < DECODE_THREADS * 2):
                photo = queue.pop(0)[1]
                # Positional: tests stand in for render_photo with (path, *args).
                path = photo.real_path
                pending[_POOL.submit(render_photo, path, cols, rows, None, colors)] = photo
            done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            for future in done:
                photo = pending.pop(future)
                waiting.discard(photo.rel)
                try:
                    batch.append((photo, future.result()))
                except Exception:  # a decoder bug shows as an unreadable tile, never a crash
                    batch.append((photo, Rendered(("", 0, 0, 0, 0), error="could not draw")))
            now = time.monotonic()
            if head:
                if waiting and now - started < FIRST_BATCH_WAIT:
                    continue
                painted = threading.Event()
                if batch:
                    hand_over(batch, want, painted)
                    while not (painted.wait(0.05) or cancelled()):
                        pass
                batch, last_flush, head = [], now, 0
            elif batch and (now - last_flush > _FLUSH_SECONDS or not (queue or pending)):
                hand_over(batch, want, None)
                batch, last_flush = [], now
        for future in pending:
            future.cancel()
