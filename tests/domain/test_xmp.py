"""xmp.py: XMP from JPEG/PNG/WebP/TIFF and sidecars, parsed safely, merged by precedence."""

from __future__ import annotations

import io
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, features
from PIL.PngImagePlugin import PngInfo

from portfolio_tui import xmp
from portfolio_tui.xmp import (
    MAX_PACKET_BYTES,
    MAX_SIDECAR_BYTES,
    MAX_TEXT,
    PROVENANCE,
    XmpFacts,
    find_sidecars,
    parse_packet,
    read_xmp,
)

DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"
NAMESPACES = (
    'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
    'xmlns:darktable="http://darktable.sf.net/" '
    'xmlns:digiKam="http://www.digikam.org/ns/1.0/"'
)


def packet(attrs: str = "", body: str = "", namespaces: str = NAMESPACES) -> bytes:
    """An XMP packet as writers embed it, with one rdf:Description."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 6.0.0">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about="" {namespaces} {attrs}>\n'
        f"{body}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def jpeg(path: Path, xmp_packet: bytes | None = None) -> Path:
    image = Image.new("RGB", (16, 12), (120, 90, 60))
    if xmp_packet is None:
        image.save(path, "JPEG")
    else:
        image.save(path, "JPEG", xmp=xmp_packet)
    return path


def segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def itxt(text: bytes, *, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    return b"XML:com.adobe.xmp\x00" + bytes([int(compressed), 0]) + b"\x00\x00" + body


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue()


def darktable_labels(*numbers: int) -> str:
    items = "".join(f"<rdf:li>{number}</rdf:li>" for number in numbers)
    return f"<darktable:colorlabels><rdf:Seq>{items}</rdf:Seq></darktable:colorlabels>"


def photo_with_sidecars(tmp_path: Path, **sidecars: bytes) -> Path:
    """A plain JPEG ``IMG_1.jpg``; keywords ``ext``/``base`` write IMG_1.jpg.xmp/IMG_1.xmp."""
    photo = jpeg(tmp_path / "IMG_1.jpg")
    names = {"ext": "IMG_1.jpg.xmp", "base": "IMG_1.xmp"}
    for key, data in sidecars.items():
        (tmp_path / names[key]).write_bytes(data)
    return photo


# --------------------------------------------------------------------------- embedded


def test_jpeg_xmp_written_by_pillow(tmp_path: Path) -> None:
    photo = jpeg(
        tmp_path / "a.jpg",
        packet(f'xmp:Rating="4" Iptc4xmpExt:DigitalSourceType="{DST}digitalCapture"'),
    )
    facts = read_xmp(photo)
    assert facts.rating == 4
    assert facts.source_type == "digitalCapture"
    assert facts.provenance == "camera"
    assert facts.sources == (photo,)
    assert facts.problems == ()


def test_jpeg_segment_spliced_after_soi_among_other_app_segments(tmp_path: Path) -> None:
    plain = io.BytesIO()
    Image.new("RGB", (16, 12)).save(plain, "JPEG")
    data = plain.getvalue()
    exif = segment(0xE1, b"Exif\x00\x00" + b"\x00" * 40)
    extended = segment(0xE1, b"http://ns.adobe.com/xmp/extension/\x00" + b"0" * 40 + b"junk")
    standard = segment(
        0xE1, xmp.JPEG_XMP_SIGNATURE + packet('xmp:Label="Green"') + b"\x00\x00  \x00"
    )
    photo = tmp_path / "spliced.jpg"
    photo.write_bytes(data[:2] + exif + extended + b"\xff" + standard + data[2:])
    facts = read_xmp(photo)
    assert facts.label == "Green"
    assert facts.problems == ()


def test_jpeg_reading_stops_at_start_of_scan(tmp_path: Path) -> None:
    """XMP-looking segments in or after the pixels are not the photo's XMP."""
    data = jpeg(tmp_path / "plain.jpg").read_bytes()
    sos = data.index(b"\xff\xda")
    scan_data = sos + 2 + struct.unpack(">H", data[sos + 2 : sos + 4])[0]
    late = segment(0xE1, xmp.JPEG_XMP_SIGNATURE + packet('xmp:Rating="5"'))
    photo = tmp_path / "late.jpg"
    photo.write_bytes(data[:scan_data] + late + data[scan_data:] + late)
    assert read_xmp(photo) == XmpFacts()


class CountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_jpeg_walk_reads_headers_not_the_whole_file(tmp_path: Path) -> None:
    header = segment(0xE0, b"JFIF\x00" + b"\x00" * 9) + segment(
        0xE2, b"ICC_PROFILE\x00" + bytes(60000)
    )
    body = segment(0xDA, b"\x00" * 10) + os.urandom(4 * 1024 * 1024) + b"\xff\xd9"
    reader = CountingReader(b"\xff\xd8" + header + body)
    assert xmp.embedded._jpeg_packet(reader) is None
    assert reader.bytes_read < 100, "segments are skipped with seek, pixels never read"


@pytest.mark.parametrize("compressed", [False, True])
def test_png_itxt(tmp_path: Path, compressed: bool) -> None:
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", packet('xmp:Rating="2"').decode(), zip=compressed)
    photo = tmp_path / "a.png"
    Image.new("RGB", (8, 8)).save(photo, "PNG", pnginfo=info)
    facts = read_xmp(photo)
    assert facts.rating == 2
    assert facts.sources == (photo,)


def test_png_itxt_after_the_image_data_is_found(tmp_path: Path) -> None:
    data = png_bytes()
    iend = data.rindex(b"IEND") - 4
    chunk = png_chunk(b"iTXt", itxt(packet('xmp:Label="Blue"')))
    photo = tmp_path / "late.png"
    photo.write_bytes(data[:iend] + chunk + data[iend:])
    assert read_xmp(photo).label == "Blue"


def test_png_other_itxt_chunks_are_skipped(tmp_path: Path) -> None:
    data = png_bytes()
    other = png_chunk(b"iTXt", b"Comment\x00\x00\x00\x00\x00" + packet('xmp:Rating="1"'))
    photo = tmp_path / "comment.png"
    photo.write_bytes(data[:33] + other + data[33:])
    assert read_xmp(photo) == XmpFacts()


def test_png_decompression_bomb_is_refused(tmp_path: Path) -> None:
    bomb = packet(body=" " * (MAX_PACKET_BYTES + 10))
    data = png_bytes()
    photo = tmp_path / "bomb.png"
    photo.write_bytes(data[:33] + png_chunk(b"iTXt", itxt(bomb, compressed=True)) + data[33:])
    facts = read_xmp(photo)
    assert facts.rating is None
    assert len(facts.problems) == 1
    assert "too large once decompressed" in facts.problems[0]
    assert str(photo) in facts.problems[0]


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_webp_xmp_chunk(tmp_path: Path) -> None:
    photo = tmp_path / "a.webp"
    Image.new("RGB", (8, 8)).save(photo, "WEBP", xmp=packet('xmp:Rating="3"'))
    assert read_xmp(photo).rating == 3


def test_tiff_xmp_through_pillow(tmp_path: Path) -> None:
    photo = tmp_path / "a.tif"
    source = f'Iptc4xmpExt:DigitalSourceType="{DST}trainedAlgorithmicMedia"'
    Image.new("RGB", (8, 8)).save(photo, "TIFF", tiffinfo={700: packet(source)})
    facts = read_xmp(photo)
    assert facts.provenance == "ai"
    assert facts.sources == (photo,)


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".tif"])
def test_photo_without_xmp_has_no_facts_and_no_problems(tmp_path: Path, suffix: str) -> None:
    photo = tmp_path / f"plain{suffix}"
    Image.new("RGB", (8, 8)).save(photo)
    assert read_xmp(photo) == XmpFacts()


def test_not_an_image_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    photo = tmp_path / "notes.jpg"
    photo.write_bytes(b"hello, not a photo")
    facts = read_xmp(photo)
    assert facts.rating is None
    assert len(facts.problems) == 1
    assert str(photo) in facts.problems[0]


