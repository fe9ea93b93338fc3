"""The provenance gate of ``check`` on real signed files (tests/fixtures/c2pa, see SOURCES).

With the shipped trust list every fixture signed by c2pa-rs's test certificate, and Adobe's
ocsp.jpg, is "unknown signer"; installing the test root (``trust update``) makes the test
ones trusted. A comparison's ``kind`` is read here too.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_CONFIG, REPO, run_cli, write
from portfolio_tui.check import check, report
from portfolio_tui.config import parse_config

FIXTURES = REPO / "tests" / "fixtures" / "c2pa"
TEST_ROOT = FIXTURES / "test_cert_root_bundle.pem"


def portfolio(tmp_path: Path, photos: dict[str, str], config: str) -> None:
    """Copies of fixtures under photos/set/ (name -> fixture) and this config."""
    folder = tmp_path / "photos" / "set"
    folder.mkdir(parents=True)
    for name, fixture in photos.items():
        shutil.copyfile(FIXTURES / fixture, folder / name)
    write(tmp_path / "config.toml", config)


HEAD = '[portfolio]\ntitle = "T"\nroot = "photos"\n\n[[galleries]]\nid = "set"\n\n'  # 1-7


def checked(tmp_path: Path, *, strict: bool = False) -> tuple[int, list[str]]:
    result = check(Path("config.toml"), cwd=tmp_path, jobs=2, strict_provenance=strict)
    out = io.StringIO()
    report(result, out, cwd=tmp_path)
    return result.exit_code, out.getvalue().splitlines()


@pytest.fixture
def trusted_test_root(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """The c2pa-rs test root installed as the user's trust list (as ``trust update`` does)."""
    from portfolio_tui.credentials.trust import install_trust_list

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    install_trust_list(TEST_ROOT)


