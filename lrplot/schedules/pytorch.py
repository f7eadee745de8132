"""PyTorch's own schedulers (``torch.optim.lr_scheduler``), run as the real class.

They are stepped recursively by torch (each lr computed from the previous one),
so lrplot has no formula of its own for them and the numpy engine refuses them.
torch is imported only when one is built. Every public class is here but the
base ``LRScheduler`` (tests/test_registry.py compares the list with torch's).
``LambdaLR``, which runs every closed-form family, is also ``lambda_lr``: a
user's own formula (:mod:`lrplot.expression`), which either engine evaluates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..errors import ParameterError
from ..laws import Composition, Law, Multipliers, Plateau, TorchScheduler
from ..notation import Definition
from ..params import REQUIRED, Param, Value, file_path
from ..registry import Check, CheckGiven, ChildSteps, ScheduleSpec, Values
from .common import TRAINING_STEPS

if TYPE_CHECKING:
    from ..expression import Formula

FAMILY = "torch"
TORCH = "torch.optim.lr_scheduler"
Extra = Callable[[Values, tuple[float, ...]], dict[str, object]]  # (values, lrs) -> more keyword arguments


def torch_spec(
    name: str,
    class_name: str,
    description: str,
    formula: str,
    params: tuple[Param, ...],
    keywords: Mapping[str, str] | None = None,
    extra: Extra | None = None,
    check: Check | None = None,
    check_given: CheckGiven | None = None,
    build: Callable[[Values, tuple[float, ...]], Law] | None = None,
    uncomposable: str = "",
    child_steps: ChildSteps | None = None,
    where: tuple[Definition, ...] = (),
) -> ScheduleSpec:
    """The spec of ``torch.optim.lr_scheduler.CLASS_NAME``, named ``name``.

    Args:
        keywords: lrplot parameter -> the class's keyword argument (a list of
            one value per param group is passed as one value when it has one).
        extra: further keyword arguments computed from the group lrs (``--lr``).
        build: instead of the plain class (a plateau, a composition).
        uncomposable: why it cannot be a child of a composition.
        child_steps: for a composition, the steps each child runs.
        where: the names ``formula`` defines once.
    """

    per_group = {p.name for p in params if p.kind == "floats"}

    def plain(values: Values, lrs: tuple[float, ...]) -> Law:
        kwargs = {kw: _torch_value(values[param], param in per_group) for param, kw in (keywords or {}).items()}
        kwargs.update(extra(values, lrs) if extra else {})
        return TorchScheduler(class_name, kwargs, momentum=values.get("cycle_momentum") is True)

    return ScheduleSpec(
        name=name,
        family=FAMILY,
        description=f"torch {class_name}: {description}",
        formula=formula,
        where=where,
        params=params,
        build=build or plain,
        check=check,
        check_given=check_given,
        uncomposable=uncomposable,
        child_steps=child_steps,
        aliases=(class_name,),
        source=f"{TORCH}.{class_name}",
        closed_form=False,
    )


ETA_MIN = Param("eta_min", "float", 0.0, "the lowest lr (absolute)", low=0)


def _eta_min_below_lr(values: Values, lr: float, steps: int) -> list[str]:
    eta_min = values["eta_min"]
    if isinstance(eta_min, float) and eta_min > lr:
        return [f"eta_min ({eta_min:g}) is above the lr ({lr:g}): the cosine rises to eta_min instead of falling"]
    return []


def _per_group(value: Value) -> Value:
    """A list of one value per param group, or its one value (torch takes either)."""
    if not isinstance(value, tuple):
        return value
    return list(value) if len(value) > 1 else value[0]


def _torch_value(value: Value, per_group: bool) -> Value:
    """A value as the class takes it: a per-group one as :func:`_per_group`, any other list as a list."""
    return _per_group(value) if per_group else list(value) if isinstance(value, tuple) else value


CYCLE_MOMENTUM = Param("cycle_momentum", "bool", True, "cycle the optimizer's momentum (Adam: betas[0]) against the lr")


def _momentum(base: float, peak: float) -> tuple[Param, Param]:
    return (
        Param(
            "base_momentum", "floats", base, "the momentum where the lr peaks (one, or one per group)", low=0, high=1
        ),
        Param(
            "max_momentum", "floats", peak, "the momentum where the lr is lowest (one, or one per group)", low=0, high=1
        ),
    )


def _check_one_cycle_given(given: Mapping[str, Value]) -> None:
    by_epochs = [k for k in ("epochs", "epoch_steps") if k in given]
    if by_epochs and len(by_epochs) < 2:
        other = ({"epochs", "epoch_steps"} - set(by_epochs)).pop()
        raise ParameterError(by_epochs[0], f"needs {other} too (total steps = epochs * epoch_steps)", mentions=(other,))
    total, epochs, per_epoch = (given.get(k) for k in ("training_steps", "epochs", "epoch_steps"))
    agree = isinstance(epochs, int) and isinstance(per_epoch, int) and total == epochs * per_epoch
    if by_epochs and total is not None and not agree:  # as written out, they agree: a command regenerates
        raise ParameterError(
            "training_steps",
            "give it or epochs and epoch_steps, not both (torch uses total_steps and ignores the others)",
            mentions=("epochs", "epoch_steps"),
        )


def _check_one_cycle(values: Values, lr: float, steps: int) -> list[str]:
    # Stepping past total_steps is refused where torch refuses it, when the run gets there
    # (lrplot.runner): how many steps a run takes depends on the interval and, in a
    # composition, on the milestones.
    epochs, per_epoch = values["epochs"], values["epoch_steps"]
    if isinstance(epochs, int) and isinstance(per_epoch, int):
        values["training_steps"] = epochs * per_epoch  # what OneCycleLR computes from them
    return []


def _factors(factor: Value) -> object:
    """MultiplicativeLR's lr_lambda: one constant function, or one per group."""
    assert isinstance(factor, tuple)

    def constant(value: float) -> Callable[[int], float]:
        return lambda step: value

    return constant(factor[0]) if len(factor) == 1 else [constant(f) for f in factor]


