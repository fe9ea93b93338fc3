"""Graphics detection against a fake terminal: a pty whose master side a thread answers."""

from __future__ import annotations

import fcntl
import os
import select
import stat
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from portfolio_tui.graphics import detect as detect_module
from portfolio_tui.graphics.detect import (
    DA1_QUERY,
    KITTY_QUERY,
    Capabilities,
    detect,
    drain,
    wrap_passthrough,
)

KITTY_OK = b"\x1b_Gi=31;OK\x1b\\"
DA1_SIXEL = b"\x1b[?62;4;22c"
DA1_PLAIN = b"\x1b[?62;22c"
CELL_10x20 = b"\x1b[6;20;10t"
NO_TMUX: dict[str, str] = {}

# What the fake terminal sends back: (delay before it in seconds, bytes).
Script = list[tuple[float, bytes]]


@dataclass
class FakeTerminal:
    """The master side of a pty: reads the queries, then plays a script."""

    master: int
    slave: int
    answer: Callable[[bytes], Script]
    received: bytearray = field(default_factory=bytearray)
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        # The query always ends with DA1; wait for it (or give up after 1 s).
        deadline = time.monotonic() + 1.0
        while not self.received.endswith(DA1_QUERY.encode()):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.master], [], [], remaining)[0]:
                return
            self.received += os.read(self.master, 4096)
        for delay, data in self.answer(bytes(self.received)):
            time.sleep(delay)
            os.write(self.master, data)

    def join(self) -> None:
        assert self.thread is not None
        self.thread.join(timeout=3)


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    try:
        yield master, slave
    finally:
        os.close(master)
        os.close(slave)


def terminal(pty_pair: tuple[int, int], answer: Callable[[bytes], Script]) -> FakeTerminal:
    fake = FakeTerminal(*pty_pair, answer=answer)
    fake.start()
    return fake


def replies(*chunks: bytes) -> Callable[[bytes], Script]:
    return lambda _query: [(0.0, chunk) for chunk in chunks]


def readable(fd: int, wait: float) -> bytes:
    """Whatever can be read from ``fd`` within ``wait`` seconds."""
    data = b""
    deadline = time.monotonic() + wait
    while (remaining := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], remaining)[0]:
            break
        data += os.read(fd, 4096)
    return data


def run_detect(
    slave: int, choice: str = "auto", *, environ: dict[str, str] = NO_TMUX, timeout: float = 0.2
) -> Capabilities:
    return detect(choice, environ=environ, tty=slave, timeout=timeout)


# --- auto: what the terminal answers decides --------------------------------------------


def test_kitty_answer_before_da1_means_kitty(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(KITTY_OK + CELL_10x20 + DA1_SIXEL))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert caps.mode == "kitty"
    assert "Kitty graphics query" in caps.reason
    assert caps.pending == 0
    assert caps.typeahead == b""
    assert not caps.tmux and not caps.passthrough
    # All four queries went out, DA1 last.
    sent = bytes(fake.received)
    assert sent.startswith(KITTY_QUERY.encode())
    assert b"\x1b[16t" in sent and b"\x1b[?1;1;0S" in sent
    assert sent.endswith(b"\x1b[c")


def test_da1_with_sixel_attribute_means_sixel(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(b"\x1b[?1;0;1024S" + DA1_SIXEL))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert caps.mode == "sixel"
    assert "Sixel" in caps.reason
    assert caps.sixel_colors == 1024
    assert caps.cell_size == (10, 20)  # the fallback, as nothing said otherwise


def test_sixel_colours_default_to_256_and_failure_status_is_ignored(
    pty_pair: tuple[int, int],
) -> None:
    fake = terminal(pty_pair, replies(b"\x1b[?1;3;0S" + DA1_SIXEL))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert (caps.mode, caps.sixel_colors) == ("sixel", 256)


def test_da1_without_sixel_means_halfblock(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(DA1_PLAIN))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert caps.mode == "halfblock"
    assert "neither Kitty nor Sixel" in caps.reason
    assert caps.pending == 0


