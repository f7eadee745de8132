"""The documented formulas are true: each is evaluated and compared with the real scheduler's lr / lr0.

What ``lrplot list``, ``--help`` and the pages show as a schedule's "lr multiplier"
is its ``formula`` with its ``where`` definitions (:mod:`lrplot.notation`). Here that
very text is read with lrplot's formula language: the definitions are put in
place of their names, the symbols of the key and the schedule's options bound to
the resolved values, and the result compared, step by step, with the lr a torch
run recorded divided by the initial lr. A schedule either has cases here or is
exempt by name with its reason, so a new one cannot skip the check.
"""

from __future__ import annotations

import ast
import copy
import math
from collections.abc import Mapping

import pytest

import lrplot
from lrplot import engines
from lrplot.expression import Formula, compile_formula
from lrplot.notation import KEY, LR0, STEP, SYMBOLS, Definition
from lrplot.options import RunOptions
from lrplot.registry import Schedule, ScheduleSpec
from lrplot.schedules import REGISTRY

# Schedules whose lr is no function of the step alone: their formula is words.
EXEMPT = {
    "lambda_lr": "the multiplier is the user's own formula, run as given (tests/test_expression.py)",
    "reduce_lr_on_plateau": "each reduction depends on the metric values read from a file",
    "sequential_lr": "a composition: its lr is its children's, whatever they are",
    "chained_scheduler": "a composition: its lr is its children's, whatever they are",
    "factory": "the multiplier is whatever the user's code computes",
}

