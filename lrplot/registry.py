"""The schedule registry: one frozen record per name, in families, and resolving.

A :class:`Registry` holds :class:`ScheduleSpec` records that family modules
(``lrplot/schedules/``) register into it explicitly. It is the single source the
CLI, ``lrplot list``, the docs and the tests all read, and it imports nothing
heavy, so ``lrplot --help`` stays fast.

Naming rule: a name (or alias) is unique within its family. A bare name belongs
to the first family that registered it; every schedule is also reachable as
``FAMILY.NAME`` (``torch.step_lr``), which is how a later family's colliding
name (a timm or optax ``cosine``) is reached.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from .errors import NoClosedFormError, ParameterError, UnknownScheduleError
from .laws import Law, Multipliers
from .limits import MAX_NESTING, check_magnitude, is_number
from .notation import Definition
from .params import Param, ScheduleRequest, Value, text_of
from .piecewise import Piecewise

Values = dict[str, Value]
Formula = tuple[str, dict[str, float]]  # a formula of lrplot.expression, and its variables
Check = Callable[[Values, float, int], list[str]]
CheckGiven = Callable[[Mapping[str, Value]], None]
ChildSteps = Callable[[Values, int, int], int]


@dataclass(frozen=True)
class ScheduleSpec:
    """A registered schedule.

    Attributes:
        name: the canonical name (the source's spelling where it has one).
        family: the family it belongs to (``transformers``, ``paper``, ``torch``).
        description: one line for ``lrplot list``.
        formula: the lr multiplier ``lr / lr0``: for a function of the step, a
            formula of :mod:`lrplot.expression` in the notation of
            :mod:`lrplot.notation` (tests/test_formulas.py evaluates it); else words.
        params: the schedule's own parameters (``steps`` and ``lr`` are common).
        build: ``(values, lrs) -> Law``: what an engine steps.
        check: optional cross-parameter checks ``(values, base_lr, steps) ->
            warnings``; it raises ParameterError for contradictions and may fill
            derived defaults into ``values``.
        check_given: optional checks of the parameters as given, before
            defaults fill in (two that may not be given together).
        aliases: other accepted names (hyphenated spellings are added for you).
        source: the implementation lrplot reproduces, for docs.
        closed_form: whether ``build`` gives :class:`Multipliers` (a formula of
            the step), which the numpy engine can evaluate.
        uncomposable: why it cannot be a child of a composition (empty if it
            can): ReduceLROnPlateau's step needs a metric.
        child_steps: for a composition, ``(values, steps, i) -> the steps child
            i runs``, its default horizon (``training_steps``); default: ``steps``.
        expression: for a closed form, ``(values, base_lr) -> (formula, variables)``:
            the multiplier in lrplot's formula language, operation for operation as
            ``build`` computes it (a test holds them equal); scripts write it out.
        get_scheduler: transformers' name for it, when ``get_scheduler`` builds it.
        where: the names ``formula`` uses that are defined once, in order (each
            may use the ones before it).
    """

    name: str
    family: str
    description: str
    formula: str
    params: tuple[Param, ...]
    build: Callable[[Values, tuple[float, ...]], Law]
    check: Check | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""
    closed_form: bool = True
    check_given: CheckGiven | None = None
    uncomposable: str = ""
    child_steps: ChildSteps | None = None
    expression: Callable[[Values, float], Formula] | None = None
    get_scheduler: str = ""
    where: tuple[Definition, ...] = ()

    def __reduce__(self) -> tuple[Callable[[str], ScheduleSpec], tuple[str]]:
        """A registered spec crosses to another process (a worker forked from this one,
        with the same registry) by its name: pickle cannot carry its functions."""
        if _REGISTERED.get(self.qualified_name) is not self:
            import pickle  # not at start-up: --help imports this module

            raise pickle.PicklingError(f"{self.qualified_name} is not registered: it cannot cross to another process")
        return registered, (self.qualified_name,)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def composition(self) -> bool:
        """Whether its children are schedules of their own."""
        return any(p.kind == "schedules" for p in self.params)

    @property
    def qualified_name(self) -> str:
        return f"{self.family}.{self.name}"

    @property
    def all_names(self) -> tuple[str, ...]:
        names = [self.name, *self.aliases]
        names += [n.replace("_", "-") for n in names]
        return tuple(dict.fromkeys(names))  # unique, in order


_REGISTERED: dict[str, ScheduleSpec] = {}  # every registered spec, by qualified name: what a pickle names


def registered(qualified_name: str) -> ScheduleSpec:
    """The spec registered as ``FAMILY.NAME`` (in any registry): what an unpickled spec is."""
    return _REGISTERED[qualified_name]


def closed_form(make: Callable[[Values, float], Piecewise]) -> Callable[[Values, tuple[float, ...]], Law]:
    """A build from ``make(values, base_lr) -> multiplier``, shared by every param
    group and made with the first group's lr (transformers reads
    ``optimizer.defaults["lr"]``, which is the first group's here)."""
    return lambda values, lrs: Multipliers.shared(make(values, lrs[0]), len(lrs))


@dataclass(frozen=True)
class Schedule:
    """A schedule with every parameter checked and resolved.

    Attributes:
        spec: the registry entry.
        values: every parameter of the spec, defaults filled in, counts resolved,
            nested schedules resolved to :class:`Schedule` (a list of them to a
            tuple).
        steps: how many values a run records.
        lrs: the initial lr of each param group; the first is the optimizer's.
        warnings: legal but suspicious choices, one line each.
        reference: the name that reaches the spec in the registry that resolved
            it: bare, or ``FAMILY.NAME`` when a family before it has that name.
    """

    spec: ScheduleSpec
    values: Values
    steps: int
    lrs: tuple[float, ...]
    warnings: tuple[str, ...] = field(default=())
    reference: str = ""

    @property
    def name(self) -> str:
        """The name written out (files, metadata, commands, titles); it reads back as this schedule."""
        return self.reference or self.spec.name

    @property
    def warmup(self) -> int:
        warmup = self.values.get("warmup", 0)
        return int(warmup) if isinstance(warmup, (int, float)) else 0

    def law(self) -> Law:
        """What an engine steps (built afresh: multipliers hold no state, torch's do)."""
        return self.spec.build(self.values, self.lrs)

    def lr_lambda(self, group: int = 0) -> Piecewise:
        """Group ``group``'s multiplier ``step -> float``, as ``LambdaLR`` uses it."""
        law = self.law()
        if not isinstance(law, Multipliers):
            raise NoClosedFormError(self.name)
        return law.per_group[group]

    def text(self) -> str:
        """``NAME:key=value,...``: the text form a nested schedule parameter takes."""
        given = ",".join(f"{k}={text_of(v)}" for k, v in self.values.items() if v is not None)
        return f"{self.name}:{given}" if given else self.name

    def describe(self) -> dict[str, object]:
        """The resolved parameters (a nested schedule as its own description)."""
        values = {k: _describe(v) for k, v in self.values.items()}
        return {"schedule": self.name, "steps": self.steps, "lr": list(self.lrs), **values}


class Registry:
    """Schedules by name, in families; see the module's naming rule."""

    def __init__(self) -> None:
        self._specs: dict[str, ScheduleSpec] = {}  # qualified name -> spec, in registration order
        self._names: dict[str, str] = {}  # every accepted name -> qualified name

    def register(self, spec: ScheduleSpec) -> ScheduleSpec:
        """Add a schedule; its names must be new within its family."""
        if any("." in name for name in (spec.family, *spec.all_names)):
            raise ValueError(f"family, schedule and alias names may not hold '.': {spec.qualified_name!r}")
        for other in self._specs.values():
            taken = set(other.all_names) & set(spec.all_names)
            if other.family == spec.family and taken:
                raise ValueError(f"schedule name {sorted(taken)[0]!r} is already registered in {spec.family}")
        self._specs[spec.qualified_name] = spec
        _REGISTERED[spec.qualified_name] = spec
        for name in spec.all_names:
            self._names.setdefault(name, spec.qualified_name)  # a bare name stays with its first family
            self._names[f"{spec.family}.{name}"] = spec.qualified_name
        return spec

    def register_all(self, specs: Iterable[ScheduleSpec]) -> None:
        """Add a family's schedules, in order."""
        for spec in specs:
            self.register(spec)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def specs(self) -> list[ScheduleSpec]:
        """Every schedule, in registration order."""
        return list(self._specs.values())

    def command_name(self, spec: ScheduleSpec) -> str:
        """The shortest name that reaches ``spec``: bare, or qualified when shadowed."""
        return spec.name if self._names.get(spec.name) == spec.qualified_name else spec.qualified_name

    def get(self, name: str) -> ScheduleSpec:
        """The schedule called ``name`` (an alias, or ``FAMILY.NAME``)."""
        if name in self._names:
            return self._specs[self._names[name]]
        matches = difflib.get_close_matches(name, list(self._names), n=len(self._names), cutoff=0.5)
        best: dict[str, str] = {}  # one suggestion per schedule: the closest of its names
        for match in matches:
            best.setdefault(self._names[match], match)
        close = list(best.values())[:3]
        hint = (
            f"did you mean {', '.join(close)}?"
            if close
            else f"valid: {', '.join(map(self.command_name, self.specs()))}"
        )
        raise UnknownScheduleError(f"unknown schedule {name!r}; {hint} (see 'lrplot list')")

    def resolve(
        self,
        name: str,
        steps: int,
        lr: float | Iterable[float] = 1.0,
        params: Mapping[str, object] | None = None,
        updates_per_step: int = 1,
        depth: int = 0,
    ) -> Schedule:
        """Check every parameter once and return the resolved :class:`Schedule`.

        Args:
            name: a registered schedule name or alias.
            steps: how many values to record (rows of the CSV), >= 1.
            lr: the initial lr, or one per param group.
            params: the schedule's own parameters; unset ones take their
                defaults. A ``None`` value counts as unset.
            updates_per_step: optimizer updates per scheduler step (a scheduler
                stepped once an epoch of K updates: K). The default horizon,
                ``training_steps``, counts scheduler steps: ``steps / K``, rounded up.
            depth: how deep in a composition this schedule is (the limit is
                :data:`~lrplot.limits.MAX_NESTING`).
        """
        spec = self.get(name)
        steps = check_steps(steps)
        scheduled = -(-steps // updates_per_step)  # the scheduler steps the run reads
        lrs = _check_lrs(lr)
        given = {k: v for k, v in (params or {}).items() if v is not None}
        for key in given:
            if spec.param(key) is None:
                valid = ", ".join(p.name for p in spec.params) or "none"
                raise ParameterError(key, f"{spec.name} takes no such parameter (its parameters: {valid})")
        if spec.check_given:
            spec.check_given(given)
        values: Values = {}
        for p in spec.params:
            if _resolved(given.get(p.name)):  # already resolved (a resumed run's values)
                values[p.name] = given[p.name]
            elif p.name in given:
                values[p.name] = p.check(given[p.name])
            elif p.required:
                raise ParameterError(p.name, f"{spec.name} needs it: {p.valid_range()}")
            else:
                values[p.name] = p.default
        if "training_steps" in values and values["training_steps"] is None:
            values["training_steps"] = scheduled
        horizon = values.get("training_steps", scheduled)
        assert isinstance(horizon, int)
        for p in spec.params:
            value = values[p.name]
            if p.kind == "count" and isinstance(value, (int, float)):
                values[p.name] = _count(value, horizon)
            elif p.kind == "floats" and isinstance(value, tuple) and len(value) not in (1, len(lrs)):
                raise ParameterError(
                    p.name, f"expected one value, or one per param group ({len(lrs)}), got {len(value)}"
                )
            elif isinstance(value, ScheduleRequest) or (p.kind == "schedules" and not _resolved(value)):
                if depth >= MAX_NESTING:
                    raise ParameterError(p.name, f"schedules nested more than {MAX_NESTING} deep")
                if isinstance(value, ScheduleRequest):
                    values[p.name] = self._child(p.name, value, scheduled, lrs, depth + 1)
                else:
                    assert isinstance(value, tuple)
                    values[p.name] = self._children(spec, values, p.name, value, scheduled, lrs, depth + 1)
        warnings = list(spec.check(values, lrs[0], scheduled) if spec.check else [])
        for key, value in values.items():
            children = value if isinstance(value, tuple) and _resolved(value) else (value,)
            for i, child in enumerate(children, 1):
                if isinstance(child, Schedule):
                    where = f"{key} {i}" if len(children) > 1 or value is not child else key
                    warnings += [f"{where} '{child.name}': {warning}" for warning in child.warnings]
        warmup = values.get("warmup")
        if isinstance(warmup, int) and warmup >= horizon:
            what = "training steps" if "training_steps" in values else "steps"
            warnings.append(f"warmup ({warmup}) >= {what} ({horizon}): the schedule never gets past warmup")
        return Schedule(spec, values, steps, lrs, tuple(warnings), self.command_name(spec))

    def _child(self, where: str, request: ScheduleRequest, steps: int, lrs: tuple[float, ...], depth: int) -> Schedule:
        try:
            return self.resolve(request.name, steps, lrs, request.params, depth=depth)
        except (ParameterError, UnknownScheduleError) as e:
            raise e.located(f"{where} '{request.name}'") from None

    def _children(
        self,
        parent: ScheduleSpec,
        values: Values,
        param: str,
        requests: tuple[object, ...],
        steps: int,
        lrs: tuple[float, ...],
        depth: int,
    ) -> tuple[Schedule, ...]:
        """A composition's children, resolved; each must be composable."""
        children = []
        for i, request in enumerate(requests, 1):
            own_steps = parent.child_steps(values, steps, i - 1) if parent.child_steps else steps
            assert isinstance(request, ScheduleRequest)
            try:
                child = self.get(request.name)
            except UnknownScheduleError as e:
                raise e.located(f"{param} {i} '{request.name}'") from None
            if child.uncomposable:
                raise ParameterError(
                    param, f"child {i} ({child.name}) cannot be in {parent.name}: {child.uncomposable}"
                )
            children.append(self._child(f"{param} {i}", request, own_steps, lrs, depth))
        return tuple(children)


def _resolved(value: object) -> bool:
    """A resolved schedule, or a non-empty tuple of them."""
    if isinstance(value, tuple):
        return bool(value) and all(isinstance(v, Schedule) for v in value)
    return isinstance(value, Schedule)


def _describe(value: Value) -> object:
    """A value for metadata: a nested schedule (or a list of them) as its own description."""
    if isinstance(value, Schedule):
        return value.describe()
    if isinstance(value, tuple) and _resolved(value):
        return [v.describe() for v in value if isinstance(v, Schedule)]
    return value


def _count(value: float, horizon: int) -> int:
    """A step count, or a fraction below 1 of ``horizon`` rounded up (as transformers)."""
    return int(value) if value >= 1 or value == 0 else math.ceil(horizon * value)


def check_steps(steps: object) -> int:
    """``steps`` as an int if it is a whole number from 1 to 1e15."""
    if is_number(steps) and steps == int(steps) and steps >= 1:
        check_magnitude("steps", steps)
        return int(steps)
    raise ParameterError("steps", f"expected a whole number >= 1, got {steps!r}")


def _check_lrs(lr: float | Iterable[float]) -> tuple[float, ...]:
    lrs = tuple(lr) if isinstance(lr, Iterable) else (lr,)
    if not lrs:
        raise ParameterError("lr", "expected at least one learning rate")
    for value in lrs:
        if not is_number(value) or value <= 0:
            raise ParameterError("lr", f"expected a finite number > 0, got {value!r}")
        check_magnitude("lr", value)
    return tuple(float(v) for v in lrs)
