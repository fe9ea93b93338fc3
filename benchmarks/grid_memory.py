"""Memory after paging through a 10,000-photo gallery in a pseudo-terminal.

Run by hand: ``.venv/bin/python benchmarks/grid_memory.py [--photos 10000]``.
It generates small JPEGs (cached under /tmp), opens the gallery at 200x50 with
a cold thumbnail cache, holds Page Down through the whole gallery at a steady
pace (one press every 60 ms by default), and reads the app's resident memory
(VmRSS, VmHWM) from /proc.
Target (issue 3): RSS <= 300 MB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ptyterm import Session, compile_sources

PYTHON = sys.executable


def corpus(count: int) -> Path:
    """A folder holding one gallery of ``count`` small JPEGs."""
    root = Path(tempfile.gettempdir()) / f"portfolio-tui-bench-memory-{count}"
    gallery = root / "shoot"
    gallery.mkdir(parents=True, exist_ok=True)
    base = Image.linear_gradient("L").resize((160, 200))
    for i in range(count):
        path = gallery / f"img{i:05d}.jpg"
        if not path.exists():
            r = base.point(lambda v, i=i: (v + i * 37) % 256)
            Image.merge("RGB", (r, base, base.transpose(Image.Transpose.ROTATE_180))).save(
                path, quality=80
            )
    return root


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid`` in KB."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--pace", type=float, default=0.06, help="seconds between presses")
    args = parser.parse_args()
    compile_sources()
    root = corpus(args.photos)
    cache = Path(tempfile.mkdtemp(prefix="portfolio-tui-bench-memcache-"))
    session = Session(
        [PYTHON, "-m", "portfolio_tui", str(root), "--open", "gallery:shoot"],
        env={"XDG_CACHE_HOME": str(cache), "COLORTERM": "truecolor"},
    )
    session.spawn()
    session.settle(quiet=0.8)
    start_memory = memory_kb(session.pid)
    start = time.perf_counter()
    presses = 0
    # 8 columns x 2 rows of the default tiles per page at 200x50.
    pages = args.photos // 16 + 2
    for _ in range(pages):
        session.send(b"\x1b[6~")
        presses += 1
        until = time.perf_counter() + args.pace
        while time.perf_counter() < until:
            session.pump(max(0.0, until - time.perf_counter()))
    session.settle(quiet=1.0)
    end_memory = memory_kb(session.pid)
    seconds = time.perf_counter() - start
    session.close()
    print(
        f"{args.photos}-photo gallery, 200x50 pty, cold cache, {presses} Page Downs "
        f"in {seconds:.0f} s"
    )
    print(f"RSS after opening:        {start_memory['VmRSS'] / 1024:7.0f} MB")
    print(f"RSS after the last page:  {end_memory['VmRSS'] / 1024:7.0f} MB (target <= 300)")
    print(f"peak RSS (VmHWM):         {end_memory['VmHWM'] / 1024:7.0f} MB")


if __name__ == "__main__":
    main()