def _plateau(values: Values) -> Law:
    from ..metrics import read_metrics

    path, column = values["metrics"], values["metric_column"]
    assert isinstance(path, str) and (column is None or isinstance(column, str))
    keywords = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps")
    return Plateau({k: _per_group(values[k]) for k in keywords}, read_metrics(file_path(path), column))


def _composition(class_name: str, values: Values) -> Law:
    children = values["schedulers"]
    assert isinstance(children, tuple)
    laws = tuple(child.law() for child in children)
    milestones = values.get("milestones")
    return Composition(class_name, laws, {"milestones": list(milestones)} if isinstance(milestones, tuple) else {})


def _check_sequential(values: Values, lr: float, steps: int) -> list[str]:
    children, milestones = values["schedulers"], values["milestones"]
    assert isinstance(children, tuple) and isinstance(milestones, tuple)
    if len(milestones) != len(children) - 1:
        raise ParameterError(
            "milestones",
            f"expected one for each child after the first ({len(children) - 1} for {len(children)} children), "
            f"got {len(milestones)}",
        )
    if any(b <= a for a, b in zip(milestones, milestones[1:], strict=False)):
        raise ParameterError("milestones", f"expected increasing steps, got {','.join(map(str, milestones))}")
    for i, child in enumerate(children[1:], 2):
        if child.spec.composition:
            raise ParameterError(
                "schedulers",
                f"child {i} ({child.name}): torch's SequentialLR can hold a composition only as its first child "
                "(at a milestone it restarts the child, which a composition cannot do)",
            )
    return _late(milestones, steps, "its child never runs")


def _late(milestones: tuple[int, ...], steps: int, what: str) -> list[str]:
    """A warning for milestones no recorded step reaches (with --record before, the last is steps - 1)."""
    late = [m for m in milestones if m >= steps]
    return (
        [f"milestone {late[0]} is not before step {steps}: {what} in the recorded steps; raise steps"] if late else []
    )


