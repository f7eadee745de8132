"""What a schedule builds: the law its lr follows, for an engine to step.

A spec's ``build`` returns one of these. An engine turns it into a
:class:`~lrplot.steppers.Stepper`: the torch engine runs any law through the
real scheduler, the numpy engine evaluates :class:`Multipliers` on arrays. A new
kind of scheduler (timm, optax, DeepSpeed) adds a law here and a stepper for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .piecewise import Piecewise


@dataclass(frozen=True)
class Multipliers:
    """Closed form: group ``g``'s lr at step ``s`` is ``lrs[g] * per_group[g](s)``.

    torch runs them through ``LambdaLR`` (one lambda per param group); numpy
    evaluates them on whole step arrays.
    """

    per_group: tuple[Piecewise, ...]

    @classmethod
    def shared(cls, multiplier: Piecewise, groups: int) -> Multipliers:
        """The same multiplier for every group (as transformers' schedules do)."""
        return cls((multiplier,) * groups)


@dataclass(frozen=True)
class TorchScheduler:
    """One of ``torch.optim.lr_scheduler``'s classes, which the torch engine builds
    as ``CLASS(optimizer, **kwargs, last_epoch=...)``.

    They compute each lr from the previous one, so only torch can step them.
    ``momentum``: it also sets the optimizer's momentum (or Adam's ``betas[0]``).
    """

    class_name: str
    kwargs: Mapping[str, object]
    momentum: bool = False


@dataclass(frozen=True)
class Composition:
    """``SequentialLR`` or ``ChainedScheduler`` over the children's schedulers, all
    on the one optimizer; ``kwargs`` are the composition's own (``milestones``)."""

    class_name: str
    children: tuple[Law, ...]
    kwargs: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Plateau:
    """``ReduceLROnPlateau``, stepped with ``step(metrics[i])``: the lr depends on
    the metric fed at each scheduler step."""

    kwargs: Mapping[str, object]
    metrics: tuple[float, ...]


@dataclass(frozen=True)
class UserFactory:
    """The user's own callable (:mod:`lrplot.user_code`), given the optimizer and ``kwargs``;
    the torch engine steps what it returns (a ``step -> factor`` callable through ``LambdaLR``)."""

    target: object  # FILE.py:NAME or package.module:NAME (a figure set's, relative to the set)
    kwargs: Mapping[str, object]


Law = Multipliers | TorchScheduler | Composition | Plateau | UserFactory


def cycles_momentum(law: Law) -> bool:
    """Whether stepping ``law`` changes the optimizer's momentum."""
    if isinstance(law, TorchScheduler):
        return law.momentum
    if isinstance(law, Composition):
        return any(cycles_momentum(child) for child in law.children)
    return False
