"""The baseline: the source article's way of drawing a schedule.

A tiny model trained with Adam(lr=1.0) under the transformers cosine schedule:
a full training step (forward, backward, optimizer.step()) before every
scheduler.step(), get_last_lr() recorded after each, then a pyplot PNG and a
CSV. Run by benchmarks/run.py as a whole process.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import matplotlib
import torch
from transformers import get_cosine_schedule_with_warmup

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args()

    model = torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1.0)
    scheduler = get_cosine_schedule_with_warmup(optimizer, args.warmup, args.steps)
    x, y = torch.randn(64, 10), torch.randn(64, 1)
    lrs = []
    for _ in range(args.steps):
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])

    args.out.mkdir(parents=True, exist_ok=True)
    plt.figure(figsize=(7, 4))
    plt.plot(range(1, args.steps + 1), lrs, label="cosine")
    plt.legend(fontsize=13)
    plt.savefig(args.out / "cosine.png", dpi=150)
    with open(args.out / "cosine.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["step", "lr"])
        writer.writerows(zip(range(1, args.steps + 1), lrs, strict=True))


if __name__ == "__main__":
    main()
