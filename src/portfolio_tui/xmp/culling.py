"""The one reader of culling fields: rating, pick flag and colour label in XMP.

:func:`culling_fields` reads them from one packet; ``check`` (through
:func:`portfolio_tui.xmp.read_xmp`), ``xmp import`` (through :func:`read_culling`)
and provenance all use it, so they agree on what a sidecar says.

Colour label: ``xmp:Label`` (Lightroom's text: "Red", "Yellow", "Green",
"Blue", "Purple", or anything a user typed), else ``digiKam:ColorLabel``
(digiKam's number: 1 red, 2 orange, 3 yellow, 4 green, 5 blue, 6 magenta,
shown as "Purple" as digiKam itself writes to ``xmp:Label``, 7 gray, 8 black,
9 white; 0 is no label; ``DMetadata::setImageColorLabel``), else
``darktable:colorlabels`` (an ``rdf:Seq`` of numbers, 0 red, 1 yellow,
2 green, 3 blue, 4 purple; darktable allows several and the first one listed
is shown).  darktable itself reads ``xmp:Label`` before its own list
(``src/common/exif.cc``); when they disagree, a note says so.

Rating: ``xmp:Rating`` as written: -1 rejected, 0 unrated, 1..5 stars
(``4.0`` is read as 4); 6 is darktable's old code for rejected and is read as
-1, with a note.  Any other non-number, fraction or value outside -1..5 is a
problem and ignored; an empty value counts as absent.

:func:`read_culling` gives a photo's values in the store's terms (rating 1..5,
flag pick/reject, one of five labels): across packets, sidecars come first
(``NAME.ext.xmp``, then ``NAME.xmp``), then the photo's embedded XMP, field by field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from xml.etree.ElementTree import Element

from .embedded import embedded_origin, read_embedded_packet
from .mappings import (
    DARKTABLE_LABELS,
    DARKTABLE_OLD_REJECT,
    DIGIKAM_ACCEPTED,
    DIGIKAM_COLOR_NAMES,
    DIGIKAM_LABELS,
    DIGIKAM_PENDING,
    DIGIKAM_REJECTED,
    LIGHTROOM_LABELS,
    STORE_LABELS,
)
from .packets import (
    DARKTABLE_NS,
    DIGIKAM_NS,
    XMP_NS,
    _first,
    _shown,
    _text,
    descriptions,
    parse_root,
    property_values,
)
from .sidecars import find_sidecars, read_sidecar_bytes

_NUMBER: Final = re.compile(r"[+-]?[0-9]{1,6}(?:\.0*)?")


@dataclass(frozen=True)
class CullingFields:
    """Rating, pick flag and colour label as one XMP packet writes them.

    The one reading of these fields: ``check`` (through :func:`read_xmp`), ``xmp
    import`` and provenance all use it, so they agree on what a sidecar says and
    report a value they cannot use in the same words.  ``rating`` is -1 (rejected)
    to 5 (darktable's old 6 is read as -1, with a note); ``pick`` is
    ``digiKam:PickLabel`` 0..3; ``label`` is one of :data:`STORE_LABELS`, from the
    first label property that holds a value (``xmp:Label``, then
    ``digiKam:ColorLabel``, then ``darktable:colorlabels``); ``label_text`` is that
    property's label as written or named ("Grün", "Orange"), for display;
    ``label_said``: some label property holds a value, even one not usable;
    ``notes``: field ("rating", "flag", "label") -> sentences about values read
    but not as written, or not usable here.
    """

    rating: int | None = None
    pick: int | None = None
    label: str | None = None
    label_text: str | None = None
    label_said: bool = False
    notes: dict[str, list[str]] = field(default_factory=dict)


def culling_fields(blocks: Sequence[Element], origin: str, problems: list[str]) -> CullingFields:
    """Read rating, pick and label from a packet's ``rdf:Description`` blocks.

    Values that are not what the property allows are appended to ``problems`` as
    sentences starting with ``origin`` ("...; it is ignored").
    """
    notes: dict[str, list[str]] = {}

    rating = _read_rating(_first(blocks, XMP_NS, "Rating"), origin, problems, notes)
    pick = _read_pick(_first(blocks, DIGIKAM_NS, "PickLabel"), origin, problems, notes)

    said: list[tuple[str, str | None, str]] = []  # (property, store label or None, as named)
    text = _text(_first(blocks, XMP_NS, "Label"))
    if text:
        label = next(
            (k for k, v in LIGHTROOM_LABELS.items() if v.casefold() == text.casefold()), None
        )
        if label is None:
            notes.setdefault("label", []).append(
                f"{origin}: xmp:Label is {_shown(text)}, not one of Red, Yellow, Green, Blue, "
                "Purple; not imported"
            )
        said.append(("xmp:Label", label, text))
    digikam = (_first(blocks, DIGIKAM_NS, "ColorLabel") or "").strip()
    if digikam:
        number = _small_number(digikam)
        if number == 0:
            pass  # digiKam's "no colour label"
        elif number is not None and number in DIGIKAM_LABELS:
            name = DIGIKAM_LABELS[number]
            label = name.lower() if name.lower() in STORE_LABELS else None
            said.append(("digiKam:ColorLabel", label, name))
            if label is None:
                shown = DIGIKAM_COLOR_NAMES.get(number, name.lower())
                notes.setdefault("label", []).append(
                    f"{origin}: digiKam:ColorLabel {number} ({shown}) has no equivalent "
                    "here; not imported"
                )
        else:
            problems.append(
                f"{origin}: digiKam:ColorLabel is {_shown(digikam)}, not a colour label "
                "number from 0 to 9; it is ignored"
            )
    listed = [v.strip() for v in property_values(blocks, DARKTABLE_NS, "colorlabels") or ()]
    named: list[str] = []
    for value in (v for v in listed if v):
        number = _small_number(value)
        if number is not None and number < len(DARKTABLE_LABELS):
            named.append(DARKTABLE_LABELS[number])
        else:
            problems.append(
                f"{origin}: darktable:colorlabels holds {_shown(value)}, not a colour "
                "label number from 0 to 4; it is ignored"
            )
    if named:
        said.append(("darktable:colorlabels", named[0].lower(), named[0]))
    if len(named) > 1:
        notes.setdefault("label", []).append(
            f"{origin}: darktable:colorlabels lists several labels "
            f"({', '.join(n.lower() for n in named)}); the first, {named[0].lower()}, is the "
            "one read"
        )
    if len({label for _, label, _ in said if label is not None}) > 1:
        listing = ", ".join(f"{name} {label or 'none'}" for name, label, _ in said)
        notes.setdefault("label", []).append(
            f"{origin}: the colour labels disagree ({listing}); {said[0][0]} is read first "
            "(xmp:Label, then digiKam:ColorLabel, then darktable:colorlabels)"
        )
    return CullingFields(
        rating=rating,
        pick=pick,
        label=said[0][1] if said else None,
        label_text=said[0][2] if said else None,
        label_said=bool(said),
        notes=notes,
    )


def _read_rating(
    value: str | None, origin: str, problems: list[str], notes: dict[str, list[str]]
) -> int | None:
    if value is None or not value.strip():
        return None
    number = _number(value)
    if number is not None:
        if -1 <= number <= 5:
            return number
        if number == DARKTABLE_OLD_REJECT:
            notes.setdefault("flag", []).append(
                f"{origin}: xmp:Rating 6 is darktable's old code for a rejected photo; "
                "read as rejected"
            )
            return -1
    problems.append(
        f"{origin}: xmp:Rating is {_shown(value)}, not a whole number from -1 (rejected) "
        "to 5; it is ignored"
    )
    return None


def _read_pick(
    value: str | None, origin: str, problems: list[str], notes: dict[str, list[str]]
) -> int | None:
    if value is None or not value.strip():
        return None
    number = _small_number(value)
    if number is None or number > DIGIKAM_ACCEPTED:
        problems.append(
            f"{origin}: digiKam:PickLabel is {_shown(value)}, not a pick label number from "
            "0 to 3; it is ignored"
        )
        return None
    if number == DIGIKAM_PENDING:
        notes.setdefault("flag", []).append(
            f"{origin}: digiKam:PickLabel 2 (pending) has no equivalent here; not imported"
        )
    return number


def _small_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None


def _number(value: str | None) -> int | None:
    """A whole number as XMP writes it ("4", "+4", "4.0"); None for anything else."""
    text = (value or "").strip()
    return int(float(text)) if _NUMBER.fullmatch(text) else None


# --------------------------------------------------------------------------- a photo's culling


@dataclass(frozen=True)
class _Packet:
    """What one packet (a sidecar, or the photo's embedded XMP) says."""

    path: Path
    origin: str  # how problems and notes name it
    rating: int | None = None  # -1 (rejected) .. 5 as written; None when absent
    pick: int | None = None  # digiKam:PickLabel 0..3
    label: str | None = None  # a store label
    label_said: bool = False  # some label property holds a value (even one not imported)
    notes: dict[str, list[str]] = field(default_factory=dict)  # field -> notes


@dataclass(frozen=True)
class XmpCulling:
    """What a photo's XMP says, in the store's terms; None where it says nothing usable.

    ``rating`` is 1..5 (a rejected or unrated photo has none), ``flag`` "pick" or
    "reject", ``label`` one of the store's five.  ``notes`` are values the store
    cannot hold or that disagree; ``problems`` are files that could not be read.
    Both are sentences starting with the file they are about.  ``sources`` are
    the files that supplied a value.
    """

    rating: int | None = None
    flag: str | None = None
    label: str | None = None
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    sources: tuple[Path, ...] = ()

    @property
    def says_something(self) -> bool:
        return self.rating is not None or self.flag is not None or self.label is not None


def _packet(root: Element, path: Path, origin: str, problems: list[str]) -> _Packet:
    found = culling_fields(descriptions(root), origin, problems)  # the one reader, above
    return _Packet(
        path, origin, found.rating, found.pick, found.label, found.label_said, found.notes
    )


def _read_bytes_packet(
    data: bytes | None, path: Path, origin: str, problems: list[str]
) -> _Packet | None:
    if data is None:
        return None
    root, problem = parse_root(data, origin)
    if root is None:
        if problem:
            problems.append(problem)
        return None
    return _packet(root, path, origin, problems)


def read_culling(photo: Path, file: Path | None = None, raw: Path | None = None) -> XmpCulling:
    """Rating, flag and label from the photo's sidecars and embedded XMP (never raises).

    Sidecars in :func:`portfolio_tui.xmp.find_sidecars` order come first (a
    pair's ``raw`` one's before the JPEG's), then the photo itself, field by
    field.  The photo is only read, from ``file`` (its ``real_path``; default ``photo``).
    """
    problems: list[str] = []
    packets: list[_Packet] = []
    for path in find_sidecars(photo, raw):
        data = read_sidecar_bytes(path, problems)
        found = _read_bytes_packet(data, path, str(path), problems)
        if found is not None:
            packets.append(found)
    data = read_embedded_packet(photo, problems, file)
    found = _read_bytes_packet(data, photo, embedded_origin(photo), problems)
    if found is not None:
        packets.append(found)
    return _merge(packets, problems)


def _merge(packets: Sequence[_Packet], problems: Sequence[str]) -> XmpCulling:
    rated = next((p for p in packets if p.rating is not None), None)
    picked = next((p for p in packets if p.pick is not None), None)
    labelled = next((p for p in packets if p.label_said), None)
    notes: list[str] = []
    used: list[Path] = []

    rating = None
    rejected = False
    if rated is not None:
        rejected = rated.rating == -1
        rating = rated.rating if rated.rating and rated.rating > 0 else None
        if rating is not None or rejected:
            used.append(rated.path)
    flag = "reject" if rejected else None
    if picked is not None:
        notes += picked.notes.get("flag", [])
        if picked.pick == DIGIKAM_REJECTED:
            flag = "reject"
            used.append(picked.path)
        elif picked.pick == DIGIKAM_ACCEPTED:
            used.append(picked.path)
            if rejected:
                where = "" if rated is picked or rated is None else f" in {rated.origin}"
                notes.append(
                    f"{picked.origin}: digiKam:PickLabel says accepted but xmp:Rating -1"
                    f"{where} says rejected; read as rejected"
                )
            else:
                flag = "pick"
    if rated is not None and rated is not picked:
        notes += rated.notes.get("flag", [])
    label = None
    if labelled is not None:
        notes += labelled.notes.get("label", [])
        label = labelled.label
        if label is not None:
            used.append(labelled.path)
    return XmpCulling(
        rating=rating,
        flag=flag,
        label=label,
        notes=tuple(dict.fromkeys(notes)),
        problems=tuple(problems),
        sources=tuple(dict.fromkeys(used)),
    )


def culling_of_packet(data: bytes, origin: str) -> XmpCulling:
    """What one packet says (for tests and for checking a sidecar after an edit)."""
    problems: list[str] = []
    found = _read_bytes_packet(data, Path(origin), origin, problems)
    return _merge([found] if found else [], problems)
