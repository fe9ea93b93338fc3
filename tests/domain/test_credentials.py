"""Reading and verifying C2PA Content Credentials (credentials/reading.py) on real files.

The fixtures are c2pa-rs's (tests/fixtures/SOURCES): C.jpg and CA.jpg are signed with the
c2pa-rs test certificate, which test_cert_root_bundle.pem anchors; ocsp.jpg is a real
Adobe Photoshop export with generative fill, signed by Adobe Inc. (not on the official
list shipped). Each state is covered, and the damage a user could meet: bytes changed
after signing, a manifest moved onto other pixels, a broken manifest, a remote manifest.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image

from portfolio_tui.credentials import (
    INVALID,
    NO_CREDENTIALS,
    NONE,
    TRUSTED,
    UNKNOWN_SIGNER,
    UNREADABLE,
    Credentials,
    reading,
)
from portfolio_tui.credentials.reading import (
    credentials_from_store,
    read_credentials,
    reader_settings,
)
from portfolio_tui.credentials.trust import install_trust_list, shipped_trust_list

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "c2pa"
EDITED = "edited after signing: the image no longer matches what was signed"


@pytest.fixture(autouse=True)
def _own_trust_and_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No trust list from the developer's config; no result from another test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    reading.clear_cache()


@pytest.fixture
def test_anchors() -> None:
    """The c2pa-rs test root installed as the trust list, as ``trust update`` does."""
    install_trust_list(FIXTURES / "test_cert_root_bundle.pem")


def copy(name: str, folder: Path, as_name: str | None = None) -> Path:
    target = folder / (as_name or name)
    target.write_bytes((FIXTURES / name).read_bytes())
    return target


def segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of each JPEG segment up to SOS (which runs to the end)."""
    found = []
    at = 2
    while True:
        marker = data[at + 1]
        if marker == 0xDA:
            found.append((marker, at, len(data)))
            return found
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        found.append((marker, at, at + 2 + length))
        at += 2 + length


