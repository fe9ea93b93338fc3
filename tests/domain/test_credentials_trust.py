"""The trust list (credentials/trust.py): the shipped copy, the user's, and a bad one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portfolio_tui.credentials.trust import (
    SHIPPED_PEM,
    TrustListError,
    certificates,
    install_trust_list,
    remove_trust_list,
    shipped_trust_list,
    subject_of,
    trust_list,
    user_trust_path,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "c2pa"
TEST_BUNDLE = FIXTURES / "test_cert_root_bundle.pem"


@pytest.fixture(autouse=True)
def _own_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_the_shipped_list_is_the_official_one_with_its_source() -> None:
    shipped = shipped_trust_list()
    assert shipped.shipped and shipped.path == SHIPPED_PEM
    assert shipped.count == 30 == shipped.pem.count("-----BEGIN CERTIFICATE-----")
    assert "c2pa-org/conformance-public" in shipped.source
    assert "trust-list/C2PA-TRUST-LIST.pem" in shipped.source
    assert shipped.date == "2026-08-14"
    details = dict(shipped.details)
    assert details["commit"] == "99927caef670ca4ad9da5e5542dca39e42fad6f3"
    assert details["licence"].startswith("CC BY 4.0")
    # The subjects read from the DER match the list's own "Subject" lines.
    stated = [
        line.split("\t", 1)[1] for line in shipped.pem.splitlines() if line.startswith("Subject\t")
    ]
    assert list(shipped.subjects) == stated
    assert trust_list() == shipped  # no user copy


def test_the_list_ships_in_the_package_folder() -> None:
    assert SHIPPED_PEM.is_file() and (SHIPPED_PEM.parent / "SOURCE").is_file()
    assert SHIPPED_PEM.parent.parent.name == "credentials"


def test_install_records_where_and_when_and_is_used(tmp_path: Path) -> None:
    when = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone.utc)
    installed = install_trust_list(TEST_BUNDLE, now=when)
    assert installed == trust_list()
    assert not installed.shipped and installed.path == user_trust_path()
    assert user_trust_path().is_relative_to(tmp_path / "config")
    assert installed.count == 8
    assert installed.source == str(TEST_BUNDLE.resolve())
    assert installed.date == "2026-12-01 09:30 UTC"
    assert installed.subjects[0].startswith("CN=Root CA, OU=FOR TESTING_ONLY")
    assert installed.key != shipped_trust_list().key
    # The copy holds the certificates as given, after the record lines.
    assert user_trust_path().read_text().endswith(TEST_BUNDLE.read_text())
    assert remove_trust_list() == user_trust_path()
    assert trust_list() == shipped_trust_list()
    assert remove_trust_list() is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no certificate"),
        ("hello\n", "no certificate"),
        (
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            "certificate 1 is not valid base64",
        ),
        (
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "certificate 1 is not an X.509 certificate",
        ),
    ],
)
def test_a_bad_file_is_refused_and_the_list_is_unchanged(
    tmp_path: Path, text: str, reason: str
) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text(text)
    install_trust_list(TEST_BUNDLE)
    before = user_trust_path().read_bytes()
    with pytest.raises(TrustListError, match=reason):
        install_trust_list(bad)
    assert user_trust_path().read_bytes() == before


def test_a_good_certificate_then_a_broken_one_is_refused(tmp_path: Path) -> None:
    good = TEST_BUNDLE.read_text()
    blocks = good.split("-----END CERTIFICATE-----")
    truncated = blocks[0][:-40] + "\n-----END CERTIFICATE-----\n"
    mixed = tmp_path / "mixed.pem"
    mixed.write_text(good + truncated)
    with pytest.raises(TrustListError, match="certificate 9"):
        install_trust_list(mixed)


def test_a_broken_user_copy_falls_back_to_the_shipped_list_and_says_so() -> None:
    path = user_trust_path()
    path.parent.mkdir(parents=True)
    path.write_text("garbage")
    used = trust_list()
    assert used.shipped and used.count == shipped_trust_list().count
    assert used.problem is not None and str(path) in used.problem
    assert "no certificate" in used.problem


def test_a_binary_file_is_not_a_trust_list(tmp_path: Path) -> None:
    binary = tmp_path / "list.der"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(TrustListError, match="not text"):
        install_trust_list(binary)


def test_subject_of_rejects_what_is_not_a_certificate() -> None:
    der = certificates(TEST_BUNDLE.read_text())[0]
    assert subject_of(der).startswith("CN=Root CA")
    for broken in (b"", der[:-1], der + b"\x00", b"\x30\x03\x02\x01\x00", bytes(range(64))):
        with pytest.raises((ValueError, IndexError)):
            subject_of(broken)


def test_installing_a_copy_of_an_installed_list_records_the_new_source(tmp_path: Path) -> None:
    install_trust_list(TEST_BUNDLE, now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    again = tmp_path / "copy.pem"
    again.write_bytes(user_trust_path().read_bytes())
    installed = install_trust_list(again, now=dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc))
    assert installed.source == str(again.resolve())
    assert installed.date == "2026-02-02 00:00 UTC"
    assert installed.count == 8
