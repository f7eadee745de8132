"""lrplot: see the learning rate a PyTorch / HuggingFace run will use, step by step.

The public API. Nothing heavy is imported here: torch, numpy and matplotlib load
only when a curve is computed or drawn.

>>> import lrplot
>>> c = lrplot.curve("cosine", steps=3000, warmup=300)   # doctest: +SKIP
>>> lrplot.write_curve(c, "out")                          # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__version__ = "0.1.0"

from .curve import Curve
from .errors import (
    ConfigError,
    LrplotError,
    NoClosedFormError,
    OutputError,
    ParameterError,
    UnknownScheduleError,
    UsageError,
)
from .registry import Param, Schedule, ScheduleSpec, get_spec, list_specs, register, resolve
from .writers import read_csv, write_curve

__all__ = [
    "ConfigError",
    "Curve",
    "LrplotError",
    "NoClosedFormError",
    "OutputError",
    "Param",
    "ParameterError",
    "Schedule",
    "ScheduleSpec",
    "UnknownScheduleError",
    "UsageError",
    "curve",
    "get_spec",
    "list_specs",
    "read_csv",
    "register",
    "resolve",
    "write_curve",
]


def curve(
    schedule: str,
    steps: int,
    lr: float | Iterable[float] = 1.0,
    *,
    optimizer: str = "sgd",
    record: str = "before",
    engine: str = "torch",
    **params: Any,
) -> Curve:
    """Compute the curve of ``schedule``, by default through the real torch scheduler.

    Args:
        schedule: a name from ``lrplot list`` (or an alias).
        steps: how many values to record.
        lr: the initial lr, or one per param group.
        optimizer: ``sgd``, ``adam`` or ``adamw``.
        record: ``before`` (last_epoch 0..N-1) or ``after`` each scheduler.step()
            (last_epoch 1..N).
        engine: ``torch`` (the real scheduler) or ``numpy`` (the same formulas on
            arrays, for closed-form schedules; no torch import).
        **params: the schedule's own parameters, e.g. ``warmup=300``.
    """
    from . import engines

    engines.check_run_options(optimizer, record, engine)
    return engines.run(resolve(schedule, steps, lr, params), engine, optimizer=optimizer, record=record)
