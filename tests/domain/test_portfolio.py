"""portfolio.py: locating a portfolio, discovering and configuring galleries, notes,
comparisons, symlink safety and photo filters."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from conftest import ImageMaker, can_chmod, write
from portfolio_tui.config import default_config
from portfolio_tui.portfolio import (
    TOP_LEVEL_GALLERY_ID,
    FromSource,
    Photo,
    PhotoSet,
    Portfolio,
    Tagged,
    TextMatch,
    load_portfolio,
    locate,
    open_portfolio,
)
from portfolio_tui.problems import ConfigError, Problem


def symlink(target: Path | str, link: Path, *, directory: bool = False) -> None:
    """Make a symlink, or skip the test where the file system cannot."""
    try:
        os.symlink(target, link, target_is_directory=directory)
    except (OSError, NotImplementedError) as exc:  # pragma: no cover - e.g. Windows
        pytest.skip(f"cannot create symlinks here: {exc}")


def names(portfolio: Portfolio, gallery_id: str) -> list[str]:
    gallery = portfolio.gallery(gallery_id)
    assert gallery is not None, [g.id for g in portfolio.galleries]
    return [p.name for p in gallery.photos]


def messages(portfolio: Portfolio) -> list[str]:
    return [p.message for p in portfolio.problems]


def problem_about(portfolio: Portfolio, text: str) -> Problem:
    found = [p for p in portfolio.problems if text in p.message]
    assert len(found) == 1, [str(p) for p in portfolio.problems]
    return found[0]


# -- locate ----------------------------------------------------------------------


def test_locate_config_file(tmp_path: Path) -> None:
    path = write(tmp_path / "pf" / "my.toml", "")
    assert locate(path) == (path, tmp_path / "pf")


def test_locate_relative_path_uses_cwd(tmp_path: Path) -> None:
    path = write(tmp_path / "pf" / "config.toml", "")
    assert locate(Path("pf"), cwd=tmp_path) == (path, tmp_path / "pf")


def test_locate_folder_with_config(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "")
    assert locate(tmp_path) == (path, tmp_path)


def test_locate_folder_without_config(tmp_path: Path) -> None:
    assert locate(tmp_path) == (None, tmp_path)


def test_locate_default_prefers_config_in_cwd(tmp_path: Path) -> None:
    assert locate(None, cwd=tmp_path) == (None, tmp_path)
    path = write(tmp_path / "config.toml", "")
    assert locate(None, cwd=tmp_path) == (path, tmp_path)


def test_open_missing_folder_raises_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        open_portfolio(Path("nope"), cwd=tmp_path)
    (problem,) = info.value.problems
    assert problem.file == tmp_path / "nope"
    assert problem.message.startswith("no such file or folder")


def test_open_portfolio_raises_on_config_errors(tmp_path: Path) -> None:
    write(tmp_path / "config.toml", '[portfolio]\nphotgrapher = "x"\n')
    with pytest.raises(ConfigError) as info:
        open_portfolio(tmp_path)
    assert info.value.problems[0].line == 2


# -- a folder without config -------------------------------------------------------


def test_folder_without_config_discovers_galleries(portfolio_dir: Path) -> None:
    portfolio = open_portfolio(portfolio_dir)
    assert [g.id for g in portfolio.galleries] == ["outdoor", "studio", TOP_LEVEL_GALLERY_ID]
    assert names(portfolio, "studio") == ["img1.jpg", "img2.jpg", "img10.jpg"]
    assert names(portfolio, "outdoor") == ["a.png"]
    assert names(portfolio, TOP_LEVEL_GALLERY_ID) == ["loose.jpg"]
    assert portfolio.title == "portfolio"
    assert portfolio.config.path is None
    assert portfolio.problems == ()


def test_gallery_titles_come_from_folder_names(tmp_path: Path, make_image: ImageMaker) -> None:
    make_image(tmp_path / "studio_portraits" / "a.jpg")
    make_image(tmp_path / "outdoor-2024" / "a.jpg")
    portfolio = open_portfolio(tmp_path)
    titles = {g.id: g.title for g in portfolio.galleries}
    assert titles == {"outdoor-2024": "Outdoor 2024", "studio_portraits": "Studio portraits"}


def test_hidden_non_image_and_private_entries_are_ignored(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(tmp_path / "studio" / "a.jpg")
    make_image(tmp_path / "studio" / ".hidden.jpg")
    make_image(tmp_path / "studio" / "B.JPG")
    write(tmp_path / "studio" / "notes.txt", "x")
    write(tmp_path / "studio" / "raw.cr2", "x")
    make_image(tmp_path / ".cache" / "thumb.jpg")
    make_image(tmp_path / "_drafts" / "draft.jpg")
    (tmp_path / "empty").mkdir()
    write(tmp_path / "docs" / "readme.txt", "no images here")
    portfolio = open_portfolio(tmp_path)
    assert [g.id for g in portfolio.galleries] == ["studio"]
    assert names(portfolio, "studio") == ["a.jpg", "B.JPG", "raw.cr2"]  # RAW is shown


def test_natural_sort_of_galleries_and_photos(tmp_path: Path, make_image: ImageMaker) -> None:
    for folder in ("set10", "set2", "Set1"):
        for name in ("take-10.jpg", "take-2.jpg", "Take-1.jpg"):
            make_image(tmp_path / folder / name)
    portfolio = open_portfolio(tmp_path)
    assert [g.folder.name for g in portfolio.galleries] == ["Set1", "set2", "set10"]
    assert names(portfolio, "set10") == ["Take-1.jpg", "take-2.jpg", "take-10.jpg"]


def test_photo_lookup_by_relative_path(portfolio_dir: Path) -> None:
    portfolio = open_portfolio(portfolio_dir)
    photo = portfolio.photo("studio/img2.jpg")
    assert photo is not None
    assert photo.path == portfolio_dir.resolve() / "studio" / "img2.jpg"
    assert photo.gallery_id == "studio"
    assert photo.display_title == "img2"
    assert portfolio.photo("./studio/img2.jpg") is photo
    assert portfolio.photo("studio\\img2.jpg") is photo
    assert portfolio.photo("loose.jpg") is not None
    assert portfolio.photo("studio/nope.jpg") is None


# -- explicit galleries -----------------------------------------------------------------


@pytest.fixture
def configured(tmp_path: Path, make_image: ImageMaker) -> Path:
    """A portfolio with a config using order, cover and notes."""
    root = tmp_path / "pf"
    for name in ("a1.jpg", "a2.jpg", "a10.jpg", "b.jpg"):
        make_image(root / "studio" / name)
    make_image(root / "other" / "x.jpg")
    make_image(root / "top.jpg")
    write(
        root / "config.toml",
        """[portfolio]
