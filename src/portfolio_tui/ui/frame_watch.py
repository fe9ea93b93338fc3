"""Which images in Textual's frames actually reached the terminal.

A Sixel image goes out inside a frame, after the cells it covers (see
``PhotoView.render_lines``). Rendering a widget is not writing it: Textual
renders every widget that overlaps the box around an update's dirty regions,
then writes only the lines (and columns) of those regions, and it drops any
frame made during a batch update (a Markdown panel mounting its blocks makes
one). A view that took its image as shown when it rendered it would step over
cells that never got it on every later repaint: in xterm, 1 start in 5 on a
busy machine left "loading…" on screen for good.

So the view registers the start of its image's sequence here, and the frames
Textual writes are watched for it (:meth:`FrameWatch.watch` wraps the
driver's ``write``). Only a frame that carried the sequence makes the image
count as shown.
"""

from __future__ import annotations

from collections.abc import Callable

MARKER_LENGTH = 160
"""Characters of an image's sequence that identify it: its cursor move (the place
on screen), the Sixel header and the start of its colours and pixels."""


class FrameWatch:
    """Sequences awaited in the frames written to the terminal, and what to do on each."""

    def __init__(self) -> None:
        self.watching = False
        """Whether frames are watched (no terminal, as under test: rendering is all)."""
        self._awaited: dict[str, Callable[[], None]] = {}

    def watch(self, write: Callable[[str], None]) -> Callable[[str], None]:
        """``write`` (the driver's), reporting each awaited sequence it writes."""
        self.watching = True

        def write_and_watch(data: str) -> None:
            write(data)
            if self._awaited:
                self.saw(data)

        return write_and_watch

    def expect(self, sequence: str, written: Callable[[], None]) -> str:
        """Call ``written`` when a frame carries ``sequence``; the marker to :meth:`forget` it."""
        marker = sequence[:MARKER_LENGTH]
        self._awaited[marker] = written
        return marker

    def saw(self, data: str) -> None:
        """``data`` went to the terminal: report the awaited sequences in it."""
        for marker in [marker for marker in self._awaited if marker in data]:
            self._awaited.pop(marker)()

    def forget(self, marker: str) -> bool:
        """Stop awaiting ``marker``; whether it was still awaited (its frame never went out)."""
        return self._awaited.pop(marker, None) is not None
