"""Small helpers for writes that must survive a crash (no Textual here)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path


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
    lock file stays: removing it would race with a process waiting on it.
    """
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError as denied:
        try:
            fd = os.open(lock_path, os.O_RDONLY)  # flock needs no write permission
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


def temp_prefix(path: Path) -> str:
    """How the temp files :func:`write_atomically` makes for ``path`` begin."""
    return f".{path.name}."


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``: temp file in the same folder, flush, fsync,
    rename over ``path``, fsync the folder.  The old file's permissions are kept.

    A crash at any moment leaves the old file or the new one, never half of one;
    a temp file a killed writer left is removed by :func:`remove_stale_temps`.
    """
    data = text.encode("utf-8")
    tmp = path.with_name(f"{temp_prefix(path)}{os.getpid()}.{time.monotonic_ns()}{TEMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            with contextlib.suppress(OSError):
                os.fchmod(fd, os.stat(path).st_mode & 0o777)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)  # a full disk may only say so here (NFS): it fails the save too
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


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


def write_problem(folder: Path, path: Path) -> str | None:
    """Why ``path`` (a store file in ``folder``) cannot be written, or None when it can."""
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to write in {folder}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"no permission to write {path}"
    return None
