"""The curation store at studio scale (issue 16): saves, live updates, opening, no loss.

Run by hand (never by the test suite)::

    .venv/bin/python benchmarks/store_scale.py --store toml|sqlite --photos N
        [--figures 1,2,3,4] [--saves 40] [--background 3] [--remote 40]
        [--remote-interval 1.0] [--poll 0.05] [--opens 10]
        [--noloss-writers 8] [--noloss-changes 1000]

``--store toml`` is today's ``curation.CurationStore``; ``--store sqlite`` is
``store.sqlite_curation.SqliteCurationStore`` (same API).  Every process here
is a real process (multiprocessing, "spawn"), so each pays its own parsing and
its own GIL, as each curator's app does.

The portfolio: N photos in galleries of 1,000 (``g000/img000000.jpg`` ...),
every photo rated 1-5 and tagged (1-3 of 24 tags), every 4th flagged, every
5th labelled, every 10th with a two-line note, every gallery with a cover.  It
is generated through the store's own ``apply`` in batches of 25,000 changes
(so the history holds one row per change, as after a real cull), once per
store and size, kept under the temp folder, and copied afresh for each figure
(no figure sees another's writes).  Only the store's files exist: no photo
files are needed to curate.

Figures, each with its median and p95 (nearest rank):

1. **One change saved**: a process applies one change (a flag) ``--saves``
   times, 50-250 ms apart, while ``--background`` other processes each apply a
   rating every 200 ms (back to back when a save takes longer).  A save that
   waits past the store's lock timeout fails as in the app (NOT SAVED) and is
   counted, not timed.
2. **Another curator's change on screen**: a writer process sets a note
   ``--remote`` times, ``--remote-interval`` s apart; a watcher process does
   what the app does to notice and catch up, and the figure is from the
   writer's ``apply`` returning to the watcher holding that note in its
   snapshot (``time.monotonic`` is one clock for every process on Linux).
   TOML: poll the file's (mtime, size, inode) every ``--poll`` s, then
   ``load()`` (the app uses watchfiles with a 200 ms debounce, then ``load()``
   and ``changes_from``, so it is slower than this).  SQLite: poll
   ``PRAGMA data_version`` every ``--poll`` s, then read the new history rows.
   The watcher's CPU (``time.process_time``) per catch-up is the second figure;
   its whole CPU over the run divided by the changes (idle polling included)
   is printed too (on this VM a bare 50 ms sleep loop alone costs about 1.7 ms
   of CPU a second, so that figure depends on the change rate).  A TOML writer
   renames the new file before its ``apply`` returns, so a watcher can see a
   change a little *before*: such latencies are negative and kept as they are.
3. **Opening**: a fresh store object and ``load()`` on the curated portfolio,
   and on an uncurated one (an empty folder, opened once before so a store
   that creates its file on first open has done so), ``--opens`` times each,
   in one fresh process, after one untimed open of each.
4. **No loss**: ``--noloss-writers`` processes start together and each applies
   ``--noloss-changes`` one-change saves as fast as it can (writer i sets the
   note of the photos whose index is i modulo 8, in turn).  Then a fresh store
   counts the notes that hold each writer's last value for its photos, and the
   history rows added; both must equal what was saved.  A save that fails (a
   lock timeout) is retried, as the app does, and counted.

The load average is printed before each figure: on this shared 2-core machine
other work moves every figure, so compare figures from one session.

Generating takes about 0.1 s (1,000) and 2 min (100,000) for TOML, 10 s for
100,000 in SQLite.  The TOML store cannot run everything at 10,000 photos and
up in minutes (a save is about 1 s there, 9.5 s at 100,000, one at a time), so
the issue 16 figures were taken with::

    store_scale.py --store toml --photos 1000
    store_scale.py --store toml --photos 10000 --saves 20 --remote 30 --noloss-changes 25
    store_scale.py --store toml --photos 100000 --figures 3,1 --opens 5 --saves 5 \
        --background 0
    store_scale.py --store sqlite --photos 1000
    store_scale.py --store sqlite --photos 100000
"""

from __future__ import annotations

import argparse
import hashlib
import math
import multiprocessing
import os
import random
import shlex
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from portfolio_tui import curation as curation_module
from portfolio_tui.curation import Change, CurationError, CurationStore, Snapshot, history

