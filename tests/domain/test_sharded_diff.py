"""Comparing versions of a sharded mapping, and the app's optimistic snapshot on one.

The SQLite store's snapshots hold their photos in a :class:`Sharded` mapping whose
versions share the buckets they did not change; the app compares an old snapshot with a
new one after every key and every save (what to redraw, what another curator changed),
and lays its unsaved changes over the store's snapshot with ``with_changes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import pytest

from portfolio_tui.curation import Change, PhotoCuration, Snapshot, with_changes
from portfolio_tui.store.sharded import Lazy, Sharded
from portfolio_tui.store.sqlite_curation import SqliteCurationStore

MANY = {f"g/{i:05}.jpg": i for i in range(2000)}
"""Enough keys that every bucket holds some."""


# -- Sharded.differing -----------------------------------------------------------------


def test_identical_versions_differ_in_nothing() -> None:
    base = Sharded(MANY)
    assert base.differing(base) == set()
    assert base.differing(base.updated({})) == set()
    # Built apart (no bucket shared) but equal: still nothing.
    assert base.differing(Sharded(dict(MANY))) == set()


def test_keys_set_removed_and_changed_by_updated_are_the_ones_that_differ() -> None:
    base = Sharded(MANY)
    after = base.updated({"g/00001.jpg": -1, "g/00002.jpg": None, "new.jpg": 7})
    expected = {"g/00001.jpg", "g/00002.jpg", "new.jpg"}
    assert after.differing(base) == expected
    assert base.differing(after) == expected  # either way round
    assert base["g/00001.jpg"] == 1 and "g/00002.jpg" in base and "new.jpg" not in base


def test_a_key_set_to_the_value_it_had_does_not_differ() -> None:
    base = Sharded(MANY)
    after = base.updated({"g/00003.jpg": 3, "g/00004.jpg": 40})
    assert after.differing(base) == {"g/00004.jpg"}


def test_versions_a_few_steps_apart_differ_in_every_key_any_step_touched() -> None:
    base = Sharded(MANY)
    one = base.updated({"g/00010.jpg": 0})
    two = one.updated({"g/00011.jpg": None})
    three = two.updated({"g/00010.jpg": 10})  # back as it was in base
    assert three.differing(base) == {"g/00011.jpg"}
    assert three.differing(one) == {"g/00010.jpg", "g/00011.jpg"}


def test_an_empty_mapping_against_a_full_one_differs_in_every_key() -> None:
    assert Sharded[int]().differing(Sharded(MANY)) == set(MANY)
    assert Sharded(MANY).updated(dict.fromkeys(MANY)).differing(Sharded(MANY)) == set(MANY)


def test_lazy_versions_compare_decoded_values() -> None:
    decoded: list[str] = []

    def decode(raw: str) -> int:
        decoded.append(raw)
        return int(raw)

    lazy = Lazy({key: str(value) for key, value in MANY.items()}, decode)
    # A key set to what its raw form decodes to is not a change; another value is.
    after = lazy.updated({"g/00005.jpg": 5, "g/00006.jpg": 66, "g/00007.jpg": None})
    assert isinstance(after, Lazy)
    assert after.differing(lazy) == {"g/00006.jpg", "g/00007.jpg"}
    assert lazy.differing(after) == {"g/00006.jpg", "g/00007.jpg"}
    assert len(decoded) < 100  # only the touched buckets were read
    # A decoded Lazy against a plain Sharded of the same values: nothing differs.
    assert Sharded(MANY).differing(lazy) == set()


# -- with_changes on a Sharded snapshot ---------------------------------------------------


def sharded_snapshot() -> Snapshot:
    return Snapshot(
        photos=Sharded(
            {
                "g/a.jpg": PhotoCuration(rating=3, updated_by="anna"),
                "g/b.jpg": PhotoCuration(flag="pick", tags=("dusk",), updated_by="anna"),
            }
        )
    )


def test_with_changes_on_a_sharded_snapshot_returns_a_sharded_one_with_the_changes() -> None:
    before = sharded_snapshot()
    after = with_changes(
        before,
        [Change.rating("g/c.jpg", 5), Change.label("g/a.jpg", "red"), Change.rating("g/a.jpg", 4)],
        "me",
    )
    assert isinstance(after.photos, Sharded)
    a = after.photo("g/a.jpg")
    assert (a.rating, a.label, a.updated_by) == (4, "red", "me")
    assert after.photo("g/c.jpg").rating == 5
    assert after.photo("g/b.jpg") == before.photo("g/b.jpg")
    assert len(after.photos) == 3
    # The original is unchanged.
    assert before.photo("g/a.jpg") == PhotoCuration(rating=3, updated_by="anna")
    assert "g/c.jpg" not in before.photos and len(before.photos) == 2


def test_with_changes_clears_a_photo_whose_every_field_went_back_to_default() -> None:
    before = sharded_snapshot()
    after = with_changes(before, [Change.flag("g/b.jpg", None), Change.tags("g/b.jpg", [])], "me")
    assert isinstance(after.photos, Sharded)
    assert "g/b.jpg" not in after.photos and len(after.photos) == 1
    assert after.photo("g/b.jpg").is_empty
    assert "g/b.jpg" in before.photos
    # Set and cleared within one batch: never there.
    again = with_changes(
        before, [Change.rating("g/new.jpg", 2), Change.rating("g/new.jpg", 0)], "me"
    )
    assert "g/new.jpg" not in again.photos and len(again.photos) == 2


def test_with_changes_on_the_sqlite_stores_own_snapshot(tmp_path: Path) -> None:
    with SqliteCurationStore(tmp_path, author="anna") as store:
        store.apply([Change.rating("g/a.jpg", 3), Change.flag("g/b.jpg", "pick")])
    with SqliteCurationStore(tmp_path, author="me") as store:
        snapshot = store.load()  # what the app starts from (from the cache: Lazy photos)
        assert isinstance(snapshot.photos, Sharded)
        after = with_changes(
            snapshot, [Change.rating("g/a.jpg", 0), Change.label("g/b.jpg", "blue")], "me"
        )
        assert isinstance(after.photos, Sharded)
        assert "g/a.jpg" not in after.photos
        assert after.photo("g/b.jpg").label == "blue" and after.photo("g/b.jpg").flag == "pick"
        assert snapshot.photo("g/a.jpg").rating == 3 and snapshot.photo("g/b.jpg").label is None
        assert {c.photo for c in after.changes_from(snapshot)} == {"g/a.jpg", "g/b.jpg"}
        saved = store.apply([Change.rating("g/a.jpg", 0), Change.label("g/b.jpg", "blue")])
        assert saved.changes_from(after) == []  # the save agrees with what was shown


def test_no_changes_give_back_the_same_snapshot() -> None:
    before = sharded_snapshot()
    assert with_changes(before, [], "me") is before


# -- Snapshot.changes_from: Sharded and plain mappings agree ------------------------------


def plain(snapshot: Snapshot) -> Snapshot:
    photos: Mapping[str, PhotoCuration] = MappingProxyType(dict(snapshot.photos.items()))
    return Snapshot(photos=photos, order=snapshot.order, covers=snapshot.covers)


STEPS = [
    [Change.rating("g/a.jpg", 5)],
    [Change.flag("g/b.jpg", None), Change.tags("g/b.jpg", [])],  # b cleared away
    [Change.rating("g/c.jpg", 1), Change.notes("g/c.jpg", "crop")],  # a new photo
    [Change.label("g/a.jpg", "green"), Change.order("g", ["c.jpg", "a.jpg"])],
    [Change.cover("g", "c.jpg"), Change.rating("g/a.jpg", 3)],  # a back to 3
]


@pytest.mark.parametrize("upto", range(1, len(STEPS) + 1))
def test_changes_from_is_the_same_for_sharded_and_plain_mappings(upto: int) -> None:
    before = sharded_snapshot()
    after = before
    for step in STEPS[:upto]:
        after = with_changes(after, step, "me")
    assert isinstance(after.photos, Sharded)
    shared = after.changes_from(before)  # versions sharing buckets
    assert shared == plain(after).changes_from(plain(before))
    assert shared == after.changes_from(plain(before))  # one of each
    apart = Snapshot(
        photos=Sharded(dict(after.photos.items())), order=after.order, covers=after.covers
    )
    assert shared == apart.changes_from(before)  # two Sharded built apart
    assert before.changes_from(after) == plain(before).changes_from(plain(after))
    assert after.changes_from(after) == []


def test_changes_from_names_each_changed_field_once() -> None:
    before = sharded_snapshot()
    after = before
    for step in STEPS:
        after = with_changes(after, step, "me")
    changes = after.changes_from(before)
    assert {(c.photo, c.field, c.value) for c in changes} == {
        ("g/a.jpg", "label", "green"),
        ("g/b.jpg", "flag", None),
        ("g/b.jpg", "tags", ()),
        ("g/c.jpg", "rating", 1),
        ("g/c.jpg", "notes", "crop"),
        (None, "order:g", ("c.jpg", "a.jpg")),
        (None, "cover:g", "c.jpg"),
    }
    assert len(changes) == 7
