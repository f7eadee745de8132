"""The torch engine: the real optimizer and scheduler, stepped N times.

This is the only module that imports torch.
"""

from __future__ import annotations

import numbers
import sys
import warnings
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import ModuleType
from typing import TYPE_CHECKING, cast

from .errors import ParameterError, UsageError
from .laws import Composition, Law, Multipliers, Plateau, TorchScheduler, UserFactory, cycles_momentum
from .limits import shown
from .options import OPTIMIZER_CLASSES, WITH_MOMENTUM, RunOptions
from .params import file_path
from .registry import Schedule
from .steppers import Progress, trace_of
from .trace import Array, Axis, Trace, TrackKey
from .version import __version__

if TYPE_CHECKING:
    from torch.optim import Optimizer
    from torch.optim.lr_scheduler import LRScheduler


# The optimizer methods a run calls that torch wraps in ``torch._disable_dynamo``:
# building one, and a resume's checkpoint (its state saved and loaded).
UNCOMPILED_METHODS = ("add_param_group", "state_dict", "load_state_dict")


@contextmanager
def _compiler_not_imported(torch: ModuleType) -> Iterator[None]:
    """Build, save and load an optimizer without importing torch's compiler (about 1 s).

    The methods of :data:`UNCOMPILED_METHODS` are wrapped by ``torch._disable_dynamo``,
    which on a first call imports ``torch._dynamo`` only to keep ``torch.compile``
    from tracing into them. Nothing is compiled here, so for the block each
    wrapper's cache slot is given the plain function; they are removed afterwards,
    and a later ``torch.compile`` in the same process behaves as usual. On a
    torch without such a wrapper this does nothing (the import just costs time).
    """
    if "torch._dynamo" in sys.modules:
        yield
        return
    wrapped = (getattr(getattr(torch.optim.Optimizer, name, None), "__wrapped__", None) for name in UNCOMPILED_METHODS)
    plain = [f for f in wrapped if f is not None and not hasattr(f, "__dynamo_disable")]
    for f in plain:
        setattr(f, "__dynamo_disable", f)  # noqa: B010  (the name is torch's, not an identifier here)
    try:
        yield
    finally:
        for f in plain:
            delattr(f, "__dynamo_disable")  # noqa: B043


NO_RESUME = {
    Plateau: "its step needs the metrics of the first run",
    Composition: "torch's compositions take no last_epoch for their children",
    UserFactory: "lrplot cannot pass your factory a last_epoch",
}


def load() -> None:
    """Import torch and its schedulers (see :func:`lrplot.engines.preload`)."""
    import torch.optim.lr_scheduler  # noqa: F401


def build(
    schedule: Schedule, optimizer: str = "sgd", last_epoch: int = -1, law: Law | None = None
) -> tuple[Optimizer, LRScheduler]:
    """A dummy model's optimizer (one param group per lr) and the real scheduler.

    With ``last_epoch >= 0`` (resuming), the optimizer holds what a checkpoint
    saved at that ``last_epoch`` holds: a first run of the same scheduler is
    stepped ``last_epoch`` times, and its optimizer's state (each group's lr,
    ``initial_lr``, momentum; OneCycleLR's ``max_lr`` and ``min_lr``) is loaded
    into the new one, as ``optimizer.load_state_dict`` does in training.
    """
    import torch

    model = torch.nn.ParameterList(torch.nn.Parameter(torch.zeros(1)) for _ in schedule.lrs)
    factory = getattr(torch.optim, OPTIMIZER_CLASSES[optimizer])

    def new_optimizer() -> Optimizer:
        groups = [{"params": [p], "lr": lr} for p, lr in zip(model, schedule.lrs, strict=True)]
        with _compiler_not_imported(torch):
            return cast("Optimizer", factory(groups, lr=schedule.lrs[0]))

    opt = new_optimizer()
    law = law or schedule.law()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if last_epoch >= 0:
                if isinstance(law, (Composition, Plateau, UserFactory)):
                    raise ParameterError("resume_steps", f"{schedule.name} cannot resume here: {NO_RESUME[type(law)]}")
                first = new_optimizer()
                saved = _scheduler(first, law, -1)
                for _ in range(last_epoch):
                    saved.step()
                with _compiler_not_imported(torch):
                    opt.load_state_dict(first.state_dict())
            scheduler = _scheduler(opt, law, last_epoch)
        except ValueError as e:
            if "momentum" not in str(e) or not cycles_momentum(law):
                raise
            off = "in the child" if isinstance(law, Composition) else ""
            raise ParameterError(
                "optimizer",
                f"{optimizer} has no momentum (nor betas) for {schedule.name} to cycle: use "
                f"{', '.join(WITH_MOMENTUM)}, or turn cycle_momentum off{' ' + off if off else ''}",
                mentions=() if off else ("cycle_momentum",),
            ) from None
    return opt, scheduler


