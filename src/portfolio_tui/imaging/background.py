"""Fitting photos into the disk cache in another process, while this one is busy.

At start-up the app's own process spends about half a second importing Textual,
holding the GIL nearly all the time: a decoding thread then gets little done
(Pillow hands the GIL back between the chunks it decodes, and waits to get it
again). A second process decodes on the other core meanwhile, at full speed,
and writes into the same disk cache (entries are renamed into place, so either
process may write an entry, or both). Only for photos the cache does not hold.

The child reads the photo paths from its standard input (NUL-separated, so any
file name is safe), writes nothing to the terminal, and ends with its list.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .cache import ImageCache, fitted, set_shared_cache


def fit_elsewhere(
    paths: Sequence[Path], box: tuple[int, int], cache: ImageCache
) -> subprocess.Popen[bytes] | None:
    """Start a process fitting ``paths`` to ``box`` into ``cache``; None if nothing to do.

    It works from the last path back: the app's own decoding starts at the
    first, so the two meet in the middle instead of decoding the same photos.
    Stop it with :func:`stop` when it is no longer wanted (it also ends by itself).
    """
    if cache.disabled_reason is not None:
        return None
    missing = [path for path in paths if not cache.contains(path, box)]
    if not missing:
        return None
    argv = [sys.executable, "-m", __name__, str(cache.root), str(box[0]), str(box[1])]
    argv.append(str(cache.max_bytes))  # a viewer's cache is smaller than the shared one
    try:
        child = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
    except OSError:
        return None
    assert child.stdin is not None
    with contextlib.suppress(OSError):
        child.stdin.write(b"\0".join(os.fsencode(path) for path in reversed(missing)))
    with contextlib.suppress(OSError):
        child.stdin.close()
    return child


def stop(child: subprocess.Popen[bytes] | None) -> None:
    """End the child if it is still working, and reap it."""
    if child is None:
        return
    if child.poll() is None:
        with contextlib.suppress(OSError):
            child.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        child.wait(timeout=2)


def main(argv: Sequence[str]) -> int:
    """``ROOT WIDTH HEIGHT [MAX_BYTES]``, paths on standard input: fit each into the cache
    at ROOT (bounded at MAX_BYTES)."""
    root, width, height, *bound = argv
    if bound:
        set_shared_cache(ImageCache(Path(root), int(bound[0])))
    else:
        set_shared_cache(ImageCache(Path(root)))
    box = (int(width), int(height))
    for raw in sys.stdin.buffer.read().split(b"\0"):
        if raw:
            with contextlib.suppress(Exception):  # the app meets and reports failures
                fitted(Path(os.fsdecode(raw)), box)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
