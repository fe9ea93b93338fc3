"""A photo's facts: EXIF exposure data, pixel and file size, colour profile, provenance.

Provenance includes the photo's C2PA Content Credentials: the badge says whether
they are verified, and the panel's "Content Credentials" section lists what the
manifest says. Every string in them came from the file and is cleaned here.
"""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from ...credentials import INVALID, NONE, TRUSTED, UNKNOWN_SIGNER, UNREADABLE, Credentials
from ...metadata import PhotoInfo, read_info
from ...portfolio import UNKNOWN_SOURCE_LABEL, Photo
from ...provenance import CREDENTIALS, Provenance, code_label, provenance
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


CREDENTIAL_STYLES = {
    TRUSTED: "bold $success",
    UNKNOWN_SIGNER: "$warning",
    INVALID: "bold $error",
    UNREADABLE: "$warning",
}
"""The badge's style when Content Credentials decide it (else :data:`BADGE_STYLES`)."""

STATE_WORDS = {
    TRUSTED: "verified ✓ (signer on the trust list)",
    UNKNOWN_SIGNER: "intact, unknown signer (not on the trust list)",
    INVALID: "invalid ✗",
    UNREADABLE: "unreadable",
    NONE: "none",
}
"""Each credentials state in words, for the info panel and the comparison's details."""

NO_CREDENTIALS_LINE = "No Content Credentials"


def credentials_of(found: Provenance | None) -> Credentials | None:
    """The credentials a provenance was read with; None until read."""
    return found.credentials if found is not None else None


def badge(found: Provenance | None, photo: Photo) -> Content:
    """``◆ AI-generated · signed by Adobe Firefly ✓`` in its colour.

    Until read, the config's label, dim. Verified credentials show in the
    theme's success colour, invalid ones in its error colour, an unknown signer
    (or an unreadable manifest) in its warning colour; without credentials, the
    badge's own colour.
    """
    if found is None:
        return Content.styled(f"◆ {clean(photo.source_label)}", "dim")
    state = found.credentials.state
    style = CREDENTIAL_STYLES.get(state) or BADGE_STYLES.get(found.badge or "", "dim")
    content = Content.styled(f"◆ {clean(found.text)}", style)
    if found.conflict:
        content = Content.assemble(content, (f" ⚠ {_disagreement(found)}", "$warning"))
    return content


def _disagreement(found: Provenance) -> str:
    """Who disagrees with the badge, in a few words (:attr:`Provenance.conflict` says how)."""
    if found.origin != CREDENTIALS:  # the config decided, and the XMP says otherwise
        return "the file's XMP disagrees"
    conflict = found.conflict or ""
    config, xmp = "the config says" in conflict, "XMP says" in conflict
    if config and xmp:
        return "the config and the XMP disagree"
    return "the config disagrees" if config else "the file's XMP disagrees"


def provenance_text(found: Provenance | None, photo: Photo | None) -> str:
    """``AI-generated (XMP: trainedAlgorithmicMedia)``; the config's word as it is."""
    if found is None:
        return clean(photo.source_label) if photo is not None else "—"
    text = found.text
    if found.origin == "metadata" and found.source_type:
        text += f" (XMP: {found.source_type})"
    if found.conflict:
        text += f"  ⚠ {_disagreement(found)}"
    return clean(text)


def action_name(action: str) -> str:
    """``c2pa.created`` -> ``created``; ``c2pa.color_adjustments`` -> ``color adjustments``."""
    name = action.removeprefix("c2pa.")
    return clean(name.replace("_", " ").replace(".", " ").strip() or action)


def source_type_label(code: str) -> str:
    """An IPTC digital source type code (or its full URL) as words: "AI-generated"."""
    short = code.rstrip("/").rsplit("/", 1)[-1]
    label = code_label(short)
    return clean(short if label == UNKNOWN_SOURCE_LABEL else label)


def credential_rows(credentials: Credentials) -> list[tuple[str, str]]:
    """Label/value pairs for the "Content Credentials" section (values cleaned).

    Empty for a photo without credentials: the panel then says so in one line.
    """
    if credentials.state == NONE:
        return []
    rows = [("State", STATE_WORDS.get(credentials.state, clean(credentials.state)))]
    if credentials.problem:
        rows.append(("Problem", clean(credentials.problem)))
    # The reader's status codes: failures for invalid credentials, else why not trusted.
    failing = credentials.state in (INVALID, UNREADABLE)
    title = ("Failure" if failing else "Code") + ("s" if len(credentials.codes) > 1 else "")
    rows += [(title, clean(code)) for code in credentials.codes]
    facts = (
        ("Signer", credentials.signer),
        ("Generator", credentials.generator),
        ("Device", credentials.device),
        ("Signed at", credentials.signed_at),
    )
    rows += [(label, clean(value)) for label, value in facts if value]
    if credentials.source_type:
        rows.append(("Source type", source_type_label(credentials.source_type)))
    for action in credentials.actions:
        text = action_name(action.action)
        if action.source_type:
            text += f" ({source_type_label(action.source_type)})"
        if action.software:
            text += f" · {clean(action.software)}"
        rows.append(("Action", text))
    for code in credentials.ingredient_source_types:
        rows.append(("Ingredient", source_type_label(code)))
    if credentials.sidecar:
        rows.append(("From", "a .c2pa sidecar"))
    # One label per group: "Action" once, the next actions under it.
    return [
        (label if i == 0 or rows[i - 1][0] != label else "", v) for i, (label, v) in enumerate(rows)
    ]


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
        credentials = credentials_of(self.provenance) if self.info is not None else None
        extra = credential_rows(credentials) if credentials is not None else []
        width = max((len(label) for label, _ in rows + extra), default=0)
        parts = [_row(label, value, width) for label, value in rows]
        if credentials is not None:
            parts.append(Content(""))
            if extra:
                parts.append(Content.styled("Content Credentials", "bold"))
                parts += [_row(label, value, width) for label, value in extra]
            else:
                parts.append(Content.styled(NO_CREDENTIALS_LINE, "dim"))
        self.update(Content("\n").join(parts))


def _row(label: str, value: str, width: int) -> Content:
    """One aligned label/value line (the value is already cleaned)."""
    return Content.assemble((f"{label:<{width}}  ", "dim"), value)