def _scheduler(opt: Optimizer, law: Law, last_epoch: int) -> LRScheduler:
    """The real scheduler of ``law`` on ``opt`` (a composition's children on the same optimizer)."""
    from torch.optim import lr_scheduler

    if isinstance(law, Multipliers):
        return lr_scheduler.LambdaLR(opt, list(law.per_group), last_epoch=last_epoch)
    if isinstance(law, TorchScheduler):
        scheduler_class = getattr(lr_scheduler, law.class_name)
        return cast("LRScheduler", scheduler_class(opt, **law.kwargs, last_epoch=last_epoch))
    if isinstance(law, Plateau):
        return lr_scheduler.ReduceLROnPlateau(opt, **law.kwargs)  # type: ignore[arg-type]
    if isinstance(law, UserFactory):
        return _users_scheduler(opt, law)
    children = [_scheduler(opt, child, -1) for child in law.children]
    if law.class_name == "SequentialLR":
        return lr_scheduler.SequentialLR(opt, children, **law.kwargs)  # type: ignore[arg-type]
    return lr_scheduler.ChainedScheduler(children, optimizer=opt)


def _users_scheduler(opt: Optimizer, law: UserFactory) -> LRScheduler:
    """What the user's factory made, as a scheduler on ``opt``: theirs, or LambdaLR over their callable."""
    from torch.optim import lr_scheduler

    from . import user_code

    made = user_code.call(law.target, law.kwargs, opt)
    what = f"{law.target} returned"
    if isinstance(made, lr_scheduler.ReduceLROnPlateau):
        raise ParameterError(
            "target", f"{what} a ReduceLROnPlateau, whose step needs a metric: use reduce_lr_on_plateau --metrics FILE"
        )
    if isinstance(made, lr_scheduler.LRScheduler):
        if made.optimizer is not opt:
            raise ParameterError("target", f"{what} a scheduler of another optimizer: build it on the one it is given")
        scheduler = made
        # Its step is their code: what it raises is theirs to read, with the last_epoch it had reached
        # (torch counts it before computing the lr).
        where = f"{law.target}'s scheduler, stepped to last_epoch"
        made.step = user_code.guarded(made.step, lambda *_: f"{where} {scheduler.last_epoch},")  # type: ignore[method-assign, assignment]
        return made
    if callable(made):
        users = user_code.guarded(made, lambda step: f"{law.target}'s callable at step {step}")

        def factor(step: int) -> float:
            return _number(users(step), f"{law.target}'s callable returned", step)

        return lr_scheduler.LambdaLR(opt, factor)
    raise ParameterError(
        "target",
        f"{what} {shown(made)} ({type(made).__name__}); expected a torch LRScheduler built on the optimizer "
        "it is given, or (taking no optimizer) a step -> factor callable",
    )


def _number(value: object, what: str, step: int) -> float:
    """``value`` as the float LambdaLR multiplies, or an error saying what it is instead."""
    if isinstance(value, numbers.Real) or (hasattr(value, "__float__") and not isinstance(value, complex | str)):
        try:
            return float(value)  # a Real, or something with __float__
        except (OverflowError, TypeError, ValueError):
            pass
    raise ParameterError("target", f"{what} {shown(value)} ({type(value).__name__}) at step {step}; expected a number")


