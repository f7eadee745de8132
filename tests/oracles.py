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


def optimizer_for(lrs: list[float], name: str = "sgd") -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    factory = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[name]
    return factory([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)], lr=lrs[0])


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


def record_values(
    scheduler: Any,
    groups: int,
    steps: int,
    record: str,
    metrics: list[float] | None = None,
    momentum_of: torch.optim.Optimizer | None = None,
) -> list[list[float]]:
    """``get_last_lr()`` read ``steps`` times, before or after each ``scheduler.step()``
    (the k-th step fed ``metrics[k - 1]`` when given); then the momentum of each group
    of ``momentum_of`` at each reading, when given."""
    out: list[list[float]] = [[] for _ in range(groups * (2 if momentum_of else 1))]
    fed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(steps):
            if i or record == "after":
                if metrics is None:
                    scheduler.step()
                else:
                    scheduler.step(metrics[fed])
                    fed += 1
            for g, lr in enumerate(scheduler.get_last_lr()):
                out[g].append(lr)
            for g, group in enumerate(momentum_of.param_groups if momentum_of else []):
                out[groups + g].append(group["betas"][0] if "betas" in group else group["momentum"])
    return out


def assert_close(actual: Any, expected: Any, rel: float = 1e-12, what: str = "") -> None:
    """Every value within ``rel`` relative error (no absolute slack)."""
    actual, expected = list(actual), list(expected)
    assert len(actual) == len(expected), f"{what}: {len(actual)} values, expected {len(expected)}"
    for i, (a, b) in enumerate(zip(actual, expected, strict=True)):
        assert math.isclose(a, b, rel_tol=rel, abs_tol=0.0), f"{what}: index {i}: {a!r} != {b!r}"


# torch's own schedulers: lrplot parameter names -> the class's keywords (the oracle's
# own table, not lrplot's; unset optional values are left to torch's defaults).
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
            "pct_start": "pct_start",
            "anneal_strategy": "anneal_strategy",
            "div_factor": "div_factor",
            "final_div_factor": "final_div_factor",
            "three_phase": "three_phase",
            "cycle_momentum": "cycle_momentum",
            "base_momentum": "base_momentum",
            "max_momentum": "max_momentum",
        },
    ),
    "constant_lr": ("ConstantLR", {"factor": "factor", "total_iters": "total_iters"}),
    "multi_step_lr": ("MultiStepLR", {"milestones": "milestones", "gamma": "gamma"}),
    "multiplicative_lr": ("MultiplicativeLR", {}),
    "cyclic_lr": (
        "CyclicLR",
        {
            "base_lr": "base_lr",
            "max_lr": "max_lr",
            "step_size_up": "step_size_up",
            "step_size_down": "step_size_down",
            "mode": "mode",
            "gamma": "gamma",
            "cycle_momentum": "cycle_momentum",
            "base_momentum": "base_momentum",
            "max_momentum": "max_momentum",
        },
    ),
    "reduce_lr_on_plateau": (
        "ReduceLROnPlateau",
        {k: k for k in ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps")},
    ),
    "sequential_lr": ("SequentialLR", {}),
    "chained_scheduler": ("ChainedScheduler", {}),
    "lambda_lr": ("LambdaLR", {}),
    "factory": ("", {}),  # the user's own function, called here directly
}
# A formula evaluated directly by Python (the test's own eval of the text, not lrplot's
# reader): s and the variables are floats, the functions those of the language.
PYTHON_NAMES = {
    "__builtins__": {},
    "min": min,
    "max": max,
    "abs": abs,
    "floor": lambda x: float(math.floor(x)),
    "ceil": lambda x: float(math.ceil(x)),
    **{f: getattr(math, f) for f in ("sqrt", "exp", "log", "log2", "log10", "cos", "sin", "tan", "tanh")},
    "pi": math.pi,
    "e": math.e,
}


def python_formula(text: str, variables: Any = None) -> Any:
    """``step -> float`` for a formula of lambda_lr, as a user's own Python lambda computes it."""
    code = compile(text, "<formula>", "eval")
    names = {k: float(v) for k, v in dict(variables or {}).items()}
    return lambda step: eval(code, PYTHON_NAMES, {**names, "s": float(step)})  # noqa: S307 (the test's own text)


MOMENTUM_CLASSES = {"OneCycleLR", "CyclicLR"}


def read_metric(path: str, column: str | None) -> list[float]:
    """A metric column read with the csv module (apart from lrplot's reader)."""
    import csv

    with open(path, newline="") as f:
        rows = [row for row in csv.reader(f) if row and not row[0].startswith("#")]
    if column is None:
        return [float(row[0]) for row in rows]
    index = rows[0].index(column)
    return [float(row[index]) for row in rows[1:]]


