"""What a photo's XMP says: digital source type (provenance), rating, colour label.

XMP is read from the photo itself and from sidecar files next to it, always as
untrusted input: nothing here raises for a bad file, every problem becomes a
plain sentence naming the file, and the caller (the UI) cleans the strings
before showing them.  No pixel is ever decoded.

Where XMP is found
------------------
Embedded, in the photo (read by walking the file's structure with ``seek``;
no whole file is read into memory):

- JPEG: the APP1 segment starting ``http://ns.adobe.com/xap/1.0/\\0``; segments
  are read one by one and the walk stops at SOS, where the pixels start.
  Extended XMP (``http://ns.adobe.com/xmp/extension/\\0``) is ignored: it holds
  what does not fit in one 64 KB segment, in practice large properties such
  as Camera Raw settings or Photoshop's history, not the short ones read here.
- PNG: the ``iTXt`` chunk with keyword ``XML:com.adobe.xmp`` (compressed or
  not; inflated with a size cap).  Other chunks are skipped with ``seek``.
- WebP: the ``XMP `` chunk of the RIFF container.
- Anything else Pillow can open (TIFF tag 700, ...): ``Image.open`` reads
  only the header, and ``image.info["xmp"]`` holds the packet.

Sidecars, found by :func:`find_sidecars` in this order of precedence:

1. ``NAME.ext.xmp`` (``IMG_1.jpg.xmp``): what darktable always writes
   (``dt_image_path_append_version`` + ``".xmp"`` in ``src/common/image.c``;
   duplicates get ``IMG_1_01.jpg.xmp``) and digiKam's default ("keep image
   extension in XMP sidecar name", KDE/digikam PR #6).
2. ``NAME.xmp`` (``IMG_1.xmp``): what Lightroom, Bridge and Capture One write;
   darktable reads this form only for its "Lightroom import"
   (``dt_get_lightroom_xmp`` in ``src/develop/lightroom.c`` replaces the
   extension, trying ``.xmp`` then ``.XMP``).

``NAME.ext.xmp`` wins because it belongs to exactly one file: ``IMG_1.xmp`` is
shared by ``IMG_1.jpg`` and ``IMG_1.CR2`` in a RAW+JPEG pair, and is usually
the RAW's.  Immich makes the same choice when both exist (immich PR #8186).
Each form is also looked for with an upper-case ``.XMP``, after the lower-case
one.  Sidecars are merged field by field: a field missing from the first
sidecar may come from the next.

A RAW+JPEG pair (one photo, :attr:`portfolio_tui.portfolio.Photo.raw`) reads the
RAW's sidecars first, as Lightroom and darktable keep the pair's decisions with
the RAW: ``IMG_1.CR2.xmp``, then ``IMG_1.xmp`` (Lightroom's, the pair's own),
then the JPEG's ``IMG_1.jpg.xmp``.  ``xmp export`` writes the first of these that
exists (unless told ``--sidecar-name base``), so import and export agree on the
one sidecar, and makes ``IMG_1.xmp`` beside the RAW when there is none.

Which source wins
-----------------
- Rating and label: sidecars first (in the order above), then the photo.  A
  sidecar is where darktable, digiKam and Lightroom keep the photographer's
  current culling decisions; the photo's embedded values are older (often
  written by the camera or at export).
- Digital source type (and so provenance) and creator tool: the photo first,
  then sidecars.  These describe how the file was *made*, and are written
  into it by whatever made it (camera firmware, an editor, a generator).  A
  sidecar is written later by a cataloguing tool and is easy to get wrong
  (shared ``NAME.xmp``, a stale sidecar after the photo was replaced); above
  all, a sidecar must not be able to relabel a generated image as a camera
  capture.  When a sidecar disagrees with the photo, that is a problem.

Within one packet a property may be written as an attribute of
``rdf:Description`` or as a child element (with text, with ``rdf:resource``,
or as an ``rdf:Seq``/``rdf:Bag``/``rdf:Alt``), in any of several
``rdf:Description`` blocks (the first one holding it wins).  Properties are
matched by namespace URI, never by prefix.

Colour label: ``xmp:Label`` (Lightroom's text: "Red", "Yellow", "Green",
"Blue", "Purple", or anything a user typed), else ``digiKam:ColorLabel``
(digiKam's number: 1 red, 2 orange, 3 yellow, 4 green, 5 blue, 6 magenta,
shown as "Purple" as digiKam itself writes to ``xmp:Label``, 7 gray, 8 black,
9 white; 0 is no label; ``DMetadata::setImageColorLabel``), else
``darktable:colorlabels`` (an ``rdf:Seq`` of numbers, 0 red, 1 yellow,
2 green, 3 blue, 4 purple; darktable allows several and the first one listed
is shown).  darktable itself reads ``xmp:Label`` before its own list
(``src/common/exif.cc``).

Rating: ``xmp:Rating`` as written: -1 rejected, 0 unrated, 1..5 stars
(``4.0`` is read as 4); 6 is darktable's old code for rejected and is read as
-1, with a note.  Any other non-number, fraction or value outside -1..5 is a
problem and ignored; an empty value counts as absent.  Ratings, digiKam pick
labels and colour labels are read by :func:`culling_fields` alone, for ``check``,
``xmp import`` and provenance alike.

Provenance
----------
``Iptc4xmpExt:DigitalSourceType`` holds a URI of the IPTC NewsCodes
vocabulary (http://cv.iptc.org/newscodes/digitalsourcetype/, release of
2024-10-23); its last path segment is the code (a bare code or a
``digsrctype:`` QCode is accepted too).  :data:`PROVENANCE` maps every code of
that vocabulary, retired ones included:

- camera: digitalCapture, computationalCapture (multi-frame merges such as
  phone HDR, still sampled from real life), negativeFilm, positiveFilm,
  print (scans of real photographs).
- retouched: humanEdits, minorHumanEdits (retired), algorithmicallyEnhanced.
- ai: trainedAlgorithmicMedia, algorithmicMedia.
- composite: compositeWithTrainedAlgorithmicMedia, compositeSynthetic,
  compositeCapture, composite.
- no badge (None): digitalCreation, digitalArt (retired), softwareImage,
  dataDrivenMedia, virtualRecording, screenCapture.  These are
  neither photographs nor generative AI; ``source_type`` still says what the
  file claims.

An unknown code has provenance None and keeps its ``source_type``.

Safety
------
Packets are parsed with ``defusedxml`` and ``forbid_dtd=True``: a document
type declaration is refused before any entity is defined, so external
entities are never fetched or read and entity bombs never expand.  Packets
and sidecars over :data:`MAX_PACKET_BYTES` / :data:`MAX_SIDECAR_BYTES` are
refused unread, and every string returned is stripped and at most
:data:`MAX_TEXT` characters.  This module never imports Textual.

:mod:`portfolio_tui.xmp_sync` (``portfolio-tui xmp import|export``) reads the
same packets through :func:`read_sidecar_bytes`, :func:`read_embedded_packet`,
:func:`parse_root` and :func:`property_values`.
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring
from PIL import Image

from .files import NotRegularFile, open_exactly, open_regular
from .imaging.raw import RAW_SUFFIXES

MAX_PACKET_BYTES: Final = 2 * 1024 * 1024
MAX_SIDECAR_BYTES: Final = 2 * 1024 * 1024
MAX_TEXT: Final = 200

CAMERA: Final = "camera"
AI: Final = "ai"
COMPOSITE: Final = "composite"
RETOUCHED: Final = "retouched"

PROVENANCE: Final[dict[str, str | None]] = {
    "digitalCapture": CAMERA,
    "computationalCapture": CAMERA,
    "negativeFilm": CAMERA,
    "positiveFilm": CAMERA,
    "print": CAMERA,
    "humanEdits": RETOUCHED,
    "minorHumanEdits": RETOUCHED,
    "algorithmicallyEnhanced": RETOUCHED,
    "trainedAlgorithmicMedia": AI,
    "algorithmicMedia": AI,
    "compositeWithTrainedAlgorithmicMedia": COMPOSITE,
    "compositeSynthetic": COMPOSITE,
    "compositeCapture": COMPOSITE,
    "composite": COMPOSITE,
    "digitalCreation": None,
    "digitalArt": None,
    "softwareImage": None,
    "dataDrivenMedia": None,
    "virtualRecording": None,
    "screenCapture": None,
}
_CANONICAL_CODE: Final = {code.casefold(): code for code in PROVENANCE}

RDF_NS: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP_NS: Final = "http://ns.adobe.com/xap/1.0/"
IPTC_EXT_NS: Final = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
DARKTABLE_NS: Final = "http://darktable.sf.net/"
DIGIKAM_NS: Final = "http://www.digikam.org/ns/1.0/"

DARKTABLE_LABELS: Final = ("Red", "Yellow", "Green", "Blue", "Purple")
DIGIKAM_LABELS: Final = {
    1: "Red",
    2: "Orange",
    3: "Yellow",
    4: "Green",
    5: "Blue",
    6: "Purple",
    7: "Gray",
    8: "Black",
    9: "White",
}

_RDF: Final = f"{{{RDF_NS}}}RDF"
_DESCRIPTION: Final = f"{{{RDF_NS}}}Description"
_RESOURCE: Final = f"{{{RDF_NS}}}resource"
_VALUE: Final = f"{{{RDF_NS}}}value"
_LI: Final = f"{{{RDF_NS}}}li"
_CONTAINERS: Final = frozenset(f"{{{RDF_NS}}}{name}" for name in ("Seq", "Bag", "Alt"))

JPEG_XMP_SIGNATURE: Final = b"http://ns.adobe.com/xap/1.0/\x00"
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
PNG_XMP_KEYWORD: Final = b"XML:com.adobe.xmp"
_MAX_SEGMENTS: Final = 4096  # JPEG header segments before giving up
_MAX_CHUNKS: Final = 100_000  # PNG / WebP chunks before giving up
_INTEGER: Final = re.compile(r"[+-]?[0-9]{1,6}(?:\.0*)?")


@dataclass(frozen=True)
class XmpFacts:
    """What the XMP of one photo says; None where it says nothing usable.

    ``problems`` are sentences starting with the file they are about.
    ``sources`` are the files that supplied at least one value here (the photo
    itself for embedded XMP), the photo first, then sidecars by precedence.
    """

    source_type: str | None = None
    provenance: str | None = None
    rating: int | None = None
    label: str | None = None
    creator_tool: str | None = None
    problems: tuple[str, ...] = ()
    sources: tuple[Path, ...] = ()


# --------------------------------------------------------------------------- parsing


def parse_packet(data: bytes, origin: str) -> XmpFacts:
    """The facts in one XMP packet; ``origin`` names it in problems.

    ``sources`` is left empty: only :func:`read_xmp` knows the file.
    """
    root, problem = parse_root(data, origin)
    if root is None:
        return XmpFacts(problems=(problem,) if problem else ())
    return _facts(root, origin)


def parse_root(data: bytes, origin: str) -> tuple[Element | None, str | None]:
    """One packet parsed safely: its root element, or None and the problem (a sentence)."""
    if len(data) > MAX_PACKET_BYTES:
        return None, _too_large(origin, len(data), MAX_PACKET_BYTES)
    try:
        root = fromstring(_trim(data), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        reason = (
            "has a document type declaration (DTD), which XMP never needs and which can "
            "define entities (external files, entity bombs); it was refused unread"
        )
    except EntitiesForbidden:
        reason = "declares XML entities; it was refused unread"
    except ExternalReferenceForbidden:
        reason = "refers to an external resource; it was refused unread"
    except ParseError as exc:
        reason = f"is not well-formed XML ({exc}); it is ignored"
    except Exception as exc:  # expat and codecs have more ways to fail; none may escape
        reason = f"could not be parsed ({type(exc).__name__}); it is ignored"
    else:
        return root, None
    return None, f"{origin}: the XMP {reason}"


def _trim(data: bytes) -> bytes:
    """Drop the padding writers leave around a packet (not for UTF-16 packets)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        return data
    return data.strip(b"\x00 \t\r\n")


