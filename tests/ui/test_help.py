"""The help screen's key table: every description starts in one column, clear of its keys."""

from __future__ import annotations

from rich.cells import cell_len

from portfolio_tui.ui.commands import SECTIONS
from portfolio_tui.ui.screens.help import help_text


def test_descriptions_line_up_and_never_touch_their_keys() -> None:
    lines = help_text("Pictures: test").plain.splitlines()
    starts = set()
    for _, commands in SECTIONS:
        for command in commands:
            line = next(
                line
                for line in lines
                if line.startswith(f"  {command.key_text}") and line.endswith(command.help)
            )
            prefix = line[: len(line) - len(command.help)]
            assert prefix.endswith("  "), line  # at least two spaces after the keys
            starts.add(cell_len(prefix))
    assert len(starts) == 1