def test_kitty_error_reply_is_not_kitty(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(b"\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\" + DA1_PLAIN))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert caps.mode == "halfblock"


def test_kitty_is_preferred_over_sixel(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(KITTY_OK + DA1_SIXEL))
    assert run_detect(pty_pair[1]).mode == "kitty"
    fake.join()


def test_answers_split_byte_by_byte(pty_pair: tuple[int, int]) -> None:
    answer = KITTY_OK + b"\x1b[6;18;9t" + b"\x1b[?1;0;512S" + DA1_SIXEL
    fake = terminal(pty_pair, lambda _q: [(0.002, answer[i : i + 1]) for i in range(len(answer))])
    caps = run_detect(pty_pair[1], timeout=2.0)
    fake.join()
    assert caps.mode == "kitty"
    assert caps.cell_size == (9, 18)
    assert caps.sixel_colors == 512
    assert caps.typeahead == b""
    assert caps.pending == 0


def test_cell_size_comes_from_the_16t_reply(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(b"\x1b[6;24;11t" + DA1_PLAIN))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert caps.cell_size == (11, 24)  # (width, height) from CSI 6 ; height ; width t


def test_what_the_user_types_during_detection_is_kept(pty_pair: tuple[int, int]) -> None:
    # "j", an arrow key and Escape arrive mixed with the answers; "k" after DA1.
    fake = terminal(
        pty_pair, replies(b"j" + KITTY_OK + b"\x1b[A" + CELL_10x20 + b"\x1b" + DA1_PLAIN + b"k")
    )
    caps = run_detect(pty_pair[1])
    fake.join()
    assert caps.mode == "kitty"
    assert caps.typeahead == b"j\x1b[A\x1bk"


def test_alt_p_typed_before_the_answers_does_not_swallow_them(pty_pair: tuple[int, int]) -> None:
    # Alt+P is ESC P, which also starts a DCS string: the next ESC shows it wasn't one.
    fake = terminal(pty_pair, replies(b"\x1bP" + KITTY_OK + DA1_PLAIN))
    caps = run_detect(pty_pair[1])
    fake.join()
    assert (caps.mode, caps.typeahead, caps.pending) == ("kitty", b"\x1bP", 0)


def test_silence_falls_back_to_halfblock_quickly(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies())
    start = time.monotonic()
    caps = run_detect(pty_pair[1])
    elapsed = time.monotonic() - start
    fake.join()
    assert caps.mode == "halfblock"
    assert caps.reason == "no answer within 0.2 s: colour half-blocks"
    assert caps.pending == 1
    assert 0.15 < elapsed < 0.5


def test_env_hint_is_only_a_hint_when_the_terminal_is_silent(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies())
    caps = run_detect(pty_pair[1], environ={"TERM": "xterm-kitty"})
    fake.join()
    assert caps.mode == "halfblock"
    assert "suggests Kitty graphics" in caps.reason


def test_env_hint_loses_to_the_query(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(DA1_PLAIN))
    caps = run_detect(pty_pair[1], environ={"TERM_PROGRAM": "WezTerm"})
    fake.join()
    assert caps.mode == "halfblock"


def test_terminal_mode_is_restored(pty_pair: tuple[int, int]) -> None:
    slave = pty_pair[1]
    before = termios.tcgetattr(slave)
    fake = terminal(pty_pair, replies(DA1_PLAIN))
    run_detect(slave)
    fake.join()
    assert termios.tcgetattr(slave) == before


# --- late answers: no stray bytes ---------------------------------------------------------


def test_slow_terminal_gives_halfblock_and_drain_swallows_the_late_answers(
    pty_pair: tuple[int, int],
) -> None:
    _master, slave = pty_pair
    fake = terminal(pty_pair, lambda _q: [(0.4, KITTY_OK + CELL_10x20 + DA1_SIXEL)])
    caps = run_detect(slave)
    assert caps.mode == "halfblock"
    assert caps.reason.startswith("no answer within 0.2 s")
    assert caps.pending == 1

    start = time.monotonic()
    drained = drain(caps, slave, timeout=1.0)
    fake.join()
    assert time.monotonic() - start < 0.9  # stopped at DA1, not at the timeout
    assert drained.pending == 0
    assert drained.mode == "halfblock"  # the decision stands ...
    assert 'set graphics = "kitty"' in drained.reason  # ... but the reason says what came late
    assert readable(slave, 0.2) == b""  # nothing left for Textual to read as keys


def test_without_drain_the_late_answers_would_be_read_by_the_app(
    pty_pair: tuple[int, int],
) -> None:
    """Control for the test above: the late bytes really do land on the terminal."""
    _master, slave = pty_pair
    fake = terminal(pty_pair, lambda _q: [(0.3, KITTY_OK + DA1_SIXEL)])
    caps = run_detect(slave)
    fake.join()
    assert caps.pending == 1
    tty_attrs = termios.tcgetattr(slave)
    tty_attrs[3] &= ~termios.ICANON  # as the app's driver does; canonical mode holds them back
    termios.tcsetattr(slave, termios.TCSANOW, tty_attrs)
    assert DA1_SIXEL in readable(slave, 0.2)


def test_drain_resumes_an_answer_cut_off_by_the_deadline(pty_pair: tuple[int, int]) -> None:
    _master, slave = pty_pair
    fake = terminal(pty_pair, lambda _q: [(0.0, b"x\x1b[?62;"), (0.35, b"4c" + b"y")])
    caps = run_detect(slave)
    assert caps.pending == 1
    assert caps.typeahead == b"x"
    drained = drain(caps, slave, timeout=1.0)
    fake.join()
    assert drained.pending == 0
    assert drained.typeahead == b"xy"  # "4c" was the rest of DA1, not typing
    assert readable(slave, 0.1) == b""


def test_drain_gives_up_after_its_timeout(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies())
    caps = run_detect(pty_pair[1], timeout=0.05)
    start = time.monotonic()
    drained = drain(caps, pty_pair[1], timeout=0.1)
    fake.join()
    assert time.monotonic() - start < 0.4
    assert drained.pending == 1


def test_drain_does_nothing_when_nothing_is_pending(pty_pair: tuple[int, int]) -> None:
    caps = Capabilities("kitty", "x", (10, 20), False, False)
    assert drain(caps, pty_pair[1]) is caps


# --- the user's choice ----------------------------------------------------------------


def test_halfblock_choice_asks_nothing(pty_pair: tuple[int, int]) -> None:
    master, slave = pty_pair
    caps = run_detect(slave, "halfblock")
    assert caps.mode == "halfblock"
    assert caps.reason == 'graphics = "halfblock" in the config'
    assert readable(master, 0.1) == b""


def test_forced_sixel_learns_the_cell_size_from_16t(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(b"\x1b[6;22;12t" + DA1_PLAIN))
    caps = run_detect(pty_pair[1], "sixel")
    fake.join()
    assert caps.mode == "sixel"  # even though DA1 has no 4: the user said so
    assert "in the config" in caps.reason
    assert caps.cell_size == (12, 22)
    assert bytes(fake.received) == b"\x1b[16t\x1b[c"  # no Kitty query


def test_forced_sixel_prefers_the_window_size_pixels(pty_pair: tuple[int, int]) -> None:
    master, slave = pty_pair
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 800, 640))
    caps = run_detect(slave, "sixel")
    assert caps.cell_size == (8, 16)
    assert readable(master, 0.1) == b""  # no query needed


