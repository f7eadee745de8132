"""The torch engine: the real optimizer and scheduler, stepped N times.

This is the only module that imports torch.
"""

from __future__ import annotations

import sys
import warnings
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import ModuleType
from typing import TYPE_CHECKING, cast

from .laws import Multipliers, TorchScheduler
from .options import RunOptions
from .registry import Schedule
from .steppers import Progress, trace_of
from .trace import Array, Axis, Trace, TrackKey
from .version import __version__

if TYPE_CHECKING:
    from torch.optim import Optimizer
    from torch.optim.lr_scheduler import LRScheduler


@contextmanager
def _compiler_not_imported(torch: ModuleType) -> Iterator[None]:
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


def load() -> None:
    """Import torch and its schedulers (see :func:`lrplot.engines.preload`)."""
    import torch.optim.lr_scheduler  # noqa: F401


def build(schedule: Schedule, optimizer: str = "sgd", last_epoch: int = -1) -> tuple[Optimizer, LRScheduler]:
    """A dummy model's optimizer (one param group per lr) and the real scheduler.

    With ``last_epoch >= 0`` (resuming), each param group carries what the
    scheduler's first construction put there (``initial_lr``; OneCycleLR's
    ``max_lr`` and ``min_lr``), as a checkpoint's optimizer state would.
    """
    import torch

    model = torch.nn.ParameterList(torch.nn.Parameter(torch.zeros(1)) for _ in schedule.lrs)
    factory = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[optimizer]

    def new_optimizer() -> Optimizer:
        groups = [{"params": [p], "lr": lr} for p, lr in zip(model, schedule.lrs, strict=True)]
        with _compiler_not_imported(torch):
            return cast("Optimizer", factory(groups, lr=schedule.lrs[0]))

    opt = new_optimizer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if last_epoch >= 0:  # what the first run's constructor stored in each group
            first = new_optimizer()
            _scheduler(first, schedule, -1)
            for group, stored in zip(opt.param_groups, first.param_groups, strict=True):
                group.update({k: v for k, v in stored.items() if k not in group})
        scheduler = _scheduler(opt, schedule, last_epoch)
    return opt, scheduler


def _scheduler(opt: Optimizer, schedule: Schedule, last_epoch: int) -> LRScheduler:
    from torch.optim import lr_scheduler

    law = schedule.law()
    if isinstance(law, Multipliers):
        return lr_scheduler.LambdaLR(opt, list(law.per_group), last_epoch=last_epoch)
    if isinstance(law, TorchScheduler):
        scheduler_class = getattr(lr_scheduler, law.class_name)
        return cast("LRScheduler", scheduler_class(opt, **law.kwargs, **law.from_optimizer(opt), last_epoch=last_epoch))
    raise TypeError(f"the torch engine cannot step a {type(law).__name__}")


class TorchStepper:
    """The real scheduler (and its optimizer, kept for quantities beyond the lr)."""

    chunk = 1 << 16  # steps between progress reports

    def __init__(self, schedule: Schedule, optimizer: str = "sgd", last_epoch: int = -1) -> None:
        import torch

        self.optimizer, self.scheduler = build(schedule, optimizer, last_epoch)
        self.versions = {"lrplot": __version__, "torch": torch.__version__}
        # array('d') holds 8 bytes a value: a million steps cost 8 MB, not 32.
        self._columns = {("lr", g): array("d") for g in range(len(schedule.lrs))}

    @property
    def last_epoch(self) -> int:
        return self.scheduler.last_epoch

    def take(self, epochs: Axis) -> None:
        n, step_first = len(epochs), int(epochs[0]) != self.scheduler.last_epoch
        appends = [column.append for column in self._columns.values()]
        step = self.scheduler.step
        read = cast(Callable[[], list[float]], self.scheduler.get_last_lr)  # floats: no lr is a tensor here
        with warnings.catch_warnings():
            # No optimizer.step() is taken, so torch would warn about the order.
            warnings.simplefilter("ignore")
            for i in range(n):
                if step_first or i:
                    step()
                for append, value in zip(appends, read(), strict=True):
                    append(value)

    def tracks(self) -> dict[TrackKey, Array]:
        import numpy as np

        return {key: np.frombuffer(column, dtype=np.float64) for key, column in self._columns.items()}


def run(
    schedule: Schedule,
    options: RunOptions | None = None,
    last_epoch: int = -1,
    progress: Progress | None = None,
) -> Trace:
    """Step the real scheduler and read it ``schedule.steps`` times.

    Args:
        schedule: a resolved schedule.
        options: the optimizer and the step convention (``options.record``).
        last_epoch: resume from this saved epoch, as torch's constructor takes it.
        progress: called as ``progress(done, total)`` every 65536 steps and at
            the end, for a progress bar.
    """
    options = replace(options or RunOptions(), engine="torch")
    return trace_of(TorchStepper(schedule, options.optimizer, last_epoch), schedule, options, progress)
