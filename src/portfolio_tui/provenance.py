"""Where a photo came from: the badge shown beside it (camera, AI, composite, retouched).

Two things can say it:

- the config's ``source`` for the photo (``[photos."rel/path.jpg"]``), which
  the loader already put on :attr:`Photo.source`;
- the photo's XMP (``Iptc4xmpExt:DigitalSourceType``, embedded or in a
  sidecar), read by :func:`portfolio_tui.xmp.read_xmp`.

The config wins where it is set: it is the photographer's word, and it can
correct a file whose metadata is stale or wrong.  Otherwise the XMP decides.
When both speak and mean different badges, :attr:`Provenance.conflict` says
so in a plain sentence naming both (``check`` reports it as a warning).

Reading XMP opens files, so it is never done while the portfolio loads (a
gallery may hold thousands of photos): the UI calls :func:`provenance` in a
worker thread for the photos it shows, and ``check``, which reads every file
anyway, calls :func:`provenance_from` with the facts it has already read.
No pixel is decoded.  This module never imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .portfolio import SOURCE_LABELS, UNKNOWN_SOURCE_LABEL, Photo
from .xmp import AI, CAMERA, COMPOSITE, PROVENANCE, RETOUCHED, XmpFacts, read_xmp

CONFIG: Final = "config"
METADATA: Final = "metadata"
NONE: Final = "none"

BADGES: Final = (CAMERA, AI, COMPOSITE, RETOUCHED)

# Labels for what the XMP says, where they are more precise than the badge's.
# A composite made only of real captures (focus stacking, a montage) is not
# "Composite with AI": only the IPTC codes that name synthetic parts say so.
CODE_LABELS: Final[dict[str, str]] = {
    "compositeWithTrainedAlgorithmicMedia": "Composite with AI",
    "compositeSynthetic": "Composite with AI",
    # Codes with no badge: not a photograph, and not generative AI either.
    "digitalCreation": "Digital creation",
    "digitalArt": "Digital art",
    "softwareImage": "Software image",
    "dataDrivenMedia": "Data-driven media",
    "virtualRecording": "Virtual recording",
    "screenCapture": "Screen capture",
}


@dataclass(frozen=True)
class Provenance:
    """The badge for one photo, where it came from, and any disagreement.

    ``badge`` is ``"camera"``, ``"ai"``, ``"composite"``, ``"retouched"`` or
    None (unknown, or a kind of image no badge describes).  ``label`` is what
    to show ("Camera original", "AI-generated", ...).  ``origin`` is
    ``"config"`` when the config's ``source`` decided, ``"metadata"`` when the
    XMP did, ``"none"`` when neither says anything usable.  ``source_type``
    is the IPTC digital source type code the XMP gives (``digitalCapture``),
    whatever decided the badge; None when the XMP has none.  ``conflict`` is
    a sentence when the config and the XMP disagree, else None.
    """

    badge: str | None
    label: str
    origin: str
    source_type: str | None = None
    conflict: str | None = None


def provenance(photo: Photo) -> Provenance:
    """The photo's provenance: its config ``source`` if set, else its XMP.

    Opens the photo and any XMP sidecars (never decodes pixels) and never
    raises; call it in a worker thread.
    """
    return provenance_from(photo, read_xmp(photo.path, photo.real_path, photo.raw))


def provenance_from(photo: Photo, facts: XmpFacts) -> Provenance:
    """The photo's provenance from XMP facts already read (see :func:`provenance`)."""
    code = facts.source_type
    if photo.source is not None:
        return Provenance(
            badge=photo.source,
            label=badge_label(photo.source),
            origin=CONFIG,
            source_type=code,
            conflict=_conflict(photo.source, code),
        )
    if code is not None and code in PROVENANCE:
        return Provenance(
            badge=PROVENANCE[code],
            label=code_label(code),
            origin=METADATA,
            source_type=code,
        )
    # No source anywhere, or a code outside the IPTC vocabulary: nothing to go on.
    return Provenance(badge=None, label=UNKNOWN_SOURCE_LABEL, origin=NONE, source_type=code)


def badge_label(badge: str | None) -> str:
    """``"camera"`` -> ``"Camera original"``; the same labels as :attr:`Photo.source_label`."""
    return SOURCE_LABELS.get(badge or "", UNKNOWN_SOURCE_LABEL)


def code_label(code: str) -> str:
    """The label for an IPTC digital source type code (``digitalCapture`` -> "Camera original")."""
    if code in CODE_LABELS:
        return CODE_LABELS[code]
    return badge_label(PROVENANCE.get(code))


def _conflict(source: str, code: str | None) -> str | None:
    """The sentence for a config ``source`` the XMP's code disagrees with, else None.

    A code outside the IPTC vocabulary says nothing we can compare, so it never
    disagrees.
    """
    if code is None or code not in PROVENANCE or PROVENANCE[code] == source:
        return None
    return (
        f'the config says source = "{source}" ({badge_label(source)}), but the photo\'s '
        f"XMP says {code} ({code_label(code)}); the config's source is used"
    )


__all__ = [
    "BADGES",
    "CODE_LABELS",
    "CONFIG",
    "METADATA",
    "NONE",
    "Provenance",
    "badge_label",
    "code_label",
    "provenance",
    "provenance_from",
]
