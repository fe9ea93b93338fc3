"""``portfolio-tui export KIND``: files made from a portfolio (contact sheets, client picks).

Nothing is ever written into the portfolio by the export itself; the output
goes where ``-o`` says, atomically, and never over one of the portfolio's photos.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ..text import clean
from .common import _add_path, arrange, csv_cell, known_clients, open_or_report, progress_bar

if TYPE_CHECKING:
    from ..portfolio import Photo, Portfolio
    from .common import Placed

PROG = "portfolio-tui export"


def contact_sheet_parser() -> argparse.ArgumentParser:
    """The parser for ``export contact-sheet``."""
    from ..contact_sheet import MAX_COLUMNS, MIN_COLUMNS, PAPERS

    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog=f"{PROG} contact-sheet",
        description="Print the portfolio as pages of thumbnails with each photo's title, "
        "stars and pick/reject flag, the portfolio's title and photographer at the top and "
        "its credits at the bottom. A .pdf output holds every page; a .png output is one "
        "file per page (FILE.png, FILE-2.png ...). Exit status: 0 written, 1 written with "
        "unreadable photos (grey tiles, listed at the end) or not written, 2 usage error.",
    )
    _add_path(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--gallery", metavar="ID", help="only this gallery (default: every one)")
    which.add_argument(
        "--picks",
        metavar="CLIENT",
        help="only this client's favourites (see `portfolio-tui picks clients`)",
    )
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


def _picked_section(
    kind: str, portfolio: Portfolio, client: str
) -> list[tuple[str, list[Photo]]] | None:
    """The contact sheet's one section of ``client``'s picks; None (after saying why)
    when there are none or they cannot be read."""
    from ..picks import PicksError, client_name
    from ..store.sqlite_picks import SqlitePicksStore

    try:
        name = client_name(client)
        store = SqlitePicksStore(portfolio.root, read_only=True)
        picks = store.load(name)
    except PicksError as exc:
        _error(kind, str(exc))
        return None
    if not picks.picks:
        _error(kind, f"no picks for '{name}'; clients with picks: {known_clients(store)}")
        return None
    placed, missing = arrange(portfolio, picks)
    for pick in missing:
        _error(kind, f"{pick.photo}: picked but no longer in the portfolio; left out")
    return [(f"Favourites of {name}", [each.photo for each in placed])]


def run_contact_sheet(argv: Sequence[str]) -> int:
    """``portfolio-tui export contact-sheet``."""
    from ..contact_sheet import (
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
    from ..curation import CurationError, Snapshot
    from ..portfolio import Gallery
    from ..store.sqlite_curation import SqliteCurationStore

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
    portfolio = open_or_report(args.path, f"{PROG} {kind}")
    if portfolio is None:
        return 2
    chosen: list[tuple[str, list[Photo]]] | None = None
    if args.picks is not None:
        chosen = _picked_section(kind, portfolio, args.picks)
        if chosen is None:
            return 2
        galleries: tuple[Gallery, ...] = ()
    elif args.gallery is not None:
        gallery = portfolio.gallery(args.gallery)
        if gallery is None:
            known = ", ".join(clean(g.id) for g in portfolio.galleries) or "none"
            _error(kind, f"no gallery '{args.gallery}' in this portfolio; known: {known}")
            return 2
        galleries = (gallery,)
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
        with SqliteCurationStore(portfolio.root, read_only=True) as store:
            snapshot = store.load()
    except CurationError as exc:
        _error(kind, f"{exc}; ratings and flags left out")
        snapshot = Snapshot()
    text = SheetText(portfolio.title, portfolio.photographer, portfolio.config.credits)
    box = thumb_box(args.paper, args.columns, text)
    if chosen is None:
        chosen = [(g.title, list(g.photos)) for g in galleries]
    paths = [photo.real_path for _title, section in chosen for photo in section]
    with progress_bar("Thumbnails", len(set(paths))) as advance:
        decoded = decode_tiles(paths, box, progress=advance)

    sections = []
    for title, section in chosen:
        tiles = []
        for photo in section:
            result = decoded[photo.real_path]
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
            sections.append(Section(title, tiles))
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


# -- export picks ----------------------------------------------------------------

CSV_NAME = "picks.csv"
CSV_COLUMNS = ("file", "gallery", "title", "original", "picked at", "picked by")


def picks_parser() -> argparse.ArgumentParser:
    """The parser for ``export picks``."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog=f"{PROG} picks",
        description="Copy the originals of a client's favourites into DIR (created if "
        "needed; never inside the portfolio) with picks.csv listing them. Originals are "
        "only read. A file already in DIR is never overwritten: the same file is skipped, "
        "a different one makes the copy NAME-2.jpg. Exit status: 0 every pick copied (or "
        "already there), 1 some picks missing from the portfolio or not copied, 2 nothing "
        "done (usage error, unknown client, unreadable config or picks, DIR refused).",
    )
    parser.add_argument("client", metavar="CLIENT", help="the client's name, as given to --client")
    _add_path(parser)
    parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="DIR", help="the folder to copy into"
    )
    return parser