GENERATOR_VERSION = 1
GALLERY_SIZE = 1000
BATCH = 25_000
TAGS = (
    "window light", "smile", "portrait", "group", "detail", "rings", "dress", "cake",
    "first dance", "speech", "candid", "family", "outdoor", "golden hour", "black and white",
    "bouquet", "veil", "shoes", "venue", "guests", "kids", "dog", "sunset", "toast",
)  # fmt: skip
FLAGS = ("pick", "reject")
LABELS = ("red", "yellow", "green", "blue", "purple")
NOLOSS_PARTS = 8
"""No-loss writers split the photos by index modulo this, so their photos never overlap."""
CTX = multiprocessing.get_context("spawn")


class Store(Protocol):
    """What both stores offer (curation.CurationStore's public API)."""

    snapshot: Snapshot

    def load(self) -> Snapshot: ...

    def apply(self, changes: Sequence[Change]) -> Snapshot: ...


# -- the two stores ------------------------------------------------------------------------
def sqlite_module() -> ModuleType:
    """``store.sqlite_curation``, imported only when asked for (issue 16 adds it)."""
    from portfolio_tui.store import sqlite_curation

    return sqlite_curation


def open_store(kind: str, root: Path, who: str, read_only: bool = False) -> Store:
    """A store of ``kind`` on ``root``, saving as ``who``."""
    if kind == "toml":
        return CurationStore(root, author=who, read_only=read_only)
    store: Store = sqlite_module().SqliteCurationStore(root, author=who, read_only=read_only)
    return store


def history_rows(kind: str, root: Path) -> int:
    """How many changes the store's history holds."""
    if kind == "toml":
        return len(history(root).entries)
    # Counted straight from the file, not through the store's own reader.
    con = sqlite3.connect(f"file:{root / sqlite_module().DB_NAME}?mode=ro", uri=True)
    try:
        return int(con.execute("SELECT count(*) FROM history").fetchone()[0])
    finally:
        con.close()


def close(store: Store) -> None:
    """Close the store's database connection (the TOML store holds nothing open)."""
    closer = getattr(store, "close", None)
    if closer is not None:
        closer()


class Watch:
    """What an app does to notice another process's save and catch up."""

    def __init__(self, kind: str, store: Store, root: Path) -> None:
        self.kind = kind
        self.store = store
        self.path = root / "curation.toml"
        self.last = self._stat()

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def changed(self) -> bool:
        """True when another process saved since the last catch-up (cheap)."""
        if self.kind == "sqlite":
            return bool(self.store.changed())  # type: ignore[attr-defined]  # data_version
        now = self._stat()
        if now == self.last:
            return False
        self.last = now
        return True

    def catch_up(self) -> Snapshot:
        """Bring the store's snapshot up to date after :meth:`changed`."""
        if self.kind == "toml":
            return self.store.load()
        self.store.refresh()  # type: ignore[attr-defined]  # only the new history rows
        return self.store.snapshot


# -- the portfolio -------------------------------------------------------------------------
def photo_name(index: int) -> str:
    """The path of photo ``index`` (galleries of 1,000)."""
    return f"g{index // GALLERY_SIZE:03d}/img{index:06d}.jpg"


