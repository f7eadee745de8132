"""How a run is made: checked once into a typed :class:`RunOptions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar, get_args

from .errors import ParameterError

Optimizer = Literal["sgd", "adam", "adamw"]
Record = Literal["before", "after"]
Engine = Literal["torch", "numpy"]

OPTIMIZERS: tuple[Optimizer, ...] = get_args(Optimizer)
RECORDS: tuple[Record, ...] = get_args(Record)
ENGINES: tuple[Engine, ...] = get_args(Engine)

DEFAULT_STEPS = 1000
DEFAULT_TOLERANCE = 1e-9  # render --check: |new - old| <= tolerance * (|old| + column peak)

# Which scheduler.last_epoch each recorded value belongs to.
STEP_CONVENTIONS: dict[Record, str] = {
    "before": "step = scheduler.last_epoch when get_last_lr() was read: 0 is the lr of the first "
    "optimizer step, read before any scheduler.step()",
    "after": "step = scheduler.last_epoch when get_last_lr() was read, after each scheduler.step(): "
    "1 is the first value (the article's figures)",
}


@dataclass(frozen=True)
class RunOptions:
    """How to step a schedule.

    Attributes:
        optimizer: the optimizer the torch engine builds (the lr does not depend on it).
        record: read ``get_last_lr()`` ``before`` each ``scheduler.step()``
            (last_epoch 0..N-1) or ``after`` it (1..N).
        engine: ``torch`` steps the real scheduler; ``numpy`` evaluates the
            same formulas on arrays.
    """

    optimizer: Optimizer = "sgd"
    record: Record = "before"
    engine: Engine = "torch"

    def __post_init__(self) -> None:
        _choose("optimizer", self.optimizer, OPTIMIZERS)
        _choose("record", self.record, RECORDS)
        _choose("engine", self.engine, ENGINES)

    @classmethod
    def check(cls, optimizer: object = None, record: object = None, engine: object = None) -> RunOptions:
        """Options from untyped input (``None``: the default), or a ParameterError naming the bad one."""
        given = {"optimizer": optimizer, "record": record, "engine": engine}
        valid = {"optimizer": OPTIMIZERS, "record": RECORDS, "engine": ENGINES}
        return cls(**{k: _choose(k, v, valid[k]) for k, v in given.items() if v is not None})  # type: ignore[arg-type]

    @property
    def convention(self) -> str:
        return STEP_CONVENTIONS[self.record]


T = TypeVar("T", bound=str)


def _choose(name: str, value: object, valid: tuple[T, ...]) -> T:
    for option in valid:
        if option == value:
            return option
    raise ParameterError(name, f"expected one of {', '.join(valid)}, got {value!r}")
