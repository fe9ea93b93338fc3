"""C2PA Content Credentials: finding, reading and verifying a photo's manifest.

- :mod:`.model`: what the credentials say (:class:`Credentials`, the states);
- :mod:`.scan`: whether a file holds a manifest at all, from its structure,
  without importing c2pa (a portfolio's files mostly hold none);
- :mod:`.trust`: the trust list in use (shipped with the package, or the one
  ``portfolio-tui trust update`` installed);
- :mod:`.reading`: :func:`read_credentials`, cached by path, size and mtime.

Nothing here is fetched from the network: remote manifests and OCSP checks are
off, since a studio's machines may be offline.
"""

from .model import (
    INVALID,
    NO_CREDENTIALS,
    NONE,
    STATES,
    TRUSTED,
    UNKNOWN_SIGNER,
    UNREADABLE,
    Action,
    Credentials,
)
from .reading import read_credentials
from .scan import has_manifest
from .trust import TrustList, TrustListError, trust_list

__all__ = [
    "INVALID",
    "NONE",
    "NO_CREDENTIALS",
    "STATES",
    "TRUSTED",
    "UNKNOWN_SIGNER",
    "UNREADABLE",
    "Action",
    "Credentials",
    "TrustList",
    "TrustListError",
    "has_manifest",
    "read_credentials",
    "trust_list",
]
