"""Issue 21, item 9h: the start-up problems notice shows no server paths.

Viewers over SSH read that notice. Paths under the portfolio root are shown relative to it, and
any other path (a config kept elsewhere, a link's target) by its name alone; ``check`` still
prints the full paths for the curator.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import ImageMaker, write
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.problems import Problem, Severity, shorten_paths

from ._fuzzing import FUZZ

ROOT = Path("/srv/studio/portfolio")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "gallery folder 'nope' does not exist under /srv/studio/portfolio; create it",
            "gallery folder 'nope' does not exist under portfolio; create it",
        ),
        ("cannot read '/srv/studio/portfolio/a/x.jpg.md'", "cannot read 'a/x.jpg.md'"),
        ("a link to /etc/passwd is skipped", "a link to passwd is skipped"),
        ("the folder /srv/studio/portfolio2/x is outside", "the folder x is outside"),
        ("/home/ann/config.toml:3:1: bad", "config.toml:3:1: bad"),
        ("mounted at /mnt/srv/studio/portfolio/x", "mounted at x"),
        (
            "order lists 'a/b.jpg', which is 1 / 2 of JPEG/PNG",
            "order lists 'a/b.jpg', which is 1 / 2 of JPEG/PNG",
        ),
        ("see https://example.com/x", "see https://example.com/x"),
    ],
)
def test_paths_in_a_message_are_made_short(text: str, shown: str) -> None:
    assert shorten_paths(text, ROOT) == shown


def test_a_problem_is_located_relative_to_the_root_or_by_name() -> None:
    inside = Problem(ROOT / "g" / "x.jpg", "broken or looping symlink; it is skipped")
    assert inside.shown(ROOT) == "g/x.jpg: broken or looping symlink; it is skipped"
    at_root = Problem(ROOT, "no photos found", severity=Severity.WARNING)
    assert at_root.shown(ROOT) == "portfolio: warning: no photos found"
    config = Problem(Path("/etc/studio/config.toml"), f"folder under {ROOT}", 8, 1)
    assert config.shown(ROOT) == "config.toml:8:1: folder under portfolio"
    assert str(config) == f"/etc/studio/config.toml:8:1: folder under {ROOT}"  # check: in full


@FUZZ
@given(
    parts=st.lists(st.text(alphabet="abcxyz019._- ", min_size=1, max_size=8), max_size=4),
    before=st.sampled_from(["", "at ", "'", "(", "under "]),
    after=st.sampled_from(["", "'", ";", ": x", ")", " and more"]),
)
def test_no_absolute_path_under_the_root_survives(
    parts: list[str], before: str, after: str
) -> None:
    path = "/".join([str(ROOT), *parts])
    shown = shorten_paths(f"{before}{path}{after}", ROOT)
    assert "/srv" not in shown and "studio" not in shown


def test_a_real_portfolio_with_its_config_elsewhere(tmp_path: Path, make_image: ImageMaker) -> None:
    root = tmp_path / "srv" / "p"
    make_image(root / "a" / "x.jpg")
    (root / "a" / "y.jpg").symlink_to(tmp_path / "nowhere.jpg")
    config = write(
        tmp_path / "etc" / "config.toml",
        f'[portfolio]\ntitle = "T"\nroot = "{root}"\n[[galleries]]\nid = "a"\n'
        '[[galleries]]\nid = "gone"\nfolder = "nope"\n',
    )
    portfolio = open_portfolio(config)
    shown = [p.shown(portfolio.config.root) for p in portfolio.problems]
    assert shown, portfolio.problems
    assert all(str(tmp_path) not in s and "pytest" not in s for s in shown), shown
    assert any(s.startswith("config.toml:") and "does not exist under p;" in s for s in shown)
