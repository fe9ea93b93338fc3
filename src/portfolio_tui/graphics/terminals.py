"""Which terminal the app runs in, and how it takes Kitty images; what tmux lets through.

The terminal's name and version (its XTVERSION reply, else the environment's
hints) decide how Kitty images are placed (:func:`placement`): Unicode
placeholders only where they are known to work. Inside tmux, tmux itself is
asked whether it passes wrapped sequences through (:func:`_tmux_passthrough`)
and what the terminal outside called itself (:func:`_tmux_client_terminal`).
Used by :mod:`.detect`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass

from .answers import _printable

_KITTY_HINT_PROGRAMS = ("wezterm", "ghostty")


# --------------------------------------------------------------------------
# tmux


def _tmux_passthrough(environ: Mapping[str, str], budget: float = 0.15) -> bool:
    """Whether tmux lets wrapped sequences through to the terminal outside.

    Asks the tmux client; all the calls together get ``budget`` seconds, and a
    tmux that doesn't answer in time counts as no passthrough.
    """
    tmux = shutil.which("tmux", path=environ.get("PATH"))
    if tmux is None:
        return False
    deadline = time.monotonic() + budget
    env = {**os.environ, **environ}
    target = ["-t", environ["TMUX_PANE"]] if environ.get("TMUX_PANE") else []
    try:
        # -A -p: the pane's effective value (a pane may override the global one).
        value = _run(tmux, ["show", "-Apv", *target, "allow-passthrough"], env, deadline)
        if value is None:
            value = _run(tmux, ["show", "-gv", "allow-passthrough"], env, deadline)
        if value is not None:
            return value.rstrip("*").strip() in ("on", "all")
        # No such option: tmux before 3.3 always let passthrough through.
        version = _run(tmux, ["-V"], env, deadline) or ""
    except subprocess.TimeoutExpired:
        return False
    match = re.search(r"(\d+)\.(\d+)", version)
    return match is not None and (int(match[1]), int(match[2])) < (3, 3)


def _run(executable: str, args: list[str], env: dict[str, str], deadline: float) -> str | None:
    """The command's output, None if it failed; TimeoutExpired past ``deadline``."""
    try:
        result = subprocess.run(
            [executable, *args],
            capture_output=True,
            text=True,
            timeout=max(0.001, deadline - time.monotonic()),
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip()


def _tmux_client_terminal(environ: Mapping[str, str], budget: float = 0.1) -> str:
    """What the terminal outside tmux called itself when tmux asked it (XTVERSION), or ""."""
    tmux = shutil.which("tmux", path=environ.get("PATH"))
    if tmux is None:
        return ""
    env = {**os.environ, **environ}
    target = ["-t", environ["TMUX_PANE"]] if environ.get("TMUX_PANE") else []
    try:
        value = _run(
            tmux, ["display", "-p", *target, "#{client_termtype}"], env, time.monotonic() + budget
        )
    except subprocess.TimeoutExpired:
        return ""
    return _printable((value or "").encode("ascii", "replace"))


# --------------------------------------------------------------------------
# Which terminal, and how it takes Kitty images

PLACEHOLDER_VERSIONS: dict[str, tuple[int, ...]] = {"kitty": (0, 28), "ghostty": ()}
"""Terminals known to draw Kitty Unicode placeholders, from which version (() = all).

kitty added them in 0.28.0; Ghostty has had them since its first release
(ghostty-org/ghostty#2015). WezTerm answers the Kitty query but draws the
placeholders as boxes (wezterm/wezterm#986, kovidgoyal's answer in
junegunn/fzf#3486); so does Konsole (3rd/image.nvim#74)."""

NO_DIRECT_PLACEMENT: dict[str, str] = {
    "wezterm": (
        "WezTerm's Kitty graphics have no Unicode placeholders and leave placed images"
        " behind (wezterm/wezterm#2422)"
    ),
}
"""Terminals whose direct Kitty placement is known not to work for a full-screen app."""


@dataclass(frozen=True)
class Terminal:
    """The terminal as it named itself (XTVERSION) or, failing that, as the environment hints."""

    name: str = ""
    """Lower-case program name ("kitty", "wezterm", ...), "" if unknown."""
    version: tuple[int, ...] = ()
    """Its version's leading numbers, () if unknown."""
    label: str = ""
    """How messages name it: "kitty 0.26.5"."""


_XTVERSION = re.compile(r"\s*([A-Za-z][\w.+-]*)(?:\(([^)]*)\)|\s+(.*))?")


def parse_xtversion(reply: str) -> Terminal:
    """Name and version from an XTVERSION reply body: ``kitty(0.26.5)``, ``WezTerm 2024...``."""
    match = _XTVERSION.match(reply)
    if match is None:
        return Terminal()
    name = match[1]
    version = (match[2] if match[2] is not None else match[3] or "").strip()
    return _terminal_from(name, version)


def _terminal_from(name: str, version: str) -> Terminal:
    numbers = re.match(r"\d+(?:\.\d+)*", version)
    parts = tuple(int(n) for n in numbers[0].split(".")[:4]) if numbers else ()
    label = f"{name} {version}".strip() if version else name
    return Terminal(name.lower(), parts, label[:60])


def identify(reply: str | None, environ: Mapping[str, str], *, in_tmux: bool = False) -> Terminal:
    """The terminal from its XTVERSION reply, else from TERM_PROGRAM or kitty's variables.

    The environment only names the terminal (it may be stale: carried over SSH
    or into tmux); whether it draws images at all is still the terminal's answer.
    """
    if reply:
        found = parse_xtversion(reply)
        if found.name:
            return found
    if in_tmux:
        return Terminal()  # TERM_PROGRAM is tmux's, KITTY_WINDOW_ID its server's
    program = environ.get("TERM_PROGRAM", "")
    if program.lower() in _KITTY_HINT_PROGRAMS:
        return _terminal_from(program, environ.get("TERM_PROGRAM_VERSION", ""))
    if environ.get("TERM") == "xterm-kitty" or environ.get("KITTY_WINDOW_ID"):
        return Terminal("kitty", (), "kitty")
    return Terminal()


def placement(terminal: Terminal, *, in_tmux: bool) -> tuple[str, str]:
    """How to place Kitty images here: ``"placeholders"``, ``"direct"`` or ``"none"``, and why.

    Unicode placeholders only where they are known to work; elsewhere direct
    placement (the protocol's basic form, drawn at the cursor), which tmux
    cannot carry: its panes move the cursor under the image.
    """
    name, label = terminal.name, terminal.label
    since = PLACEHOLDER_VERSIONS.get(name)
    if since is not None and (not since or (terminal.version and terminal.version >= since)):
        return "placeholders", f"{label}: Kitty graphics, Unicode placeholders"
    if name in NO_DIRECT_PLACEMENT:
        return "none", f"{label}: {NO_DIRECT_PLACEMENT[name]}"
    if since is not None:
        need = ".".join(map(str, since))
        why = (
            f"Unicode placeholders need {need}"
            if terminal.version
            else f"its version is unknown; Unicode placeholders need {need}"
        )
    elif name:
        why = "Unicode placeholders are known to work only in kitty 0.28+ and Ghostty"
    else:
        why = "it did not say its name and version; Unicode placeholders are not assumed"
    who = label or "the terminal"
    if in_tmux:
        return (
            "none",
            f"{who} outside tmux: Kitty graphics without Unicode placeholders ({why})"
            ", and direct placement does not survive tmux",
        )
    return "direct", f"{who}: Kitty graphics, direct placement ({why})"
