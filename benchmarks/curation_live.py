"""Curation at studio scale in the running app (issue 16): what a curator sees, in a pty.

Run by hand (never by the test suite)::

    .venv/bin/python benchmarks/curation_live.py [--curated 100000] [--remote 30]
        [--remote-interval 1.0] [--savers 3] [--save-every 0.5] [--presses 20]

The portfolio: the 200 generated 6 MP JPEGs of ``benchmarks/loupe_pty.py`` (its
``shoot`` gallery, hard-linked, not copied) beside the curation store that
``benchmarks/store_scale.py --store sqlite --photos N`` generates (N photos rated and
tagged, in galleries ``g000`` ...; only the store holds them, no files), so the app opens
a store of N curated photos and shows real photos. Each figure gets a fresh copy of the
store. The app runs as a curator (it saves and watches), 200x50, truecolor, half-blocks,
``--open photo:shoot/img000.jpg`` (the loupe, with the notes beside the photo), with the
loupe's disk cache warmed first (as ``loupe_pty.py --cache warm``).

Figures, each with its median and p95 (nearest rank):

1. **Another curator's change on screen.** A writer process (another curator) sets the
   notes of the photo the loupe shows to ``remote change K`` ``--remote`` times,
   ``--remote-interval`` s apart; the time is from the writer's ``apply`` returning (the
   change durable) to the end of the first frame the app writes that holds the new
   text. ``time.perf_counter`` is CLOCK_MONOTONIC on Linux: one clock for both
   processes. The app's CPU per remote change is its CPU (``/proc/PID/stat``,
   user + system) over the run, less its CPU over an idle stretch of the same length
   measured just before, divided by the changes.
2. **Loupe next photo while others save.** 20 right arrows, 300 ms apart (as
   ``loupe_pty.py``), while ``--savers`` processes each save a rating on a random
   photo of the store every ``--save-every`` s; and the same presses with no savers,
   in the same run, for the ratio.

Limits: the frame's end is when this process read it, not when a terminal drew it;
the savers, the writer and this reader share the machine's 2 cores with the app;
compare figures from one session (the load average is printed).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loupe_pty
import store_scale
from ptyterm import Session, compile_sources

PHOTO = "shoot/img000.jpg"
SIZE = (200, 50)


def build_root(curated: int, base: Path, name: str) -> Path:
    """A portfolio: the loupe corpus's photos (hard links) and a fresh copy of the store."""
    corpus = loupe_pty.corpus(6)
    store = store_scale.portfolio("sqlite", curated)
    root = base / name
    (root / "shoot").mkdir(parents=True)
    for photo in sorted((corpus / "shoot").glob("*.jpg")):
        os.link(photo, root / "shoot" / photo.name)
    for item in store.iterdir():
        if item.name.startswith("curation.sqlite"):
            shutil.copy2(item, root / item.name)
    return root


def start(root: Path, cache: Path) -> Session:
    argv = [sys.executable, "-m", "portfolio_tui", str(root), "--open", f"photo:{PHOTO}"]
    argv += ["--graphics", "halfblock", "--as", "bench"]
    profile = os.environ.get("LIVE_BENCH_PROFILE")  # a cProfile of the app, for digging
    if profile:
        argv[1:1] = ["-m", "cProfile", "-o", profile]
    env = {"XDG_CACHE_HOME": str(cache), "COLORTERM": "truecolor", "TERM": "xterm-256color"}
    session = Session(argv, cols=SIZE[0], rows=SIZE[1], env=env, keep_data=True)
    session.spawn()
    session.settle(quiet=1.0, limit=90)
    total = loupe_pty.count_of(root)
    if loupe_pty.find_shown(session.frames, 1, total).drawn is None:
        loupe_pty.finish(session)
        raise SystemExit("the first photo was never drawn: is the app starting?")
    return session


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _writer(root: str, count: int, interval: float, out: Any, go: Any, shown: bool) -> None:
    from portfolio_tui.curation import Change
    from portfolio_tui.store.sqlite_curation import SqliteCurationStore

    store = SqliteCurationStore(Path(root), author="maria")
    store.load()
    go.wait()
    for k in range(count):
        time.sleep(interval)
        photo = PHOTO if shown else store_scale.photo_name(k)
        store.apply([Change.notes(photo, f"remote change {k}")])
        out.put((k, time.perf_counter()))
    store.close()
    out.put(None)


def _saver(root: str, curated: int, who: str, every: float, stop: Any) -> None:
    from portfolio_tui.curation import Change
    from portfolio_tui.store.sqlite_curation import SqliteCurationStore

    rng = random.Random(who)
    store = SqliteCurationStore(Path(root), author=who)
    store.load()
    while not stop.is_set():
        photo = store_scale.photo_name(rng.randrange(curated))
        store.apply([Change.rating(photo, rng.randint(1, 5))])
        stop.wait(every)
    store.close()


