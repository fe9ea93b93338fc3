"""``xmp export`` writes the sidecar a photo has, never a second one (issue 15, item 5)."""

from __future__ import annotations

from pathlib import Path

from conftest import ImageMaker, run_cli

LIGHTROOM = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    'xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" '
    'xmp:Rating="3" crs:Exposure2012="+0.35"/></rdf:RDF></x:xmpmeta>'
)


def sidecars(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".xmp")


def test_export_after_import_updates_the_lightroom_sidecar(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "shoot"
    folder = root / "studio"
    make_image(folder / "IMG_1.jpg")
    make_image(folder / "IMG_2.jpg")
    (folder / "IMG_1.xmp").write_text(LIGHTROOM)

    imported = run_cli("xmp", "import", str(root), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "studio/IMG_1.jpg: imported rating 3 (from studio/IMG_1.xmp)" in imported.stdout

    changed = run_cli("xmp", "export", str(root), "--dry-run", cwd=tmp_path)
    assert "would create 0 sidecars, would update 0, 1 already up to date" in changed.stdout

    # A change made in the app (here through the store, as the app does), then exported.
    from portfolio_tui.curation import Change
    from portfolio_tui.store.sqlite_curation import SqliteCurationStore

    with SqliteCurationStore(root, author="tom") as store:
        store.apply([Change.rating("studio/IMG_1.jpg", 5), Change.rating("studio/IMG_2.jpg", 2)])
    exported = run_cli("xmp", "export", str(root), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    lines = exported.stdout.splitlines()
    assert "studio/IMG_1.xmp: updated: rating 5" in lines
    # A photo with no sidecar gets one named as before (NAME.ext.xmp, darktable and digiKam).
    assert "studio/IMG_2.jpg.xmp: created: rating 2" in lines
    assert sidecars(folder) == ["IMG_1.xmp", "IMG_2.jpg.xmp"]
    text = (folder / "IMG_1.xmp").read_text()
    assert 'xmp:Rating="5"' in text and 'crs:Exposure2012="+0.35"' in text  # Lightroom's kept


def test_base_name_asked_for_uses_an_existing_ext_sidecar(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "shoot"
    folder = root / "studio"
    make_image(folder / "IMG_1.jpg")
    (folder / "IMG_1.jpg.xmp").write_text(LIGHTROOM)
    from portfolio_tui.curation import Change, CurationStore

    CurationStore(root, author="tom").apply([Change.rating("studio/IMG_1.jpg", 4)])
    exported = run_cli("xmp", "export", str(root), "--sidecar-name", "base", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "studio/IMG_1.jpg.xmp: updated: rating 4" in exported.stdout.splitlines()
    assert sidecars(folder) == ["IMG_1.jpg.xmp"]


def test_two_photos_sharing_a_base_sidecar_each_get_their_own(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    # IMG_1.xmp could be either photo's; writing into it would mix them up.
    root = tmp_path / "shoot"
    folder = root / "studio"
    make_image(folder / "IMG_1.jpg")
    make_image(folder / "IMG_1.png")
    (folder / "IMG_1.xmp").write_text(LIGHTROOM)
    from portfolio_tui.curation import Change, CurationStore

    CurationStore(root, author="tom").apply(
        [Change.rating("studio/IMG_1.jpg", 4), Change.rating("studio/IMG_1.png", 1)]
    )
    exported = run_cli("xmp", "export", str(root), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert sidecars(folder) == ["IMG_1.jpg.xmp", "IMG_1.png.xmp", "IMG_1.xmp"]
    assert (folder / "IMG_1.xmp").read_text() == LIGHTROOM
