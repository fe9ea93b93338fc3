"""The next photo in the loupe (issue 8): key to the new photo drawn, in a real pseudo-terminal.

Run by hand (never by the test suite)::

    .venv/bin/python benchmarks/loupe_pty.py [--mp 6|24] [--cache warm|cold] [--hold]
                                             [--rounds N] [--size 200x50]

Corpus: generated once and kept under /tmp, keyed by its parameters: 200 JPEGs
of 6 MP, or with ``--mp 24`` 60 JPEGs of 24 MP (20 presses need 21 photos and
a 40-key hold 41, so 60 is enough and keeps generation short). Three in four
are portrait (2000x3000 / 4000x6000), every fourth landscape; each is a
blurred gradient with a few shapes (a head and shoulders among them) under
camera-like noise, quality 90, EXIF orientation 1, so the files are the size
a camera writes (about 2.5 MB at 6 MP, 9.7 MB at 24 MP). Generating
them takes about 1.5 min (6 MP) and 2 min (24 MP) on 2 cores.

The app runs in a pseudo-terminal of 200x50 (``--size``), truecolor
(``COLORTERM=truecolor``, ``TERM=xterm-256color``), ``--graphics halfblock``,
started with ``--open photo:shoot/img000.jpg`` (the loupe on the first photo)
and ``--read-only`` (nothing is written beside the corpus), with
``XDG_CACHE_HOME`` pointing at the benchmark's own cache folder. Each
round is a fresh app process; the first photo is drawn and the screen still
for 0.8 s before the first key.

- ``--cache warm``: before the rounds, an app process at the same terminal size
  steps through every photo the rounds will show, one at a time, each until it
  is drawn, so the disk cache holds each photo's loupe-size fitted image (what
  ``thumbs`` does not build: it makes grid thumbnails). The measured process
  is new, so its in-memory render cache is empty: "warm" means the previews
  were seen before, in an earlier session, as after presenting the same set
  yesterday. The files involved are in the OS page cache.
- ``--cache cold``: a fresh, empty cache folder for every round: every photo is
  decoded from its JPEG. The OS page cache is what it is (the JPEGs were
  written or read recently and probably sit in it; nothing drops it), so
  "cold" means the app's caches, not the disk.

Human pace (default): 20 right-arrow presses, one every 300 ms. Key hold
(``--hold``): 40 presses 10 ms apart, timed from the last press to the photo
where the user stopped.

When does the screen show the new photo? Every screen update arrives between
the synchronized-output markers (see ptyterm: one *frame* each). For the press
that should show photo N of T, the frames after the key are read in order:

1. the frame that writes the title bar's counter ``N / T`` (the loupe sets the
   counter and the photo in one handler, so this frame holds either the new
   photo, when the app had it in memory, or its "loading…" line);
2. from that frame on, the first frame that draws the photo: it writes at
   least 10 screen rows holding at least 8 half-block cells (▀ ▄ █) each, and
   no "loading…". Nothing else in the loupe draws half-blocks, and Textual
   writes a refreshed widget whole in one update, so this frame is the whole
   photo (the table shows how many rows it wrote, smallest to largest);
3. the time is that frame's end (when its last byte was read) minus when the
   key was written. Counters written before ``N / T`` are ignored (the title
   bar of the photo before may be redrawn late, after its badge arrives); a
   frame writing another counter after it, before the photo is drawn, means
   the photo was skipped (the next key came first). Skipped presses count as
   slower than any drawn one in the median and p95 ("not drawn"), and are
   listed.

"Screen still" is also shown: the end of the last frame before the next key
(the provenance badge, read in a worker, may land after the photo).

Limits: a frame's end is when this process read its last byte from the pty,
not when a terminal emulator has parsed and shown it (a 200x50 truecolor
photo frame is 130 to 250 KB, which a real terminal also has to draw); this
reader shares the machine's cores with the app; and on a shared machine the
load from other work moves every figure (the load average is printed), so
compare figures from the same session. A quick check that the instrument moves
the right way: ``--size 100x30`` (a quarter of the cells to draw and write)
must come out faster than 200x50.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing
import os
import random
import re
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ptyterm import Frame, Session, compile_sources

PYTHON = sys.executable
LOOK_AHEAD = 3
"""Photos the loupe decodes ahead of the one shown (ui/screens/loupe.py AHEAD)."""
RIGHT = b"\x1b[C"
CORPUS_VERSION = 1
SETS = {6: (200, (2000, 3000)), 24: (60, (4000, 6000))}
"""Megapixels -> (number of photos, portrait size); every fourth photo is landscape."""
TARGETS = {"warm": (50, 100), "cold": (120, None)}
"""Human pace: (median, p95) targets in ms, from issue 8."""
HOLD_TARGET = 150
MIN_ROWS = 10
MIN_CELLS = 8
BLOCKS = ("▀".encode(), "▄".encode(), "█".encode())
CURSOR_MOVE = re.compile(rb"\x1b\[(\d+);\d+H")
LOADING = "loading…".encode()
FIRST_PHOTO = "shoot/img000.jpg"
PHOTOS_GLOB = "*.jpg"
"""The photo the loupe opens on and the photos counted (benchmarks/raw_grid.py sets RAWs)."""


# -- corpus ------------------------------------------------------------------------------
_NOISE: Image.Image | None = None


def _noise() -> Image.Image:
    """A 1024x1024 tile of RGB noise, made once per worker process."""
    global _NOISE
    if _NOISE is None:
        _NOISE = Image.merge("RGB", [Image.effect_noise((1024, 1024), 16) for _ in range(3)])
    return _NOISE


def _make_photo(job: tuple[Path, int, int, int]) -> None:
    path, index, width, height = job
    rnd = random.Random(index)
    small = (max(1, width // 8), max(1, height // 8))
    gradient = Image.linear_gradient("L")
    r = gradient.rotate(rnd.randrange(360)).resize(small)
    g = Image.radial_gradient("L").resize(small)
    b = gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM).resize(small)
    base = Image.merge("RGB", (r, g, b))
    draw = ImageDraw.Draw(base)
    w, h = small
    for _ in range(6):
        x, y, s = rnd.randrange(w), rnd.randrange(h), rnd.randrange(w // 8, w // 2)
        draw.ellipse(
            (x - s, y - s, x + s // 2, y + s), fill=tuple(rnd.randrange(256) for _ in "rgb")
        )
    skin = (190 + rnd.randrange(50), 140 + rnd.randrange(30), 110 + rnd.randrange(30))
    draw.rectangle((w * 0.15, h * 0.62, w * 0.85, h), fill=tuple(rnd.randrange(120) for _ in "rgb"))
    draw.ellipse((w * 0.32, h * 0.15, w * 0.68, h * 0.58), fill=skin)
    base = base.filter(ImageFilter.GaussianBlur(1.5)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    base = base.filter(ImageFilter.DETAIL)
    noise = _noise()
    grain = Image.new("RGB", (width, height))
    ox, oy = rnd.randrange(1024), rnd.randrange(1024)
    for y in range(-oy, height, 1024):
        for x in range(-ox, width, 1024):
            grain.paste(noise, (x, y))
    photo = ImageChops.add(base, grain, scale=1.0, offset=-128)
    exif = Image.Exif()
    exif[0x0112] = 1  # orientation: upright
    partial = path.with_suffix(".part")
    photo.save(partial, "JPEG", quality=90, exif=exif.tobytes())
    partial.rename(path)


def corpus(mp: int) -> Path:
    """The folder (``shoot/img000.jpg`` ...) for ``mp`` megapixels, generated once."""
    count, (pw, ph) = SETS[mp]
    root = (
        Path(tempfile.gettempdir()) / f"portfolio-tui-bench-loupe-{mp}mp-{count}-v{CORPUS_VERSION}"
    )
    done = root / ".complete"
    if done.exists():
        return root
    gallery = root / "shoot"
    gallery.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i in range(count):
        path = gallery / f"img{i:03d}.jpg"
        if not path.exists():
            size = (ph, pw) if i % 4 == 3 else (pw, ph)
            jobs.append((path, i, *size))
    if jobs:
        started = time.perf_counter()
        print(f"generating {len(jobs)} JPEGs of {mp} MP in {root} ...", flush=True)
        with multiprocessing.Pool() as pool:
            pool.map(_make_photo, jobs, chunksize=1)
        print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    done.write_text("ok\n")
    return root


# -- reading the screen -----------------------------------------------------------------
def photo_rows(data: bytes) -> int:
    """How many screen rows this update writes with at least MIN_CELLS half-block cells."""
    parts = CURSOR_MOVE.split(data)
    rows = set()
    for row, text in zip(parts[1::2], parts[2::2], strict=True):
        if sum(text.count(block) for block in BLOCKS) >= MIN_CELLS:
            rows.add(int(row))
    return len(rows)


COUNTER = re.compile(rb"(?<![0-9])([0-9]+) / ([0-9]+)")


def counters(data: bytes, total: int) -> list[int]:
    """The photo numbers ``N / total`` this update writes."""
    return [int(m.group(1)) for m in COUNTER.finditer(data) if int(m.group(2)) == total]


@dataclass
class Shown:
    """When the photo a key asked for was drawn (None: skipped or never drawn)."""

    drawn: float | None
    rows: int = 0


def find_shown(frames: list[Frame], number: int, total: int) -> Shown:
    """The first frame that draws photo ``number`` whole after its counter (see the module doc)."""
    seen = False
    for frame in frames:
        numbers = counters(frame.data, total)
        if seen and numbers and numbers[-1] != number:
            return Shown(None)  # a later photo took its place
        if number in numbers:
            seen = True
        if seen and LOADING not in frame.data:
            rows = photo_rows(frame.data)
            if rows >= MIN_ROWS:
                return Shown(frame.end, rows)
    return Shown(None)


# -- running the app ---------------------------------------------------------------------
def start(root: Path, cache: Path, size: tuple[int, int]) -> Session:
    cols, rows = size
    argv = [PYTHON, "-m", "portfolio_tui", str(root), "--open", f"photo:{FIRST_PHOTO}"]
    argv += ["--graphics", "halfblock", "--read-only"]
    profile = os.environ.get("LOUPE_BENCH_PROFILE")  # a cProfile of the app, for digging
    if profile:
        argv[1:1] = ["-m", "cProfile", "-o", profile]
    env = {"XDG_CACHE_HOME": str(cache), "COLORTERM": "truecolor", "TERM": "xterm-256color"}
    session = Session(argv, cols=cols, rows=rows, env=env, keep_data=True)
    session.spawn()
    session.settle(quiet=0.8, limit=60)
    first = find_shown(session.frames, 1, count_of(root))
    if first.drawn is None:
        finish(session)
        raise SystemExit("the first photo was never drawn: is the app starting?")
    return session


def finish(session: Session) -> None:
    """Quit the app and kill anything left in its process group."""
    try:
        session.close()
    finally:
        session.kill_group()


def count_of(root: Path) -> int:
    return len(list((root / "shoot").glob(PHOTOS_GLOB)))


def pump_until(session: Session, when: float) -> None:
    """Read the terminal until ``when`` (seconds since the session started)."""
    while (left := when - (time.perf_counter() - session.start)) > 0:
        session.pump(left)


def wait_shown(session: Session, since: int, number: int, total: int, limit: float) -> Shown:
    """Read until photo ``number`` is drawn (or ``limit`` s pass)."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        session.pump(0.05)
        shown = find_shown(session.frames_since(since), number, total)
        if shown.drawn is not None:
            return shown
    return Shown(None)


