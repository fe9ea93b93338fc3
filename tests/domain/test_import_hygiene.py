"""The domain modules never import Textual (they run in workers and in ``check``)."""

from __future__ import annotations

import subprocess
import sys

MODULES = (
    "portfolio_tui.config",
    "portfolio_tui.portfolio",
    "portfolio_tui.metadata",
    "portfolio_tui.imaging",
    "portfolio_tui.imaging.background",
    "portfolio_tui.text",
    "portfolio_tui.check",
    "portfolio_tui.graphics.detect",
    "portfolio_tui.graphics.kitty",
    "portfolio_tui.graphics.sixel",
    "portfolio_tui.xmp",
    "portfolio_tui.provenance",
    "portfolio_tui.curation",
    "portfolio_tui.lru",
    "portfolio_tui.selection",
    "portfolio_tui.xmp_sync",
    "portfolio_tui.contact_sheet",
    "portfolio_tui.picks",
    "portfolio_tui.presentation",
    "portfolio_tui.files",
)


def test_domain_modules_do_not_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_check_is_able_to_see_textual() -> None:
    """Guard for the test above: importing the UI does pull Textual in."""
    code = "import sys, portfolio_tui.ui.app\nprint('textual' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "True", result.stderr
