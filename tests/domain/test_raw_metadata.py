"""The info panel's camera, lens and exposure come from the RAW itself (issue 15, item 4),
read from its header without touching the sensor data. Expected values are what
``exiftool`` reads from the same real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portfolio_tui.metadata import read_info
from raw_support import FIXTURES, rw2

pytest.importorskip("rawpy")


def _info(tmp_path: Path, name: str):  # type: ignore[no-untyped-def]
    target = tmp_path / name
    shutil.copyfile(FIXTURES / name, target)
    return read_info(target)


@pytest.mark.parametrize(
    ("name", "camera", "lens", "aperture", "shutter", "iso", "taken"),
    [
        ("Nikon.nef", "NIKON D70", None, "f/3.5", "1/20 s", "ISO 200", "2004-06-09 16:02:35"),
        (
            "DNG.dng",
            "Canon EOS 350D DIGITAL",
            None,
            "f/8",
            "1/15 s",
            "ISO 400",
            "2005-08-03 18:59:18",
        ),
        (
            "CanonRaw.cr3",
            "Canon EOS M50",
            "EF-M15-45mm f/3.5-6.3 IS STM",
            "f/3.5",
            "1/80 s",
            "ISO 12800",
            "2018-02-21 12:08:56",
        ),
        # ISO is in Panasonic's own tag; the preview JPEG's EXIF supplies it.
        ("Panasonic.rw2", "Panasonic DMC-LX3", None, "f/4", "1/250 s", "ISO 80", None),
        ("FujiFilm.raf", "Fujifilm S5Pro", None, "f/8", "1/250 s", "ISO 100", None),
        ("SigmaDP2.x3f", "SIGMA DP2", None, "f/2.8", "1/10 s", "ISO 100", None),
    ],
)
def test_exposure_facts_come_from_the_raw(
    tmp_path: Path,
    name: str,
    camera: str,
    lens: str | None,
    aperture: str,
    shutter: str,
    iso: str,
    taken: str | None,
) -> None:
    info = _info(tmp_path, name)
    assert (info.camera, info.lens, info.aperture, info.shutter, info.iso) == (
        camera,
        lens,
        aperture,
        shutter,
        iso,
    )
    if taken is not None:
        assert info.taken == taken


def test_pixel_size_is_the_sensors_and_the_format_names_the_raw(tmp_path: Path) -> None:
    info = _info(tmp_path, "Nikon.nef")
    assert (info.width, info.height) == (3039, 2014)
    assert info.format == "Nikon NEF (RAW)"
    assert info.drawn_from == "developed by LibRaw (half size)"  # it has no preview
    assert info.error is None


def test_raw_libraw_cannot_read_still_shows_its_camera_beside_the_problem(
    tmp_path: Path,
) -> None:
    info = _info(tmp_path, "CanonRaw.cr2")
    assert info.camera == "Canon EOS 350D DIGITAL"
    assert info.shutter == "1/15 s"
    assert info.format == "Canon CR2 (RAW)"
    assert info.error is not None and "cannot read this camera's RAW files" in info.error


def test_drawn_from_names_the_cameras_preview_where_the_views_use_it(tmp_path: Path) -> None:
    info = read_info(rw2(tmp_path, preview=(640, 480)))
    assert info.drawn_from == "the camera's preview (640 × 480 px)"


def test_reading_the_panel_never_unpacks_the_sensor_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rawpy

    real_imread = rawpy.imread

    class HeaderOnly:
        """LibRaw as opened, refusing everything that reads the sensor data."""

        def __init__(self, inner: object) -> None:
            self._inner = inner

        def __getattr__(self, name: str) -> object:
            if name in ("unpack", "postprocess", "raw_image", "other", "lens", "raw_type"):
                raise AssertionError(f"the sensor data was read ({name})")
            return getattr(self._inner, name)

    monkeypatch.setattr(rawpy, "imread", lambda *a, **k: HeaderOnly(real_imread(*a, **k)))
    for name in ("CanonRaw.cr3", "Nikon.nef", "Panasonic.rw2"):
        info = _info(tmp_path, name)
        assert info.camera is not None and info.width
