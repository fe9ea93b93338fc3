"""The TOML config: read, validated and turned into typed settings.

Every problem carries the config file, line and column, says what is wrong and
how to fix it.  Unknown keys get a did-you-mean suggestion.  Paths are kept as
written (relative to the portfolio root); :mod:`portfolio_tui.portfolio`
resolves them and checks they stay inside the root.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ._tomlpos import KeyPath, key_positions
from .problems import ConfigError, ConfigUnreadable, Problem, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

GRAPHICS_MODES = ("auto", "kitty", "sixel", "halfblock")
"""auto: ask the terminal (Kitty, then Sixel, else half-blocks); else forced."""
COLOR_MODES = ("auto", "truecolor", "256")
"""auto: what the terminal says (COLORTERM, TEXTUAL_COLOR_SYSTEM); else forced."""
SOURCES = ("camera", "ai", "retouched", "composite")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DEFAULT_THEME = "textual-dark"


@dataclass(frozen=True)
class PhotoSettings:
    """What the config says about one photo (keyed by its path under the root)."""

    path: str
    title: str | None = None
    caption: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True)
class GallerySettings:
    """One ``[[galleries]]`` entry."""

    id: str
    title: str
    folder: str
    order: tuple[str, ...] = ()
    cover: str | None = None
    notes: str | None = None
    index: int = 0


@dataclass(frozen=True)
class ComparisonItemSettings:
    """One photo of a comparison and its label."""

    photo: str
    label: str | None = None


@dataclass(frozen=True)
class ComparisonSettings:
    """One ``[[comparisons]]`` entry."""

    id: str
    title: str
    items: tuple[ComparisonItemSettings, ...]
    notes: str | None = None
    index: int = 0


@dataclass(frozen=True)
class DisplaySettings:
    """The ``[display]`` table."""

    graphics: str = "auto"
    colors: str = "auto"
    theme: str = DEFAULT_THEME


INTERVAL_RANGE = (1.0, 600.0)
"""Seconds a slideshow may stay on a photo (``[present] interval``)."""


@dataclass(frozen=True)
class PresentSettings:
    """The ``[present]`` table: how a presentation to a client looks and runs."""

    interval: float = 6.0
    """Seconds per slide in a slideshow (changed live with + and -)."""
    captions: bool = False
    """Start with the caption (title and first lines of the notes) shown."""
    closing: str = "Thank you"
    """The end card's line."""


@dataclass(frozen=True)
class Config:
    """A whole config, validated.  ``path`` is None for a folder without one."""

    path: Path | None
    root: Path
    title: str
    photographer: str | None = None
    credits: tuple[str, ...] = ()
    galleries: tuple[GallerySettings, ...] = ()
    photos: dict[str, PhotoSettings] = field(default_factory=dict)
    comparisons: tuple[ComparisonSettings, ...] = ()
    display: DisplaySettings = field(default_factory=DisplaySettings)
    present: PresentSettings = field(default_factory=PresentSettings)
    pair_raw_jpeg: bool = True
    """A RAW and a JPEG with the same name in one folder are one photo (``[portfolio]``)."""
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)

    def where(self, *path: str | int) -> tuple[int | None, int | None]:
        """Line and column of a key path in the config (None where unknown)."""
        probe: KeyPath = tuple(path)
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return None, None

    def problem(
        self, message: str, *path: str | int, severity: Severity = Severity.ERROR
    ) -> Problem:
        """A problem located at ``path`` in this config (or at the root folder)."""
        if self.path is None:
            return Problem(self.root, message, severity=severity)
        line, column = self.where(*path)
        return Problem(self.path, message, line, column, severity)


def default_config(root: Path) -> Config:
    """The config for a folder that has no config file: everything discovered."""
    root = root.resolve()
    return Config(path=None, root=root, title=root.name or str(root))


# -- reading -----------------------------------------------------------------


