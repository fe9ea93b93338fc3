#!/usr/bin/env python3
"""Regenerate the demo portfolio in ``portfolio/`` from ``scripts/demo-sources/``.

Run from anywhere (Python 3.10+, Pillow only)::

    .venv/bin/python scripts/make_demo.py

The only inputs are two public-domain portraits and the notes kept beside
them in ``scripts/demo-sources/`` (see CREDITS.md there):

* ``grace_hopper.jpg`` - Rear Admiral Grace M. Hopper, official U.S. Navy portrait.
* ``astronaut.png``    - NASA astronaut Eileen Collins, official NASA portrait.

Everything in ``portfolio/`` is derived from those two files by crops, colour
grades and image filters, so the demo ships no third-party photography and
has real faces to look at.  Every derived image says what was done to it in
its caption or notes (config.toml and the ``.md`` sidecars); the "AI look"
images are imitations made with ordinary filters, not output of any AI model.

Every photo also carries XMP, as real files do, so the app's provenance
badges come from the files themselves: ``Iptc4xmpExt:DigitalSourceType``
(the IPTC code for a camera original, a retouched photo, AI output or a
composite with AI; see :data:`DEMO_SOURCES`) and a ``dc:description`` that
says what the file really is (the "AI" files say they were made with
filters).  JPEGs carry it in their APP1 segment, the PNG in an ``iTXt``
chunk; ``takes/take-2.jpg`` also gets a darktable-style sidecar
(``take-2.jpg.xmp``) with a rating and a colour label.  Adding XMP changes no
pixel: the JPEG scan data is what Pillow writes without it, and the PNG keeps
its original chunks byte for byte.

The output is deterministic: the same sources and Pillow build give
byte-identical files (no timestamps are written, and the "noise" comes from
a seeded ``random.Random``), so regenerating produces no spurious git diff.
The camera EXIF written into some studio photos is illustrative sample data
for the app's info panel; the original portraits carry no such metadata.
"""

from __future__ import annotations

import random
import shutil
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps
from PIL.TiffImagePlugin import IFDRational

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "demo-sources"
NOTES = SOURCES / "notes"  # hand-written Markdown sidecars, copied verbatim
OUT = HERE.parent / "portfolio"

JPEG_QUALITY = 88  # visually clean, and keeps the whole demo well under 5 MB
MAX_SIDE = 1000  # nothing in the demo should be bigger than this
MAX_TOTAL_BYTES = 5 * 1024 * 1024

# -- EXIF tag numbers (kept explicit so the script reads like the spec) --------
EXIF_IFD = 0x8769
IMAGE_DESCRIPTION, MAKE, MODEL, ORIENTATION = 0x010E, 0x010F, 0x0110, 0x0112
SOFTWARE, ARTIST, COPYRIGHT = 0x0131, 0x013B, 0x8298
EXPOSURE_TIME, F_NUMBER, ISO = 0x829A, 0x829D, 0x8827
DATETIME_ORIGINAL, FOCAL_LENGTH, FOCAL_35MM = 0x9003, 0x920A, 0xA405
LENS_MAKE, LENS_MODEL = 0xA433, 0xA434

HOPPER_CREDIT = "U.S. Navy (official portrait of Grace M. Hopper, public domain)"
COLLINS_CREDIT = "NASA (official portrait of Eileen Collins, public domain)"

Box = tuple[int, int, int, int]

# -- provenance: what each demo photo's XMP says it is ---------------------------
# IPTC NewsCodes "digital source type" (http://cv.iptc.org/newscodes/digitalsourcetype/).
DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/"
CAPTURE = "digitalCapture"  # badge: camera original
EDITED = "humanEdits"  # badge: retouched
GENERATED = "trainedAlgorithmicMedia"  # badge: AI-generated
AI_COMPOSITE = "compositeWithTrainedAlgorithmicMedia"  # badge: composite with AI
CREATOR_TOOL = "portfolio-tui scripts/make_demo.py"

