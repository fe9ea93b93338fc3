"""graphics.sixel: DCS structure, a strict decoder round trip and one through ImageMagick."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from portfolio_tui.graphics.sixel import encode

REPO = Path(__file__).resolve().parents[2]
START = "\x1bP0;1;0q"
END = "\x1b\\"
# Everything a body may hold: raster attributes, palette, selects, repeats, sixels, $ and -.
BODY_CHARS = re.compile(r'[0-9;"#!$\-?-~]*')

Rgb = tuple[int, int, int]


# -- images -------------------------------------------------------------------


def flat(width: int = 40, height: int = 30) -> Image.Image:
    return Image.new("RGB", (width, height), (200, 30, 40))


def quadrants(width: int = 40, height: int = 30) -> Image.Image:
    image = Image.new("RGB", (width, height), (255, 0, 0))
    image.paste((0, 255, 0), (width // 2, 0, width, height // 2))
    image.paste((0, 0, 255), (0, height // 2, width // 2, height))
    image.paste((255, 255, 255), (width // 2, height // 2, width, height))
    return image


def gradient(width: int = 64, height: int = 48) -> Image.Image:
    """Red across, green down, blue constant: width * height distinct colours."""
    red = Image.linear_gradient("L").rotate(90).resize((width, height))
    green = Image.linear_gradient("L").resize((width, height))
    blue = Image.new("L", (width, height), 90)
    return Image.merge("RGB", (red, green, blue))


def noise(width: int, height: int, seed: int = 1) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))


def portrait(width: int, height: int) -> Image.Image:
    with Image.open(REPO / "portfolio" / "studio" / "hopper-01.jpg") as photo:
        return photo.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)


# -- a strict decoder ------------------------------------------------------------

TOKEN = re.compile(
    r"#(?P<define>\d+);2;(?P<r>\d+);(?P<g>\d+);(?P<b>\d+)"
    r"|#(?P<select>\d+)"
    r"|!(?P<count>\d+)(?P<repeated>[?-~])"
    r"|(?P<sixel>[?-~])"
    r"|(?P<cr>\$)"
    r"|(?P<nl>-)"
)


def decode(sequence: str) -> tuple[Image.Image, list[int]]:
    """Decode what ``encode`` writes; fail on anything else.

    Returns the image and, per pixel, how many times it was painted.  Colour
    registers must be defined before use and no sixel may reach past the
    raster size.
    """
    assert sequence.startswith(START) and sequence.endswith(END)
    raster = re.match(r'"1;1;(\d+);(\d+)', sequence[len(START) :])
    assert raster, sequence[:40]
    width, height = int(raster[1]), int(raster[2])
    body = sequence[len(START) + raster.end() : -len(END)]
    palette: dict[int, Rgb] = {}
    pixels: list[Rgb | None] = [None] * (width * height)
    paints = [0] * (width * height)
    color: Rgb | None = None
    x = top = 0
    at = 0
    while at < len(body):
        token = TOKEN.match(body, at)
        assert token, f"unexpected {body[at : at + 20]!r} at {at}"
        at = token.end()
        if token["define"]:
            assert color is None, "palette after the first sixel"
            rgb = (int(token["r"]), int(token["g"]), int(token["b"]))
            assert all(0 <= c <= 100 for c in rgb), token[0]
            palette[int(token["define"])] = rgb
        elif token["select"]:
            percent = palette[int(token["select"])]  # KeyError: register never defined
            color = (
                round(percent[0] * 2.55),
                round(percent[1] * 2.55),
                round(percent[2] * 2.55),
            )
        elif token["cr"]:
            x = 0
        elif token["nl"]:
            x, top = 0, top + 6
        else:
            char = token["sixel"] or token["repeated"]
            count = int(token["count"] or 1)
            bits = ord(char) - 63
            if bits:
                assert color is not None, "sixel before any colour"
            for row in range(6):
                if bits >> row & 1:
                    y = top + row
                    assert y < height, f"sixel below the image at band {top}"
                    assert x + count <= width, f"sixel right of the image at {x}"
                    for column in range(x, x + count):
                        pixels[y * width + column] = color
                        paints[y * width + column] += 1
            x += count
    image = Image.new("RGB", (width, height))
    image.putdata([p or (0, 0, 0) for p in pixels])
    return image, paints


def quantised(image: Image.Image, colors: int = 256) -> Image.Image:
    """What the encoder should show: the same octree quantisation, back in RGB."""
    return (
        image.convert("RGB")
        .quantize(colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        .convert("RGB")
    )


def max_difference(a: Image.Image, b: Image.Image) -> int:
    extrema = ImageChops.difference(a, b).getextrema()
    return max(high for _, high in extrema)  # type: ignore[misc]


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


# -- structure ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1, 1), (13, 7), (64, 48), (5, 12)])
def test_sequence_is_one_dcs_with_the_raster_size_and_a_clean_body(size: tuple[int, int]) -> None:
    width, height = size
    sequence = encode(gradient(width, height))
    assert sequence.startswith(f'{START}"1;1;{width};{height}#')
    assert sequence.endswith(END)
    body = sequence[len(START) : -len(END)]
    assert "\x1b" not in body
    assert BODY_CHARS.fullmatch(body), body
    assert sequence.count("-") == (height + 5) // 6 - 1  # one per band boundary


def test_palette_comes_first_and_only_defines_used_registers() -> None:
    sequence = encode(quadrants(40, 30))
    palette = re.match(START + r'"1;1;40;30((?:#\d+;2;\d+;\d+;\d+)+)', sequence)
    assert palette, sequence[:60]
    defined = re.findall(r"#(\d+);", palette[1])
    assert len(defined) == 4
    rest = sequence[palette.end() : -len(END)]
    assert ";" not in rest
    assert set(re.findall(r"#(\d+)", rest)) == set(defined)


# -- strict round trip: every pixel painted exactly once, in its quantised colour ----


IMAGES: dict[str, Callable[[], Image.Image]] = {
    "flat": flat,
    "quadrants": quadrants,
    "gradient": gradient,
    "odd 13x7": lambda: gradient(13, 7),
    "1x1": lambda: flat(1, 1),
    "one row": lambda: gradient(50, 1),
    "one column": lambda: gradient(1, 50),
    "noise": lambda: noise(37, 29),
    "portrait": lambda: portrait(80, 100),
    "wide, sparse": lambda: noise(1200, 8).quantize(4).convert("RGB"),
}


@pytest.mark.parametrize("name", list(IMAGES))
def test_strict_decode_paints_every_pixel_once_in_its_colour(name: str) -> None:
    image = IMAGES[name]()
    decoded, paints = decode(encode(image))
    assert decoded.size == image.size
    assert paints == [1] * (image.width * image.height)
    # Percent registers are within 1.3 of the 0-255 value.
    assert max_difference(decoded, quantised(image)) <= 2


@pytest.mark.parametrize("height", range(1, 14))
def test_every_partial_last_band_height(height: int) -> None:
    image = noise(9, height, seed=height)
    decoded, paints = decode(encode(image))
    assert decoded.size == (9, height)
    assert paints == [1] * (9 * height)
    assert max_difference(decoded, quantised(image)) <= 2


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "1", "CMYK", "I", "F"])
def test_any_mode_is_converted_to_rgb(mode: str) -> None:
    image = quadrants().convert(mode)
    decoded, paints = decode(encode(image))
    assert decoded.size == image.size
    assert paints == [1] * (image.width * image.height)
    assert max_difference(decoded, quantised(image.convert("RGB"))) <= 2


# -- run-length encoding and palette size ----------------------------------------------


def test_flat_image_is_run_length_encoded() -> None:
    width, height = 300, 200
    sequence = encode(flat(width, height))
    assert f"!{width}~" in sequence
    assert len(sequence) < width * height / 6 / 20
    # and nothing that could be a run is left unencoded
    body = sequence[len(START) : -len(END)]
    assert not re.search(r"([?-~])\1{3}", body)


def test_no_run_of_four_survives_in_a_photo() -> None:
    sequence = encode(portrait(160, 200))
    body = sequence[len(START) : -len(END)]
    assert not re.search(r"([?-~])\1{3}", body)
    assert "!" in body
    # blanks before a colour's first column are skipped, not written out
    assert not re.search(r"[$#]\d*\?{4}", body)


@pytest.mark.parametrize("colors", [1, 2, 16, 64])
def test_colors_limits_the_palette(colors: int) -> None:
    image = gradient(64, 48)
    assert len(re.findall(r";2;", encode(image))) > colors  # the limit matters here
    sequence = encode(image, colors=colors)
    registers = re.findall(r"#(\d+);2;", sequence)
    assert 1 <= len(registers) <= colors
    assert all(int(n) < colors for n in registers)
    _, paints = decode(sequence)
    assert paints == [1] * (64 * 48)


@pytest.mark.parametrize("colors", [0, -1, 257])
def test_colors_out_of_range_is_refused(colors: int) -> None:
    with pytest.raises(ValueError, match="colors"):
        encode(flat(), colors=colors)


def test_empty_image_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        encode(Image.new("RGB", (0, 5)))


# -- ImageMagick round trip --------------------------------------------------------------


@cache
def sixel_reader() -> str | None:
    """A ``magick`` or ``convert`` that can read Sixel (a stand-in ``convert`` may not)."""
    for name in ("magick", "convert"):
        path = shutil.which(name)
        if not path:
            continue
        try:
            formats = subprocess.run(
                [path, "-list", "format"], capture_output=True, text=True, timeout=60, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        if re.search(r"^\s*SIXEL\*?\s+SIXEL\s+r", formats, re.MULTILINE):
            return path
    return None


def imagemagick_decode(sequence: str, tmp_path: Path) -> Image.Image:
    reader = sixel_reader()
    if reader is None:
        pytest.skip("ImageMagick not installed: apt-get install imagemagick")
    source, target = tmp_path / "image.six", tmp_path / "image.png"
    source.write_bytes(sequence.encode("ascii"))
    subprocess.run(
        [reader, f"sixel:{source}", f"png:{target}"], check=True, capture_output=True, timeout=60
    )
    with Image.open(target) as decoded:
        return decoded.convert("RGB")


@pytest.mark.parametrize(
    ("name", "tolerance"),
    [
        ("flat", 1.5),
        ("quadrants", 1.5),
        ("gradient", 6.0),
        ("odd 13x7", 3.0),
        ("1x1", 1.5),
        ("noise", 16.0),
        ("portrait", 5.0),
    ],
)
def test_imagemagick_reads_it_back(name: str, tolerance: float, tmp_path: Path) -> None:
    image = IMAGES[name]()
    decoded = imagemagick_decode(encode(image), tmp_path)
    assert decoded.size == image.size
    assert mean_difference(decoded, image) <= tolerance
    assert max_difference(decoded, quantised(image)) <= 2


def test_imagemagick_sees_the_quadrants_where_they_are(tmp_path: Path) -> None:
    decoded = imagemagick_decode(encode(quadrants(41, 31)), tmp_path)
    assert decoded.getpixel((5, 5)) == (255, 0, 0)
    assert decoded.getpixel((35, 5)) == (0, 255, 0)
    assert decoded.getpixel((5, 25)) == (0, 0, 255)
    assert decoded.getpixel((35, 25)) == (255, 255, 255)
