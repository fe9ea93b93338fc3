"""Shared fixtures: synthetic images and small portfolios built in tmp_path."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

if TYPE_CHECKING:
    from portfolio_tui.portfolio import Portfolio

REPO = Path(__file__).resolve().parent.parent
DEMO_CONFIG = REPO / "config.toml"

ImageMaker = Callable[..., Path]


@pytest.fixture(autouse=True)
def _quiet_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No cache or config from the developer's home leaks into tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    # Each test gets a fresh image cache in its own XDG_CACHE_HOME, and no
    # rendered photos from an earlier test.
    from portfolio_tui.imaging.cache import set_shared_cache
    from portfolio_tui.ui.pictures import PICTURES
    from portfolio_tui.ui.rendering import CACHE

    set_shared_cache(None)
    CACHE.clear()
    PICTURES.clear()


@pytest.fixture
def make_image() -> ImageMaker:
    """Write a synthetic image: ``make_image(path, size=(40, 50), color=..., exif=...)``."""

    def make(
        path: Path,
        size: tuple[int, int] = (40, 50),
        color: tuple[int, int, int] = (200, 120, 80),
        fmt: str | None = None,
        orientation: int | None = None,
    ) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.new("RGB", size, color)
        # A distinct top-left quadrant so orientation is testable.
        image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1] // 2))
        kwargs: dict[str, object] = {}
        if orientation is not None:
            exif = Image.Exif()
            exif[0x0112] = orientation
            kwargs["exif"] = exif
        image.save(path, fmt, **kwargs)
        return path

    return make


@pytest.fixture
def portfolio_dir(tmp_path: Path, make_image: ImageMaker) -> Path:
    """A small portfolio: two galleries and a top-level photo, no config."""
    root = tmp_path / "portfolio"
    for name in ("img1.jpg", "img2.jpg", "img10.jpg"):
        make_image(root / "studio" / name)
    make_image(root / "outdoor" / "a.png", fmt="PNG")
    make_image(root / "loose.jpg")
    return root


def write(path: Path, text: str) -> Path:
    """Write text, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def can_chmod() -> bool:
    """Permission tests mean nothing as root."""
    return hasattr(os, "geteuid") and os.geteuid() != 0


@pytest.fixture(scope="session")
def demo_portfolio() -> Portfolio:
    """The demo portfolio from the repository's config.toml (read once per session)."""
    from portfolio_tui.portfolio import open_portfolio

    return open_portfolio(DEMO_CONFIG)


def write_jpeg_with_thumbnail(
    path: Path,
    size: tuple[int, int] = (400, 300),
    thumb_size: tuple[int, int] = (40, 30),
    orientation: int = 1,
    corrupt_offset: bool = False,
) -> Path:
    """A JPEG whose EXIF holds IFD0 (orientation) and IFD1 with a green thumbnail."""
    buffer = io.BytesIO()
    thumb = Image.new("RGB", thumb_size, (0, 200, 0))
    thumb.paste((255, 0, 0), (0, 0, thumb_size[0] // 2, thumb_size[1] // 2))  # red top-left
    thumb.save(buffer, "JPEG", quality=95)
    data = buffer.getvalue()
    # Layout: header (8) | IFD0 at 8 (2 + 12 + 4 = 18) | IFD1 at 26 (2 + 24 + 4 = 30) | thumb at 56
    ifd0 = (
        struct.pack("<H", 1)
        + struct.pack("<HHI", 0x0112, 3, 1)
        + struct.pack("<HH", orientation, 0)
        + struct.pack("<I", 26)
    )
    offset = 9999 if corrupt_offset else 56
    ifd1 = (
        struct.pack("<H", 2)
        + struct.pack("<HHII", 0x0201, 4, 1, offset)
        + struct.pack("<HHII", 0x0202, 4, 1, len(data))
        + struct.pack("<I", 0)
    )
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + ifd1 + data
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (20, 20, 200)).save(path, "JPEG", exif=b"Exif\x00\x00" + tiff)
    return path


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m portfolio_tui ARGS`` in ``cwd``, as a user runs it; output as UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "portfolio_tui", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


# -- the originals stay untouched -----------------------------------------------------
ORIGINAL_FOLDERS = (REPO / "portfolio", REPO / "scripts" / "demo-sources")
"""The photos (and their sidecars) the repository ships: the suite must never change them."""


def originals() -> dict[str, str]:
    """SHA-256 and mtime of every file under :data:`ORIGINAL_FOLDERS` (curation files excepted)."""
    import hashlib

    found: dict[str, str] = {}
    for folder in ORIGINAL_FOLDERS:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name.startswith(
                ("curation.toml", "curation-history", "picks.toml", ".")
            ):
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(REPO))] = f"{digest} {path.stat().st_mtime_ns}"
    return found


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_ORIGINALS] = originals()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any original photo's bytes or modification time changed."""
    before = session.config.stash.get(_ORIGINALS, None)
    if before is None:
        return
    after = originals()
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "the suite changed original files: " + ", ".join(changed)
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_ORIGINALS = pytest.StashKey[dict[str, str]]()
