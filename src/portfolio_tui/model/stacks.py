"""Stacks: runs of near-identical frames (a burst, or the same pose held) grouped as one.

A pure function over values: no file is read here. The caller hashes each frame
from the thumbnail it already has (:func:`portfolio_tui.imaging.likeness.frame_hash`)
and takes its capture time from the EXIF the info panel reads
(:func:`portfolio_tui.metadata.read_info`'s ``taken``, through :func:`capture_seconds`).

The rule, walking the frames once in the order given (file order, which for a
camera's own names is shooting order): a frame joins the open stack when

- it follows the stack's last frame closely in time: ``0 <= gap <= max_gap_s``
  when both capture times are known; when either is unknown, being the next
  frame in file order is enough (a folder without EXIF still stacks by look);
  a time that goes backwards (two cameras, renamed files) splits; and
- it looks like the stack's **first** frame: ``hamming(hash, first.hash) <=
  max_distance`` (and the same for the face hashes, when both frames have one).

Comparing with the first frame, not the previous one, bounds a stack: every frame
is within ``max_distance`` of the first, so two frames of one stack are at most
``2 * max_distance`` apart. Chaining to the previous frame lets a slow drift (a
sitter turning little by little over 40 frames shot a second apart, against the
same backdrop) collapse a whole set of poses into one stack, and a stack is where
one key keeps one frame and rejects the rest. One odd frame (a blink, a flash that
did not fire) also breaks a chain in two, while with the anchor the frames after
it still join. benchmarks/stacks_grouping.py measures both: at the default their
recall is within a point of each other (0.991 against 0.979, 0.991 against 0.982,
0.965 against 0.972), and with a loose threshold and no capture times the anchor
keeps its precision far better (0.93 against 0.80 at 24 bits, 0.72 against 0.54
at 28).

Every frame is in exactly one stack (a frame alone is a stack of one), in the
order given; the result depends only on the input (no sets, no clocks). O(n).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..imaging.likeness import hamming

MAX_DISTANCE = 14
"""Default: frames whose hashes differ in at most 14 of 64 bits are near-identical.

Measured (benchmarks/stacks_grouping.py, three generated sessions of 201-263 6 MP
frames from real portraits; docs/culling.md): two frames of one burst (1-3 % crop
shifts, ±3 % brightness, ±1° turns, a blink, JPEG quality 70-95) are a median 6
bits apart, 95 % within 12, all within 20; the closest frame of another pose next
to them was 14, 18 and 20 bits away. At 14, every pair grouped was one burst
(precision 1.0 with capture times, 0.991 or better without) and 0.965-0.991 of the
burst pairs were found. 16 finds 0.986-1.0 but one session's precision fell at 18,
two bits above it. The lower one is the default because a wrong merge costs more
than a miss: a stack's keeper key rejects the rest of the stack, and a pose merged
into it would be rejected unseen, while a burst cut in two costs one more key.
"""

MAX_GAP_S = 2.0
"""Default: frames more than 2 s apart are not one burst.

A burst runs at 3-10 frames a second; a photographer holding a pose and shooting
single frames fires again within a second or two. EXIF DateTimeOriginal has whole
seconds (the sub-second tag is not read yet), which adds up to 1 s to a gap; the
pause to re-pose or move a light is 5 s or more. On the benchmark's sessions the
exact times gave the same stacks as whole seconds.
"""


@dataclass(frozen=True)
class Frame:
    """One photo as the grouping sees it."""

    path: Path
    hash: int
    """:func:`portfolio_tui.imaging.likeness.frame_hash` of the frame, upright."""
    taken: float | None = None
    """Capture time in seconds (any epoch, the same for every frame), None if unknown."""
    face_hash: int | None = None
    """The hash of the main face's crop, when faces are found (not yet)."""


@dataclass(frozen=True)
class Stack:
    """Near-identical frames in shooting order; the first is the stack's anchor."""

    frames: tuple[Frame, ...]

    @property
    def first(self) -> Frame:
        return self.frames[0]

    def __len__(self) -> int:
        return len(self.frames)


def group_stacks(
    frames: Sequence[Frame],
    *,
    max_distance: int = MAX_DISTANCE,
    max_gap_s: float = MAX_GAP_S,
) -> list[Stack]:
    """``frames`` (in file order) cut into stacks of near-identical neighbours.

    See the module's docstring for the rule. ``max_distance`` is in bits of 64
    (0 joins identical-looking frames only); ``max_gap_s`` in seconds.
    """
    return _group(frames, max_distance, max_gap_s, to_first=True)


def _group(
    frames: Sequence[Frame], max_distance: int, max_gap_s: float, *, to_first: bool
) -> list[Stack]:
    # to_first=False (compare with the previous frame) exists for the benchmark's comparison.
    stacks: list[Stack] = []
    current: list[Frame] = []
    for frame in frames:
        if current and _joins(
            frame, current[-1], current[0] if to_first else current[-1], max_distance, max_gap_s
        ):
            current.append(frame)
            continue
        if current:
            stacks.append(Stack(tuple(current)))
        current = [frame]
    if current:
        stacks.append(Stack(tuple(current)))
    return stacks


def _joins(frame: Frame, last: Frame, anchor: Frame, max_distance: int, max_gap_s: float) -> bool:
    if frame.taken is not None and last.taken is not None:
        gap = frame.taken - last.taken
        if not 0 <= gap <= max_gap_s:
            return False
    if hamming(frame.hash, anchor.hash) > max_distance:
        return False
    return not (
        frame.face_hash is not None
        and anchor.face_hash is not None
        and hamming(frame.face_hash, anchor.face_hash) > max_distance
    )


def capture_seconds(taken: str | None, subsec: str | None = None) -> float | None:
    """``read_info(path).taken`` (``2026-05-01 10:00:07``) as seconds, or None.

    ``subsec`` is EXIF SubSecTimeOriginal's digits (``"35"`` is 0.35 s), added when
    given. Only what :func:`portfolio_tui.metadata.read_info` has already cleaned is
    parsed: no EXIF is read here. A date that does not parse is unknown, not an error
    (cameras with an unset clock write ``0000:00:00 00:00:00``).
    """
    if not taken:
        return None
    text = taken.strip().replace("T", " ")
    if len(text) >= 10 and text[4] == ":" and text[7] == ":":
        text = text[:4] + "-" + text[5:7] + "-" + text[8:]
    try:
        moment = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    # Naive on purpose: every frame of a session has the camera's own clock and zone.
    seconds = (moment - datetime(1970, 1, 1)).total_seconds()
    digits = (subsec or "").strip()
    if digits.isdigit() and digits.isascii():
        seconds += int(digits) / 10 ** len(digits)
    return seconds
