"""provenance.py with Content Credentials: precedence, the badge line, the conflict sentences.

Credentials are built directly (:class:`Credentials`), so these tests need no signed file;
the gate on real signed files is tests/domain/test_check_provenance.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio_tui.credentials.model import (
    INVALID,
    NO_CREDENTIALS,
    NONE,
    TRUSTED,
    UNKNOWN_SIGNER,
    UNREADABLE,
    Credentials,
)
from portfolio_tui.portfolio import Photo
from portfolio_tui.provenance import Provenance, provenance, provenance_from
from portfolio_tui.xmp import XmpFacts

AI_CODE = "trainedAlgorithmicMedia"
CAMERA_CODE = "digitalCapture"
COMPOSITE_AI = "compositeWithTrainedAlgorithmicMedia"

FIREFLY = Credentials(TRUSTED, signer="Adobe Inc.", generator="Adobe Firefly", source_type=AI_CODE)
LEICA = Credentials(
    UNKNOWN_SIGNER,
    signer="Leica Camera AG",
    generator="Leica FOTOS",
    device="Leica M11-P",
    source_type=CAMERA_CODE,
)
PHOTOSHOP = Credentials(
    UNKNOWN_SIGNER, signer="Adobe Inc.", generator="Adobe Photoshop", source_type=COMPOSITE_AI
)
TAMPERED = Credentials(
    INVALID,
    signer="Adobe Inc.",
    generator="Adobe Firefly",
    source_type=AI_CODE,
    problem="edited after signing: the image data no longer matches its hash",
    codes=("assertion.dataHash.mismatch",),
)
BROKEN = Credentials(UNREADABLE, problem="malformed manifest: the JUMBF box is cut short")


def photo(source: str | None = None) -> Photo:
    return Photo(path=Path("/nowhere/a.jpg"), rel="set/a.jpg", source=source)


def facts(code: str | None = None) -> XmpFacts:
    return XmpFacts(source_type=code)


def decide(
    credentials: Credentials, source: str | None = None, code: str | None = None
) -> Provenance:
    return provenance_from(photo(source), facts(code), credentials)


# -- precedence: intact credentials > config source > XMP ---------------------------------


@pytest.mark.parametrize(
    ("credentials", "source", "code", "badge", "label", "origin"),
    [
        # Intact credentials decide, whatever the config and the XMP say.
        (FIREFLY, None, None, "ai", "AI-generated", "credentials"),
        (FIREFLY, "camera", None, "ai", "AI-generated", "credentials"),
        (FIREFLY, None, CAMERA_CODE, "ai", "AI-generated", "credentials"),
        (FIREFLY, "camera", CAMERA_CODE, "ai", "AI-generated", "credentials"),
        (LEICA, "ai", AI_CODE, "camera", "Camera original", "credentials"),  # unknown signer too
        (PHOTOSHOP, "camera", None, "composite", "Composite with AI", "credentials"),
        # Invalid or unreadable credentials never decide: config, then XMP.
        (TAMPERED, "camera", AI_CODE, "camera", "Camera original", "config"),
        (TAMPERED, None, CAMERA_CODE, "camera", "Camera original", "metadata"),
        (TAMPERED, None, None, None, "Unknown source", "none"),
        (BROKEN, "retouched", AI_CODE, "retouched", "Retouched", "config"),
        (BROKEN, None, AI_CODE, "ai", "AI-generated", "metadata"),
        # No credentials: as before, the config over the XMP.
        (NO_CREDENTIALS, "camera", AI_CODE, "camera", "Camera original", "config"),
        (NO_CREDENTIALS, None, AI_CODE, "ai", "AI-generated", "metadata"),
        (NO_CREDENTIALS, None, None, None, "Unknown source", "none"),
        # Intact credentials that state no source type leave it to the config or XMP.
        (Credentials(TRUSTED, signer="Adobe Inc."), "retouched", None, "retouched", "Retouched",
         "config"),
        (Credentials(TRUSTED, signer="Adobe Inc."), None, AI_CODE, "ai", "AI-generated",
         "metadata"),
        # ... and so do ones whose code is outside the IPTC vocabulary.
        (Credentials(TRUSTED, source_type="madeUp"), "camera", None, "camera",
         "Camera original", "config"),
    ],
)  # fmt: skip
def test_precedence(
    credentials: Credentials,
    source: str | None,
    code: str | None,
    badge: str | None,
    label: str,
    origin: str,
) -> None:
    result = decide(credentials, source, code)
    assert (result.badge, result.label, result.origin) == (badge, label, origin)
    assert result.credentials == credentials
    assert result.source_type == code  # always the XMP's code


def test_a_signed_code_with_no_badge_still_decides() -> None:
    made = Credentials(TRUSTED, generator="Blender", source_type="digitalCreation")
    result = decide(made, "camera", CAMERA_CODE)
    assert (result.badge, result.label, result.origin) == (None, "Digital creation", "credentials")
    assert result.text == "Digital creation · signed by Blender ✓"
    assert result.conflict is not None


# -- the badge line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credentials", "source", "code", "text"),
    [
        (FIREFLY, None, None, "AI-generated · signed by Adobe Firefly ✓"),
        (LEICA, None, None, "Camera original · signed by Leica M11-P (unknown signer)"),
        (PHOTOSHOP, None, None, "Composite with AI · signed by Adobe Photoshop (unknown signer)"),
        (TAMPERED, None, None, "Credentials invalid: edited after signing"),
        (
            TAMPERED,
            "camera",
            None,
            "Credentials invalid: edited after signing · the config says Camera original",
        ),
        (
            TAMPERED,
            None,
            AI_CODE,
            "Credentials invalid: edited after signing · the XMP says AI-generated",
        ),
        (Credentials(INVALID), None, None, "Credentials invalid"),
        (
            BROKEN,
            "camera",
            None,
            "Camera original · Credentials unreadable: malformed manifest",
        ),
        (BROKEN, None, None, "Unknown source · Credentials unreadable: malformed manifest"),
        (Credentials(UNREADABLE), None, None, "Unknown source · Credentials unreadable"),
        (
            Credentials(TRUSTED, generator="Adobe Lightroom"),
            "retouched",
            None,
            "Retouched · signed by Adobe Lightroom ✓ (source not stated)",
        ),
        (
            Credentials(UNKNOWN_SIGNER, signer="Someone"),
            None,
            None,
            "Unknown source · signed by Someone (unknown signer, source not stated)",
        ),
        (
            Credentials(TRUSTED, source_type=AI_CODE),
            None,
            None,
            "AI-generated · signed by an unnamed signer ✓",
        ),
        # No credentials: the label, as it always was.
        (NO_CREDENTIALS, "camera", None, "Camera original"),
        (NO_CREDENTIALS, None, COMPOSITE_AI, "Composite with AI"),
        (NO_CREDENTIALS, None, None, "Unknown source"),
    ],
)
def test_text(credentials: Credentials, source: str | None, code: str | None, text: str) -> None:
    assert decide(credentials, source, code).text == text


def test_signed_by_prefers_the_device_then_the_app_then_the_signer() -> None:
    signer_only = Credentials(TRUSTED, signer="Adobe Inc.", source_type=AI_CODE)
    assert decide(signer_only).text == "AI-generated · signed by Adobe Inc. ✓"
    assert decide(LEICA).text.endswith("signed by Leica M11-P (unknown signer)")


def test_text_cleans_what_the_file_says() -> None:
    evil = Credentials(TRUSTED, generator="Fire\x1b[31mfly\u202e", source_type=AI_CODE)
    text = decide(evil).text
    assert "\x1b" not in text and "\u202e" not in text
    assert text.startswith("AI-generated · signed by Fire␛[31mfly")
    bad = Credentials(INVALID, problem="edited\x07 after signing: details")
    assert "\x07" not in decide(bad).text


def test_verified_only_when_trusted_credentials_decide() -> None:
    assert decide(FIREFLY).verified
    assert not decide(LEICA).verified  # intact, unknown signer
    assert not decide(TAMPERED, "ai").verified
    assert not decide(BROKEN, "ai").verified
    assert not decide(NO_CREDENTIALS, "ai", AI_CODE).verified
    # Trusted, but silent on the source: the badge is the config's, not vouched for.
    assert not decide(Credentials(TRUSTED, signer="Adobe Inc."), "camera").verified


# -- conflicts ----------------------------------------------------------------------------------


def test_conflict_config_against_credentials() -> None:
    assert decide(PHOTOSHOP, "camera").conflict == (
        'the config says source = "camera" (Camera original), but the photo\'s Content '
        "Credentials (signed by Adobe Photoshop, unknown signer) say "
        "compositeWithTrainedAlgorithmicMedia (Composite with AI); the credentials are used"
    )


def test_conflict_xmp_against_credentials() -> None:
    assert decide(FIREFLY, None, CAMERA_CODE).conflict == (
        "the photo's XMP says digitalCapture (Camera original), but its Content Credentials "
        "(signed by Adobe Firefly, trusted) say trainedAlgorithmicMedia (AI-generated); "
        "the credentials are used"
    )


def test_conflict_names_config_and_xmp_when_both_disagree() -> None:
    assert decide(FIREFLY, "camera", "humanEdits").conflict == (
        'the config says source = "camera" (Camera original) and the photo\'s XMP says '
        "humanEdits (Retouched), but its Content Credentials (signed by Adobe Firefly, "
        "trusted) say trainedAlgorithmicMedia (AI-generated); the credentials are used"
    )


def test_no_conflict_when_all_agree_or_the_xmp_code_is_unknown() -> None:
    assert decide(FIREFLY, "ai", AI_CODE).conflict is None
    assert decide(PHOTOSHOP, "composite", "compositeSynthetic").conflict is None
    assert decide(FIREFLY, None, "madeUpCode").conflict is None


def test_config_against_xmp_still_conflicts_when_credentials_do_not_decide() -> None:
    for credentials in (NO_CREDENTIALS, TAMPERED, BROKEN, Credentials(TRUSTED)):
        assert decide(credentials, "camera", AI_CODE).conflict == (
            'the config says source = "camera" (Camera original), but the photo\'s XMP says '
            "trainedAlgorithmicMedia (AI-generated); the config's source is used"
        ), credentials.state


# -- provenance() reads the credentials of the file shown --------------------------------


def test_provenance_reads_the_credentials_of_the_file_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jpeg = tmp_path / "IMG_1.jpg"
    raw = tmp_path / "IMG_1.CR2"
    jpeg.write_bytes(b"")
    raw.write_bytes(b"")
    asked: list[Path] = []

    def fake(path: Path) -> Credentials:
        asked.append(path)
        return FIREFLY

    monkeypatch.setattr("portfolio_tui.provenance.read_credentials", fake)
    pair = Photo(path=jpeg, rel="IMG_1.jpg", raw=raw, source="camera")
    result = provenance(pair)
    assert asked == [jpeg]  # the JPEG shown, not the RAW
    assert (result.badge, result.origin, result.credentials) == ("ai", "credentials", FIREFLY)


def test_provenance_without_a_manifest_is_as_before(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "a.jpg"
    Image.new("RGB", (8, 8)).save(path, "JPEG")
    result = provenance(Photo(path=path, rel="a.jpg", source="retouched"))
    assert result == Provenance("retouched", "Retouched", "config", None, None)
    assert result.credentials.state == NONE
    assert result.text == "Retouched"


def test_badges_of_real_signed_files(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real reader on tests/fixtures/c2pa (shipped trust list: their signers are unknown)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "c2pa"

    def badge(name: str, source: str | None = None) -> Provenance:
        return provenance(Photo(path=fixtures / name, rel=name, source=source))

    ocsp = badge("ocsp.jpg", "camera")
    assert ocsp.text == "Composite with AI · signed by Adobe Photoshop 26.9.0 (unknown signer)"
    assert (ocsp.badge, ocsp.origin, ocsp.verified) == ("composite", "credentials", False)
    assert ocsp.conflict is not None and ocsp.conflict.startswith(
        'the config says source = "camera" (Camera original), but the photo\'s Content '
        "Credentials (signed by Adobe Photoshop 26.9.0, unknown signer) say "
        "compositeWithTrainedAlgorithmicMedia"
    )
    assert (
        badge("C.jpg").text == "AI-generated · signed by make_test_images 0.33.1 (unknown signer)"
    )
    assert badge("XCA.jpg").text == "Credentials invalid: edited after signing"
    assert badge("XCA.jpg", "camera").text == (
        "Credentials invalid: edited after signing · the config says Camera original"
    )
    assert badge("no_manifest.jpg", "camera").text == "Camera original"
