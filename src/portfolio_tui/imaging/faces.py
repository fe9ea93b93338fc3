"""Faces and eyes in a photo, offline: OpenCV's YuNet detector, cached on disk.

:func:`detect_faces` decodes the photo upright through the app's own loading
(:func:`.decode.load_fitted`: JPEG draft mode, RAW previews, HEIC, every format the
app reads) at most :data:`ANALYSED_SIDE` pixels on its long side, runs YuNet
(``cv2.FaceDetectorYN``, the model file shipped in ``models/`` beside this module,
see its SOURCE) and maps each face's box and eye points back to the photo's own
upright pixels. Eye sharpness is the variance of the Laplacian on a square crop
around each eye, taken from that same <= 640 px image: a sharper decode of the eyes
would cost a second, much larger decode, so the figure is relative (compare frames
of one session), not an absolute verdict.

:func:`faces` is the way in for the app: a small JSON file per photo in the user
cache folder (``$XDG_CACHE_HOME/portfolio-tui/faces``), keyed like the image cache
by the photo's absolute path, size and mtime, and by the model and the schema, so
a second process or a second run reads the faces without running the model.

OpenCV and numpy are imported inside the functions that need them: importing this
module costs neither. OpenCV runs on one thread per call (``cv2.setNumThreads(1)``,
the callers already run photos in parallel), and each thread has its own detector
(FaceDetectorYN keeps per-input state and is not thread-safe). Nothing here raises
for a photo: one that cannot be read gives :class:`Faces` with no faces and an
``error``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import open_regular, write_atomically

if TYPE_CHECKING:
    from PIL import Image

MODEL_NAME = "face_detection_yunet_2023mar"
MODEL_FILE = Path(__file__).resolve().parent / "models" / f"{MODEL_NAME}.onnx"
SCHEMA = 1
"""Bump when what is stored changes (fields, their meaning, the analysed size)."""
ANALYSED_SIDE = 640
"""Long side the detector sees at most: 18 ms a photo on one core (docs/culling.md)."""
SCORE_THRESHOLD = 0.6
NMS_THRESHOLD = 0.3
TOP_K = 50
EYE_CROP = 0.44
"""Side of the square eye crop for sharpness, as a share of the distance between the eyes."""
APP_NAME = "portfolio-tui"
SUFFIX = ".json"
MAX_ENTRY_BYTES = 256 * 1024

Point = tuple[float, float]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Face:
    """One face, in the photo's own upright pixels (not the analysed copy's).

    ``box`` is (x, y, width, height); ``eyes`` are the left and the right eye as seen
    in the image (the subject's right eye first); ``eye_sharpness`` goes with them.
    """

    box: Box
    eyes: tuple[Point, Point]
    score: float
    eye_sharpness: tuple[float, float]

    @property
    def eye_distance(self) -> float:
        """Distance between the two eye points, in pixels."""
        (xl, yl), (xr, yr) = self.eyes
        return math.hypot(xr - xl, yr - yl)


@dataclass(frozen=True)
class Faces:
    """The faces in one photo, largest first; ``size`` is the photo's upright size.

    ``error`` says why there are none when the photo could not be analysed.
    """

    size: tuple[int, int]
    faces: tuple[Face, ...] = ()
    error: str | None = None

    @property
    def main(self) -> Face | None:
        """The largest face, or None."""
        return self.faces[0] if self.faces else None


# -- detection -----------------------------------------------------------------------
_local = threading.local()
_setup_lock = threading.Lock()
_cv2_ready = False


def _cv2() -> Any:
    """OpenCV, imported on first use and set to one thread."""
    global _cv2_ready
    import cv2

    if not _cv2_ready:
        with _setup_lock:
            if not _cv2_ready:
                cv2.setNumThreads(1)
                _cv2_ready = True
    return cv2


def _detector(size: tuple[int, int]) -> Any:
    """This thread's YuNet detector, set to an input of ``size``."""
    cv2 = _cv2()
    detector = getattr(_local, "detector", None)
    if detector is None:
        detector = cv2.FaceDetectorYN.create(
            str(MODEL_FILE), "", size, SCORE_THRESHOLD, NMS_THRESHOLD, TOP_K
        )
        _local.detector = detector
    detector.setInputSize(size)
    return detector


def detect_faces(path: Path) -> Faces:
    """The faces in ``path``, found by the model now (no cache); never raises."""
    from .decode import ImageError, load_fitted, probe

    try:
        size = probe(path).oriented_size
        image = load_fitted(path, (ANALYSED_SIDE, ANALYSED_SIDE), upscale=False)
        found = _detect(image, size)
    except ImageError as exc:
        return Faces((0, 0), error=exc.reason)
    except ImportError:
        return Faces(
            (0, 0),
            error="face detection needs opencv-python-headless 4.8 or later, not installed",
        )
    except MemoryError:
        return Faces((0, 0), error="not enough memory to look for faces")
    except Exception as exc:  # OpenCV's own errors (cv2.error) among them
        return Faces((0, 0), error=f"face detection failed ({type(exc).__name__})")
    return found


def _detect(image: Image.Image, size: tuple[int, int]) -> Faces:
    """Faces in ``image`` (RGB, upright), mapped to a photo of ``size``."""
    import numpy as np

    cv2 = _cv2()
    rgb = np.asarray(image.convert("RGB") if image.mode != "RGB" else image)
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    width, height = image.size
    _, rows = _detector((width, height)).detect(bgr)
    if rows is None or not len(rows):
        return Faces(size)
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    sx, sy = size[0] / width, size[1] / height
    found: list[Face] = []
    for row in rows:
        x, y, w, h = (float(v) for v in row[:4])
        eyes = sorted(((float(row[4]), float(row[5])), (float(row[6]), float(row[7]))))
        left, right = eyes[0], eyes[1]
        sharp = _sharpness(cv2, grey, left, right)
        x0, y0 = max(0.0, x), max(0.0, y)
        x1, y1 = min(float(width), x + w), min(float(height), y + h)
        if x1 <= x0 or y1 <= y0:
            continue
        found.append(
            Face(
                box=(x0 * sx, y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy),
                eyes=((left[0] * sx, left[1] * sy), (right[0] * sx, right[1] * sy)),
                score=float(row[-1]),
                eye_sharpness=sharp,
            )
        )
    found.sort(key=lambda face: face.box[2] * face.box[3], reverse=True)
    return Faces(size, tuple(found))


def _sharpness(cv2: Any, grey: Any, left: Point, right: Point) -> tuple[float, float]:
    """Variance of the Laplacian on a square around each eye (0.0 where there is no crop)."""
    side = EYE_CROP * math.hypot(right[0] - left[0], right[1] - left[1])
    half = max(1, round(side / 2))
    height, width = grey.shape[:2]
    values: list[float] = []
    for cx, cy in (left, right):
        x0, y0 = max(0, round(cx) - half), max(0, round(cy) - half)
        x1, y1 = min(width, round(cx) + half), min(height, round(cy) + half)
        if x1 - x0 < 3 or y1 - y0 < 3:
            values.append(0.0)
            continue
        crop = grey[y0:y1, x0:x1]
        values.append(float(cv2.Laplacian(crop, cv2.CV_64F).var()))
    return values[0], values[1]


# -- the disk cache ------------------------------------------------------------------
def default_faces_dir() -> Path:
    """``$XDG_CACHE_HOME/portfolio-tui/faces`` (or the platform's equivalent)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False)) / "faces"


def cache_key(path: Path) -> str | None:
    """The entry name for ``path`` as it is now; None if the file is gone."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    ident = "\0".join(
        (
            MODEL_NAME,
            str(SCHEMA),
            os.fsencode(os.path.abspath(path)).hex(),
            str(info.st_size),
            str(info.st_mtime_ns),
        )
    )
    return hashlib.sha256(ident.encode()).hexdigest()


