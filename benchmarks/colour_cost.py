"""What colour management costs a cold ``thumbs``: tagged files against the same untagged.

Run by hand: ``.venv/bin/python benchmarks/colour_cost.py [--photos 400] [--profile p3]``.

The corpus is thumbs_vs_floor's 6 MP JPEGs (3000x2000, cached under /tmp). Each is
copied twice: as it is (untagged: sRGB, nothing to convert) and with the chosen ICC
profile inserted as an APP2 segment (the same compressed pixels, byte for byte, so the
decode is identical and only colour management differs). ``prebuild`` (what
``portfolio-tui thumbs`` runs) fills an empty cache from each set on 2 threads; the
sets alternate in chunks of 50 files (so both meet the same noise on a shared machine),
median of 3 rounds. Also: ``load_fitted`` per file on one thread, best of 5.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from thumbs_vs_floor import make_corpus  # noqa: E402

from colour_support import display_p3, profiles  # noqa: E402
from portfolio_tui.imaging.cache import ImageCache  # noqa: E402
from portfolio_tui.imaging.decode import load_fitted  # noqa: E402
from portfolio_tui.imaging.sizes import default_thumb_box  # noqa: E402
from portfolio_tui.portfolio import Photo  # noqa: E402
from portfolio_tui.thumbs import prebuild  # noqa: E402

JOBS = 2
ROUNDS = 3
CHUNK = 50
SETS = Path(tempfile.gettempdir()) / "portfolio-tui-bench-colour-cost"


def with_profile(jpeg: bytes, icc: bytes) -> bytes:
    """``jpeg`` with ``icc`` as its ICC_PROFILE APP2 segment, right after SOI."""
    assert jpeg[:2] == b"\xff\xd8" and len(icc) < 65519
    body = b"ICC_PROFILE\0\x01\x01" + icc
    return jpeg[:2] + b"\xff\xe2" + (len(body) + 2).to_bytes(2, "big") + body + jpeg[2:]


def make_sets(count: int, icc: bytes) -> tuple[list[Path], list[Path]]:
    shutil.rmtree(SETS, ignore_errors=True)
    plain_dir, tagged_dir = SETS / "plain", SETS / "tagged"
    plain_dir.mkdir(parents=True)
    tagged_dir.mkdir()
    plain, tagged = [], []
    for source in make_corpus(count):
        data = source.read_bytes()
        (plain_dir / source.name).write_bytes(data)
        (tagged_dir / source.name).write_bytes(with_profile(data, icc))
        plain.append(plain_dir / source.name)
        tagged.append(tagged_dir / source.name)
    return plain, tagged


def cold_thumbs(paths: list[Path]) -> float:
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


def per_file(plain: list[Path], tagged: list[Path]) -> tuple[float, float]:
    """Milliseconds per file of ``load_fitted`` to the thumbnail box, one thread, best of 5."""
    box = default_thumb_box()
    best = [float("inf"), float("inf")]
    for _ in range(5):
        for index, paths in enumerate((plain, tagged)):
            start = time.perf_counter()
            for path in paths:
                load_fitted(path, box)
            best[index] = min(best[index], (time.perf_counter() - start) * 1000 / len(paths))
    return best[0], best[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=400)
    parser.add_argument("--profile", choices=("p3", "adobe"), default="p3")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    icc = display_p3() if args.profile == "p3" else profiles()["Adobe RGB (1998)"]
    plain, tagged = make_sets(args.photos, icc)
    cold_thumbs(plain[:20])  # warm imports, the page cache and LittleCMS's transform
    cold_thumbs(tagged[:20])
    times: dict[str, list[float]] = {"untagged": [], "tagged": []}
    for _ in range(args.rounds):
        # The sets alternate in chunks of CHUNK files, so both meet the same noise from
        # whatever else this shared machine runs (whole-set runs differed by 30 %).
        spent = {"untagged": 0.0, "tagged": 0.0}
        for number, at in enumerate(range(0, len(plain), CHUNK)):
            order = [("untagged", plain), ("tagged", tagged)]
            for name, paths in order if number % 2 == 0 else reversed(order):
                spent[name] += cold_thumbs(paths[at : at + CHUNK])
        for name, value in spent.items():
            times[name].append(value)
    untagged, managed = statistics.median(times["untagged"]), statistics.median(times["tagged"])
    # This machine is shared: a round's two runs are next to each other in time, so their
    # ratio is steadier than the ratio of the medians.
    paired = statistics.median(
        t / u for t, u in zip(times["tagged"], times["untagged"], strict=True)
    )
    name = "Display P3" if args.profile == "p3" else "Adobe RGB (1998)"
    print(f"cold thumbs, {args.photos} x 6 MP JPEG, {JOBS} threads, median of {args.rounds} rounds")
    print(f"untagged (sRGB):        {untagged:6.2f} s   rounds {times['untagged']}")
    print(f"tagged {name + ':':<17}{managed:6.2f} s   rounds {times['tagged']}")
    best = min(times["tagged"]) / min(times["untagged"])
    print(
        f"ratio tagged/untagged:  {managed / untagged:6.3f} (medians), {paired:.3f} (paired "
        f"rounds, median), {best:.3f} (best rounds)"
    )
    single = per_file(plain[:100], tagged[:100])
    print(
        f"one thread, load_fitted per file (best of 5): untagged {single[0]:.2f} ms, "
        f"tagged {single[1]:.2f} ms, ratio {single[1] / single[0]:.3f}"
    )


if __name__ == "__main__":
    main()
