"""Content Credentials on screen: the loupe's badge and info panel, the comparison's
details, present mode's caption.

Real signed files from c2pa-rs (tests/fixtures/c2pa/, see SOURCES) are read as they
are; the trusted and hostile cases are Credentials built here and handed to the
provenance the screens read (``provenance.read_credentials``), since no real file
is signed by a signer on the shipped trust list.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from rich.segment import Segment
from textual.color import Color
from textual.widgets import Static
from ui_support import screen_lines, screen_text, settle, static_text

from portfolio_tui import provenance as provenance_module
from portfolio_tui.credentials import TRUSTED, UNKNOWN_SIGNER, Action, Credentials
from portfolio_tui.portfolio import Photo, open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens.compare import CompareScreen
from portfolio_tui.ui.screens.loupe import LoupeScreen
from portfolio_tui.ui.screens.present import PresentScreen
from portfolio_tui.ui.widgets.info_diff import InfoDiff
from portfolio_tui.ui.widgets.info_panel import InfoPanel

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "c2pa"
SIZE = (160, 48)

FIREFLY = Credentials(
    TRUSTED,
    signer="Adobe Inc.",
    generator="Adobe Firefly",
    signed_at="2026-05-02T10:11:12+00:00",
    actions=(Action("c2pa.created", "trainedAlgorithmicMedia", "Adobe Firefly"),),
    source_type="trainedAlgorithmicMedia",
)
"""Trusted credentials of an AI image (no real file in the fixtures is signed by a
signer on the shipped trust list)."""

HOSTILE = "[red]x[/red]\x1b[2J"


def shoot(tmp_path: Path, *names: str) -> Path:
    """A portfolio folder with gallery ``g`` holding copies of these fixtures.

    A name that is not a fixture becomes a plain JPEG (no credentials).
    """
    root = tmp_path / "p"
    (root / "g").mkdir(parents=True)
    for name in names:
        if (FIXTURES / name).is_file():
            shutil.copy(FIXTURES / name, root / "g" / name)
        else:
            Image.new("RGB", (320, 400), (120, 90, 60)).save(root / "g" / name)
    return root


def with_credentials(monkeypatch: pytest.MonkeyPatch, by_name: dict[str, Credentials]) -> None:
    """Make the provenance the screens read give these credentials to these files."""
    real = provenance_module.read_credentials

    def fake(path: Path) -> Credentials:
        return by_name[path.name] if path.name in by_name else real(path)

    monkeypatch.setattr(provenance_module, "read_credentials", fake)


async def loupe_with_info(pilot: object, app: PortfolioApp) -> LoupeScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("i")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    loupe = app.screen
    assert isinstance(loupe, LoupeScreen)
    return loupe


def heading(loupe: LoupeScreen) -> str:
    return static_text(loupe.query_one("#heading", Static))


def panel(loupe: LoupeScreen) -> str:
    return static_text(loupe.query_one(InfoPanel))


def colour_of(app: PortfolioApp, text: str) -> Color | None:
    """The foreground colour the screen draws ``text`` in (the first segment holding it)."""
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            assert isinstance(segment, Segment)
            if text in segment.text and segment.style and segment.style.color:
                return Color.from_rich_color(segment.style.color)
    return None


def row(table: list[str], title: str) -> str:
    """The details table's row for ``title`` (its marker, then the title, then the values)."""
    found = [line for line in table if line[2:].startswith(title)]
    assert found, f"no {title!r} row in:\n" + "\n".join(table)
    return found[0]


def drawn_in(app: PortfolioApp, text: str, name: str) -> bool:
    """Whether ``text`` is drawn in the theme's ``name`` colour (success, warning, error)."""
    value = getattr(app.current_theme, name)
    assert value, name
    want, got = Color.parse(value), colour_of(app, text)
    assert got is not None, f"{text!r} is not on screen in a colour"
    return max(abs(want.r - got.r), abs(want.g - got.g), abs(want.b - got.b)) <= 3