def _check_multi_step(values: Values, lr: float, steps: int) -> list[str]:
    milestones = values["milestones"]
    assert isinstance(milestones, tuple)
    return _late(milestones, steps, "the drop there is not")


def _segment(values: Values, steps: int, child: int) -> int:
    """The steps child ``child`` of a SequentialLR runs: from its milestone to the next (or the end)."""
    milestones = values.get("milestones")
    if not isinstance(milestones, tuple):
        return steps
    bounds = [0, *milestones, steps]
    return max(1, bounds[child + 1] - bounds[child]) if child + 1 < len(bounds) else steps


def _formula(values: Values) -> Formula:
    from ..expression import compile_formula

    text, variables = values["expr"], values["var"]
    assert isinstance(text, str) and (variables is None or isinstance(variables, dict))
    return compile_formula(text, variables)


def _check_lambda(values: Values, lr: float, steps: int) -> list[str]:
    from ..expression import unused

    variables = values["var"]
    assert variables is None or isinstance(variables, dict)
    idle = unused(str(values["expr"]), variables or {})  # also checks every name is given
    return [f"var {', '.join(idle)}: the formula does not use {'it' if len(idle) == 1 else 'them'}"] if idle else []


# OneCycleLR's phases, as multipliers of max_lr (--lr): a rise from 1 / div_factor to 1, then a fall
# to the end; three_phase puts a fall back to 1 / div_factor between them.
ONE_CYCLE_PHASES = (
    Definition("first", "1 / div_factor", meaning="where it starts"),
    Definition("last", "first / final_div_factor", meaning="where it ends"),
    Definition("E1", "pct_start * T - 1", meaning="the step where the rise ends"),
    Definition(
        "E2",
        "2 * pct_start * T - 2 if three_phase else E1",
        meaning="where the fall back to first ends (none without three_phase)",
    ),
    Definition(
        "a", "first if s <= E1 or three_phase and s > E2 else 1", meaning="the multiplier the phase of s starts from"
    ),
    Definition("b", "1 if s <= E1 else first if s <= E2 else last", meaning="the one it heads for"),
    Definition(
        "q",
        "s / E1 if s <= E1 else (s - E1) / (E2 - E1) if s <= E2 else (s - E2) / (T - 1 - E2)",
        meaning="the progress through the phase",
    ),
    Definition("h", by="anneal_strategy", cases=(("cos", "(1 - cos(pi * q)) / 2"), ("linear", "q"))),
)
# CyclicLR's triangle: up over step_size_up steps, down over step_size_down, each cycle scaled.
CYCLIC_TRIANGLE = (
    Definition("base_lr", "lr0", unset=True),
    Definition("step_size_down", "step_size_up", unset=True),
    Definition("L", "step_size_up + step_size_down", meaning="the steps of a cycle"),
    Definition("cycle", "floor(1 + s / L)", meaning="the cycle s is in, from 1"),
    Definition("x", "1 + s / L - cycle", meaning="how far into it, from 0 to 1"),
    Definition("up", "step_size_up / L", meaning="where it peaks"),
    Definition("h", "x / up if x <= up else (x - 1) / (up - 1)", meaning="from 0 up to 1 and back"),
    Definition(
        "scale",
        by="mode",
        cases=(("triangular", "1"), ("triangular2", "1 / 2 ** (cycle - 1)"), ("exp_range", "gamma ** s")),
    ),
)

