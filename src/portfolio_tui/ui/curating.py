"""The app's side of curation: the shown state, saves in order off the event loop, undo, live.

Keys change what is shown at once (an optimistic snapshot: the store's last
state with the changes not yet saved laid over it); one writer thread saves
them in the order they were made, each save locked, merged and atomic
(``SqliteCurationStore.apply``: one SQLite transaction), usually within a few
milliseconds. Another curator's save is seen through watchfiles on the database's
write-ahead log (or a one-second poll where file watching is unavailable); only the
history rows after the last one seen are read, in a thread, and announced in a
notice, and only the photos they touch are redrawn. Nothing here blocks the event
loop on the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from ..curation import (
    FILE_NAME,
    Change,
    CurationError,
    CurationStore,
    Snapshot,
    describe,
    inverse,
    with_changes,
)
from ..store.sharded import Sharded
from ..store.sqlite_curation import DB_NAME
from ..text import clean

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from ..store.sqlite_curation import HistoryRow, SqliteCurationStore

    Store = CurationStore | SqliteCurationStore

WATCHED = frozenset({DB_NAME, DB_NAME + "-wal", FILE_NAME})
"""The files whose change may mean another curator saved."""
NOTICE_GAP = 4.0
"""Seconds between notices of other curators' changes (and how long each shows)."""
UNDO_DEPTH = 500
"""Curation steps kept for undo."""
READ = "cannot read"
"""How an unforeseen error reading the store is said (see ``_why``)."""


@dataclass(frozen=True)
class Step:
    """One user action: the changes it made and those that undo it."""

    label: str
    changes: tuple[Change, ...]
    undo: tuple[Change, ...]


def changed_photos(before: Snapshot, after: Snapshot) -> set[str] | None:
    """Photos whose curation differs; None when a gallery's order or cover changed."""
    photos: set[str] = set()
    for change in after.changes_from(before):
        if change.photo is None:
            return None
        photos.add(change.photo)
    return photos


class Saved(Message):
    """Every change up to number ``upto`` is on disk; the store now reads ``snapshot``."""

    def __init__(self, upto: int, snapshot: Snapshot) -> None:
        super().__init__()
        self.upto = upto
        self.snapshot = snapshot


class TagsCounted(Message):
    """How many photos of ``snapshot`` carry each tag (counted once, in a thread)."""

    def __init__(self, snapshot: Snapshot, counts: Counter[str]) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.counts = counts


class SaveFailed(Message):
    """A save of the changes up to number ``upto`` failed (0: the first read did)."""

    def __init__(self, upto: int, reason: str) -> None:
        super().__init__()
        self.upto = upto
        self.reason = reason


