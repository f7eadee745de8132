"""lambda_lr: a user's formula, read safely, equal on both engines to Python's own evaluation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import lrplot
from lrplot import api, configs, runner, vector
from lrplot.cli.app import app
from lrplot.errors import ParameterError, UsageError
from lrplot.expression import compile_formula
from lrplot.options import RunOptions
from lrplot.writers import read_csv

from .injections import INJECTIONS
from .oracles import PYTHON_NAMES, python_formula

ROOT = Path(__file__).resolve().parent.parent
cli = CliRunner()


@pytest.mark.parametrize("text", INJECTIONS, ids=lambda t: repr(t)[:40])
def test_the_injection_corpus_is_refused_in_one_line_before_anything_runs(text: str, tmp_path: Path) -> None:
    with pytest.raises(ParameterError) as caught:  # benchmarks/run.py times these (target: < 100 ms each)
        lrplot.resolve("lambda_lr", 10, params={"expr": text})
    assert caught.value.param == "expr" and "\n" not in str(caught.value)
    result = cli.invoke(app, ["lambda_lr", "--out", str(tmp_path), "--", text])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: EXPR: "), result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert not Path("pwned").exists()


def test_an_unknown_name_says_how_to_give_it() -> None:
    result = cli.invoke(app, ["lambda_lr", "min(1, s / W)", "--var", "T=3"])
    assert result.exit_code == 2
    assert "unknown name 'W' (the variables given: T; the step is s): give it with --var W=VALUE" in result.stderr


@pytest.mark.parametrize(
    ("var", "reason"),
    [
        ("pi=3", "the language's own"),
        ("__class__=1", "plain ASCII name"),
        ("if=1", "plain ASCII name"),
        ("W=abc", "expected a finite number"),
        ("W=true", "expected a finite number"),
        ("W", "expected NAME=NUMBER"),
        ("W=1e16", "beyond the largest value"),
    ],
)
def test_bad_variables_are_refused_naming_the_option(var: str, reason: str) -> None:
    result = cli.invoke(app, ["lambda_lr", "s / W", "--var", var])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --var: ") and reason in result.stderr, result.stderr


def test_a_variable_the_formula_does_not_use_is_a_warning() -> None:
    schedule = lrplot.resolve("lambda_lr", 5, params={"expr": "s / W", "var": {"W": 2, "T": 3}})
    assert schedule.warnings == ("var T: the formula does not use it",)


# Hand-derived values: Python's float arithmetic, branch by branch ---------------------------

EDGES = [
    ("7 // 2", [3.0]),
    ("-7 % 3", [2.0]),
    ("7 % -3", [-2.0]),
    ("2 ** -1", [0.5]),
    ("0 ** 0", [1.0]),
    ("(-2) ** 3", [-8.0]),
    ("s // 2", [0.0, 0.0, 1.0, 1.0, 2.0]),
    ("s % 2 == 1", [0.0, 1.0, 0.0, 1.0, 0.0]),
    ("1 < s <= 3", [0.0, 0.0, 1.0, 1.0, 0.0]),
    ("s > 0 and 1 / s", [0.0, 1.0, 0.5, 1 / 3, 0.25]),  # at 0, 1 / s is never computed
    ("1 / s if s else 7", [7.0, 1.0, 0.5, 1 / 3, 0.25]),
    ("s == 0 or 1 / s", [1.0, 1.0, 0.5, 1 / 3, 0.25]),
    ("not s", [1.0, 0.0, 0.0, 0.0, 0.0]),
    ("min(3, s, 2)", [0.0, 1.0, 2.0, 2.0, 2.0]),
    ("max(1, s) ** -0.5", [1.0, 1.0, 2**-0.5, 3**-0.5, 0.5]),
    ("floor(s / 3) + ceil(s / 3)", [0.0, 1.0, 1.0, 2.0, 3.0]),
    ("abs(s - 2) * pi / e", [2 * math.pi / math.e, math.pi / math.e, 0.0, math.pi / math.e, 2 * math.pi / math.e]),
    ("sqrt(s) + log(1 + s) + log2(1 + s) + log10(1 + s)", [
        math.sqrt(s) + math.log(1 + s) + math.log2(1 + s) + math.log10(1 + s) for s in range(5)
    ]),
    ("exp(-s) * cos(s) + sin(s) * tan(s / 9) + tanh(s)", [
        math.exp(-s) * math.cos(s) + math.sin(s) * math.tan(s / 9) + math.tanh(s) for s in range(5)
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), EDGES, ids=[t for t, _ in EDGES])
@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_hand_derived_values(text: str, expected: list[float], engine: str) -> None:
    steps = len(expected) if len(expected) > 1 else 3
    values = lrplot.curve("lambda_lr", steps=steps, expr=text, engine=engine).lr.tolist()
    expected = expected if len(expected) > 1 else expected * steps
    assert values == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize(
    ("text", "step", "what"),
    [
        ("1 / (s - 5)", 5, "1 / (s - 5) divides by zero"),
        ("s % (s - 3)", 3, "s % (s - 3) divides by zero"),
        ("log(s)", 0, "log(s) is outside its domain"),
        ("sqrt(s - 3)", 0, "sqrt(s - 3) is outside its domain"),
        ("(-1) ** (s / 2)", 1, "(-1) ** (s / 2) is outside its domain"),
        ("0 ** (3 - s)", 4, "0 ** (3 - s) divides by zero"),
        ("exp(s)", 710, "exp(s) overflows"),
        ("10.0 ** s", 309, "10.0 ** s overflows"),
        ("1 if s < 2000 else 1 / (s - 2500)", 2500, "1 / (s - 2500) divides by zero"),
    ],
)
@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_a_step_python_refuses_is_an_error_naming_it(text: str, step: int, what: str, engine: str) -> None:
    schedule = lrplot.resolve("lambda_lr", 3000, params={"expr": text})
    run = runner.run if engine == "torch" else vector.run
    with pytest.raises(ParameterError) as caught:
        run(schedule, RunOptions(engine=engine))  # type: ignore[arg-type]
    assert caught.value.reason == f"cannot be computed at step {step}: {what}"


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_a_tower_of_powers_of_the_step_overflows_at_once(engine: str) -> None:
    # Comparisons are ints in Python (True + True is 2); an exact int power of a power would never end.
    two = "((s > 0) + (s > 0))"
    tower = "((((x**x)**(x**x))**((x**x)**(x**x)))**(((x**x)**(x**x))**((x**x)**(x**x))))".replace("x", two)
    with pytest.raises(ParameterError, match="cannot be computed at step 1: .* overflows"):
        lrplot.curve("lambda_lr", steps=3, expr=tower, engine=engine)  # at once: before the fix, minutes


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("1 if W < 0 else sqrt(W)", {"W": -1}, [1.0] * 4),  # the branch not taken is never computed
        ("1 if W == 0 else 1 / W", {"W": 0}, [1.0] * 4),
        ("W == 0 or 1 / W > 0.5", {"W": 0}, [1.0] * 4),
        ("0 and log(W)", {"W": -1}, [0.0] * 4),
        ("s > 100 and s % W", {"W": 0}, [0.0] * 4),
        ("W and s / W", {"W": 0}, [0.0] * 4),
        ("s < -1 < s / W", {"W": 0}, [0.0] * 4),
        ("s * ((W > 0) + (T > 0) == 2)", {"W": 1, "T": 2}, [0.0, 1.0, 2.0, 3.0]),  # a constant sum of comparisons
        ("s - -((W > 0) + (T > 0))", {"W": 1, "T": 2}, [2.0, 3.0, 4.0, 5.0]),
        ("(s > 1) + (s > 2) * 10", {}, [0.0, 0.0, 1.0, 11.0]),
    ],
)
@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_constant_parts_keep_pythons_short_circuits(text: str, variables: dict, expected: list, engine: str) -> None:
    assert lrplot.curve("lambda_lr", steps=4, expr=text, var=variables, engine=engine).lr.tolist() == expected


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_a_constant_that_fails_in_a_branch_fails_at_the_first_step_that_takes_it(engine: str) -> None:
    schedule = lrplot.resolve("lambda_lr", 6, params={"expr": "1 / 0 if s > 3 else 1"})  # read: no step runs it yet
    run = runner.run if engine == "torch" else vector.run
    with pytest.raises(ParameterError, match="cannot be computed at step 4: 1 / 0 divides by zero"):
        run(schedule, RunOptions(engine=engine))  # type: ignore[arg-type]


def test_numbers_given_to_the_api_are_checked() -> None:
    with pytest.raises(ParameterError, match="expr: a number of about 5001 digits is beyond"):
        lrplot.resolve("lambda_lr", 3, params={"expr": 10**5000})
    with pytest.raises(ParameterError, match="var: a number of about 5001 digits is beyond"):
        lrplot.resolve("lambda_lr", 3, params={"expr": "s / W", "var": {"W": 10**5000}})
    assert lrplot.resolve("lambda_lr", 3, params={"expr": np.float64(0.5)}).values["expr"] == "0.5"


def test_a_refused_step_on_the_command_line_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    result = cli.invoke(app, ["lambda_lr", "1 / (s - 5)", "--out", str(tmp_path), "--engine", "numpy"])
    assert result.exit_code == 2
    assert result.stderr == "Error: EXPR: cannot be computed at step 5: 1 / (s - 5) divides by zero\n"
    assert list(tmp_path.iterdir()) == []


def test_an_overflow_python_lets_through_is_the_usual_warning_and_nan_the_usual_error() -> None:
    inf = lrplot.curve("lambda_lr", steps=4, expr="1e308 * (s + 1) * 10")
    assert inf.warnings == ("lr overflows to inf from step 0 on (figures leave it out)",)
    with pytest.raises(UsageError, match="lr is not a number"):
        lrplot.curve("lambda_lr", steps=4, expr="1e308 * 10 * s", engine="numpy")


def test_the_python_source_is_the_formula_in_floats() -> None:
    formula = compile_formula("floor(s / W) * pi + min(1, s) ** 2 + (s > W) + (not s)", {"W": 3})
    assert formula.python() == (
        "float(math.floor(s / W)) * math.pi + min(1.0, s) ** 2.0 + float(s > W) + float(not s)"
    )  # comparisons are floats, as lrplot computes them
    assert formula.variables == {"W": 3}


def test_the_article_transformer_rule_as_a_formula_reproduces_figure_8_exactly() -> None:
    # Figure 8 is drawn with lambda_lr (configs/article.toml); the built-in rule gives the same values.
    meta, header, columns = read_csv(ROOT / "docs" / "figures" / "fig08_transformer_lambdalr.csv")
    rule = "d ** -0.5 * min(max(s, 1) ** -0.5, max(s, 1) * W ** -1.5)"
    for label, column, (d, w) in zip(header[1:], columns[1:], [(256, 4000), (512, 4000), (512, 8000)], strict=True):
        assert meta["curves"][label]["params"] == {
            "schedule": "lambda_lr", "steps": 20000, "lr": [1.0], "expr": rule, "var": {"d": d, "W": w}
        }  # fmt: skip
        formula = lrplot.curve("lambda_lr", steps=20000, record="after", expr=rule, var={"d": d, "W": w})
        builtin = lrplot.curve("transformer", steps=20000, record="after", d_model=d, warmup=w)
        assert formula.steps.tolist() == builtin.steps.tolist() == columns[0]
        assert formula.lr.tolist() == builtin.lr.tolist() == column  # equal, not close


def test_a_formula_is_a_curve_in_compare_a_child_of_a_composition_and_a_figure_set(tmp_path: Path) -> None:
    result = cli.invoke(
        app,
        ["compare", "lambda_lr:expr=min(1, (s + 1) / W),var=(W=4,T=9),label=mine", "cosine", "--steps", "12",
         "--out", str(tmp_path), "--format", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    _, header, columns = read_csv(tmp_path / "compare.csv")
    assert header[1] == "mine" and columns[1] == [min(1, (s + 1) / 4) for s in range(12)]
    assert "var T: the formula does not use it" in result.stderr
    sequential = lrplot.curve(
        "sequential_lr", steps=8, schedulers="(lambda_lr:expr=0.5 ** s),(constant)", milestones="3"
    )
    assert sequential.lr.tolist() == [1.0, 0.5, 0.25, 1.0, 1.0, 1.0, 1.0, 1.0]
    config = tmp_path / "set.toml"
    config.write_text(
        'out = "."\n[[figure]]\nname = "mine"\nsteps = 5\n'
        'curve = [{ schedule = "lambda_lr", expr = "s / W", var = { W = 4 } }]\n'
    )
    figure_set = configs.load(config)
    (figure,) = figure_set.figures
    assert figure.curves[0].params["var"] == {"W": 4}
    paths = api.render_sets([config], formats=["csv"])
    _, _, columns = read_csv(paths[0])
    assert columns[1] == [s / 4 for s in range(5)]


def test_the_regenerating_command_reads_back_the_same_formula(tmp_path: Path) -> None:
    args = ["lambda_lr", "--var", "T=10", "--steps", "6", "--out", str(tmp_path), "--format", "csv", "--", "-s / T + 1"]
    assert cli.invoke(app, args).exit_code == 0
    meta, _, columns = read_csv(tmp_path / "lambda_lr.csv")
    assert meta["command"] == "lrplot lambda_lr --steps 6 --lr 1.0 --var T=10 -- '-s / T + 1'"
    assert columns[1] == [-s / 10 + 1 for s in range(6)]


# Generated formulas: both engines equal Python's own evaluation ------------------------------
#
# Discontinuous operations (floor, ceil, //, %, comparisons) take only operands built from
# correctly rounded operations (+ - * / min max abs), on which numpy and Python agree to the
# bit; the smooth functions (numpy's exp, log, tan, tanh and ** may differ from Python's math
# in the last bit) feed only continuous ones. Literals carry a decimal point, so Python's eval
# computes in floats as lrplot does.

NUMBERS = st.sampled_from([0.5, 1.0, 2.0, 3.0, 7.0, 0.25, 10.0, 0.001, 100.0, 1.5]).map(repr)


@st.composite
def exact(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(["s", "W", "T"]) | NUMBERS)
    a, b = draw(exact(depth + 1)), draw(exact(depth + 1))
    kind = draw(st.sampled_from(["op", "op", "minmax", "abs", "round", "neg"]))
    if kind == "op":
        return f"({a} {draw(st.sampled_from(['+', '-', '*', '/', '//', '%']))} {b})"
    if kind == "minmax":
        return f"{draw(st.sampled_from(['min', 'max']))}({a}, {b})"
    if kind == "round":
        return f"{draw(st.sampled_from(['floor', 'ceil']))}({a})"
    return f"abs({a})" if kind == "abs" else f"-{a}"


@st.composite
def condition(draw: st.DrawFn) -> str:
    a, b, c = draw(exact()), draw(exact()), draw(exact())
    return draw(
        st.sampled_from(
            [f"{a} < {b}", f"{a} <= {b} < {c}", f"not {a} == {b}", f"({a} > {b}) and ({b} != {c})",
             f"({a} >= {b}) or ({c} < {a})"]
        )
    )  # fmt: skip


@st.composite
def smooth(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        return draw(exact())
    a, b = draw(smooth(depth + 1)), draw(smooth(depth + 1))
    kind = draw(st.sampled_from(["function", "function", "op", "power", "if", "and"]))
    if kind == "function":
        name = draw(st.sampled_from(["sqrt", "exp", "log", "log2", "log10", "cos", "sin", "tan", "tanh"]))
        return f"{name}({a})"
    if kind == "op":
        return f"({a} {draw(st.sampled_from(['+', '-', '*', '/']))} {b})"
    if kind == "power":
        return f"(abs({a}) + 0.5) ** {draw(exact())}"
    if kind == "if":
        return f"({a} if {draw(condition())} else {b})"
    return f"({draw(condition())} and {a} or {b})"


def python_values(text: str, variables: dict[str, float], steps: int) -> tuple[list[float], int | None]:
    """Python's values, and the first step where it refuses (then the values up to it)."""
    multiplier = python_formula(text, variables)
    values: list[float] = []
    for step in range(steps):
        try:
            value = multiplier(step)
        except (ArithmeticError, ValueError):
            return values, step
        values.append(float(value))
    return values, None