# What each code stands for in this demo, appended to every description so no
# file claims to be more than it is.
ROLE = {
    CAPTURE: "In the demo it stands for a camera original; any camera EXIF in it is sample data.",
    EDITED: "In the demo it stands for a photograph retouched by hand.",
    GENERATED: (
        "Not made by an AI: an imitation of the AI look made with ordinary image filters, "
        "labelled as AI output so that the demo shows that badge."
    ),
    AI_COMPOSITE: (
        "Not made by an AI: a composite made with ordinary image tools to imitate AI "
        "symmetry, labelled as a composite with AI so that the demo shows that badge."
    ),
}
HOPPER = "the official U.S. Navy portrait of Grace M. Hopper (public domain)"
COLLINS = "the official NASA portrait of Eileen Collins (public domain)"

# Every photo the demo writes, with its digital source type and what it is.
DEMO_SOURCES: dict[str, tuple[str, str]] = {
    "studio/hopper-01.jpg": (CAPTURE, f"Demonstration file: {HOPPER}, uncropped and ungraded."),
    "studio/hopper-02.jpg": (CAPTURE, f"Demonstration edit of {HOPPER}: 4:5 crop, warm grade."),
    "studio/hopper-03.jpg": (
        CAPTURE,
        f"Demonstration edit of {HOPPER}: tight 4:5 crop, black and white.",
    ),
    "studio/hopper-04.jpg": (
        CAPTURE,
        f"Demonstration edit of {HOPPER}: 4:5 crop, cool grade, stored sideways.",
    ),
    "studio/collins-01.png": (CAPTURE, f"Demonstration file: {COLLINS}, as published."),
    "studio/collins-02.jpg": (CAPTURE, f"Demonstration edit of {COLLINS}: 4:5 crop, warm grade."),
    "studio/collins-03.jpg": (
        CAPTURE,
        f"Demonstration edit of {COLLINS}: tight 4:5 crop, cool grade.",
    ),
    "studio/collins-04.jpg": (
        CAPTURE,
        f"Demonstration edit of {COLLINS}: 4:5 crop, black and white.",
    ),
    "takes/take-1.jpg": (CAPTURE, f"Demonstration crop of {COLLINS}: wide 4:5."),
    "takes/take-2.jpg": (CAPTURE, f"Demonstration crop of {COLLINS}: centred."),
    "takes/take-10.jpg": (CAPTURE, f"Demonstration crop of {COLLINS}: face on the left third."),
    "takes/take-11.jpg": (CAPTURE, f"Demonstration crop of {COLLINS}: square."),
    "retouching/01-hopper-before.jpg": (
        CAPTURE,
        f"Simulated 'before': {HOPPER} with flat contrast, a green cast, grain and "
        "blemish-like spots added by image filters.",
    ),
    "retouching/02-hopper-after.jpg": (
        EDITED,
        f"Demonstration edit of {HOPPER}: levels, a touch of warmth, light sharpening.",
    ),
    "retouching/03-collins-before.jpg": (
        CAPTURE,
        f"Simulated 'before': {COLLINS} with flat contrast, a green cast, grain and "
        "blemish-like spots added by image filters.",
    ),
    "retouching/04-collins-after.jpg": (
        EDITED,
        f"Demonstration edit of {COLLINS}: levels, a touch of warmth, light sharpening.",
    ),
    "ai-look/hopper-ai-01.jpg": (
        GENERATED,
        f"Simulated AI look: {HOPPER}, over-smoothed, saturated and given a glow.",
    ),
    "ai-look/hopper-ai-02.jpg": (
        AI_COMPOSITE,
        f"Simulated AI symmetry: the left half of {HOPPER} mirrored onto the right.",
    ),
    "ai-look/hopper-ai-03.jpg": (
        GENERATED,
        f"Simulated AI look: {HOPPER}, mirrored, over-smoothed, saturated, glowing and "
        "background-blurred.",
    ),
    "ai-look/collins-ai-01.jpg": (
        GENERATED,
        f"Simulated AI look: {COLLINS}, over-smoothed and saturated.",
    ),
    "ai-look/collins-ai-02.jpg": (
        GENERATED,
        f"Simulated AI look: {COLLINS}, heavily smoothed, saturated, glowing and with a "
        "blurred background.",
    ),
}

