"""``portfolio-tui export contact-sheet``: pages, tiles, broken photos, safe output."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from conftest import ImageMaker, write
from portfolio_tui.cli.export import run_export
from portfolio_tui.contact_sheet import (
    Section,
    SheetText,
    Tile,
    lay_out,
    layout,
    page_size,
    paginate,
)
from portfolio_tui.curation import Change, CurationStore


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_export(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def state(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).digest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def pdf_pages(path: Path) -> list[tuple[float, float]]:
    """Each page's MediaBox size in points, from the PDF Pillow wrote."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    count = len(re.findall(rb"/Type /Page\b(?!s)", data))
    boxes = re.findall(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", data)
    assert len(boxes) == count
    return [(float(w), float(h)) for w, h in boxes]


@pytest.fixture
def shoot(tmp_path: Path, make_image: ImageMaker) -> Path:
    """Two galleries: five photos in studio, two in outdoor."""
    root = tmp_path / "shoot"
    for n in range(5):
        make_image(root / "studio" / f"s{n}.jpg", size=(80, 100))
    make_image(root / "outdoor" / "o1.jpg", size=(100, 80))
    make_image(root / "outdoor" / "o2.png", fmt="PNG")
    return root


def text() -> SheetText:
    return SheetText("Title", "Photographer", ("Credit line",))


@pytest.mark.parametrize(("paper", "size"), [("a4", (1240, 1754)), ("letter", (1275, 1650))])
def test_page_size_at_150_dpi(paper: str, size: tuple[int, int]) -> None:
    assert page_size(paper) == size
    pages = lay_out([Section("G", [Tile("a", Image.new("RGB", (10, 10)))])], text(), paper=paper)
    assert [p.size for p in pages] == [size]


@pytest.mark.parametrize("columns", [1, 3, 4, 6])
def test_tiles_per_page_are_columns_times_rows(columns: int) -> None:
    lay = layout("a4", columns, text())
    assert lay.rows >= 1
    tiles = [Tile(f"t{n}", None) for n in range(lay.per_page * 2 + 1)]
    pages = paginate([Section("A", tiles), Section("B", tiles[:1])], lay.per_page)
    assert [len(p.tiles) for p in pages] == [lay.per_page, lay.per_page, 1, 1]
    assert [p.continued for p in pages] == [False, True, True, False]
    assert sum(len(p.tiles) for p in pages) == len(tiles) + 1


@pytest.mark.parametrize(("paper", "points"), [("a4", (595.2, 841.92)), ("letter", (612, 792))])
def test_pdf_pages_and_size(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], paper: str, points: tuple
) -> None:
    before = state(shoot)
    out = tmp_path / "out" / "sheet.pdf"
    out.parent.mkdir()
    code, stdout, _ = run(
        capsys, "contact-sheet", str(shoot), "-o", str(out), "--paper", paper, "--columns", "2"
    )
    assert code == 0, stdout
    lay = layout(paper, 2, SheetText("shoot"))
    per_gallery = [2, 5]  # outdoor, studio (sorted by name)
    expected = sum(-(-n // lay.per_page) for n in per_gallery)
    sizes = pdf_pages(out)
    assert len(sizes) == expected
    for w, h in sizes:
        assert (w, h) == pytest.approx(points, abs=0.6)
    assert "7 photos" in stdout
    assert state(shoot) == before  # nothing written into the portfolio
    assert [p.name for p in out.parent.iterdir()] == ["sheet.pdf"]  # no temp file left


def test_png_pages_are_numbered(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheet.png"
    code, _, _ = run(capsys, "contact-sheet", str(shoot), "-o", str(out), "--columns", "1")
    assert code == 0
    lay = layout("a4", 1, SheetText("shoot"))
    count = -(-2 // lay.per_page) + -(-5 // lay.per_page)
    names = sorted(p.name for p in tmp_path.glob("sheet*.png"))
    assert names == sorted(["sheet.png"] + [f"sheet-{n}.png" for n in range(2, count + 1)])
    with Image.open(out) as page:
        assert page.size == page_size("a4")


def test_broken_photo_gets_a_placeholder_and_is_reported(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = shoot / "studio" / "s2.jpg"
    broken.write_bytes(broken.read_bytes()[:200])
    out = tmp_path / "sheet.pdf"
    code, stdout, _ = run(capsys, "contact-sheet", str(shoot), "-o", str(out))
    assert code == 1
    assert out.is_file() and len(pdf_pages(out)) == 2
    assert "unreadable photos" in stdout
    assert f"{broken}: " in stdout


def test_placeholder_tile_is_grey() -> None:
    lay = layout("a4", 4, text())
    (page,) = lay_out([Section("G", [Tile("broken", None)])], text(), columns=4)
    # The tile's top-left corner, below the header.
    x, y = 60 + 2, 60 + lay.header + 2
    assert page.getpixel((x, y)) == (190, 190, 190)


def test_stars_and_flags_come_from_the_curation_store(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = CurationStore(shoot)
    store.load()
    store.apply([Change("studio/s0.jpg", "rating", 5), Change("studio/s1.jpg", "flag", "reject")])
    before = state(shoot)
    out = tmp_path / "sheet.png"
    code, _, _ = run(capsys, "contact-sheet", str(shoot), "--gallery", "studio", "-o", str(out))
    assert code == 0
    assert state(shoot) == before
    with Image.open(out) as page:
        colours = {c for _, c in page.convert("RGB").getcolors(1 << 20) or []}
    assert (230, 160, 0) in colours  # a filled star
    assert any(r > 150 and g < 80 and b < 80 for r, g, b in colours)  # REJECT in red


def test_unknown_gallery_lists_known_ids(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheet.pdf"
    code, _, err = run(capsys, "contact-sheet", str(shoot), "--gallery", "nope", "-o", str(out))
    assert code == 2
    assert "nope" in err and "outdoor" in err and "studio" in err
    assert not out.exists()


def test_refuses_to_write_over_a_photo(
    shoot: Path, make_image: ImageMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = make_image(shoot / "studio" / "cover.png", fmt="PNG")
    before = state(shoot)
    code, _, err = run(capsys, "contact-sheet", str(shoot), "-o", str(photo))
    assert code == 2
    assert "refusing" in err
    assert state(shoot) == before


def test_refuses_a_png_page_that_would_land_on_a_photo(
    shoot: Path, make_image: ImageMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    make_image(shoot / "studio" / "sheet-2.png", fmt="PNG")
    before = state(shoot)
    code, _, err = run(
        capsys, "contact-sheet", str(shoot), "-o", str(shoot / "studio" / "sheet.png")
    )
    assert code == 2 and "refusing" in err
    assert state(shoot) == before


def test_names_with_escape_sequences_are_cleaned(
    tmp_path: Path, make_image: ImageMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "shoot"
    bad = root / "studio" / "x\x1b[31m[bold]red.jpg"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    make_image(root / "studio" / "ok.jpg")
    out = tmp_path / "sheet.pdf"
    code, stdout, _ = run(capsys, "contact-sheet", str(root), "-o", str(out))
    assert code == 1 and out.is_file()
    assert "\x1b" not in stdout
    assert "x\u241b[31m[bold]red.jpg" in stdout


def test_unknown_kind_and_bad_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "slideshow")
    assert code == 2 and "unknown export 'slideshow'" in err and "contact-sheet" in err
    code, _, err = run(capsys, "contact-sheet", str(tmp_path), "-o", str(tmp_path / "x.jpg"))
    assert code == 2 and ".pdf or .png" in err


def test_main_dispatches_export(tmp_path: Path, make_image: ImageMaker) -> None:
    from portfolio_tui.cli import EPILOG, main

    make_image(tmp_path / "shoot" / "g" / "a.jpg")
    out = tmp_path / "sheet.pdf"
    assert main(["export", "contact-sheet", str(tmp_path / "shoot"), "-o", str(out)]) == 0
    assert out.is_file()
    assert "export contact-sheet" in EPILOG


def test_config_credits_reach_the_footer(tmp_path: Path, make_image: ImageMaker) -> None:
    root = tmp_path / "shoot"
    make_image(root / "g" / "a.jpg")
    write(
        root / "config.toml",
        '[portfolio]\ntitle = "T"\nphotographer = "P"\ncredits = ["one", "two"]\n',
    )
    from portfolio_tui.portfolio import open_portfolio

    portfolio = open_portfolio(root / "config.toml")
    lay = layout("a4", 4, SheetText(portfolio.title, None, portfolio.config.credits))
    assert lay.credit_lines == ("one", "two")


# -- --picks CLIENT --------------------------------------------------------------


def tiles_drawn(page: Image.Image, columns: int) -> int:
    """How many tile slots on the first page hold a picture (sampled at their centres)."""
    lay = layout("a4", columns, SheetText("shoot"))
    rgb = page.convert("RGB")
    found = 0
    for index in range(lay.per_page):
        row, column = divmod(index, lay.columns)
        x = 60 + column * (lay.tile[0] + 18) + lay.thumb[0] // 2 + 3
        y = 60 + lay.header + row * (lay.tile[1] + 18) + lay.thumb[1] // 2 + 3
        pixel = rgb.getpixel((x, y))
        assert isinstance(pixel, tuple)
        found += sum(pixel) < 700
    return found


def test_picks_sheet_holds_only_the_clients_picks(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portfolio_tui import contact_sheet
    from portfolio_tui.picks import PicksStore

    PicksStore(shoot).apply("Anna Smith", add=["studio/s3.jpg", "outdoor/o1.jpg", "studio/s0.jpg"])
    PicksStore(shoot).apply("Ben", add=["studio/s1.jpg"])
    seen: list[tuple[str, int]] = []
    real = contact_sheet.lay_out

    def spy(sections: list[Section], *args: Any, **kwargs: Any) -> list[Image.Image]:
        seen.extend((s.title, len(s.tiles)) for s in sections)
        return real(sections, *args, **kwargs)

    monkeypatch.setattr(contact_sheet, "lay_out", spy)
    before = state(shoot)
    out = tmp_path / "anna.png"
    code, stdout, _ = run(
        capsys, "contact-sheet", str(shoot), "--picks", "Anna Smith", "-o", str(out)
    )
    assert code == 0
    assert seen == [("Favourites of Anna Smith", 3)]
    assert "3 photos on 1 page" in stdout
    with Image.open(out) as page:
        assert tiles_drawn(page, 4) == 3
    assert not (tmp_path / "anna-2.png").exists()
    assert state(shoot) == before


def test_picks_sheet_unknown_client_and_gallery_clash(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from portfolio_tui.picks import PicksStore

    PicksStore(shoot).apply("Anna", add=["studio/s0.jpg"])
    out = tmp_path / "x.pdf"
    code, _, err = run(capsys, "contact-sheet", str(shoot), "--picks", "Carla", "-o", str(out))
    assert code == 2 and "no picks for 'Carla'" in err and "'Anna'" in err
    assert not out.exists()
    with pytest.raises(SystemExit) as exited:
        run(
            capsys,
            "contact-sheet",
            str(shoot),
            "--picks",
            "Anna",
            "--gallery",
            "studio",
            "-o",
            str(out),
        )
    assert exited.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
