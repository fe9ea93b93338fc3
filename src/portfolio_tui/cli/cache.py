"""``portfolio-tui cache clear|info``: the thumbnail cache in the user cache folder."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def cache_parser() -> argparse.ArgumentParser:
    """The parser for ``cache``."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="portfolio-tui cache",
        description="Manage the thumbnail cache in your user cache folder.",
    )
    parser.add_argument(
        "action",
        choices=("clear", "info"),
        help="clear: delete every cached image; info: where it is and its size",
    )
    return parser


def run_cache(argv: Sequence[str]) -> int:
    """``portfolio-tui cache clear|info``."""
    from ..imaging.cache import shared_cache
    from ..metadata import human_size

    args = cache_parser().parse_args(argv)
    cache = shared_cache()
    if args.action == "clear":
        removed = cache.clear()
        print(
            f"cache: removed {removed.entries} images ({human_size(removed.bytes)}) "
            f"from {cache.root}"
        )
    else:
        stats = cache.stats()
        print(f"cache: {stats.entries} images, {human_size(stats.bytes)} in {cache.root}")
    return 0