# The one photo with an XMP sidecar, as darktable writes it (NAME.ext.xmp):
# the culling decisions live there, the digital source type stays in the photo.
SIDECAR_PHOTO = "takes/take-2.jpg"
SIDECAR_RATING = 5
SIDECAR_COLOR_LABEL = 2  # darktable's numbering: 0 red, 1 yellow, 2 green, 3 blue, 4 purple

# Face geometry measured on the sources, so crops and mirroring are centred on
# the nose line.  Boxes are (left, top, right, bottom) in source pixels.
HOPPER_AXIS = 260
HOPPER_HEAD_SHOULDERS: Box = (60, 10, 460, 510)  # 400x500, 4:5
HOPPER_TIGHT: Box = (148, 95, 372, 375)  # 224x280, 4:5, hat brim cropped
COLLINS_AXIS = 224
COLLINS_HEAD_SHOULDERS: Box = (74, 0, 374, 375)  # 300x375, 4:5
COLLINS_TIGHT: Box = (154, 40, 294, 215)  # 140x175, 4:5, top of hair cropped


@dataclass(frozen=True)
class CameraExif:
    """Illustrative camera settings for the info panel (not from the real shoot)."""

    make: str
    model: str
    lens_make: str
    lens: str
    focal: float
    f_number: float
    exposure: tuple[int, int]  # seconds as a fraction, e.g. (1, 160)
    iso: int
    taken: str  # "YYYY:MM:DD HH:MM:SS", EXIF's own format
    artist: str
    description: str
    focal_35mm: int | None = None
    orientation: int | None = None


def build_exif(info: CameraExif) -> Image.Exif:
    """An Exif block with IFD0 tags plus the Exif sub-IFD (0x8769) tags."""
    exif = Image.Exif()
    exif[MAKE] = info.make
    exif[MODEL] = info.model
    exif[ARTIST] = info.artist
    exif[COPYRIGHT] = "Public domain"
    exif[IMAGE_DESCRIPTION] = info.description
    exif[SOFTWARE] = "portfolio-tui scripts/make_demo.py"
    if info.orientation is not None:
        exif[ORIENTATION] = info.orientation
    # get_ifd() creates the sub-IFD on first use; Pillow writes it on save.
    sub = exif.get_ifd(EXIF_IFD)
    sub[LENS_MAKE] = info.lens_make
    sub[LENS_MODEL] = info.lens
    # IFDRational keeps 1/160 exact instead of a float approximation.
    sub[FOCAL_LENGTH] = IFDRational(int(info.focal * 10), 10)
    sub[F_NUMBER] = IFDRational(int(info.f_number * 10), 10)
    sub[EXPOSURE_TIME] = IFDRational(*info.exposure)
    sub[ISO] = info.iso
    sub[DATETIME_ORIGINAL] = info.taken
    if info.focal_35mm is not None:
        sub[FOCAL_35MM] = info.focal_35mm
    return exif


# -- grades and filters ---------------------------------------------------------


def _channels(im: Image.Image, r: float, g: float, b: float, lift: int = 0) -> Image.Image:
    """Scale each RGB channel (a simple white-balance shift) and lift the blacks."""
    red, green, blue = im.split()

    def curve(gain: float) -> Callable[[int], int]:
        return lambda v: max(0, min(255, round(lift + v * gain * (255 - lift) / 255)))

    return Image.merge("RGB", (red.point(curve(r)), green.point(curve(g)), blue.point(curve(b))))


def warm(im: Image.Image) -> Image.Image:
    """Warm grade: a touch more red, less blue, gentle saturation."""
    out = _channels(im, 1.05, 1.0, 0.9, lift=4)
    return ImageEnhance.Color(out).enhance(1.05)


