"""``portfolio-tui xmp import`` and ``xmp export``, run as a photographer would."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import ImageMaker, can_chmod, run_cli, write
from portfolio_tui.cli.xmp import run_xmp
from portfolio_tui.curation import Change, CurationStore
from portfolio_tui.store.sqlite_curation import SqliteCurationStore

NS = (
    'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    'xmlns:digiKam="http://www.digikam.org/ns/1.0/" '
    'xmlns:darktable="http://darktable.sf.net/"'
)


def packet(attrs: str) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" {NS} {attrs}/></rdf:RDF></x:xmpmeta>'
    ).encode()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = run_xmp(list(args))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def state(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (the store's timestamps vary, so hashed)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).digest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


EMPTY = hashlib.sha256(b"").digest()


def written(root: Path, before: dict[str, bytes]) -> dict[str, bytes | None]:
    """The files under ``root`` changed, made or removed since ``before`` (None: removed).

    SQLite's own files beside a database that was there before are left out: reading a
    WAL database makes its index (``-shm``) and an empty ``-wal``, with no curation in
    them, and leaves them (a reader may not delete what a writer may be using)."""
    after = state(root)
    changed: dict[str, bytes | None] = {
        name: digest for name, digest in after.items() if before.get(name) != digest
    }
    changed.update({name: None for name in before if name not in after})
    if "curation.sqlite" in before:
        changed.pop("curation.sqlite-shm", None)
        if changed.get("curation.sqlite-wal") == EMPTY:
            del changed["curation.sqlite-wal"]
    return changed


@pytest.fixture
def shoot(tmp_path: Path, make_image: ImageMaker) -> Path:
    """Three photos: a darktable sidecar, a Lightroom sidecar, and none."""
    root = tmp_path / "shoot"
    make_image(root / "studio" / "anna.jpg")
    make_image(root / "studio" / "ben.jpg")
    make_image(root / "studio" / "cara.jpg")
    (root / "studio" / "anna.jpg.xmp").write_bytes(
        packet(
            'xmp:Rating="4" darktable:xmp_version="5"><darktable:colorlabels><rdf:Seq>'
            "<rdf:li>2</rdf:li></rdf:Seq></darktable:colorlabels></rdf:Description><x:y "
            'xmlns:x="urn:x"'
        )
    )
    (root / "studio" / "ben.xmp").write_bytes(packet('xmp:Rating="-1" xmp:Label="Red"'))
    return root


def test_import_dry_run_then_import(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = state(shoot)
    code, lines, _ = run(capsys, "import", str(shoot), "--dry-run")
    assert code == 0
    assert lines == [
        "studio/anna.jpg: would import rating 4, label green (from studio/anna.jpg.xmp)",
        "studio/ben.jpg: would import flag reject, label red (from studio/ben.xmp)",
        "xmp import (dry run, nothing written): 3 photos read, 2 with XMP values; would import "
        "1 rating, 1 flag, 2 labels; 0 conflicts kept; 0 notes; 0 problems",
    ]
    assert written(shoot, before) == {}

    code, lines, _ = run(capsys, "import", str(shoot), "--as", "Maria")
    assert code == 0
    assert lines[-1].startswith("xmp import: 3 photos read, 2 with XMP values; imported 1 rating")
    with SqliteCurationStore(shoot, read_only=True) as store:
        snapshot = store.load()
    anna = snapshot.photo("studio/anna.jpg")
    assert (anna.rating, anna.label, anna.updated_by) == (4, "green", "Maria")
    assert snapshot.photo("studio/ben.jpg").flag == "reject"
    photos = {k: v for k, v in before.items() if k.endswith(".jpg")}
    assert {k: v for k, v in state(shoot).items() if k.endswith(".jpg")} == photos


def test_import_keeps_conflicts_unless_overwrite(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    CurationStore(shoot, author="tom").apply([Change.label("studio/anna.jpg", "blue")])
    code, lines, _ = run(capsys, "import", str(shoot))
    assert code == 0
    assert (
        "studio/anna.jpg: conflict: label is blue here, green in XMP; kept "
        "(--overwrite takes XMP's)" in lines
    )
    assert "1 conflict kept" in lines[-1]
    assert label(shoot, "studio/anna.jpg") == "blue"

    code, lines, _ = run(capsys, "import", str(shoot), "--overwrite")
    assert "studio/anna.jpg: conflict: label is blue here, green in XMP; XMP's taken" in lines
    assert "studio/anna.jpg: imported label green (from studio/anna.jpg.xmp)" in lines
    assert label(shoot, "studio/anna.jpg") == "green"


def label(root: Path, photo: str) -> str | None:
    with SqliteCurationStore(root, read_only=True) as store:
        return store.load().photo(photo).label


def test_export_dry_run_then_export_then_up_to_date(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SqliteCurationStore(shoot, author="tom") as store:
        store.apply([Change.rating("studio/cara.jpg", 5), Change.flag("studio/ben.jpg", "pick")])
    before = state(shoot)
    code, lines, _ = run(capsys, "export", str(shoot), "--dry-run")
    assert code == 0
    assert lines[0] == "studio/ben.xmp: would update: flag pick"  # ben's own (Lightroom's)
    assert lines[2:] == [
        "studio/cara.jpg.xmp: would create: rating 5",
        "xmp export (dry run, nothing written): 3 photos; would create 1 sidecar, would "
        "update 1, 0 already up to date; 1 value kept; 0 problems",
    ]
    assert written(shoot, before) == {}

    code, lines, _ = run(capsys, "export", str(shoot), "--sidecar-name", "base")
    assert code == 0
    assert lines[0] == "studio/ben.xmp: updated: flag pick"
    assert lines[2] == "studio/cara.xmp: created: rating 5"
    assert lines[1] == (
        "studio/ben.xmp: kept label red, which the store does not have "
        "(--overwrite clears; 'xmp import' brings in)"
    )
    assert b'xmp:Rating="0"' in (shoot / "studio" / "ben.xmp").read_bytes()  # no longer -1
    assert b'xmp:Label="Red"' in (shoot / "studio" / "ben.xmp").read_bytes()  # not ours: kept

    code, lines, _ = run(capsys, "export", str(shoot), "--sidecar-name", "base")
    assert lines[-1].endswith(
        "created 0 sidecars, updated 0, 2 already up to date; 1 value kept; 0 problems"
    )
    assert lines[0].startswith("studio/ben.xmp: kept label red")


def test_export_reports_a_sidecar_it_cannot_parse_and_leaves_it(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = shoot / "studio" / "cara.jpg.xmp"
    broken.write_bytes(b"<x:xmpmeta><rdf:RDF>")
    CurationStore(shoot, author="tom").apply([Change.rating("studio/cara.jpg", 5)])
    code, lines, _ = run(capsys, "export", str(shoot))
    assert code == 1
    assert any(
        line.startswith(f"{broken}: not updated, left as it is: the XMP is not well-formed XML")
        for line in lines
    )
    assert broken.read_bytes() == b"<x:xmpmeta><rdf:RDF>"


def test_unreadable_config_or_damaged_store_is_exit_2(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(shoot / "config.toml", "title = [\n")
    code, lines, err = run(capsys, "import", str(shoot / "config.toml"))
    assert code == 2 and "config.toml" in err and lines == []
    (shoot / "config.toml").unlink()
    (shoot / "curation.toml").write_text("format = 1\n[photos\n")
    before = state(shoot)
    for action in ("import", "export"):
        code, lines, err = run(capsys, action, str(shoot))
        assert code == 2 and "curation.toml:2" in err and "nothing was" in err
        assert lines == []
    # No database, and the TOML as it was (the import's migration left only its lock).
    assert written(shoot, before) in ({}, {"curation.toml.lock": EMPTY})

    (shoot / "curation.toml").unlink()
    (shoot / "curation.toml.lock").unlink(missing_ok=True)
    (shoot / "curation.sqlite").write_bytes(b"\x00garbage, not a database\xff" * 200)
    before = state(shoot)
    for action in ("import", "export"):
        code, lines, err = run(capsys, action, str(shoot))
        assert code == 2 and lines == [] and "nothing was" in err
        assert f"{shoot / 'curation.sqlite'}: damaged or foreign database" in err
    assert written(shoot, before) == {}


def test_read_only_store_is_exit_2_and_nothing_written(
    shoot: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if can_chmod():
        os.chmod(shoot, 0o555)
    else:  # root may write anywhere: pretend the folder is not writable
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode, **kw: False if Path(p) == shoot else real(p, mode, **kw)
        )
    try:
        before = state(shoot)
        code, lines, err = run(capsys, "import", str(shoot))
        assert code == 2 and lines == []
        assert f"cannot save to {shoot / 'curation.sqlite'}: no permission to write in" in err
        assert "nothing was imported" in err
        assert written(shoot, before) == {}
        code, lines, _ = run(capsys, "import", str(shoot), "--dry-run")
        assert code == 0 and "a real import would fail" in lines[-2]
        assert "no permission to write" in lines[-2]
    finally:
        os.chmod(shoot, 0o755)


def test_names_with_control_characters_are_printed_cleaned(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "shoot"
    evil = make_image(root / "studio" / "evil\x1b[2J\nname.jpg")
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/">&e;</x:xmpmeta>'
    )
    evil.with_name(evil.name + ".xmp").write_bytes(hostile)
    result = run_cli("xmp", "import", "shoot", cwd=tmp_path)
    assert result.returncode == 1
    assert "\x1b" not in result.stdout and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "evil␛[2J␊name.jpg.xmp: the XMP has a document type declaration" in lines[0]
    assert "root:" not in result.stdout  # /etc/passwd was never read
    assert lines[1].endswith("1 problem")
