"""The comparison's details side by side: one row per fact, differences marked.

The Content Credentials rows (state, signer, generator, source type) show where
two photos' credentials differ: a signed original beside an AI image, or an
intact manifest beside an invalid one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.widgets import Static

from ...credentials import Credentials
from ...metadata import PhotoInfo
from ...text import clean, fit
from .info_panel import FIELDS, STATE_WORDS, source_type_label

MISSING = "—"


@dataclass(frozen=True)
class Column:
    """One photo's column: its label, what its file says, and its provenance."""

    label: str
    info: PhotoInfo | None
    provenance: str | None = None
    credentials: Credentials | None = None
    """Its Content Credentials as read (None: no photo, or not read)."""


CREDENTIAL_FIELDS: tuple[tuple[str, Callable[[Credentials], str | None]], ...] = (
    ("Credentials", lambda c: STATE_WORDS.get(c.state, c.state)),
    ("Signer", lambda c: c.signer),
    ("Generator", lambda c: c.generator),
    ("Source type", lambda c: source_type_label(c.source_type) if c.source_type else None),
)
"""The credentials' rows: a title, and the value from a photo's :class:`Credentials`."""


def rows_of(columns: Sequence[Column]) -> list[tuple[str, list[str], bool]]:
    """(field, one value per photo, whether they differ) for every field any photo has."""
    rows: list[tuple[str, list[str], bool]] = []
    for title, attribute in FIELDS:
        values = []
        for column in columns:
            value = getattr(column.info, attribute, None) if column.info is not None else None
            values.append(clean(str(value)) if value not in (None, "") else MISSING)
        if any(v != MISSING for v in values):
            rows.append((title, values, len(set(values)) > 1))
    provenance = [clean(c.provenance) if c.provenance else MISSING for c in columns]
    rows.append(("Provenance", provenance, len(set(provenance)) > 1))
    if any(c.credentials is not None for c in columns):
        for title, field in CREDENTIAL_FIELDS:
            values = []
            for column in columns:
                value = field(column.credentials) if column.credentials is not None else None
                values.append(clean(value) if value else MISSING)
            # The state always (none beside signed is the point); the rest where any says it.
            if title == "Credentials" or any(v != MISSING for v in values):
                rows.append((title, values, len(set(values)) > 1))
    return rows


class InfoDiff(Static):
    """A table of facts, a column per photo; rows that differ are highlighted."""

    DEFAULT_CSS = """
    InfoDiff {
        height: auto;
        padding: 0 2;
        border-top: solid $panel-lighten-2;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.columns: tuple[Column, ...] = ()

    def show_columns(self, columns: Sequence[Column]) -> None:
        """Fill the table."""
        self.columns = tuple(columns)
        self.update(self.table(self.size.width or 100))

    def on_resize(self) -> None:
        if self.columns:
            self.update(self.table(self.size.width))

    def table(self, width: int) -> Content:
        """The table as Content, fitted to ``width`` cells."""
        if not self.columns:
            return Content("")
        rows = rows_of(self.columns)
        head = max(cell_len(title) for title, _, _ in rows) + 4  # the marker, a gap
        each = max(8, (width - head - 4) // len(self.columns))
        lines = [
            Content.assemble(
                (" " * head, ""),
                *[(_pad(fit(clean(c.label), each - 2), each), "bold") for c in self.columns],
            )
        ]
        for title, values, differ in rows:
            style = "bold $warning" if differ else ""
            cells = [(_pad(fit(value, each - 2), each), style) for value in values]
            marker = "≠ " if differ else "  "
            lines.append(
                Content.assemble(
                    (marker, "bold $warning" if differ else "dim"),
                    (_pad(title, head - 2), "dim"),
                    *cells,
                )
            )
        return Content("\n").join(lines)


def _pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal cells (wide characters count twice)."""
    return text + " " * max(0, width - cell_len(text))
