"""Filtering and sorting a gallery under its old import path: the names now live in :mod:`.model`.

The filter words a user types, parsed into a :class:`PhotoFilter`, and the
sorts the grid offers, are :mod:`.model.selection`.
"""

from __future__ import annotations

from .model.selection import SORTS, PhotoFilter, parse_filter, select

__all__ = ["SORTS", "PhotoFilter", "parse_filter", "select"]
