"""Schedules from papers, written from their equations."""

from __future__ import annotations

from ..errors import ParameterError
from ..params import Param
from ..piecewise import Arg, Piecewise
from ..registry import ScheduleSpec, Values, closed_form

FAMILY = "paper"


def _transformer(v: Values, lr: float) -> Piecewise:
    d_model, warmup = v["d_model"], v["warmup"]
    assert isinstance(d_model, int) and isinstance(warmup, int)
    scale, ramp = d_model**-0.5, warmup**-1.5

    def rule(s: Arg, o: Arg) -> Arg:
        # Step 0 is read as step 1: 0 ** -0.5 divides by zero, and the paper
        # counts steps from 1.
        step = o.float(o.maximum(s, 1))
        return scale * o.minimum(step**-0.5, step * ramp)

    return Piecewise([(None, rule)])


def _check_transformer(values: Values, lr: float, steps: int) -> list[str]:
    if values["warmup"] == 0:
        raise ParameterError("warmup", f"the transformer rule needs a warmup >= 1 (W ** -1.5), got {values['warmup']}")
    return []


SPECS = (
    ScheduleSpec(
        name="transformer",
        family=FAMILY,
        description="the Transformer paper's rule (Attention Is All You Need, eq. 3); use --lr 1",
        formula="d_model ** -0.5 * min(max(s, 1) ** -0.5, max(s, 1) * W ** -1.5)",
        params=(
            Param("warmup", "count", 4000, "warmup steps of the rule (the paper: 4000)"),
            Param("d_model", "int", 512, "the model width d_model", low=1),
        ),
        build=closed_form(_transformer),
        check=_check_transformer,
        aliases=("noam",),
        source="Vaswani et al. 2017, Attention Is All You Need, section 5.3",
        expression=lambda v, lr: (
            "k * min(max(s, 1) ** -0.5, max(s, 1) * r)",
            {"k": float(v["d_model"]) ** -0.5, "r": float(v["warmup"]) ** -1.5},  # type: ignore[arg-type]
        ),
    ),
)