class _Validator:
    """Pulls typed values out of parsed TOML, recording located problems."""

    def __init__(self, path: Path, positions: dict[KeyPath, tuple[int, int]]) -> None:
        self.path = path
        self.positions = positions
        self.problems: list[Problem] = []

    def where(self, key_path: KeyPath) -> tuple[int | None, int | None]:
        probe = key_path
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return None, None

    def error(self, key_path: KeyPath, message: str) -> None:
        line, column = self.where(key_path)
        self.problems.append(Problem(self.path, message, line, column))

    def table(self, data: Any, key_path: KeyPath, allowed: tuple[str, ...]) -> dict[str, Any]:
        """Check ``data`` is a table with only ``allowed`` keys; return it (or {})."""
        if not isinstance(data, dict):
            self.error(key_path, f"{_name(key_path)} must be a table, not {_type(data)}")
            return {}
        for key in data:
            if key not in allowed:
                guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = (
                    f"; did you mean '{guess[0]}'?"
                    if guess
                    else f"; allowed keys are {', '.join(allowed)}"
                )
                self.error((*key_path, key), f"unknown key '{key}' in {_name(key_path)}{hint}")
        return data

    def string(
        self, table: dict[str, Any], key: str, key_path: KeyPath, *, required: bool = False
    ) -> str | None:
        if key not in table:
            if required:
                self.error(key_path, f"{_name(key_path)} is missing '{key}' (add {key} = \"...\")")
            return None
        value = table[key]
        if not isinstance(value, str):
            self.error(
                (*key_path, key),
                f"'{key}' must be a string in quotes, not {_type(value)} "
                f'(write {key} = "{value}")',
            )
            return None
        return value

    def strings(self, table: dict[str, Any], key: str, key_path: KeyPath) -> tuple[str, ...]:
        """A list of strings; a single string is accepted as a list of one."""
        if key not in table:
            return ()
        value = table[key]
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            self.error(
                (*key_path, key),
                f'\'{key}\' must be a list of strings, like {key} = ["a", "b"], not {_type(value)}',
            )
            return ()
        out: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                self.error(
                    (*key_path, key, index),
                    f"'{key}' item {index + 1} must be a string, not {_type(item)}",
                )
        return tuple(out)

    def number(
        self, table: dict[str, Any], key: str, key_path: KeyPath, bounds: tuple[float, float]
    ) -> float | None:
        """A number (integer or decimal) within ``bounds``."""
        if key not in table:
            return None
        value = table[key]
        low, high = bounds
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(
                (*key_path, key),
                f"'{key}' must be a number of seconds without quotes, like {key} = 6, "
                f"not {_type(value)}",
            )
            return None
        if not low <= value <= high:
            self.error(
                (*key_path, key),
                f"'{key}' is {_number_text(value)}; it must be from {low:g} to {high:g}",
            )
            return None
        return float(value)

    def boolean(self, table: dict[str, Any], key: str, key_path: KeyPath) -> bool | None:
        """true or false."""
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, bool):
            self.error(
                (*key_path, key),
                f"'{key}' must be true or false without quotes, not {_type(value)}",
            )
            return None
        return value

    def choice(
        self,
        table: dict[str, Any],
        key: str,
        key_path: KeyPath,
        choices: tuple[str, ...],
        hint: Callable[[str], str | None] | None = None,
    ) -> str | None:
        value = self.string(table, key, key_path)
        if value is None:
            return None
        if value not in choices:
            extra = hint(value) if hint else None
            folded = value.strip().casefold()
            guess = [c for c in choices if c == folded] or difflib.get_close_matches(
                folded, choices, n=1, cutoff=0.5
            )
            message = extra or (
                f"'{key}' is \"{value}\"; it must be one of "
                + ", ".join(f'"{c}"' for c in choices)
                + (f' (did you mean "{guess[0]}"?)' if guess else "")
            )
            self.error((*key_path, key), message)
            return None
        return value

    def relative_path(self, value: str | None, key_path: KeyPath, what: str) -> str | None:
        """Check a path is relative and stays inside the portfolio root (lexically)."""
        if value is None:
            return None
        if not value.strip():
            self.error(key_path, f"{what} is empty; give a path relative to the portfolio root")
            return None
        posix = value.replace("\\", "/")
        pure = PurePosixPath(posix)
        if pure.is_absolute() or re.match(r"^[A-Za-z]:", posix):
            self.error(
                key_path,
                f"{what} '{value}' is an absolute path; write it relative to the portfolio root",
            )
            return None
        if ".." in pure.parts:
            self.error(
                key_path,
                f"{what} '{value}' leaves the portfolio root ('..'); "
                "keep every photo inside the portfolio folder",
            )
            return None
        return str(pure)