async def test_a_tampered_file_shows_invalid_credentials_and_what_failed(tmp_path: Path) -> None:
    root = shoot(tmp_path, "XCA.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/XCA.jpg")
    async with app.run_test(size=SIZE) as pilot:
        loupe = await loupe_with_info(pilot, app)
        assert "◆ Credentials invalid" in heading(loupe)
        assert "Credentials invalid" in screen_text(app)
        assert drawn_in(app, "Credentials invalid", "error")
        text = panel(loupe)
        assert "Content Credentials" in text
        assert "invalid" in text.split("Content Credentials", 1)[1]
        assert "assertion.dataHash.mismatch" in text  # the failure code the reader gave
        problem = next(line for line in text.splitlines() if line.startswith("Problem"))
        assert len(problem.split(None, 1)[1]) > 5  # says what is wrong in words
        assert "c2pa.signature" not in text  # codes, not the manifest's internal URLs


async def test_a_real_photoshop_export_shows_its_generator_and_an_unknown_signer(
    tmp_path: Path,
) -> None:
    root = shoot(tmp_path, "ocsp.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/ocsp.jpg")
    async with app.run_test(size=SIZE) as pilot:
        loupe = await loupe_with_info(pilot, app)
        top = heading(loupe)
        assert "signed by Adobe Photoshop" in top and "(unknown signer)" in top
        assert "✓" not in top
        assert drawn_in(app, "signed by Adobe Photoshop", "warning")
        text = panel(loupe)
        facts = dict(
            line.split(None, 1)
            for line in text.split("Content Credentials", 1)[1].splitlines()
            if len(line.split(None, 1)) == 2
        )
        assert "unknown signer" in facts["State"]
        assert facts["Signer"] == "Adobe Inc."
        assert facts["Generator"].startswith("Adobe Photoshop")
        assert "Composite with AI" in text  # the generative fill, as words


async def test_trusted_credentials_show_a_tick_in_the_success_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_credentials(monkeypatch, {"firefly.jpg": FIREFLY})
    root = shoot(tmp_path, "firefly.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/firefly.jpg")
    async with app.run_test(size=SIZE) as pilot:
        loupe = await loupe_with_info(pilot, app)
        assert "◆ AI-generated · signed by Adobe Firefly ✓" in heading(loupe)
        assert drawn_in(app, "signed by Adobe Firefly ✓", "success")
        text = panel(loupe)
        assert "verified" in text
        assert "created (AI-generated)" in text  # c2pa.created, with its source type's label
        assert "c2pa.created" not in text
        assert "2026-05-02T10:11:12+00:00" in text


async def test_a_photo_without_credentials_says_so_in_one_line(tmp_path: Path) -> None:
    root = shoot(tmp_path, "plain.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/plain.jpg")
    async with app.run_test(size=SIZE) as pilot:
        loupe = await loupe_with_info(pilot, app)
        text = panel(loupe)
        assert "No Content Credentials" in text
        assert "State" not in text and "Signer" not in text
        assert "signed by" not in heading(loupe)


