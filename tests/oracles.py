"""The real implementations lrplot must equal, stepped independently of lrplot."""

from __future__ import annotations

import math
import warnings
from typing import Any

import torch

# Which keyword each lrplot parameter is called in transformers.get_scheduler.
TRANSFORMERS_KWARGS = {
    "num_cycles": "num_cycles",
    "lr_end": "lr_end",
    "power": "power",
    "timescale": "timescale",
    "min_lr": "min_lr",
    "min_lr_rate": "min_lr_rate",
    "warmup_lr_rate": "warmup_lr_rate",
    "decay_steps": "num_decay_steps",
    "stable_steps": "num_stable_steps",
    "warmup_type": "warmup_type",
    "decay_type": "decay_type",
    "min_lr_ratio": "min_lr_ratio",
}

# Schedules with no transformers counterpart; they are checked by hand instead.
NO_TRANSFORMERS_ORACLE = {"transformer"}


def optimizer_for(lrs: list[float]) -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)], lr=lrs[0])


def transformers_values(
    name: str, values: dict[str, Any], lrs: list[float], steps: int, record: str = "before"
) -> list[list[float]]:
    """``get_last_lr()`` of ``transformers.get_scheduler(name, ...)``, one list per param group.

    ``values`` are lrplot's resolved parameters (warmup and decay steps already
    whole counts); unset optional ones are left to transformers' defaults.
    """
    from transformers import get_scheduler

    opt = optimizer_for(lrs)
    extra = {TRANSFORMERS_KWARGS[k]: v for k, v in values.items() if k in TRANSFORMERS_KWARGS and v is not None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = get_scheduler(
            name,
            opt,
            num_warmup_steps=values.get("warmup", 0),
            num_training_steps=values.get("training_steps", steps),
            scheduler_specific_kwargs=extra,
        )
    return record_values(scheduler, len(lrs), steps, record)


def record_values(scheduler: Any, groups: int, steps: int, record: str) -> list[list[float]]:
    """``get_last_lr()`` read ``steps`` times, before or after each ``scheduler.step()``."""
    out: list[list[float]] = [[] for _ in range(groups)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(steps):
            if i or record == "after":
                scheduler.step()
            for g, lr in enumerate(scheduler.get_last_lr()):
                out[g].append(lr)
    return out


def assert_close(actual: Any, expected: Any, rel: float = 1e-12, what: str = "") -> None:
    """Every value within ``rel`` relative error (no absolute slack)."""
    actual, expected = list(actual), list(expected)
    assert len(actual) == len(expected), f"{what}: {len(actual)} values, expected {len(expected)}"
    for i, (a, b) in enumerate(zip(actual, expected, strict=True)):
        assert math.isclose(a, b, rel_tol=rel, abs_tol=0.0), f"{what}: index {i}: {a!r} != {b!r}"


# torch's own schedulers: lrplot parameter names -> the class's keywords.
TORCH_CLASSES = {
    "step_lr": ("StepLR", {"step_size": "step_size", "gamma": "gamma"}),
    "exponential_lr": ("ExponentialLR", {"gamma": "gamma"}),
    "cosine_annealing_lr": ("CosineAnnealingLR", {"training_steps": "T_max", "eta_min": "eta_min"}),
    "cosine_annealing_warm_restarts": (
        "CosineAnnealingWarmRestarts",
        {"t_0": "T_0", "t_mult": "T_mult", "eta_min": "eta_min"},
    ),
    "linear_lr": (
        "LinearLR",
        {"start_factor": "start_factor", "end_factor": "end_factor", "total_iters": "total_iters"},
    ),
    "polynomial_lr": ("PolynomialLR", {"total_iters": "total_iters", "power": "power"}),
    "one_cycle_lr": (
        "OneCycleLR",
        {
            "training_steps": "total_steps",
            "pct_start": "pct_start",
            "anneal_strategy": "anneal_strategy",
            "div_factor": "div_factor",
            "final_div_factor": "final_div_factor",
        },
    ),
}


def torch_values(
    name: str, values: dict[str, Any], lrs: list[float], steps: int, record: str = "before"
) -> list[list[float]]:
    """``get_last_lr()`` of torch's own scheduler class, one list per param group."""
    from torch.optim import lr_scheduler

    class_name, keywords = TORCH_CLASSES[name]
    opt = optimizer_for(lrs)
    kwargs = {keywords[k]: v for k, v in values.items() if k in keywords}
    if name == "one_cycle_lr":
        kwargs["max_lr"] = list(lrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = getattr(lr_scheduler, class_name)(opt, **kwargs)
    return record_values(scheduler, len(lrs), steps, record)


def oracle_values(
    name: str, values: dict[str, Any], lrs: list[float], steps: int, record: str = "before"
) -> list[list[float]]:
    """The real implementation's values for any schedule that has one."""
    if name in TORCH_CLASSES:
        return torch_values(name, values, lrs, steps, record)
    return transformers_values(name, values, lrs, steps, record)