def _same_content(original: BinaryIO, size: int, other: Path) -> bool:
    """Whether ``other`` (a regular file, links refused) holds the bytes of ``original``."""
    from ..files import open_regular

    try:
        with os.fdopen(open_regular(other), "rb") as copy:
            if os.fstat(copy.fileno()).st_size != size:
                return False
            original.seek(0)
            while True:
                a, b = original.read(1 << 20), copy.read(1 << 20)
                if a != b:
                    return False
                if not a:
                    return True
    except OSError:
        return False


def _safe_part(text: str) -> str:
    """A gallery id as part of a file name (no separators or control characters)."""
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "gallery"


def _copy_new(source: Path, folder: Path, name: str, used: set[str]) -> tuple[str, bool]:
    """Copy ``source`` into ``folder`` as ``name``, or ``NAME-2.ext`` ... when a different
    file holds the name; never over an existing file.  Returns the name used and
    whether it was copied (False: the same file was already there).

    ``source`` is a photo's real path (``Photo.real_path``), opened once without
    following a link: a photo swapped since the portfolio was loaded for a link out
    of it, a FIFO or a device raises ``NotRegularFile`` (an ``OSError``), unread."""
    from ..files import open_exactly

    with os.fdopen(open_exactly(source), "rb") as original:
        return _copy_open(original, folder, name, used)


def _copy_open(original: BinaryIO, folder: Path, name: str, used: set[str]) -> tuple[str, bool]:
    import shutil
    import stat

    from ..files import write_atomically

    info = os.fstat(original.fileno())

    def copy(out: BinaryIO) -> None:
        original.seek(0)
        shutil.copyfileobj(original, out, 1 << 20)
        out.flush()
        if os.utime in os.supports_fd:  # as copy2 keeps them
            os.utime(out.fileno(), ns=(info.st_atime_ns, info.st_mtime_ns))
        written = os.fstat(out.fileno()).st_size
        if written != info.st_size:
            raise OSError(f"the copy has {written} bytes, the original {info.st_size}")

    stem, suffix = os.path.splitext(name)
    number = 1
    while True:
        candidate = name if number == 1 else f"{stem}-{number}{suffix}"
        number += 1
        target = folder / candidate
        if candidate.casefold() in used:
            continue
        if os.path.lexists(target):
            if _same_content(original, info.st_size, target):
                used.add(candidate.casefold())
                return candidate, False
            continue
        try:
            # Never over an existing file (exclusive: a name taken meanwhile is the next
            # number's turn); the original's permission bits; each copy fsynced, and the
            # folder once, after the last (run_picks_export); a short temp name, as NAME
            # plus a suffix could pass the file system's limit.
            write_atomically(
                target,
                copy,
                exclusive=True,
                mode=stat.S_IMODE(info.st_mode),
                sync_folder=False,
                temp_name=(".picks-", ".tmp"),
            )
        except FileExistsError:
            continue
        used.add(candidate.casefold())
        return candidate, True


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return "\ufeff" + buffer.getvalue()  # the BOM makes Excel read it as UTF-8


