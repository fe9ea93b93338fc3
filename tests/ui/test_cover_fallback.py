"""A gallery's cover that cannot be drawn gives way to the first photo that can (issue 15, 6)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from ui_support import settle

from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp
from portfolio_tui.ui.widgets.gallery_card import GalleryCard
from portfolio_tui.ui.widgets.photo_view import PhotoView

SIZE = (100, 30)


def card_view(app: PortfolioApp) -> PhotoView:
    card = app.screen.query_one(GalleryCard)
    return card.query_one(PhotoView)


def drawn_colours(view: PhotoView) -> set[tuple[int, int, int]]:
    rendered = view.rendered
    assert rendered is not None and rendered.error is None
    colours = set()
    for strip in rendered.strips:  # type: ignore[union-attr]
        for segment in strip:
            style = segment.style
            if style is not None and style.color is not None:
                colours.add(style.color.get_truecolor()[:3])
    return colours


def is_green(colour: tuple[int, int, int]) -> bool:
    r, g, b = colour
    return g > 150 and r < 80 and b < 80


async def test_a_cover_that_cannot_be_decoded_falls_back_to_the_next_photo(
    tmp_path: Path,
) -> None:
    gallery = tmp_path / "shoot" / "studio"
    gallery.mkdir(parents=True)
    (gallery / "a-broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG at all" * 8)
    (gallery / "b-empty.jpg").write_bytes(b"")
    Image.new("RGB", (60, 40), (30, 200, 30)).save(gallery / "c-green.jpg")
    Image.new("RGB", (60, 40), (200, 30, 30)).save(gallery / "d-red.jpg")
    app = PortfolioApp(open_portfolio(tmp_path / "shoot"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = card_view(app)
        assert view.photo is not None and view.photo.name == "c-green.jpg"
        colours = drawn_colours(view)
        assert colours and all(is_green(c) for c in colours)
        assert "⚠" not in "".join(view.render_line(y).text for y in range(view.size.height))


async def test_a_gallery_where_nothing_decodes_shows_its_cover_problem(tmp_path: Path) -> None:
    gallery = tmp_path / "shoot" / "studio"
    gallery.mkdir(parents=True)
    (gallery / "a-broken.jpg").write_bytes(b"not a picture" * 20)
    (gallery / "b-broken.jpg").write_bytes(b"not one either" * 20)
    app = PortfolioApp(open_portfolio(tmp_path / "shoot"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = card_view(app)
        rendered = view.rendered
        assert rendered is not None and rendered.error
        text = "".join(view.render_line(y).text for y in range(view.size.height))
        assert "⚠" in text
