"""A presentation's deck and clock under its old import path: the names live in :mod:`.model`.

The deck (title card, photos, comparison reveals, end card) and the
slideshow's clock are :mod:`.model.presentation`.
"""

from __future__ import annotations

from .model.presentation import (
    INTERVAL_STEPS,
    EndCard,
    PhotoSlide,
    RevealSlide,
    Slide,
    Slideshow,
    TitleCard,
    comparison_deck,
    first_lines,
    gallery_deck,
    index_of,
    photo_count,
    photos_deck,
    portfolio_deck,
    presentable,
    reveal,
    slide_photos,
)

__all__ = [
    "INTERVAL_STEPS",
    "EndCard",
    "PhotoSlide",
    "RevealSlide",
    "Slide",
    "Slideshow",
    "TitleCard",
    "comparison_deck",
    "first_lines",
    "gallery_deck",
    "index_of",
    "photo_count",
    "photos_deck",
    "portfolio_deck",
    "presentable",
    "reveal",
    "slide_photos",
]
