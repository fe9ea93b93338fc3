"""A photo drawn as large as its widget allows, decoded off the event loop."""

from __future__ import annotations

from functools import partial

from rich.cells import cell_len
from rich.segment import Segment
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from ...portfolio import Photo
from ...text import clean, fit, wrap
from ..rendering import CACHE, Rendered, render_photo


class PhotoView(Widget):
    """Shows one photo fitted and centred in the widget, with a placeholder while it loads."""

    DEFAULT_CSS = """
    PhotoView {
        width: 1fr;
        height: 1fr;
        background: $background;
    }
    PhotoView > .photo-view--message {
        color: $text-muted;
    }
    PhotoView > .photo-view--error {
        color: $text-warning;
    }
    """
    COMPONENT_CLASSES = {"photo-view--message", "photo-view--error"}

    photo: reactive[Photo | None] = reactive(None, layout=False)
    fit_height_px: reactive[int | None] = reactive(None)
    """When set, draw the photo at most this many pixels (half-cells) tall (equal heights)."""

    def __init__(
        self,
        photo: Photo | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._rendered: Rendered | None = None
        self._wanted: tuple[object, ...] | None = None
        self.set_reactive(PhotoView.photo, photo)

    @property
    def rendered(self) -> Rendered | None:
        """The current render (None while loading)."""
        return self._rendered

    @property
    def is_loading(self) -> bool:
        """True while the photo for the current size is still being decoded."""
        return self.photo is not None and self._rendered is None

    def on_mount(self) -> None:
        self._request()

    def on_resize(self) -> None:
        self._request()

    def watch_photo(self) -> None:
        self._request()

    def watch_fit_height_px(self) -> None:
        self._request()

    def _request(self) -> None:
        photo = self.photo
        width, height = self.size
        if not self.is_mounted:
            return
        if photo is None or width <= 0 or height <= 0:
            self._rendered = None
            self._wanted = None
            self.refresh()
            return
        height_px = self.fit_height_px
        wanted = (photo.path, width, height, height_px)
        if wanted == self._wanted and self._rendered is not None:
            return
        self._wanted = wanted
        # Show the last render for this box at once (no file-system call on the UI
        # thread); the worker below confirms it, or redraws if the file changed.
        self._rendered = CACHE.peek(photo.path, width, height, height_px)
        self.refresh()
        self.run_worker(
            partial(self._decode, wanted, photo, width, height, height_px),
            group="photo-view",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    @staticmethod
    def _decode(
        wanted: tuple[object, ...], photo: Photo, width: int, height: int, height_px: int | None
    ) -> tuple[tuple[object, ...], Rendered]:
        return wanted, render_photo(photo.path, width, height, height_px)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "photo-view":
            return
        event.stop()
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            wanted, rendered = event.worker.result
            if wanted == self._wanted and rendered is not self._rendered:
                self._rendered = rendered
                self.refresh()
        elif event.state == WorkerState.ERROR and self._wanted is not None:
            # A bug in decoding must not take the app down: show it as an unreadable photo.
            self._rendered = Rendered(("", 0, 0, 0, 0), error="could not draw this photo")
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.rich_style
        rendered = self._rendered
        if self.photo is None:
            return Strip.blank(width, base)
        if rendered is None or rendered.error:
            if rendered is None:
                lines = ["loading…"]
                style = self.get_component_rich_style("photo-view--message")
            else:
                lines = [f"⚠ {clean(self.photo.name)}", *wrap(rendered.error or "", width - 4)]
                style = self.get_component_rich_style("photo-view--error")
            top = (height - len(lines)) // 2
            index = y - top
            if 0 <= index < len(lines):
                text = fit(lines[index], width)
                pad = max(0, (width - cell_len(text)) // 2)
                return Strip(
                    [
                        Segment(" " * pad, base),
                        Segment(text, base + style),
                        Segment(" " * (width - pad - cell_len(text)), base),
                    ],
                    width,
                )
            return Strip.blank(width, base)
        strips = rendered.strips
        top = max(0, (height - len(strips)) // 2)
        index = y - top
        if 0 <= index < len(strips):
            strip = strips[index]
            left = max(0, (width - rendered.width) // 2)
            return strip.crop_pad(width, left, max(0, width - left - strip.cell_length), base)
        return Strip.blank(width, base)
