"""Every schedule against its real implementation, value by value, plus hand-derived edge cases."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lrplot
from lrplot import runner
from lrplot.errors import ParameterError
from lrplot.options import RunOptions
from lrplot.params import Param

from .helpers import EXAMPLES, FACTORIES, METRICS
from .oracles import NO_TRANSFORMERS_ORACLE, assert_close, oracle_values

ORACLE_SPECS = [s.name for s in lrplot.list_specs() if s.name not in NO_TRANSFORMERS_ORACLE]


def check_against_oracle(
    name: str, steps: int, lrs: list[float], params: dict, record: str = "before", optimizer: str = "sgd"
) -> None:
    schedule = lrplot.resolve(name, steps, lrs, params)
    curve = runner.run(schedule, RunOptions(record=record, optimizer=optimizer))  # type: ignore[arg-type]
    # Pass transformers what the user gave (not lrplot's derived defaults).
    given = {**schedule.values, **{k: params.get(k) for k in ("timescale", "stable_steps")}}
    expected = oracle_values(name, given, list(lrs), steps, record, optimizer)
    for g in range(len(lrs)):
        assert_close(curve.lrs[g], expected[g], what=f"{name} {params} group {g}")
    momentum = [key for key in curve.tracks if key[0] == "momentum"]
    assert len(expected) == len(lrs) * (2 if momentum else 1), f"{name}: momentum recorded {bool(momentum)}"
    for _, g in momentum:  # one column unless the groups differ
        assert_close(curve.track("momentum", g), expected[len(lrs) + g], what=f"{name} {params} momentum {g}")
    if len(momentum) == 1:
        assert all(column == expected[len(lrs)] for column in expected[len(lrs) :])


# A grid per schedule: warmup at 0, short and long; steps running past T.
GRID = {
    "lambda_lr": [
        {"expr": "min(1, s / W)", "var": {"W": 10}},
        {"expr": "s / W if s < W else max(0.0, 0.5 * (1.0 + cos(pi * (s - W) / max(1, T - W))))", "var": "W=10,T=60"},
        {"expr": "0.5 ** (s // 7)"},
        {"expr": "d ** -0.5 * min(max(s, 1) ** -0.5, max(s, 1) * W ** -1.5)", "var": {"d": 64, "W": 10}},
        {"expr": "exp(-s / 30) + 0.1 * (s % 10 == 0)"},
        {"expr": "1 if 10 <= s < 40 or s > 70 else not s and 0.3 or 0.7"},
        {"expr": "sqrt(1 + s) / (1 + log(1 + s)) + tanh(s / 20) + log2(1 + s) / 9"},
        {"expr": "abs(sin(s / 5)) + ceil(s / 30) / 4 - floor(log10(1 + s)) / 8 + tan(s / 200)"},
        {"expr": "(1 - s / T) ** 2 if s < T else 0", "var": {"T": 60}},
        {"expr": "1 / (1 + s) ** 0.5 + e ** -s"},
    ],
    "factory": [
        {"target": f"{FACTORIES}:warmup_cosine", "kw": {"warmup": 7, "total": 60}},
        {"target": f"{FACTORIES}:step_decay", "kw": "step_size=4,gamma=0.7"},
        {"target": f"{FACTORIES}:halving", "kw": {"every": 3}},
    ],
    "constant": [{}],
    "constant_with_warmup": [{"warmup": w} for w in (0, 1, 7, 40)],
    "linear": [{"warmup": w, "training_steps": t} for w in (0, 1, 10) for t in (1, 10, 60)],
    "cosine": [{"warmup": w, "training_steps": 60, "num_cycles": c} for w in (0, 10) for c in (0.5, 1, 2, 3.7)],
    "cosine_with_restarts": [{"warmup": w, "training_steps": 60, "num_cycles": c} for w in (0, 10) for c in (1, 2, 5)],
    "polynomial": [
        {"warmup": w, "training_steps": 60, "lr_end": e, "power": p}
        for w in (0, 10)
        for e in (0.0, 1e-7, 0.3)
        for p in (0.5, 1.0, 3.0)
    ],
    "inverse_sqrt": [{"warmup": 0}, {"warmup": 10}, {"warmup": 10, "timescale": 3}, {"warmup": 0, "timescale": 25}],
    "cosine_with_min_lr": [
        {"warmup": 10, "training_steps": 60, "min_lr": 0.1},
        {"warmup": 0, "training_steps": 60, "min_lr_rate": 0.25, "num_cycles": 1.5},
    ],
    "cosine_warmup_with_min_lr": [
        {"warmup": 10, "training_steps": 60, "min_lr_rate": 0.1},
        {"warmup": 10, "training_steps": 60, "min_lr": 0.05, "warmup_lr_rate": 0.2},
        {"warmup": 1, "training_steps": 60, "min_lr_rate": 0.0, "warmup_lr_rate": 0.0},
        {"warmup": 0, "training_steps": 60, "min_lr_rate": 0.5},
    ],
    "warmup_stable_decay": [
        {"warmup": 10, "training_steps": 60, "decay_steps": 20, "warmup_type": wt, "decay_type": dt, "min_lr_ratio": r}
        for wt in ("linear", "cosine", "1-sqrt")
        for dt in ("linear", "cosine", "1-sqrt")
        for r in (0.0, 0.1)
    ]
    + [{"warmup": 5, "training_steps": 60, "decay_steps": 10, "stable_steps": 20, "num_cycles": 1.0}]
    + [{"warmup": 30, "training_steps": 60, "decay_steps": 40}, {"warmup": 5, "decay_steps": 10, "stable_steps": -3}],
    # torch's own schedulers, checked against the class itself.
    "step_lr": [{"step_size": 7, "gamma": 0.5}, {"step_size": 1, "gamma": 0.9}],
    "exponential_lr": [{"gamma": 0.95}, {"gamma": 1.01}],
    "cosine_annealing_lr": [{"training_steps": 60}, {"training_steps": 30, "eta_min": 0.01}],
    "cosine_annealing_warm_restarts": [{"t_0": 10}, {"t_0": 7, "t_mult": 2, "eta_min": 0.001}],
    "linear_lr": [{}, {"start_factor": 0.1, "end_factor": 0.5, "total_iters": 40}],
    "polynomial_lr": [{"total_iters": 50, "power": 2.0}, {"total_iters": 0}],
    "one_cycle_lr": [
        {"training_steps": 90},
        {"training_steps": 120, "pct_start": 0.1, "anneal_strategy": "linear"},
        {"training_steps": 100, "three_phase": True, "base_momentum": 0.5, "max_momentum": 0.99},
        {"epochs": 9, "epoch_steps": 11, "cycle_momentum": False},
        {"training_steps": 95, "base_momentum": "0.8,0.6", "max_momentum": "0.9,0.95", "three_phase": True},
    ],
    "constant_lr": [{}, {"factor": 0.1, "total_iters": 40}, {"factor": 1.0, "total_iters": 0}],
    "multi_step_lr": [{"milestones": "10,30,30,50"}, {"milestones": "70,20", "gamma": 0.5}],
    "multiplicative_lr": [{}, {"factor": 0.9}, {"factor": "0.95,1.01"}],
    "cyclic_lr": [
        {"max_lr": 3.0, "step_size_up": 7},
        {"base_lr": 0.1, "max_lr": 1.0, "step_size_up": 5, "step_size_down": 11, "mode": "triangular2"},
        {"base_lr": "0.1,0.01", "max_lr": "1.0,0.2", "step_size_up": 6, "mode": "exp_range", "gamma": 0.97},
        {"max_lr": 0.5, "step_size_up": 4, "cycle_momentum": False},
        {"max_lr": 2.0, "step_size_up": 3, "base_momentum": "0.7,0.5", "max_momentum": 0.95},
    ],
    "reduce_lr_on_plateau": [
        {"metrics": str(METRICS), "metric_column": "val_loss", "patience": p, "cooldown": c, "threshold": t}
        for p, c, t in ((0, 0, 1e-4), (1, 2, 1e-4), (2, 0, 0.05), (3, 1, 0.0))
    ]
    + [
        {"metrics": str(METRICS), "metric_column": "val_loss", "mode": "max", "patience": 1, "min_lr": 0.05},
        {
            "metrics": str(METRICS),
            "metric_column": "val_loss",
            "threshold_mode": "abs",
            "threshold": 0.01,
            "patience": 1,
            "factor": 0.5,
            "min_lr": "0.2,0.001",
            "eps": 0.3,
        },
    ],  # fmt: skip
    "sequential_lr": [
        {
            "schedulers": "(linear_lr:start_factor=0.1,total_iters=10),(cosine_annealing_lr:training_steps=50)",
            "milestones": 10,
        },
        {
            "schedulers": "(constant_lr:factor=0.5,total_iters=5),(exponential_lr:gamma=0.9),(step_lr:step_size=7)",
            "milestones": "20,45",
        },
        {"schedulers": "(cosine:warmup=5,training_steps=30),(one_cycle_lr:training_steps=100)", "milestones": 30},
        {
            "schedulers": "(chained_scheduler:schedulers=((constant_lr),(exponential_lr:gamma=0.95))),(polynomial_lr)",
            "milestones": 25,
        },
        {
            "schedulers": "(sequential_lr:schedulers=((linear_lr),(step_lr:step_size=3)),milestones=4),(linear)",
            "milestones": 15,
        },
    ],  # fmt: skip
    "chained_scheduler": [
        {"schedulers": "(constant_lr:factor=0.5,total_iters=4),(exponential_lr:gamma=0.9)"},
        {
            "schedulers": "(linear_lr:total_iters=20),(cosine_annealing_warm_restarts:t_0=15),"
            "(multi_step_lr:milestones=40)"
        },
        {"schedulers": "(cyclic_lr:max_lr=2.0,step_size_up=5),(step_lr:step_size=30,gamma=0.5)"},
        {"schedulers": "(sequential_lr:schedulers=((linear_lr),(exponential_lr)),milestones=5),(step_lr:step_size=9)"},
    ],
}


def test_every_entry_has_an_oracle_grid() -> None:
    assert set(GRID) == set(ORACLE_SPECS)


@pytest.mark.parametrize(
    ("name", "params"), [(name, p) for name, grid in GRID.items() for p in grid], ids=lambda x: str(x)
)
def test_grid_equals_the_real_implementation(name: str, params: dict) -> None:
    # 90 steps: past training_steps (at most 60), where the formulas change piece.
    groups = [[0.5, 0.01]] if any(isinstance(v, str) and "," in v and ":" not in v for v in params.values()) else []
    for lrs in [[1.0], [0.5, 0.01]] if not groups else groups:
        check_against_oracle(name, steps_for(name, params), lrs, params)
    check_against_oracle(name, steps_for(name, params), groups[0] if groups else [1.0], params, record="after")
    if name in ("one_cycle_lr", "cyclic_lr", "chained_scheduler"):  # Adam's momentum is betas[0]
        check_against_oracle(name, steps_for(name, params), groups[0] if groups else [1.0], params, optimizer="adam")


def steps_for(name: str, params: dict) -> int:
    """90 steps, past training_steps (at most 60); within what the fixed inputs allow."""
    if name == "one_cycle_lr":  # torch raises past its total steps
        return 90 if "training_steps" in params else params["epochs"] * params["epoch_steps"]
    return 30 if name == "reduce_lr_on_plateau" else 90  # the metrics file has 30 values


def test_article_figures_equal_transformers() -> None:
    # Figures 3-7 of the article: W 300, T 1000, read after each step (last_epoch 1..1000).
    for name, extra in [
        ("constant_with_warmup", {}),
        ("linear", {"training_steps": 1000}),
        ("polynomial", {"training_steps": 1000, "lr_end": 1e-7, "power": 3}),
        ("cosine", {"training_steps": 1000, "num_cycles": 2}),
        ("cosine_with_restarts", {"training_steps": 1000, "num_cycles": 2}),
    ]:
        check_against_oracle(name, 1000, [1.0], {"warmup": 300, **extra}, record="after")


def _value(p: Param, draw: st.DrawFn, horizon: int, groups: int) -> object:
    if p.kind == "choice":
        return draw(st.sampled_from(p.choices))
    if p.kind == "bool":
        return draw(st.booleans())
    if p.kind == "ints":
        return ",".join(map(str, draw(st.lists(st.integers(1, horizon + 10), min_size=1, max_size=4))))
    if p.kind == "floats":
        one = Param(p.name, "float", None, "", low=p.low, high=p.high if p.high is not None else 3.0)
        return ",".join(repr(_value(one, draw, horizon, 1)) for _ in range(draw(st.sampled_from([1, groups]))))
    if p.kind == "count":
        return draw(st.integers(0, horizon + 10) | st.floats(0, 0.99))
    low = p.low if p.low is not None else 0
    high = p.high if p.high is not None else low + 6
    if p.kind == "int":
        return draw(st.integers(int(low) + (1 if p.low_open else 0), int(high)))
    return draw(st.floats(low, high, exclude_min=p.low_open, exclude_max=p.high_open))


FIXED_KINDS = ("file", "text", "schedules", "expression", "variables", "factory", "assignments")  # from EXAMPLES


@st.composite
def schedule_cases(draw: st.DrawFn, names: list[str]) -> tuple[str, int, list[float], dict]:
    name = draw(st.sampled_from(names))
    spec = lrplot.get_spec(name)
    total = draw(st.integers(1, 80))
    steps = draw(st.integers(1, 120))
    lrs = draw(st.lists(st.floats(1e-4, 10.0), min_size=1, max_size=2))
    params: dict[str, object] = dict(EXAMPLES.get(name, {})) if name != "multi_step_lr" else {}
    for p in spec.params:
        if p.name in params or p.kind in FIXED_KINDS:
            continue  # the fixed examples' (a metrics file, children)
        if p.name == "training_steps":
            params[p.name] = total
        elif p.name in ("epochs", "epoch_steps"):
            continue  # one_cycle_lr's other way to give training_steps, in the grid
        elif p.required or draw(st.booleans()):
            params[p.name] = _value(p, draw, total, len(lrs))
    if spec.param("min_lr") is not None:  # exactly one of the pair
        params.pop("min_lr_rate", None)
        if "min_lr" in params:
            params["min_lr"] = draw(st.floats(0, lrs[0]))
        else:
            params["min_lr_rate"] = draw(st.floats(0, 1))
    if name == "one_cycle_lr":  # torch cannot step it past its total steps
        steps = min(steps, total)
    if name == "reduce_lr_on_plateau":  # one metric a step
        steps = min(steps, 30)
    if "lr_end" in params:
        params["lr_end"] = draw(st.floats(0, lrs[0], exclude_max=True))
    return name, steps, lrs, params


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule_cases(ORACLE_SPECS))
def test_hypothesis_equals_the_real_implementation(case: tuple[str, int, list[float], dict]) -> None:
    name, steps, lrs, params = case
    try:
        lrplot.resolve(name, steps, lrs, params)
    except ParameterError:
        assume(False)  # rejected combinations are tested in test_registry.py
    check_against_oracle(name, steps, lrs, params)


@settings(max_examples=100, deadline=None)
@given(schedule_cases([s.name for s in lrplot.list_specs()]))
def test_every_schedule_is_finite_non_negative_and_of_the_right_length(case: tuple) -> None:
    name, steps, lrs, params = case
    try:
        schedule = lrplot.resolve(name, steps, lrs, params)
    except ParameterError:
        assume(False)
    curve = runner.run(schedule)
    assert curve.lrs.shape == (len(lrs), steps)
    assert list(curve.steps) == list(range(steps))
    assert all(math.isfinite(v) for v in curve.lrs.ravel())
    # torch's recursive schedulers may undershoot 0 by rounding (LinearLR with
    # end_factor=0 ends at -1.5e-17): lrplot shows what torch gives.
    floor = 0.0 if schedule.spec.closed_form else -1e-12 * max(lrs)
    assert all(v >= floor for v in curve.lrs.ravel()), curve.lrs.min()


# Hand-derived values --------------------------------------------------------------


def values(name: str, steps: int, lr: float = 1.0, record: str = "before", **params: object) -> list[float]:
    return runner.run(lrplot.resolve(name, steps, lr, params), RunOptions(record=record)).lrs[0].tolist()


def test_transformer_rule_by_hand() -> None:
    v = values("transformer", 8001, d_model=512, warmup=4000)
    # Step 0 is guarded: it takes step 1's value, 512**-0.5 * 1 * 4000**-1.5.
    assert v[0] == v[1] == pytest.approx(512**-0.5 * 4000**-1.5, rel=1e-15)
    # The peak sits at the warmup: both branches equal (512 * 4000) ** -0.5.
    assert v[4000] == pytest.approx(1 / math.sqrt(512 * 4000), rel=1e-15)
    assert max(v) == v[4000]
    # Warmup is linear in the step, decay the inverse square root.
    assert v[2000] == pytest.approx(v[4000] / 2, rel=1e-15)
    assert v[8000] == pytest.approx(v[4000] / math.sqrt(2), rel=1e-15)
    assert values("transformer", 3, d_model=256, warmup=1)[2] == pytest.approx(256**-0.5 * 2**-0.5, rel=1e-15)


def test_warmup_edges_by_hand() -> None:
    assert values("constant_with_warmup", 6, warmup=4) == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    assert values("constant_with_warmup", 2, warmup=0) == [1.0, 1.0]
    assert values("linear", 7, warmup=2, training_steps=6) == [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    assert values("linear", 9, warmup=2, training_steps=6)[7:] == [0.0, 0.0]  # clamped past T
    assert values("constant", 3, lr=0.3) == [0.3, 0.3, 0.3]


def test_decay_ends_by_hand() -> None:
    assert values("cosine", 5, warmup=0, training_steps=4) == pytest.approx(
        [1.0, 0.8535533905932737, 0.5, 0.1464466094067262, 0.0]
    )
    restarts = values("cosine_with_restarts", 7, warmup=0, training_steps=4, num_cycles=2)
    assert restarts[:4] == pytest.approx([1.0, 0.5, 1.0, 0.5]) and restarts[4:] == [0.0, 0.0, 0.0]
    poly = values("polynomial", 8, lr=2.0, warmup=0, training_steps=4, lr_end=0.5, power=2)
    # lr = (2 - 0.5) * (1 - s/4) ** 2 + 0.5, then lr_end once s > T.
    assert poly == pytest.approx([2.0, 1.34375, 0.875, 0.59375, 0.5, 0.5, 0.5, 0.5], rel=1e-15)
    assert values("inverse_sqrt", 5, warmup=1, timescale=1) == pytest.approx([0.0, 1.0, 2**-0.5, 3**-0.5, 0.5])
    wsd = values("wsd", 8, warmup=2, decay_steps=2, training_steps=6, decay_type="linear", min_lr_ratio=0.1)
    assert wsd == pytest.approx([0.1, 0.55, 1.0, 1.0, 1.0, 0.55, 0.1, 0.1])


def test_torch_schedulers_by_hand() -> None:
    assert values("step_lr", 7, lr=2.0, step_size=3, gamma=0.5) == [2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.5]
    assert values("exponential_lr", 3, gamma=0.5) == [1.0, 0.5, 0.25]
    assert values("polynomial_lr", 6, total_iters=4, power=1.0) == pytest.approx([1.0, 0.75, 0.5, 0.25, 0.0, 0.0])
    # Rising phase ends at step pct_start * T - 1 = 4, falling at T - 1 = 9.
    cycle = values("one_cycle_lr", 10, lr=1.0, training_steps=10, pct_start=0.5, div_factor=10, final_div_factor=100)
    assert cycle[0] == pytest.approx(0.1) and cycle[4] == pytest.approx(1.0) and cycle[9] == pytest.approx(0.001)


def test_torch_schedulers_have_no_closed_form() -> None:
    with pytest.raises(lrplot.NoClosedFormError, match="use engine torch"):
        lrplot.resolve("step_lr", 5).lr_lambda()


def test_record_after_starts_at_last_epoch_one() -> None:
    before = values("linear", 11, warmup=2, training_steps=10)
    after = values("linear", 10, record="after", warmup=2, training_steps=10)
    assert after == before[1:]
