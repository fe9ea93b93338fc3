"""``check`` and ``xmp import`` read a sidecar the same way (issue 15, item 7)."""

from __future__ import annotations

from pathlib import Path

from conftest import ImageMaker, run_cli
from portfolio_tui.xmp import read_xmp
from portfolio_tui.xmp_sync import read_culling

NS = (
    'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    'xmlns:digiKam="http://www.digikam.org/ns/1.0/" '
    'xmlns:darktable="http://darktable.sf.net/"'
)


def packet(attrs: str, body: str = "") -> str:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" {NS} {attrs}>{body}</rdf:Description>'
        "</rdf:RDF></x:xmpmeta>"
    )


def labels(*numbers: str) -> str:
    items = "".join(f"<rdf:li>{n}</rdf:li>" for n in numbers)
    return f"<darktable:colorlabels><rdf:Seq>{items}</rdf:Seq></darktable:colorlabels>"


SIDECARS = {
    # darktable before 3.0: rating 6 is its "rejected" (DT_VIEW_REJECT), and it reads 6 back so
    "old_darktable.jpg.xmp": packet('xmp:Rating="6"'),
    "darktable.jpg.xmp": packet('xmp:Rating="-1"', labels("9", "2")),
    "lightroom.xmp": packet('xmp:Rating="3.5" xmp:Label="Red"'),
    "digikam.jpg.xmp": packet('digiKam:PickLabel="7" digiKam:ColorLabel="12"'),
    "digikam_ok.jpg.xmp": packet('digiKam:PickLabel="3" digiKam:ColorLabel="4" xmp:Rating="4"'),
    "bad_label.jpg.xmp": packet('xmp:Rating="seven"', labels("1", "x")),
}


def shoot(root: Path, make_image: ImageMaker) -> Path:
    folder = root / "studio"
    for name, text in SIDECARS.items():
        stem = name.split(".")[0]
        make_image(folder / f"{stem}.jpg")
        (folder / name).write_text(text)
    return folder


def test_check_and_import_say_the_same_about_each_sidecar(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "shoot"
    shoot(root, make_image)
    checked = run_cli("check", str(root), cwd=tmp_path)
    imported = run_cli("xmp", "import", str(root), "--dry-run", cwd=tmp_path)

    warned = sorted(
        line.split(": warning: ", 1)[1]
        for line in checked.stdout.splitlines()
        if ": warning: " in line
    )
    problems = sorted(
        line.split(": ", 1)[1]
        for line in imported.stdout.splitlines()
        if line.startswith(str(root)) and "it is ignored" in line
    )
    assert warned == problems
    assert warned == sorted(
        [
            "darktable:colorlabels holds '9', not a colour label number from 0 to 4; it is ignored",
            "darktable:colorlabels holds 'x', not a colour label number from 0 to 4; it is ignored",
            "xmp:Rating is '3.5', not a whole number from -1 (rejected) to 5; it is ignored",
            "xmp:Rating is 'seven', not a whole number from -1 (rejected) to 5; it is ignored",
            "digiKam:PickLabel is '7', not a pick label number from 0 to 3; it is ignored",
            "digiKam:ColorLabel is '12', not a colour label number from 0 to 9; it is ignored",
        ]
    )
    # darktable's old "rejected" is neither a bad value to check nor ignored by import.
    assert "old_darktable" not in checked.stdout
    assert "studio/old_darktable.jpg: would import flag reject" in imported.stdout


def test_the_values_read_agree(tmp_path: Path, make_image: ImageMaker) -> None:
    folder = shoot(tmp_path, make_image)
    expected = {
        "old_darktable": (-1, "reject", None),
        "darktable": (-1, "reject", "green"),
        "lightroom": (None, None, "red"),
        "digikam": (None, None, None),
        "digikam_ok": (4, "pick", "green"),
        "bad_label": (None, None, "yellow"),
    }
    for stem, (rating, flag, label) in expected.items():
        photo = folder / f"{stem}.jpg"
        facts, culling = read_xmp(photo), read_culling(photo)
        assert facts.rating == rating, stem
        assert (culling.rating, culling.flag, culling.label) == (
            rating if rating and rating > 0 else None,
            flag,
            label,
        ), stem
        assert (facts.label or "").lower() == (label or ""), stem
        assert sorted(facts.problems) == sorted(culling.problems), stem
