"""The blind test in present mode (issue 18): a comparison shown with nothing that names its
sides, shuffled; the client answers, everything is revealed, and the answer is saved."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from ui_support import screen_text, settle

from conftest import ImageMaker, write
from portfolio_tui.cli.picks import run_picks
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.store.sqlite_blind import SqliteBlindStore
from portfolio_tui.store.sqlite_curation import SqliteCurationStore
from portfolio_tui.store.sqlite_picks import SqlitePicksStore
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.screens import present_blind
from portfolio_tui.ui.screens.present import PresentScreen
from portfolio_tui.ui.screens.present_blind import BlindScreen
from portfolio_tui.ui.widgets.photo_view import PhotoView

SIZE = (160, 48)

CONFIG = """
[portfolio]
title = "Ada Studio"
photographer = "Ada Lovelace"

[[galleries]]
id = "g"
title = "Studio"

[photos."g/anna-real.jpg"]
title = "Anna by daylight"
source = "camera"
notes = "Shot on the Leica"

[photos."g/anna-synthetic.jpg"]
title = "Anna generated"
source = "ai"

[[comparisons]]
id = "real-vs-ai"
title = "Photographer or machine"
notes = "The left one is mine."
photos = [
  { photo = "g/anna-real.jpg", label = "Photographer" },
  { photo = "g/anna-synthetic.jpg", label = "Generated" },
]
"""

HIDDEN = (
    "Photographer",
    "Generated",
    "anna-real",
    "anna-synthetic",
    "Anna by daylight",
    "Anna generated",
    "Camera original",
    "AI-generated",
    "machine",
    "Leica",
    "mine",
)
"""Everything that names a side, or its source, or the comparison."""


@pytest.fixture
def config(tmp_path: Path, make_image: ImageMaker) -> Path:
    make_image(tmp_path / "g" / "anna-real.jpg", color=(200, 120, 80))
    make_image(tmp_path / "g" / "anna-synthetic.jpg", color=(80, 120, 200))
    return write(tmp_path / "config.toml", CONFIG)


def app_for(config: Path, **kwargs: object) -> PortfolioApp:
    kwargs.setdefault("curation", SqliteCurationStore(config.parent, author="me@test"))
    return PortfolioApp(open_portfolio(config), watch_curation=False, **kwargs)  # type: ignore[arg-type]


async def shown(pilot) -> str:  # type: ignore[no-untyped-def]
    await settle(pilot)
    return screen_text(pilot.app)


def blind_screen(app: PortfolioApp) -> BlindScreen:
    assert isinstance(app.screen, BlindScreen), app.screen
    return app.screen


def side_of(screen: BlindScreen, name: str) -> int:
    """Where (1-based) the photo named ``name`` was shown."""
    return [p.name for p in screen.photos].index(name) + 1


async def test_blind_hides_every_label_then_reveals_and_saves(config: Path) -> None:
    root = config.parent
    app = app_for(
        config, present=True, blind=True, open_target="comparison:real-vs-ai", client="Anna"
    )
    async with app.run_test(size=SIZE) as pilot:
        text = await shown(pilot)
        screen = blind_screen(app)
        views = list(screen.query(PhotoView).results(PhotoView))
        assert sorted(v.photo.name for v in views if v.photo) == [
            "anna-real.jpg",
            "anna-synthetic.jpg",
        ]
        for word in HIDDEN:
            assert word not in text, word
        assert "Which photograph do you prefer?" in text and "real photograph" in text
        real = side_of(screen, "anna-real.jpg")
        fake = 3 - real
        # She prefers the generated one (its number) and marks the real one (arrows + h).
        await pilot.press(str(fake))
        text = await shown(pilot)
        assert "♥ preferred" in text and not screen.revealed
        for word in HIDDEN:
            assert word not in text, word
        await pilot.press("left" if real < fake else "right", "h")
        text = await shown(pilot)
        assert screen.revealed
        for word in ("Photographer", "Generated", "Anna by daylight", "g/anna-real.jpg"):
            assert word in text, word
        assert "Camera original" in text and "AI-generated" in text
        assert f"✓ Told real from AI: {real} is the real photograph." in text
        assert "Saved with the picks of Anna." in text
        app.picker.close(timeout=5)
        await pilot.press("enter")  # back to the presentation, at the side-by-side stage
        await settle(pilot)
        assert isinstance(app.screen, PresentScreen)
        assert "Photographer" in screen_text(app)
    [answer] = SqliteBlindStore(root).load_all()
    assert answer.client == "Anna" and answer.comparison == "real-vs-ai"
    assert answer.shown == tuple(p.rel for p in screen.photos)
    assert answer.preferred == "g/anna-synthetic.jpg"
    assert answer.real == "g/anna-real.jpg" and answer.correct is True
    assert answer.by == "me@test"


async def test_b_in_present_mode_shuffles_and_a_wrong_guess_is_recorded(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = config.parent
    orders = []
    for seed in range(6):  # the order is random per showing: some seeds swap the sides
        rng = random.Random(seed)
        sides = ["a", "b"]
        rng.shuffle(sides)
        orders.append(sides)
    assert ["a", "b"] in orders and ["b", "a"] in orders
    seed = orders.index(["b", "a"])  # the generated photo on the left
    original = present_blind.BlindScreen.__init__

    def seeded(self, comparison, *, rng=None):  # type: ignore[no-untyped-def]
        original(self, comparison, rng=random.Random(seed))

    monkeypatch.setattr(present_blind.BlindScreen, "__init__", seeded)
    app = app_for(config, present=True, open_target="comparison:real-vs-ai", client="Ben")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "right", "b")  # from B alone: the blind test
        await settle(pilot)
        screen = blind_screen(app)
        assert [p.name for p in screen.photos] == ["anna-synthetic.jpg", "anna-real.jpg"]
        await pilot.press("h")  # the highlighted (left, generated) one is "real"
        assert not screen.revealed
        await pilot.press("right", "enter")  # prefers the real one
        text = await shown(pilot)
        assert "✗ Not this time: the real photograph is 2." in text
        app.picker.close(timeout=5)
    [answer] = SqliteBlindStore(root).load_all()
    assert answer.shown == ("g/anna-synthetic.jpg", "g/anna-real.jpg")
    assert (answer.preferred, answer.real, answer.correct) == (
        "g/anna-real.jpg",
        "g/anna-synthetic.jpg",
        False,
    )
    # The tally counts her answer.
    assert run_picks(["tally", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Photographer or machine (real-vs-ai): 1 client" in out
    assert "told real from AI: 0 of 1" in out


async def test_leaving_before_the_reveal_saves_nothing(config: Path) -> None:
    root = config.parent
    app = app_for(config, present=True, open_target="comparison:real-vs-ai", client="Cleo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")  # on the comparison's title card
        await settle(pilot)
        blind_screen(app)
        await pilot.press("1", "escape")
        await settle(pilot)
        assert isinstance(app.screen, PresentScreen)
        app.picker.close(timeout=5)
    assert SqliteBlindStore(root).load_all() == []
    assert sorted(p.name for p in root.iterdir()) == ["config.toml", "g"]


async def test_b_away_from_a_comparison_says_so(config: Path) -> None:
    app = app_for(config, present=True, open_target="gallery:g")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "b")
        assert isinstance(app.screen, PresentScreen)
        assert "A blind test is of a comparison" in await shown(pilot)


async def test_without_a_client_or_read_only_nothing_is_saved(config: Path) -> None:
    root = config.parent
    app = app_for(config, present=True, blind=True, open_target="comparison:real-vs-ai")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1", "h")
        assert "Not saved: start with --client NAME" in await shown(pilot)
    app = app_for(
        config,
        present=True,
        blind=True,
        open_target="comparison:real-vs-ai",
        client="Anna",
        picks=SqlitePicksStore(root, read_only=True),
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")  # revealed with no answer
        text = await shown(pilot)
        assert "Photographer" in text and "Nothing was answered" in text
    app = app_for(
        config,
        present=True,
        blind=True,
        open_target="comparison:real-vs-ai",
        client="Anna",
        picks=SqlitePicksStore(root, read_only=True),
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2", "h")
        assert "Not saved (view only: opened read-only)" in await shown(pilot)
    assert sorted(p.name for p in root.iterdir()) == ["config.toml", "g"]
