"""The terminal's answers to detection's queries, parsed as they arrive.

:class:`_Answers` reads Kitty graphics replies, XTVERSION, the cell size
(``CSI 6 ; h ; w t``, clamped by :func:`real_cell_size`), XTSMGRAPHICS and DA1
out of whatever the terminal sends, keeping everything else (what the user typed
meanwhile) as typeahead. Used by :mod:`.detect`.
"""

from __future__ import annotations

import re

CELL_WIDTHS = (4, 64)
CELL_HEIGHTS = (8, 128)
"""The cell sizes (pixels) believed, smallest and largest; a claim outside is clamped.

A terminal (a viewer's, over SSH) may claim any cell size, and the pictures
drawn for it grow with the square of the claim. Real cells run from about 5x8
(small bitmap fonts) to about 44x88 (a large presentation font on a HiDPI
screen at 2x or 3x scaling); 64x128 leaves room above that, and 4x8 below
keeps a picture at least roughly the size of its cells."""
_ESC = 0x1B
_MAX_PARAMS = 64  # a CSI longer than this is not an answer to our queries
_MAX_STRING = 4096  # nor an APC/DCS/OSC string longer than this


def real_cell_size(width: int, height: int) -> tuple[int, int]:
    """A claimed cell size (pixels) clamped to :data:`CELL_WIDTHS` x :data:`CELL_HEIGHTS`."""
    return (
        min(CELL_WIDTHS[1], max(CELL_WIDTHS[0], width)),
        min(CELL_HEIGHTS[1], max(CELL_HEIGHTS[0], height)),
    )


class _Answers:
    """Incremental parser for the terminal's answers.

    Complete answers are interpreted and dropped; anything else (what the user
    typed) is kept, in order, as typeahead.  Parsing stops at the last DA1
    reply expected: whatever follows it is typeahead too.
    """

    def __init__(self, expected_da1: int) -> None:
        self.expected_da1 = expected_da1
        self.buffer = bytearray()
        self.typeahead = bytearray()
        self.da1: list[tuple[int, ...]] = []
        self.kitty_ok = False
        self.cell_size: tuple[int, int] | None = None
        self.sixel_colors: int | None = None
        self.version: str | None = None

    @property
    def done(self) -> bool:
        return len(self.da1) >= self.expected_da1

    @property
    def missing(self) -> int:
        return max(0, self.expected_da1 - len(self.da1))

    def feed(self, data: bytes) -> None:
        self.buffer += data
        buf = self.buffer
        i = 0
        while i < len(buf) and not self.done:
            if buf[i] != _ESC:
                self.typeahead.append(buf[i])
                i += 1
                continue
            consumed = self._escape(buf, i)
            if consumed == 0:  # incomplete: wait for more bytes
                break
            i += consumed
        if self.done:
            self.typeahead += buf[i:]
            i = len(buf)
        del buf[:i]

    def _escape(self, buf: bytearray, i: int) -> int:
        """Handle the escape sequence at ``buf[i]``; return bytes used, 0 if incomplete."""
        if i + 1 >= len(buf):
            return 0
        intro = buf[i + 1]
        if intro == ord("["):
            return self._csi(buf, i)
        if intro in b"_P]":
            return self._string(buf, i)
        # ESC alone, Alt+key or SS3 keys: the user's; keep the ESC, go on.
        self.typeahead.append(_ESC)
        return 1

    def _csi(self, buf: bytearray, i: int) -> int:
        j = i + 2
        while j < len(buf) and 0x20 <= buf[j] <= 0x3F:
            j += 1
            if j - i > _MAX_PARAMS:
                self.typeahead.append(_ESC)
                return 1
        if j >= len(buf):
            return 0
        final = buf[j]
        if not 0x40 <= final <= 0x7E:
            self.typeahead.append(_ESC)
            return 1
        body = bytes(buf[i + 2 : j])
        if not self._csi_answer(body, chr(final)):
            self.typeahead += buf[i : j + 1]
        return j + 1 - i

    def _csi_answer(self, body: bytes, final: str) -> bool:
        """Interpret one CSI; False if it is not an answer (a key the user pressed)."""
        private = body[:1] in (b"?", b">", b"=")
        numbers = _numbers(body[1:] if private else body)
        if private and body[:1] == b"?" and final == "c":
            self.da1.append(numbers)
        elif private and body[:1] == b"?" and final == "S":
            if len(numbers) >= 3 and numbers[0] == 1 and numbers[1] == 0 and numbers[2] > 0:
                self.sixel_colors = numbers[2]
        elif not private and final == "t" and len(numbers) >= 3 and numbers[0] == 6:
            if numbers[1] > 0 and numbers[2] > 0:
                self.cell_size = real_cell_size(numbers[2], numbers[1])
        elif not private:
            return final == "t"  # other window reports; never typed
        return True  # any other private-marker CSI is a report, never a key

    def _string(self, buf: bytearray, i: int) -> int:
        """APC, DCS or OSC string ending with ST (or BEL for OSC).

        Answers never hold an ESC other than the one of ST, so any other ESC
        means this was not an answer (say Alt+P typed by the user): the ESC is
        kept as typeahead and parsing goes on after it.
        """
        esc = buf.find(b"\x1b", i + 2)
        if buf[i + 1] == ord("]"):
            bel = buf.find(b"\x07", i + 2)
            if bel != -1 and (esc == -1 or bel < esc):
                return bel + 1 - i
        if esc == -1 or esc + 1 >= len(buf):
            if len(buf) - i > _MAX_STRING:
                self.typeahead.append(_ESC)
                return 1
            return 0
        if buf[esc + 1] != ord("\\"):
            self.typeahead.append(_ESC)
            return 1
        body = bytes(buf[i + 2 : esc])
        if buf[i + 1] == ord("_") and body.startswith(b"G"):
            keys, _, message = body[1:].partition(b";")
            if b"i=31" in keys.split(b",") and message == b"OK":
                self.kitty_ok = True
        elif buf[i + 1] == ord("P") and body.startswith(b">|") and self.version is None:
            self.version = _printable(body[2:])
        return esc + 2 - i


def _printable(data: bytes, limit: int = 80) -> str:
    """A terminal's self-description as plain text: printable ASCII only, bounded."""
    return "".join(chr(b) for b in data[:limit] if 0x20 <= b < 0x7F).strip()


def _numbers(body: bytes) -> tuple[int, ...]:
    values = []
    for part in re.split(rb"[;:]", body):
        values.append(int(part) if part.isdigit() else 0)
    return tuple(values)
