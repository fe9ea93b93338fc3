"""Small helpers for writes that must survive a crash (no Textual here)."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO


def fsync_file(path: Path) -> None:
    """Flush ``path``'s data to the disk (before it is renamed into place)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Flush ``folder``'s entries (a rename into it) to the disk, where the system allows."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


# -- reading and opening without following links -----------------------------------

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
"""Refuse a symbolic link as the last part of a path (0 where the system has no such flag)."""


class NotRegularFile(OSError):
    """A file the app reads or writes is a link, folder, device, pipe or socket.

    Planted links and special files are how a hostile file author reaches outside
    the portfolio (a notes link to the password file, a history link to a login
    script, a FIFO that hangs every session), so they are refused, never followed.
    ``reason`` says what it is, in words for a message.
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(errno.EINVAL, reason, str(path))

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _reason(mode: int) -> str:
    """The words :class:`NotRegularFile` uses for a file of ``mode`` that is not regular."""
    if stat.S_ISLNK(mode):
        return "is a symbolic link, which is never followed"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    return f"is {_kind(mode)}, not a file"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a device, pipe or socket"


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o666) -> int:
    """``os.open`` that refuses anything but a regular file, and never follows a link.

    The last part of ``path`` may not be a symbolic link (O_NOFOLLOW, so there is
    no window between a check and the open), the open never blocks on a FIFO
    (O_NONBLOCK, cleared again for a regular file), and the descriptor is checked
    with ``fstat``.  Raises :class:`NotRegularFile` for a link, folder or special
    file, and ``OSError`` as ``os.open`` does otherwise.
    """
    flags |= NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(path):
            raise NotRegularFile(path, "is a symbolic link, which is never followed") from None
        if exc.errno == errno.EISDIR:
            raise NotRegularFile(path, "is a folder, not a file") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, f"is {_kind(info.st_mode)}, not a file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, a regular file (see :func:`open_regular`) of at most ``limit`` bytes.

    Raises :class:`NotRegularFile` for a link or special file, :class:`TooLarge`
    past ``limit`` (checked on the descriptor and while reading, so a file that
    grows is cut off too), and ``OSError`` otherwise.
    """
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise TooLarge(path, size, limit)
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise TooLarge(path, total, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


class TooLarge(OSError):
    """A file is larger than the app reads (a damaged store, a planted huge file)."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        self.path = path
        self.size = size
        self.limit = limit
        super().__init__(errno.EFBIG, f"is larger than {_human(limit)}", str(path))

    def __str__(self) -> str:
        return f"{self.path}: is larger than {_human(self.limit)}"


def _human(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} bytes"


_DELETED = " (deleted)"


def opened_path(fd: int) -> str | None:
    """Where the file open on ``fd`` is, as the kernel found it; None where it cannot say.

    Linux names it under /proc/self/fd. Unlike a path resolved before or after the
    open, this is the file actually opened: a folder on the way swapped for a link
    in between cannot fool it. A file removed since it was opened is named at the
    place it had.
    """
    try:
        where = os.readlink(f"/proc/self/fd/{fd}")
    except (OSError, ValueError):
        return None
    if not where.startswith("/"):
        return None
    return where[: -len(_DELETED)] if where.endswith(_DELETED) else where


def _resolved_now(path: Path, fd: int) -> str:
    """Where ``path`` leads now, when the system cannot say where ``fd`` is (no /proc).

    The path's folder is resolved and the file found there must be the one open
    on ``fd``; a swap in between is refused as a change.
    """
    where = os.path.join(os.path.realpath(path.parent), path.name)
    try:
        found = os.stat(where, follow_symlinks=False)
    except OSError:
        found = None
    opened = os.fstat(fd)
    if found is None or (found.st_dev, found.st_ino) != (opened.st_dev, opened.st_ino):
        raise NotRegularFile(path, "changed while it was being opened")
    return where


def open_inside(path: Path, root: Path) -> int:
    """:func:`open_regular` for reading, and the file opened must lie inside ``root``.

    ``root`` is a resolved folder. A folder on the way that is (or became) a link
    leading out of ``root`` is caught on the descriptor itself where the system
    allows (see :func:`opened_path`). Raises :class:`NotRegularFile`.
    """
    fd = open_regular(path)
    try:
        where = opened_path(fd) or _resolved_now(path, fd)
        if not is_within(where, root):
            raise NotRegularFile(path, "is outside the portfolio (reached through a linked folder)")
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_exactly(path: Path) -> int:
    """:func:`open_regular` for reading ``path``, which must be reached without any link.

    For files whose real place was found earlier (a photo, resolved when the
    portfolio was loaded): if a folder on the way became a link since, the file
    is refused rather than read from wherever the link leads. Raises
    :class:`NotRegularFile`.
    """
    fd = open_regular(path)
    try:
        where = opened_path(fd) or _resolved_now(path, fd)
        if where != os.path.abspath(path):
            raise NotRegularFile(path, "is now reached through a linked folder")
    except BaseException:
        os.close(fd)
        raise
    return fd


def is_within(path: str | Path, root: str | Path) -> bool:
    """Whether ``path`` is ``root`` or below it (both already resolved; no file system)."""
    path, root = os.path.normcase(str(path)), os.path.normcase(str(root))
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


# -- locking ---------------------------------------------------------------------

TEMP_SUFFIX = ".tmp"


class LockTimeout(Exception):
    """Another process held ``path``'s lock for longer than the timeout."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        super().__init__(f"{path}: the lock has been held for over {timeout:g} s")


if sys.platform == "win32":  # pragma: no cover - not run on the POSIX CI
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if missing, never removed).

    Waits at most ``timeout`` seconds, then raises :class:`LockTimeout`.  The
    lock file stays: removing it would race with a process waiting on it.  A lock
    file that is a link or a special file raises :class:`NotRegularFile`, and no
    file is created where a link points.
    """
    try:
        fd = open_regular(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError as denied:
        try:
            fd = open_regular(lock_path)  # flock needs no write permission
        except NotRegularFile:
            raise
        except OSError:
            raise denied from None  # "permission denied", not the fallback's "no such file"
    try:
        deadline = time.monotonic() + timeout
        delay = 0.001
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise LockTimeout(lock_path, timeout)
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


# -- atomic writes ---------------------------------------------------------------

Writer = Callable[[BinaryIO], None]
"""Writes a file's content into the open temp file (a Pillow save, a copy)."""

