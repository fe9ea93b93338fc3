"""Property tests for the TOML readers: config, _tomlpos, the curation store, the picks store.

Documents are built from strategies (valid TOML with the right tables, wrong
types, unknown keys, odd Unicode in keys and values, huge numbers, dates with
extreme offsets, deep nesting), and also come as arbitrary text and bytes.
How to run a long campaign: see tests/domain/test_fuzz.py.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from portfolio_tui import curation, picks
from portfolio_tui._tomlpos import key_positions
from portfolio_tui.config import (
    Config,
    ConfigError,
    ConfigUnreadable,
    load_config,
    parse_config,
    read_config,
)
from portfolio_tui.curation import CurationError, CurationStore
from portfolio_tui.picks import PicksError, PicksStore
from portfolio_tui.problems import Problem, Severity
from portfolio_tui.text import clean

from ._fuzzing import FUZZ, lines_in, scratch

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# -- TOML text from strategies ------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
text_char = st.characters(exclude_categories=("Cs",))  # TOML text is UTF-8: no surrogates


def basic_string(text: str) -> str:
    """A TOML basic string holding ``text`` (every control character escaped)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04X}", text) + '"'


def key_text(key: str) -> str:
    return key if _BARE.fullmatch(key) else basic_string(key)


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


offsets = st.integers(-1439, 1439).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
strings = st.one_of(
    st.text(text_char).map(basic_string),
    st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="'")).map(
        lambda s: f"'{s}'"
    ),
    st.text(text_char).map(lambda s: '"""\n' + basic_string(s)[1:-1] + '"""'),
)
plain_scalars = st.one_of(
    strings,
    st.integers().map(str),
    st.sampled_from(["0", "-1", "6", "9" * 30, "0x7fffffffffffffff", "-0o777", "0b1", "1_000"]),
    st.floats().map(_float),
    st.sampled_from(["true", "false", "1e400", "-0.0", "+inf", "5.0", "4.5"]),
    st.datetimes(timezones=st.none() | offsets).map(lambda d: d.isoformat()),
    st.dates().map(dt.date.isoformat),
    st.times().map(dt.time.isoformat),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]),
)
scalars = st.one_of(
    plain_scalars,
    st.just("9" * 4301),  # past int()'s digit limit
    st.sampled_from([2, 40, 1100]).map(lambda n: "[" * n + "]" * n),  # past the recursion limit
    st.sampled_from([2, 40, 1100]).map(lambda n: "{a=" * n + "1" + "}" * n),
)


def _nested(leaves: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
            st.lists(st.tuples(st.text(text_char, max_size=6), inner), max_size=3).map(
                lambda pairs: "{" + ", ".join(f"{key_text(k)} = {v}" for k, v in pairs) + "}"
            ),
        ),
        max_leaves=8,
    )


values = _nested(scalars)
parseable_values = _nested(plain_scalars)
"""Values tomllib reads (for checking positions in documents that parse)."""