# Several parameter sets per schedule: (params, steps), each run with lr 1 and 0.37 and
# read before and after each step. Warmup 0 and longer than the horizon, a horizon
# shorter than the run, a floor above 0, every choice of a choice option.
SHAPES = ("linear", "cosine", "1-sqrt")
CASES: dict[str, list[tuple[dict[str, object], int]]] = {
    "constant": [({}, 5)],
    "constant_with_warmup": [({"warmup": w}, 20) for w in (0, 1, 7, 40)],
    "linear": [({"warmup": 0}, 30), ({"warmup": 5, "training_steps": 20}, 30), ({"warmup": 40}, 30)],
    "cosine": [
        ({"warmup": 0, "training_steps": 25}, 40),
        ({"warmup": 6, "num_cycles": 2}, 40),
        ({"warmup": 3, "num_cycles": 0.3, "training_steps": 10}, 20),
    ],
    "cosine_with_restarts": [
        ({"warmup": 0}, 30),
        ({"warmup": 4, "num_cycles": 3, "training_steps": 31}, 45),
    ],
    "polynomial": [
        ({"warmup": 0, "lr_end": 0.1, "training_steps": 20}, 30),
        ({"warmup": 5, "lr_end": 1e-7, "power": 3}, 30),
        ({"warmup": 2, "lr_end": 0.2, "power": 0.5, "training_steps": 12}, 20),
    ],
    "inverse_sqrt": [({"warmup": 0}, 20), ({"warmup": 10}, 40), ({"warmup": 5, "timescale": 3}, 30)],
    "cosine_with_min_lr": [
        ({"warmup": 0, "min_lr_rate": 0.1}, 30),
        ({"warmup": 4, "min_lr": 0.05, "num_cycles": 1, "training_steps": 20}, 30),
    ],
    "cosine_warmup_with_min_lr": [
        ({"warmup": 0, "min_lr_rate": 0.1}, 30),
        ({"warmup": 1, "min_lr_rate": 0.2}, 20),
        ({"warmup": 6, "min_lr": 0.05}, 30),
        ({"warmup": 6, "min_lr_rate": 0.1, "warmup_lr_rate": 0.3, "training_steps": 20}, 30),
        ({"warmup": 1, "min_lr_rate": 0.0, "warmup_lr_rate": 0.5}, 20),
    ],
    "warmup_stable_decay": [
        ({"warmup": 4, "decay_steps": 6, "warmup_type": rise, "decay_type": fall, "min_lr_ratio": 0.1}, 24)
        for rise in SHAPES
        for fall in SHAPES
    ]
    + [
        ({"warmup": 0, "decay_steps": 0.5, "num_cycles": 1.5, "training_steps": 16}, 24),
        ({"warmup": 6, "decay_steps": 12, "training_steps": 14}, 20),  # stable below 0: the decay starts early
    ],
    "transformer": [({"warmup": w, "d_model": d}, 60) for w, d in ((1, 1), (7, 64), (40, 512))],
    "step_lr": [({"step_size": 1, "gamma": 0.5}, 20), ({"step_size": 7}, 30), ({"step_size": 4, "gamma": 1.5}, 30)],
    "multi_step_lr": [({"milestones": "5,9,9"}, 20), ({"milestones": "1", "gamma": 0.5}, 10)],
    "exponential_lr": [({}, 30), ({"gamma": 0.5}, 30)],
    "linear_lr": [
        ({}, 12),
        ({"start_factor": 0.1, "end_factor": 0.9, "total_iters": 10}, 20),
        ({"start_factor": 1.0, "end_factor": 0.0, "total_iters": 4}, 10),
        ({"start_factor": 0.5, "total_iters": 0}, 10),
    ],
    "constant_lr": [({}, 12), ({"factor": 0.1, "total_iters": 1}, 5), ({"factor": 0.5, "total_iters": 0}, 5)],
    "polynomial_lr": [
        ({}, 12),
        ({"total_iters": 20, "power": 2.5}, 30),
        ({"total_iters": 6, "power": 0}, 10),
        ({"total_iters": 0}, 5),
    ],
    "cosine_annealing_lr": [
        ({"training_steps": 20}, 60),
        ({"training_steps": 20, "eta_min": 0.1}, 60),
        ({"training_steps": 7, "eta_min": 0.02}, 30),
        ({"training_steps": 1}, 5),
    ],
    "cosine_annealing_warm_restarts": [
        ({"t_0": 5}, 30),
        ({"t_0": 1, "eta_min": 0.05}, 10),
        ({"t_0": 3, "t_mult": 2, "eta_min": 0.1}, 50),
        ({"t_0": 1, "t_mult": 10}, 120),
        ({"t_0": 2, "t_mult": 3}, 90),
    ],
    "one_cycle_lr": [
        ({}, 30),
        ({"anneal_strategy": "linear", "pct_start": 0.5}, 30),
        ({"three_phase": True, "div_factor": 10, "final_div_factor": 100}, 40),
        ({"three_phase": True, "anneal_strategy": "linear", "pct_start": 0.2, "training_steps": 30}, 30),
        ({"epochs": 3, "epoch_steps": 7}, 21),
        ({"training_steps": 2, "pct_start": 0.3}, 2),
    ],
    "cyclic_lr": [
        ({"max_lr": "2.0", "step_size_up": 4}, 30),
        ({"max_lr": "3.0", "base_lr": "0.5", "step_size_up": 3, "step_size_down": 5, "mode": "triangular2"}, 40),
        ({"max_lr": "1.5", "step_size_up": 2, "mode": "exp_range", "gamma": 0.9}, 30),
        ({"max_lr": "0.1", "base_lr": "0.01", "step_size_up": 1, "step_size_down": 1}, 10),
    ],
    "multiplicative_lr": [({}, 30), ({"factor": "1.1"}, 30)],
}
LRS = (1.0, 0.37)
RECORDS = ("before", "after")
# lr / lr0 from torch may differ from the formula in the last bits: torch's own classes
# compute most lrs from the previous one (an error of about one rounding a step), and
# the documented formulas order their operations for the reader, not as the source
# does. Near 0 (1 - cos(...) near 0) that is no small relative error (one_cycle_lr's:
# 2e-12), so a value may be off by this much of itself plus the run's largest
# multiplier (the worst here: 4e-15, cosine_annealing_lr's recursion).
TOLERANCE = 1e-12


def documented(spec: ScheduleSpec, schedule: Schedule) -> Formula:
    """The formula ``spec`` shows, with its definitions in place and its names bound to ``schedule``."""
    values = schedule.values
    variables: dict[str, float] = {LR0: schedule.lrs[0]}
    for name, value in values.items():
        if isinstance(value, tuple) and len(value) == 1:  # one value for every param group
            value = value[0]
        if isinstance(value, (bool, int, float)):  # true is 1
            variables[name] = float(value)
    variables.update({symbol: variables[option] for symbol, option in SYMBOLS.items() if option in variables})
    texts: dict[str, str] = {}
    for definition in spec.where:
        if definition.unset and values[definition.name] is not None:
            continue  # given: the option's own value
        texts[definition.name] = (
            dict(definition.cases)[str(values[definition.by])] if definition.cases else definition.text
        )
    tree = _Substituted(texts, values).visit(ast.parse(spec.formula, mode="eval").body)
    return compile_formula(ast.unparse(tree), variables)