def test_forced_kitty_falls_back_to_a_default_cell_size(pty_pair: tuple[int, int]) -> None:
    fake = terminal(pty_pair, replies(DA1_PLAIN))
    caps = run_detect(pty_pair[1], "kitty")
    fake.join()
    assert (caps.mode, caps.cell_size) == ("kitty", (10, 20))


def test_unknown_choice_is_an_error() -> None:
    with pytest.raises(ValueError, match="graphics must be one of"):
        detect("ascii", environ=NO_TMUX)


# --- no terminal to ask -----------------------------------------------------------------


def test_not_a_terminal_gives_halfblock_with_a_hint() -> None:
    read_end, write_end = os.pipe()
    try:
        caps = detect(environ={"KITTY_WINDOW_ID": "1"}, tty=read_end)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert caps.mode == "halfblock"
    assert caps.reason.startswith("the input is not a terminal")
    assert "Kitty" in caps.reason


def test_without_termios_gives_halfblock(
    pty_pair: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(detect_module, "_termios", None)
    caps = run_detect(pty_pair[1])
    assert caps.mode == "halfblock"
    assert "termios" in caps.reason
    assert readable(pty_pair[0], 0.05) == b""


# --- tmux -----------------------------------------------------------------------------


def fake_tmux(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, allow_passthrough: str, body: str = ""
) -> None:
    """A ``tmux`` on PATH printing ``allow_passthrough`` (or running ``body``)."""
    script = tmp_path / "bin" / "tmux"
    script.parent.mkdir()
    script.write_text(f"#!/bin/sh\n{body or f'echo {allow_passthrough}'}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")


TMUX_ENV = {"TMUX": "/tmp/tmux-0/default,1,0", "TMUX_PANE": "%1"}
TMUX_DA1 = b"\x1b[?1;2c"
TMUX_DA1_SIXEL = b"\x1b[?1;2;4c"


def tmux_then_outer(tmux_answer: bytes, outer_answer: bytes) -> Callable[[bytes], Script]:
    """tmux answers its own queries at once; the outer terminal only wrapped ones."""

    def answer(query: bytes) -> Script:
        script = [(0.0, tmux_answer)]
        if wrap_passthrough(KITTY_QUERY).encode()[:-2] in query:
            script.append((0.02, outer_answer))
        return script

    return answer


def test_tmux_with_passthrough_reaches_kitty_outside(
    pty_pair: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tmux names the terminal outside it (client_termtype, its XTVERSION reply).
    kitty_new = 'if [ "$1" = display ]; then echo "kitty(0.35.2)"; else echo on; fi'
    fake_tmux(tmp_path, monkeypatch, "", body=kitty_new)
    fake = terminal(pty_pair, tmux_then_outer(CELL_10x20 + TMUX_DA1, KITTY_OK + DA1_SIXEL))
    caps = run_detect(pty_pair[1], environ=TMUX_ENV)
    fake.join()
    assert (caps.mode, caps.tmux, caps.passthrough) == ("kitty", True, True)
    assert caps.placeholders and caps.terminal == "kitty 0.35.2"
    assert caps.pending == 0
    assert wrap_passthrough(KITTY_QUERY + DA1_QUERY).encode() in bytes(fake.received)


def test_tmux_without_passthrough_gives_halfblock_naming_the_option(
    pty_pair: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tmux(tmp_path, monkeypatch, "off")
    fake = terminal(pty_pair, tmux_then_outer(TMUX_DA1, KITTY_OK + DA1_SIXEL))
    caps = run_detect(pty_pair[1], environ=TMUX_ENV)
    fake.join()
    assert (caps.mode, caps.tmux, caps.passthrough) == ("halfblock", True, False)
    assert "allow-passthrough" in caps.reason
    assert "set -g allow-passthrough on" in caps.reason
    assert b"\x1b_G" not in bytes(fake.received)  # pointless without passthrough
    assert caps.pending == 0


def test_tmux_with_its_own_sixel_needs_no_passthrough(
    pty_pair: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tmux(tmp_path, monkeypatch, "off")
    fake = terminal(pty_pair, tmux_then_outer(b"\x1b[?1;0;1024S" + TMUX_DA1_SIXEL, b""))
    caps = run_detect(pty_pair[1], environ=TMUX_ENV)
    fake.join()
    assert (caps.mode, caps.tmux, caps.passthrough) == ("sixel", True, False)
    assert caps.sixel_colors == 1024
    assert "tmux" in caps.reason


def test_tmux_passthrough_on_but_outer_terminal_silent(
    pty_pair: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tmux(tmp_path, monkeypatch, "on")
    fake = terminal(pty_pair, replies(TMUX_DA1))
    caps = run_detect(pty_pair[1], environ=TMUX_ENV)
    fake.join()
    assert caps.mode == "halfblock"
    assert caps.reason.startswith("the terminal outside tmux gave no answer within 0.2 s")
    assert caps.pending == 1  # the outer DA1 may still come: drain() waits for it


def test_forced_kitty_in_tmux_uses_passthrough_when_allowed(
    pty_pair: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tmux(tmp_path, monkeypatch, "all")
    fcntl.ioctl(pty_pair[1], termios.TIOCSWINSZ, struct.pack("HHHH", 10, 10, 100, 200))
    caps = run_detect(pty_pair[1], "kitty", environ=TMUX_ENV)
    assert (caps.mode, caps.passthrough, caps.cell_size) == ("kitty", True, (10, 20))


def test_tmux_before_3_3_always_allowed_passthrough(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = 'if [ "$1" = -V ]; then echo "tmux 3.2a"; else echo "invalid option" >&2; exit 1; fi'
    fake_tmux(tmp_path, monkeypatch, "", body=old)
    assert detect_module._tmux_passthrough(TMUX_ENV) is True


def test_a_hanging_tmux_counts_as_no_passthrough(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tmux(tmp_path, monkeypatch, "", body="exec sleep 5")
    start = time.monotonic()
    assert detect_module._tmux_passthrough(TMUX_ENV) is False
    assert time.monotonic() - start < 0.5


# --- passthrough wrapping ----------------------------------------------------------------


def test_wrap_passthrough_doubles_every_escape() -> None:
    assert wrap_passthrough("\x1b_Ga=q\x1b\\") == "\x1bPtmux;\x1b\x1b_Ga=q\x1b\x1b\\\x1b\\"
    assert wrap_passthrough("plain") == "\x1bPtmux;plain\x1b\\"


def test_detect_does_not_import_textual() -> None:
    code = (
        "import sys, portfolio_tui.graphics.detect\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