def warm(root: Path, cache: Path, size: tuple[int, int], photos: int) -> float:
    """Step an app through the first ``photos`` photos, each until drawn; return seconds."""
    started = time.perf_counter()
    total = count_of(root)
    session = start(root, cache, size)
    try:
        for number in range(2, photos + 1):
            before = len(session.frames)
            session.send(RIGHT)
            if wait_shown(session, before, number, total, 20).drawn is None:
                raise SystemExit(f"warming: photo {number} was never drawn")
        session.settle(quiet=0.5, limit=10)
    finally:
        finish(session)
    return time.perf_counter() - started


@dataclass
class Press:
    number: int
    seconds: float | None
    still: float
    rows: int


def human_round(session: Session, total: int, presses: int, interval: float) -> list[Press]:
    """``presses`` right arrows, one per ``interval`` s, starting from photo 1."""
    sent: list[tuple[float, int]] = []
    first = time.perf_counter() - session.start
    for k in range(presses):
        pump_until(session, first + k * interval)
        before = len(session.frames)
        sent.append((session.send(RIGHT), before))
    pump_until(session, sent[-1][0] + max(interval, 1.0))
    session.settle(quiet=0.5, limit=15)
    results = []
    for k, (at, before) in enumerate(sent):
        nxt = sent[k + 1][1] if k + 1 < len(sent) else len(session.frames)
        shown = find_shown(session.frames_since(before), k + 2, total)
        burst = session.frames[before:nxt]
        still = (burst[-1].end - at) if burst else math.nan
        seconds = None if shown.drawn is None else shown.drawn - at
        results.append(Press(k + 2, seconds, still, shown.rows))
    return results


