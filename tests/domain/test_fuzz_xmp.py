"""Property tests for the XMP readers: packets, sidecars, embedded XMP, xmp_sync.

Packets are built from a template (attributes and elements of the properties
read, with fuzzed values and text, containers, encodings) with or without a
DTD: internal entities, external entities naming a secret file or a local
port, parameter entities and billion laughs, which must all be refused, never
fetched, read or expanded.  They are read as sidecars and embedded in JPEG,
PNG and WebP files, whole or damaged, and arbitrary bytes are read too.
How to run a long campaign: see tests/domain/test_fuzz.py.
"""

from __future__ import annotations

import socket
import struct
import time
import zlib
from itertools import pairwise
from pathlib import Path
from unittest import mock
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from portfolio_tui import xmp
from portfolio_tui.curation import FLAGS, LABELS, PhotoCuration
from portfolio_tui.xmp import (
    DARKTABLE_NS,
    DIGIKAM_NS,
    IPTC_EXT_NS,
    JPEG_XMP_SIGNATURE,
    MAX_TEXT,
    PNG_SIGNATURE,
    PNG_XMP_KEYWORD,
    PROVENANCE,
    RDF_NS,
    XMP_NS,
    XmpFacts,
    parse_packet,
    read_xmp,
)
from portfolio_tui.xmp_sync import SidecarError, culling_of_packet, read_culling, update_sidecar

from ._fuzzing import FUZZ, scratch

SECRET = "SECRET-d41d8cd98f00"
"""In a file next to the photo: an external entity that names it must never read it."""

NAMESPACES = {
    "xmp": XMP_NS,
    "Iptc4xmpExt": IPTC_EXT_NS,
    "darktable": DARKTABLE_NS,
    "digiKam": DIGIKAM_NS,
}
PROPERTIES = [
    "xmp:Rating",
    "xmp:Label",
    "xmp:CreatorTool",
    "Iptc4xmpExt:DigitalSourceType",
    "digiKam:ColorLabel",
    "digiKam:PickLabel",
    "darktable:colorlabels",
    "xmp:Other",
]
xml_char = st.characters(
    exclude_categories=("Cs",),
    exclude_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
    "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\ufffe\uffff",
)
values = st.one_of(
    st.sampled_from(
        ["-1", "0", "3", "4.0", "5", "6", "7", "+2", " 1 ", "", "Red", "purple", "9999999"]
    ),
    st.sampled_from(["http://cv.iptc.org/newscodes/digitalsourcetype/", "digsrctype:"]).flatmap(
        lambda base: st.sampled_from([*PROVENANCE, "unknown", ""]).map(lambda c: base + c)
    ),
    st.text(xml_char, max_size=300),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),  # not all valid XML
)


@st.composite
def property_xml(draw: st.DrawFn) -> tuple[str, str]:
    """One property as (attribute text, element text); one of them is empty."""
    name = draw(st.sampled_from(PROPERTIES))
    value = draw(values)
    form = draw(st.sampled_from(["attribute", "text", "resource", "seq", "value", "raw"]))
    if form == "attribute":
        return f" {name}={quoteattr(value)}", ""
    if form == "text":
        return "", f"<{name}>{escape(value)}</{name}>"
    if form == "resource":
        return "", f"<{name} rdf:resource={quoteattr(value)}/>"
    if form == "seq":
        kind = draw(st.sampled_from(["Seq", "Bag", "Alt"]))
        items = draw(st.lists(values, max_size=3))
        lis = "".join(f"<rdf:li>{escape(v)}</rdf:li>" for v in items)
        return "", f"<{name}><rdf:{kind}>{lis}</rdf:{kind}></{name}>"
    if form == "value":
        return (
            "",
            f'<{name} rdf:parseType="Resource"><rdf:value>{escape(value)}</rdf:value></{name}>',
        )
    return "", f"<{name}>{value}</{name}>"  # unescaped: may not be well-formed


