"""``portfolio-tui check``: every problem in a config and its portfolio, one a line."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from .config import Config, default_config, read_config
from .imaging.decode import ImageError, verify
from .portfolio import Photo, Portfolio, load_portfolio, locate
from .problems import ConfigUnreadable, Problem
from .text import count

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found."""

    problems: tuple[Problem, ...]
    portfolio: Portfolio | None
    unreadable: bool = False

    @property
    def exit_code(self) -> int:
        """0 clean, 1 problems found, 2 config unreadable."""
        if self.unreadable:
            return EXIT_UNREADABLE
        return EXIT_PROBLEMS if self.problems else EXIT_CLEAN


def _verify(photo: Photo) -> Problem | None:
    try:
        verify(photo.path)
    except ImageError as exc:
        return Problem(photo.path, exc.reason)
    return None


def check(
    target: Path | None,
    *,
    cwd: Path | None = None,
    extra: Callable[[Config], Iterable[Problem]] | None = None,
    jobs: int | None = None,
) -> CheckResult:
    """Validate the config and portfolio at ``target`` (a config file or folder)."""
    config_path, folder = locate(target, cwd)
    problems: list[Problem] = []
    if config_path is None:
        if not folder.is_dir():
            problem = Problem(folder, "no such folder; give a portfolio folder or config.toml")
            return CheckResult((problem,), None, unreadable=True)
        config = default_config(folder)
    else:
        try:
            config, problems = read_config(config_path)
        except ConfigUnreadable as exc:
            return CheckResult(tuple(exc.problems), None, unreadable=True)
    if extra is not None:
        problems.extend(extra(config))
    portfolio = load_portfolio(config)
    problems.extend(portfolio.problems)
    photos = portfolio.every_photo()
    workers = jobs or min(8, max(2, os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        problems.extend(p for p in pool.map(_verify, photos) if p is not None)
    return CheckResult(tuple(problems), portfolio)


def _relative(problem: Problem, cwd: Path) -> Problem:
    try:
        return replace(problem, file=problem.file.relative_to(cwd))
    except ValueError:
        return problem


def report(result: CheckResult, out: TextIO, cwd: Path | None = None) -> None:
    """Print one problem a line, then a summary line."""
    cwd = cwd or Path.cwd()
    for problem in sorted(
        (_relative(p, cwd) for p in result.problems),
        key=lambda p: (str(p.file), p.line or 0, p.column or 0),
    ):
        print(problem, file=out)
    if result.unreadable:
        print(
            "check: the config could not be read; fix the line above and run check again.", file=out
        )
        return
    p = result.portfolio
    assert p is not None
    photos = len(p.every_photo())
    scope = (
        f"{count(len(p.galleries), 'gallery', 'galleries')}, {count(photos, 'photo')}, "
        f"{count(len(p.comparisons), 'comparison')}"
    )
    if result.problems:
        files = len({pr.file for pr in result.problems})
        print(
            f"check: {count(len(result.problems), 'problem')} in {count(files, 'file')} "
            f"({scope} checked).",
            file=out,
        )
    else:
        print(f"check: no problems ({scope} checked).", file=out)
