"""PyTorch's own schedulers (``torch.optim.lr_scheduler``), run as the real class.

They are stepped recursively by torch (each lr computed from the previous one),
so lrplot has no formula of its own for them and the numpy engine refuses them.
torch is imported only when one is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..errors import ParameterError
from ..laws import Law, TorchScheduler
from ..params import Param
from ..registry import Check, ScheduleSpec, Values
from .common import TRAINING_STEPS

if TYPE_CHECKING:
    from torch.optim import Optimizer

FAMILY = "torch"
TORCH = "torch.optim.lr_scheduler"
Extra = Callable[["Optimizer"], dict[str, object]]


def torch_spec(
    name: str,
    class_name: str,
    description: str,
    formula: str,
    params: tuple[Param, ...],
    keywords: Mapping[str, str],
    extra: Extra | None = None,
    check: Check | None = None,
) -> ScheduleSpec:
    """The spec of ``torch.optim.lr_scheduler.CLASS_NAME``, named ``name``.

    Args:
        keywords: lrplot parameter -> the class's keyword argument.
        extra: further keyword arguments computed from the optimizer.
    """

    def build(values: Values, lrs: tuple[float, ...]) -> Law:
        kwargs = {keyword: values[param] for param, keyword in keywords.items()}
        return TorchScheduler(class_name, kwargs, extra) if extra else TorchScheduler(class_name, kwargs)

    return ScheduleSpec(
        name=name,
        family=FAMILY,
        description=f"torch {class_name}: {description}",
        formula=formula,
        params=params,
        build=build,
        check=check,
        aliases=(class_name,),
        source=f"{TORCH}.{class_name}",
        closed_form=False,
    )


ETA_MIN = Param("eta_min", "float", 0.0, "the lowest lr (absolute)", low=0)


def _eta_min_below_lr(values: Values, lr: float, steps: int) -> list[str]:
    eta_min = values["eta_min"]
    if isinstance(eta_min, float) and eta_min > lr:
        return [f"eta_min ({eta_min:g}) is above the lr ({lr:g}): the cosine rises to eta_min instead of falling"]
    return []


def _check_one_cycle(values: Values, lr: float, steps: int) -> list[str]:
    total = values["training_steps"]
    if isinstance(total, int) and steps > total:
        raise ParameterError(
            "training_steps",
            f"one_cycle_lr cannot step past its total steps ({total}); "
            f"raise training_steps to at least steps ({steps})",
            mentions=("training_steps", "steps"),
        )
    return []


SPECS = (
    torch_spec(
        "step_lr",
        "StepLR",
        "multiply the lr by gamma every step_size steps",
        "gamma ** (s // step_size)",
        (
            Param("step_size", "int", 30, "steps between decays", low=1),
            Param("gamma", "float", 0.1, "multiplicative factor of the lr decay", low=0, low_open=True),
        ),
        {"step_size": "step_size", "gamma": "gamma"},
    ),
    torch_spec(
        "exponential_lr",
        "ExponentialLR",
        "multiply the lr by gamma every step",
        "gamma ** s",
        (Param("gamma", "float", 0.99, "multiplicative factor per step", low=0, low_open=True),),
        {"gamma": "gamma"},
    ),
    torch_spec(
        "cosine_annealing_lr",
        "CosineAnnealingLR",
        "cosine from the lr to eta_min over T_max = training steps",
        "eta_min + (1 - eta_min / lr0) * (1 + cos(pi * s / T)) / 2, computed recursively",
        (TRAINING_STEPS, ETA_MIN),
        {"training_steps": "T_max", "eta_min": "eta_min"},
        check=_eta_min_below_lr,
    ),
    torch_spec(
        "cosine_annealing_warm_restarts",
        "CosineAnnealingWarmRestarts",
        "cosine cycles of t_0 steps, each t_mult times longer",
        "eta_min + (lr0 - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2",
        (
            Param("t_0", "int", 100, "steps in the first cycle (T_0)", low=1),
            Param("t_mult", "int", 1, "factor by which each cycle grows (T_mult)", low=1),
            ETA_MIN,
        ),
        {"t_0": "T_0", "t_mult": "T_mult", "eta_min": "eta_min"},
        check=_eta_min_below_lr,
    ),
    torch_spec(
        "linear_lr",
        "LinearLR",
        "factor moving linearly from start_factor to end_factor over total_iters",
        "start + (end - start) * min(s, total_iters) / total_iters, computed recursively",
        (
            # torch divides by start_factor: below ~1e-308 the lr overflows to inf.
            Param("start_factor", "float", 1 / 3, "the multiplier at step 0", low=1e-12, high=1),
            Param("end_factor", "float", 1.0, "the multiplier from total_iters on", low=0, high=1),
            Param("total_iters", "int", 5, "steps until end_factor is reached", low=0),
        ),
        {"start_factor": "start_factor", "end_factor": "end_factor", "total_iters": "total_iters"},
    ),
    torch_spec(
        "polynomial_lr",
        "PolynomialLR",
        "polynomial decay to 0 over total_iters",
        "(1 - min(s, total_iters) / total_iters) ** power, computed recursively",
        (
            Param("total_iters", "int", 5, "steps until the lr reaches 0", low=0),
            Param("power", "float", 1.0, "the polynomial's power", low=0),
        ),
        {"total_iters": "total_iters", "power": "power"},
    ),
    torch_spec(
        "one_cycle_lr",
        "OneCycleLR",
        "warm up to --lr (max_lr) over pct_start, then anneal far below it",
        "from lr / div_factor up to lr, then down to lr / (div_factor * final_div_factor)",
        (
            TRAINING_STEPS,
            Param(
                "pct_start",
                "float",
                0.3,
                "fraction of the steps spent rising",
                low=0,
                high=1,
                low_open=True,
                high_open=True,
            ),
            Param("anneal_strategy", "choice", "cos", "the shape of both phases", choices=("cos", "linear")),
            Param("div_factor", "float", 25.0, "initial lr = lr / div_factor", low=1),
            Param("final_div_factor", "float", 1e4, "final lr = initial lr / final_div_factor", low=1),
        ),
        {
            "training_steps": "total_steps",
            "pct_start": "pct_start",
            "anneal_strategy": "anneal_strategy",
            "div_factor": "div_factor",
            "final_div_factor": "final_div_factor",
        },
        extra=lambda optimizer: {"max_lr": [group["lr"] for group in optimizer.param_groups]},
        check=_check_one_cycle,
    ),
)