def descriptions(root: Element) -> list[Element]:
    """The packet's ``rdf:Description`` blocks, in document order."""
    return [child for rdf in root.iter(_RDF) for child in rdf if child.tag == _DESCRIPTION]


def _facts(root: Element, origin: str) -> XmpFacts:
    problems: list[str] = []
    blocks = descriptions(root)
    source_type = _source_code(_first(blocks, IPTC_EXT_NS, "DigitalSourceType"))
    culling = culling_fields(blocks, origin, problems)
    return XmpFacts(
        source_type=source_type,
        provenance=PROVENANCE.get(source_type) if source_type else None,
        rating=culling.rating,
        label=culling.label_text,
        creator_tool=_text(_first(blocks, XMP_NS, "CreatorTool")),
        problems=tuple(problems),
    )


def property_values(descriptions: Iterable[Element], namespace: str, name: str) -> list[str] | None:
    """A top-level property's values (one for a simple value, each item of an array).

    The first ``rdf:Description`` holding the property wins; None when none does.
    """
    key = f"{{{namespace}}}{name}"
    for description in descriptions:
        if key in description.attrib:
            return [description.attrib[key]]
        for prop in description:
            if prop.tag == key:
                return _property_values(prop)
    return None


def _property_values(prop: Element) -> list[str]:
    if _RESOURCE in prop.attrib:
        return [prop.attrib[_RESOURCE]]
    for child in prop:
        if child.tag in _CONTAINERS:
            return [item.get(_RESOURCE, item.text or "") for item in child if item.tag == _LI]
        if child.tag == _VALUE:  # rdf:parseType="Resource" with qualifiers
            return [child.text or ""]
    return [prop.text or ""]


