"""What a photo's C2PA Content Credentials say, once read and verified.

Plain data, no I/O: :mod:`portfolio_tui.credentials.reading` fills it from the
manifest store (c2pa-python, the reference c2pa-rs underneath), and
:mod:`portfolio_tui.provenance` turns it into the badge. Every string in it
came from the file: show it through ``text.clean``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

TRUSTED: Final = "trusted"
"""The manifest is intact and its signer chains to the trust list in use."""
UNKNOWN_SIGNER: Final = "unknown signer"
"""The manifest is intact, but its signer is not on the trust list (a test or private
certificate, or a vendor the list does not have yet): who signed it is not vouched for."""
INVALID: Final = "invalid"
"""The manifest does not match the file (edited after signing, pixels replaced) or
its signature does not verify: what it says cannot be relied on."""
NONE: Final = "none"
"""No manifest, embedded or in a ``.c2pa`` sidecar."""
UNREADABLE: Final = "unreadable"
"""A manifest is there but cannot be read (malformed, or a format the reader lacks)."""

STATES: Final = (TRUSTED, UNKNOWN_SIGNER, INVALID, NONE, UNREADABLE)


@dataclass(frozen=True)
class Action:
    """One entry of the manifest's ``c2pa.actions``: ``c2pa.created``, ``c2pa.edited``..."""

    action: str
    source_type: str | None = None
    """The IPTC digital source type code it names (``trainedAlgorithmicMedia``), if any."""
    software: str | None = None
    """The software agent that did it, where stated."""


@dataclass(frozen=True)
class Credentials:
    """A photo's Content Credentials: their state and what the active manifest says."""

    state: str
    """One of :data:`STATES`."""
    signer: str | None = None
    """Who signed: the signing certificate's organisation or common name ("Adobe Inc.")."""
    generator: str | None = None
    """The claim generator: the app or camera that made the claim ("Adobe Photoshop 26.9")."""
    device: str | None = None
    """The capture device where the manifest states one ("Leica M11-P")."""
    signed_at: str | None = None
    """When it was signed (ISO 8601, from the time-stamp or the signature), if stated."""
    actions: tuple[Action, ...] = ()
    ingredient_source_types: tuple[str, ...] = ()
    """The digital source type of each ingredient that states one."""
    source_type: str | None = None
    """The IPTC digital source type code the credentials give the image as a whole:
    the created/opened action's, made ``compositeWithTrainedAlgorithmicMedia`` when
    AI-generated parts were placed into a capture (see ``reading``)."""
    problem: str | None = None
    """For :data:`INVALID` and :data:`UNREADABLE`: what is wrong, in plain words
    ("edited after signing: the image data no longer matches its hash")."""
    codes: tuple[str, ...] = ()
    """The validation failure codes (``assertion.dataHash.mismatch``), for the info panel."""
    sidecar: bool = False
    """The manifest came from a ``NAME.c2pa`` sidecar, not from the file itself."""

    @property
    def verified(self) -> bool:
        """Intact and signed by a signer on the trust list."""
        return self.state == TRUSTED

    @property
    def intact(self) -> bool:
        """Intact (trusted or not): what it says is what was signed."""
        return self.state in (TRUSTED, UNKNOWN_SIGNER)

    @property
    def signed_by(self) -> str | None:
        """The name to show after "signed by": the camera or app, else the signer."""
        return self.device or self.generator or self.signer


NO_CREDENTIALS: Final = Credentials(NONE)
