"""``portfolio-tui picks list|clients`` and ``export picks``: what a photographer sees."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from conftest import ImageMaker, write
from portfolio_tui.cli import main
from portfolio_tui.cli.export import run_export
from portfolio_tui.cli.picks import run_picks
from portfolio_tui.curation import Change, CurationStore
from portfolio_tui.picks import PICKS_NAME, PicksStore


def state(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's hash and mtime under ``root``."""
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).digest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def shoot(tmp_path: Path, make_image: ImageMaker) -> Path:
    """Two galleries with titles from a config, and the same file name in both."""
    root = tmp_path / "shoot"
    for n, colour in enumerate([(200, 0, 0), (0, 200, 0), (0, 0, 200)]):
        make_image(root / "studio" / f"s{n}.jpg", size=(60 + n, 80), color=colour)
    make_image(root / "outdoor" / "s1.jpg", size=(90, 70), color=(10, 10, 10))
    make_image(root / "outdoor" / "o2.png", fmt="PNG")
    write(
        root / "config.toml",
        '[portfolio]\ntitle = "Headshots"\nroot = "."\n\n'
        '[[galleries]]\nid = "studio"\ntitle = "Studio light"\nfolder = "studio"\n\n'
        '[[galleries]]\nid = "outdoor"\ntitle = "Outdoors"\nfolder = "outdoor"\n\n'
        '[photos."studio/s2.jpg"]\ntitle = "The best one"\n',
    )
    return root


