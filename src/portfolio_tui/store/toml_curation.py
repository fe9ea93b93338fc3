"""The old TOML curation store, :class:`CurationStore`: ratings, flags, labels, tags, notes,
order and covers in ``curation.toml``.

The SQLite store (:mod:`.sqlite_curation`) migrates from it on a writer's first open and
reads folders not yet migrated through it.  Everything lives in ``curation.toml`` in the
portfolio root (format in docs/curation.md).  Several curators may edit one portfolio at
once, so every save takes an exclusive lock on ``curation.toml.lock``, re-reads the file under
the lock, applies only the fields the change touches ("merge field by field"),
writes a temp file in the same folder, fsyncs it, renames it over the store and
fsyncs the folder.  A process killed at any moment leaves either the old or the
new file, both valid.

The file is parsed with ``tomllib`` and written by a small deterministic writer
(photos sorted by path, known keys first), so unknown keys written by another
version survive a save.  Comments do not: the store is re-read on every save
and a style-preserving parse costs about a millisecond per photo table.

Every applied change is also appended to ``curation-history.jsonl`` next to
the store (one JSON object a line: ``at``, ``by``, ``photo`` or ``gallery``,
``field``, ``from``, ``to``), under the same lock, written and fsynced *before*
the store is replaced: a process killed at any moment never leaves a saved
change without its line (at worst a line for a change that did not land).  A
history that cannot be appended to fails the save (``portfolio-tui history``
prints it).

Every file here is opened without following links and must be a regular file
(``files.open_regular``): a store file planted as a link or a FIFO makes the
store read-only with the reason, and is never read or written through.  Names
that are not UTF-8 are stored losslessly (:mod:`portfolio_tui.names`).

No Textual here: this module runs in workers and in command-line tools.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..files import (
    LockTimeout,
    NotRegularFile,
    TooLarge,
    fsync_dir,
    locked,
    not_regular,
    open_regular,
    read_regular,
    remove_stale_temps,
    temp_prefix,
    write_atomically,
    write_problem,
)
from .changes import (
    _ORDER,
    _SURROGATES,
    FILE_NAME,
    FORMAT,
    HISTORY_NAME,
    LOCK_NAME,
    LOCK_TIMEOUT,
    MAX_STORE_BYTES,
    READ_ONLY_UNTIL,
    Change,
    CurationError,
    ReadOnlyError,
    Snapshot,
    _clean_text,
    validate,
)
from .history import _default_author
from .toml_form import _merge, _now, _parse, _to_snapshot, render

# -- the store -------------------------------------------------------------------


class CurationStore:
    """``curation.toml`` in ``root``: :meth:`load` to read, :meth:`apply` to save.

    ``author`` goes into ``updated_by`` (default: ``user@host``).  With
    ``read_only=True`` (``reason`` is then the reason shown, default "opened
    read-only"), or when the folder or file cannot be written, or the file is
    damaged or from a newer version, or the store, its lock or its history is a
    link or a special file, nothing is ever written (not the lock, not the
    history) and :attr:`read_only_reason` says why.
    """

    def __init__(
        self,
        root: Path,
        *,
        author: str | None = None,
        read_only: bool = False,
        reason: str | None = None,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.root = Path(root)
        self.path = self.root / FILE_NAME
        self.lock_path = self.root / LOCK_NAME
        self.history_path = self.root / HISTORY_NAME
        self.author = _clean_text(author)[:200] if author else _default_author()
        self.lock_timeout = lock_timeout
        self._forced = (reason or "opened read-only") if read_only else None
        self._problem: str | None = None
        self.snapshot = Snapshot()
        """The state after the last :meth:`load` or :meth:`apply`."""

    # -- read-only -------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be written, or ``None`` when saving works."""
        if self._forced:
            return self._forced
        if self._problem:
            return self._problem
        for path in (self.path, self.lock_path, self.history_path):
            what = not_regular(path)
            if what is not None:
                return f"{path} {what}; {READ_ONLY_UNTIL}"
        # Not the lock: flock needs no write permission (files.locked opens it read-only).
        return write_problem(self.root, self.path, self.history_path)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    # -- reading ---------------------------------------------------------------
    def _read(self) -> tuple[str, dict[str, Any]]:
        try:
            raw = read_regular(self.path, MAX_STORE_BYTES)
        except FileNotFoundError:
            return "", {}
        except NotRegularFile as exc:
            # Never read: a link to another portfolio's store would show its notes.
            raise CurationError(self.path, f"{exc.reason}; {READ_ONLY_UNTIL}") from None
        except TooLarge as exc:
            raise CurationError(
                self.path,
                f"damaged store: {str(exc.strerror).removeprefix('is ')}, far beyond any "
                "curation; move it away or restore it from a backup (curation is read-only "
                "until then)",
            ) from None
        except OSError as exc:
            raise CurationError(self.path, f"cannot read: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise CurationError(self.path, "damaged curation file: not UTF-8", line) from None
        return text, _parse(self.path, text)

    def _check_version(self, snapshot: Snapshot) -> None:
        if snapshot.format > FORMAT:
            self._problem = (
                f"{self.path} was written by a newer portfolio-tui (format {snapshot.format}); "
                "read-only"
            )

    def load(self) -> Snapshot:
        """Read the store (missing file: empty).  Raises :class:`CurationError`
        when it is damaged; the store is then read-only until a load succeeds."""
        try:
            text, data = self._read()
        except CurationError as exc:
            self._problem = str(exc)
            raise
        self._problem = None
        self.snapshot = _to_snapshot(self.path, text, data)
        self._check_version(self.snapshot)
        return self.snapshot

    # -- writing ---------------------------------------------------------------
    def apply(self, changes: Sequence[Change]) -> Snapshot:
        """Save ``changes``: lock, re-read, merge field by field, write atomically.

        Returns the new state (including other curators' saves).  Raises
        :class:`InvalidChange` for a bad value and :class:`ReadOnlyError` or
        :class:`CurationError` when nothing could be written; once this returns,
        the changes are on disk and survive a crash.
        """
        checked = [validate(c) for c in changes]
        reason = self.read_only_reason
        if reason:
            raise ReadOnlyError(self.path, f"read-only: {reason}")
        if not checked:
            return self.load()
        try:
            with locked(self.lock_path, self.lock_timeout):
                try:
                    _text, data = self._read()
                except CurationError as exc:
                    self._problem = str(exc)
                    raise
                version = data.get("format", FORMAT)
                if isinstance(version, int) and version > FORMAT:
                    self._check_version(Snapshot(format=version))
                    raise ReadOnlyError(self.path, f"read-only: {self._problem}")
                before = _before_values(data, checked)
                _merge(data, checked, self.author)
                text = render(data)
                # The history first, on the disk before the store is replaced: a kill
                # in between leaves a line for a change that did not land, never a
                # saved change without its line.  Under the lock, lines are in save order.
                try:
                    recorded = self._append_history(checked, before)
                except NotRegularFile:
                    raise
                except OSError as exc:
                    raise CurationError(
                        self.history_path,
                        f"not saved: {exc.strerror or exc} (writing the change history)",
                    ) from None
                try:
                    write_atomically(self.path, text)
                except BaseException:
                    # Not saved: the lines go too (only a kill can leave them).
                    self._truncate_history(recorded)
                    raise
                remove_stale_temps(self.root, temp_prefix(self.path))
        except LockTimeout:
            raise CurationError(
                self.lock_path,
                f"another curator has held the lock for over {self.lock_timeout:g} s",
            ) from None
        except NotRegularFile as exc:
            # Planted after the read-only check: refused all the same, nothing written.
            raise ReadOnlyError(exc.path, f"{exc.reason}; {READ_ONLY_UNTIL}") from None
        except OSError as exc:
            # Not a read-only reason: a full disk or a refused write may pass, and the
            # next apply tries again (the app keeps the changes and says NOT SAVED).
            raise CurationError(self.path, f"not saved: {exc.strerror or exc}") from None
        self.snapshot = _to_snapshot(self.path, text, data)
        return self.snapshot

    def _append_history(self, changes: Sequence[Change], before: Sequence[object]) -> int:
        """One line per change, appended with ``O_APPEND`` in one write and fsynced;
        returns the history's size before them (see :meth:`_truncate_history`).

        Raises ``OSError`` (:class:`NotRegularFile` for a link or special file),
        having taken back what it wrote; the caller then leaves the store as it was.
        """
        at = _now().strftime("%Y-%m-%dT%H:%M:%SZ")
        lines = []
        for change, old in zip(changes, before, strict=True):
            entry: dict[str, object] = {"at": at, "by": self.author}
            if change.photo is None:
                entry["gallery"] = change.field.split(":", 1)[1]
                entry["field"] = change.field.split(":", 1)[0]
            else:
                entry["photo"] = change.photo
                entry["field"] = change.field
            entry["from"] = _plain(old)
            entry["to"] = _plain(change.value)
            line = json.dumps(entry, ensure_ascii=False, sort_keys=False)
            # A name that is not UTF-8 holds lone surrogates: JSON's \udcXX escape
            # keeps them (json.loads gives them back) in a file that stays UTF-8.
            lines.append(_SURROGATES.sub(lambda m: f"\\u{ord(m.group(0)):04x}", line))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        created = not os.path.lexists(self.history_path)
        fd = open_regular(self.history_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # A writer killed mid-line: start ours on a line of its own.
                data = b"\n" + data
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)
                raise
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.root)
        return size

    def _truncate_history(self, size: int) -> None:
        """Take back the lines of a save that failed after they were written (the lock
        is held, so nobody appended since); best effort."""
        with contextlib.suppress(OSError):
            fd = open_regular(self.history_path, os.O_WRONLY)
            try:
                os.ftruncate(fd, size)
                os.fsync(fd)
            finally:
                os.close(fd)


def _before_values(data: Mapping[str, Any], changes: Sequence[Change]) -> list[object]:
    """What each change replaces in the raw data (before any of them is merged)."""
    out: list[object] = []
    seen: dict[tuple[str | None, str], object] = {}
    for change in changes:
        key = (change.photo, change.field)
        if key in seen:  # the second change of one field replaces the first's value
            out.append(seen[key])
            seen[key] = change.value
            continue
        if change.photo is None:
            is_order = change.field.startswith(_ORDER)
            section = data.get("order" if is_order else "covers")
            gallery = change.field.split(":", 1)[1]
            value = section.get(gallery) if isinstance(section, dict) else None
        else:
            photos = data.get("photos")
            entry = photos.get(change.photo) if isinstance(photos, dict) else None
            value = entry.get(change.field) if isinstance(entry, dict) else None
        out.append(value)
        seen[key] = change.value
    return out


def _plain(value: object) -> object:
    """``value`` as JSON can hold it (tuples as lists, anything odd as text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
