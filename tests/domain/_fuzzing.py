"""Shared settings and helpers for the hypothesis fuzz tests (tests/domain/test_fuzz*.py).

The profile is applied per test (``@FUZZ``), never loaded globally, so other
hypothesis tests keep their own settings.  ``FUZZ_EXAMPLES`` sets the number of
examples per property for a long campaign (see tests/domain/test_fuzz.py).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

DEFAULT_EXAMPLES = 100
"""Per property in the normal suite: the whole fuzz set stays well under 40 s on 2 cores."""


def _examples() -> int:
    text = os.environ.get("FUZZ_EXAMPLES", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else DEFAULT_EXAMPLES


settings.register_profile(
    "portfolio-fuzz",
    max_examples=_examples(),
    # Each example writes files and parses them; timing varies with the machine's load.
    deadline=None,
    # Structured TOML and XMP documents are big by design; hypothesis would otherwise
    # warn that generating them is slow or that they are large.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # A long campaign keeps its failures in .hypothesis/ and replays them first.
    print_blob=True,
)
FUZZ = settings.get_profile("portfolio-fuzz")
"""Decorate each property with ``@FUZZ``."""


@contextmanager
def scratch(factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh folder per example, under pytest's temporary folder.

    ``tmp_path`` is one folder per test function, shared by all its examples,
    so each example gets its own subfolder of the session's base instead.
    """
    with tempfile.TemporaryDirectory(prefix="fuzz-", dir=factory.getbasetemp()) as folder:
        yield Path(folder)


def lines_in(text: str | bytes) -> int:
    """How many lines a problem may point into."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    return text.count(newline) + 1  # type: ignore[arg-type]
