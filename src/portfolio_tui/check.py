"""``portfolio-tui check``: every problem in a config and its portfolio, one a line.

Besides the config and the folders, ``check`` opens every photo: Pillow
verifies it can be read, and its XMP (embedded and sidecars) and C2PA Content
Credentials are read for provenance.  What is wrong with the XMP (malformed,
refused entities, a sidecar that contradicts the photo, ...) and a config
``source`` that the XMP disagrees with are *warnings*: the photo still shows,
so they are listed but do not change the exit status.

The provenance gate (docs/troubleshooting.md, "Provenance and Content
Credentials") makes these *errors*:

- the config calls a photo a camera original (``source = "camera"``) and its
  intact credentials say AI-generated or composite (at the ``source`` line);
- credentials that are invalid (edited after signing, a signature that does
  not verify) or cannot be read (at the photo);
- a comparison of ``kind = "real-vs-ai"`` with no side whose badge trusted
  credentials decided (at the ``kind`` line).

Other disagreements between the credentials and the config or XMP, and
credentials by a signer not on the trust list, are warnings;
``--provenance strict`` makes the unknown signer an error too.  A photo with
no manifest costs one look at its header: the c2pa library is not imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from .config import Config, default_config, read_config
from .credentials.model import INVALID, NONE, TRUSTED, UNKNOWN_SIGNER, UNREADABLE, Credentials
from .credentials.reading import TRUST_CODES, read_credentials
from .imaging.budget import megapixels
from .imaging.decode import ImageError, opened_image, probe, verify
from .model.config_types import REAL_VS_AI
from .portfolio import Comparison, Photo, Portfolio, load_portfolio, locate
from .problems import ConfigUnreadable, Problem, Severity
from .provenance import CREDENTIALS, Provenance, provenance_from, signer_words
from .text import clean, count
from .xmp import AI, CAMERA, COMPOSITE, find_sidecars, read_xmp

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


def _inspect(
    photo: Photo, config: Config, strict: bool = False
) -> tuple[list[Problem], Provenance | None]:
    """Everything wrong with one photo file (unreadable, else its XMP and provenance),
    and its provenance (None when the file cannot be read)."""
    problem = _verify(photo)
    if problem is not None:
        return [problem], None  # its XMP would only repeat that the file is damaged
    found = _sparse_warning(photo) + _colour_warning(photo)
    facts = read_xmp(photo.path, photo.real_path, photo.raw)
    found += [_xmp_problem(photo, text) for text in facts.problems]
    # The credentials of the file shown (a pair's JPEG), as the badge reads them.
    result = provenance_from(photo, facts, read_credentials(photo.real_path))
    found += _provenance_problems(photo, config, result, strict)
    return found, result


def _provenance_problems(
    photo: Photo, config: Config, found: Provenance, strict: bool
) -> list[Problem]:
    """The gate for one photo: its credentials' state and their disagreements."""
    credentials = found.credentials
    state = credentials.state
    where = " (in its .c2pa sidecar)" if credentials.sidecar else ""
    problems: list[Problem] = []
    if state == INVALID:
        # What failed; "signer not on the trust list" is not why they are invalid.
        failed = [code for code in credentials.codes if code not in TRUST_CODES][:3]
        codes = f" ({', '.join(failed)})" if failed else ""
        problems.append(
            Problem(
                photo.path,
                f"its Content Credentials{where} are invalid: "
                f"{credentials.problem or 'the manifest does not verify'}{codes}; they are "
                "not used for the badge. Export the photo again from the app that signed "
                "it, or put the signed original back",
            )
        )
    elif state == UNREADABLE:
        problems.append(
            Problem(
                photo.path,
                f"its Content Credentials{where} cannot be read: "
                f"{credentials.problem or 'the manifest is malformed'}; they are not used "
                "for the badge. Export the photo again from the app that signed it",
            )
        )
    elif state == UNKNOWN_SIGNER:
        problems.append(_unknown_signer(photo, credentials, where, strict))
    if found.origin == CREDENTIALS and photo.source == CAMERA and found.badge in (AI, COMPOSITE):
        problems.append(_camera_error(photo, config, found))
    elif found.conflict is not None:
        at_config = photo.source is not None and found.conflict.startswith("the config says")
        problems.append(_source_warning(photo, config, found.conflict, at_config))
    return problems