class TorchStepper:
    """The real scheduler (and its optimizer, kept for quantities beyond the lr)."""

    chunk = 1 << 16  # steps between progress reports

    def __init__(
        self, schedule: Schedule, optimizer: str = "sgd", last_epoch: int = -1, law: Law | None = None
    ) -> None:
        import torch

        law = law or schedule.law()
        self.optimizer, self.scheduler = build(schedule, optimizer, last_epoch, law)
        self.versions = {"lrplot": __version__, "torch": torch.__version__}
        groups = range(len(schedule.lrs))
        # array('d') holds 8 bytes a value: a million steps cost 8 MB, not 32.
        self._columns = {("lr", g): array("d") for g in groups}
        self._momentum = {("momentum", g): array("d") for g in groups} if cycles_momentum(law) else {}
        self._metrics = law.metrics if isinstance(law, Plateau) else None
        self._fed = 0  # metrics fed so far
        self._steps_taken = 0

    @property
    def last_epoch(self) -> int:
        own = getattr(self.scheduler, "last_epoch", None)
        return self._steps_taken if own is None else int(own)  # ChainedScheduler keeps none: count from 0

    def _feed(self) -> None:
        """ReduceLROnPlateau's step: the k-th step is fed the k-th metric."""
        assert self._metrics is not None
        self.scheduler.step(self._metrics[self._fed])  # type: ignore[arg-type]  # ReduceLROnPlateau takes the metric
        self._fed += 1

    def take(self, epochs: Axis) -> None:
        n, step_first = len(epochs), int(epochs[0]) != self.last_epoch
        lrs = list(self._columns.values())
        momenta = list(self._momentum.values())
        groups = self.optimizer.param_groups
        beta = "betas" in self.optimizer.defaults  # Adam's momentum is betas[0], as torch's schedulers set it
        step = self.scheduler.step if self._metrics is None else self._feed
        read = cast(Callable[[], list[float]], self.scheduler.get_last_lr)  # floats: no lr is a tensor here
        with warnings.catch_warnings():
            # No optimizer.step() is taken, so torch would warn about the order.
            warnings.simplefilter("ignore")
            try:
                for i in range(n):
                    if step_first or i:
                        step()
                    for column, value in zip(lrs, read(), strict=True):
                        column.append(value)
                    if momenta:  # only the schedulers that cycle it
                        for column, group in zip(momenta, groups, strict=True):
                            column.append(float(group["betas"][0] if beta else group["momentum"]))
            except TypeError as e:  # only a user's own scheduler sets an lr that is no float
                raise UsageError(f"the scheduler's lr at last_epoch {self.last_epoch} is not a number ({e})") from None
        self._steps_taken += n if step_first else n - 1

    def tracks(self) -> dict[TrackKey, Array]:
        import numpy as np

        tracks = {key: np.frombuffer(column, dtype=np.float64) for key, column in self._columns.items()}
        momentum = [np.frombuffer(column, dtype=np.float64) for column in self._momentum.values()]
        if momentum and all(np.array_equal(m, momentum[0]) for m in momentum):
            momentum = momentum[:1]  # one column unless the groups differ
        tracks.update({("momentum", g): values for g, values in enumerate(momentum)})
        if self._metrics is not None:
            tracks[("metric", 0)] = np.array(self._metrics[: len(tracks[("lr", 0)])], dtype=np.float64)
        return tracks


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
    law = schedule.law()
    readings = -(-schedule.steps // options.updates_per_step)
    if isinstance(law, Plateau) and len(law.metrics) < readings:
        raise ParameterError(
            "metrics",
            f"{file_path(schedule.values['metrics'])} holds {len(law.metrics)} values; {readings} are needed, "
            "one for each recorded scheduler step: give more, or lower steps",
            mentions=("steps",),
        )
    try:
        return trace_of(TorchStepper(schedule, options.optimizer, last_epoch, law), schedule, options, progress)
    except ValueError as e:  # OneCycleLR stepped past its total steps, alone or in a composition
        if "Tried to step" not in str(e):
            raise
        reason = f"one_cycle_lr cannot step past its total_steps (torch: {e})"
        if isinstance(law, Composition):  # the child's parameter, not an option of this command
            raise UsageError(f"{schedule.name}: {reason}: raise the child's training_steps") from None
        raise ParameterError(
            "training_steps", f"{reason}; raise it (or epochs * epoch_steps), or record fewer steps",
            mentions=("epochs", "epoch_steps"),
        ) from None  # fmt: skip
