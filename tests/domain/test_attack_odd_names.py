"""Issue 21, item 3: a photo whose name is not UTF-8 is curated and saved losslessly.

Linux file names are bytes. A photo named ``caf\\xe9.jpg`` (Latin-1, from an old
camera card or a zip made on Windows) reaches Python as ``caf\\udce9.jpg``; it
used to raise UnicodeEncodeError inside every save. Such names are written to
``curation.toml`` and ``picks.toml`` as ``caf\\\\xe9.jpg`` (docs/curation.md) and to the
history as ``\\udce9`` escapes, and read back as the same name.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import ImageMaker, run_cli
from portfolio_tui.curation import (
    HISTORY_NAME,
    Change,
    CurationStore,
    clean_author,
    history,
)
from portfolio_tui.picks import PicksStore
from portfolio_tui.portfolio import open_portfolio

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or sys.getfilesystemencoding() != "utf-8",
    reason="needs a POSIX file system with UTF-8 names",
)

RAW = b"caf\xe9 \xff\xfe.jpg"
"""A name that is not UTF-8: Latin-1 é and two bytes no encoding would produce."""


@pytest.fixture
def root(tmp_path: Path, make_image: ImageMaker) -> Path:
    make_image(tmp_path / "p" / "g" / "plain.jpg")
    made = make_image(tmp_path / "p" / "g" / "made.jpg")
    os.rename(made, os.path.join(os.fsencode(made.parent), RAW))
    return tmp_path / "p"


def odd_rel(root: Path) -> str:
    portfolio = open_portfolio(root)
    rels = [photo.rel for photo in portfolio.every_photo() if photo.rel != "g/plain.jpg"]
    assert len(rels) == 1
    assert os.fsencode(rels[0]) == b"g/" + RAW
    return rels[0]


def test_a_raw_byte_name_is_rated_saved_and_read_back(root: Path) -> None:
    rel = odd_rel(root)
    store = CurationStore(root, author="maria")
    store.apply([Change.rating(rel, 4), Change.tags(rel, ["old card"])])
    again = CurationStore(root).load()
    assert again.photo(rel).rating == 4 and again.photo(rel).tags == ("old card",)
    text = (root / "curation.toml").read_bytes().decode("utf-8")  # the file stays UTF-8
    assert '[photos."g/caf\\\\xe9 \\\\xff\\\\xfe.jpg"]' in text
    assert tomllib.loads(text)["photos"]["g/caf\\xe9 \\xff\\xfe.jpg"]["rating"] == 4
    # Another save (another curator, another photo) keeps it.
    CurationStore(root, author="ben").apply([Change.flag("g/plain.jpg", "pick")])
    assert CurationStore(root).load().photo(rel).rating == 4


def test_order_and_cover_with_raw_byte_names_round_trip(root: Path) -> None:
    rel = odd_rel(root)
    name = rel.split("/", 1)[1]
    # Names that could be mistaken for the escape: a literal backslash-x, a doubled backslash.
    tricky = ["a\\xe9.jpg", "b\\\\c.jpg", "d\\.jpg", name, f"\\{name}"]
    store = CurationStore(root, author="maria")
    store.apply([Change.order("g", ["plain.jpg", *tricky]), Change.cover("g", name)])
    store.apply([Change.order("gal\udcff", [name]), Change.cover("gal\udcff", f"\\{name}")])
    again = CurationStore(root).load()
    assert again.order["g"] == ("plain.jpg", *tricky)
    assert again.covers["g"] == name
    assert again.order["gal\udcff"] == (name,)
    assert again.covers["gal\udcff"] == f"\\{name}"


def test_an_existing_utf8_store_is_unchanged_byte_for_byte_but_for_the_change(
    root: Path,
) -> None:
    store = CurationStore(root, author="maria")
    store.apply(
        [
            Change.rating("g/café.jpg", 3),
            Change.notes('g/quote "and" it.jpg', "two\nlines"),
            Change.rating("g/日本.jpg", 2),
            Change.order("g", ["日本.jpg", "café.jpg", "back\\slash.jpg"]),
            Change.cover("g", "café.jpg"),
        ]
    )
    before = (root / "curation.toml").read_text(encoding="utf-8").split("\n\n")
    CurationStore(root, author="maria").apply([Change.rating("g/plain.jpg", 5)])
    after = (root / "curation.toml").read_text(encoding="utf-8").split("\n\n")
    assert [block for block in after if block not in before] == [
        block for block in after if block.startswith('[photos."g/plain.jpg"]')
    ]
    assert [block for block in before if block not in after] == []


def test_picks_of_a_raw_byte_name_are_saved_and_read_back(root: Path) -> None:
    rel = odd_rel(root)
    PicksStore(root, author="anna").apply("Anna", add=[rel, "g/plain.jpg"])
    assert PicksStore(root).load("Anna").photos() == (rel, "g/plain.jpg")
    text = (root / "picks.toml").read_bytes().decode("utf-8")
    assert '"g/caf\\\\xe9 \\\\xff\\\\xfe.jpg" = ' in text
    PicksStore(root, author="anna").apply("Anna", remove=[rel])
    assert PicksStore(root).load("Anna").photos() == ("g/plain.jpg",)


def test_the_history_holds_a_raw_byte_name_and_prints_it_cleaned(root: Path) -> None:
    rel = odd_rel(root)
    CurationStore(root, author="maria").apply([Change.rating(rel, 5)])
    raw = (root / HISTORY_NAME).read_bytes()
    raw.decode("utf-8")  # valid UTF-8: the name is escaped, \udce9
    assert json.loads(raw)["photo"] == rel
    read = history(root)
    assert read.damaged == 0 and [e.photo for e in read.entries] == [rel]
    assert history(root, photo=rel).entries[0].after == 5
    done = run_cli("history", str(root), cwd=root.parent, env={"TZ": "UTC"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip("\n").endswith("maria  g/caf\ufffd \ufffd\ufffd.jpg  rating 0 → 5")


def test_an_author_name_that_is_not_utf8_is_saved_cleaned(root: Path) -> None:
    # ``--as`` from a terminal in Latin-1 arrives with an undecodable byte.
    store = CurationStore(root, author="ren\udce9")
    store.apply([Change.rating("g/plain.jpg", 1)])
    assert CurationStore(root).load().photo("g/plain.jpg").updated_by == "ren\ufffd"
    assert clean_author("ren\udce9") == "ren\ufffd"
    assert [e.by for e in history(root).entries] == ["ren\ufffd"]
