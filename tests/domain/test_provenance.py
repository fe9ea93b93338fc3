"""provenance.py: the badge from config or XMP; check's warnings; the demo's real badges."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from conftest import DEMO_CONFIG, run_cli, write
from portfolio_tui.check import check, report
from portfolio_tui.portfolio import SOURCE_LABELS, Photo, open_portfolio
from portfolio_tui.problems import Severity
from portfolio_tui.provenance import Provenance, provenance
from portfolio_tui.xmp import PROVENANCE

DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def packet(code: str | None = None, extra: str = "") -> bytes:
    """An XMP packet with this digital source type code (a full IPTC URI) and more."""
    source = f'Iptc4xmpExt:DigitalSourceType="{DST}{code}"' if code else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f"{source} {extra}/>"
        "</rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def jpeg(path: Path, xmp: bytes | None = None) -> Path:
    """A small JPEG, with this XMP packet embedded when given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (16, 12), (120, 90, 60))
    if xmp is None:
        image.save(path, "JPEG")
    else:
        image.save(path, "JPEG", xmp=xmp)
    return path


def photo_at(path: Path, source: str | None = None) -> Photo:
    return Photo(path=path, rel=path.name, source=source)


# -- provenance() ---------------------------------------------------------------------


def test_metadata_decides_when_the_config_is_silent(tmp_path: Path) -> None:
    path = jpeg(tmp_path / "a.jpg", packet("trainedAlgorithmicMedia"))
    assert provenance(photo_at(path)) == Provenance(
        badge="ai",
        label="AI-generated",
        origin="metadata",
        source_type="trainedAlgorithmicMedia",
        conflict=None,
    )


def test_config_wins_and_the_conflict_names_both(tmp_path: Path) -> None:
    path = jpeg(tmp_path / "a.jpg", packet("trainedAlgorithmicMedia"))
    result = provenance(photo_at(path, source="camera"))
    assert (result.badge, result.label, result.origin) == ("camera", "Camera original", "config")
    assert result.source_type == "trainedAlgorithmicMedia"
    assert result.conflict == (
        'the config says source = "camera" (Camera original), but the photo\'s XMP says '
        "trainedAlgorithmicMedia (AI-generated); the config's source is used"
    )


def test_config_and_metadata_agreeing_is_no_conflict(tmp_path: Path) -> None:
    path = jpeg(tmp_path / "a.jpg", packet("humanEdits"))
    result = provenance(photo_at(path, source="retouched"))
    assert result == Provenance("retouched", "Retouched", "config", "humanEdits", None)


def test_config_alone(tmp_path: Path) -> None:
    path = jpeg(tmp_path / "a.jpg")
    assert provenance(photo_at(path, source="composite")) == Provenance(
        "composite", "Composite", "config", None, None
    )


def test_unknown_when_neither_says(tmp_path: Path) -> None:
    path = jpeg(tmp_path / "a.jpg", packet(None, 'xmp:Rating="3"'))
    assert provenance(photo_at(path)) == Provenance(None, "Unknown source", "none", None, None)


def test_a_missing_file_is_unknown_not_an_exception(tmp_path: Path) -> None:
    assert provenance(photo_at(tmp_path / "gone.jpg")).origin == "none"
    assert provenance(photo_at(tmp_path / "gone.jpg", source="ai")).label == "AI-generated"


@pytest.mark.parametrize(
    ("code", "badge", "label"),
    [
        ("digitalCapture", "camera", "Camera original"),
        ("trainedAlgorithmicMedia", "ai", "AI-generated"),
        ("algorithmicMedia", "ai", "AI-generated"),
        ("compositeWithTrainedAlgorithmicMedia", "composite", "Composite with AI"),
        ("compositeSynthetic", "composite", "Composite with AI"),
        ("humanEdits", "retouched", "Retouched"),
        ("algorithmicallyEnhanced", "retouched", "Retouched"),
        # Beyond the list: what else the vocabulary maps.
        ("computationalCapture", "camera", "Camera original"),
        ("compositeCapture", "composite", "Composite"),  # real captures only: not "with AI"
        ("digitalCreation", None, "Digital creation"),
        ("screenCapture", None, "Screen capture"),
    ],
)
def test_each_iptc_code_reaches_its_badge_and_label(
    tmp_path: Path, code: str, badge: str | None, label: str
) -> None:
    path = jpeg(tmp_path / "a.jpg", packet(code))
    assert provenance(photo_at(path)) == Provenance(badge, label, "metadata", code, None)


def test_every_code_of_the_vocabulary_has_a_label() -> None:
    from portfolio_tui.provenance import code_label

    for code in PROVENANCE:
        assert code_label(code) != "Unknown source", code


def test_a_code_outside_the_vocabulary_is_unknown_and_never_conflicts(tmp_path: Path) -> None:
    path = jpeg(tmp_path / "a.jpg", packet("madeUpCode"))
    assert provenance(photo_at(path)) == Provenance(
        None, "Unknown source", "none", "madeUpCode", None
    )
    assert provenance(photo_at(path, source="camera")).conflict is None


