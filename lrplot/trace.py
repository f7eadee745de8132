"""Trace: what a run recorded, as axes and tracks.

A trace has x axes (``step``, the scheduler's ``last_epoch``; with a scheduler
stepped once an epoch, ``update`` and ``epoch`` too) and tracks keyed by
(quantity, param group): ``("lr", 0)`` always,
and whatever else a stepper reports (momentum, a metric). Writers and figures
derive their columns and panels from the tracks, so a new quantity needs no
change there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .options import RunOptions
from .registry import Schedule

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]  # a track's values
    Axis = NDArray[np.int64]  # an x axis
    Column = NDArray[np.generic]  # either, as a table column
else:
    Array = Axis = Column = object

TrackKey = tuple[str, int]  # (quantity, param group)
QUANTITY_LABELS = {"lr": "learning rate"}  # axis labels; other quantities show their own name


def track_name(key: TrackKey) -> str:
    """``lr`` for the first group's lr, ``lr_group1``... for the others; likewise other quantities."""
    quantity, group = key
    return quantity if group == 0 else f"{quantity}_group{group}"


@dataclass(frozen=True)
class Trace:
    """What a run recorded.

    Attributes:
        schedule: the resolved schedule that made it.
        axes: x axes by name, each of the same length; the first is the
            figures' x: ``step`` (the scheduler's ``last_epoch`` of each
            value), or ``update`` (the optimizer update) when the scheduler
            steps once an epoch, followed by ``epoch`` and ``step``.
        tracks: float64 arrays by (quantity, param group), in column order.
        options: how the run was made.
        versions: package versions that made the values.
        label: a name for legends; defaults to the schedule's name.
        warnings: what the values show that a reader should know (an overflow).
    """

    schedule: Schedule
    axes: dict[str, Axis]
    tracks: dict[TrackKey, Array]
    options: RunOptions = field(default_factory=RunOptions)
    versions: dict[str, str] = field(default_factory=dict)
    label: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def steps(self) -> Axis:
        """The ``last_epoch`` of each value."""
        return self.axes["step"]

    @property
    def x_name(self) -> str:
        """The axis figures draw along: ``step``, or ``update`` for a scheduler stepped per epoch."""
        return next(iter(self.axes))

    @property
    def x(self) -> Axis:
        return self.axes[self.x_name]

    @property
    def quantities(self) -> list[str]:
        """The recorded quantities, ``lr`` first."""
        return list(dict.fromkeys(quantity for quantity, _ in self.tracks))

    def track(self, quantity: str, group: int = 0) -> Array:
        return self.tracks[(quantity, group)]

    @property
    def lr(self) -> Array:
        """The lr of the first param group."""
        return self.tracks[("lr", 0)]

    @cached_property
    def lrs(self) -> Array:
        """The lr of every param group: shape (groups, steps)."""
        import numpy as np

        return np.array([values for (quantity, _), values in self.tracks.items() if quantity == "lr"])

    @property
    def name(self) -> str:
        return self.label or self.schedule.name

    @property
    def engine(self) -> str:
        return self.options.engine

    @property
    def record(self) -> str:
        return self.options.record

    @property
    def optimizer(self) -> str:
        """The optimizer the values came through (``none`` for the numpy engine)."""
        return self.options.optimizer if self.options.engine == "torch" else "none"

    def metadata(self) -> dict[str, object]:
        """Everything needed to regenerate these values (the caller may add a ``command``)."""
        per_epoch = {"interval": "epoch", "steps_per_epoch": self.options.steps_per_epoch}
        return {
            "params": self.schedule.describe(),
            "engine": self.options.engine,
            "optimizer": self.optimizer,
            "record": self.options.record,
            **(per_epoch if self.options.interval == "epoch" else {}),
            "step_convention": self.options.convention,
            "versions": self.versions,
        }


def table(traces: Mapping[str, Trace], every: int = 1) -> tuple[list[str], list[Column]]:
    """Header and columns for traces on one x axis: the axes, then one column per track.

    An unlabelled trace's columns are its track names (``lr``, ``lr_group1``,
    ``momentum``); a labelled one's are ``LABEL`` for its first group's lr and
    ``LABEL:NAME`` for the others. ``every`` keeps one row in that many.
    """
    first = next(iter(traces.values()))
    header: list[str] = list(first.axes)
    columns: list[Column] = [axis[::every] for axis in first.axes.values()]
    for label, trace in traces.items():
        for key, values in trace.tracks.items():
            name = track_name(key)
            header.append(name if not label else label if key == ("lr", 0) else f"{label}:{name}")
            columns.append(values[::every])
    return header, columns
