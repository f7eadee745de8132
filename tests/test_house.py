"""The seams the package grows on: families, the naming rule, parameter kinds,
joins, per-group laws, tracks, steppers, formats, error spelling and imports."""

from __future__ import annotations

import ast
import json
import shlex
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import LambdaLR
from typer.testing import CliRunner

import lrplot
from lrplot import api, configs, figure_model, plot, steppers
from lrplot.cli.app import app
from lrplot.cli.commandline import option_name
from lrplot.engines import run
from lrplot.errors import ParameterError, UnknownScheduleError, plain
from lrplot.figures import TraceDocument
from lrplot.formats import FORMATS
from lrplot.options import RunOptions
from lrplot.params import Param, ScheduleRequest, parse_request
from lrplot.piecewise import Piecewise, join, linear_warmup
from lrplot.schedules import builtin_registry
from lrplot.trace import Trace

from . import example_family
from .oracles import assert_close, optimizer_for, record_values

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lrplot"
BOTH = [RunOptions(), RunOptions(engine="numpy")]


@pytest.fixture(scope="module")
def registry() -> lrplot.Registry:
    registry = builtin_registry()
    registry.register_all(example_family.SPECS)
    return registry


# A family in one module, and the naming rule -------------------------------------------------


def test_a_new_family_registers_from_one_module(registry: lrplot.Registry) -> None:
    names = [registry.command_name(s) for s in registry.specs()]
    assert names[-4:] == ["milestones", "warmup_then", "layerwise", "example.cosine"]
    assert len(names) == len(lrplot.list_specs()) + 4
    assert lrplot.list_specs() == builtin_registry().specs()  # the default registry is untouched


def test_colliding_names_stay_with_the_first_family(registry: lrplot.Registry) -> None:
    assert registry.get("cosine").family == "transformers"
    assert registry.get("transformers.cosine") is registry.get("cosine")
    assert registry.get("example.cosine").family == "example"
    assert registry.get("torch.StepLR").name == "step_lr"
    with pytest.raises(ValueError, match="'cosine' is already registered in example"):
        registry.register(example_family.SPECS[-1])
    with pytest.raises(ValueError, match="may not hold"):
        registry.register(example_family.SPECS[0].__class__(**{**vars(example_family.SPECS[0]), "family": "a.b"}))
    with pytest.raises(ValueError, match="may not hold"):
        registry.register(example_family.SPECS[0].__class__(**{**vars(example_family.SPECS[0]), "aliases": ("a.b",)}))
    with pytest.raises(UnknownScheduleError, match="did you mean example.cosine"):
        registry.get("example.cosin")


@pytest.mark.parametrize("options", BOTH, ids=lambda o: o.engine)
def test_list_parameter_milestones_equal_torch_multisteplr(registry: lrplot.Registry, options: RunOptions) -> None:
    schedule = registry.resolve("milestones", 40, [1.0, 0.3], {"milestones": "10,25", "gamma": 0.5})
    assert schedule.values["milestones"] == (10, 25)
    opt = optimizer_for([1.0, 0.3])
    expected = record_values(torch.optim.lr_scheduler.MultiStepLR(opt, [10, 25], gamma=0.5), 2, 40, "before")
    trace = run(schedule, options)
    for g in range(2):
        assert_close(trace.lrs[g], expected[g], what=f"group {g}")


@pytest.mark.parametrize(
    ("value", "words"),
    [("", "comma-separated"), ("10,x", "got 'x'"), ("2.5", "got 2.5"), ("0,3", "got 0"), (True, "got True")],
)
def test_list_parameter_errors_name_it(registry: lrplot.Registry, value: object, words: str) -> None:
    with pytest.raises(ParameterError, match=words) as info:
        registry.resolve("milestones", 10, params={"milestones": value})
    assert info.value.param == "milestones"


