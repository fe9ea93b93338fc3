"""The app's own themes, beside Textual's built-in ones.

``projector``: light and high-contrast, for a client meeting with a projector
or a bright room, where a dark terminal washes out: near-black text on white,
strong borders, and accents that survive a dim projector.
"""

from __future__ import annotations

from textual.theme import BUILTIN_THEMES, Theme

PROJECTOR = Theme(
    name="projector",
    primary="#0b4f9c",
    secondary="#3a3a3a",
    accent="#c24100",
    foreground="#101010",
    background="#ffffff",
    surface="#f2f2f2",
    panel="#dcdcdc",
    success="#1e7a34",
    warning="#a15c00",
    error="#b3261e",
    dark=False,
    variables={
        "text-muted": "#3d3d3d",
        "footer-background": "#dcdcdc",
        "footer-key-foreground": "#0b4f9c",
        "footer-description-foreground": "#101010",
    },
)

THEMES = {PROJECTOR.name: PROJECTOR}
"""This app's themes by name (registered on the app at start)."""


def theme_names() -> list[str]:
    """Every theme ``--theme`` and ``display.theme`` accept, sorted."""
    return sorted({*BUILTIN_THEMES, *THEMES})
