"""Path safety: paths relative to the portfolio root, staying inside it, reading notes.

Nothing here follows a link out of the root: notes are read only from a regular
file opened without following a link (:func:`portfolio_tui.files.open_inside`).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from ..files import open_inside

MAX_NOTES_BYTES = 256 * 1024


def normalise_rel(rel: str) -> str:
    """``a\\b/./c.jpg`` -> ``a/b/c.jpg`` (no resolution, no file system)."""
    return str(PurePosixPath(rel.replace("\\", "/")))


def inside(root: Path, candidate: Path) -> bool:
    """True when ``candidate`` (after following symlinks) stays inside ``root``."""
    try:
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError):  # symlink loops
        return False
    return resolved == root or root in resolved.parents


def read_notes_file(path: Path, root: Path, limit: int = MAX_NOTES_BYTES) -> tuple[bytes, bool]:
    """The first ``limit`` bytes of a notes file inside ``root`` (resolved), and whether it
    holds more.

    Notes are read only from a regular file, opened without following a link, in a
    folder that still leads inside the root: a planted link to the password file or
    to /proc/self/environ, or a FIFO, raises :class:`~portfolio_tui.files.NotRegularFile`
    unread. ``OSError`` as ``open`` raises it otherwise.
    """
    fd = open_inside(path, root)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    return data[:limit], len(data) > limit