title = "T"

[[galleries]]
id = "studio"
title = "Studio"
order = ["b.jpg", "a10.jpg"]
cover = "a2.jpg"
notes = "Inline gallery notes."
""",
    )
    return root


def test_order_lists_photos_first_then_natural(configured: Path) -> None:
    portfolio = open_portfolio(configured)
    assert [g.id for g in portfolio.galleries] == ["studio"]  # only what the config lists
    assert names(portfolio, "studio") == ["b.jpg", "a10.jpg", "a1.jpg", "a2.jpg"]
    gallery = portfolio.gallery("studio")
    assert gallery is not None and gallery.cover is not None
    assert gallery.cover.name == "a2.jpg"
    assert portfolio.problems == ()


def test_cover_defaults_to_first_photo(configured: Path) -> None:
    write(configured / "config.toml", '[[galleries]]\nid = "studio"\norder = ["b.jpg"]\n')
    gallery = open_portfolio(configured).gallery("studio")
    assert gallery is not None and gallery.cover is not None
    assert gallery.cover.name == "b.jpg"


def test_missing_order_entry_is_reported_with_its_line(configured: Path) -> None:
    write(
        configured / "config.toml",
        '[[galleries]]\nid = "studio"\norder = [\n  "b.jpg",\n  "zzz.jpg",\n]\n',
    )
    portfolio = open_portfolio(configured)
    problem = problem_about(portfolio, "zzz.jpg")
    assert problem.file == configured / "config.toml"
    assert (problem.line, problem.column) == (5, 3)
    assert problem.message == "order lists 'zzz.jpg', which is not in folder 'studio'"
    assert names(portfolio, "studio") == ["b.jpg", "a1.jpg", "a2.jpg", "a10.jpg"]


def test_missing_cover_is_reported(configured: Path) -> None:
    write(configured / "config.toml", '[[galleries]]\nid = "studio"\n\ncover = "gone.jpg"\n')
    portfolio = open_portfolio(configured)
    problem = problem_about(portfolio, "cover 'gone.jpg'")
    assert problem.line == 4
    gallery = portfolio.gallery("studio")
    assert gallery is not None and gallery.cover is not None
    assert gallery.cover.name == "a1.jpg"


def test_missing_gallery_folder_is_reported(configured: Path) -> None:
    write(
        configured / "config.toml",
        '[[galleries]]\nid = "studio"\n\n[[galleries]]\nid = "gone"\nfolder = "nowhere"\n',
    )
    portfolio = open_portfolio(configured)
    problem = problem_about(portfolio, "gallery folder 'nowhere' does not exist")
    assert problem.line == 6
    gone = portfolio.gallery("gone")
    assert gone is not None and len(gone) == 0
    assert len(portfolio.gallery("studio") or ()) == 4


def test_missing_root_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "config.toml", '[portfolio]\nroot = "photos"\n')
    portfolio = open_portfolio(tmp_path)
    problem = only = problem_about(portfolio, "does not exist")
    assert only.line == 2
    assert "fix 'root'" in problem.message
    assert portfolio.galleries == ()


# -- notes ---------------------------------------------------------------------------


def test_sidecar_notes_are_read(portfolio_dir: Path) -> None:
    write(portfolio_dir / "studio" / "img1.md", "Shot at **f/2**.\n")
    write(portfolio_dir / "studio" / "img2.jpg.md", "Long-form name.\n")
    portfolio = open_portfolio(portfolio_dir)
    img1, img2 = portfolio.photo("studio/img1.jpg"), portfolio.photo("studio/img2.jpg")
    assert img1 is not None and img2 is not None
    assert img1.notes == "Shot at **f/2**."
    assert img1.notes_file == portfolio_dir.resolve() / "studio" / "img1.md"
    assert img2.notes == "Long-form name."
    assert portfolio.problems == ()


def test_inline_and_sidecar_notes_are_combined(configured: Path) -> None:
    write(configured / "studio" / "a1.md", "From the sidecar.")
    write(
        configured / "config.toml",
        '[[galleries]]\nid = "studio"\n[photos."studio/a1.jpg"]\nnotes = "From the config."\n',
    )
    photo = open_portfolio(configured).photo("studio/a1.jpg")
    assert photo is not None
    assert photo.notes == "From the config.\n\nFrom the sidecar."


def test_notes_file_without_photo_is_reported(portfolio_dir: Path) -> None:
    write(portfolio_dir / "studio" / "img3.md", "orphan")
    write(portfolio_dir / "studio" / "README.md", "not an orphan")
    portfolio = open_portfolio(portfolio_dir)
    problem = problem_about(portfolio, "notes file has no photo beside it")
    assert problem.file == portfolio_dir.resolve() / "studio" / "img3.md"
    assert "img3.jpg" in problem.message


def test_gallery_notes_file_combined_with_inline_notes(configured: Path) -> None:
    write(configured / "studio" / "_gallery.md", "From _gallery.md.\n")
    portfolio = open_portfolio(configured)
    gallery = portfolio.gallery("studio")
    assert gallery is not None
    assert gallery.notes == "Inline gallery notes.\n\nFrom _gallery.md."
    assert portfolio.problems == ()  # _gallery.md is not an orphan notes file


def test_gallery_notes_file_without_config(portfolio_dir: Path) -> None:
    write(portfolio_dir / "studio" / "_gallery.md", "About the studio.")
    gallery = open_portfolio(portfolio_dir).gallery("studio")
    assert gallery is not None
    assert gallery.notes == "About the studio."


def test_photos_entry_matching_no_photo_is_reported(configured: Path) -> None:
    write(
        configured / "config.toml",
        '[[galleries]]\nid = "studio"\n\n[photos."studio/a1.jpg"]\ntitle = "A"\n\n'
        '[photos."studio/ghost.jpg"]\ntitle = "Boo"\n',
    )
    portfolio = open_portfolio(configured)
    problem = problem_about(portfolio, "[photos] entry 'studio/ghost.jpg' matches no photo")
    assert problem.line == 7
    photo = portfolio.photo("studio/a1.jpg")
    assert photo is not None and photo.display_title == "A"


# -- comparisons --------------------------------------------------------------------


def test_comparisons_resolve_photos(configured: Path) -> None:
    write(
        configured / "config.toml",
        '[[galleries]]\nid = "studio"\n\n'
        '[photos."studio/b.jpg"]\ntitle = "Bee"\n\n'
        "[[comparisons]]\n"
        'id = "ab"\n'
        'title = "A or B"\n'
        "photos = [\n"
        '  { photo = "studio/a1.jpg", label = "Before" },\n'
        '  "studio/b.jpg",\n'
        '  "top.jpg",\n'
        "]\n",
    )
    portfolio = open_portfolio(configured)
    assert portfolio.problems == ()
    comparison = portfolio.comparison("ab")
    assert comparison is not None
    assert comparison.title == "A or B"
    assert [(s.rel, s.label) for s in comparison.sides] == [
        ("studio/a1.jpg", "Before"),
        ("studio/b.jpg", "Bee"),
        ("top.jpg", "top"),
    ]
    first = comparison.sides[0].photo
    assert first is portfolio.photo("studio/a1.jpg")
    # A photo outside every gallery is still resolved for the comparison.
    third = comparison.sides[2].photo
    assert third is not None and third.path.name == "top.jpg"
    assert portfolio.comparison("nope") is None


def test_comparison_with_missing_photo(configured: Path) -> None:
    write(
        configured / "config.toml",
        '[[galleries]]\nid = "studio"\n\n[[comparisons]]\nid = "c"\nphotos = [\n'
        '  "studio/a1.jpg",\n  { photo = "studio/gone.jpg", label = "Gone" },\n]\n',
    )
    portfolio = open_portfolio(configured)
    comparison = portfolio.comparison("c")
    assert comparison is not None
    missing = comparison.sides[1]
    assert missing.photo is None
    assert missing.label == "Gone"
    problem = problem_about(portfolio, "comparison photo 'studio/gone.jpg' does not exist")
    assert (problem.line, problem.column) == (8, 3)


# -- symlinks ------------------------------------------------------------------------


def test_file_symlink_outside_root_is_skipped(tmp_path: Path, make_image: ImageMaker) -> None:
    secret = make_image(tmp_path / "outside" / "secret.jpg")
    root = tmp_path / "pf"
    make_image(root / "g" / "ok.jpg")
    symlink(secret, root / "g" / "link.jpg")
    symlink("ok.jpg", root / "g" / "inner.jpg")
    portfolio = open_portfolio(root)
    assert names(portfolio, "g") == ["inner.jpg", "ok.jpg"]
    problem = problem_about(portfolio, "symlink points outside the portfolio root")
    assert problem.file == root.resolve() / "g" / "link.jpg"


def test_gallery_folder_symlink_outside_root_is_skipped(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(tmp_path / "outside" / "secret.jpg")
    root = tmp_path / "pf"
    make_image(root / "g" / "ok.jpg")
    symlink(tmp_path / "outside", root / "escape", directory=True)
    portfolio = open_portfolio(root)
    assert [g.id for g in portfolio.galleries] == ["g"]
    assert "folder symlink points outside the portfolio root; skipped" in messages(portfolio)
    assert all(p.path.name != "secret.jpg" for p in portfolio.photos())


def test_configured_gallery_folder_symlink_outside_root(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    make_image(tmp_path / "outside" / "secret.jpg")
    root = tmp_path / "pf"
    root.mkdir()
    symlink(tmp_path / "outside", root / "escape", directory=True)
    write(root / "config.toml", '[[galleries]]\nid = "esc"\nfolder = "escape"\n')
    portfolio = open_portfolio(root)
    problem = problem_about(portfolio, "leads outside the portfolio root")
    assert problem.line == 3
    assert len(portfolio.photos()) == 0


def test_symlink_loops_do_not_crash(tmp_path: Path, make_image: ImageMaker) -> None:
    root = tmp_path / "pf"
    make_image(root / "g" / "ok.jpg")
    symlink("self.jpg", root / "g" / "self.jpg")
    symlink("b.jpg", root / "g" / "a.jpg")
    symlink("a.jpg", root / "g" / "b.jpg")
    symlink("gone.jpg", root / "g" / "dangling.jpg")
    symlink("loop", root / "loop", directory=True)
    portfolio = open_portfolio(root)
    assert names(portfolio, "g") == ["ok.jpg"]
    skipped = sorted(
        p.file.name for p in portfolio.problems if p.message.startswith("broken or looping")
    )
    assert skipped == ["a.jpg", "b.jpg", "dangling.jpg", "loop", "self.jpg"]  # the folder too


@pytest.mark.skipif(not can_chmod(), reason="permissions mean nothing as root")
def test_unreadable_gallery_folder_is_reported(tmp_path: Path, make_image: ImageMaker) -> None:
    make_image(tmp_path / "ok" / "a.jpg")
    locked = tmp_path / "locked"
    make_image(locked / "a.jpg")
    locked.chmod(0o000)
    try:
        portfolio = open_portfolio(tmp_path)
    finally:
        locked.chmod(0o755)
    assert names(portfolio, "ok") == ["a.jpg"]
    assert any("permission denied" in m for m in messages(portfolio))


# -- photo sets and filters ----------------------------------------------------------------


def photo(name: str, **kwargs: object) -> Photo:
    return Photo(path=Path("/pf") / name, rel=name, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def photos() -> PhotoSet:
    return PhotoSet(
        [
            photo("a.jpg", tags=("Studio", "warm"), source="camera", title="Ada at the desk"),
            photo("b.jpg", tags=("studio",), source="ai", caption="Generated look"),
            photo("c.jpg", tags=("outdoor",), source="retouched", notes="Golden hour, f/2"),
            photo("d.jpg"),
        ]
    )


def rels(photo_set: PhotoSet) -> list[str]:
    return [p.rel for p in photo_set]


def test_tagged_is_case_insensitive(photos: PhotoSet) -> None:
    assert rels(photos & Tagged("STUDIO")) == ["a.jpg", "b.jpg"]


def test_from_source(photos: PhotoSet) -> None:
    assert rels(photos & FromSource("ai")) == ["b.jpg"]


def test_text_match_searches_title_caption_name_and_notes(photos: PhotoSet) -> None:
    assert rels(photos & TextMatch("desk")) == ["a.jpg"]
    assert rels(photos & TextMatch("generated")) == ["b.jpg"]
    assert rels(photos & TextMatch("GOLDEN")) == ["c.jpg"]
    assert rels(photos & TextMatch("d.jpg")) == ["d.jpg"]


def test_filters_combine(photos: PhotoSet) -> None:
    assert rels(photos & (Tagged("studio") & FromSource("camera"))) == ["a.jpg"]
    assert rels(photos & (Tagged("outdoor") | FromSource("ai"))) == ["b.jpg", "c.jpg"]
    assert rels(photos & ~Tagged("studio")) == ["c.jpg", "d.jpg"]
    assert rels(photos & ~(Tagged("studio") | Tagged("outdoor"))) == ["d.jpg"]


def test_photo_set_is_immutable_and_ordered(photos: PhotoSet) -> None:
    filtered = photos & Tagged("studio")
    assert len(photos) == 4  # filtering makes a new set
    assert filtered is not photos
    assert filtered == PhotoSet([photos[0], photos[1]])
    assert hash(filtered) == hash(PhotoSet([photos[0], photos[1]]))
    assert photos.index(photos[2]) == 2
    assert not PhotoSet()
    with pytest.raises(AttributeError):
        photos.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        photos[0] = photos[1]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        photos[0].title = "changed"  # type: ignore[misc]


def test_portfolio_photos_filters(configured: Path) -> None:
    write(
        configured / "config.toml",
        '[[galleries]]\nid = "studio"\n[photos."studio/b.jpg"]\ntags = ["pick"]\nsource = "ai"\n',
    )
    portfolio = open_portfolio(configured)
    assert [p.rel for p in portfolio.photos() & Tagged("pick")] == ["studio/b.jpg"]
    assert [p.source_label for p in portfolio.photos() & FromSource("ai")] == ["AI-generated"]


def test_load_portfolio_from_default_config(portfolio_dir: Path) -> None:
    portfolio = load_portfolio(default_config(portfolio_dir))
    assert portfolio.root == portfolio_dir.resolve()
    assert len(portfolio.photos()) == 5


def test_every_photo_lists_each_once_including_comparison_only_photos(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = tmp_path / "p"
    make_image(root / "studio" / "a.jpg")
    make_image(root / "studio" / "b.jpg")
    make_image(root / "extra" / "x.jpg")
    write(
        tmp_path / "config.toml",
        '[portfolio]\nroot = "p"\n[[galleries]]\nid = "studio"\n'
        '[[comparisons]]\nid = "c"\nphotos = ["studio/a.jpg", "extra/x.jpg"]\n',
    )
    portfolio = open_portfolio(tmp_path / "config.toml")
    assert [p.rel for p in portfolio.every_photo()] == [
        "studio/a.jpg",
        "studio/b.jpg",
        "extra/x.jpg",
    ]
