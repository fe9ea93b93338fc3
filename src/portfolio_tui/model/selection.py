"""Filtering and sorting a gallery by its curation: what the grid shows, in which order.

A filter is typed as a few words, in any order, all of which must hold:

====================  ==================================================
``3`` or ``3+``        at least three stars (``0`` means unrated only)
``=3``                 exactly three stars
``pick`` ``reject``    flagged so (``unflagged`` for neither)
``red`` ... ``purple`` that colour label (``nolabel`` for none)
``#tag``               carries the tag (case-insensitive; ``#"two words"``)
anything else          found in the title, file name or notes
====================  ==================================================

No Textual here: the grid and the command line can both use it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..curation import FLAGS, LABELS, PhotoCuration, Snapshot
from ..text import natural_key
from .portfolio_types import Photo

SORTS = ("order", "name", "date", "rating")
"""The gallery's own (curated) order, file name, date taken, stars (most first)."""

_STARS = re.compile(r"^(=)?([0-5])(\+)?$")


@dataclass(frozen=True)
class PhotoFilter:
    """What a typed filter asks for (empty: everything)."""

    min_stars: int | None = None
    exact_stars: int | None = None
    flag: str | None = None
    """"pick", "reject" or "none" (unflagged)."""
    label: str | None = None
    """A label name, or "none"."""
    tags: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    text: str = ""
    """What was typed."""

    @property
    def active(self) -> bool:
        """Whether it leaves anything out."""
        return any(
            (
                self.min_stars is not None,
                self.exact_stars is not None,
                self.flag,
                self.label,
                self.tags,
                self.words,
            )
        )

    def matches(self, photo: Photo, curation: PhotoCuration) -> bool:
        """Whether ``photo`` (with its ``curation``) passes."""
        if self.exact_stars is not None and curation.rating != self.exact_stars:
            return False
        if self.min_stars is not None:
            if self.min_stars == 0 and curation.rating:
                return False
            if curation.rating < self.min_stars:
                return False
        if self.flag is not None and (curation.flag or "none") != self.flag:
            return False
        if self.label is not None and (curation.label or "none") != self.label:
            return False
        if self.tags:
            have = {t.casefold() for t in (*curation.tags, *photo.tags)}
            if not all(tag in have for tag in self.tags):
                return False
        if self.words:
            haystack = " ".join(
                (photo.display_title, photo.name, photo.notes, curation.notes)
            ).casefold()
            if not all(word in haystack for word in self.words):
                return False
        return True


def parse_filter(text: str) -> PhotoFilter:
    """Read a typed filter (see the module's table); never raises."""
    try:
        parts = shlex.split(text)
    except ValueError:  # an unclosed quote: take the words as they are
        parts = text.split()
    min_stars = exact = None
    flag = label = None
    tags: list[str] = []
    words: list[str] = []
    for part in parts:
        low = part.casefold()
        stars = _STARS.match(low)
        if stars:
            if stars.group(1):
                exact = int(stars.group(2))
            else:
                min_stars = int(stars.group(2))
        elif low in FLAGS:
            flag = low
        elif low in ("unflagged", "noflag"):
            flag = "none"
        elif low in LABELS:
            label = low
        elif low in ("nolabel", "unlabelled", "unlabeled"):
            label = "none"
        elif low.startswith("#") and len(low) > 1:
            tags.append(low[1:])
        else:
            words.append(low)
    return PhotoFilter(min_stars, exact, flag, label, tuple(tags), tuple(words), text.strip())


def select(
    photos: Sequence[Photo],
    snapshot: Snapshot,
    photo_filter: PhotoFilter,
    sort: str = "order",
    taken: Mapping[str, str | None] | None = None,
) -> list[Photo]:
    """``photos`` (in the gallery's order) that pass ``photo_filter``, sorted by ``sort``.

    ``taken`` maps a photo's ``rel`` to its EXIF date (``"2024:05:01 10:00:00"``),
    for the "date" sort; photos without a date come last, by name. Sorts are
    stable, so equal ratings keep the gallery's order.
    """
    chosen = [p for p in photos if photo_filter.matches(p, snapshot.photo(p.rel))]
    key: Callable[[Photo], object]
    if sort == "name":
        key = lambda p: natural_key(p.name)  # noqa: E731
    elif sort == "date":
        dates = taken or {}
        key = lambda p: (dates.get(p.rel) is None, dates.get(p.rel) or "", natural_key(p.name))  # noqa: E731
    elif sort == "rating":
        key = lambda p: -snapshot.photo(p.rel).rating  # noqa: E731
    else:
        return chosen
    return sorted(chosen, key=key)
