"""Parameters shared by several families, named as in transformers' get_scheduler."""

from __future__ import annotations

from ..notation import Definition
from ..params import Param

WARMUP = Param("warmup", "count", 0, "warmup steps: a whole count, or a fraction below 1 of the training steps")
TRAINING_STEPS = Param("training_steps", "int", None, "num_training_steps of the schedule (default: --steps)", low=1)
NUM_CYCLES_HALF = Param(
    "num_cycles", "float", 0.5, "cosine waves after warmup (0.5: one half-cosine down to 0)", low=0, low_open=True
)

# The documented formulas' linear warmup, and the progress after it
WARMUP_FORMULA = "s / max(1, W)"
PROGRESS = Definition("p", "(s - W) / max(1, T - W)", meaning="the progress after warmup")


def warmed(tail: str) -> str:
    """A documented formula: the linear warmup, then ``tail``."""
    return f"{WARMUP_FORMULA} if s < W else {tail}"
