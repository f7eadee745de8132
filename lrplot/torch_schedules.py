"""PyTorch's own schedulers, registered beside the closed-form ones.

These are stepped recursively by torch (each lr computed from the previous
one), so lrplot runs the real class and has no formula of its own for them:
the vectorized engine refuses them. torch is imported only when one is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ParameterError
from .registry import TRAINING_STEPS, Param, ScheduleSpec, register

TORCH = "torch.optim.lr_scheduler"
V = Mapping[str, Any]


def _torch_class(name: str) -> Any:
    from torch.optim import lr_scheduler

    return getattr(lr_scheduler, name)


GAMMA = Param("gamma", "float", 0.1, "multiplicative factor of the lr decay", low=0, low_open=True)
ETA_MIN = Param("eta_min", "float", 0.0, "the lowest lr (absolute)", low=0)

register(
    ScheduleSpec(
        name="step_lr",
        description="torch StepLR: multiply the lr by gamma every step_size steps",
        formula="gamma ** (s // step_size)",
        params=(Param("step_size", "int", 30, "steps between decays", low=1), GAMMA),
        make=None,
        torch_scheduler=lambda opt, v, last: _torch_class("StepLR")(
            opt, step_size=v["step_size"], gamma=v["gamma"], last_epoch=last
        ),
        aliases=("StepLR",),
        source=f"{TORCH}.StepLR",
    )
)

register(
    ScheduleSpec(
        name="exponential_lr",
        description="torch ExponentialLR: multiply the lr by gamma every step",
        formula="gamma ** s",
        params=(Param("gamma", "float", 0.99, "multiplicative factor per step", low=0, low_open=True),),
        make=None,
        torch_scheduler=lambda opt, v, last: _torch_class("ExponentialLR")(opt, gamma=v["gamma"], last_epoch=last),
        aliases=("ExponentialLR",),
        source=f"{TORCH}.ExponentialLR",
    )
)

register(
    ScheduleSpec(
        name="cosine_annealing_lr",
        description="torch CosineAnnealingLR: cosine from the lr to eta_min over T_max = training steps",
        formula="eta_min + (1 - eta_min / lr0) * (1 + cos(pi * s / T)) / 2, computed recursively",
        params=(TRAINING_STEPS, ETA_MIN),
        make=None,
        torch_scheduler=lambda opt, v, last: _torch_class("CosineAnnealingLR")(
            opt, T_max=v["training_steps"], eta_min=v["eta_min"], last_epoch=last
        ),
        aliases=("CosineAnnealingLR",),
        source=f"{TORCH}.CosineAnnealingLR",
    )
)

register(
    ScheduleSpec(
        name="cosine_annealing_warm_restarts",
        description="torch CosineAnnealingWarmRestarts: cosine cycles of t_0 steps, each t_mult times longer",
        formula="eta_min + (lr0 - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2",
        params=(
            Param("t_0", "int", 100, "steps in the first cycle (T_0)", low=1),
            Param("t_mult", "int", 1, "factor by which each cycle grows (T_mult)", low=1),
            ETA_MIN,
        ),
        make=None,
        torch_scheduler=lambda opt, v, last: _torch_class("CosineAnnealingWarmRestarts")(
            opt, T_0=v["t_0"], T_mult=v["t_mult"], eta_min=v["eta_min"], last_epoch=last
        ),
        aliases=("CosineAnnealingWarmRestarts",),
        source=f"{TORCH}.CosineAnnealingWarmRestarts",
    )
)

register(
    ScheduleSpec(
        name="linear_lr",
        description="torch LinearLR: factor moving linearly from start_factor to end_factor over total_iters",
        formula="start + (end - start) * min(s, total_iters) / total_iters, computed recursively",
        params=(
            # torch divides by start_factor: below ~1e-308 the lr overflows to inf.
            Param("start_factor", "float", 1 / 3, "the multiplier at step 0", low=1e-12, high=1),
            Param("end_factor", "float", 1.0, "the multiplier from total_iters on", low=0, high=1),
            Param("total_iters", "int", 5, "steps until end_factor is reached", low=0),
        ),
        make=None,
        torch_scheduler=lambda opt, v, last: _torch_class("LinearLR")(
            opt,
            start_factor=v["start_factor"],
            end_factor=v["end_factor"],
            total_iters=v["total_iters"],
            last_epoch=last,
        ),
        aliases=("LinearLR",),
        source=f"{TORCH}.LinearLR",
    )
)

register(
    ScheduleSpec(
        name="polynomial_lr",
        description="torch PolynomialLR: polynomial decay to 0 over total_iters",
        formula="(1 - min(s, total_iters) / total_iters) ** power, computed recursively",
        params=(
            Param("total_iters", "int", 5, "steps until the lr reaches 0", low=0),
            Param("power", "float", 1.0, "the polynomial's power", low=0),
        ),
        make=None,
        torch_scheduler=lambda opt, v, last: _torch_class("PolynomialLR")(
            opt, total_iters=v["total_iters"], power=v["power"], last_epoch=last
        ),
        aliases=("PolynomialLR",),
        source=f"{TORCH}.PolynomialLR",
    )
)


def _check_one_cycle(values: dict[str, Any], lr: float, steps: int) -> list[str]:
    if steps > values["training_steps"]:
        raise ParameterError(
            "training_steps",
            f"one_cycle_lr cannot step past its total steps ({values['training_steps']}); "
            f"raise --training-steps to at least --steps ({steps})",
        )
    return []


register(
    ScheduleSpec(
        name="one_cycle_lr",
        description="torch OneCycleLR: warm up to --lr (max_lr) over pct_start, then anneal far below it",
        formula="from lr / div_factor up to lr, then down to lr / (div_factor * final_div_factor)",
        params=(
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
        make=None,
        torch_scheduler=lambda opt, v, last: _torch_class("OneCycleLR")(
            opt,
            max_lr=[g["lr"] for g in opt.param_groups],
            total_steps=v["training_steps"],
            pct_start=v["pct_start"],
            anneal_strategy=v["anneal_strategy"],
            div_factor=v["div_factor"],
            final_div_factor=v["final_div_factor"],
            last_epoch=last,
        ),
        check=_check_one_cycle,
        aliases=("OneCycleLR",),
        source=f"{TORCH}.OneCycleLR",
    )
)
