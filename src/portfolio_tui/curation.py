"""The curation model and the old TOML store, importable from their first home.

They live in :mod:`portfolio_tui.store` (issue 17): the changes, snapshots and validation
in :mod:`.store.changes`, the TOML form in :mod:`.store.toml_form`, the TOML store in
:mod:`.store.toml_curation` and the history reader in :mod:`.store.history`.
"""

from __future__ import annotations

from .store.changes import (
    EMPTY,
    FILE_NAME,
    FLAGS,
    FORMAT,
    HISTORY_NAME,
    LABELS,
    LOCK_NAME,
    LOCK_TIMEOUT,
    MAX_HISTORY_BYTES,
    MAX_NOTES_BYTES,
    MAX_RATING,
    MAX_STORE_BYTES,
    MAX_TAG_CHARS,
    MAX_TAGS,
    PHOTO_FIELDS,
    READ_ONLY_UNTIL,
    Change,
    CurationError,
    InvalidChange,
    PhotoCuration,
    ReadOnlyError,
    Snapshot,
    author,
    clean_author,
    clean_notes,
    clean_photo_path,
    clean_tags,
    describe,
    in_order,
    inverse,
    validate,
    with_changes,
)
from .store.history import HistoryEntry, HistoryRead, history
from .store.toml_curation import CurationStore
from .store.toml_form import merge_changes, read_toml, render, to_toml

__all__ = [
    "EMPTY",
    "FILE_NAME",
    "FLAGS",
    "FORMAT",
    "HISTORY_NAME",
    "LABELS",
    "LOCK_NAME",
    "LOCK_TIMEOUT",
    "MAX_HISTORY_BYTES",
    "MAX_NOTES_BYTES",
    "MAX_RATING",
    "MAX_STORE_BYTES",
    "MAX_TAGS",
    "MAX_TAG_CHARS",
    "PHOTO_FIELDS",
    "READ_ONLY_UNTIL",
    "Change",
    "CurationError",
    "CurationStore",
    "HistoryEntry",
    "HistoryRead",
    "InvalidChange",
    "PhotoCuration",
    "ReadOnlyError",
    "Snapshot",
    "author",
    "clean_author",
    "clean_notes",
    "clean_photo_path",
    "clean_tags",
    "describe",
    "history",
    "in_order",
    "inverse",
    "merge_changes",
    "read_toml",
    "render",
    "to_toml",
    "validate",
    "with_changes",
]
