"""Find out which graphics protocol the terminal speaks, before the app starts.

:func:`detect` asks the terminal directly, in one write: a Kitty graphics
query, its name and version (XTVERSION), the cell size in pixels
(``CSI 16 t``), the number of Sixel colour registers (XTSMGRAPHICS) and,
last, the primary device attributes (DA1). Every terminal answers DA1, and
answers in order, so the DA1 reply marks the end of the answers: Kitty
graphics work if the Kitty reply came before it, Sixel if DA1 lists
attribute 4. The name and version decide how Kitty images are placed
(:func:`placement`): Unicode placeholders only where they are known to work.

Inside tmux the Kitty query and a second DA1 are wrapped for passthrough so
they reach the terminal outside; tmux answers the unwrapped queries itself
(tmux 3.4+ built with Sixel lists attribute 4 and draws Sixel itself).

Late answers: when the deadline passes first, the answers may still be on
their way (a slow SSH link).  Textual would read them as key presses, so
:func:`detect` records how many DA1 replies are outstanding in
``Capabilities.pending`` and :func:`drain` reads and discards them.  Bytes
that are not part of any answer (the user typing during detection) are kept
in ``Capabilities.typeahead``.

Parsing the answers is :mod:`.answers`; naming the terminal, Kitty placement and
tmux are :mod:`.terminals`. Their public names are importable from here too.

No Textual imports: this runs before the app exists.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import select
import struct
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

from .answers import CELL_HEIGHTS, CELL_WIDTHS, _Answers, real_cell_size
from .terminals import (
    _KITTY_HINT_PROGRAMS,
    NO_DIRECT_PLACEMENT,
    PLACEHOLDER_VERSIONS,
    Terminal,
    _tmux_client_terminal,
    _tmux_passthrough,
    identify,
    parse_xtversion,
    placement,
)

__all__ = [
    "CELL_HEIGHTS",
    "CELL_SIZE_QUERY",
    "CELL_WIDTHS",
    "CHOICES",
    "DA1_QUERY",
    "DEFAULT_CELL_SIZE",
    "KITTY_QUERY",
    "NO_DIRECT_PLACEMENT",
    "PLACEHOLDER_VERSIONS",
    "SIXEL_COLORS_QUERY",
    "WINDOW_COLUMNS",
    "WINDOW_ROWS",
    "XTVERSION_QUERY",
    "Capabilities",
    "Terminal",
    "detect",
    "drain",
    "identify",
    "parse_xtversion",
    "placement",
    "real_cell_size",
    "real_window_size",
    "wrap_passthrough",
]


def _optional_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:  # Windows has neither termios nor fcntl
        return None


_termios = _optional_module("termios")
_fcntl = _optional_module("fcntl")

CHOICES = ("auto", "kitty", "sixel", "halfblock")
DEFAULT_CELL_SIZE = (10, 20)

KITTY_QUERY = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
CELL_SIZE_QUERY = "\x1b[16t"  # reply: CSI 6 ; height ; width t
SIXEL_COLORS_QUERY = "\x1b[?1;1;0S"  # XTSMGRAPHICS read colour registers; reply CSI ? 1 ; 0 ; N S
DA1_QUERY = "\x1b[c"  # reply: CSI ? 62 ; ... c (attribute 4 = Sixel)
XTVERSION_QUERY = "\x1b[>0q"  # reply: DCS > | name(version) ST, or "name version"


@dataclass(frozen=True)
class Capabilities:
    """What the terminal can draw, and why we think so."""

    mode: str
    """``"kitty"``, ``"sixel"`` or ``"halfblock"``."""
    reason: str
    """One plain sentence for the help screen."""
    cell_size: tuple[int, int] | None
    """Pixels per cell (width, height), if known."""
    tmux: bool
    """Running inside tmux."""
    passthrough: bool
    """Graphics escape sequences must be wrapped with :func:`wrap_passthrough`."""
    sixel_colors: int = 256
    """Colour registers the terminal reports (XTSMGRAPHICS)."""
    typeahead: bytes = b""
    """Bytes the user typed while the terminal was being asked, in order."""
    pending: int = 0
    """DA1 replies still outstanding when the deadline passed: call :func:`drain`."""
    partial: bytes = field(default=b"", repr=False)
    """The start of an answer that was cut off by the deadline (for :func:`drain`)."""
    terminal: str = ""
    """The terminal's name and version as it gave them (XTVERSION), or "" if unknown."""
    placeholders: bool = True
    """Kitty mode: Unicode placeholders (True) or direct placement at the cursor (False)."""


