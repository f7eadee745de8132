"""The numpy engine: closed-form multipliers evaluated on whole step arrays.

It imports no torch. The values equal the torch engine's: ``LambdaLR`` sets
``lr = base_lr * lr_lambda(last_epoch)``, and this engine multiplies the same
base lr by the same formula (:class:`lrplot.piecewise.Piecewise`), evaluated
with numpy's versions of the same operations.
"""

from __future__ import annotations

from . import __version__
from .curve import Curve
from .registry import Schedule


def run(schedule: Schedule, record: str = "before", last_epoch: int = -1) -> Curve:
    """The curve the torch engine would record, computed on arrays.

    The steps follow torch's convention: the constructor advances
    ``last_epoch`` by one (to 0 for a new run, to ``last_epoch + 1`` when
    resuming), and ``record="after"`` reads after one more step.
    """
    import numpy as np

    multiplier = schedule.lr_lambda()  # raises NoClosedFormError for torch's own schedulers
    first = last_epoch + 1 + (1 if record == "after" else 0)
    steps = np.arange(first, first + schedule.steps, dtype=np.int64)
    lrs = np.empty((len(schedule.lrs), schedule.steps), dtype=np.float64)
    multiplier.evaluate(steps, out=lrs[0])  # type: ignore[attr-defined]
    for g in range(len(schedule.lrs) - 1, -1, -1):  # group 0 last: it holds the multiplier
        np.multiply(lrs[0], schedule.lrs[g], out=lrs[g])
    return Curve(
        schedule=schedule,
        steps=steps,
        lrs=lrs,
        engine="numpy",
        record=record,
        optimizer="none",
        versions={"lrplot": __version__, "numpy": np.__version__},
    )
