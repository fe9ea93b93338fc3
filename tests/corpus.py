"""A corpus of bad input, generated (no binary blobs in the repository).

``build(tmp)`` writes a portfolio folder full of what cameras, editors,
clients' downloads and careless copies produce: broken and hostile images,
odd colour modes, every EXIF orientation, hostile XMP, crafted file names,
symlink tricks, plus a config with every kind of type error, an empty
portfolio and a config naming a gallery folder that does not exist. Each
:class:`Case` says what ``check`` must say about it and what the app must do.

Run it by hand to look at the corpus in the real app::

    python tests/corpus.py /tmp/corpus && portfolio-tui /tmp/corpus/portfolio
"""

from __future__ import annotations

import io
import os
import random
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

SHOWS = "shows"
"""The app shows the photo (check says nothing, or only a warning)."""
UNREADABLE = "unreadable"
"""The app lists the photo and shows why it cannot be drawn; check reports it."""
SKIPPED = "skipped"
"""Not a photo of the portfolio: the app does not list it; check reports it (or says why not)."""


@dataclass(frozen=True)
class Case:
    """One bad input: where it is, what check says about it, what the app does."""

    id: str
    what: str
    path: str
    """Portfolio-relative path ("" for cases that are a whole portfolio or config)."""
    app: str
    check: str | None
    """A fragment of check's message for this file (None: check says nothing)."""
    root_only_skip: bool = False
    """Needs file permissions, which mean nothing to root."""
    portfolio: str = "portfolio"
    """Which folder under the corpus holds it: portfolio, folders, empty or types."""


GALLERY = "bad"
NAMES = "names"


def _jpeg(size: tuple[int, int] = (64, 80), mode: str = "RGB", **save: object) -> bytes:
    image = Image.new(mode, size, {"RGB": (180, 120, 90), "L": 128, "CMYK": (0, 80, 120, 0)}[mode])
    if mode == "RGB":
        image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1] // 2))
    out = io.BytesIO()
    image.save(out, "JPEG", **save)
    return out.getvalue()


def _png(image: Image.Image, **save: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **save)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * 3)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def _png_with_ztxt_bomb() -> bytes:
    """A valid 8x8 PNG with a zTXt chunk that inflates to 64 MB."""
    base = _png(Image.new("RGB", (8, 8), (90, 140, 200)))
    bomb = zlib.compress(b"A" * (64 * 1024 * 1024), 9)
    ztxt = _chunk(b"zTXt", b"Comment\x00\x00" + bomb)
    end = base.rindex(b"IEND") - 4
    return base[:end] + ztxt + base[end:]


def _png_bad_crc() -> bytes:
    data = bytearray(_png(Image.new("RGB", (32, 32), (10, 200, 10))))
    at = data.index(b"IDAT") + 4
    data[at + 2] ^= 0xFF  # the compressed pixels no longer match the chunk's CRC
    return bytes(data)


def _ycck_jpeg() -> bytes:
    """A CMYK JPEG whose Adobe marker says YCCK (transform 2)."""
    data = bytearray(_jpeg(mode="CMYK"))
    at = data.find(b"Adobe")
    if at >= 0:
        data[at + 11] = 2  # Adobe APP14: version(2) flags0(2) flags1(2) transform(1)
    return bytes(data)


def _gif_animated() -> bytes:
    frames = [Image.new("P", (40, 50), i * 40) for i in range(4)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def _webp_animated() -> bytes:
    frames = [Image.new("RGB", (40, 50), (i * 60, 100, 150)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def _real_heic() -> bytes:
    """A small HEIC as a phone writes it (HEVC in an ISO BMFF box), made by pillow-heif."""
    import pillow_heif

    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 40, 30))).save(out, format="HEIF")
    return out.getvalue()


def _heic() -> bytes:
    """The start of an HEIC file (ISO BMFF 'ftyp' box, brand heic) and nothing a reader reads."""
    ftyp = b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    return struct.pack(">I", len(ftyp) + 4) + ftyp + os.urandom(256)


