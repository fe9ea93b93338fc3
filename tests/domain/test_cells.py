"""Half-block cells: the fast renderer draws what the simple one did, and 256 colours is smaller."""

from __future__ import annotations

import itertools
import random

import pytest
from PIL import Image
from rich.color import Color, ColorType
from rich.color_triplet import ColorTriplet
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual.color import Color as TextualColor
from textual.filter import ANSIToTruecolor
from textual.strip import Strip

from portfolio_tui.imaging import cells
from portfolio_tui.imaging.cells import (
    FULL_BLOCK,
    LOWER_HALF,
    UPPER_HALF,
    XTERM_240,
    halfblock_lines,
)


def reference_lines(image: Image.Image) -> list[list[Segment]]:
    """The renderer as it was before it was made fast: one Python step per cell."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    width, height = rgb.size
    if height % 2:
        padded = Image.new("RGB", (width, height + 1))
        padded.paste(rgb, (0, 0))
        padded.paste(rgb.crop((0, height - 1, width, height)), (0, height))
        rgb, height = padded, height + 1
    data = rgb.tobytes()
    stride = width * 3
    lines = []
    for y in range(0, height, 2):
        top = data[y * stride : (y + 1) * stride]
        bottom = data[(y + 1) * stride : (y + 2) * stride]
        line: list[Segment] = []
        run_key, run_length = b"", 0
        for x in range(0, stride, 3):
            key = top[x : x + 3] + bottom[x : x + 3]
            if key == run_key:
                run_length += 1
                continue
            if run_length:
                line.append(Segment(UPPER_HALF * run_length, _style(run_key)))
            run_key, run_length = key, 1
        if run_length:
            line.append(Segment(UPPER_HALF * run_length, _style(run_key)))
        lines.append(line)
    return lines


def _style(key: bytes) -> Style:
    return Style.from_color(
        Color.from_triplet(ColorTriplet(*key[:3])), Color.from_triplet(ColorTriplet(*key[3:]))
    )


def random_image(size: tuple[int, int], seed: int = 7) -> Image.Image:
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def cells_of(lines: list[list[Segment]]) -> list[list[tuple[object, object]]]:
    """Each cell's (top, bottom) colour as the terminal shows it."""
    out = []
    for line in lines:
        row: list[tuple[object, object]] = []
        for segment in line:
            style = segment.style
            assert style is not None
            fg = style.color.triplet if style.color is not None else None
            bg = style.bgcolor.triplet if style.bgcolor is not None else None
            shown = {
                UPPER_HALF: (fg, bg),
                LOWER_HALF: (bg, fg),
                FULL_BLOCK: (fg, fg),
                " ": (bg, bg),
            }
            row.extend(shown[char] for char in segment.text)
        out.append(row)
    return out


def frame_bytes(lines: list[list[Segment]], color_system: str) -> int:
    """What Textual writes to the terminal for these lines."""
    console = Console(color_system=color_system, force_terminal=True)  # type: ignore[arg-type]
    return sum(len(Strip(line).render(console).encode()) for line in lines)


@pytest.fixture(autouse=True)
def _cold_tables() -> None:
    """Each test starts with empty shared style tables (as a fresh process would)."""
    for table in (cells._TRUE_SEGMENTS, cells._TRUE_COLORS, cells._ANSI_STYLES):
        table.clear()


# -- truecolor: exactly what the simple renderer drew ---------------------------------------


@pytest.mark.parametrize("size", [(60, 40), (17, 9), (1, 1), (5, 2)])
def test_truecolor_matches_the_reference_renderer_on_noise(size: tuple[int, int]) -> None:
    image = random_image(size)
    fast = halfblock_lines(image)
    slow = reference_lines(image)
    assert [[(s.text, s.style) for s in line] for line in fast] == [
        [(s.text, s.style) for s in line] for line in slow
    ]


