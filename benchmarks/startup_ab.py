"""Start-up of this tree against another revision and a bare Textual app, in one run.

Run by hand: ``.venv/bin/python benchmarks/startup_ab.py [--against REV] [--rounds 15]``.
Machines here are noisy: a change to start-up is only seen when both trees
run interleaved in the same minutes. This copies ``src`` of REV (default
HEAD~1) and of the working tree to /tmp, compiles both, and alternates rounds:
the bare Textual app's first frame, then each tree to a complete, still grid
(1,000-photo gallery, 200x50 pty, warm cache, as ``grid_pty.py``), choosing
the tree with PYTHONPATH. Prints medians, minima and the ratios to the bare app.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grid_pty import app_argv, corpus, first_paint_bare
from ptyterm import Session

REPO = Path(__file__).resolve().parent.parent


def copy_of(rev: str | None) -> Path:
    """``src`` of ``rev`` (None: the working tree), compiled, in a temp folder."""
    target = Path(tempfile.mkdtemp(prefix="portfolio-tui-ab-"))
    if rev is None:
        shutil.copytree(REPO / "src", target / "src")
    else:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", rev, "src"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target)], env=env, check=False)
    return target / "src"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", default="HEAD~1", metavar="REV")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    root = corpus(1000)
    cache = Path(tempfile.gettempdir()) / "portfolio-tui-bench-cache"
    env = {"XDG_CACHE_HOME": str(cache), "COLORTERM": "truecolor"}
    subprocess.run(
        [sys.executable, "-m", "portfolio_tui", "thumbs", str(root)],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    trees = {args.against: copy_of(args.against), "working tree": copy_of(None)}
    times: dict[str, list[float]] = {"bare Textual": [], **{name: [] for name in trees}}
    for _ in range(args.rounds):
        times["bare Textual"].append(first_paint_bare(env))
        for name, src in trees.items():
            session = Session(app_argv(root), env={**env, "PYTHONPATH": str(src)})
            session.spawn()
            times[name].append(session.settle(quiet=0.8))
            session.close()
    bare = statistics.median(times["bare Textual"])
    print(f"1,000-photo gallery, 200x50 pty, warm cache, {args.rounds} interleaved rounds")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:<16} median {median * 1000:6.0f} ms  min {min(values) * 1000:6.0f} ms"
            f"  ratio {median / bare:.2f}"
        )
    for src in trees.values():
        shutil.rmtree(src.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
