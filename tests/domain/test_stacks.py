"""Stacks: the frame hash (imaging/likeness.py) and the grouping (model/stacks.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageEnhance

from conftest import REPO
from portfolio_tui.imaging.likeness import HASH_BITS, frame_hash, hamming, hash_file
from portfolio_tui.metadata import EXIF_IFD, read_info
from portfolio_tui.model.stacks import (
    MAX_DISTANCE,
    MAX_GAP_S,
    Frame,
    Stack,
    capture_seconds,
    group_stacks,
)

HOPPER = REPO / "portfolio/studio/hopper-01.jpg"
COLLINS = REPO / "portfolio/studio/collins-01.png"
BASE = 0x0F0F_3C3C_5A5A_A5A5


def flipped(value: int, first_bit: int, count: int) -> int:
    """``value`` with ``count`` bits flipped, from ``first_bit`` up."""
    return value ^ (((1 << count) - 1) << first_bit)


def frame(
    name: str, digest: int = BASE, taken: float | None = None, face_hash: int | None = None
) -> Frame:
    return Frame(Path(name), digest, taken, face_hash)


def names(stacks: list[Stack]) -> list[list[str]]:
    return [[f.path.name for f in stack.frames] for stack in stacks]


# --- the hash -------------------------------------------------------------------------


def portrait(path: Path, shift: float = 0.0, brightness: float = 1.0) -> Image.Image:
    """A 256 px thumbnail of ``path`` cropped to 90 %, the crop moved by ``shift`` of its width."""
    with Image.open(path) as image:
        source = image.convert("RGB")
    width, height = source.size
    left, top = width * (0.05 + shift), height * (0.05 + shift / 2)
    box = (left, top, left + width * 0.9, top + height * 0.9)
    thumb = source.resize((256, round(256 * height / width)), Image.Resampling.BICUBIC, box=box)
    return ImageEnhance.Brightness(thumb).enhance(brightness)


def reencoded(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    with Image.open(io.BytesIO(buffer.getvalue())) as again:
        return again.convert("RGB")


def test_the_same_portrait_re_encoded_is_near() -> None:
    original = portrait(HOPPER)
    assert hamming(frame_hash(original), frame_hash(reencoded(original, 40))) <= 4


def test_a_slightly_shifted_or_brighter_frame_is_near() -> None:
    anchor = frame_hash(portrait(HOPPER))
    shifted = frame_hash(reencoded(portrait(HOPPER, shift=0.02, brightness=1.03), 80))
    assert hamming(anchor, shifted) <= MAX_DISTANCE


def test_different_portraits_are_far() -> None:
    hopper, collins = frame_hash(portrait(HOPPER)), frame_hash(portrait(COLLINS))
    assert hamming(hopper, collins) > MAX_DISTANCE + 8
    # Another pose of the same sitter (a tighter crop, mirrored) is far too.
    with Image.open(HOPPER) as image:
        tight = (
            image.convert("RGB")
            .crop((100, 60, 420, 440))
            .transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        )
    assert hamming(frame_hash(portrait(HOPPER)), frame_hash(tight)) > MAX_DISTANCE


def test_the_hash_has_a_fixed_meaning() -> None:
    """Stored hashes stay valid: the same pixels hash to the same 64 bits, half of them set.

    The picture is 32 x 32 already, so no resampling (which Pillow may change) is
    involved: only the hash's own integer arithmetic.
    """
    data = bytes((x * 7 + y * 13 + (x * y) % 17) % 256 for y in range(32) for x in range(32))
    pattern = Image.frombytes("L", (32, 32), data)
    assert frame_hash(pattern) == 0x88B3_8C37_6CE1_2D5B
    assert frame_hash(pattern.convert("RGB")) == frame_hash(pattern)  # any mode
    assert bin(frame_hash(pattern)).count("1") == HASH_BITS // 2  # above the median
    mirrored = frame_hash(pattern.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    assert hamming(frame_hash(pattern), mirrored) > MAX_DISTANCE


def test_the_file_hash_agrees_with_the_thumbnail_hash(tmp_path: Path) -> None:
    """The app hashes the thumbnail it has; thumbs hashes the file: they must agree."""
    with Image.open(HOPPER) as image:
        big = image.convert("RGB").resize((2000, 2344), Image.Resampling.BICUBIC)
    path = tmp_path / "big.jpg"
    big.save(path, quality=90)
    thumbnail = big.resize((256, 300), Image.Resampling.LANCZOS)
    assert hamming(hash_file(path), frame_hash(thumbnail)) <= 2


def test_hamming() -> None:
    assert hamming(BASE, BASE) == 0
    assert hamming(0, (1 << HASH_BITS) - 1) == HASH_BITS
    assert hamming(BASE, flipped(BASE, 10, 7)) == 7


def test_hashing_is_deterministic() -> None:
    image = portrait(COLLINS, shift=0.01)
    assert frame_hash(image) == frame_hash(image.copy()) == frame_hash(portrait(COLLINS, 0.01))


# --- the grouping ---------------------------------------------------------------------


def test_a_burst_is_one_stack_and_a_lone_frame_a_stack_of_one() -> None:
    frames = [
        frame("1", BASE, 0.0),
        frame("2", flipped(BASE, 0, 3), 0.4),
        frame("3", flipped(BASE, 5, 4), 0.9),
        frame("4", flipped(BASE, 20, 2), 1.5),
        frame("5", ~BASE & ((1 << 64) - 1), 30.0),
    ]
    stacks = group_stacks(frames)
    assert names(stacks) == [["1", "2", "3", "4"], ["5"]]
    assert stacks[0].first.path.name == "1" and len(stacks[0]) == 4


def test_a_distinct_frame_splits_a_run_even_within_the_time_gap() -> None:
    far = flipped(BASE, 0, MAX_DISTANCE + 8)
    frames = [
        frame("1", BASE, 0.0),
        frame("2", BASE, 0.5),
        frame("3", far, 1.0),
        frame("4", BASE, 1.5),
    ]
    assert names(group_stacks(frames)) == [["1", "2"], ["3"], ["4"]]


def test_a_time_gap_splits_identical_looking_frames() -> None:
    frames = [
        frame("1", BASE, 0.0),
        frame("2", BASE, MAX_GAP_S),
        frame("3", BASE, 2 * MAX_GAP_S + 0.01),
    ]
    assert names(group_stacks(frames)) == [["1", "2"], ["3"]]
    # The gap is to the previous frame, not the first: a long steady burst stays one stack.
    steady = [frame(str(i), BASE, i * 1.5) for i in range(6)]
    assert len(group_stacks(steady)) == 1
    # A time going backwards (files not in shooting order) splits too.
    backwards = [frame("1", BASE, 10.0), frame("2", BASE, 9.5)]
    assert names(group_stacks(backwards)) == [["1"], ["2"]]


def test_unknown_times_fall_back_to_file_order() -> None:
    frames = [
        frame("1", BASE, None),
        frame("2", BASE, None),
        frame("3", BASE, 100.0),
        frame("4", BASE, None),
        frame("5", flipped(BASE, 0, 40), None),
    ]
    assert names(group_stacks(frames)) == [["1", "2", "3", "4"], ["5"]]


def test_the_threshold_is_respected() -> None:
    at = [frame("1", BASE, 0.0), frame("2", flipped(BASE, 3, 6), 0.5)]
    assert len(group_stacks(at, max_distance=6, max_gap_s=1.0)) == 1
    assert len(group_stacks(at, max_distance=5, max_gap_s=1.0)) == 2
    assert len(group_stacks(at, max_distance=6, max_gap_s=0.4)) == 2
    assert len(group_stacks(at, max_distance=0, max_gap_s=1.0)) == 2


def test_frames_are_compared_with_the_stacks_first_frame_so_a_drift_splits() -> None:
    """Each step is small, but the third frame is far from the first: a new stack."""
    step1 = flipped(BASE, 0, 8)
    step2 = flipped(step1, 20, 8)  # 8 from step1, 16 from BASE
    step3 = flipped(step2, 40, 2)  # 2 from step2 (the new stack's first), 18 from BASE
    frames = [
        frame("1", BASE, 0.0),
        frame("2", step1, 0.5),
        frame("3", step2, 1.0),
        frame("4", step3, 1.5),
    ]
    assert names(group_stacks(frames, max_distance=10)) == [["1", "2"], ["3", "4"]]


def test_face_hashes_must_agree_when_both_are_known() -> None:
    frames = [
        frame("1", BASE, 0.0, face_hash=BASE),
        frame("2", BASE, 0.5, face_hash=flipped(BASE, 0, MAX_DISTANCE + 1)),
        frame("3", BASE, 1.0, face_hash=None),
    ]
    assert names(group_stacks(frames)) == [["1"], ["2", "3"]]


def test_grouping_is_deterministic_and_keeps_every_frame_once_in_order() -> None:
    frames = [
        frame(f"{i:03d}", flipped(BASE, (i * 7) % 50, (i * 5) % 14), (i // 3) * 1.1)
        for i in range(60)
    ]
    first, second = group_stacks(frames), group_stacks(list(frames))
    assert first == second
    assert [f for stack in first for f in stack.frames] == frames
    assert group_stacks([]) == []


def test_real_portraits_group_into_their_bursts() -> None:
    """Two bursts of two sitters shot a second apart: the look alone splits them."""
    shots = [
        portrait(HOPPER, shift=s, brightness=b) for s, b in ((0, 1), (0.01, 0.98), (0.02, 1.02))
    ]
    shots += [portrait(COLLINS, shift=s) for s in (0.0, 0.015)]
    frames = [
        frame(str(i), frame_hash(reencoded(shot, 85)), i * 0.6) for i, shot in enumerate(shots)
    ]
    assert names(group_stacks(frames)) == [["0", "1", "2"], ["3", "4"]]


# --- capture time ---------------------------------------------------------------------


def test_capture_time_comes_from_read_info(tmp_path: Path) -> None:
    paths = []
    for index, stamp in enumerate(("2026:05:01 10:00:07", "2026:05:01 10:00:09")):
        exif = Image.Exif()
        exif.get_ifd(EXIF_IFD)[0x9003] = stamp
        path = tmp_path / f"{index}.jpg"
        Image.new("RGB", (32, 32)).save(path, exif=exif)
        paths.append(path)
    first, second = (capture_seconds(read_info(path).taken) for path in paths)
    assert first is not None and second is not None
    assert second - first == 2.0


@pytest.mark.parametrize(
    ("taken", "subsec", "seconds"),
    [
        ("1970-01-01 00:00:10", None, 10.0),
        ("1970:01:01 00:00:10", "35", 10.35),
        ("1970-01-01 00:00:10", "5", 10.5),
        ("1970-01-01 00:00:10", "x1", 10.0),
        ("0000-00-00 00:00:00", None, None),
        ("yesterday", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_capture_seconds(taken: str | None, subsec: str | None, seconds: float | None) -> None:
    found = capture_seconds(taken, subsec)
    if seconds is None:
        assert found is None
    else:
        assert found == pytest.approx(seconds)
