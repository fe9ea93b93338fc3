"""The blind test: a comparison shown with nothing that names its sides, in a shuffled order.

Pushed over present mode (``b`` on a comparison, or ``--blind``). The client sees
the photos numbered 1 to 4 and nothing else: no side labels, no title, no file
names, no notes, no badges. She says which she prefers (its number, or the arrows
and Enter) and which she believes is the real photograph (``h``); once both are
given (or ``r``), everything is revealed: each side's label and title, its
provenance badge (Content Credentials included, read in a worker beforehand), her
answers, and whether she told real from AI. The answer, with the order shown, is
saved with the client's picks (:meth:`Picker.save_answer`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Static

from ...portfolio import Comparison, ComparisonSide, Photo
from ...provenance import Provenance, provenance
from ...store.blind import BlindAnswer, told_real_from_ai
from ...text import clean, count, fit
from ..commands import BLIND, bindings
from ..jobs import JobDone, JobFailed, Jobs
from ..navigation import Navigation, navigation
from ..widgets.photo_view import PhotoView

PREFERRED = "♥ preferred"
REAL = "◆ the real one"


class BadgesRead(JobDone[list[Provenance]]):
    """Each side's provenance, in the order shown."""


class BadgesFailed(JobFailed):
    """The provenance could not be read (the reveal says the source is unknown)."""


@dataclass(frozen=True)
class BlindResult:
    """What the screen dismisses with: the answer given (None: left before the reveal)."""

    answer: BlindAnswer | None
    revealed: bool


