"""Filters and sorts over curation, and the helpers the app's undo and order use."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio_tui.curation import (
    Change,
    Snapshot,
    describe,
    in_order,
    inverse,
    with_changes,
)
from portfolio_tui.portfolio import Photo
from portfolio_tui.selection import parse_filter, select


def photo(name: str, title: str | None = None, notes: str = "") -> Photo:
    return Photo(Path("/p/g") / name, f"g/{name}", title=title, notes=notes)


PHOTOS = [
    photo("a.jpg", "Anna"),
    photo("b.jpg", "Ben", notes="window light"),
    photo("c10.jpg"),
    photo("c2.jpg"),
]
SNAP = with_changes(
    Snapshot(),
    [
        Change.rating("g/a.jpg", 4),
        Change.flag("g/a.jpg", "pick"),
        Change.rating("g/b.jpg", 2),
        Change.label("g/b.jpg", "red"),
        Change.tags("g/b.jpg", ["Studio", "smile"]),
        Change.flag("g/c10.jpg", "reject"),
    ],
)


def names(photos: list[Photo]) -> list[str]:
    return [p.name for p in photos]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", ["a.jpg", "b.jpg", "c10.jpg", "c2.jpg"]),
        ("3+", ["a.jpg"]),
        ("2", ["a.jpg", "b.jpg"]),
        ("=2", ["b.jpg"]),
        ("0", ["c10.jpg", "c2.jpg"]),
        ("pick", ["a.jpg"]),
        ("reject", ["c10.jpg"]),
        ("unflagged", ["b.jpg", "c2.jpg"]),
        ("red", ["b.jpg"]),
        ("nolabel", ["a.jpg", "c10.jpg", "c2.jpg"]),
        ("#studio", ["b.jpg"]),
        ("#studio #SMILE 2+", ["b.jpg"]),
        ("window", ["b.jpg"]),
        ("anna", ["a.jpg"]),
        ("2+ unflagged", ["b.jpg"]),
        ('"window light"', ["b.jpg"]),
        ('"unclosed', []),
    ],
)
def test_filters_combine(typed: str, expected: list[str]) -> None:
    assert names(select(PHOTOS, SNAP, parse_filter(typed))) == expected


def test_sorts_are_stable_and_natural() -> None:
    assert names(select(PHOTOS, SNAP, parse_filter(""), "name")) == [
        "a.jpg",
        "b.jpg",
        "c2.jpg",
        "c10.jpg",
    ]
    assert names(select(PHOTOS, SNAP, parse_filter(""), "rating")) == [
        "a.jpg",
        "b.jpg",
        "c10.jpg",
        "c2.jpg",
    ]
    taken = {"g/a.jpg": "2024:05:02 10:00:00", "g/b.jpg": "2024:05:01 09:00:00"}
    assert names(select(PHOTOS, SNAP, parse_filter(""), "date", taken)) == [
        "b.jpg",
        "a.jpg",
        "c2.jpg",
        "c10.jpg",
    ]


def test_an_empty_filter_is_not_active_and_a_typed_one_is() -> None:
    assert not parse_filter("  ").active
    assert parse_filter("pick").active


def test_inverse_undoes_photo_and_gallery_changes() -> None:
    changes = [
        Change.rating("g/a.jpg", 1),
        Change.cover("g", "b.jpg"),
        Change.order("g", ["b.jpg", "a.jpg"]),
    ]
    after = with_changes(SNAP, changes)
    assert after.photo("g/a.jpg").rating == 1 and after.covers["g"] == "b.jpg"
    back = with_changes(after, inverse(SNAP, changes))
    assert back.photo("g/a.jpg") == SNAP.photo("g/a.jpg")
    assert "g" not in back.covers and "g" not in back.order


def test_clearing_every_field_forgets_the_photo() -> None:
    cleared = with_changes(SNAP, [Change.flag("g/c10.jpg", None)])
    assert "g/c10.jpg" not in cleared.photos


def test_stored_order_keeps_new_files_and_skips_gone_ones() -> None:
    assert in_order(["a", "b", "c", "d"], ["c", "gone", "a"]) == ["c", "a", "b", "d"]


def test_describe_counts_photos_per_kind_of_change() -> None:
    text = describe(
        [
            Change.rating("x", 1),
            Change.rating("y", 2),
            Change.flag("x", "pick"),
            Change.cover("g", "x"),
        ]
    )
    assert text == "rated 2 photos, flagged 1 photo, set the cover of g"