@pytest.fixture(autouse=True)
def _shipped_trust_list(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No user trust list from the developer's home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


UNKNOWN_TEST_SIGNER = (
    "photos/set/a.jpg: warning: its Content Credentials are intact but signed by C2PA Test "
    "Signing Cert, who is not on the trust list in use, so the badge says (unknown signer). "
    "To vouch for this signer, install a trust list that holds its certificate "
    "(portfolio-tui trust update FILE)"
)


# -- a camera original whose credentials say AI-generated or composite ----------------------


def test_camera_source_on_ai_credentials_fails_at_the_source_line(tmp_path: Path) -> None:
    portfolio(tmp_path, {"a.jpg": "C.jpg"}, HEAD + '[photos."set/a.jpg"]\nsource = "camera"\n')
    code, out = checked(tmp_path)
    assert code == 1
    assert out == [
        'config.toml:9:1: set/a.jpg: the config calls it a camera original (source = "camera"), '
        "but its Content Credentials (signed by make_test_images 0.33.1, unknown signer) say "
        "algorithmicMedia (AI-generated); the badge shows AI-generated. Correct or remove "
        "source, or put the camera original in its place",
        UNKNOWN_TEST_SIGNER,
        "check: 1 problem and 1 warning in 2 files (1 gallery, 1 photo, 0 comparisons checked).",
    ]


def test_camera_source_on_a_signed_photoshop_composite_fails(tmp_path: Path) -> None:
    config = HEAD + '[photos."set/hero.jpg"]\ntitle = "Hero"\nsource = "camera"\n'  # line 10
    portfolio(tmp_path, {"hero.jpg": "ocsp.jpg"}, config)
    code, out = checked(tmp_path)
    assert code == 1
    assert out[0] == (
        "config.toml:10:1: set/hero.jpg: the config calls it a camera original (source = "
        '"camera"), but its Content Credentials (signed by Adobe Photoshop 26.9.0, unknown '
        "signer) say compositeWithTrainedAlgorithmicMedia (Composite with AI); the badge shows "
        "Composite with AI. Correct or remove source, or put the camera original in its place"
    )
    assert out[1].startswith(
        "photos/set/hero.jpg: warning: its Content Credentials are intact but signed by "
        "Adobe Inc., who is not on the trust list in use"
    )


def test_the_command_exits_1_naming_the_config_line(tmp_path: Path) -> None:
    portfolio(tmp_path, {"a.jpg": "C.jpg"}, HEAD + '[photos."set/a.jpg"]\nsource = "camera"\n')
    result = run_cli("check", "config.toml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("config.toml:9:1: set/a.jpg: the config calls it a camera")


def test_other_disagreements_with_credentials_are_warnings(tmp_path: Path) -> None:
    # Signed as a capture, called AI by the config: listed, the credentials win, exit 0.
    config = HEAD + '[photos."set/a.jpg"]\nsource = "ai"\n'
    portfolio(tmp_path, {"a.jpg": "C_with_CAWG_data.jpg"}, config)
    code, out = checked(tmp_path)
    assert code == 0
    assert out[0] == (
        'config.toml:9:1: warning: set/a.jpg: the config says source = "ai" (AI-generated), '
        "but the photo's Content Credentials (signed by c2pa cawg test 0.58.0, unknown signer) "
        "say digitalCapture (Camera original); the credentials are used"
    )
    assert out[1].startswith("photos/set/a.jpg: warning: its Content Credentials are intact")


def test_config_agreeing_with_trusted_credentials_is_quiet(
    tmp_path: Path, trusted_test_root: None
) -> None:
    config = HEAD + '[photos."set/a.jpg"]\nsource = "ai"\n'
    portfolio(tmp_path, {"a.jpg": "C.jpg"}, config)
    assert checked(tmp_path, strict=True) == (
        0,
        ["check: no problems (1 gallery, 1 photo, 0 comparisons checked)."],
    )


# -- invalid and unreadable credentials -----------------------------------------------------


def test_invalid_credentials_fail_naming_the_file_and_the_problem(tmp_path: Path) -> None:
    portfolio(tmp_path, {"a.jpg": "XCA.jpg", "b.jpg": "E-sig-CA.jpg"}, HEAD)
    code, out = checked(tmp_path)
    assert code == 1
    assert out == [
        "photos/set/a.jpg: its Content Credentials are invalid: edited after signing: the "
        "image no longer matches what was signed (assertion.dataHash.mismatch); they are not "
        "used for the badge. Export the photo again from the app that signed it, or put the "
        "signed original back",
        "photos/set/b.jpg: its Content Credentials are invalid: the signature does not match "
        "the claim (claimSignature.mismatch); they are not used for the badge. Export the "
        "photo again from the app that signed it, or put the signed original back",
        "check: 2 problems in 2 files (1 gallery, 2 photos, 0 comparisons checked).",
    ]


def test_invalid_credentials_fail_in_strict_mode_too(tmp_path: Path) -> None:
    portfolio(tmp_path, {"a.jpg": "XCA.jpg"}, HEAD)
    code, out = checked(tmp_path, strict=True)
    assert code == 1
    assert out[0].startswith("photos/set/a.jpg: its Content Credentials are invalid: edited")


def test_unreadable_credentials_fail_saying_what(tmp_path: Path) -> None:
    portfolio(tmp_path, {"a.jpg": "cloud.jpg"}, HEAD)
    code, out = checked(tmp_path)
    assert code == 1
    assert out[0].startswith("photos/set/a.jpg: its Content Credentials cannot be read: ")
    assert "stored online" in out[0] and "not fetched" in out[0]


# -- unknown signers: a warning, an error with --provenance strict ----------------------------


def test_unknown_signer_is_a_warning_by_default_and_an_error_when_strict(tmp_path: Path) -> None:
    portfolio(tmp_path, {"a.jpg": "C_with_CAWG_data.jpg"}, HEAD)
    default = run_cli("check", "config.toml", cwd=tmp_path)
    assert default.returncode == 0, default.stdout + default.stderr
    assert default.stdout.splitlines() == [
        UNKNOWN_TEST_SIGNER,
        "check: no problems, 1 warning in 1 file (1 gallery, 1 photo, 0 comparisons checked).",
    ]
    strict = run_cli("check", "--provenance", "strict", "config.toml", cwd=tmp_path)
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert strict.stdout.splitlines() == [
        "photos/set/a.jpg: its Content Credentials are intact but signed by C2PA Test Signing "
        "Cert, who is not on the trust list in use, so the badge says (unknown signer) and "
        "--provenance strict fails it. To vouch for this signer, install a trust list that "
        "holds its certificate (portfolio-tui trust update FILE)",
        "check: 1 problem in 1 file (1 gallery, 1 photo, 0 comparisons checked).",
    ]


def test_strict_passes_once_the_signer_is_trusted(tmp_path: Path, trusted_test_root: None) -> None:
    portfolio(tmp_path, {"a.jpg": "C.jpg", "b.jpg": "no_manifest.jpg"}, HEAD)
    assert checked(tmp_path, strict=True) == (
        0,
        ["check: no problems (1 gallery, 2 photos, 0 comparisons checked)."],
    )


def test_an_untrusted_identity_in_trusted_credentials_is_named_as_such(
    tmp_path: Path, trusted_test_root: None
) -> None:
    portfolio(tmp_path, {"a.jpg": "C_with_CAWG_data.jpg"}, HEAD)
    code, out = checked(tmp_path)
    assert code == 0
    assert out[0] == (
        "photos/set/a.jpg: warning: its Content Credentials are intact but carry an identity "
        "(cawg.x509.credential.untrusted) whose signer is not on the trust list in use, so the "
        "badge says (unknown signer). To vouch for this signer, install a trust list that holds "
        "its certificate (portfolio-tui trust update FILE)"
    )


def test_strict_is_refused_with_a_typo() -> None:
    result = run_cli("check", "--provenance", "strcit", ".", cwd=REPO)
    assert result.returncode == 2
    assert "invalid choice: 'strcit'" in result.stderr


# -- kind = "real-vs-ai" ---------------------------------------------------------------------

REAL_VS_AI = HEAD + (
    "[[comparisons]]\n"  # line 8
    'id = "duel"\n'  # line 9
    'kind = "real-vs-ai"\n'  # line 10
    'photos = [{ photo = "set/real.jpg", label = "Real" }, '
    '{ photo = "set/ai.jpg", label = "AI" }]\n'
)


def test_real_vs_ai_with_no_trusted_side_fails_at_the_kind_line(tmp_path: Path) -> None:
    portfolio(tmp_path, {"real.jpg": "no_manifest.jpg", "ai.jpg": "C.jpg"}, REAL_VS_AI)
    code, out = checked(tmp_path)
    assert code == 1
    assert out[0] == (
        'config.toml:10:1: comparison "duel" is kind = "real-vs-ai", but neither side has '
        "verified Content Credentials (trusted, and stating where the image came from): Real "
        "(set/real.jpg): no credentials; AI (set/ai.jpg): unknown signer. Use a real photograph "
        "signed by its camera or app, or remove kind"
    )
    assert out[1].startswith("photos/set/ai.jpg: warning: its Content Credentials are intact")
    result = run_cli("check", "config.toml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith('config.toml:10:1: comparison "duel" is kind = "real-vs-ai"')


def test_real_vs_ai_passes_with_one_trusted_side(tmp_path: Path, trusted_test_root: None) -> None:
    # The AI side's signed "algorithmicMedia" is verified now: the client can be shown which.
    portfolio(tmp_path, {"real.jpg": "no_manifest.jpg", "ai.jpg": "C.jpg"}, REAL_VS_AI)
    assert checked(tmp_path, strict=True) == (
        0,
        ["check: no problems (1 gallery, 2 photos, 1 comparison checked)."],
    )


def test_real_vs_ai_names_invalid_and_silent_sides(tmp_path: Path, trusted_test_root: None) -> None:
    # CA.jpg is trusted now, but states no source type; XCA.jpg is invalid.
    portfolio(tmp_path, {"real.jpg": "CA.jpg", "ai.jpg": "XCA.jpg"}, REAL_VS_AI)
    code, out = checked(tmp_path)
    assert code == 1
    assert out[0].endswith(
        "Real (set/real.jpg): trusted, but they do not state the source; AI (set/ai.jpg): "
        "credentials invalid. Use a real photograph signed by its camera or app, or remove kind"
    )


def test_other_kinds_ask_nothing_of_the_credentials(tmp_path: Path) -> None:
    config = REAL_VS_AI.replace('"real-vs-ai"', '"before-after"')
    portfolio(tmp_path, {"real.jpg": "no_manifest.jpg", "ai.jpg": "no_manifest.jpg"}, config)
    assert checked(tmp_path)[0] == 0


# -- the config's kind key --------------------------------------------------------------------


def test_kind_is_read_and_optional() -> None:
    config, problems = parse_config(REAL_VS_AI, Path("/p/config.toml"))
    assert problems == []
    assert [c.kind for c in config.comparisons] == ["real-vs-ai"]
    config, problems = parse_config(REAL_VS_AI.replace('kind = "real-vs-ai"\n', ""), Path("/p/c"))
    assert problems == []
    assert [c.kind for c in config.comparisons] == [None]
    for kind in ("before-after", "takes"):
        config, problems = parse_config(REAL_VS_AI.replace("real-vs-ai", kind), Path("/p/c"))
        assert (problems, config.comparisons[0].kind) == ([], kind)


def test_an_unknown_kind_is_a_config_error_at_its_line(tmp_path: Path) -> None:
    config = REAL_VS_AI.replace('"real-vs-ai"', '"real vs AI"')
    portfolio(tmp_path, {"real.jpg": "no_manifest.jpg", "ai.jpg": "no_manifest.jpg"}, config)
    code, out = checked(tmp_path)
    assert code == 1
    assert out[0] == (
        'config.toml:10:1: \'kind\' is "real vs AI"; it must be one of "real-vs-ai", '
        '"before-after", "takes" (did you mean "real-vs-ai"?)'
    )
    config, problems = parse_config(REAL_VS_AI.replace('"real-vs-ai"', "3"), Path("/p/c"))
    assert [(p.line, p.message) for p in problems] == [
        (10, "'kind' must be a string in quotes, not a number (write kind = \"3\")")
    ]


# -- the demo and speed ------------------------------------------------------------------------


def test_demo_passes_check_strictly_without_importing_c2pa() -> None:
    """The demo has no manifest: each photo costs a look at its header, c2pa stays unloaded."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from portfolio_tui.check import check\n"
        f"result = check(Path({str(DEMO_CONFIG)!r}), strict_provenance=True)\n"
        "print(result.exit_code, [str(p) for p in result.problems])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'c2pa'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["0 []", "[]"]


def test_demo_comparisons_have_kinds_that_pass() -> None:
    config, problems = parse_config(DEMO_CONFIG.read_text(encoding="utf-8"), DEMO_CONFIG)
    assert problems == []
    assert {c.id: c.kind for c in config.comparisons} == {
        "real-vs-ai": None,  # its photos are unsigned: kind = "real-vs-ai" would fail check
        "retouch-before-after": "before-after",
        "take-a-vs-b": "takes",
        "grades": None,
    }
