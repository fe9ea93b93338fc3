"""What the multi-process curation tests share: the edits each worker makes."""

from __future__ import annotations

from portfolio_tui.curation import Change

FIELDS = 5  # each edit sets a different (photo, field): rating, flag, label, tags, notes


def stress_edit(worker: int, n: int) -> Change:
    """Worker ``worker``'s ``n``-th edit: its own photos, one field after another."""
    photo = f"w{worker}/p{n // FIELDS:03}.jpg"
    kind = n % FIELDS
    if kind == 0:
        return Change.rating(photo, 1 + n % 5)
    if kind == 1:
        return Change.flag(photo, "pick")
    if kind == 2:
        return Change.label(photo, "blue")
    if kind == 3:
        return Change.tags(photo, [f"t{n}"])
    return Change.notes(photo, f"note {worker} {n}\nsecond line")
