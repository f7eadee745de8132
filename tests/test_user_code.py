"""lrplot factory: a user's own scheduler code, imported and called, with every failure one line."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrplot
from lrplot import api
from lrplot.cli.app import app
from lrplot.errors import NoClosedFormError, ParameterError
from lrplot.writers import read_csv

from .helpers import FACTORIES

cli = CliRunner()
DATA = FACTORIES.parent


def run(*args: str):
    return cli.invoke(app, list(args))


def test_help_says_plainly_that_it_runs_your_code() -> None:
    result = run("factory", "--help")
    assert result.exit_code == 0
    assert "THIS RUNS YOUR CODE" in result.stdout and "--kw KEY=VALUE" in result.stdout


def test_a_factory_given_the_optimizer_equals_the_scheduler_it_returns(tmp_path: Path) -> None:
    result = run("factory", f"{FACTORIES}:warmup_cosine", "--kw", "warmup=3", "--kw", "total=20", "--steps", "25",
                 "--lr", "0.5", "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.output
    meta, header, columns = read_csv(tmp_path / "factory.csv")
    assert header == ["step", "lr"]
    expected = [0.5 * (s / 3 if s < 3 else 0.5 * (1 + math.cos(math.pi * (s - 3) / 17))) for s in range(25)]
    assert columns[1] == expected
    assert meta["params"]["kw"] == {"warmup": 3, "total": 20}
    assert (tmp_path / "factory.png").read_bytes().startswith(b"\x89PNG")


def test_a_factory_without_the_optimizer_returns_a_factor_callable() -> None:
    curve = lrplot.curve("factory", steps=9, target=f"{FACTORIES}:halving", kw={"every": 3})
    assert curve.lr.tolist() == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]


def test_a_module_is_imported_from_the_current_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA.parent.parent)  # the repository: tests.data.factories
    curve = lrplot.curve("factory", steps=6, target="tests.data.factories:step_decay", kw={"step_size": 2})
    assert curve.lr.tolist() == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("nocolon", "FACTORY: expected FILE.py:NAME or package.module:NAME, got 'nocolon'"),
        (f"{DATA}/none.py:make", f"FACTORY: no file {DATA}/none.py"),
        (f"{DATA}/broken_factory.py:make", "raised ImportError: no such thing"),
        ("no_such_package_here.mod:make", "importing no_such_package_here.mod raised ModuleNotFoundError"),
        (f"{FACTORIES}:nope", "has no 'nope' (its callables: BreaksAtStep4, breaks_at_step_3, breaks_at_step_4,"),
        (f"{FACTORIES}:NOT_CALLABLE", "factories.py:NOT_CALLABLE is 3, not a callable"),
        (f"{FACTORIES}:not_a_scheduler", "returned 42 (int); expected a torch LRScheduler built on the optimizer"),
        (f"{FACTORIES}:plateau", "returned a ReduceLROnPlateau, whose step needs a metric"),
        (f"{FACTORIES}:other_optimizer", "returned a scheduler of another optimizer"),
        (f"{FACTORIES}:raises", "raises(...) raised RuntimeError: my factory is broken"),
        (f"{FACTORIES}:exits", "exits(...) raised SystemExit: 3"),
        (f"{FACTORIES}:breaks_at_step_3", "breaks_at_step_3's callable at step 3 raised ZeroDivisionError"),
        (f"{FACTORIES}:breaks_at_step_4", "scheduler, stepped to last_epoch 4, raised ValueError: my scheduler cannot"),
        (f"{FACTORIES}:generator_exit", "generator_exit(...) raised GeneratorExit: not an Exception"),
    ],
)
def test_every_failure_is_one_line_exit_2_and_nothing_written(target: str, message: str, tmp_path: Path) -> None:
    result = run("factory", target, "--steps", "8", "--out", str(tmp_path))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: FACTORY: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.output and "second line" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_what_the_code_prints_goes_to_stderr(tmp_path: Path) -> None:
    result = run("factory", f"{FACTORIES}:chatty", "--steps", "4", "--out", str(tmp_path), "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == f"{tmp_path / 'factory.csv'}\n"
    assert "hello from the user's code" in result.stderr


def test_bad_keywords_and_engines_are_refused() -> None:
    for kw, reason in [
        ("x", "expected KEY=VALUE"),
        ("1a=2", "a plain ASCII Python name"),
        ("if=2", "a plain ASCII Python name"),
        ("\uff57armup=3", "a plain ASCII"),
        ("x=1e400", "a finite number"),
    ]:
        result = run("factory", f"{FACTORIES}:halving", "--kw", kw)
        assert result.exit_code == 2 and result.stderr.startswith("Error: --kw: ") and reason in result.stderr
    with pytest.raises(NoClosedFormError):
        lrplot.curve("factory", steps=3, target=f"{FACTORIES}:halving", engine="numpy")
    with pytest.raises(ParameterError, match="unexpected keyword argument 'wrong'"):
        lrplot.curve("factory", steps=3, target=f"{FACTORIES}:halving", kw={"wrong": 1})


def test_a_factory_is_a_curve_of_compare_a_child_and_a_figure_set_curve(tmp_path: Path) -> None:
    result = run("compare", f"factory:target={FACTORIES}:halving,kw=(every=2),label=mine", "constant",
                 "--steps", "4", "--out", str(tmp_path), "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    _, header, columns = read_csv(tmp_path / "compare.csv")
    assert header == ["step", "mine", "constant"] and columns[1] == [1.0, 1.0, 0.5, 0.5]
    sequential = lrplot.curve(
        "sequential_lr", steps=5, schedulers=f"(factory:target={FACTORIES}:halving,kw=(every=1)),(constant)",
        milestones="3",
    )  # fmt: skip
    assert sequential.lr.tolist() == [1.0, 0.5, 0.25, 1.0, 1.0]
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "mine.py").write_text("def make(optimizer):\n    import torch\n"
                                    "    return torch.optim.lr_scheduler.ExponentialLR(optimizer, 0.5)\n")  # fmt: skip
    (folder / "set.toml").write_text(
        'out = "."\n[[figure]]\nname = "fig"\nsteps = 3\ncurve = [{ schedule = "factory", target = "mine.py:make" }]\n'
    )
    paths = api.render_sets([folder / "set.toml"], formats=["csv"])  # run from elsewhere: the path is the set's
    _, _, columns = read_csv(paths[0])
    assert columns[1] == [1.0, 0.5, 0.25]
    assert not (folder / "__pycache__").exists()


def test_a_compositions_own_error_keeps_its_words_beside_a_factory() -> None:
    children = [f"factory:target={FACTORIES}:halving", "one_cycle_lr:training_steps=5"]
    result = run("sequential_lr", *children, "--milestones", "3", "--steps", "20")
    assert result.exit_code == 2
    assert "one_cycle_lr cannot step past its total_steps" in result.stderr and "FACTORY" not in result.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("returns_none", "returns_none's callable returned None (NoneType) at step 0; expected a number"),
        ("returns_text", "returns_text's callable returned '0.5' (str) at step 0; expected a number"),
        ("returns_complex", "returns_complex's callable returned 1j (complex) at step 0; expected a number"),
        ("complex_scheduler", "the scheduler's lr at last_epoch 0 is not a number"),
    ],
)
def test_a_factor_or_lr_that_is_no_number_is_one_line(name: str, message: str, tmp_path: Path) -> None:
    result = run("factory", f"{DATA}/fuzz_factories/hostile.py:{name}", "--steps", "4", "--out", str(tmp_path))
    assert result.exit_code == 2 and result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_a_factory_in_a_figure_sets_composition_is_found_beside_the_set(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "factories.py").write_bytes(FACTORIES.read_bytes())
    (folder / "set.toml").write_text(
        'out = "."\n[[figure]]\nname = "fig"\nsteps = 5\ncurve = [{ schedule = "sequential_lr", milestones = [2], '
        'schedulers = [{ schedule = "chained_scheduler", schedulers = [{ schedule = "factory", '
        'target = "factories.py:halving", kw = { every = 1 } }] }, '
        '"factory:target=factories.py:halving,kw=(every=1)"] }]\n'
    )
    paths = api.render_sets([folder / "set.toml"], formats=["csv"])  # from the tests' folder, not the set's
    _, _, columns = read_csv(paths[0])
    assert columns[1] == [1.0, 0.5, 1.0, 0.5, 0.25]  # halving, then halving again from the milestone


def test_a_factory_cannot_resume() -> None:
    from lrplot import runner

    schedule = lrplot.resolve("factory", 3, params={"target": f"{FACTORIES}:halving"})
    with pytest.raises(ParameterError, match="cannot pass your factory a last_epoch"):
        runner.run(schedule, last_epoch=5)
