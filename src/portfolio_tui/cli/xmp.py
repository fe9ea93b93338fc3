"""``portfolio-tui xmp import|export``: ratings and labels between XMP and the curation store."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..text import clean, count
from .common import _add_path, add_app_option, open_or_report

if TYPE_CHECKING:
    from ..portfolio import Portfolio
    from ..store.sqlite_curation import SqliteCurationStore

DESCRIPTION = """\
Move ratings, pick/reject flags and colour labels between the curation store
(curation.toml) and XMP, so Lightroom, darktable and digiKam agree with
portfolio-tui.

  import  reads xmp:Rating (-1 is rejected), xmp:Label, darktable:colorlabels,
          digiKam:ColorLabel and digiKam:PickLabel from each photo's sidecars
          (NAME.ext.xmp, then NAME.xmp) and embedded XMP into the store.
  export  writes them into sidecars (NAME.ext.xmp; NAME.xmp with
          --sidecar-name base; a RAW+JPEG pair's is the RAW's NAME.xmp,
          where Lightroom reads it), changing only those properties.

The photos themselves are never written to. See docs/curation.md.
"""

IMPORT_DESCRIPTION = """\
Read ratings, flags and colour labels from XMP sidecars and embedded XMP into
curation.toml, in one save. A field the store already holds with another value
is a conflict: kept, unless --overwrite. Import never clears a field.
Exit status: 0 done, 1 some files could not be read, 2 nothing imported
(config unreadable, store damaged or not writable).
"""

EXPORT_DESCRIPTION = """\
Write the store's ratings, flags and colour labels into XMP sidecars:
xmp:Rating, xmp:Label, darktable:colorlabels, digiKam:ColorLabel and
digiKam:PickLabel. Everything else in an existing sidecar (darktable's edit
history, tags, develop settings) is kept as it is; a sidecar that cannot be
parsed is reported and left alone. Photos with nothing curated and no sidecar
get no file. Exit status: 0 done, 1 some sidecars not written, 2 nothing
exported (config or store unreadable).
"""


def xmp_parser() -> argparse.ArgumentParser:
    """The parser for ``xmp import`` and ``xmp export``."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="portfolio-tui xmp",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="{import,export}", required=True)
    importer = actions.add_parser(
        "import",
        allow_abbrev=False,
        help="read XMP ratings, flags and labels into the store",
        description=IMPORT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_path(importer)
    importer.add_argument(
        "--dry-run", action="store_true", help="print what would change; write nothing"
    )
    importer.add_argument(
        "--overwrite",
        action="store_true",
        help="where the store and the XMP disagree, take the XMP's value (default: keep the "
        "store's and report a conflict)",
    )
    add_app_option(
        importer, "--as", help="who is importing, saved with each change (default: user@host)"
    )
    exporter = actions.add_parser(
        "export",
        allow_abbrev=False,
        help="write the store's ratings, flags and labels into XMP sidecars",
        description=EXPORT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_path(exporter)
    exporter.add_argument(
        "--dry-run", action="store_true", help="print what would be written; write nothing"
    )
    exporter.add_argument(
        "--sidecar-name",
        choices=("ext", "base"),
        default=None,
        help="the name of a new sidecar (a photo's existing sidecar is always the one "
        "written): ext: NAME.ext.xmp, as darktable and digiKam write (default, except "
        "for a RAW+JPEG pair: the RAW's NAME.xmp); "
        "base: NAME.xmp, as Lightroom, Bridge and Capture One write",
    )
    exporter.add_argument(
        "--overwrite",
        action="store_true",
        help="also clear ratings, flags and labels in sidecars that the store does not have "
        "(default: leave them and report them)",
    )
    return parser


def run_xmp(argv: Sequence[str]) -> int:
    """``portfolio-tui xmp``."""
    args = xmp_parser().parse_args(argv)
    if args.action == "import":
        return _run_import(args)
    return _run_export(args)


def _say(text: str, error: bool = False) -> None:
    print(clean(text), file=sys.stderr if error else sys.stdout)


def _open(
    path: Path | None, command: str, author: str | None = None, *, write: bool = False
) -> tuple[Portfolio, SqliteCurationStore] | None:
    """The portfolio and its store (loaded), or None after saying why not (exit 2).

    Only ``write`` opens the store as a curator (which may create the database and
    migrate ``curation.toml``); an export or a dry run only reads it."""
    from ..curation import CurationError
    from ..store.sqlite_curation import SqliteCurationStore

    portfolio = open_or_report(path, f"portfolio-tui xmp {command}")
    if portfolio is None:
        return None
    store = SqliteCurationStore(portfolio.root, author=author, read_only=not write)
    try:
        store.load()
    except CurationError as exc:
        _say(str(exc), error=True)
        _say(
            f"portfolio-tui xmp {command}: the curation store cannot be read; nothing was "
            f"{'imported' if command == 'import' else 'exported'}",
            error=True,
        )
        return None
    return portfolio, store


def _run_import(args: argparse.Namespace) -> int:
    from ..curation import CurationError, InvalidChange
    from ..xmp_sync import apply_import, display_path, plan_import

    opened = _open(args.path, "import", args.author, write=not args.dry_run)
    if opened is None:
        return 2
    portfolio, store = opened
    snapshot = store.snapshot
    reason = store.read_only_reason
    if reason and not args.dry_run:
        _say(
            f"portfolio-tui xmp import: cannot save to {store.path}: {reason}; nothing was "
            "imported (fix the permissions, or use --dry-run to see what would change)",
            error=True,
        )
        return 2
    plan = plan_import(portfolio.every_photo(), snapshot, overwrite=args.overwrite)
    if not args.dry_run and plan.changes:
        try:
            plan, snapshot = apply_import(store, plan)
        except (CurationError, InvalidChange) as exc:
            _say(str(exc), error=True)
            _say("portfolio-tui xmp import: nothing was imported", error=True)
            return 2
    dry = args.dry_run
    for photo in plan.photos:
        name = display_path(portfolio.root, photo.path)
        if photo.changes:
            verb = "would import" if dry else "imported"
            parts = [f"{c.field} {c.value}" for c in photo.changes]
            sources = ", ".join(display_path(portfolio.root, s) for s in photo.xmp.sources)
            _say(f"{name}: {verb} {', '.join(parts)} (from {sources})")
        for conflict in photo.conflicts:
            if plan.overwrite:
                outcome = "XMP's would be taken" if dry else "XMP's taken"
            else:
                outcome = "kept (--overwrite takes XMP's)"
            _say(
                f"{name}: conflict: {conflict.field} is {conflict.store} here, "
                f"{conflict.xmp} in XMP; {outcome}"
            )
        for note in photo.xmp.notes:
            _say(f"note: {note}")
    for problem in plan.problems:
        _say(problem)
    if dry:
        # The dry run opened the store read-only itself: what would stop a real import?
        from ..files import write_problem

        reason = write_problem(store.root, store.path, store.wal_path, store.shm_path)
        if reason:
            _say(
                f"xmp import: note: {store.path} is read-only ({reason}); a real import would fail"
            )
    imported = ", ".join(
        count(plan.count(name), word)
        for name, word in (("rating", "rating"), ("flag", "flag"), ("label", "label"))
    )
    conflicts = count(plan.conflicts, "conflict")
    conflicts += " overwritten" if plan.overwrite else " kept"
    head = "xmp import (dry run, nothing written)" if dry else "xmp import"
    _say(
        f"{head}: {count(plan.read, 'photo')} read, {plan.with_xmp} with XMP values; "
        f"{'would import' if dry else 'imported'} {imported}; {conflicts}; "
        f"{count(len(plan.notes), 'note')}; {count(len(plan.problems), 'problem')}"
    )
    return 1 if plan.problems else 0


def _run_export(args: argparse.Namespace) -> int:
    from ..xmp_sync import display_path, export_sidecars

    opened = _open(args.path, "export")
    if opened is None:
        return 2
    portfolio, store = opened
    report = export_sidecars(
        portfolio.every_photo(),
        store.snapshot,
        sidecar_name=args.sidecar_name,
        overwrite=args.overwrite,
        dry_run=args.dry_run,
    )
    dry = args.dry_run
    verbs = {
        "create": "would create" if dry else "created",
        "update": "would update" if dry else "updated",
    }
    for photo in report.photos:
        name = display_path(portfolio.root, photo.sidecar)
        if photo.action in verbs:
            _say(f"{name}: {verbs[photo.action]}: {', '.join(photo.values)}")
        if photo.kept:
            _say(
                f"{name}: kept {', '.join(photo.kept)}, which the store does not have "
                "(--overwrite clears; 'xmp import' brings in)"
            )
        for note in photo.notes:
            _say(f"note: {note}")
    for problem in report.problems:
        _say(problem)
    head = "xmp export (dry run, nothing written)" if dry else "xmp export"
    _say(
        f"{head}: {count(report.considered, 'photo')}; "
        f"{'would create' if dry else 'created'} {count(report.count('create'), 'sidecar')}, "
        f"{'would update' if dry else 'updated'} {report.count('update')}, "
        f"{report.count('unchanged')} already up to date; "
        f"{count(len(report.kept), 'value')} kept; {count(len(report.problems), 'problem')}"
    )
    return 1 if report.problems else 0
