"""A client's favourites, marked with ``h`` while presenting: shown at once, saved in a thread.

Her answers to a blind test (``b`` on a comparison) go through the same writer
thread, into the same database (:class:`~portfolio_tui.store.sqlite_blind.SqliteBlindStore`).

The set on screen changes the moment the key goes down; one writer thread saves
each change through :class:`~portfolio_tui.store.sqlite_picks.SqlitePicksStore` (lock, re-read,
merge, atomic write), so two laptops presenting to the same client lose nothing.
A failed save is reported (an error toast, which present mode lets through) and
the mark stays on screen, so the presenter knows to note it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from textual.message import Message

from ..portfolio import Photo, Portfolio
from ..text import clean

if TYPE_CHECKING:
    from textual.app import App

    from ..store.blind import BlindAnswer
    from ..store.sqlite_blind import SqliteBlindStore
    from ..store.sqlite_picks import SqlitePicksStore

# picks.py is imported only when a client is named (start-up pays nothing for it).


class PicksFailed(Message):
    """A favourite (or a blind test's answer) could not be saved (posted from the writer
    thread); ``repeated``: the save before failed for the same reason, which has been said
    already; ``what``: what was not saved."""

    def __init__(self, error: str, repeated: bool = False, what: str = "Favourite") -> None:
        super().__init__()
        self.error = error
        self.repeated = repeated
        self.what = what


class Picker:
    """The favourites of the client named by ``--client``, as the presentation shows them."""

    def __init__(self, app: App[Any], store: SqlitePicksStore | None, client: str | None) -> None:
        self.app = app
        self.store = store
        self.client = client if store is not None else None
        self.picked: dict[str, None] = {}
        """Photos (paths in the portfolio) in the order they were marked."""
        self.error: str | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._pending: list[Future[object]] = []
        self._last_failure: str | None = None  # the writer thread's own: the last save's
        self._answers: SqliteBlindStore | None = None

    @property
    def active(self) -> bool:
        """A client was named, so ``h`` marks favourites."""
        return self.client is not None

    @property
    def read_only_reason(self) -> str | None:
        """Why favourites cannot be saved (None when they can)."""
        return self.store.read_only_reason if self.store is not None else None

    def load(self) -> None:
        """Read the client's earlier favourites (a small file: on the event loop, at start)."""
        if self.store is None or self.client is None:
            return
        try:
            found = self.store.load(self.client)
        except Exception as exc:  # a damaged, linked or special store file: say so, go on
            self.error = _why(self.store, exc, "cannot read")
            self.app.notify(clean(self.error), severity="error", markup=False, timeout=8)
            return
        self.picked = dict.fromkeys(found.photos())

    def __contains__(self, photo: object) -> bool:
        return isinstance(photo, Photo) and photo.rel in self.picked

    def toggle(self, photo: Photo) -> bool:
        """Mark or unmark ``photo``; True when it is now a favourite."""
        assert self.store is not None and self.client is not None
        now = photo.rel not in self.picked
        if now:
            self.picked[photo.rel] = None
        else:
            del self.picked[photo.rel]
        add, remove = ((photo.rel,), ()) if now else ((), (photo.rel,))
        self._submit(self._save, self.client, add, remove)
        return now

    def _submit(self, work: Callable[..., None], *args: object) -> None:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="picks")
        self._pending = [f for f in self._pending if not f.done()]
        self._pending.append(self._writer.submit(work, *args))

    def save_answer(self, answer: BlindAnswer) -> None:
        """Save a blind test's answer (for :attr:`client`) in the writer thread.

        Only when :attr:`active` and not read-only (the caller says why not)."""
        assert self.store is not None and self.client is not None
        if self._answers is None:
            from ..store.sqlite_blind import SqliteBlindStore

            self._answers = SqliteBlindStore.beside(self.store)
        self._submit(self._save_answer, self._answers, answer)

    def _save_answer(self, store: SqliteBlindStore, answer: BlindAnswer) -> None:
        try:
            store.save(answer)
        except Exception as exc:  # reported; the writer serves the next save
            why = _why(store.picks, exc)
            self.app.post_message(PicksFailed(why, why == self._last_failure, "Answer"))
            self._last_failure = why
        else:
            self._last_failure = None

    def _save(self, client: str, add: Sequence[str], remove: Sequence[str]) -> None:
        assert self.store is not None
        try:
            self.store.apply(client, add=add, remove=remove)
        except Exception as exc:  # any failure is reported; the writer serves the next mark
            why = _why(self.store, exc)
            self.app.post_message(PicksFailed(why, repeated=why == self._last_failure))
            self._last_failure = why
        else:
            self._last_failure = None

    def failed(self, message: PicksFailed) -> None:
        """Say so, once for a cause that repeats; the mark stays on screen."""
        self.error = message.error
        if message.repeated:
            return
        self.app.notify(
            f"{message.what} not saved: {clean(message.error)}",
            severity="error",
            markup=False,
            timeout=8,
        )

    def photos(self, portfolio: Portfolio) -> list[Photo]:
        """The favourites that are still in the portfolio, in the order they were marked."""
        found = (portfolio.photo(rel) for rel in self.picked)
        return [photo for photo in found if photo is not None]

    def close(self, timeout: float) -> None:
        """Wait (up to ``timeout`` s) for the last saves; called when the app exits."""
        if self._pending:
            wait(self._pending, timeout=timeout)
        if self._writer is not None:
            self._writer.shutdown(wait=False)


def _why(store: SqlitePicksStore, exc: BaseException, failed: str = "not saved") -> str:
    """A failed load's or save's reason; for anything unforeseen, its type and text."""
    from ..picks import PicksError

    if isinstance(exc, (PicksError, OSError)):
        return str(exc)
    return f"{store.path}: {failed}: {type(exc).__name__}: {exc}"
