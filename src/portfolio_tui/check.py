"""``portfolio-tui check``: every problem in a config and its portfolio, one a line.

Besides the config and the folders, ``check`` opens every photo: Pillow
verifies it can be read, and its XMP (embedded and sidecars) is read for
provenance.  What is wrong with the XMP (malformed, refused entities, a
sidecar that contradicts the photo, ...) and a config ``source`` that the
XMP disagrees with are *warnings*: the photo still shows, so they are listed
but do not change the exit status.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from .config import Config, default_config, read_config
from .imaging.budget import megapixels
from .imaging.decode import ImageError, opened_image, probe, verify
from .portfolio import Photo, Portfolio, load_portfolio, locate
from .problems import ConfigUnreadable, Problem, Severity
from .provenance import provenance_from
from .text import count
from .xmp import find_sidecars, read_xmp

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found."""

    problems: tuple[Problem, ...]
    portfolio: Portfolio | None
    unreadable: bool = False

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that are not warnings."""
        return tuple(p for p in self.problems if p.severity is not Severity.WARNING)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The warnings: listed, but they leave the exit status at 0."""
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    @property
    def exit_code(self) -> int:
        """0 clean (warnings allowed), 1 problems found, 2 config unreadable."""
        if self.unreadable:
            return EXIT_UNREADABLE
        return EXIT_PROBLEMS if self.errors else EXIT_CLEAN


def _verify(photo: Photo) -> Problem | None:
    try:
        verify(photo.real_path)
    except ImageError as exc:
        return Problem(photo.path, exc.reason)
    return None


SPARSE_PIXELS = 40_000_000
SPARSE_RATIO = 100
"""Pixels per byte of file past which a large image is no photograph: a photo stores at
least a tenth of a byte per pixel, one flat colour a few thousandths (a 366 KB PNG of 89
million pixels is 240 per byte). Decoding such a file takes hundreds of MB each time."""


def _sparse_warning(photo: Photo) -> list[Problem]:
    """A warning for an image of very many pixels in very few bytes (a memory bomb?)."""
    try:
        info = probe(photo.real_path)
        size = os.stat(photo.real_path).st_size
    except (ImageError, OSError):
        return []
    pixels = info.width * info.height
    if pixels < SPARSE_PIXELS or pixels < SPARSE_RATIO * max(1, size):
        return []
    return [
        Problem(
            photo.path,
            f"image is {megapixels((info.width, info.height))} megapixels in a file of "
            f"{max(1, size // 1000):,} KB: a picture stored this small is nearly all one "
            f"colour, not a photograph (a file made to use up memory?); each time it is "
            f"shown, decoding it takes up to {pixels * 4 // 1_000_000:,} MB; export a "
            "smaller copy",
            severity=Severity.WARNING,
        )
    ]


def _colour_warning(photo: Photo) -> list[Problem]:
    """A warning for a colour profile that cannot be used: the photo shows, as sRGB."""
    from .imaging.colour import problem, source_of
    from .imaging.raw import is_raw

    if is_raw(photo.real_path):  # drawn from its JPEG preview or LibRaw's sRGB, not the TIFF
        return []
    try:
        with opened_image(photo.real_path) as image:
            trouble = problem(source_of(image))
    except ImageError:
        return []
    return [] if trouble is None else [Problem(photo.path, trouble, severity=Severity.WARNING)]


def _inspect(photo: Photo, config: Config) -> list[Problem]:
    """Everything wrong with one photo file: unreadable, else its XMP and provenance."""
    problem = _verify(photo)
    if problem is not None:
        return [problem]  # its XMP would only repeat that the file is damaged
    found = _sparse_warning(photo) + _colour_warning(photo)
    facts = read_xmp(photo.path, photo.real_path, photo.raw)
    found += [_xmp_problem(photo, text) for text in facts.problems]
    conflict = provenance_from(photo, facts).conflict
    if conflict is not None:
        found.append(_source_warning(photo, config, conflict))
    return found


def _source_warning(photo: Photo, config: Config, conflict: str) -> Problem:
    """The conflict, at the config's ``source`` key when its position is known."""
    position = config.positions.get(("photos", photo.rel, "source"))
    if config.path is None or position is None:
        return Problem(photo.path, conflict, severity=Severity.WARNING)
    line, column = position
    return Problem(config.path, f"{photo.rel}: {conflict}", line, column, Severity.WARNING)


