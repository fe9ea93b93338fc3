"""The SQLite curation store under many processes: kill -9 mid-save, 8 curators at once."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from curation_support import stress_edit
from portfolio_tui.curation import Change
from portfolio_tui.store.sqlite_curation import DB_NAME, SqliteCurationStore

PROCESSES = 8
EDITS = 200
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _curator(root: str, worker: int, start: multiprocessing.synchronize.Event) -> None:
    store = SqliteCurationStore(Path(root), author=f"w{worker}@test", lock_timeout=60)
    store.load()
    start.wait()
    for n in range(EDITS):
        # Every curator also changes one field of a shared photo that the others change
        # too (the same field: last writer wins), and a field of its own on it.
        shared = Change.rating("shared.jpg", 1 + worker % 5)
        if n == EDITS - 1:
            shared = Change.notes("shared.jpg", f"last of w{worker}")
        store.apply([stress_edit(worker, n), shared])
    store.close()


def integrity(root: Path) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(root / DB_NAME)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchall()


def count(root: Path, sql: str) -> int:
    with contextlib.closing(sqlite3.connect(root / DB_NAME)) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_eight_processes_at_once_lose_nothing(tmp_path: Path) -> None:
    SqliteCurationStore(tmp_path).apply([])  # made once, as the first curator's save would
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_curator, args=(str(tmp_path), w, start)) for w in range(PROCESSES)]
    for p in procs:
        p.start()
    watcher = SqliteCurationStore(tmp_path)
    watcher.load()
    began = time.monotonic()
    start.set()
    seen = 0
    while any(p.is_alive() for p in procs):
        seen += len(watcher.refresh())
        time.sleep(0.01)
    for p in procs:
        p.join(timeout=120)
    elapsed = time.monotonic() - began
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    seen += len(watcher.refresh())
    snap = SqliteCurationStore(tmp_path).load()
    for w in range(PROCESSES):
        for n in range(EDITS):
            change = stress_edit(w, n)
            assert change.photo is not None
            got = getattr(snap.photo(change.photo), change.field)
            want = tuple(change.value) if isinstance(change.value, list) else change.value
            assert got == want, (w, n, change)
    assert snap.photo("shared.jpg").rating in {1 + w % 5 for w in range(PROCESSES)}
    assert snap.photo("shared.jpg").notes.startswith("last of w")
    made = PROCESSES * EDITS * 2
    assert count(tmp_path, "SELECT count(*) FROM history") == made
    # A process that followed along by refresh alone holds what a full read holds.
    assert seen == made and watcher.snapshot == snap
    assert integrity(tmp_path) == [("ok",)]
    print(f"{PROCESSES}x{EDITS} saves in {elapsed:.1f} s")


CHILD = """
import sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from portfolio_tui.curation import Change
from portfolio_tui.store.sqlite_curation import SqliteCurationStore

store = SqliteCurationStore(Path(sys.argv[1]), author="child@test")
store.load()
round_, n = sys.argv[2], 0
while True:
    note = Change.notes(f"r{round_}/p{n}.jpg", "x" * 2000)
    store.apply([note, Change.rating("a.jpg", 1 + n % 5)])
    print(f"ack {n}", flush=True)
    n += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_mid_save_keeps_every_acknowledged_change(tmp_path: Path) -> None:
    rng = random.Random(16)
    store = SqliteCurationStore(tmp_path, author="parent@test")
    store.load()
    store.apply([Change.notes(f"seed/p{i}.jpg", "seed " * 100) for i in range(200)])
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    total = 200
    for round_ in range(30):
        children = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD, str(tmp_path), f"{round_}-{c}", SRC],
                stdout=subprocess.PIPE,
                bufsize=0,  # readline below takes no byte past its line
                env=env,
            )
            for c in range(2)
        ]
        firsts = []
        for child in children:
            assert child.stdout is not None
            firsts.append(child.stdout.readline().decode())  # saving in a loop from now on
            assert firsts[-1].startswith("ack"), firsts[-1]
        time.sleep(rng.uniform(0.0, 0.05))
        for child in children:
            child.send_signal(signal.SIGKILL)
        # Killed before the parent reads anything more: these are all the acknowledgements.
        acked = []
        for child, first in zip(children, firsts, strict=True):
            rest, _ = child.communicate(timeout=30)
            lines = [first, *rest.decode().splitlines()]
            acked.append([int(line.split()[1]) for line in lines])
        assert integrity(tmp_path) == [("ok",)], round_
        snap = SqliteCurationStore(tmp_path).load()
        for c, numbers in enumerate(acked):
            for n in numbers:
                assert snap.photo(f"r{round_}-{c}/p{n}.jpg").notes == "x" * 2000, (round_, c, n)
        # A save whose acknowledgement was cut off may have landed; nothing else did.
        landed = [p for p in snap.photos if p.startswith(f"r{round_}-")]
        assert len(landed) - sum(len(a) for a in acked) in (0, 1, 2)
        total += 2 * len(landed)
        # Every saved change has its history row, and no row is without its change.
        assert count(tmp_path, "SELECT count(*) FROM history") == total
        assert len([p for p in snap.photos if p.startswith("seed/")]) == 200
    # The parent's connection, open all along, follows by refresh and can still save.
    store.refresh()
    assert store.snapshot == SqliteCurationStore(tmp_path).load()
    store.apply([Change.rating("done.jpg", 1)])
    assert integrity(tmp_path) == [("ok",)]
