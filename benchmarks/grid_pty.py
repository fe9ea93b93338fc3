"""The grid in a real pseudo-terminal: first paint, bytes per frame, page-down repaint.

Run by hand: ``.venv/bin/python benchmarks/grid_pty.py [--photos 1000]``.
It generates a gallery of small JPEGs (cached under /tmp between runs), warms
the thumbnail cache with ``portfolio-tui thumbs``, then at 200x50:

- first paint: process start to the end of the last frame before the screen
  goes still (every visible thumbnail drawn), against a bare Textual app's
  first frame in the same run (ratio);
- bytes of a full repaint of the complete grid (the terminal is resized away
  and back once start-up is still, and the largest frame after that is the
  whole screen with every thumbnail), in truecolor and in 256 colours, for the
  generated gallery (smooth gradients: a thumbnail line is one colour) and for
  a gallery of the demo's real portraits (a colour change almost every cell);
  the largest start-up frame; how many start-up frames were large (over half
  a full repaint);
- page-down: from the key to the end of the last frame it caused, warm cache;
- an arrow key (the cursor to the next tile): the same time, and its bytes.

The pseudo-terminal answers the synchronized-output and device-attributes
queries as a real terminal does (see ptyterm), so the app's graphics
detection finds half-blocks at once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ptyterm import Session, compile_sources

PYTHON = sys.executable
BARE_APP = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class Bare(App):\n"
    "    def compose(self):\n"
    "        yield Static('hello')\n"
    "Bare().run()\n"
)
ROUNDS = 5
PAGE_DOWNS = 10


def corpus(count: int) -> Path:
    """A folder holding one gallery of ``count`` 400x500 JPEGs."""
    root = Path(tempfile.gettempdir()) / f"portfolio-tui-bench-grid-{count}"
    gallery = root / "shoot"
    gallery.mkdir(parents=True, exist_ok=True)
    base = Image.linear_gradient("L").resize((400, 500))
    for i in range(count):
        path = gallery / f"img{i:05d}.jpg"
        if not path.exists():
            r = base.point(lambda v, i=i: (v + i * 37) % 256)
            g = base.transpose(Image.Transpose.FLIP_TOP_BOTTOM).point(lambda v, i=i: (v + i) % 256)
            Image.merge("RGB", (r, g, base)).save(path, quality=85)
    return root


def photo_corpus(count: int = 120) -> Path:
    """A folder holding one gallery of the demo portfolio's real photos, repeated."""
    demo = Path(__file__).resolve().parent.parent / "portfolio"
    sources = sorted(p for p in demo.glob("*/*") if p.suffix.lower() in (".jpg", ".png"))
    root = Path(tempfile.gettempdir()) / f"portfolio-tui-bench-photos-{count}"
    gallery = root / "shoot"
    gallery.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        source = sources[i % len(sources)]
        path = gallery / f"photo{i:04d}{source.suffix.lower()}"
        if not path.exists():
            shutil.copyfile(source, path)
    return root


def app_argv(root: Path) -> list[str]:
    return [PYTHON, "-m", "portfolio_tui", str(root), "--open", "gallery:shoot"]


def first_paint_bare(env: dict[str, str]) -> float:
    session = Session([PYTHON, "-c", BARE_APP], env=env)
    session.spawn()
    while not session.frames:
        session.pump(5)
    first = session.frames[0].end
    session.close()
    return first


def start_up(root: Path, env: dict[str, str]) -> tuple[float, list[int], int]:
    """(seconds to a still, complete grid, sizes of start-up frames, bytes of a full repaint)."""
    session = Session(app_argv(root), env=env)
    session.spawn()
    done = session.settle(quiet=0.8)
    sizes = [f.size for f in session.frames]
    full = full_repaint(session)
    session.close()
    return done, sizes, full


