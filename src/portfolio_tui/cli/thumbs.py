"""``portfolio-tui thumbs [PATH]``: build the thumbnail cache ahead of time."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..text import clean
from .common import _add_path, open_or_report, progress_bar


def thumbs_parser() -> argparse.ArgumentParser:
    """The parser for ``thumbs``."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="portfolio-tui thumbs",
        description="Build the thumbnail cache for a portfolio ahead of time, so the galleries "
        "open with every thumbnail at once. The cache lives in your user cache folder "
        "(XDG_CACHE_HOME), never in the portfolio.",
    )
    _add_path(parser)
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        default=None,
        help="photos decoded at once (default: one per CPU core)",
    )
    return parser


def stop_on_sigterm() -> list[int]:
    """Make SIGTERM stop the main thread like Ctrl+C; the list gets the signal that came."""
    import signal
    import threading

    came: list[int] = [0]

    def stop(signum: int, _frame: object) -> None:
        came[0] = signum
        raise KeyboardInterrupt

    if hasattr(signal, "SIGTERM") and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    return came


def run_thumbs(argv: Sequence[str]) -> int:
    """``portfolio-tui thumbs``: prebuild the thumbnail cache with a progress bar."""
    from ..imaging.cache import shared_cache
    from ..metadata import human_size
    from ..thumbs import prebuild

    args = thumbs_parser().parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        print("portfolio-tui thumbs: --jobs must be 1 or more", file=sys.stderr)
        return 2
    portfolio = open_or_report(args.path, "portfolio-tui thumbs")
    if portfolio is None:
        return 2
    photos = portfolio.every_photo()
    cache = shared_cache()
    stop_signal = stop_on_sigterm()
    try:
        with progress_bar("Thumbnails", len(photos)) as advance:
            summary = prebuild(photos, cache, jobs=args.jobs, progress=advance)
    except KeyboardInterrupt:
        # Running builds finished their entries; every entry in the cache is whole.
        print("thumbs: stopped; the thumbnails built so far are kept", file=sys.stderr)
        return 128 + (stop_signal[0] or 2)  # 143 after SIGTERM, 130 after Ctrl+C
    for path, reason in sorted(summary.failed):
        print(clean(f"{path}: {reason}"))
    stats = cache.stats()
    print(
        f"thumbs: {summary.built} built, {summary.cached} already cached, "
        f"{len(summary.failed)} failed, {summary.seconds:.1f} s "
        f"(cache: {stats.entries} images, {human_size(stats.bytes)} in {cache.root})"
    )
    if cache.disabled_reason:
        print(clean(f"thumbs: {cache.disabled_reason}"), file=sys.stderr)
        return 1
    return 1 if summary.failed else 0
