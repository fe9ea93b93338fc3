"""What a photo's XMP says as a whole (:func:`read_xmp`): provenance, rating, label.

XMP is read from the photo itself and from its sidecars, always as untrusted
input: nothing here raises for a bad file, every problem becomes a plain
sentence naming the file, and the caller (the UI) cleans the strings before
showing them.

Which source wins
-----------------
- Rating and label: sidecars first (in :func:`find_sidecars` order), then the
  photo.  A sidecar is where darktable, digiKam and Lightroom keep the
  photographer's current culling decisions; the photo's embedded values are
  older (often written by the camera or at export).
- Digital source type (and so provenance) and creator tool: the photo first,
  then sidecars.  These describe how the file was *made*, and are written
  into it by whatever made it (camera firmware, an editor, a generator).  A
  sidecar is written later by a cataloguing tool and is easy to get wrong
  (shared ``NAME.xmp``, a stale sidecar after the photo was replaced); above
  all, a sidecar must not be able to relabel a generated image as a camera
  capture.  When a sidecar disagrees with the photo, that is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final
from xml.etree.ElementTree import Element

from .culling import culling_fields
from .embedded import embedded_origin, read_embedded_packet
from .mappings import PROVENANCE
from .packets import IPTC_EXT_NS, XMP_NS, _first, _text, descriptions, parse_root
from .sidecars import find_sidecars, read_sidecar_bytes

_CANONICAL_CODE: Final = {code.casefold(): code for code in PROVENANCE}


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


def parse_packet(data: bytes, origin: str) -> XmpFacts:
    """The facts in one XMP packet; ``origin`` names it in problems.

    ``sources`` is left empty: only :func:`read_xmp` knows the file.
    """
    root, problem = parse_root(data, origin)
    if root is None:
        return XmpFacts(problems=(problem,) if problem else ())
    return _facts(root, origin)


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


def _read_sidecar(path: Path, problems: list[str]) -> XmpFacts | None:
    data = read_sidecar_bytes(path, problems)
    if data is None:
        return None
    facts = parse_packet(data, str(path))
    problems.extend(facts.problems)
    return facts


def _read_embedded(photo: Path, problems: list[str], file: Path | None) -> XmpFacts | None:
    packet = read_embedded_packet(photo, problems, file)
    if packet is None:
        return None
    facts = parse_packet(packet, embedded_origin(photo))
    problems.extend(facts.problems)
    return facts
