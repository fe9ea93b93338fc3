"""``portfolio-tui check`` and the command line, run as a user would (subprocess).

Everything here exits before any UI starts, so no terminal is needed.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from conftest import DEMO_CONFIG, ImageMaker, run_cli, write
from portfolio_tui import __version__
from portfolio_tui.check import check, report


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m portfolio_tui ARGS`` in ``cwd``."""
    return run_cli(*args, cwd=cwd, env=env)


def lines(text: str) -> list[str]:
    return text.strip().splitlines()


@pytest.fixture
def clean_portfolio(tmp_path: Path, make_image: ImageMaker) -> Path:
    """A valid config with one gallery of two photos and a comparison."""
    make_image(tmp_path / "photos" / "studio" / "a.jpg")
    make_image(tmp_path / "photos" / "studio" / "b.png", fmt="PNG")
    write(
        tmp_path / "config.toml",
        '[portfolio]\ntitle = "T"\nroot = "photos"\n\n'
        '[[galleries]]\nid = "studio"\n\n'
        '[[comparisons]]\nid = "ab"\nphotos = ["studio/a.jpg", "studio/b.png"]\n',
    )
    return tmp_path


def test_check_clean_portfolio(clean_portfolio: Path) -> None:
    result = run("check", "config.toml", cwd=clean_portfolio)
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result.stdout) == [
        "check: no problems (1 gallery, 2 photos, 1 comparison checked)."
    ]
    assert result.stderr == ""


def test_check_folder_without_config(portfolio_dir: Path) -> None:
    result = run("check", "portfolio", cwd=portfolio_dir.parent)
    assert result.returncode == 0
    assert (
        lines(result.stdout)[-1]
        == "check: no problems (3 galleries, 5 photos, 0 comparisons checked)."
    )


def test_check_demo_portfolio(tmp_path: Path) -> None:
    result = run("check", str(DEMO_CONFIG), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result.stdout)[-1].startswith("check: no problems (")


def test_check_reports_schema_errors_and_broken_images(clean_portfolio: Path) -> None:
    (clean_portfolio / "photos" / "studio" / "bad.jpg").write_bytes(b"\xff\xd8 not really")
    write(
        clean_portfolio / "config.toml",
        '[portfolio]\ntitle = "T"\nroot = "photos"\nphotgrapher = "Ada"\n\n'
        '[[galleries]]\nid = "studio"\ncover = "nope.jpg"\n\n'
        '[display]\ngraphics = "kity"\n',
    )
    result = run("check", "config.toml", cwd=clean_portfolio)
    assert result.returncode == 1
    out = lines(result.stdout)
    assert out[0] == (
        "config.toml:4:1: unknown key 'photgrapher' in [portfolio]; did you mean 'photographer'?"
    )
    assert out[1] == "config.toml:8:1: cover 'nope.jpg' is not a photo in folder 'studio'"
    assert out[2].startswith("config.toml:11:1: 'graphics' is \"kity\"; it must be one of")
    assert 'did you mean "kitty"?' in out[2]
    assert out[3] == (
        "photos/studio/bad.jpg: not an image Pillow can read (wrong format or damaged)"
    )
    assert out[4] == ("check: 4 problems in 2 files (1 gallery, 3 photos, 0 comparisons checked).")
    assert len(out) == 5


def test_check_paths_are_relative_to_cwd(clean_portfolio: Path) -> None:
    (clean_portfolio / "photos" / "studio" / "bad.jpg").write_bytes(b"junk")
    result = run("check", "../config.toml", cwd=clean_portfolio / "photos")
    assert result.returncode == 1
    assert "studio/bad.jpg: not an image" in lines(result.stdout)[0]
    assert lines(result.stdout)[0].startswith("studio/bad.jpg")


def test_check_unknown_theme(clean_portfolio: Path) -> None:
    write(
        clean_portfolio / "config.toml", '[portfolio]\nroot = "photos"\n[display]\ntheme = "nope"\n'
    )
    result = run("check", "config.toml", cwd=clean_portfolio)
    assert result.returncode == 1
    assert lines(result.stdout)[0].startswith(
        'config.toml:4:1: unknown theme "nope"; choose one of:'
    )
    assert "textual-dark" in lines(result.stdout)[0]


def test_check_invalid_toml_exits_2_with_its_line(clean_portfolio: Path) -> None:
    write(clean_portfolio / "config.toml", '[portfolio]\ntitle = "T"\nroot = photos\n')
    result = run("check", "config.toml", cwd=clean_portfolio)
    assert result.returncode == 2
    out = lines(result.stdout)
    assert out[0].startswith("config.toml:3:")
    assert "invalid TOML" in out[0]
    assert out[-1].startswith("check: the config could not be read")
    assert "Traceback" not in result.stderr


def test_check_missing_config_exits_2(tmp_path: Path) -> None:
    result = run("check", "nope.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert lines(result.stdout)[0] == (
        "nope.toml: config file not found; check the path, or pass a portfolio folder"
    )


def crafted(folder: Path, name: str) -> str | None:
    """Write a broken 'image' called ``name``; None where the file system refuses."""
    try:
        (folder / name).write_bytes(b"junk")
    except (OSError, ValueError):  # pragma: no cover - e.g. Windows forbids some names
        return None
    return name