LAMBDA_LR = ScheduleSpec(
    name="lambda_lr",
    family=FAMILY,
    description="torch LambdaLR with your own multiplier: a formula of the step s and your --var values",
    formula="EXPR as given, a formula of s and your --var names (e.g. 'min(1, s / W)')",
    params=(
        Param(
            "expr",
            "expression",
            REQUIRED,
            "the multiplier, a formula of the step s: numbers, s, pi, e, your variables, + - * / // % **, "
            "comparisons, and/or/not, x if c else y, min max abs floor ceil sqrt exp log log2 log10 cos sin tan "
            "tanh; Python's float arithmetic (a formula that starts with '-' goes last, after --)",
        ),
        Param("var", "variables", None, "a variable of the formula, NAME=NUMBER (repeat it)", metavar="NAME=X"),
    ),
    build=lambda values, lrs: Multipliers.shared(_formula(values).multiplier(), len(lrs)),
    check=_check_lambda,
    aliases=("LambdaLR", "expr"),
    source=f"{TORCH}.LambdaLR",
    expression=lambda values, lr: (str(values["expr"]), dict(values["var"] or {})),  # type: ignore[call-overload]
)

SPECS = (
    LAMBDA_LR,
    torch_spec(
        "step_lr",
        "StepLR",
        "multiply the lr by gamma every step_size steps",
        "gamma ** (s // step_size)",
        (
            Param("step_size", "int", 30, "steps between decays", low=1),
            Param("gamma", "float", 0.1, "multiplicative factor of the lr decay", low=0, low_open=True),
        ),
        {"step_size": "step_size", "gamma": "gamma"},
    ),
    torch_spec(
        "exponential_lr",
        "ExponentialLR",
        "multiply the lr by gamma every step",
        "gamma ** s",
        (Param("gamma", "float", 0.99, "multiplicative factor per step", low=0, low_open=True),),
        {"gamma": "gamma"},
    ),
    torch_spec(
        "cosine_annealing_lr",
        "CosineAnnealingLR",
        "cosine from the lr to eta_min over T_max = training steps",
        "eta_min / lr0 + (1 - eta_min / lr0) * (1 + cos(pi * s / T)) / 2",
        (TRAINING_STEPS, ETA_MIN),
        {"training_steps": "T_max", "eta_min": "eta_min"},
        check=_eta_min_below_lr,
    ),
    torch_spec(
        "cosine_annealing_warm_restarts",
        "CosineAnnealingWarmRestarts",
        "cosine cycles of t_0 steps, each t_mult times longer",
        "eta_min / lr0 + (1 - eta_min / lr0) * (1 + cos(pi * T_cur / T_i)) / 2",
        (
            Param("t_0", "int", 100, "steps in the first cycle (T_0)", low=1),
            Param("t_mult", "int", 1, "factor by which each cycle grows (T_mult)", low=1),
            ETA_MIN,
        ),
        {"t_0": "T_0", "t_mult": "T_mult", "eta_min": "eta_min"},
        check=_eta_min_below_lr,
        where=(
            Definition(
                "n",
                "s // t_0 if t_mult == 1 else floor(log(1 + (s + 0.5) * (t_mult - 1) / t_0) / log(t_mult))",
                meaning="the cycle s is in, from 0; the 0.5 keeps the log clear of rounding at a cycle's first step",
            ),
            Definition("T_i", "t_0 * t_mult ** n", meaning="its steps"),
            Definition(
                "T_cur",
                "s - (t_0 * n if t_mult == 1 else t_0 * (t_mult ** n - 1) / (t_mult - 1))",
                meaning="the steps since it began",
            ),
        ),
    ),
    torch_spec(
        "linear_lr",
        "LinearLR",
        "factor moving linearly from start_factor to end_factor over total_iters",
        "start_factor + (end_factor - start_factor) * min(s, total_iters) / max(1, total_iters)",
        (
            # torch divides by start_factor: below ~1e-308 the lr overflows to inf.
            Param("start_factor", "float", 1 / 3, "the multiplier at step 0", low=1e-12, high=1),
            Param("end_factor", "float", 1.0, "the multiplier from total_iters on", low=0, high=1),
            Param("total_iters", "int", 5, "steps until end_factor is reached", low=0),
        ),
        {"start_factor": "start_factor", "end_factor": "end_factor", "total_iters": "total_iters"},
    ),
    torch_spec(
        "polynomial_lr",
        "PolynomialLR",
        "polynomial decay to 0 over total_iters",
        "(1 - min(s, total_iters) / max(1, total_iters)) ** power",
        (
            Param("total_iters", "int", 5, "steps until the lr reaches 0", low=0),
            Param("power", "float", 1.0, "the polynomial's power", low=0),
        ),
        {"total_iters": "total_iters", "power": "power"},
    ),
    torch_spec(
        "one_cycle_lr",
        "OneCycleLR",
        "warm up to --lr (max_lr) over pct_start, then anneal far below it; momentum cycles the other way",
        "a + (b - a) * h",
        (
            TRAINING_STEPS,
            Param(
                "epochs", "int", None, "with epoch_steps instead of training_steps: total = epochs * epoch_steps", low=1
            ),
            Param("epoch_steps", "int", None, "OneCycleLR's steps_per_epoch: scheduler steps per epoch", low=1),
            Param(
                "pct_start",
                "float",
                0.3,
                "fraction of the steps spent rising",
                low=0,
                high=1,
                low_open=True,
                high_open=True,
            ),
            Param("anneal_strategy", "choice", "cos", "the shape of both phases", choices=("cos", "linear")),
            Param("div_factor", "float", 25.0, "initial lr = lr / div_factor", low=1),
            Param("final_div_factor", "float", 1e4, "final lr = initial lr / final_div_factor", low=1),
            Param("three_phase", "bool", False, "a third phase: back down to the initial lr, then to the final"),
            CYCLE_MOMENTUM,
            *_momentum(0.85, 0.95),
        ),
        {
            "training_steps": "total_steps",
            "pct_start": "pct_start",
            "anneal_strategy": "anneal_strategy",
            "div_factor": "div_factor",
            "final_div_factor": "final_div_factor",
            "three_phase": "three_phase",
            "cycle_momentum": "cycle_momentum",
            "base_momentum": "base_momentum",
            "max_momentum": "max_momentum",
        },
        extra=lambda values, lrs: {"max_lr": list(lrs)},  # --lr, also in a composition that changed the group lr
        check=_check_one_cycle,
        check_given=_check_one_cycle_given,
        where=ONE_CYCLE_PHASES,
    ),
    torch_spec(
        "constant_lr",
        "ConstantLR",
        "the lr times factor until total_iters, then the lr",
        "factor if s < total_iters or total_iters == 0 else 1",
        (
            # torch divides by factor at total_iters: below ~1e-308 the lr is inf or NaN there.
            Param("factor", "float", 1 / 3, "the multiplier until total_iters", low=1e-12, high=1),
            Param("total_iters", "int", 5, "steps at the reduced lr", low=0),
        ),
        {"factor": "factor", "total_iters": "total_iters"},
    ),
    torch_spec(
        "multi_step_lr",
        "MultiStepLR",
        "multiply the lr by gamma at each milestone",
        "gamma ** sum(m <= s for m in milestones)",
        (
            Param("milestones", "ints", REQUIRED, "the steps where the lr drops (a repeated one drops twice)", low=1),
            Param("gamma", "float", 0.1, "multiplicative factor of each drop", low=0, low_open=True),
        ),
        {"milestones": "milestones", "gamma": "gamma"},
        check=_check_multi_step,
    ),
    torch_spec(
        "multiplicative_lr",
        "MultiplicativeLR",
        "multiply the lr by a constant factor every step (lr_lambda = lambda step: factor)",
        "factor ** s",
        (Param("factor", "floats", 0.99, "the factor per step (one, or one per group)", low=0, low_open=True),),
        build=lambda values, lrs: TorchScheduler("MultiplicativeLR", {"lr_lambda": _factors(values["factor"])}),
    ),
    torch_spec(
        "cyclic_lr",
        "CyclicLR",
        "cycle between base_lr and max_lr, stepped every batch; momentum cycles the other way",
        "(base_lr + (max_lr - base_lr) * h * scale) / lr0",
        (
            Param("base_lr", "floats", None, "the lowest lr (default: --lr); one, or one per group", low=0),
            Param("max_lr", "floats", REQUIRED, "the highest lr of the first cycle; one, or one per group", low=0),
            Param("step_size_up", "int", 2000, "steps from base_lr up to max_lr", low=1),
            Param("step_size_down", "int", None, "steps back down (default: step_size_up)", low=1),
            Param(
                "mode",
                "choice",
                "triangular",
                "triangular: no scaling; triangular2: halve each cycle; exp_range: gamma ** s",
                choices=("triangular", "triangular2", "exp_range"),
            ),
            Param("gamma", "float", 1.0, "exp_range's factor per step", low=0, low_open=True, high=1),
            CYCLE_MOMENTUM,
            *_momentum(0.8, 0.9),
        ),
        {
            "max_lr": "max_lr",
            "step_size_up": "step_size_up",
            "step_size_down": "step_size_down",
            "mode": "mode",
            "gamma": "gamma",
            "cycle_momentum": "cycle_momentum",
            "base_momentum": "base_momentum",
            "max_momentum": "max_momentum",
        },
        extra=lambda values, lrs: {"base_lr": _per_group(values["base_lr"] or lrs)},  # default: --lr
        where=CYCLIC_TRIANGLE,
    ),
    torch_spec(
        "reduce_lr_on_plateau",
        "ReduceLROnPlateau",
        "multiply the lr by factor when the metric stops improving (the metric read from --metrics)",
        "max(factor ** k, min_lr / lr0), k the reductions so far: one after more than patience steps without "
        "improvement (then cooldown steps uncounted); a smaller change of the lr than eps is skipped",
        (
            Param("metrics", "file", REQUIRED, "a text or CSV file: one metric value per scheduler step"),
            Param("metric_column", "text", None, "the column of a CSV with a header row"),
            Param("mode", "choice", "min", "min: lower is better (a loss); max: higher is", choices=("min", "max")),
            Param("factor", "float", 0.1, "the lr's factor at each reduction", low=0, high=1, high_open=True),
            Param("patience", "int", 10, "steps without improvement that are tolerated", low=0),
            Param("threshold", "float", 1e-4, "the least change that counts as an improvement", low=0),
            Param(
                "threshold_mode", "choice", "rel", "rel: relative to the best; abs: absolute", choices=("rel", "abs")
            ),
            Param("cooldown", "int", 0, "steps after a reduction before counting again", low=0),
            Param("min_lr", "floats", 0.0, "the lowest lr (one, or one per group)", low=0),
            Param("eps", "float", 1e-8, "a smaller change of the lr is skipped", low=0),
        ),
        build=lambda values, lrs: _plateau(values),
        uncomposable="torch's compositions step their children without a metric, which ReduceLROnPlateau needs",
    ),
    torch_spec(
        "sequential_lr",
        "SequentialLR",
        "the child schedulers one after another, switching at the milestones",
        "child i's multiplier at s - m_i while m_i <= s < m_(i+1), m_1 < m_2 < ... the milestones and m_0 = 0: "
        "each child starts at its step 0 there (but multiplicative_lr goes on from the lr it finds)",
        (
            Param(
                "schedulers",
                "schedules",
                REQUIRED,
                "the children, each NAME or NAME:key=value,... (a child's training_steps defaults to its segment)",
            ),
            Param("milestones", "ints", REQUIRED, "the steps where the next child takes over, increasing", low=1),
        ),
        check=_check_sequential,
        build=lambda values, lrs: _composition("SequentialLR", values),
        child_steps=_segment,
    ),
    torch_spec(
        "chained_scheduler",
        "ChainedScheduler",
        "every child scheduler stepped in turn at each step, their factors compounding",
        "each child steps in turn, from the lr the one before it left: step_lr, multi_step_lr, exponential_lr, "
        "linear_lr, constant_lr, polynomial_lr, multiplicative_lr and cosine_annealing_lr change that lr by their "
        "step's factor, the others set it afresh from lr0 (so only children of the first kind compound)",
        (Param("schedulers", "schedules", REQUIRED, "the children, each NAME or NAME:key=value,..."),),
        build=lambda values, lrs: _composition("ChainedScheduler", values),
    ),
)
