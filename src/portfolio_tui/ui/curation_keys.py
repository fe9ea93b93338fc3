"""Curation keys (stars, flags, labels, tags, notes, undo) for the screens that have one current
photo (the grid, the loupe, and the active photo of a comparison or survey): the
:class:`CurationActions` mixin and :func:`curation_badge`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ..curation import Change, PhotoCuration
from ..portfolio import Photo
from ..text import clean
from .navigation import Navigation, navigation
from .widgets.thumb_tiles import LABEL_COLORS

if TYPE_CHECKING:
    from textual.app import App


def curation_badge(curation: PhotoCuration) -> Text:
    """Stars, flag and label as one short line, e.g. ``★★★ ⚑ ● red``."""
    text = Text()
    if curation.rating:
        text.append("★" * curation.rating, style="#ffb224")
        text.append("☆" * (5 - curation.rating), style="dim")
    if curation.flag == "pick":
        text.append("  ⚑ pick", style="bold #46a758")
    elif curation.flag == "reject":
        text.append("  ✕ reject", style="bold #e5484d")
    if curation.label:
        text.append(f"  ● {curation.label}", style=LABEL_COLORS[curation.label])
    if curation.tags:
        text.append("  # " + ", ".join(clean(t) for t in curation.tags), style="italic")
    return text


class CurationActions:
    """Mixed into a Screen: rating, flag, label, tags, notes, undo/redo, auto-advance.

    The screen provides :meth:`curation_photo` (the photo the keys act on) and
    :meth:`curation_next` (move on, for auto-advance); it is told of changes
    through ``curation_changed(photos)``.
    """

    if TYPE_CHECKING:
        app: App[object]
        """The app (the Screen this is mixed into has it)."""

    @property
    def portfolio_app(self) -> Navigation:
        """The app, as screens use it."""
        return navigation(self.app)

    def curation_photo(self) -> Photo | None:
        """The photo the curation keys act on."""
        raise NotImplementedError

    def curation_next(self) -> None:
        """Move to the next photo (auto-advance)."""

    def _curate(self, change: Change, label: str, advance: bool = False) -> None:
        if (
            self.portfolio_app.curator.change([change], label)
            and advance
            and self.portfolio_app.auto_advance
        ):
            self.curation_next()

    def _current(self) -> tuple[Photo, PhotoCuration] | None:
        photo = self.curation_photo()
        if photo is None:
            return None
        return photo, self.portfolio_app.curator.snapshot.photo(photo.rel)

    def action_rate(self, stars: int) -> None:
        """Set the stars (0 clears)."""
        found = self._current()
        if found is not None:
            label = f"{stars} star{'s' if stars != 1 else ''}" if stars else "no stars"
            self._curate(Change.rating(found[0].rel, stars), label, advance=True)

    def action_flag(self, flag: str | None) -> None:
        """Pick, reject or unflag."""
        found = self._current()
        if found is not None:
            self._curate(Change.flag(found[0].rel, flag), flag or "unflagged", advance=True)

    def action_label(self, name: str) -> None:
        """Set a colour label; the same one again removes it (as in Lightroom)."""
        found = self._current()
        if found is not None:
            photo, now = found
            new = None if now.label == name else name
            self._curate(Change.label(photo.rel, new), f"{new or 'no'} label")

    def action_edit_tags(self) -> None:
        """Edit the photo's tags, with completion from every tag in use."""
        found = self._current()
        if found is None:
            return
        photo, now = found
        if self._refuse_if_read_only():
            return
        from .dialogs.tags_editor import TagsEditor

        def done(tags: tuple[str, ...] | None) -> None:
            if tags is not None and tags != now.tags:
                self._curate(Change.tags(photo.rel, tags), "tags")

        known = self.portfolio_app.curator.known_tags()
        self.app.push_screen(TagsEditor(photo.display_title, now.tags, known), done)

    def action_edit_notes(self) -> None:
        """Write the photo's curation notes (Markdown, saved on close)."""
        found = self._current()
        if found is None:
            return
        photo, now = found
        from .dialogs.notes_editor import NotesEditor

        read_only = self.portfolio_app.curator.read_only_reason is not None

        def done(notes: str | None) -> None:
            if notes is not None and notes != now.notes:
                self._curate(Change.notes(photo.rel, notes), "notes")

        self.app.push_screen(NotesEditor(photo.display_title, now.notes, read_only), done)

    def action_undo(self) -> None:
        """Undo the last curation change."""
        label = self.portfolio_app.curator.undo()
        self.app.notify(f"Undone: {label}" if label else "Nothing to undo", markup=False, timeout=2)

    def action_redo(self) -> None:
        """Make the last undone change again."""
        label = self.portfolio_app.curator.redo()
        self.app.notify(f"Redone: {label}" if label else "Nothing to redo", markup=False, timeout=2)

    def action_toggle_advance(self) -> None:
        """After a rating or flag, move on to the next photo (or stay)."""
        self.portfolio_app.auto_advance = not self.portfolio_app.auto_advance
        state = "on" if self.portfolio_app.auto_advance else "off"
        self.app.notify(f"Auto-advance {state}", markup=False, timeout=2)
        self.portfolio_app.announce_curation(set())

    def _refuse_if_read_only(self) -> bool:
        reason = self.portfolio_app.curator.read_only_reason
        if reason:
            self.app.notify(
                f"View only: {clean(reason)}", severity="warning", markup=False, timeout=4
            )
        return reason is not None