def test_check_shows_crafted_names_safely(tmp_path: Path) -> None:
    studio = tmp_path / "pf" / "studio"
    studio.mkdir(parents=True)
    click = crafted(studio, "[@click=app.quit]x.jpg")
    escape = crafted(studio, "red\x1b[31mtext.jpg")
    if click is None and escape is None:  # pragma: no cover
        pytest.skip("the file system allows neither crafted name")
    result = run("check", "pf", cwd=tmp_path)
    assert result.returncode == 1
    assert "\x1b" not in result.stdout
    out = lines(result.stdout)
    if click is not None:
        assert "pf/studio/[@click=app.quit]x.jpg: not an image Pillow can read" in out[0]
    if escape is not None:
        assert "pf/studio/red␛[31mtext.jpg: not an image Pillow can read" in result.stdout


def test_check_survives_a_console_that_is_not_utf8(tmp_path: Path) -> None:
    studio = tmp_path / "pf" / "studio"
    studio.mkdir(parents=True)
    if crafted(studio, "red\x1b[31m.jpg") is None:  # pragma: no cover
        pytest.skip("the file system refuses the name")
    result = run("check", "pf", cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "\x1b" not in result.stdout
    assert "red\\u241b[31m.jpg: not an image" in result.stdout


def test_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"portfolio-tui {__version__}"


def test_help_mentions_check_and_open(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "portfolio-tui check" in result.stdout
    assert "--open" in result.stdout
    check_help = run("check", "--help", cwd=tmp_path)
    assert check_help.returncode == 0
    assert "0 no problems, 1 problems found" in check_help.stdout


def test_open_unknown_gallery_lists_known_ids(clean_portfolio: Path) -> None:
    result = run("config.toml", "--open", "gallery:nope", cwd=clean_portfolio)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "portfolio-tui: no gallery 'nope' in this portfolio; known: studio"
    )
    assert result.stdout == ""


def test_open_unknown_comparison_lists_known_ids(tmp_path: Path) -> None:
    result = run(str(DEMO_CONFIG), "--open", "comparison:nope", cwd=tmp_path)
    assert result.returncode == 2
    assert "no comparison 'nope'" in result.stderr
    assert "real-vs-ai" in result.stderr


def test_open_with_a_malformed_target(tmp_path: Path) -> None:
    result = run("--open", "studio", cwd=tmp_path)
    assert result.returncode == 2
    assert "use gallery:ID, comparison:ID or photo:RELATIVE/PATH.jpg" in result.stderr


def test_config_error_exits_2_with_location_and_no_traceback(clean_portfolio: Path) -> None:
    write(clean_portfolio / "config.toml", '[portfolio]\nroot = "photos"\n\ntitel = "T"\n')
    result = run("config.toml", cwd=clean_portfolio)
    assert result.returncode == 2
    assert result.stdout == ""
    err = lines(result.stderr)
    assert err[0] == (
        f"{clean_portfolio / 'config.toml'}:4:1: unknown key 'titel' in [portfolio]; "
        "did you mean 'title'?"
    )
    assert "portfolio-tui check" in err[-1]
    assert "Traceback" not in result.stderr


def test_invalid_toml_stops_the_app_with_its_line(clean_portfolio: Path) -> None:
    write(clean_portfolio / "config.toml", "[portfolio\n")
    result = run("config.toml", cwd=clean_portfolio)
    assert result.returncode == 2
    assert f"{clean_portfolio / 'config.toml'}:1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_api_in_process(clean_portfolio: Path) -> None:
    (clean_portfolio / "photos" / "studio" / "bad.jpg").write_bytes(b"junk")
    result = check(Path("config.toml"), cwd=clean_portfolio, jobs=2)
    assert result.exit_code == 1
    assert [p.file.name for p in result.problems] == ["bad.jpg"]
    out = io.StringIO()
    report(result, out, cwd=clean_portfolio)
    assert out.getvalue().splitlines() == [
        "photos/studio/bad.jpg: not an image Pillow can read (wrong format or damaged)",
        "check: 1 problem in 1 file (1 gallery, 3 photos, 1 comparison checked).",
    ]


def test_check_missing_folder_exits_2_and_says_so(tmp_path: Path) -> None:
    result = run("check", "nowhere", cwd=tmp_path)
    assert result.returncode == 2
    assert lines(result.stdout)[0] == (
        "nowhere: no such folder; give a portfolio folder or config.toml"
    )


def test_unknown_theme_on_the_command_line_exits_2_listing_themes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    result = run(str(tmp_path), "--theme", "no-such-theme", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown theme 'no-such-theme'" in result.stderr
    assert "textual-light" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_client_name_stops_before_the_app_and_writes_nothing(clean_portfolio: Path) -> None:
    result = run("config.toml", "--present", "--client", "Anna\x1b[2J", cwd=clean_portfolio)
    assert result.returncode == 2
    assert result.stderr.startswith("portfolio-tui: --client: ")
    assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
    result = run("config.toml", "--present", "--client", "   ", cwd=clean_portfolio)
    assert result.returncode == 2
    assert not (clean_portfolio / "photos" / "picks.toml").exists()


def test_present_help_names_the_presenting_options(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    for option in ("--present", "--client NAME", "--edit"):
        assert option in result.stdout
    assert "portfolio-tui picks list CLIENT" in result.stdout
    assert "portfolio-tui serve" in result.stdout
