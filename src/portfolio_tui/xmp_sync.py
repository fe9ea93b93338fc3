"""Ratings, flags and colour labels between XMP and the curation store (old path).

``portfolio-tui xmp import`` and ``xmp export`` live in the :mod:`portfolio_tui.xmp`
package now (:mod:`~portfolio_tui.xmp.culling`, :mod:`~portfolio_tui.xmp.import_plan`,
:mod:`~portfolio_tui.xmp.editing`, :mod:`~portfolio_tui.xmp.export`); this module
re-exports their public names so that ``from portfolio_tui.xmp_sync import X``
keeps working.
"""

from __future__ import annotations

from .xmp.culling import XmpCulling, culling_of_packet, read_culling
from .xmp.editing import SidecarError, update_sidecar
from .xmp.export import (
    Action,
    ExportReport,
    PhotoExport,
    SidecarName,
    display_path,
    export_sidecars,
    sidecar_for,
)
from .xmp.import_plan import Conflict, ImportPlan, PhotoImport, apply_import, plan_import
from .xmp.mappings import DARKTABLE_LABEL_NUMBERS as DARKTABLE_LABELS
from .xmp.mappings import DIGIKAM_COLOR_LABELS, LIGHTROOM_LABELS, PROPERTIES

__all__ = [
    "DARKTABLE_LABELS",
    "DIGIKAM_COLOR_LABELS",
    "LIGHTROOM_LABELS",
    "PROPERTIES",
    "Action",
    "Conflict",
    "ExportReport",
    "ImportPlan",
    "PhotoExport",
    "PhotoImport",
    "SidecarError",
    "SidecarName",
    "XmpCulling",
    "apply_import",
    "culling_of_packet",
    "display_path",
    "export_sidecars",
    "plan_import",
    "read_culling",
    "sidecar_for",
    "update_sidecar",
]
