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

Condition = Callable[[Any, Any], Any]
Expression = Callable[[Any, Any], Any]

SCALAR_OPS = SimpleNamespace(
    float=float,
    cos=math.cos,
    sqrt=math.sqrt,
    maximum=max,
    minimum=min,
)


def _vector_ops() -> SimpleNamespace:
    import numpy as np  # only the vectorized engine pays for numpy

    return SimpleNamespace(
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
        if not pieces or any(cond is None for cond, _ in pieces[:-1]):
            raise ValueError("a Piecewise needs pieces, with a None condition only last")
        self.pieces = tuple(pieces)

    def __call__(self, step: int) -> float:
        """The multiplier at one step, as ``LambdaLR`` asks for it."""
        ops = SCALAR_OPS
        for condition, expression in self.pieces:
            if condition is None or condition(step, ops):
                return float(expression(step, ops))
        return math.nan  # no piece matched; only reachable without a final None

    def evaluate(self, steps: Any, out: Any = None, chunk: int = 1 << 20) -> Any:
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
