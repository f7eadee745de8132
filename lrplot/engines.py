"""Choosing an engine: the real torch scheduler, or the same formulas on numpy arrays."""

from __future__ import annotations

from .options import RunOptions
from .registry import Schedule
from .steppers import Progress
from .trace import Trace


def run(
    schedule: Schedule,
    options: RunOptions | None = None,
    last_epoch: int = -1,
    progress: Progress | None = None,
) -> Trace:
    """The trace of ``schedule`` from the engine ``options`` name.

    ``torch`` steps the real optimizer and scheduler (:mod:`lrplot.runner`);
    ``numpy`` evaluates the same closed-form multipliers on whole step arrays
    without importing torch (:mod:`lrplot.vector`), and refuses schedules that
    have none.
    """
    options = options or RunOptions()
    if options.engine == "numpy":
        from . import vector

        return vector.run(schedule, options, last_epoch, progress)
    from . import runner

    return runner.run(schedule, options, last_epoch, progress)