_serial = itertools.count()
"""Makes temp names unique between the threads of one process (the clock may not)."""


def temp_prefix(path: Path) -> str:
    """How the temp files :func:`write_atomically` makes for ``path`` begin (by default)."""
    return f".{path.name}."


def write_atomically(
    path: Path,
    data: str | bytes | Writer,
    *,
    durable: bool = True,
    sync_folder: bool = True,
    keep_mode: bool = True,
    mode: int | None = None,
    exclusive: bool = False,
    regular_only: bool = True,
    temp_name: tuple[str, str] | None = None,
    check: Callable[[], None] | None = None,
) -> None:
    """Put new content at ``path``, all or nothing: every writer of the app goes through here.

    ``data`` is text (written as UTF-8), bytes, or a :data:`Writer` that writes into the
    open temp file.  The temp file is made in ``path``'s folder (never through a link),
    written, flushed and fsynced, then renamed over ``path``, and the folder is fsynced.
    A crash at any moment leaves the old file or the new one, never half of one; on any
    error (the writer's too) the temp file is removed and ``path`` is as it was.  A temp
    file a killed writer left is removed by :func:`remove_stale_temps`.

    - ``durable=False``: no fsync at all, for a file that may be lost in a crash as long
      as it is never seen half written.
    - ``sync_folder=False``: the folder is not fsynced; the caller does it once, after
      writing many files into it.
    - ``keep_mode``: a file replaced keeps its permission bits.
    - ``mode``: the new file's permission bits, exactly (the umask is not applied); by
      default ``0o666`` less the umask.
    - ``exclusive``: never replace anything: ``FileExistsError`` when ``path`` exists,
      before writing or at the end (a hard link, which fails on a taken name; where the
      file system has none, a check right before the rename).
    - ``regular_only``: a link, folder or special file at ``path`` raises
      :class:`NotRegularFile` (it was planted: replacing it would hide that).  With
      False a link or special file there is replaced (never written through).
    - ``temp_name``: how the temp file's name begins and ends, by default
      ``temp_prefix(path)`` and ``.tmp`` (what :func:`remove_stale_temps` looks for).
    - ``check``: called once the content is written, right before the rename; whatever
      it raises gives the write up.
    """
    try:
        old: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        old = None
    if old is not None:
        if exclusive:
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
        if regular_only and not stat.S_ISREG(old.st_mode):
            raise NotRegularFile(path, _reason(old.st_mode))
    start, end = temp_name or (temp_prefix(path), TEMP_SUFFIX)
    tmp = path.with_name(f"{start}{os.getpid()}.{next(_serial)}.{time.monotonic_ns()}{end}")
    fd = open_regular(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else 0o600)
    try:
        try:
            if keep_mode and old is not None and stat.S_ISREG(old.st_mode):
                with contextlib.suppress(OSError, AttributeError):
                    os.fchmod(fd, stat.S_IMODE(old.st_mode))
            elif mode is not None:
                _chmod(fd, tmp, mode)
        except BaseException:
            os.close(fd)
            raise
        _fill(fd, data, durable)  # closes fd
        if check is not None:
            check()
        if exclusive:
            _link_new(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable and sync_folder:
        fsync_dir(path.parent)


def _chmod(fd: int, tmp: Path, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # pragma: no cover - Windows before Python 3.13
        os.chmod(tmp, mode)


def _fill(fd: int, data: str | bytes | Writer, durable: bool) -> None:
    """Write ``data`` into the temp file open on ``fd``, flush (fsync when ``durable``), close."""
    if isinstance(data, (str, bytes)):
        try:
            _write_all(fd, data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)  # a full disk may only say so here (NFS): it fails the save too
        return
    try:
        handle = os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        data(handle)
        handle.flush()
        if durable:
            os.fsync(handle.fileno())


def _link_new(tmp: Path, path: Path) -> None:
    """Give the written ``tmp`` the name ``path`` only if nothing has it (FileExistsError)."""
    try:
        os.link(tmp, path)  # fails if the name was taken meanwhile: never overwrites
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares)
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.replace(tmp, path)
        return
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _write_all(fd: int, data: bytes) -> None:
    """``os.write`` until all of ``data`` is written (a short write is not an error)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - a regular file never writes nothing
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def remove_stale_temps(folder: Path, prefix: str) -> None:
    """Remove temp files (``prefix...tmp``) a killed writer left in ``folder``.

    Call it only while holding the lock that guards those writes, or a live
    writer's temp file could go.
    """
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def not_regular(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a regular file ("is a symbolic link,
    which is never followed"), else None.  Looks at the entry itself (``lstat``)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else _reason(mode)


def write_problem(folder: Path, path: Path, *others: Path) -> str | None:
    """Why ``path`` (a store file in ``folder``) cannot be written, or None when it can.

    ``others`` are files written with it (its history): any of them, or ``path``, that
    is a link or a special file, or that cannot be written, makes the store read-only
    too.  (A lock file needs no write permission: :func:`locked` falls back to reading.)
    """
    if not folder.is_dir():
        return f"{folder} is not a folder"
    for each in (path, *others):
        what = not_regular(each)
        if what is not None:
            return f"{each} {what}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to write in {folder}"
    for each in (path, *others):
        if each.exists() and not os.access(each, os.W_OK):
            return f"no permission to write {each}"
    return None
