"""config.py: TOML to typed settings, every problem with file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from portfolio_tui.config import Config, load_config, read_config
from portfolio_tui.problems import ConfigError, ConfigUnreadable, Problem, Severity


def problems_of(tmp_path: Path, text: str) -> list[Problem]:
    """Schema problems of config ``text`` written to tmp_path/config.toml."""
    path = write(tmp_path / "config.toml", text)
    return read_config(path)[1]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_valid_config_is_typed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        """
[portfolio]
title = "Headshots"
photographer = "Ada"
credits = "one line"

[display]
graphics = "halfblock"
theme = "nord"

[[galleries]]
id = "studio"
order = ["b.jpg", "a.jpg"]
cover = "a.jpg"

[photos."studio/a.jpg"]
title = "A"
tags = ["warm", "studio"]
source = "retouched"

[[comparisons]]
id = "ab"
photos = ["studio/a.jpg", { photo = "studio/b.jpg", label = "B" }]
""",
    )
    config = load_config(path)
    assert isinstance(config, Config)
    assert config.title == "Headshots"
    assert config.photographer == "Ada"
    assert config.credits == ("one line",)
    assert config.display.graphics == "halfblock"
    assert config.display.theme == "nord"
    (gallery,) = config.galleries
    assert (gallery.id, gallery.folder, gallery.title) == ("studio", "studio", "Studio")
    assert gallery.order == ("b.jpg", "a.jpg")
    assert gallery.cover == "a.jpg"
    photo = config.photos["studio/a.jpg"]
    assert photo.tags == ("warm", "studio")
    assert photo.source == "retouched"
    (comparison,) = config.comparisons
    assert [(i.photo, i.label) for i in comparison.items] == [
        ("studio/a.jpg", None),
        ("studio/b.jpg", "B"),
    ]


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "pf" / "config.toml", "[portfolio]\n"))
    assert config.title == "pf"
    assert config.display.graphics == "auto"
    assert config.root == (tmp_path / "pf").resolve()


def test_root_is_relative_to_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "conf" / "config.toml", '[portfolio]\nroot = "../photos"\n')
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    assert load_config(path).root == (tmp_path / "photos").resolve()


def test_unknown_key_gets_did_you_mean(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[portfolio]\ntitle = "x"\nphotgrapher = "Ada"\n'))
    assert problem.file == tmp_path / "config.toml"
    assert (problem.line, problem.column) == (3, 1)
    assert "unknown key 'photgrapher'" in problem.message
    assert "did you mean 'photographer'?" in problem.message
    assert problem.severity is Severity.ERROR
    assert str(problem) == (
        f"{tmp_path / 'config.toml'}:3:1: unknown key 'photgrapher' in [portfolio]; "
        "did you mean 'photographer'?"
    )


def test_unknown_key_without_close_match_lists_allowed(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, "[display]\nzzzz = 1\n"))
    assert "allowed keys are graphics, colors, theme" in problem.message
    assert (problem.line, problem.column) == (2, 1)


def test_unknown_top_level_table(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[portfolio]\ntitle = "x"\n\n[galery]\nx = 1\n'))
    assert problem.line == 4
    assert "did you mean 'galleries'?" in problem.message


def test_title_must_be_a_string(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, "[portfolio]\n\ntitle = 3\n"))
    assert problem.line == 3
    assert (
        problem.message == "'title' must be a string in quotes, not a number (write title = \"3\")"
    )


def test_tags_must_be_a_list_of_strings(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[photos."a.jpg"]\ntitle = "A"\ntags = 5\n'))
    assert problem.line == 3
    assert "'tags' must be a list of strings" in problem.message
    assert "not a number" in problem.message


def test_tags_item_is_located_at_the_item(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[photos."a.jpg"]\ntags = [\n  "a",\n  true,\n]\n'))
    assert (problem.line, problem.column) == (4, 3)
    assert problem.message == "'tags' item 2 must be a string, not true/false"


def test_order_with_a_number(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[[galleries]]\nid = "a"\norder = ["x.jpg", 7]\n'))
    assert (problem.line, problem.column) == (3, 19)
    assert "'order' item 2 must be a string, not a number" in problem.message


def test_galleries_must_be_an_array_of_tables(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[portfolio]\ntitle = "x"\n\n[galleries]\nid = "a"\n'))
    assert problem.line == 4
    assert "[[galleries]]" in problem.message
    assert "not a table" in problem.message
    assert only(problems_of(tmp_path, "galleries = 5\n")).message.endswith("not a number")


def test_galleries_entries_must_be_tables(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "galleries = [1]\n")
    assert [p.message for p in problems] == ["[[galleries]] entry 1 must be a table, not a number"]


def test_wrong_type_in_second_gallery_entry_has_its_line(tmp_path: Path) -> None:
    text = (
        "[[galleries]]\n"
        'id = "one"\n'
        'title = "One"\n'
        "\n"
        "[[galleries]]\n"
        'id = "two"\n'
        "title = 3\n"
        "colour = 1\n"
    )
    problems = problems_of(tmp_path, text)
    by_line = {p.line: p.message for p in problems}
    assert set(by_line) == {7, 8}
    assert by_line[7].startswith("'title' must be a string")
    assert "unknown key 'colour' in [[galleries]] entry 2" in by_line[8]


def test_missing_gallery_id(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[[galleries]]\ntitle = "No id"\n'))
    assert problem.line == 1
    assert "[[galleries]] entry 1 is missing 'id'" in problem.message


def test_graphics_must_be_a_known_mode(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[display]\ngraphics = "halfblok"\n'))
    assert problem.line == 2
    assert '"auto", "kitty", "sixel", "halfblock"' in problem.message
    assert 'did you mean "halfblock"?' in problem.message


@pytest.mark.parametrize("mode", ["auto", "kitty", "sixel", "halfblock"])
def test_every_graphics_mode_is_accepted(tmp_path: Path, mode: str) -> None:
    path = write(tmp_path / "config.toml", f'[display]\ngraphics = "{mode}"\n')
    config, problems = read_config(path)
    assert problems == []
    assert config.display.graphics == mode


def test_source_must_be_a_known_value(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[photos."a.jpg"]\nsource = "camra"\n'))
    assert problem.line == 2
    assert '"camera", "ai", "retouched", "composite"' in problem.message
    assert 'did you mean "camera"?' in problem.message


@pytest.mark.parametrize("source", ["camera", "ai", "retouched", "composite"])
def test_every_source_is_accepted(tmp_path: Path, source: str) -> None:
    assert problems_of(tmp_path, f'[photos."a.jpg"]\nsource = "{source}"\n') == []


def test_duplicate_gallery_id(tmp_path: Path) -> None:
    text = '[[galleries]]\nid = "a"\n[[galleries]]\nid = "b"\n[[galleries]]\nid = "a"\n'
    problem = only(problems_of(tmp_path, text))
    assert problem.line == 6
    assert 'duplicate id "a" (also used by entry 1)' in problem.message


def test_duplicate_comparison_id(tmp_path: Path) -> None:
    entry = '[[comparisons]]\nid = "x"\nphotos = ["a.jpg", "b.jpg"]\n'
    problem = only(problems_of(tmp_path, entry + entry))
    assert problem.line == 5
    assert 'duplicate id "x"' in problem.message


@pytest.mark.parametrize("bad", ["has space", "-leading", "a/b", "é"])
def test_bad_id_characters(tmp_path: Path, bad: str) -> None:
    problem = only(problems_of(tmp_path, f'[[galleries]]\nfolder = "x"\nid = "{bad}"\n'))
    assert problem.line == 3
    assert f'id "{bad}" may use only letters, digits' in problem.message


@pytest.mark.parametrize("count", [0, 1, 5])
def test_comparisons_need_two_to_four_photos(tmp_path: Path, count: int) -> None:
    photos = ", ".join(f'"p{i}.jpg"' for i in range(count))
    problem = only(problems_of(tmp_path, f'[[comparisons]]\nid = "c"\n\nphotos = [{photos}]\n'))
    assert problem.line == 4
    assert f"a comparison shows 2 to 4 photos; this one lists {count}" in problem.message


@pytest.mark.parametrize("count", [2, 3, 4])
def test_two_to_four_comparison_photos_are_fine(tmp_path: Path, count: int) -> None:
    photos = ", ".join(f'"p{i}.jpg"' for i in range(count))
    assert problems_of(tmp_path, f'[[comparisons]]\nid = "c"\nphotos = [{photos}]\n') == []


def test_comparison_without_photos(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[[comparisons]]\nid = "c"\n'))
    assert "is missing 'photos'" in problem.message
    assert problem.line == 1


def test_comparison_photo_that_is_not_a_path_or_table(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, '[[comparisons]]\nid = "c"\nphotos = ["a.jpg", 2]\n'))
    assert (problem.line, problem.column) == (3, 20)
    assert problem.message.startswith("'photos' item 2 must be a path in quotes or")


def test_unknown_key_in_inline_table_across_lines(tmp_path: Path) -> None:
    text = (
        "[[comparisons]]\n"
        'id = "c"\n'
        "photos = [\n"
        '    { photo = "a.jpg", label = "A" },\n'
        '    { photo = "b.jpg", lable = "B" },\n'
        "]\n"
    )
    problem = only(problems_of(tmp_path, text))
    assert (problem.line, problem.column) == (5, 24)
    assert "unknown key 'lable'" in problem.message
    assert "[[comparisons]] entry 1, photos item 2" in problem.message
    assert "did you mean 'label'?" in problem.message


def test_quoted_photo_key_problem_has_its_line(tmp_path: Path) -> None:
    text = (
        '[photos."studio/a.jpg"]\ntitle = "A"\n\n'
        '[photos."studio/b.jpg"]\ncaption = "B"\ntitel = "x"\n'
    )
    problem = only(problems_of(tmp_path, text))
    assert problem.line == 6
    assert "unknown key 'titel' in [photos.\"studio/b.jpg\"]" in problem.message
    assert "did you mean 'title'?" in problem.message


def test_keys_after_a_multiline_string_have_the_right_line(tmp_path: Path) -> None:
    text = (
        "[portfolio]\n"  # 1
        'title = "T"\n'  # 2
        "\n"  # 3
        "[[galleries]]\n"  # 4
        'id = "g"\n'  # 5
        'notes = """\n'  # 6
        '[photos."x.jpg"]\n'  # 7
        'photgrapher = "inside the notes"\n'  # 8
        "[[galleries]]\n"  # 9
        '"""\n'  # 10
        'covr = "a.jpg"\n'  # 11
    )
    problem = only(problems_of(tmp_path, text))
    assert (problem.line, problem.column) == (11, 1)
    assert "unknown key 'covr' in [[galleries]] entry 1; did you mean 'cover'?" in problem.message