def cool(im: Image.Image) -> Image.Image:
    """Cool grade: blue-leaning, slightly desaturated, blacks lifted a little."""
    out = _channels(im, 0.92, 0.99, 1.07, lift=8)
    return ImageEnhance.Color(out).enhance(0.88)


def mono(im: Image.Image) -> Image.Image:
    """Black & white with a red-filter-ish mix (kinder to skin) and an S-curve."""
    # Weights favour red like an orange/red filter on B&W film; they sum to 1.
    gray = im.convert("L", matrix=(0.45, 0.45, 0.10, 0))
    gray = ImageOps.autocontrast(gray, cutoff=0.5)
    # Gentle S-curve: deeper shadows and brighter highlights around mid-grey.
    return gray.point(
        lambda v: round(255 * (3 * (v / 255) ** 2 - 2 * (v / 255) ** 3) * 0.35 + v * 0.65)
    )


def polish(im: Image.Image) -> Image.Image:
    """The retouch 'after': honest levels, a hint of warmth, light sharpening."""
    out = ImageOps.autocontrast(im, cutoff=0.3, preserve_tone=True)
    out = _channels(out, 1.02, 1.0, 0.97)
    return out.filter(ImageFilter.UnsharpMask(radius=1.2, percent=40, threshold=3))


def seeded_noise(size: tuple[int, int], amount: int, seed: int) -> Image.Image:
    """Grain centred on 128 (+-amount), from a seeded RNG so output is repeatable.

    Image.effect_noise() would be simpler but is not seedable, which would make
    every regeneration produce a different file.
    """
    rng = random.Random(seed)
    w, h = size
    # Average two uniform draws: a triangular distribution looks more like grain.
    a = Image.frombytes("L", size, rng.randbytes(w * h))
    b = Image.frombytes("L", size, rng.randbytes(w * h))
    tri = ImageChops.add(a, b, scale=2.0)
    return tri.point(lambda v: 128 + round((v - 128) * amount / 128))


def degrade(im: Image.Image, spots: list[tuple[int, int, int]], seed: int) -> Image.Image:
    """The retouch 'before': flat contrast, green cast, grain and blemish-like spots."""
    out = ImageEnhance.Contrast(im).enhance(0.78)
    out = _channels(out, 0.98, 1.04, 0.98, lift=10)  # murky, fluorescent-ish cast
    # Blemish-like marks: small soft reddish-brown dots painted through a mask.
    mask = Image.new("L", out.size, 0)
    draw = ImageDraw.Draw(mask)
    for x, y, r in spots:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=175)
    mask = mask.filter(ImageFilter.GaussianBlur(1.2))
    out = Image.composite(Image.new("RGB", out.size, (150, 78, 66)), out, mask)
    # Luminance grain plus a little colour grain, like a high-ISO file.
    luma = seeded_noise(out.size, 22, seed)
    out = ImageChops.add(out, Image.merge("RGB", (luma, luma, luma)), offset=-128)
    chroma = Image.merge("RGB", tuple(seeded_noise(out.size, 8, seed + i) for i in (1, 2, 3)))
    return ImageChops.add(out, chroma, offset=-128)


def over_smooth(im: Image.Image, strength: int = 6) -> Image.Image:
    """Edge-preserving over-smoothing, a poor man's bilateral filter.

    Median + repeated SMOOTH_MORE wipes out pores, wrinkles and grain; an
    edge mask then puts the original back only where edges are strong (eyes,
    glasses, hairline), which is what gives "AI skin" its waxy-but-crisp look.
    """
    smooth = im.filter(ImageFilter.MedianFilter(5))
    for _ in range(strength):
        smooth = smooth.filter(ImageFilter.SMOOTH_MORE)
    smooth = smooth.filter(ImageFilter.GaussianBlur(1.2))
    edges = im.convert("L").filter(ImageFilter.FIND_EDGES).filter(ImageFilter.GaussianBlur(1.5))
    mask = edges.point(lambda v: 0 if v < 26 else min(255, (v - 26) * 6))
    out = Image.composite(im, smooth, mask)
    # Re-sharpen the surviving edges: crisp outlines around plastic skin.
    return out.filter(ImageFilter.UnsharpMask(radius=2, percent=110, threshold=4))


