"""Contact sheets: pages of thumbnails with titles, stars and flags, for print or PDF.

The layout is pure (:func:`lay_out` takes decoded thumbnails and returns page
images); :func:`decode_tiles` decodes the photos on a thread pool and
:func:`write_sheet` saves the pages atomically (a temporary file in the
output's folder, renamed into place).  Nothing here writes into a portfolio.

Pages are A4 (210 x 297 mm) or Letter (8.5 x 11 in) at 150 dpi.  Each section
(one per gallery) starts on a new page; every page has the portfolio's title
and photographer at the top and its credits and page number at the bottom.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeAlias

from PIL import Image, ImageDraw, ImageFont

from .files import write_atomically
from .text import clean

DPI = 150
PAPERS: dict[str, tuple[float, float]] = {
    "a4": (210 / 25.4, 297 / 25.4),
    "letter": (8.5, 11.0),
}
"""Paper sizes in inches (portrait)."""
MIN_COLUMNS, MAX_COLUMNS = 1, 10
FORMATS = {".pdf": "PDF", ".png": "PNG"}

MARGIN = 60  # px at 150 dpi: 0.4 in
GAP = 18
THUMB_RATIO = 5 / 4  # headshots are mostly portrait 4:5
TITLE_SIZE, SUBTITLE_SIZE, SECTION_SIZE = 30, 18, 22
CAPTION_SIZE, FOOTER_SIZE = 15, 13
INK = (20, 20, 20)
MUTED = (110, 110, 110)
RULE = (200, 200, 200)
PLACEHOLDER = (190, 190, 190)
STAR_ON, STAR_OFF = (230, 160, 0), (205, 205, 205)
FLAG_COLOURS = {"pick": (30, 140, 60), "reject": (190, 40, 40)}
UNREADABLE = "unreadable"

Font: TypeAlias = ImageFont.FreeTypeFont | ImageFont.ImageFont


def page_size(paper: str) -> tuple[int, int]:
    """Page width and height in pixels at :data:`DPI`."""
    width, height = PAPERS[paper]
    return round(width * DPI), round(height * DPI)


@functools.lru_cache(maxsize=16)
def font(size: int) -> Font:
    """Pillow's built-in font (scalable since Pillow 10.1, where FreeType is present)."""
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Tile:
    """One photo on the sheet: its thumbnail (None when it could not be decoded)."""

    title: str
    image: Image.Image | None
    rating: int = 0
    flag: str | None = None


@dataclass(frozen=True)
class Section:
    """A run of tiles under one heading (a gallery)."""

    title: str
    tiles: Sequence[Tile]


@dataclass(frozen=True)
class SheetText:
    """What the header and footer say."""

    title: str
    photographer: str | None = None
    credits: Sequence[str] = ()


@dataclass(frozen=True)
class Page:
    """The tiles one page holds (before drawing)."""

    section: str
    tiles: Sequence[Tile]
    continued: bool = False


@dataclass(frozen=True)
class Layout:
    """Where things go on a page, in pixels."""

    paper: str
    columns: int
    rows: int
    page: tuple[int, int]
    header: int
    footer: int
    tile: tuple[int, int]
    thumb: tuple[int, int]
    credit_lines: tuple[str, ...] = field(default=())

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


def _line_height(size: int) -> int:
    return round(size * 1.35)