def test_truecolor_matches_the_reference_with_runs_and_a_second_render() -> None:
    # Stripes of repeated colours, then noise: both the run path and the fast path.
    image = Image.new("RGB", (40, 6), (10, 20, 30))
    image.paste((200, 10, 10), (5, 0, 15, 6))
    image.paste(random_image((20, 3)), (20, 2))
    expected = [[(s.text, s.style) for s in line] for line in reference_lines(image)]
    for _ in range(2):  # cold tables, then warm ones
        got = [[(s.text, s.style) for s in line] for line in halfblock_lines(image)]
        assert got == expected


def test_truecolor_colours_are_rich_truecolor_colours() -> None:
    (line,) = halfblock_lines(Image.new("RGB", (1, 2), (1, 2, 3)))
    (segment,) = line
    assert segment.style is not None
    assert segment.style.color == Color.parse("#010203")
    assert segment.style.color.type == ColorType.TRUECOLOR


def test_width_zero_gives_empty_lines() -> None:
    assert halfblock_lines(Image.new("RGB", (0, 4))) == [[], []]


def test_unknown_colour_depth_is_refused() -> None:
    with pytest.raises(ValueError, match="colors"):
        halfblock_lines(Image.new("RGB", (2, 2)), colors="16")


def test_style_tables_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cells, "MAX_CACHED", 50)
    image = random_image((40, 20))
    expected = [[(s.text, s.style) for s in line] for line in reference_lines(image)]
    assert [[(s.text, s.style) for s in line] for line in halfblock_lines(image)] == expected
    assert len(cells._TRUE_SEGMENTS) <= 50
    assert len(cells._TRUE_COLORS) <= 50


# -- 256 colours ----------------------------------------------------------------------------


def test_256_segments_name_fixed_xterm_palette_entries() -> None:
    lines = halfblock_lines(random_image((30, 20)), colors="256")
    for line in lines:
        for segment in line:
            style = segment.style
            assert style is not None
            for color in (style.color, style.bgcolor):
                if color is None:
                    assert segment.text.strip() == ""  # only a space has no foreground
                    continue
                assert color.type == ColorType.EIGHT_BIT
                assert color.number is not None and 16 <= color.number <= 255
                assert color.triplet == XTERM_240[color.number - 16]


def test_256_picks_the_nearest_palette_colour() -> None:
    image = Image.new("RGB", (1, 2))
    image.putpixel((0, 0), (250, 0, 5))  # nearly pure red: cube (5, 0, 0) = colour 196
    image.putpixel((0, 1), (120, 120, 120))  # a grey: 118 is nearest = colour 243
    (line,) = halfblock_lines(image, colors="256")
    (segment,) = line
    assert segment.style is not None and segment.style.color and segment.style.bgcolor
    assert segment.style.color.number == 196
    assert segment.style.bgcolor.number == 243