def _name(key_path: KeyPath) -> str:
    if not key_path:
        return "the config"
    if len(key_path) >= 2 and key_path[0] in ("galleries", "comparisons"):
        # Users count from 1: ("comparisons", 0, "photos", 2) is entry 1, photos item 3.
        return f"[[{key_path[0]}]] entry {int(key_path[1]) + 1}" + "".join(
            f" item {k + 1}" if isinstance(k, int) else f", {k}" for k in key_path[2:]
        )
    if key_path[0] == "photos" and len(key_path) >= 2:
        return f'[photos."{key_path[1]}"]'
    return "[" + ".".join(str(k) for k in key_path) + "]"


def _number_text(value: float) -> str:
    """``value`` for a message; an integer too large for a float has no ``:g`` form."""
    try:
        return f"{value:g}"
    except OverflowError:
        return f"a number of {len(str(abs(int(value))))} digits"


def _type(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


_TOP = ("portfolio", "display", "present", "galleries", "photos", "comparisons")
_PORTFOLIO = ("title", "photographer", "root", "credits", "pair_raw_jpeg")
_DISPLAY = ("graphics", "colors", "theme")
_PRESENT = ("interval", "captions", "closing")
_GALLERY = ("id", "title", "folder", "order", "cover", "notes")
_PHOTO = ("title", "caption", "notes", "tags", "source")
_COMPARISON = ("id", "title", "photos", "notes")
_COMPARISON_ITEM = ("photo", "label")


def load_config(path: Path) -> Config:
    """Read and validate the config at ``path``.

    Raises :class:`ConfigError` with every problem found (file, line, column
    and a fix) when the file cannot be read, is not valid TOML, or does not
    follow the schema in docs/config.md.
    """
    config, problems = read_config(path)
    if problems:
        raise ConfigError(problems)
    return config


def read_config(path: Path) -> tuple[Config, list[Problem]]:
    """Read the config at ``path``, returning what is usable and every schema problem.

    Raises :class:`ConfigUnreadable` when the file cannot be read or is not
    valid TOML; schema problems are returned so ``check`` can go on to the
    photos.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigUnreadable(
            [Problem(path, "config file not found; check the path, or pass a portfolio folder")]
        ) from None
    except OSError as exc:
        raise ConfigUnreadable([Problem(path, f"cannot read the config: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigUnreadable(
            [Problem(path, "the config is not UTF-8 text; save it as UTF-8", line)]
        ) from None
    return parse_config(text, path)


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_config(text: str, path: Path) -> tuple[Config, list[Problem]]:
    """Validate config ``text`` as if read from ``path`` (see :func:`read_config`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = column = None
        m = _TOML_POS.search(message)
        if m:
            line, column = int(m.group(1)), int(m.group(2))
            message = message[: m.start()].strip()
        elif getattr(exc, "lineno", None):
            line, column = exc.lineno, exc.colno
        raise ConfigUnreadable(
            [
                Problem(
                    path,
                    f"invalid TOML: {message[:1].lower()}{message[1:]} "
                    "(strings need quotes, tables need [brackets]; see docs/config.md)",
                    line,
                    column,
                )
            ]
        ) from None
    except (RecursionError, ValueError) as exc:
        # tomllib recurses once per nested list or inline table, and reads integers
        # with int(), which refuses more than 4300 digits: neither is a TOMLDecodeError.
        what = (
            "lists or tables are nested too deeply to read"
            if isinstance(exc, RecursionError)
            else "a number has too many digits to read"
        )
        raise ConfigUnreadable(
            [Problem(path, f"invalid TOML: {what}; see docs/config.md")]
        ) from None
    v = _Validator(path, key_positions(text))
    top = v.table(data, (), _TOP)

    portfolio = v.table(top.get("portfolio", {}), ("portfolio",), _PORTFOLIO)
    title = v.string(portfolio, "title", ("portfolio",))
    photographer = v.string(portfolio, "photographer", ("portfolio",))
    credits = v.strings(portfolio, "credits", ("portfolio",))
    root_text = v.string(portfolio, "root", ("portfolio",)) or "."
    pair_raw_jpeg = v.boolean(portfolio, "pair_raw_jpeg", ("portfolio",))
    root = _root(v, path, root_text)

    display = v.table(top.get("display", {}), ("display",), _DISPLAY)

    graphics = v.choice(display, "graphics", ("display",), GRAPHICS_MODES)
    colors = v.choice(display, "colors", ("display",), COLOR_MODES)
    theme = v.string(display, "theme", ("display",))

    present = v.table(top.get("present", {}), ("present",), _PRESENT)
    interval = v.number(present, "interval", ("present",), INTERVAL_RANGE)
    captions = v.boolean(present, "captions", ("present",))
    closing = v.string(present, "closing", ("present",))
    defaults = PresentSettings()

    galleries = _galleries(v, top.get("galleries", []))
    photos = _photos(v, top.get("photos", {}))
    comparisons = _comparisons(v, top.get("comparisons", []))

    config = Config(
        path=path,
        root=root,
        title=title or root.name,
        photographer=photographer,
        credits=credits,
        galleries=galleries,
        photos=photos,
        comparisons=comparisons,
        display=DisplaySettings(
            graphics=graphics or "auto", colors=colors or "auto", theme=theme or DEFAULT_THEME
        ),
        present=PresentSettings(
            interval=defaults.interval if interval is None else interval,
            captions=defaults.captions if captions is None else captions,
            closing=defaults.closing if closing is None else closing,
        ),
        pair_raw_jpeg=True if pair_raw_jpeg is None else pair_raw_jpeg,
        positions=v.positions,
    )
    return config, v.problems


def _root(v: _Validator, path: Path, root_text: str) -> Path:
    """The portfolio root, resolved; the config's folder when ``root`` cannot be used.

    A NUL in the path, ``~`` without a home folder or (Python 3.10) a symlink
    loop make ``expanduser``/``resolve`` raise; that is a problem, not a crash.
    """
    try:
        return (path.parent / Path(root_text).expanduser()).resolve()
    except (OSError, ValueError, RuntimeError) as exc:
        v.error(
            ("portfolio", "root"),
            f"'root' cannot be used as a folder ({exc}); give a folder path, "
            'like root = "photos"',
        )
        return path.parent.resolve()


def _array_of_tables(v: _Validator, value: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        v.error(
            (key,),
            f"'{key}' must be written as [[{key}]] tables, one per entry, not {_type(value)}",
        )
        return []
    return value


def _check_id(v: _Validator, value: str | None, key_path: KeyPath, seen: dict[str, int]) -> None:
    if value is None:
        return
    if not ID_PATTERN.match(value):
        v.error(
            (*key_path, "id"),
            f"id \"{value}\" may use only letters, digits, '-', '_' and '.' "
            '(for example id = "studio-2024")',
        )
    elif value in seen:
        v.error(
            (*key_path, "id"),
            f'duplicate id "{value}" (also used by entry {seen[value] + 1}); give each its own id',
        )
    else:
        seen[value] = int(key_path[1])


def _galleries(v: _Validator, value: Any) -> tuple[GallerySettings, ...]:
    out: list[GallerySettings] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(_array_of_tables(v, value, "galleries")):
        kp: KeyPath = ("galleries", index)
        table = v.table(entry, kp, _GALLERY)
        if not isinstance(entry, dict):
            continue
        gid = v.string(table, "id", kp, required=True)
        _check_id(v, gid, kp, seen)
        folder = v.relative_path(v.string(table, "folder", kp), (*kp, "folder"), "folder")
        folder = folder or gid or ""
        title = v.string(table, "title", kp)
        order = v.strings(table, "order", kp)
        for i, item in enumerate(order):
            v.relative_path(item, (*kp, "order", i), "order entry")
        cover = v.relative_path(v.string(table, "cover", kp), (*kp, "cover"), "cover")
        notes = v.string(table, "notes", kp)
        if gid is not None:
            out.append(
                GallerySettings(
                    id=gid,
                    title=title or _title_from_folder(folder),
                    folder=folder,
                    order=order,
                    cover=cover,
                    notes=notes,
                    index=index,
                )
            )
    return tuple(out)


def _photos(v: _Validator, value: Any) -> dict[str, PhotoSettings]:
    out: dict[str, PhotoSettings] = {}
    if not isinstance(value, dict):
        v.error(("photos",), f"[photos] must be a table of photos, not {_type(value)}")
        return out
    for key, entry in value.items():
        kp: KeyPath = ("photos", key)
        table = v.table(entry, kp, _PHOTO)
        if not isinstance(entry, dict):
            continue
        rel = v.relative_path(key, kp, "photo path")
        source = v.choice(table, "source", kp, SOURCES)
        settings = PhotoSettings(
            path=rel or key,
            title=v.string(table, "title", kp),
            caption=v.string(table, "caption", kp),
            notes=v.string(table, "notes", kp),
            tags=v.strings(table, "tags", kp),
            source=source,
        )
        if rel is not None:
            out[rel] = settings
    return out


def _comparisons(v: _Validator, value: Any) -> tuple[ComparisonSettings, ...]:
    out: list[ComparisonSettings] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(_array_of_tables(v, value, "comparisons")):
        kp: KeyPath = ("comparisons", index)
        table = v.table(entry, kp, _COMPARISON)
        if not isinstance(entry, dict):
            continue
        cid = v.string(table, "id", kp, required=True)
        _check_id(v, cid, kp, seen)
        items: list[ComparisonItemSettings] = []
        raw_items = table.get("photos")
        if raw_items is None:
            v.error(kp, f"{_name(kp)} is missing 'photos' (a list of 2 to 4 photos)")
            raw_items = []
        elif not isinstance(raw_items, list):
            v.error((*kp, "photos"), "'photos' must be a list of 2 to 4 photos")
            raw_items = []
        for i, item in enumerate(raw_items):
            ikp = (*kp, "photos", i)
            if isinstance(item, str):
                rel = v.relative_path(item, ikp, "comparison photo")
                if rel:
                    items.append(ComparisonItemSettings(photo=rel))
                continue
            if not isinstance(item, dict):
                v.error(
                    ikp,
                    f"'photos' item {i + 1} must be a path in quotes or "
                    f'{{ photo = "...", label = "..." }}, not {_type(item)}',
                )
                continue
            sub = v.table(item, ikp, _COMPARISON_ITEM)
            rel = v.relative_path(v.string(sub, "photo", ikp, required=True), ikp, "photo")
            label = v.string(sub, "label", ikp)
            if rel:
                items.append(ComparisonItemSettings(photo=rel, label=label))
        if "photos" in table and isinstance(table["photos"], list) and not 2 <= len(raw_items) <= 4:
            v.error(
                (*kp, "photos"),
                f"a comparison shows 2 to 4 photos; this one lists {len(raw_items)}",
            )
        if cid is not None:
            out.append(
                ComparisonSettings(
                    id=cid,
                    title=v.string(table, "title", kp) or cid,
                    items=tuple(items),
                    notes=v.string(table, "notes", kp),
                    index=index,
                )
            )
    return tuple(out)


def _title_from_folder(folder: str) -> str:
    name = PurePosixPath(folder).name or folder
    name = re.sub(r"[_-]+", " ", name).strip()
    return name[:1].upper() + name[1:] if name else "Photos"


title_from_folder = _title_from_folder
