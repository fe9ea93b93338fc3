"""presentation.py: what a client sees, in what order, and when a slideshow moves on."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ImageMaker, write
from portfolio_tui.config import read_config
from portfolio_tui.curation import Change, Snapshot, with_changes
from portfolio_tui.portfolio import Portfolio, open_portfolio
from portfolio_tui.presentation import (
    EndCard,
    PhotoSlide,
    RevealSlide,
    Slideshow,
    TitleCard,
    comparison_deck,
    first_lines,
    gallery_deck,
    index_of,
    portfolio_deck,
    presentable,
    reveal,
    slide_photos,
)

CONFIG = """
[portfolio]
title = "Headshots 2026"
photographer = "Ada Studio"
credits = ["Make-up: J. Smith"]

[present]
closing = "Merci"

[[galleries]]
id = "studio"

[[galleries]]
id = "empty-ish"
folder = "other"

[[comparisons]]
id = "real-vs-ai"
title = "Real or AI"
photos = [
  { photo = "studio/a.jpg", label = "Photographer" },
  { photo = "studio/b.jpg", label = "AI generated" },
]
"""


@pytest.fixture
def portfolio(tmp_path: Path, make_image: ImageMaker) -> Portfolio:
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        make_image(tmp_path / "studio" / name)
    make_image(tmp_path / "other" / "x.jpg")
    return open_portfolio(write(tmp_path / "config.toml", CONFIG))


def snapshot_with(*changes: Change) -> Snapshot:
    return with_changes(Snapshot(), list(changes), "me")


def names(slides: object) -> list[str]:
    out = []
    for slide in slides:  # type: ignore[attr-defined]
        if isinstance(slide, PhotoSlide):
            out.append(slide.photo.name)
        elif isinstance(slide, RevealSlide):
            out.append("+".join(p.name for p in slide.photos))
        else:
            out.append(type(slide).__name__)
    return out


def test_a_gallery_deck_is_title_card_photos_end_card(portfolio: Portfolio) -> None:
    studio = portfolio.gallery("studio")
    assert studio is not None
    deck = gallery_deck(portfolio, studio, studio.photos)
    assert names(deck) == ["TitleCard", "a.jpg", "b.jpg", "c.jpg", "EndCard"]
    opening, ending = deck[0], deck[-1]
    assert isinstance(opening, TitleCard) and isinstance(ending, EndCard)
    assert (opening.title, opening.photographer, opening.detail) == (
        "Headshots 2026",
        "Ada Studio",
        "3 photographs",
    )
    assert opening.subtitle == studio.title
    assert (ending.closing, ending.credits) == ("Merci", ("Make-up: J. Smith",))


def test_presentable_keeps_the_curated_order_and_leaves_rejects_out(portfolio: Portfolio) -> None:
    studio = portfolio.gallery("studio")
    assert studio is not None
    snapshot = snapshot_with(
        Change.order("studio", ["c.jpg", "a.jpg", "b.jpg"]),
        Change.flag("studio/a.jpg", "reject"),
    )
    assert [p.name for p in presentable(studio, snapshot)] == ["c.jpg", "b.jpg"]


def test_a_comparison_is_revealed_a_then_b_then_side_by_side(portfolio: Portfolio) -> None:
    comparison = portfolio.comparison("real-vs-ai")
    assert comparison is not None
    deck = comparison_deck(portfolio, comparison)
    assert names(deck) == ["TitleCard", "a.jpg", "b.jpg", "a.jpg+b.jpg", "EndCard"]
    together = deck[3]
    assert isinstance(together, RevealSlide) and together.together
    assert [comparison.sides[i].label for i in together.shown] == ["Photographer", "AI generated"]


def test_a_missing_side_is_left_out_of_the_reveal(tmp_path: Path, make_image: ImageMaker) -> None:
    make_image(tmp_path / "studio" / "a.jpg")
    text = CONFIG.replace('[[galleries]]\nid = "empty-ish"\nfolder = "other"\n', "")
    portfolio = open_portfolio(write(tmp_path / "config.toml", text))
    comparison = portfolio.comparison("real-vs-ai")
    assert comparison is not None
    # b.jpg is missing: A alone, and no side-by-side of one photo.
    assert names(reveal(comparison)) == ["a.jpg"]


def test_the_portfolio_deck_puts_each_gallery_behind_its_card_then_comparisons(
    portfolio: Portfolio,
) -> None:
    snapshot = snapshot_with(Change.flag("other/x.jpg", "reject"))
    deck = portfolio_deck(portfolio, snapshot)
    # The only photo of "other" is a reject: that gallery is skipped, card and all.
    assert names(deck) == [
        "TitleCard",
        "TitleCard",
        "a.jpg",
        "b.jpg",
        "c.jpg",
        "TitleCard",
        "a.jpg",
        "b.jpg",
        "a.jpg+b.jpg",
        "EndCard",
    ]
    opening = deck[0]
    assert isinstance(opening, TitleCard) and opening.detail == "3 photographs"
    shown = dict.fromkeys(p.name for slide in deck for p in slide_photos(slide))
    assert list(shown) == ["a.jpg", "b.jpg", "c.jpg"]


def test_index_of_finds_a_photo_and_falls_back_to_the_title_card(portfolio: Portfolio) -> None:
    studio = portfolio.gallery("studio")
    assert studio is not None
    deck = gallery_deck(portfolio, studio, studio.photos[1:])
    assert index_of(deck, studio.photos[2]) == 2
    assert index_of(deck, studio.photos[0]) == 0  # not in the deck
    assert index_of(deck, None) == 0


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("", ""),
        ("## Lighting\n\n**Soft** key light, `f/8`.\n\nSecond paragraph.", "Soft key light, f/8."),
        ("> A quote\n> goes on\n\nmore", "A quote goes on"),
        ("- one\n- two", "one two"),
        ("word " * 100, ("word " * 100)[:220].rsplit(" ", 1)[0] + " …"),
    ],
)
def test_first_lines_are_the_first_paragraph_as_plain_text(notes: str, expected: str) -> None:
    assert first_lines(notes) == expected


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_slideshow_counts_from_each_slide_change_and_only_while_running() -> None:
    clock = FakeClock()
    show = Slideshow(5, clock)
    clock.now += 60
    assert not show.due() and show.progress() == 0  # paused: never due
    show.start()
    clock.now += 2.5
    assert show.progress() == pytest.approx(0.5) and not show.due()
    show.restart()  # the presenter turned to another photo: it gets the full time
    clock.now += 4.9
    assert not show.due()
    clock.now += 0.1
    assert show.due() and show.progress() == 1
    show.pause()
    assert not show.due()


def test_interval_steps_up_and_down_and_stops_at_the_ends() -> None:
    show = Slideshow(6)
    assert show.step(1) == 8
    assert show.step(-1) == 6 and show.step(-1) == 5
    show.interval = 7  # a configured value between steps
    assert show.step(1) == 8
    show.interval = 60
    assert show.step(1) == 60
    show.interval = 1
    assert show.step(-1) == 1


def test_present_settings_are_read_and_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        '[portfolio]\n[present]\ninterval = 2.5\ncaptions = true\nclosing = "Bye"\n',
    )
    config, problems = read_config(path)
    assert problems == []
    assert (config.present.interval, config.present.captions, config.present.closing) == (
        2.5,
        True,
        "Bye",
    )
    bad = write(
        tmp_path / "bad.toml",
        '[portfolio]\n[present]\ninterval = "6"\ncaptions = "yes"\nspeed = 1\n',
    )
    found = [(p.line, p.message) for p in read_config(bad)[1]]
    assert (
        3,
        "'interval' must be a number of seconds without quotes, like interval = 6, not a string",
    ) in found
    assert any(line == 4 and "true or false" in m for line, m in found)
    assert any(line == 5 and "unknown key 'speed'" in m for line, m in found)
    far = write(tmp_path / "far.toml", "[portfolio]\n[present]\ninterval = 0\n")
    (problem,) = read_config(far)[1]
    assert problem.line == 3 and "from 1 to 600" in problem.message
