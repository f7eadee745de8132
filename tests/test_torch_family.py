"""torch's own schedulers beyond the single formulas: compositions, momentum, plateau,
per-epoch stepping and resume, each against the real torch objects, and their bad input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import torch
from torch.optim import lr_scheduler
from typer.testing import CliRunner

import lrplot
from lrplot import figure_model, runner
from lrplot.cli.app import app
from lrplot.errors import ParameterError
from lrplot.metrics import read_metrics
from lrplot.options import RunOptions

from .helpers import METRICS
from .oracles import optimizer_for, read_metric, record_values

cli = CliRunner()


def invoke(*args: str):
    return cli.invoke(app, list(args))


def quiet(make):  # noqa: ANN001, ANN201
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make()


# Compositions -------------------------------------------------------------------------


def test_sequential_lr_equals_torchs_over_the_real_children() -> None:
    opt = optimizer_for([1.0, 0.1])
    expected = quiet(
        lambda: lr_scheduler.SequentialLR(
            opt,
            [lr_scheduler.LinearLR(opt, 0.01, total_iters=20), lr_scheduler.CosineAnnealingLR(opt, T_max=80)],
            milestones=[20],
        )
    )
    expected_values = record_values(expected, 2, 120, "before")
    params = {"schedulers": "(linear_lr:start_factor=0.01,total_iters=20),(cosine_annealing_lr:training_steps=80)"}
    trace = runner.run(lrplot.resolve("sequential_lr", 120, [1.0, 0.1], {**params, "milestones": 20}))
    assert trace.lrs.tolist() == expected_values  # exactly: the same objects, stepped the same way


def test_a_transformers_schedule_can_be_a_child() -> None:
    # cosine runs as LambdaLR, which SequentialLR restarts at its milestone.
    from transformers import get_cosine_schedule_with_warmup

    opt = optimizer_for([1.0])
    real = quiet(
        lambda: lr_scheduler.SequentialLR(
            opt,
            [lr_scheduler.ConstantLR(opt, 0.5, total_iters=10), get_cosine_schedule_with_warmup(opt, 5, 50)],
            milestones=[10],
        )
    )
    params = {"schedulers": "(constant_lr:factor=0.5,total_iters=10),(cosine:warmup=5,training_steps=50)"}
    trace = runner.run(lrplot.resolve("sequential_lr", 70, 1.0, {**params, "milestones": 10}))
    assert trace.lr.tolist() == record_values(real, 1, 70, "before")[0]


def test_chained_scheduler_counts_its_own_steps() -> None:
    # ChainedScheduler keeps no last_epoch: the CSV's step still counts 0..N-1 (or 1..N after).
    params = {"schedulers": "(constant_lr:factor=0.5,total_iters=4),(exponential_lr:gamma=0.5)"}
    before = runner.run(lrplot.resolve("chained_scheduler", 6, 1.0, params))
    after = runner.run(lrplot.resolve("chained_scheduler", 5, 1.0, params), RunOptions(record="after"))
    assert before.steps.tolist() == [0, 1, 2, 3, 4, 5] and after.steps.tolist() == [1, 2, 3, 4, 5]
    # By hand: 0.5 for steps 0-3, times 0.5 ** s; at step 4 the constant factor lifts.
    assert before.lr.tolist() == [0.5, 0.25, 0.125, 0.0625, 0.0625, 0.03125]
    assert after.lr.tolist() == before.lr.tolist()[1:]


def test_compositions_work_as_compare_curves_and_in_figure_sets(tmp_path: Path) -> None:
    seq = (
        "sequential_lr:schedulers=(linear_lr:start_factor=0.1,total_iters=10),(exponential_lr:gamma=0.9),milestones=10"
    )
    result = invoke("compare", seq, "step_lr:step_size=5", "--steps", "30", "--format", "csv", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    _, header, columns = lrplot.read_csv(tmp_path / "compare.csv")
    direct = runner.run(lrplot.resolve("sequential_lr", 30, 1.0, lrplot.configs.parse_curve(seq).params))
    assert columns[1] == direct.lr.tolist()
    (tmp_path / "set.toml").write_text(
        'out = "figs"\n[[figure]]\nname = "seq"\nsteps = 30\n'
        'curve = [{ schedule = "sequential_lr", milestones = [10], schedulers = [\n'
        '  { schedule = "linear_lr", start_factor = 0.1, total_iters = 10 },\n  "exponential_lr:gamma=0.9" ] }]\n'
    )
    assert invoke("render", str(tmp_path / "set.toml")).exit_code == 0
    _, _, rendered = lrplot.read_csv(tmp_path / "figs" / "seq.csv")
    assert rendered[1] == direct.lr.tolist()


def test_a_compositions_command_regenerates_it(tmp_path: Path) -> None:
    args = ["sequential_lr", "chained_scheduler:schedulers=((constant_lr),(exponential_lr:gamma=0.8))",
            "cosine_annealing_lr:training_steps=20", "--milestones", "7", "--steps", "25"]  # fmt: skip
    assert invoke(*args, "--format", "csv", "--out", str(tmp_path / "a")).exit_code == 0
    meta, *_ = lrplot.read_csv(tmp_path / "a" / "sequential_lr.csv")
    import shlex

    words = shlex.split(meta["command"])
    assert words[:2] == ["lrplot", "sequential_lr"] and not words[2].startswith("--")  # the children come first
    assert invoke(*words[1:], "--format", "csv", "--out", str(tmp_path / "b")).exit_code == 0
    assert (tmp_path / "b" / "sequential_lr.csv").read_bytes() == (tmp_path / "a" / "sequential_lr.csv").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["linear_lr", "cosine_annealing_lr", "step_lr", "--milestones", "20,10"], "--milestones: expected increasing"),
        (["linear_lr", "cosine_annealing_lr", "--milestones", "10,20"], "--milestones: expected one for each child"),
        (["linear_lr", "cosine_annealing_lr", "--milestones", "0"], "--milestones: expected a comma-separated list"),
        (["linear_lr", "cosine_annealing_lr"], "--milestones: sequential_lr needs it"),
        (["--milestones", "5"], "SPEC: sequential_lr needs it"),
        (["linear_lr:(", "step_lr", "--milestones", "5"], "unbalanced parentheses"),
        (["linear_lr:foo=1", "step_lr", "--milestones", "5"], "schedulers 1 'linear_lr': --foo: linear_lr takes no"),
        (["linear_lr", "cosin", "--milestones", "5"], "schedulers 2 'cosin': unknown schedule 'cosin'"),
        (["linear_lr", "reduce_lr_on_plateau", "--milestones", "5"], "SPEC: child 2 (reduce_lr_on_plateau) cannot"),
        (["step_lr", "chained_scheduler:schedulers=(step_lr)", "--milestones", "5"], "composition only as its first"),
        (["linear_lr", "step_lr", "--milestones", "5", "--engine", "numpy"], "stepped by torch only"),
        (
            ["linear_lr", "step_lr", "--milestones", "5", "--interval", "epoch"],
            "--steps-per-epoch: --interval epoch needs it",
        ),
    ],
)
def test_bad_compositions_get_one_line_and_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke("sequential_lr", *args, "--steps", "30", "--out", str(tmp_path))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_milestone_past_the_recorded_steps_warns() -> None:
    schedule = lrplot.resolve("sequential_lr", 10, 1.0, {"schedulers": "linear_lr,step_lr", "milestones": 40})
    assert any("milestone 40 is not before step 10" in w for w in schedule.warnings)


# Momentum ------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop"])
def test_momentum_is_the_real_optimizers_at_every_step(optimizer: str) -> None:
    lrs = [1.0, 0.5]
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    factory = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
               "rmsprop": torch.optim.RMSprop}[optimizer]  # fmt: skip
    opt = factory([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)], lr=1.0)
    real = quiet(lambda: lr_scheduler.OneCycleLR(opt, max_lr=lrs, total_steps=40, base_momentum=[0.8, 0.7]))
    expected = record_values(real, 2, 40, "before", momentum_of=opt)
    schedule = lrplot.resolve("one_cycle_lr", 40, lrs, {"training_steps": 40, "base_momentum": "0.8,0.7"})
    trace = runner.run(schedule, RunOptions(optimizer=optimizer))  # type: ignore[arg-type]
    assert [k for k in trace.tracks] == [("lr", 0), ("lr", 1), ("momentum", 0), ("momentum", 1)]
    assert [trace.track("momentum", g).tolist() for g in (0, 1)] == expected[2:]


def test_momentum_is_one_column_when_the_groups_agree_and_has_its_own_panel(tmp_path: Path) -> None:
    result = invoke("cyclic_lr", "--max-lr", "2", "--step-size-up", "5", "--lr", "1", "--lr", "0.5", "--steps", "30",
                    "--format", "csv,json", "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.output
    _, header, columns = lrplot.read_csv(tmp_path / "cyclic_lr.csv")
    assert header == ["step", "lr", "lr_group1", "momentum"]
    assert columns[3][:3] == pytest.approx([0.9, 0.88, 0.86], rel=1e-15) and min(columns[3]) == pytest.approx(0.8)
    assert json.loads((tmp_path / "cyclic_lr.json").read_text())["momentum"] == columns[3]
    trace = runner.run(lrplot.resolve("cyclic_lr", 30, 1.0, {"max_lr": 2.0, "step_size_up": 5}))
    model = figure_model.single(trace)
    assert [p.ylabel for p in model.panels] == ["learning rate", "momentum"]
    off = runner.run(lrplot.resolve("cyclic_lr", 30, 1.0, {"max_lr": 2.0, "cycle_momentum": False}))
    assert list(off.tracks) == [("lr", 0)]  # no momentum cycled, none recorded


def test_an_optimizer_without_momentum_is_named(tmp_path: Path) -> None:
    result = invoke("one_cycle_lr", "--optimizer", "adagrad", "--steps", "10", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: --optimizer: adagrad has no momentum (nor betas) for one_cycle_lr to cycle: use sgd, adam, adamw, "
        "rmsprop, or turn --cycle-momentum off"
    )
    assert list(tmp_path.iterdir()) == []
    ok = invoke(
        "one_cycle_lr", "--optimizer", "adagrad", "--no-cycle-momentum", "--steps", "10", "--out", str(tmp_path)
    )
    assert ok.exit_code == 0, ok.output


def test_per_group_values_must_match_the_groups() -> None:
    with pytest.raises(ParameterError, match=r"^max_lr: expected one value, or one per param group \(2\), got 3"):
        lrplot.resolve("cyclic_lr", 10, [1.0, 0.5], {"max_lr": "1,2,3"})
    with pytest.raises(ParameterError, match="^training_steps: give it or epochs and epoch_steps, not both"):
        lrplot.resolve("one_cycle_lr", 10, 1.0, {"training_steps": 11, "epochs": 2, "epoch_steps": 5})
    with pytest.raises(ParameterError, match="^epochs: needs epoch_steps too"):
        lrplot.resolve("one_cycle_lr", 10, 1.0, {"epochs": 2})


# Plateau ----------------------------------------------------------------------------------


def test_plateau_equals_torchs_fed_the_same_metrics() -> None:
    metrics = read_metric(str(METRICS), "val_loss")
    for record in ("before", "after"):
        opt = optimizer_for([1.0])
        real = lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5, cooldown=1)
        expected = record_values(real, 1, 30, record, metrics=metrics)[0]
        schedule = lrplot.resolve(
            "reduce_lr_on_plateau", 30, 1.0,
            {"metrics": str(METRICS), "metric_column": "val_loss", "patience": 1, "factor": 0.5, "cooldown": 1},
        )  # fmt: skip
        trace = runner.run(schedule, RunOptions(record=record))
        assert trace.lr.tolist() == expected
        assert trace.track("metric").tolist() == metrics  # row i shows the metric fed at the step next to it
    assert min(expected) < 1.0  # the plateau is reached: the lr does drop


def test_plateau_stepped_once_an_epoch_equals_the_hand_loop() -> None:
    metrics = read_metric(str(METRICS), "val_loss")
    opt = optimizer_for([1.0])
    real = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    expected = []
    for update in range(50):  # 10 epochs of 5 updates; the scheduler steps at each epoch's end
        expected.append(real.get_last_lr()[0])
        if (update + 1) % 5 == 0:
            real.step(metrics[update // 5])
    params = {"metrics": str(METRICS), "metric_column": "val_loss", "patience": 0}
    trace = runner.run(lrplot.resolve("reduce_lr_on_plateau", 50, 1.0, params), RunOptions(interval="epoch",
                       steps_per_epoch=5))  # fmt: skip
    assert trace.lr.tolist() == expected
    assert trace.track("metric").tolist() == [metrics[u // 5] for u in range(50)]


def test_metrics_files_read_as_text_or_csv(tmp_path: Path) -> None:
    text = tmp_path / "loss.txt"
    text.write_text("# a comment\n1.5\n\n1.25\r\n1e-1\n")
    assert read_metrics(str(text)) == (1.5, 1.25, 0.1)
    quoted = tmp_path / "log.csv"
    quoted.write_bytes(b'\xef\xbb\xbf"step","val loss"\n0,"2.0"\n1,1.0\n')
    assert read_metrics(str(quoted), "val loss") == (2.0, 1.0)


@pytest.mark.parametrize(
    ("content", "column", "message"),
    [
        ("1\nabc\n", None, "loss: line 2: 'abc' is not a number"),
        ("1\nnan\n", None, "line 2: nan is not a finite number"),
        ("1\ninf\n", None, "line 2: inf is not a finite number"),
        ("", None, "holds no values"),
        ("a\n", None, "holds a header and no values"),
        ("a,b\n1,2\n", None, "has columns a, b: choose one with --metric-column"),
        ("a,b\n1,2\n", "c", "has no column 'c' (columns: a, b)"),
        ("a,b\n1,2\n3\n", "b", "line 3: has 1 cells, no column 2"),
        ("1,2\n", None, "line 1: 2 values and no header"),
        ("1\n2\n", "a", "has no header row naming its columns, so no column 'a'"),
        ("1\n2\n", None, "holds 2 values; 5 are needed, one for each recorded scheduler step"),
        (b"\xff\xfe1\n", None, "not UTF-8 text (byte 1 is not)"),
    ],
)
def test_bad_metrics_name_the_file_and_line(
    tmp_path: Path, content: str | bytes, column: str | None, message: str
) -> None:
    path = tmp_path / "loss"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    args = ["reduce_lr_on_plateau", "--metrics", str(path), "--steps", "5", "--out", str(tmp_path / "out")]
    result = invoke(*args, *(["--metric-column", column] if column else []))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: --metrics: {path}") and message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1 and not (tmp_path / "out").exists()


def test_a_metrics_path_in_a_figure_set_is_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "loss.txt").write_text("\n".join(map(str, [3, 2, 2, 2, 2, 2, 1])) + "\n")
    (tmp_path / "sets" / "p.toml").write_text(
        'out = "f"\n[[figure]]\nname = "p"\nsteps = 7\n'
        'curve = [{ schedule = "reduce_lr_on_plateau", metrics = "loss.txt", patience = 1 }]\n'
    )
    result = invoke("render", str(tmp_path / "sets" / "p.toml"))
    assert result.exit_code == 0, result.output
    meta, header, columns = lrplot.read_csv(tmp_path / "sets" / "f" / "p.csv")
    assert header == ["step", "reduce_lr_on_plateau", "reduce_lr_on_plateau:metric"]
    # Row k is read after the step fed value k - 1: at steps 3 and 4 the 2 does not improve (patience 1),
    # so the lr drops at step 4, and again at step 6.
    assert columns[1] == [1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1 * 0.1]
    assert meta["curves"]["reduce_lr_on_plateau"]["params"]["metrics"] == "loss.txt"  # as written


def test_compositions_and_plateau_do_not_resume() -> None:
    plateau = lrplot.resolve("reduce_lr_on_plateau", 5, 1.0, {"metrics": str(METRICS), "metric_column": "val_loss"})
    chained = lrplot.resolve("chained_scheduler", 5, 1.0, {"schedulers": "step_lr"})
    for schedule in (plateau, chained):
        with pytest.raises(ParameterError, match="^resume_steps: .* cannot resume here: "):
            runner.run(schedule, last_epoch=5)


# Resume ------------------------------------------------------------------------------------

RESUMABLE = {
    "step_lr": (lambda o, e: lr_scheduler.StepLR(o, 3, 0.5, last_epoch=e), {"step_size": 3, "gamma": 0.5}),
    "constant_lr": (
        lambda o, e: lr_scheduler.ConstantLR(o, 0.25, total_iters=12, last_epoch=e),
        {"factor": 0.25, "total_iters": 12},
    ),
    "multiplicative_lr": (lambda o, e: lr_scheduler.MultiplicativeLR(o, lambda s: 0.9, last_epoch=e), {"factor": 0.9}),
    "cyclic_lr": (
        lambda o, e: lr_scheduler.CyclicLR(o, [1.0, 0.5], [2.0, 2.0], step_size_up=4, last_epoch=e),
        {"max_lr": 2.0, "step_size_up": 4},
    ),
    "one_cycle_lr": (
        lambda o, e: lr_scheduler.OneCycleLR(o, [1.0, 0.5], total_steps=30, three_phase=True, last_epoch=e),
        {"training_steps": 30, "three_phase": True},
    ),
    "cosine_annealing_lr": (lambda o, e: lr_scheduler.CosineAnnealingLR(o, 20, last_epoch=e), {"training_steps": 20}),
    "exponential_lr": (lambda o, e: lr_scheduler.ExponentialLR(o, 0.8, last_epoch=e), {"gamma": 0.8}),
}


@pytest.mark.parametrize("name", list(RESUMABLE))
def test_a_resume_equals_torchs_from_a_checkpoint(name: str) -> None:
    """The oracle: run 10 steps, save the optimizer's state, load it into a new one, and
    build the scheduler with last_epoch=10, as a training script resumes."""
    make, params = RESUMABLE[name]
    lrs = [1.0, 0.5]
    weights = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    first = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(weights, lrs, strict=True)], lr=1.0)
    scheduler = quiet(lambda: make(first, -1))
    quiet(lambda: [scheduler.step() for _ in range(10)])
    again = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(weights, lrs, strict=True)], lr=1.0)
    again.load_state_dict(first.state_dict())
    resumed = quiet(lambda: make(again, 10))
    expected = record_values(resumed, 2, 8, "before")
    trace = runner.run(lrplot.resolve(name, 8, lrs, params), last_epoch=10)
    assert trace.steps.tolist() == list(range(11, 19))
    assert trace.lrs.tolist() == expected


# Per-epoch stepping ---------------------------------------------------------------------


def test_a_composition_stepped_once_an_epoch_equals_the_hand_loop() -> None:
    opt = optimizer_for([1.0])
    real = quiet(
        lambda: lr_scheduler.SequentialLR(
            opt, [lr_scheduler.LinearLR(opt, 0.25, total_iters=3), lr_scheduler.StepLR(opt, 2, 0.5)], milestones=[3]
        )
    )
    expected = []
    for update in range(40):
        expected.append(real.get_last_lr()[0])
        if (update + 1) % 4 == 0:
            quiet(real.step)
    params = {
        "schedulers": "(linear_lr:start_factor=0.25,total_iters=3),(step_lr:step_size=2,gamma=0.5)",
        "milestones": 3,
    }
    trace = runner.run(
        lrplot.resolve("sequential_lr", 40, 1.0, params), RunOptions(interval="epoch", steps_per_epoch=4)
    )
    assert trace.lr.tolist() == expected and trace.axes["epoch"].tolist() == [u // 4 for u in range(40)]


# Found in review ---------------------------------------------------------------------------


def test_one_cycle_by_epochs_regenerates_from_its_command(tmp_path: Path) -> None:
    import shlex

    args = ["one_cycle_lr", "--epochs", "6", "--epoch-steps", "10", "--steps", "60", "--format", "csv"]
    assert invoke(*args, "--out", str(tmp_path / "a")).exit_code == 0
    meta, *_ = lrplot.read_csv(tmp_path / "a" / "one_cycle_lr.csv")
    result = invoke(*shlex.split(meta["command"])[1:], "--format", "csv", "--out", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output  # its training_steps (60) agrees with epochs * epoch_steps
    assert (tmp_path / "b" / "one_cycle_lr.csv").read_bytes() == (tmp_path / "a" / "one_cycle_lr.csv").read_bytes()
    disagree = invoke(*args, "--training-steps", "50", "--out", str(tmp_path / "c"))
    assert disagree.exit_code == 2 and "--training-steps: give it or --epochs and --epoch-steps" in disagree.stderr


def test_one_cycle_is_refused_only_where_torch_refuses_it(tmp_path: Path) -> None:
    # Stepped once an epoch of 3 updates, 60 updates take 20 scheduler readings: within total_steps 20.
    per_epoch = RunOptions(interval="epoch", steps_per_epoch=3)
    trace = runner.run(lrplot.resolve("one_cycle_lr", 60, 1.0, {"training_steps": 20}), per_epoch)
    assert trace.steps[-1] == 19
    # In a composition only its segment counts: 30 steps, then constant_lr takes over.
    params = {"schedulers": "(one_cycle_lr:training_steps=30),constant_lr", "milestones": 30}
    assert len(runner.run(lrplot.resolve("sequential_lr", 60, 1.0, params)).lr) == 60
    result = invoke("one_cycle_lr", "--training-steps", "20", "--steps", "60", "--out", str(tmp_path))
    assert result.exit_code == 2 and list(tmp_path.iterdir()) == []
    assert result.stderr.startswith("Error: --training-steps: one_cycle_lr cannot step past its total_steps (torch: ")


def test_a_one_cycle_child_peaks_at_the_lr_given() -> None:
    # Its max_lr is --lr, not the lr the child before it left in the param group.
    opt = optimizer_for([0.5])
    real = quiet(
        lambda: lr_scheduler.SequentialLR(
            opt,
            [lr_scheduler.LinearLR(opt, 0.1, total_iters=3), lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=21)],
            milestones=[3],
        )
    )
    params = {
        "schedulers": "(linear_lr:start_factor=0.1,total_iters=3),(one_cycle_lr:training_steps=21)",
        "milestones": 3,
    }
    trace = runner.run(lrplot.resolve("sequential_lr", 24, 0.5, params))
    assert trace.lr.tolist() == record_values(real, 1, 24, "before", momentum_of=None)[0]
    assert 0.45 < max(trace.lr) <= 0.5  # near the peak at step 3 + 0.3 * 21 - 1


def test_a_sequential_childs_horizon_defaults_to_its_segment() -> None:
    schedule = lrplot.resolve(
        "sequential_lr", 1000, 1.0, {"schedulers": "linear_lr,cosine_annealing_lr", "milestones": 100}
    )
    children = schedule.values["schedulers"]
    assert [child.values.get("training_steps") for child in children] == [None, 900]  # type: ignore[attr-defined]
    assert runner.run(schedule).lr[-1] == pytest.approx(0.0, abs=1e-5)  # the cosine ends with the run


def test_composition_labels_name_the_children(tmp_path: Path) -> None:
    (tmp_path / "set.toml").write_text(
        'out = "f"\n[[figure]]\nname = "two"\nsteps = 20\ncurve = [\n'
        '  { schedule = "sequential_lr", milestones = [5], schedulers = [{ schedule = "linear_lr" }, "step_lr"] },\n'
        '  { schedule = "step_lr" },\n]\n'
    )
    assert invoke("render", str(tmp_path / "set.toml")).exit_code == 0
    _, header, _ = lrplot.read_csv(tmp_path / "f" / "two.csv")
    assert header == ["step", "sequential_lr (milestones=[5], schedulers=linear_lr+step_lr)", "step_lr"]


def test_a_figure_sets_metrics_path_reads_back_from_the_working_folder(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import shlex

    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "loss.txt").write_text("3\n2\n2\n2\n")
    (tmp_path / "sets" / "p.toml").write_text(
        'out = "f"\n[[figure]]\nname = "p"\nsteps = 4\n'
        'curve = [{ schedule = "reduce_lr_on_plateau", metrics = "loss.txt", patience = 1 }]\n'
    )
    monkeypatch.chdir(tmp_path)
    assert invoke("render", "sets/p.toml").exit_code == 0
    meta, _, columns = lrplot.read_csv(tmp_path / "sets" / "f" / "p.csv")
    command = shlex.split(meta["curves"]["reduce_lr_on_plateau"]["command"])
    assert command[command.index("--metrics") + 1] == "sets/loss.txt"  # from where render ran
    assert invoke(*command[1:], "--format", "csv", "--out", "again").exit_code == 0
    _, _, again = lrplot.read_csv(tmp_path / "again" / "reduce_lr_on_plateau.csv")
    assert again[1:] == columns[1:]


@pytest.mark.parametrize(
    ("content", "column", "message"),
    [
        ("0.9x\n0.8\n0.7\n", None, "line 1: '0.9x' is not a number"),  # a typo, not a header
        ("loss,loss\n1,2\n", "loss", "has two columns named 'loss'"),
    ],
)
def test_metrics_files_are_not_guessed(tmp_path: Path, content: str, column: str | None, message: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(content)
    with pytest.raises(ParameterError, match=message):
        read_metrics(str(path), column)


@pytest.mark.parametrize("value", ["1", "0", '"yes"', '"no"'])
def test_a_switch_in_a_figure_set_is_true_or_false(tmp_path: Path, value: str) -> None:
    (tmp_path / "set.toml").write_text(
        f'[[figure]]\nname = "x"\nsteps = 5\ncurve = [{{ schedule = "one_cycle_lr", three_phase = {value} }}]\n'
    )
    result = invoke("render", str(tmp_path / "set.toml"))
    assert result.exit_code == 2 and "key 'three_phase': expected true or false" in result.stderr, result.stderr


def test_stepped_once_an_epoch_the_default_horizon_counts_epochs() -> None:
    # 1000 updates of 100 an epoch: the scheduler reads 10 epochs, so T_max defaults to 10, not 1000.
    trace = lrplot.curve("cosine_annealing_lr", 1000, interval="epoch", steps_per_epoch=100)
    assert trace.schedule.values["training_steps"] == 10
    real = lr_scheduler.CosineAnnealingLR(optimizer_for([1.0]), T_max=10)
    assert trace.lr[::100].tolist() == record_values(real, 1, 10, "before")[0]
    fraction = lrplot.resolve("cosine", 1000, 1.0, {"warmup": 0.1}, updates_per_step=100)
    assert fraction.values["warmup"] == 1  # a warmup fraction, of the 10 epochs


def test_compositions_nest_at_most_ten_deep_and_metrics_stay_in_range(tmp_path: Path) -> None:
    def nested(depth: int) -> str:
        return "chained_scheduler:schedulers=(" * depth + "constant_lr" + ")" * depth

    assert (
        invoke("chained_scheduler", nested(9), "--steps", "3", "--format", "csv", "--out", str(tmp_path)).exit_code == 0
    )
    for depth in (10, 300):
        result = invoke("chained_scheduler", nested(depth), "--steps", "3", "--out", str(tmp_path / "deep"))
        assert result.exit_code == 2 and "schedules nested more than 10 deep" in result.stderr
    (tmp_path / "m.txt").write_text("1e308\n-1e308\n")
    with pytest.raises(ParameterError, match=r"line 1: 1e308 is beyond the largest value lrplot takes \(1e15\)"):
        read_metrics(str(tmp_path / "m.txt"))
    (tmp_path / "cr.txt").write_bytes(b"1\r2\r3\r")  # old Mac line ends
    assert read_metrics(str(tmp_path / "cr.txt")) == (1.0, 2.0, 3.0)


# Found in the second review ------------------------------------------------------------------


def test_one_child_with_several_parameters_in_a_compare_curve() -> None:
    from lrplot.configs import parse_curve

    curve = parse_curve("chained_scheduler:schedulers=(constant_lr:factor=0.5,total_iters=10)")
    schedule = lrplot.resolve("chained_scheduler", 20, 1.0, curve.params)
    (child,) = schedule.values["schedulers"]  # type: ignore[misc]
    assert child.values["factor"] == 0.5 and child.values["total_iters"] == 10


def test_milestones_no_recorded_step_reaches_warn() -> None:
    # With --record before, 100 steps read last_epoch 0..99: milestone 100 never shows.
    seq = lrplot.resolve("sequential_lr", 100, 1.0, {"schedulers": "constant_lr,exponential_lr", "milestones": 100})
    assert any("milestone 100 is not before step 100" in w for w in seq.warnings)
    assert not lrplot.resolve(
        "sequential_lr", 101, 1.0, {"schedulers": "constant_lr,step_lr", "milestones": 100}
    ).warnings
    multi = lrplot.resolve("multi_step_lr", 100, 1.0, {"milestones": "50,200"})
    assert multi.warnings == (
        "milestone 200 is not before step 100: the drop there is not in the recorded steps; raise steps",
    )


def test_a_childs_errors_do_not_name_options_the_command_lacks(tmp_path: Path) -> None:
    result = invoke("chained_scheduler", "one_cycle_lr:training_steps=50", "exponential_lr", "--steps", "100",
                    "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 2 and result.stderr.startswith("Error: chained_scheduler: one_cycle_lr cannot step past")
    assert "raise the child's training_steps" in result.stderr and "--training-steps" not in result.stderr
    momentum = invoke("chained_scheduler", "cyclic_lr:max_lr=1", "--optimizer", "adagrad", "--out", str(tmp_path))
    assert momentum.exit_code == 2 and "turn cycle_momentum off in the child" in momentum.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_comment_with_a_quote_hides_no_values(tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text('# val loss,"per epoch\n1.0\n0.9\n0.8\n# from run 2"\n0.7\n0.6\n')
    assert read_metrics(str(path)) == (1.0, 0.9, 0.8, 0.7, 0.6)


def test_lightnings_step_interval_is_the_default_and_a_resume_is_per_update(tmp_path: Path) -> None:
    assert RunOptions.check(interval="step").interval == "update"
    (tmp_path / "set.toml").write_text(
        '[[figure]]\nname = "r"\nsteps = 100\ninterval = "epoch"\nsteps_per_epoch = 10\n'
        'curve = [{ schedule = "step_lr", step_size = 2, resume_steps = 50 }]\n'
    )
    result = invoke("render", str(tmp_path / "set.toml"))
    assert (
        result.exit_code == 2
        and "key 'resume_steps': a resumed curve steps its scheduler every update" in result.stderr
    )