def test_256_neighbours_with_the_same_palette_entry_merge_into_one_segment() -> None:
    # A gentle horizontal ramp: every pixel differs, but only a few palette entries.
    image = Image.new("RGB", (48, 2))
    for x in range(48):
        image.putpixel((x, 0), (100 + x, 40, 60))
        image.putpixel((x, 1), (30, 95, 160 + x // 2))
    (true_line,) = halfblock_lines(image)
    (line,) = halfblock_lines(image, colors="256")
    assert len(true_line) == 48
    assert len(line) <= 4
    assert sum(len(segment.text) for segment in line) == 48
    for left, right in itertools.pairwise(line):
        assert left.style != right.style  # merged as far as they go


def test_256_cells_showing_the_same_two_colours_share_a_segment() -> None:
    red, blue = (255, 0, 0), (0, 0, 255)  # colours 196 and 21
    columns = [(red, blue), (blue, red), (red, red), (blue, blue), (red, blue)]
    image = Image.new("RGB", (len(columns), 2))
    for x, (top, bottom) in enumerate(columns):
        image.putpixel((x, 0), top)
        image.putpixel((x, 1), bottom)
    (line,) = halfblock_lines(image, colors="256")
    (segment,) = line
    assert segment.text == UPPER_HALF + LOWER_HALF + FULL_BLOCK + " " + UPPER_HALF
    assert segment.style is not None and segment.style.color and segment.style.bgcolor
    assert (segment.style.color.number, segment.style.bgcolor.number) == (196, 21)
    assert cells_of([line]) == [[tuple(ColorTriplet(*c) for c in pair) for pair in columns]]


def test_256_a_run_of_spaces_takes_its_foreground_from_the_next_cell() -> None:
    grey, green = (128, 128, 128), (0, 255, 0)
    image = Image.new("RGB", (4, 2), grey)
    image.putpixel((3, 1), green)
    (line,) = halfblock_lines(image, colors="256")
    (segment,) = line
    assert segment.text == "   " + LOWER_HALF  # grey over green: the lower half in green
    assert cells_of([line])[0][3] == (XTERM_240[244 - 16], (0, 255, 0))


def test_256_cell_with_both_pixels_alike_is_a_space_on_its_colour() -> None:
    (line,) = halfblock_lines(Image.new("RGB", (5, 2), (0, 0, 255)), colors="256")
    (segment,) = line
    assert segment.text == " " * 5
    assert segment.style is not None and segment.style.color is None
    assert segment.style.bgcolor is not None and segment.style.bgcolor.number == 21


def test_256_frame_of_a_portrait_like_image_is_much_smaller_than_truecolor() -> None:
    # Smooth shading (a face on a backdrop) with a little noise, as a camera gives.
    image = Image.radial_gradient("L").resize((60, 80)).convert("RGB")
    noise = random_image((60, 80)).point(lambda v: v // 32)
    image = Image.blend(image, noise, 0.05)
    true_lines = halfblock_lines(image)
    lines = halfblock_lines(image, colors="256")
    true_size = frame_bytes(true_lines, "truecolor")
    size = frame_bytes(lines, "256")
    assert size < true_size * 0.6, (size, true_size)
    # And the truecolor lines written by a 256-colour terminal would be no smaller.
    assert size < frame_bytes(true_lines, "256")


def test_256_colours_survive_textuals_ansi_filter_unchanged() -> None:
    """Textual turns palette colours without RGB into 24-bit ones; ours carry their RGB."""
    (line, _) = halfblock_lines(random_image((8, 4)), colors="256")
    strip = Strip(line)
    filtered = strip.apply_filter(ANSIToTruecolor(DEFAULT_TERMINAL_THEME), TextualColor(0, 0, 0))
    assert [s.style for s in filtered] == [s.style for s in strip]


def test_256_and_truecolor_show_the_same_picture_roughly() -> None:
    image = random_image((12, 8))
    true_cells = cells_of(halfblock_lines(image))
    cells_256 = cells_of(halfblock_lines(image, colors="256"))
    for true_row, row in zip(true_cells, cells_256, strict=True):
        for (top, bottom), (top256, bottom256) in zip(true_row, row, strict=True):
            for exact, near in ((top, top256), (bottom, bottom256)):
                assert exact is not None and near is not None
                assert all(abs(a - b) <= 60 for a, b in zip(exact, near, strict=True))


def test_truecolor_cells_carry_the_escape_codes_textual_would_write() -> None:
    """Codes are worked out in the decoding thread; they must be exactly Textual's own."""
    import random

    from rich.color import ColorSystem
    from rich.style import Style
    from textual.strip import Strip

    rng = random.Random(3)
    image = Image.new("RGB", (30, 16))
    image.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(30 * 16)])
    segments = [segment for line in halfblock_lines(image, "truecolor") for segment in line]
    assert segments
    for segment in segments:
        assert segment.style is not None
        fresh = Style.from_color(segment.style.color, segment.style.bgcolor)
        assert segment.style._ansi == Strip.render_ansi(fresh, ColorSystem.TRUECOLOR)
