"""Every command defined once; key bindings, the footer, help and the palette derive from it.

Keys follow Lightroom Classic where it has an equivalent (see docs and the help
screen).  Each binding has an ``id`` so users can remap it with Textual's keymap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Command:
    """A user-facing action with its keys, footer label and help text."""

    id: str
    keys: str
    action: str
    description: str
    help: str
    show: bool = True
    key_display: str | None = None
    priority: bool = False

    def binding(self) -> Binding:
        """The Textual binding for this command."""
        return Binding(
            self.keys,
            self.action,
            self.description,
            show=self.show,
            key_display=self.key_display,
            priority=self.priority,
            id=self.id,
        )

    @property
    def key_text(self) -> str:
        """Keys as a person reads them: ``? / F1``."""
        if self.key_display:
            return self.key_display
        return " / ".join(_KEY_NAMES.get(k, k) for k in self.keys.split(","))


_KEY_NAMES = {
    "question_mark": "?",
    "escape": "Esc",
    "enter": "Enter",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "f1": "F1",
    "ctrl+q": "Ctrl+Q",
    "ctrl+p": "Ctrl+P",
    "space": "Space",
    "N": "Shift+N",
    "vertical_line": "|",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "tab": "Tab",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "backslash": "\\",
    "ctrl+z": "Ctrl+Z",
    "ctrl+y": "Ctrl+Y",
    "E": "Shift+E",
    "C": "Shift+C",
    "A": "Shift+A",
    "O": "Shift+O",
    "F": "Shift+F",
}


def bindings(commands: Iterable[Command]) -> list[BindingType]:
    """Bindings for a screen or widget from its commands."""
    return [c.binding() for c in commands]


GLOBAL = (
    Command("help", "question_mark,f1", "app.help", "Help", "Show every key and the graphics mode"),
    Command("quit", "q,ctrl+q", "app.quit", "Quit", "Leave portfolio-tui"),
    Command(
        "palette",
        "ctrl+p",
        "app.command_palette",
        "Commands",
        "Search every command",
        show=False,
    ),
)

HOME = (
    Command(
        "home.next",
        "right,l,down,j,tab",
        "app.focus_next",
        "Next",
        "Next gallery, then the comparisons",
        show=False,
    ),
    Command(
        "home.previous",
        "left,h,up,k,shift+tab",
        "app.focus_previous",
        "Previous",
        "Previous gallery",
        show=False,
    ),
    Command(
        "home.present",
        "f",
        "app.present_portfolio",
        "Present",
        "Present the whole portfolio full screen: every gallery, then the comparisons",
    ),
)

CARD = (Command("home.open", "enter", "choose", "Open", "Open the highlighted gallery"),)

GRID = (
    Command("grid.up", "up,k", "cursor('up')", "Up", "Move up a row", show=False),
    Command("grid.down", "down,j", "cursor('down')", "Down", "Move down a row", show=False),
    Command("grid.left", "left,h", "cursor('left')", "Left", "Previous photo", show=False),
    Command("grid.right", "right,l", "cursor('right')", "Right", "Next photo", show=False),
    Command("grid.first", "home", "cursor('first')", "First", "First photo", show=False),
    Command("grid.last", "end", "cursor('last')", "Last", "Last photo", show=False),
    Command("grid.page-up", "pageup", "cursor('page_up')", "Page up", "Up a screen", show=False),
    Command(
        "grid.page-down",
        "pagedown",
        "cursor('page_down')",
        "Page down",
        "Down a screen",
        show=False,
    ),
    Command("grid.open", "enter,e", "open", "Loupe", "Open the photo in the loupe"),
    Command("grid.mark", "space", "toggle_mark", "Mark", "Mark for a comparison or survey"),
    Command(
        "grid.bigger",
        "plus,equals_sign",
        "thumb_size(1)",
        "Bigger",
        "Larger thumbnails",
        key_display="+",
        show=False,
    ),
    Command("grid.smaller", "minus", "thumb_size(-1)", "Smaller", "Smaller thumbnails", show=False),
)

GALLERY = (
    Command(
        "gallery.compare",
        "c",
        "compare",
        "Compare",
        "Compare 2-up: the marked photos, or this one and the next",
    ),
    Command("gallery.survey", "n", "survey", "Survey", "The marked photos side by side (2-9)"),
    Command(
        "gallery.present",
        "f",
        "present",
        "Present",
        "Full screen for a client, from this photo: title card, the photos shown, end card",
    ),
    Command("gallery.notes", "N", "toggle_notes", "Notes", "Show or hide the gallery's notes"),
    Command("gallery.back", "escape,g", "back", "Home", "Back to the galleries"),
)

LOUPE = (
    Command("loupe.previous", "left,h,k,up", "step(-1)", "Previous", "Previous photo"),
    Command("loupe.next", "right,l,j,down", "step(1)", "Next", "Next photo"),
    Command("loupe.first", "home", "jump('first')", "First", "First photo", show=False),
    Command("loupe.last", "end", "jump('last')", "Last", "Last photo", show=False),
    Command("loupe.info", "i", "toggle_info", "Info", "Show or hide EXIF, size and source"),
    Command(
        "loupe.present",
        "f",
        "present",
        "Present",
        "Full screen for a client, from this photo",
    ),
    Command("loupe.notes", "N", "toggle_notes", "Notes", "Show or hide the photographer's notes"),
    Command("loupe.back", "escape,g", "back", "Grid", "Back to the grid"),
)

COMPARE = (
    Command(
        "compare.zoom", "z", "toggle_zoom", "Fit/100%", "Fit or 100 %, linked across the photos"
    ),
    Command("compare.zoom_in", "plus,equals_sign", "zoom(1)", "Zoom in", "Zoom in a step"),
    Command("compare.zoom_out", "minus", "zoom(-1)", "Zoom out", "Zoom out a step", show=False),
    Command(
        "compare.left",
        "left,h",
        "move(-1, 0)",
        "Left",
        "Pan left when zoomed, else the previous candidate",
        show=False,
    ),
    Command(
        "compare.right",
        "right,l",
        "move(1, 0)",
        "Right",
        "Pan right when zoomed, else the next candidate",
        show=False,
    ),
    Command("compare.up", "up,k", "move(0, -1)", "Up", "Pan up when zoomed", show=False),
    Command("compare.down", "down,j", "move(0, 1)", "Down", "Pan down when zoomed", show=False),
    Command(
        "compare.link", "L", "toggle_link", "Unlink", "Link or unlink zoom and pan", show=False
    ),
    Command(
        "compare.pane",
        "tab",
        "next_pane",
        "Pane",
        "Which photo the curation keys (and, unlinked, zoom and pan) act on",
        show=False,
    ),
    Command("compare.swap", "s", "swap", "Swap", "Swap the two sides", show=False),
    Command(
        "compare.promote",
        "m",
        "promote",
        "Make select",
        "Make the candidate the select",
        show=False,
    ),
    Command("compare.split", "vertical_line", "toggle_split", "Split", "Split view: A | B"),
    Command(
        "compare.divider_left",
        "left_square_bracket",
        "divider(-1)",
        "Divider ←",
        "Move the split divider left",
        show=False,
    ),
    Command(
        "compare.divider_right",
        "right_square_bracket",
        "divider(1)",
        "Divider →",
        "Move the split divider right",
        show=False,
    ),
    Command("compare.flicker", "y", "flicker", "Flip A/B", "Show A and B in turn, in place"),
    Command("compare.info", "i", "toggle_info", "Info", "Details side by side, differences marked"),
    Command(
        "compare.present",
        "f",
        "present",
        "Present",
        "Present as a reveal: each photo alone, then side by side",
    ),
    Command("compare.notes", "N", "toggle_notes", "Notes", "Show or hide the notes"),
    Command(
        "compare.back",
        "escape,g",
        "back",
        "Back",
        "Back to side by side, then to where you came from",
    ),
)

SURVEY = (
    Command(
        "survey.left", "left,h", "move(-1)", "Left", "Highlight the previous photo", show=False
    ),
    Command("survey.right", "right,l", "move(1)", "Right", "Highlight the next photo", show=False),
    Command("survey.drop", "delete,backspace", "drop", "Drop", "Drop the highlighted photo"),
    Command("survey.open", "enter,e", "open", "Loupe", "Open the highlighted photo"),
    Command("survey.back", "escape,g", "back", "Back", "Back to the grid"),
)

CURATE = (
    Command(
        "curate.stars-0", "0", "rate(0)", "Stars", "Stars: 1-5 rate, 0 clears", key_display="0-5"
    ),
    *(
        Command(
            f"curate.stars-{n}",
            str(n),
            f"rate({n})",
            "Stars",
            f"{n} star{'s' if n != 1 else ''}",
            show=False,
        )
        for n in range(1, 6)
    ),
    Command(
        "curate.pick",
        "p",
        "flag('pick')",
        "Pick",
        "Flag: p pick, x reject, u unflag",
        key_display="p/x/u",
    ),
    Command("curate.reject", "x", "flag('reject')", "Reject", "Flag as a reject", show=False),
    Command("curate.unflag", "u", "flag(None)", "Unflag", "Remove the flag", show=False),
    Command(
        "curate.label-red",
        "6",
        "label('red')",
        "Label",
        "Colour label: 6 red, 7 yellow, 8 green, 9 blue; the same key again removes it",
        key_display="6-9",
    ),
    *(
        Command(
            f"curate.label-{name}",
            str(key),
            f"label('{name}')",
            "Label",
            f"{name.capitalize()} label",
            show=False,
        )
        for key, name in ((7, "yellow"), (8, "green"), (9, "blue"))
    ),
    Command("curate.tags", "t", "edit_tags", "Tags", "Edit the photo's tags (completes)"),
    Command("curate.notes", "E", "edit_notes", "Edit notes", "Write the photo's notes"),
    Command("curate.undo", "ctrl+z", "undo", "Undo", "Undo the last curation change", show=False),
    Command("curate.redo", "ctrl+y", "redo", "Redo", "Redo what was undone", show=False),
    Command(
        "curate.advance",
        "A",
        "toggle_advance",
        "Auto-advance",
        "After a rating or flag, move to the next photo",
        show=False,
    ),
)

ARRANGE = (
    Command(
        "arrange.cover",
        "C",
        "set_cover",
        "Cover",
        "Make this photo the gallery's cover",
        show=False,
    ),
    Command(
        "arrange.earlier",
        "less_than_sign",
        "move_photo(-1)",
        "Earlier",
        "Move the photo earlier in the gallery's order",
        show=False,
    ),
    Command(
        "arrange.later",
        "greater_than_sign",
        "move_photo(1)",
        "Later",
        "Move the photo later in the gallery's order",
        show=False,
    ),
    Command(
        "arrange.filter", "backslash", "filter", "Filter", "Filter by stars, flag, label, tag, text"
    ),
    Command(
        "arrange.sort",
        "O",
        "cycle_sort",
        "Sort",
        "Sort by order, name, date taken, rating",
        show=False,
    ),
)

PRESENT = (
    Command(
        "present.next",
        "right,l,down,j,pagedown",
        "step(1)",
        "Next",
        "Next slide (the arrows work during a slideshow too)",
        key_display="→",
    ),
    Command(
        "present.previous",
        "left,up,k,pageup",
        "step(-1)",
        "Previous",
        "Previous slide",
        key_display="←",
    ),
    Command("present.first", "home", "jump('first')", "First", "The title card", show=False),
    Command("present.last", "end", "jump('last')", "Last", "The end card", show=False),
    Command("present.play", "space", "toggle_play", "Slideshow", "Start or pause the slideshow"),
    Command(
        "present.slower",
        "plus,equals_sign",
        "interval(1)",
        "Slower",
        "More seconds per photo",
        key_display="+",
    ),
    Command("present.faster", "minus", "interval(-1)", "Faster", "Fewer seconds per photo"),
    Command(
        "present.caption", "i", "toggle_caption", "Caption", "Show or hide the title and notes"
    ),
    Command(
        "present.favourite",
        "h",
        "favourite",
        "Favourite",
        "Mark or unmark the client's favourite (start with --client NAME)",
    ),
    Command(
        "present.favourites", "F", "favourites", "Favourites", "The client's favourites so far"
    ),
    Command(
        "present.blind",
        "b",
        "blind",
        "Blind test",
        "On a comparison: show it blind (labels hidden, sides shuffled); the client says "
        "which she prefers and which is the real photograph, then all is revealed",
    ),
    Command("present.leave", "escape,f,g", "leave", "Leave", "Leave the presentation"),
)

BLIND = (
    Command("blind.left", "left,k,up", "move(-1)", "Left", "Highlight the photo to the left"),
    Command(
        "blind.right", "right,l,j,down", "move(1)", "Right", "Highlight the photo to the right"
    ),
    Command(
        "blind.choose",
        "enter",
        "choose",
        "Prefer",
        "The client prefers the highlighted photo (after the reveal: back to the presentation)",
    ),
    *(
        Command(
            f"blind.side-{n}",
            str(n),
            f"choose({n})",
            "Prefer",
            f"The client prefers photo {n}",
            show=False,
        )
        for n in range(1, 5)
    ),
    Command(
        "blind.real",
        "h",
        "real",
        "Real",
        "The client believes the highlighted photo is the real photograph",
    ),
    Command("blind.reveal", "r", "reveal", "Reveal", "Reveal now, with the answers given"),
    Command("blind.leave", "escape,g", "leave", "Leave", "Back to the presentation"),
)

FAVOURITES = (Command("favourites.back", "escape,g", "back", "Back", "Back to the presentation"),)

HELP = (Command("help.close", "escape,question_mark,f1,q", "close", "Close", "Close help"),)

SECTIONS: tuple[tuple[str, tuple[Command, ...]], ...] = (
    ("Everywhere", GLOBAL),
    ("Home", CARD + HOME),
    ("Gallery grid", GRID + GALLERY + ARRANGE),
    ("Loupe", LOUPE),
    ("Curation (grid, loupe, compare, survey)", CURATE),
    ("Comparison", COMPARE),
    ("Survey", SURVEY),
    ("Presenting (no keys shown on screen)", PRESENT),
    ("Blind test (b on a comparison while presenting)", BLIND),
    ("Favourites", FAVOURITES),
)