def _exif_jpeg(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _jpeg(exif=exif)


def _corrupt_exif_jpeg() -> bytes:
    """An APP1 'Exif' segment whose TIFF header is garbage."""
    data = _jpeg()
    payload = b"Exif\x00\x00" + b"XX\x00\x2a" + os.urandom(40)
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + app1 + data[2:]


def _huge_exif_strings_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "D" * 60_000  # ImageDescription
    exif[0x013B] = "\x1b[31mArtist\x07" * 300  # Artist, with escape sequences
    exif[0x010F] = "Make" + "\u202e" * 50
    return _jpeg(exif=exif.tobytes())


XXE = """<?xml version="1.0"?>
<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Label="&xxe;"/></rdf:RDF></x:xmpmeta>
"""

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Label="&lol9;"/></rdf:RDF></x:xmpmeta>\n'
)


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _good() -> bytes:
    return _jpeg()


Writer = Callable[[Path], None]


def _files(root: Path, outside: Path) -> list[Case]:
    """The gallery of bad files and the gallery of crafted names."""
    rng = random.Random(7)
    g = GALLERY
    cases: list[Case] = []

    def add(id: str, what: str, name: str, data: bytes, app: str, check: str | None) -> None:
        _write(root, f"{g}/{name}", data)
        cases.append(Case(id, what, f"{g}/{name}", app, check))

    good = _good()
    add("zero-byte", "zero-byte JPEG", "zero-byte.jpg", b"", UNREADABLE, "file is empty")
    add(
        "truncated-jpeg",
        "JPEG cut in half",
        "truncated.jpg",
        good[: len(good) // 2],
        UNREADABLE,
        "truncated",
    )
    corrupted = bytearray(good)
    for i in range(len(corrupted) // 2, len(corrupted) - 2, 7):
        corrupted[i] = rng.randrange(256)
    add(
        "corrupted-jpeg",
        "JPEG with garbage in its pixel data",
        "corrupted.jpg",
        bytes(corrupted),
        UNREADABLE,
        "damaged image data",
    )
    png = _png(Image.new("RGB", (64, 64), (30, 60, 90)))
    add(
        "truncated-png",
        "PNG cut in half",
        "truncated.png",
        png[: len(png) // 2],
        UNREADABLE,
        "truncated",
    )
    add(
        "bad-crc-png",
        "PNG whose pixel chunk fails its CRC",
        "bad-crc.png",
        _png_bad_crc(),
        SHOWS,
        "checksum",
    )
    add(
        "random-bytes",
        "random bytes named .jpg",
        "random.jpg",
        bytes(rng.getrandbits(8) for _ in range(4096)),
        UNREADABLE,
        "not an image",
    )
    add(
        "text-as-png",
        "a text file named .png",
        "notes.png",
        b"just some text\n" * 20,
        UNREADABLE,
        "not an image",
    )
    add(
        "huge-header",
        "PNG header claiming 100,000 x 100,000 pixels",
        "huge.png",
        _png_claiming(100_000, 100_000),
        UNREADABLE,
        "too large to open safely",
    )
    add(
        "ztxt-bomb",
        "PNG with a zTXt chunk inflating to 64 MB",
        "ztxt-bomb.png",
        _png_with_ztxt_bomb(),
        SHOWS,
        None,
    )
    add("cmyk", "CMYK JPEG", "cmyk.jpg", _jpeg(mode="CMYK"), SHOWS, None)
    add("ycck", "YCCK JPEG (Adobe transform 2)", "ycck.jpg", _ycck_jpeg(), SHOWS, None)
    add(
        "png16",
        "16-bit greyscale PNG",
        "grey16.png",
        _png(Image.new("I;16", (40, 50), 40000)),
        SHOWS,
        None,
    )
    palette = Image.new("P", (40, 50), 1)
    palette.putpalette([0, 0, 0, 200, 40, 40] + [0] * 762)
    add(
        "palette-transparent",
        "palette PNG with a transparent colour",
        "palette.png",
        _png(palette, transparency=0),
        SHOWS,
        None,
    )
    add("grey-jpeg", "greyscale JPEG", "grey.jpg", _jpeg(mode="L"), SHOWS, None)
    add(
        "la-png",
        "greyscale PNG with alpha",
        "grey-alpha.png",
        _png(Image.new("LA", (40, 50), (100, 128))),
        SHOWS,
        None,
    )
    add(
        "gif-animated",
        "animated GIF (first frame shown)",
        "animated.gif",
        _gif_animated(),
        SHOWS,
        None,
    )
    add(
        "webp-animated",
        "animated WebP (first frame shown)",
        "animated.webp",
        _webp_animated(),
        SHOWS,
        None,
    )
    add("heic", "an iPhone-style HEIC", "phone.heic", _real_heic(), SHOWS, None)
    add(
        "damaged-heic",
        "a HEIC cut after its header",
        "cut.heic",
        _heic(),
        UNREADABLE,
        "damaged HEIC",
    )
    add("wrong-extension", "a PNG named .jpg", "really-png.jpg", png, SHOWS, None)
    for n in range(1, 9):
        add(
            f"orientation-{n}",
            f"EXIF orientation {n}",
            f"orient-{n}.jpg",
            _exif_jpeg(n),
            SHOWS,
            None,
        )
    add(
        "corrupt-exif",
        "EXIF block with a garbage TIFF header",
        "corrupt-exif.jpg",
        _corrupt_exif_jpeg(),
        SHOWS,
        None,
    )
    add(
        "huge-exif",
        "EXIF strings of 60,000 characters with escape sequences",
        "huge-exif.jpg",
        _huge_exif_strings_jpeg(),
        SHOWS,
        None,
    )
    add("xxe", "sidecar XMP with an external entity", "xxe.jpg", good, SHOWS, "refused unread")
    _write(root, f"{g}/xxe.xmp", XXE.encode())
    add(
        "laughs",
        "sidecar XMP with a billion-laughs entity expansion",
        "laughs.jpg",
        good,
        SHOWS,
        "refused unread",
    )
    _write(root, f"{g}/laughs.xmp", LAUGHS.encode())
    (root / g / "folder.jpg").mkdir()
    cases.append(
        Case("dir-named-jpg", "a folder named folder.jpg", f"{g}/folder.jpg", SKIPPED, None)
    )

    # Symlink tricks.
    loop = root / g / "loop.jpg"
    os.symlink(loop, loop)  # points at itself
    cases.append(
        Case("symlink-loop", "a symlink pointing at itself", f"{g}/loop.jpg", SKIPPED, "looping")
    )
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "elsewhere.jpg").write_bytes(good)
    os.symlink(outside / "elsewhere.jpg", root / g / "outside.jpg")
    cases.append(
        Case(
            "symlink-outside",
            "a symlink to a photo outside the portfolio",
            f"{g}/outside.jpg",
            SKIPPED,
            "outside the portfolio root",
        )
    )

    # Crafted names (valid photos).
    n = NAMES
    for id, what, name in (
        ("name-markup", "markup in a file name", "[bold red]Boss[/] [link=x]click[/link].jpg"),
        ("name-escape", "escape sequences in a file name", "\x1b[2J\x1b]0;pwned\x07clear.jpg"),
        ("name-newline", "a newline in a file name", "two\nlines.jpg"),
        ("name-rtl", "a right-to-left override in a file name", "photo\u202egpj.exe.jpg"),
        ("name-bidi-mark", "a right-to-left mark in a file name", "\u200fשלום.jpg"),
        ("name-action", "a Textual action link in a file name", "[@click=app.quit]x[/].jpg"),
    ):
        _write(root, f"{n}/{name}", good)
        cases.append(Case(id, what, f"{n}/{name}", SHOWS, None))
    raw_name = b"bad-\xff\xfe-utf8.jpg"
    with open(os.fsencode(str(root / n)) + b"/" + raw_name, "wb") as handle:
        handle.write(good)
    decoded = os.fsdecode(raw_name)  # surrogate escapes, as os.listdir gives them
    cases.append(
        Case(
            "name-invalid-utf8", "invalid UTF-8 bytes in a file name", f"{n}/{decoded}", SHOWS, None
        )
    )
    return cases


def _folders(root: Path, outside: Path) -> list[Case]:
    """A portfolio without a config (galleries discovered) with folder-level tricks."""
    _write(root, "fine/ok.jpg", _good())
    os.symlink(outside, root / "escape")
    loop = root / "loop"
    os.symlink(loop, loop)
    _write(root, "locked/secret.jpg", _good())
    os.chmod(root / "locked", 0)
    return [
        Case(
            "symlink-dir-outside",
            "a gallery folder that is a symlink out of the portfolio",
            "escape",
            SKIPPED,
            "outside the portfolio root",
            portfolio="folders",
        ),
        Case(
            "symlink-dir-loop",
            "a folder symlink pointing at itself",
            "loop",
            SKIPPED,
            "looping",
            portfolio="folders",
        ),
        Case(
            "no-read-permission",
            "a gallery folder without read permission",
            "locked",
            SKIPPED,
            "permission denied",
            root_only_skip=True,
            portfolio="folders",
        ),
    ]


CONFIG = """\
[portfolio]
title = "Bad input corpus"
photographer = "\\u001b[31mQA\\u0007 [bold]studio[/bold]"
credits = ["line one", "\\u202eevil"]

[[galleries]]
id = "bad"
title = "Bad files"

[[galleries]]
id = "names"
title = "[red]Crafted[/red] names"

[[galleries]]
id = "missing"
folder = "no-such-folder"

[photos."names/two\\nlines.jpg"]
notes = "Notes with \\u001b[5mblink\\u001b[0m and [b]markup[/b]."
"""

TYPE_ERRORS = """\
[portfolio]
title = 3
photographer = ["a"]
root = true
credits = [1, "ok"]

[display]
graphics = "kity"
colors = 256
theme = 1.5

[present]
interval = "6"
captions = "yes"

[[galleries]]
id = 7
title = { a = 1 }
order = "a.jpg"
cover = 2
speed = 3

[[galleries]]
title = "no id"

[photos."a.jpg"]
tags = "one"
source = "robot"
notes = 12

[[comparisons]]
id = "c"
photos = "a.jpg"

unknown_top = 1
"""


def build(tmp: Path) -> list[Case]:
    """Write the corpus under ``tmp``; the cases, with what check and the app must do.

    ``tmp/portfolio`` (with config.toml) is the main corpus; ``tmp/folders`` a
    portfolio without a config whose folders are symlink and permission tricks; ``tmp/empty`` an
    empty portfolio; ``tmp/types/config.toml`` a config with every kind of type
    error; ``tmp/elsewhere`` what the symlinks point at.
    """
    root = tmp / "portfolio"
    root.mkdir(parents=True)
    cases = _files(root, tmp / "elsewhere")
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    cases.append(
        Case(
            "missing-gallery", "a gallery folder that does not exist", "", SKIPPED, "no-such-folder"
        )
    )
    cases += _folders(tmp / "folders", tmp / "elsewhere")
    (tmp / "empty").mkdir()
    cases.append(
        Case("empty-portfolio", "an empty portfolio", "", SKIPPED, None, portfolio="empty")
    )
    (tmp / "types").mkdir()
    (tmp / "types" / "config.toml").write_text(TYPE_ERRORS, encoding="utf-8")
    cases.append(
        Case(
            "config-types",
            "a config with every kind of type error",
            "",
            SKIPPED,
            None,
            portfolio="types",
        )
    )
    cases.append(
        Case(
            "deleted-while-shown",
            "a photo deleted while it is shown",
            f"{GALLERY}/orient-1.jpg",
            UNREADABLE,
            None,
        )
    )
    cases.append(
        Case(
            "replaced-while-shown",
            "a photo replaced by garbage while shown",
            f"{GALLERY}/orient-2.jpg",
            UNREADABLE,
            None,
        )
    )
    return cases


def table(tmp: Path, cases: list[Case]) -> str:
    """A Markdown table: each case, what check says about it, what the app does."""
    from portfolio_tui.check import check
    from portfolio_tui.text import clean

    results = {
        name: check(tmp / name / "config.toml" if name in ("portfolio", "types") else tmp / name)
        for name in ("portfolio", "folders", "empty", "types")
    }
    rows = ["| case | check says | the app |", "|---|---|---|"]
    app = {SHOWS: "shows it", UNREADABLE: "⚠ tile and loupe with the reason", SKIPPED: "not listed"}
    for case in cases:
        result = results[case.portfolio]
        if case.id == "config-types":
            said = f"{len(result.errors)} problems, each with its line (see below)"
        elif case.id == "missing-gallery":
            said = "; ".join(p.message for p in result.problems if "no-such-folder" in p.message)
        elif case.id == "empty-portfolio":
            said = "; ".join(p.message for p in result.problems)
        elif case.id in ("deleted-while-shown", "replaced-while-shown"):
            said = "(happens while the app runs)"
        else:
            target = tmp / case.portfolio / case.path
            said = "; ".join(
                ("warning: " if p.severity.value == "warning" else "") + p.message
                for p in result.problems
                if Path(p.file) == target or Path(p.file) == target.with_suffix(".xmp")
            )
        said = clean(said) or "(nothing: shown correctly)"
        rows.append(f"| {clean(case.what)} | {said} | {app[case.app]} |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    found = build(target)
    print(f"{len(found)} cases in {target}")
    if "--table" in sys.argv:
        print(table(target, found))
