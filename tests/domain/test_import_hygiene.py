"""The domain modules never import Textual (they run in workers and in ``check``)."""

from __future__ import annotations

import subprocess
import sys


def domain_modules() -> list[str]:
    """Every module of the package but the UI's and the commands' (which may use Textual),
    found by walking the package: a new domain module is checked without being listed."""
    import pkgutil

    import portfolio_tui

    out = []
    for info in pkgutil.walk_packages(portfolio_tui.__path__, "portfolio_tui."):
        name = info.name
        if name == "portfolio_tui.__main__" or name.endswith("_cli"):
            continue
        if name.split(".")[1] in {"ui", "cli"}:
            continue
        out.append(name)
    return sorted(out)


MODULES = tuple(domain_modules())


def test_the_domain_list_is_the_package_less_ui_and_commands() -> None:
    """Guard: the walk finds the domain (so the check below is not vacuous)."""
    assert {"portfolio_tui.config", "portfolio_tui.files", "portfolio_tui.imaging.decode"} <= set(
        MODULES
    )
    assert not [m for m in MODULES if m.startswith(("portfolio_tui.ui", "portfolio_tui.cli"))]
    assert len(MODULES) >= 30


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


def _contracts() -> dict[str, dict[str, object]]:
    import pathlib

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    pyproject = pathlib.Path(__file__).resolve().parents[2] / "pyproject.toml"
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_the_import_contracts_name_the_whole_domain_and_every_command() -> None:
    """The layers `make test` checks (lint-imports) and the tree say the same thing: every
    top-level domain module is a source of the domain contract, every command is in the
    independence contract, and nothing listed is gone."""
    import pkgutil

    import portfolio_tui.cli

    contracts = _contracts()
    tops = {".".join(m.split(".")[:2]) for m in MODULES}
    assert set(contracts["domain"]["source_modules"]) == tops  # type: ignore[arg-type]
    commands = {
        f"portfolio_tui.cli.{info.name}"
        for info in pkgutil.iter_modules(portfolio_tui.cli.__path__)
        if info.name != "common"
    }
    assert set(contracts["commands"]["modules"]) == commands  # type: ignore[arg-type]
