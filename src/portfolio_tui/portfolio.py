"""The portfolio model: galleries, photos and comparisons loaded from folder + config.

Loading never decodes an image (that is :mod:`portfolio_tui.imaging`'s job, off
the UI thread); it lists folders, applies the config, reads notes sidecars and
records every problem it meets instead of raising, so one bad file never stops
the rest of the portfolio from opening.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from .config import (
    ComparisonSettings,
    Config,
    GallerySettings,
    PhotoSettings,
    default_config,
    load_config,
    title_from_folder,
)
from .files import NotRegularFile, open_inside
from .imaging.raw import RAW_SUFFIXES
from .problems import Problem, Severity
from .text import count, natural_key

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".mpo", ".png", ".apng", ".webp", ".tif", ".tiff", ".gif", ".bmp"}
    | {".heic", ".heif", ".hif", ".avif", ".jxl", ".jp2", ".j2k", ".j2c", ".jpc", ".jpf", ".jpx"}
)
FORMATS_SHOWN = "JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF, JPEG XL, JPEG 2000, camera RAW"
# Files that belong beside photos and are never photos themselves: editors' and
# cameras' sidecars, notes, the app's own config and stores. Not shown, not named.
SIDECAR_SUFFIXES = frozenset(
    {".xmp", ".md", ".txt", ".pp3", ".dop", ".cos", ".cof", ".cop", ".json", ".jsonl"}
    | {".toml", ".lock", ".c2pa", ".thm", ".aae", ".csv"}
)
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "icon\r"})
# The camera's own developed file beside its RAW. HEIF (.hif) and TIFF beside a RAW stay
# photos of their own: a TIFF there is usually an edit, and decoding a camera HEIF is no
# faster than the RAW's embedded preview, so pairing would save nothing.
PAIRED_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe"})
RAW_BADGE = "RAW"
PAIR_BADGE = "RAW+JPEG"
VIDEO_SUFFIXES = frozenset(
    {".mov", ".mp4", ".m4v", ".avi", ".mts", ".m2ts", ".mkv", ".webm", ".3gp", ".mpg", ".mpeg"}
    | {".wmv", ".lrv"}
)
_EDITOR_FILES = {
    ".psd": "Photoshop",
    ".psb": "Photoshop",
    ".xcf": "GIMP",
    ".kra": "Krita",
    ".afphoto": "Affinity Photo",
    ".ai": "Illustrator",
    ".svg": "SVG",
    ".pdf": "PDF",
    ".eps": "EPS",
}
NOTES_SUFFIX = ".md"
GALLERY_NOTES_FILE = "_gallery.md"
TOP_LEVEL_GALLERY_ID = "top-level"
MAX_NOTES_BYTES = 256 * 1024
CONFIG_NAME = "config.toml"


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


# -- locating the portfolio ------------------------------------------------------


def locate(target: Path | None, cwd: Path | None = None) -> tuple[Path | None, Path]:
    """Work out (config file or None, portfolio folder) from the command-line PATH.

    PATH may be a config file or a folder.  With no PATH: ``./config.toml`` if it
    exists, else the current folder.  A folder holding ``config.toml`` uses it.
    """
    cwd = cwd or Path.cwd()
    if target is None:
        candidate = cwd / CONFIG_NAME
        return (candidate, cwd) if candidate.is_file() else (None, cwd)
    target = target.expanduser()
    if not target.is_absolute():
        target = cwd / target
    if target.is_dir():
        candidate = target / CONFIG_NAME
        return (candidate, target) if candidate.is_file() else (None, target)
    if not target.exists() and target.suffix.lower() != ".toml":
        return None, target  # a folder that is not there: reported as such
    return target, target.parent


def open_portfolio(target: Path | None, cwd: Path | None = None) -> Portfolio:
    """Locate, read the config (raising ConfigError) and load the portfolio."""
    config_path, folder = locate(target, cwd)
    if config_path is None:
        if not folder.exists():
            from .problems import ConfigError

            raise ConfigError(
                [Problem(folder, "no such file or folder; give a portfolio folder or config.toml")]
            )
        config = default_config(folder)
    else:
        config = load_config(config_path)
    return load_portfolio(config)


# -- path safety ---------------------------------------------------------------


def normalise_rel(rel: str) -> str:
    """``a\\b/./c.jpg`` -> ``a/b/c.jpg`` (no resolution, no file system)."""
    return str(PurePosixPath(rel.replace("\\", "/")))


def inside(root: Path, candidate: Path) -> bool:
    """True when ``candidate`` (after following symlinks) stays inside ``root``."""
    try:
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError):  # symlink loops
        return False
    return resolved == root or root in resolved.parents


def read_notes_file(path: Path, root: Path, limit: int = MAX_NOTES_BYTES) -> tuple[bytes, bool]:
    """The first ``limit`` bytes of a notes file inside ``root`` (resolved), and whether it
    holds more.

    Notes are read only from a regular file, opened without following a link, in a
    folder that still leads inside the root: a planted link to the password file or
    to /proc/self/environ, or a FIFO, raises :class:`~portfolio_tui.files.NotRegularFile`
    unread. ``OSError`` as ``open`` raises it otherwise.
    """
    fd = open_inside(path, root)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    return data[:limit], len(data) > limit


def is_image_name(name: str) -> bool:
    """Whether a file name looks like an image we try to show."""
    if name.startswith("."):
        return False
    suffix = os.path.splitext(name)[1].lower()
    return suffix in IMAGE_SUFFIXES or suffix in RAW_SUFFIXES


def pair_raw_files(images: list[Path]) -> dict[Path, Path]:
    """Each JPEG in ``images`` (one folder's) -> the RAW beside it with the same name.

    Names match case-insensitively (``IMG_1.CR2`` and ``img_1.jpg``); where two RAW files
    or two JPEGs share a name, the first of each in ``images``' order pairs and the others
    stay photos of their own.
    """
    raws: dict[str, Path] = {}
    for path in images:
        if path.suffix.lower() in RAW_SUFFIXES:
            raws.setdefault(path.stem.casefold(), path)
    pairs: dict[Path, Path] = {}
    for path in images:
        if path.suffix.lower() not in PAIRED_SUFFIXES:
            continue
        raw = raws.pop(path.stem.casefold(), None)
        if raw is not None:
            pairs[path] = raw
    return pairs


def not_shown_note(files: int) -> str:
    """What the title bar says of files not shown: ``3 files not shown (check lists them)``."""
    return f"{count(files, 'file')} not shown (check lists them)"


def not_shown_reason(name: str) -> str | None:
    """Why a file in a gallery folder is not shown, and what to do; None when it needs no word.

    Images are shown; hidden files, sidecars and system files are left out silently.
    """
    if name.startswith(".") or name.casefold() in SYSTEM_FILES:
        return None
    suffix = os.path.splitext(name)[1].lower()
    if suffix in IMAGE_SUFFIXES or suffix in RAW_SUFFIXES or suffix in SIDECAR_SUFFIXES:
        return None
    if suffix in VIDEO_SUFFIXES:
        return "not a photo (video); it is not shown"
    editor = _EDITOR_FILES.get(suffix)
    if editor is not None:
        return f"{editor} files are not shown; export a JPEG beside it"
    what = f"a .{suffix[1:]} file" if suffix else "a file without an extension"
    return f"{what} is not a photo format the app shows ({FORMATS_SHOWN}); it is not shown"


# -- loading -------------------------------------------------------------------


class _Loader:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = config.root.resolve()
        self.problems: list[Problem] = []
        self.by_rel: dict[str, Photo] = {}
        # Each listed folder's entry names (casefolded): a photo's notes file is
        # looked for on disk only when a name like it is there (one listing,
        # not two failed stats per photo).
        self.listed: dict[Path, frozenset[str]] = {}
        # Where each photo really is (read from there, never through a link again):
        # photo links found inside the root, and each folder as resolved.
        self.links: dict[Path, Path] = {}
        self.real_folders: dict[Path, Path] = {}
        # Files in each listed folder that are neither shown nor sidecars, with why.
        self.unshown: dict[Path, list[Problem]] = {}
        # Each paired JPEG -> its RAW; each paired RAW's rel -> the pair's.
        self.raw_of: dict[Path, Path] = {}
        self.raw_rels: dict[str, str] = {}

    def problem(self, message: str, *key_path: str | int, file: Path | None = None) -> None:
        if file is not None:
            self.problems.append(Problem(file, message))
        else:
            self.problems.append(self.config.problem(message, *key_path))

    def list_images(self, folder: Path, key_path: tuple[str | int, ...]) -> list[Path]:
        """Image files directly inside ``folder`` that stay inside the root."""
        images: list[Path] = []
        try:
            entries = list(os.scandir(folder))
        except PermissionError:
            self.problem(
                "cannot read this folder (permission denied); check its permissions",
                file=folder,
            )
            return images
        except OSError as exc:
            self.problem(f"cannot read this folder: {exc.strerror}", *key_path, file=folder)
            return images
        self.note_unshown(folder, entries)
        for entry in entries:
            if not is_image_name(entry.name):
                continue
            path = Path(entry.path)
            try:
                is_file = entry.is_file()
            except OSError:
                is_file = False
            if entry.is_symlink() and not os.path.exists(path):
                # Checked first: resolving a loop fails, which would look "outside".
                self.problem("broken or looping symlink; it is skipped", file=path)
                continue
            if entry.is_symlink() and not inside(self.root, path):
                self.problem(
                    "symlink points outside the portfolio root; it is skipped "
                    "(copy the photo into the portfolio instead)",
                    file=path,
                )
                continue
            if not is_file:
                continue
            if entry.is_symlink():
                self.links[path] = Path(os.path.realpath(path))
            images.append(path)
        images.sort(key=lambda p: natural_key(p.name))
        self.listed[folder] = frozenset(entry.name.casefold() for entry in entries)
        if self.config.pair_raw_jpeg:
            pairs = pair_raw_files(images)
            self.raw_of.update(pairs)
            paired = set(pairs.values())
            self.orphan_notes(folder, entries, images)
            return [p for p in images if p not in paired]
        self.orphan_notes(folder, entries, images)
        return images

    def note_unshown(self, folder: Path, entries: Iterable[os.DirEntry[str]]) -> None:
        """Remember each file in ``folder`` that will not be shown, with why."""
        found: list[Problem] = []
        self.unshown[folder] = found
        for entry in entries:
            reason = not_shown_reason(entry.name)
            if reason is None:
                continue
            try:
                if not entry.is_file():
                    continue
            except OSError:
                continue
            found.append(Problem(Path(entry.path), reason, severity=Severity.WARNING))
        found.sort(key=lambda p: natural_key(p.file.name))

    def orphan_notes(
        self, folder: Path, entries: list[os.DirEntry[str]], images: list[Path]
    ) -> None:
        # Paired or not, a RAW's notes (IMG_1.CR2.md) have their photo: the RAW is in images.
        stems = {p.stem for p in images} | {p.name for p in images}
        for entry in entries:
            name = entry.name
            if not name.lower().endswith(NOTES_SUFFIX) or name.startswith("."):
                continue
            if name in (GALLERY_NOTES_FILE, "README.md"):
                continue
            if name[: -len(NOTES_SUFFIX)] not in stems:
                self.problem(
                    "notes file has no photo beside it (expected a photo named "
                    f"'{name[: -len(NOTES_SUFFIX)]}.jpg' or similar); rename it to match",
                    file=Path(entry.path),
                )

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def real_path(self, path: Path) -> Path:
        """``path`` with every link resolved (a folder's resolution is reused)."""
        linked = self.links.get(path)
        if linked is not None:
            return linked
        folder = self.real_folders.get(path.parent)
        if folder is None:
            folder = self.real_folders[path.parent] = Path(os.path.realpath(path.parent))
        return folder / path.name

    def make_photo(
        self,
        path: Path,
        gallery_id: str | None,
        rel: str | None = None,
        listed: frozenset[str] | None = None,
    ) -> Photo:
        """The photo at ``path``; ``rel`` and its folder's ``listed`` names if known."""
        if rel is None:
            rel = self.rel(path)
        if rel in self.by_rel:
            return self.by_rel[rel]
        raw = self.raw_of.get(path)
        settings = self.config.photos.get(rel)
        names = [path.stem + NOTES_SUFFIX, path.name + NOTES_SUFFIX]
        if raw is not None:
            raw_rel = rel[: len(rel) - len(path.name)] + raw.name
            self.raw_rels[raw_rel] = rel
            names.append(raw.name + NOTES_SUFFIX)
            if raw_rel in self.config.photos:
                if settings is None:
                    settings = self.config.photos[raw_rel]
                else:
                    self.problem(
                        f"[photos] has entries for both '{raw_rel}' and '{rel}', which are one "
                        f"photo (RAW+JPEG); '{rel}' is used: merge them into it",
                        "photos",
                        raw_rel,
                    )
        if settings is None:
            settings = PhotoSettings(path=rel)
        notes_parts = [settings.notes.strip()] if settings.notes else []
        notes_file = None
        if listed is None:
            listed = self.listed.get(path.parent)
        for name in names:
            if listed is not None and name.casefold() not in listed:
                continue
            candidate = path.with_name(name)
            if listed is None and not os.path.lexists(candidate):
                continue
            text = self.read_notes(candidate)
            if text is None:
                continue  # refused or unreadable (reported): the other name may be a file
            notes_file = candidate
            if text:
                notes_parts.append(text)
            break
        photo = Photo(
            path=path,
            rel=rel,
            title=settings.title,
            caption=settings.caption,
            notes="\n\n".join(notes_parts),
            notes_file=notes_file,
            tags=settings.tags,
            source=settings.source,
            gallery_id=gallery_id,
            resolved=self.real_path(path),
            raw=raw,
            raw_resolved=self.real_path(raw) if raw is not None else None,
        )
        self.by_rel[rel] = photo
        return photo

    def read_notes(self, path: Path) -> str | None:
        """The text of a notes file, or None (with the problem recorded) if it is not read."""
        try:
            data, cut = read_notes_file(path, self.root)
        except NotRegularFile as exc:
            self.problem(
                f"notes file {exc.reason}; it is not read (copy the text into a regular file)",
                file=path,
            )
            return None
        except FileNotFoundError:  # listed under another case (case-sensitive file system)
            return None
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            self.problem(f"cannot read notes: {getattr(exc, 'strerror', None) or exc}", file=path)
            return None
        if cut:
            self.problem(
                f"notes file is larger than {MAX_NOTES_BYTES // 1024} KB; only the start is shown",
                file=path,
            )
        return data.decode("utf-8", errors="replace").strip()

    def gallery(self, settings: GallerySettings) -> Gallery | None:
        kp = ("galleries", settings.index)
        folder = self.root / settings.folder
        if not inside(self.root, folder):
            self.problem(
                f"gallery folder '{settings.folder}' leads outside the portfolio root "
                "(a symlink?); keep galleries inside it",
                *kp,
                "folder",
            )
            return Gallery(settings.id, settings.title, folder, ())
        if not folder.is_dir():
            self.problem(
                f"gallery folder '{settings.folder}' does not exist under {self.root}; "
                "create it or fix 'folder'",
                *kp,
                "folder",
            )
            return Gallery(settings.id, settings.title, folder, ())
        images = self.list_images(folder, kp)
        by_name = {p.name: p for p in images}
        # A paired RAW named in 'order' or 'cover' stands for its pair.
        pair_of = {self.raw_of[p].name: p.name for p in images if p in self.raw_of}
        ordered: list[Path] = []
        placed_as: dict[str, str] = {}  # photo name -> the name 'order' gave it as
        for i, name in enumerate(settings.order):
            path = by_name.pop(pair_of.get(name, name), None)
            if path is None and placed_as.get(pair_of.get(name, name), name) != name:
                continue  # the pair's other file was listed first: the pair is placed
            if path is None:
                self.problem(
                    f"order lists '{name}', which is not in folder '{settings.folder}'",
                    *kp,
                    "order",
                    i,
                )
            else:
                ordered.append(path)
                placed_as[path.name] = name
        ordered.extend(p for p in images if p.name in by_name)
        # Each photo is directly in the folder: its path in the root is the folder's plus its name.
        prefix = self.rel(folder) + "/" if ordered else ""
        if prefix == "./":
            prefix = ""
        listed = self.listed.get(folder)
        photos = tuple(self.make_photo(p, settings.id, prefix + p.name, listed) for p in ordered)
        cover = photos[0] if photos else None
        if settings.cover:
            cover_name = pair_of.get(settings.cover, settings.cover)
            match = next((p for p in photos if p.name == cover_name), None)
            if match is None:
                self.problem(
                    f"cover '{settings.cover}' is not a photo in folder '{settings.folder}'",
                    *kp,
                    "cover",
                )
            else:
                cover = match
        notes = settings.notes or ""
        gallery_notes = folder / GALLERY_NOTES_FILE
        if GALLERY_NOTES_FILE in self.listed.get(folder, ()):
            notes = "\n\n".join(filter(None, [notes.strip(), self.read_notes(gallery_notes)]))
        return Gallery(settings.id, settings.title, folder, photos, cover, notes)

    def discovered_galleries(self) -> list[GallerySettings]:
        try:
            entries = sorted(os.scandir(self.root), key=lambda e: natural_key(e.name))
        except OSError as exc:
            self.problem(f"cannot read the portfolio folder: {exc.strerror}", file=self.root)
            return []
        found: list[GallerySettings] = []
        for entry in entries:
            if entry.name.startswith(".") or entry.name.startswith("_"):
                continue
            if entry.is_symlink() and not os.path.exists(entry.path):
                self.problem(
                    "broken or looping folder symlink; it is skipped", file=Path(entry.path)
                )
                continue
            try:
                if not entry.is_dir():
                    continue
            except OSError:
                continue
            path = Path(entry.path)
            if entry.is_symlink() and not inside(self.root, path):
                self.problem("folder symlink points outside the portfolio root; skipped", file=path)
                continue
            try:
                with os.scandir(path) as listing:  # closed even when any() stops early
                    has_images = any(is_image_name(e.name) for e in listing)
                if not has_images:
                    # Not a gallery, but its files are named: a folder of videos or
                    # editors' files must not vanish without a word.
                    with os.scandir(path) as listing:
                        self.note_unshown(path, listing)
            except OSError:
                has_images = True  # let list_images report why it cannot be read
            if has_images:
                gid = _slug(entry.name) or f"gallery-{len(found) + 1}"
                found.append(
                    GallerySettings(id=gid, title=title_from_folder(entry.name), folder=entry.name)
                )
        return found

    def top_level(self) -> Gallery | None:
        images = [p for p in self.list_images(self.root, ()) if p.parent == self.root]
        if not images:
            return None
        photos = tuple(self.make_photo(p, TOP_LEVEL_GALLERY_ID) for p in images)
        title = self.config.title if self.config.path is None else title_from_folder(self.root.name)
        return Gallery(TOP_LEVEL_GALLERY_ID, title, self.root, photos, photos[0])

    def comparison(self, settings: ComparisonSettings) -> Comparison:
        kp = ("comparisons", settings.index)
        sides: list[ComparisonSide] = []
        for i, item in enumerate(settings.items):
            rel = normalise_rel(item.photo)
            photo = self.by_rel.get(rel) or self.by_rel.get(self.raw_rels.get(rel, ""))
            path = self.root / rel
            if photo is None and is_image_name(path.name) and path.is_file():
                if inside(self.root, path):
                    if path.is_symlink():
                        self.links[path] = Path(os.path.realpath(path))
                    photo = self.make_photo(path, None)
                else:
                    self.problem(
                        f"photo '{item.photo}' leads outside the portfolio root", *kp, "photos", i
                    )
            if photo is None and not (path.is_file() and not inside(self.root, path)):
                self.problem(
                    f"comparison photo '{item.photo}' does not exist under {self.root}",
                    *kp,
                    "photos",
                    i,
                )
            label = item.label or (photo.display_title if photo else PurePosixPath(rel).stem)
            sides.append(ComparisonSide(rel, label, photo))
        return Comparison(settings.id, settings.title, tuple(sides), settings.notes or "")

    def load(self) -> Portfolio:
        if not self.root.is_dir():
            self.problem(
                f"portfolio folder {self.root} does not exist; fix 'root' in [portfolio]",
                "portfolio",
                "root",
            )
            return Portfolio(self.config, (), (), tuple(self.problems))
        explicit = bool(self.config.galleries)
        settings = list(self.config.galleries) if explicit else self.discovered_galleries()
        galleries = [g for g in (self.gallery(s) for s in settings) if g is not None]
        if not explicit:
            top = self.top_level()
            if top is not None:
                galleries.append(top)
        comparisons = tuple(self.comparison(c) for c in self.config.comparisons)
        not_shown = self.named_unshown(galleries)
        galleries = [
            replace(g, not_shown=len(self.unshown.get(g.folder, ()))) if g.photos else g
            for g in galleries
        ]
        if not any(g.photos for g in galleries) and not self.problems:
            self.problems.append(
                Problem(
                    self.root,
                    "no photos found; put them in folders inside this one, a folder per "
                    f"gallery ({FORMATS_SHOWN})",
                    severity=Severity.WARNING,
                )
            )
        for rel in self.config.photos:
            if rel not in self.by_rel and rel not in self.raw_rels:
                self.problem(
                    f"[photos] entry '{rel}' matches no photo in any gallery; check the path "
                    "(relative to the portfolio root, with the extension)",
                    "photos",
                    rel,
                )
        return Portfolio(
            self.config,
            tuple(galleries),
            comparisons,
            tuple(self.problems),
            dict(self.by_rel),
            tuple(not_shown),
            dict(self.raw_rels),
        )

    def named_unshown(self, galleries: list[Gallery]) -> list[Problem]:
        """The files ``check`` names as not shown; an error for each folder that shows none.

        Gallery folders count, and folders left out because no file in them is shown;
        the root's own files only when nothing at all is shown (then it is the gallery
        the user meant).
        """
        folders = {g.folder: bool(g.photos) for g in galleries}
        for folder in self.unshown:
            if folder != self.root:
                folders.setdefault(folder, False)
        if not any(folders.values()):
            folders.setdefault(self.root, False)
        named: list[Problem] = []
        for folder, shows in folders.items():
            files = self.unshown.get(folder, ())
            named.extend(files)
            if files and not shows:
                self.problems.append(
                    Problem(
                        folder,
                        f"no photo in this folder is shown: {count(len(files), 'file')} "
                        f"{'is' if len(files) == 1 else 'are'} not shown (each is named below, "
                        "with why); add JPEGs or other photos it can show",
                    )
                )
        return named


def load_portfolio(config: Config) -> Portfolio:
    """Scan the folders named by ``config`` and build the portfolio; never raises."""
    return _Loader(config).load()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", name.casefold()).strip("-.")


__all__ = [
    "Comparison",
    "ComparisonSide",
    "FromSource",
    "Gallery",
    "Photo",
    "PhotoFilter",
    "PhotoSet",
    "Portfolio",
    "Severity",
    "Tagged",
    "TextMatch",
    "load_portfolio",
    "locate",
    "open_portfolio",
]
