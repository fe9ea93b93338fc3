"""graphics.kitty: transmit once, place virtually, show through Unicode placeholders."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image

from portfolio_tui.graphics import kitty


def commands(sequence: str) -> list[tuple[dict[str, str], str]]:
    """Each APC graphics command in ``sequence`` as (keys, payload)."""
    out = []
    for body in re.findall(r"\x1b_G(.*?)\x1b\\", sequence, flags=re.S):
        keys, _, payload = body.partition(";")
        out.append((dict(item.split("=") for item in keys.split(",")), payload))
    return out


def test_a_large_image_goes_in_chunks_that_rebuild_it_exactly() -> None:
    image = Image.effect_noise((300, 200), 80).convert("RGB")  # noise: compresses badly
    parts = commands(kitty.transmit(42, image, 30, 10))
    data, place = parts[:-1], parts[-1]
    assert len(data) > 2
    first_keys = data[0][0]
    assert (first_keys["a"], first_keys["i"], first_keys["f"]) == ("t", "42", "100")  # PNG
    assert all(keys["q"] == "2" for keys, _ in parts)  # the terminal never answers
    assert [keys["m"] for keys, _ in data] == ["1"] * (len(data) - 1) + ["0"]
    assert all(len(payload) <= kitty.CHUNK for _, payload in data)
    png = base64.b64decode("".join(payload for _, payload in data))
    assert Image.open(io.BytesIO(png)).tobytes() == image.tobytes()
    assert place[0] == {"a": "p", "U": "1", "q": "2", "i": "42", "c": "30", "r": "10"}


def test_any_image_mode_is_sent_as_rgb() -> None:
    image = Image.new("RGBA", (4, 3), (10, 20, 30, 0))
    data = commands(kitty.transmit(1, image, 1, 1))[0][1]
    decoded = Image.open(io.BytesIO(base64.b64decode(data)))
    assert decoded.mode == "RGB"
    assert decoded.tobytes() == bytes([10, 20, 30]) * 12


@pytest.mark.parametrize(
    ("image_id", "cols", "rows"), [(0, 1, 1), (1 << 24, 1, 1), (1, 0, 1), (1, 1, 298)]
)
def test_impossible_placements_are_refused(image_id: int, cols: int, rows: int) -> None:
    with pytest.raises(ValueError):
        kitty.transmit(image_id, Image.new("RGB", (2, 2)), cols, rows)


def test_delete_frees_the_image_data() -> None:
    assert commands(kitty.delete(7)) == [({"a": "d", "d": "I", "q": "2", "i": "7"}, "")]


def test_every_placeholder_cell_names_its_row_and_column() -> None:
    row = kitty.placeholder_row(3, 5)
    cells = row.split(kitty.PLACEHOLDER)[1:]
    assert len(cells) == 5
    assert [cell[0] for cell in cells] == [kitty.DIACRITICS[3]] * 5
    assert [cell[1] for cell in cells] == [kitty.DIACRITICS[c] for c in range(5)]


def test_diacritics_are_kittys_table() -> None:
    # First, a few in the middle, and last, from kitty's rowcolumn-diacritics.txt.
    assert len(kitty.DIACRITICS) == kitty.MAX_CELLS == 297
    assert [ord(d) for d in kitty.DIACRITICS[:4]] == [0x0305, 0x030D, 0x030E, 0x0310]
    assert ord(kitty.DIACRITICS[100]) == 0x07EB
    assert ord(kitty.DIACRITICS[-1]) == 0x1D244
    assert len(set(kitty.DIACRITICS)) == 297


def test_the_id_is_the_foreground_colour() -> None:
    assert kitty.id_color(0x123456) == (0x12, 0x34, 0x56)
