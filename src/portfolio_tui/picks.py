"""Client picks, importable from their first home: they live in :mod:`.store.picks`."""

from __future__ import annotations

from .store.picks import (
    LOCK_NAME,
    LOCK_TIMEOUT,
    MAX_CLIENT_CHARS,
    MAX_STORE_BYTES,
    PICKS_NAME,
    READ_ONLY_UNTIL,
    VERSION,
    ClientPicks,
    Pick,
    PicksError,
    PicksStore,
    client_name,
)

__all__ = [
    "LOCK_NAME",
    "LOCK_TIMEOUT",
    "MAX_CLIENT_CHARS",
    "MAX_STORE_BYTES",
    "PICKS_NAME",
    "READ_ONLY_UNTIL",
    "VERSION",
    "ClientPicks",
    "Pick",
    "PicksError",
    "PicksStore",
    "client_name",
]
