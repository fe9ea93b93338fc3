"""Culling over SSH: bytes written per keystroke in a scripted session, 256 colours.

Run by hand: ``.venv/bin/python benchmarks/culling_pty.py [--keys 60]``.
It copies a gallery of the demo's real portraits (120 photos, so the tiles
change colour almost every cell) into a fresh folder under /tmp (so the
curation store starts empty), warms the thumbnail cache, starts the app at
200x50 in a pseudo-terminal with 256 colours (``COLORTERM`` unset,
``TERM=xterm-256color``) and types a culling session: move, rate, flag, label,
move ... one key at a time, each once the screen is still. For every key it
records the bytes the app wrote and the time from the key to the end of its
last frame; it prints medians and maxima per kind of key and overall (target:
<= 8 KB per keystroke), and checks that every change reached curation.toml.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grid_pty import photo_corpus
from ptyterm import Session, compile_sources

PYTHON = sys.executable
SCRIPT = [  # (key bytes, kind)
    (b"\x1b[C", "move"),
    (b"3", "rate"),
    (b"p", "flag"),
    (b"\x1b[C", "move"),
    (b"x", "flag"),
    (b"\x1b[C", "move"),
    (b"5", "rate"),
    (b"6", "label"),
    (b"\x1b[C", "move"),
    (b"2", "rate"),
]
"""A photo at a time, left to right (the cursor wraps to the next row, and the
view scrolls when it leaves the screen): each photo gets a rating or a flag."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=90)
    args = parser.parse_args()
    compile_sources()
    source = photo_corpus()
    root = Path(tempfile.mkdtemp(prefix="portfolio-tui-bench-cull-"))
    shutil.copytree(source / "shoot", root / "shoot")
    cache = Path(tempfile.gettempdir()) / "portfolio-tui-bench-cache"
    env = {"XDG_CACHE_HOME": str(cache), "COLORTERM": "", "TERM": "xterm-256color"}
    subprocess.run(
        [PYTHON, "-m", "portfolio_tui", "thumbs", str(root)],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    session = Session(
        [PYTHON, "-m", "portfolio_tui", str(root), "--open", "gallery:shoot", "--as", "bench"],
        env=env,
    )
    session.spawn()
    session.settle(quiet=0.8)
    results: list[tuple[str, int, float]] = []
    for i in range(args.keys):
        key, kind = SCRIPT[i % len(SCRIPT)]
        before = len(session.frames)
        written = session.total_bytes
        sent = session.send(key)
        session.settle(quiet=0.3)
        frames = session.frames_since(before)
        seconds = frames[-1].end - sent if frames else 0.0
        results.append((kind, session.total_bytes - written, seconds))
    session.close()
    text = (root / "curation.toml").read_text() if (root / "curation.toml").exists() else ""
    rated = text.count("rating =")
    print(f"{args.keys} keys, 200x50 pty, 256 colours, real portraits (120 photos)")
    print(f"{'key':<10}{'count':>7}{'bytes median':>15}{'bytes max':>12}{'ms median':>12}")
    kinds = [*dict.fromkeys(kind for _, kind in SCRIPT), "all"]
    for kind in kinds:
        rows = [r for r in results if kind in ("all", r[0])]
        sizes = [size for _, size, _ in rows]
        times = [seconds * 1000 for _, _, seconds in rows]
        print(
            f"{kind:<10}{len(rows):>7}{statistics.median(sizes) / 1024:>12.1f} KB"
            f"{max(sizes) / 1024:>9.1f} KB{statistics.median(times):>10.0f} ms"
        )
    total = sum(size for _, size, _ in results)
    scrolls = [size for kind, size, _ in results if kind == "move" and size > 32 * 1024]
    print(f"mean bytes per keystroke: {total / len(results) / 1024:.1f} KB (target <= 8 KB)")
    print(
        f"moves that scrolled the grid (a full repaint): {len(scrolls)}, "
        f"{statistics.mean(scrolls) / 1024 if scrolls else 0:.0f} KB each"
    )
    print(f"photos with a rating in {root / 'curation.toml'}: {rated}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
