"""The TOML form of curation: parse, render, merge, and the readable export form.

Reads ``curation.toml`` text into a :class:`~.changes.Snapshot` (``_to_snapshot``), writes
it with a small deterministic writer (:func:`render`), merges changes field by field into
the parsed tables (``_merge``), and holds ``curation export`` / ``curation import``'s form
(:func:`to_toml`, :func:`read_toml`, :func:`merge_changes`).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .._tomlpos import error_position, key_positions
from ..files import read_regular
from ..names import from_store, to_store
from ..problems import Problem, Severity
from . import toml_text
from .changes import (
    _COVER,
    _ORDER,
    FORMAT,
    MAX_STORE_BYTES,
    PHOTO_FIELDS,
    Change,
    CurationError,
    InvalidChange,
    PhotoCuration,
    Snapshot,
    _clean_line,
    validate,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


# -- reading ---------------------------------------------------------------------


def _timestamp(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            except OverflowError:  # year 1 or 9999 moved past the calendar's end
                return _clean_line(value.isoformat())
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        return _clean_line(value) or None
    return None


def _to_snapshot(path: Path, text: str, data: Mapping[str, Any]) -> Snapshot:
    """Typed view of the parsed file; bad values become problems, never errors."""
    bad: list[tuple[tuple[str, ...], str]] = []

    def table(key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if isinstance(value, dict):
            return value
        bad.append(((key,), f"{key} must be a table"))
        return {}

    version = data.get("format", FORMAT)
    if isinstance(version, bool) or not isinstance(version, int):
        bad.append((("format",), f"format must be a whole number, not {version!r}"))
        version = FORMAT

    photos: dict[str, PhotoCuration] = {}
    for rel, entry in table("photos").items():
        if not isinstance(entry, dict):
            bad.append((("photos", to_store(rel)), "a photo's curation must be a table"))
            continue
        values: dict[str, Any] = {}
        for name in PHOTO_FIELDS:
            if name not in entry:
                continue
            try:
                values[name] = validate(Change(rel, name, entry[name])).value
            except InvalidChange as exc:
                bad.append((("photos", to_store(rel), name), str(exc)))
        photos[rel] = PhotoCuration(
            **values,
            updated_by=_clean_line(str(entry["updated_by"])) if "updated_by" in entry else None,
            updated_at=_timestamp(entry.get("updated_at")),
        )
    order: dict[str, tuple[str, ...]] = {}
    for gallery, names in table("order").items():
        try:
            value = validate(Change(None, _ORDER + gallery, names)).value
        except InvalidChange as exc:
            bad.append((("order", to_store(gallery)), str(exc)))
        else:
            if isinstance(value, tuple):
                order[gallery] = value
    covers: dict[str, str] = {}
    for gallery, name in table("covers").items():
        try:
            cover = validate(Change.cover(gallery, name)).value
        except InvalidChange as exc:
            bad.append((("covers", to_store(gallery)), str(exc)))
        else:
            if isinstance(cover, str):
                covers[gallery] = cover

    problems: list[Problem] = []
    if bad:
        positions = key_positions(text)
        for keys, message in bad:
            line, column = positions.get(keys, (None, None))
            problems.append(Problem(path, message, line, column, Severity.WARNING))
    return Snapshot(
        photos=MappingProxyType(photos),
        order=MappingProxyType(order),
        covers=MappingProxyType(covers),
        problems=tuple(problems),
        format=version,
    )


def _names_from_store(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as parsed, with every photo path, gallery and file name read back from
    its store form (:func:`portfolio_tui.names.from_store`); other keys as they are."""
    photos = data.get("photos")
    if isinstance(photos, dict):
        data["photos"] = {from_store(k): v for k, v in photos.items()}
    for section in ("order", "covers"):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        decoded: dict[str, Any] = {}
        for gallery, value in table.items():
            if isinstance(value, str):
                value = from_store(value)
            elif isinstance(value, list):
                value = [from_store(v) if isinstance(v, str) else v for v in value]
            decoded[from_store(gallery)] = value
        data[section] = decoded
    return data


def _names_to_store(data: Mapping[str, Any]) -> dict[str, Any]:
    """The reverse of :func:`_names_from_store`, on a copy (the data itself is kept)."""
    out = dict(data)
    photos = data.get("photos")
    if isinstance(photos, dict):
        out["photos"] = {to_store(k): v for k, v in photos.items()}
    for section in ("order", "covers"):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        encoded: dict[str, Any] = {}
        for gallery, value in table.items():
            if isinstance(value, str):
                value = to_store(value)
            elif isinstance(value, (list, tuple)):
                value = [to_store(v) if isinstance(v, str) else v for v in value]
            encoded[to_store(gallery)] = value
        out[section] = encoded
    return out


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return _names_from_store(tomllib.loads(text))
    except (RecursionError, ValueError) as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise _damaged(path, exc) from None
        # Nesting deeper than Python's stack, or an integer past 4,300 digits:
        # tomllib raises these bare, and no curation file has either.
        raise CurationError(
            path,
            "damaged curation file: a value nested or sized beyond any curation "
            "(the app stays read-only until it is fixed or removed)",
        ) from None


def _damaged(path: Path, exc: tomllib.TOMLDecodeError) -> CurationError:
    """The TOML error with its line and column, as a CurationError."""
    message, line, column = error_position(exc)
    return CurationError(
        path,
        f"damaged curation file, not valid TOML: {message[:1].lower()}{message[1:]}; "
        "fix or remove that line (the app stays read-only until then)",
        line,
        column,
    )


# -- writing ---------------------------------------------------------------------

