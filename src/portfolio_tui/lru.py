"""One thread-safe, cost-bounded LRU for every in-memory cache of pictures.

Half-block renders, Kitty/Sixel pictures, decoded copies for zoomed views and
zoomed views themselves all keep recent results the same way: bounded by a
cost (cells, bytes, or a count), least recently used evicted first, safe to
share between the UI thread and workers. A cache whose callers must find an
entry without a file-system call (the UI thread may not stat) also indexes
the newest entry per *box*: the key without the file's size and mtime.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """Entries up to a total ``cost(value)`` of ``bound``; ``box(key)`` indexes the newest."""

    def __init__(
        self,
        bound: int,
        cost: Callable[[V], int] = lambda _: 1,
        box: Callable[[K], Hashable] | None = None,
    ) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._latest: dict[Hashable, K] = {}
        self._bound = bound
        self._cost = cost
        self._box = box
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The entry for ``key``, marked recently used."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def newest(self, box: Hashable) -> V | None:
        """The newest entry stored for ``box`` (needs ``box`` given at construction)."""
        with self._lock:
            key = self._latest.get(box)
            return self._items.get(key) if key is not None else None

    def matching(self, wanted: Callable[[K], bool]) -> list[V]:
        """Every entry whose key ``wanted`` accepts, marked recently used."""
        with self._lock:
            keys = [key for key in self._items if wanted(key)]
            for key in keys:
                self._items.move_to_end(key)
            return [self._items[key] for key in keys]

    def put(self, key: K, value: V) -> None:
        """Store ``value``, evicting the least recently used beyond the bound (keeps one)."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._total -= self._cost(old)
            self._items[key] = value
            self._total += self._cost(value)
            if self._box is not None:
                self._latest[self._box(key)] = key
            while self._total > self._bound and len(self._items) > 1:
                evicted_key, evicted = self._items.popitem(last=False)
                self._total -= self._cost(evicted)
                if (
                    self._box is not None
                    and self._latest.get(self._box(evicted_key)) == evicted_key
                ):
                    del self._latest[self._box(evicted_key)]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._latest.clear()
            self._total = 0

    @property
    def total(self) -> int:
        """The summed cost of what is held."""
        return self._total

    def __len__(self) -> int:
        return len(self._items)
