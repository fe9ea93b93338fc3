"""imaging.viewport: fit, zoom steps, pan limits, linked views and drawing a zoomed part."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from conftest import ImageMaker
from portfolio_tui.imaging import viewport as vp
from portfolio_tui.imaging.viewport import SOURCES, ZOOM_STEPS, Viewport, load_view

BIG = (4000, 3000)
VIEW = (800, 600)


@pytest.fixture(autouse=True)
def _fresh_sources() -> None:
    SOURCES.clear()


def test_fit_shows_the_whole_photo_as_large_as_the_view_allows() -> None:
    box, out = Viewport().region(BIG, VIEW)
    assert box == (0.0, 0.0, 4000.0, 3000.0)
    assert out == (800, 600)
    assert Viewport().percent(BIG, VIEW) == 20


def test_z_toggles_between_fit_and_100_percent_keeping_the_centre() -> None:
    view = Viewport(cx=0.3, cy=0.4)
    assert view.toggled() == Viewport(1.0, 0.3, 0.4)
    assert view.toggled().toggled() == view


def test_zoom_steps_go_up_from_fit_and_back_down_to_fit() -> None:
    view = Viewport()
    seen = []
    for _ in range(len(ZOOM_STEPS) + 2):
        view = view.zoomed_in(BIG, VIEW)
        seen.append(view.zoom)
    assert seen[:6] == [0.25, 1 / 3, 0.5, 2 / 3, 1.0, 2.0]
    assert seen[-1] == ZOOM_STEPS[-1]  # stays at the largest
    for _ in range(len(ZOOM_STEPS) + 2):
        view = view.zoomed_out(BIG, VIEW)
    assert view.is_fit  # 0.125 would show less than fit does: fit instead


def test_pan_moves_by_a_quarter_view_and_stops_at_the_edge() -> None:
    view = Viewport(1.0)
    once = view.panned(vp.PAN_STEP, 0, BIG, VIEW)
    assert once.cx == pytest.approx(0.5 + 200 / 4000)
    for _ in range(100):
        view = view.panned(1, 1, BIG, VIEW)
    assert (view.cx, view.cy) == pytest.approx((1 - 400 / 4000, 1 - 300 / 3000))
    box, out = view.region(BIG, VIEW)
    assert box == pytest.approx((3200, 2400, 4000, 3000))
    assert out == VIEW
    assert Viewport().panned(1, 1, BIG, VIEW) == Viewport()  # fit does not pan


def test_dragging_moves_the_photo_with_the_pointer() -> None:
    view = Viewport(1.0).dragged(-100, 0, BIG, VIEW)  # pointer moved left: see more right
    assert view.cx == pytest.approx(0.5 + 100 / 4000)


def test_a_photo_smaller_than_the_view_stays_centred_and_unscaled_at_100() -> None:
    box, out = Viewport(1.0, cx=0.9, cy=0.1).region((300, 200), VIEW)
    assert box == (0.0, 0.0, 300.0, 200.0)
    assert out == (300, 200)


def test_one_viewport_centres_two_framings_on_the_same_point() -> None:
    """Linked views: the centre is relative, so two files of one face line up."""
    view = Viewport(1.0, cx=0.5, cy=0.4)
    for size in ((2000, 1500), BIG):
        (left, top, right, bottom), _ = view.region(size, VIEW)
        assert ((left + right) / 2 / size[0], (top + bottom) / 2 / size[1]) == pytest.approx(
            (0.5, 0.4)
        )


def quadrants(path: Path, size: tuple[int, int], **save: object) -> Path:
    """Red top-left, green top-right, blue bottom-left, white bottom-right."""
    image = Image.new("RGB", size, (255, 255, 255))
    w, h = size
    image.paste((255, 0, 0), (0, 0, w // 2, h // 2))
    image.paste((0, 255, 0), (w // 2, 0, w, h // 2))
    image.paste((0, 0, 255), (0, h // 2, w // 2, h))
    image.save(path, **save)  # type: ignore[arg-type]
    return path


def test_a_zoomed_view_draws_just_that_part(tmp_path: Path) -> None:
    photo = quadrants(tmp_path / "q.png", (400, 300))
    view = Viewport(1.0, cx=0.25, cy=0.25)  # centred on the red quadrant
    image = load_view(photo, (100, 80), view, (400, 300))
    assert image.size == (100, 80)
    assert image.getcolors() == [(100 * 80, (255, 0, 0))]


def test_beyond_100_percent_pixels_stay_sharp(tmp_path: Path) -> None:
    photo = tmp_path / "checker.png"
    checker = Image.new("L", (8, 8))
    checker.putdata([255 * ((x + y) % 2) for y in range(8) for x in range(8)])
    checker.convert("RGB").save(photo)
    image = load_view(photo, (32, 32), Viewport(4.0), (8, 8))
    assert image.size == (32, 32)
    # Each photo pixel is a 4x4 block of one colour: nothing blurred in between.
    assert sorted(c for _, c in image.getcolors()) == [(0, 0, 0), (255, 255, 255)]


def test_zooming_and_panning_again_does_not_decode_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = quadrants(tmp_path / "q.jpg", (1600, 1200), quality=95)
    calls: list[tuple[int, int]] = []
    real = vp.load_upright

    def counting(path: Path, at_least: tuple[int, int]) -> tuple[Image.Image, tuple[int, int]]:
        calls.append(at_least)
        return real(path, at_least)

    monkeypatch.setattr(vp, "load_upright", counting)
    view = Viewport(1.0)
    for _ in range(4):
        load_view(photo, (200, 150), view, (1600, 1200))
        view = view.panned(0.25, 0.25, (1600, 1200), (200, 150))
    assert len(calls) == 1
    # Zooming out needs fewer pixels: the copy already decoded serves it.
    load_view(photo, (200, 150), Viewport(0.5), (1600, 1200))
    assert len(calls) == 1


def test_a_low_zoom_decodes_a_jpeg_at_a_reduced_scale(tmp_path: Path) -> None:
    photo = quadrants(tmp_path / "q.jpg", (1600, 1200), quality=95)
    load_view(photo, (200, 150), Viewport(0.25), (1600, 1200))
    (copy,) = SOURCES.copies_of((str(photo), photo.stat().st_size, photo.stat().st_mtime_ns))
    assert copy.size == (400, 300)  # a 1/4 draft decode, not 1600x1200


def test_orientation_is_applied_before_cropping(tmp_path: Path, make_image: ImageMaker) -> None:
    # make_image paints the stored top-left quadrant red; orientation 6 (rotate 90 CW)
    # puts it at the upright top-right.
    photo = make_image(tmp_path / "o.jpg", size=(400, 300), orientation=6)
    image = load_view(photo, (60, 60), Viewport(1.0, cx=0.85, cy=0.15), (300, 400))
    r, g, b = image.getpixel((30, 30))  # type: ignore[misc]
    assert r > 200 and g < 60 and b < 60


def test_a_broken_file_is_an_image_error(tmp_path: Path) -> None:
    from portfolio_tui.imaging.decode import ImageError

    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff junk")
    with pytest.raises(ImageError):
        load_view(bad, (100, 100), Viewport(1.0), (400, 300))
