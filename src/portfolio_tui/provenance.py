"""Where a photo came from: the badge shown beside it (camera, AI, composite, retouched).

Three things can say it, and the first that speaks decides:

1. the photo's C2PA Content Credentials, when they are intact (their state is
   ``trusted`` or ``unknown signer``: what they say is what was signed) and
   give the image a digital source type the IPTC vocabulary knows
   (:data:`portfolio_tui.xmp.PROVENANCE`), read by
   :func:`portfolio_tui.credentials.reading.read_credentials`;
2. the config's ``source`` for the photo (``[photos."rel/path.jpg"]``), which
   the loader already put on :attr:`Photo.source`: the photographer's word,
   which can correct a file whose metadata is stale or wrong;
3. the photo's XMP (``Iptc4xmpExt:DigitalSourceType``, embedded or in a
   sidecar), read by :func:`portfolio_tui.xmp.read_xmp`.

Signed credentials win over the config because anyone can type a ``source``
or an XMP field, while a signature can only be made by its signer.  When a
lower source speaks and means a different badge from the one used,
:attr:`Provenance.conflict` says so in a plain sentence naming both and
saying which is used (``check`` reports it; a config that calls a photo a
camera original while its credentials say AI-generated or composite fails
``check``).

Credentials that are ``invalid`` (edited after signing, a signature that does
not verify) or ``unreadable`` never decide the badge: the config or the XMP
still does, and :attr:`Provenance.text` says what is wrong with the
credentials.  Intact credentials that state no source type (only edits, say)
do not decide either; the text still names their signer.

Reading XMP and credentials opens files, so it is never done while the
portfolio loads (a gallery may hold thousands of photos): the UI calls
:func:`provenance` in a worker thread for the photos it shows, and ``check``,
which reads every file anyway, calls :func:`provenance_from` with what it has
already read.  No pixel is decoded, and the c2pa library is imported only for
a file that holds a manifest.  This module never imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .credentials.model import (
    INVALID,
    NO_CREDENTIALS,
    TRUSTED,
    UNKNOWN_SIGNER,
    UNREADABLE,
    Credentials,
)
from .credentials.reading import read_credentials
from .portfolio import SOURCE_LABELS, UNKNOWN_SOURCE_LABEL, Photo
from .text import clean
from .xmp import AI, CAMERA, COMPOSITE, PROVENANCE, RETOUCHED, XmpFacts, read_xmp

CREDENTIALS: Final = "credentials"
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

SEPARATOR: Final = " · "
UNNAMED_SIGNER: Final = "an unnamed signer"


@dataclass(frozen=True)
class Provenance:
    """The badge for one photo, where it came from, and any disagreement.

    ``badge`` is ``"camera"``, ``"ai"``, ``"composite"``, ``"retouched"`` or
    None (unknown, or a kind of image no badge describes).  ``label`` is the
    badge's label ("Camera original", "AI-generated", ...); :attr:`text` is the
    whole line to show, credentials included.  ``origin`` is ``"credentials"``
    when intact Content Credentials decided, ``"config"`` when the config's
    ``source`` did, ``"metadata"`` when the XMP did, ``"none"`` when nothing
    says anything usable.  ``source_type`` is the IPTC digital source type code
    the XMP gives (``digitalCapture``), whatever decided the badge; None when
    the XMP has none (the credentials' own code is ``credentials.source_type``).
    ``conflict`` is a sentence when two sources disagree, else None.
    ``credentials`` are the photo's Content Credentials as read (state
    ``none`` when it has none).
    """

    badge: str | None
    label: str
    origin: str
    source_type: str | None = None
    conflict: str | None = None
    credentials: Credentials = NO_CREDENTIALS

    @property
    def verified(self) -> bool:
        """The badge is vouched for: trusted credentials decided it.

        Trusted credentials that state no source type leave the badge to the
        config or the XMP, so they do not make it verified.
        """
        return self.origin == CREDENTIALS and self.credentials.verified

    @property
    def text(self) -> str:
        """The badge line, cleaned for the terminal.

        - no credentials: the label alone ("Camera original", "Unknown source");
        - intact credentials that decided: ``LABEL · signed by NAME ✓`` (trusted)
          or ``LABEL · signed by NAME (unknown signer)``;
        - intact credentials that state no source type: the same, with
          ``source not stated`` ("Retouched · signed by Adobe Lightroom ✓
          (source not stated)");
        - invalid: ``Credentials invalid: WHAT`` first (never the badge's
          support), then who gives the badge: ``· the config says Camera
          original`` / ``· the XMP says AI-generated``;
        - unreadable: the label, then ``· Credentials unreadable: WHAT``.
        """
        credentials = self.credentials
        state = credentials.state
        if state in (TRUSTED, UNKNOWN_SIGNER):
            who = clean(credentials.signed_by) if credentials.signed_by else UNNAMED_SIGNER
            if self.origin == CREDENTIALS:
                mark = " ✓" if state == TRUSTED else " (unknown signer)"
            elif state == TRUSTED:
                mark = " ✓ (source not stated)"
            else:
                mark = " (unknown signer, source not stated)"
            return f"{self.label}{SEPARATOR}signed by {who}{mark}"
        if state == INVALID:
            warning = _headline("Credentials invalid", credentials.problem)
            if self.origin == CONFIG:
                return f"{warning}{SEPARATOR}the config says {self.label}"
            if self.origin == METADATA:
                return f"{warning}{SEPARATOR}the XMP says {self.label}"
            return warning
        if state == UNREADABLE:
            return self.label + SEPARATOR + _headline("Credentials unreadable", credentials.problem)
        return self.label


def _headline(lead: str, problem: str | None) -> str:
    """``Credentials invalid: edited after signing``: the problem's first clause."""
    if not problem:
        return lead
    return f"{lead}: {clean(problem.split(': ', 1)[0].strip())}"


def provenance(photo: Photo) -> Provenance:
    """The photo's provenance: its intact credentials, else config ``source``, else XMP.

    Reads the Content Credentials of the file shown, :attr:`Photo.real_path`:
    for a RAW+JPEG pair that is the JPEG (with a ``NAME.c2pa`` sidecar beside
    it, if any); the RAW's own credentials are not read.  Reads the XMP as
    everywhere else (the pair's sidecars included).  Opens files (never
    decodes pixels) and never raises; call it in a worker thread.
    """
    facts = read_xmp(photo.path, photo.real_path, photo.raw)
    return provenance_from(photo, facts, read_credentials(photo.real_path))


def provenance_from(
    photo: Photo, facts: XmpFacts, credentials: Credentials = NO_CREDENTIALS
) -> Provenance:
    """The photo's provenance from XMP facts and credentials already read.

    See :func:`provenance`; ``check`` reads both itself and calls this.
    """
    code = facts.source_type
    signed = credentials.source_type
    if credentials.intact and signed is not None and signed in PROVENANCE:
        return Provenance(
            badge=PROVENANCE[signed],
            label=code_label(signed),
            origin=CREDENTIALS,
            source_type=code,
            conflict=_credentials_conflict(photo.source, code, credentials),
            credentials=credentials,
        )
    if photo.source is not None:
        return Provenance(
            badge=photo.source,
            label=badge_label(photo.source),
            origin=CONFIG,
            source_type=code,
            conflict=_conflict(photo.source, code),
            credentials=credentials,
        )
    if code is not None and code in PROVENANCE:
        return Provenance(
            badge=PROVENANCE[code],
            label=code_label(code),
            origin=METADATA,
            source_type=code,
            credentials=credentials,
        )
    # No source anywhere, or a code outside the IPTC vocabulary: nothing to go on.
    return Provenance(
        badge=None,
        label=UNKNOWN_SOURCE_LABEL,
        origin=NONE,
        source_type=code,
        credentials=credentials,
    )


def badge_label(badge: str | None) -> str:
    """``"camera"`` -> ``"Camera original"``; the same labels as :attr:`Photo.source_label`."""
    return SOURCE_LABELS.get(badge or "", UNKNOWN_SOURCE_LABEL)


def code_label(code: str) -> str:
    """The label for an IPTC digital source type code (``digitalCapture`` -> "Camera original")."""
    if code in CODE_LABELS:
        return CODE_LABELS[code]
    return badge_label(PROVENANCE.get(code))


def signer_words(credentials: Credentials) -> str:
    """``signed by Adobe Photoshop 26.9, unknown signer`` / ``..., trusted``, cleaned."""
    who = clean(credentials.signed_by) if credentials.signed_by else UNNAMED_SIGNER
    trust = "trusted" if credentials.verified else "unknown signer"
    return f"signed by {who}, {trust}"


def _conflict(source: str, code: str | None) -> str | None:
    """The sentence for a config ``source`` the XMP's code disagrees with, else None.

    A code outside the IPTC vocabulary says nothing we can compare, so it never
    disagrees.
    """
    if code is None or code not in PROVENANCE or PROVENANCE[code] == source:
        return None
    return (
        f'the config says source = "{source}" ({badge_label(source)}), but the photo\'s '
        f"XMP says {clean(code)} ({code_label(code)}); the config's source is used"
    )


def _credentials_conflict(
    source: str | None, code: str | None, credentials: Credentials
) -> str | None:
    """The sentence for a config ``source`` or XMP code that intact credentials overrule.

    ``the config says source = "camera" (Camera original), but the photo's Content
    Credentials (signed by Adobe Photoshop 26.9, unknown signer) say
    compositeWithTrainedAlgorithmicMedia (Composite with AI); the credentials are used``.
    The config and the XMP are both named when both disagree.
    """
    signed = credentials.source_type
    assert signed is not None
    badge = PROVENANCE.get(signed)
    others = []
    if source is not None and source != badge:
        others.append(f'the config says source = "{source}" ({badge_label(source)})')
    if code is not None and code in PROVENANCE and PROVENANCE[code] != badge:
        others.append(f"the photo's XMP says {clean(code)} ({code_label(code)})")
    if not others:
        return None
    whose = "its" if "XMP" in others[-1] else "the photo's"
    return (
        f"{' and '.join(others)}, but {whose} Content Credentials ({signer_words(credentials)}) "
        f"say {clean(signed)} ({code_label(signed)}); the credentials are used"
    )


__all__ = [
    "BADGES",
    "CODE_LABELS",
    "CONFIG",
    "CREDENTIALS",
    "METADATA",
    "NONE",
    "Provenance",
    "badge_label",
    "code_label",
    "provenance",
    "provenance_from",
    "signer_words",
]