def _unknown_signer(photo: Photo, credentials: Credentials, where: str, strict: bool) -> Problem:
    """Intact credentials nobody on the trust list vouches for: a warning (strict: an error)."""
    if credentials.codes and not any(code in TRUST_CODES for code in credentials.codes):
        # The claim's signer is trusted; an identity assertion in it (CAWG) is not.
        who = f"carry an identity ({', '.join(credentials.codes[:3])}) whose signer"
    else:
        name = credentials.signer or credentials.signed_by
        who = f"signed by {clean(name)}, who" if name else "signed by a signer who"
    return Problem(
        photo.path,
        f"its Content Credentials{where} are intact but {who} is not on the "
        "trust list in use, so the badge says (unknown signer)"
        + (" and --provenance strict fails it" if strict else "")
        + ". To vouch for this signer, install a trust list that holds its certificate "
        "(portfolio-tui trust update FILE)",
        severity=Severity.ERROR if strict else Severity.WARNING,
    )


def _camera_error(photo: Photo, config: Config, found: Provenance) -> Problem:
    """The config calls a photo a camera original its intact credentials call AI or composite."""
    credentials = found.credentials
    code = credentials.source_type or ""
    message = (
        f'the config calls it a camera original (source = "camera"), but its Content '
        f"Credentials ({signer_words(credentials)}) say {clean(code)} ({found.label}); "
        f"the badge shows {found.label}. Correct or remove source, or put the camera "
        "original in its place"
    )
    return _at_source(photo, config, message, Severity.ERROR)


def _source_warning(photo: Photo, config: Config, conflict: str, at_config: bool = True) -> Problem:
    """The conflict, at the config's ``source`` key when the config is involved and its
    position is known, else at the photo."""
    if not at_config:
        return Problem(photo.path, conflict, severity=Severity.WARNING)
    return _at_source(photo, config, conflict, Severity.WARNING)


def _at_source(photo: Photo, config: Config, message: str, severity: Severity) -> Problem:
    """``message`` at the photo's ``source`` line in the config, else at the photo."""
    position = config.positions.get(("photos", photo.rel, "source"))
    if config.path is None or position is None:
        return Problem(photo.path, message, severity=severity)
    line, column = position
    return Problem(config.path, f"{photo.rel}: {message}", line, column, severity)


_SIDE_STATES = {
    NONE: "no credentials",
    UNKNOWN_SIGNER: "unknown signer",
    INVALID: "credentials invalid",
    UNREADABLE: "credentials unreadable",
    TRUSTED: "trusted, but they do not state the source",
}


def real_vs_ai_problems(
    config: Config, comparisons: Sequence[Comparison], found: dict[str, Provenance | None]
) -> list[Problem]:
    """An error for each ``kind = "real-vs-ai"`` comparison with no verified side.

    A side is verified when trusted Content Credentials decided its badge
    (:attr:`Provenance.verified`); ``found`` maps a photo's ``rel`` to its provenance.
    """
    problems = []
    # The loader makes one comparison per entry of config.comparisons, in order.
    for setting, comparison in zip(config.comparisons, comparisons, strict=False):
        if setting.kind != REAL_VS_AI or setting.id != comparison.id:
            continue
        sides = []
        for side in comparison.sides:
            result = found.get(side.photo.rel) if side.photo is not None else None
            if result is not None and result.verified:
                break
            state = (
                "missing"
                if side.photo is None
                else "not read"
                if result is None
                else _SIDE_STATES.get(result.credentials.state, result.credentials.state)
            )
            sides.append(f"{side.label} ({side.rel}): {state}")
        else:
            none = "neither side has" if len(comparison.sides) == 2 else "no side has"
            problems.append(
                config.problem(
                    f'comparison "{comparison.id}" is kind = "{REAL_VS_AI}", but {none} '
                    "verified Content Credentials (trusted, and stating where the image came "
                    f"from): {'; '.join(sides)}. Use a real photograph signed by its camera or "
                    "app, or remove kind",
                    "comparisons",
                    setting.index,
                    "kind",
                )
            )
    return problems


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
    strict_provenance: bool = False,
) -> CheckResult:
    """Validate the config and portfolio at ``target`` (a config file or folder).

    ``strict_provenance`` (``--provenance strict``) makes credentials by a signer
    not on the trust list an error, not a warning.
    """
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
    found: dict[str, Provenance | None] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        inspected = pool.map(lambda photo: _inspect(photo, config, strict_provenance), photos)
        for photo, (photo_problems, result) in zip(photos, inspected, strict=True):
            problems.extend(photo_problems)
            found[photo.rel] = result
    problems.extend(real_vs_ai_problems(config, portfolio.comparisons, found))
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