@pytest.mark.parametrize(
    ("key", "value", "what"),
    [
        ("folder", "/etc", "absolute"),
        ("folder", "C:\\\\photos", "absolute"),
        ("folder", "../outside", "'..'"),
        ("cover", "sub/../../x.jpg", "'..'"),
    ],
)
def test_paths_must_stay_relative_and_inside(
    tmp_path: Path, key: str, value: str, what: str
) -> None:
    problem = only(problems_of(tmp_path, f'[[galleries]]\nid = "g"\n{key} = "{value}"\n'))
    assert problem.line == 3
    assert what in problem.message


def test_photo_key_with_dotdot_or_absolute(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path, '[photos."../a.jpg"]\ntitle="x"\n[photos."/b.jpg"]\ntitle="y"\n'
    )
    assert [(p.line, "'..'" in p.message, "absolute" in p.message) for p in problems] == [
        (1, True, False),
        (3, False, True),
    ]


def test_comparison_photo_with_dotdot(tmp_path: Path) -> None:
    text = '[[comparisons]]\nid = "c"\nphotos = [\n  "a.jpg",\n  { photo = "../b.jpg" },\n]\n'
    problem = only(problems_of(tmp_path, text))
    assert (problem.line, problem.column) == (5, 3)
    assert "'../b.jpg' leaves the portfolio root" in problem.message


