"""HEIC, AVIF, JPEG XL, JPEG 2000, APNG, animated WebP/GIF, 16-bit PNG and TIFF are drawn
(issue 15, item 3); the HEIC and JPEG XL readers load only when such a file is met."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from colour_support import display_p3
from portfolio_tui.check import check
from portfolio_tui.imaging.decode import ImageError, load_fitted
from portfolio_tui.portfolio import open_portfolio

RED = (200, 40, 30)
BLUE = (30, 60, 200)


def _patch(mode: str = "RGB") -> Image.Image:
    """A red picture with a blue top-left quarter, so a wrong crop or channel order shows."""
    image = Image.new("RGB", (64, 48), RED)
    image.paste(BLUE, (0, 0, 32, 24))
    return image.convert(mode)


def _heic(path: Path, image: Image.Image) -> None:
    import pillow_heif

    pillow_heif.from_pillow(image).save(path, quality=95)


def _animated(fmt: str) -> Callable[[Path, Image.Image], None]:
    def save(path: Path, image: Image.Image) -> None:
        second = Image.new("RGB", image.size, (0, 200, 0))
        extra = {"lossless": True} if fmt == "WEBP" else {}
        image.save(path, fmt, save_all=True, append_images=[second], duration=100, **extra)

    return save


def _plain(fmt: str, **options: object) -> Callable[[Path, Image.Image], None]:
    def save(path: Path, image: Image.Image) -> None:
        image.save(path, fmt, **options)

    return save


def _jxl(path: Path, image: Image.Image) -> None:
    import pillow_jxl  # noqa: F401  (registers the JPEG XL writer)

    image.save(path, "JXL", quality=95)


FORMATS = {
    "phone.heic": _heic,
    "IMG_0001.HEIF": _heic,
    "web.avif": _plain("AVIF", quality=95),
    "scan.jxl": _jxl,
    "archive.jp2": _plain("JPEG2000"),
    "motion.apng": _animated("PNG"),
    "motion.png": _animated("PNG"),
    "motion.webp": _animated("WEBP"),
    "motion.gif": _animated("GIF"),
    "stack.mpo": _plain("JPEG", quality=95),
}


def _close(got: tuple[int, ...], want: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(got, want, strict=True))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_is_drawn_with_its_colours_and_check_passes_it(
    tmp_path: Path, name: str
) -> None:
    gallery = tmp_path / "shoot" / "formats"
    gallery.mkdir(parents=True)
    FORMATS[name](gallery / name, _patch())
    drawn = load_fitted(gallery / name, (32, 24))
    assert drawn.size == (32, 24)
    assert _close(drawn.getpixel((24, 18)), RED), drawn.getpixel((24, 18))  # first frame
    assert _close(drawn.getpixel((6, 4)), BLUE), drawn.getpixel((6, 4))
    portfolio = open_portfolio(tmp_path / "shoot")
    assert [p.name for p in portfolio.every_photo()] == [name]
    result = check(tmp_path / "shoot")
    assert [str(p) for p in result.problems] == []
    assert result.exit_code == 0


@pytest.mark.parametrize("mode", ["I;16", "I;16B"])
def test_16_bit_png_and_tiff_are_drawn(tmp_path: Path, mode: str) -> None:
    grey = Image.new("I", (64, 48), 40000).convert(mode)
    for fmt in ("PNG", "TIFF"):
        if mode == "I;16B" and fmt == "PNG":
            continue
        path = tmp_path / f"deep.{fmt.lower()}"
        grey.save(path, fmt)
        value = load_fitted(path, (16, 12)).getpixel((8, 6))
        assert _close(value, (155, 155, 155), 3), (fmt, value)  # 40000/65535 of white


def test_a_heic_named_jpg_is_still_drawn(tmp_path: Path) -> None:
    path = tmp_path / "from-phone.jpg"
    _heic(path, _patch())
    assert _close(load_fitted(path, (32, 24)).getpixel((24, 18)), RED)


def test_a_display_p3_heic_is_converted_to_srgb(tmp_path: Path) -> None:
    path = tmp_path / "iphone.heic"
    picture = Image.new("RGB", (64, 48), (220, 60, 40))
    picture.info["icc_profile"] = display_p3()
    _heic(path, picture)
    with _open_heic(path) as stored:
        assert stored.info.get("icc_profile") == display_p3()
        stored_rgb = stored.convert("RGB")
    reference = ImageCms.profileToProfile(
        stored_rgb,
        ImageCms.ImageCmsProfile(io.BytesIO(display_p3())),
        ImageCms.createProfile("sRGB"),
        outputMode="RGB",
    )
    assert reference is not None
    want = reference.getpixel((32, 24))
    got = load_fitted(path, (32, 24)).getpixel((16, 12))
    assert _close(got, want, 2), (got, want)
    assert not _close(got, stored_rgb.getpixel((32, 24)), 6)  # drawn unconverted it would differ


def _open_heic(path: Path) -> Image.Image:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return Image.open(path)


def test_a_damaged_heic_says_so(tmp_path: Path) -> None:
    path = tmp_path / "cut.heic"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    with pytest.raises(ImageError) as caught:
        load_fitted(path, (32, 24))
    assert caught.value.reason == (
        "damaged HEIC/HEIF file: it cannot be read; copy the photo again or export a JPEG"
    )


def _python(code: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_heic_and_jxl_readers_load_only_when_such_a_file_is_met(tmp_path: Path) -> None:
    gallery = tmp_path / "shoot" / "jpegs"
    gallery.mkdir(parents=True)
    _patch().save(gallery / "a.jpg")
    _heic(tmp_path / "phone.heic", _patch())
    _jxl(tmp_path / "scan.jxl", _patch())
    out = _python(
        """
        import sys
        from pathlib import Path
        from portfolio_tui.ui.app import PortfolioApp
        from portfolio_tui.check import check
        from portfolio_tui.imaging.decode import load_fitted
        check(Path("shoot"))
        load_fitted(Path("shoot/jpegs/a.jpg"), (8, 8))
        print(sorted(m for m in ("pillow_heif", "pillow_jxl") if m in sys.modules))
        load_fitted(Path("phone.heic"), (8, 8))
        print(sorted(m for m in ("pillow_heif", "pillow_jxl") if m in sys.modules))
        load_fitted(Path("scan.jxl"), (8, 8))
        print(sorted(m for m in ("pillow_heif", "pillow_jxl") if m in sys.modules))
        """,
        tmp_path,
    )
    assert out.splitlines() == ["[]", "['pillow_heif']", "['pillow_heif', 'pillow_jxl']"]


def test_without_the_heic_reader_the_message_says_what_to_install(tmp_path: Path) -> None:
    _heic(tmp_path / "phone.heic", _patch())
    out = _python(
        """
        import sys
        sys.modules["pillow_heif"] = None  # as if it were not installed
        from pathlib import Path
        from portfolio_tui.imaging.decode import ImageError, load_fitted
        try:
            load_fitted(Path("phone.heic"), (8, 8))
        except ImageError as exc:
            print(exc.reason)
        """,
        tmp_path,
    )
    assert out == (
        "HEIC/HEIF needs pillow-heif, which is not installed; install it "
        "(pip install pillow-heif) or export the photo as JPEG"
    )