async def test_manifest_strings_are_shown_as_plain_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = Credentials(
        UNKNOWN_SIGNER,
        signer=HOSTILE,
        actions=(Action(f"c2pa.{HOSTILE}", f"{HOSTILE}", HOSTILE),),
        ingredient_source_types=(HOSTILE,),
        source_type="digitalCapture",
        signed_at=HOSTILE,
    )
    with_credentials(monkeypatch, {"a.jpg": hostile})
    root = shoot(tmp_path, "a.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="photo:g/a.jpg")
    async with app.run_test(size=SIZE) as pilot:
        loupe = await loupe_with_info(pilot, app)
        shown = "[red]x[/red]␛[2J"
        assert f"signed by {shown}" in heading(loupe)
        assert f"Camera original · signed by {shown}" in screen_text(app)
        text = panel(loupe)
        assert any(line.startswith("Signer") and shown in line for line in text.splitlines())
        assert text.count(shown) >= 4  # signer, signed at, action, ingredient
        assert all("\x1b" not in line for line in screen_lines(app))


async def test_the_comparison_marks_where_credentials_differ(tmp_path: Path) -> None:
    root = shoot(tmp_path, "XCA.jpg", "ocsp.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gallery = app.portfolio.gallery("g")
        assert gallery is not None
        photos: list[Photo] = list(gallery.photos)
        app.compare_photos(photos[:2], photos)
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        table = str(screen.query_one(InfoDiff).visual).splitlines()
        state = row(table, "Credentials")
        assert state.startswith("≠") and "invalid" in state and "unknown signer" in state
        generator = row(table, "Generator")
        assert generator.startswith("≠") and "Adobe Photoshop" in generator
        captions = [static_text(c) for c in screen.query(".pane-caption").results(Static)]
        assert any("Credentials invalid" in c for c in captions)
        assert any("signed by Adobe Photoshop" in c for c in captions)


async def test_the_same_credentials_are_not_marked_as_differing(tmp_path: Path) -> None:
    root = shoot(tmp_path, "ocsp.jpg")
    shutil.copy(root / "g" / "ocsp.jpg", root / "g" / "ocsp2.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gallery = app.portfolio.gallery("g")
        assert gallery is not None
        photos = list(gallery.photos)
        app.compare_photos(photos[:2], photos)
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        table = str(screen.query_one(InfoDiff).visual).splitlines()
        for title in ("Credentials", "Signer", "Generator", "Source type"):
            line = row(table, title)
            assert not line.startswith("≠"), line


async def test_present_captions_show_the_verified_badge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_credentials(monkeypatch, {"a.jpg": FIREFLY})
    root = shoot(tmp_path, "a.jpg", "b.jpg")
    app = PortfolioApp(open_portfolio(root), present=True, open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right", "i")  # the title card, then a.jpg with its caption
        await settle(pilot)
        assert isinstance(app.screen, PresentScreen)
        caption = static_text(app.screen.query_one("#present-caption", Static))
        assert "AI-generated · signed by Adobe Firefly ✓" in caption
        assert drawn_in(app, "signed by Adobe Firefly ✓", "success")
        await pilot.press("right")  # b.jpg has no credentials: no badge for the client
        await settle(pilot)
        caption = static_text(app.screen.query_one("#present-caption", Static))
        assert "b" in caption and "signed by" not in caption and "◆" not in caption


async def test_a_slow_read_does_not_put_its_badge_on_the_next_slide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """a.jpg's credentials arrive while b.jpg is on screen: b's caption stays b's own."""
    started, release = threading.Event(), threading.Event()
    real = provenance_module.read_credentials

    def slow_for_a(path: Path) -> Credentials:
        if path.name != "a.jpg":
            return real(path)
        started.set()
        assert release.wait(10)
        return FIREFLY

    monkeypatch.setattr(provenance_module, "read_credentials", slow_for_a)
    root = shoot(tmp_path, "a.jpg", "b.jpg")
    app = PortfolioApp(open_portfolio(root), present=True, open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right", "i")  # a.jpg, its caption, its credentials being read
        deadline = time.monotonic() + 10
        while not started.is_set():
            assert time.monotonic() < deadline, "a.jpg's credentials were never read"
            await pilot.pause()
        await pilot.press("right")  # on to b.jpg before a's read is done
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, PresentScreen)
        caption = static_text(app.screen.query_one("#present-caption", Static))
        assert caption.startswith("b") and "signed by" not in caption
        await pilot.press("left")  # back on a.jpg, its badge is there (read once)
        await settle(pilot)
        caption = static_text(app.screen.query_one("#present-caption", Static))
        assert "signed by Adobe Firefly ✓" in caption
