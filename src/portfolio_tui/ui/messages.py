"""Domain messages that widgets post upwards to the screen that owns the state."""

from __future__ import annotations

from textual.message import Message

from ..portfolio import Comparison, Gallery, Photo


class PhotoHighlighted(Message):
    """The cursor moved to a photo."""

    def __init__(self, photo: Photo, index: int) -> None:
        super().__init__()
        self.photo = photo
        self.index = index


class PhotoChosen(Message):
    """The user asked to open a photo (Enter, e or double click)."""

    def __init__(self, photo: Photo, index: int) -> None:
        super().__init__()
        self.photo = photo
        self.index = index


class GalleryChosen(Message):
    """The user asked to open a gallery."""

    def __init__(self, gallery: Gallery) -> None:
        super().__init__()
        self.gallery = gallery


class ComparisonChosen(Message):
    """The user asked to open a comparison."""

    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison


class FirstScreenReady(Message):
    """Every tile the grid shows is drawn (or has failed): the screen is complete."""
