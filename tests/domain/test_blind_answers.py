"""Blind-test answers (issue 18): saved beside the picks in curation.sqlite, read back, judged
(told real from AI or not), and tallied by ``portfolio-tui picks tally`` as a table or CSV."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from conftest import ImageMaker, write
from portfolio_tui.cli.picks import run_picks
from portfolio_tui.picks import PicksError
from portfolio_tui.store.blind import BlindAnswer, tally, told_real_from_ai
from portfolio_tui.store.sqlite_blind import TABLE, SqliteBlindStore
from portfolio_tui.store.sqlite_curation import DB_NAME, SqliteCurationStore
from portfolio_tui.store.sqlite_picks import SqlitePicksStore

REAL, FAKE, MIX = "g/real.jpg", "g/fake.jpg", "g/mix.jpg"


def answer(client: str, preferred: str | None, real: str | None, **kw: object) -> BlindAnswer:
    shown = kw.pop("shown", (FAKE, REAL))
    correct = kw.pop("correct", None if real is None else real == REAL)
    return BlindAnswer(client, str(kw.pop("comparison", "rva")), shown, preferred, real, correct)  # type: ignore[arg-type]


def names(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


def test_answers_are_saved_durably_and_read_back_in_order(tmp_path: Path) -> None:
    store = SqliteBlindStore(tmp_path, author="maria")
    assert store.load_all() == []
    assert names(tmp_path) == []  # looking writes nothing: no database yet
    odd = "g/new\nline caf\udce9.jpg"
    first = store.save(answer("Anna", FAKE, REAL))
    store.save(answer("  Zoë 山田 ", odd, None, shown=(odd, REAL)))
    assert first.at.endswith("Z") and first.by == "maria"
    again = SqliteBlindStore(tmp_path).load_all()
    assert [(a.client, a.shown, a.preferred, a.real, a.correct) for a in again] == [
        ("Anna", (FAKE, REAL), FAKE, REAL, True),
        ("Zoë 山田", (odd, REAL), odd, None, None),
    ]
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0] == 2
    # The picks beside them are unaffected, and the curation store still opens the database.
    assert SqlitePicksStore(tmp_path).clients() == []
    with SqliteCurationStore(tmp_path, read_only=True) as curation:
        curation.load()  # raises for a database it cannot read


def test_the_table_is_made_by_the_first_answer_only(tmp_path: Path) -> None:
    SqlitePicksStore(tmp_path, author="maria").apply("Anna", add=[REAL])
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert TABLE not in tables
    assert SqliteBlindStore(tmp_path).load_all() == []
    SqliteBlindStore(tmp_path).save(answer("Anna", REAL, REAL))
    assert len(SqliteBlindStore(tmp_path).load_all()) == 1
    assert SqlitePicksStore(tmp_path).load("Anna").photos() == (REAL,)


def test_a_read_only_store_saves_nothing_and_says_why(tmp_path: Path) -> None:
    store = SqliteBlindStore(tmp_path, read_only=True)
    assert store.read_only_reason == "opened read-only"
    with pytest.raises(PicksError, match="read-only"):
        store.save(answer("Anna", REAL, REAL))
    assert names(tmp_path) == []
    beside = SqliteBlindStore.beside(SqlitePicksStore(tmp_path, read_only=True))
    assert beside.read_only_reason == "opened read-only"
    with pytest.raises(PicksError, match="client"):
        SqliteBlindStore(tmp_path).save(answer("   ", REAL, REAL))


def test_a_foreign_database_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"not a database at all" * 100)
    with pytest.raises(PicksError):
        SqliteBlindStore(tmp_path).load_all()


@pytest.mark.parametrize(
    ("badges", "real", "expected"),
    [
        (["ai", "camera"], 1, True),
        (["ai", "camera"], 0, False),
        (["composite", "camera", "ai"], 2, False),
        (["camera", "composite"], 0, True),
        (["camera", "ai"], None, None),  # she did not say
        ([None, None], 0, None),  # no side has a known badge
        (["camera", None], 0, None),  # nothing AI to tell it from
        (["camera", "retouched"], 1, None),
    ],
)
def test_told_real_from_ai(badges: list[str | None], real: int | None, expected: object) -> None:
    assert told_real_from_ai(badges, real) is expected


class Side:
    def __init__(self, rel: str, label: str) -> None:
        self.rel, self.label = rel, label


class Comp:
    def __init__(self, id: str, title: str, *sides: Side) -> None:
        self.id, self.title, self.sides = id, title, sides


COMPARISONS = [
    Comp("other", "Before and after", Side("g/x.jpg", "Before"), Side("g/y.jpg", "After")),
    Comp("rva", "Real or AI", Side(REAL, "Photographer"), Side(FAKE, "Firefly")),
]


def test_tally_counts_each_clients_first_answer_per_comparison() -> None:
    answers = [
        answer("Anna", FAKE, REAL),
        answer("Ben", REAL, FAKE),
        answer("anna", REAL, REAL),  # Anna again, after the reveal: not counted
        answer("Cleo", REAL, None),
        answer("Anna", None, None, comparison="gone", shown=(MIX, REAL), correct=None),
    ]
    [rva, gone] = tally(answers, COMPARISONS)
    assert (rva.comparison, rva.title, rva.clients) == ("rva", "Real or AI", 3)
    assert [(s.photo, s.label, s.preferred, s.marked_real) for s in rva.sides] == [
        (REAL, "Photographer", 2, 1),
        (FAKE, "Firefly", 1, 1),
    ]
    assert (rva.correct, rva.known) == (1, 2)
    # A comparison no longer in the portfolio: its photos from the answers, no labels.
    assert (gone.comparison, gone.title, gone.clients, gone.known) == ("gone", "", 1, 0)
    assert [(s.photo, s.label) for s in gone.sides] == [(MIX, ""), (REAL, "")]
    assert tally([], COMPARISONS) == []


@pytest.fixture
def shoot(tmp_path: Path, make_image: ImageMaker) -> Path:
    for name in ("real.jpg", "fake.jpg"):
        make_image(tmp_path / "g" / name)
    write(
        tmp_path / "config.toml",
        '[portfolio]\ntitle = "Headshots"\n\n[[galleries]]\nid = "g"\ntitle = "G"\n\n'
        '[[comparisons]]\nid = "rva"\ntitle = "=HYPERLINK(\\"x\\") \\u001b[31m"\nphotos = [\n'
        '  { photo = "g/real.jpg", label = "Photographer" },\n'
        '  { photo = "g/fake.jpg", label = "Firefly, the AI" },\n]\n',
    )
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_picks(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_tally_with_no_answers_says_so(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tally", str(shoot))
    assert code == 0 and out == f"no blind test answers yet in {shoot}\n"
    code, out, _ = run(capsys, "tally", str(shoot), "--csv")
    assert code == 0 and out.splitlines() == [
        "comparison,title,side,photo,preferred,marked_real,clients,told_apart,told_apart_known"
    ]
    assert names(shoot) == ["config.toml", "g"]  # read only


def test_tally_table_and_csv(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = SqliteBlindStore(shoot)
    store.save(answer("Anna", FAKE, REAL))
    store.save(answer("Ben", FAKE, FAKE))
    store.save(answer("Cleo", REAL, REAL))
    before = (shoot / DB_NAME).read_bytes()
    code, out, err = run(capsys, "tally", str(shoot))
    assert code == 0 and err == ""
    assert out.splitlines() == [
        '=HYPERLINK("x") ␛[31m (rva): 3 clients',
        "  side             photo       preferred  marked real",
        "  Photographer     g/real.jpg          1            2",
        "  Firefly, the AI  g/fake.jpg          2            1",
        "  told real from AI: 2 of 3",
    ]
    code, out, _ = run(capsys, "tally", str(shoot), "--csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:4] == ["comparison", "title", "side", "photo"]
    assert rows[1:] == [
        ["rva", '\'=HYPERLINK("x") ␛[31m', "Photographer", "g/real.jpg", "1", "2", "3", "2", "3"],
        [
            "rva",
            '\'=HYPERLINK("x") ␛[31m',
            "Firefly, the AI",
            "g/fake.jpg",
            "2",
            "1",
            "3",
            "2",
            "3",
        ],
    ]
    assert (shoot / DB_NAME).read_bytes() == before  # read only


def test_tally_of_a_damaged_database_fails(shoot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (shoot / DB_NAME).write_bytes(b"garbage" * 1000)
    code, _, err = run(capsys, "tally", str(shoot))
    assert code == 2 and "portfolio-tui picks:" in err


def test_blind_option_needs_a_comparison(
    shoot: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portfolio_tui.cli import app as cli_app

    # In process: nothing that would outlive the test (signals, the environment).
    monkeypatch.setattr(cli_app, "_ignore_quit_key", lambda: None)
    monkeypatch.setattr(cli_app, "apply_colors", lambda colors, environ: None)
    assert cli_app.run_app([str(shoot), "--blind"]) == 2
    assert "--blind presents one comparison blind: add --open comparison:ID" in (
        capsys.readouterr().err
    )
    assert cli_app.run_app([str(shoot), "--blind", "--open", "gallery:g"]) == 2
    started = []
    monkeypatch.setattr(cli_app, "terminal_problem", lambda environ: None)
    monkeypatch.setattr(cli_app, "_start_app", lambda args, portfolio: started.append(args) or 0)
    argv = [str(shoot), "--blind", "--open", "comparison:rva", "--client", "Anna"]
    assert cli_app.run_app(argv) == 0
    [args] = started
    assert args.blind and args.present and args.client == "Anna"  # --blind presents
    assert "--client marks favourites" not in capsys.readouterr().err


def test_tally_says_when_real_from_ai_is_not_known(
    shoot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    SqliteBlindStore(shoot).save(answer("Anna", FAKE, None))
    code, out, _ = run(capsys, "tally", str(shoot))
    assert code == 0 and "1 client" in out
    assert "told real from AI: not known" in out and " of " not in out