def plastic(im: Image.Image, saturation: float = 1.45) -> Image.Image:
    """Boosted saturation and contrast with a slightly orange skin push."""
    out = ImageEnhance.Color(im).enhance(saturation)
    out = ImageEnhance.Contrast(out).enhance(1.12)
    return _channels(out, 1.05, 1.0, 0.94)


def glow(im: Image.Image, amount: float = 0.45, radius: float = 9) -> Image.Image:
    """Blown 'beauty' glow: a blurred, brightened copy screened over the image."""
    halo = ImageEnhance.Brightness(im).enhance(1.25).filter(ImageFilter.GaussianBlur(radius))
    return Image.blend(im, ImageChops.screen(im, halo), amount)


def mirror_left_half(im: Image.Image, axis: int) -> Image.Image:
    """Too-perfect symmetry: the left half of the face mirrored onto the right.

    ``axis`` is the nose line in this image's coordinates; the crop is centred
    on it, so the mirrored half lines up exactly and there is no visible seam.
    """
    left = im.crop((0, 0, axis, im.height))
    out = im.copy()
    out.paste(left.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (axis, 0))
    return out


def fake_bokeh(im: Image.Image, face: Box, radius: float = 6) -> Image.Image:
    """Blur everything outside a soft ellipse around the head (fake shallow focus)."""
    mask = Image.new("L", im.size, 0)
    ImageDraw.Draw(mask).ellipse(face, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(14))
    return Image.composite(im, im.filter(ImageFilter.GaussianBlur(radius)), mask)


# -- writing --------------------------------------------------------------------

written: list[Path] = []


def save_jpeg(im: Image.Image, rel: str, exif: Image.Exif | None = None) -> Path:
    """Save a baseline JPEG; no timestamps or random data, so output is repeatable."""
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if max(im.size) > MAX_SIDE:
        raise ValueError(f"{rel}: {im.size} is larger than {MAX_SIDE} px")
    options: dict[str, object] = {
        "quality": JPEG_QUALITY,
        "optimize": True,
        "xmp": xmp_packet(rel),  # an APP1 segment before the scan; the scan is unchanged
    }
    if exif is not None:
        options["exif"] = exif
    im.save(path, "JPEG", **options)
    written.append(path)
    return path


def xmp_packet(rel: str) -> bytes:
    """The XMP packet for one demo photo: its digital source type and description."""
    code, what = DEMO_SOURCES[rel]
    description = f"{what} {ROLE[code]}"
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        f"    Iptc4xmpExt:DigitalSourceType={quoteattr(DIGITAL_SOURCE_TYPE + code)}\n"
        f"    xmp:CreatorTool={quoteattr(CREATOR_TOOL)}>\n"
        "   <dc:description>\n"
        "    <rdf:Alt>\n"
        f'     <rdf:li xml:lang="x-default">{escape(description)}</rdf:li>\n'
        "    </rdf:Alt>\n"
        "   </dc:description>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    ).encode()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC of type and data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def copy_png_with_xmp(src: Path, rel: str) -> Path:
    """Copy a PNG byte for byte, adding an uncompressed ``XML:com.adobe.xmp`` iTXt chunk.

    The chunk goes just before the first IDAT (XMP must come before the image
    data); nothing else in the file changes, so neither do the pixels.
    """
    data = src.read_bytes()
    idat = data.index(b"IDAT") - 4  # the chunk starts with its 4-byte length
    # keyword NUL, compression flag 0, method 0, language "" NUL, translated keyword "" NUL
    itxt = b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + xmp_packet(rel)
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[:idat] + png_chunk(b"iTXt", itxt) + data[idat:])
    written.append(path)
    return path