@pytest.mark.parametrize("name", ["", "/", "bad\x00name.jpg"])
def test_odd_photo_paths_never_raise(tmp_path: Path, name: str) -> None:
    photo = Path(name) if name in ("", "/") else tmp_path / name
    facts = read_xmp(photo)
    assert facts.rating is None
    assert len(facts.problems) == 1


def test_missing_photo_still_reads_its_sidecar(tmp_path: Path) -> None:
    photo = tmp_path / "gone.jpg"
    (tmp_path / "gone.jpg.xmp").write_bytes(packet('xmp:Rating="5"'))
    facts = read_xmp(photo)
    assert facts.rating == 5
    assert facts.sources == (tmp_path / "gone.jpg.xmp",)
    assert len(facts.problems) == 1
    assert str(photo) in facts.problems[0]


# --------------------------------------------------------------------------- sidecars


def test_sidecar_name_xmp(tmp_path: Path) -> None:
    photo = photo_with_sidecars(tmp_path, base=packet('xmp:Rating="1"'))
    facts = read_xmp(photo)
    assert facts.rating == 1
    assert facts.sources == (tmp_path / "IMG_1.xmp",)


def test_sidecar_name_ext_xmp(tmp_path: Path) -> None:
    photo = photo_with_sidecars(tmp_path, ext=packet('xmp:Rating="2"'))
    facts = read_xmp(photo)
    assert facts.rating == 2
    assert facts.sources == (tmp_path / "IMG_1.jpg.xmp",)


def test_find_sidecars_order(tmp_path: Path) -> None:
    photo = photo_with_sidecars(tmp_path, ext=b"", base=b"")
    (tmp_path / "IMG_2.jpg.xmp").write_bytes(b"")  # another photo's
    assert find_sidecars(photo) == [tmp_path / "IMG_1.jpg.xmp", tmp_path / "IMG_1.xmp"]
    assert find_sidecars(tmp_path / "IMG_3.jpg") == []


def test_find_sidecars_upper_case_and_no_suffix(tmp_path: Path) -> None:
    (tmp_path / "IMG_1.XMP").write_bytes(b"")
    (tmp_path / "scan").write_bytes(b"")
    (tmp_path / "scan.xmp").write_bytes(b"")
    assert find_sidecars(tmp_path / "IMG_1.jpg") == [tmp_path / "IMG_1.XMP"]
    assert find_sidecars(tmp_path / "scan") == [tmp_path / "scan.xmp"]


def test_both_sidecars_name_ext_xmp_wins_field_by_field(tmp_path: Path) -> None:
    photo = photo_with_sidecars(
        tmp_path,
        ext=packet('xmp:Rating="5"'),
        base=packet('xmp:Rating="1" xmp:Label="Red"'),
    )
    facts = read_xmp(photo)
    assert facts.rating == 5  # IMG_1.jpg.xmp is this photo's own
    assert facts.label == "Red"  # only IMG_1.xmp has one
    assert facts.sources == (tmp_path / "IMG_1.jpg.xmp", tmp_path / "IMG_1.xmp")


def test_sidecar_that_contributes_nothing_is_not_a_source(tmp_path: Path) -> None:
    photo = photo_with_sidecars(
        tmp_path, ext=packet('xmp:Rating="5"'), base=packet('xmp:Rating="1"')
    )
    assert read_xmp(photo).sources == (tmp_path / "IMG_1.jpg.xmp",)


def test_sidecar_wins_over_embedded_for_rating_and_label(tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "IMG_1.jpg", packet('xmp:Rating="1" xmp:Label="Blue"'))
    (tmp_path / "IMG_1.jpg.xmp").write_bytes(packet('xmp:Rating="-1" xmp:Label="Red"'))
    facts = read_xmp(photo)
    assert (facts.rating, facts.label) == (-1, "Red")
    assert facts.sources == (tmp_path / "IMG_1.jpg.xmp",)


