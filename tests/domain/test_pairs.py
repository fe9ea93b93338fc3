"""RAW files are photos; a RAW and a JPEG with the same name are one photo (issue 15, item 5).

Real camera RAW files (tests/fixtures/raw, see SOURCES) are copied beside generated JPEGs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from conftest import run_cli
from portfolio_tui.curation import Change, CurationStore
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.problems import ConfigError
from portfolio_tui.store.sqlite_curation import SqliteCurationStore

RAWS = Path(__file__).resolve().parent.parent / "fixtures" / "raw"

LIGHTROOM = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    'xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" '
    'xmp:Rating="{rating}" crs:Exposure2012="+0.35"/></rdf:RDF></x:xmpmeta>'
)


def raw(folder: Path, fixture: str, name: str) -> Path:
    """A real camera RAW file copied in under ``name``."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(RAWS / fixture, folder / name))


def jpeg(folder: Path, name: str, color: tuple[int, int, int] = (150, 110, 80)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (60, 40), color).save(folder / name)
    return folder / name


def sidecars(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".xmp")


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    """A wedding folder: a RAW+JPEG pair, a RAW alone, a JPEG alone, a lower-case pair."""
    folder = tmp_path / "shoot" / "wedding"
    raw(folder, "CanonRaw.cr2", "IMG_1.CR2")
    jpeg(folder, "IMG_1.JPG")
    raw(folder, "Panasonic.rw2", "IMG_2.RW2")
    jpeg(folder, "IMG_3.jpg")
    raw(folder, "Nikon.nef", "dsc_4.nef")
    jpeg(folder, "DSC_4.jpeg")
    return tmp_path / "shoot"


def test_a_raw_beside_its_jpeg_is_one_photo_and_a_raw_alone_is_shown(shoot: Path) -> None:
    portfolio = open_portfolio(shoot)
    (gallery,) = portfolio.galleries
    shown = [(p.name, p.raw.name if p.raw else None, p.format_badge) for p in gallery.photos]
    assert shown == [
        ("DSC_4.jpeg", "dsc_4.nef", "RAW+JPEG"),  # names match whatever their case
        ("IMG_1.JPG", "IMG_1.CR2", "RAW+JPEG"),
        ("IMG_2.RW2", None, "RAW"),
        ("IMG_3.jpg", None, None),
    ]
    assert gallery.not_shown == 0 and portfolio.not_shown == ()
    # The pair keeps the JPEG's path: what was curated while RAW files were hidden stays.
    pair = portfolio.photo("wedding/IMG_1.JPG")
    assert pair is not None and pair.real_path == shoot / "wedding" / "IMG_1.JPG"
    assert pair.raw_real_path == shoot / "wedding" / "IMG_1.CR2"
    assert portfolio.photo("wedding/IMG_1.CR2") is pair  # the RAW's path finds the pair


def test_curation_made_on_the_jpeg_before_raw_was_shown_stays_with_the_pair(
    shoot: Path,
) -> None:
    CurationStore(shoot, author="tom").apply(
        [Change.rating("wedding/IMG_1.JPG", 4), Change.label("wedding/IMG_1.JPG", "red")]
    )
    pair = open_portfolio(shoot).photo("wedding/IMG_1.JPG")
    assert pair is not None and pair.format_badge == "RAW+JPEG"
    store = CurationStore(shoot)
    store.load()
    found = store.snapshot.photo(pair.rel)
    assert (found.rating, found.label) == (4, "red")


def test_a_folder_of_raw_files_alone_is_a_gallery(tmp_path: Path) -> None:
    folder = tmp_path / "shoot" / "raws"
    for fixture in ("DNG.dng", "FujiFilm.raf", "CanonRaw.cr3"):
        raw(folder, fixture, fixture)
    portfolio = open_portfolio(tmp_path / "shoot")
    assert [g.title for g in portfolio.galleries] == ["Raws"]
    assert [p.name for p in portfolio.galleries[0].photos] == [
        "CanonRaw.cr3",
        "DNG.dng",
        "FujiFilm.raf",
    ]
    assert portfolio.not_shown == () and portfolio.problems == ()


def test_pairing_turned_off_shows_the_raw_and_the_jpeg_as_two_photos(shoot: Path) -> None:
    (shoot / "config.toml").write_text("[portfolio]\ntitle = 'Wedding'\npair_raw_jpeg = false\n")
    portfolio = open_portfolio(shoot)
    names = [(p.name, p.format_badge) for p in portfolio.galleries[0].photos]
    assert names == [
        ("DSC_4.jpeg", None),
        ("dsc_4.nef", "RAW"),
        ("IMG_1.CR2", "RAW"),
        ("IMG_1.JPG", None),
        ("IMG_2.RW2", "RAW"),
        ("IMG_3.jpg", None),
    ]