WINDOW_COLUMNS = 1000
WINDOW_ROWS = 400
"""The largest window (cells) the app lays out; a bigger one is drawn in its top left.

The window's size in cells is the viewer's to claim too (ssh passes on up to
65535 x 65535), and Textual lays out and keeps every cell: a half-block loupe took
743 MB at 2000 x 600 cells and 1.3 GB at 4000 x 1200, against 69 MB at 200 x 50.
The widest real terminals (a 5K screen, a 6-pixel font) are about 850 columns."""


def real_window_size(columns: int, rows: int) -> tuple[int, int]:
    """A claimed window size (cells) clamped to :data:`WINDOW_COLUMNS` x :data:`WINDOW_ROWS`."""
    return min(columns, WINDOW_COLUMNS), min(rows, WINDOW_ROWS)


def wrap_passthrough(sequence: str) -> str:
    """Wrap ``sequence`` so tmux hands it to the terminal outside it."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


# --------------------------------------------------------------------------
# The terminal


@contextlib.contextmanager
def _raw(fd: int) -> Iterator[None]:
    """No echo, no line buffering, no signal keys.  Restored on exit.

    Ctrl+C, Ctrl+\\ and Ctrl+Z arrive as bytes, kept as typeahead and replayed to
    the app like any key typed meanwhile: as signals they would end the app
    (Ctrl+\\ with a core file) on a keystroke any viewer can send.
    """
    assert _termios is not None
    before = _termios.tcgetattr(fd)
    attrs: list[Any] = list(before)
    attrs[0] &= ~(_termios.ICRNL | _termios.IXON | _termios.INLCR | _termios.IGNCR)
    attrs[3] &= ~(_termios.ICANON | _termios.ECHO | _termios.IEXTEN | _termios.ISIG)
    attrs[6] = list(attrs[6])
    attrs[6][_termios.VMIN] = 1
    attrs[6][_termios.VTIME] = 0
    # TCSANOW, never TCSAFLUSH: flushing would throw away what the user typed.
    _termios.tcsetattr(fd, _termios.TCSANOW, attrs)
    try:
        yield
    finally:
        _termios.tcsetattr(fd, _termios.TCSANOW, before)


def _read_until(fd: int, answers: _Answers, deadline: float) -> None:
    """Feed ``answers`` until it has every DA1 reply or ``deadline`` passes."""
    while not answers.done:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        try:
            readable, _, _ = select.select([fd], [], [], remaining)
        except InterruptedError:  # pragma: no cover - retried by Python anyway
            continue
        if not readable:
            return
        try:
            data = os.read(fd, 4096)
        except OSError:  # the terminal went away (pty closed)
            return
        if not data:
            return
        answers.feed(data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _winsize_cell(fd: int) -> tuple[int, int] | None:
    """Cell size from TIOCGWINSZ's pixel fields, when the terminal fills them."""
    if _fcntl is None or _termios is None:
        return None
    try:
        packed = _fcntl.ioctl(fd, _termios.TIOCGWINSZ, b"\0" * 8)
    except OSError:
        return None
    rows, cols, xpixel, ypixel = struct.unpack("HHHH", packed)
    if rows and cols and xpixel and ypixel:
        return real_cell_size(xpixel // cols, ypixel // rows)
    return None


@contextlib.contextmanager
def _terminal(tty: int | None) -> Iterator[tuple[int | None, str]]:
    """The terminal's file descriptor, or None and why there is none."""
    if tty is not None:
        if os.isatty(tty):
            yield tty, ""
        else:
            yield None, "the input is not a terminal"
        return
    try:
        stdin_fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        stdin_fd = -1
    if stdin_fd < 0 or not os.isatty(stdin_fd):
        yield None, "standard input is not a terminal"
        return
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        yield None, "the terminal (/dev/tty) could not be opened"
        return
    try:
        yield fd, ""
    finally:
        os.close(fd)


# --------------------------------------------------------------------------
# Detection


def _hint(environ: Mapping[str, str]) -> str:
    """What the environment suggests, for reasons when the terminal can't be asked."""
    program = environ.get("TERM_PROGRAM", "").lower()
    if environ.get("TERM") == "xterm-kitty" or environ.get("KITTY_WINDOW_ID"):
        name = "kitty"
    elif program in _KITTY_HINT_PROGRAMS:
        name = environ.get("TERM_PROGRAM", program)
    else:
        return ""
    return f' ({name} suggests Kitty graphics: try graphics = "kitty" in the config)'


def detect(
    choice: str = "auto",
    *,
    environ: Mapping[str, str] | None = None,
    tty: int | None = None,
    timeout: float = 0.2,
) -> Capabilities:
    """Decide how to draw photos: ``"kitty"``, ``"sixel"`` or ``"halfblock"``.

    ``choice`` is the user's setting.  ``"halfblock"`` asks nothing; a forced
    ``"kitty"`` or ``"sixel"`` only learns the cell size; ``"auto"`` asks the
    terminal (``tty``, else ``/dev/tty`` when standard input is a terminal)
    and waits at most ``timeout`` seconds.  If the deadline passes first,
    ``pending`` is set: call :func:`drain` before starting the app.
    """
    if choice not in CHOICES:
        raise ValueError(f"graphics must be one of {', '.join(CHOICES)}, not {choice!r}")
    env = os.environ if environ is None else environ
    in_tmux = bool(env.get("TMUX"))
    if choice == "halfblock":
        return Capabilities(
            "halfblock", 'graphics = "halfblock" in the config', None, in_tmux, False
        )
    if choice in ("kitty", "sixel"):
        return _forced(choice, env, in_tmux, tty, timeout)
    if _termios is None:
        return Capabilities(
            "halfblock",
            "this system has no termios, so the terminal cannot be asked: colour half-blocks"
            + _hint(env),
            None,
            in_tmux,
            False,
        )
    with _terminal(tty) as (fd, why_not):
        if fd is None:
            reason = f"{why_not}: colour half-blocks{_hint(env)}"
            return Capabilities("halfblock", reason, None, in_tmux, False)
        return _auto(fd, env, in_tmux, timeout)


def _auto(fd: int, env: Mapping[str, str], in_tmux: bool, timeout: float) -> Capabilities:
    passthrough = in_tmux and _tmux_passthrough(env)
    local = CELL_SIZE_QUERY + SIXEL_COLORS_QUERY + DA1_QUERY
    if passthrough:
        # The outer terminal gets the Kitty query and its own DA1; tmux answers
        # the rest at once, so its DA1 comes first and the outer one second.
        # The outer terminal's XTVERSION reply is tmux's (client_termtype).
        query = wrap_passthrough(KITTY_QUERY + DA1_QUERY) + local
        expected = 2
    elif in_tmux:
        query, expected = local, 1  # only tmux itself can be asked
    else:
        # XTVERSION before DA1: every terminal answers in order, so a reply to it
        # comes before DA1's or never (terminals that do not know it stay silent).
        query, expected = KITTY_QUERY + XTVERSION_QUERY + local, 1
    answers = _Answers(expected)
    with _raw(fd):
        _write_all(fd, query.encode())
        _read_until(fd, answers, time.monotonic() + timeout)
    cell = answers.cell_size or _winsize_cell(fd)
    colors = answers.sixel_colors or 256
    terminal = identify(answers.version, env, in_tmux=in_tmux)
    common: dict[str, Any] = {
        "tmux": in_tmux,
        "sixel_colors": colors,
        "typeahead": bytes(answers.typeahead),
        "pending": answers.missing,
        "partial": bytes(answers.buffer),
        "terminal": terminal.label,
    }
    note = ""  # why Kitty graphics, though answered, are not used
    if answers.kitty_ok:  # only counted before the (last) DA1 reply
        if in_tmux:
            terminal = identify(_tmux_client_terminal(env), env, in_tmux=True)
            common["terminal"] = terminal.label
        how, why = placement(terminal, in_tmux=in_tmux)
        answered = (
            "the terminal outside tmux answered the Kitty graphics query (allow-passthrough is on)"
            if in_tmux
            else "it answered the Kitty graphics query"
        )
        if how != "none":
            return Capabilities(
                "kitty",
                f"{why}; {answered}",
                cell or DEFAULT_CELL_SIZE,
                passthrough=in_tmux,
                placeholders=how == "placeholders",
                **common,
            )
        note = why + "; "
    who = terminal.label or "the terminal"
    tmux_sixel = in_tmux and bool(answers.da1) and 4 in answers.da1[0][1:]
    if tmux_sixel:
        return Capabilities(
            "sixel",
            note + "tmux draws Sixel graphics itself (its device attributes include Sixel)",
            cell or DEFAULT_CELL_SIZE,
            passthrough=False,
            **common,
        )
    if not answers.done:
        reason = f"no answer within {timeout:g} s: colour half-blocks"
        if passthrough and answers.da1:
            reason = f"the terminal outside tmux gave {reason}"
        return Capabilities("halfblock", reason + _hint(env), cell, passthrough=False, **common)
    if in_tmux and not passthrough:
        reason = (
            "inside tmux without allow-passthrough: colour half-blocks"
            " (set -g allow-passthrough on in tmux.conf allows Kitty graphics)"
        )
        return Capabilities("halfblock", reason, cell, passthrough=False, **common)
    if in_tmux:
        reason = (
            "neither the terminal outside tmux (Kitty graphics) nor tmux (Sixel)"
            " can draw images: colour half-blocks"
        )
        return Capabilities("halfblock", note + reason, cell, passthrough=False, **common)
    if 4 in answers.da1[-1][1:]:
        return Capabilities(
            "sixel",
            note + f"{who} lists Sixel graphics in its device attributes",
            cell or DEFAULT_CELL_SIZE,
            passthrough=False,
            **common,
        )
    if note:
        reason = note + "and it has no Sixel graphics: colour half-blocks"
    else:
        reason = f"{who} has neither Kitty nor Sixel graphics: colour half-blocks"
    return Capabilities("halfblock", reason, cell, passthrough=False, **common)


def _forced(
    choice: str, env: Mapping[str, str], in_tmux: bool, tty: int | None, timeout: float
) -> Capabilities:
    """The user chose the protocol; only the cell size is learnt."""
    reason = f'graphics = "{choice}" in the config'
    passthrough = False
    placeholders = True
    terminal = identify(None, env, in_tmux=in_tmux)
    if choice == "kitty" and in_tmux:
        # Only placeholders survive tmux: its panes move the cursor under an image.
        reason += ", Unicode placeholders (the only Kitty images that survive tmux)"
        passthrough = _tmux_passthrough(env)
        if not passthrough:
            reason += " (inside tmux without allow-passthrough the images may not show)"
    elif choice == "kitty":
        # Not asked, so only the environment can say placeholders work; direct
        # placement works in every terminal with Kitty graphics.
        placeholders = placement(terminal, in_tmux=False)[0] == "placeholders"
        reason += ", Unicode placeholders" if placeholders else ", direct placement"
        if terminal.label:
            reason += f" ({terminal.label}, from the environment)"
    cell: tuple[int, int] | None = None
    extra: dict[str, Any] = {}
    if _termios is not None:
        with _terminal(tty) as (fd, _why_not):
            if fd is not None:
                cell = _winsize_cell(fd)
                if cell is None:
                    # DA1 last: it marks the end, so an unanswered 16t costs no wait.
                    answers = _Answers(1)
                    with _raw(fd):
                        _write_all(fd, (CELL_SIZE_QUERY + DA1_QUERY).encode())
                        _read_until(fd, answers, time.monotonic() + timeout)
                    cell = answers.cell_size
                    extra = {
                        "typeahead": bytes(answers.typeahead),
                        "pending": answers.missing,
                        "partial": bytes(answers.buffer),
                    }
    return Capabilities(
        choice,
        reason,
        cell or DEFAULT_CELL_SIZE,
        in_tmux,
        passthrough,
        terminal=terminal.label,
        placeholders=placeholders,
        **extra,
    )


def drain(caps: Capabilities, tty: int | None = None, *, timeout: float = 1.0) -> Capabilities:
    """Swallow answers that missed :func:`detect`'s deadline, so Textual never sees them.

    Without this, a late ``ESC [ ? 62 ; 4 c`` reaches Textual's input parser,
    which turns it into the key presses ``[``, ``?``, ``6``, ``2``, ``;``,
    ``4``, ``c``.  Reads (raw, no echo) until the outstanding DA1 replies have
    arrived or ``timeout`` seconds pass.  The mode stays as decided; the
    reason says so if the late answer showed better graphics.  Returns the
    updated capabilities (``pending`` 0 once everything arrived, more
    ``typeahead`` if the user typed meanwhile).  Call it right after
    :func:`detect`, on the same terminal, before the app starts.
    """
    if caps.pending <= 0 or _termios is None:
        return caps
    answers = _Answers(caps.pending)
    with _terminal(tty) as (fd, _why_not):
        if fd is None:
            return caps
        with _raw(fd):
            answers.feed(caps.partial)
            _read_until(fd, answers, time.monotonic() + timeout)
    reason = caps.reason
    if caps.mode == "halfblock" and answers.done:
        if answers.kitty_ok and (caps.passthrough or not caps.tmux):
            reason += ' (a late answer showed Kitty graphics: set graphics = "kitty" in the config)'
        elif not caps.tmux and answers.da1 and 4 in answers.da1[-1][1:]:
            reason += ' (a late answer showed Sixel graphics: set graphics = "sixel" in the config)'
    return replace(
        caps,
        reason=reason,
        typeahead=caps.typeahead + bytes(answers.typeahead),
        pending=answers.missing,
        partial=bytes(answers.buffer),
    )
