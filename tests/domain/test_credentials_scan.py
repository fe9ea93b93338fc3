"""The cheap scan for a C2PA manifest (credentials/scan.py): each container, without c2pa.

Files signed by c2pa itself (with the c2pa-rs test certificate) must be found in every
format; files without a manifest, files whose box only looks similar, and truncated or
unreadable files must not be (and must never raise).
"""

from __future__ import annotations

import io
import json
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, TiffImagePlugin

from portfolio_tui.credentials import TRUSTED
from portfolio_tui.credentials.reading import clear_cache, read_credentials
from portfolio_tui.credentials.scan import (
    C2PA_BMFF_UUID,
    EMBEDDED,
    REMOTE,
    SIDECAR,
    has_manifest,
    manifest_kind,
)
from portfolio_tui.credentials.trust import install_trust_list

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "c2pa"

MANIFEST = {
    "claim_generator_info": [{"name": "portfolio-tui tests", "version": "1"}],
    "assertions": [
        {
            "label": "c2pa.actions",
            "data": {
                "actions": [
                    {
                        "action": "c2pa.created",
                        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/"
                        "digitalCapture",
                    }
                ]
            },
        }
    ],
}


@pytest.fixture(autouse=True)
def _own_trust_and_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    clear_cache()


def picture(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    if fmt in ("HEIF", "AVIF"):
        import pillow_heif

        pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buffer, fmt)
    return buffer.getvalue()


def signed(fmt: str, mime: str) -> bytes:
    """A picture in ``fmt`` signed by c2pa with the c2pa-rs test certificate (es256)."""
    import c2pa

    info = c2pa.C2paSignerInfo(
        b"es256",
        (FIXTURES / "es256.pub").read_bytes(),
        (FIXTURES / "es256.pem").read_bytes(),
        None,
    )
    signer = c2pa.Signer.from_info(info)
    context = c2pa.Context.from_json(json.dumps({"verify": {"remote_manifest_fetch": False}}))
    out = io.BytesIO()
    with c2pa.Builder(MANIFEST, context=context) as builder:
        builder.sign(signer, mime, io.BytesIO(picture(fmt)), out)
    return out.getvalue()


FORMATS = [
    ("JPEG", "image/jpeg", "photo.jpg"),
    ("PNG", "image/png", "photo.png"),
    ("WEBP", "image/webp", "photo.webp"),
    ("TIFF", "image/tiff", "photo.tif"),
    ("HEIF", "image/heic", "photo.heic"),
    ("AVIF", "image/avif", "photo.avif"),
]


@pytest.mark.parametrize(("fmt", "mime", "name"), FORMATS)
def test_every_format_c2pa_signs_is_found(tmp_path: Path, fmt: str, mime: str, name: str) -> None:
    plain = tmp_path / f"plain-{name}"
    plain.write_bytes(picture(fmt))
    assert not has_manifest(plain)
    photo = tmp_path / name
    photo.write_bytes(signed(fmt, mime))
    assert manifest_kind(photo) == EMBEDDED
    # ... and read and verified, once the test root is the trust list.
    install_trust_list(FIXTURES / "test_cert_root_bundle.pem")
    found = read_credentials(photo)
    assert (found.state, found.source_type, found.generator) == (
        TRUSTED,
        "digitalCapture",
        "portfolio-tui tests 1",
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("C.jpg", EMBEDDED),
        ("CA.jpg", EMBEDDED),
        ("XCA.jpg", EMBEDDED),
        ("E-sig-CA.jpg", EMBEDDED),
        ("C_with_CAWG_data.jpg", EMBEDDED),
        ("ocsp.jpg", EMBEDDED),  # five APP11 segments
        ("cloud.jpg", REMOTE),  # XMP dcterms:provenance names a URL
        ("no_manifest.jpg", None),
    ],
)
def test_fixtures(name: str, kind: str | None) -> None:
    assert manifest_kind(FIXTURES / name) == kind


def _jpeg_with_app11(payload: bytes) -> bytes:
    jpeg = picture("JPEG")
    return jpeg[:2] + b"\xff\xeb" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def _jumbf(label: bytes) -> bytes:
    description = b"jumd" + b"c2pa" + bytes(12) + b"\x03" + label + b"\x00"
    jumd = struct.pack(">I", len(description) + 4) + description
    return b"JP\x02\x11\x00\x00\x00\x01" + struct.pack(">I", len(jumd) + 8) + b"jumb" + jumd


def test_jpeg_app11_must_be_a_jumbf_box_labelled_c2pa(tmp_path: Path) -> None:
    good = tmp_path / "good.jpg"
    good.write_bytes(_jpeg_with_app11(_jumbf(b"c2pa")))
    assert has_manifest(good)
    for name, payload in (
        ("other-label.jpg", _jumbf(b"jp2c")),
        ("not-jumbf.jpg", b"HDR-gain-map" + bytes(40)),
        ("short.jpg", b"JP"),
    ):
        path = tmp_path / name
        path.write_bytes(_jpeg_with_app11(payload))
        assert not has_manifest(path), name


