"""The stepper protocol and the one recording loop every engine shares.

A :class:`Stepper` is anything that advances a schedule and reports values: the
real torch scheduler (:mod:`lrplot.runner`), the numpy evaluator
(:mod:`lrplot.vector`), and later a timm ``step_update``, an optax function or a
DeepSpeed scheduler. :func:`record` reads it under the step convention of
:class:`~lrplot.options.RunOptions`, and :func:`trace_of` makes the trace: one
value per optimizer update, whether the scheduler steps every update or once an
epoch (the stepping interval, decided here once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .options import Record, RunOptions
from .registry import Schedule
from .trace import Array, Axis, Trace, TrackKey

Progress = Callable[[int, int], None]  # (done, total)


class Stepper(Protocol):
    """A schedule being stepped.

    Attributes:
        chunk: how many readings one :meth:`take` should ask for (progress is
            reported between chunks).
        versions: the packages that compute the values.
    """

    chunk: int
    versions: dict[str, str]

    @property
    def last_epoch(self) -> int:
        """The scheduler's ``last_epoch`` now."""
        ...

    def take(self, epochs: Axis) -> None:
        """Read every track at each of ``epochs``, consecutive ``last_epoch``
        values from the current one or the next: step to each, then read."""
        ...

    def tracks(self) -> dict[TrackKey, Array]:
        """Everything read so far, one array per track, in column order."""
        ...


def record(stepper: Stepper, steps: int, mode: Record, progress: Progress | None = None) -> Axis:
    """Read ``stepper`` ``steps`` times; the ``last_epoch`` of each reading.

    ``before``: read the fresh scheduler, then after each of ``steps - 1``
    steps (last_epoch 0..N-1 for a new run); ``after``: read after each of
    ``steps`` steps (1..N), as the source article does.
    """
    import numpy as np

    first = stepper.last_epoch + (1 if mode == "after" else 0)
    epochs = np.arange(first, first + steps, dtype=np.int64)
    for start in range(0, steps, stepper.chunk):
        stepper.take(epochs[start : start + stepper.chunk])
        if progress is not None:
            progress(min(start + stepper.chunk, steps), steps)
    # Every scheduler adds one to last_epoch per step; make sure of it.
    if stepper.last_epoch != first + steps - 1:
        raise RuntimeError(f"last_epoch ended at {stepper.last_epoch}, expected {first + steps - 1}")
    return epochs


def trace_of(stepper: Stepper, schedule: Schedule, options: RunOptions, progress: Progress | None = None) -> Trace:
    """The trace of ``schedule``: one value per optimizer update, under ``options``.

    Stepped every update, the axis is ``step`` (the scheduler's last_epoch).
    Stepped once an epoch of K updates, the scheduler is read once an epoch and
    each value holds for the epoch's K updates; the axes are ``update``,
    ``epoch`` and ``step``.
    """
    per = options.updates_per_step
    epochs = record(stepper, -(-schedule.steps // per), options.record, progress)
    tracks = stepper.tracks()
    if per == 1:
        return Trace(schedule, {"step": epochs}, tracks, options, stepper.versions)
    import numpy as np

    update = np.arange(schedule.steps, dtype=np.int64)
    epoch = update // per  # each update reads its epoch's value (indexing: no array of epochs * K)
    axes = {"update": update, "epoch": epoch, "step": epochs[epoch]}
    return Trace(schedule, axes, {k: v[epoch] for k, v in tracks.items()}, options, stepper.versions)