class Curator:
    """Curation for one running app; ``on_change(photos)`` runs on the UI thread after each
    change to what is shown (``photos`` None: anything may have changed).

    The app forwards :class:`Saved` and :class:`SaveFailed` (posted by the
    writer thread) to :meth:`saved` and :meth:`failed`.
    """

    def __init__(
        self,
        app: App[Any],
        store: Store,
        on_change: Callable[[set[str] | None], None],
    ) -> None:
        self.app = app
        self.store = store
        self._on_change = on_change
        self.on_disk = Snapshot()
        """The store as last read or written."""
        self.snapshot = Snapshot()
        """What is shown: ``on_disk`` with the changes not yet saved laid over it."""
        self._pending: list[tuple[int, Change]] = []
        self._seq = 0
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self._lock = threading.Condition()
        self._wanted = 0  # the newest change the writer should save
        self._written = 0  # the newest change on disk
        self._tried = 0  # the newest change the writer tried (saved or failed)
        self._closing = False
        self._read_once = False
        self._shown_once = False
        self._tag_counts: Counter[str] | None = None
        self._unannounced: list[HistoryRow] = []
        self._last_notice = -NOTICE_GAP
        self._notice_timer: Timer | None = None
        self._writer: threading.Thread | None = None
        self.error: str | None = None
        """Why the last save failed (the changes are kept and tried again), or None."""

    # -- state --------------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be saved (shown in the title bar), or None."""
        return self.store.read_only_reason

    @property
    def unsaved(self) -> int:
        """Changes made but not yet on disk."""
        return len(self._pending)

    def load(self) -> None:
        """Read the store in a thread; the screens hear when it arrives."""
        self.app.run_worker(self._load, thread=True, group="curation-load", exit_on_error=False)

    def _load(self) -> None:
        try:
            snapshot = self.store.load()
        except Exception as exc:  # whatever it is, the user hears why
            self.app.post_message(
                SaveFailed(0, f"{_why(self.store, exc, READ)}. Curation is read-only.")
            )
            return
        self.app.post_message(Saved(0, snapshot))
        # The tags in use, for the tags editor's completion: a walk of every photo (0.4 s
        # at 100,000), done once here; each change then updates the counts.
        counts = Counter(tag for item in snapshot.photos.values() for tag in item.tags)
        self.app.post_message(TagsCounted(snapshot, counts))

    def tags_counted(self, message: TagsCounted) -> None:
        """Take the tag counts of the first state read, brought up to what is shown."""
        self._tag_counts = message.counts
        self._retag(message.snapshot, self.snapshot)

    def known_tags(self) -> list[str]:
        """Every tag in use, sorted case-insensitively (for completion)."""
        if self._tag_counts is None:
            return self.snapshot.all_tags()
        tags = [tag for tag, n in self._tag_counts.items() if n > 0]
        return sorted(tags, key=lambda t: (t.casefold(), t))

    def _retag(self, before: Snapshot, after: Snapshot) -> None:
        """Bring the tag counts from ``before`` to ``after`` (only the photos that differ)."""
        counts = self._tag_counts
        if counts is None or before is after:
            return
        if isinstance(before.photos, Sharded) and isinstance(after.photos, Sharded):
            photos: set[str] = after.photos.differing(before.photos)
        else:
            photos = set(before.photos) | set(after.photos)
        for photo in photos:
            old, new = before.photo(photo).tags, after.photo(photo).tags
            if old != new:
                counts.subtract(old)
                counts.update(new)

    def _loaded(self, snapshot: Snapshot, notice: str | None, redraw: bool = False) -> None:
        before = self.snapshot
        first = not self._shown_once
        self._shown_once = True
        # The SQLite store's own state is at least as new as the one a message carries
        # (a save's result may arrive after the watcher read a later one).
        snapshot = getattr(self.store, "snapshot", None) or snapshot
        self.on_disk = snapshot
        self.snapshot = with_changes(snapshot, [c for _, c in self._pending], self.store.author)
        self._retag(before, self.snapshot)
        # The first state read changes everything: no need to compare 100,000 photos.
        changed = None if first else changed_photos(before, self.snapshot)
        if changed is None or changed or redraw:
            self._on_change(changed)
        if notice:
            self.app.notify(notice, title="Curation", markup=False, timeout=4)

    def _report(self, message: str, severity: str = "error") -> None:
        self.app.notify(clean(message), severity=severity, markup=False, timeout=8)  # type: ignore[arg-type]

    # -- changing -------------------------------------------------------------------
    def change(self, changes: Sequence[Change], label: str) -> bool:
        """Make ``changes`` (one undo step); False, with a notice, when read-only."""
        reason = self.read_only_reason
        if reason:
            self.app.notify(
                f"View only: {clean(reason)}", severity="warning", markup=False, timeout=4
            )
            return False
        step = Step(label, tuple(changes), tuple(inverse(self.snapshot, changes)))
        self._undo.append(step)
        del self._undo[:-UNDO_DEPTH]
        self._redo.clear()
        self._submit(step.changes)
        return True

    def undo(self) -> str | None:
        """Undo the last step; its label, or None when there is nothing to undo."""
        if not self._undo or self.read_only_reason:
            return None
        step = self._undo.pop()
        self._redo.append(step)
        self._submit(step.undo)
        return step.label

    def redo(self) -> str | None:
        """Make the last undone step again; its label, or None."""
        if not self._redo or self.read_only_reason:
            return None
        step = self._redo.pop()
        self._undo.append(step)
        self._submit(step.changes)
        return step.label

    def _submit(self, changes: tuple[Change, ...]) -> None:
        before = self.snapshot
        self.snapshot = with_changes(self.snapshot, changes, self.store.author)
        self._retag(before, self.snapshot)
        with self._lock:
            for change in changes:
                self._seq += 1
                self._pending.append((self._seq, change))
            self._wanted = self._seq
            self._lock.notify_all()
        self._start_writer()
        self._on_change(changed_photos(before, self.snapshot))

    def retry(self) -> None:
        """Try again to save what a failed save left."""
        with self._lock:
            if self._pending:
                self._wanted = self._pending[-1][0]
                self._tried = min(self._tried, self._written)
                self._lock.notify_all()
        self._start_writer()

    # -- saving (the writer thread) --------------------------------------------------
    def _start_writer(self) -> None:
        if self._writer is None or not self._writer.is_alive():
            self._writer = threading.Thread(target=self._write, name="curation", daemon=True)
            self._writer.start()

    def _write(self) -> None:
        while True:
            with self._lock:
                while self._tried >= self._wanted and not self._closing:
                    self._lock.wait()
                if self._tried >= self._wanted:
                    return
                batch = [(seq, c) for seq, c in self._pending if seq > self._written]
                newest = self._wanted
            message: Message
            try:
                snapshot = self.store.apply([c for _, c in batch])
            except Exception as exc:  # any failure is NOT SAVED, never a dead writer
                message = SaveFailed(newest, _why(self.store, exc))
                with self._lock:
                    self._tried = newest
                    self._lock.notify_all()
            else:
                message = Saved(newest, snapshot)
                with self._lock:
                    self._tried = self._written = newest
                    self._lock.notify_all()
            # post_message is thread-safe and never waits for the UI (which may
            # itself be waiting in flush() at exit).
            self.app.post_message(message)

    def saved(self, message: Saved) -> None:
        """Take a save's result (or the first read, ``upto`` 0)."""
        self._pending = [(seq, c) for seq, c in self._pending if seq > message.upto]
        self._read_once = True
        recovered = bool(message.upto) and self.error is not None
        if message.upto:
            self.error = None
        # After a failed save the shown state already holds these changes: nothing differs,
        # but the title bar must lose its NOT SAVED.
        self._loaded(message.snapshot, None, redraw=recovered)
        if not message.upto:
            for problem in message.snapshot.problems[:3]:
                self._report(str(problem), severity="warning")

    def failed(self, message: SaveFailed) -> None:
        """Take a failed save: the changes stay shown and are tried again at the next one."""
        if not message.upto:  # the first read
            self._report(message.reason)
            self._on_change(None)
            return
        repeated = message.reason == self.error
        self.error = message.reason
        if not repeated:  # the title bar says NOT SAVED meanwhile: one notice per cause
            self._report(
                f"{message.reason}. The changes stay on screen and are saved with the next one."
            )
        self._on_change(None)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every change made so far is on disk (or a save failed); True if on disk."""
        with self._lock:
            target = self._seq
            self._lock.wait_for(lambda: self._tried >= target, timeout)
            return self._written >= target

    def close(self, timeout: float = 5.0) -> bool:
        """Save what is left, then stop the writer; True if everything is on disk."""
        self.retry()
        done = self.flush(timeout)
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        close = getattr(self.store, "close", None)
        if close is not None:
            writer = self._writer
            if writer is not None and writer is not threading.current_thread():
                writer.join(timeout)
            with contextlib.suppress(Exception):  # leaving: its state is on disk or reported
                close()
        return done

    # -- another curator's saves ---------------------------------------------------
    async def watch(self, stop: asyncio.Event) -> None:
        """Take in other curators' saves as they land, until ``stop`` is set."""
        root = self.store.root
        try:
            from watchfiles import awatch
        except ImportError:  # pragma: no cover - a dependency; polling keeps working
            await self._poll(stop)
            return

        if self._read_once:
            await self._reload()  # a save made after the first read, before the watch began

        def ours(_change: object, path: str) -> bool:
            # A commit writes the -wal; a checkpoint, or the first curator's migration,
            # the database itself; a store not yet moved to SQLite is curation.toml.
            return path.rsplit("/", 1)[-1] in WATCHED

        try:
            async for _changes in awatch(
                root,
                watch_filter=ours,
                recursive=False,
                stop_event=stop,
                debounce=200,
                step=50,
                rust_timeout=300,  # how soon a stop is noticed
            ):
                await self._reload()
        except (OSError, RuntimeError):  # no inotify here (or out of watches): poll instead
            await self._poll(stop)

    async def _poll(self, stop: asyncio.Event) -> None:
        path = self.store.path
        last = None
        while not stop.is_set():
            if hasattr(self.store, "refresh"):  # one PRAGMA data_version when nothing moved
                await self._reload()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)
                continue
            try:
                stat = path.stat()
                now = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            except OSError:
                now = None
            if last is not None and now != last:
                await self._reload()
            last = now
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)

    async def _reload(self) -> None:
        refresh = getattr(self.store, "refresh", None)
        if refresh is not None:
            await self._refresh(refresh)
            return
        try:
            snapshot = await asyncio.to_thread(self.store.load)
        except Exception as exc:  # the watcher must keep watching
            self._report(f"{_why(self.store, exc, READ)}. Curation is read-only until it is fixed.")
            return
        theirs = snapshot.changes_from(self.on_disk)
        if not theirs:
            return  # our own save, seen again
        me = self.store.author
        others = [c for c in theirs if c.photo is None or snapshot.photo(c.photo).updated_by != me]
        notice = None
        if others:
            who = sorted(
                {
                    clean(snapshot.photo(c.photo).updated_by or "someone")
                    for c in others
                    if c.photo is not None
                }
            )
            notice = f"{', '.join(who) or 'Another curator'}: {describe(others)}"
        self._loaded(snapshot, notice)

    async def _refresh(self, refresh: Callable[[], list[HistoryRow]]) -> None:
        """Fold in the history rows other curators added since the last ones seen."""
        try:
            rows = await asyncio.to_thread(refresh)
        except Exception as exc:  # the watcher must keep watching
            self._report(f"{_why(self.store, exc, READ)}. Curation is read-only until it is fixed.")
            return
        if not rows or not self._shown_once:
            return  # nothing new, or the first read (on its way) shows it all
        self._loaded(self.store.snapshot, None)
        me = self.store.author
        self._unannounced.extend(row for row in rows if row.entry.by != me)
        self._announce()

    def _announce(self) -> None:
        """Say what other curators changed: at most one notice every NOTICE_GAP seconds,
        each summing up everything since the last (three curators saving twice a second
        would otherwise cover the screen in notices)."""
        if not self._unannounced:
            return
        wait = self._last_notice + NOTICE_GAP - time.monotonic()
        if wait > 0:
            if self._notice_timer is None:
                self._notice_timer = self.app.set_timer(wait, self._announce_now)
            return
        self._announce_now()

    def _announce_now(self) -> None:
        self._notice_timer = None
        rows, self._unannounced = self._unannounced, []
        if not rows:
            return
        self._last_notice = time.monotonic()
        who = sorted({clean(row.entry.by or "someone") for row in rows})
        notice = f"{', '.join(who)}: {describe([row.change for row in rows])}"
        self.app.notify(notice, title="Curation", markup=False, timeout=NOTICE_GAP)


def _why(store: Store, exc: BaseException, failed: str = "not saved") -> str:
    """A failed load's or save's reason: the store's own message, or for anything
    unforeseen (a bug, a library's error) its type and text, naming the file."""
    if isinstance(exc, (CurationError, OSError)):
        return str(exc)
    return f"{store.path}: {failed}: {type(exc).__name__}: {exc}"
