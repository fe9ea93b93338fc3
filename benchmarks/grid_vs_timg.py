"""A gallery of 24 6 MP photos, cold cache, against ``timg --grid`` on the same files.

Run by hand: ``.venv/bin/python benchmarks/grid_vs_timg.py [--rounds 5]``.
Needs ``timg`` (Debian package timg) on PATH.

It generates 24 photo-like 6 MP JPEGs (3000x2000: gradient light, soft shapes,
grain; quality 90; cached under /tmp between runs) and, in a 200x50
pseudo-terminal (``ptyterm.Session``), truecolor, times from process start:

- ``timg --grid=6x4 -g200x50 -ph FILES``: all 24 in half-blocks (``-ph``, as
  the app draws), to its last output byte and to its exit; once with timg's
  default decode threads (half the cores) and once with ``--threads`` = every
  core (the app decodes on every core). The terminal answers timg's
  background-colour query (OSC 11) as a real one would; unanswered, timg
  waits 1.5 s for it.
- ``portfolio-tui SHOOT --open gallery:shoot --graphics halfblock`` to the end
  of the last frame before the screen goes still (every tile drawn), with a
  cold thumbnail cache (a fresh ``XDG_CACHE_HOME`` each round): at the default
  thumbnail size, and one size smaller (``-`` typed as soon as the first frame
  is out), which is the size at which all 24 tiles fit whole at 200x50.

Rounds are interleaved; the table gives medians and the ratio of each app
figure to timg's. The files are read before the first round, so both sides find
them in the OS page cache; "cold" means the app's own thumbnail cache. Before
timing, a headless run of the app counts the tiles visible at each size, and
after each app round the thumbnail cache is checked for how many of the 24 were
decoded at the size on screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import select
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "src"))

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps  # noqa: E402
from ptyterm import Session, compile_sources  # noqa: E402

PYTHON = sys.executable
COLS, ROWS = 200, 50
PHOTOS = 24
SIZE = (3000, 2000)
ROOT = Path(tempfile.gettempdir()) / "portfolio-tui-bench-timg-24"
GALLERY = "shoot"
OSC11_QUERY = b"\x1b]11;?"
OSC11_REPLY = b"\x1b]11;rgb:0000/0000/0000\x1b\\"
ENV = {"COLORTERM": "truecolor"}


# -- corpus -----------------------------------------------------------------------
def make_photo(path: Path, seed: int) -> None:
    """A 6 MP JPEG that compresses like a photo: smooth light, soft subjects, grain."""
    rng = random.Random(seed)
    width, height = SIZE

    def colour() -> tuple[int, int, int]:
        return (rng.randrange(20, 236), rng.randrange(20, 236), rng.randrange(20, 236))

    # A ramp at any angle: rotate a larger one and keep its middle, which it covers.
    ramp = Image.linear_gradient("L").resize((512, 512)).rotate(rng.uniform(0, 360))
    ramp = ramp.crop((128, 128, 384, 384)).resize(SIZE)
    image = ImageOps.colorize(ramp, colour(), colour())
    # A head-and-shoulders silhouette and a few background shapes, softened.
    layer = image.copy()
    draw = ImageDraw.Draw(layer)
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(100, 600)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour())
    cx = width // 2 + rng.randrange(-300, 300)
    draw.ellipse((cx - 600, 1400, cx + 600, 2600), fill=colour())  # shoulders
    draw.ellipse((cx - 330, 500, cx + 330, 1350), fill=colour())  # head
    draw.ellipse((cx - 150, 800, cx - 60, 860), fill=(30, 25, 20))  # eyes
    draw.ellipse((cx + 60, 800, cx + 150, 860), fill=(30, 25, 20))
    layer = layer.filter(ImageFilter.GaussianBlur(4))
    vignette = ImageOps.invert(Image.radial_gradient("L").resize(SIZE))
    image = Image.composite(layer, image, vignette.point(lambda v: min(255, v + 120)))
    # Grain: Gaussian noise centred on 128, added around zero.
    grain = Image.effect_noise(SIZE, 10).convert("RGB")
    image = ImageChops.add(image, grain, 1.0, -128)
    tmp = path.with_suffix(".tmp")
    image.save(tmp, "JPEG", quality=90)
    tmp.replace(path)


def corpus() -> list[Path]:
    """The 24 photos, made once and reused; read once so the page cache holds them."""
    folder = ROOT / GALLERY
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(PHOTOS):
        path = folder / f"shot-{i + 1:02d}.jpg"
        if not path.exists():
            print(f"making {path}", file=sys.stderr)
            make_photo(path, seed=i)
        path.read_bytes()
        paths.append(path)
    return paths


# -- timg -------------------------------------------------------------------------
def timg_argv(files: list[Path], threads: int | None = None) -> list[str]:
    argv = ["timg", "--grid=6x4", f"-g{COLS}x{ROWS}", "-ph"]
    if threads:
        argv.append(f"--threads={threads}")
    return [*argv, *map(str, files)]


def run_timg(argv: list[str]) -> tuple[float, float, int]:
    """(seconds to the last output byte, seconds to exit, bytes written)."""
    session = Session(argv, cols=COLS, rows=ROWS, env=ENV)
    session.spawn()
    last, written = float("nan"), 0
    try:
        while True:
            ready, _, _ = select.select([session.fd], [], [], 30)
            if not ready:
                raise RuntimeError("timg wrote nothing for 30 s")
            try:
                data = os.read(session.fd, 1 << 16)
            except OSError:  # EIO: the program has exited and the pty is drained
                break
            if not data:
                break
            last = time.perf_counter() - session.start
            written += len(data)
            if OSC11_QUERY in data:
                os.write(session.fd, OSC11_REPLY)
        _, status = os.waitpid(session.pid, 0)
        exited = time.perf_counter() - session.start
    finally:
        os.close(session.fd)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} ... failed ({status})")
    return last, exited, written


# -- portfolio-tui ----------------------------------------------------------------
def app_argv() -> list[str]:
    return [PYTHON, "-m", "portfolio_tui", str(ROOT)]


def box_for(thumb_cols: int) -> tuple[int, int]:
    """The pixel box the grid decodes thumbnails ``thumb_cols`` cells wide to."""
    from portfolio_tui.imaging.sizes import pixel_box, thumb_rows

    box: tuple[int, int] = pixel_box(thumb_cols, thumb_rows(thumb_cols))
    return box


@dataclass
class AppRun:
    done: float  # end of the last frame before the screen went still
    first: float  # end of the first frame
    frames: int
    decoded: int  # photos in the thumbnail cache at the size on screen
    decoded_default: int  # ... and at the default size (work thrown away after '-')


def run_app(files: list[Path], smaller: bool, thumb_cols: int, default_cols: int) -> AppRun:
    """Open the gallery with an empty thumbnail cache; time until it holds still."""
    from portfolio_tui.imaging.cache import ImageCache

    with tempfile.TemporaryDirectory(prefix="portfolio-tui-bench-cold-") as cache_home:
        env = {**ENV, "XDG_CACHE_HOME": cache_home}
        argv = [*app_argv(), "--open", f"gallery:{GALLERY}", "--graphics", "halfblock"]
        session = Session(argv, cols=COLS, rows=ROWS, env=env)
        session.spawn()
        while not session.frames:
            if not session.pump(30):
                raise RuntimeError("portfolio-tui drew nothing for 30 s")
        if smaller:
            session.send(b"-")
        done = session.settle(quiet=1.0)
        first, frames = session.frames[0].end, len(session.frames)
        session.close()
        cache = ImageCache(Path(cache_home) / "portfolio-tui" / "images")
        decoded = sum(cache.contains(path, box_for(thumb_cols)) for path in files)
        decoded_default = sum(cache.contains(path, box_for(default_cols)) for path in files)
    return AppRun(done, first, frames, decoded, decoded_default)


@dataclass
class Layout:
    thumb_cols: int
    columns: int
    whole: int  # tiles entirely on screen
    partial: int  # tiles cut by the bottom edge


def layout(smaller: bool) -> Layout:
    """What the grid shows at COLS x ROWS, from a headless run of the app."""
    with tempfile.TemporaryDirectory(
        prefix="portfolio-tui-bench-layout-", ignore_cleanup_errors=True
    ) as cache_home:
        saved = os.environ.get("XDG_CACHE_HOME")
        os.environ["XDG_CACHE_HOME"] = cache_home
        try:
            return asyncio.run(_layout(smaller))
        finally:
            if saved is None:
                del os.environ["XDG_CACHE_HOME"]
            else:
                os.environ["XDG_CACHE_HOME"] = saved


async def _layout(smaller: bool) -> Layout:
    from portfolio_tui.portfolio import open_portfolio
    from portfolio_tui.ui.app import PortfolioApp
    from portfolio_tui.ui.widgets.thumb_grid import ThumbGrid

    app = PortfolioApp(open_portfolio(ROOT), open_target=f"gallery:{GALLERY}")
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await pilot.pause()
        if smaller:
            await pilot.press("minus")
            await pilot.pause()
        grid = app.screen.query_one(ThumbGrid)
        g = grid.geometry
        height = grid.scrollable_content_region.height
        whole_rows, cut = divmod(height, g.tile_height)
        whole = min(PHOTOS, whole_rows * g.columns)
        partial = min(PHOTOS - whole, g.columns) if cut else 0
        await app.workers.wait_for_complete()  # no decodes left writing to the cache
        return Layout(g.thumb_cols, g.columns, whole, partial)


# -- main -------------------------------------------------------------------------
def row(label: str, values: list[float], base: float | None = None) -> str:
    """One line of the table: median, range, and the ratio of the median to ``base``."""
    median = statistics.median(values)
    spread = f"{min(values) * 1000:.0f}-{max(values) * 1000:.0f}"
    ratio = f"{median / base:>8.2f}" if base else ""
    return f"{label:<64}{median * 1000:>7.0f} ms{spread:>12}{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    compile_sources()
    if shutil.which("timg") is None:
        sys.exit("grid_vs_timg: needs timg on PATH (Debian package timg)")
    files = corpus()
    cores = os.cpu_count() or 1
    layouts = {smaller: layout(smaller) for smaller in (False, True)}
    timg_variants = {
        f"timg --grid=6x4 -g{COLS}x{ROWS} -ph": timg_argv(files),
        f"  the same, --threads={cores}": timg_argv(files, threads=cores),
    }
    timg_last: dict[str, list[float]] = {name: [] for name in timg_variants}
    timg_exit: dict[str, list[float]] = {name: [] for name in timg_variants}
    app_runs: dict[bool, list[AppRun]] = {False: [], True: []}
    for _ in range(args.rounds):
        for name, argv in timg_variants.items():
            last, exited, _ = run_timg(argv)
            timg_last[name].append(last)
            timg_exit[name].append(exited)
        for smaller in (False, True):
            cols = layouts[smaller].thumb_cols
            app_runs[smaller].append(run_app(files, smaller, cols, layouts[False].thumb_cols))

    base_name = next(iter(timg_variants))
    base = statistics.median(timg_exit[base_name])
    print(
        f"{PHOTOS} JPEGs of {SIZE[0]}x{SIZE[1]} (q90), {COLS}x{ROWS} pty, truecolor half-blocks, "
        f"{cores} cores, cold thumbnail cache; {args.rounds} interleaved rounds"
    )
    print(f"{'from process start to':<64}{'median':>10}{'min-max':>12}{'ratio':>8}")
    for name in timg_variants:
        print(row(f"{name}: last byte", timg_last[name], base))
        print(row(f"{name}: exit", timg_exit[name], base))
    for smaller in (False, True):
        lay, runs = layouts[smaller], app_runs[smaller]
        how = "'-' at first frame" if smaller else "default"
        name = f"portfolio-tui, {lay.thumb_cols}-cell tiles ({how})"
        print(row(f"{name}: first frame", [run.first for run in runs], base))
        print(row(f"{name}: still", [run.done for run in runs], base))
        decoded = "/".join(str(n) for n in sorted({run.decoded for run in runs}))
        print(
            f"    {lay.whole} tiles whole + {lay.partial} cut by the bottom edge "
            f"({lay.columns} across); decoded at this size: {decoded} of {PHOTOS}"
        )
        if smaller:
            thrown = "/".join(str(n) for n in sorted({run.decoded_default for run in runs}))
            print(f"    decoded at the default size first and thrown away: {thrown}")
    print(f"ratio: median over the median of '{base_name}: exit' (target for 'still': <= 1.0)")


if __name__ == "__main__":
    main()