@pytest.mark.parametrize("options", BOTH, ids=lambda o: o.engine)
def test_nested_schedule_joined_after_warmup(registry: lrplot.Registry, options: RunOptions) -> None:
    schedule = registry.resolve("warmup_then", 60, 2.0, {"warmup": 10, "then": "cosine:num_cycles=1"})
    child = schedule.values["then"]
    assert isinstance(child, lrplot.Schedule) and child.values["num_cycles"] == 1.0
    assert schedule.describe()["then"] == child.describe()
    lrs = run(schedule, options).lr.tolist()
    assert lrs[:10] == [2.0 * s / 10 for s in range(10)]
    cosine = lrplot.resolve("cosine", 60, 2.0, {"num_cycles": 1}).lr_lambda()
    assert lrs[10:] == [2.0 * cosine(s) for s in range(10, 60)]


def test_nested_schedule_errors_are_located(registry: lrplot.Registry) -> None:
    with pytest.raises(UnknownScheduleError, match="^then 'cosin': unknown schedule 'cosin'"):
        registry.resolve("warmup_then", 10, params={"then": "cosin"})
    with pytest.raises(ParameterError) as info:
        registry.resolve("warmup_then", 10, params={"then": {"schedule": "cosine", "power": 2}})
    assert info.value.message(option_name).startswith("then 'cosine': --power: cosine takes no such parameter")
    assert Param("x", "schedule", None, "").check("linear:warmup=3") == ScheduleRequest("linear", {"warmup": 3})


@pytest.mark.parametrize("options", BOTH, ids=lambda o: o.engine)
def test_per_group_multipliers_in_both_engines(registry: lrplot.Registry, options: RunOptions) -> None:
    trace = run(registry.resolve("layerwise", 5, [1.0, 1.0, 2.0], {"decay": 0.5}), options)
    assert trace.lrs.tolist() == [[1.0] * 5, [0.5] * 5, [0.5] * 5]


def test_join_switches_at_the_boundary_on_scalars_and_arrays() -> None:
    joined = join(linear_warmup(4), Piecewise([(lambda s, o: s < 6, lambda s, o: 2.0), (None, lambda s, o: 3.0)]), 4)
    expected = [0.0, 0.25, 0.5, 0.75, 2.0, 2.0, 3.0, 3.0]
    assert [joined(s) for s in range(8)] == expected
    assert joined.evaluate(np.arange(8)).tolist() == expected
    with pytest.raises(ValueError, match="None condition last"):
        Piecewise([(lambda s, o: s < 1, lambda s, o: 1.0)])


# Traces: a new quantity needs no change in the writers or the figure --------------------------


