"""``portfolio-tui export KIND``: files made from a portfolio (contact sheets so far).

Nothing is ever written into the portfolio by the export itself; the output
goes where ``-o`` says, atomically, and never over one of the portfolio's photos.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .problems import ConfigError
from .text import clean

PROG = "portfolio-tui export"


def contact_sheet_parser() -> argparse.ArgumentParser:
    """The parser for ``export contact-sheet``."""
    from .contact_sheet import MAX_COLUMNS, MIN_COLUMNS, PAPERS

    parser = argparse.ArgumentParser(
        prog=f"{PROG} contact-sheet",
        description="Print the portfolio as pages of thumbnails with each photo's title, "
        "stars and pick/reject flag, the portfolio's title and photographer at the top and "
        "its credits at the bottom. A .pdf output holds every page; a .png output is one "
        "file per page (FILE.png, FILE-2.png ...). Exit status: 0 written, 1 written with "
        "unreadable photos (grey tiles, listed at the end) or not written, 2 usage error.",
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="portfolio folder or its config file (default: ./config.toml, else this folder)",
    )
    parser.add_argument("--gallery", metavar="ID", help="only this gallery (default: every one)")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="FILE.pdf (every page) or FILE.png (one file per page)",
    )
    parser.add_argument(
        "--paper", choices=tuple(PAPERS), default="a4", help="page size at 150 dpi (default: a4)"
    )
    parser.add_argument(
        "--columns",
        type=int,
        default=4,
        metavar="N",
        help=f"thumbnails across the page, {MIN_COLUMNS} to {MAX_COLUMNS} (default: 4)",
    )
    return parser


def _error(kind: str, message: str) -> None:
    print(clean(f"{PROG} {kind}: {message}"), file=sys.stderr)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def run_contact_sheet(argv: Sequence[str]) -> int:
    """``portfolio-tui export contact-sheet``."""
    from .cli import progress_bar
    from .contact_sheet import (
        FORMATS,
        MAX_COLUMNS,
        MIN_COLUMNS,
        Section,
        SheetText,
        Tile,
        decode_tiles,
        lay_out,
        page_paths,
        thumb_box,
        write_sheet,
    )
    from .curation import CurationError, CurationStore, Snapshot
    from .portfolio import Gallery, open_portfolio

    kind = "contact-sheet"
    args = contact_sheet_parser().parse_args(argv)
    started = time.perf_counter()
    if not MIN_COLUMNS <= args.columns <= MAX_COLUMNS:
        _error(kind, f"--columns must be {MIN_COLUMNS} to {MAX_COLUMNS}")
        return 2
    output: Path = args.output
    if output.suffix.lower() not in FORMATS:
        _error(kind, f"{output}: the output must end in .pdf or .png")
        return 2
    if not output.parent.is_dir():
        _error(kind, f"{output.parent}: no such folder")
        return 2
    try:
        portfolio = open_portfolio(args.path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    if args.gallery is not None:
        gallery = portfolio.gallery(args.gallery)
        if gallery is None:
            known = ", ".join(clean(g.id) for g in portfolio.galleries) or "none"
            _error(kind, f"no gallery '{args.gallery}' in this portfolio; known: {known}")
            return 2
        galleries: tuple[Gallery, ...] = (gallery,)
    else:
        galleries = portfolio.galleries
    photos = [photo.path for photo in portfolio.every_photo()]

    def over_a_photo(targets: Sequence[Path]) -> Path | None:
        for target in targets:
            if any(_same_file(target, p) for p in photos):
                return target
        return None

    # The PNG pages' names are known once the pages are: checked again below.
    clash = over_a_photo(page_paths(output, 1))
    if clash is not None:
        _error(kind, f"refusing to write over the photo {clash}; choose another -o")
        return 2

    try:
        snapshot = CurationStore(portfolio.root, read_only=True).load()
    except CurationError as exc:
        _error(kind, f"{exc}; ratings and flags left out")
        snapshot = Snapshot()
    text = SheetText(portfolio.title, portfolio.photographer, portfolio.config.credits)
    box = thumb_box(args.paper, args.columns, text)
    paths = [photo.path for g in galleries for photo in g.photos]
    with progress_bar("Thumbnails", len(set(paths))) as advance:
        decoded = decode_tiles(paths, box, progress=advance)

    sections = []
    for g in galleries:
        tiles = []
        for photo in g.photos:
            result = decoded[photo.path]
            curation = snapshot.photo(photo.rel)
            tiles.append(
                Tile(
                    title=photo.display_title,
                    image=None if isinstance(result, str) else result,
                    rating=curation.rating,
                    flag=curation.flag,
                )
            )
        if tiles:
            sections.append(Section(g.title, tiles))
    if not sections:
        _error(kind, "no photos to put on a sheet; nothing written")
        return 1
    pages = lay_out(sections, text, paper=args.paper, columns=args.columns)
    clash = over_a_photo(page_paths(output, len(pages)))
    if clash is not None:
        _error(kind, f"refusing to write over the photo {clash}; choose another -o")
        return 2
    try:
        written = write_sheet(pages, output)
    except OSError as exc:
        _error(kind, f"cannot write {output}: {exc.strerror or exc}; nothing written")
        return 1
    count = sum(len(s.tiles) for s in sections)
    where = written[0] if len(written) == 1 else f"{written[0]} .. {written[-1].name}"
    seconds = time.perf_counter() - started
    print(
        clean(
            f"contact sheet: {count} photo{'s' if count != 1 else ''} on {len(pages)} "
            f"page{'s' if len(pages) != 1 else ''} ({args.paper}, {args.columns} across), "
            f"written to {where} ({seconds:.1f} s)"
        )
    )
    failed = sorted((path, reason) for path, reason in decoded.items() if isinstance(reason, str))
    if failed:
        print(f"unreadable photos (grey tiles on the sheet): {len(failed)}")
        for path, reason in failed:
            print(clean(f"{path}: {reason}"))
        return 1
    return 0


KINDS: dict[str, Callable[[Sequence[str]], int]] = {
    "contact-sheet": run_contact_sheet,
}


def run_export(argv: Sequence[str]) -> int:
    """``portfolio-tui export KIND ...``."""
    choices = ", ".join(KINDS)
    if not argv or argv[0] in ("-h", "--help"):
        stream = sys.stdout if argv else sys.stderr
        usage = f"usage: {PROG} {{{choices}}} ...  (--help after the kind lists its options)"
        print(usage, file=stream)
        return 0 if argv else 2
    kind, rest = argv[0], argv[1:]
    run = KINDS.get(kind)
    if run is None:
        print(clean(f"{PROG}: unknown export '{kind}'; choose one of: {choices}"), file=sys.stderr)
        return 2
    return run(rest)
