"""A comparison: its photos side by side at equal height, labelled, with notes below."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static
from textual.worker import Worker, WorkerState

from ...imaging import ImageError, probe
from ...metadata import PhotoInfo, read_info
from ...portfolio import Comparison, ComparisonSide
from ...text import clean
from ..commands import COMPARE, bindings
from ..safe import markdown_source, plain
from ..widgets.bars import TitleBar
from ..widgets.info_panel import InfoPanel
from ..widgets.photo_view import PhotoView

SHORT = 32
"""Below this height the comparison's notes start hidden."""


def _aspects(sides: tuple[ComparisonSide, ...]) -> list[float | None]:
    """Height/width of each side's photo, from headers only (worker thread)."""
    out: list[float | None] = []
    for side in sides:
        if side.photo is None:
            out.append(None)
            continue
        try:
            width, height = probe(side.photo.path).oriented_size
            out.append(height / width)
        except ImageError:
            out.append(None)
    return out


def _infos(sides: tuple[ComparisonSide, ...]) -> list[PhotoInfo | None]:
    return [read_info(s.photo.path) if s.photo else None for s in sides]


class CompareScreen(Screen[None]):
    """2 to 4 photos side by side, each with its label and source."""

    BINDINGS = bindings(COMPARE)

    show_info: var[bool] = var(False)
    show_notes: var[bool] = var(True)

    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison
        self._aspects: list[float | None] = []

    def compose(self) -> ComposeResult:
        c = self.comparison
        yield TitleBar(
            Content.assemble(("Compare  ›  ", "dim"), clean(c.title)),
            f"{len(c.sides)} photos",
        )
        with Horizontal(id="panes"):
            for i, side in enumerate(c.sides):
                with Vertical(classes="pane"):
                    yield Static(plain(side.label), classes="pane-label", markup=False)
                    yield PhotoView(side.photo, id=f"view-{i}", wait_for_fit=True)
                    if side.photo is None:
                        caption = Content.styled(f"missing: {clean(side.rel)}", "bold red")
                    else:
                        caption = Content.assemble(
                            (clean(side.photo.display_title), "bold"),
                            ("  ◆ " + side.photo.source_label, "dim"),
                        )
                    yield Static(caption, classes="pane-caption", markup=False)
                    panel = InfoPanel(classes="pane-info")
                    panel.set_reactive(InfoPanel.photo, side.photo)
                    yield panel
        with VerticalScroll(id="compare-notes"):
            yield Markdown(
                markdown_source(c.notes) if c.notes else "*No notes for this comparison.*",
                open_links=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        for panel in self.query(InfoPanel):
            panel.display = False
        # On a short terminal the faces matter more than the notes; N brings them back.
        self.show_notes = self.app.size.height >= SHORT
        self.run_worker(
            lambda: _aspects(self.comparison.sides),
            group="aspects",
            thread=True,
            exit_on_error=False,
        )

    def on_resize(self) -> None:
        self.call_after_refresh(self._equalise)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "aspects" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            for view in self.query(PhotoView):
                view.stop_waiting_for_fit()
        if event.state != WorkerState.SUCCESS:
            return
        if event.worker.group == "aspects":
            self._aspects = event.worker.result or []
            self.call_after_refresh(self._equalise)
        elif event.worker.group == "infos":
            for panel, info in zip(self.query(InfoPanel), event.worker.result or [], strict=False):
                panel.info = info

    def _equalise(self) -> None:
        """Draw every photo at the same pixel height: the tallest that fits them all."""
        views = list(self.query(PhotoView))
        heights: list[int] = []
        for view, aspect in zip(views, self._aspects, strict=False):
            width, rows = view.size
            if aspect is None or width <= 0 or rows <= 0:
                continue
            # Heights count half-cells; a cell's shape (in pixels) turns width into height.
            cell_w, cell_h = view.picture_settings.cell_size
            per_cell = 2 * cell_w / cell_h if view.picture_settings.graphics else 1.0
            heights.append(min(rows * 2, int(width * aspect * per_cell)))
        if not heights:
            if self._aspects:  # measured, and none usable: draw each at its own size
                for view in views:
                    view.stop_waiting_for_fit()
            return
        common = max(2, min(heights))
        for view in views:
            view.fit_height_px = common

    def watch_show_info(self, show: bool) -> None:
        for panel in self.query(InfoPanel):
            panel.display = show
        if show:
            self.run_worker(
                lambda: _infos(self.comparison.sides),
                group="infos",
                exclusive=True,
                thread=True,
                exit_on_error=False,
            )

    def watch_show_notes(self, show: bool) -> None:
        self.query_one("#compare-notes").display = show

    def action_toggle_info(self) -> None:
        """Show or hide each photo's details."""
        self.show_info = not self.show_info

    def action_toggle_notes(self) -> None:
        """Show or hide the comparison's notes."""
        self.show_notes = not self.show_notes

    def action_back(self) -> None:
        """Back to where the comparison was opened from."""
        self.app.leave(self)  # type: ignore[attr-defined]