def test_invalid_toml_raises_unreadable_with_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", '[portfolio]\ntitle = "x"\nroot = photos\n')
    with pytest.raises(ConfigUnreadable) as info:
        read_config(path)
    (problem,) = info.value.problems
    assert problem.file == path
    assert problem.line == 3
    assert problem.column is not None
    assert problem.message.startswith("invalid TOML: ")
    assert "strings need quotes" in problem.message


def test_unclosed_table_header(tmp_path: Path) -> None:
    with pytest.raises(ConfigUnreadable) as info:
        read_config(write(tmp_path / "config.toml", "\n\n[portfolio\n"))
    assert info.value.problems[0].line == 3


def test_non_utf8_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[portfolio]\ntitle = "caf\xe9"\n')
    with pytest.raises(ConfigUnreadable) as info:
        read_config(path)
    (problem,) = info.value.problems
    assert problem.line == 2
    assert "not UTF-8" in problem.message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigUnreadable) as info:
        read_config(tmp_path / "nope.toml")
    (problem,) = info.value.problems
    assert problem.file == tmp_path / "nope.toml"
    assert "not found" in problem.message


def test_read_config_returns_problems_load_config_raises(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", '[portfolio]\ntitle = "T"\nphotgrapher = "x"\n')
    config, problems = read_config(path)
    assert config.title == "T"
    assert len(problems) == 1
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert not isinstance(info.value, ConfigUnreadable)
    assert info.value.problems == problems
    assert f"{path}:3:1: unknown key 'photgrapher'" in str(info.value)


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = '[portfolio]\ntitle = 1\nphotgrapher = "x"\n[display]\ngraphics = "sixels"\n'
    problems = problems_of(tmp_path, text)
    assert sorted(p.line for p in problems) == [2, 3, 5]
    assert all(p.column == 1 for p in problems)


def test_config_where_falls_back_to_the_parent(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "config.toml", '\n[[galleries]]\nid = "g"\n'))
    assert config.where("galleries", 0, "order", 3) == (2, 1)
    assert config.where("nothing") == (None, None)
    problem = config.problem("msg", "galleries", 0, "id")
    assert (problem.file, problem.line, problem.column) == (config.path, 3, 1)
