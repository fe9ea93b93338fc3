"""Client picks: the photos a client marked as favourites while the photographer presented.

Everything lives in ``picks.toml`` in the portfolio root, next to
``curation.toml`` (format in docs/export.md, "Client picks").  Saves work like
the curation store's: an exclusive lock on ``picks.toml.lock``, the file re-read
under the lock, only the requested picks added or removed ("merged"), then a
temp file in the same folder, fsync, rename, fsync the folder.  Two presenters
(or a presenter and ``portfolio-tui picks``) never lose each other's picks, and
a process killed at any moment leaves the old file or the new one.  The file
and its lock are opened without following links and must be regular files: a
planted link or FIFO makes the picks read-only with the reason.  Photo names
that are not UTF-8 are stored losslessly (:mod:`portfolio_tui.names`).

No Textual here: this module runs in workers and in command-line tools.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .._tomlpos import error_position
from ..files import (
    LockTimeout,
    NotRegularFile,
    TooLarge,
    locked,
    not_regular,
    read_regular,
    remove_stale_temps,
    temp_prefix,
    write_atomically,
    write_problem,
)
from ..names import from_store, storable, to_store
from . import toml_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "LOCK_NAME",
    "MAX_CLIENT_CHARS",
    "MAX_STORE_BYTES",
    "PICKS_NAME",
    "VERSION",
    "ClientPicks",
    "Pick",
    "PicksError",
    "PicksStore",
    "client_name",
]

PICKS_NAME = "picks.toml"
LOCK_NAME = "picks.toml.lock"
VERSION = 1
"""The file version this module reads and writes (``version`` at the top)."""
MAX_CLIENT_CHARS = 64
LOCK_TIMEOUT = 10.0
"""Seconds to wait for another writer's save before giving up."""
MAX_STORE_BYTES = 128 * 1024 * 1024
"""``picks.toml`` is refused past this (a pick is about 90 bytes)."""
READ_ONLY_UNTIL = "favourites are read-only until it is a regular file"

HEADER = (
    "# Client favourites marked with `h` while presenting "
    "(portfolio-tui --present --client NAME).\n"
    "# Written by portfolio-tui; `portfolio-tui picks list NAME` shows them.\n"
)

# Control characters, DEL, C1, bidi overrides/isolates and line separators: never in a name.
_UNSAFE_NAME = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


class PicksError(Exception):
    """Picks cannot be read or written, or a name is not acceptable.

    ``str()`` is ``file:line: message`` (or just the message when no file is
    involved); ``path`` is the file, or ``None``.
    """

    def __init__(self, message: str, path: Path | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = "" if path is None else f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)


def client_name(text: str) -> str:
    """``text`` as a client's name: stripped, NFC, 1 to 64 characters, no control
    characters or line breaks.  Raises :class:`PicksError` otherwise."""
    if not isinstance(text, str):
        raise PicksError(f"a client's name must be text, not {type(text).__name__}")
    name = unicodedata.normalize("NFC", text.strip())
    if not name:
        raise PicksError("a client's name cannot be empty; give one with --client NAME")
    if _UNSAFE_NAME.search(name):
        raise PicksError(
            "a client's name cannot contain control characters or line breaks; "
            "type it as plain text"
        )
    if len(name) > MAX_CLIENT_CHARS:
        raise PicksError(
            f"a client's name can be at most {MAX_CLIENT_CHARS} characters, "
            f"not {len(name)}; use a shorter one"
        )
    return name


def _photo_key(photo: str) -> str:
    """A pick's key: a relative POSIX path inside the root, as the portfolio names it."""
    if not isinstance(photo, str) or not photo.strip():
        raise PicksError(f"a photo must be a path relative to the portfolio, not {photo!r}")
    if "\x00" in photo or not storable(photo):
        raise PicksError(f"the photo path {photo!r} cannot be stored (not valid text)")
    # Not NFC-normalised: the key must equal the portfolio's own ``Photo.rel`` (a
    # file name on macOS is often NFD), or the pick would not find its photo again.
    path = PurePosixPath(photo)
    if path.is_absolute() or ".." in path.parts or str(path) == ".":
        raise PicksError(f"the photo path {photo!r} must be relative to the portfolio root")
    return str(path)


def _clean_author(text: str) -> str:
    text = _UNSAFE_NAME.sub(" ", unicodedata.normalize("NFC", text))
    return " ".join(text.split())[:200]


@dataclass(frozen=True)
class Pick:
    """One favourite: the photo (portfolio-relative, ``/``), when (ISO 8601 UTC) and by whom."""

    photo: str
    at: str
    by: str


