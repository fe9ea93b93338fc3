"""``portfolio-tui trust [show|update FILE|reset]``, run as a photographer would."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_tui.cli import main
from portfolio_tui.credentials.trust import user_trust_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "c2pa"
TEST_BUNDLE = FIXTURES / "test_cert_root_bundle.pem"


@pytest.fixture(autouse=True)
def _own_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("PORTFOLIO_TUI_ROLE", raising=False)


def test_show_prints_the_shipped_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust"]) == 0
    out = capsys.readouterr().out
    assert "(shipped with portfolio-tui)" in out
    assert "source: C2PA trust list, github.com/c2pa-org/conformance-public" in out
    assert "date: 2026-08-14" in out
    assert "commit: 99927caef670ca4ad9da5e5542dca39e42fad6f3" in out
    assert "certificates: 30" in out
    assert "  CN=Google C2PA Root CA G3, O=Google LLC, C=US" in out
    assert main(["trust", "show"]) == 0
    assert capsys.readouterr().out == out


def test_update_then_show_then_reset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust", "update", str(TEST_BUNDLE)]) == 0
    out = capsys.readouterr().out
    assert f"trust list installed: 8 certificates from {TEST_BUNDLE}" in out
    assert user_trust_path().is_file()
    assert main(["trust", "show"]) == 0
    out = capsys.readouterr().out
    assert f"trust list: {user_trust_path()} (installed by 'trust update')" in out
    assert f"source: {TEST_BUNDLE.resolve()}" in out
    assert "certificates: 8" in out
    assert out.count("  CN=Root CA, OU=FOR TESTING_ONLY, O=C2PA Test Root CA") == 8
    assert main(["trust", "reset"]) == 0
    assert "the shipped list is in use (30 certificates, 2026-08-14)" in capsys.readouterr().out
    assert not user_trust_path().exists()
    assert main(["trust", "reset"]) == 0
    assert "no trust list of yours to remove" in capsys.readouterr().out


def test_a_bad_file_is_named_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trust", "update", str(TEST_BUNDLE)]) == 0
    before = user_trust_path().read_bytes()
    capsys.readouterr()
    bad = tmp_path / "notes.pem"
    bad.write_text("these are not certificates\n")
    assert main(["trust", "update", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"portfolio-tui trust update: {bad} is not a trust list: no certificate in it" in err
    assert "the list in use is unchanged" in err
    missing = tmp_path / "missing.pem"
    assert main(["trust", "update", str(missing)]) == 2
    assert f"cannot read {missing}: No such file or directory" in capsys.readouterr().err
    assert main(["trust", "update", str(tmp_path)]) == 2  # a folder
    assert str(tmp_path) in capsys.readouterr().err
    assert user_trust_path().read_bytes() == before


def test_a_broken_installed_list_is_reported_by_show(capsys: pytest.CaptureFixture[str]) -> None:
    user_trust_path().parent.mkdir(parents=True)
    user_trust_path().write_text("damaged")
    assert main(["trust"]) == 0
    captured = capsys.readouterr()
    assert "(shipped with portfolio-tui)" in captured.out
    assert f"{user_trust_path()}: no certificate in it" in captured.err
    assert "the shipped list is in use" in captured.err


def test_viewers_may_not_change_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust", "update", str(TEST_BUNDLE), "--role", "viewer"]) == 2
    assert "not for viewers" in capsys.readouterr().err
    assert not user_trust_path().exists()


def test_the_command_as_a_user_runs_it(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    result = run_cli("trust", "update", str(bad), cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert f"{bad} is not a trust list: certificate 1 is not an X.509 certificate" in result.stderr
    result = run_cli("trust", "update", str(TEST_BUNDLE), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    result = run_cli("trust", cwd=tmp_path, env=env)
    assert "certificates: 8" in result.stdout
    assert "portfolio-tui trust [show]" in run_cli("--help", cwd=tmp_path).stdout
