"""The schedule registry: one frozen record per name, and parameter checking.

The registry is the single source the CLI, ``lrplot list``, the docs and the
tests all read. It imports nothing heavy, so ``lrplot --help`` stays fast.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import NoClosedFormError, ParameterError, UnknownScheduleError

REQUIRED = object()  # a Param default meaning "the user must give it"


@dataclass(frozen=True)
class Param:
    """One parameter of a schedule.

    ``kind`` is ``"int"``, ``"float"``, ``"choice"`` or ``"count"``: a whole step
    count, or a fraction below 1 of the training steps (as transformers'
    ``warmup_steps`` accepts). A default of ``None`` means optional and unset.
    """

    name: str
    kind: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # True: the value must be strictly above ``low``
    high_open: bool = False
    choices: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def default_text(self) -> str:
        """The default for docs: a value, ``required``, or ``-`` (optional, unset)."""
        if self.required:
            return "required"
        return "-" if self.default is None else str(self.default)

    def valid_range(self) -> str:
        """Words for what is valid, for help text and error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "count":
            return "a whole step count >= 0, or a fraction in [0, 1) of the training steps"
        noun = "a whole number" if self.kind == "int" else "a finite number"
        bounds = []
        if self.low is not None:
            bounds.append(f"{'>' if self.low_open else '>='} {_fmt(self.low)}")
        if self.high is not None:
            bounds.append(f"{'<' if self.high_open else '<='} {_fmt(self.high)}")
        return noun + (" " + " and ".join(bounds) if bounds else "")

    def check(self, value: Any) -> Any:
        """The value converted to this kind, or a ParameterError."""
        if self.kind == "choice":
            if value not in self.choices:
                raise ParameterError(self.name, f"expected {self.valid_range()}, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(self.name, f"expected {self.valid_range()}, got {value!r}")
        if not math.isfinite(value):
            raise ParameterError(self.name, f"expected {self.valid_range()}, got {value}")
        fractional = value != int(value)
        if (self.kind == "int" and fractional) or (self.kind == "count" and value >= 1 and fractional):
            raise ParameterError(self.name, f"expected {self.valid_range()}, got {value}")
        if self.kind == "int":
            value = int(value)
        elif self.kind == "float":
            value = float(value)
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        too_high = self.high is not None and (value >= self.high if self.high_open else value > self.high)
        if self.kind == "count":
            too_low, too_high = value < 0, False
        if too_low or too_high:
            raise ParameterError(self.name, f"expected {self.valid_range()}, got {_fmt(value)}")
        return value


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


# Parameters shared by many schedules, named as in transformers' get_scheduler.
WARMUP = Param("warmup", "count", 0, "warmup steps: a whole count, or a fraction below 1 of the training steps")
TRAINING_STEPS = Param("training_steps", "int", None, "num_training_steps of the schedule (default: --steps)", low=1)
NUM_CYCLES_HALF = Param(
    "num_cycles", "float", 0.5, "cosine waves after warmup (0.5: one half-cosine down to 0)", low=0, low_open=True
)


@dataclass(frozen=True)
class ScheduleSpec:
    """A registered schedule.

    Attributes:
        name: the canonical name (transformers' spelling where it has one).
        description: one line for ``lrplot list``.
        formula: the multiplier in plain notation (W warmup, T training steps,
            s step, p = (s - W) / max(1, T - W)).
        params: the schedule's own parameters (``steps`` and ``lr`` are common).
        make: ``(values, base_lr) -> lr_lambda`` for a closed-form multiplier
            (run through ``LambdaLR``); ``None`` when the schedule is one of
            torch's own recursive schedulers.
        torch_scheduler: ``(optimizer, values, last_epoch) -> scheduler`` for
            schedules that are not a ``LambdaLR`` (torch's own classes).
        check: optional cross-parameter checks ``(values, base_lr, steps) ->
            warnings``; it raises ParameterError for contradictions and may fill
            derived defaults into ``values``.
        aliases: other accepted names (hyphenated spellings are added for you).
        source: the implementation lrplot reproduces, for docs.
    """

    name: str
    description: str
    formula: str
    params: tuple[Param, ...]
    make: Callable[[Mapping[str, Any], float], Callable[[int], float]] | None
    check: Callable[[dict[str, Any], float, int], list[str]] | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""
    torch_scheduler: Callable[[Any, Mapping[str, Any], int], Any] | None = None

    @property
    def closed_form(self) -> bool:
        """Whether the multiplier is a formula of the step alone."""
        return self.make is not None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def all_names(self) -> tuple[str, ...]:
        names = [self.name, *self.aliases]
        names += [n.replace("_", "-") for n in names]
        return tuple(dict.fromkeys(names))  # unique, in order


@dataclass(frozen=True)
class Schedule:
    """A schedule with every parameter checked and resolved.

    Attributes:
        spec: the registry entry.
        values: every parameter of the spec, defaults filled in, counts resolved.
        steps: how many values a run records.
        lrs: the initial lr of each param group; the first is the optimizer's.
        warnings: legal but suspicious choices, one line each.
    """

    spec: ScheduleSpec
    values: dict[str, Any]
    steps: int
    lrs: tuple[float, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def warmup(self) -> int:
        return int(self.values.get("warmup", 0))

    def lr_lambda(self) -> Callable[[int], float]:
        """A fresh multiplier ``step -> float`` for ``LambdaLR``."""
        if self.spec.make is None:
            raise NoClosedFormError(
                f"{self.name} is torch's own recursive scheduler and has no closed form here; use --engine torch"
            )
        return self.spec.make(self.values, self.lrs[0])

    def describe(self) -> dict[str, Any]:
        """The resolved parameters, enough to rebuild the same curve."""
        return {"schedule": self.name, "steps": self.steps, "lr": list(self.lrs), **self.values}


_REGISTRY: dict[str, ScheduleSpec] = {}
_ALIASES: dict[str, str] = {}


def register(spec: ScheduleSpec) -> ScheduleSpec:
    """Add a schedule; every one of its names must be new."""
    for name in spec.all_names:
        if name in _ALIASES:
            raise ValueError(f"schedule name {name!r} is already registered")
    _REGISTRY[spec.name] = spec
    for name in spec.all_names:
        _ALIASES[name] = spec.name
    return spec


def list_specs() -> list[ScheduleSpec]:
    """Every registered schedule, in registration order."""
    _load_builtin()
    return list(_REGISTRY.values())


def get_spec(name: str) -> ScheduleSpec:
    """The schedule called ``name`` (or one of its aliases)."""
    _load_builtin()
    if name in _ALIASES:
        return _REGISTRY[_ALIASES[name]]
    close = difflib.get_close_matches(name, list(_ALIASES), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"valid: {', '.join(_REGISTRY)}"
    raise UnknownScheduleError(f"unknown schedule {name!r}; {hint} (see 'lrplot list')")


def resolve(
    name: str,
    steps: int,
    lr: float | Iterable[float] = 1.0,
    params: Mapping[str, Any] | None = None,
) -> Schedule:
    """Check every parameter once and return the resolved :class:`Schedule`.

    Args:
        name: a registered schedule name or alias.
        steps: how many values to record (rows of the CSV), >= 1.
        lr: the initial lr, or one per param group.
        params: the schedule's own parameters; unset ones take their defaults.
            A ``None`` value counts as unset.
    """
    spec = get_spec(name)
    steps = _check_steps(steps)
    lrs = _check_lrs(lr)
    given = {k: v for k, v in (params or {}).items() if v is not None}
    for key in given:
        if spec.param(key) is None:
            valid = ", ".join(p.name for p in spec.params) or "none"
            raise ParameterError(key, f"{spec.name} takes no such parameter (its parameters: {valid})")
    values: dict[str, Any] = {}
    for p in spec.params:
        if p.name not in given:
            if p.required:
                raise ParameterError(p.name, f"{spec.name} needs it: {p.valid_range()}")
            values[p.name] = p.default
        else:
            values[p.name] = p.check(given[p.name])
    if "training_steps" in values and values["training_steps"] is None:
        values["training_steps"] = steps
    horizon = values.get("training_steps", steps)
    for p in spec.params:
        if p.kind == "count" and values[p.name] is not None:
            values[p.name] = _count(values[p.name], horizon)
    warnings = list(spec.check(values, lrs[0], steps) if spec.check else [])
    if "warmup" in values and values["warmup"] >= horizon:
        what = "training steps" if "training_steps" in values else "--steps"
        warnings.append(f"warmup ({values['warmup']}) >= {what} ({horizon}): the schedule never gets past warmup")
    return Schedule(spec, values, steps, lrs, tuple(warnings))


def _count(value: float, horizon: int) -> int:
    """A step count, or a fraction below 1 of ``horizon`` rounded up (as transformers)."""
    return int(value) if value >= 1 or value == 0 else math.ceil(horizon * value)


def _check_steps(steps: Any) -> int:
    ok = isinstance(steps, (int, float)) and not isinstance(steps, bool)
    if not ok or not math.isfinite(steps) or steps != int(steps) or steps < 1:
        raise ParameterError("steps", f"expected a whole number >= 1, got {steps!r}")
    return int(steps)


def _check_lrs(lr: float | Iterable[float]) -> tuple[float, ...]:
    lrs = tuple(lr) if isinstance(lr, Iterable) else (lr,)
    if not lrs:
        raise ParameterError("lr", "expected at least one learning rate")
    for value in lrs:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value <= 0:
            raise ParameterError("lr", f"expected a finite number > 0, got {value!r}")
    return tuple(float(v) for v in lrs)


def _load_builtin() -> None:
    from . import schedules, torch_schedules  # noqa: F401  (they register the built-in schedules)
