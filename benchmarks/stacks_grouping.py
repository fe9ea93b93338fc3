"""How well stacks find bursts: pairwise precision and recall on a generated session.

Run by hand: ``.venv/bin/python benchmarks/stacks_grouping.py [--bursts 30] [--singles 30]
[--seed 1] [--keep DIR]``.

The session is made from real portraits: the two public-domain official portraits
of the demo (portfolio/studio/hopper-01.jpg, collins-01.png; portfolio/README.md)
and, for "other photos", the real photographs among the test fixtures
(tests/fixtures/c2pa, tests/fixtures/SOURCES). Each frame is a 6 MP JPEG
(2000x3000) with EXIF DateTimeOriginal and SubSecTimeOriginal, named
IMG_0001.jpg ... in shooting order.

- A **pose** is a sitter framed one way: zoom 1.0 / 0.8 / 0.62 of the source, the
  centre at -10 % / 0 / +10 % across, mirrored or not (18 per sitter).
- A **burst** is 3-8 frames of one pose, 0.2-0.8 s apart, each with a 1-3 % crop
  shift, ±3 % brightness, a turn of up to ±1°, its own sensor noise and JPEG
  quality 70-95, and (one frame in five) a blink: a band across the eyes darkened.
- **Distinct frames** (a stack of one each): another pose, or another photo.
- Between bursts: 5-60 s. Before a distinct frame: half the time 5-60 s, half the
  time 0.5-1.5 s (a quick re-pose), so only the look can split it from the burst.
- Consecutive events never share a pose: the truth is "same burst", nothing else.

Each frame is hashed from the file (:func:`hash_file`: draft decode to ~256 px,
then the pHash), its time read by ``metadata.read_info`` (whole seconds: the
sub-second tag is not read yet), and the session grouped with ``group_stacks``
at several ``max_distance`` values. Precision: of the pairs of frames put in one
stack, the share that are one burst; recall: of the pairs that are one burst, the
share put in one stack. Three runs: times as ``read_info`` gives them, exact times
(what reading SubSecTimeOriginal would give), and no times (file order only).
The previous-frame chain (``to_first=False``) is reported beside the anchor.
Then the costs: hashing per 6 MP JPEG and per thumbnail, ``read_info`` per file,
and grouping 2,000 frames.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from PIL import Image, ImageChops, ImageDraw, ImageEnhance  # noqa: E402

from portfolio_tui.imaging.likeness import frame_hash, hamming, hash_file  # noqa: E402
from portfolio_tui.metadata import read_info  # noqa: E402
from portfolio_tui.model.stacks import (  # noqa: E402
    Frame,
    _group,
    capture_seconds,
    group_stacks,
)

SITTERS = {
    # source, eye line as a fraction of the source's height (for the blink band)
    "hopper": (REPO / "portfolio/studio/hopper-01.jpg", 0.36),
    "collins": (REPO / "portfolio/studio/collins-01.png", 0.30),
}
OTHERS = [
    REPO / "tests/fixtures/c2pa" / name
    for name in ("no_manifest.jpg", "C.jpg", "ocsp.jpg", "CA.jpg", "cloud.jpg")
]
SIZE = (2000, 3000)  # 6 MP, portrait
ZOOMS = (1.0, 0.8, 0.62)
CENTRES = (-0.1, 0.0, 0.1)
DISTANCES = (6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28)
START = datetime(2026, 5, 1, 10, 0, 0)
EXIF_IFD, DATETIME_ORIGINAL, SUBSEC_ORIGINAL = 0x8769, 0x9003, 0x9291


@dataclass(frozen=True)
class Pose:
    sitter: str
    zoom: float
    centre: float
    mirror: bool


@dataclass(frozen=True)
class Shot:
    path: Path
    label: str  # frames of one burst share it; a distinct frame has its own
    taken: float  # exact seconds since START


def _sources() -> dict[str, Image.Image]:
    images = {name: Image.open(path).convert("RGB") for name, (path, _) in SITTERS.items()}
    for path in OTHERS:
        if path.exists():
            images[path.name] = Image.open(path).convert("RGB")
    return images


def _framed(
    source: Image.Image, pose: Pose, rng: random.Random | None, eye_line: float | None
) -> Image.Image:
    """The pose's crop of ``source`` (2:3), with a burst frame's small changes when rng."""
    width, height = source.size
    crop_h = min(height, width * 1.5) * pose.zoom
    crop_w = crop_h / 1.5
    cx = width / 2 + pose.centre * width
    cy = height / 2 - (1 - pose.zoom) * height * 0.25  # zooming in keeps the face
    image = source
    if rng is not None:
        shift = rng.uniform(0.01, 0.03)
        angle = rng.uniform(0, 6.283)
        cx += shift * crop_w * math.cos(angle)
        cy += shift * crop_h * math.sin(angle)
        image = source.rotate(rng.uniform(-1, 1), Image.Resampling.BICUBIC, center=(cx, cy))
    cx = min(max(cx, crop_w / 2), width - crop_w / 2)
    cy = min(max(cy, crop_h / 2), height - crop_h / 2)
    box = (cx - crop_w / 2, cy - crop_h / 2, cx + crop_w / 2, cy + crop_h / 2)
    framed = image.resize(SIZE, Image.Resampling.BICUBIC, box=box)
    if rng is not None and eye_line is not None and rng.random() < 0.2:
        band_y = (eye_line * height - box[1]) / crop_h * SIZE[1]
        draw = ImageDraw.Draw(framed, "RGBA")
        draw.rectangle(
            (SIZE[0] * 0.25, band_y - 60, SIZE[0] * 0.75, band_y + 60), (40, 25, 20, 150)
        )
    if pose.mirror:
        framed = framed.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if rng is not None:
        framed = ImageEnhance.Brightness(framed).enhance(rng.uniform(0.97, 1.03))
    return framed


def _noisy(image: Image.Image, noise: Image.Image, rng: random.Random) -> Image.Image:
    dx, dy = rng.randrange(100), rng.randrange(100)
    grain = noise.crop((dx, dy, dx + SIZE[0], dy + SIZE[1])).convert("RGB")
    return ImageChops.add(image, grain, scale=1.0, offset=-128)


def _save(image: Image.Image, path: Path, taken: float, quality: int) -> None:
    moment = START + timedelta(seconds=taken)
    exif = Image.Exif()
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[DATETIME_ORIGINAL] = moment.strftime("%Y:%m:%d %H:%M:%S")
    ifd[SUBSEC_ORIGINAL] = f"{moment.microsecond // 10_000:02d}"
    image.save(path, "JPEG", quality=quality, exif=exif)


def make_session(folder: Path, bursts: int, singles: int, seed: int) -> list[Shot]:
    rng = random.Random(seed)
    sources = _sources()
    others = [name for name in sources if name not in SITTERS]
    noise = Image.effect_noise((SIZE[0] + 100, SIZE[1] + 100), 6)
    poses = [
        Pose(sitter, zoom, centre, mirror)
        for sitter in SITTERS
        for zoom in ZOOMS
        for centre in CENTRES
        for mirror in (False, True)
    ]
    events = ["burst"] * bursts + ["single"] * singles
    rng.shuffle(events)
    shots: list[Shot] = []
    clock = 0.0
    previous: Pose | str | None = None
    for number, event in enumerate(events):
        if event == "burst" or rng.random() < 0.7 or not others:
            pose = rng.choice([p for p in poses if p != previous])
            subject: Pose | str = pose
        else:
            subject = rng.choice([o for o in others if o != previous])
        previous = subject
        if shots:
            quick = event == "single" and rng.random() < 0.5
            clock += rng.uniform(0.5, 1.5) if quick else rng.uniform(5, 60)
        count = rng.randint(3, 8) if event == "burst" else 1
        for index in range(count):
            if index:
                clock += rng.uniform(0.2, 0.8)
            if isinstance(subject, Pose):
                source, eyes = sources[subject.sitter], SITTERS[subject.sitter][1]
                framed = _framed(source, subject, rng, eyes)
            else:
                framed = _framed(sources[subject], Pose(subject, 1.0, 0.0, False), rng, None)
            path = folder / f"IMG_{len(shots) + 1:04d}.jpg"
            _save(_noisy(framed, noise, rng), path, clock, rng.randint(70, 95))
            shots.append(Shot(path, f"{event}-{number}", clock))
    return shots


def pair_scores(stacks: Sequence[Sequence[str]], labels: Sequence[str]) -> tuple[float, float]:
    """Pairwise precision and recall of ``stacks`` (each a list of true labels)."""

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    grouped = sum(pairs(len(stack)) for stack in stacks)
    right = sum(pairs(n) for stack in stacks for n in Counter(stack).values())
    true = sum(pairs(n) for n in Counter(labels).values())
    precision = right / grouped if grouped else 1.0
    recall = right / true if true else 1.0
    return precision, recall


def _median_ms(work, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bursts", type=int, default=30)
    parser.add_argument("--singles", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="make the session here and keep it")
    args = parser.parse_args()
    print("$ .venv/bin/python benchmarks/stacks_grouping.py " + " ".join(sys.argv[1:]))

    folder = args.keep or Path(tempfile.mkdtemp(prefix="stacks-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        shots = make_session(folder, args.bursts, args.singles, args.seed)
        labels = [shot.label for shot in shots]
        print(
            f"session: {len(shots)} frames (6 MP JPEG), {args.bursts} bursts, "
            f"{args.singles} distinct frames, made in {time.perf_counter() - started:.0f} s"
        )

        hash_ms, info_ms, hashes, seconds = [], [], [], []
        for shot in shots:
            start = time.perf_counter()
            hashes.append(hash_file(shot.path))
            hash_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            seconds.append(capture_seconds(read_info(shot.path).taken))
            info_ms.append((time.perf_counter() - start) * 1000)

        frames = [
            Frame(shot.path, digest, taken)
            for shot, digest, taken in zip(shots, hashes, seconds, strict=True)
        ]
        runs = {
            "read_info times (whole s)": frames,
            "exact times (sub-second)": [
                replace(frame, taken=shot.taken) for frame, shot in zip(frames, shots, strict=True)
            ],
            "no times (file order)": [replace(frame, taken=None) for frame in frames],
        }
        by_path = dict(zip((shot.path for shot in shots), labels, strict=True))
        print()
        print(
            "| times | max_distance | precision | recall | stacks | prev-chain P | prev-chain R |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, run in runs.items():
            for distance in DISTANCES:
                cells = []
                for to_first in (True, False):
                    stacks = _group(run, distance, 2.0, to_first=to_first)
                    found = [[by_path[f.path] for f in stack.frames] for stack in stacks]
                    cells.append((*pair_scores(found, labels), len(stacks)))
                (p, r, n), (pp, pr, _) = cells
                print(f"| {name} | {distance} | {p:.3f} | {r:.3f} | {n} | {pp:.3f} | {pr:.3f} |")
        print(f"\ntrue stacks: {len(set(labels))}")

        within = [
            hamming(frames[i].hash, frames[j].hash)
            for i in range(len(shots))
            for j in range(i + 1, len(shots))
            if labels[i] == labels[j]
        ]
        apart = [
            hamming(a.hash, b.hash)
            for a, b, la, lb in zip(frames, frames[1:], labels, labels[1:], strict=False)
            if la != lb
        ]
        within.sort()
        apart.sort()
        print(
            f"distance, pairs of one burst: median {statistics.median(within)}, "
            f"95th pct {within[int(len(within) * 0.95)]}, max {within[-1]}; "
            f"neighbours of different events: min {apart[0]}, "
            f"5th pct {apart[int(len(apart) * 0.05)]}, median {statistics.median(apart)}"
        )

        # Costs.
        sample = shots[: min(40, len(shots))]

        def draft_hash(path: Path) -> int:
            with Image.open(path) as image:
                image.draft("L", (256, 256))
                return frame_hash(image)

        draft_ms = [_median_ms(lambda p=shot.path: draft_hash(p), 3) for shot in sample]
        thumbs = []
        for shot in sample:
            with Image.open(shot.path) as image:
                image.draft("RGB", (256, 256))
                thumb = image.convert("RGB")
                thumb.thumbnail((256, 384))
                thumbs.append(thumb)
        thumb_ms = [_median_ms(lambda t=thumb: frame_hash(t), 20) for thumb in thumbs]
        big = Image.open(sample[0].path).convert("RGB")
        big_ms = _median_ms(lambda: frame_hash(big), 5)
        many = [
            replace(
                frames[i % len(frames)],
                taken=(i // len(frames)) * 10_000 + (frames[i % len(frames)].taken or 0),
            )
            for i in range(2000)
        ]
        group_ms = _median_ms(lambda: group_stacks(many), 7)
        print()
        costs = [
            ("hash_file, 6 MP JPEG (load_upright ~256 px + pHash)", statistics.median(hash_ms)),
            ("Pillow draft('L') to ~256 px + pHash, 6 MP JPEG", statistics.median(draft_ms)),
            ("frame_hash of a 256 px thumbnail already decoded", statistics.median(thumb_ms)),
            ("frame_hash of the 6 MP image in memory (for scale)", big_ms),
            ("read_info (capture time), per file", statistics.median(info_ms)),
            ("group_stacks, 2,000 frames", group_ms),
        ]
        print("| cost (one core) | median |")
        print("|---|---:|")
        for what, ms in costs:
            print(f"| {what} | {ms:.3f} ms |" if ms < 1 else f"| {what} | {ms:.1f} ms |")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
