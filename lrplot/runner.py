"""The torch engine: the real optimizer and scheduler, stepped N times.

This is the only module that imports torch.
"""

from __future__ import annotations

import warnings
from typing import Any

from . import __version__
from .curve import RECORD_MODES, Curve
from .errors import ParameterError
from .registry import Schedule

OPTIMIZERS = ("sgd", "adam", "adamw")


def check_run_options(optimizer: str, record: str) -> None:
    """Raise ParameterError for an unknown optimizer or record mode."""
    if optimizer not in OPTIMIZERS:
        raise ParameterError("optimizer", f"expected one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    if record not in RECORD_MODES:
        raise ParameterError("record", f"expected one of {', '.join(RECORD_MODES)}, got {record!r}")


def build(schedule: Schedule, optimizer: str = "sgd", last_epoch: int = -1) -> tuple[Any, Any]:
    """A dummy model's optimizer (one param group per lr) and the real scheduler.

    With ``last_epoch >= 0`` (resuming), each param group carries its
    ``initial_lr``, as torch requires.
    """
    import torch
    from torch.optim.lr_scheduler import LambdaLR

    check_run_options(optimizer, "before")
    model = torch.nn.ParameterList(torch.nn.Parameter(torch.zeros(1)) for _ in schedule.lrs)
    groups = [{"params": [p], "lr": lr} for p, lr in zip(model, schedule.lrs, strict=True)]
    if last_epoch >= 0:
        for group in groups:
            group["initial_lr"] = group["lr"]
    factory = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[optimizer]
    opt = factory(groups, lr=schedule.lrs[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if schedule.spec.torch_scheduler is not None:
            scheduler = schedule.spec.torch_scheduler(opt, schedule.values, last_epoch)
        else:
            scheduler = LambdaLR(opt, schedule.lr_lambda(), last_epoch=last_epoch)
    return opt, scheduler


def run(schedule: Schedule, optimizer: str = "sgd", record: str = "before", last_epoch: int = -1) -> Curve:
    """Step the real scheduler and read ``get_last_lr()`` ``schedule.steps`` times.

    Args:
        schedule: a resolved schedule.
        optimizer: ``sgd``, ``adam`` or ``adamw``.
        record: ``before``: read at construction, then after each of the
            ``steps - 1`` scheduler steps (last_epoch 0..N-1); ``after``: read
            after each of ``steps`` scheduler steps (last_epoch 1..N).
        last_epoch: resume from this saved epoch, as torch's constructor takes it.
    """
    import numpy as np
    import torch

    check_run_options(optimizer, record)
    _, scheduler = build(schedule, optimizer, last_epoch)
    n, groups = schedule.steps, len(schedule.lrs)
    columns = [[0.0] * n for _ in range(groups)]
    epochs = [0] * n
    step, read = scheduler.step, scheduler.get_last_lr
    skip_first = record == "before"
    with warnings.catch_warnings():
        # No optimizer.step() is taken, so torch would warn about the order.
        warnings.simplefilter("ignore")
        for i in range(n):
            if i or not skip_first:
                step()
            epochs[i] = scheduler.last_epoch
            for g, value in enumerate(read()):
                columns[g][i] = value
    return Curve(
        schedule=schedule,
        steps=np.array(epochs, dtype=np.int64),
        lrs=np.array(columns, dtype=np.float64),
        engine="torch",
        record=record,
        optimizer=optimizer,
        versions={"lrplot": __version__, "torch": torch.__version__},
    )