def test_pair_raw_jpeg_must_be_true_or_false(shoot: Path) -> None:
    (shoot / "config.toml").write_text("[portfolio]\npair_raw_jpeg = 'no'\n")
    with pytest.raises(ConfigError) as caught:
        open_portfolio(shoot)
    assert [str(p) for p in caught.value.problems] == [
        f"{shoot / 'config.toml'}:2:1: 'pair_raw_jpeg' must be true or false "
        "without quotes, not a string"
    ]


def test_config_settings_under_the_raws_path_reach_the_pair(shoot: Path) -> None:
    (shoot / "config.toml").write_text(
        '[photos."wedding/IMG_1.CR2"]\ntitle = "First dance"\ntags = ["dance"]\n'
    )
    portfolio = open_portfolio(shoot)
    pair = portfolio.photo("wedding/IMG_1.JPG")
    assert pair is not None and (pair.title, pair.tags) == ("First dance", ("dance",))
    done = run_cli("check", "shoot", cwd=shoot.parent)
    assert "matches no photo" not in done.stdout


def test_config_settings_under_both_paths_of_a_pair_say_which_is_used(shoot: Path) -> None:
    (shoot / "config.toml").write_text(
        '[photos."wedding/IMG_1.JPG"]\ntitle = "Kept"\n\n'
        '[photos."wedding/IMG_1.CR2"]\ntitle = "Lost"\n'
    )
    portfolio = open_portfolio(shoot)
    pair = portfolio.photo("wedding/IMG_1.CR2")
    assert pair is not None and pair.title == "Kept"
    assert [str(p) for p in portfolio.problems] == [
        f"{shoot / 'config.toml'}:4:1: [photos] has entries for both 'wedding/IMG_1.CR2' and "
        "'wedding/IMG_1.JPG', which are one photo (RAW+JPEG); 'wedding/IMG_1.JPG' is used: "
        "merge them into it"
    ]


@pytest.mark.parametrize("notes_name", ["IMG_1.md", "IMG_1.CR2.md"])
def test_notes_beside_a_pair_belong_to_it(shoot: Path, notes_name: str) -> None:
    (shoot / "wedding" / notes_name).write_text("Golden hour by the lake.")
    portfolio = open_portfolio(shoot)
    pair = portfolio.photo("wedding/IMG_1.JPG")
    assert pair is not None and pair.notes == "Golden hour by the lake."
    assert portfolio.problems == ()  # not an orphan


# -- XMP: the pair's sidecar is the RAW's ------------------------------------------------


def test_export_writes_a_new_pair_sidecar_beside_the_raw_where_lightroom_reads_it(
    shoot: Path,
) -> None:
    CurationStore(shoot, author="tom").apply(
        [Change.rating("wedding/IMG_1.JPG", 4), Change.rating("wedding/IMG_3.jpg", 2)]
    )
    done = run_cli("xmp", "export", "shoot", cwd=shoot.parent)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "wedding/IMG_1.xmp: created: rating 4" in lines
    assert "wedding/IMG_3.jpg.xmp: created: rating 2" in lines  # a lone JPEG as before
    assert sidecars(shoot / "wedding") == ["IMG_1.xmp", "IMG_3.jpg.xmp"]
    # Read back as the pair's, by import and by check.
    again = run_cli("xmp", "import", "shoot", "--dry-run", cwd=shoot.parent)
    assert "would import 0 ratings" in again.stdout, again.stdout
    checked = run_cli("check", "shoot", cwd=shoot.parent)
    assert "IMG_1.xmp" not in checked.stdout


def test_export_with_ext_asked_for_writes_the_raws_own_sidecar(shoot: Path) -> None:
    CurationStore(shoot, author="tom").apply([Change.flag("wedding/IMG_1.JPG", "pick")])
    done = run_cli("xmp", "export", "shoot", "--sidecar-name", "ext", cwd=shoot.parent)
    assert "wedding/IMG_1.CR2.xmp: created: flag pick" in done.stdout.splitlines()
    assert sidecars(shoot / "wedding") == ["IMG_1.CR2.xmp"]


