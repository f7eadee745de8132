"""How a run is made: checked once into a typed :class:`RunOptions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar, get_args

from .errors import ParameterError
from .limits import check_magnitude

Optimizer = Literal["sgd", "adam", "adamw", "rmsprop", "adagrad"]
Record = Literal["before", "after"]
Engine = Literal["torch", "numpy"]
Interval = Literal["update", "epoch"]

OPTIMIZERS: tuple[Optimizer, ...] = get_args(Optimizer)
OPTIMIZER_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad"}
WITH_MOMENTUM: tuple[Optimizer, ...] = ("sgd", "adam", "adamw", "rmsprop")  # what OneCycleLR and CyclicLR can cycle
RECORDS: tuple[Record, ...] = get_args(Record)
ENGINES: tuple[Engine, ...] = get_args(Engine)
INTERVALS: tuple[Interval, ...] = get_args(Interval)

DEFAULT_STEPS = 1000
DEFAULT_TOLERANCE = 1e-9  # render --check: |new - old| <= tolerance * (|old| + column peak)

# Which scheduler.last_epoch each recorded value belongs to.
STEP_CONVENTIONS: dict[Record, str] = {
    "before": "step = scheduler.last_epoch when get_last_lr() was read: 0 is the lr of the first "
    "optimizer step, read before any scheduler.step()",
    "after": "step = scheduler.last_epoch when get_last_lr() was read, after each scheduler.step(): "
    "1 is the first value (the article's figures)",
}
EPOCH_CONVENTION = (
    "one row per optimizer update; the scheduler steps once every {k} updates (once an epoch); "
    "step = scheduler.last_epoch when the update's lr was read, before the epoch's scheduler.step()"
)


@dataclass(frozen=True)
class RunOptions:
    """How to step a schedule.

    Attributes:
        optimizer: the optimizer the torch engine builds (the lr does not depend on it).
        record: read ``get_last_lr()`` ``before`` each ``scheduler.step()``
            (last_epoch 0..N-1) or ``after`` it (1..N).
        engine: ``torch`` steps the real scheduler; ``numpy`` evaluates the
            same formulas on arrays.
        interval: how often the scheduler steps: every optimizer ``update``,
            or once an ``epoch`` of ``steps_per_epoch`` updates. Either way a
            run records one value per optimizer update.
        steps_per_epoch: optimizer updates per epoch (``interval="epoch"`` only).
    """

    optimizer: Optimizer = "sgd"
    record: Record = "before"
    engine: Engine = "torch"
    interval: Interval = "update"
    steps_per_epoch: int | None = None

    def __post_init__(self) -> None:
        _choose("optimizer", self.optimizer, OPTIMIZERS)
        _choose("record", self.record, RECORDS)
        _choose("engine", self.engine, ENGINES)
        _choose("interval", self.interval, INTERVALS)
        k = self.steps_per_epoch
        if self.interval == "update" and k is not None:
            raise ParameterError("steps_per_epoch", "only with interval epoch", mentions=("interval",))
        if self.interval == "epoch":
            if isinstance(k, bool) or not isinstance(k, int) or k < 1:
                got = "" if k is None else f", got {k!r}"
                raise ParameterError(
                    "steps_per_epoch", f"interval epoch needs it: a whole number >= 1{got}", mentions=("interval",)
                )
            check_magnitude("steps_per_epoch", k)
            if self.record != "before":
                raise ParameterError(
                    "record", "interval epoch reads each update's lr before the scheduler steps: use before",
                    mentions=("interval",),
                )  # fmt: skip

    @classmethod
    def check(
        cls,
        optimizer: object = None,
        record: object = None,
        engine: object = None,
        interval: object = None,
        steps_per_epoch: int | None = None,
    ) -> RunOptions:
        """Options from untyped input (``None``: the default), or a ParameterError naming the bad one."""
        interval = "update" if interval == "step" else interval  # Lightning's word for it
        given = {"optimizer": optimizer, "record": record, "engine": engine, "interval": interval}
        valid = {"optimizer": OPTIMIZERS, "record": RECORDS, "engine": ENGINES, "interval": INTERVALS}
        chosen = {k: _choose(k, v, valid[k]) for k, v in given.items() if v is not None}
        return cls(**chosen, steps_per_epoch=steps_per_epoch)  # type: ignore[arg-type]

    @property
    def updates_per_step(self) -> int:
        """Optimizer updates per scheduler step."""
        return self.steps_per_epoch if self.interval == "epoch" and self.steps_per_epoch else 1

    @property
    def convention(self) -> str:
        if self.interval == "epoch":
            return EPOCH_CONVENTION.format(k=self.updates_per_step)
        return STEP_CONVENTIONS[self.record]


T = TypeVar("T", bound=str)


def _choose(name: str, value: object, valid: tuple[T, ...]) -> T:
    for option in valid:
        if option == value:
            return option
    raise ParameterError(name, f"expected one of {', '.join(valid)}, got {value!r}")