def _first(descriptions: Iterable[Element], namespace: str, name: str) -> str | None:
    values = property_values(descriptions, namespace, name)
    return values[0] if values else None


def _text(value: str | None) -> str | None:
    """Stripped, at most MAX_TEXT characters; None when empty."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"


def _shown(value: str) -> str:
    value = value.strip()
    return repr(value if len(value) <= 40 else value[:39] + "…")


def _source_code(value: str | None) -> str | None:
    """``http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture`` -> ``digitalCapture``."""
    text = _text(value)
    if text is None:
        return None
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    elif ":" in text:  # a QCode, digsrctype:digitalCapture
        text = text.rsplit(":", 1)[-1]
    text = text.strip()
    if not text:
        return None
    return _CANONICAL_CODE.get(text.casefold(), text)


# --------------------------------------------------------------------------- culling

STORE_LABELS: Final = ("red", "yellow", "green", "blue", "purple")
"""The colour labels the curation store holds."""
LIGHTROOM_LABELS: Final = {label: label.capitalize() for label in STORE_LABELS}
"""Store label -> ``xmp:Label`` text (what Lightroom, Bridge and darktable compare with)."""
DARKTABLE_OLD_REJECT: Final = 6
"""``xmp:Rating`` 6: darktable before 3.0 kept "rejected" as rating 6 (``DT_VIEW_REJECT``)
and reads a 6 back as rejected (``src/common/exif.cc``: ``flags & 0x7``)."""
DIGIKAM_REJECTED: Final = 1
DIGIKAM_PENDING: Final = 2
DIGIKAM_ACCEPTED: Final = 3
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

    def first(namespace: str, name: str) -> str | None:
        values = property_values(blocks, namespace, name)
        return values[0] if values else None

    rating = _read_rating(first(XMP_NS, "Rating"), origin, problems, notes)
    pick = _read_pick(first(DIGIKAM_NS, "PickLabel"), origin, problems, notes)

    said: list[tuple[str, str | None, str]] = []  # (property, store label or None, as named)
    text = _text(first(XMP_NS, "Label"))
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
    digikam = (first(DIGIKAM_NS, "ColorLabel") or "").strip()
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


DIGIKAM_COLOR_NAMES: Final = {2: "orange", 6: "magenta", 7: "gray", 8: "black", 9: "white"}
"""digiKam's own names, where a note names a label the store cannot hold."""