def test_embedded_wins_for_provenance_and_a_disagreeing_sidecar_is_a_problem(
    tmp_path: Path,
) -> None:
    photo = jpeg(
        tmp_path / "IMG_1.jpg",
        packet(
            f'Iptc4xmpExt:DigitalSourceType="{DST}trainedAlgorithmicMedia" '
            'xmp:CreatorTool="Generator 2"'
        ),
    )
    (tmp_path / "IMG_1.jpg.xmp").write_bytes(
        packet(
            f'Iptc4xmpExt:DigitalSourceType="{DST}digitalCapture" '
            'xmp:CreatorTool="darktable 4.8" xmp:Rating="4"'
        )
    )
    facts = read_xmp(photo)
    assert facts.provenance == "ai"  # a sidecar cannot relabel a generated image
    assert facts.creator_tool == "Generator 2"
    assert facts.rating == 4
    assert facts.sources == (photo, tmp_path / "IMG_1.jpg.xmp")
    assert len(facts.problems) == 1
    assert "IMG_1.jpg.xmp" in facts.problems[0]
    assert "digitalCapture" in facts.problems[0]


def test_sidecar_provenance_is_used_when_the_photo_has_none(tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "IMG_1.jpg", packet('xmp:Rating="2"'))
    (tmp_path / "IMG_1.xmp").write_bytes(
        packet(f'Iptc4xmpExt:DigitalSourceType="{DST}compositeSynthetic"')
    )
    facts = read_xmp(photo)
    assert facts.provenance == "composite"
    assert facts.rating == 2
    assert facts.problems == ()


