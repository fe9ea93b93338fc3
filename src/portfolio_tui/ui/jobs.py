"""Thread jobs that report back as typed messages, and only while they are the newest.

A screen reads slow things (image headers, EXIF, XMP) with :meth:`Jobs.start`:
the function runs in an exclusive Textual thread worker, one group per kind of
result, and its result comes back to the screen as that kind's :class:`JobDone`
subclass (an error, or being replaced by a newer job of the same kind, as its
:class:`JobFailed` subclass, if it has one). Each message carries the job's
token: starting a job makes it the kind's current one, and a handler drops any
message for which :meth:`Jobs.current` is false, since the screen has asked for
something newer. A thread worker cannot be stopped, so a replaced job still
finishes and posts; the token, checked on the UI thread, is what keeps it out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker

T = TypeVar("T")


class JobDone(Message, Generic[T], bubble=False):
    """A job's result; subclass it once per kind of result."""

    def __init_subclass__(cls, bubble: bool | None = False) -> None:
        super().__init_subclass__(bubble=bubble)  # a job reports to its owner only

    def __init__(self, token: int, result: T) -> None:
        super().__init__()
        self.token = token
        """The job's place among the jobs of its kind (see :meth:`Jobs.current`)."""
        self.result = result


class JobFailed(Message, bubble=False):
    """A job raised ``error``, or (``error`` None) a newer job of its kind replaced it."""

    def __init_subclass__(cls, bubble: bool | None = False) -> None:
        super().__init_subclass__(bubble=bubble)  # a job reports to its owner only

    def __init__(self, kind: type[Message], token: int, error: Exception | None) -> None:
        super().__init__()
        self.kind: type[Message] = kind
        """The kind of job (its :class:`JobDone` subclass)."""
        self.token = token
        self.error = error

    @property
    def cancelled(self) -> bool:
        """Replaced by a newer job of the same kind (its result, if any, will be stale)."""
        return self.error is None


class Jobs:
    """The thread jobs of one screen or widget, and which job of each kind is current."""

    def __init__(self, owner: DOMNode) -> None:
        self._owner = owner
        self._tokens: dict[type[Message], int] = {}
        self._running: dict[type[Message], tuple[Worker[None], type[JobFailed], int]] = {}

    def start(
        self,
        work: Callable[[], T],
        done: type[JobDone[T]],
        failed: type[JobFailed] | None = None,
        *,
        description: str = "",
    ) -> int:
        """Run ``work`` in a thread; post ``done(token, result)`` or ``failed(...)`` to the owner.

        The job of the same kind still running is cancelled (its ``failed`` is posted
        now, as Textual cancels it) and its token is no longer current. Returns the
        new job's token.
        """
        token = self._tokens[done] = self._tokens.get(done, 0) + 1
        owner = self._owner
        if (before := self._running.pop(done, None)) is not None:
            replaced, replaced_failed, replaced_token = before
            if not replaced.is_finished:  # the exclusive worker below cancels it
                owner.post_message(replaced_failed(done, replaced_token, None))

        def run() -> None:
            try:
                result = work()
            except Exception as error:
                if failed is not None:
                    owner.post_message(failed(done, token, error))
                raise  # the worker ends in error, as any other would
            owner.post_message(done(token, result))

        worker = owner.run_worker(
            run,
            group=done.__name__,
            description=description,
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )
        if failed is not None:
            self._running[done] = (worker, failed, token)
        return token

    def outdate(self, *kinds: type[Message]) -> None:
        """Jobs of these kinds under way are for what is no longer wanted: drop what they report."""
        for kind in kinds:
            self._tokens[kind] = self._tokens.get(kind, 0) + 1

    def current(self, message: JobDone[T] | JobFailed) -> bool:
        """Whether ``message`` comes from the newest job of its kind (else drop it)."""
        kind = message.kind if isinstance(message, JobFailed) else type(message)
        return self._tokens.get(kind) == message.token