def _dtd(secret: Path, port: int) -> st.SearchStrategy[tuple[str, str]]:
    """A document type declaration and a reference to use in the body."""
    names = ["lol", *(f"lol{i}" for i in range(1, 10))]
    laughs = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY {name} "{f"&{below};" * 10}">' for below, name in pairwise(names)
    )
    return st.sampled_from(
        [
            *[("", "")] * 6,
            ('<!DOCTYPE x [<!ENTITY e "Red">]>', "&e;"),
            (f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>', "&e;"),
            (f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret}">]>', "&e;"),
            (f'<!DOCTYPE x SYSTEM "http://127.0.0.1:{port}/x.dtd">', ""),
            (f'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p">%p;]>', ""),
            (f"<!DOCTYPE x [{laughs}]>", "&lol9;"),
            ("<!DOCTYPE x>", ""),
            ("", "&undeclared;"),
            ("", "&amp;&#65;&#x1F600;"),
        ]
    )


@st.composite
def packets(draw: st.DrawFn, secret: Path = Path("/nonexistent"), port: int = 9) -> bytes:
    """An XMP packet from the template, fuzzed, in one of the encodings XMP allows."""
    parts = draw(st.lists(property_xml(), max_size=6))
    attrs = "".join(a for a, _ in parts)
    elements = "".join(e for _, e in parts)
    dtd, reference = draw(_dtd(secret, port))
    declared = sorted(NAMESPACES)
    if draw(st.integers(0, 4)) == 0:  # an undeclared prefix is not well-formed
        declared = draw(st.lists(st.sampled_from(declared), unique=True))
    xmlns = "".join(f" xmlns:{p}={quoteattr(NAMESPACES[p])}" for p in declared)
    blocks = draw(st.integers(1, 2))
    description = (
        f'<rdf:Description rdf:about=""{xmlns}{attrs}>{elements}{reference}</rdf:Description>'
    )
    body = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}">{description * blocks}</rdf:RDF></x:xmpmeta>'
    )
    wrapper = draw(st.sampled_from(["plain", "xpacket", "declaration"]))
    if wrapper == "xpacket":
        text = (
            '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            f'{dtd}{body}{" " * 64}<?xpacket end="w"?>'
        )
    elif wrapper == "declaration":
        text = f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}{body}'
    else:
        text = dtd + body
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["utf-16", "utf-16-be", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 3)) == 0:
        data = b"\x00 \n" * draw(st.integers(0, 3)) + data + b"\x00" * draw(st.integers(0, 3))
    return data


def damaged(data: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """``data`` whole, cut short, or with a few bytes replaced."""
    return st.one_of(
        data,
        st.tuples(data, st.integers(0, 10_000)).map(lambda t: t[0][: t[1] % (len(t[0]) + 1)]),
        st.tuples(data, st.integers(0, 10_000), st.binary(min_size=1, max_size=8)).map(
            lambda t: _overwrite(*t)
        ),
    )


def _overwrite(data: bytes, where: int, junk: bytes) -> bytes:
    where = where % (len(data) + 1)
    return data[:where] + junk + data[where + len(junk) :]


# -- containers --------------------------------------------------------------------


def jpeg(packet: bytes) -> bytes:
    payload = JPEG_XMP_SIGNATURE + packet[:60_000]
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return b"\xff\xd8" + b"\xff\xe0\x00\x04JF" + app1 + b"\xff\xda\x00\x02\xff\xd9"


def png(packet: bytes, compress: bool) -> bytes:
    text = zlib.compress(packet) if compress else packet
    body = PNG_XMP_KEYWORD + b"\x00" + bytes([int(compress), 0]) + b"\x00\x00" + text
    chunks = [
        (b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)),
        (b"iTXt", body),
        (b"IEND", b""),
    ]
    out = [PNG_SIGNATURE]
    for kind, data in chunks:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        out.append(struct.pack(">I4s", len(data), kind) + data + struct.pack(">I", crc))
    return b"".join(out)


def webp(packet: bytes) -> bytes:
    chunk = b"XMP " + struct.pack("<I", len(packet)) + packet + b"\x00" * (len(packet) & 1)
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


@st.composite
def photo_files(draw: st.DrawFn, packet: st.SearchStrategy[bytes]) -> tuple[str, bytes]:
    """(file name, bytes): a photo holding ``packet``, or arbitrary bytes."""
    kind = draw(st.sampled_from(["jpeg", "png", "pngz", "webp", "bytes", "tiff"]))
    if kind == "bytes":
        return draw(st.sampled_from(["a.jpg", "a.png", "a.tif", "a"])), draw(st.binary())
    if kind == "tiff":  # Pillow reads it: a damaged TIFF header, never decoded
        return "a.tif", b"II*\x00" + draw(st.binary(max_size=64))
    data = draw(packet)
    made = {
        "jpeg": ("a.jpg", jpeg(data)),
        "png": ("a.png", png(data, False)),
        "pngz": ("a.png", png(data, True)),
        "webp": ("a.webp", webp(data)),
    }[kind]
    return made[0], draw(damaged(st.just(made[1])))


# -- invariants --------------------------------------------------------------------


def _check_facts(facts: XmpFacts, origins: tuple[str, ...]) -> None:
    assert facts.rating is None or -1 <= facts.rating <= 5
    for text in (facts.label, facts.creator_tool, facts.source_type):
        assert text is None or (text == text.strip() and 0 < len(text) <= MAX_TEXT)
    if facts.source_type is None:
        assert facts.provenance is None
    else:
        assert facts.provenance == PROVENANCE.get(facts.source_type)
    for problem in facts.problems:
        assert problem.startswith(origins), problem


def _everything(*objects: object) -> str:
    return repr(objects)


class NoNetwork:
    """Any attempt to open a connection fails the test (entities are never fetched)."""

    def __enter__(self) -> NoNetwork:
        self.patch = mock.patch.object(
            socket.socket, "connect", side_effect=AssertionError("the XMP reader connected")
        )
        self.patch.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.patch.stop()


