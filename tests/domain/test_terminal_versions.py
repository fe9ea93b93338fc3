"""Which terminal is it, and does it draw Kitty placeholders? (issue 15, item 8)

Fed the answers real terminals give (XTVERSION, the Kitty query, DA1) through
the fake pty of ``test_detect``: what a user would see is the mode chosen
(placeholder boxes, a real picture, Sixel or half-blocks) and the reason `?` shows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from portfolio_tui.graphics.detect import (
    DA1_QUERY,
    KITTY_QUERY,
    XTVERSION_QUERY,
    Terminal,
    drain,
    identify,
    parse_xtversion,
    placement,
)

from .test_detect import (
    DA1_PLAIN,
    DA1_SIXEL,
    KITTY_OK,
    CELL_10x20,
    replies,
    run_detect,
    terminal,
)


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    try:
        yield master, slave
    finally:
        os.close(master)
        os.close(slave)


def xtversion(text: bytes) -> bytes:
    return b"\x1bP>|" + text + b"\x1b\\"


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "name", "version", "label"),
    [
        ("kitty(0.26.5)", "kitty", (0, 26, 5), "kitty 0.26.5"),
        ("kitty(0.35.2)", "kitty", (0, 35, 2), "kitty 0.35.2"),
        ("WezTerm 20240203-110809-5046fc22", "wezterm", (20240203,), None),
        ("ghostty 1.1.3", "ghostty", (1, 1, 3), "ghostty 1.1.3"),
        ("foot(1.16.2)", "foot", (1, 16, 2), "foot 1.16.2"),
        ("XTerm(388)", "xterm", (388,), "XTerm 388"),
        ("tmux 3.3a", "tmux", (3, 3), "tmux 3.3a"),
        ("Konsole", "konsole", (), "Konsole"),
        ("", "", (), ""),
        ("(((", "", (), ""),
    ],
)
def test_xtversion_replies_name_the_terminal(
    reply: str, name: str, version: tuple[int, ...], label: str | None
) -> None:
    found = parse_xtversion(reply)
    assert (found.name, found.version) == (name, version)
    if label is not None:
        assert found.label == label


def test_environment_names_the_terminal_only_when_it_did_not_answer() -> None:
    env = {"TERM_PROGRAM": "WezTerm", "TERM_PROGRAM_VERSION": "20240203-110809-5046fc22"}
    assert identify(None, env).name == "wezterm"
    assert identify("kitty(0.26.5)", env).label == "kitty 0.26.5"  # the answer wins
    assert identify(None, {"KITTY_WINDOW_ID": "1"}) == Terminal("kitty", (), "kitty")
    assert identify(None, {"TERM_PROGRAM": "ghostty"}).name == "ghostty"
    # Inside tmux these variables are tmux's or its server's: never trusted.
    assert identify(None, {"KITTY_WINDOW_ID": "1"}, in_tmux=True) == Terminal()


# --- the decision table -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "in_tmux", "how"),
    [
        ("kitty(0.26.5)", False, "direct"),
        ("kitty(0.27.1)", False, "direct"),
        ("kitty(0.28.0)", False, "placeholders"),
        ("kitty(0.35.2)", False, "placeholders"),
        ("ghostty 1.0.0", False, "placeholders"),
        ("Konsole 24.02", False, "direct"),
        ("WezTerm 20240203-110809-5046fc22", False, "none"),
        ("", False, "direct"),  # unknown: the protocol's basic form
        ("kitty(0.26.5)", True, "none"),  # direct placement does not survive tmux
        ("kitty(0.35.2)", True, "placeholders"),
        ("ghostty 1.1.3", True, "placeholders"),
        ("", True, "none"),
    ],
)
def test_placement_decision(reply: str, in_tmux: bool, how: str) -> None:
    chosen, why = placement(parse_xtversion(reply), in_tmux=in_tmux)
    assert chosen == how, why


def test_kitty_without_a_version_gets_direct_placement() -> None:
    chosen, why = placement(Terminal("kitty", (), "kitty"), in_tmux=False)
    assert chosen == "direct"
    assert "version is unknown" in why


# --- through the fake terminal ------------------------------------------------------------


def test_xtversion_goes_in_the_same_write_before_da1(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(KITTY_OK + xtversion(b"kitty(0.26.5)") + DA1_PLAIN))
    run_detect(pty_pair[1])
    fake.join()
    sent = bytes(fake.received)
    assert sent.startswith(KITTY_QUERY.encode())
    assert sent.index(XTVERSION_QUERY.encode()) < sent.index(DA1_QUERY.encode())
    assert sent.endswith(DA1_QUERY.encode())


def test_kitty_0_26_gets_direct_placement_never_placeholders(pty_pair: tuple[int, int]) -> None:
    answer = KITTY_OK + xtversion(b"kitty(0.26.5)") + CELL_10x20 + DA1_PLAIN
    fake = terminal(pty_pair, replies(answer))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert (caps.mode, caps.placeholders, caps.terminal) == ("kitty", False, "kitty 0.26.5")
    assert caps.reason.startswith(
        "kitty 0.26.5: Kitty graphics, direct placement (Unicode placeholders need 0.28)"
    )
    assert caps.typeahead == b"" and caps.pending == 0


def test_kitty_0_35_keeps_unicode_placeholders(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(KITTY_OK + xtversion(b"kitty(0.35.2)") + DA1_PLAIN))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert (caps.mode, caps.placeholders) == ("kitty", True)
    assert caps.reason.startswith("kitty 0.35.2: Kitty graphics, Unicode placeholders")


def test_wezterm_with_kitty_and_sixel_gets_sixel(pty_pair: tuple[int, int]) -> None:
    answer = KITTY_OK + xtversion(b"WezTerm 20240203-110809-5046fc22") + DA1_SIXEL
    fake = terminal(pty_pair, replies(answer))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert caps.mode == "sixel"
    assert "WezTerm" in caps.reason and "Sixel" in caps.reason


def test_wezterm_without_sixel_gets_half_blocks_saying_why(pty_pair: tuple[int, int]) -> None:
    answer = KITTY_OK + xtversion(b"WezTerm 20240203-110809-5046fc22") + DA1_PLAIN
    fake = terminal(pty_pair, replies(answer))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert caps.mode == "halfblock"
    assert "no Unicode placeholders" in caps.reason and "half-blocks" in caps.reason


def test_konsole_gets_direct_placement(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(KITTY_OK + xtversion(b"Konsole 24.02.1") + DA1_PLAIN))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert (caps.mode, caps.placeholders) == ("kitty", False)


def test_environment_alone_never_turns_graphics_on(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(DA1_PLAIN))  # no Kitty answer, no Sixel
    caps = run_detect(pty_pair[1], environ={"TERM_PROGRAM": "ghostty", "KITTY_WINDOW_ID": "3"})
    fake.join()
    assert caps.mode == "halfblock"


def test_silent_xtversion_with_kitty_window_id_is_direct(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(KITTY_OK + DA1_PLAIN))
    caps = run_detect(pty_pair[1], environ={"KITTY_WINDOW_ID": "3", "TERM": "xterm-kitty"})
    fake.join()
    assert (caps.mode, caps.placeholders) == ("kitty", False)
    assert "version is unknown" in caps.reason


def test_xtversion_split_across_reads_and_oversized(pty_pair: tuple[int, int]) -> None:
    reply = xtversion(b"kitty(0.26.5)" + b"x" * 300)
    fake = terminal(
        pty_pair, lambda _q: [(0.0, KITTY_OK + reply[:7]), (0.02, reply[7:] + DA1_PLAIN)]
    )
    caps = run_detect(pty_pair[1])
    fake.join()
    assert caps.mode == "kitty" and not caps.placeholders
    assert len(caps.terminal) <= 60
    assert caps.typeahead == b""


def test_xtversion_reply_missing_the_deadline_is_drained(pty_pair: tuple[int, int]) -> None:
    answer = KITTY_OK + xtversion(b"kitty(0.26.5)") + DA1_PLAIN
    fake = terminal(pty_pair, lambda _q: [(0.3, answer)])
    started = time.monotonic()
    caps = run_detect(pty_pair[1], timeout=0.1)
    assert time.monotonic() - started < 0.3  # the deadline holds
    assert caps.mode == "halfblock" and caps.pending == 1
    caps = drain(caps, tty=pty_pair[1])
    fake.join()
    assert caps.pending == 0 and caps.typeahead == b""  # nothing leaks into the app as keys


def test_forced_kitty_picks_placement_from_the_environment(pty_pair: tuple[int, int]) -> None:
    import fcntl
    import struct
    import termios

    fcntl.ioctl(pty_pair[1], termios.TIOCSWINSZ, struct.pack("HHHH", 10, 10, 100, 200))
    caps = run_detect(pty_pair[1], "kitty", environ={"KITTY_WINDOW_ID": "1"})
    assert (caps.mode, caps.placeholders) == ("kitty", False)
    caps = run_detect(pty_pair[1], "kitty", environ={"TERM_PROGRAM": "ghostty"})
    assert (caps.mode, caps.placeholders) == ("kitty", True)
