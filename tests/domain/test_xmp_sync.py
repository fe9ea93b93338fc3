"""xmp_sync.py: ratings, flags and labels between XMP (darktable, Lightroom, digiKam) and store."""

from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path

import pytest
from PIL import Image

from conftest import ImageMaker
from portfolio_tui.curation import Change, CurationStore, PhotoCuration
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.xmp import read_xmp
from portfolio_tui.xmp_sync import (
    SidecarError,
    apply_import,
    culling_of_packet,
    export_sidecars,
    plan_import,
    read_culling,
    sidecar_for,
    update_sidecar,
)

# A sidecar as darktable 4.6 writes it for a JPEG (dt_exif_xmp_write -> exiv2's
# compact format): rating 4, the green label, tags, and a three-step history.
DARKTABLE_4 = """\
<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
   exif:DateTimeOriginal="2024:03:14 10:22:00.000"
   xmp:Rating="{rating}"
   xmpMM:DerivedFrom="IMG_1.jpg"
   darktable:import_timestamp="63846112920000000"
   darktable:change_timestamp="63846113040000000"
   darktable:export_timestamp="-1"
   darktable:print_timestamp="-1"
   darktable:version_name=""
   darktable:xmp_version="5"
   darktable:raw_params="0"
   darktable:auto_presets_applied="1"
   darktable:history_end="3"
   darktable:iop_order_version="2"
   darktable:history_basic_hash="3d3c8e5b6e4ae6e4a8fa4b1c6d3b2a10"
   darktable:history_auto_hash="3d3c8e5b6e4ae6e4a8fa4b1c6d3b2a10"
   darktable:history_current_hash="a1b0f1c34c0a1c2d3e4f5a6b7c8d9e0f">
   <darktable:colorlabels>
    <rdf:Seq>
{labels}    </rdf:Seq>
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
      darktable:operation="colorin"
      darktable:enabled="1"
      darktable:modversion="7"
      darktable:params="gz48eJzjZhgFowABWAbaAaNgFAwIAAARkAAH"
      darktable:multi_name=""
      darktable:multi_name_hand_edited="0"
      darktable:multi_priority="0"
      darktable:blendop_version="14"
      darktable:blendop_params="gz11eJxjYGBgYAFiCQYYOOHEgAZY0QVwggZ7CB6pfNoAAE8gCAo="/>
     <rdf:li
      darktable:num="1"
      darktable:operation="exposure"
      darktable:enabled="1"
      darktable:modversion="6"
      darktable:params="0000000000008040cdcc4c3e0000000001000000"
      darktable:multi_name=""
      darktable:multi_name_hand_edited="0"
      darktable:multi_priority="0"
      darktable:blendop_version="14"
      darktable:blendop_params="gz11eJxjYGBgYAFiCQYYOOHEgAZY0QVwggZ7CB6pfNoAAE8gCAo="/>
     <rdf:li
      darktable:num="2"
      darktable:operation="sigmoid"
      darktable:enabled="1"
      darktable:modversion="3"
      darktable:params="0000c03f0000803f9a99193e0000000000000000"
      darktable:multi_name="portrait &amp; skin"
      darktable:multi_name_hand_edited="1"
      darktable:multi_priority="0"
      darktable:blendop_version="14"
      darktable:blendop_params="gz11eJxjYGBgYAFiCQYYOOHEgAZY0QVwggZ7CB6pfNoAAE8gCAo="/>
    </rdf:Seq>
   </darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""

NS = (
    'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    'xmlns:digiKam="http://www.digikam.org/ns/1.0/" '
    'xmlns:darktable="http://darktable.sf.net/"'
)


def darktable(rating: int = 4, *labels: int) -> bytes:
    items = "".join(f"     <rdf:li>{n}</rdf:li>\n" for n in labels)
    return DARKTABLE_4.format(rating=rating, labels=items).encode()


def packet(attrs: str = "", body: str = "") -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about="" {NS} {attrs}>{body}</rdf:Description>\n'
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
    ).encode()


def shoot(root: Path, make_image: ImageMaker, *names: str) -> list[Path]:
    return [make_image(root / "studio" / name) for name in names]


def fingerprint(paths: list[Path]) -> dict[Path, tuple[str, int]]:
    return {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in paths}


def import_into(root: Path, overwrite: bool = False, who: str = "importer") -> CurationStore:
    store = CurationStore(root, author=who)
    plan = plan_import(open_portfolio(root).every_photo(), store.load(), overwrite=overwrite)
    apply_import(store, plan)
    return store


def fields(store: CurationStore) -> dict[str, tuple[int, str | None, str | None]]:
    return {
        rel: (entry.rating, entry.flag, entry.label) for rel, entry in store.load().photos.items()
    }


# --------------------------------------------------------------------------- import


def test_darktable_4_sidecar_imports_rating_and_label(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    (photo,) = shoot(tmp_path, make_image, "IMG_1.jpg")
    photo.with_name("IMG_1.jpg.xmp").write_bytes(darktable(4, 2))
    facts = read_culling(photo)
    assert (facts.rating, facts.flag, facts.label) == (4, None, "green")
    assert facts.problems == () and facts.notes == ()
    assert facts.sources == (photo.with_name("IMG_1.jpg.xmp"),)

    store = import_into(tmp_path, who="maria")
    entry = store.load().photo("studio/IMG_1.jpg")
    assert (entry.rating, entry.flag, entry.label) == (4, None, "green")
    assert entry.updated_by == "maria"


def test_darktable_reject_is_minus_one_and_six_is_its_old_code(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    a, b = shoot(tmp_path, make_image, "a.jpg", "b.jpg")
    a.with_name("a.jpg.xmp").write_bytes(darktable(-1))
    b.with_name("b.jpg.xmp").write_bytes(darktable(6, 4))
    assert (read_culling(a).rating, read_culling(a).flag) == (None, "reject")
    old = read_culling(b)
    assert (old.rating, old.flag, old.label) == (None, "reject", "purple")
    assert old.problems == ()
    assert any("old code for a rejected photo" in note for note in old.notes)


def test_darktable_several_labels_take_the_first_with_a_note(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    (photo,) = shoot(tmp_path, make_image, "a.jpg")
    photo.with_name("a.jpg.xmp").write_bytes(darktable(0, 3, 0))
    facts = read_culling(photo)
    assert (facts.rating, facts.label) == (None, "blue")  # 0 stars: nothing to import
    assert any("several labels (blue, red)" in note for note in facts.notes)


def test_lightroom_base_name_sidecar_red_and_rejected(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    (photo,) = shoot(tmp_path, make_image, "IMG_7.jpg")
    lightroom = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 9.1-c001">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
   xmp:CreatorTool="Adobe Photoshop Lightroom Classic 13.1 (Windows)"
   xmp:Rating="-1"
   xmp:Label="Red"
   crs:Version="16.1"
   crs:Exposure2012="+0.35"/>
 </rdf:RDF>
</x:xmpmeta>
"""
    photo.with_name("IMG_7.xmp").write_bytes(lightroom)
    store = import_into(tmp_path)
    entry = store.load().photo("studio/IMG_7.jpg")
    assert (entry.rating, entry.flag, entry.label) == (0, "reject", "red")