def pick(root: Path, client: str, *photos: str, who: str = "maria") -> None:
    PicksStore(root, author=who).apply(client, add=photos)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_picks(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_export(["picks", *args])
    out, err = capsys.readouterr()
    return code, out, err


# -- picks list / clients --------------------------------------------------------


def test_list_in_gallery_order_with_titles_and_a_count(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Marked out of order; the studio's curated order puts s2 first.
    pick(shoot, "Anna Smith", "outdoor/s1.jpg", "studio/s1.jpg", "studio/s2.jpg")
    CurationStore(shoot).apply([Change.order("studio", ("s2.jpg", "s0.jpg", "s1.jpg"))])
    before = state(shoot)
    code, out, err = run(capsys, "list", "Anna Smith", str(shoot))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Favourites of Anna Smith (Headshots)"
    body = [line for line in lines[1:] if line]
    assert body[0] == "Studio light"
    assert body[1].split() == ["The", "best", "one", "studio/s2.jpg"]
    assert body[2].split() == ["s1", "studio/s1.jpg"]
    assert body[3] == "Outdoors"
    assert body[4].split() == ["s1", "outdoor/s1.jpg"]
    assert body[-1] == "3 picks"
    assert state(shoot) == before  # listing writes nothing, not even a lock file


def test_picks_of_deleted_photos_are_listed_apart(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pick(shoot, "Anna", "studio/s0.jpg", "studio/gone.jpg")
    code, out, _ = run(capsys, "list", "Anna", str(shoot))
    assert code == 0
    assert "No longer in the portfolio\n  studio/gone.jpg  (picked 20" in out
    assert out.rstrip().endswith("2 picks: 1 in the portfolio, 1 no longer in it")


def test_unknown_client_lists_the_known_ones(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pick(shoot, "Anna", "studio/s0.jpg")
    pick(shoot, "ben", "studio/s1.jpg")
    code, out, err = run(capsys, "list", "Carla", str(shoot))
    assert code == 1 and out == ""
    assert "no picks for 'Carla'" in err and "'Anna', 'ben'" in err
    code, _, err = run(capsys, "list", "Carla", str(shoot / "config.toml"))
    assert code == 1 and "'Anna', 'ben'" in err


def test_no_picks_file_at_all(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "list", "Anna", str(shoot))
    assert code == 1 and "none yet" in err
    code, out, _ = run(capsys, "clients", str(shoot))
    assert code == 0 and "no client picks yet" in out
    assert not (shoot / PICKS_NAME).exists() and not (shoot / "picks.toml.lock").exists()


def test_clients_with_counts(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pick(shoot, "ben", "studio/s1.jpg")
    pick(shoot, "Anna", "studio/s0.jpg", "studio/s2.jpg")
    code, out, _ = run(capsys, "clients", str(shoot))
    assert code == 0
    assert [line.split() for line in out.splitlines()] == [
        ["Anna", "2", "picks"],
        ["ben", "1", "pick"],
        ["2", "clients"],
    ]


def test_exit_status_2_for_bad_input(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "list", "bad\x1bname", str(shoot))
    assert code == 2 and "control characters" in err and "\x1b" not in err
    code, _, err = run(capsys, "list", "Anna", str(tmp_path / "nowhere"))
    assert code == 2 and "no such file or folder" in err
    (shoot / PICKS_NAME).write_text("version = 1\n[clients\n", encoding="utf-8")
    code, _, err = run(capsys, "list", "Anna", str(shoot))
    assert code == 2 and f"{shoot / PICKS_NAME}:2: damaged picks file" in err
    code, _, err = run(capsys, "clients", str(shoot))
    assert code == 2 and ":2: damaged" in err
    with pytest.raises(SystemExit) as exited:
        run_picks([])
    assert exited.value.code == 2


def test_help_documents_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["list", "--help"]):
        with pytest.raises(SystemExit) as exited:
            run_picks(argv)
        assert exited.value.code == 0
        out = capsys.readouterr().out
        assert "exit status" in out and "no picks" in out


def test_crafted_names_print_cleaned(
    tmp_path: Path, make_image: ImageMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "shoot"
    crafted = "g/x\x1b[31m[bold]red\n.jpg"
    make_image(root / crafted, fmt="JPEG")
    client = '[bold]"Anna"[/] \u00e5'
    pick(root, client, crafted, "g/gone\x1b]0;title\x07.jpg")
    code, out, err = run(capsys, "list", client, str(root))
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert "x\u241b[31m[bold]red\u240a" in out  # ESC and newline shown as pictures
    assert 'Favourites of [bold]"Anna"[/] \u00e5' in out
    code, out, _ = run(capsys, "clients", str(root))
    assert code == 0 and '[bold]"Anna"[/]' in out


def test_main_dispatches_picks(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pick(shoot, "Anna", "studio/s0.jpg")
    assert main(["picks", "list", "Anna", str(shoot)]) == 0
    assert "studio/s0.jpg" in capsys.readouterr().out


# -- export picks ----------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_copies_byte_identical_files_and_writes_a_csv(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pick(shoot, "Anna", "studio/s1.jpg", "outdoor/s1.jpg", "studio/s2.jpg", who="tom")
    before = state(shoot)
    out = tmp_path / "delivery" / "anna"
    code, stdout, err = export(capsys, "Anna", str(shoot), "-o", str(out))
    assert code == 0, err
    assert state(shoot) == before  # originals' bytes and mtimes untouched, nothing added
    # Two picks are called s1.jpg: each is prefixed with its gallery.
    assert sorted(p.name for p in out.iterdir()) == [
        "outdoor-s1.jpg",
        "picks.csv",
        "s2.jpg",
        "studio-s1.jpg",
    ]
    for name, rel in [
        ("studio-s1.jpg", "studio/s1.jpg"),
        ("outdoor-s1.jpg", "outdoor/s1.jpg"),
        ("s2.jpg", "studio/s2.jpg"),
    ]:
        assert (out / name).read_bytes() == (shoot / rel).read_bytes()
        assert (out / name).stat().st_mtime_ns // 10**6 == (shoot / rel).stat().st_mtime_ns // 10**6
    rows = read_csv(out / "picks.csv")
    assert list(rows[0]) == ["file", "gallery", "title", "original", "picked at", "picked by"]
    assert [(r["file"], r["gallery"], r["title"], r["original"]) for r in rows] == [
        ("studio-s1.jpg", "Studio light", "s1", "studio/s1.jpg"),
        ("s2.jpg", "Studio light", "The best one", "studio/s2.jpg"),
        ("outdoor-s1.jpg", "Outdoors", "s1", "outdoor/s1.jpg"),
    ]
    assert all(r["picked by"] == "tom" and r["picked at"].endswith("Z") for r in rows)
    assert "3 copied, 0 already there, 0 failed" in stdout
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files


def test_export_never_overwrites_and_skips_what_is_there(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pick(shoot, "Anna", "studio/s0.jpg", "studio/s2.jpg")
    out = tmp_path / "out"
    out.mkdir()
    (out / "s0.jpg").write_bytes(b"the client's own file")
    code, stdout, _ = export(capsys, "Anna", str(shoot), "-o", str(out))
    assert code == 0
    assert (out / "s0.jpg").read_bytes() == b"the client's own file"
    assert (out / "s0-2.jpg").read_bytes() == (shoot / "studio" / "s0.jpg").read_bytes()
    assert "2 copied" in stdout
    # Again: the same files are there already, nothing new is made.
    listing = sorted(p.name for p in out.iterdir())
    code, stdout, _ = export(capsys, "Anna", str(shoot), "-o", str(out))
    assert code == 0 and "0 copied, 2 already there" in stdout
    assert sorted(p.name for p in out.iterdir()) == listing
    assert [r["file"] for r in read_csv(out / "picks.csv")] == ["s0-2.jpg", "s2.jpg"]


def test_export_refuses_a_folder_inside_the_portfolio(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pick(shoot, "Anna", "studio/s0.jpg")
    before = state(shoot)
    for target in (shoot, shoot / "studio", shoot / "new" / "folder"):
        code, _, err = export(capsys, "Anna", str(shoot), "-o", str(target))
        assert code == 2 and "inside the portfolio" in err
    link = tmp_path / "sneaky"
    link.symlink_to(shoot / "outdoor")
    code, _, err = export(capsys, "Anna", str(shoot / "config.toml"), "-o", str(link))
    assert code == 2 and "inside the portfolio" in err
    assert state(shoot) == before
    assert not (shoot / "new").exists()


def test_export_unknown_client_and_missing_photos(
    shoot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pick(shoot, "Anna", "studio/s0.jpg", "studio/gone.jpg")
    code, _, err = export(capsys, "Ben", str(shoot), "-o", str(tmp_path / "ben"))
    assert code == 2 and "'Anna'" in err
    assert not (tmp_path / "ben").exists()
    code, stdout, _ = export(capsys, "Anna", str(shoot), "-o", str(tmp_path / "anna"))
    assert code == 1
    assert "1 copied" in stdout and "no longer in the portfolio: studio/gone.jpg" in stdout
    assert [r["original"] for r in read_csv(tmp_path / "anna" / "picks.csv")] == ["studio/s0.jpg"]


def test_export_csv_is_safe_for_spreadsheets(
    tmp_path: Path, make_image: ImageMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "shoot"
    make_image(root / "g" / "a.jpg")
    write(
        root / "config.toml",
        '[portfolio]\ntitle = "T"\nroot = "."\n[photos."g/a.jpg"]\n'
        'title = "=HYPERLINK(\\"http://x\\", \\"click\\")"\n',
    )
    pick(root, "Anna", "g/a.jpg")
    code, _, _ = export(capsys, "Anna", str(root), "-o", str(tmp_path / "out"))
    assert code == 0
    (row,) = read_csv(tmp_path / "out" / "picks.csv")
    assert row["title"].startswith("'=HYPERLINK")


def test_export_help_and_dispatch(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run_export(["picks", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "Exit status" in out and "never overwritten" in out
