"""A valid 12-bit JPEG is named as such, never called damaged (issue 15, item 3)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_tui.imaging.decode import ImageError, load_fitted, verify
from portfolio_tui.ui.rendering import render_photo

MESSAGE = "12-bit JPEG, which Pillow cannot decode; export it as an 8-bit JPEG or a TIFF"


def segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def twelve_bit_jpeg(path: Path, *, frame: int = 0xC1) -> Path:
    """A valid 8x8 greyscale extended-sequential (SOF1) JPEG with 12-bit samples.

    One flat block of value 2148 (of 4095): level-shifted by 2048 its DC coefficient
    is 8 x 100 = 800, quantised by 1, Huffman category 10. The DC table has that one
    symbol (code ``0``), the AC table only end-of-block (code ``0``), so the scan is
    ``0`` + 800 in 10 bits + ``0``, padded with 1s. libjpeg-turbo 2.1 (Debian 12's
    cjpeg) has no 12-bit encoder, hence built here by the spec (ITU T.81).
    """
    quant = segment(0xDB, b"\x00" + b"\x01" * 64)
    sof = segment(frame, struct.pack(">BHHB", 12, 8, 8, 1) + b"\x01\x11\x00")
    dc = b"\x00" + bytes([1] + [0] * 15) + bytes([10])
    ac = b"\x10" + bytes([1] + [0] * 15) + bytes([0])
    huffman = segment(0xC4, dc + ac)
    sos = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    bits = "0" + format(800, "010b") + "0"
    bits += "1" * (-len(bits) % 8)
    scan = int(bits, 2).to_bytes(len(bits) // 8, "big")
    path.write_bytes(b"\xff\xd8" + quant + sof + huffman + sos + scan + b"\xff\xd9")
    return path


def test_the_decoder_names_a_twelve_bit_jpeg(tmp_path: Path) -> None:
    path = twelve_bit_jpeg(tmp_path / "scan.jpg")
    for attempt in (lambda: verify(path), lambda: load_fitted(path, (64, 64))):
        with pytest.raises(ImageError) as caught:
            attempt()
        assert caught.value.reason == MESSAGE
        assert "damaged" not in caught.value.reason


def test_check_says_twelve_bit_jpeg_not_damaged(tmp_path: Path) -> None:
    folder = tmp_path / "shoot" / "scans"
    folder.mkdir(parents=True)
    twelve_bit_jpeg(folder / "scan.jpg")
    result = run_cli("check", str(tmp_path / "shoot"), cwd=tmp_path)
    assert result.returncode == 1
    assert f"shoot/scans/scan.jpg: {MESSAGE}" in result.stdout
    assert "damaged" not in result.stdout


def test_the_loupe_tile_says_twelve_bit_jpeg(tmp_path: Path) -> None:
    path = twelve_bit_jpeg(tmp_path / "scan.jpg")
    rendered = render_photo(path, 40, 12)
    assert rendered.error == MESSAGE


def test_a_damaged_jpeg_is_still_called_damaged(tmp_path: Path) -> None:
    path = tmp_path / "bad.jpg"
    data = twelve_bit_jpeg(path).read_bytes()
    path.write_bytes(
        data.replace(struct.pack(">BHHB", 12, 8, 8, 1), struct.pack(">BHHB", 8, 0, 8, 9))
    )
    with pytest.raises(ImageError) as caught:
        verify(path)
    assert "12-bit" not in caught.value.reason
