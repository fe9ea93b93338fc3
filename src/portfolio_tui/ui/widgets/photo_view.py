"""A photo drawn as large as its widget allows, decoded off the event loop.

In half-block mode the photo is a block of coloured cells. With Kitty graphics
the cells hold placeholders for an image the terminal was sent once; with
Sixel, or Kitty direct placement (no placeholders), the cells are blank and the
image is written after them (see :meth:`PhotoView.render_lines`). See
``ui/pictures.py``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from functools import partial
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.dom import NoScreen
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from ...imaging.viewport import Viewport
from ...portfolio import Photo
from ...text import clean, fit, wrap
from ..decoding import DECODER
from ..frame_watch import FrameWatch
from ..pictures import (
    PICTURES,
    ZERO_WIDTH,
    Picture,
    PictureSettings,
    TerminalImages,
    next_placement_id,
    pixel_fit,
    render_picture,
    sixel_segments,
)
from ..rendering import CACHE, Rendered, colors_for, render_photo
from ..zoom import ViewRequest, render_view

Shown = Rendered | Picture

RAPID = 0.03
"""A photo asked for within this many seconds of the last waits as long before decoding."""


class Decoded(Message):
    """A decode this view asked for has finished (posted from the decoding thread)."""

    def __init__(
        self, wanted: tuple[object, ...], result: Any, error: BaseException | None
    ) -> None:
        super().__init__()
        self.wanted = wanted
        self.result = result
        self.error = error


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
    viewport: reactive[Viewport] = reactive(Viewport())
    """Fit, or a zoom and centre (comparisons link one viewport across views)."""
    second: reactive[Photo | None] = reactive(None)
    """Split view: the photo shown right of the divider."""
    divider: reactive[float | None] = reactive(None)
    """Split view: the divider's place, as a fraction of the picture's width."""
    label: reactive[Content | None] = reactive(None, layout=False)
    """A line drawn just under the picture (the picture and it centred together)."""

    def __init__(
        self,
        photo: Photo | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        graphics: bool = True,
        wait_for_fit: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._allow_graphics = graphics
        # A comparison sets the common height first: drawing before it would be wasted.
        self._wait_for_fit = wait_for_fit
        self._rendered: Shown | None = None
        # (picture, screen position, terminal size) of the Sixel image the terminal shows.
        self._sixel_drawn: tuple[object, ...] | None = None
        # Kitty direct placement: this widget's placement id, and the picture the
        # terminal shows there with its (image id, screen position, terminal size).
        self._placement_id = next_placement_id()
        self._placed: tuple[Picture, tuple[object, ...]] | None = None
        self._wanted: tuple[object, ...] | None = None
        self._last_request = 0.0
        self._deferred: Timer | None = None
        self.set_reactive(PhotoView.photo, photo)

    @property
    def rendered(self) -> Shown | None:
        """The current render (None while loading)."""
        return self._rendered

    @property
    def picture_settings(self) -> PictureSettings:
        """How this widget draws: the app's graphics settings, or half-blocks."""
        settings = getattr(self.app, "pictures", None)
        if self._allow_graphics and isinstance(settings, PictureSettings):
            return settings
        return PictureSettings()

    def _terminal_images(self) -> TerminalImages | None:
        images = getattr(self.app, "terminal_images", None)
        return images if isinstance(images, TerminalImages) else None

    def _show(self, rendered: Shown | None) -> None:
        """Make ``rendered`` current: the terminal gets a Kitty image before its placeholders."""
        previous = self._rendered
        self._rendered = rendered
        if self._placed is not None and self._placed[0] is not rendered:
            self._unplace()
        images = self._terminal_images()
        if images is not None:
            if isinstance(rendered, Picture) and rendered.error is None:
                images.show(self, rendered)
            if isinstance(previous, Picture) and previous is not rendered:
                images.release(self, previous)
        self.refresh()

    def _unplace(self) -> None:
        """Take this widget's directly placed Kitty image off the screen, if it has one."""
        placed, self._placed = self._placed, None
        images = self._terminal_images()
        if placed is not None and images is not None:
            images.unplace(placed[0], self._placement_id)

    def on_hide(self) -> None:
        # A placed Kitty image stays above the text until taken off.
        self._unplace()

    def on_unmount(self) -> None:
        self._unplace()
        images = self._terminal_images()
        if images is not None and isinstance(self._rendered, Picture):
            images.release(self, self._rendered)

    @property
    def is_loading(self) -> bool:
        """True while the photo for the current size is still being decoded."""
        return self.photo is not None and self._rendered is None

    def on_mount(self) -> None:
        # Any other screen, or the app suspended, draws over a Sixel image.
        self.app.screen_change_signal.subscribe(self, self.forget_sixel)
        self.app.app_suspend_signal.subscribe(self, self.forget_sixel)
        self.app.app_resume_signal.subscribe(self, self.forget_sixel)
        self._request()

    def on_resize(self) -> None:
        self._request()

    def watch_photo(self) -> None:
        self._request()

    def watch_viewport(self) -> None:
        self._request()

    def watch_second(self) -> None:
        self._request()

    def watch_divider(self) -> None:
        self._request()

    @property
    def pixel_box(self) -> tuple[int, int]:
        """The widget's area in the pixels its photo is drawn in."""
        width, height = self.size
        settings = self.picture_settings
        if settings.graphics:
            return pixel_fit(width, height, settings.cell_size, max_pixels=settings.max_pixels)
        return width, height * 2

    def watch_fit_height_px(self, height_px: int | None) -> None:
        if height_px is not None:
            self._wait_for_fit = False
        self._request()

    def stop_waiting_for_fit(self) -> None:
        """Draw at the widget's own size: no common height is coming."""
        if self._wait_for_fit:
            self._wait_for_fit = False
            self._request()

    @property
    def _label_rows(self) -> int:
        return 1 if self.label is not None else 0

    def watch_label(self, before: Content | None, after: Content | None) -> None:
        if (before is None) != (after is None):
            self._request()  # a row more or less for the picture
        self.refresh()

    def _request(self) -> None:
        photo = self.photo
        width, height = self.size
        height -= self._label_rows
        if not self.is_mounted or self._wait_for_fit:
            return
        if photo is None or width <= 0 or height <= 0:
            self._wanted = None
            self._show(None)
            return
        height_px = self.fit_height_px
        settings = self.picture_settings
        colors = colors_for(self.app)
        second = self.second
        request = ViewRequest(
            photo.real_path,
            self.viewport,
            second.real_path if second is not None and self.divider is not None else None,
            self.divider if second is not None else None,
        )
        wanted = (photo.real_path, width, height, height_px, settings, colors, request)
        if wanted == self._wanted and self._rendered is not None:
            return
        self._wanted = wanted
        if request.is_plain_fit:
            # Show the last render for this box at once (no file-system call on the UI
            # thread); the worker below confirms it, or redraws if the file changed.
            if settings.graphics:
                self._show(PICTURES.peek(photo.real_path, width, height, height_px, settings))
            else:
                self._show(CACHE.peek(photo.real_path, width, height, height_px, colors=colors))
        # A zoom, pan or split keeps showing the last view until the new one is drawn.
        # The shared decoder runs it (this view's earlier request, if it has not
        # started, is dropped: a held arrow key queues nothing).
        work = partial(
            self._decode, wanted, photo, width, height, height_px, settings, colors, request
        )
        DECODER.retain(self, [wanted])
        now = time.monotonic()
        rapid = now - self._last_request < RAPID
        self._last_request = now
        if self._deferred is not None:
            self._deferred.stop()
            self._deferred = None
        if rapid and self._rendered is None:
            # Photos flying past (a key held down): decode only where they stop.
            # Decoding each one passed would keep both cores busy and hold up the
            # keys themselves (the decoding threads and the screen share one lock).
            self._deferred = self.set_timer(RAPID, partial(self._submit, wanted, work))
        else:
            self._submit(wanted, work)

    def _submit(self, wanted: tuple[object, ...], work: Callable[[], Any]) -> None:
        self._deferred = None
        if wanted != self._wanted:
            return
        future = DECODER.submit(wanted, work, priority=0, owner=self)
        future.add_done_callback(partial(self._decoded, wanted))

    @property
    def busy(self) -> bool:
        """A decode is waiting for the keys to pause (tests wait for it)."""
        return self._deferred is not None

    def look_ahead(self, photos: Sequence[Photo], owner: object) -> list[Photo]:
        """Decode ``photos`` for this view's size and mode ahead of time, most urgent first.

        ``owner`` (the screen) asks again on every move; what it no longer lists
        and has not started is dropped. Photos already drawn are skipped. The
        photos submitted.
        """
        width, height = self.size
        height -= self._label_rows
        if not self.is_mounted or width <= 0 or height <= 0 or self.viewport != Viewport():
            DECODER.retain(owner, [])
            return []
        height_px = self.fit_height_px
        settings = self.picture_settings
        colors = colors_for(self.app)
        jobs = []
        for photo in photos:
            drawn: Shown | None
            if settings.graphics:
                drawn = PICTURES.peek(photo.real_path, width, height, height_px, settings)
            else:
                drawn = CACHE.peek(photo.real_path, width, height, height_px, colors=colors)
            if drawn is not None:
                continue
            request = ViewRequest(photo.real_path, Viewport(), None, None)
            wanted = (photo.real_path, width, height, height_px, settings, colors, request)
            work = partial(
                self._decode, wanted, photo, width, height, height_px, settings, colors, request
            )
            jobs.append((photo, wanted, work))
        DECODER.retain(owner, [wanted for _, wanted, _ in jobs])
        for priority, (_, wanted, work) in enumerate(jobs, start=1):
            DECODER.submit(wanted, work, priority=priority, owner=owner)
        return [photo for photo, _, _ in jobs]

    def _decoded(self, wanted: tuple[object, ...], future: Future[Any]) -> None:
        """In the decoding thread: hand the result to the view's own message queue."""
        if future.cancelled():
            return
        error = future.exception()
        # The view may have gone meanwhile (NoActiveAppError and the like).
        with contextlib.suppress(Exception):
            self.post_message(Decoded(wanted, None if error else future.result(), error))

    def on_decoded(self, message: Decoded) -> None:
        message.stop()
        if message.wanted != self._wanted:
            return  # asked for something else since
        if message.error is not None:
            # A bug in decoding must not take the app down: show it as an unreadable photo.
            self._show(Rendered(("", 0, 0, 0, 0), error="could not draw this photo"))
            return
        _, rendered = message.result
        if rendered is not self._rendered:
            self._show(rendered)

    @staticmethod
    def _decode(
        wanted: tuple[object, ...],
        photo: Photo,
        width: int,
        height: int,
        height_px: int | None,
        settings: PictureSettings,
        colors: str,
        request: ViewRequest,
    ) -> tuple[tuple[object, ...], Shown]:
        if not request.is_plain_fit:
            return wanted, render_view(request, width, height, settings, colors)
        if settings.graphics:
            return wanted, render_picture(photo.real_path, width, height, height_px, settings)
        return wanted, render_photo(photo.real_path, width, height, height_px, colors)

    def _image_box(self) -> Region | None:
        """Where the picture's cells are, in widget coordinates (None if not drawn)."""
        rendered = self._rendered
        if self.photo is None or rendered is None or rendered.error:
            return None
        width, height = self.size
        rows = rendered.rows if isinstance(rendered, Picture) else len(rendered.strips)
        left = max(0, (width - rendered.width) // 2)
        top = max(0, (height - rows - self._label_rows) // 2)
        return Region(left, top, min(rendered.width, width), min(rows, height))

    def forget_sixel(self, _: object = None) -> None:
        """Something else has been drawn over the screen: the next paint sends the image.

        A directly placed Kitty image would stay above the other screen, so it
        is taken off now and placed again when this screen is painted.
        """
        self._sixel_drawn = None
        if self._placed is not None:
            self._unplace()
        rendered = self._rendered
        if isinstance(rendered, Picture) and rendered.direct:
            # The signal may come after this screen's last paint, and that paint may
            # have placed nothing (the screen was not active yet, as when the app
            # opens straight into the loupe): paint again. A screen that is not
            # active places nothing, so this costs one repaint.
            self.refresh()

    def _screen_is_active(self) -> bool:
        """Whether this widget's screen is the one shown (an image goes out only then)."""
        try:
            return self.screen.is_active
        except NoScreen:
            return False

    def _place_kitty(self, crop: Region, lines: list[Strip], picture: Picture) -> list[Strip]:
        """Place a stored Kitty image at its cells when this screen is painted.

        Text written over a placed image does not hide it, so it is placed once
        per picture, place and terminal size, not on every repaint; the placement
        goes straight to the terminal (``TerminalImages.place`` says why).
        """
        box = self._image_box()
        images = self._terminal_images()
        if box is None or images is None or not self._screen_is_active():
            self._unplace()
            return lines
        if not crop.overlaps(box):
            return lines
        origin = self.content_region.offset + box.offset
        state = (picture.image_id, origin, self.app.size)
        if self._placed is not None and self._placed[0] is picture and self._placed[1] == state:
            return lines
        images.place(picture, self._placement_id, origin.x, origin.y)
        self._placed = (picture, state)
        return lines

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = super().render_lines(crop)
        rendered = self._rendered
        if isinstance(rendered, Picture) and rendered.direct and lines:
            return self._place_kitty(crop, lines, rendered)
        if not (isinstance(rendered, Picture) and rendered.mode == "sixel" and lines):
            return lines
        box = self._image_box()
        if box is None or not self._screen_is_active():
            self._sixel_drawn = None
            return lines
        if not crop.overlaps(box):
            return lines
        origin = self.content_region.offset + box.offset
        state = (rendered.key, origin, self.app.size)
        if state == self._sixel_drawn and crop.contains_region(self.size.region):
            # A full repaint while the terminal still shows this image here (Textual
            # repaints the whole screen twice after a screen closes, for one): step
            # the cursor over its cells instead of blanking them and sending it again.
            skip = Segment(f"\x1b[{box.width}C", None, ZERO_WIDTH)
            for y in range(max(box.y, crop.y), min(box.bottom, crop.bottom)):
                line = lines[y - crop.y]
                lines[y - crop.y] = Strip(
                    [*line.crop(0, box.x), skip, *line.crop(box.right, line.cell_length)],
                    line.cell_length,
                )
            return lines
        # Textual writes lines top to bottom, so the image goes after the cell
        # right of its bottom row: the blank cells under it are already written.
        # It is drawn whole: the cells it covers are this widget's alone.
        extra = sixel_segments(rendered.payload, origin.x, origin.y, self.picture_settings)
        row, x = min(box.bottom, crop.bottom) - 1 - crop.y, box.right - crop.x
        if x >= crop.width and row + 1 < len(lines):
            row, x = row + 1, 0  # at the line's end it could be cut off: start the next one
        lines[row] = _with_sequence(lines[row], x, extra)
        # Rendered is not written: the image counts as shown once a frame carries it to
        # the terminal (see ui.frame_watch). If none has by the time the screen is idle,
        # this view paints itself again, whole.
        frames = self._frame_watch()
        if frames is None or not frames.watching:
            self._sixel_drawn = state  # no terminal (under test): the frame is all there is
        else:
            marker = frames.expect(extra[0].text, partial(self._sixel_written, state))
            self.call_after_refresh(self._unless_sixel_written, frames, marker)
        return lines

    def _frame_watch(self) -> FrameWatch | None:
        frames = getattr(self.app, "frames", None)
        return frames if isinstance(frames, FrameWatch) else None

    def _sixel_written(self, state: tuple[object, ...]) -> None:
        """A frame carried the image of ``state`` to the terminal."""
        self._sixel_drawn = state

    def _unless_sixel_written(self, frames: FrameWatch, marker: str) -> None:
        """The screen is idle: if no frame carried the image, paint this view again."""
        if frames.forget(marker):
            self.refresh()

    def _label_line(self, width: int, base: Style) -> Strip:
        """The label, centred (cut to the width)."""
        assert self.label is not None
        text = self.label.truncate(width, ellipsis=True)
        pad = max(0, (width - text.cell_length) // 2)
        segments = list(text.render_segments(self.visual_style))
        rest = max(0, width - pad - text.cell_length)
        return Strip([Segment(" " * pad, base), *segments, Segment(" " * rest, base)]).crop(
            0, width
        )

    def get_line_filters(self) -> Sequence[LineFilter]:
        """The app's line filters, less the ANSI-to-truecolor one: photos are drawn in RGB.

        That filter looks up every segment's style in a 1,024-entry cache; a
        photo has about as many styles as cells (10,000 at 200x50), so every
        lookup missed and the filter cost some 60 ms a frame for nothing.
        """
        return [f for f in super().get_line_filters() if not isinstance(f, ANSIToTruecolor)]

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
        rows = rendered.rows if isinstance(rendered, Picture) else len(rendered.strips)
        top = max(0, (height - rows - self._label_rows) // 2)
        if self.label is not None and y == top + rows:
            return self._label_line(width, base)
        if isinstance(rendered, Picture) and (rendered.mode == "sixel" or rendered.direct):
            return Strip.blank(width, base)
        strips = rendered.strips
        index = y - top
        if 0 <= index < len(strips):
            strip = strips[index]
            left = max(0, (width - rendered.width) // 2)
            return strip.crop_pad(width, left, max(0, width - left - strip.cell_length), base)
        return Strip.blank(width, base)


def _with_sequence(line: Strip, x: int, sequence: list[Segment]) -> Strip:
    """``line`` with ``sequence`` (zero-width escape segments) written before its cell ``x``.

    Textual's compositor cuts each screen line at every widget's edge (Rich's
    ``Segment.divide``) and drops whatever follows the last cut: a sequence after
    a line's last cell was lost whenever a toast or any other widget crossed that
    line (a blank photo in kitty 0.26 and xterm). Inside the line it goes out with
    the cell it stands before.
    """
    x = max(0, min(x, line.cell_length))
    before, after = line.crop(0, x), line.crop(x, line.cell_length)
    return Strip([*before, *sequence, *after], line.cell_length)