def pump_for(session: Session, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        session.pump(min(left, 0.05))


def figure_remote(args: argparse.Namespace, base: Path, cache: Path) -> None:
    root = build_root(args.curated, base, "remote")
    session = start(root, cache)
    try:
        idle_span = args.remote * args.remote_interval
        before = cpu_seconds(session.pid)
        pump_for(session, idle_span)
        idle_cpu = cpu_seconds(session.pid) - before

        ctx = mp.get_context("spawn")
        out, go = ctx.Queue(), ctx.Event()
        writer = ctx.Process(
            target=_writer,
            args=(str(root), args.remote, args.remote_interval, out, go, args.where == "shown"),
        )
        writer.start()
        time.sleep(2.0)  # the writer has opened its store
        first_frame = len(session.frames)
        cpu_before = cpu_seconds(session.pid)
        go.set()
        sent: list[tuple[int, float]] = []
        while True:
            session.pump(0.02)
            while not out.empty():
                item = out.get()
                if item is None:
                    break
                sent.append(item)
            else:
                continue
            break
        pump_for(session, 2.0)
        busy_cpu = cpu_seconds(session.pid) - cpu_before
        writer.join()
    finally:
        loupe_pty.finish(session)
    frames = session.frames[first_frame:]
    latencies = []
    missing = 0
    for k, at in sent:
        text = f"remote change {k}".encode()
        shown = next(
            (
                f.end + session.start
                for f in frames
                if text in f.data and f.end + session.start >= at - 0.5
            ),
            None,
        )
        if shown is None:
            missing += 1
        else:
            latencies.append(shown - at)
    span = busy_cpu - idle_cpu * (len(sent) * args.remote_interval + 2.0) / idle_span
    print()
    where = "on screen" if args.where == "shown" else "to photos not on screen"
    print(
        f"1. another curator's change {where} ({args.curated:,} curated photos, "
        f"{len(sent)} changes {args.remote_interval:g} s apart)"
    )
    if latencies:
        print(
            f"   median {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {store_scale.p95(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms (targets <= 300 ms, <= 1 s); "
            f"never shown: {missing}"
        )
    print(
        f"   app CPU per remote change: {span / max(1, len(sent)) * 1000:.1f} ms "
        f"(busy {busy_cpu:.2f} s, idle {idle_cpu:.2f} s over {idle_span:g} s; target <= 5 ms)"
    )


def figure_loupe(args: argparse.Namespace, base: Path, cache: Path) -> None:
    results: dict[int, list[float | None]] = {}
    for savers in (0, args.savers):
        root = build_root(args.curated, base, f"loupe-{savers}")
        ctx = mp.get_context("spawn")
        stop = ctx.Event()
        procs = [
            ctx.Process(
                target=_saver, args=(str(root), args.curated, f"saver{i}", args.save_every, stop)
            )
            for i in range(savers)
        ]
        for proc in procs:
            proc.start()
        time.sleep(2.0 if savers else 0.0)
        session = start(root, cache)
        try:
            total = loupe_pty.count_of(root)
            presses = loupe_pty.human_round(session, total, args.presses, 0.3)
        finally:
            loupe_pty.finish(session)
            stop.set()
            for proc in procs:
                proc.join()
        results[savers] = [p.seconds for p in presses]
    print()
    print(
        f"2. loupe next photo, {args.presses} presses 300 ms apart, {args.curated:,} curated photos"
    )
    medians = {}
    for savers, seconds in results.items():
        drawn = [s for s in seconds if s is not None]
        ranked = drawn + [float("inf")] * (len(seconds) - len(drawn))
        medians[savers] = statistics.median(ranked)
        print(
            f"   {savers} others saving every {args.save_every:g} s: "
            f"median {medians[savers] * 1000:.0f} ms, p95 {store_scale.p95(ranked) * 1000:.0f} ms, "
            f"not drawn {len(seconds) - len(drawn)}"
        )
    if medians.get(0):
        print(
            f"   ratio with/without: {medians[args.savers] / medians[0]:.2f} "
            "(target median <= 50 ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--curated", type=int, default=100_000)
    parser.add_argument("--figures", default="1,2")
    parser.add_argument("--remote", type=int, default=30)
    parser.add_argument("--remote-interval", type=float, default=1.0)
    parser.add_argument("--savers", type=int, default=3)
    parser.add_argument("--save-every", type=float, default=0.5)
    parser.add_argument(
        "--where",
        choices=("shown", "elsewhere"),
        default="shown",
        help="figure 1: change the photo on screen, or photos in other galleries (CPU only)",
    )
    parser.add_argument("--presses", type=int, default=20)
    args = parser.parse_args()
    print("$", shlex.join([".venv/bin/python", "benchmarks/curation_live.py", *sys.argv[1:]]))
    compile_sources()
    base = Path(tempfile.mkdtemp(prefix="portfolio-tui-bench-live-"))
    cache = Path(tempfile.gettempdir()) / f"portfolio-tui-bench-loupe-cache-6mp-{SIZE[0]}x{SIZE[1]}"
    try:
        warm_root = build_root(args.curated, base, "warm")
        seconds = loupe_pty.warm(warm_root, cache, SIZE, args.presses + 1 + loupe_pty.LOOK_AHEAD)
        print(f"warming pass {seconds:.1f} s; load average {os.getloadavg()[0]:.2f}", flush=True)
        figures = {int(f) for f in args.figures.split(",")}
        if 1 in figures:
            figure_remote(args, base, cache)
        if 2 in figures:
            figure_loupe(args, base, cache)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
