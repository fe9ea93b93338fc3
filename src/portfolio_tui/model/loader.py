"""Loading a portfolio: the folders named by the config scanned into galleries and comparisons.

Loading never decodes an image (that is :mod:`portfolio_tui.imaging`'s job, off
the UI thread); it lists folders, applies the config, pairs RAW and JPEG files,
reads notes sidecars and records every problem it meets instead of raising, so
one bad file never stops the rest of the portfolio from opening.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from ..files import NotRegularFile
from ..problems import Problem, Severity
from ..text import count, natural_key
from .config_types import (
    ComparisonSettings,
    Config,
    GallerySettings,
    PhotoSettings,
    title_from_folder,
)
from .file_kinds import (
    FORMATS_SHOWN,
    GALLERY_NOTES_FILE,
    NOTES_SUFFIX,
    is_image_name,
    not_shown_reason,
    pair_raw_files,
)
from .portfolio_types import Comparison, ComparisonSide, Gallery, Photo, Portfolio
from .safe_paths import MAX_NOTES_BYTES, inside, normalise_rel, read_notes_file

TOP_LEVEL_GALLERY_ID = "top-level"


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