def write_sidecar(rel: str, rating: int, color_label: int) -> Path:
    """``NAME.jpg.xmp`` beside the photo, in the shape darktable writes (rating, label)."""
    path = OUT / (rel + ".xmp")
    name = Path(rel).name
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!-- XMP sidecar for {escape(name)}, written by {CREATOR_TOOL} in the form\n"
        "     darktable uses (NAME.ext.xmp): the culling decisions live here. -->\n"
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"\n'
        '    xmlns:darktable="http://darktable.sf.net/"\n'
        f'    xmp:Rating="{rating}"\n'
        f"    xmpMM:DerivedFrom={quoteattr(name)}>\n"
        "   <darktable:colorlabels>\n"
        "    <rdf:Seq>\n"
        f"     <rdf:li>{color_label}</rdf:li>\n"
        "    </rdf:Seq>\n"
        "   </darktable:colorlabels>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n",
        encoding="utf-8",
        newline="\n",
    )
    written.append(path)
    return path


def copy_notes() -> None:
    """Copy the hand-written Markdown sidecars (and _gallery.md files) verbatim."""
    for src in sorted(NOTES.rglob("*.md")):
        dest = OUT / src.relative_to(NOTES)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        written.append(dest)


def build() -> None:
    hopper = Image.open(SOURCES / "grace_hopper.jpg").convert("RGB")
    collins = Image.open(SOURCES / "astronaut.png").convert("RGB")

    # Start clean so renamed or removed demo files never linger.
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()

    shutil.copyfile(SOURCES / "CREDITS.md", OUT / "README.md")  # credits travel with it
    written.append(OUT / "README.md")

    # -- studio: crops and grades of both portraits, with sample EXIF ----------
    hs = hopper.crop(HOPPER_HEAD_SHOULDERS)
    cs = collins.crop(COLLINS_HEAD_SHOULDERS)

    def hopper_exif(desc: str, **kw: object) -> Image.Exif:
        base = dict(
            make="Canon",
            model="Canon EOS R5",
            lens_make="Canon",
            lens="RF85mm F1.2 L USM",
            focal=85,
            f_number=2.8,
            exposure=(1, 160),
            iso=100,
            taken="2024:03:14 10:22:00",
            artist=HOPPER_CREDIT,
            description=desc + " Camera EXIF is illustrative sample data.",
        )
        base.update(kw)
        return build_exif(CameraExif(**base))  # type: ignore[arg-type]

    def collins_exif(desc: str, **kw: object) -> Image.Exif:
        base = dict(
            make="SONY",
            model="ILCE-7RM5",
            lens_make="Sony",
            lens="FE 90mm F2.8 Macro G OSS",
            focal=90,
            f_number=4.0,
            exposure=(1, 125),
            iso=100,
            taken="2024:05:02 14:05:12",
            artist=COLLINS_CREDIT,
            description=desc + " Camera EXIF is illustrative sample data.",
        )
        base.update(kw)
        return build_exif(CameraExif(**base))  # type: ignore[arg-type]

    save_jpeg(
        hopper,
        "studio/hopper-01.jpg",
        hopper_exif("Official U.S. Navy portrait, uncropped and ungraded."),
    )
    save_jpeg(
        warm(hs),
        "studio/hopper-02.jpg",
        hopper_exif(
            "Head-and-shoulders 4:5 crop, warm grade.", f_number=4.0, taken="2024:03:14 10:24:31"
        ),
    )
    save_jpeg(
        mono(hopper.crop(HOPPER_TIGHT)),
        "studio/hopper-03.jpg",
        hopper_exif(
            "Tight 4:5 crop, black and white conversion.",
            lens="RF100mm F2.8 L MACRO IS USM",
            focal=100,
            f_number=5.6,
            exposure=(1, 200),
            iso=200,
            taken="2024:03:14 10:31:05",
        ),
    )
    # hopper-04: stored sideways, as a camera held vertically writes it.  The
    # pixels are turned 90 degrees counter-clockwise and Orientation=6 tells the
    # viewer to turn them back clockwise, so the face is upright when shown.
    upright = cool(hs)
    save_jpeg(
        upright.transpose(Image.Transpose.ROTATE_90),
        "studio/hopper-04.jpg",
        hopper_exif(
            "Head-and-shoulders 4:5 crop, cool grade; stored sideways with EXIF orientation 6.",
            make="NIKON CORPORATION",
            model="NIKON Z 8",
            lens_make="Nikon",
            lens="NIKKOR Z 85mm f/1.8 S",
            focal=85,
            f_number=2.0,
            exposure=(1, 250),
            iso=64,
            taken="2024:03:14 11:02:47",
            orientation=6,
        ),
    )
    # The astronaut portrait stays a PNG, byte for byte as published plus its XMP.
    copy_png_with_xmp(SOURCES / "astronaut.png", "studio/collins-01.png")
    save_jpeg(
        warm(cs), "studio/collins-02.jpg", collins_exif("Head-and-shoulders 4:5 crop, warm grade.")
    )
    save_jpeg(
        cool(collins.crop(COLLINS_TIGHT)),
        "studio/collins-03.jpg",
        collins_exif(
            "Tight 4:5 crop, cool grade.",
            lens="FE 135mm F1.8 GM",
            focal=135,
            f_number=2.8,
            exposure=(1, 160),
            iso=160,
            taken="2024:05:02 14:12:40",
        ),
    )
    save_jpeg(
        mono(cs),
        "studio/collins-04.jpg",
        collins_exif(
            "Head-and-shoulders 4:5 crop, black and white conversion.",
            make="FUJIFILM",
            model="GFX100S",
            lens_make="FUJIFILM",
            lens="GF110mmF2 R LM WR",
            focal=110,
            focal_35mm=87,
            f_number=4.0,
            exposure=(1, 125),
            iso=100,
            taken="2024:05:02 14:20:09",
        ),
    )

    # -- takes: four crops of one frame, named so natural sort matters ---------
    # take-2 must list before take-10; plain string sorting would put it after.
    save_jpeg(collins.crop((24, 0, 424, 500)), "takes/take-1.jpg")
    save_jpeg(collins.crop((84, 0, 364, 350)), "takes/take-2.jpg")
    save_jpeg(collins.crop((130, 0, 450, 400)), "takes/take-10.jpg")
    save_jpeg(collins.crop((124, 0, 324, 200)), "takes/take-11.jpg")

    # -- retouching: simulated before/after pairs -----------------------------
    # Spots are (x, y, radius) in head-and-shoulders crop coordinates: cheeks,
    # chin and forehead, plus one "sensor dust" blob in the background.
    hopper_spots = [
        (142, 262, 4),
        (256, 268, 4),
        (238, 300, 3),
        (168, 306, 3),
        (206, 168, 3),
        (350, 120, 5),
    ]
    collins_spots = [(124, 130, 3), (176, 134, 3), (152, 168, 2), (140, 88, 2), (262, 60, 4)]
    save_jpeg(degrade(hs, hopper_spots, seed=1906), "retouching/01-hopper-before.jpg")
    save_jpeg(polish(hs), "retouching/02-hopper-after.jpg")
    save_jpeg(degrade(cs, collins_spots, seed=1956), "retouching/03-collins-before.jpg")
    save_jpeg(polish(cs), "retouching/04-collins-after.jpg")

    # -- ai-look: imitations of generated headshots, made with filters ---------
    hopper_axis = HOPPER_AXIS - HOPPER_HEAD_SHOULDERS[0]
    collins_axis = COLLINS_AXIS - COLLINS_HEAD_SHOULDERS[0]
    save_jpeg(glow(plastic(over_smooth(hs))), "ai-look/hopper-ai-01.jpg")
    save_jpeg(mirror_left_half(hs, hopper_axis), "ai-look/hopper-ai-02.jpg")
    full = mirror_left_half(hs, hopper_axis)
    full = fake_bokeh(glow(plastic(over_smooth(full, 8), 1.6), 0.55), (70, 0, 330, 360))
    save_jpeg(full, "ai-look/hopper-ai-03.jpg")
    save_jpeg(glow(plastic(over_smooth(cs)), 0.35), "ai-look/collins-ai-01.jpg")
    extreme = glow(plastic(over_smooth(cs, 10), 1.7), 0.6, radius=12)
    save_jpeg(
        fake_bokeh(extreme, (collins_axis - 95, 0, collins_axis + 95, 230)),
        "ai-look/collins-ai-02.jpg",
    )

    write_sidecar(SIDECAR_PHOTO, SIDECAR_RATING, SIDECAR_COLOR_LABEL)
    copy_notes()


