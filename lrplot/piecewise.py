"""A multiplier written once, evaluated one step at a time or on whole arrays.

Every closed-form schedule is a :class:`Piecewise`: an ordered list of
``(condition, expression)`` pieces, where the first piece whose condition holds
gives the value (an ``if/elif/else`` chain). Conditions and expressions take the
step and an *ops* namespace, so the same text runs on a Python ``int`` (what
``LambdaLR`` passes, using ``math``) and on a numpy array (the vectorized
engine). Both engines therefore share one copy of each formula.

The scalar ops are exactly the calls ``transformers`` makes (``float``,
``math.cos``, ``max``...), in the same order, so the torch engine reproduces it
bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

# A formula's step argument is a Python int (LambdaLR) or a numpy int array
# (the numpy engine), and its ops namespace matches: the one Any of this module.
Arg = Any
Condition = Callable[[Arg, SimpleNamespace], Arg]
Expression = Callable[[Arg, SimpleNamespace], Arg]

SCALAR_OPS = SimpleNamespace(
    vector=False,  # a formula that has its own evaluators (lrplot.expression) asks which one runs
    float=float,
    cos=math.cos,
    sqrt=math.sqrt,
    maximum=max,
    minimum=min,
)


def _vector_ops() -> SimpleNamespace:
    import numpy as np  # only the vectorized engine pays for numpy

    return SimpleNamespace(
        vector=True,
        float=lambda a: np.asarray(a, dtype=np.float64),
        cos=np.cos,
        sqrt=np.sqrt,
        maximum=np.maximum,
        minimum=np.minimum,
    )


class Piecewise:
    """A multiplier ``step -> float`` made of ordered pieces.

    Args:
        pieces: ``(condition, expression)`` pairs; a ``None`` condition always
            holds and must come last.
    """

    def __init__(self, pieces: Sequence[tuple[Condition | None, Expression]]) -> None:
        if not pieces or any(cond is None for cond, _ in pieces[:-1]) or pieces[-1][0] is not None:
            raise ValueError("a Piecewise needs pieces, with a None condition last and only last")
        self.pieces = tuple(pieces)
        # Split once: LambdaLR calls this every step, and slicing per call costs ~20% of it.
        self._tests = tuple((c, e) for c, e in self.pieces[:-1] if c is not None)
        self._otherwise = self.pieces[-1][1]

    def __call__(self, step: int) -> float:
        """The multiplier at one step, as ``LambdaLR`` asks for it."""
        ops = SCALAR_OPS
        for condition, expression in self._tests:
            if condition(step, ops):
                return float(expression(step, ops))
        return float(self._otherwise(step, ops))

    def evaluate(self, steps: Arg, out: Arg = None, chunk: int = 1 << 20) -> Arg:
        """The multiplier at every step of an integer numpy array.

        Args:
            steps: integer steps.
            out: a float64 array to fill (default: a new one).
            chunk: steps evaluated at a time, to bound temporary memory.
        """
        import numpy as np

        ops = _vector_ops()
        steps = np.asarray(steps, dtype=np.int64)
        if out is None:
            out = np.empty(steps.shape, dtype=np.float64)
        for start in range(0, len(steps), chunk):
            part = steps[start : start + chunk]
            values = out[start : start + chunk]
            values.fill(np.nan)
            remaining = np.ones(part.shape, dtype=bool)
            for condition, expression in self.pieces:
                mask = remaining if condition is None else remaining & condition(part, ops)
                if mask.all():
                    values[:] = expression(part, ops)
                elif mask.any():
                    # Evaluate each piece only where it applies: other steps may
                    # be outside its domain (0 ** -0.5, a division by zero).
                    values[mask] = expression(part[mask], ops)
                remaining &= ~mask
                if not remaining.any():
                    break
        return out


def join(first: Piecewise, then: Piecewise, boundary: int) -> Piecewise:
    """``first`` while ``step < boundary``, then ``then``, at the same step.

    As optax's ``join_schedules`` but without shifting the step, because
    transformers' schedules read the absolute step after warmup too. Written
    as pieces, so both evaluators (and their exactness) carry over.
    """

    def before(condition: Condition | None) -> Condition:
        if condition is None:
            return lambda s, o: s < boundary
        return lambda s, o: (s < boundary) & condition(s, o)

    return Piecewise([*((before(c), e) for c, e in first.pieces), *then.pieces])


def linear_warmup(warmup: int) -> Piecewise:
    """Linear warmup from 0: ``s / max(1, W)``."""
    denom = float(max(1, warmup))
    return Piecewise([(None, lambda s, o: o.float(s) / denom)])


def with_warmup(warmup: int, then: Piecewise) -> Piecewise:
    """Linear warmup over ``warmup`` steps joined to ``then``: the warmup, written once."""
    return join(linear_warmup(warmup), then, warmup)
