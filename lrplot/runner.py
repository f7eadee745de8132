"""The torch engine: the real optimizer and scheduler, stepped N times.

This is the only module that imports torch.
"""

from __future__ import annotations

import sys
import warnings
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from . import __version__
from .curve import Curve
from .engines import check_run_options
from .registry import Schedule


@contextmanager
def _compiler_not_imported(torch: Any) -> Iterator[None]:
    """Build an optimizer without importing torch's compiler (about 1 s).

    ``Optimizer.add_param_group`` is wrapped by ``torch._disable_dynamo``, which
    on its first call imports ``torch._dynamo`` only to keep ``torch.compile``
    from tracing into it. Nothing is compiled here, so for this construction the
    wrapper's cache slot is given the plain function; it is removed afterwards,
    and a later ``torch.compile`` in the same process behaves as usual. On a
    torch without that wrapper this does nothing (the import just costs time).
    """
    plain = getattr(torch.optim.Optimizer.add_param_group, "__wrapped__", None)
    if plain is None or "torch._dynamo" in sys.modules or hasattr(plain, "__dynamo_disable"):
        yield
        return
    setattr(plain, "__dynamo_disable", plain)  # noqa: B010  (the name is torch's, not an identifier here)
    try:
        yield
    finally:
        delattr(plain, "__dynamo_disable")  # noqa: B043


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
    with _compiler_not_imported(torch):
        opt = factory(groups, lr=schedule.lrs[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if schedule.spec.torch_scheduler is not None:
            scheduler = schedule.spec.torch_scheduler(opt, schedule.values, last_epoch)
        else:
            scheduler = LambdaLR(opt, schedule.lr_lambda(), last_epoch=last_epoch)
    return opt, scheduler


Progress = Callable[[int, int], None]
PROGRESS_EVERY = 1 << 16  # steps between progress reports


def run(
    schedule: Schedule,
    optimizer: str = "sgd",
    record: str = "before",
    last_epoch: int = -1,
    progress: Progress | None = None,
) -> Curve:
    """Step the real scheduler and read ``get_last_lr()`` ``schedule.steps`` times.

    Args:
        schedule: a resolved schedule.
        optimizer: ``sgd``, ``adam`` or ``adamw``.
        record: ``before``: read at construction, then after each of the
            ``steps - 1`` scheduler steps (last_epoch 0..N-1); ``after``: read
            after each of ``steps`` scheduler steps (last_epoch 1..N).
        last_epoch: resume from this saved epoch, as torch's constructor takes it.
        progress: called as ``progress(done, total)`` every 65536 steps and at
            the end, for a progress bar.
    """
    import numpy as np
    import torch

    check_run_options(optimizer, record)
    _, scheduler = build(schedule, optimizer, last_epoch)
    n = schedule.steps
    # array('d') holds 8 bytes a value: a million steps cost 8 MB, not 32.
    columns = [array("d") for _ in schedule.lrs]
    appends = [column.append for column in columns]
    step, read = scheduler.step, scheduler.get_last_lr
    with warnings.catch_warnings():
        # No optimizer.step() is taken, so torch would warn about the order.
        warnings.simplefilter("ignore")
        if record == "after":
            step()
        first = scheduler.last_epoch
        for start in range(0, n, PROGRESS_EVERY):
            for i in range(start, min(start + PROGRESS_EVERY, n)):
                if i:
                    step()
                for append, value in zip(appends, read(), strict=True):
                    append(value)
            if progress is not None:
                progress(min(start + PROGRESS_EVERY, n), n)
    # Every torch scheduler adds one to last_epoch per step; make sure of it.
    if scheduler.last_epoch != first + n - 1:
        raise RuntimeError(f"last_epoch ended at {scheduler.last_epoch}, expected {first + n - 1}")
    return Curve(
        schedule=schedule,
        steps=np.arange(first, first + n, dtype=np.int64),
        lrs=np.array([np.frombuffer(column, dtype=np.float64) for column in columns]),
        engine="torch",
        record=record,
        optimizer=optimizer,
        versions={"lrplot": __version__, "torch": torch.__version__},
    )
