"""Which XMP sidecars a photo has, in order of precedence, and reading one's bytes.

Sidecars, found by :func:`find_sidecars` in this order of precedence:

1. ``NAME.ext.xmp`` (``IMG_1.jpg.xmp``): what darktable always writes
   (``dt_image_path_append_version`` + ``".xmp"`` in ``src/common/image.c``;
   duplicates get ``IMG_1_01.jpg.xmp``) and digiKam's default ("keep image
   extension in XMP sidecar name", KDE/digikam PR #6).
2. ``NAME.xmp`` (``IMG_1.xmp``): what Lightroom, Bridge and Capture One write;
   darktable reads this form only for its "Lightroom import"
   (``dt_get_lightroom_xmp`` in ``src/develop/lightroom.c`` replaces the
   extension, trying ``.xmp`` then ``.XMP``).

``NAME.ext.xmp`` wins because it belongs to exactly one file: ``IMG_1.xmp`` is
shared by ``IMG_1.jpg`` and ``IMG_1.CR2`` in a RAW+JPEG pair, and is usually
the RAW's.  Immich makes the same choice when both exist (immich PR #8186).
Each form is also looked for with an upper-case ``.XMP``, after the lower-case
one.  Sidecars are merged field by field: a field missing from the first
sidecar may come from the next.

A RAW+JPEG pair (one photo, :attr:`portfolio_tui.portfolio.Photo.raw`) reads the
RAW's sidecars first, as Lightroom and darktable keep the pair's decisions with
the RAW: ``IMG_1.CR2.xmp``, then ``IMG_1.xmp`` (Lightroom's, the pair's own),
then the JPEG's ``IMG_1.jpg.xmp``.  ``xmp export`` writes the first of these that
exists (unless told ``--sidecar-name base``), so import and export agree on the
one sidecar, and makes ``IMG_1.xmp`` beside the RAW when there is none.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .packets import MAX_SIDECAR_BYTES, _open_regular, _too_large


def sidecar_names(photo: Path) -> list[str]:
    """``NAME.ext.xmp``, ``NAME.ext.XMP``, ``NAME.xmp``, ``NAME.XMP`` (no stem: the first two)."""
    names = [photo.name + ".xmp", photo.name + ".XMP"]
    if photo.suffix:
        names += [photo.stem + ".xmp", photo.stem + ".XMP"]
    return names


def find_sidecars(photo: Path, raw: Path | None = None) -> list[Path]:
    """The XMP sidecars next to ``photo`` that exist, in order of precedence.

    ``NAME.ext.xmp`` before ``NAME.xmp``, each lower-case ``.xmp`` before
    ``.XMP``; for a RAW+JPEG pair (``raw``: the RAW beside the JPEG ``photo``),
    the RAW's before the JPEG's.  Anything present under those names is listed
    (a folder or a dangling link too), so that reading it can report what is wrong.
    """
    if not photo.name:
        return []
    names = sidecar_names(photo)
    if raw is not None and raw.name:
        names = sidecar_names(raw) + names
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for name in dict.fromkeys(names):
        candidate = photo.with_name(name)
        try:
            info = os.lstat(candidate)
        except (OSError, ValueError):  # ValueError: a NUL in the name
            continue
        with contextlib.suppress(OSError, ValueError):  # a dangling link keeps its own identity
            info = os.stat(candidate)  # one file under two spellings (case-insensitive)
        identity = (info.st_dev, info.st_ino)
        if identity in seen:
            continue
        seen.add(identity)
        found.append(candidate)
    return found


def read_sidecar_bytes(path: Path, problems: list[str]) -> bytes | None:
    """A sidecar's bytes if it is a regular file within :data:`MAX_SIDECAR_BYTES`.

    Otherwise None, with the reason appended to ``problems``.
    """
    handle = _open_regular(path, "XMP sidecar", problems)
    if handle is None:
        return None
    try:
        with handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_SIDECAR_BYTES:
                problems.append(_too_large(str(path), size, MAX_SIDECAR_BYTES))
                return None
            data = handle.read(MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        problems.append(f"{path}: cannot read this XMP sidecar: {exc.strerror or exc}")
        return None
    if len(data) > MAX_SIDECAR_BYTES:  # grew while being read
        problems.append(_too_large(str(path), len(data), MAX_SIDECAR_BYTES))
        return None
    return data
