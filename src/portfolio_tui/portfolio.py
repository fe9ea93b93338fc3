"""The portfolio model under its old import path: the names now live in :mod:`portfolio_tui.model`.

Galleries, photos and comparisons are declared in :mod:`.model.portfolio_types`,
loaded from folder + config by :mod:`.model.loader` and :mod:`.model.opening`;
which files are photos is :mod:`.model.file_kinds`, path safety :mod:`.model.safe_paths`.
"""

from __future__ import annotations

from .model.file_kinds import (
    FORMATS_SHOWN,
    GALLERY_NOTES_FILE,
    IMAGE_SUFFIXES,
    NOTES_SUFFIX,
    PAIRED_SUFFIXES,
    SIDECAR_SUFFIXES,
    SYSTEM_FILES,
    VIDEO_SUFFIXES,
    is_image_name,
    not_shown_note,
    not_shown_reason,
    pair_raw_files,
)
from .model.loader import TOP_LEVEL_GALLERY_ID, load_portfolio
from .model.opening import CONFIG_NAME, locate, open_portfolio
from .model.portfolio_types import (
    PAIR_BADGE,
    RAW_BADGE,
    SOURCE_LABELS,
    UNKNOWN_SOURCE_LABEL,
    Comparison,
    ComparisonSide,
    FromSource,
    Gallery,
    Photo,
    PhotoFilter,
    PhotoSet,
    Portfolio,
    Tagged,
    TextMatch,
)
from .model.safe_paths import MAX_NOTES_BYTES, inside, normalise_rel, read_notes_file
from .problems import Severity

__all__ = [
    "CONFIG_NAME",
    "FORMATS_SHOWN",
    "GALLERY_NOTES_FILE",
    "IMAGE_SUFFIXES",
    "MAX_NOTES_BYTES",
    "NOTES_SUFFIX",
    "PAIRED_SUFFIXES",
    "PAIR_BADGE",
    "RAW_BADGE",
    "SIDECAR_SUFFIXES",
    "SOURCE_LABELS",
    "SYSTEM_FILES",
    "TOP_LEVEL_GALLERY_ID",
    "UNKNOWN_SOURCE_LABEL",
    "VIDEO_SUFFIXES",
    "Comparison",
    "ComparisonSide",
    "FromSource",
    "Gallery",
    "Photo",
    "PhotoFilter",
    "PhotoSet",
    "Portfolio",
    "Severity",
    "Tagged",
    "TextMatch",
    "inside",
    "is_image_name",
    "load_portfolio",
    "locate",
    "normalise_rel",
    "not_shown_note",
    "not_shown_reason",
    "open_portfolio",
    "pair_raw_files",
    "read_notes_file",
]
