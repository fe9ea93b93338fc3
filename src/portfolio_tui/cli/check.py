"""``portfolio-tui check [PATH]``: every problem in a portfolio's config and photos."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .common import _add_path, theme_problems


def check_parser() -> argparse.ArgumentParser:
    """The parser for ``check``."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False,
        prog="portfolio-tui check",
        description="Check a portfolio's config and photos and print every problem as "
        "file:line: message. Exit status: 0 no problems, 1 problems found, "
        "2 config unreadable (not valid TOML, or missing).",
    )
    _add_path(parser)
    parser.add_argument(
        "--provenance",
        choices=("default", "strict"),
        default="default",
        help="strict: also fail on Content Credentials whose signer is not on the trust "
        "list in use (for a studio's CI); default: list them as warnings. Invalid "
        "credentials, and a camera original whose credentials say AI-generated, always fail "
        "(see docs/troubleshooting.md)",
    )
    return parser


def run_check(argv: Sequence[str]) -> int:
    """``portfolio-tui check``."""
    from ..check import check, report

    args = check_parser().parse_args(argv)
    result = check(args.path, extra=theme_problems, strict_provenance=args.provenance == "strict")
    report(result, sys.stdout)
    return result.exit_code
