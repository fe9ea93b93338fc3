"""A photo's facts: EXIF exposure data, pixel and file size, source."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from ...metadata import PhotoInfo
from ...portfolio import Photo
from ...text import clean

FIELDS = (
    ("Camera", "camera"),
    ("Lens", "lens"),
    ("Focal length", "focal_length"),
    ("Aperture", "aperture"),
    ("Shutter", "shutter"),
    ("ISO", "iso"),
    ("Taken", "taken"),
    ("Pixels", "pixel_size"),
    ("File size", "file_size_text"),
)


def info_rows(photo: Photo | None, info: PhotoInfo | None) -> list[tuple[str, str]]:
    """Label/value pairs for the panel (values cleaned; "—" where unknown)."""
    rows: list[tuple[str, str]] = []
    if photo is not None:
        rows.append(("File", clean(photo.rel)))
        rows.append(("Source", photo.source_label))
    if info is None:
        rows.append(("", "reading…"))
        return rows
    for label, attr in FIELDS:
        value = getattr(info, attr)
        rows.append((label, clean(value) if value else "—"))
    if info.error:
        rows.append(("Problem", clean(info.error)))
    return rows


class InfoPanel(Static):
    """Shows :func:`info_rows` as an aligned two-column list."""

    DEFAULT_CSS = """
    InfoPanel {
        height: auto;
        padding: 0 1;
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
    }
    """

    info: reactive[PhotoInfo | None] = reactive(None, always_update=True)
    photo: reactive[Photo | None] = reactive(None, always_update=True)

    def on_mount(self) -> None:
        self.border_title = "Info"
        self._update()

    def watch_info(self) -> None:
        self._update()

    def watch_photo(self) -> None:
        self._update()

    def _update(self) -> None:
        rows = info_rows(self.photo, self.info)
        width = max((len(label) for label, _ in rows), default=0)
        parts = [Content.assemble((f"{label:<{width}}  ", "dim"), value) for label, value in rows]
        self.update(Content("\n").join(parts))
