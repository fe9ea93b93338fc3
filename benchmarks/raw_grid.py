"""RAW files (issue 15, item 4): the cold first grid of 24 RAWs against ``timg --grid`` on 24
JPEGs of the same pixel size, and the warm loupe's next photo on RAW.

Run by hand: ``.venv/bin/python benchmarks/raw_grid.py RAW [--rounds 5]``, where RAW is one
real camera RAW file (e.g. a DNG from a public test set). Needs ``timg`` on PATH.

Corpus (under /tmp, remade when RAW changes): a portfolio whose gallery ``shoot`` holds RAW
hard-linked under 24 names (``img000.<ext>`` ...), and a folder of 24 hard links of one JPEG
of the same pixel size, developed from RAW by LibRaw (full size, camera white balance,
quality 90). Hard links: every name is the same bytes, as 24 frames of one shoot would be
close to, and nothing is copied 24 times.

- Grid: ``benchmarks/grid_vs_timg.py``'s instrument, unchanged (its ``run_timg`` and
  ``run_app``: a 200x50 pty, truecolor half-blocks, from process start; timg to its exit,
  the app to the end of the last frame before the screen holds still for 1 s, with an
  empty thumbnail cache every round). Rounds are interleaved.
- Loupe: ``benchmarks/loupe_pty.py``'s instrument, unchanged (warm cache: a first app
  process steps through the photos; then 20 right arrows at human pace, 300 ms apart, key
  to the new photo drawn), opened on ``img000.<ext>``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import grid_vs_timg
import loupe_pty
from ptyterm import compile_sources

PHOTOS = 24
BASE = Path(tempfile.gettempdir()) / "portfolio-tui-bench-raw"
GALLERY = "shoot"


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system: a copy is the same bytes
        shutil.copyfile(source, target)


def corpus(raw: Path) -> tuple[Path, list[Path], list[Path], tuple[int, int]]:
    """(portfolio root, the 24 RAW names, the 24 JPEG names, the developed pixel size)."""
    import rawpy
    from PIL import Image

    stat = raw.stat()
    root = BASE / f"{raw.stem}-{stat.st_size}-{stat.st_mtime_ns}"
    folder, jpegs_dir = root / GALLERY, root / "jpegs"
    if not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        folder.mkdir(parents=True)
        jpegs_dir.mkdir()
        master = root / "master.jpg"
        with rawpy.imread(str(raw)) as developed:
            pixels = developed.postprocess(use_camera_wb=True, output_bps=8)
        Image.fromarray(pixels).save(master, "JPEG", quality=90)
        for n in range(PHOTOS):
            _link(raw, folder / f"img{n:03d}{raw.suffix.lower()}")
            _link(master, jpegs_dir / f"img{n:03d}.jpg")
        (root / ".complete").write_text("ok\n")
    raws = sorted(folder.iterdir())
    jpegs = sorted(jpegs_dir.iterdir())
    for path in (*raws[:1], *jpegs[:1]):
        path.read_bytes()  # into the page cache, for both sides alike
    with Image.open(jpegs[0]) as image:
        size = image.size
    return root, raws, jpegs, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path, help="a real camera RAW file")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--presses", type=int, default=20)
    args = parser.parse_args()
    compile_sources()
    if shutil.which("timg") is None:
        sys.exit("raw_grid: needs timg on PATH (Debian package timg)")
    root, raws, jpegs, size = corpus(args.raw.resolve())

    # The grid instrument, pointed at the RAW portfolio.
    grid_vs_timg.ROOT = root
    grid_vs_timg.GALLERY = GALLERY
    lay = grid_vs_timg.layout(False)
    timg = grid_vs_timg.timg_argv(jpegs)
    timg_exit: list[float] = []
    app_still: list[float] = []
    app_first: list[float] = []
    app_jpegs: list[float] = []
    decoded: set[int] = set()
    for _ in range(args.rounds):
        timg_exit.append(grid_vs_timg.run_timg(timg)[1])
        grid_vs_timg.GALLERY = GALLERY
        run = grid_vs_timg.run_app(raws, False, lay.thumb_cols, lay.thumb_cols)
        app_still.append(run.done)
        app_first.append(run.first)
        decoded.add(run.decoded)
        # The app on the JPEGs themselves: what the RAWs cost over JPEGs of their size.
        grid_vs_timg.GALLERY = "jpegs"
        app_jpegs.append(grid_vs_timg.run_app(jpegs, False, lay.thumb_cols, lay.thumb_cols).done)

    # The loupe instrument, opened on the first RAW.
    loupe_pty.FIRST_PHOTO = f"{GALLERY}/{raws[0].name}"
    loupe_pty.PHOTOS_GLOB = f"*{raws[0].suffix}"
    size_pty = (200, 50)
    cache = BASE / f"loupe-cache-{root.name}"
    shutil.rmtree(cache, ignore_errors=True)
    last = min(PHOTOS, args.presses + 1 + loupe_pty.LOOK_AHEAD)
    loupe_pty.warm(root, cache, size_pty, last)
    session = loupe_pty.start(root, cache, size_pty)
    try:
        presses = loupe_pty.human_round(session, PHOTOS, args.presses, 0.3)
    finally:
        loupe_pty.finish(session)
    drawn = [p.seconds for p in presses if p.seconds is not None]
    skipped = len(presses) - len(drawn)
    ranked = drawn + [float("inf")] * skipped

    base = statistics.median(timg_exit)
    print(
        f"{PHOTOS} x {args.raw.name} (hard links) against {PHOTOS} JPEGs of {size[0]}x{size[1]}; "
        f"200x50 pty, truecolor half-blocks, {os.cpu_count()} cores, {args.rounds} rounds; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print(f"{'from process start to':<64}{'median':>10}{'min-max':>12}{'ratio':>8}")
    print(grid_vs_timg.row("timg --grid=6x4 -g200x50 -ph (24 JPEGs): exit", timg_exit, base))
    name = f"portfolio-tui, {lay.thumb_cols}-cell tiles, cold cache (24 RAWs)"
    print(grid_vs_timg.row(f"{name}: first frame", app_first, base))
    print(grid_vs_timg.row(f"{name}: still", app_still, base))
    print(grid_vs_timg.row("  the same app on the 24 JPEGs: still", app_jpegs, base))
    print(
        f"    {lay.whole} tiles whole + {lay.partial} cut by the bottom edge; decoded at this "
        f"size: {'/'.join(map(str, sorted(decoded)))} of {PHOTOS}"
    )
    print(f"ratio app still / timg exit: {statistics.median(app_still) / base:.2f} (target <= 1.0)")
    print(
        f"loupe next photo on RAW, warm, {args.presses} presses 300 ms apart: median "
        f"{loupe_pty.ms(statistics.median(ranked))}, p95 {loupe_pty.ms(loupe_pty.p95(ranked))}"
        f", not drawn {skipped} (target median <= 50 ms)"
    )


if __name__ == "__main__":
    main()