def _xmp_problem(photo: Photo, text: str) -> Problem:
    """An XMP problem sentence (``"FILE: message"``) as a warning located at FILE.

    :func:`read_xmp` starts each sentence with the photo's path (followed by
    `` (embedded XMP)`` for the packet inside it) or a sidecar's path.
    """
    embedded = f"{photo.path} (embedded XMP): "
    if text.startswith(embedded):
        message = text[len(embedded) :]
        if message.startswith("the XMP "):
            message = "the embedded XMP " + message[len("the XMP ") :]
        else:
            message = "embedded XMP: " + message
        return Problem(photo.path, message, severity=Severity.WARNING)
    for path in [*find_sidecars(photo.path, photo.raw), photo.path]:
        prefix = f"{path}: "
        if text.startswith(prefix):
            # The file is named by the line's location; the photo beside it by its name.
            message = text[len(prefix) :].replace(str(photo.path), photo.name)
            if message.startswith("says "):
                message = "this sidecar " + message
            return Problem(path, message, severity=Severity.WARNING)
    return Problem(photo.path, text, severity=Severity.WARNING)


def store_problems(root: Path) -> list[Problem]:
    """The curation and picks files in ``root`` that are links, special files or too large.

    Each makes its store read-only in the app (a link is never followed: it could lead
    to another portfolio's store or to a login script); only ``lstat`` is used here.
    """
    from . import curation, picks
    from .files import not_regular
    from .store import sqlite_curation

    stores = [
        ("curation", None, sqlite_curation.DB_NAME),
        ("curation", None, sqlite_curation.DB_NAME + "-wal"),
        ("curation", None, sqlite_curation.DB_NAME + "-shm"),
        ("curation", curation.MAX_STORE_BYTES, curation.FILE_NAME),
        ("curation", None, curation.LOCK_NAME),
        ("curation", None, curation.HISTORY_NAME),
        ("favourites", picks.MAX_STORE_BYTES, picks.PICKS_NAME),
        ("favourites", None, picks.LOCK_NAME),
    ]
    found = []
    for what, limit, name in stores:
        path = root / name
        kind = not_regular(path)
        if kind is not None:
            found.append(
                Problem(
                    path,
                    f"{kind}; {what} is read-only until it is a regular file: remove it "
                    "(the app makes a new one) or put the real file in its place",
                )
            )
        elif limit is not None and path.exists() and path.stat().st_size > limit:
            found.append(
                Problem(
                    path,
                    f"damaged store: larger than {limit >> 20} MB, far beyond any {what}; "
                    "move it away or restore it from a backup",
                )
            )
    if not found:
        found.extend(_database_problems(root))
    return found


def _database_problems(root: Path) -> list[Problem]:
    """The curation database read as a viewer reads it: damaged, foreign or newer files
    are named with what to do (the app keeps such a store read-only)."""
    from .curation import CurationError
    from .store.sqlite_curation import DB_NAME, SqliteCurationStore

    if not (root / DB_NAME).exists():
        return []
    try:
        with SqliteCurationStore(root, read_only=True) as store:
            store.load()
            newer = store.newer_schema
    except CurationError as exc:
        return [Problem(root / DB_NAME, _after_path(str(exc), root / DB_NAME))]
    if newer:
        return [Problem(root / DB_NAME, _after_path(newer, root / DB_NAME))]
    return []


def _after_path(message: str, path: Path) -> str:
    """``message`` without its leading ``PATH: `` (the problem names the file already)."""
    for prefix in (f"{path}: ", f"{path} "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


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
    problems.extend(portfolio.not_shown)
    problems.extend(store_problems(portfolio.root))
    photos = portfolio.every_photo()
    workers = jobs or min(8, max(2, os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for found in pool.map(lambda photo: _inspect(photo, config), photos):
            problems.extend(found)
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
    errors, warnings = len(result.errors), len(result.warnings)
    if not result.problems:
        print(f"check: no problems ({scope} checked).", file=out)
        return
    files = count(len({pr.file for pr in result.problems}), "file")
    if not warnings:
        found = count(errors, "problem")
    elif not errors:
        found = f"no problems, {count(warnings, 'warning')}"
    else:
        found = f"{count(errors, 'problem')} and {count(warnings, 'warning')}"
    print(f"check: {found} in {files} ({scope} checked).", file=out)