def _file_names(placed: Sequence[Placed]) -> list[str]:
    """Each pick's file name in the output: its own, or ``GALLERY-NAME`` when two
    picks from different folders share a name."""
    from collections import Counter

    names = Counter(each.photo.name.casefold() for each in placed)
    out = []
    for each in placed:
        name = each.photo.name
        if names[name.casefold()] > 1:
            prefix = each.gallery.id if each.gallery is not None else each.photo.path.parent.name
            name = f"{_safe_part(prefix)}-{name}"
        out.append(name)
    return out


def run_picks_export(argv: Sequence[str]) -> int:
    """``portfolio-tui export picks CLIENT [PATH] -o DIR``."""
    from ..files import fsync_dir, write_atomically
    from ..names import to_store
    from ..picks import PicksError, client_name
    from ..portfolio import inside
    from ..store.sqlite_picks import SqlitePicksStore

    kind = "picks"
    args = picks_parser().parse_args(argv)
    started = time.perf_counter()
    try:
        client = client_name(args.client)
    except PicksError as exc:
        _error(kind, str(exc))
        return 2
    portfolio = open_or_report(args.path, f"{PROG} {kind}")
    if portfolio is None:
        return 2
    out: Path = args.output
    root = portfolio.root.resolve()
    if inside(root, out):
        _error(kind, f"{out} is inside the portfolio ({root}); choose a folder outside it")
        return 2
    if os.path.lexists(out) and not out.is_dir():
        _error(kind, f"{out} exists and is not a folder; choose another -o")
        return 2
    store = SqlitePicksStore(portfolio.root, read_only=True)
    try:
        picks = store.load(client)
    except PicksError as exc:
        _error(kind, str(exc))
        return 2
    if not picks.picks:
        _error(kind, f"no picks for '{client}'; clients with picks: {known_clients(store)}")
        return 2
    placed, missing = arrange(portfolio, picks)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _error(kind, f"cannot make {out}: {exc.strerror or exc}; nothing written")
        return 2
    if inside(root, out):  # a symlink made on the way could point back in
        _error(kind, f"{out} is inside the portfolio ({root}); choose a folder outside it")
        return 2

    used = {CSV_NAME.casefold()}
    rows: list[list[str]] = []
    copied = skipped = 0
    failed: list[tuple[str, str]] = []
    with progress_bar("Copying", len(placed)) as advance:
        for each, name in zip(placed, _file_names(placed), strict=True):
            try:
                written, fresh = _copy_new(each.photo.real_path, out, name, used)
            except OSError as exc:
                failed.append((each.photo.rel, str(exc.strerror or exc)))
            else:
                copied += fresh
                skipped += not fresh
                gallery = each.gallery.title if each.gallery is not None else ""
                # Names that are not UTF-8 as picks.toml writes them (caf\xe9.jpg): the
                # CSV is UTF-8, and a name must still find its file.
                rows.append(
                    [
                        to_store(written),
                        clean(gallery),
                        clean(each.photo.display_title),
                        to_store(each.photo.rel),
                        each.pick.at,
                        clean(each.pick.by),
                    ]
                )
            advance(each)
    try:
        write_atomically(out / CSV_NAME, _csv_text(rows))
    except OSError as exc:
        failed.append((CSV_NAME, str(exc.strerror or exc)))
    fsync_dir(out)
    seconds = time.perf_counter() - started
    print(
        clean(
            f"export picks: {client}: {copied} copied, {skipped} already there, "
            f"{len(failed)} failed, {len(missing)} no longer in the portfolio; "
            f"{out} ({CSV_NAME}) ({seconds:.1f} s)"
        )
    )
    for rel, reason in failed:
        print(clean(f"not copied: {rel}: {reason}"))
    for pick in missing:
        print(clean(f"no longer in the portfolio: {pick.photo}"))
    return 1 if failed or missing else 0


KINDS: dict[str, Callable[[Sequence[str]], int]] = {
    "contact-sheet": run_contact_sheet,
    "picks": run_picks_export,
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
