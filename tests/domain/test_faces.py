"""Faces and eyes (imaging/faces.py) on the demo's real portraits: detection, the
coordinates in the photo's own pixels, the disk cache, lazy OpenCV, threads."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from conftest import REPO
from portfolio_tui.imaging import faces as faces_module
from portfolio_tui.imaging.faces import (
    MODEL_FILE,
    Face,
    Faces,
    cached_faces,
    detect_faces,
    faces,
)

HOPPER = REPO / "portfolio/studio/hopper-01.jpg"  # 512 x 600, public domain (README)
COLLINS = REPO / "portfolio/studio/collins-01.png"  # 512 x 512, public domain
TURNED = REPO / "portfolio/studio/hopper-04.jpg"  # stored sideways, EXIF orientation
HEADSHOTS = [
    HOPPER,
    COLLINS,
    TURNED,
    REPO / "portfolio/studio/hopper-03.jpg",
    REPO / "portfolio/studio/collins-03.jpg",
    REPO / "portfolio/takes/take-11.jpg",
]


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


@pytest.mark.parametrize("path", HEADSHOTS, ids=lambda p: p.name)
def test_one_face_with_plausible_eyes_on_a_headshot(path: Path) -> None:
    found = detect_faces(path)
    assert found.error is None
    with Image.open(path) as image:
        from PIL import ImageOps

        upright = ImageOps.exif_transpose(image)
        assert found.size == upright.size
    assert len(found.faces) == 1
    face = found.main
    assert face is not None and face.score >= 0.6
    (xl, yl), (xr, yr) = face.eyes
    assert _inside((xl, yl), face.box) and _inside((xr, yr), face.box)
    assert xl < xr  # left eye as seen in the image first
    assert abs(yl - yr) < 0.15 * face.box[2]  # upright faces: eyes on about one line
    assert 0.25 <= face.eye_distance / face.box[2] <= 0.6
    assert all(value > 0 for value in face.eye_sharpness)
    # Eyes in the upper half of the face box: the photo was analysed upright.
    assert yl < face.box[1] + face.box[3] / 2


def test_coordinates_are_in_the_photo_s_own_pixels(tmp_path: Path) -> None:
    """A 2x copy (1024 x 1200, analysed at 640) gives the same face at twice the size."""
    big = tmp_path / "big.jpg"
    with Image.open(HOPPER) as image:
        image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS).save(
            big, quality=95
        )
    small, large = detect_faces(HOPPER).main, detect_faces(big).main
    assert small is not None and large is not None
    assert detect_faces(big).size == (1024, 1200)
    for a, b in zip(small.box, large.box, strict=True):
        assert b == pytest.approx(2 * a, rel=0.05, abs=4)
    for eye_a, eye_b in zip(small.eyes, large.eyes, strict=True):
        for a, b in zip(eye_a, eye_b, strict=True):
            assert b == pytest.approx(2 * a, rel=0.03, abs=3)


def test_a_flat_image_has_no_face(tmp_path: Path) -> None:
    path = tmp_path / "flat.png"
    Image.new("RGB", (800, 600), (128, 128, 128)).save(path)
    found = detect_faces(path)
    assert found == Faces((800, 600))
    assert found.main is None and found.error is None


def test_an_undecodable_file_gives_an_error_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG at all" * 10)
    found = detect_faces(path)
    assert found.faces == () and found.error
    missing = detect_faces(tmp_path / "gone.jpg")
    assert missing.faces == () and missing.error and "not found" in missing.error
    assert faces(path).error  # the cached way never raises either


def test_an_opencv_failure_is_an_error_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(size: tuple[int, int]) -> object:
        raise RuntimeError("model file damaged")

    monkeypatch.setattr(faces_module, "_detector", broken)
    found = detect_faces(HOPPER)
    assert found.faces == () and found.error == "face detection failed (RuntimeError)"


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


def test_the_cache_answers_a_second_call_without_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = _copy(HOPPER, tmp_path / "hopper.jpg")
    assert cached_faces(photo) is None
    first = faces(photo)
    assert first.main is not None
    # Stored under the XDG cache folder, as one small JSON file.
    stored = list(Path(os.environ["XDG_CACHE_HOME"], "portfolio-tui", "faces").glob("*/*.json"))
    assert len(stored) == 1 and stored[0].stat().st_size < 2000

    def no_model(path: Path) -> Faces:
        raise AssertionError("the model ran again")

    monkeypatch.setattr(faces_module, "detect_faces", no_model)
    assert cached_faces(photo) == first
    assert faces(photo) == first


def test_a_changed_file_is_detected_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = _copy(HOPPER, tmp_path / "photo.jpg")
    first = faces(photo)
    calls: list[Path] = []
    real = faces_module.detect_faces

    def counting(path: Path) -> Faces:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(faces_module, "detect_faces", counting)
    # Same size, new mtime: a new key.
    stamp = photo.stat().st_mtime_ns + 5_000_000_000
    os.utime(photo, ns=(stamp, stamp))
    assert cached_faces(photo) is None
    assert faces(photo) == first and len(calls) == 1
    # Another photo under the same name: its own faces, not the old ones.
    _copy(COLLINS, photo)
    replaced = faces(photo)
    assert len(calls) == 2
    assert replaced.size == (512, 512) != first.size
    assert faces(photo) == replaced and len(calls) == 2


def test_failures_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = _copy(HOPPER, tmp_path / "photo.jpg")

    def failing(path: Path) -> Faces:
        return Faces((0, 0), error="not enough memory to look for faces")

    monkeypatch.setattr(faces_module, "detect_faces", failing)
    assert faces(photo).error
    monkeypatch.undo()
    assert cached_faces(photo) is None
    assert faces(photo).main is not None


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    photo = _copy(HOPPER, tmp_path / "photo.jpg")
    first = faces(photo, root=tmp_path / "cache")
    (entry,) = (tmp_path / "cache").glob("*/*.json")
    entry.write_text('{"model": "face_detection_yunet_2023mar", "schema": 1, "size": [1')
    assert cached_faces(photo, root=tmp_path / "cache") is None
    assert not entry.exists()
    assert faces(photo, root=tmp_path / "cache") == first


def test_importing_the_module_loads_neither_opencv_nor_numpy() -> None:
    code = (
        "import sys, portfolio_tui.imaging.faces\n"
        "print(sorted(m for m in ('cv2', 'numpy') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_model_ships_inside_the_package_with_its_licences() -> None:
    folder = MODEL_FILE.parent
    assert MODEL_FILE.is_file() and MODEL_FILE.stat().st_size == 232_589
    source = (folder / "SOURCE").read_text(encoding="utf-8")
    assert "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4" in source
    assert "MIT License" in (folder / "LICENSE.opencv_zoo_yunet.txt").read_text(encoding="utf-8")
    assert "Apache License" in (folder / "LICENSE.libfacedetection.train.txt").read_text(
        encoding="utf-8"
    )


def test_threads_give_the_same_faces_as_one_thread(tmp_path: Path) -> None:
    """8 threads on photos of different sizes (each detector's input size differs)."""
    big = tmp_path / "big.jpg"
    with Image.open(COLLINS) as image:
        image.resize((1280, 1280)).save(big, quality=92)
    photos = [*HEADSHOTS, big]
    alone = {path: detect_faces(path) for path in photos}
    jobs = [photos[i % len(photos)] for i in range(64)] + [HOPPER] * 16
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(detect_faces, jobs))
    for path, result in zip(jobs, results, strict=True):
        assert result == alone[path], path.name


