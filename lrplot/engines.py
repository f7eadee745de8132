"""Choosing an engine: the real torch scheduler, or the same formulas on numpy arrays."""

from __future__ import annotations

from dataclasses import replace

from .errors import UsageError
from .limits import check_run_size
from .options import RunOptions
from .registry import Schedule
from .steppers import Progress
from .trace import Trace, track_name


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
    have none. A run that cannot fit in memory is refused before it starts; one
    whose values are not numbers is an error, and one that overflows to
    infinity carries a warning.
    """
    options = options or RunOptions()
    check_run_size(schedule.steps, len(schedule.lrs), per_epoch=options.interval == "epoch")
    try:
        if options.engine == "numpy":
            from . import vector

            trace = vector.run(schedule, options, last_epoch, progress)
        else:
            from . import runner

            trace = runner.run(schedule, options, last_epoch, progress)
    except (ArithmeticError, ValueError) as e:  # a formula pushed past what floats hold (math domain error)
        raise UsageError(f"{schedule.name} cannot be computed with these parameters: {e}") from None
    return replace(trace, warnings=non_finite(trace))


def preload(engine: str, figures: bool) -> None:
    """Import what a run will need while signals wait.

    A signal raised in the middle of importing torch, numpy or matplotlib
    leaves the module half made (a traceback), and inside torch's C++ start-up
    it aborts the process. Held here, it is acted on once the imports are done.
    """
    from .files import signals_held

    with signals_held():
        import numpy  # noqa: F401

        if engine == "torch":
            from . import runner

            runner.load()
        if figures:
            from . import plot

            plot.load()


def non_finite(trace: Trace) -> tuple[str, ...]:
    """Warnings for tracks that overflow to infinity; a UsageError for NaN."""
    import numpy as np

    warnings = []
    for key, values in trace.tracks.items():
        finite = np.isfinite(values)
        if finite.all():
            continue
        first = int(np.argmin(finite))
        where = f"{trace.x_name} {int(trace.x[first])}"
        if np.isnan(values[first]):
            raise UsageError(f"{trace.schedule.name}: {track_name(key)} is not a number (NaN) from {where} on")
        warnings.append(f"{track_name(key)} overflows to {values[first]} from {where} on (figures leave it out)")
    return tuple(warnings)