def _read_rating(
    value: str | None, origin: str, problems: list[str], notes: dict[str, list[str]]
) -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if _NUMBER.fullmatch(text):
        number = int(float(text))
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


def _too_large(origin: str, size: int, limit: int) -> str:
    return (
        f"{origin}: the XMP is too large ({_mb(size)}, the limit is {_mb(limit)}); it was not read"
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# --------------------------------------------------------------------------- files


def sidecar_names(photo: Path) -> list[str]:
    """``NAME.ext.xmp``, ``NAME.ext.XMP``, ``NAME.xmp``, ``NAME.XMP`` (no stem: the first two)."""
    names = [photo.name + ".xmp", photo.name + ".XMP"]
    if photo.suffix:
        names += [photo.stem + ".xmp", photo.stem + ".XMP"]
    return names


def find_sidecars(photo: Path, raw: Path | None = None) -> list[Path]:
    """The XMP sidecars next to ``photo`` that exist, in order of precedence.

    ``NAME.ext.xmp`` before ``NAME.xmp``, each lower-case ``.xmp`` before
    ``.XMP``; for a RAW+JPEG pair (``raw``: the RAW beside the JPEG ``photo``),
    the RAW's before the JPEG's.  Anything present under those names is listed
    (a folder or a dangling link too), so that reading it can report what is wrong.
    """
    if not photo.name:
        return []
    names = sidecar_names(photo)
    if raw is not None and raw.name:
        names = sidecar_names(raw) + names
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for name in dict.fromkeys(names):
        candidate = photo.with_name(name)
        try:
            info = os.lstat(candidate)
        except (OSError, ValueError):  # ValueError: a NUL in the name
            continue
        with contextlib.suppress(OSError, ValueError):  # a dangling link keeps its own identity
            info = os.stat(candidate)  # one file under two spellings (case-insensitive)
        identity = (info.st_dev, info.st_ino)
        if identity in seen:
            continue
        seen.add(identity)
        found.append(candidate)
    return found


def read_xmp(photo: Path, file: Path | None = None, raw: Path | None = None) -> XmpFacts:
    """Everything the photo's embedded XMP and its sidecars say (never raises).

    Sidecars are looked for beside ``photo`` (and its paired ``raw``); the photo's
    own packet is read from ``file``, where it really is (``Photo.real_path``;
    default ``photo``).
    """
    problems: list[str] = []
    embedded = _read_embedded(photo, problems, file)
    sidecars: list[tuple[Path, XmpFacts]] = []
    for path in find_sidecars(photo, raw):
        facts = _read_sidecar(path, problems)
        if facts is not None:
            sidecars.append((path, facts))

    own = [(photo, embedded)] if embedded is not None else []
    made_order = own + sidecars
    culled_order = sidecars + own
    contributors: set[Path] = set()

    def pick(order: list[tuple[Path, XmpFacts]], field: str) -> tuple[Path, XmpFacts] | None:
        for path, facts in order:
            if getattr(facts, field) is not None:
                contributors.add(path)
                return path, facts
        return None

    made = pick(made_order, "source_type")
    tool = pick(made_order, "creator_tool")
    rating = pick(culled_order, "rating")
    label = pick(culled_order, "label")

    if made is not None:
        for path, facts in made_order:
            if facts.source_type not in (None, made[1].source_type):
                problems.append(
                    f"{path}: says the digital source type is {facts.source_type!r}, but "
                    f"{made[0]} says {made[1].source_type!r}; {made[0].name} is believed"
                )

    order = [photo] + [path for path, _ in sidecars]
    return XmpFacts(
        source_type=made[1].source_type if made else None,
        provenance=made[1].provenance if made else None,
        rating=rating[1].rating if rating else None,
        label=label[1].label if label else None,
        creator_tool=tool[1].creator_tool if tool else None,
        problems=tuple(problems),
        sources=tuple(path for path in dict.fromkeys(order) if path in contributors),
    )


def _open_regular(
    path: Path, what: str, problems: list[str], *, exactly: bool = False, shown: Path | None = None
) -> BinaryIO | None:
    """Open ``path`` for reading if it is a regular file, never through a link.

    A link (a sidecar planted to point at a file elsewhere), a folder, FIFO or
    device is refused unread and never blocks (``files.open_regular``). With
    ``exactly``, no folder on the way may be a link either (``files.open_exactly``:
    for a photo's real path, found at load). ``what`` names the file in problems
    (``"XMP sidecar"``, ``"photo"``), at ``shown`` (default ``path``).
    """
    shown = shown or path
    try:
        fd = open_exactly(path) if exactly else open_regular(path)
    except NotRegularFile as exc:
        problems.append(f"{shown}: cannot read this {what}: it {exc.reason}; it is ignored")
        return None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        problems.append(
            f"{shown}: cannot read this {what}: {getattr(exc, 'strerror', None) or exc}"
        )
        return None
    return os.fdopen(fd, "rb")


def _read_sidecar(path: Path, problems: list[str]) -> XmpFacts | None:
    data = read_sidecar_bytes(path, problems)
    if data is None:
        return None
    facts = parse_packet(data, str(path))
    problems.extend(facts.problems)
    return facts


def read_sidecar_bytes(path: Path, problems: list[str]) -> bytes | None:
    """A sidecar's bytes if it is a regular file within :data:`MAX_SIDECAR_BYTES`.

    Otherwise None, with the reason appended to ``problems``.
    """
    handle = _open_regular(path, "XMP sidecar", problems)
    if handle is None:
        return None
    try:
        with handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_SIDECAR_BYTES:
                problems.append(_too_large(str(path), size, MAX_SIDECAR_BYTES))
                return None
            data = handle.read(MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        problems.append(f"{path}: cannot read this XMP sidecar: {exc.strerror or exc}")
        return None
    if len(data) > MAX_SIDECAR_BYTES:  # grew while being read
        problems.append(_too_large(str(path), len(data), MAX_SIDECAR_BYTES))
        return None
    return data


def _read_embedded(photo: Path, problems: list[str], file: Path | None) -> XmpFacts | None:
    packet = read_embedded_packet(photo, problems, file)
    if packet is None:
        return None
    facts = parse_packet(packet, embedded_origin(photo))
    problems.extend(facts.problems)
    return facts


def embedded_origin(photo: Path) -> str:
    """How problems name a photo's embedded XMP."""
    return f"{photo} (embedded XMP)"


def read_embedded_packet(
    photo: Path, problems: list[str], file: Path | None = None
) -> bytes | None:
    """The XMP packet inside the photo (read-only, header only), or None.

    ``file`` is where the photo really is (``Photo.real_path``), read without
    following a link; default ``photo``, which then may not be a link. None too
    when it cannot be read, with the reason appended to ``problems``.
    """
    origin = embedded_origin(photo)
    handle = _open_regular(file or photo, "photo", problems, exactly=True, shown=photo)
    if handle is None:
        return None
    try:
        with handle:
            head = handle.read(16)
            if head.startswith(b"\xff\xd8"):
                packet = _jpeg_packet(handle)
            elif head.startswith(PNG_SIGNATURE):
                packet = _png_packet(handle, origin, problems)
            elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
                packet = _webp_packet(handle, origin, problems)
            elif photo.suffix.lower() in RAW_SUFFIXES:
                # A TIFF-based RAW (DNG, CR2, NEF...) may hold XMP in tag 700, as Lightroom
                # writes it into a DNG; other RAW formats keep it in sidecars. Whether the
                # RAW itself can be read is for the decoder and `check` to say, not XMP.
                tiff = head[:4] in (b"II*\x00", b"MM\x00*")
                packet = _pillow_packet(handle, origin, []) if tiff else None
            else:
                # A HEIC or JPEG XL needs its reader registered (lazily) before Pillow opens it.
                from .imaging import plugins

                plugins.prepare(photo.suffix, head)
                packet = _pillow_packet(handle, origin, problems)
    except OSError as exc:
        problems.append(f"{origin}: cannot be read: {exc.strerror or exc}")
        return None
    return packet


def _read_exact(handle: BinaryIO, size: int) -> bytes | None:
    data = handle.read(size)
    return data if len(data) == size else None


def _jpeg_packet(handle: BinaryIO) -> bytes | None:
    """The standard XMP packet of a JPEG, from the segments before SOS.

    A segment holds at most 64 KB, so no size check is needed here.
    """
    handle.seek(2)
    for _ in range(_MAX_SEGMENTS):
        marker = handle.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None  # truncated or damaged header: no XMP to be found
        code = marker[1]
        fill = 0
        while code == 0xFF and fill < 64:  # fill bytes before a marker
            byte = handle.read(1)
            if not byte:
                return None
            code, fill = byte[0], fill + 1
        if code in (0xDA, 0xD9):  # start of scan (pixels follow) or end of image
            return None
        if code in (0x01, 0xD8) or 0xD0 <= code <= 0xD7:  # markers without a length
            continue
        raw = _read_exact(handle, 2)
        if raw is None:
            return None
        length = struct.unpack(">H", raw)[0] - 2
        if length < 0:
            return None
        if code == 0xE1 and length >= len(JPEG_XMP_SIGNATURE):
            signature = handle.read(len(JPEG_XMP_SIGNATURE))
            if signature == JPEG_XMP_SIGNATURE:
                return _read_exact(handle, length - len(signature))
            handle.seek(length - len(signature), os.SEEK_CUR)
        else:
            handle.seek(length, os.SEEK_CUR)
    return None


def _png_packet(handle: BinaryIO, origin: str, problems: list[str]) -> bytes | None:
    """The ``XML:com.adobe.xmp`` iTXt chunk's text, skipping every other chunk."""
    handle.seek(len(PNG_SIGNATURE))
    prefix_size = len(PNG_XMP_KEYWORD) + 1
    for _ in range(_MAX_CHUNKS):
        header = _read_exact(handle, 8)
        if header is None:
            return None
        length, kind = struct.unpack(">I4s", header)
        if kind == b"IEND":
            return None
        if kind == b"iTXt" and length >= prefix_size:
            prefix = handle.read(prefix_size)
            if prefix == PNG_XMP_KEYWORD + b"\x00":
                if length - prefix_size > MAX_PACKET_BYTES + 1024:  # room for tag and language
                    problems.append(_too_large(origin, length, MAX_PACKET_BYTES))
                    return None
                body = _read_exact(handle, length - prefix_size)
                return None if body is None else _itxt_text(body, origin, problems)
            handle.seek(length - len(prefix) + 4, os.SEEK_CUR)
        else:
            handle.seek(length + 4, os.SEEK_CUR)  # data and CRC
    return None


def _itxt_text(body: bytes, origin: str, problems: list[str]) -> bytes | None:
    """iTXt after its keyword: flag, method, language\\0, translated keyword\\0, text."""
    if len(body) < 2:
        return None
    compressed, method = body[0], body[1]
    parts = body[2:].split(b"\x00", 2)
    if len(parts) < 3:
        problems.append(f"{origin}: the PNG's XMP chunk is damaged; it is ignored")
        return None
    text = parts[2]
    if not compressed:
        return text
    if method != 0:
        problems.append(f"{origin}: the PNG's XMP chunk uses an unknown compression")
        return None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(text, MAX_PACKET_BYTES + 1)
    except zlib.error:
        problems.append(f"{origin}: the PNG's compressed XMP chunk is damaged; it is ignored")
        return None
    if len(data) > MAX_PACKET_BYTES or inflater.unconsumed_tail:
        problems.append(
            f"{origin}: the XMP is too large once decompressed (over {_mb(MAX_PACKET_BYTES)}); "
            "it was not read"
        )
        return None
    return data


def _webp_packet(handle: BinaryIO, origin: str, problems: list[str]) -> bytes | None:
    """The ``XMP `` chunk of a WebP (RIFF) file."""
    handle.seek(12)
    for _ in range(_MAX_CHUNKS):
        header = _read_exact(handle, 8)
        if header is None:
            return None
        kind, length = struct.unpack("<4sI", header)
        if kind == b"XMP ":
            if length > MAX_PACKET_BYTES:
                problems.append(_too_large(origin, length, MAX_PACKET_BYTES))
                return None
            return _read_exact(handle, length)
        handle.seek(length + (length & 1), os.SEEK_CUR)
    return None


def _pillow_packet(handle: BinaryIO, origin: str, problems: list[str]) -> bytes | None:
    """Pillow's ``info["xmp"]``, from the header alone (TIFF and other formats)."""
    try:
        handle.seek(0)
        with Image.open(handle) as image:
            value = image.info.get("xmp")
    except Image.DecompressionBombError:
        problems.append(f"{origin}: the image is too large to open safely; XMP not read")
        return None
    except Exception as exc:  # UnidentifiedImageError, damaged headers: plugins raise anything
        problems.append(f"{origin}: not an image Pillow can read ({type(exc).__name__})")
        return None
    if isinstance(value, str):
        value = value.encode("utf-8", errors="replace")
    if not isinstance(value, bytes) or not value:
        return None
    return value
