"""Camera RAW files are drawn (issue 15, item 4): the camera's preview where it covers the
view, else LibRaw's development, upright, and a clear reason where neither can be had.

The RAWs are real camera files from ExifTool's test set (tests/fixtures/SOURCES): their
headers, EXIF and previews are the cameras' own, their sensor data is cut short.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from portfolio_tui.check import check
from portfolio_tui.imaging import raw
from portfolio_tui.imaging.decode import (
    ImageError,
    embedded_thumbnail,
    load_fitted,
    load_upright,
    probe,
)
from raw_support import BLUE, FIXTURES, RED
from raw_support import rw2 as _rw2

pytest.importorskip("rawpy")

DAMAGED = (
    "RAW file is damaged or cut short (its sensor data is incomplete); copy it from the card again"
)


def _copy(tmp_path: Path, name: str, as_name: str | None = None) -> Path:
    target = tmp_path / (as_name or name)
    shutil.copyfile(FIXTURES / name, target)
    return target


def _mean(image: Image.Image) -> float:
    return sum(ImageStat.Stat(image).mean) / 3


def _near(colour: tuple[float, ...], expected: tuple[int, int, int], tolerance: int = 25) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def test_raf_is_drawn_from_its_camera_preview_when_libraw_cannot_develop_it(
    tmp_path: Path,
) -> None:
    path = _copy(tmp_path, "FujiFilm.raf", "DSCF0001.RAF")
    image = load_fitted(path, (96, 96))
    assert image.mode == "RGB"
    assert image.size == (96, 72)  # the preview's own 4:3, not letterboxed
    assert _mean(image) > 40  # the photo, not a black tile


def test_rw2_too_small_a_preview_is_developed_by_libraw_at_half_size(tmp_path: Path) -> None:
    path = _rw2(tmp_path)  # its camera preview is 8x8: far too small for a grid tile
    image, source = raw.fitted_with_source(path, (120, 120))
    assert source == "half"
    assert image.size == (120, 90)  # 3664x2754 sensor
    assert _mean(image) > 40


def test_dng_without_a_preview_is_developed_at_half_size(tmp_path: Path) -> None:
    path = _copy(tmp_path, "DNG.dng", "IMG_0001.DNG")
    image, source = raw.fitted_with_source(path, (150, 150))
    assert source == "half"
    assert image.size == (150, 100)  # 3474x2314 sensor
    # (Its sensor data is cut out of the test file, so LibRaw develops it black: the RW2
    # above is the one that proves the development is a picture.)


def test_preview_that_covers_the_view_is_drawn_instead_of_developing(tmp_path: Path) -> None:
    path = _rw2(tmp_path, preview=(640, 480))
    image, source = raw.fitted_with_source(path, (160, 120))
    assert source == "preview"
    assert _near(image.getpixel((120, 90)), RED)
    assert _near(image.getpixel((20, 15)), BLUE)
    # A view larger than the preview is developed from the sensor data instead.
    _, source = raw.fitted_with_source(path, (1200, 900))
    assert source == "half"


def test_orientation_6_comes_out_portrait_from_preview_and_development(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "turned").mkdir()
    plain = _rw2(tmp_path / "plain", preview=(640, 480))
    turned = _rw2(tmp_path / "turned", orientation=6, preview=(640, 480))
    assert probe(turned).oriented_size == (2754, 3664)
    from_preview = load_fitted(turned, (300, 300))
    assert from_preview.size == (225, 300)
    # Turned a quarter clockwise: the preview's blue top-left quarter is now top right.
    assert _near(from_preview.getpixel((200, 30)), BLUE)
    assert _near(from_preview.getpixel((30, 30)), RED)
    developed, stored = load_upright(turned, (2000, 2600))
    assert developed.width < developed.height
    assert stored[0] > stored[1]  # decoded as the sensor stores it, then turned
    assert load_fitted(plain, (300, 300)).size == (300, 225)


def test_zoom_decodes_sensor_pixels_half_then_full(tmp_path: Path) -> None:
    path = _rw2(tmp_path, preview=(640, 480))
    _, stored = load_upright(path, (600, 450))
    assert stored == (640, 480)  # the preview covers it
    _, stored = load_upright(path, (1500, 1100))
    assert stored == (1832, 1377)
    full, stored = load_upright(path, (3000, 2200))
    assert stored == (3664, 2754)
    assert full.size == (3664, 2754) and _mean(full) > 40


def test_embedded_thumbnail_is_the_cameras_preview_while_libraw_develops(
    tmp_path: Path,
) -> None:
    path = _rw2(tmp_path, preview=(640, 480))
    # A box the preview does not cover is developed (slow): the preview shows meanwhile.
    quick = embedded_thumbnail(path, (1200, 1200))
    assert quick is not None and quick.size == (1200, 900)
    assert _near(quick.getpixel((900, 700)), RED)
    # One it covers is drawn from that same preview at once: no placeholder decoded first.
    assert embedded_thumbnail(path, (40, 40)) is None
    assert embedded_thumbnail(_copy(tmp_path, "DNG.dng"), (40, 40)) is None  # none to show


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "CanonRaw.cr2",
            "LibRaw {version} cannot read this camera's RAW files (an unsupported camera or "
            "not a RAW file); export a JPEG or DNG beside it",
        ),
        ("Nikon.nef", DAMAGED),
        ("CanonRaw.cr3", DAMAGED),
    ],
)
def test_raw_that_cannot_be_drawn_says_why(tmp_path: Path, name: str, reason: str) -> None:
    import rawpy

    version = ".".join(str(part) for part in rawpy.libraw_version)
    path = _copy(tmp_path, name)
    with pytest.raises(ImageError) as caught:
        load_fitted(path, (120, 120))
    assert caught.value.reason == reason.format(version=version)


def test_check_names_damaged_raws_even_where_a_preview_shows(tmp_path: Path) -> None:
    gallery = tmp_path / "shoot"
    gallery.mkdir()
    for name in ("FujiFilm.raf", "Panasonic.rw2", "Nikon.nef", "SigmaDP2.x3f"):
        _copy(gallery, name)
    report = check(tmp_path)
    found = {problem.file.name: problem.message for problem in report.errors}
    assert found == {
        "FujiFilm.raf": DAMAGED,
        "Nikon.nef": DAMAGED,
        "SigmaDP2.x3f": "RAW image is too big for LibRaw to develop; "
        "export a JPEG or DNG beside it",
    }


def test_raw_that_is_not_a_regular_file_is_refused_without_following_it(tmp_path: Path) -> None:
    target = _copy(tmp_path, "Panasonic.rw2")
    link = tmp_path / "link.rw2"
    link.symlink_to(target)
    with pytest.raises(ImageError):
        load_fitted(link, (64, 64))


def test_empty_raw_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.nef"
    path.write_bytes(b"")
    with pytest.raises(ImageError, match="file is empty"):
        probe(path)


def test_start_up_does_not_import_rawpy_or_numpy() -> None:
    code = textwrap.dedent(
        """
        import sys
        import portfolio_tui.cli.app, portfolio_tui.ui.app, portfolio_tui.portfolio
        import portfolio_tui.imaging.decode, portfolio_tui.metadata
        print(sorted(m for m in ("rawpy", "numpy") if m in sys.modules))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_a_damaged_raw_writes_nothing_on_the_terminal(tmp_path: Path) -> None:
    """LibRaw prints its own "data corrupted" on stderr, where the app draws the screen."""
    path = _copy(tmp_path, "Nikon.nef")
    code = textwrap.dedent(
        f"""
        from pathlib import Path
        from portfolio_tui.imaging.decode import ImageError, load_fitted, verify
        for call in (lambda: load_fitted(Path({str(path)!r}), (64, 64)),
                     lambda: verify(Path({str(path)!r}))):
            try:
                call()
            except ImageError as exc:
                print(exc.reason)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.splitlines() == [DAMAGED, DAMAGED]
    assert done.stderr == ""


def test_zooming_to_100_percent_develops_the_sensor_once_and_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portfolio_tui.imaging.viewport import SOURCES, Viewport, load_view

    path = _rw2(tmp_path, preview=(640, 480))
    SOURCES.clear()
    developed: list[bool] = []
    real = raw._develop

    def counting(opened: object, half: bool) -> Image.Image:
        developed.append(half)
        return real(opened, half)  # type: ignore[arg-type]

    monkeypatch.setattr(raw, "_develop", counting)
    full = probe(path).oriented_size
    fit = load_view(path, (160, 120), Viewport(), full)
    assert developed == [] and _near(fit.getpixel((120, 90)), RED)  # fit: the preview
    for cx in (0.3, 0.5, 0.7):  # 100 %, panning
        part = load_view(path, (200, 150), Viewport(zoom=1.0, cx=cx), full)
        assert part.size == (200, 150) and _mean(part) > 40
    assert developed == [False]  # the full sensor, developed once for the three views
    SOURCES.clear()
