"""Issue 21, item 9g: a viewer's session over SSH never writes into the curators' thumbnails.

Viewers read the account's image cache, but what they decode goes into a smaller cache of
their own (``viewers/`` inside it), so however much a viewer browses, resizes or zooms, the
curators' thumbnails are never evicted.
"""

from __future__ import annotations

from pathlib import Path

from test_ssh import PHOTOS, Studio, quit_app, studio  # noqa: F401  (studio is a fixture)

VIEWERS_FOLDER = "viewers"
"""Where viewers' entries go, inside the account's image cache (docs/ssh.md)."""


def entries(folder: Path) -> list[str]:
    """Cache entries directly in ``folder``'s two-letter subfolders."""
    return sorted(p.name for p in folder.glob("*/*.png"))


def test_a_viewer_writes_only_to_the_viewers_cache(studio: Studio) -> None:  # noqa: F811
    images = studio.root.parent / "cache" / "portfolio-tui" / "images"
    client = studio.client(studio.viewer_key)
    try:
        assert client.wait_for(PHOTOS[0]), f"no grid over ssh:\n{client.text()[-2000:]}"
        quit_app(client)
    finally:
        client.close()
    assert entries(images) == []  # nothing of the viewer's among the curators' entries
    assert len(entries(images / VIEWERS_FOLDER)) >= len(PHOTOS)
    # A curator's session fills the shared cache as before; the viewer reads it next time.
    client = studio.client(studio.curator_key)
    try:
        assert client.wait_for(PHOTOS[0]), client.text()[-2000:]
        quit_app(client)
    finally:
        client.close()
    assert len(entries(images)) >= len(PHOTOS)
