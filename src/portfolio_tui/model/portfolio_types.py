"""What a portfolio is: photos, galleries, comparisons, and filters over photos.

Plain frozen values, built by :mod:`.loader`; nothing here touches the file system.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..imaging.raw import RAW_SUFFIXES
from ..problems import Problem
from .config_types import Config
from .safe_paths import normalise_rel

RAW_BADGE = "RAW"
PAIR_BADGE = "RAW+JPEG"


@dataclass(frozen=True)
class Photo:
    """One image file in the portfolio, with what the config and sidecars say about it."""

    path: Path
    rel: str
    title: str | None = None
    caption: str | None = None
    notes: str = ""
    notes_file: Path | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None
    gallery_id: str | None = None
    resolved: Path | None = field(default=None, repr=False)
    """Where the file really is, found at load (inside the root, no link on the way)."""
    raw: Path | None = None
    """The RAW file paired with this JPEG (same folder, same name), if any.

    The pair is one photo under the JPEG's path and ``rel``: curation made while
    RAW files were not shown stays with it.
    """
    raw_resolved: Path | None = field(default=None, repr=False)
    """Where :attr:`raw` really is, found at load like :attr:`resolved`."""

    @property
    def name(self) -> str:
        """The file name."""
        return self.path.name

    @property
    def real_path(self) -> Path:
        """The file to read the pixels from: :attr:`path` with every link resolved at load.

        Decoding opens exactly this path and refuses a link or special file there
        (``files.open_exactly``), so a photo swapped after load for a link out of
        the root, or for a FIFO, is never read. ``path`` stays the name shown.
        """
        return self.resolved or self.path

    @property
    def raw_real_path(self) -> Path | None:
        """The paired RAW file to read, every link resolved at load (None: no pair)."""
        if self.raw is None:
            return None
        return self.raw_resolved or self.raw

    @property
    def format_badge(self) -> str | None:
        """``RAW+JPEG`` for a pair, ``RAW`` for a RAW file alone, else None."""
        if self.raw is not None:
            return PAIR_BADGE
        if self.path.suffix.lower() in RAW_SUFFIXES:
            return RAW_BADGE
        return None

    @property
    def display_title(self) -> str:
        """Title from the config, else the file name without its extension."""
        return self.title or self.path.stem

    @property
    def source_label(self) -> str:
        """Human name of where the config says the photo came from.

        Only the config's ``source``: the photo's XMP is read by
        :func:`portfolio_tui.provenance.provenance`, off the UI thread.
        """
        return SOURCE_LABELS.get(self.source or "", UNKNOWN_SOURCE_LABEL)


# The config's "composite" is any picture put together from several (a focus
# stack too), so it is not "Composite with AI"; provenance.py says that only
# where the XMP's code names synthetic parts.
SOURCE_LABELS = {
    "camera": "Camera original",
    "ai": "AI-generated",
    "retouched": "Retouched",
    "composite": "Composite",
}
UNKNOWN_SOURCE_LABEL = "Unknown source"


@dataclass(frozen=True)
class Gallery:
    """An ordered set of photos from one folder."""

    id: str
    title: str
    folder: Path
    photos: tuple[Photo, ...]
    cover: Photo | None = None
    notes: str = ""
    not_shown: int = 0
    """How many files in the folder are not shown (``check`` names each one)."""

    def __len__(self) -> int:
        return len(self.photos)


@dataclass(frozen=True)
class ComparisonSide:
    """One side of a comparison: a photo (None when the file is missing) and its label."""

    rel: str
    label: str
    photo: Photo | None


@dataclass(frozen=True)
class Comparison:
    """Two to four photos meant to be looked at side by side."""

    id: str
    title: str
    sides: tuple[ComparisonSide, ...]
    notes: str = ""


@dataclass(frozen=True)
class Portfolio:
    """Everything the app shows, plus every problem met while loading it."""

    config: Config
    galleries: tuple[Gallery, ...]
    comparisons: tuple[Comparison, ...]
    problems: tuple[Problem, ...] = ()
    _by_rel: dict[str, Photo] = field(default_factory=dict, repr=False, compare=False)
    not_shown: tuple[Problem, ...] = ()
    """Each file in a gallery folder that is not shown, with why (warnings, for ``check``)."""
    _raw_rels: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    """A paired RAW's path in the root -> its pair's (the JPEG's)."""

    @property
    def title(self) -> str:
        """The portfolio's title."""
        return self.config.title

    @property
    def photographer(self) -> str | None:
        """Who made the work."""
        return self.config.photographer

    @property
    def root(self) -> Path:
        """The folder every photo path is relative to."""
        return self.config.root

    def photos(self) -> PhotoSet:
        """Every photo in every gallery, in gallery order."""
        return PhotoSet(p for g in self.galleries for p in g.photos)

    def every_photo(self) -> tuple[Photo, ...]:
        """Each photo once: gallery photos in order, then photos only in comparisons."""
        return tuple(self._by_rel.values())

    def gallery(self, gallery_id: str) -> Gallery | None:
        """The gallery with this id, if any."""
        return next((g for g in self.galleries if g.id == gallery_id), None)

    def comparison(self, comparison_id: str) -> Comparison | None:
        """The comparison with this id, if any."""
        return next((c for c in self.comparisons if c.id == comparison_id), None)

    def photo(self, rel: str) -> Photo | None:
        """The photo at this path relative to the root, if any (a paired RAW's: the pair)."""
        rel = normalise_rel(rel)
        return self._by_rel.get(rel) or self._by_rel.get(self._raw_rels.get(rel, ""))


# -- filters -------------------------------------------------------------------


class PhotoFilter:
    """A predicate over photos; combine with ``&``, ``|`` and ``~``."""

    def __call__(self, photo: Photo) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def __and__(self, other: PhotoFilter) -> PhotoFilter:
        return _Combined(lambda p: self(p) and other(p))

    def __or__(self, other: PhotoFilter) -> PhotoFilter:
        return _Combined(lambda p: self(p) or other(p))

    def __invert__(self) -> PhotoFilter:
        return _Combined(lambda p: not self(p))


class _Combined(PhotoFilter):
    def __init__(self, test: Callable[[Photo], bool]) -> None:
        self._test = test

    def __call__(self, photo: Photo) -> bool:
        return self._test(photo)


@dataclass(frozen=True)
class Tagged(PhotoFilter):
    """Photos carrying a tag (case-insensitive)."""

    tag: str

    def __call__(self, photo: Photo) -> bool:
        return self.tag.casefold() in (t.casefold() for t in photo.tags)


@dataclass(frozen=True)
class FromSource(PhotoFilter):
    """Photos with a given source (camera, ai, retouched, composite)."""

    source: str

    def __call__(self, photo: Photo) -> bool:
        return photo.source == self.source


@dataclass(frozen=True)
class TextMatch(PhotoFilter):
    """Photos whose title, caption, file name or notes contain some text."""

    text: str

    def __call__(self, photo: Photo) -> bool:
        needle = self.text.casefold()
        hay = (photo.display_title, photo.caption or "", photo.name, photo.notes)
        return any(needle in h.casefold() for h in hay)


class PhotoSet:
    """An immutable, ordered collection of photos; ``photos & Tagged("studio")`` filters."""

    __slots__ = ("_photos",)

    def __init__(self, photos: Iterable[Photo] = ()) -> None:
        self._photos = tuple(photos)

    def __and__(self, test: PhotoFilter) -> PhotoSet:
        return PhotoSet(p for p in self._photos if test(p))

    def __iter__(self) -> Iterator[Photo]:
        return iter(self._photos)

    def __len__(self) -> int:
        return len(self._photos)

    def __getitem__(self, index: int) -> Photo:
        return self._photos[index]

    def __bool__(self) -> bool:
        return bool(self._photos)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PhotoSet) and other._photos == self._photos

    def __hash__(self) -> int:
        return hash(self._photos)

    def index(self, photo: Photo) -> int:
        """Position of ``photo`` in the set (ValueError if absent)."""
        return self._photos.index(photo)