@dataclass(frozen=True)
class ClientPicks:
    """A client's picks, in the order they were marked."""

    client: str
    picks: tuple[Pick, ...] = ()

    def __contains__(self, photo_rel: object) -> bool:
        return any(p.photo == photo_rel for p in self.picks)

    def __len__(self) -> int:
        return len(self.picks)

    def photos(self) -> tuple[str, ...]:
        """The picked photos' paths, in the order they were marked."""
        return tuple(p.photo for p in self.picks)


# -- reading ---------------------------------------------------------------------


def _timestamp(value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.isoformat() + "Z"
        try:
            return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat() + "Z"
        except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            return value.isoformat()
    return value if isinstance(value, str) else ""


def _to_picks(client: str, table: object) -> ClientPicks:
    picks = []
    if isinstance(table, Mapping):
        for photo, entry in table.items():
            if not isinstance(entry, Mapping):
                continue  # a key some other version wrote: kept on disk, not a pick
            by = entry.get("by")
            picks.append(
                Pick(photo, _timestamp(entry.get("at")), by if isinstance(by, str) else "")
            )
    return ClientPicks(client, tuple(picks))


# -- writing ---------------------------------------------------------------------


def render(data: Mapping[str, Any]) -> str:
    """The file's text: a header comment, ``version``, other top-level keys, then one
    table per client (sorted case-insensitively), each pick on one line."""
    out = [HEADER.rstrip("\n"), f"version = {VERSION}"]
    clients = data.get("clients")
    out.extend(
        f"{toml_text.key(k)} = {toml_text.value(v)}"
        for k, v in data.items()
        if k not in ("version", "clients")
    )
    if isinstance(clients, Mapping):
        for client in sorted(clients, key=lambda c: (c.casefold(), c)):
            out.append("")
            out.append(f"[clients.{toml_text.string(client)}]")
            table = clients[client]
            out.extend(
                f"{toml_text.string(to_store(k))} = {toml_text.value(v)}" for k, v in table.items()
            )
    return "\n".join(out) + "\n"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


# -- the store -------------------------------------------------------------------


class PicksStore:
    """``picks.toml`` in ``root``: :meth:`load` a client's picks, :meth:`apply` to save.

    ``author`` goes into each new pick's ``by`` (default: ``user@host``).  With
    ``read_only=True``, or when the folder or file cannot be written, nothing is
    ever written (not even the lock file) and :attr:`read_only_reason` says why.
    """

    def __init__(
        self,
        root: Path,
        *,
        author: str | None = None,
        read_only: bool = False,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        from .changes import author as default_author

        self.root = Path(root)
        self.path = self.root / PICKS_NAME
        self.lock_path = self.root / LOCK_NAME
        self.author = (_clean_author(author) if author else "") or default_author()
        self.lock_timeout = lock_timeout
        self._forced = "opened read-only" if read_only else None
        self._problem: str | None = None

    # -- read-only -------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be written, or ``None`` when saving works.

        A damaged file or one from a newer version is a reason too, once a
        :meth:`load` or :meth:`apply` has met it (until one succeeds again).
        """
        if self._forced:
            return self._forced
        if self._problem:
            return self._problem
        return self._special() or write_problem(self.root, self.path)

    def _special(self) -> str | None:
        """The picks file or its lock, planted as a link or a special file, or None."""
        for path in (self.path, self.lock_path):
            what = not_regular(path)
            if what is not None:
                return f"{path} {what}; {READ_ONLY_UNTIL}"
        return None

    @property
    def read_only(self) -> bool:
        """True when :meth:`apply` would refuse."""
        return self.read_only_reason is not None

    # -- reading ---------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        """The file's data (missing file: empty); :class:`PicksError` when damaged."""
        try:
            data = self._parse()
        except PicksError as exc:
            self._problem = str(exc)
            raise
        self._problem = None
        return data

    def _parse(self) -> dict[str, Any]:
        try:
            raw = read_regular(self.path, MAX_STORE_BYTES)
        except FileNotFoundError:
            return {}
        except NotRegularFile as exc:
            # Never read: a link could show another portfolio's picks; a FIFO would hang.
            raise PicksError(f"{exc.reason}; {READ_ONLY_UNTIL}", self.path) from None
        except TooLarge as exc:
            raise PicksError(
                f"damaged store: {str(exc.strerror).removeprefix('is ')}, far beyond any "
                "client's picks; move it away or restore it from a backup (nothing is "
                "saved until then)",
                self.path,
            ) from None
        except OSError as exc:
            raise PicksError(f"cannot read: {exc.strerror or exc}", self.path) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise PicksError(
                "damaged picks file: not UTF-8; fix that line or move the file away",
                self.path,
                line,
            ) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message, where, _ = error_position(exc)
            raise PicksError(
                f"damaged picks file, not valid TOML: {message[:1].lower()}{message[1:]}; "
                "fix or remove that line (nothing is saved until then)",
                self.path,
                where,
            ) from None
        except (RecursionError, ValueError) as exc:
            # tomllib recurses once per nested list or inline table, and reads integers
            # with int(), which refuses more than 4300 digits: neither is a TOMLDecodeError.
            what = (
                "lists or tables nested too deeply"
                if isinstance(exc, RecursionError)
                else "a number with too many digits"
            )
            raise PicksError(
                f"damaged picks file, not valid TOML: {what}; fix it or move the file away",
                self.path,
            ) from None
        version = data.get("version", VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise PicksError(
                f"'version' must be {VERSION}, not {version!r}; fix it",
                self.path,
                _line_of(text, "version"),
            )
        if version > VERSION:
            raise PicksError(
                f"written by a newer portfolio-tui (version {version}); upgrade portfolio-tui "
                "to read or change these picks",
                self.path,
            )
        clients = data.get("clients", {})
        if not isinstance(clients, dict) or not all(isinstance(t, dict) for t in clients.values()):
            raise PicksError(
                "'clients' must hold one table per client ([clients.\"NAME\"]); fix it",
                self.path,
                _line_of(text, "clients"),
            )
        for name, table in clients.items():
            clients[name] = {from_store(photo): entry for photo, entry in table.items()}
        return data

    def load_all(self) -> dict[str, ClientPicks]:
        """Every client with at least one pick, sorted case-insensitively."""
        clients = self._read().get("clients", {})
        found = (_to_picks(name, table) for name, table in clients.items())
        return {c.client: c for c in sorted(found, key=_client_order) if c.picks}

    def clients(self) -> list[str]:
        """Every client with at least one pick, sorted case-insensitively."""
        return list(self.load_all())

    def load(self, client: str) -> ClientPicks:
        """``client``'s picks (none when the file or the client is missing).

        Raises :class:`PicksError` for a bad name or a damaged file.
        """
        name = client_name(client)
        clients = self._read().get("clients", {})
        return _to_picks(name, clients.get(name))

    # -- writing ---------------------------------------------------------------
    def apply(
        self, client: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> ClientPicks:
        """Add and remove ``client``'s picks: lock, re-read, merge, write atomically.

        Adding a photo already picked keeps its first time; removing one not
        picked does nothing; nothing is written when nothing changes.  Returns
        the client's picks after the save (other writers' included).  Raises
        :class:`PicksError` when nothing could be written (the file stays valid).
        """
        name = client_name(client)
        adding = list(dict.fromkeys(_photo_key(p) for p in add))
        removing = {_photo_key(p) for p in remove}
        if not adding and not removing:
            return self.load(name)
        reason = self._forced or self._special() or write_problem(self.root, self.path)
        if reason:
            raise PicksError(f"read-only ({reason}); nothing saved", self.path)
        try:
            with locked(self.lock_path, self.lock_timeout):
                data = self._read()
                clients = data.setdefault("clients", {})
                table = clients.get(name, {})
                before = dict(table)
                for photo in removing:
                    table.pop(photo, None)
                now = _now()
                for photo in adding:
                    if photo in table and isinstance(table[photo], Mapping):
                        continue
                    if photo in removing:
                        continue  # added and removed in one call: the removal wins
                    table[photo] = {"at": now, "by": self.author}
                if table == before and list(table) == list(before):
                    return _to_picks(name, table)
                if table:
                    clients[name] = table
                else:
                    clients.pop(name, None)
                data["version"] = VERSION
                write_atomically(self.path, render(data))
                remove_stale_temps(self.root, temp_prefix(self.path))
        except LockTimeout:
            raise PicksError(
                f"another writer has held the lock for over {self.lock_timeout:g} s; "
                "try again in a moment",
                self.lock_path,
            ) from None
        except NotRegularFile as exc:
            # Planted after the read-only check: refused all the same, nothing written.
            raise PicksError(f"{exc.reason}; {READ_ONLY_UNTIL}", exc.path) from None
        except OSError as exc:
            raise PicksError(f"not saved: {exc.strerror or exc}", self.path) from None
        return _to_picks(name, table)


def _client_order(picks: ClientPicks) -> tuple[str, str]:
    return (picks.client.casefold(), picks.client)


def _line_of(text: str, key: str) -> int | None:
    """The line where the top-level ``key`` is set (a best effort, for messages)."""
    pattern = re.compile(rf"^\s*\[?\s*\"?{re.escape(key)}\b", re.MULTILINE)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None
