"""XMP packets read safely: size limits, namespaces, parsing, property values.

Within one packet a property may be written as an attribute of
``rdf:Description`` or as a child element (with text, with ``rdf:resource``,
or as an ``rdf:Seq``/``rdf:Bag``/``rdf:Alt``), in any of several
``rdf:Description`` blocks (the first one holding it wins).  Properties are
matched by namespace URI, never by prefix.

Safety
------
Packets are parsed with ``defusedxml`` and ``forbid_dtd=True``: a document
type declaration is refused before any entity is defined, so external
entities are never fetched or read and entity bombs never expand.  Packets
and sidecars over :data:`MAX_PACKET_BYTES` / :data:`MAX_SIDECAR_BYTES` are
refused unread, and every string returned is stripped and at most
:data:`MAX_TEXT` characters.  Files are opened only if they are regular
files, never through a link (:func:`_open_regular`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from ..files import NotRegularFile, open_exactly, open_regular

MAX_PACKET_BYTES: Final = 2 * 1024 * 1024
MAX_SIDECAR_BYTES: Final = 2 * 1024 * 1024
MAX_TEXT: Final = 200

RDF_NS: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP_NS: Final = "http://ns.adobe.com/xap/1.0/"
IPTC_EXT_NS: Final = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
DARKTABLE_NS: Final = "http://darktable.sf.net/"
DIGIKAM_NS: Final = "http://www.digikam.org/ns/1.0/"

_RDF: Final = f"{{{RDF_NS}}}RDF"
_DESCRIPTION: Final = f"{{{RDF_NS}}}Description"
_RESOURCE: Final = f"{{{RDF_NS}}}resource"
_VALUE: Final = f"{{{RDF_NS}}}value"
_LI: Final = f"{{{RDF_NS}}}li"
_CONTAINERS: Final = frozenset(f"{{{RDF_NS}}}{name}" for name in ("Seq", "Bag", "Alt"))


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


def _too_large(origin: str, size: int, limit: int) -> str:
    return (
        f"{origin}: the XMP is too large ({_mb(size)}, the limit is {_mb(limit)}); it was not read"
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


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
