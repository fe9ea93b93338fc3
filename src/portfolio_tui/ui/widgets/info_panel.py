"""A photo's facts: EXIF exposure data, pixel and file size, colour profile, provenance."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from ...metadata import PhotoInfo, read_info
from ...portfolio import Photo
from ...provenance import Provenance, provenance
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
    ("Colour profile", "color_profile"),
)


def read_facts(photo: Photo) -> tuple[PhotoInfo, Provenance]:
    """What the file says and where the photo came from (worker threads: opens files)."""
    return read_info(photo.real_path), provenance(photo)


BADGE_STYLES = {
    "camera": "bold $success",
    "ai": "bold $error",
    "composite": "bold $warning",
    "retouched": "bold $accent",
}


def badge(found: Provenance | None, photo: Photo) -> Content:
    """``◆ AI-generated`` in the badge's colour (the config's label, dim, until read)."""
    if found is None:
        return Content.styled(f"◆ {photo.source_label}", "dim")
    content = Content.styled(f"◆ {found.label}", BADGE_STYLES.get(found.badge or "", "dim"))
    if found.conflict:
        content = Content.assemble(content, (" ⚠ the file's XMP disagrees", "$warning"))
    return content


def provenance_text(found: Provenance | None, photo: Photo | None) -> str:
    """``AI-generated (XMP: trainedAlgorithmicMedia)``; the config's word as it is."""
    if found is None:
        return photo.source_label if photo is not None else "—"
    text = found.label
    if found.origin == "metadata" and found.source_type:
        text += f" (XMP: {found.source_type})"
    if found.conflict:
        text += "  ⚠ the file's XMP disagrees"
    return clean(text)


def info_rows(
    photo: Photo | None, info: PhotoInfo | None, found: Provenance | None = None
) -> list[tuple[str, str]]:
    """Label/value pairs for the panel (values cleaned; "—" where unknown)."""
    rows: list[tuple[str, str]] = []
    if photo is not None:
        rows.append(("File", clean(photo.rel)))
        if photo.raw is not None:  # a RAW+JPEG pair: both files are the photo
            rows.append(("RAW", clean(photo.rel[: -len(photo.name)] + photo.raw.name)))
        rows.append(("Source", provenance_text(found, photo)))
    if info is None:
        rows.append(("", "reading…"))
        return rows
    for label, attr in FIELDS:
        value = getattr(info, attr)
        rows.append((label, clean(value) if value else "—"))
    if info.format and info.format.endswith("(RAW)"):  # a RAW is not drawn as it is stored
        rows.append(("Format", clean(info.format)))
    if info.drawn_from:
        rows.append(("Drawn from", clean(info.drawn_from)))
    if info.colour_conversion:  # sRGB photos (most) are drawn as they are: nothing to say
        rows.append(("Colour", clean(info.colour_conversion)))
    if info.dynamic_range:  # only where there is something to say: most photos are SDR
        rows.append(("Dynamic range", info.dynamic_range))
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
    provenance: reactive[Provenance | None] = reactive(None, always_update=True)

    def on_mount(self) -> None:
        self.border_title = "Info"
        self._update()

    def watch_info(self) -> None:
        self._update()

    def watch_photo(self) -> None:
        self._update()

    def watch_provenance(self) -> None:
        self._update()

    def _update(self) -> None:
        rows = info_rows(self.photo, self.info, self.provenance)
        width = max((len(label) for label, _ in rows), default=0)
        parts = [Content.assemble((f"{label:<{width}}  ", "dim"), value) for label, value in rows]
        self.update(Content("\n").join(parts))