def with_momentum(trace: Trace) -> Trace:
    """``trace`` with an epoch axis and a momentum track, as a stepper could report them."""
    momentum = np.linspace(0.95, 0.85, len(trace.steps))
    axes = {**trace.axes, "epoch": trace.steps // 8}
    return Trace(trace.schedule, axes, {**trace.tracks, ("momentum", 0): momentum}, trace.options)


def test_a_new_track_becomes_columns_and_a_panel(tmp_path: Path) -> None:
    trace = with_momentum(lrplot.curve("cosine", 20, lr=[1.0, 0.5], warmup=4))
    assert trace.quantities == ["lr", "momentum"]
    paths = lrplot.write_curve(trace, tmp_path, formats=("csv", "json", "png"))
    _, header, columns = lrplot.read_csv(paths[0])
    assert header == ["step", "epoch", "lr", "lr_group1", "momentum"]
    assert columns[1] == [s // 8 for s in range(20)] and columns[4] == trace.track("momentum").tolist()
    assert (tmp_path / "cosine.json").read_text().count('"momentum"') == 1
    model = figure_model.single(trace)
    assert [p.ylabel for p in model.panels] == ["learning rate", "momentum"]
    fig = plot.render(model)
    assert [ax.get_ylabel() for ax in fig.axes] == ["learning rate", "momentum"]
    assert fig.axes[0].get_xlabel() == "" and fig.axes[1].get_xlabel().startswith("step")


def test_a_splice_keeps_every_track() -> None:
    from lrplot.figures import CurveSpec, FigureSpec, RenderedFigure

    first = with_momentum(lrplot.curve("cosine", 6, lr=[1.0, 0.5]))
    resumed = with_momentum(run(lrplot.resolve("cosine", 3, [1.0, 0.5]), last_epoch=6))
    spliced = RenderedFigure(FigureSpec("f", (CurveSpec("cosine"),), steps=6), {"cosine": first}, resumed)
    header, columns = spliced.table()
    assert header == ["step", "epoch", "lr", "lr_group1", "momentum", "run"]
    assert columns[0].tolist() == [0, 1, 2, 3, 4, 5, 7, 8, 9] and columns[-1].tolist() == [1] * 6 + [2] * 3
    assert columns[3].tolist() == [*first.track("lr", 1).tolist(), *resumed.track("lr", 1).tolist()]


def test_compare_columns_name_each_track_by_curve() -> None:
    rendered = api.compare(["cosine", "linear"], 10, (1.0, 0.1))
    header, _ = rendered.table()
    assert header == ["step", "cosine", "cosine:lr_group1", "linear", "linear:lr_group1"]


# The stepper protocol ------------------------------------------------------------------------


class Halving:
    """A stepper of another kind: the lr halves every step (as an optax-like function would give it)."""

    chunk = 3
    versions: dict[str, str] = {}

    def __init__(self, skip_step: bool = False) -> None:
        self.epoch, self.values, self.skip_step = 0, [], skip_step

    @property
    def last_epoch(self) -> int:
        return self.epoch

    def take(self, epochs: np.ndarray) -> None:
        for epoch in epochs.tolist():
            if epoch != self.epoch and not (self.skip_step and self.epoch == 4):
                self.epoch += 1
            self.values.append(0.5**self.epoch)

    def tracks(self) -> dict:
        return {("lr", 0): np.array(self.values)}


def test_any_stepper_is_recorded_under_the_step_convention() -> None:
    reports = []
    stepper = Halving()
    epochs = steppers.record(stepper, 7, "before", lambda done, total: reports.append(done))
    assert epochs.tolist() == list(range(7)) and stepper.tracks()[("lr", 0)].tolist() == [0.5**s for s in range(7)]
    assert reports == [3, 6, 7]  # a report per chunk
    after = Halving()
    assert steppers.record(after, 4, "after").tolist() == [1, 2, 3, 4]
    assert after.tracks()[("lr", 0)].tolist() == [0.5, 0.25, 0.125, 0.0625]
    with pytest.raises(RuntimeError, match="last_epoch ended at 4, expected 6"):  # it stopped stepping at 4
        steppers.record(Halving(skip_step=True), 7, "before")


def per_epoch_by_hand(scheduler: torch.optim.lr_scheduler.LRScheduler, updates: int, k: int) -> list[list[float]]:
    """The lr each optimizer update uses when the scheduler steps once every ``k`` updates."""
    values = []
    for update in range(updates):
        values.append(scheduler.get_last_lr())
        scheduler.optimizer.step()  # no gradients: nothing moves, but the loop is the real one
        if (update + 1) % k == 0:
            scheduler.step()
    return [list(group) for group in zip(*values, strict=True)]


@pytest.mark.parametrize("options", BOTH, ids=lambda o: o.engine)
def test_a_scheduler_stepped_once_an_epoch_is_recorded_per_update(options: RunOptions) -> None:
    per_epoch = RunOptions(engine=options.engine, interval="epoch", steps_per_epoch=3)
    schedule = lrplot.resolve("cosine", 20, [1.0, 0.5], {"warmup": 2, "training_steps": 7})
    trace = run(schedule, per_epoch)
    assert list(trace.axes) == ["update", "epoch", "step"] and trace.x_name == "update"
    assert trace.axes["update"].tolist() == list(range(20))
    assert trace.axes["epoch"].tolist() == trace.steps.tolist() == [u // 3 for u in range(20)]
    expected = per_epoch_by_hand(LambdaLR(optimizer_for([1.0, 0.5]), schedule.lr_lambda()), 20, 3)
    for g in range(2):
        assert_close(trace.lrs[g], expected[g], what=f"group {g}")
    model = figure_model.single(trace)
    artists = model.panels[0].artists
    boundaries = [a for a in artists if isinstance(a, figure_model.VLine) and a.linestyle == ":"]
    lines = [a for a in artists if isinstance(a, figure_model.Line)]
    assert [b.x for b in boundaries] == [3, 6, 9, 12, 15, 18]  # each epoch's start, dotted
    assert model.panels[0].epoch_length == 3  # a second x axis in epochs
    assert (
        model.panels[0].xlabel == "optimizer update"
        and [list(np.asarray(line.x)) for line in lines] == [list(range(20))] * 2
    )
    (mark,) = [a for a in artists if isinstance(a, figure_model.VLine) and a.linestyle == "--"]
    assert mark.x == 6  # warmup 2 epochs end at update 6
    assert "once every 3 updates" in trace.metadata()["step_convention"]
    assert trace.metadata()["steps_per_epoch"] == 3


def test_a_torch_class_stepped_once_an_epoch_equals_the_hand_loop() -> None:
    trace = run(lrplot.resolve("step_lr", 25, 1.0, {"step_size": 2, "gamma": 0.5}), RunOptions(interval="epoch",
                steps_per_epoch=4))  # fmt: skip
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer_for([1.0]), step_size=2, gamma=0.5)
    assert trace.lr.tolist() == per_epoch_by_hand(scheduler, 25, 4)[0]
    header, columns = lrplot.trace.table({"": trace})
    assert header == ["update", "epoch", "step", "lr"] and len(columns[0]) == 25


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"interval": "epoch"}, "^steps_per_epoch: interval epoch needs it: a whole number >= 1$"),
        ({"interval": "epoch", "steps_per_epoch": 0}, "^steps_per_epoch: interval epoch needs it"),
        ({"steps_per_epoch": 3}, "^steps_per_epoch: only with interval epoch"),
        ({"interval": "epoch", "steps_per_epoch": 3, "record": "after"}, "^record: interval epoch reads each update"),
        ({"interval": "week"}, "^interval: expected one of update, epoch, got 'week'"),
    ],
)
def test_the_interval_is_checked_with_its_epoch_length(kwargs: dict, words: str) -> None:
    with pytest.raises(ParameterError, match=words):
        RunOptions.check(**kwargs)