def full_repaint(session: Session) -> int:
    """Bytes of the frame that redraws the whole (complete, still) screen after a resize."""
    cols, rows = session.cols, session.rows
    session.resize(cols - 1, rows)
    session.settle(quiet=0.4)
    before = len(session.frames)
    session.resize(cols, rows)
    session.settle(quiet=0.4)
    return max((f.size for f in session.frames_since(before)), default=0)


def page_downs(root: Path, env: dict[str, str], key: bytes = b"\x1b[6~") -> list[tuple[float, int]]:
    """(seconds from ``key`` to the end of the last frame it caused, bytes written), per press."""
    session = Session(app_argv(root), env=env)
    session.spawn()
    session.settle(quiet=0.8)
    presses = []
    for _ in range(PAGE_DOWNS):
        before = len(session.frames)
        sent = session.send(key)
        session.settle(quiet=0.4)
        after = session.frames_since(before)
        if after:
            presses.append((after[-1].end - sent, sum(f.size for f in after)))
    session.close()
    return presses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=1000)
    args = parser.parse_args()
    compile_sources()
    root = corpus(args.photos)
    cache = Path(tempfile.gettempdir()) / "portfolio-tui-bench-cache"
    env = {"XDG_CACHE_HOME": str(cache), "COLORTERM": "truecolor"}
    photos = photo_corpus()
    for folder in (root, photos):
        subprocess.run(
            [PYTHON, "-m", "portfolio_tui", "thumbs", str(folder)],
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
    bare, ours, sizes, full = [], [], [], 0
    for _ in range(ROUNDS):
        bare.append(first_paint_bare(env))
        done, frame_sizes, full = start_up(root, env)
        ours.append(done)
        sizes = frame_sizes
    env256 = {"XDG_CACHE_HOME": str(cache), "COLORTERM": ""}
    _, sizes256, full256 = start_up(root, env256)
    photos_full = start_up(photos, env)[2]
    photos_full256 = start_up(photos, env256)[2]
    pages = [seconds for seconds, _ in page_downs(root, env)]
    arrows = page_downs(root, env, key=b"\x1b[C")
    b, o = statistics.median(bare), statistics.median(ours)
    large = [s for s in sizes if s > full / 2]
    print(f"{args.photos}-photo gallery, 200x50 pty, warm cache, median of {ROUNDS}")
    print(f"{'figure':<52}{'value':>14}")
    print(f"{'bare Textual app, first frame':<52}{b * 1000:>11.0f} ms")
    print(f"{'portfolio-tui, grid complete and still':<52}{o * 1000:>11.0f} ms")
    print(f"{'  ratio (target <= 1.5)':<52}{o / b:>14.2f}")
    print(f"{'full repaint of the grid, truecolor (target <= 300)':<52}{full / 1024:>11.0f} KB")
    print(f"{'full repaint of the grid, 256 colours (<= 150)':<52}{full256 / 1024:>11.0f} KB")
    print(f"{'  the same, real portraits, truecolor':<52}{photos_full / 1024:>11.0f} KB")
    print(f"{'  the same, real portraits, 256 colours':<52}{photos_full256 / 1024:>11.0f} KB")
    print(f"{'largest start-up frame, truecolor':<52}{max(sizes) / 1024:>11.0f} KB")
    print(f"{'largest start-up frame, 256 colours':<52}{max(sizes256) / 1024:>11.0f} KB")
    print(
        f"{'start-up frames (of which over half a full repaint)':<52}{len(sizes):>9} ({len(large)})"
    )
    if pages:
        print(
            f"{'page-down to last frame, median (target <= 60 ms)':<52}"
            f"{statistics.median(pages) * 1000:>11.0f} ms"
        )
        print(f"{'page-down, max':<52}{max(pages) * 1000:>11.0f} ms")
    if arrows:
        print(
            f"{'arrow key to last frame, median':<52}"
            f"{statistics.median(t for t, _ in arrows) * 1000:>11.0f} ms"
        )
        print(
            f"{'arrow key, bytes written, median':<52}"
            f"{statistics.median(b for _, b in arrows) / 1024:>11.0f} KB"
        )


if __name__ == "__main__":
    main()
