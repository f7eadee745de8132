"""The numpy engine: closed-form multipliers evaluated on whole step arrays.

It imports no torch. The values equal the torch engine's: ``LambdaLR`` sets
``lr = base_lr * lr_lambda(last_epoch)`` for each group, and this engine
multiplies the same base lr by the same formula
(:class:`lrplot.piecewise.Piecewise`), evaluated with numpy's versions of the
same operations.
"""

from __future__ import annotations

from dataclasses import replace

from .errors import NoClosedFormError
from .laws import Multipliers
from .options import RunOptions
from .registry import Schedule
from .steppers import Progress, trace_of
from .trace import Array, Axis, Trace, TrackKey
from .version import __version__


class ArrayStepper:
    """A schedule's multipliers evaluated on arrays of steps, as torch would step them.

    Steps follow torch's convention: the constructor advances ``last_epoch`` by
    one (to 0 for a new run, to ``last_epoch + 1`` when resuming).
    """

    chunk = 1 << 62  # one call: Piecewise.evaluate bounds its own memory

    def __init__(self, schedule: Schedule, last_epoch: int = -1) -> None:
        import numpy as np

        law = schedule.law()
        if not isinstance(law, Multipliers):
            raise NoClosedFormError(schedule.name)
        self.law, self.lrs = law, schedule.lrs
        self.versions = {"lrplot": __version__, "numpy": np.__version__}
        self._last_epoch = last_epoch + 1
        self._parts: list[dict[TrackKey, Array]] = []

    @property
    def last_epoch(self) -> int:
        return self._last_epoch

    def take(self, epochs: Axis) -> None:
        import numpy as np

        evaluated: dict[int, Array] = {}  # groups that share a multiplier evaluate it once
        part: dict[TrackKey, Array] = {}
        for g in range(len(self.lrs) - 1, -1, -1):  # group 0 last: it may reuse the buffer
            multiplier = self.law.per_group[g]
            if id(multiplier) not in evaluated:
                with np.errstate(all="ignore"):  # an overflow is reported once, in lrplot's words (engines)
                    evaluated[id(multiplier)] = multiplier.evaluate(epochs)
            values = evaluated[id(multiplier)]
            out = values if g == 0 and all(m is multiplier for m in self.law.per_group) else None
            with np.errstate(all="ignore"):
                part[("lr", g)] = np.multiply(values, self.lrs[g], out=out)
        self._parts.append(dict(sorted(part.items())))
        self._last_epoch = int(epochs[-1])

    def tracks(self) -> dict[TrackKey, Array]:
        import numpy as np

        if len(self._parts) == 1:
            return self._parts[0]
        return {key: np.concatenate([part[key] for part in self._parts]) for key in self._parts[0]}


def run(
    schedule: Schedule,
    options: RunOptions | None = None,
    last_epoch: int = -1,
    progress: Progress | None = None,
) -> Trace:
    """The trace the torch engine would record, computed on arrays."""
    options = replace(options or RunOptions(), engine="numpy")
    return trace_of(ArrayStepper(schedule, last_epoch), schedule, options, progress)