# -- checks -----------------------------------------------------------------------


def verify() -> None:
    """Fail loudly if the demo lost a property the app's demo relies on."""
    # Real EXIF reads back, including the Exif sub-IFD.
    with Image.open(OUT / "studio/hopper-01.jpg") as im:
        exif = im.getexif()
        sub = exif.get_ifd(EXIF_IFD)
        assert exif[MAKE] == "Canon" and exif[MODEL] == "Canon EOS R5", exif
        assert sub[LENS_MODEL] == "RF85mm F1.2 L USM", sub
        assert float(sub[FOCAL_LENGTH]) == 85 and float(sub[F_NUMBER]) == 2.8, sub
        assert float(sub[EXPOSURE_TIME]) == 1 / 160 and sub[ISO] == 100, sub
        assert sub[DATETIME_ORIGINAL] == "2024:03:14 10:22:00", sub
        assert exif[ARTIST] == HOPPER_CREDIT

    # The sideways file is upright (and portrait-shaped) once orientation is applied.
    with Image.open(OUT / "studio/hopper-04.jpg") as im:
        assert im.getexif()[ORIENTATION] == 6
        stored = im.size
        shown = ImageOps.exif_transpose(im)
    hs = cool(Image.open(SOURCES / "grace_hopper.jpg").convert("RGB").crop(HOPPER_HEAD_SHOULDERS))
    assert stored == (hs.height, hs.width), stored
    assert shown.size == hs.size, shown.size
    diff = ImageChops.difference(shown.convert("RGB"), hs).convert("L")
    mean = sum(i * n for i, n in enumerate(diff.histogram())) / (hs.width * hs.height)
    assert mean < 4, f"hopper-04 is not upright after exif_transpose (mean diff {mean:.1f})"

    # Every photo carries the XMP its DEMO_SOURCES entry asks for, and nothing
    # in DEMO_SOURCES is left unwritten.
    photos = {p.relative_to(OUT).as_posix() for p in written if p.suffix in (".jpg", ".png")}
    assert photos == set(DEMO_SOURCES), sorted(photos ^ set(DEMO_SOURCES))
    for rel, (code, _) in DEMO_SOURCES.items():
        with Image.open(OUT / rel) as im:
            packet = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
        if isinstance(packet, str):
            packet = packet.encode("utf-8")
        assert isinstance(packet, bytes), (rel, sorted(im.info))
        assert f'DigitalSourceType="{DIGITAL_SOURCE_TYPE}{code}"'.encode() in packet, rel
    # The PNG's pixels are the published ones.
    with (
        Image.open(OUT / "studio/collins-01.png") as im,
        Image.open(SOURCES / "astronaut.png") as src,
    ):
        assert im.tobytes() == src.tobytes()

    total = 0
    for path in written:
        total += path.stat().st_size
        if path.suffix.lower() in (".jpg", ".png"):
            with Image.open(path) as im:
                assert max(im.size) <= MAX_SIDE, (path, im.size)
    assert total < MAX_TOTAL_BYTES, f"demo is {total} bytes; keep it under 5 MB"
    # Every photo has a sidecar or config entry; that is checked by the app's
    # loader (open_portfolio), not here, to keep this script Pillow-only.


def main() -> int:
    build()
    verify()
    total = sum(p.stat().st_size for p in written)
    for path in sorted(written):
        print(f"{path.stat().st_size:>9,}  {path.relative_to(OUT.parent)}")
    print(f"{total:>9,}  total ({len(written)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