def jpeg(size: tuple[int, int] = (320, 200), color: tuple[int, int, int] = (50, 90, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


# --- the states ---


def test_trusted_when_the_signer_chains_to_the_list_in_use(
    tmp_path: Path, test_anchors: None
) -> None:
    found = read_credentials(copy("C.jpg", tmp_path))
    assert found.state == TRUSTED and found.verified and found.intact
    assert found.signer == "C2PA Test Signing Cert"
    assert found.generator == "make_test_images 0.33.1"
    assert found.signed_at == "2024-08-06T21:53:37+00:00"
    assert found.source_type == "algorithmicMedia"
    assert [(a.action, a.source_type, a.software) for a in found.actions] == [
        ("c2pa.created", "algorithmicMedia", "Make Test Images 0.33.1")
    ]
    assert found.problem is None and found.codes == ()


def test_unknown_signer_with_the_shipped_list(tmp_path: Path) -> None:
    """The test certificate is not on the official list: intact, but not vouched for."""
    found = read_credentials(copy("C.jpg", tmp_path))
    assert found.state == UNKNOWN_SIGNER and found.intact and not found.verified
    assert found.codes == ("signingCredential.untrusted",)
    assert found.problem is None


def test_a_real_adobe_composite_reads_as_composite_with_its_signer(tmp_path: Path) -> None:
    found = read_credentials(copy("ocsp.jpg", tmp_path))
    assert found.state == UNKNOWN_SIGNER  # Adobe chains to the older list, not shipped
    assert found.signer == "Adobe Inc."
    assert found.generator == "Adobe Photoshop 26.9.0"
    assert found.source_type == "compositeWithTrainedAlgorithmicMedia"
    assert found.ingredient_source_types == ("trainedAlgorithmicMedia",)  # Firefly's
    assert ("c2pa.edited", "compositeWithTrainedAlgorithmicMedia", "Adobe Firefly") in [
        (a.action, a.source_type, a.software) for a in found.actions
    ]


def test_camera_original_with_cawg_identity(tmp_path: Path, test_anchors: None) -> None:
    """The claim signer is trusted but the CAWG identity is not: intact, unknown signer."""
    found = read_credentials(copy("C_with_CAWG_data.jpg", tmp_path))
    assert found.state == UNKNOWN_SIGNER
    assert found.source_type == "digitalCapture"  # " http://...digitalCapture" in the file
    assert "cawg.x509.credential.untrusted" in found.codes


def test_edited_only_stays_as_created(tmp_path: Path, test_anchors: None) -> None:
    found = read_credentials(copy("CA.jpg", tmp_path))
    assert found.state == TRUSTED
    assert [a.action for a in found.actions] == ["c2pa.opened", "c2pa.color_adjustments"]
    assert found.source_type is None  # nothing says what the opened image was


def test_tampered_fixture_is_invalid(tmp_path: Path) -> None:
    found = read_credentials(copy("XCA.jpg", tmp_path))
    assert found.state == INVALID and not found.intact
    assert found.problem == EDITED
    assert "assertion.dataHash.mismatch" in found.codes


def test_bytes_changed_after_signing_are_caught(tmp_path: Path, test_anchors: None) -> None:
    data = bytearray((FIXTURES / "CA.jpg").read_bytes())
    sos = segments(bytes(data))[-1][1]
    at = (sos + len(data)) // 2
    while data[at] in (0xFE, 0xFF) or data[at - 1] == 0xFF:
        at += 1
    data[at] ^= 0x01  # one bit of the picture
    photo = tmp_path / "tampered.jpg"
    photo.write_bytes(bytes(data))
    found = read_credentials(photo)
    assert found.state == INVALID
    assert found.problem == EDITED
    assert found.codes == ("assertion.dataHash.mismatch",)
    assert read_credentials(copy("CA.jpg", tmp_path)).state == TRUSTED  # the original is fine


def test_a_manifest_moved_onto_other_pixels_is_invalid(tmp_path: Path, test_anchors: None) -> None:
    """C.jpg's APP11 segments spliced onto a new picture, at the same place."""
    original = (FIXTURES / "C.jpg").read_bytes()
    app11 = b"".join(original[s:e] for m, s, e in segments(original) if m == 0xEB)
    other = jpeg()
    assert segments(other)[0][:3] == (0xE0, 2, 20) == segments(original)[0]  # JFIF, then APP11
    photo = tmp_path / "swapped.jpg"
    photo.write_bytes(other[:20] + app11 + other[20:])
    found = read_credentials(photo)
    assert found.state == INVALID
    assert found.problem == EDITED
    assert found.signer == "C2PA Test Signing Cert"  # what it claims is still shown


def test_signature_mismatch(tmp_path: Path) -> None:
    found = read_credentials(copy("E-sig-CA.jpg", tmp_path))
    assert found.state == INVALID
    assert found.problem == "the signature does not match the claim"
    assert "claimSignature.mismatch" in found.codes


def test_no_manifest(tmp_path: Path) -> None:
    assert read_credentials(copy("no_manifest.jpg", tmp_path)) is NO_CREDENTIALS
    png = tmp_path / "plain.png"
    Image.new("RGB", (20, 20)).save(png)
    assert read_credentials(png).state == NONE
    assert read_credentials(tmp_path / "missing.jpg").state == NONE


@pytest.mark.parametrize("offset", [60, 100, 300, 1000, 5000, 20000])
@pytest.mark.parametrize("fill", [b"\x00", b"\xff", b"A"])
def test_a_broken_manifest_gives_a_clear_message_never_an_exception(
    tmp_path: Path, offset: int, fill: bytes
) -> None:
    data = bytearray((FIXTURES / "C.jpg").read_bytes())
    start = next(s for m, s, _ in segments(bytes(data)) if m == 0xEB)
    data[start + offset : start + offset + 64] = fill * 64
    photo = tmp_path / "broken.jpg"
    photo.write_bytes(bytes(data))
    found = read_credentials(photo)
    assert found.state in (UNREADABLE, INVALID)
    assert found.problem and "\n" not in found.problem and len(found.problem) <= 200
    assert "()" not in found.problem


def test_broken_jumbf_header_is_unreadable_in_plain_words(tmp_path: Path) -> None:
    data = bytearray((FIXTURES / "C.jpg").read_bytes())
    start = next(s for m, s, _ in segments(bytes(data)) if m == 0xEB)
    data[start + 100 : start + 164] = bytes(64)
    photo = tmp_path / "broken.jpg"
    photo.write_bytes(bytes(data))
    found = read_credentials(photo)
    assert found.state == UNREADABLE
    assert found.problem == "the manifest cannot be read: unexpected end of file"


def test_a_remote_manifest_is_not_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    found = read_credentials(copy("cloud.jpg", tmp_path))
    assert found.state == UNREADABLE
    assert found.problem == (
        "its credentials are stored online (https://cai-manifests.adobe.com/manifests/"
        "adobe-urn-uuid-5f37e182-3687-462e-a7fb-573462780391), which is not fetched"
    )


def test_the_reader_is_told_to_fetch_nothing() -> None:
    settings = reader_settings(shipped_trust_list())
    assert settings["verify"]["remote_manifest_fetch"] is False
    assert settings["verify"]["ocsp_fetch"] is False
    assert settings["verify"]["verify_trust"] is True
    assert settings["core"]["allowed_network_hosts"] == []
    assert settings["trust"]["trust_anchors"] == shipped_trust_list().pem


def test_a_sidecar_manifest(tmp_path: Path) -> None:
    """cloud.jpg's manifest in portrait.c2pa beside it (the pair c2pa-rs tests with)."""
    photo = copy("cloud.jpg", tmp_path, "portrait.jpg")
    copy("cloud_manifest.c2pa", tmp_path, "portrait.c2pa")
    found = read_credentials(photo)
    assert found.sidecar
    assert found.state == UNKNOWN_SIGNER
    assert found.signer is not None and found.actions
    (tmp_path / "portrait.c2pa").unlink()
    assert not read_credentials(photo).sidecar  # the sidecar is part of the cache key


def test_a_sidecar_for_other_pixels_is_invalid(tmp_path: Path) -> None:
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(jpeg())
    copy("cloud_manifest.c2pa", tmp_path, "portrait.c2pa")
    found = read_credentials(photo)
    assert found.sidecar and found.state == INVALID
    assert found.problem == EDITED


# --- performance guarantees ---


def test_c2pa_is_not_imported_for_a_file_without_a_manifest(tmp_path: Path) -> None:
    png = tmp_path / "plain.png"
    Image.new("RGB", (20, 20)).save(png)
    script = (
        "import sys; from pathlib import Path\n"
        "from portfolio_tui.credentials.reading import read_credentials\n"
        "for p in sys.argv[1:]:\n"
        "    assert read_credentials(Path(p)).state == 'none', p\n"
        "assert 'c2pa' not in sys.modules, 'c2pa imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(FIXTURES / "no_manifest.jpg"), str(png)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    signed = subprocess.run(  # and the check itself can fail: a signed file imports it
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path\n"
            "from portfolio_tui.credentials.reading import read_credentials\n"
            "read_credentials(Path(sys.argv[1])); assert 'c2pa' in sys.modules",
            str(FIXTURES / "C.jpg"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert signed.returncode == 0, signed.stderr


def test_a_second_read_comes_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = copy("C.jpg", tmp_path)
    first = read_credentials(photo)
    import c2pa

    def no_reader(*args: object, **kwargs: object) -> None:
        raise AssertionError("c2pa read again")

    monkeypatch.setattr(c2pa, "Reader", no_reader)
    assert read_credentials(photo) == first
    photo.write_bytes((FIXTURES / "XCA.jpg").read_bytes())  # replaced: size and mtime change
    assert read_credentials(photo).state == UNREADABLE  # read again (and failed, as patched)


def test_a_new_trust_list_is_used_at_once(tmp_path: Path) -> None:
    photo = copy("C.jpg", tmp_path)
    assert read_credentials(photo).state == UNKNOWN_SIGNER
    install_trust_list(FIXTURES / "test_cert_root_bundle.pem")
    assert read_credentials(photo).state == TRUSTED


def test_reads_from_many_threads_agree(tmp_path: Path, test_anchors: None) -> None:
    names = ["C.jpg", "CA.jpg", "XCA.jpg", "E-sig-CA.jpg", "ocsp.jpg", "no_manifest.jpg"]
    photos = [copy(name, tmp_path) for name in names]
    expected = {p: read_credentials(p) for p in photos}
    reading.clear_cache()
    results: list[tuple[Path, Credentials]] = []
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(12):
                photo = photos[(offset + i) % len(photos)]
                results.append((photo, read_credentials(photo)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert len(results) == 96
    assert all(found == expected[photo] for photo, found in results)


# --- what is read from a manifest store ---


def _store(
    *actions: dict[str, object], ingredients: list[object] | None = None
) -> dict[str, object]:
    return {
        "active_manifest": "m",
        "validation_state": "Trusted",
        "manifests": {
            "m": {
                "claim_generator": "Leica_Camera/2.1 c2pa-rs/0.40",
                "signature_info": {"common_name": "Leica Camera AG", "time": "2026-01-01"},
                "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": list(actions)}}],
                "ingredients": ingredients or [],
            },
            "ai": {
                "assertions": [
                    {
                        "label": "c2pa.actions",
                        "data": {"actions": [_act("c2pa.created", "trainedAlgorithmicMedia")]},
                    }
                ]
            },
        },
    }


def _act(action: str, code: str | None = None, agent: object = None) -> dict[str, object]:
    entry: dict[str, object] = {"action": action}
    if code:
        entry["digitalSourceType"] = f"http://cv.iptc.org/newscodes/digitalsourcetype/{code}"
    if agent is not None:
        entry["softwareAgent"] = agent
    return entry


def test_a_capture_with_ai_placed_in_is_a_composite() -> None:
    placed = credentials_from_store(
        _store(
            _act("c2pa.created", "digitalCapture"), _act("c2pa.placed", "trainedAlgorithmicMedia")
        )
    )
    assert placed.source_type == "compositeWithTrainedAlgorithmicMedia"
    component = credentials_from_store(
        _store(
            _act("c2pa.created", "digitalCapture"),
            _act("c2pa.placed"),
            ingredients=[{"relationship": "componentOf", "active_manifest": "ai"}],
        )
    )
    assert component.source_type == "compositeWithTrainedAlgorithmicMedia"
    assert component.ingredient_source_types == ("trainedAlgorithmicMedia",)
    retouched = credentials_from_store(
        _store(_act("c2pa.created", "digitalCapture"), _act("c2pa.color_adjustments"))
    )
    assert retouched.source_type == "digitalCapture"
    generated = credentials_from_store(_store(_act("c2pa.created", "trainedAlgorithmicMedia")))
    assert generated.source_type == "trainedAlgorithmicMedia"
    edited_ai = credentials_from_store(
        _store(
            _act("c2pa.opened"),
            ingredients=[{"relationship": "parentOf", "active_manifest": "ai"}],
        )
    )
    assert edited_ai.source_type == "trainedAlgorithmicMedia"  # an edit of an AI image


def test_generator_signer_and_device() -> None:
    store = _store(_act("c2pa.created", "digitalCapture", {"name": "Leica FOTOS", "version": "4"}))
    manifest = store["manifests"]["m"]  # type: ignore[index]
    manifest["assertions"].append(  # type: ignore[index]
        {"label": "stds.exif", "data": {"tiff:Make": "Leica Camera AG", "tiff:Model": "M11-P"}}
    )
    found = credentials_from_store(store)
    assert found.generator == "Leica Camera 2.1"  # claim_generator's first product token
    assert found.signer == "Leica Camera AG"
    assert found.device == "Leica Camera AG M11-P"
    assert found.signed_by == "Leica Camera AG M11-P"
    assert found.actions[0].software == "Leica FOTOS"


def test_hostile_strings_are_capped_not_cleaned() -> None:
    flood = "\x1b[2J" + "A" * 10_000
    store = _store(*[_act("c2pa.edited", agent=flood)] * 500)
    store["manifests"]["m"]["signature_info"] = {"issuer": flood}  # type: ignore[index]
    found = credentials_from_store(store)
    assert found.signer is not None and len(found.signer) <= 200
    assert found.signer.startswith("\x1b[2J")  # raw: the UI cleans it
    assert len(found.actions) <= 64
    assert all(len(a.software or "") <= 200 for a in found.actions)


def test_valid_with_a_failure_other_than_trust_is_invalid() -> None:
    store = _store(_act("c2pa.created", "digitalCapture"))
    store["validation_state"] = "Valid"
    store["validation_results"] = {
        "activeManifest": {"failure": [{"code": "signingCredential.untrusted"}]},
        "ingredientDeltas": [
            {"validationDeltas": {"failure": [{"code": "ingredient.manifest.missing"}]}}
        ],
    }
    found = credentials_from_store(store)
    assert found.state == INVALID
    assert found.problem == "the credentials of an ingredient are missing"
    assert found.codes == ("signingCredential.untrusted", "ingredient.manifest.missing")
    store["validation_results"] = {"activeManifest": {"failure": [{"code": "odd.new.code"}]}}
    store["validation_state"] = "Invalid"
    assert credentials_from_store(store).problem == "a check failed: odd.new.code"


def test_store_json_round_trip_from_c2pa(tmp_path: Path) -> None:
    """credentials_from_store reads what c2pa's Reader.json() gives (the real shape)."""
    import c2pa

    context = c2pa.Context.from_json(json.dumps(reader_settings(shipped_trust_list())))
    with open(FIXTURES / "ocsp.jpg", "rb") as stream, c2pa.Reader(None, stream, None, context) as r:
        store = json.loads(r.json())
    assert credentials_from_store(store) == read_credentials(copy("ocsp.jpg", tmp_path))