def test_digikam_labels(tmp_path: Path, make_image: ImageMaker) -> None:
    a, b, c = shoot(tmp_path, make_image, "a.jpg", "b.jpg", "c.jpg")
    # digiKam writes ColorLabel, photoshop:Urgency and (for Lightroom's five) xmp:Label.
    a.with_name("a.jpg.xmp").write_bytes(
        packet(
            'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmp:Rating="5" '
            'digiKam:ColorLabel="6" photoshop:Urgency="6" xmp:Label="Purple" '
            'digiKam:PickLabel="3"'
        )
    )
    b.with_name("b.jpg.xmp").write_bytes(packet('digiKam:ColorLabel="2" digiKam:PickLabel="1"'))
    c.with_name("c.jpg.xmp").write_bytes(packet('digiKam:ColorLabel="4" digiKam:PickLabel="2"'))
    first = read_culling(a)
    assert (first.rating, first.flag, first.label, first.notes) == (5, "pick", "purple", ())
    orange = read_culling(b)
    assert (orange.flag, orange.label) == ("reject", None)
    assert any("ColorLabel 2 (orange) has no equivalent" in note for note in orange.notes)
    pending = read_culling(c)
    assert (pending.flag, pending.label) == (None, "green")
    assert any("PickLabel 2 (pending)" in note for note in pending.notes)