def _torch_arg(value: Any) -> Any:
    """lrplot keeps lists as tuples; one value per group of one is the value itself."""
    if isinstance(value, tuple):
        return value[0] if len(value) == 1 and not isinstance(value[0], int) else list(value)
    return value


def torch_scheduler(name: str, values: dict[str, Any], opt: torch.optim.Optimizer) -> Any:
    """The real class of ``name`` on ``opt``, built from lrplot's resolved ``values``."""
    from torch.optim import lr_scheduler

    if name == "factory":
        return users_factory(str(values["target"]), dict(values["kw"] or {}), opt)
    class_name, keywords = TORCH_CLASSES[name]
    kwargs = {keywords[k]: _torch_arg(v) for k, v in values.items() if k in keywords and v is not None}
    if name == "one_cycle_lr":
        kwargs["max_lr"] = [group.get("initial_lr", group["lr"]) for group in opt.param_groups]  # --lr
        if values.get("epochs"):
            kwargs.update(epochs=values["epochs"], steps_per_epoch=values["epoch_steps"])
        else:
            kwargs["total_steps"] = values["training_steps"]
    if name == "cyclic_lr" and "base_lr" not in kwargs:
        kwargs["base_lr"] = [group.get("initial_lr", group["lr"]) for group in opt.param_groups]
    if name == "lambda_lr":
        kwargs["lr_lambda"] = python_formula(values["expr"], values["var"])
    if name == "multiplicative_lr":
        factors = values["factor"]
        kwargs["lr_lambda"] = [(lambda e, f=f: f) for f in factors] if len(factors) > 1 else lambda e: factors[0]
    if name in ("sequential_lr", "chained_scheduler"):
        children = [child_scheduler(child, opt) for child in values["schedulers"]]
        if name == "chained_scheduler":
            return lr_scheduler.ChainedScheduler(children, optimizer=opt)
        return lr_scheduler.SequentialLR(opt, children, milestones=list(values["milestones"]))
    return getattr(lr_scheduler, class_name)(opt, **kwargs)


def users_factory(target: str, kwargs: dict[str, Any], opt: torch.optim.Optimizer) -> Any:
    """What a user's factory makes, as their training script would use it (apart from lrplot's loader)."""
    import importlib.util
    import inspect

    from torch.optim import lr_scheduler

    path, _, name = target.rpartition(":")
    spec = importlib.util.spec_from_file_location("oracle_factories", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    factory = getattr(module, name)
    if inspect.signature(factory).parameters.get("optimizer"):
        return factory(opt, **kwargs)
    return lr_scheduler.LambdaLR(opt, factory(**kwargs))


def child_scheduler(child: Any, opt: torch.optim.Optimizer) -> Any:
    """A composition's child: torch's class, or LambdaLR over transformers' schedule."""
    name = child.spec.name
    if name in TORCH_CLASSES:
        return torch_scheduler(name, dict(child.values), opt)
    from transformers import get_scheduler

    extra = {TRANSFORMERS_KWARGS[k]: v for k, v in child.values.items() if k in TRANSFORMERS_KWARGS and v is not None}
    return get_scheduler(
        name,
        opt,
        num_warmup_steps=child.values.get("warmup", 0),
        num_training_steps=child.values.get("training_steps", child.steps),
        scheduler_specific_kwargs=extra,
    )


def torch_values(
    name: str, values: dict[str, Any], lrs: list[float], steps: int, record: str = "before", optimizer: str = "sgd"
) -> list[list[float]]:
    """``get_last_lr()`` of torch's own scheduler class, one list per param group; then, for a
    scheduler that cycles momentum, the optimizer's momentum (Adam: betas[0]) per group."""
    opt = optimizer_for(lrs, optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = torch_scheduler(name, values, opt)
    metrics = read_metric(values["metrics"], values.get("metric_column")) if name == "reduce_lr_on_plateau" else None
    return record_values(scheduler, len(lrs), steps, record, metrics, opt if cycles(name, values) else None)


def cycles(name: str, values: dict[str, Any]) -> bool:
    """Whether the scheduler (or a child of the composition) sets the momentum."""
    if name in ("sequential_lr", "chained_scheduler"):
        return any(cycles(child.spec.name, dict(child.values)) for child in values["schedulers"])
    return TORCH_CLASSES.get(name, ("",))[0] in MOMENTUM_CLASSES and values.get("cycle_momentum", True)


def oracle_values(
    name: str, values: dict[str, Any], lrs: list[float], steps: int, record: str = "before", optimizer: str = "sgd"
) -> list[list[float]]:
    """The real implementation's values for any schedule that has one."""
    if name in TORCH_CLASSES:
        return torch_values(name, values, lrs, steps, record, optimizer)
    return transformers_values(name, values, lrs, steps, record)