def _fit(text: str, width: int, face: Font) -> str:
    """``text`` cut with "..." to fit ``width`` pixels."""
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _wrap(text: str, width: int, face: Font) -> list[str]:
    """Words of ``text`` in lines of at most ``width`` pixels."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and face.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return [_fit(each, width, face) for each in lines]


def layout(paper: str, columns: int, text: SheetText) -> Layout:
    """The grid for ``columns`` on ``paper``, with room for ``text``'s header and footer."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; choose one of: {', '.join(PAPERS)}")
    if not MIN_COLUMNS <= columns <= MAX_COLUMNS:
        raise ValueError(f"columns must be {MIN_COLUMNS} to {MAX_COLUMNS}")
    width, height = page_size(paper)
    content_w = width - 2 * MARGIN
    header = _line_height(TITLE_SIZE) + _line_height(SUBTITLE_SIZE) + GAP
    header += _line_height(SECTION_SIZE) + GAP // 2
    credits = tuple(
        line
        for credit in text.credits
        for line in _wrap(clean(credit), content_w, font(FOOTER_SIZE))
    )[:6]
    footer = GAP + (len(credits) + 1) * _line_height(FOOTER_SIZE)
    tile_w = (content_w - (columns - 1) * GAP) // columns
    caption = _line_height(CAPTION_SIZE) * 2 + 6
    thumb = (tile_w, max(1, round(tile_w * THUMB_RATIO)))
    tile_h = thumb[1] + caption
    content_h = height - 2 * MARGIN - header - footer
    rows = max(1, (content_h + GAP) // (tile_h + GAP))
    # With few columns the tiles are big: shrink them so at least one row fits.
    if tile_h > content_h:
        thumb = (thumb[0], max(1, content_h - caption))
        tile_h = content_h
    return Layout(
        paper=paper,
        columns=columns,
        rows=rows,
        page=(width, height),
        header=header,
        footer=footer,
        tile=(tile_w, tile_h),
        thumb=thumb,
        credit_lines=credits,
    )


def paginate(sections: Sequence[Section], per_page: int) -> list[Page]:
    """Split each section into pages of ``per_page`` tiles; a section starts a new page."""
    pages: list[Page] = []
    for section in sections:
        tiles = list(section.tiles)
        for start in range(0, len(tiles), per_page):
            pages.append(Page(section.title, tiles[start : start + per_page], start > 0))
    return pages


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: tuple[int, ...]) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.45
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=fill)


