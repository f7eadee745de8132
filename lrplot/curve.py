"""Curve: the learning rate of every param group at every recorded step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import option_name
from .registry import Schedule

# Which scheduler.last_epoch each recorded value belongs to.
RECORD_MODES = {
    "before": "step = scheduler.last_epoch when get_last_lr() was read: 0 is the lr of the first "
    "optimizer step, read before any scheduler.step()",
    "after": "step = scheduler.last_epoch when get_last_lr() was read, after each scheduler.step(): "
    "1 is the first value (the article's figures)",
}


@dataclass(frozen=True)
class Curve:
    """What a run recorded.

    Attributes:
        schedule: the resolved schedule that made it.
        steps: int64 array, the ``last_epoch`` of each value.
        lrs: float64 array of shape (param groups, len(steps)).
        engine: ``"torch"`` or ``"numpy"``.
        record: ``"before"`` or ``"after"`` (see ``RECORD_MODES``).
        optimizer: the optimizer the torch engine built.
        versions: package versions that made the values.
        label: a name for legends; defaults to the schedule's name.
    """

    schedule: Schedule
    steps: Any
    lrs: Any
    engine: str = "torch"
    record: str = "before"
    optimizer: str = "sgd"
    versions: dict[str, str] = field(default_factory=dict)
    label: str = ""

    @property
    def lr(self) -> Any:
        """The lr of the first param group."""
        return self.lrs[0]

    @property
    def name(self) -> str:
        return self.label or self.schedule.name

    def metadata(self) -> dict[str, Any]:
        """Everything needed to regenerate these values."""
        return {
            "params": self.schedule.describe(),
            "engine": self.engine,
            "optimizer": self.optimizer,
            "record": self.record,
            "step_convention": RECORD_MODES[self.record],
            "versions": self.versions,
            "command": self.command(),
        }

    def command(self) -> str:
        """The ``lrplot`` command line that makes the same values."""
        values = self.schedule.describe()
        words = ["lrplot", values.pop("schedule"), "--steps", str(values.pop("steps"))]
        for lr in values.pop("lr"):
            words += ["--lr", repr(lr)]
        for key, value in values.items():
            if value is not None:
                words += [option_name(key), repr(value) if isinstance(value, float) else str(value)]
        if self.optimizer != "sgd":
            words += ["--optimizer", self.optimizer]
        if self.record != "before":
            words += ["--record", self.record]
        if self.engine != "torch":
            words += ["--engine", self.engine]
        return " ".join(words)
