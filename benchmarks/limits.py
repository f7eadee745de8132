"""Check lrplot's memory estimate against what runs really take.

    python benchmarks/limits.py

``lrplot.limits`` refuses a run that would not fit in memory, from an estimate
of bytes per recorded step. This runs each job at N and 2N steps in a fresh
process, takes the peak resident memory of each, and prints the measured cost
of a step (the difference over N) beside the estimate, as a ratio: below 1, the
estimate is on the safe side. It ends with a 50M-step numpy run, which must
still be allowed and work. Run by hand, never by pytest.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

from lrplot import limits

# Runs the app in-process and prints its own peak memory (KiB on Linux).
CHILD = """
import resource, sys
from lrplot.cli.app import app
try:
    app(sys.argv[1:], prog_name="lrplot")
except SystemExit as e:
    assert not e.code, e.code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

# (what, arguments, groups, x axes, json every)
JOBS = [
    ("torch, PNG + CSV", ["--format", "png,csv"], 1, 1, None),
    ("torch, 3 param groups", ["--format", "png", "--lr", "1", "--lr", "2", "--lr", "3"], 3, 1, None),
    ("numpy, PNG + CSV", ["--engine", "numpy", "--format", "png,csv"], 1, 1, None),
    ("numpy, per epoch", ["--engine", "numpy", "--format", "png", "--interval", "epoch", "--steps-per-epoch", "7"],
     1, 3, None),
    ("numpy, JSON", ["--engine", "numpy", "--format", "json"], 1, 1, 1),
]  # fmt: skip


def peak_kib(args: list[str], out: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "cosine", "--warmup", "0.1", *args, "--out", out],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(result.stdout.split()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        print(f"{'job':<24} {'measured B/step':>16} {'estimate B/step':>16} {'ratio':>6}")
        for what, args, groups, axes, json_every in JOBS:
            n = 500_000 if "torch" in what else 2_000_000
            low = peak_kib([*args, "--steps", str(n)], out)
            high = peak_kib([*args, "--steps", str(2 * n)], out)
            measured = (high - low) * 1024 / n
            estimate = limits.bytes_per_step(groups, axes, json_every)
            print(f"{what:<24} {measured:>16.1f} {estimate:>16.1f} {measured / estimate:>6.2f}")
        peak = peak_kib(["--engine", "numpy", "--format", "png,csv", "--steps", "50000000"], out)
        print(f"50M numpy steps to PNG + CSV: peak {peak / 1024:.0f} MB")


if __name__ == "__main__":
    main()
