"""An immutable mapping that shares structure between versions (no Textual here).

A curation snapshot of 100,000 photos is a value the app keeps and compares, so each
change makes a new one.  Copying a 100,000-entry dict costs 2 to 5 ms here; this mapping
keeps its entries in 256 small dicts chosen by the key's hash, and a new version copies
only the dicts its changes touch (about 400 entries each) and shares the rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from typing import Any, TypeVar, cast, overload

__all__ = ["Lazy", "Sharded"]

V = TypeVar("V")
T = TypeVar("T")
_SHARDS = 256
_MASK = _SHARDS - 1


class _Values(ValuesView[V]):
    def __init__(self, owner: Sharded[V]) -> None:
        super().__init__(owner)
        self._owner = owner

    def __iter__(self) -> Iterator[V]:
        return itertools.chain.from_iterable(b.values() for b in self._owner._buckets)


class _Items(ItemsView[str, V]):
    def __init__(self, owner: Sharded[V]) -> None:
        super().__init__(owner)
        self._owner = owner

    def __iter__(self) -> Iterator[tuple[str, V]]:
        return itertools.chain.from_iterable(b.items() for b in self._owner._buckets)


_ABSENT = object()


class Sharded(Mapping[str, V]):
    """A read-only ``str`` -> value mapping; :meth:`updated` makes a new version cheaply."""

    __slots__ = ("_buckets", "_len")

    def __init__(self, items: Mapping[str, V] | None = None) -> None:
        buckets: list[dict[str, V]] = [{} for _ in range(_SHARDS)]
        for key, value in (items or {}).items():
            buckets[hash(key) & _MASK][key] = value
        self._buckets: tuple[dict[str, V], ...] = tuple(buckets)
        self._len = sum(len(b) for b in buckets)

    def __getitem__(self, key: str) -> V:
        return self._buckets[hash(key) & _MASK][key]

    @overload
    def get(self, key: str, /) -> V | None: ...
    @overload
    def get(self, key: str, default: V | T, /) -> V | T: ...
    def get(self, key: str, default: object = None) -> object:
        """The value for ``key``, else ``default``."""
        return self._buckets[hash(key) & _MASK].get(key, default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._buckets[hash(key) & _MASK]

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._buckets)

    def __len__(self) -> int:
        return self._len

    def values(self) -> ValuesView[V]:
        """The values, bucket by bucket (no lookup per key)."""
        return _Values(self)

    def items(self) -> ItemsView[str, V]:
        """The items, bucket by bucket (no lookup per key)."""
        return _Items(self)

    def copy(self) -> dict[str, V]:
        """A plain dict of every entry."""
        out: dict[str, V] = {}
        for bucket in self._buckets:
            out.update(bucket)
        return out

    def updated(self, changes: Mapping[str, V | None]) -> Sharded[V]:
        """A new version with ``changes`` set (``None``: removed); this one is unchanged."""
        buckets = list(self._buckets)
        copied: set[int] = set()
        length = self._len
        for key, value in changes.items():
            n = hash(key) & _MASK
            if n not in copied:
                buckets[n] = dict(buckets[n])
                copied.add(n)
            bucket = buckets[n]
            had = key in bucket
            if value is None:
                if had:
                    del bucket[key]
                    length -= 1
            else:
                bucket[key] = value
                length += not had
        new = self._like()
        new._buckets = tuple(buckets)
        new._len = length
        return new

    def _like(self) -> Sharded[V]:
        """An uninitialised mapping of this one's kind (``updated`` fills it)."""
        return Sharded.__new__(Sharded)

    def differing(self, other: Sharded[V]) -> set[str]:
        """The keys whose values differ between this version and ``other`` (or that only
        one holds). Buckets the two versions share are skipped unread, so two versions
        made from one by :meth:`updated` compare at the cost of what they changed."""
        out: set[str] = set()
        for mine, theirs in zip(self._buckets, other._buckets, strict=True):
            if mine is theirs:
                continue
            for key in mine.keys() | theirs.keys():
                if self.get(key, _ABSENT) != other.get(key, _ABSENT):
                    out.add(key)
        return out

    def __repr__(self) -> str:
        return f"Sharded({self.copy()!r})"


class Lazy(Sharded[V]):
    """A :class:`Sharded` whose values may be held raw (of type ``raw``) and made by
    ``decode`` on first access, so that building it costs one dict entry a key.

    A decoded value replaces its raw one in the bucket, which versions share: ``decode``
    must give equal values for one raw value (it may run twice when two threads race)."""

    __slots__ = ("_decode", "_raw")

    def __init__(
        self, items: Mapping[str, object], decode: Callable[[Any], V], raw: type = str
    ) -> None:
        super().__init__(cast("Mapping[str, V]", items))
        self._decode = decode
        self._raw = raw

    def _like(self) -> Sharded[V]:
        new: Lazy[V] = Lazy.__new__(Lazy)
        new._decode, new._raw = self._decode, self._raw
        return new

    def _bucket(self, n: int) -> dict[str, V]:
        """Bucket ``n`` with every value decoded."""
        bucket = self._buckets[n]
        raw, decode = self._raw, self._decode
        for key, value in list(bucket.items()):
            if type(value) is raw:
                bucket[key] = decode(value)
        return bucket

    def __getitem__(self, key: str) -> V:
        bucket = self._buckets[hash(key) & _MASK]
        value = bucket[key]
        if type(value) is self._raw:
            value = bucket[key] = self._decode(value)
        return value

    def get(self, key: str, default: object = None) -> Any:
        """The value for ``key``, else ``default``."""
        bucket = self._buckets[hash(key) & _MASK]
        value = bucket.get(key, default)
        if type(value) is self._raw and key in bucket:
            value = bucket[key] = self._decode(value)
        return value

    def values(self) -> ValuesView[V]:
        """The values, bucket by bucket (each decoded first)."""
        for n in range(_SHARDS):
            self._bucket(n)
        return _Values(self)

    def items(self) -> ItemsView[str, V]:
        """The items, bucket by bucket (each decoded first)."""
        for n in range(_SHARDS):
            self._bucket(n)
        return _Items(self)

    def copy(self) -> dict[str, V]:
        """A plain dict of every entry (decoded)."""
        out: dict[str, V] = {}
        for n in range(_SHARDS):
            out.update(self._bucket(n))
        return out

    def raw_items(self) -> Iterator[tuple[str, object]]:
        """The items as held: a value not yet decoded is its raw form."""
        return itertools.chain.from_iterable(b.items() for b in self._buckets)
