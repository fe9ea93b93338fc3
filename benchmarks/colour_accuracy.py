"""Colour accuracy: ICC-tagged portraits drawn against LittleCMS's own conversion.

Run by hand: ``.venv/bin/python benchmarks/colour_accuracy.py``.

The two public-domain portraits in ``portfolio/`` (sRGB, untagged) are re-encoded into
each profile's space with LittleCMS (relative colorimetric, black point compensation,
as an editor exports them) and saved as JPEG (quality 95) tagged with the profile:
Adobe RGB (1998) and ProPhoto RGB (colord's profiles), Display P3 and Rec.2020 (built
from their published colorimetry, tests/colour_support.py) and CMYK (ghostscript's SWOP
profile; an Adobe-style inverted CMYK JPEG). For each file:

- drawn: what the app draws, ``load_fitted`` at the box given;
- reference: the file decoded as the app decodes it (JPEG draft scaling to the box),
  converted by LittleCMS to sRGB, then fitted as the app fits (a whole-factor reduction
  to twice the box, as Pillow's ``thumbnail`` does, then Lanczos): the order of
  docs/DESIGN.md, convert then resize. The app converts after the whole-factor
  reduction, where it costs nothing; the rows measure what that order costs in colour;
- unconverted: the same file with its tag stripped, drawn by the app (what it drew
  before colour management).

Mean ΔE2000 (and max) over every pixel, per profile: at the pictures' own size, and
fitted to a loupe-size box and the grid's thumbnail box, both as they are (512x600 and
512x512) and enlarged five times (Lanczos, before encoding), where the app's draft and
reduction before the conversion come into play.

``--real FILE ...`` measures real ICC-tagged photos instead (an Adobe RGB camera JPEG,
iPhone HEICs in Display P3): drawn = ``load_fitted`` (for a HEIC's small views, from
the thumbnail stored in the file); reference = the whole photo decoded, converted by
LittleCMS from its own profile, then fitted; unconverted = the same decode fitted
without conversion (drawn as if it were sRGB).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

from PIL import Image  # noqa: E402

from colour_support import from_srgb, mean_delta_e, profiles, reference  # noqa: E402
from portfolio_tui.imaging.decode import (  # noqa: E402
    REDUCING_GAP,
    _factor,
    _fit,
    _fitted_size,
    load_fitted,
)

PORTRAITS = (REPO / "portfolio/studio/hopper-01.jpg", REPO / "portfolio/studio/collins-01.png")


def measure(
    box: tuple[int, int] | None, work: Path, enlarge: int = 1
) -> list[tuple[str, float, float, float, float]]:
    rows = []
    for name, icc in profiles().items():
        drawn_sum = raw_sum = 0.0
        drawn_max = raw_max = 0.0
        for portrait in PORTRAITS:
            with Image.open(portrait) as source:
                picture = source.convert("RGB")
            if enlarge > 1:
                size = (picture.width * enlarge, picture.height * enlarge)
                picture = picture.resize(size, Image.Resampling.LANCZOS)
            encoded = from_srgb(picture, icc)
            tagged, plain = (
                work / f"{portrait.stem}-tagged.jpg",
                work / f"{portrait.stem}-plain.jpg",
            )
            encoded.save(tagged, quality=95, icc_profile=icc)
            encoded.save(plain, quality=95)
            size = box or encoded.size
            drawn = load_fitted(tagged, size, upscale=False)
            with Image.open(tagged) as image:
                image.draft(image.mode, size)  # the decode the app starts from
                image.load()
                drafted = image.copy()
            # Converted first, then fitted as the app fits (a whole-factor reduction to
            # twice the size, then Lanczos): only the order of the two differs.
            converted = reference(drafted, icc)
            target = _fitted_size(drafted.size, size, False)
            factor = _factor(drafted.size, target, REDUCING_GAP)
            reduced = converted.reduce(factor) if factor > 1 else converted
            truth = _fit(reduced, drafted.size, size, False, factor)
            unconverted = load_fitted(plain, size, upscale=False)
            mean, worst = mean_delta_e(drawn, truth)
            raw_mean, raw_worst = mean_delta_e(unconverted, truth)
            drawn_sum += mean
            raw_sum += raw_mean
            drawn_max, raw_max = max(drawn_max, worst), max(raw_max, raw_worst)
        count = len(PORTRAITS)
        rows.append((name, drawn_sum / count, drawn_max, raw_sum / count, raw_max))
    return rows


def measure_real(path: Path, box: tuple[int, int]) -> tuple[float, float, float, float]:
    """Mean and max ΔE2000 of ``path`` drawn, and drawn unconverted, against LittleCMS."""
    drawn = load_fitted(path, box, upscale=False)
    with Image.open(path) as image:
        icc = image.info["icc_profile"]
        whole = image.convert("RGB")
    target = _fitted_size(whole.size, box, False)
    factor = _factor(whole.size, target, REDUCING_GAP)

    def fitted(picture: Image.Image) -> Image.Image:
        reduced = picture.reduce(factor) if factor > 1 else picture
        return _fit(reduced, whole.size, box, False, factor)

    truth = fitted(reference(whole, icc))
    mean, worst = mean_delta_e(drawn, truth)
    raw_mean, raw_worst = mean_delta_e(fitted(whole), truth)
    return mean, worst, raw_mean, raw_worst


def main_real(files: list[Path], boxes: list[tuple[int, int]]) -> None:
    import pillow_heif  # HEIC files

    pillow_heif.register_heif_opener()
    print(f"{'file':<28}{'box':>10}{'drawn':>16}{'unconverted':>18}{'ratio':>8}  pass")
    for path in files:
        for box in boxes:
            mean, worst, raw_mean, raw_worst = measure_real(path, box)
            ratio = raw_mean / mean if mean else float("inf")
            ok = "yes" if mean <= 1.5 and ratio >= 5 else "NO"
            print(
                f"{path.name:<28}{box[0]:>5}x{box[1]:<4}{mean:>8.2f} ({worst:>5.1f})"
                f"{raw_mean:>10.2f} ({raw_worst:>5.1f}){ratio:>8.1f}  {ok}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--boxes", default="200x240,24x30", help="boxes to fit to (WxH pixels, comma-separated)"
    )
    parser.add_argument("--real", nargs="+", type=Path, help="real ICC-tagged photos to measure")
    args = parser.parse_args()
    if args.real:
        sizes = [tuple(int(v) for v in text.split("x")) for text in args.boxes.split(",")]
        main_real(args.real, [(w, h) for w, h in sizes])
        return
    boxes: list[tuple[str, tuple[int, int] | None, int]] = [("full size", None, 1)]
    for text in args.boxes.split(","):
        width, height = (int(v) for v in text.split("x"))
        boxes.append((f"fitted to {width}x{height}", (width, height), 1))
        boxes.append((f"enlarged 5x (7.7 and 6.6 MP), fitted to {text}", (width, height), 5))
    with tempfile.TemporaryDirectory(prefix="bench-colour-") as folder:
        for label, box, enlarge in boxes:
            print(f"\n{label}: ΔE2000 against LittleCMS, mean (max), both portraits")
            print(f"{'profile':<28}{'drawn':>16}{'unconverted':>18}{'ratio':>8}  pass")
            for name, mean, worst, raw_mean, raw_worst in measure(box, Path(folder), enlarge):
                ratio = raw_mean / mean if mean else float("inf")
                ok = "yes" if mean <= 1.5 and ratio >= 5 else "NO"
                print(
                    f"{name:<28}{mean:>8.2f} ({worst:>5.1f}){raw_mean:>10.2f} ({raw_worst:>5.1f})"
                    f"{ratio:>8.1f}  {ok}"
                )


if __name__ == "__main__":
    main()
