"""Choosing an engine: the real torch scheduler, or the same formulas on numpy arrays."""

from __future__ import annotations

from collections.abc import Callable

from .curve import RECORD_MODES, Curve
from .errors import ParameterError
from .registry import Schedule

ENGINES = ("torch", "numpy")
OPTIMIZERS = ("sgd", "adam", "adamw")


def check_run_options(optimizer: str = "sgd", record: str = "before", engine: str = "torch") -> None:
    """Raise ParameterError for an unknown optimizer, record mode or engine."""
    for name, value, valid in (
        ("optimizer", optimizer, OPTIMIZERS),
        ("record", record, RECORD_MODES),
        ("engine", engine, ENGINES),
    ):
        if value not in valid:
            raise ParameterError(name, f"expected one of {', '.join(valid)}, got {value!r}")


def run(
    schedule: Schedule,
    engine: str = "torch",
    optimizer: str = "sgd",
    record: str = "before",
    last_epoch: int = -1,
    progress: Callable[[int, int], None] | None = None,
) -> Curve:
    """The curve of ``schedule`` from the chosen engine.

    ``torch`` steps the real optimizer and scheduler (:mod:`lrplot.runner`);
    ``numpy`` evaluates the same closed-form multiplier on whole step arrays
    without importing torch (:mod:`lrplot.vector`), and refuses schedules that
    have none.
    """
    check_run_options(optimizer, record, engine)
    if engine == "numpy":
        from . import vector

        return vector.run(schedule, record=record, last_epoch=last_epoch)
    from . import runner

    return runner.run(schedule, optimizer=optimizer, record=record, last_epoch=last_epoch, progress=progress)
