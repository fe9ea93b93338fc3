"""A client's answers to a blind test, whether she told real from AI, and the tally (issue 18).

In a blind test a comparison is shown with its labels hidden and its sides
shuffled; the client says which photo she prefers and which she believes is
the real photograph, then everything is revealed. :class:`BlindAnswer` is one
such answer, as :mod:`portfolio_tui.store.sqlite_blind` saves it beside the
client's picks. Plain data: no I/O, no Textual, and no portfolio types (the
model imports the store, so the store takes comparisons as anything with
``id``, ``title`` and ``sides`` of ``rel`` and ``label``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

REAL: frozenset[str] = frozenset({"camera"})
"""The badges of a real photograph."""
MADE: frozenset[str] = frozenset({"ai", "composite"})
"""The badges of an image made (in whole or in part) by AI."""


@dataclass(frozen=True)
class BlindAnswer:
    """One showing of a comparison, blind, and what the client answered.

    ``shown``: the photos (paths in the portfolio) left to right as she saw
    them; ``preferred`` and ``real``: the photo she preferred and the one she
    marked as the real photograph (None: not answered); ``correct``: whether
    she told real from AI (None when that cannot be known: see
    :func:`told_real_from_ai`).
    """

    client: str
    comparison: str
    shown: tuple[str, ...]
    preferred: str | None
    real: str | None
    correct: bool | None
    at: str = ""
    by: str = ""


def told_real_from_ai(badges: Sequence[str | None], real: int | None) -> bool | None:
    """Whether the side marked ``real`` (an index into ``badges``) is the real photograph.

    Known only when the sides hold both a camera original and an AI-generated
    or composite image, and she marked one: True when the one she marked is the
    camera original. Otherwise None (no side has a known badge, or there is no
    AI side to tell it from, or she did not say).
    """
    known = [b for b in badges if b is not None]
    if real is None or not (REAL & set(known)) or not (MADE & set(known)):
        return None
    return badges[real] in REAL


class _Side(Protocol):
    @property
    def rel(self) -> str: ...

    @property
    def label(self) -> str: ...


class _Comparison(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def sides(self) -> Sequence[_Side]: ...


@dataclass(frozen=True)
class SideTally:
    """One photo of a comparison: how many clients preferred it and marked it real."""

    photo: str
    label: str
    preferred: int
    marked_real: int


@dataclass(frozen=True)
class ComparisonTally:
    """A comparison's answers: per side, and how many told real from AI."""

    comparison: str
    title: str
    sides: tuple[SideTally, ...]
    clients: int
    """Clients who answered (each counted once: her first answer)."""
    correct: int
    """Answers that told real from AI."""
    known: int
    """Answers whose correctness is known (see :func:`told_real_from_ai`)."""


def first_answers(answers: Iterable[BlindAnswer]) -> list[BlindAnswer]:
    """Each client's first answer per comparison, in the order given.

    Once the labels are revealed she is no longer blind: a later showing of the
    same comparison to the same client is kept in the database, but not counted.
    """
    seen: set[tuple[str, str]] = set()
    out = []
    for answer in answers:
        key = (answer.client.casefold(), answer.comparison)
        if key not in seen:
            seen.add(key)
            out.append(answer)
    return out


def tally(
    answers: Iterable[BlindAnswer], comparisons: Iterable[_Comparison]
) -> list[ComparisonTally]:
    """Per comparison with answers (the portfolio's order, then any no longer in it, by id):
    each side's photo and counts. Photos answered but no longer a side follow the sides."""
    by_comparison: dict[str, list[BlindAnswer]] = {}
    for answer in first_answers(answers):
        by_comparison.setdefault(answer.comparison, []).append(answer)
    known = {c.id: c for c in comparisons}
    order = [cid for cid in known if cid in by_comparison]
    order += sorted(cid for cid in by_comparison if cid not in known)
    out = []
    for cid in order:
        given = by_comparison[cid]
        comparison = known.get(cid)
        sides: dict[str, str] = {}
        if comparison is not None:
            for side in comparison.sides:
                sides.setdefault(side.rel, side.label)
        for answer in given:
            for photo in (*answer.shown, answer.preferred, answer.real):
                if photo is not None:
                    sides.setdefault(photo, "")
        out.append(
            ComparisonTally(
                comparison=cid,
                title=comparison.title if comparison is not None else "",
                sides=tuple(
                    SideTally(
                        photo,
                        label,
                        sum(a.preferred == photo for a in given),
                        sum(a.real == photo for a in given),
                    )
                    for photo, label in sides.items()
                ),
                clients=len(given),
                correct=sum(a.correct is True for a in given),
                known=sum(a.correct is not None for a in given),
            )
        )
    return out


__all__ = [
    "MADE",
    "REAL",
    "BlindAnswer",
    "ComparisonTally",
    "SideTally",
    "first_answers",
    "tally",
    "told_real_from_ai",
]