# Options, formats and errors, each declared once ----------------------------------------------


def test_run_options_are_checked_once_into_literals() -> None:
    assert RunOptions.check("adam", "after", "numpy") == RunOptions("adam", "after", "numpy")
    with pytest.raises(ParameterError, match="^engine: expected one of torch, numpy, got 'jax'"):
        RunOptions.check(engine="jax")


def test_every_registered_format_is_offered_and_works_for_compare(tmp_path: Path) -> None:
    cli = CliRunner()
    for command in (["cosine", "--help"], ["compare", "--help"], ["render", "--help"]):
        shown = " ".join(cli.invoke(app, command).stdout.split())
        assert all(f"{f.name} ({f.help})" in shown for f in FORMATS.values()), command
    args = ["compare", "cosine", "linear:label=figure", "--steps", "5", "--format", "json", "--out", str(tmp_path)]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "compare.json").read_text())
    assert document["figure"] == "compare"  # the metadata, apart from a curve labelled "figure"
    assert list(document["columns"]) == ["step", "cosine", "figure"] and document["columns"]["step"] == [0, 1, 2, 3, 4]
    every = tmp_path / "every"
    result = cli.invoke(app, ["compare", "cosine", "linear", "--steps", "5", "--format", ",".join(FORMATS), "--out",
                              str(every)])  # fmt: skip
    assert result.exit_code == 0, result.output
    files = [name for name, f in FORMATS.items() if not f.screen]
    assert sorted(p.name for p in every.iterdir()) == sorted(f"compare.{name}" for name in files)
    starts = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml", "csv": b"# lrplot: ", "json": b"{", "py": b'"""',
              "txt": b"# lrplot figure text", "html": b"<!DOCTYPE html>"}  # fmt: skip
    for name in files:
        assert (every / f"compare.{name}").read_bytes().startswith(starts[name]), name
    assert "cosine vs linear" in result.stdout and "\u2800" <= result.stdout.split("\n")[1][-1] <= "\u28ff"  # term


def test_errors_name_parameters_as_the_reader_writes_them() -> None:
    error = ParameterError("min_lr", "give exactly one of min_lr and min_lr_rate", mentions=("min_lr", "min_lr_rate"))
    assert str(error) == "min_lr: give exactly one of min_lr and min_lr_rate"
    assert error.message(option_name) == "--min-lr: give exactly one of --min-lr and --min-lr-rate"
    assert error.located("curve 'x'").message(plain).startswith("curve 'x': min_lr: ")


