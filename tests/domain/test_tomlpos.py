"""_tomlpos.key_positions: every key path mapped to its 1-based line and column."""

from __future__ import annotations

import sys

from portfolio_tui._tomlpos import key_positions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def positions(text: str) -> dict[tuple[str | int, ...], tuple[int, int]]:
    """Positions of ``text``, which must itself be valid TOML."""
    tomllib.loads(text)
    return key_positions(text)


def test_tables_and_keys() -> None:
    found = positions('[portfolio]\ntitle = "x"\n  photographer = "y"\n')
    assert found[("portfolio",)] == (1, 1)
    assert found[("portfolio", "title")] == (2, 1)
    assert found[("portfolio", "photographer")] == (3, 3)


def test_array_of_tables_entries_are_numbered() -> None:
    text = '[[galleries]]\nid = "a"\n\n[[galleries]]\nid = "b"\ntitle = "B"\n'
    found = positions(text)
    assert found[("galleries", 0)] == (1, 1)
    assert found[("galleries", 0, "id")] == (2, 1)
    assert found[("galleries", 1)] == (4, 1)
    assert found[("galleries", 1, "id")] == (5, 1)
    assert found[("galleries", 1, "title")] == (6, 1)


def test_sub_table_of_an_array_entry() -> None:
    text = '[[galleries]]\nid = "a"\n[galleries.extra]\nx = 1\n[[galleries]]\nid = "b"\n'
    found = positions(text)
    assert found[("galleries", 0, "extra", "x")] == (4, 1)
    assert found[("galleries", 1, "id")] == (6, 1)


def test_quoted_table_keys() -> None:
    text = "[photos.\"studio/a.jpg\"]\ntitle = 1\n\n[photos.'b c.jpg']\ntags = 2\n"
    found = positions(text)
    assert found[("photos", "studio/a.jpg")] == (1, 1)
    assert found[("photos", "studio/a.jpg", "title")] == (2, 1)
    assert found[("photos", "b c.jpg", "tags")] == (5, 1)


def test_quoted_key_with_escape_is_decoded() -> None:
    found = positions('[photos."caf\\u00e9.jpg"]\ntitle = 1\n')
    assert found[("photos", "café.jpg", "title")] == (2, 1)


def test_dotted_keys_and_spaces_in_headers() -> None:
    found = positions('portfolio.title = "x"\n[ photos . "a.jpg" ]\ntitle = 1\n')
    assert found[("portfolio", "title")] == (1, 1)
    assert found[("photos", "a.jpg", "title")] == (3, 1)


def test_array_elements_across_lines() -> None:
    text = 'tags = [\n  "a",  # comment ]\n  "b",\n]\nnext = 1\n'
    found = positions(text)
    assert found[("tags", 0)] == (2, 3)
    assert found[("tags", 1)] == (3, 3)
    assert found[("next",)] == (5, 1)


def test_inline_tables_in_an_array_across_lines() -> None:
    text = (
        "[[comparisons]]\n"
        'id = "c"\n'
        "photos = [\n"
        '    { photo = "a.jpg", label = "A" },\n'
        '    { photo = "b.jpg", lable = "B" },\n'
        "]\n"
        'title = "T"\n'
    )
    found = positions(text)
    assert found[("comparisons", 0, "photos")] == (3, 1)
    assert found[("comparisons", 0, "photos", 0)] == (4, 5)
    assert found[("comparisons", 0, "photos", 0, "label")] == (4, 24)
    assert found[("comparisons", 0, "photos", 1)] == (5, 5)
    assert found[("comparisons", 0, "photos", 1, "lable")] == (5, 24)
    assert found[("comparisons", 0, "title")] == (7, 1)


def test_multiline_strings_do_not_confuse_the_scanner() -> None:
    text = (
        "[portfolio]\n"
        'notes = """\n'
        '[photos."fake.jpg"]\n'
        'photographer = "not a key"\n'
        "[[galleries]]\n"
        'tricky \\""" still inside\n'
        '"""\n'
        "title = 'after basic'\n"
        "more = '''\n"
        "[display]\n"
        "x = 1\n"
        "'''\n"
        'last = "after literal"\n'
    )
    found = positions(text)
    assert found[("portfolio", "title")] == (8, 1)
    assert found[("portfolio", "last")] == (13, 1)
    assert ("photos", "fake.jpg") not in found
    assert ("portfolio", "photographer") not in found
    assert ("galleries",) not in found
    assert ("display",) not in found


def test_strings_with_brackets_hashes_and_escaped_quotes() -> None:
    text = 'a = "x # [y] \\" z"\nb = \'[c]\'\nc = """q""""\nd = 1\n'
    found = positions(text)
    assert found[("b",)] == (2, 1)
    assert found[("c",)] == (3, 1)
    assert found[("d",)] == (4, 1)


def test_crlf_line_endings() -> None:
    found = positions("[portfolio]\r\ntitle = 1\r\nroot = 2\r\n")
    assert found[("portfolio", "root")] == (3, 1)


def test_never_raises_on_garbage() -> None:
    for text in ('[unclosed\nx = "', '"""', "[[a.", "a = [1, {", "= = ="):
        assert isinstance(key_positions(text), dict)
