"""What a photo's XMP says, and the store's culling written back into sidecars.

XMP is read from the photo itself and from sidecar files next to it, always as
untrusted input: nothing here raises for a bad file, every problem becomes a
plain sentence naming the file, and the caller (the UI) cleans the strings
before showing them.  No pixel is ever decoded, and nothing here imports Textual.

The modules, each importing only those above it:

- :mod:`.packets`: size limits, namespaces, safe parsing, property values.
- :mod:`.mappings`: one table per tool (IPTC provenance, Lightroom, darktable,
  digiKam), both directions, and the properties export writes.
- :mod:`.sidecars`: which sidecars a photo has, in order; reading one's bytes.
- :mod:`.embedded`: the packet inside a JPEG, PNG, WebP, TIFF or other photo.
- :mod:`.culling`: the one reader of rating, pick flag and colour label, used by
  ``check``, ``xmp import`` and provenance alike; :func:`read_culling`.
- :mod:`.facts`: :func:`read_xmp`, everything a photo's XMP says, and which
  source wins.
- :mod:`.import_plan`: ``portfolio-tui xmp import`` (plan, then apply).
- :mod:`.editing`: a sidecar edited in place (:func:`update_sidecar`).
- :mod:`.export`: ``portfolio-tui xmp export``.

This package re-exports what the module ``portfolio_tui.xmp`` held (the reading
side); ``portfolio_tui.xmp_sync`` re-exports import and export.  Import and
export are not imported here: they need the curation store, reading does not.
"""

from __future__ import annotations

from .culling import CullingFields, culling_fields
from .embedded import (
    JPEG_XMP_SIGNATURE,
    PNG_SIGNATURE,
    PNG_XMP_KEYWORD,
    embedded_origin,
    read_embedded_packet,
)
from .facts import XmpFacts, parse_packet, read_xmp
from .mappings import (
    AI,
    CAMERA,
    COMPOSITE,
    DARKTABLE_LABELS,
    DARKTABLE_OLD_REJECT,
    DIGIKAM_ACCEPTED,
    DIGIKAM_COLOR_NAMES,
    DIGIKAM_LABELS,
    DIGIKAM_PENDING,
    DIGIKAM_REJECTED,
    LIGHTROOM_LABELS,
    PROVENANCE,
    RETOUCHED,
    STORE_LABELS,
)
from .packets import (
    DARKTABLE_NS,
    DIGIKAM_NS,
    IPTC_EXT_NS,
    MAX_PACKET_BYTES,
    MAX_SIDECAR_BYTES,
    MAX_TEXT,
    RDF_NS,
    XMP_NS,
    descriptions,
    parse_root,
    property_values,
)
from .sidecars import find_sidecars, read_sidecar_bytes, sidecar_names

__all__ = [
    "AI",
    "CAMERA",
    "COMPOSITE",
    "DARKTABLE_LABELS",
    "DARKTABLE_NS",
    "DARKTABLE_OLD_REJECT",
    "DIGIKAM_ACCEPTED",
    "DIGIKAM_COLOR_NAMES",
    "DIGIKAM_LABELS",
    "DIGIKAM_NS",
    "DIGIKAM_PENDING",
    "DIGIKAM_REJECTED",
    "IPTC_EXT_NS",
    "JPEG_XMP_SIGNATURE",
    "LIGHTROOM_LABELS",
    "MAX_PACKET_BYTES",
    "MAX_SIDECAR_BYTES",
    "MAX_TEXT",
    "PNG_SIGNATURE",
    "PNG_XMP_KEYWORD",
    "PROVENANCE",
    "RDF_NS",
    "RETOUCHED",
    "STORE_LABELS",
    "XMP_NS",
    "CullingFields",
    "XmpFacts",
    "culling_fields",
    "descriptions",
    "embedded_origin",
    "find_sidecars",
    "parse_packet",
    "parse_root",
    "property_values",
    "read_embedded_packet",
    "read_sidecar_bytes",
    "read_xmp",
    "sidecar_names",
]
