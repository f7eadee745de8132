"""Time this checkout's lrplot against an earlier commit's, in one run.

    python benchmarks/versus.py REF [--runs 9]

A refactor must not make lrplot slower. This exports ``REF`` (any git commit)
to a temporary folder and runs the same commands from both trees alternately
(the console script's entry point, ``lrplot.cli.main``, with ``PYTHONPATH``
set to each tree, in this interpreter, so both use the same torch, numpy and
matplotlib), flipping the
order every round. It prints the median wall time and peak memory of each, and
the ratio. Run by hand, never by pytest: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TREE = HERE.parent

ENTRY = "import sys; sys.argv[0] = 'lrplot'; from lrplot.cli import main; main()"  # what the console script runs
# (what, arguments after 'lrplot'); {out} is a scratch folder.
JOBS = [
    ("--help", ["--help"]),
    ("list", ["list"]),
    ("main job: cosine --warmup 300 --steps 3000", ["cosine", "--warmup", "300", "--steps", "3000", "--out", "{out}"]),
    ("1M steps, torch engine, PNG + CSV", ["cosine", "--warmup", "300", "--steps", "1000000", "--out", "{out}"]),
    (
        "10M steps, numpy engine, PNG",
        ["cosine", "--warmup", "0.1", "--steps", "10000000", "--engine", "numpy", "--format", "png", "--out", "{out}"],
    ),
    (
        "compare three curves",
        ["compare", "cosine", "linear", "polynomial:power=3", "--steps", "3000", "--out", "{out}"],
    ),
]


def export(ref: str, into: Path) -> Path:
    """The tree of ``ref``, unpacked under ``into``."""
    archive = into / "ref.tar"
    subprocess.run(["git", "-C", str(TREE), "archive", "-o", str(archive), ref], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "ref", filter="data")
    return into / "ref"


def process(tree: Path, args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MB of ``lrplot ARGS`` with ``tree``'s lrplot, run in ``cwd``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", ENTRY, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        err = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"failed in {tree}: lrplot {' '.join(args)}\n{err}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ref", help="the commit to compare against (the baseline)")
    parser.add_argument("--runs", type=int, default=9, help="alternating runs per command (at least 5)")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs: at least 5")
    scratch = Path(tempfile.mkdtemp(prefix="lrplot-versus-"))
    try:
        trees = {"baseline": export(args.ref, scratch), "this": TREE}
        print(f"baseline {args.ref} vs this checkout; medians of {args.runs} alternating runs")
        print(f"{'command':<45} {'baseline':>9} {'this':>9} {'ratio':>7} {'MB base':>8} {'MB this':>8}")
        for what, words in JOBS:
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
            for r in range(args.runs):
                for name in list(trees)[:: -1 if r % 2 else 1]:
                    out = scratch / f"out-{name}"
                    results[name].append(process(trees[name], [w.format(out=out) for w in words], scratch))
            base_s, this_s = (statistics.median(t for t, _ in results[name]) for name in trees)
            base_mb, this_mb = (statistics.median(m for _, m in results[name]) for name in trees)
            print(
                f"{what:<45} {base_s:>8.3f}s {this_s:>8.3f}s {this_s / base_s:>6.3f}x {base_mb:>8.0f} {this_mb:>8.0f}"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