def test_jpeg_after_the_image_data_is_not_searched(tmp_path: Path) -> None:
    """Metadata ends at SOS: what follows is never taken for a segment (nor does c2pa)."""
    import c2pa

    data = (FIXTURES / "C.jpg").read_bytes()
    app11 = data[20:45904]
    assert app11[:2] == b"\xff\xeb"
    sos = data.index(b"\xff\xda", 45904)
    sos_end = sos + 2 + struct.unpack(">H", data[sos + 2 : sos + 4])[0]
    moved = data[:20] + data[45904:sos_end] + app11 + data[sos_end:]
    path = tmp_path / "after-sos.jpg"
    path.write_bytes(moved)
    assert not has_manifest(path)
    with pytest.raises(c2pa.C2paError.ManifestNotFound):
        c2pa.Reader("image/jpeg", io.BytesIO(moved))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_png_cabx_chunk_anywhere_before_iend(tmp_path: Path) -> None:
    png = picture("PNG")
    iend = png.rindex(b"IEND") - 4
    after = tmp_path / "after-idat.png"
    after.write_bytes(png[:iend] + _png_chunk(b"caBX", b"jumbf") + png[iend:])
    assert has_manifest(after)
    other = tmp_path / "other.png"
    other.write_bytes(png[:iend] + _png_chunk(b"tEXt", b"caBX\x00caBX") + png[iend:])
    assert not has_manifest(other)


def test_webp_c2pa_chunk(tmp_path: Path) -> None:
    webp = picture("WEBP")
    body = webp[12:] + b"C2PA" + struct.pack("<I", 5) + b"jumbf" + b"\x00"  # padded to even
    path = tmp_path / "a.webp"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body)
    assert has_manifest(path)


def _box(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data) + 8) + kind + data


@pytest.mark.parametrize("large", [False, True])
def test_bmff_uuid_box_with_the_c2pa_uuid_only(tmp_path: Path, large: bool) -> None:
    ftyp = _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic")
    mdat = (
        struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 16 + 1000) + bytes(1000)
        if large
        else _box(b"mdat", bytes(1000))
    )
    found = tmp_path / "c2pa.heic"
    found.write_bytes(ftyp + mdat + _box(b"uuid", C2PA_BMFF_UUID + b"jumbf"))
    assert has_manifest(found)
    other = tmp_path / "other.heic"
    other.write_bytes(ftyp + mdat + _box(b"uuid", bytes(16) + b"jumbf"))
    assert not has_manifest(other)


@pytest.mark.parametrize("byte_order", ["<", ">"])
def test_tiff_tag_cd41_in_ifd0(tmp_path: Path, byte_order: str) -> None:
    ifd = TiffImagePlugin.ImageFileDirectory_v2(prefix=b"II" if byte_order == "<" else b"MM")
    ifd[0xCD41] = b"jumbf"
    ifd.tagtype[0xCD41] = 7  # UNDEFINED
    path = tmp_path / "c2pa.tif"
    Image.new("RGB", (8, 8)).save(path, tiffinfo=ifd, big_endian=byte_order == ">")
    assert has_manifest(path)
    plain = tmp_path / "plain.dng"
    Image.new("RGB", (8, 8)).save(plain, "TIFF")
    assert not has_manifest(plain)


def test_sidecar_beside_the_photo(tmp_path: Path) -> None:
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes((FIXTURES / "no_manifest.jpg").read_bytes())
    assert not has_manifest(photo)
    (tmp_path / "portrait.c2pa").write_bytes(b"manifest store")
    assert manifest_kind(photo) == SIDECAR
    assert not has_manifest(tmp_path / "portrait.png")  # no such photo: same stem is not enough


def test_truncated_unreadable_and_odd_files_hold_none(tmp_path: Path) -> None:
    data = (FIXTURES / "C.jpg").read_bytes()
    for cut in (0, 1, 2, 3, 5, 20, 24, 30, 40):
        path = tmp_path / f"cut{cut}.jpg"
        path.write_bytes(data[:cut])
        assert not has_manifest(path), cut
    for cut in range(0, 120):  # never raises, whatever the cut
        path = tmp_path / "cut.jpg"
        path.write_bytes(data[:cut])
        has_manifest(path)
    for fmt in ("PNG", "WEBP", "TIFF"):
        whole = picture(fmt)
        for cut in range(0, len(whole), 7):
            path = tmp_path / f"cut.{fmt.lower()}"
            path.write_bytes(whole[:cut])
            assert not has_manifest(path)
    assert not has_manifest(tmp_path / "missing.jpg")
    assert not has_manifest(tmp_path)  # a folder
    endless = tmp_path / "endless.jpg"  # segments of length 2, forever
    endless.write_bytes(b"\xff\xd8" + b"\xff\xe0\x00\x02" * 100_000)
    assert not has_manifest(endless)


def test_a_large_photo_without_a_manifest_is_scanned_in_well_under_a_millisecond(
    tmp_path: Path,
) -> None:
    """Only headers are read: a 20 MB JPEG costs what a small one does."""
    jpeg = picture("JPEG", (600, 400))
    sos = jpeg.index(b"\xff\xda")
    big = tmp_path / "big.jpg"
    big.write_bytes(jpeg[:sos] + jpeg[sos:-2] + bytes(20 * 1024 * 1024) + jpeg[-2:])
    has_manifest(big)
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        assert not has_manifest(big)
    assert (time.perf_counter() - start) / runs < 0.001
