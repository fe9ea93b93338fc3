"""Comparing photos: side by side with linked zoom and pan, split, flicker, details.

Opened on a comparison from the config (2 to 4 photos) or ad hoc from a
gallery (`c`: the select on the left, a candidate on the right, the other
photos of the gallery as further candidates). Modes:

- **side by side**: every photo at the same pixel height (fit), or all zoomed
  to the same scale and centre (linked zoom and pan; `u` unlinks);
- **split** (`|`): A and B at the same framing in one picture, a divider
  between them moved with `[` and `]`;
- **flicker** (`y`): A and B in turn, in place.

Notes and details (`N`, `i`) take their own rows below the photos, so they
never cover a face.

The curation keys (stars, flags, labels, tags, notes, undo) act on the active
photo: the one whose label is reversed (`Tab` moves it; in split the name marked
▸), or in flicker the one shown.
Each caption shows its photo's stars, flag and label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Markdown, Static

from ...imaging import ImageError, probe
from ...imaging.viewport import Viewport
from ...portfolio import Comparison, ComparisonSide, Photo
from ...provenance import Provenance, provenance
from ...text import clean
from ..commands import COMPARE, CURATE, bindings
from ..curation_keys import CurationActions, curation_badge
from ..decoding import DECODER
from ..jobs import JobDone, JobFailed, Jobs
from ..navigation import navigation
from ..safe import markdown_source
from ..widgets.bars import KeysFooter, TitleBar
from ..widgets.info_diff import Column, InfoDiff
from ..widgets.info_panel import badge, provenance_text, read_facts
from ..widgets.photo_view import PhotoView

SHORT = 32
"""Below this height the notes start hidden."""
MAX_PANES = 4
DIVIDER_STEP = 0.05
MODES = {"side": "side by side", "split": "split", "flicker": "flicker"}

Size = tuple[int, int]


class SizesMeasured(JobDone[list[Size | None]]):
    """Each side's upright pixel size (None where unreadable), in the order of the sides."""


class SizesFailed(JobFailed):
    """Measuring the sides failed or was replaced: draw each at its own size meanwhile."""


class InfoColumnsRead(JobDone[list[Column]]):
    """The details table's columns, one per side."""


class ProvenancesRead(JobDone[tuple[list[ComparisonSide], list[Provenance | None]]]):
    """The sides as they were when read, and each one's provenance badge."""


def _sizes(photos: Sequence[Photo | None]) -> list[Size | None]:
    """Each photo's upright pixel size, from headers only (worker thread)."""
    out: list[Size | None] = []
    for photo in photos:
        if photo is None:
            out.append(None)
            continue
        try:
            out.append(probe(photo.real_path).oriented_size)
        except ImageError:
            out.append(None)
    return out


def _columns(sides: Sequence[ComparisonSide]) -> list[Column]:
    """Details of every side (worker thread)."""
    columns = []
    for side in sides:
        if side.photo is None:
            columns.append(Column(side.label, None, None))
            continue
        info, found = read_facts(side.photo)
        text = provenance_text(found, side.photo)
        columns.append(Column(side.label, info, text, found.credentials))
    return columns


def _provenances(sides: Sequence[ComparisonSide]) -> list[Provenance | None]:
    """Each side's provenance badge (worker thread: reads XMP)."""
    return [provenance(side.photo) if side.photo else None for side in sides]


def notes_markdown(comparison: Comparison, sides: Sequence[ComparisonSide]) -> str:
    """The comparison's notes, then each photo's, as one Markdown document."""
    parts = [markdown_source(comparison.notes) if comparison.notes else ""]
    for side in sides:
        if side.photo is not None and side.photo.notes.strip():
            title = clean(side.label or side.photo.display_title).replace("#", "")
            parts.append(f"### {title}\n\n{markdown_source(side.photo.notes)}")
    text = "\n\n".join(p for p in parts if p)
    return text or "*No notes for this comparison.*"