@pytest.mark.parametrize("existing", ["IMG_1.xmp", "IMG_1.CR2.xmp", "IMG_1.JPG.xmp"])
def test_export_updates_the_pairs_existing_sidecar_and_never_makes_a_second(
    shoot: Path, existing: str
) -> None:
    folder = shoot / "wedding"
    (folder / existing).write_text(LIGHTROOM.format(rating=3))
    imported = run_cli("xmp", "import", "shoot", cwd=shoot.parent)
    assert (
        f"wedding/IMG_1.JPG: imported rating 3 (from wedding/{existing})"
        in imported.stdout.splitlines()
    ), imported.stdout
    # A change made in the app after the import (the store the import wrote).
    with SqliteCurationStore(shoot, author="tom") as store:
        store.apply([Change.rating("wedding/IMG_1.JPG", 5)])
    for name in ("ext", "base"):
        done = run_cli("xmp", "export", "shoot", "--sidecar-name", name, cwd=shoot.parent)
        assert done.returncode == 0, done.stderr
    assert sidecars(folder) == [existing]
    text = (folder / existing).read_text()
    assert 'xmp:Rating="5"' in text and 'crs:Exposure2012="+0.35"' in text
    again = run_cli("xmp", "import", "shoot", "--dry-run", cwd=shoot.parent)
    assert "would import 0 ratings" in again.stdout


def test_import_and_check_read_the_raws_sidecar_before_the_jpegs(shoot: Path) -> None:
    folder = shoot / "wedding"
    (folder / "IMG_1.CR2.xmp").write_text(LIGHTROOM.format(rating="seven"))
    (folder / "IMG_1.JPG.xmp").write_text(LIGHTROOM.format(rating=2))
    (folder / "IMG_1.xmp").write_text(LIGHTROOM.format(rating=4))
    checked = run_cli("check", "shoot", cwd=shoot.parent)
    assert (
        "shoot/wedding/IMG_1.CR2.xmp: warning: xmp:Rating is 'seven', not a whole number "
        "from -1 (rejected) to 5; it is ignored"
    ) in checked.stdout.splitlines(), checked.stdout
    imported = run_cli("xmp", "import", "shoot", cwd=shoot.parent)
    lines = imported.stdout.splitlines()
    # The RAW's sidecars first (its own, then Lightroom's NAME.xmp), the JPEG's last.
    assert "wedding/IMG_1.JPG: imported rating 4 (from wedding/IMG_1.xmp)" in lines, lines


def test_export_says_when_a_pair_has_two_sidecars(shoot: Path) -> None:
    folder = shoot / "wedding"
    (folder / "IMG_1.CR2.xmp").write_text(LIGHTROOM.format(rating=2))
    (folder / "IMG_1.xmp").write_text(LIGHTROOM.format(rating=2))
    CurationStore(shoot, author="tom").apply([Change.rating("wedding/IMG_1.JPG", 5)])
    done = run_cli("xmp", "export", "shoot", "--sidecar-name", "base", cwd=shoot.parent)
    lines = done.stdout.splitlines()
    assert "wedding/IMG_1.xmp: updated: rating 5" in lines, lines
    assert (
        f"note: {folder / 'IMG_1.CR2.xmp'}: also exists and is read before IMG_1.xmp "
        "(by import, darktable and digiKam)"
    ) in lines
    assert sidecars(folder) == ["IMG_1.CR2.xmp", "IMG_1.xmp"]


def test_order_cover_and_comparisons_may_name_a_pair_by_its_raw(shoot: Path) -> None:
    (shoot / "config.toml").write_text(
        '[[galleries]]\nid = "w"\ntitle = "Wedding"\nfolder = "wedding"\n'
        'order = ["IMG_3.jpg", "IMG_1.CR2", "IMG_1.JPG"]\ncover = "IMG_1.CR2"\n\n'
        '[[comparisons]]\nid = "c"\ntitle = "Dance"\n'
        'photos = ["wedding/IMG_1.CR2", "wedding/IMG_3.jpg"]\n'
    )
    portfolio = open_portfolio(shoot)
    assert portfolio.problems == ()
    (gallery,) = portfolio.galleries
    assert [p.name for p in gallery.photos][:2] == ["IMG_3.jpg", "IMG_1.JPG"]
    assert gallery.cover is not None and gallery.cover.name == "IMG_1.JPG"
    (comparison,) = portfolio.comparisons
    first = comparison.sides[0].photo
    assert first is not None and first.format_badge == "RAW+JPEG"
    assert len(portfolio.every_photo()) == 4  # the pair once