class BlindPhotoView(PhotoView):
    """A photo that never shows its file name, even when it cannot be drawn."""

    def render_line(self, y: int) -> Strip:
        rendered = self.rendered
        if self.photo is not None and rendered is not None and rendered.error:
            width, height = self.size
            base = self.rich_style
            if y != height // 2:
                return Strip.blank(width, base)
            text = fit("⚠ this photo cannot be drawn", width)
            pad = max(0, (width - cell_len(text)) // 2)
            style = base + self.get_component_rich_style("photo-view--error")
            return Strip(
                [Segment(" " * pad, base), Segment(text, style)], width
            ).extend_cell_length(width, base)
        return super().render_line(y)


class BlindScreen(Screen[BlindResult]):
    """One comparison, blind; dismisses with the answer (see :class:`BlindResult`)."""

    BINDINGS = bindings(BLIND)
    presenting = True
    """The app keeps notices (other curators' saves) off this screen, as off present mode."""

    DEFAULT_CSS = """
    BlindScreen {
        background: $background;
    }
    #blind-sides {
        height: 1fr;
    }
    .blind-side {
        width: 1fr;
        height: 1fr;
        padding: 0 1;
    }
    #blind-question, #blind-result {
        height: auto;
        padding: 0 2;
        text-align: center;
        color: $text;
    }
    #blind-result {
        text-align: left;
        max-height: 10;
    }
    """

    def __init__(self, comparison: Comparison, *, rng: random.Random | None = None) -> None:
        super().__init__()
        self.comparison = comparison
        sides = [side for side in comparison.sides if side.photo is not None]
        (rng or random.Random()).shuffle(sides)
        self.sides: list[ComparisonSide] = sides
        """The sides as shown, left to right (shuffled for each showing)."""
        self.cursor = 0
        self.preferred: int | None = None
        self.real: int | None = None
        self.revealed = False
        self.badges: list[Provenance] | None = None
        self.answer: BlindAnswer | None = None
        self.saved: str = ""
        """What became of the answer, in words (shown after the reveal)."""
        self._finished = False
        self._jobs = Jobs(self)

    @property
    def portfolio_app(self) -> Navigation:
        return navigation(self.app)

    @property
    def photos(self) -> list[Photo]:
        """The photos as shown, left to right."""
        return [side.photo for side in self.sides if side.photo is not None]

    def compose(self) -> ComposeResult:
        with Horizontal(id="blind-sides"):
            for i, photo in enumerate(self.photos):
                with Vertical(classes="blind-side", id=f"blind-side-{i}"):
                    yield BlindPhotoView(photo, id=f"blind-photo-{i}")
        yield Static(id="blind-question", markup=False)
        yield Static(id="blind-result", markup=False)

    def on_mount(self) -> None:
        photos = self.photos
        # Read now, shown only at the reveal: by then the badges are usually there.
        self._jobs.start(
            lambda: [provenance(photo) for photo in photos],
            BadgesRead,
            BadgesFailed,
            description="blind test: provenance",
        )
        self._show()

    # -- drawing ------------------------------------------------------------------------
    def _show(self) -> None:
        for i, view in enumerate(self.query(BlindPhotoView).results(BlindPhotoView)):
            view.label = self._label(i)
        self.query_one("#blind-question", Static).update(self._question())
        result = self.query_one("#blind-result", Static)
        result.display = self.revealed
        if self.revealed:
            result.update(self._result())

    def _marks(self, i: int) -> list[tuple[str, str]]:
        marks = []
        if self.preferred == i:
            marks.append((f"  {PREFERRED}", "bold red"))
        if self.real == i:
            marks.append((f"  {REAL}", "bold"))
        return marks

    def _label(self, i: int) -> Content:
        """Under each photo: its number (before the reveal, nothing else), and her answers."""
        number = str(i + 1)
        if not self.revealed:
            here = i == self.cursor
            head = (f"▸ {number} ◂", "bold reverse") if here else (f"  {number}  ", "bold")
            return Content.assemble(head, *self._marks(i))
        side = self.sides[i]
        return Content.assemble((f"{number} · {clean(side.label)}", "bold"), *self._marks(i))

    def _question(self) -> Content:
        if self.revealed:
            return Content.assemble(
                (clean(self.comparison.title), "bold"), ("    Enter or Esc: back", "dim")
            )
        n = len(self.sides)
        parts = [
            ("Which photograph do you prefer? ", "bold"),
            (f"1-{n}, or ← → and Enter", "dim"),
            ("      Which one is the real photograph? ", "bold"),
            ("h", "dim"),
        ]
        return Content.assemble(*parts)

    def _result(self) -> Content:
        """After the reveal: each side's label, title and badge, and how she did."""
        lines = []
        for i, side in enumerate(self.sides):
            photo = side.photo
            assert photo is not None
            badge = self.badges[i].text if self.badges is not None else "reading the source…"
            lines.append(
                Content.assemble(
                    (f"{i + 1}  ", "bold"),
                    (clean(side.label), "bold"),
                    ("  ·  " + clean(photo.display_title), ""),
                    (f"  ({clean(photo.rel)})", "dim"),
                    ("  ·  " + clean(badge), "italic"),
                    *self._marks(i),
                )
            )
        lines.append(Content(""))
        lines.append(Content(self._verdict()))
        if self.saved:
            lines.append(Content.styled(self.saved, "dim"))
        return Content("\n").join(lines)

    def _verdict(self) -> str:
        if self.badges is None:
            return "Reading where each photo came from…"
        if self.real is None:
            return "No photograph was marked as the real one."
        correct = self._correct()
        if correct is None:
            return (
                "Real or AI cannot be told here: the sources do not include both a camera "
                "original and an AI-generated or composite image."
            )
        real = [i + 1 for i, b in enumerate(self.badges) if b.badge == "camera"]
        which = " and ".join(str(n) for n in real)
        if correct:
            return f"✓ Told real from AI: {which} is the real photograph."
        return f"✗ Not this time: the real photograph is {which}."

    def _correct(self) -> bool | None:
        if self.badges is None:
            return None
        return told_real_from_ai([b.badge for b in self.badges], self.real)

    # -- the answer ---------------------------------------------------------------------
    @on(BadgesRead)
    def _badges_read(self, message: BadgesRead) -> None:
        if self._jobs.current(message):
            self.badges = message.result
            self._finish()

    @on(BadgesFailed)
    def _badges_failed(self, message: BadgesFailed) -> None:
        if self._jobs.current(message) and not message.cancelled:
            unknown = Provenance(badge=None, label="Unknown source", origin="none")
            self.badges = [unknown for _ in self.sides]
            self._finish()

    def _finish(self) -> None:
        """Once revealed and the badges are known: the answer, saved once, and shown."""
        if not self.revealed or self.badges is None or self._finished:
            self._show()
            return
        self._finished = True
        photos = self.photos
        picker = self.portfolio_app.picker
        self.answer = BlindAnswer(
            client=picker.client or "",
            comparison=self.comparison.id,
            shown=tuple(p.rel for p in photos),
            preferred=photos[self.preferred].rel if self.preferred is not None else None,
            real=photos[self.real].rel if self.real is not None else None,
            correct=self._correct(),
        )
        if self.preferred is None and self.real is None:
            self.saved = "Nothing was answered, so nothing is saved."
        elif not picker.active:
            self.saved = "Not saved: start with --client NAME to keep a client's answers."
        elif picker.read_only_reason:
            self.saved = f"Not saved (view only: {clean(picker.read_only_reason)})."
        else:
            picker.save_answer(self.answer)
            self.saved = f"Saved with the picks of {clean(picker.client or '')}."
        self._show()

    def _reveal(self) -> None:
        self.revealed = True
        self._finish()

    # -- actions ------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        """Highlight the photo left or right."""
        if not self.revealed:
            self.cursor = (self.cursor + delta) % len(self.sides)
            self._show()

    def action_choose(self, number: int | None = None) -> None:
        """She prefers photo ``number`` (1-4), or the highlighted one; after the reveal: leave."""
        if self.revealed:
            if number is None:
                self.action_leave()
            return
        if number is not None:
            if not 1 <= number <= len(self.sides):
                return
            self.cursor = number - 1
        self.preferred = self.cursor
        self._after_answer()

    def action_real(self) -> None:
        """She believes the highlighted photo is the real photograph."""
        if not self.revealed:
            self.real = self.cursor
            self._after_answer()

    def _after_answer(self) -> None:
        if self.preferred is not None and self.real is not None:
            self._reveal()
        else:
            self._show()

    def action_reveal(self) -> None:
        """Reveal now, with the answers given so far."""
        if not self.revealed:
            self._reveal()

    def action_leave(self) -> None:
        """Back to the presentation (before the reveal: nothing saved)."""
        self.dismiss(BlindResult(self.answer, self.revealed))


def blind_ready(comparison: Comparison) -> str | None:
    """Why ``comparison`` cannot be shown blind, or None."""
    sides = sum(side.photo is not None for side in comparison.sides)
    if sides < 2:
        return (
            f"A blind test needs two photos or more (this comparison has {count(sides, 'photo')})"
        )
    return None
