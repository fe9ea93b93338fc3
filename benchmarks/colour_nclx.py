"""What HEIF nclx colour information costs: nclx Display P3 against an ICC Display P3.

Run by hand: ``.venv/bin/python benchmarks/colour_nclx.py [--rounds 7] [--sony FILE.HIF]``.

The three HEICs are made from the real 12 MP iPhone photo tests/fixtures/heic/arrow.heic
(its decoded pixels, quality 90, in a temporary folder): tagged with an nclx box saying
Display P3 (12/13), with the iPhone's own Display P3 ICC profile, and with an nclx box
saying sRGB (1/13, matrix 5, as Sony's cameras write). ``load_fitted`` to the grid's
thumbnail box and to a loupe box, the files alternating round by round, best of the
rounds; and the colour step alone (``source_of`` and ``to_srgb`` on the reduced picture).

``--sony`` takes a real camera HIF (e.g. pillow_heif's tests/images/heif_other/cat.hif,
a Sony A7S III file, nclx 1/13/5): its thumbnail with colour management and with it
switched off (``decode._colour_of`` returning None, as before nclx was read) must be
the same bytes, take the same time, and never import ``PIL.ImageCms``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

import pillow_heif  # noqa: E402
from PIL import Image  # noqa: E402

from portfolio_tui.imaging import decode  # noqa: E402
from portfolio_tui.imaging.colour import source_of, to_srgb  # noqa: E402
from portfolio_tui.imaging.decode import load_fitted, opened_image  # noqa: E402
from portfolio_tui.imaging.sizes import default_thumb_box  # noqa: E402

ARROW = REPO / "tests" / "fixtures" / "heic" / "arrow.heic"
LOUPE = (1600, 900)


def _make(folder: Path) -> dict[str, Path]:
    with opened_image(ARROW) as image:
        icc = image.info["icc_profile"]
        pixels = image.convert("RGB")
    pixels.info.pop("icc_profile", None)
    made = {
        "nclx Display P3": (folder / "nclx_p3.heic", {"color_primaries": 12}),
        "ICC Display P3": (folder / "icc_p3.heic", {"icc_profile": icc}),
        "nclx sRGB (Sony)": (folder / "nclx_srgb.heic", {"color_primaries": 1}),
    }
    for path, options in made.values():
        nclx: dict[str, Any] = {}
        if "color_primaries" in options:
            nclx = {"transfer_characteristics": 13, "matrix_coefficients": 6, "full_range_flag": 1}
        picture = pixels.copy()
        if "icc_profile" in options:
            picture.info["icc_profile"] = options["icc_profile"]
        pillow_heif.from_pillow(picture).save(
            path,
            quality=90,
            **{k: v for k, v in options.items() if k != "icc_profile"},
            **nclx,
        )
    return {name: path for name, (path, _) in made.items()}


def _best(calls: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Best time in ms of each call, the calls alternating round by round."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        call()  # warm: plugin, transform
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: min(values) for name, values in times.items()}


def _colour_step(path: Path) -> tuple[float, float, str | None]:
    """``source_of`` (µs) and ``to_srgb`` on a 2x-thumbnail picture (µs), and the note."""
    with opened_image(path) as image:
        source = source_of(image)
        start = time.perf_counter()
        for _ in range(2000):
            source_of(image)
        found = (time.perf_counter() - start) / 2000 * 1e6
    box = default_thumb_box()
    small = Image.new("RGB", (box[0] * 2, box[1] * 2), (180, 120, 90))
    to_srgb(small.copy(), source)
    start = time.perf_counter()
    for _ in range(300):
        to_srgb(small.copy(), source)
    converted = (time.perf_counter() - start) / 300 * 1e6
    return found, converted, source.note if source is not None else None


def _sony(path: Path, rounds: int) -> None:
    box = default_thumb_box()
    real = decode._colour_of

    def switched_off() -> Image.Image:
        decode._colour_of = lambda image: None  # type: ignore[assignment]
        try:
            return load_fitted(path, box)
        finally:
            decode._colour_of = real

    same = load_fitted(path, box).tobytes() == switched_off().tobytes()
    best = _best({"managed": lambda: load_fitted(path, box), "off": switched_off}, rounds)
    print(f"\n{path.name}, thumbnail {box}: same bytes with and without: {same}")
    print(f"  managed {best['managed']:.0f} ms, off {best['off']:.0f} ms (best of {rounds})")
    print(f"  PIL.ImageCms imported: {'PIL.ImageCms' in sys.modules}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sony", type=Path, help="a real camera HIF tagged nclx 1/13")
    args = parser.parse_args()
    pillow_heif.register_heif_opener()
    if args.sony is not None:
        _sony(args.sony, args.rounds)  # first, before any Display P3 file loads LittleCMS
    with tempfile.TemporaryDirectory() as folder:
        files = _make(Path(folder))
        for box in (default_thumb_box(), LOUPE):
            calls = {name: (lambda p=p, b=box: load_fitted(p, b)) for name, p in files.items()}
            best = _best(calls, args.rounds)
            print(f"\nload_fitted to {box}, best of {args.rounds}:")
            for name, ms in best.items():
                print(f"  {name:18} {ms:7.0f} ms")
        print("\ncolour step alone:")
        for name, path in files.items():
            found, converted, note = _colour_step(path)
            print(f"  {name:18} source_of {found:5.1f} µs, to_srgb {converted:5.0f} µs ({note})")


if __name__ == "__main__":
    main()