def test_a_code_with_no_badge_still_disagrees_with_the_config(tmp_path: Path) -> None:
    path = jpeg(tmp_path / "a.jpg", packet("digitalCreation"))
    conflict = provenance(photo_at(path, source="camera")).conflict
    assert conflict is not None
    assert "digitalCreation (Digital creation)" in conflict


def test_labels_from_config_match_photo_source_label(tmp_path: Path) -> None:
    path = jpeg(tmp_path / "a.jpg")
    for source in (*SOURCE_LABELS, None):
        photo = photo_at(path, source=source)
        assert provenance(photo).label == photo.source_label


def test_provenance_from_a_sidecar_and_from_a_png(tmp_path: Path) -> None:
    bare = jpeg(tmp_path / "bare.jpg")
    (tmp_path / "bare.jpg.xmp").write_bytes(packet("compositeSynthetic"))
    assert provenance(photo_at(bare)).label == "Composite with AI"

    png = tmp_path / "b.png"
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", packet("digitalCapture").decode())
    Image.new("RGB", (8, 8)).save(png, pnginfo=info)
    assert provenance(photo_at(png)).badge == "camera"


def test_provenance_module_does_not_import_textual() -> None:
    code = (
        "import sys, portfolio_tui.provenance\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- check ------------------------------------------------------------------------------


CONFIG = (
    '[portfolio]\ntitle = "T"\nroot = "photos"\n\n'  # lines 1-4
    '[[galleries]]\nid = "set"\n\n'  # lines 5-7
    '[photos."set/a.jpg"]\n'  # line 8
    'title = "A"\n'  # line 9
    'source = "camera"\n'  # line 10
)


def checked(tmp_path: Path) -> tuple[int, list[str]]:
    result = check(Path("config.toml"), cwd=tmp_path, jobs=2)
    out = io.StringIO()
    report(result, out, cwd=tmp_path)
    return result.exit_code, out.getvalue().splitlines()


def test_check_warns_at_the_configs_source_line(tmp_path: Path) -> None:
    jpeg(tmp_path / "photos" / "set" / "a.jpg", packet("trainedAlgorithmicMedia"))
    jpeg(tmp_path / "photos" / "set" / "b.jpg", packet("digitalCapture"))
    write(tmp_path / "config.toml", CONFIG)
    code, out = checked(tmp_path)
    assert out == [
        'config.toml:10:1: warning: set/a.jpg: the config says source = "camera" (Camera '
        "original), but the photo's XMP says trainedAlgorithmicMedia (AI-generated); "
        "the config's source is used",
        "check: no problems, 1 warning in 1 file (1 gallery, 2 photos, 0 comparisons checked).",
    ]
    assert code == 0  # a warning leaves the exit status alone


def test_check_is_quiet_when_config_and_metadata_agree(tmp_path: Path) -> None:
    jpeg(tmp_path / "photos" / "set" / "a.jpg", packet("digitalCapture"))
    write(tmp_path / "config.toml", CONFIG)
    assert checked(tmp_path) == (
        0,
        ["check: no problems (1 gallery, 1 photo, 0 comparisons checked)."],
    )


def test_check_reports_xmp_problems_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "photos" / "set"
    jpeg(folder / "a.jpg", packet("digitalCapture"))
    jpeg(folder / "b.jpg", b"<x:xmpmeta><unclosed></x:xmpmeta>")  # malformed, embedded
    jpeg(folder / "c.jpg")
    (folder / "c.jpg.xmp").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'
    )
    write(tmp_path / "config.toml", CONFIG)
    code, out = checked(tmp_path)
    assert code == 0
    assert len(out) == 3, out
    assert out[0].startswith("photos/set/b.jpg: warning: the embedded XMP is not well-formed XML (")
    assert out[0].endswith("); it is ignored")
    assert out[1] == (
        "photos/set/c.jpg.xmp: warning: the XMP has a document type declaration (DTD), "
        "which XMP never needs and which can define entities (external files, entity bombs); "
        "it was refused unread"
    )
    assert out[2] == (
        "check: no problems, 2 warnings in 2 files (1 gallery, 3 photos, 0 comparisons checked)."
    )


def test_check_names_a_sidecar_that_contradicts_its_photo(tmp_path: Path) -> None:
    folder = tmp_path / "photos" / "set"
    jpeg(folder / "a.jpg", packet("digitalCapture"))
    (folder / "a.xmp").write_bytes(packet("trainedAlgorithmicMedia"))
    write(tmp_path / "config.toml", CONFIG)
    _, out = checked(tmp_path)
    assert out[0] == (
        "photos/set/a.xmp: warning: this sidecar says the digital source type is "
        "'trainedAlgorithmicMedia', but a.jpg says 'digitalCapture'; a.jpg is believed"
    )


