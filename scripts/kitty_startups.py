"""Start the app N times in a real kitty on Xvfb and count the start-ups that show the photo.

Run by hand: ``.venv/bin/python scripts/kitty_startups.py 20`` (needs kitty, Xvfb and
ImageMagick, like kitty_screenshot.py). Each start-up opens a test pattern in the loupe
with ``graphics = "auto"``; it counts as shown when the screenshot finds the pattern
(tests/ui/test_kitty_real.py's check). Every command kitty received is kept in
``OUT/dumpN.txt`` (``kitty --dump-commands``): for a blank start-up, look there for the
image's transmission (``'action': b't'``) and its placement (``'action': b'p'``). This
found why about one start-up in eight showed no photo: the placement, rendered into a
frame, was never written (docs/terminals.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "ui"))
sys.path.insert(0, str(REPO / "tests"))

import test_kitty_real as real  # noqa: E402

harness = real.harness


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=int)
    parser.add_argument("--out", type=Path, default=Path("kitty-startups"))
    args = parser.parse_args()
    missing = harness.missing_tools()
    if missing:
        print(f"kitty_startups: needs {', '.join(missing)}", file=sys.stderr)
        return 1
    portfolio = args.out / "portfolio"
    (portfolio / "shoot").mkdir(parents=True, exist_ok=True)
    real.photo().save(portfolio / "shoot" / "pattern.png")
    command = [sys.executable, "-m", "portfolio_tui", str(portfolio), "--graphics", "auto"]
    command += ["--open", "photo:shoot/pattern.png"]
    shown = 0
    for run in range(args.runs):
        shot, dump = args.out / f"shot{run}.png", args.out / f"dump{run}.txt"
        start = time.monotonic()
        harness.screenshot(
            command, shot, wait=15, min_wait=5, quiet=2, ready=real._shows_pattern, dump=dump
        )
        ok = real._shows_pattern(shot.read_bytes())
        shown += ok
        seconds = time.monotonic() - start
        print(f"{run}: {'shown' if ok else 'BLANK'} ({seconds:.1f} s; {dump})", flush=True)
    print(f"{shown} of {args.runs} start-ups showed the photo")
    return 0 if shown == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
