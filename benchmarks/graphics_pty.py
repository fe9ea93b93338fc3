"""Kitty and Sixel in a pseudo-terminal: image bytes sent, and re-sent on repaints.

Run by hand: ``.venv/bin/python benchmarks/graphics_pty.py``. For each
protocol (forced with ``--graphics``, since a pseudo-terminal answers no
queries) it opens the demo's first studio photo in the loupe at 200x50, with a
10x20-pixel cell, and counts the bytes inside graphics escape sequences
(Kitty ``ESC _ G ... ESC \\``, Sixel ``ESC P ... q ... ESC \\``):

- opening the photo;
- repaints that leave the photo unchanged: the mouse moving over the footer
  (repaints the footer only), and the help screen opened and closed (repaints
  the whole loupe, the photo's cells included);
- the next photo, and back to the first (Kitty deletes what is not shown and
  sends it again when it comes back).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ptyterm import Session, compile_sources

REPO = Path(__file__).resolve().parent.parent
PHOTO = "photo:studio/hopper-02.jpg"
APC = re.compile(rb"\x1b_G.*?\x1b\\", re.S)
DCS = re.compile(rb"\x1bP[0-9;]*q.*?\x1b\\", re.S)
DELETE = re.compile(rb"\x1b_Ga=d")
PLACEHOLDER = "\U0010eeee".encode()


def graphics_bytes(data: bytes) -> tuple[int, int, int]:
    """(bytes of image data sequences, number of images sent, deletes)."""
    sent = [m for m in APC.findall(data) if not m.startswith(b"\x1b_Ga=d")]
    sent += DCS.findall(data)
    images = len(DCS.findall(data)) + len(re.findall(rb"\x1b_Ga=t", data))
    return sum(map(len, sent)), images, len(DELETE.findall(data))


def step(session: Session, keys: bytes, quiet: float = 0.6) -> bytes:
    """Send ``keys``; what the app wrote until the screen went still."""
    mark = len(session.raw)
    session.send(keys)
    session.settle(quiet=quiet)
    return bytes(session.raw[mark:])


def run(mode: str) -> list[tuple[str, int, int, int, int]]:
    argv = [sys.executable, "-m", "portfolio_tui", str(REPO / "config.toml")]
    argv += ["--graphics", mode, "--open", PHOTO]
    session = Session(argv, env={"COLORTERM": "truecolor"}, keep_output=True)
    session.spawn()
    started = time.perf_counter()
    session.settle(quiet=1.0)
    opened = bytes(session.raw)
    rows: list[tuple[str, int, int, int, int]] = []

    def record(what: str, data: bytes) -> None:
        size, images, deletes = graphics_bytes(data)
        rows.append((what, len(data), size, images, deletes))

    record("open the photo", opened)
    # SGR mouse motion over the footer (bottom row), then away.
    record("mouse over the footer", step(session, b"\x1b[<35;20;50M\x1b[<35;20;49M"))
    step(session, b"?", quiet=0.8)
    record("help closed (loupe repainted)", step(session, b"\x1b", quiet=0.8))
    record("next photo", step(session, b"\x1b[C", quiet=0.8))
    record("previous photo (back)", step(session, b"\x1b[D", quiet=0.8))
    session.close()
    del started
    return rows


def main() -> None:
    compile_sources()
    print("200x50 pty, demo loupe; bytes the app wrote, and of those, image data")
    print(f"{'protocol / step':<40}{'written':>10}{'image data':>12}{'images':>8}{'deletes':>9}")
    for mode in ("kitty", "sixel"):
        for what, total, size, images, deletes in run(mode):
            print(f"{mode + ': ' + what:<40}{total:>10}{size:>12}{images:>8}{deletes:>9}")


if __name__ == "__main__":
    main()
