"""Time per photo for face detection (imaging/faces.py ``detect_faces``), on one core.

Run by hand: ``.venv/bin/python benchmarks/faces_speed.py [--repeats 15]``.

Two sets, each timed as the app meets it (decode at <= 640 px through the app's
own loading, YuNet, the eye crops' sharpness; no cache):

- **demo**: the demo's portraits under portfolio/ (140 x 175 to 512 x 600 px;
  public domain, portfolio/README.md);
- **6 MP**: the demo's public-domain portrait of Grace Hopper
  (portfolio/studio/hopper-01.jpg) upscaled to 2263 x 2652 (6.0 MP), saved as a
  JPEG at quality 90, and Eileen Collins (collins-01.png) at 2450 x 2450 likewise.

The process is pinned to one CPU where the system allows it, and OpenCV runs on
one thread (``detect_faces`` sets it). The first call of each set (model load) is
left out. Prints the median and p95 per photo, and the decode alone for the 6 MP
set (what ``load_fitted`` costs before the model runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from PIL import Image  # noqa: E402

from portfolio_tui.imaging.decode import load_fitted  # noqa: E402
from portfolio_tui.imaging.faces import ANALYSED_SIDE, detect_faces  # noqa: E402

DEMO = sorted((REPO / "portfolio").rglob("*.jpg")) + sorted((REPO / "portfolio").rglob("*.png"))


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _time(paths: Sequence[Path], repeats: int, run: Callable[[Path], object]) -> list[float]:
    run(paths[0])  # the model loads once per thread: not a photo's cost
    times: list[float] = []
    for _ in range(repeats):
        for path in paths:
            start = time.perf_counter()
            run(path)
            times.append((time.perf_counter() - start) * 1000)
    return times


def _six_megapixels(folder: Path) -> list[Path]:
    made = []
    for name, size in (("hopper-01.jpg", (2263, 2652)), ("collins-01.png", (2450, 2450))):
        with Image.open(REPO / "portfolio" / "studio" / name) as image:
            big = image.convert("RGB").resize(size, Image.Resampling.LANCZOS)
        path = folder / f"{Path(name).stem}-6mp.jpg"
        big.save(path, quality=90)
        made.append(path)
    return made


def _report(label: str, times: Sequence[float]) -> None:
    print(
        f"{label:<34} median {statistics.median(times):6.1f} ms   p95 {_p95(times):6.1f} ms"
        f"   ({len(times)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print("command: .venv/bin/python benchmarks/faces_speed.py --repeats", args.repeats)
    print(f"python {sys.version.split()[0]}, one core, analysed at <= {ANALYSED_SIDE} px")
    found = [len(detect_faces(path).faces) for path in DEMO]
    print(f"demo: {len(DEMO)} portraits, faces found: {sum(1 for n in found if n == 1)} with one")
    _report("detect_faces, demo portraits", _time(DEMO, args.repeats, detect_faces))
    with tempfile.TemporaryDirectory() as tmp:
        big = _six_megapixels(Path(tmp))
        for path in big:
            result = detect_faces(path)
            main_face = result.main
            box = [round(v) for v in main_face.box] if main_face else None
            print(f"{path.name}: {result.size}, {len(result.faces)} face(s), main box {box}")
        _report("detect_faces, 6 MP JPEG", _time(big, args.repeats, detect_faces))
        box = (ANALYSED_SIDE, ANALYSED_SIDE)
        _report(
            "  of which decode to 640 px",
            _time(big, args.repeats, lambda p: load_fitted(p, box, upscale=False)),
        )


if __name__ == "__main__":
    main()