NUDGED = ("sqrt", "exp", "log", "log2", "log10", "cos", "sin", "tan", "tanh")


def rounding_moves(text: str, variables: dict[str, float], step: int, tolerance: float) -> bool:
    """Whether one unit in the last place of any math function's result moves the formula's value at
    ``step`` by more than ``tolerance``: numpy's and libm's functions may round differently, and
    ``exp(cos(exp(s)))`` turns that unit into any value (no engine can match it closer)."""
    exact = python_formula(text, variables)(step)
    code = compile(text, "<formula>", "eval")
    for direction in (math.inf, -math.inf):
        names = dict(PYTHON_NAMES)
        for name in NUDGED:
            names[name] = lambda x, f=PYTHON_NAMES[name], d=direction: math.nextafter(f(x), d)
        try:
            nudged = eval(code, names, {**variables, "s": float(step)})  # noqa: S307 (the test's own text)
        except (ArithmeticError, ValueError):
            return True
        if not abs(nudged - exact) <= tolerance:
            return True
    return False


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(smooth(), st.floats(1.0, 50.0), st.floats(1.0, 90.0))
def test_generated_formulas_equal_python_on_both_engines(text: str, w: float, t: float) -> None:
    variables = {"W": w, "T": t}
    steps = 40
    expected, refused_at = python_values(text, variables, steps)
    try:
        schedule = lrplot.resolve("lambda_lr", steps, params={"expr": text, "var": variables})
    except ParameterError as e:  # a constant part Python refuses too
        assert refused_at == 0 and "cannot be computed" in e.reason, (text, e)
        return
    for engine in ("torch", "numpy"):
        run = runner.run if engine == "torch" else vector.run
        if refused_at is not None:
            with pytest.raises(ParameterError, match=f"at step {refused_at}:"):
                run(schedule, RunOptions(engine=engine))  # type: ignore[arg-type]
            continue
        try:
            values = run(schedule, RunOptions(engine=engine)).lr  # type: ignore[arg-type]
        except UsageError as e:  # a NaN: Python computed it too
            assert any(math.isnan(v) for v in expected) and "not a number" in str(e), (text, e)
            continue
        finite = np.isfinite(expected)
        assert np.array_equal(np.isfinite(values), finite), (text, engine)
        scale = float(np.max(np.abs(np.asarray(expected)[finite]), initial=0.0))
        close = np.abs(values[finite] - np.asarray(expected)[finite]) <= 1e-12 * (np.abs(values[finite]) + scale)
        steps_apart = [int(i) for i in np.flatnonzero(finite)[~close]]
        unstable = [i for i in steps_apart if rounding_moves(text, variables, i, 1e-12 * (abs(expected[i]) + scale))]
        assert steps_apart == unstable, (text, engine, values.tolist(), expected)