def test_the_regenerate_command_lives_in_the_cli_layer() -> None:
    trace = lrplot.curve("cosine", 5, engine="numpy", optimizer="adam")
    assert "command" not in trace.metadata()
    meta = TraceDocument(trace).metadata()
    assert "command" not in meta
    from lrplot.cli.commandline import CLI_SPELLING

    assert TraceDocument(trace, spelling=CLI_SPELLING).metadata()["command"].endswith("--optimizer adam --engine numpy")


# Imports point one way -------------------------------------------------------------------------


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path, modules: set[str] = frozenset()) -> set[str]:  # type: ignore[assignment]
    """Every module ``path`` imports when it runs (not those under ``if TYPE_CHECKING:``);
    ``from P import x`` counts as ``P.x`` when that is one of ``modules``, else as ``P``."""
    tree = ast.parse(path.read_text())
    skip = {
        id(node)
        for top in ast.walk(tree)
        if isinstance(top, ast.If) and "TYPE_CHECKING" in ast.unparse(top.test)
        for node in ast.walk(top)
    }
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in runtime_imports(path, set(files)) if m in files and m != name} for name, path in files.items()
    }


def test_no_import_cycle_among_lrplot_modules() -> None:
    graph = import_graph()
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            assert state.get(nxt) != "open", "import cycle: " + " -> ".join([*trail, node, nxt])
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        ("torch", {"lrplot.runner"}),
        ("matplotlib", {"lrplot.plot"}),
        ("typer", {"lrplot.cli.app", "lrplot.cli.messages", "lrplot.cli.options"}),
        ("rich", {"lrplot.cli.progress"}),
    ],
)
def test_heavy_packages_are_imported_by_one_layer(package: str, allowed: set[str]) -> None:
    users = {
        module_name(p)
        for p in PACKAGE.rglob("*.py")
        if any(m == package or m.startswith(package + ".") for m in runtime_imports(p))
    }
    assert users == allowed


def test_the_core_never_imports_the_cli() -> None:
    graph = import_graph()
    core = [name for name in graph if not name.startswith("lrplot.cli") and name not in ("lrplot", "lrplot.__main__")]
    for name in core:
        assert not any(m.startswith("lrplot.cli") for m in graph[name]), name


# What the review of the refactor found ---------------------------------------------------------


@pytest.fixture
def with_example(registry: lrplot.Registry, monkeypatch: pytest.MonkeyPatch) -> lrplot.Registry:
    """The example family in the default registry, which the core reads in one place."""
    monkeypatch.setattr(lrplot.schedules, "REGISTRY", registry)
    return registry


def test_a_shadowed_name_runs_its_own_schedule_in_compare(with_example: lrplot.Registry) -> None:
    rendered = api.compare(["example.cosine:training_steps=4", "cosine:training_steps=4"], 5)
    shadowed, bare = rendered.curves.values()
    assert shadowed.schedule.spec.family == "example" and bare.schedule.spec.family == "transformers"
    assert list(rendered.curves) == ["example.cosine", "cosine"]


def test_list_and_nested_values_have_a_text_form_that_reads_back(with_example: lrplot.Registry) -> None:
    from lrplot.cli.commandline import command_line

    then = "(milestones:milestones=5,8,gamma=0.5)"  # a list continues over commas; a child goes in parentheses
    schedule = with_example.resolve("warmup_then", 10, params={"warmup": 3, "then": then})
    child = schedule.values["then"]
    assert isinstance(child, lrplot.Schedule) and child.values == {"milestones": (5, 8), "gamma": 0.5}
    words = shlex.split(command_line(run(schedule)))
    assert words[words.index("--then") + 1] == then
    rebuilt = with_example.resolve("warmup_then", 10, params={"warmup": 3, "then": words[words.index("--then") + 1]})
    assert rebuilt.values["then"].values == child.values
    assert figure_model.describe_params(run(child)) == "milestones 5,8, gamma 0.5"
    nested = configs.parse_curve("warmup_then:warmup=2,then=(milestones:milestones=4,gamma=0.5),label=x")
    assert nested.params == {"warmup": 2, "then": "milestones:milestones=4,gamma=0.5"} and nested.label == "x"
    # A resumed run passes the resolved child back in.
    assert with_example.resolve("warmup_then", 4, params=schedule.values).values["then"] is child