def _entry(root: Path, key: str) -> Path:
    return root / key[:2] / (key + SUFFIX)


def cached_faces(path: Path, root: Path | None = None) -> Faces | None:
    """The stored faces for ``path`` as it is now, or None (never stored, or changed)."""
    key = cache_key(path)
    if key is None:
        return None
    entry = _entry(root if root is not None else default_faces_dir(), key)
    try:
        # Not through a link: an entry is only ever a file this cache wrote.
        with os.fdopen(open_regular(entry), "rb") as stream:
            data = stream.read(MAX_ENTRY_BYTES + 1)
        if len(data) > MAX_ENTRY_BYTES:
            raise ValueError("entry too large")
        return _from_json(json.loads(data))
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign entry: drop it, detect again
        with contextlib.suppress(OSError):
            entry.unlink()
        return None


def faces(path: Path, root: Path | None = None) -> Faces:
    """The faces in ``path``: from the cache, else detected now and stored; never raises.

    A photo that cannot be analysed is not stored (the reason may pass: a file being
    copied, memory), so it is tried again next time.
    """
    found = cached_faces(path, root)
    if found is not None:
        return found
    key = cache_key(path)  # before detecting: a file changed meanwhile is stored stale
    found = detect_faces(path)
    if key is not None and found.error is None:
        _store(root if root is not None else default_faces_dir(), key, found)
    return found


def _store(root: Path, key: str, found: Faces) -> bool:
    entry = _entry(root, key)
    text = json.dumps(_to_json(found), separators=(",", ":"))
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        if not stat.S_ISDIR(os.lstat(entry.parent).st_mode):
            return False  # a link planted in the cache: never written through
        # No fsync: a lost entry costs one detection, and a damaged one is dropped on read.
        write_atomically(
            entry,
            text,
            durable=False,
            mode=0o600,
            keep_mode=False,
            regular_only=False,
            temp_name=(".tmp-", SUFFIX),
        )
    except OSError:
        return False
    return True


def _to_json(found: Faces) -> dict[str, Any]:
    return {
        "model": MODEL_NAME,
        "schema": SCHEMA,
        "size": list(found.size),
        "faces": [
            {
                "box": list(face.box),
                "eyes": [list(face.eyes[0]), list(face.eyes[1])],
                "score": face.score,
                "eye_sharpness": list(face.eye_sharpness),
            }
            for face in found.faces
        ],
    }


def _from_json(data: Any) -> Faces:
    if data["model"] != MODEL_NAME or data["schema"] != SCHEMA:
        raise ValueError("another model or schema")
    width, height = (int(v) for v in data["size"])
    found: list[Face] = []
    for item in data["faces"]:
        x, y, w, h = (float(v) for v in item["box"])
        (xl, yl), (xr, yr) = ((float(a), float(b)) for a, b in item["eyes"])
        sl, sr = (float(v) for v in item["eye_sharpness"])
        found.append(Face((x, y, w, h), ((xl, yl), (xr, yr)), float(item["score"]), (sl, sr)))
    return Faces((width, height), tuple(found))
