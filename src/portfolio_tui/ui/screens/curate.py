"""Old path of the curation-keys mixin, which now lives in :mod:`portfolio_tui.ui.curation_keys`."""

from ..curation_keys import CurationActions, curation_badge

__all__ = ["CurationActions", "curation_badge"]