def test_darktable_sidecar_as_darktable_writes_it(tmp_path: Path) -> None:
    darktable = b"""<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:darktable="http://darktable.sf.net/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   exif:DateTimeOriginal="2024:03:14 10:22:00"
   xmp:Rating="3"
   xmpMM:DerivedFrom="IMG_1.jpg"
   darktable:import_timestamp="63846112920000000"
   darktable:change_timestamp="63846113040000000"
   darktable:export_timestamp="-1"
   darktable:print_timestamp="-1"
   darktable:xmp_version="5"
   darktable:raw_params="0"
   darktable:auto_presets_applied="1"
   darktable:history_end="2"
   darktable:iop_order_version="4">
   <darktable:colorlabels>
    <rdf:Seq>
     <rdf:li>2</rdf:li>
     <rdf:li>0</rdf:li>
    </rdf:Seq>
   </darktable:colorlabels>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>headshot</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>clients|acme</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <darktable:masks_history>
    <rdf:Seq/>
   </darktable:masks_history>
   <darktable:history>
    <rdf:Seq>
     <rdf:li
      darktable:num="0"
      darktable:operation="exposure"
      darktable:enabled="1"
      darktable:modversion="6"
      darktable:params="0000000000008040cdcc4c3e0000000001000000"
      darktable:multi_name=""
      darktable:multi_priority="0"
      darktable:blendop_version="13"
      darktable:blendop_params="gz11eJxjYGBgYAFiCQYYOOHEgAZY0QVwggZ7CB6pfNoAAE8gCAo="/>
     <rdf:li
      darktable:num="1"
      darktable:operation="colorlabels"
      darktable:enabled="1"
      darktable:modversion="1"
      darktable:params="00"
      darktable:multi_name=""
      darktable:multi_priority="0"
      darktable:blendop_version="13"
      darktable:blendop_params="gz11eJxjYGBgYAFiCQYYOOHEgAZY0QVwggZ7CB6pfNoAAE8gCAo="/>
    </rdf:Seq>
   </darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""
    photo = photo_with_sidecars(tmp_path, ext=darktable)
    facts = read_xmp(photo)
    assert facts.rating == 3
    assert facts.label == "Green"  # 2 is darktable's green; the first one listed is shown
    assert facts.provenance is None
    assert facts.problems == ()
    assert facts.sources == (tmp_path / "IMG_1.jpg.xmp",)


def test_darktable_rejected_and_each_colour_label() -> None:
    assert parse_packet(packet('xmp:Rating="-1"'), "x").rating == -1
    names = []
    for number in range(5):
        names.append(parse_packet(packet(body=darktable_labels(number)), "x").label)
    assert names == ["Red", "Yellow", "Green", "Blue", "Purple"]


def test_darktable_label_out_of_range_is_a_problem() -> None:
    facts = parse_packet(packet(body=darktable_labels(7)), "IMG_1.jpg.xmp")
    assert facts.label is None
    assert facts.problems and facts.problems[0].startswith("IMG_1.jpg.xmp: ")


def test_lightroom_sidecar(tmp_path: Path) -> None:
    lightroom = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"
   x:xmptk="Adobe XMP Core 9.1-c001 79.a8d4753, 2023/03/23-08:56:37        ">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:aux="http://ns.adobe.com/exif/1.0/aux/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
   tiff:Make="Canon"
   tiff:Model="Canon EOS R5"
   xmp:ModifyDate="2024-03-14T12:00:00+01:00"
   xmp:CreateDate="2024-03-14T10:22:00.00"
   xmp:CreatorTool="Adobe Photoshop Lightroom Classic 13.1 (Windows)"
   xmp:MetadataDate="2024-03-14T12:00:00+01:00"
   xmp:Label="Red"
   xmp:Rating="4"
   aux:Lens="RF85mm F1.2 L USM"
   photoshop:DateCreated="2024-03-14T10:22:00.00"
   xmpMM:DocumentID="xmp.did:4b1c6a6e-8f37-4f4e-9b3c-1d2e3f4a5b6c"
   xmpMM:InstanceID="xmp.iid:4b1c6a6e-8f37-4f4e-9b3c-1d2e3f4a5b6c"
   crs:Version="16.1"
   crs:ProcessVersion="15.4"
   crs:WhiteBalance="As Shot"
   crs:Exposure2012="+0.35"
   crs:HasSettings="True">
   <xmpMM:History>
    <rdf:Seq>
     <rdf:li
      stEvt:action="saved"
      stEvt:instanceID="xmp.iid:4b1c6a6e-8f37-4f4e-9b3c-1d2e3f4a5b6c"
      stEvt:when="2024-03-14T12:00:00+01:00"
      stEvt:softwareAgent="Adobe Photoshop Lightroom Classic 13.1 (Windows)"
      stEvt:changed="/metadata"/>
    </rdf:Seq>
   </xmpMM:History>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>headshot</rdf:li>
    </rdf:Bag>
   </dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""
    photo = photo_with_sidecars(tmp_path, base=lightroom)
    facts = read_xmp(photo)
    assert facts.label == "Red"
    assert facts.rating == 4
    assert facts.creator_tool == "Adobe Photoshop Lightroom Classic 13.1 (Windows)"
    assert facts.problems == ()


@pytest.mark.parametrize(
    ("number", "label"),
    [("1", "Red"), ("2", "Orange"), ("6", "Purple"), ("9", "White"), ("0", None)],
)
def test_digikam_colour_label(number: str, label: str | None) -> None:
    facts = parse_packet(packet(f'digiKam:ColorLabel="{number}"'), "x")
    assert facts.label == label
    assert facts.problems == ()


def test_xmp_label_wins_over_tool_specific_labels() -> None:
    body = darktable_labels(3)
    both = packet('xmp:Label="Yellow" digiKam:ColorLabel="5"', body)
    assert parse_packet(both, "x").label == "Yellow"
    assert parse_packet(packet('digiKam:ColorLabel="5"', body), "x").label == "Blue"


# --------------------------------------------------------------------------- XMP forms


@pytest.mark.parametrize(
    ("attrs", "body"),
    [
        (f'Iptc4xmpExt:DigitalSourceType="{DST}humanEdits"', ""),
        ("", f"<Iptc4xmpExt:DigitalSourceType>{DST}humanEdits</Iptc4xmpExt:DigitalSourceType>"),
        ("", f'<Iptc4xmpExt:DigitalSourceType rdf:resource="{DST}humanEdits"/>'),
        (
            "",
            "<Iptc4xmpExt:DigitalSourceType rdf:parseType='Resource'>"
            f"<rdf:value>{DST}humanEdits</rdf:value></Iptc4xmpExt:DigitalSourceType>",
        ),
    ],
    ids=["attribute", "element", "resource", "value-qualifier"],
)
def test_digital_source_type_forms(attrs: str, body: str) -> None:
    facts = parse_packet(packet(attrs, body), "x")
    assert (facts.source_type, facts.provenance) == ("humanEdits", "retouched")


def test_rating_as_element() -> None:
    assert parse_packet(packet(body="<xmp:Rating> 5 </xmp:Rating>"), "x").rating == 5


def test_several_description_blocks() -> None:
    data = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>image/jpeg</dc:format>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="3"/>
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
   <Iptc4xmpExt:DigitalSourceType
    >http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia</Iptc4xmpExt:DigitalSourceType>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""
    facts = parse_packet(data, "x")
    assert (facts.rating, facts.provenance) == (3, "ai")


def test_bare_rdf_without_xmpmeta_wrapper() -> None:
    data = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2"/></rdf:RDF>'
    )
    assert parse_packet(data, "x").rating == 2


def test_namespaces_matched_by_uri_not_prefix() -> None:
    unusual = (
        'xmlns:a="http://ns.adobe.com/xap/1.0/" '
        'xmlns:ipx="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        'xmlns:xmp="http://example.com/not-xmp/"'
    )
    data = packet(
        'a:Rating="2" xmp:Label="Decoy" a:Label="Green" '
        f'ipx:DigitalSourceType="{DST}compositeCapture"',
        namespaces=unusual,
    )
    facts = parse_packet(data, "x")
    assert (facts.rating, facts.label, facts.provenance) == (2, "Green", "composite")


@pytest.mark.parametrize(
    "item",
    [
        "<rdf:li rdf:parseType='Resource'><xmp:Rating>5</xmp:Rating></rdf:li>",
        "<rdf:li><rdf:Description><xmp:Rating>5</xmp:Rating></rdf:Description></rdf:li>",
        "<rdf:li><rdf:Description xmp:Rating='5'/></rdf:li>",
    ],
)
def test_nested_struct_fields_are_not_top_level_properties(item: str) -> None:
    body = f"<Iptc4xmpExt:LocationCreated><rdf:Bag>{item}</rdf:Bag></Iptc4xmpExt:LocationCreated>"
    assert parse_packet(packet(body=body), "x").rating is None


def test_utf16_sidecar(tmp_path: Path) -> None:
    text = (
        packet('xmp:Label="Grün"')
        .decode()
        .replace("<?xpacket", "<?xml version='1.0' encoding='UTF-16'?><?xpacket", 1)
    )
    photo = photo_with_sidecars(tmp_path, ext=text.encode("utf-16"))
    assert read_xmp(photo).label == "Grün"


# --------------------------------------------------------------------------- values

EXPECTED_PROVENANCE = [
    ("digitalCapture", "camera"),
    ("computationalCapture", "camera"),
    ("negativeFilm", "camera"),
    ("positiveFilm", "camera"),
    ("print", "camera"),
    ("trainedAlgorithmicMedia", "ai"),
    ("algorithmicMedia", "ai"),
    ("compositeWithTrainedAlgorithmicMedia", "composite"),
    ("compositeSynthetic", "composite"),
    ("compositeCapture", "composite"),
    ("composite", "composite"),
    ("humanEdits", "retouched"),
    ("minorHumanEdits", "retouched"),
    ("algorithmicallyEnhanced", "retouched"),
    ("digitalCreation", None),
    ("digitalArt", None),
    ("softwareImage", None),
    ("dataDrivenMedia", None),
    ("virtualRecording", None),
    ("screenCapture", None),
]


@pytest.mark.parametrize(("code", "badge"), EXPECTED_PROVENANCE)
def test_every_provenance_mapping(code: str, badge: str | None) -> None:
    facts = parse_packet(packet(f'Iptc4xmpExt:DigitalSourceType="{DST}{code}"'), "x")
    assert facts.source_type == code
    assert facts.provenance == badge


def test_the_table_covers_the_whole_vocabulary() -> None:
    assert dict(EXPECTED_PROVENANCE) == PROVENANCE


@pytest.mark.parametrize(
    "value",
    [
        "trainedAlgorithmicMedia",
        "digsrctype:trainedAlgorithmicMedia",
        "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia/",
        "  http://cv.iptc.org/newscodes/digitalsourcetype/TrainedAlgorithmicMedia  ",
    ],
)
def test_source_type_spellings(value: str) -> None:
    facts = parse_packet(packet(f'Iptc4xmpExt:DigitalSourceType="{value}"'), "x")
    assert (facts.source_type, facts.provenance) == ("trainedAlgorithmicMedia", "ai")


def test_unknown_source_type_keeps_the_code_without_a_badge() -> None:
    facts = parse_packet(
        packet('Iptc4xmpExt:DigitalSourceType="http://c2pa.org/digitalsourcetype/empty"'), "x"
    )
    assert (facts.source_type, facts.provenance) == ("empty", None)
    assert facts.problems == ()


@pytest.mark.parametrize("rating", [-1, 0, 1, 2, 3, 4, 5])
def test_ratings_in_range(rating: int) -> None:
    assert parse_packet(packet(f'xmp:Rating="{rating}"'), "x").rating == rating


def test_whole_real_rating_is_accepted() -> None:
    assert parse_packet(packet('xmp:Rating="4.0"'), "x").rating == 4


@pytest.mark.parametrize("value", ["abc", "9", "-2", "2.5", "1_0", "٣", "nan"])
def test_invalid_ratings_are_problems(value: str) -> None:
    facts = parse_packet(packet(f'xmp:Rating="{value}"'), "IMG_1.xmp")
    assert facts.rating is None
    assert len(facts.problems) == 1
    assert facts.problems[0].startswith("IMG_1.xmp: xmp:Rating")


def test_empty_values_are_absent() -> None:
    facts = parse_packet(packet('xmp:Rating=" " xmp:Label="  " xmp:CreatorTool=""'), "x")
    assert facts == XmpFacts()


def test_an_invalid_sidecar_rating_falls_back_to_the_photo(tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "IMG_1.jpg", packet('xmp:Rating="3"'))
    (tmp_path / "IMG_1.jpg.xmp").write_bytes(packet('xmp:Rating="abc"'))
    facts = read_xmp(photo)
    assert facts.rating == 3
    assert len(facts.problems) == 1


def test_strings_are_stripped_and_capped() -> None:
    facts = parse_packet(packet(f'xmp:Label="  Red  " xmp:CreatorTool="{"x" * 5000}"'), "x")
    assert facts.label == "Red"
    assert facts.creator_tool is not None
    assert len(facts.creator_tool) == MAX_TEXT
    assert facts.creator_tool.endswith("…")


# --------------------------------------------------------------------------- safety


def test_malformed_xml_is_a_problem_naming_the_file(tmp_path: Path) -> None:
    photo = jpeg(tmp_path / "IMG_1.jpg", packet('xmp:Rating="2"'))
    (tmp_path / "IMG_1.jpg.xmp").write_bytes(packet('xmp:Rating="5"')[:-40])
    facts = read_xmp(photo)
    assert facts.rating == 2  # the photo's own XMP is still read
    assert len(facts.problems) == 1
    assert facts.problems[0].startswith(f"{tmp_path / 'IMG_1.jpg.xmp'}: ")
    assert "not well-formed" in facts.problems[0]


@pytest.mark.parametrize("data", [b"", b"\x00\x00", b"not xml at all", b"<a><b></a>"])
def test_garbage_packets_never_raise(data: bytes) -> None:
    facts = parse_packet(data, "x")
    assert facts.rating is None
    assert len(facts.problems) == 1


def test_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9c")
    for target in (secret.as_uri(), "file:///etc/passwd"):
        data = (
            f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "{target}">]>'.encode()
            + packet('xmp:Rating="4"', "<xmp:Label>&e;</xmp:Label>")
        )
        photo = photo_with_sidecars(tmp_path, ext=data)
        facts = read_xmp(photo)
        assert facts.label is None
        assert facts.rating is None  # the whole packet is refused, not just the entity
        assert len(facts.problems) == 1
        assert "document type declaration" in facts.problems[0]
        shown = repr(facts)
        assert "TOP-SECRET" not in shown
        assert "root:" not in shown


def test_external_dtd_is_never_fetched() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.3)
        port = listener.getsockname()[1]
        data = (
            f'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:{port}/x.dtd">'.encode()
            + packet('xmp:Rating="4"')
        )
        facts = parse_packet(data, "x")
        with pytest.raises(TimeoutError):
            listener.accept()
    assert facts.rating is None
    assert "document type declaration" in facts.problems[0]


def test_billion_laughs_is_refused_quickly() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE x [{entities}]>'.encode() + packet(
        body="<xmp:Label>&lol9;</xmp:Label>"
    )
    start = time.perf_counter()
    facts = parse_packet(data, "bomb.xmp")
    assert time.perf_counter() - start < 1.0
    assert facts.label is None
    assert facts.problems[0].startswith("bomb.xmp: ")
    assert "document type declaration" in facts.problems[0]


def test_undeclared_entity_is_malformed() -> None:
    facts = parse_packet(packet(body="<xmp:Label>&e;</xmp:Label>"), "x")
    assert facts.label is None
    assert "not well-formed" in facts.problems[0] or "undefined entity" in facts.problems[0]


def test_oversize_packet_is_refused_unread() -> None:
    facts = parse_packet(packet(body=" " * MAX_PACKET_BYTES), "big.xmp")
    assert facts.problems == (facts.problems[0],)
    assert facts.problems[0].startswith("big.xmp: the XMP is too large")


def test_oversize_sidecar_is_refused_unread(tmp_path: Path) -> None:
    photo = photo_with_sidecars(
        tmp_path, ext=packet('xmp:Rating="4"', " " * (MAX_SIDECAR_BYTES + 1))
    )
    facts = read_xmp(photo)
    assert facts.rating is None
    assert len(facts.problems) == 1
    assert "too large" in facts.problems[0]
    assert "IMG_1.jpg.xmp" in facts.problems[0]


def test_sidecar_that_is_a_folder(tmp_path: Path) -> None:
    photo = photo_with_sidecars(tmp_path, base=packet('xmp:Rating="2"'))
    (tmp_path / "IMG_1.jpg.xmp").mkdir()
    facts = read_xmp(photo)
    assert facts.rating == 2  # the other sidecar is still read
    assert len(facts.problems) == 1
    assert "IMG_1.jpg.xmp" in facts.problems[0]
    assert "folder" in facts.problems[0]


def test_sidecar_that_is_a_looping_link(tmp_path: Path) -> None:
    photo = photo_with_sidecars(tmp_path)
    (tmp_path / "IMG_1.jpg.xmp").symlink_to(tmp_path / "IMG_1.jpg.xmp")
    facts = read_xmp(photo)
    assert len(facts.problems) == 1
    assert "cannot read this XMP sidecar" in facts.problems[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_sidecar_that_is_a_pipe_does_not_block(tmp_path: Path) -> None:
    photo = photo_with_sidecars(tmp_path)
    fifo = tmp_path / "IMG_1.xmp"
    os.mkfifo(fifo)
    results: list[XmpFacts] = []
    reader = threading.Thread(target=lambda: results.append(read_xmp(photo)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    if reader.is_alive():  # blocked opening the pipe: give it a writer so it ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("read_xmp blocked on a named pipe")
    assert len(results[0].problems) == 1
    assert "not a file" in results[0].problems[0]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads unreadable files"
)
def test_sidecar_without_permission(tmp_path: Path) -> None:
    photo = photo_with_sidecars(tmp_path, ext=packet('xmp:Rating="4"'))
    (tmp_path / "IMG_1.jpg.xmp").chmod(0)
    facts = read_xmp(photo)
    assert facts.rating is None
    assert "cannot read this XMP sidecar" in facts.problems[0]


def test_importing_xmp_does_not_import_textual() -> None:
    code = (
        "import sys, portfolio_tui.xmp\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