def _draw_tile(
    page: Image.Image, draw: ImageDraw.ImageDraw, tile: Tile, x: int, y: int, lay: Layout
) -> None:
    box_w, box_h = lay.thumb
    if tile.image is None:
        draw.rectangle((x, y, x + box_w - 1, y + box_h - 1), fill=PLACEHOLDER)
        face = font(CAPTION_SIZE + 3)
        width = face.getlength(UNREADABLE)
        draw.text((x + (box_w - width) / 2, y + box_h / 2 - 10), UNREADABLE, fill=INK, font=face)
    else:
        image = tile.image
        if image.width > box_w or image.height > box_h:
            image = image.copy()
            image.thumbnail((box_w, box_h), Image.Resampling.LANCZOS)
        page.paste(image, (x + (box_w - image.width) // 2, y + (box_h - image.height) // 2))
    face = font(CAPTION_SIZE)
    line = _line_height(CAPTION_SIZE)
    top = y + box_h + 4
    draw.text((x, top), _fit(clean(tile.title), box_w, face), fill=INK, font=face)
    top += line
    if tile.rating > 0:
        r = CAPTION_SIZE * 0.5
        for i in range(5):
            colour = STAR_ON if i < tile.rating else STAR_OFF
            _star(draw, x + r + i * (2 * r + 3), top + line / 2, r, colour)
    if tile.flag in FLAG_COLOURS:
        label = tile.flag.upper()
        width = face.getlength(label)
        draw.text((x + box_w - width, top), label, fill=FLAG_COLOURS[tile.flag], font=face)


def draw_page(page: Page, number: int, total: int, text: SheetText, lay: Layout) -> Image.Image:
    """One page image: header, section heading, the grid of tiles, footer."""
    width, height = lay.page
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    content_w = width - 2 * MARGIN
    y = MARGIN
    big = font(TITLE_SIZE)
    draw.text((MARGIN, y), _fit(clean(text.title), content_w, big), fill=INK, font=big)
    y += _line_height(TITLE_SIZE)
    if text.photographer:
        who = _fit(f"Photographs by {clean(text.photographer)}", content_w, font(SUBTITLE_SIZE))
        draw.text((MARGIN, y), who, fill=MUTED, font=font(SUBTITLE_SIZE))
    y += _line_height(SUBTITLE_SIZE) + GAP // 2
    draw.line((MARGIN, y, width - MARGIN, y), fill=RULE, width=2)
    y += GAP // 2
    heading = clean(page.section) + (" (continued)" if page.continued else "")
    face = font(SECTION_SIZE)
    draw.text((MARGIN, y), _fit(heading, content_w, face), fill=INK, font=face)
    top = MARGIN + lay.header
    for index, tile in enumerate(page.tiles):
        row, column = divmod(index, lay.columns)
        x = MARGIN + column * (lay.tile[0] + GAP)
        _draw_tile(image, draw, tile, x, top + row * (lay.tile[1] + GAP), lay)
    y = height - MARGIN - lay.footer + GAP // 2
    draw.line((MARGIN, y, width - MARGIN, y), fill=RULE, width=1)
    y += GAP // 2
    small = font(FOOTER_SIZE)
    for line in lay.credit_lines:
        draw.text((MARGIN, y), line, fill=MUTED, font=small)
        y += _line_height(FOOTER_SIZE)
    label = f"Page {number} of {total}"
    draw.text((width - MARGIN - small.getlength(label), y), label, fill=MUTED, font=small)
    return image


def lay_out(
    sections: Sequence[Section], text: SheetText, *, paper: str = "a4", columns: int = 4
) -> list[Image.Image]:
    """The sheet's pages as images (no I/O).  At least one page, even with no tiles."""
    lay = layout(paper, columns, text)
    pages = paginate(sections, lay.per_page) or [Page("No photos", ())]
    return [draw_page(page, n, len(pages), text, lay) for n, page in enumerate(pages, 1)]


def thumb_box(paper: str, columns: int, text: SheetText) -> tuple[int, int]:
    """The pixel box thumbnails are decoded to for this layout."""
    return layout(paper, columns, text).thumb


def decode_tiles(
    paths: Sequence[Path],
    box: tuple[int, int],
    *,
    jobs: int | None = None,
    progress: Callable[[Path], None] | None = None,
) -> dict[Path, Image.Image | str]:
    """Each path decoded to fit ``box``, or the reason it could not be (on a thread pool)."""
    from .imaging.decode import ImageError, load_fitted

    def one(path: Path) -> Image.Image | str:
        try:
            return load_fitted(path, box, upscale=False)
        except ImageError as exc:
            return exc.reason
        except Exception as exc:  # a decoder bug must not lose the whole sheet
            return f"cannot decode ({type(exc).__name__})"

    unique = list(dict.fromkeys(paths))
    workers = jobs or min(8, os.cpu_count() or 1)
    results: dict[Path, Image.Image | str] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for path, result in zip(unique, pool.map(one, unique), strict=True):
            results[path] = result
            if progress is not None:
                progress(path)
    return results


def page_paths(output: Path, count: int) -> list[Path]:
    """Where ``count`` pages go: one PDF, or ``FILE.png``, ``FILE-2.png`` ..."""
    if output.suffix.lower() == ".pdf":
        return [output]
    more = [output.with_name(f"{output.stem}-{n}{output.suffix}") for n in range(2, count + 1)]
    return [output, *more]


def _write_page(target: Path, save: Callable[[BinaryIO], None]) -> None:
    """Save a page (or the whole PDF) atomically: temp file, fsync, rename, fsync the folder."""
    # Read and write for its owner only, whatever the file it replaces had, and a link or
    # special file at the output is replaced rather than refused: all as it was when each
    # sheet was saved to a mkstemp file and renamed.
    write_atomically(target, save, mode=0o600, keep_mode=False, regular_only=False)


def _save_png(page: Image.Image, out: BinaryIO) -> None:
    # The tiles were converted to sRGB when decoded (imaging.colour): the page says so, so
    # a colour-managed viewer or printer reads it right.
    from .imaging.colour import srgb_icc

    page.save(out, "PNG", dpi=(DPI, DPI), icc_profile=srgb_icc())


def write_sheet(pages: Sequence[Image.Image], output: Path) -> list[Path]:
    """Save ``pages`` as one PDF or one PNG per page, each atomically; the paths written."""
    kind = FORMATS.get(output.suffix.lower())
    if kind is None:
        raise ValueError(f"{output}: the output must end in .pdf or .png")
    targets = page_paths(output, len(pages))
    if kind == "PDF":
        first, rest = pages[0], list(pages[1:])
        _write_page(
            output,
            lambda out: first.save(
                out, "PDF", resolution=float(DPI), save_all=True, append_images=rest
            ),
        )
    else:
        for page, target in zip(pages, targets, strict=True):
            _write_page(target, functools.partial(_save_png, page))
    return targets