def test_labels_that_disagree_follow_darktable_order_with_a_note() -> None:
    facts = culling_of_packet(
        packet(
            'xmp:Label="Red"',
            "<darktable:colorlabels><rdf:Seq><rdf:li>3</rdf:li></rdf:Seq></darktable:colorlabels>",
        ),
        "x.xmp",
    )
    assert facts.label == "red"
    assert any("disagree (xmp:Label red, darktable:colorlabels blue)" in n for n in facts.notes)


def test_reject_wins_over_accepted_with_a_note() -> None:
    facts = culling_of_packet(packet('xmp:Rating="-1" digiKam:PickLabel="3"'), "x.xmp")
    assert facts.flag == "reject"
    assert facts.notes == (
        "x.xmp: digiKam:PickLabel says accepted but xmp:Rating -1 says rejected; read as rejected",
    )


def test_free_text_label_is_a_note_and_not_a_label() -> None:
    facts = culling_of_packet(packet('xmp:Label="Second round"'), "x.xmp")
    assert facts.label is None
    assert facts.notes and "'Second round'" in facts.notes[0]


def test_sidecar_wins_over_embedded_field_by_field(tmp_path: Path) -> None:
    photo = tmp_path / "studio" / "cam.jpg"
    photo.parent.mkdir(parents=True)
    Image.new("RGB", (16, 12)).save(
        photo, "JPEG", xmp=packet('xmp:Rating="2" xmp:Label="Blue" digiKam:PickLabel="3"')
    )
    photo.with_name("cam.jpg.xmp").write_bytes(packet('xmp:Rating="5"'))
    facts = read_culling(photo)
    assert (facts.rating, facts.flag, facts.label) == (5, "pick", "blue")
    assert facts.sources == (photo.with_name("cam.jpg.xmp"), photo)


