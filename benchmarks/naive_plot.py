"""The baseline for big runs: evaluate on arrays, then plot every point.

The same values as `lrplot --engine numpy`, drawn with pyplot without
decimation. Run by benchmarks/run.py as a whole process.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import numpy as np

import lrplot
from lrplot import vector

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    steps, out = int(sys.argv[1]), Path(sys.argv[2])
    curve = vector.run(lrplot.resolve("cosine", steps, 1.0, {"warmup": steps // 10}))
    out.mkdir(parents=True, exist_ok=True)
    plt.figure(figsize=(7, 4))
    plt.plot(curve.steps, np.asarray(curve.lr))
    plt.savefig(out / "cosine.png", dpi=150)


if __name__ == "__main__":
    main()
