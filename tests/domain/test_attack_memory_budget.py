"""Issue 21, item 9e: a 366 KB PNG of 89 million pixels must not cost 1.8 GB per decode.

PNG (like TIFF, WebP and GIF) has no draft mode, so the whole image is decoded
before it can be made smaller. The decoders now convert it to RGB after
reducing it, strip by strip, and every decode reserves what it holds from one
memory budget per process, so several decoding threads together stay within
it. An image too large for the budget on its own is refused with a reason.
Real photographers' files (a 100-megapixel medium-format TIFF, a 16-bit PNG)
still show.

Peak memory is measured in a child process (``ru_maxrss``), so the test
process's own memory does not count.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from conftest import run_cli
from portfolio_tui.imaging import budget as budget_module
from portfolio_tui.imaging import decode
from portfolio_tui.imaging.budget import MemoryBudget, OverBudget
from portfolio_tui.imaging.decode import ImageError, load_fitted

SIDE = 9434
"""9434 x 9434 = 89 million pixels, just under Pillow's warning limit."""
MB = 1 << 20
THUMB = (160, 96)
LOUPE = (1600, 1000)


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def flat_png(
    path: Path, width: int, height: int, pixel: bytes, color_type: int, depth: int
) -> Path:
    """A PNG of one colour, written row by row (never the whole image in memory)."""
    row = b"\x00" + pixel * width
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The attack's file: an RGBA PNG of 89 megapixels in about 366 KB."""
    folder = tmp_path_factory.mktemp("bomb")
    path = flat_png(folder / "bomb.png", SIDE, SIDE, bytes((200, 10, 10, 128)), 6, 8)
    assert path.stat().st_size < 400_000
    return path


@pytest.fixture(scope="module")
def medium_format(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """100-megapixel files as a medium-format camera makes them (11600 x 8700)."""
    folder = tmp_path_factory.mktemp("medium")
    png16 = flat_png(
        folder / "gfx100-16bit.png", 11600, 8700, struct.pack(">HHH", 40000, 20000, 9000), 2, 16
    )
    tiff = folder / "gfx100.tif"
    # Made in a child process: a 100 MP image in memory would stay in this one's peak.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from PIL import Image; "
            "Image.new('RGB', (11600, 8700), (90, 60, 30))"
            ".save(sys.argv[1], compression='tiff_deflate')",
            str(tiff),
        ],
        check=True,
        timeout=120,
    )
    return {"png16": png16, "tiff": tiff}


MEASURE = """
import json, resource, sys, threading, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from portfolio_tui.imaging.decode import ImageError, load_fitted
path = Path(sys.argv[1])
width, height, threads = (int(arg) for arg in sys.argv[2:5])
results = []
def one():
    try:
        results.append(list(load_fitted(path, (width, height)).size))
    except ImageError as exc:
        results.append(exc.reason)
workers = [threading.Thread(target=one) for _ in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"results": results, "peak": peak}))
"""


def measured(path: Path, box: tuple[int, int], threads: int = 1) -> tuple[list[object], int]:
    """Decode ``path`` fitted to ``box`` on ``threads`` threads at once, in a child process:
    (each thread's result size or refusal, the child's peak RSS in bytes)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(box[0]), str(box[1]), str(threads)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    return report["results"], report["peak"]


def test_the_89_megapixel_png_decodes_in_a_bounded_peak(bomb: Path) -> None:
    # Before: 1.7 GB for one thumbnail (four full-size copies while converting RGBA).
    for box in (THUMB, LOUPE):
        results, peak = measured(bomb, box)
        assert results == [[min(box), min(box)]]
        assert peak < 600 * MB, f"peak {peak // MB} MB for {box}"


def test_four_decoding_threads_stay_within_the_budget(bomb: Path) -> None:
    # The grid's threads, a contact sheet's or check's pool: each holds the decoded
    # 356 MB at most while the budget (1 GiB) lets them; the others wait their turn.
    results, peak = measured(bomb, THUMB, threads=4)
    assert results == [[96, 96]] * 4
    assert peak < budget_module.DEFAULT_BUDGET + 200 * MB, f"peak {peak // MB} MB"


@pytest.mark.parametrize("kind", ["png16", "tiff"])
def test_a_100_megapixel_medium_format_file_still_shows(
    medium_format: dict[str, Path], kind: str
) -> None:
    results, peak = measured(medium_format[kind], THUMB)
    assert results == [[128, 96]]
    assert peak < 700 * MB, f"peak {peak // MB} MB"


def test_an_image_too_large_for_the_budget_alone_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wide.png"
    Image.new("RGBA", (4000, 3000), (1, 2, 3, 4)).save(path)  # 48 MB decoded
    monkeypatch.setattr(decode, "BUDGET", MemoryBudget(32 * MB))
    with pytest.raises(ImageError) as refused:
        load_fitted(path, THUMB)
    assert refused.value.reason == (
        "image is 12 megapixels, too large to decode for display within the memory "
        "budget (32 MB); export a smaller copy"
    )


def test_check_names_the_image_the_budget_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portfolio_tui.check import check

    root = tmp_path / "pf"
    (root / "g").mkdir(parents=True)
    Image.new("RGBA", (4000, 3000), (1, 2, 3, 4)).save(root / "g" / "wide.png")
    Image.new("RGB", (40, 30), (1, 2, 3)).save(root / "g" / "small.png")
    monkeypatch.setattr(decode, "BUDGET", MemoryBudget(32 * MB))
    result = check(root)
    found = [(p.file.name, p.message) for p in result.errors]
    assert found == [
        (
            "wide.png",
            "image is 12 megapixels, too large to decode for display within the memory "
            "budget (32 MB); export a smaller copy",
        )
    ]


def test_check_warns_about_the_89_megapixel_png(bomb: Path, tmp_path: Path) -> None:
    root = tmp_path / "pf"
    (root / "g").mkdir(parents=True)
    (root / "g" / "bomb.png").write_bytes(bomb.read_bytes())
    Image.new("RGB", (40, 30), (1, 2, 3)).save(root / "g" / "small.png")
    result = run_cli("check", "pf", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr  # a warning: it still shows
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "pf/g/bomb.png: warning: image is 89 megapixels in a file of 365 KB: a picture "
        "stored this small is nearly all one colour, not a photograph"
    ), lines
    assert lines[0].endswith("decoding it takes up to 356 MB; export a smaller copy")
    assert len(lines) == 2


# -- the budget itself ---------------------------------------------------------------------


def test_a_reservation_larger_than_the_budget_is_refused_at_once() -> None:
    budget = MemoryBudget(100)
    with pytest.raises(OverBudget):
        budget.reserve(101).__enter__()
    assert budget.held == 0


def test_reservations_wait_until_the_budget_has_room() -> None:
    budget = MemoryBudget(100)
    order: list[str] = []

    def second() -> None:
        with budget.reserve(50):
            order.append("second in")

    with budget.reserve(70):
        waiter = threading.Thread(target=second)
        waiter.start()
        time.sleep(0.2)
        assert order == []  # 70 + 50 would pass 100: it waits
        order.append("first out")
    waiter.join(5)
    assert order == ["first out", "second in"]
    assert budget.peak <= 100
    assert budget.held == 0