class CompareScreen(CurationActions, Screen[None]):
    """Photos compared side by side, split or in turn, zoomed together."""

    # The comparison's own keys first: where a key is in both (u links), it keeps its
    # meaning here; the curation command is still in the palette.
    BINDINGS = bindings(COMPARE + CURATE)

    DEFAULT_CSS = """
    CompareScreen .pane.-active > .pane-label { text-style: bold reverse; }
    """

    show_info: var[bool] = var(False)
    show_notes: var[bool] = var(True)
    mode: var[str] = var("side")
    flipped: var[bool] = var(False)
    linked: var[bool] = var(True)
    active: var[int] = var(0)
    divider: var[float] = var(0.5)

    def __init__(
        self,
        comparison: Comparison,
        candidates: Sequence[Photo] = (),
    ) -> None:
        super().__init__()
        self.comparison = comparison
        self.sides: list[ComparisonSide] = list(comparison.sides[:MAX_PANES])
        self.candidates = tuple(candidates)
        """Ad hoc comparisons: the gallery's photos, stepped through on the right."""
        self.viewports: list[Viewport] = [Viewport() for _ in self.sides]
        self._provenance: dict[str, Provenance | None] = {}
        self._photo_sizes: list[Size | None] = []
        self._jobs = Jobs(self)

    # -- layout ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TitleBar(Content.assemble(("Compare  ›  ", "dim"), clean(self.comparison.title)))
        with Horizontal(id="panes"):
            for i in range(len(self.sides)):
                with Vertical(classes="pane", id=f"pane-{i}"):
                    yield Static("", classes="pane-label", markup=False)
                    yield PhotoView(None, id=f"view-{i}", wait_for_fit=True)
                    yield Static("", classes="pane-caption", markup=False)
        yield InfoDiff(id="info-diff")
        with VerticalScroll(id="compare-notes"):
            yield Markdown(notes_markdown(self.comparison, self.sides), open_links=False)
        yield KeysFooter()

    @property
    def views(self) -> list[PhotoView]:
        return [self.query_one(f"#view-{i}", PhotoView) for i in range(len(self.sides))]

    def on_mount(self) -> None:
        self.query_one(InfoDiff).display = False
        # On a short terminal the faces matter more than the notes; N brings them back.
        self.show_notes = self.app.size.height >= SHORT
        self._apply()
        self._measure()

    def _measure(self) -> None:
        photos = [side.photo for side in self.sides]
        self._jobs.start(lambda: _sizes(photos), SizesMeasured, SizesFailed)
        sides = list(self.sides)
        self._jobs.start(lambda: (sides, _provenances(sides)), ProvenancesRead)

    def on_resize(self) -> None:
        self.call_after_refresh(self._equalise)

    @on(SizesFailed)
    def _sizes_failed(self, message: SizesFailed) -> None:
        # Any measuring that failed or was replaced: no common height is coming for now.
        for view in self.views:
            view.stop_waiting_for_fit()

    @on(SizesMeasured)
    def _sizes_measured(self, message: SizesMeasured) -> None:
        if not self._jobs.current(message):
            return
        self._photo_sizes = message.result
        self.call_after_refresh(self._equalise)
        self._update_status()

    @on(InfoColumnsRead)
    def _info_columns_read(self, message: InfoColumnsRead) -> None:
        if self._jobs.current(message):
            self.query_one(InfoDiff).show_columns(message.result)

    @on(ProvenancesRead)
    def _provenances_read(self, message: ProvenancesRead) -> None:
        if not self._jobs.current(message):
            return
        sides, found = message.result
        for side, item in zip(sides, found, strict=False):
            if side.photo is not None:
                self._provenance[side.photo.rel] = item
        self._apply()

    def _photo_size(self, index: int) -> Size | None:
        return self._photo_sizes[index] if index < len(self._photo_sizes) else None

    def _equalise(self) -> None:
        """Fit: draw every photo at the same pixel height, the tallest that fits them all."""
        views = self.views
        heights: list[int] = []
        for index, view in enumerate(views):
            size = self._photo_size(self._shown_index(index))
            width, rows = view.size
            if size is None or width <= 0 or rows <= 0 or not view.display:
                continue
            aspect = size[1] / max(1, size[0])
            # Heights count half-cells; a cell's shape (in pixels) turns width into height.
            cell_w, cell_h = view.picture_settings.cell_size
            per_cell = 2 * cell_w / cell_h if view.picture_settings.graphics else 1.0
            heights.append(min(rows * 2, int(width * aspect * per_cell)))
        if not heights:
            if self._photo_sizes:  # measured, and none usable: draw each at its own size
                for view in views:
                    view.stop_waiting_for_fit()
            return
        common = max(2, min(heights))
        for view in views:
            view.fit_height_px = common

    def _shown_index(self, pane: int) -> int:
        """Which side pane ``pane`` shows in the current mode."""
        if self.mode == "flicker" and pane == 0 and self.flipped:
            return 1
        return pane

    def _apply(self) -> None:
        """Point every view at what the mode, sides and viewports say it shows."""
        single = self.mode in ("split", "flicker") and len(self.sides) >= 2
        for pane, view in enumerate(self.views):
            box = self.query_one(f"#pane-{pane}")
            box.display = pane == 0 or not single
            index = self._shown_index(pane)
            side = self.sides[index]
            view.photo = side.photo
            view.viewport = self.viewports[0 if single else index]
            if self.mode == "split" and pane == 0 and len(self.sides) >= 2:
                view.second = self.sides[1].photo
                view.divider = self.divider
            else:
                view.divider = None
                view.second = None
        self._show_captions()
        self.call_after_refresh(self._equalise)
        self._update_status()

    def _marker(self, index: int) -> str:
        """``▸ `` before the active side's label: unlinked, and in split (one label for two)."""
        marked = self.mode == "split" or (self.mode == "side" and not self.linked)
        return "▸ " if marked and len(self.sides) > 1 and index == self._active_index() else ""

    def _show_captions(self) -> None:
        """Each pane's label (the active one marked) and caption (title, badges, curation)."""
        single = self.mode in ("split", "flicker") and len(self.sides) >= 2
        for pane in range(len(self.sides)):
            box = self.query_one(f"#pane-{pane}")
            index = self._shown_index(pane)
            side = self.sides[index]
            # The active photo's label stands out (reversed): the curation keys act on it.
            box.set_class(
                not single and len(self.sides) > 1 and index == self._active_index(), "-active"
            )
            label = box.query_one(".pane-label", Static)
            caption = box.query_one(".pane-caption", Static)
            if single and self.mode == "split":
                label.update(
                    Content.assemble(
                        self._marker(0),
                        clean(self.sides[0].label),
                        ("  ◀ │ ▶  ", "dim"),
                        self._marker(1),
                        clean(self.sides[1].label),
                    )
                )
            elif single:
                label.update(Content.assemble((f"{'AB'[index]}  ", "bold"), clean(side.label)))
            else:
                label.update(Content.assemble(self._marker(index), clean(side.label)))
            if single and self.mode == "split":
                caption.update(
                    Content.assemble(self._caption(0), ("   │   ", "dim"), self._caption(1))
                )
            else:
                caption.update(self._caption(index))

    def _caption(self, index: int) -> Content:
        side = self.sides[index]
        if side.photo is None:
            return Content.styled(f"missing: {clean(side.rel)}", "bold red")
        found = self._provenance.get(side.photo.rel)
        curation = curation_badge(self.portfolio_app.curator.snapshot.photo(side.photo.rel))
        return Content.assemble(
            (clean(side.photo.display_title), "bold"),
            "  ",
            badge(found, side.photo),
            *(("  ", Content.from_rich_text(curation)) if curation else ()),
        )

    # -- curation ------------------------------------------------------------------
    def _active_index(self) -> int:
        """The side the curation keys act on: the one shown in flicker, else the active one."""
        if self.mode == "flicker" and len(self.sides) >= 2:
            return self._shown_index(0)
        return min(self.active, len(self.sides) - 1)

    def curation_photo(self) -> Photo | None:
        return self.sides[self._active_index()].photo if self.sides else None

    def curation_next(self) -> None:
        """Auto-advance: on the candidate's side, the next candidate comes in."""
        if self._active_index() == 1:
            self._step_candidate(1, silent=True)

    def curation_changed(self, photos: set[str] | None) -> None:
        """Redraw the captions if a photo shown here changed (or the flags did)."""
        if not self.is_mounted:
            return
        shown = {side.photo.rel for side in self.sides if side.photo is not None}
        if photos is None or not photos or shown & photos:
            self._show_captions()

    def _update_status(self) -> None:
        parts = [f"{len(self.sides)} photos", MODES[self.mode]]
        zoom = self._zoom_text()
        if zoom:
            parts.append(zoom)
        if len(self.sides) > 1:
            parts.append("linked" if self.linked else "unlinked")
        if self.candidates and len(self.sides) >= 2 and self.sides[1].photo in self.candidates:
            position = self.candidates.index(self.sides[1].photo) + 1
            parts.append(f"candidate {position}/{len(self.candidates)}")
        self.query_one(TitleBar).set(status="  ·  ".join(parts))

    def _zoom_text(self) -> str | None:
        index = 0 if self.linked else self.active
        size = self._photo_size(index)
        if size is None or not self.views:
            return None
        viewport = self.viewports[index]
        view = self.views[min(index, len(self.views) - 1)]
        return "fit" if viewport.is_fit else f"{viewport.percent(size, view.pixel_box)} %"

    # -- zoom and pan -------------------------------------------------------------
    def _targets(self) -> list[int]:
        """The sides the zoom and pan keys move: all when linked, else the active one."""
        if self.linked or self.mode != "side":
            return list(range(len(self.sides)))
        return [self.active]

    def _change(self, how: str, dx: float = 0.0, dy: float = 0.0) -> bool:
        """Apply a viewport change to the targets; False if nothing could change."""
        lead = 0 if self.linked or self.mode != "side" else self.active
        size = self._photo_size(lead)
        if size is None:
            return False
        view = self.views[0 if self.mode != "side" else lead].pixel_box
        current = self.viewports[lead]
        if how == "toggle":
            new = current.toggled().clamped(size, view)
        elif how == "in":
            new = current.zoomed_in(size, view)
        elif how == "out":
            new = current.zoomed_out(size, view)
        elif how == "pan":
            if current.is_fit:
                return False
            new = current.panned(dx, dy, size, view)
        else:  # drag: dx, dy are screen pixels
            if current.is_fit:
                return False
            new = current.dragged(dx, dy, size, view)
        for index in self._targets():
            self.viewports[index] = new
        self._apply()
        return True

    def action_toggle_zoom(self) -> None:
        """Fit <-> 100 %."""
        self._change("toggle")

    def action_zoom(self, step: int) -> None:
        """A zoom step in (1) or out (-1)."""
        self._change("in" if step > 0 else "out")

    def action_move(self, dx: int, dy: int) -> None:
        """Arrows: pan when zoomed; at fit, left and right step the candidate."""
        from ...imaging.viewport import PAN_STEP

        if self._change("pan", dx * PAN_STEP, dy * PAN_STEP):
            return
        if dx and dy == 0:
            self._step_candidate(dx)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not event.button or not (event.delta_x or event.delta_y):
            return
        widget, _ = self.app.get_widget_at(event.screen_x, event.screen_y)
        if not isinstance(widget, PhotoView) or widget not in self.views:
            return
        if not self.linked and self.mode == "side":
            self.active = self.views.index(widget)
        width, height = widget.size
        box_w, box_h = widget.pixel_box
        self._change(
            "drag", event.delta_x * box_w / max(1, width), event.delta_y * box_h / max(1, height)
        )

    def action_toggle_link(self) -> None:
        """Link or unlink zoom and pan; linking again makes every photo follow the active one."""
        self.linked = not self.linked
        if self.linked:
            lead = self.viewports[self.active]
            self.viewports = [lead for _ in self.sides]
        self._apply()
        self.notify(
            "Zoom and pan linked" if self.linked else "Unlinked: Tab picks the photo to move",
            markup=False,
            timeout=2,
        )

    def action_next_pane(self) -> None:
        """The next photo becomes the active one (curation keys; unlinked zoom and pan).

        Every zoom and pan stays as it is.
        """
        self.active = (self.active + 1) % len(self.sides)
        self._apply()

    # -- sides ---------------------------------------------------------------------
    def action_swap(self) -> None:
        """A <-> B."""
        if len(self.sides) < 2:
            return
        self.sides[0], self.sides[1] = self.sides[1], self.sides[0]
        self.viewports[0], self.viewports[1] = self.viewports[1], self.viewports[0]
        self._sides_changed()

    def action_promote(self) -> None:
        """The candidate becomes the select; the next candidate comes in on the right."""
        if len(self.sides) < 2 or self.sides[1].photo is None:
            return
        select = self.sides[1]
        self.sides[0] = replace(select, label="Select")
        self.sides[1] = replace(self.sides[1], label="Candidate")
        self._photo_sizes = []
        if not self._step_candidate(1, silent=True):
            self.sides[1] = replace(select, label="Candidate")
        self._sides_changed()

    def _step_candidate(self, step: int, silent: bool = False) -> bool:
        """Put the previous/next photo of the gallery on the right (ad hoc comparisons)."""
        if not self.candidates or len(self.sides) < 2:
            if not silent:
                self.notify("Zoom in (z or +) to pan; candidates come from a gallery", timeout=2)
            return False
        select = self.sides[0].photo
        current = self.sides[1].photo
        pool = [p for p in self.candidates if p != select]
        if not pool:
            return False
        index = pool.index(current) if current in pool else -1
        index = (index + step) % len(pool)
        self.sides[1] = ComparisonSide(pool[index].rel, "Candidate", pool[index])
        self._sides_changed()
        # The candidates either side, in the direction of travel first, drawn ahead
        # (at the common height the pair has now: headshots mostly share a shape).
        ahead = [pool[(index + step * n) % len(pool)] for n in (1, 2, -1)]
        self.call_after_refresh(
            self._look_ahead, [p for p in dict.fromkeys(ahead) if p != pool[index]]
        )
        return True

    def _look_ahead(self, photos: list[Photo]) -> None:
        if self.is_attached and len(self.views) >= 2:
            self.views[1].look_ahead(photos, owner=self)

    def on_unmount(self) -> None:
        DECODER.retain(self, [])

    def _sides_changed(self) -> None:
        self._apply()
        self._measure()
        self.query_one(Markdown).update(notes_markdown(self.comparison, self.sides))
        if self.show_info:
            self._read_infos()

    # -- split and flicker ------------------------------------------------------------
    def action_toggle_split(self) -> None:
        """Split view on or off."""
        if len(self.sides) < 2:
            return
        self.mode = "side" if self.mode == "split" else "split"

    def action_divider(self, step: int) -> None:
        """Move the split divider."""
        if self.mode != "split":
            self.notify("Press | for the split view first", timeout=2)
            return
        self.divider = min(0.95, max(0.05, round(self.divider + step * DIVIDER_STEP, 2)))

    def action_flicker(self) -> None:
        """Show B in place of A, then A again, ..."""
        if len(self.sides) < 2:
            return
        if self.mode != "flicker":
            self.mode = "flicker"
            self.flipped = True
        else:
            self.flipped = not self.flipped

    def watch_mode(self) -> None:
        if self.is_mounted:
            self._apply()

    def watch_flipped(self) -> None:
        if self.is_mounted:
            self._apply()

    def watch_divider(self) -> None:
        if self.is_mounted:
            self._apply()

    # -- details and notes --------------------------------------------------------------
    def watch_show_info(self, show: bool) -> None:
        if not self.is_mounted:
            return
        self.query_one(InfoDiff).display = show
        if show:
            self._read_infos()

    def _read_infos(self) -> None:
        sides = list(self.sides)
        self._jobs.start(lambda: _columns(sides), InfoColumnsRead)

    def watch_show_notes(self, show: bool) -> None:
        self.query_one("#compare-notes").display = show

    def action_toggle_info(self) -> None:
        """Show or hide the details table."""
        self.show_info = not self.show_info

    def action_toggle_notes(self) -> None:
        """Show or hide the notes."""
        self.show_notes = not self.show_notes

    def action_present(self) -> None:
        """This comparison as a reveal, full screen: each photo alone, then side by side."""
        navigation(self.app).present_comparison(replace(self.comparison, sides=tuple(self.sides)))

    def action_back(self) -> None:
        """Out of split or flicker first; then back to where the comparison was opened."""
        if self.mode != "side":
            self.mode = "side"
            return
        navigation(self.app).leave(self)

    @property
    def status(self) -> str:
        """The title bar's status text (for tests)."""
        bar = self.query_one(TitleBar).query_one("#status", Static)
        return str(bar.visual) if bar.visual is not None else ""
