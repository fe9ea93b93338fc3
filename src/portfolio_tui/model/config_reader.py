"""Reading config.toml: the file, its TOML and its schema (see docs/config.md).

Every problem carries the config file, line and column, says what is wrong and
how to fix it.  Paths are kept as written (relative to the portfolio root);
:mod:`.loader` resolves them and checks they stay inside the root.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .._tomlpos import KeyPath, error_position, key_positions
from ..problems import ConfigError, ConfigUnreadable, Problem
from .config_types import (
    COLOR_MODES,
    COMPARISON_KINDS,
    DEFAULT_THEME,
    GRAPHICS_MODES,
    ID_PATTERN,
    INTERVAL_RANGE,
    SOURCES,
    ComparisonItemSettings,
    ComparisonSettings,
    Config,
    DisplaySettings,
    GallerySettings,
    PhotoSettings,
    PresentSettings,
    title_from_folder,
)
from .config_validator import Validator, key_name, type_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_TOP = ("portfolio", "display", "present", "galleries", "photos", "comparisons")
_PORTFOLIO = ("title", "photographer", "root", "credits", "pair_raw_jpeg")
_DISPLAY = ("graphics", "colors", "theme")
_PRESENT = ("interval", "captions", "closing")
_GALLERY = ("id", "title", "folder", "order", "cover", "notes")
_PHOTO = ("title", "caption", "notes", "tags", "source")
_COMPARISON = ("id", "title", "photos", "notes", "kind")
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


def parse_config(text: str, path: Path) -> tuple[Config, list[Problem]]:
    """Validate config ``text`` as if read from ``path`` (see :func:`read_config`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = error_position(exc)
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
    v = Validator(path, key_positions(text))
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


def _root(v: Validator, path: Path, root_text: str) -> Path:
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


def _array_of_tables(v: Validator, value: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        v.error(
            (key,),
            f"'{key}' must be written as [[{key}]] tables, one per entry, not {type_name(value)}",
        )
        return []
    return value


def _check_id(v: Validator, value: str | None, key_path: KeyPath, seen: dict[str, int]) -> None:
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


def _galleries(v: Validator, value: Any) -> tuple[GallerySettings, ...]:
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
                    title=title or title_from_folder(folder),
                    folder=folder,
                    order=order,
                    cover=cover,
                    notes=notes,
                    index=index,
                )
            )
    return tuple(out)


def _photos(v: Validator, value: Any) -> dict[str, PhotoSettings]:
    out: dict[str, PhotoSettings] = {}
    if not isinstance(value, dict):
        v.error(("photos",), f"[photos] must be a table of photos, not {type_name(value)}")
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


def _comparisons(v: Validator, value: Any) -> tuple[ComparisonSettings, ...]:
    out: list[ComparisonSettings] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(_array_of_tables(v, value, "comparisons")):
        kp: KeyPath = ("comparisons", index)
        table = v.table(entry, kp, _COMPARISON)
        if not isinstance(entry, dict):
            continue
        cid = v.string(table, "id", kp, required=True)
        _check_id(v, cid, kp, seen)
        kind = v.choice(table, "kind", kp, COMPARISON_KINDS)
        items: list[ComparisonItemSettings] = []
        raw_items = table.get("photos")
        if raw_items is None:
            v.error(kp, f"{key_name(kp)} is missing 'photos' (a list of 2 to 4 photos)")
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
                    f'{{ photo = "...", label = "..." }}, not {type_name(item)}',
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
                    kind=kind,
                )
            )
    return tuple(out)
