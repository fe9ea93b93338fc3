"""Answers to the graphics queries that arrive late must not become key presses.

Textual 8's input parser (``textual._xterm_parser.XTermParser``) knows none of
the answers :func:`~portfolio_tui.graphics.detect.detect` asks for: DA1
(``ESC [ ? 62 ; 4 c``), the Kitty graphics reply (``ESC _ G ... ESC \\``), the
cell size (``ESC [ 6 ; H ; W t``) and XTSMGRAPHICS (``ESC [ ? 1 ; 0 ; N S``).
An unknown sequence is "reissued" as one key per character, so a late DA1
would press ``[``, ``?``, ``6``, ``2``, ``;``, ``4`` and ``c`` in the app.
The first test pins that behaviour down (if it ever fails, Textual has learnt
to ignore these replies); the others show that :func:`drain` leaves nothing
for the parser to turn into keys.
"""

from __future__ import annotations

import os
import select
import threading
import time

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.message import Message

from portfolio_tui.graphics.detect import detect, drain

LATE_REPLIES = {
    "DA1 with Sixel": "\x1b[?62;4c",
    "Kitty graphics OK": "\x1b_Gi=31;OK\x1b\\",
    "cell size": "\x1b[6;20;10t",
    "Sixel colour registers": "\x1b[?1;0;256S",
}


def parse(data: str) -> list[Message]:
    """Everything Textual's parser makes of ``data``, end of input included."""
    parser = XTermParser()
    messages = list(parser.feed(data)) if data else []
    return [*messages, *parser.feed("")]


def keys(data: str) -> list[str]:
    return [message.key for message in parse(data) if isinstance(message, events.Key)]


@pytest.mark.parametrize("reply", LATE_REPLIES.values(), ids=LATE_REPLIES.keys())
def test_textual_turns_a_late_reply_into_key_presses(reply: str) -> None:
    pressed = keys(reply)
    assert pressed, "Textual now ignores this reply: drain() may no longer be needed"
    # The printable characters of the reply come out as keys, one each.
    assert len(pressed) >= len(reply.replace("\x1b", "")) - 1


def test_all_late_replies_together_are_a_burst_of_keys() -> None:
    burst = "".join(LATE_REPLIES.values())
    pressed = keys(burst)
    assert "c" in pressed and "question_mark" in pressed and "O" in pressed


def _slow_terminal(master: int, delay: float, answer: bytes) -> threading.Thread:
    """Reads the queries (ending with DA1) and answers after ``delay`` seconds."""

    def run() -> None:
        received = b""
        deadline = time.monotonic() + 1.0
        while not received.endswith(b"\x1b[c") and time.monotonic() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                received += os.read(master, 4096)
        time.sleep(delay)
        os.write(master, answer)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _pending_input(fd: int, wait: float) -> str:
    data = b""
    deadline = time.monotonic() + wait
    while (remaining := deadline - time.monotonic()) > 0 and select.select([fd], [], [], remaining)[
        0
    ]:
        data += os.read(fd, 4096)
    return data.decode()


def test_after_drain_the_app_reads_no_stray_keys() -> None:
    master, slave = os.openpty()
    try:
        answer = b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?1;0;256S\x1b[?62;4c"
        thread = _slow_terminal(master, 0.35, answer)
        caps = detect(environ={}, tty=slave, timeout=0.2)
        assert caps.mode == "halfblock" and caps.pending == 1
        caps = drain(caps, slave, timeout=1.0)
        thread.join(timeout=2)
        assert caps.pending == 0
        assert keys(_pending_input(slave, 0.2)) == []
    finally:
        os.close(master)
        os.close(slave)


def test_typeahead_replays_as_the_keys_the_user_pressed() -> None:
    """What the user typed during detection is kept, and parses as their keys."""
    master, slave = os.openpty()
    try:
        thread = _slow_terminal(master, 0.0, b"j\x1b[Ak\x1b[?62;22c")
        caps = detect(environ={}, tty=slave)
        thread.join(timeout=2)
        assert keys(caps.typeahead.decode()) == ["j", "up", "k"]
    finally:
        os.close(master)
        os.close(slave)
