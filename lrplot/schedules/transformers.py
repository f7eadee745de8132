"""transformers' schedules: each formula once, as ``get_scheduler`` builds it.

Each multiplier mirrors its source's arithmetic operation by operation (see
:mod:`lrplot.piecewise`), so the torch engine equals it exactly; each spec's
``formula`` is the same multiplier written for the reader (:mod:`lrplot.notation`).
Every param group gets the first group's multiplier, as in transformers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from ..errors import ParameterError
from ..notation import Definition
from ..params import REQUIRED, Param
from ..piecewise import Arg, Expression, Piecewise, with_warmup
from ..registry import ScheduleSpec, Values, closed_form
from .common import NUM_CYCLES_HALF, PROGRESS, TRAINING_STEPS, WARMUP, warmed

FAMILY = "transformers"
TRANSFORMERS = "transformers.optimization"


def _int(values: Values, key: str) -> int:
    value = values[key]
    assert isinstance(value, int), (key, value)
    return value


def _float(values: Values, key: str) -> float:
    value = values[key]
    assert isinstance(value, (int, float)), (key, value)
    return float(value)


def _cosine_tail(warmup: int, total: int, num_cycles: float, min_rate: float) -> Piecewise:
    """``max(0, f * (1 - m) + m)`` with ``f = 0.5 * (1 + cos(2 pi cycles p))``."""
    k = math.pi * float(num_cycles) * 2.0
    denom = float(max(1, total - warmup))

    def tail(s: Arg, o: Arg) -> Arg:
        factor = 0.5 * (1.0 + o.cos(k * (o.float(s - warmup) / denom)))
        return o.maximum(0, factor * (1 - min_rate) + min_rate)

    return Piecewise([(None, tail)])


def _min_rate(values: Values, lr: float) -> float:
    return _float(values, "min_lr") / lr if values["min_lr"] is not None else _float(values, "min_lr_rate")


def _check_min_lr(values: Values, lr: float, steps: int) -> list[str]:
    if (values["min_lr"] is None) == (values["min_lr_rate"] is None):
        raise ParameterError("min_lr", "give exactly one of min_lr and min_lr_rate", mentions=("min_lr", "min_lr_rate"))
    if values["min_lr"] is not None and _float(values, "min_lr") > lr:
        raise ParameterError("min_lr", f"expected a value <= the lr ({lr!r}), got {values['min_lr']!r}")
    return []


MIN_LR = Param("min_lr", "float", None, "the lr the cosine ends at (or give --min-lr-rate)", low=0)
MIN_LR_RATE = Param(
    "min_lr_rate", "float", None, "the end lr as a fraction of the lr (or give --min-lr)", low=0, high=1
)
CONSTANT = Piecewise([(None, lambda s, o: 1.0)])
MIN_LR_FROM_LR = Definition("min_lr_rate", "min_lr / lr0", unset=True)


# The formulas ---------------------------------------------------------------------


def _linear(v: Values, lr: float) -> Piecewise:
    warmup, total = _int(v, "warmup"), _int(v, "training_steps")
    denom = float(max(1, total - warmup))
    return with_warmup(warmup, Piecewise([(None, lambda s, o: o.maximum(0.0, o.float(total - s) / denom))]))


def _cosine(v: Values, lr: float) -> Piecewise:
    warmup = _int(v, "warmup")
    return with_warmup(warmup, _cosine_tail(warmup, _int(v, "training_steps"), _float(v, "num_cycles"), 0.0))


def _cosine_with_restarts(v: Values, lr: float) -> Piecewise:
    warmup, total, cycles = _int(v, "warmup"), _int(v, "training_steps"), _float(v, "num_cycles")
    denom = float(max(1, total - warmup))

    def progress(s: Arg, o: Arg) -> Arg:
        return o.float(s - warmup) / denom

    return with_warmup(
        warmup,
        Piecewise(
            [
                (lambda s, o: progress(s, o) >= 1.0, lambda s, o: 0.0),
                (None, lambda s, o: o.maximum(0.0, 0.5 * (1.0 + o.cos(math.pi * ((cycles * progress(s, o)) % 1.0))))),
            ]
        ),
    )


def _polynomial(v: Values, lr: float) -> Piecewise:
    warmup, total = _int(v, "warmup"), _int(v, "training_steps")
    lr_end, power = _float(v, "lr_end"), _float(v, "power")
    lr_range, decay_steps = lr - lr_end, float(total - warmup)

    def decay(s: Arg, o: Arg) -> Arg:
        pct_remaining = 1 - o.float(s - warmup) / decay_steps
        return (lr_range * pct_remaining**power + lr_end) / lr

    return with_warmup(warmup, Piecewise([(lambda s, o: s > total, lambda s, o: lr_end / lr), (None, decay)]))


def _check_polynomial(values: Values, lr: float, steps: int) -> list[str]:
    if not _float(values, "lr_end") < lr:
        raise ParameterError("lr_end", f"expected a value below the lr ({lr!r}), got {values['lr_end']!r}")
    if values["training_steps"] == values["warmup"]:
        raise ParameterError(
            "training_steps", f"must differ from the warmup ({values['warmup']}): the decay would divide by zero"
        )
    return []


def _inverse_sqrt(v: Values, lr: float) -> Piecewise:
    warmup, timescale = _int(v, "warmup"), _int(v, "timescale")
    shift, scale = timescale - warmup, float(timescale)
    return with_warmup(warmup, Piecewise([(None, lambda s, o: 1.0 / o.sqrt(o.float(s + shift) / scale))]))


def _check_inverse_sqrt(values: Values, lr: float, steps: int) -> list[str]:
    if values["timescale"] is None:  # transformers' default
        values["timescale"] = values["warmup"] or 10_000
    return []


def _cosine_with_min_lr(v: Values, lr: float) -> Piecewise:
    warmup = _int(v, "warmup")
    tail = _cosine_tail(warmup, _int(v, "training_steps"), _float(v, "num_cycles"), _min_rate(v, lr))
    return with_warmup(warmup, tail)


def _cosine_warmup_with_min_lr(v: Values, lr: float) -> Piecewise:
    # transformers computes this one in floats, with the step shifted by one.
    warmup, total = float(_int(v, "warmup")), float(_int(v, "training_steps"))
    rate = _min_rate(v, lr)
    start = None if v["warmup_lr_rate"] is None else _float(v, "warmup_lr_rate")
    k = math.pi * _float(v, "num_cycles") * 2.0
    denom = max(1.0, total - warmup)

    def warm(s: Arg, o: Arg) -> Arg:
        if start is None:
            return (o.float(s) + 1.0) / max(1.0, warmup)
        return start + (1.0 - start) * o.float(s) / max(1, warmup - 1)

    def tail(s: Arg, o: Arg) -> Arg:
        factor = 0.5 * (1.0 + o.cos(k * ((o.float(s) - warmup + 1.0) / denom)))
        return o.maximum(0, factor * (1 - rate) + rate)

    return Piecewise([(lambda s, o: s < warmup, warm), (None, tail)])


SHAPES = ("linear", "cosine", "1-sqrt")
Shape = Expression  # a warmup's rise or a decay's fall, of the progress in [0, 1]


def _warmup_stable_decay(v: Values, lr: float) -> Piecewise:
    warmup, stable, decay = _int(v, "warmup"), _int(v, "stable_steps"), _int(v, "decay_steps")
    ratio, k = _float(v, "min_lr_ratio"), math.pi * _float(v, "num_cycles") * 2.0
    warmup_denom, decay_denom = float(max(1, warmup)), float(max(1, decay))
    rise: Shape = {
        "linear": lambda p, o: p,
        "cosine": lambda p, o: 0.5 * (1.0 - o.cos(math.pi * p)),
        "1-sqrt": lambda p, o: 1.0 - o.sqrt(1.0 - p),
    }[str(v["warmup_type"])]
    fall: Shape = {
        "linear": lambda p, o: 1.0 - p,
        "cosine": lambda p, o: 0.5 * (1.0 + o.cos(k * p)),
        "1-sqrt": lambda p, o: 1.0 - o.sqrt(p),
    }[str(v["decay_type"])]

    def warm(s: Arg, o: Arg) -> Arg:
        return o.maximum(0.0, rise(o.float(s) / warmup_denom, o) * (1.0 - ratio) + ratio)

    def cool(s: Arg, o: Arg) -> Arg:
        return o.maximum(0.0, fall(o.float(s - warmup - stable) / decay_denom, o) * (1.0 - ratio) + ratio)

    return Piecewise(
        [
            (lambda s, o: s < warmup, warm),
            (lambda s, o: s < warmup + stable, lambda s, o: 1.0),
            (lambda s, o: s < warmup + stable + decay, cool),
            (None, lambda s, o: ratio),
        ]
    )


def _check_warmup_stable_decay(values: Values, lr: float, steps: int) -> list[str]:
    warmup, decay, total = _int(values, "warmup"), _int(values, "decay_steps"), _int(values, "training_steps")
    warnings = []
    if values["stable_steps"] is None:
        values["stable_steps"] = total - warmup - decay  # transformers' default, below 0 too
    stable = _int(values, "stable_steps")
    if stable < 0:  # transformers runs it: the decay is already |stable| steps in when warmup ends
        warnings.append(
            f"stable steps {stable} (warmup {warmup} + decay steps {decay} exceed the training steps {total}): "
            f"the decay starts {-stable} steps in, so the lr never reaches its peak after warmup"
        )
    end = warmup + stable + decay
    if end != total:
        warnings.append(
            f"warmup + stable + decay steps = {end}, not the training steps ({total}): "
            f"lr stays at min_lr_ratio from step {end}"
        )
    return warnings


# The same formulas in lrplot's formula language (lrplot.expression), for scripts --------
#
# Each is written operation for operation as the Piecewise above computes it, so a
# script's torch-only fallback equals transformers' values to the bit
# (tests/test_scripts.py holds every one equal to its Piecewise).

# transformers' names for lrplot's parameters in get_scheduler's scheduler_specific_kwargs
GET_SCHEDULER_KWARGS = {"decay_steps": "num_decay_steps", "stable_steps": "num_stable_steps"}


def _cosine_formula(min_rate: bool) -> str:
    progress = "(s - W) / max(1, T - W)"
    factor = f"0.5 * (1.0 + cos(pi * c * 2.0 * ({progress})))"
    # Without a floor, factor * (1 - 0) + 0 is the factor itself (it is never -0.0).
    return f"max(0, {factor} * (1 - m) + m)" if min_rate else f"max(0, {factor})"


def _counts(v: Values, *keys: str) -> dict[str, float]:
    names = {"warmup": "W", "training_steps": "T", "num_cycles": "c"}
    return {names[k]: _float(v, k) for k in keys}


def _polynomial_formula(v: Values, lr: float) -> tuple[str, dict[str, float]]:
    decay = "(R * (1 - (s - W) / (T - W)) ** P + E) / L"
    names = {"R": lr - _float(v, "lr_end"), "E": _float(v, "lr_end"), "L": lr, "P": _float(v, "power")}
    return warmed(f"(E / L if s > T else {decay})"), {**_counts(v, "warmup", "training_steps"), **names}


def _inverse_sqrt_formula(v: Values, lr: float) -> tuple[str, dict[str, float]]:
    warmup, timescale = _int(v, "warmup"), _int(v, "timescale")
    return warmed("1.0 / sqrt((s + H) / K)"), {"W": warmup, "H": timescale - warmup, "K": float(timescale)}


def _cosine_warmup_with_min_lr_formula(v: Values, lr: float) -> tuple[str, dict[str, float]]:
    rate = v["warmup_lr_rate"]
    warm = "(s + 1.0) / max(1.0, W)" if rate is None else "r + (1.0 - r) * s / max(1, W - 1)"
    tail = "max(0, 0.5 * (1.0 + cos(pi * c * 2.0 * ((s - W + 1.0) / max(1.0, T - W)))) * (1 - m) + m)"
    names = _counts(v, "warmup", "training_steps", "num_cycles") | {"m": _min_rate(v, lr)}
    return f"{warm} if s < W else {tail}", names | ({} if rate is None else {"r": _float(v, "warmup_lr_rate")})


RISES = {"linear": "({p})", "cosine": "0.5 * (1.0 - cos(pi * ({p})))", "1-sqrt": "1.0 - sqrt(1.0 - ({p}))"}
FALLS = {"linear": "1.0 - ({p})", "cosine": "0.5 * (1.0 + cos(pi * c * 2.0 * ({p})))", "1-sqrt": "1.0 - sqrt({p})"}


def _warmup_stable_decay_formula(v: Values, lr: float) -> tuple[str, dict[str, float]]:
    rise = RISES[str(v["warmup_type"])].format(p="s / max(1, W)")
    fall = FALLS[str(v["decay_type"])].format(p="(s - W - S) / max(1, D)")
    warm = f"max(0.0, ({rise}) * (1.0 - r) + r)"
    cool = f"max(0.0, ({fall}) * (1.0 - r) + r)"
    text = f"{warm} if s < W else 1.0 if s < W + S else {cool} if s < W + S + D else r"
    names = {"W": _int(v, "warmup"), "S": _int(v, "stable_steps"), "D": _int(v, "decay_steps")}
    return text, names | {"r": _float(v, "min_lr_ratio"), "c": _float(v, "num_cycles")}


FORMULAS: dict[str, Callable[[Values, float], tuple[str, dict[str, float]]]] = {
    "constant": lambda v, lr: ("1.0", {}),
    "constant_with_warmup": lambda v, lr: (warmed("1.0"), _counts(v, "warmup")),
    "linear": lambda v, lr: (warmed("max(0.0, (T - s) / max(1, T - W))"), _counts(v, "warmup", "training_steps")),
    "cosine": lambda v, lr: (warmed(_cosine_formula(False)), _counts(v, "warmup", "training_steps", "num_cycles")),
    "cosine_with_restarts": lambda v, lr: (
        warmed(
            "0.0 if (s - W) / max(1, T - W) >= 1.0 "
            "else max(0.0, 0.5 * (1.0 + cos(pi * ((c * ((s - W) / max(1, T - W))) % 1.0))))"
        ),
        _counts(v, "warmup", "training_steps", "num_cycles"),
    ),
    "polynomial": _polynomial_formula,
    "inverse_sqrt": _inverse_sqrt_formula,
    "cosine_with_min_lr": lambda v, lr: (
        warmed(_cosine_formula(True)),
        _counts(v, "warmup", "training_steps", "num_cycles") | {"m": _min_rate(v, lr)},
    ),
    "cosine_warmup_with_min_lr": _cosine_warmup_with_min_lr_formula,
    "warmup_stable_decay": _warmup_stable_decay_formula,
}


# The specs --------------------------------------------------------------------------

SPECS: tuple[ScheduleSpec, ...] = (
    ScheduleSpec(
        name="constant",
        family=FAMILY,
        description="the initial lr at every step",
        formula="1",
        params=(),
        build=closed_form(lambda v, lr: CONSTANT),
        source=f"{TRANSFORMERS}.get_constant_schedule",
    ),
    ScheduleSpec(
        name="constant_with_warmup",
        family=FAMILY,
        description="linear warmup from 0, then the initial lr",
        formula=warmed("1"),
        params=(WARMUP,),
        build=closed_form(lambda v, lr: with_warmup(_int(v, "warmup"), CONSTANT)),
        source=f"{TRANSFORMERS}.get_constant_schedule_with_warmup",
    ),
    ScheduleSpec(
        name="linear",
        family=FAMILY,
        description="linear warmup, then linear decay to 0 at T",
        formula=warmed("max(0, (T - s) / max(1, T - W))"),
        params=(WARMUP, TRAINING_STEPS),
        build=closed_form(_linear),
        source=f"{TRANSFORMERS}.get_linear_schedule_with_warmup",
    ),
    ScheduleSpec(
        name="cosine",
        family=FAMILY,
        description="linear warmup, then a cosine of num_cycles waves",
        formula=warmed("(1 + cos(2 * pi * num_cycles * p)) / 2"),
        where=(PROGRESS,),
        params=(WARMUP, TRAINING_STEPS, NUM_CYCLES_HALF),
        build=closed_form(_cosine),
        source=f"{TRANSFORMERS}.get_cosine_schedule_with_warmup",
    ),
    ScheduleSpec(
        name="cosine_with_restarts",
        family=FAMILY,
        description="linear warmup, then num_cycles cosine decays, each from the initial lr (num_cycles - 1 restarts)",
        formula=warmed("0 if p >= 1 else (1 + cos(pi * ((num_cycles * p) % 1))) / 2"),
        where=(PROGRESS,),
        params=(
            WARMUP,
            TRAINING_STEPS,
            Param(
                "num_cycles", "int", 1, "how many cosine decays after warmup (each after the first is a restart)", low=1
            ),
        ),
        build=closed_form(_cosine_with_restarts),
        aliases=("cosine_with_hard_restarts",),
        source=f"{TRANSFORMERS}.get_cosine_with_hard_restarts_schedule_with_warmup",
    ),
    ScheduleSpec(
        name="polynomial",
        family=FAMILY,
        description="linear warmup, then a polynomial decay to lr_end at T, then lr_end",
        formula=warmed("lr_end / lr0 if s > T else (lr_end + (lr0 - lr_end) * (1 - (s - W) / (T - W)) ** power) / lr0"),
        params=(
            WARMUP,
            TRAINING_STEPS,
            Param("lr_end", "float", 1e-7, "the lr at the end of the decay; must be below --lr", low=0),
            Param("power", "float", 1.0, "the polynomial's power (1: linear decay)", low=0),
        ),
        build=closed_form(_polynomial),
        check=_check_polynomial,
        aliases=("polynomial_decay",),
        source=f"{TRANSFORMERS}.get_polynomial_decay_schedule_with_warmup",
    ),
    ScheduleSpec(
        name="inverse_sqrt",
        family=FAMILY,
        description="linear warmup, then decay as the inverse square root of the step",
        formula=warmed("1 / sqrt((s + timescale - W) / timescale)"),
        params=(
            WARMUP,
            Param(
                "timescale", "int", None, "the decay's time scale (default: the warmup, or 10000 without one)", low=1
            ),
        ),
        build=closed_form(_inverse_sqrt),
        check=_check_inverse_sqrt,
        source=f"{TRANSFORMERS}.get_inverse_sqrt_schedule",
    ),
    ScheduleSpec(
        name="cosine_with_min_lr",
        family=FAMILY,
        description="linear warmup, then a cosine decay that ends at min_lr instead of 0",
        formula=warmed("min_lr_rate + (1 - min_lr_rate) * (1 + cos(2 * pi * num_cycles * p)) / 2"),
        where=(PROGRESS, MIN_LR_FROM_LR),
        params=(WARMUP, TRAINING_STEPS, NUM_CYCLES_HALF, MIN_LR, MIN_LR_RATE),
        build=closed_form(_cosine_with_min_lr),
        check=_check_min_lr,
        source=f"{TRANSFORMERS}.get_cosine_with_min_lr_schedule_with_warmup",
    ),
    ScheduleSpec(
        name="cosine_warmup_with_min_lr",
        family=FAMILY,
        description="warmup from warmup_lr_rate (or one step's worth), then a cosine decay to min_lr",
        formula=(
            "warmup_lr_rate + (1 - warmup_lr_rate) * s / max(1, W - 1) if s < W "
            "else min_lr_rate + (1 - min_lr_rate) * (1 + cos(2 * pi * num_cycles * (s - W + 1) / max(1, T - W))) / 2"
        ),
        where=(
            # transformers' (s + 1) / max(1, W) without a rate, written as the rate's warmup
            Definition("warmup_lr_rate", "1 / max(1, W)", unset=True),
            MIN_LR_FROM_LR,
        ),
        params=(
            WARMUP,
            TRAINING_STEPS,
            NUM_CYCLES_HALF,
            MIN_LR,
            MIN_LR_RATE,
            Param("warmup_lr_rate", "float", None, "the lr at step 0 as a fraction of the lr", low=0, high=1),
        ),
        build=closed_form(_cosine_warmup_with_min_lr),
        check=_check_min_lr,
        source=f"{TRANSFORMERS}.get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    ),
    ScheduleSpec(
        name="warmup_stable_decay",
        family=FAMILY,
        description="warmup, a stable plateau at the initial lr, then a decay to min_lr_ratio",
        formula=(
            "min_lr_ratio + (1 - min_lr_ratio) * rise if s < W else 1 if s < W + stable_steps "
            "else min_lr_ratio + (1 - min_lr_ratio) * fall if s < W + stable_steps + decay_steps else min_lr_ratio"
        ),
        where=(
            Definition("u", "s / max(1, W)", meaning="the warmup's progress"),
            Definition(
                "rise",
                by="warmup_type",
                cases=(("linear", "u"), ("cosine", "(1 - cos(pi * u)) / 2"), ("1-sqrt", "1 - sqrt(1 - u)")),
            ),
            Definition("q", "(s - W - stable_steps) / max(1, decay_steps)", meaning="the decay's progress"),
            Definition(
                "fall",
                by="decay_type",
                cases=(
                    ("linear", "1 - q"),
                    ("cosine", "(1 + cos(2 * pi * num_cycles * q)) / 2"),
                    ("1-sqrt", "1 - sqrt(q)"),
                ),
            ),
        ),
        params=(
            WARMUP,
            TRAINING_STEPS,
            Param(
                "decay_steps",
                "count",
                REQUIRED,
                "decay steps: a whole count, or a fraction below 1 of the training steps",
            ),
            Param(
                "stable_steps",
                "int",
                None,
                "stable steps (default: training steps - warmup - decay steps; below 0 as transformers takes it)",
            ),
            Param("warmup_type", "choice", "linear", "the warmup's shape", choices=SHAPES),
            Param("decay_type", "choice", "cosine", "the decay's shape", choices=SHAPES),
            Param("min_lr_ratio", "float", 0.0, "the lowest lr as a fraction of the lr", low=0, high=1),
            Param(
                "num_cycles",
                "float",
                0.5,
                "cosine waves in a cosine decay (0.5: one half-cosine)",
                low=0,
                low_open=True,
            ),
        ),
        build=closed_form(_warmup_stable_decay),
        check=_check_warmup_stable_decay,
        aliases=("wsd",),
        source=f"{TRANSFORMERS}.get_wsd_schedule",
    ),
)
# Every one of them is also transformers' get_scheduler(NAME), and has its formula.
SPECS = tuple(replace(spec, expression=FORMULAS[spec.name], get_scheduler=spec.name) for spec in SPECS)
