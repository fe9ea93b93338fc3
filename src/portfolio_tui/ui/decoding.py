"""Decoding photos for the big views: the photo on screen first, its neighbours ahead.

Every ``PhotoView`` and the loupe's look-ahead submit their work here instead
of starting a thread each. Two worker threads take the most urgent job first
(the photo on screen, then the nearest neighbours). A job waiting for a thread
is dropped as soon as whoever asked for it asks for something else
(:meth:`Decoder.retain`), so holding an arrow key down never queues decodes of
photos already passed: at most one decode per thread is ever spent on them.
The same job asked twice (the look-ahead, then the view once the user arrives)
runs once, and both get its result.

Results are not kept here; the render caches (``rendering.CACHE``,
``pictures.PICTURES``) keep them, bounded, and a view that arrives at a
prefetched photo finds it there without waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import count
from typing import Any

WORKERS = 2
"""Threads decoding at once (this app's target machine has two cores)."""

BACKGROUND = 1
"""Of those, at most this many on look-ahead work (priority above 0): the other core
stays free for the screen, so a key pressed while neighbours decode is not held up."""


@dataclass(order=True)
class _Job:
    priority: int
    seq: int
    key: Hashable = field(compare=False)
    work: Callable[[], Any] = field(compare=False)
    future: Future[Any] = field(compare=False)
    owners: set[object] = field(compare=False, default_factory=set)


class Decoder:
    """A small priority pool: lower ``priority`` runs first; pending jobs can be dropped."""

    def __init__(self, workers: int = WORKERS, background: int = BACKGROUND) -> None:
        self._workers = workers
        self._background = background
        self._lock = threading.Condition()
        self._pending: dict[Hashable, _Job] = {}
        self._running: dict[Hashable, _Job] = {}
        self._threads: list[threading.Thread] = []
        self._seq = count()
        self.started = 0
        """Jobs that reached a thread (for tests and benchmarks)."""

    def submit(
        self, key: Hashable, work: Callable[[], Any], *, priority: int, owner: object
    ) -> Future[Any]:
        """Run ``work`` (once per ``key``) for ``owner``; its future.

        A job already waiting or running under ``key`` is shared: its priority
        rises to the more urgent of the two, and ``owner`` joins its owners.
        """
        with self._lock:
            job = self._running.get(key) or self._pending.get(key)
            if job is not None:
                job.owners.add(owner)
                if key in self._pending and priority < job.priority:
                    job.priority = priority
                return job.future
            future: Future[Any] = Future()
            job = _Job(priority, next(self._seq), key, work, future, {owner})
            self._pending[key] = job
            self._start_threads()
            self._lock.notify()
            return future

    def retain(self, owner: object, keys: Iterable[Hashable]) -> None:
        """``owner`` now wants only ``keys``: its other waiting jobs are dropped.

        A job someone else still wants stays; a dropped job's future is
        cancelled. Jobs already running finish (a decode cannot be stopped
        half-way), and their results still fill the caches.
        """
        keep = set(keys)
        with self._lock:
            for key, job in list(self._pending.items()):
                if key in keep or owner not in job.owners:
                    continue
                job.owners.discard(owner)
                if not job.owners:
                    del self._pending[key]
                    job.future.cancel()

    def pending(self) -> list[Hashable]:
        """Keys waiting for a thread, most urgent first."""
        with self._lock:
            return [job.key for job in sorted(self._pending.values())]

    def running(self) -> list[Hashable]:
        """Keys being decoded now."""
        with self._lock:
            return list(self._running)

    def clear(self) -> None:
        """Drop everything waiting (the app is leaving); running jobs finish."""
        with self._lock:
            for job in self._pending.values():
                job.future.cancel()
            self._pending.clear()

    def _start_threads(self) -> None:
        # Called with the lock held; threads start on first use, never at import.
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self._workers:
            thread = threading.Thread(target=self._run, name="photo-decode", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _eligible(self) -> _Job | None:
        """The most urgent job a free thread may take (look-ahead only within its share)."""
        busy = sum(1 for job in self._running.values() if job.priority > 0)
        jobs = [j for j in self._pending.values() if j.priority <= 0 or busy < self._background]
        return min(jobs) if jobs else None

    def _next(self) -> _Job:
        with self._lock:
            while (job := self._eligible()) is None:
                self._lock.wait()
            del self._pending[job.key]
            self._running[job.key] = job
            self.started += 1
            return job

    def _run(self) -> None:
        while True:
            job = self._next()
            try:
                if job.future.set_running_or_notify_cancel():
                    try:
                        result = job.work()
                    except BaseException as exc:  # handed to whoever waits, never lost
                        job.future.set_exception(exc)
                    else:
                        job.future.set_result(result)
            finally:
                with self._lock:
                    self._running.pop(job.key, None)
                    self._lock.notify_all()  # a look-ahead share may have come free


DECODER = Decoder()
"""The app's one decoder (the views and the loupe's look-ahead share it)."""