_PHOTO_KEY_ORDER = {name: i for i, name in enumerate((*PHOTO_FIELDS, "updated_by", "updated_at"))}
_TOP_ORDER = {"format": 0, "photos": 1, "order": 2, "covers": 3}


def _render_table(
    out: list[str], path: tuple[str, ...], table: Mapping[str, Any], order: Callable[[str], Any]
) -> None:
    keys = sorted(table, key=order)
    plain = [k for k in keys if not isinstance(table[k], dict)]
    subs = [k for k in keys if isinstance(table[k], dict)]
    if path and (plain or not subs):
        if out:
            out.append("")
        out.append("[" + ".".join(toml_text.key(p) for p in path) + "]")
    out.extend(f"{toml_text.key(k)} = {toml_text.value(table[k], top=True)}" for k in plain)
    for k in subs:
        sub_path = (*path, k)
        if len(sub_path) == 2 and sub_path[0] == "photos":
            _render_table(out, sub_path, table[k], lambda n: (_PHOTO_KEY_ORDER.get(n, 99), n))
        else:
            _render_table(out, sub_path, table[k], lambda n: n)


def render(data: Mapping[str, Any]) -> str:
    """The file's text: deterministic, photos sorted by path, known keys first.

    Names that are not UTF-8 are written in their store form (docs/curation.md)."""
    out: list[str] = []
    _render_table(out, (), _names_to_store(data), lambda n: (_TOP_ORDER.get(n, 9), n))
    return "\n".join(out) + "\n"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _merge(data: dict[str, Any], changes: Sequence[Change], who: str) -> None:
    """Apply ``changes`` (validated) onto the raw data read from disk, in place."""
    data["format"] = FORMAT
    now = _now()
    for change in changes:
        if change.photo is None:
            is_order = change.field.startswith(_ORDER)
            section = "order" if is_order else "covers"
            gallery = change.field[len(_ORDER if is_order else _COVER) :]
            if not isinstance(data.get(section), dict):
                data[section] = {}
            value = change.value
            if value:
                data[section][gallery] = list(value) if isinstance(value, tuple) else value
            else:
                data[section].pop(gallery, None)
            continue
        if not isinstance(data.get("photos"), dict):
            data["photos"] = {}
        photos = data["photos"]
        entry = photos.get(change.photo)
        if not isinstance(entry, dict):
            entry = photos[change.photo] = {}
        if change.value in (None, 0, "", ()):
            entry.pop(change.field, None)
        else:
            entry[change.field] = (
                list(change.value) if isinstance(change.value, tuple) else change.value
            )
        entry["updated_by"] = who
        entry["updated_at"] = now
        if set(entry) <= {"updated_by", "updated_at"}:
            del photos[change.photo]
    for section in ("photos", "order", "covers"):
        if data.get(section) == {}:
            del data[section]


# -- the readable form (``curation export`` / ``curation import``) ---------------


def to_toml(snapshot: Snapshot) -> str:
    """``snapshot`` as ``curation.toml`` text: what ``curation export`` writes, for people
    who keep a portfolio in git (deterministic: photos sorted, one table each)."""
    photos: dict[str, Any] = {}
    for rel, item in snapshot.photos.items():
        entry: dict[str, Any] = {}
        for name in PHOTO_FIELDS:
            value = getattr(item, name)
            if value not in (None, 0, "", ()):
                entry[name] = list(value) if isinstance(value, tuple) else value
        if not entry:
            continue
        if item.updated_by:
            entry["updated_by"] = item.updated_by
        if item.updated_at:
            try:
                entry["updated_at"] = dt.datetime.fromisoformat(
                    item.updated_at.replace("Z", "+00:00")
                )
            except ValueError:
                entry["updated_at"] = item.updated_at
        photos[rel] = entry
    data: dict[str, Any] = {"format": FORMAT}
    if photos:
        data["photos"] = photos
    if snapshot.order:
        data["order"] = {g: list(names) for g, names in snapshot.order.items()}
    if snapshot.covers:
        data["covers"] = dict(snapshot.covers)
    return render(data)


def read_toml(path: Path) -> Snapshot:
    """A file in ``curation.toml`` form (``curation import``); values that cannot be used
    are :attr:`Snapshot.problems` with their line. Raises :class:`CurationError` for a
    file that is not TOML and OSError when it cannot be read (``files.TooLarge`` past
    128 MB, ``files.NotRegularFile`` for a link or special file)."""
    data = read_regular(path, MAX_STORE_BYTES)
    text = data.decode("utf-8", errors="replace")
    try:
        parsed = _parse(path, text)
    except CurationError as exc:  # said of the file being imported, not of the store
        message = exc.message.replace("damaged curation file", "not a curation file")
        message = message.split(" (the app stays read-only", 1)[0]
        raise CurationError(path, message, exc.line, exc.column) from None
    return _to_snapshot(path, text, parsed)


def merge_changes(store: Snapshot, incoming: Snapshot) -> list[Change]:
    """The changes that make ``store`` hold what ``incoming`` says: each photo it lists
    gets its every field from it, each gallery it orders or covers gets that order or
    cover; photos and galleries it does not mention are left as they are."""
    out: list[Change] = []
    for rel in sorted(incoming.photos):
        old, new = store.photo(rel), incoming.photo(rel)
        out.extend(
            Change(rel, name, getattr(new, name))
            for name in PHOTO_FIELDS
            if getattr(old, name) != getattr(new, name)
        )
    for gallery in sorted(incoming.order):
        if store.order.get(gallery, ()) != incoming.order[gallery]:
            out.append(Change.order(gallery, incoming.order[gallery]))
    for gallery in sorted(incoming.covers):
        if store.covers.get(gallery) != incoming.covers[gallery]:
            out.append(Change.cover(gallery, incoming.covers[gallery]))
    return out
