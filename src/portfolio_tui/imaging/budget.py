"""A bound on the memory the decoders of one process hold at once.

PNG, TIFF, WebP and GIF have no draft mode: the decoder makes every pixel before
anything can be scaled down. A 366 KB PNG of one colour holds 89 million pixels
(356 MB once decoded), and the grid's two decoding threads, a contact sheet's
eight or a viewer's zooms would each hold one. Every decode therefore reserves
what it will hold (:func:`decoded_bytes`) from one process-wide
:data:`BUDGET` first and waits while others hold too much of it, so together
they never pass it; an image that would need more than the whole budget on its
own is refused with a reason instead (:class:`OverBudget`).

The budget is process-wide state on purpose: the memory it guards is too. The
lock is held only to count, never while decoding.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

DEFAULT_BUDGET = 1 << 30
"""1 GiB: room for a 150-megapixel medium-format file decoded whole, or two 89 MP ones."""

_ONE_BYTE = frozenset({"1", "L", "P"})


def bytes_per_pixel(mode: str) -> int:
    """What Pillow stores per pixel in ``mode`` (3-band images are padded to 4 bytes)."""
    if mode in _ONE_BYTE:
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def decoded_bytes(mode: str, size: tuple[int, int]) -> int:
    """Bytes Pillow holds for an image of ``mode`` and ``size`` once decoded."""
    return size[0] * size[1] * bytes_per_pixel(mode)


class OverBudget(Exception):
    """An image needs more memory to decode than the whole budget allows."""

    def __init__(self, needed: int, budget: int) -> None:
        super().__init__(f"needs {needed:,} bytes, the budget is {budget:,}")
        self.needed = needed
        self.budget = budget


class MemoryBudget:
    """A counter of bytes held by decodes, at most ``total``; :meth:`reserve` waits."""

    def __init__(self, total: int = DEFAULT_BUDGET) -> None:
        self.total = total
        self._held = 0
        self._peak = 0
        self._changed = threading.Condition()

    @property
    def held(self) -> int:
        """Bytes reserved now."""
        with self._changed:
            return self._held

    @property
    def peak(self) -> int:
        """The most bytes ever reserved at once (for tests and measurements)."""
        with self._changed:
            return self._peak

    @contextlib.contextmanager
    def reserve(self, amount: int) -> Iterator[None]:
        """Hold ``amount`` bytes for the ``with`` block, waiting until they are free.

        Raises :class:`OverBudget` at once when ``amount`` exceeds the whole budget.
        A decode reserves once, before it starts, and never again inside: no two
        reservations can wait on each other.
        """
        amount = max(0, amount)
        if amount > self.total:
            raise OverBudget(amount, self.total)
        with self._changed:
            self._changed.wait_for(lambda: self._held + amount <= self.total)
            self._held += amount
            self._peak = max(self._peak, self._held)
        try:
            yield
        finally:
            with self._changed:
                self._held -= amount
                self._changed.notify_all()


BUDGET = MemoryBudget()
"""The budget every decode in this process reserves from."""


def megapixels(size: tuple[int, int]) -> int:
    """``size`` in whole megapixels (at least 1)."""
    return max(1, round(size[0] * size[1] / 1_000_000))
