"""What each file in a gallery folder is: a photo, a sidecar, or not shown (and why).

The suffix tables, the file-name tests the loader and ``check`` use, and the
pairing of a RAW with the camera's JPEG beside it (one photo, RAW+JPEG).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..imaging.raw import RAW_SUFFIXES
from ..text import count

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".mpo", ".png", ".apng", ".webp", ".tif", ".tiff", ".gif", ".bmp"}
    | {".heic", ".heif", ".hif", ".avif", ".jxl", ".jp2", ".j2k", ".j2c", ".jpc", ".jpf", ".jpx"}
)
FORMATS_SHOWN = "JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF, JPEG XL, JPEG 2000, camera RAW"
# Files that belong beside photos and are never photos themselves: editors' and
# cameras' sidecars, notes, the app's own config and stores. Not shown, not named.
SIDECAR_SUFFIXES = frozenset(
    {".xmp", ".md", ".txt", ".pp3", ".dop", ".cos", ".cof", ".cop", ".json", ".jsonl"}
    | {".toml", ".lock", ".c2pa", ".thm", ".aae", ".csv"}
)
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "icon\r"})
# The camera's own developed file beside its RAW. HEIF (.hif) and TIFF beside a RAW stay
# photos of their own: a TIFF there is usually an edit, and decoding a camera HEIF is no
# faster than the RAW's embedded preview, so pairing would save nothing.
PAIRED_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe"})
VIDEO_SUFFIXES = frozenset(
    {".mov", ".mp4", ".m4v", ".avi", ".mts", ".m2ts", ".mkv", ".webm", ".3gp", ".mpg", ".mpeg"}
    | {".wmv", ".lrv"}
)
_EDITOR_FILES = {
    ".psd": "Photoshop",
    ".psb": "Photoshop",
    ".xcf": "GIMP",
    ".kra": "Krita",
    ".afphoto": "Affinity Photo",
    ".ai": "Illustrator",
    ".svg": "SVG",
    ".pdf": "PDF",
    ".eps": "EPS",
}
NOTES_SUFFIX = ".md"
GALLERY_NOTES_FILE = "_gallery.md"


def is_image_name(name: str) -> bool:
    """Whether a file name looks like an image we try to show."""
    if name.startswith("."):
        return False
    suffix = os.path.splitext(name)[1].lower()
    return suffix in IMAGE_SUFFIXES or suffix in RAW_SUFFIXES


def pair_raw_files(images: list[Path]) -> dict[Path, Path]:
    """Each JPEG in ``images`` (one folder's) -> the RAW beside it with the same name.

    Names match case-insensitively (``IMG_1.CR2`` and ``img_1.jpg``); where two RAW files
    or two JPEGs share a name, the first of each in ``images``' order pairs and the others
    stay photos of their own.
    """
    raws: dict[str, Path] = {}
    for path in images:
        if path.suffix.lower() in RAW_SUFFIXES:
            raws.setdefault(path.stem.casefold(), path)
    pairs: dict[Path, Path] = {}
    for path in images:
        if path.suffix.lower() not in PAIRED_SUFFIXES:
            continue
        raw = raws.pop(path.stem.casefold(), None)
        if raw is not None:
            pairs[path] = raw
    return pairs


def not_shown_note(files: int) -> str:
    """What the title bar says of files not shown: ``3 files not shown (check lists them)``."""
    return f"{count(files, 'file')} not shown (check lists them)"


def not_shown_reason(name: str) -> str | None:
    """Why a file in a gallery folder is not shown, and what to do; None when it needs no word.

    Images are shown; hidden files, sidecars and system files are left out silently.
    """
    if name.startswith(".") or name.casefold() in SYSTEM_FILES:
        return None
    suffix = os.path.splitext(name)[1].lower()
    if suffix in IMAGE_SUFFIXES or suffix in RAW_SUFFIXES or suffix in SIDECAR_SUFFIXES:
        return None
    if suffix in VIDEO_SUFFIXES:
        return "not a photo (video); it is not shown"
    editor = _EDITOR_FILES.get(suffix)
    if editor is not None:
        return f"{editor} files are not shown; export a JPEG beside it"
    what = f"a .{suffix[1:]} file" if suffix else "a file without an extension"
    return f"{what} is not a photo format the app shows ({FORMATS_SHOWN}); it is not shown"
