"""Cold ``thumbs`` against the decode floor, and threads against processes.

Run by hand: ``.venv/bin/python benchmarks/thumbs_vs_floor.py [--photos 400]``.
It generates its own corpus of 6 MP JPEGs (3000x2000, smooth gradients plus
noise, cached under /tmp between runs), then in one run measures, on 2 workers:

- floor: Pillow draft decode of every file to the thumbnail box (``draft`` then
  ``load``), nothing else; the least work any thumbnailer must do;
- thumbs (threads): ``prebuild`` into an empty cache, as ``portfolio-tui thumbs``;
- thumbs (processes): the same work on a process pool.

Each figure is the median of 3 rounds; the ratios are what to quote.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from PIL import Image  # noqa: E402

from portfolio_tui.imaging.cache import ImageCache  # noqa: E402
from portfolio_tui.imaging.decode import load_fitted  # noqa: E402
from portfolio_tui.imaging.sizes import default_thumb_box  # noqa: E402
from portfolio_tui.portfolio import Photo  # noqa: E402
from portfolio_tui.thumbs import prebuild  # noqa: E402

CORPUS = Path(tempfile.gettempdir()) / "portfolio-tui-bench-6mp"
JOBS = 2
ROUNDS = 3


def make_corpus(count: int) -> list[Path]:
    """``count`` 6 MP JPEGs, made once and reused."""
    CORPUS.mkdir(exist_ok=True)
    base = Image.linear_gradient("L").resize((3000, 2000))
    noise = Image.effect_noise((3000, 2000), 40)
    paths = []
    for i in range(count):
        path = CORPUS / f"img{i:04d}.jpg"
        if not path.exists():
            r = base.point(lambda v, i=i: (v + i * 7) % 256)
            image = Image.merge("RGB", (r, noise, base.transpose(Image.Transpose.ROTATE_180)))
            image.save(path, quality=88)
        paths.append(path)
    return paths


def floor(paths: list[Path]) -> float:
    box = default_thumb_box()

    def decode(path: Path) -> None:
        with Image.open(path) as image:
            image.draft("RGB", box)
            image.load()

    start = time.perf_counter()
    with ThreadPoolExecutor(JOBS) as pool:
        list(pool.map(decode, paths))
    return time.perf_counter() - start


def thumbs_threads(paths: list[Path]) -> float:
    photos = [Photo(path=p, rel=p.name) for p in paths]
    root = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    try:
        start = time.perf_counter()
        summary = prebuild(photos, ImageCache(root), jobs=JOBS)
        elapsed = time.perf_counter() - start
        assert summary.built == len(paths), summary
        return elapsed
    finally:
        shutil.rmtree(root)


def _build_one(args: tuple[str, str]) -> None:
    path, root = args
    box = default_thumb_box()
    ImageCache(Path(root)).put(Path(path), box, load_fitted(Path(path), box))


def thumbs_processes(paths: list[Path]) -> float:
    root = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    try:
        start = time.perf_counter()
        with ProcessPoolExecutor(JOBS) as pool:
            list(pool.map(_build_one, [(str(p), str(root)) for p in paths], chunksize=8))
        return time.perf_counter() - start
    finally:
        shutil.rmtree(root)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=400)
    args = parser.parse_args()
    paths = make_corpus(args.photos)
    floor(paths)  # warm the page cache so every figure reads from memory
    rows: dict[str, list[float]] = {"floor": [], "threads": [], "processes": []}
    for _ in range(ROUNDS):
        rows["floor"].append(floor(paths))
        rows["threads"].append(thumbs_threads(paths))
        rows["processes"].append(thumbs_processes(paths))
    f = statistics.median(rows["floor"])
    print(f"{args.photos} x 6 MP JPEG, {JOBS} workers, median of {ROUNDS} rounds")
    print(f"{'what':<34}{'seconds':>9}{'ratio to floor':>16}")
    for name, label in (
        ("floor", "draft decode only (floor)"),
        ("threads", "thumbs, threads (shipped)"),
        ("processes", "thumbs, processes"),
    ):
        m = statistics.median(rows[name])
        print(f"{label:<34}{m:>9.2f}{m / f:>16.2f}")


if __name__ == "__main__":
    main()