def test_faces_are_sorted_largest_first(tmp_path: Path) -> None:
    """Two portraits side by side, one smaller: the larger is the main face."""
    path = tmp_path / "two.png"
    canvas = Image.new("RGB", (1100, 700), (90, 90, 90))
    with Image.open(HOPPER) as hopper, Image.open(COLLINS) as collins:
        canvas.paste(collins.convert("RGB").resize((300, 300)), (30, 200))
        canvas.paste(hopper.convert("RGB"), (560, 50))
    canvas.save(path)
    found = detect_faces(path)
    assert len(found.faces) == 2
    assert isinstance(found.main, Face)
    areas = [face.box[2] * face.box[3] for face in found.faces]
    assert areas[0] > areas[1]
    assert found.main.box[0] > 560  # Hopper, on the right, is the larger face


def test_a_heic_portrait_comes_through_the_app_s_loading(tmp_path: Path) -> None:
    import pillow_heif  # a dependency of the app (imaging/plugins.py)

    pillow_heif.register_heif_opener()
    path = tmp_path / "hopper.heic"
    with Image.open(HOPPER) as image:
        image.save(path, quality=85)
    found, reference = detect_faces(path), detect_faces(HOPPER)
    assert found.size == (512, 600) and found.main is not None and reference.main is not None
    for a, b in zip(found.main.box, reference.main.box, strict=True):
        assert a == pytest.approx(b, abs=6)


@pytest.mark.parametrize(
    "path", sorted((REPO / "tests/fixtures/raw").iterdir()), ids=lambda p: p.name
)
def test_raw_files_give_faces_or_a_reason_never_an_exception(path: Path) -> None:
    """The fixtures are real camera files cut short: some decode (no face), some cannot."""
    found = detect_faces(path)
    assert found.faces == ()
    assert (found.error is None) == (found.size != (0, 0))
