"""A tiny schedule family: what adding one takes (one module; see the README's Development section).

It also exercises the seams a family may need: a list parameter (milestones), a
nested schedule joined after a warmup, one multiplier per param group, and a
name (``cosine``) that collides with transformers' and is reached as
``example.cosine``.
"""

from __future__ import annotations

import math

from lrplot.laws import Law, Multipliers
from lrplot.params import REQUIRED, Param
from lrplot.piecewise import Arg, Piecewise, with_warmup
from lrplot.registry import Schedule, ScheduleSpec, Values, closed_form
from lrplot.schedules.common import WARMUP

FAMILY = "example"


def _milestones(values: Values, lr: float) -> Piecewise:
    gamma, milestones = values["gamma"], sorted(values["milestones"])  # type: ignore[call-overload]
    assert isinstance(gamma, float)

    def before(m: int):  # noqa: ANN202
        return lambda s, o: s < m

    def factor(k: int):  # noqa: ANN202
        return lambda s, o: gamma**k

    return Piecewise([*((before(m), factor(k)) for k, m in enumerate(milestones)), (None, factor(len(milestones)))])


def _warmup_then(values: Values, lrs: tuple[float, ...]) -> Law:
    child = values["then"]
    assert isinstance(child, Schedule) and isinstance(values["warmup"], int)
    return Multipliers(tuple(with_warmup(values["warmup"], child.lr_lambda(g)) for g in range(len(lrs))))


def _layerwise(values: Values, lrs: tuple[float, ...]) -> Law:
    decay = values["decay"]
    assert isinstance(decay, float)

    def constant(factor: float) -> Piecewise:
        return Piecewise([(None, lambda s, o: factor)])

    return Multipliers(tuple(constant(decay**g) for g in range(len(lrs))))


def _cosine(values: Values, lr: float) -> Piecewise:
    total = values["training_steps"]
    assert isinstance(total, int)

    def wave(s: Arg, o: Arg) -> Arg:
        return 0.5 * (1.0 + o.cos(math.pi * o.float(o.minimum(s, total)) / total))

    return Piecewise([(None, wave)])


SPECS = (
    ScheduleSpec(
        name="milestones",
        family=FAMILY,
        description="multiply by gamma at each milestone",
        formula="gamma ** (number of milestones <= s)",
        params=(
            Param("milestones", "ints", REQUIRED, "the steps where the lr drops", low=1),
            Param("gamma", "float", 0.1, "the factor of each drop", low=0, low_open=True),
        ),
        build=closed_form(_milestones),
        source="torch.optim.lr_scheduler.MultiStepLR, in closed form",
    ),
    ScheduleSpec(
        name="warmup_then",
        family=FAMILY,
        description="linear warmup joined to any closed-form schedule",
        formula="s / max(1, W) while s < W, then the child's multiplier at s",
        params=(WARMUP, Param("then", "schedule", REQUIRED, "the schedule after warmup")),
        build=_warmup_then,
    ),
    ScheduleSpec(
        name="layerwise",
        family=FAMILY,
        description="a constant factor decay ** g for param group g",
        formula="decay ** group",
        params=(Param("decay", "float", 0.5, "the factor between neighbouring groups", low=0, low_open=True),),
        build=_layerwise,
    ),
    ScheduleSpec(
        name="cosine",
        family=FAMILY,
        description="a half cosine over the training steps, no warmup",
        formula="0.5 * (1 + cos(pi * min(s, T) / T))",
        params=(Param("training_steps", "int", None, "the steps of the half cosine", low=1),),
        build=closed_form(_cosine),
    ),
)