class _Substituted(ast.NodeTransformer):
    """A formula's tree with each defined name replaced by its text's tree (definitions may use
    earlier ones), and ``sum(TERM for m in OPTION)`` over a list option written out term by term."""

    def __init__(self, texts: Mapping[str, str], values: Mapping[str, object]) -> None:
        self.texts, self.values = texts, values

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id not in self.texts:
            return node
        return self.visit(ast.parse(self.texts[node.id], mode="eval").body)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if not (isinstance(node.func, ast.Name) and node.func.id == "sum"):
            return self.generic_visit(node)
        (generator,) = node.args
        assert isinstance(generator, ast.GeneratorExp)
        (loop,) = generator.generators
        assert isinstance(loop.target, ast.Name) and isinstance(loop.iter, ast.Name)
        items = self.values[loop.iter.id]
        assert isinstance(items, tuple)
        terms: ast.expr = ast.Constant(0)
        for item in items:
            term = _Substituted({loop.target.id: repr(item)}, self.values).visit(copy.deepcopy(generator.elt))
            terms = ast.BinOp(terms, ast.Add(), term)
        return self.visit(terms)


def _case_id(case: tuple) -> str:
    name, params, steps, lr, record = case
    return f"{name}-{params}-{steps}-lr{lr}-{record}"


ALL_CASES = [
    (name, params, steps, lr, record)
    for name, sets in CASES.items()
    for params, steps in sets
    for lr in LRS
    for record in RECORDS
]


def test_every_schedule_is_checked_or_exempt_with_a_reason() -> None:
    names = {spec.name for spec in REGISTRY.specs()}
    assert set(CASES) | set(EXEMPT) == names, "give a new schedule cases here, or an exemption and why"
    assert not set(CASES) & set(EXEMPT)
    assert all(EXEMPT.values())


@pytest.mark.parametrize(("name", "params", "steps", "lr", "record"), ALL_CASES, ids=map(_case_id, ALL_CASES))
def test_the_documented_formula_gives_the_real_schedulers_lr(
    name: str, params: dict[str, object], steps: int, lr: float, record: str
) -> None:
    spec = REGISTRY.get(name)
    schedule = lrplot.resolve(name, steps, [lr], params)
    trace = engines.run(schedule, RunOptions(record=record))
    formula = documented(spec, schedule)
    expected = trace.lr / lr
    peak = float(abs(expected).max())
    for step, want in zip(trace.steps.tolist(), expected.tolist(), strict=True):
        got = formula.at(step)
        assert math.isclose(got, want, rel_tol=0, abs_tol=TOLERANCE * (abs(want) + peak)), (
            f"{name} {params} lr {lr}: at s = {step} the formula gives {got!r}, torch {want!r}; {spec.formula}"
        )


def test_a_wrong_formula_fails_the_check() -> None:
    """The check can fail: the eta_min term unscaled by lr0 is off wherever lr0 != 1."""
    from dataclasses import replace

    spec = replace(
        REGISTRY.get("cosine_annealing_lr"), formula="eta_min + (1 - eta_min / lr0) * (1 + cos(pi * s / T)) / 2"
    )
    schedule = lrplot.resolve(spec.name, 20, [0.5], {"eta_min": 0.1})
    trace = engines.run(schedule)
    formula = documented(spec, schedule)
    values = zip(trace.steps.tolist(), (trace.lr / 0.5).tolist(), strict=True)
    assert not all(math.isclose(formula.at(s), want, rel_tol=1e-9) for s, want in values)


@pytest.mark.parametrize("spec", [s for s in REGISTRY.specs() if s.name in CASES], ids=lambda s: s.name)
def test_every_definition_is_used_and_uses_only_the_ones_before_it(spec: ScheduleSpec) -> None:
    options = {p.name for p in spec.params}
    defined = [d.name for d in spec.where]
    for i, definition in enumerate(spec.where):
        later = [spec.formula] + [text for d in spec.where[i + 1 :] for text in _texts(d)]
        assert any(definition.name in _names(text) for text in later), f"{definition.name} is defined but not used"
        uses = {name for text in _texts(definition) for name in _names(text)} & set(defined)
        assert uses <= set(defined[:i]), f"{definition.name} uses a name defined after it"
        assert definition.unset == (definition.name in options), definition.name
        if definition.cases:
            choices = spec.param(definition.by)
            assert choices is not None and {v for v, _ in definition.cases} == set(choices.choices)


def _texts(definition: Definition) -> list[str]:
    return [text for _, text in definition.cases] if definition.cases else [definition.text]


def _names(text: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(text, mode="eval")) if isinstance(node, ast.Name)}


def test_the_key_names_every_symbol() -> None:
    for symbol, option in SYMBOLS.items():
        assert f"{symbol} = {option}" in KEY
    assert f"{STEP} = the step" in KEY and f"{LR0} = the initial lr" in KEY