@dataclass
class Doc:
    """A generated document and where its keys were written (for _tomlpos)."""

    lines: list[str] = field(default_factory=list)
    expected: dict[tuple[str | int, ...], tuple[int, int]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def next_line(self) -> int:
        """The number of the line the next entry of ``lines`` starts on."""
        return sum(line.count("\n") + 1 for line in self.lines) + 1

    def assign(self, table: tuple[str | int, ...], key: str, value: str, indent: str) -> None:
        self.expected.setdefault((*table, key), (self.next_line(), len(indent) + 1))
        self.lines.append(f"{indent}{key_text(key)} = {value}")


@st.composite
def documents(
    draw: st.DrawFn,
    top_keys: list[str],
    tables: list[str],
    arrays: list[str],
    sub_keys: list[str],
    sub_names: st.SearchStrategy[str] | None = None,
    values: st.SearchStrategy[str] = values,
) -> Doc:
    """TOML with the given tables and keys mostly, wrong types and strangers often."""
    any_key = st.text(text_char, max_size=8)
    doc = Doc()
    if draw(st.booleans()):
        doc.lines.append("# " + draw(st.text(text_char, max_size=20)).replace("\n", " "))
    for key in draw(st.lists(st.sampled_from(top_keys) | any_key, max_size=3, unique=True)):
        doc.assign((), key, draw(values), "")
    seen: set[tuple[str, ...]] = set()
    aot_count: dict[str, int] = {}
    for _ in range(draw(st.integers(0, 5))):
        indent = draw(st.sampled_from(["", "  ", "\t"]))
        doc.lines.append("")
        if arrays and draw(st.booleans()):
            name = draw(st.sampled_from(arrays) | any_key)
            if (name,) in seen:
                continue
            index = aot_count.get(name, -1) + 1
            aot_count[name] = index
            path: tuple[str | int, ...] = (name, index)
            doc.expected.setdefault((name,), (doc.next_line(), 1))
            doc.expected[path] = (doc.next_line(), 1)
            doc.lines.append(f"[[{key_text(name)}]]")
        else:
            name = draw(st.sampled_from(tables) | any_key)
            if name in aot_count:
                continue
            keys = (name,)
            if sub_names is not None and draw(st.booleans()):
                keys = (name, draw(sub_names))
            if keys in seen:
                continue
            seen.add(keys)
            path = keys
            doc.expected.setdefault(keys, (doc.next_line(), 1))
            doc.lines.append("[" + ".".join(key_text(k) for k in keys) + "]")
        for key in draw(st.lists(st.sampled_from(sub_keys) | any_key, max_size=4, unique=True)):
            doc.assign(path, key, draw(values), indent)
    return doc


def toml_bytes(docs: st.SearchStrategy[Doc]) -> st.SearchStrategy[bytes]:
    """Documents as UTF-8, arbitrary text, arbitrary bytes, and documents with bad bytes."""
    return st.one_of(
        docs.map(lambda d: d.text.encode("utf-8")),
        st.text(st.characters(exclude_categories=("Cs",))).map(lambda t: t.encode("utf-8")),
        st.binary(),
        st.tuples(docs, st.binary(min_size=1, max_size=4), st.integers(0, 10_000)).map(
            lambda t: _splice(t[0].text.encode("utf-8"), t[1], t[2])
        ),
    )


def _splice(data: bytes, junk: bytes, where: int) -> bytes:
    where = where % (len(data) + 1)
    return data[:where] + junk + b"\xff" + data[where:]


def check_problem(problem: Problem, path: Path, data: bytes) -> None:
    """A problem names the file, and a line and column that exist."""
    assert problem.file == path
    if problem.line is not None:
        assert 1 <= problem.line <= lines_in(data)
    if problem.column is not None:
        assert problem.line is not None and problem.column >= 1
    assert str(problem).startswith(clean(str(path)))
    assert clean(str(problem)) == str(problem)


# -- config ------------------------------------------------------------------------

CONFIG_DOCS = documents(
    top_keys=["portfolio", "display", "present", "photos", "galleries", "title"],
    tables=["portfolio", "display", "present", "photos"],
    arrays=["galleries", "comparisons"],
    sub_keys=[
        *("title", "photographer", "root", "credits", "graphics", "colors", "theme"),
        *("interval", "captions", "closing", "id", "folder", "order", "cover", "notes"),
        *("caption", "tags", "source", "photos", "photo", "label"),
    ],
    sub_names=st.sampled_from(["studio/a.jpg", "../x.jpg", "/abs.jpg", "C:\\x"])
    | st.text(text_char, max_size=10),
)


def _check_config(config: Config, path: Path) -> None:
    assert config.path == path
    assert isinstance(config.title, str)
    assert config.root.is_absolute()
    assert config.display.graphics in ("auto", "kitty", "sixel", "halfblock")
    assert config.display.colors in ("auto", "truecolor", "256")
    assert 1.0 <= config.present.interval <= 600.0
    assert isinstance(config.present.captions, bool)
    for gallery in config.galleries:
        assert isinstance(gallery.id, str) and isinstance(gallery.folder, str)
        assert all(isinstance(name, str) for name in gallery.order)
    for key, photo in config.photos.items():
        assert isinstance(key, str) and all(isinstance(t, str) for t in photo.tags)
    for comparison in config.comparisons:
        assert all(isinstance(item.photo, str) for item in comparison.items)


@FUZZ
@given(data=toml_bytes(CONFIG_DOCS))
@example(data=b"a = " + b"[" * 1000 + b"]" * 1000)  # RecursionError escaped tomllib
@example(data=b"a = " + b"9" * 4301)  # ValueError: tomllib's int() digit limit
@example(data=b"[present]\ninterval = 1" + b"0" * 400)  # OverflowError formatting {value:g}
@example(data=b'[portfolio]\nroot = "a\\u0000b"')  # ValueError: embedded null byte in resolve()
@example(data=b"\xef\xbb\xbftitle = 1")  # a byte order mark
def test_config_reader_raises_only_config_errors(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """read_config/load_config: ConfigUnreadable or located problems, nothing else."""
    with scratch(tmp_path_factory) as folder:
        path = folder / "config.toml"
        path.write_bytes(data)
        try:
            config, problems = read_config(path)
        except ConfigUnreadable as exc:
            assert exc.problems
            for problem in exc.problems:
                check_problem(problem, path, data)
            with pytest.raises(ConfigUnreadable):
                load_config(path)
            return
        _check_config(config, path)
        for problem in problems:
            check_problem(problem, path, data)
        if problems:
            with pytest.raises(ConfigError) as caught:
                load_config(path)
            assert caught.value.problems == problems
        else:
            assert load_config(path) == config


@FUZZ
@given(st.text(st.characters(exclude_categories=())))
def test_parse_config_takes_any_text(text: str) -> None:
    """Text from anywhere (lone surrogates too: a str never read from a file)."""
    path = Path("/nowhere/config.toml")
    try:
        _config, problems = parse_config(text, path)
    except ConfigUnreadable as exc:
        problems = exc.problems
    for problem in problems:
        check_problem(problem, path, text.encode("utf-8", "surrogatepass"))


# -- _tomlpos ----------------------------------------------------------------------

ANY_DOCS = documents(
    top_keys=["a", "b"], tables=["t", "u"], arrays=["aot"], sub_keys=["k"], sub_names=st.text()
)
PARSEABLE_DOCS = documents(
    top_keys=["a", "b", "photos"],
    tables=["t", "photos"],
    arrays=["aot", "galleries"],
    sub_keys=["k", "id", "title"],
    sub_names=st.text(text_char, max_size=8),
    values=parseable_values,
)


@FUZZ
@given(st.one_of(ANY_DOCS.map(lambda d: d.text), st.text(st.characters(exclude_categories=()))))
@example('a = """\\"""\n[t]\nk = 1\n')
def test_key_positions_never_raises_and_stays_in_the_text(text: str) -> None:
    positions = key_positions(text)
    lines = text.split("\n")
    for key_path, (line, column) in positions.items():
        assert isinstance(key_path, tuple)  # () for a lone "[": harmless, never looked up
        assert 1 <= line <= len(lines)
        assert 1 <= column <= len(lines[line - 1]) + 1


@FUZZ
@given(PARSEABLE_DOCS)
def test_key_positions_find_every_key_where_it_was_written(doc: Doc) -> None:
    """On valid TOML, every table header and assignment is found at its line and column."""
    text = doc.text
    try:
        tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        assume(False)
    positions = key_positions(text)
    for key_path, where in doc.expected.items():
        assert positions.get(key_path) == where, key_path


# -- curation store ----------------------------------------------------------------

CURATION_DOCS = documents(
    top_keys=["format", "photos", "order", "covers"],
    tables=["photos", "order", "covers"],
    arrays=[],
    sub_keys=[*curation.PHOTO_FIELDS, "updated_by", "updated_at", "studio", "a.jpg"],
    sub_names=st.sampled_from(["studio/a.jpg", "a.jpg", "../up.jpg", "/abs.jpg", "."])
    | st.text(text_char, max_size=10),
)


def _check_snapshot(snapshot: curation.Snapshot, store: CurationStore, data: bytes) -> None:
    for rel, entry in snapshot.photos.items():
        assert isinstance(rel, str)
        assert 0 <= entry.rating <= curation.MAX_RATING
        assert entry.flag in (None, *curation.FLAGS)
        assert entry.label in (None, *curation.LABELS)
        assert len(entry.tags) <= curation.MAX_TAGS
        for tag in entry.tags:
            assert tag and clean(tag) == tag and len(tag) <= curation.MAX_TAG_CHARS
        assert isinstance(entry.notes, str)
        assert len(entry.notes.encode("utf-8", "surrogatepass")) <= curation.MAX_NOTES_BYTES
        for text in (entry.updated_by, entry.updated_at):
            assert text is None or clean(text) == text
    for names in snapshot.order.values():
        assert all(isinstance(name, str) and name for name in names)
    assert all(isinstance(name, str) and name for name in snapshot.covers.values())
    for problem in snapshot.problems:
        assert problem.severity is Severity.WARNING
        check_problem(problem, store.path, data)


@FUZZ
@given(data=toml_bytes(CURATION_DOCS))
@example(data=b'[photos."a.jpg"]\nrating = 9\ntags = [1, "x"]\nupdated_at = 1979-05-27T07:32:00Z\n')
def test_curation_store_load_raises_only_curation_errors(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with scratch(tmp_path_factory) as root:
        (root / curation.FILE_NAME).write_bytes(data)
        store = CurationStore(root, author="fuzz")
        try:
            snapshot = store.load()
        except CurationError as exc:
            assert exc.path == store.path
            assert exc.line is None or 1 <= exc.line <= lines_in(data)
            assert store.read_only
            return
        _check_snapshot(snapshot, store, data)


def test_curation_load_deeply_nested_value(tmp_path: Path) -> None:
    """``format = [[[...]]]`` 1000 deep: tomllib's RecursionError is a CurationError."""
    (tmp_path / curation.FILE_NAME).write_text("format = " + "[" * 1000 + "]" * 1000)
    with pytest.raises(CurationError):
        CurationStore(tmp_path).load()


def test_curation_load_integer_over_4300_digits(tmp_path: Path) -> None:
    """``format = 999...9`` (4301 digits): tomllib's plain ValueError is a CurationError."""
    (tmp_path / curation.FILE_NAME).write_text("format = " + "9" * 4301)
    with pytest.raises(CurationError):
        CurationStore(tmp_path).load()


def test_curation_load_updated_at_out_of_range_in_utc(tmp_path: Path) -> None:
    """``updated_at = 0001-01-01T00:00:00+01:00``: kept as written (UTC would overflow)."""
    (tmp_path / curation.FILE_NAME).write_text(
        '[photos."a.jpg"]\nrating = 3\nupdated_at = 0001-01-01T00:00:00+01:00\n'
    )
    snapshot = CurationStore(tmp_path).load()
    assert snapshot.photo("a.jpg").rating == 3


# -- picks store -------------------------------------------------------------------

PICK_ENTRIES = st.one_of(
    values,
    st.tuples(scalars, scalars).map(lambda t: f"{{ at = {t[0]}, by = {t[1]} }}"),
)
PICKS_DOCS = documents(
    top_keys=["version", "clients"],
    tables=["clients"],
    arrays=["clients"],
    sub_keys=["studio/a.jpg", "a.jpg", "at", "by"],
    sub_names=st.sampled_from(["Ann", "ann", ""]) | st.text(text_char, max_size=10),
)
client_names = st.sampled_from(["Ann", "ann", " Ann "]) | st.text(
    st.characters(exclude_categories=()), max_size=70
)


def _picks_bytes() -> st.SearchStrategy[bytes]:
    entry_docs = st.lists(st.tuples(st.text(text_char, max_size=8), PICK_ENTRIES), max_size=4).map(
        lambda pairs: (
            'version = 1\n[clients."Ann"]\n' + "".join(f"{key_text(k)} = {v}\n" for k, v in pairs)
        ).encode("utf-8")
    )
    return st.one_of(toml_bytes(PICKS_DOCS), entry_docs)


def _check_client_picks(found: picks.ClientPicks) -> None:
    assert found.picks, "only clients with picks are listed"
    for pick in found.picks:
        assert isinstance(pick.photo, str)
        assert isinstance(pick.at, str) and isinstance(pick.by, str)


@FUZZ
@given(data=_picks_bytes(), client=client_names)
@example(data=b'[clients."Ann"]\n"a.jpg" = { at = 0001-01-01T00:00:00+01:00 }\n', client="Ann")
@example(data=b"version = " + b"9" * 4301, client="Ann")
@example(data=b"version = " + b"[" * 1000 + b"]" * 1000, client="Ann")
def test_picks_store_reads_raise_only_picks_errors(
    data: bytes, client: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """load/load_all/clients: PicksError (with the file and a real line) or good picks."""
    with scratch(tmp_path_factory) as root:
        (root / picks.PICKS_NAME).write_bytes(data)
        store = PicksStore(root, author="fuzz")
        readers: list[Callable[[], object]] = [store.clients, store.load_all]
        readers.append(lambda: store.load(client))
        for read in readers:
            try:
                result = read()
            except PicksError as exc:
                if exc.path is not None:
                    assert exc.path == store.path
                assert exc.line is None or 1 <= exc.line <= lines_in(data)
                continue
            if isinstance(result, picks.ClientPicks):
                assert result.client == picks.client_name(client)
            elif isinstance(result, dict):
                for name, found in result.items():
                    assert found.client == name
                    _check_client_picks(found)
            else:
                assert isinstance(result, list) and all(isinstance(n, str) for n in result)