def curated(count: int) -> list[Change]:
    """Every change that curates ``count`` photos (deterministic)."""
    rng = random.Random(16)
    changes: list[Change] = []
    for i in range(count):
        name = photo_name(i)
        changes.append(Change.rating(name, rng.randint(1, 5)))
        changes.append(Change.tags(name, rng.sample(TAGS, rng.randint(1, 3))))
        if i % 4 == 0:
            changes.append(Change.flag(name, FLAGS[(i // 4) % 2]))
        if i % 5 == 0:
            changes.append(Change.label(name, LABELS[(i // 5) % len(LABELS)]))
        if i % 10 == 0:
            changes.append(Change.notes(name, f"Frame {i}: keep for the album.\nCheck focus."))
    for gallery in range(math.ceil(count / GALLERY_SIZE)):
        changes.append(Change.cover(f"g{gallery:03d}", f"img{gallery * GALLERY_SIZE:06d}.jpg"))
    return changes


def portfolio(kind: str, count: int) -> Path:
    """The generated store of ``count`` curated photos (made once, kept)."""
    # Keyed by the store's code too: a store written by an older draft is not reused.
    module = curation_module if kind == "toml" else sqlite_module()
    code = hashlib.sha256(Path(module.__file__ or "").read_bytes()).hexdigest()[:10]
    folder = Path(tempfile.gettempdir()) / f"portfolio-tui-bench-store-v{GENERATOR_VERSION}"
    folder = folder / f"{kind}-{count}-{code}"
    if (folder / "done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    changes = curated(count)
    store = open_store(kind, folder, "generator")
    store.load()
    started = time.perf_counter()
    for start in range(0, len(changes), BATCH):
        store.apply(changes[start : start + BATCH])
    close(store)
    print(
        f"generated {count:,} photos ({len(changes):,} changes, {BATCH:,} a save) in "
        f"{time.perf_counter() - started:.1f} s: {folder}",
        flush=True,
    )
    (folder / "done").touch()
    return folder


def fresh_copy(source: Path, base: Path, name: str) -> Path:
    """A private copy of a generated store, so no figure sees another's writes."""
    target = base / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("done", "*.lock"))
    return target


def store_size(root: Path) -> str:
    """The sizes of the store's files, for the header."""
    files = sorted(
        p for p in root.iterdir() if p.is_file() and p.name != "done" and p.suffix != ".lock"
    )
    return ", ".join(f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in files)


# -- processes -----------------------------------------------------------------------------
def _background_saver(
    kind: str, root: str, count: int, who: str, interval: float, stop: Any, out: Any, go: Any
) -> None:
    """Save a rating every ``interval`` s until ``stop``: another curator at work."""
    store = open_store(kind, Path(root), who)
    store.load()
    rng = random.Random(who)
    out.put((who, None))
    go.wait()
    times: list[float] = []
    failed = 0
    next_at = time.monotonic()
    while not stop.is_set():
        change = Change.rating(photo_name(rng.randrange(count)), rng.randint(1, 5))
        started = time.perf_counter()
        try:
            store.apply([change])
            times.append(time.perf_counter() - started)
        except CurationError:
            failed += 1
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            next_at = time.monotonic()
    out.put((who, (times, failed)))


def _measured_saver(kind: str, root: str, count: int, saves: int, out: Any, go: Any) -> None:
    """Save one flag ``saves`` times, 50-250 ms apart, timing each ``apply``."""
    store = open_store(kind, Path(root), "measured")
    store.load()
    rng = random.Random(1)
    out.put(("measured", None))
    go.wait()
    time.sleep(0.5)  # the others are saving by now
    times: list[float] = []
    failed = 0
    for i in range(saves):
        time.sleep(rng.uniform(0.05, 0.25))
        change = Change.flag(photo_name(rng.randrange(count)), FLAGS[i % 2])
        started = time.perf_counter()
        try:
            store.apply([change])
            times.append(time.perf_counter() - started)
        except CurationError:
            failed += 1
    out.put(("measured", (times, failed)))


def remote_photo(seq: int, count: int) -> str:
    """The photo the remote writer's change ``seq`` goes to (spread over the store)."""
    return photo_name(seq * 7919 % count)


def _remote_writer(
    kind: str, root: str, count: int, changes: int, interval: float, out: Any, go: Any
) -> None:
    """Set a note ``changes`` times, noting when each ``apply`` returned."""
    store = open_store(kind, Path(root), "writer")
    store.load()
    rng = random.Random(2)
    out.put(("writer", None))
    go.wait()
    time.sleep(1.0)
    returned: dict[int, float] = {}
    for seq in range(changes):
        store.apply([Change.notes(remote_photo(seq, count), f"remote {seq}")])
        returned[seq] = time.monotonic()
        time.sleep(interval * rng.uniform(0.75, 1.25))
    out.put(("writer", returned))


def _watcher(
    kind: str, root: str, count: int, changes: int, poll: float, limit: float, out: Any, go: Any
) -> None:
    """Notice the writer's saves as the app would, noting when each note is in the snapshot."""
    store = open_store(kind, Path(root), "watcher")
    store.load()
    watch = Watch(kind, store, Path(root))
    out.put(("watcher", None))
    go.wait()
    seen: dict[int, float] = {}
    cpu: list[float] = []
    cpu_start = time.process_time()
    deadline = time.monotonic() + limit
    while len(seen) < changes and time.monotonic() < deadline:
        if not watch.changed():
            time.sleep(poll)
            continue
        cpu_before = time.process_time()
        snapshot = watch.catch_up()
        cpu.append(time.process_time() - cpu_before)
        now = time.monotonic()
        for seq in range(changes):
            if seq not in seen and snapshot.photo(remote_photo(seq, count)).notes == (
                f"remote {seq}"
            ):
                seen[seq] = now
    out.put(("watcher", (seen, cpu, time.process_time() - cpu_start)))


def _opener(kind: str, curated_root: str, empty_root: str, opens: int, out: Any) -> None:
    """Open each store ``opens`` times (after one untimed open), timing store + ``load()``."""
    timings: dict[str, list[float]] = {}
    for label, root in (("curated", curated_root), ("uncurated", empty_root)):
        first = open_store(kind, Path(root), "opener")
        first.load()
        close(first)
        times = []
        for _ in range(opens):
            started = time.perf_counter()
            store = open_store(kind, Path(root), "opener")
            store.load()
            times.append(time.perf_counter() - started)
            close(store)
        timings[label] = times
    out.put(timings)


def _noloss_writer(
    kind: str, root: str, count: int, part: int, changes: int, out: Any, go: Any
) -> None:
    """Apply ``changes`` notes to this writer's photos as fast as it can."""
    store = open_store(kind, Path(root), f"noloss{part}")
    store.load()
    out.put((part, None))
    go.wait()
    started = time.perf_counter()
    failed = 0
    for k in range(changes):
        change = Change.notes(photo_name(noloss_photo(part, k, count)), f"noloss {part} {k}")
        while True:
            try:
                store.apply([change])
                break
            except CurationError:
                failed += 1  # not saved (the lock was busy too long): the app tries again
    out.put((part, (time.perf_counter() - started, failed)))


def noloss_photo(part: int, k: int, count: int) -> int:
    """The photo index writer ``part``'s change ``k`` goes to (``part`` modulo 8)."""
    return (part + NOLOSS_PARTS * k) % count


def run_together(targets: list[tuple[Callable[..., None], tuple[Any, ...]]], out: Any) -> list[Any]:
    """Start processes, wait until each has opened its store, then release them at once.

    Each target takes ``*args, out, go``: it puts one message on ``out`` when its store
    is open, waits for ``go``, and puts its results on ``out`` when done.
    """
    go = CTX.Event()
    procs = [CTX.Process(target=t, args=(*args, out, go), daemon=True) for t, args in targets]
    for p in procs:
        p.start()
    for _ in procs:
        out.get(timeout=600)
    go.set()
    return procs


# -- figures -------------------------------------------------------------------------------
def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(value: float) -> str:
    """Seconds as milliseconds (seconds from 10 s up)."""
    return f"{value * 1000:,.1f} ms" if abs(value) < 10 else f"{value:,.1f} s"


def spread(values: Sequence[float]) -> str:
    """``median …, p95 … (n=…)``."""
    if not values:
        return "no samples"
    return f"median {ms(statistics.median(values))}, p95 {ms(p95(values))} (n={len(values)})"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, for every figure's context."""
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def figure_saves(args: argparse.Namespace, source: Path, base: Path) -> None:
    root = str(fresh_copy(source, base, "saves"))
    out, stop = CTX.Queue(), CTX.Event()
    background = [
        (_background_saver, (args.store, root, args.photos, f"bg{i}", 0.2, stop))
        for i in range(args.background)
    ]
    measured = (_measured_saver, (args.store, root, args.photos, args.saves))
    procs = run_together([*background, measured], out)
    results: dict[str, Any] = {}
    while "measured" not in results:
        who, value = out.get()
        results[who] = value
    stop.set()
    while len(results) < len(procs):
        who, value = out.get()
        results[who] = value
    for p in procs:
        p.join()
    times, failed = results.pop("measured")
    bg_times = [t for value in results.values() for t in value[0]]
    bg_failed = sum(value[1] for value in results.values())
    print(f"1. one change saved, {args.background} others saving every 200 ms: {spread(times)}")
    if failed:
        print(f"   NOT SAVED (lock wait over the timeout): {failed} of {args.saves}")
    if bg_times:
        print(f"   the others' saves: {spread(bg_times)}, not saved {bg_failed}")


def figure_remote(args: argparse.Namespace, source: Path, base: Path) -> None:
    root = str(fresh_copy(source, base, "remote"))
    out = CTX.Queue()
    limit = 1.0 + args.remote * args.remote_interval * 1.25 + 60
    procs = run_together(
        [
            (_watcher, (args.store, root, args.photos, args.remote, args.poll, limit)),
            (
                _remote_writer,
                (args.store, root, args.photos, args.remote, args.remote_interval),
            ),
        ],
        out,
    )
    results = dict(out.get(timeout=limit + 60) for _ in procs)
    for p in procs:
        p.join()
    returned: dict[int, float] = results["writer"]
    seen, cpu, cpu_total = results["watcher"]
    latencies = [seen[seq] - returned[seq] for seq in returned if seq in seen]
    missed = len(returned) - len(latencies)
    print(
        f"2. another curator's change on screen (poll {args.poll * 1000:.0f} ms, a change "
        f"every {args.remote_interval:g} s): {spread(latencies)}"
    )
    if missed:
        print(f"   never seen (overwritten or over the time limit): {missed}")
    print(f"   watcher CPU per catch-up: {spread(cpu)}")
    print(
        f"   watcher CPU over the run, idle polling included: "
        f"{ms(cpu_total / max(1, len(returned)))} per change"
    )


def figure_opening(args: argparse.Namespace, source: Path, base: Path) -> None:
    curated_root = fresh_copy(source, base, "opening")
    empty = base / "uncurated"
    empty.mkdir()
    out = CTX.Queue()
    proc = CTX.Process(
        target=_opener,
        args=(args.store, str(curated_root), str(empty), args.opens, out),
        daemon=True,
    )
    proc.start()
    timings = out.get(timeout=3600)
    proc.join()
    full, bare = timings["curated"], timings["uncurated"]
    extra = statistics.median(full) - statistics.median(bare)
    print(f"3. opening, curated:   {spread(full)}")
    print(f"   opening, uncurated: {spread(bare)}")
    print(f"   added by curation (medians): {ms(extra)}")


def figure_noloss(args: argparse.Namespace, source: Path, base: Path) -> None:
    root = fresh_copy(source, base, "noloss")
    before = history_rows(args.store, root)
    out = CTX.Queue()
    writers, changes = args.noloss_writers, args.noloss_changes
    started = time.perf_counter()
    procs = run_together(
        [
            (_noloss_writer, (args.store, str(root), args.photos, part, changes))
            for part in range(writers)
        ],
        out,
    )
    results = dict(out.get(timeout=24 * 3600) for _ in procs)
    wall = time.perf_counter() - started
    for p in procs:
        p.join()
    expected: dict[str, str] = {}
    for part in range(writers):
        for k in range(changes):
            expected[photo_name(noloss_photo(part, k, args.photos))] = f"noloss {part} {k}"
    checker = open_store(args.store, root, "checker", read_only=True)
    snapshot = checker.load()
    close(checker)
    held = sum(snapshot.photo(name).notes == value for name, value in expected.items())
    rows = history_rows(args.store, root) - before
    failed = sum(value[1] for value in results.values())
    made = writers * changes
    print(
        f"4. no loss, {writers} processes x {changes:,} changes at once: {wall:.1f} s; "
        f"store holds {held:,} of {len(expected):,} final values "
        f"(lost {len(expected) - held:,}); history rows added {rows:,} of {made:,}"
    )
    if failed:
        print(f"   NOT SAVED and retried (lock wait over the timeout): {failed}")


FIGURES = {"1": figure_saves, "2": figure_remote, "3": figure_opening, "4": figure_noloss}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--store", choices=("toml", "sqlite"), default="toml")
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--figures", default="1,2,3,4", help="which figures, e.g. 1,3")
    parser.add_argument("--saves", type=int, default=40, help="figure 1: saves timed")
    parser.add_argument("--background", type=int, default=3, help="figure 1: other savers")
    parser.add_argument("--remote", type=int, default=40, help="figure 2: remote changes")
    parser.add_argument("--remote-interval", type=float, default=1.0, help="figure 2: s apart")
    parser.add_argument("--poll", type=float, default=0.05, help="figure 2: watcher poll, s")
    parser.add_argument("--opens", type=int, default=10, help="figure 3: opens timed")
    parser.add_argument("--noloss-writers", type=int, default=8)
    parser.add_argument("--noloss-changes", type=int, default=1000, help="per writer")
    args = parser.parse_args()
    if args.photos % NOLOSS_PARTS:
        parser.error(f"--photos must be a multiple of {NOLOSS_PARTS}")
    command = shlex.join([".venv/bin/python", "benchmarks/store_scale.py", *sys.argv[1:]])
    print(f"$ {command}")
    print(f"{os.cpu_count()} cores, sqlite {sqlite3.sqlite_version}, {load_average()}")
    source = portfolio(args.store, args.photos)
    print(f"store: {args.store}, {args.photos:,} curated photos ({store_size(source)})")
    with tempfile.TemporaryDirectory(prefix="portfolio-tui-bench-store-") as tmp:
        for number in args.figures.split(","):
            print(f"-- {load_average()}", flush=True)
            FIGURES[number.strip()](args, source, Path(tmp))
            sys.stdout.flush()
    print(f"-- {load_average()}")


if __name__ == "__main__":
    main()