def test_a_childs_warnings_reach_the_user(registry: lrplot.Registry) -> None:
    schedule = registry.resolve("warmup_then", 10, params={"then": "linear:warmup=20"})
    assert schedule.warnings == (
        "then 'linear': warmup (20) >= training steps (10): the schedule never gets past warmup",
    )


def test_run_options_cannot_be_built_wrong_and_engines_stamp_themselves() -> None:
    with pytest.raises(
        ParameterError, match="^optimizer: expected one of sgd, adam, adamw, rmsprop, adagrad, got 'bad'"
    ):
        RunOptions(optimizer="bad")  # type: ignore[arg-type]
    from lrplot import vector

    trace = vector.run(lrplot.resolve("linear", 3), RunOptions())
    assert trace.metadata()["engine"] == "numpy" and trace.engine == "numpy" and trace.optimizer == "none"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"every": 0}, "every: expected"),
        ({"every": -1}, "every: expected"),
        ({"formats": ()}, "format: expected at least one"),
    ],
)
def test_output_options_are_checked_in_the_core(tmp_path: Path, kwargs: dict, words: str) -> None:
    with pytest.raises(ParameterError, match=words):
        lrplot.write_curve(lrplot.curve("constant", 3), tmp_path, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_a_shadowed_name_is_written_out_as_it_reads_back(with_example: lrplot.Registry, tmp_path: Path) -> None:
    from lrplot.cli.commandline import command_line

    schedule = with_example.resolve("warmup_then", 10, params={"then": "example.cosine:training_steps=10"})
    child = schedule.values["then"]
    assert isinstance(child, lrplot.Schedule) and child.name == "example.cosine"
    assert schedule.text() == "warmup_then:warmup=0,then=(example.cosine:training_steps=10)"
    assert schedule.describe()["then"] == {"schedule": "example.cosine", "steps": 10, "lr": [1.0], "training_steps": 10}
    again = with_example.resolve("warmup_then", 10, params={"then": child.text()})
    assert again.values["then"].spec is child.spec  # not transformers' cosine
    trace = run(with_example.resolve("example.cosine", 5))
    (path,) = lrplot.write_curve(trace, tmp_path, formats=("csv",))
    metadata, _, _ = lrplot.read_csv(path)
    assert path.name == "example.cosine.csv" and metadata["params"]["schedule"] == "example.cosine"
    assert command_line(trace).startswith("lrplot example.cosine --steps 5")
    assert lrplot.resolve("cosine", 5).name == "cosine"  # an unshadowed name stays bare


def test_defaults_are_checked_where_they_are_declared() -> None:
    milestones = Param("milestones", "ints", "10,20", "")
    then = Param("then", "schedule", "linear:warmup=2", "")
    assert milestones.default == (10, 20) and milestones.default_text == "10,20"
    assert then.default == ScheduleRequest("linear", {"warmup": 2}) and then.default_text == "(linear:warmup=2)"
    spec = example_family.SPECS[1]
    with_default = spec.__class__(**{**vars(spec), "name": "warmup_then_linear", "params": (spec.params[0], then)})
    registry = builtin_registry()
    registry.register(with_default)
    child = registry.resolve("warmup_then_linear", 6).values["then"]
    assert isinstance(child, lrplot.Schedule) and child.name == "linear" and child.values["warmup"] == 2
    with pytest.raises(ValueError, match="the default of parameter 'gamma' is not valid: expected a finite number > 0"):
        Param("gamma", "float", -1.0, "", low=0, low_open=True)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("cosine:label=a,oops", "expected key=value, got 'oops'"),
        ("cosine:warmup=2,num_cycles", "expected key=value, got 'num_cycles'"),
    ],
)
def test_only_numbers_continue_a_list(text: str, words: str) -> None:
    with pytest.raises(lrplot.LrplotError, match=words):
        configs.parse_curve(text)
    assert parse_request("milestones:milestones=5,8,gamma=0.5").params == {"milestones": "5,8", "gamma": 0.5}