# -- properties --------------------------------------------------------------------


@FUZZ
@given(data=damaged(packets()) | st.binary())
@example(data=b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
@example(data="<x/>".encode("utf-16"))
def test_parse_packet_never_raises(data: bytes) -> None:
    with NoNetwork():
        start = time.monotonic()
        facts = parse_packet(data, "origin")
        assert time.monotonic() - start < 5, "an entity was expanded"
    _check_facts(facts, ("origin: ",))
    assert facts.sources == ()
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        assert facts == XmpFacts(problems=facts.problems)
        assert len(facts.problems) == 1


@FUZZ
@given(data=st.data())
@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow on the damaged TIFF headers made here
def test_read_xmp_never_raises_never_reads_entities(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A photo and up to four sidecars, fuzzed: read_xmp and read_culling never raise,
    keep their invariants, and nothing of an entity's file reaches their results."""
    with scratch(tmp_path_factory) as folder, socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        secret = folder / "secret.txt"
        secret.write_text(SECRET)
        packet = packets(secret, listener.getsockname()[1])
        name, photo_bytes = data.draw(photo_files(packet), label="photo")
        photo = folder / name
        photo.write_bytes(photo_bytes)
        suffixes = [".xmp", ".XMP"]
        names = [photo.name + s for s in suffixes]
        if photo.suffix:
            names += [photo.stem + s for s in suffixes]
        for sidecar in data.draw(st.lists(st.sampled_from(names), unique=True), label="sidecars"):
            content = data.draw(damaged(packet) | st.binary(), label=sidecar)
            if data.draw(st.integers(0, 9), label="folder?") == 0:
                (folder / sidecar).mkdir()
            else:
                (folder / sidecar).write_bytes(content)
        files = [photo, *xmp.find_sidecars(photo)]
        origins = tuple(str(p) for p in files)
        with NoNetwork():
            facts = read_xmp(photo)
            culling = read_culling(photo)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    _check_facts(facts, origins)
    assert set(facts.sources) <= set(files)
    assert culling.rating is None or 1 <= culling.rating <= 5
    assert culling.flag in (None, *FLAGS)
    assert culling.label in (None, *LABELS)
    for sentence in (*culling.problems, *culling.notes):
        assert sentence.startswith(origins), sentence
    assert SECRET not in _everything(facts, culling)


curations = st.builds(
    PhotoCuration,
    rating=st.integers(0, 5),
    flag=st.sampled_from([None, *FLAGS]),
    label=st.sampled_from([None, *LABELS]),
)


@FUZZ
@given(
    data=st.one_of(st.none(), packets(), packets(), damaged(packets()), st.binary()),
    entry=curations,
    overwrite=st.booleans(),
)
@example(  # a label stated twice: export --overwrite removed only the attribute
    data=(
        f'<x:xmpmeta xmlns:x="a"><rdf:RDF xmlns:rdf="{RDF_NS}"><rdf:Description '
        f'xmlns:xmp="{XMP_NS}" xmp:Label="-"><xmp:Label>-</xmp:Label>'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode(),
    entry=PhotoCuration(),
    overwrite=True,
)
@example(  # and in two rdf:Description blocks
    data=(
        f'<x:xmpmeta xmlns:x="a"><rdf:RDF xmlns:rdf="{RDF_NS}">'
        + f'<rdf:Description xmlns:xmp="{XMP_NS}" xmp:Rating="2"/>' * 2
        + "</rdf:RDF></x:xmpmeta>"
    ).encode(),
    entry=PhotoCuration(),
    overwrite=True,
)
@example(  # an empty attribute and an element: the old element stayed first
    data=(
        f'<x:xmpmeta xmlns:x="a"><rdf:RDF xmlns:rdf="{RDF_NS}"><rdf:Description '
        f'xmlns:darktable="{DARKTABLE_NS}" darktable:colorlabels="">'
        "<darktable:colorlabels></darktable:colorlabels>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode(),
    entry=PhotoCuration(label="red"),
    overwrite=False,
)
def test_update_sidecar_raises_only_sidecar_error_and_reads_back(
    data: bytes | None, entry: PhotoCuration, overwrite: bool
) -> None:
    """Export's editor: SidecarError for what it cannot edit safely; otherwise the new
    sidecar parses and says what the store says (its own read-back check never fires)."""
    try:
        updated = update_sidecar(data, entry, overwrite=overwrite)
    except SidecarError as exc:
        assert "did not read back" not in str(exc), exc
        event("refused")
        return
    if updated is None:
        event("nothing to change")
        return
    event("updated")
    culling = culling_of_packet(updated, "sidecar")
    assert culling.problems == () or data is not None
    if entry.label is not None:
        assert culling.label == entry.label
    if entry.flag == "reject":
        assert culling.flag == "reject"
    elif entry.rating:
        assert culling.rating == entry.rating
    assert update_sidecar(updated, entry, overwrite=overwrite) is None, "not idempotent"