def test_check_counts_problems_and_warnings_apart(tmp_path: Path) -> None:
    folder = tmp_path / "photos" / "set"
    jpeg(folder / "a.jpg", packet("algorithmicMedia"))
    (folder / "broken.jpg").write_bytes(b"junk")  # an error; its XMP is not read as well
    write(tmp_path / "config.toml", CONFIG)
    result = check(Path("config.toml"), cwd=tmp_path, jobs=2)
    assert [p.severity for p in result.errors] == [Severity.ERROR]
    assert [p.severity for p in result.warnings] == [Severity.WARNING]
    code, out = checked(tmp_path)
    assert code == 1
    assert out[0] == (
        'config.toml:10:1: warning: set/a.jpg: the config says source = "camera" (Camera '
        "original), but the photo's XMP says algorithmicMedia (AI-generated); "
        "the config's source is used"
    )
    assert out[1] == (
        "photos/set/broken.jpg: not an image Pillow can read (wrong format or damaged)"
    )
    assert out[2] == (
        "check: 1 problem and 1 warning in 2 files (1 gallery, 2 photos, 0 comparisons checked)."
    )


def test_check_command_exits_0_with_only_warnings(tmp_path: Path) -> None:
    jpeg(tmp_path / "photos" / "set" / "a.jpg", packet("compositeSynthetic"))
    write(tmp_path / "config.toml", CONFIG)
    result = run_cli("check", "config.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith("config.toml:10:1: warning: set/a.jpg: ")
    assert "compositeSynthetic (Composite with AI)" in result.stdout


# -- the demo portfolio: badges from the real files ---------------------------------------

DEMO_BADGES = {
    "studio/hopper-01.jpg": ("camera", "digitalCapture"),
    "studio/hopper-02.jpg": ("camera", "digitalCapture"),
    "studio/hopper-03.jpg": ("camera", "digitalCapture"),
    "studio/hopper-04.jpg": ("camera", "digitalCapture"),
    "studio/collins-01.png": ("camera", "digitalCapture"),
    "studio/collins-02.jpg": ("camera", "digitalCapture"),
    "studio/collins-03.jpg": ("camera", "digitalCapture"),
    "studio/collins-04.jpg": ("camera", "digitalCapture"),
    "takes/take-1.jpg": ("camera", "digitalCapture"),
    "takes/take-2.jpg": ("camera", "digitalCapture"),
    "takes/take-10.jpg": ("camera", "digitalCapture"),
    "takes/take-11.jpg": ("camera", "digitalCapture"),
    "retouching/01-hopper-before.jpg": ("camera", "digitalCapture"),
    "retouching/02-hopper-after.jpg": ("retouched", "humanEdits"),
    "retouching/03-collins-before.jpg": ("camera", "digitalCapture"),
    "retouching/04-collins-after.jpg": ("retouched", "humanEdits"),
    "ai-look/hopper-ai-01.jpg": ("ai", "trainedAlgorithmicMedia"),
    "ai-look/hopper-ai-02.jpg": ("composite", "compositeWithTrainedAlgorithmicMedia"),
    "ai-look/hopper-ai-03.jpg": ("ai", "trainedAlgorithmicMedia"),
    "ai-look/collins-ai-01.jpg": ("ai", "trainedAlgorithmicMedia"),
    "ai-look/collins-ai-02.jpg": ("ai", "trainedAlgorithmicMedia"),
}


def test_demo_photos_carry_their_badges_in_their_files() -> None:
    portfolio = open_portfolio(DEMO_CONFIG)
    assert {p.rel for p in portfolio.every_photo()} == set(DEMO_BADGES)
    for photo in portfolio.every_photo():
        result = provenance(photo)
        assert (result.badge, result.source_type) == DEMO_BADGES[photo.rel], photo.rel
        assert result.conflict is None, photo.rel
        # What the file says on its own, with the config's source set aside.
        alone = provenance(Photo(path=photo.path, rel=photo.rel))
        assert (alone.badge, alone.origin) == (DEMO_BADGES[photo.rel][0], "metadata")


def test_demo_ai_look_files_say_they_were_not_made_by_an_ai() -> None:
    root = DEMO_CONFIG.parent / "portfolio"
    for rel, (badge, _) in DEMO_BADGES.items():
        data = (root / rel).read_bytes()
        if badge in ("ai", "composite"):
            assert b"Not made by an AI" in data, rel


def test_demo_sidecar_adds_rating_and_label() -> None:
    from portfolio_tui.xmp import read_xmp

    path = DEMO_CONFIG.parent / "portfolio" / "takes" / "take-2.jpg"
    facts = read_xmp(path)
    assert (facts.rating, facts.label, facts.source_type) == (5, "Green", "digitalCapture")
    assert facts.sources == (path, path.with_name("take-2.jpg.xmp"))
    assert facts.problems == ()