def hold_round(session: Session, total: int, presses: int, gap: float) -> tuple[Press, int]:
    """``presses`` right arrows ``gap`` s apart; (the last photo's press, photos drawn)."""
    first = time.perf_counter() - session.start
    start_frames = len(session.frames)
    at, before = 0.0, 0
    for k in range(presses):
        pump_until(session, first + k * gap)
        before = len(session.frames)
        at = session.send(RIGHT)
    number = min(1 + presses, total)
    shown = wait_shown(session, before, number, total, 20)
    session.settle(quiet=0.5, limit=15)
    drawn = sum(
        1
        for f in session.frames_since(start_frames)
        if LOADING not in f.data and photo_rows(f.data) >= MIN_ROWS
    )
    still = session.frames[-1].end - at
    seconds = None if shown.drawn is None else shown.drawn - at
    return Press(number, seconds, still, shown.rows), drawn


# -- report -------------------------------------------------------------------------------
def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(value: float | None) -> str:
    if value is None or math.isnan(value) or math.isinf(value):
        return "not drawn"
    return f"{value * 1000:.0f} ms"


def row(label: str, value: str, target: str = "") -> None:
    print(f"{label:<50}{value:>14}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mp", type=int, choices=sorted(SETS), default=6)
    parser.add_argument("--cache", choices=("warm", "cold"), default="warm")
    parser.add_argument("--hold", action="store_true", help="40 presses 10 ms apart")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--size", default="200x50", help="terminal COLSxROWS")
    parser.add_argument("--presses", type=int, help="default 20 (human pace), 40 (--hold)")
    parser.add_argument("--interval", type=float, help="s between presses: 0.3, or 0.01 (--hold)")
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.lower().split("x"))
    size = (cols, rows)
    presses = args.presses or (40 if args.hold else 20)
    interval = args.interval or (0.01 if args.hold else 0.3)
    command = shlex.join([".venv/bin/python", "benchmarks/loupe_pty.py", *sys.argv[1:]])

    compile_sources()
    root = corpus(args.mp)
    load = os.getloadavg()[0]
    total = count_of(root)
    if presses + 1 > total:
        raise SystemExit(f"{presses} presses need {presses + 1} photos; the corpus has {total}")
    base = Path(tempfile.gettempdir())
    warm_cache = base / f"portfolio-tui-bench-loupe-cache-{args.mp}mp-{cols}x{rows}"
    if args.cache == "warm":
        # Warm means the whole shoot was seen before: every photo the run shows, and the
        # ones the app decodes ahead of the last of them (the loupe looks 3 ahead).
        last = min(total, presses + 1 + LOOK_AHEAD)
        seconds = warm(root, warm_cache, size, last)
        print(f"warming pass: photos 1 to {last}, {seconds:.1f} s", flush=True)

    rounds: list[list[Press]] = []
    holds: list[tuple[Press, int]] = []
    for _ in range(args.rounds):
        cold_cache = None
        if args.cache == "cold":
            cold_cache = Path(tempfile.mkdtemp(prefix="portfolio-tui-bench-loupe-cold-"))
        session = start(root, cold_cache or warm_cache, size)
        try:
            if args.hold:
                holds.append(hold_round(session, total, presses, interval))
            else:
                rounds.append(human_round(session, total, presses, interval))
        finally:
            finish(session)
            if cold_cache is not None:
                shutil.rmtree(cold_cache, ignore_errors=True)

    _, (pw, ph) = SETS[args.mp]
    print()
    print(
        f"loupe, {total} JPEGs of {args.mp} MP ({pw}x{ph}, every 4th {ph}x{pw}), {cols}x{rows} "
        f"pty, truecolor half-blocks, {args.cache} cache, {args.rounds} round(s)"
    )
    if args.hold:
        print(f"key hold: {presses} presses {interval * 1000:.0f} ms apart, from the last press")
        print(f"{'figure':<50}{'value':>14}  target")
        times = [p.seconds for p, _ in holds]
        good = [t for t in times if t is not None]
        label = f"last press to photo {holds[0][0].number} / {total} drawn"
        if len(holds) == 1:
            row(label, ms(times[0]), f"<= {HOLD_TARGET} ms")
        else:
            row(
                label + ", median",
                ms(statistics.median(good)) if good else "not drawn",
                f"<= {HOLD_TARGET} ms",
            )
            row("  rounds", " ".join(ms(t).replace(" ms", "") for t in times) + " ms")
        row("last press to screen still", ms(statistics.median(p.still for p, _ in holds)))
        row(
            "photos drawn during the hold (median)", f"{statistics.median(d for _, d in holds):.0f}"
        )
        row("rows in the frame that drew it", f"{min(p.rows for p, _ in holds)}")
    else:
        print(f"human pace: {presses} right arrows, one every {interval * 1000:.0f} ms")
        print(f"{'figure':<50}{'value':>14}  target")
        pooled = [p for r in rounds for p in r]
        drawn = [p.seconds for p in pooled if p.seconds is not None]
        stills = [p.still for p in pooled if not math.isnan(p.still)]
        skipped = [p.number for p in pooled if p.seconds is None]
        # A skipped photo was never drawn: it counts as slower than any drawn one.
        ranked = drawn + [math.inf] * len(skipped)
        median_target, p95_target = TARGETS[args.cache]
        row(
            "key to new photo drawn, median",
            ms(statistics.median(ranked)),
            f"<= {median_target} ms",
        )
        row("  p95", ms(p95(ranked)), f"<= {p95_target} ms" if p95_target else "")
        row("  max", ms(max(ranked)))
        row("  min", ms(min(ranked)))
        if skipped and drawn:
            row("  median of the photos that were drawn", ms(statistics.median(drawn)))
        row(
            "key to screen still (last frame before next key)",
            ms(statistics.median(stills) if stills else None),
        )
        row("presses whose photo was never drawn", f"{len(skipped)} / {len(pooled)}")
        rows_drawn = [p.rows for p in pooled if p.seconds is not None]
        if rows_drawn:
            row("rows in the frame that drew the photo", f"{min(rows_drawn)} to {max(rows_drawn)}")
        if len(rounds) > 1:
            medians = [statistics.median([p.seconds or math.inf for p in r]) for r in rounds]
            p95s = [p95([p.seconds or math.inf for p in r]) for r in rounds]
            for name, values in (("medians", medians), ("p95s", p95s)):
                row(f"spread of round {name}", " ".join(ms(v).removesuffix(" ms") for v in values))
        if skipped:
            print(f"skipped photos: {skipped}")
        if os.environ.get("LOUPE_BENCH_EACH"):  # every press: photo, ms, still, rows
            for p in pooled:
                print(f"  photo {p.number}: {ms(p.seconds)}, still {ms(p.still)}, {p.rows} rows")
    print(f"load average (1 min) at the start: {load:.1f} on {os.cpu_count()} CPUs")
    print(f"command: {command}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