def test_unrated_xmp_never_clears_and_set_fields_conflict_unless_overwrite(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    a, b = shoot(tmp_path, make_image, "a.jpg", "b.jpg")
    a.with_name("a.jpg.xmp").write_bytes(darktable(2, 0))
    b.with_name("b.jpg.xmp").write_bytes(darktable(0))
    store = CurationStore(tmp_path, author="tom")
    store.apply([Change.rating("studio/a.jpg", 5), Change.rating("studio/b.jpg", 3)])

    plan = plan_import(open_portfolio(tmp_path).every_photo(), store.load())
    assert [(c.field, c.value) for c in plan.changes] == [("label", "red")]
    assert [(p.rel, c.field, c.store, c.xmp) for p in plan.photos for c in p.conflicts] == [
        ("studio/a.jpg", "rating", 5, 2)
    ]
    apply_import(store, plan)
    assert fields(store) == {"studio/a.jpg": (5, None, "red"), "studio/b.jpg": (3, None, None)}

    overwrite = plan_import(open_portfolio(tmp_path).every_photo(), store.load(), overwrite=True)
    assert overwrite.conflicts == 1
    apply_import(store, overwrite)
    assert fields(store) == {"studio/a.jpg": (2, None, "red"), "studio/b.jpg": (3, None, None)}


def test_apply_decides_again_against_the_store_as_it_is_then(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    (photo,) = shoot(tmp_path, make_image, "a.jpg")
    photo.with_name("a.jpg.xmp").write_bytes(darktable(4, 1))
    mine = CurationStore(tmp_path, author="importer")
    plan = plan_import(open_portfolio(tmp_path).every_photo(), mine.load())
    assert len(plan.changes) == 2
    CurationStore(tmp_path, author="tom").apply([Change.label("studio/a.jpg", "blue")])
    applied, snapshot = apply_import(mine, plan)
    assert [(c.field, c.value) for c in applied.changes] == [("rating", 4)]
    assert applied.conflicts == 1
    assert snapshot.photo("studio/a.jpg").label == "blue"


@pytest.mark.parametrize(
    "hostile",
    [
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///SECRET">]>\n'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:Label>&secret;</xmp:Label>'
        b"</rdf:Description></rdf:RDF></x:xmpmeta>",
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.encode() for i in range(1, 10)
        ).replace(b"&lol0;", b"&lol;")
        + b']>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol9;</x:xmpmeta>',
    ],
    ids=["external-entity", "billion-laughs"],
)
def test_hostile_xmp_is_reported_not_followed(
    tmp_path: Path, make_image: ImageMaker, hostile: bytes
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("Purple")
    (photo,) = shoot(tmp_path / "p", make_image, "a.jpg")
    sidecar = photo.with_name("a.jpg.xmp")
    sidecar.write_bytes(hostile.replace(b"/SECRET", str(secret).encode()))
    facts = read_culling(photo)
    assert facts.label is None and not facts.says_something
    assert len(facts.problems) == 1 and "refused unread" in facts.problems[0]
    plan = plan_import(open_portfolio(tmp_path / "p").every_photo(), CurationStore(tmp_path).load())
    assert plan.changes == [] and len(plan.problems) == 1

    before = sidecar.read_bytes()
    report = export_sidecars(
        open_portfolio(tmp_path / "p").every_photo(),
        _snapshot(tmp_path / "p", Change.label("studio/a.jpg", "red")),
    )
    assert [p.action for p in report.photos] == ["skip"]
    assert "refused unread" in (report.problems[0])
    assert sidecar.read_bytes() == before


def _snapshot(root: Path, *changes: Change):  # type: ignore[no-untyped-def]
    return CurationStore(root, author="t").apply(list(changes))


# --------------------------------------------------------------------------- export


def test_export_then_import_gives_the_same_store(tmp_path: Path, make_image: ImageMaker) -> None:
    names = ["a.jpg", "b.jpg", "c.png", "d.jpg", "e.jpg", "f.jpg", "g.jpg"]
    photos = shoot(tmp_path, make_image, *names)
    store = CurationStore(tmp_path, author="maria")
    store.apply(
        [
            Change.rating("studio/a.jpg", 5),
            Change.label("studio/a.jpg", "red"),
            Change.flag("studio/b.jpg", "reject"),
            Change.label("studio/b.jpg", "yellow"),
            Change.flag("studio/c.png", "pick"),
            Change.rating("studio/c.png", 3),
            Change.label("studio/c.png", "green"),
            Change.label("studio/d.jpg", "blue"),
            Change.rating("studio/e.jpg", 1),
            Change.label("studio/e.jpg", "purple"),
            Change.tags("studio/f.jpg", ["only tags"]),
        ]
    )
    before = fingerprint(photos)
    expected = {k: v for k, v in fields(store).items() if k != "studio/f.jpg"}

    report = export_sidecars(open_portfolio(tmp_path).every_photo(), store.load())
    assert report.count("create") == 5 and report.problems == []
    written = sorted(p.name for p in (tmp_path / "studio").glob("*.xmp"))
    assert written == ["a.jpg.xmp", "b.jpg.xmp", "c.png.xmp", "d.jpg.xmp", "e.jpg.xmp"]
    assert fingerprint(photos) == before  # the photos themselves: not a byte, not a timestamp

    fresh = tmp_path / "copy"
    fresh.mkdir()
    (tmp_path / "curation.toml").rename(fresh / "curation.toml.old")
    assert fields(import_into(tmp_path)) == expected
    assert fingerprint(photos) == before

    again = export_sidecars(open_portfolio(tmp_path).every_photo(), CurationStore(tmp_path).load())
    assert again.count("unchanged") == 5 and again.count("update") == 0
    # The shared reader (what the app shows) agrees with the export.
    assert (read_xmp(photos[1]).rating, read_xmp(photos[1]).label) == (-1, "Yellow")


def test_export_into_a_darktable_sidecar_keeps_its_history(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    (photo,) = shoot(tmp_path, make_image, "IMG_1.jpg")
    sidecar = photo.with_name("IMG_1.jpg.xmp")
    original = darktable(4, 2)
    sidecar.write_bytes(original)
    os.chmod(sidecar, 0o640)
    store = CurationStore(tmp_path, author="t")
    store.apply(
        [
            Change.rating("studio/IMG_1.jpg", 2),
            Change.label("studio/IMG_1.jpg", "blue"),
            Change.flag("studio/IMG_1.jpg", "pick"),
        ]
    )
    report = export_sidecars(open_portfolio(tmp_path).every_photo(), store.load())
    assert [p.action for p in report.photos] == ["update"]
    updated = sidecar.read_bytes()
    assert oct(sidecar.stat().st_mode & 0o777) == oct(0o640)

    start = original.index(b"   <dc:subject>")
    assert original[start:] in updated  # tags, masks and the whole history, byte for byte
    diff = difflib.ndiff(original.decode().splitlines(), updated.decode().splitlines())
    changed = [line for line in diff if line[:1] in "+-"]
    assert changed == [
        '+     xmlns:digiKam="http://www.digikam.org/ns/1.0/"',
        '-    xmp:Rating="4"',
        '+    xmp:Rating="2"',
        '-    darktable:history_current_hash="a1b0f1c34c0a1c2d3e4f5a6b7c8d9e0f">',
        '+    darktable:history_current_hash="a1b0f1c34c0a1c2d3e4f5a6b7c8d9e0f"',
        '+    xmp:Label="Blue"',
        '+    digiKam:ColorLabel="5"',
        '+    digiKam:PickLabel="3">',
        "-      <rdf:li>2</rdf:li>",
        "+      <rdf:li>3</rdf:li>",
    ]
    facts = culling_of_packet(updated, "IMG_1.jpg.xmp")
    assert (facts.rating, facts.flag, facts.label, facts.notes) == (2, "pick", "blue", ())


def test_export_writes_what_each_tool_reads() -> None:
    new = update_sidecar(None, PhotoCuration(rating=3, flag="reject", label="purple"))
    assert new is not None
    text = new.decode()
    for expected in (
        'xmp:Rating="-1"',
        'xmp:Label="Purple"',
        'digiKam:ColorLabel="6"',
        'digiKam:PickLabel="1"',
        "<darktable:colorlabels>\n    <rdf:Seq>\n     <rdf:li>4</rdf:li>",
    ):
        assert expected in text
    assert update_sidecar(None, PhotoCuration(tags=("only tags",))) is None
    assert update_sidecar(new, PhotoCuration(rating=3, flag="reject", label="purple")) is None


def test_pick_clears_a_reject_in_the_sidecar() -> None:
    rejected = packet('xmp:Rating="-1"')
    updated = update_sidecar(rejected, PhotoCuration(flag="pick"))
    assert updated is not None and b'xmp:Rating="0"' in updated
    assert culling_of_packet(updated, "x").flag == "pick"


def test_properties_written_as_elements_or_in_other_descriptions_are_updated_in_place() -> None:
    data = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        b"<xmp:Rating>2</xmp:Rating><xmp:Label>Approved</xmp:Label></rdf:Description>"
        b'<rdf:Description rdf:about="" xmlns:dt="http://darktable.sf.net/">'
        b"<dt:colorlabels><rdf:Bag><rdf:li>1</rdf:li></rdf:Bag></dt:colorlabels>"
        b"</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    updated = update_sidecar(data, PhotoCuration(rating=4, label="green"))
    assert updated is not None
    assert b"<xmp:Rating>4</xmp:Rating><xmp:Label>Green</xmp:Label>" in updated
    assert b"<dt:colorlabels>" in updated and b"<rdf:li>2</rdf:li>" in updated
    assert b"darktable:" not in updated  # the prefix in use is kept
    assert culling_of_packet(updated, "x").label == "green"


def test_self_closing_description_gets_its_label_list() -> None:
    data = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta>'
    )
    updated = update_sidecar(data, PhotoCuration(label="red"))
    assert updated is not None and b"</rdf:Description>" in updated
    facts = culling_of_packet(updated, "x")
    assert facts.label == "red" and facts.notes == ()


def test_unparseable_or_utf16_sidecars_are_refused() -> None:
    with pytest.raises(SidecarError, match="not well-formed"):
        update_sidecar(b"<x:xmpmeta><rdf:RDF>", PhotoCuration(rating=2))
    with pytest.raises(SidecarError, match="not UTF-8"):
        update_sidecar(packet().decode().encode("utf-16"), PhotoCuration(rating=2))


def test_export_keeps_values_the_store_lacks_unless_overwrite(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    (photo,) = shoot(tmp_path, make_image, "a.jpg")
    sidecar = photo.with_name("a.jpg.xmp")
    sidecar.write_bytes(darktable(3, 1))
    store = CurationStore(tmp_path, author="t")
    store.apply([Change.flag("studio/a.jpg", "pick")])

    report = export_sidecars(open_portfolio(tmp_path).every_photo(), store.load())
    assert [p.action for p in report.photos] == ["update"]
    assert len(report.kept) == 2  # rating 3 and yellow stay in the sidecar
    facts = culling_of_packet(sidecar.read_bytes(), "x")
    assert (facts.rating, facts.flag, facts.label) == (3, "pick", "yellow")

    report = export_sidecars(open_portfolio(tmp_path).every_photo(), store.load(), overwrite=True)
    assert report.kept == []
    facts = culling_of_packet(sidecar.read_bytes(), "x")
    assert (facts.rating, facts.flag, facts.label) == (None, "pick", None)
    assert b"darktable:history" in sidecar.read_bytes()


def test_base_name_sidecars_and_shared_names(tmp_path: Path, make_image: ImageMaker) -> None:
    a, b, c = shoot(tmp_path, make_image, "a.jpg", "pair.jpg", "pair.png")
    store = CurationStore(tmp_path, author="t")
    store.apply(
        [
            Change.rating("studio/a.jpg", 4),
            Change.rating("studio/pair.jpg", 2),
            Change.label("studio/pair.png", "red"),
        ]
    )
    report = export_sidecars(
        open_portfolio(tmp_path).every_photo(), store.load(), sidecar_name="base"
    )
    assert a.with_name("a.xmp").exists() and not a.with_name("a.jpg.xmp").exists()
    assert not a.with_name("pair.xmp").exists()
    assert len(report.problems) == 2 and all("shared by" in p for p in report.problems)
    assert read_culling(a).rating == 4
    assert sidecar_for(b, "base") == tmp_path / "studio" / "pair.xmp"
    assert sidecar_for(c) == tmp_path / "studio" / "pair.png.xmp"


def test_existing_upper_case_sidecar_is_the_one_updated(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    (photo,) = shoot(tmp_path, make_image, "a.jpg")
    upper = photo.with_name("a.jpg.XMP")
    upper.write_bytes(packet('xmp:Rating="1"'))
    if photo.with_name("a.jpg.xmp").exists():
        pytest.skip("case-insensitive file system")
    report = export_sidecars(
        open_portfolio(tmp_path).every_photo(),
        _snapshot(tmp_path, Change.rating("studio/a.jpg", 3)),
    )
    assert [p.sidecar.name for p in report.photos] == ["a.jpg.XMP"]
    assert culling_of_packet(upper.read_bytes(), "x").rating == 3
    assert not photo.with_name("a.jpg.xmp").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlinked_sidecar_is_not_replaced(tmp_path: Path, make_image: ImageMaker) -> None:
    (photo,) = shoot(tmp_path, make_image, "a.jpg")
    elsewhere = tmp_path / "elsewhere.xmp"
    elsewhere.write_bytes(packet('xmp:Rating="1"'))
    photo.with_name("a.jpg.xmp").symlink_to(elsewhere)
    report = export_sidecars(
        open_portfolio(tmp_path).every_photo(),
        _snapshot(tmp_path, Change.rating("studio/a.jpg", 3)),
    )
    assert "symbolic link" in report.problems[0]
    assert photo.with_name("a.jpg.xmp").is_symlink()
    assert culling_of_packet(elsewhere.read_bytes(), "x").rating == 1


def test_dry_run_writes_nothing(tmp_path: Path, make_image: ImageMaker) -> None:
    a, b = shoot(tmp_path, make_image, "a.jpg", "b.jpg")
    b.with_name("b.jpg.xmp").write_bytes(darktable(1))
    snapshot = _snapshot(
        tmp_path, Change.rating("studio/a.jpg", 5), Change.label("studio/b.jpg", "red")
    )
    listing = sorted(os.listdir(tmp_path / "studio"))
    before = fingerprint([a, b, b.with_name("b.jpg.xmp")])
    report = export_sidecars(open_portfolio(tmp_path).every_photo(), snapshot, dry_run=True)
    assert (report.count("create"), report.count("update")) == (1, 1)
    assert sorted(os.listdir(tmp_path / "studio")) == listing
    assert fingerprint([a, b, b.with_name("b.jpg.xmp")]) == before


def test_a_sidecar_changed_while_exporting_is_not_overwritten(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portfolio_tui import xmp_sync

    (photo,) = shoot(tmp_path, make_image, "a.jpg")
    sidecar = photo.with_name("a.jpg.xmp")
    sidecar.write_bytes(darktable(1))
    snapshot = _snapshot(tmp_path, Change.rating("studio/a.jpg", 5))
    real = xmp_sync.update_sidecar

    def meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = real(*args, **kwargs)
        sidecar.write_bytes(darktable(2) + b"\n")  # darktable saved in between
        return out

    monkeypatch.setattr("portfolio_tui.xmp.export.update_sidecar", meanwhile)
    report = export_sidecars(open_portfolio(tmp_path).every_photo(), snapshot)
    assert "changed while exporting" in report.problems[0]
    assert sidecar.read_bytes() == darktable(2) + b"\n"
    assert [p.name for p in sidecar.parent.iterdir() if p.name.endswith(".tmp")] == []
