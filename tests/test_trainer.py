"""lrplot trainer: the lr of every update of a real transformers.Trainer run, and what feeds it."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrplot
from lrplot.cli.app import app
from lrplot.errors import UsageError
from lrplot.hf_args import TRAINING_ARGUMENTS_FIELDS
from lrplot.trainer import METRIC_TYPES, batches_per_process, kwargs_of
from lrplot.trainer_fields import FIELDS, SCHEDULER_TYPES
from lrplot.trainer_run import first_mismatch, read_logged, trainer_curve
from lrplot.writers import read_csv

from .trainer_oracle import real_trainer, shard_lengths

runner = CliRunner()
BASE = {"learning_rate": 1e-3, "per_device_train_batch_size": 4, "logging_steps": 2}

# (fields, dataset size): epochs and max_steps, accumulation 1 and 3, a size the batch does not
# divide, drop_last on and off, warmup as a count and as a ratio, fractional epochs.
SHAPES = [
    ({"num_train_epochs": 2, "warmup_steps": 3}, 37),
    ({"num_train_epochs": 2.5, "gradient_accumulation_steps": 3, "warmup_steps": 0.2}, 37),
    ({"num_train_epochs": 1.3, "gradient_accumulation_steps": 3, "dataloader_drop_last": True, "warmup_steps": 2}, 37),
    ({"max_steps": 11, "gradient_accumulation_steps": 3, "warmup_steps": 0.25, "logging_first_step": True}, 23),
    ({"max_steps": 7, "dataloader_drop_last": True, "logging_strategy": "epoch"}, 10),
    ({"num_train_epochs": 3, "logging_strategy": "epoch", "logging_steps": 0.3, "warmup_steps": 4}, 16),
]
# Every non-metric type, without and with lr_scheduler_kwargs (None: the type needs them).
KWARGS: dict[str, list[dict[str, object] | None]] = {
    "linear": [{}],
    "cosine": [{}, {"num_cycles": 1.5}],
    "cosine_with_restarts": [{}, {"num_cycles": 3}],
    "polynomial": [{}, {"lr_end": 1e-5, "power": 2.0}],
    "constant": [{}, {"num_cycles": 2}],  # Trainer drops them
    "constant_with_warmup": [{}],
    "inverse_sqrt": [{}, {"timescale": 5}],
    "cosine_with_min_lr": [None, {"min_lr": 1e-5}, {"min_lr_rate": 0.1, "num_cycles": 1}],
    "cosine_warmup_with_min_lr": [None, {"min_lr_rate": 0.1}, {"min_lr": 1e-4, "warmup_lr_rate": 0.2}],
    "warmup_stable_decay": [None, {"num_decay_steps": 4}, {"num_decay_steps": 3, "num_stable_steps": 2,
                            "warmup_type": "cosine", "decay_type": "1-sqrt", "min_lr_ratio": 0.1}],
}  # fmt: skip
GRID = [
    (f"{name}-{i}-{j}", {**BASE, **shape, "lr_scheduler_type": name, **({"lr_scheduler_kwargs": kw} if kw else {})}, n)
    for name, variants in KWARGS.items()
    for j, kw in enumerate(variants)
    if kw is not None
    for i, (shape, n) in enumerate(SHAPES)
    if i % 3 == j % 3 or name == "linear"  # each variant over two shapes, linear over all: the grid stays small
]


def assert_same_run(fields: dict[str, object], real_size: int, tmp_path: Path, **ours: object) -> None:
    """lrplot's curve (with ``ours``, default: the real run's data size) is the real Trainer's, value for value."""
    real = real_trainer(fields, real_size, tmp_path / "run")
    curve = trainer_curve(fields, **{"dataset_size": real_size, **ours})  # type: ignore[arg-type]
    assert curve.plan.total == real.max_steps == len(real.lrs)
    assert curve.trace.lr.tolist() == real.lrs  # value for value
    assert curve.trace.axes["epoch"].tolist() == real.epochs
    assert curve.trace.axes["step"].tolist() == real.last_epochs
    assert curve.trace.axes["update"].tolist() == list(range(1, real.max_steps + 1))
    assert curve.plan.logged_updates() == sorted(real.logged)
    assert first_mismatch(curve, read_logged(real.state_file)) is None


@pytest.mark.parametrize(("fields", "dataset_size"), [g[1:] for g in GRID], ids=[g[0] for g in GRID])
def test_every_update_has_the_real_trainers_lr_epoch_and_log(
    fields: dict[str, object], dataset_size: int, tmp_path: Path
) -> None:
    assert_same_run(fields, dataset_size, tmp_path)


def test_the_grid_covers_every_non_metric_type() -> None:
    assert set(KWARGS) == set(SCHEDULER_TYPES) - set(METRIC_TYPES)
    assert len(GRID) >= 25


@pytest.mark.parametrize("name", [name for name, variants in KWARGS.items() if None in variants])
def test_a_type_that_needs_kwargs_fails_without_them_as_trainer_does(name: str, tmp_path: Path) -> None:
    fields = {**BASE, "max_steps": 5, "lr_scheduler_type": name}
    with pytest.raises((ValueError, TypeError)):
        real_trainer(fields, 8, tmp_path)
    with pytest.raises(UsageError):
        trainer_curve(fields)


def test_kwargs_are_what_each_transformers_function_takes() -> None:
    import inspect

    from transformers.optimization import TYPE_TO_SCHEDULER_FUNCTION, SchedulerType

    for name in set(SCHEDULER_TYPES) - set(METRIC_TYPES) - {"constant", "constant_with_warmup"}:
        function = TYPE_TO_SCHEDULER_FUNCTION[SchedulerType(name)]
        takes = set(inspect.signature(function).parameters) - {
            "optimizer", "num_warmup_steps", "num_training_steps", "last_epoch",
        }  # fmt: skip
        assert set(kwargs_of(name)) == takes, name


def test_the_field_list_is_the_pinned_training_arguments() -> None:
    import dataclasses

    from transformers import TrainingArguments, __version__

    assert __version__ == lrplot.trainer.TRANSFORMERS_VERSION
    assert {f.name for f in dataclasses.fields(TrainingArguments)} == TRAINING_ARGUMENTS_FIELDS
    assert {p.name for p in FIELDS} - {"warmup_ratio"} <= TRAINING_ARGUMENTS_FIELDS
    defaults = {f.name: f.default for f in dataclasses.fields(TrainingArguments)}
    for p in FIELDS:
        if p.name not in ("warmup_ratio", "lr_scheduler_kwargs"):
            assert defaults[p.name] == p.default, p.name


# Many processes: accelerate's own shard ------------------------------------------------


@pytest.mark.parametrize("world_size", [2, 3, 8])
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("even_batches", [True, False])
@pytest.mark.parametrize("split_batches", [False, True])
def test_batches_per_process_are_accelerates(
    world_size: int, drop_last: bool, even_batches: bool, split_batches: bool
) -> None:
    for size in (1, 5, 16, 37, 64, 101):
        for batch in (1, 4, 8):
            if split_batches and batch % world_size:
                continue  # accelerate refuses it; so does lrplot (below)
            oracle = shard_lengths(size, batch, world_size, drop_last, even_batches, split_batches)[0]
            assert batches_per_process(size, batch, world_size, drop_last, even_batches, split_batches) == oracle


@pytest.mark.parametrize(("world_size", "even_batches"), [(3, True), (3, False), (4, True)])
def test_many_processes_run_as_one_with_process_zeros_batches(
    world_size: int, even_batches: bool, tmp_path: Path
) -> None:
    fields = {**BASE, "num_train_epochs": 2, "gradient_accumulation_steps": 2, "lr_scheduler_type": "cosine"}
    batches = shard_lengths(37, 4, world_size, False, even_batches)[0]
    # A real run whose one process takes the same number of full batches is the oracle.
    assert_same_run(fields, batches * 4, tmp_path, dataset_size=37, world_size=world_size, even_batches=even_batches)
    assert trainer_curve(fields, batches_per_epoch=batches).trace.lr.tolist() == (
        trainer_curve(fields, 37, world_size=world_size, even_batches=even_batches).trace.lr.tolist()
    )


def test_accelerates_num_steps_is_the_accumulation_as_for_trainer(tmp_path: Path) -> None:
    fields = {**BASE, "num_train_epochs": 1, "logging_steps": 1, "lr_scheduler_type": "linear",
              "accelerator_config": {"gradient_accumulation_kwargs": {"num_steps": 2}}}  # fmt: skip
    assert_same_run(fields, 16, tmp_path)
    assert trainer_curve(fields, 16).plan.accumulation == 2
    with pytest.raises(UsageError, match="Trainer refuses both"):
        trainer_curve({**fields, "gradient_accumulation_steps": 3}, 16)


def test_asdict_of_training_arguments_reads_as_to_dict(tmp_path: Path) -> None:
    import dataclasses

    from transformers import TrainingArguments

    args = TrainingArguments(output_dir=str(tmp_path), lr_scheduler_type="cosine", logging_strategy="epoch",
                             report_to="none")  # fmt: skip
    assert trainer_curve(dataclasses.asdict(args), 100).trace.lr.tolist() == (
        trainer_curve(args.to_dict(), 100).trace.lr.tolist()
    )
    with pytest.raises(UsageError, match="expected the TrainingArguments as a mapping"):
        trainer_curve(None)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="expected the TrainingArguments as a mapping"):
        trainer_curve({1: 2})  # type: ignore[dict-item]


def test_lr_scheduler_kwargs_are_read_as_training_arguments_reads_them() -> None:
    as_text = trainer_curve({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": '{"num_cycles": "1.5"}'}, 100)
    assert as_text.plan.params["num_cycles"] == 1.5  # _convert_str_dict reads JSON text's "1.5" as a number
    for kwargs, message in (
        ({"num_cycles": "1.5"}, "num_cycles: expected a finite number > 0, got the text '1.5' (Trainer passes it on"),
        ({"num_cycles": None}, "num_cycles: expected a finite number > 0, got null"),
        (' {"num_cycles": 2}', "expected a JSON object"),
    ):
        with pytest.raises(UsageError, match=re.escape(message)):
            trainer_curve({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": kwargs}, 100)
    wsd = {
        "lr_scheduler_type": "warmup_stable_decay",
        "lr_scheduler_kwargs": {"num_decay_steps": 5, "num_stable_steps": None},
    }
    assert trainer_curve(wsd, 100).plan.params == {"warmup": 0, "training_steps": 39, "decay_steps": 5}  # noqa: E501


@pytest.mark.parametrize(
    ("fields", "note"),
    [
        ({"logging_first_step": "false", "logging_steps": 2}, "'false' is true to Trainer, which tests it for truth"),
        ({"logging_first_step": 0, "logging_steps": 2}, "0 is false to Trainer"),
        (
            {"per_device_train_batch_size": 2.0, "gradient_accumulation_steps": 2.0},
            "2.0, read as 2 (transformers needs",
        ),
    ],
)
def test_values_of_another_type_are_read_as_trainer_runs_them(
    fields: dict[str, object], note: str, tmp_path: Path
) -> None:
    curve = trainer_curve({"max_steps": 5, **fields}, 20)
    assert any(note in n for n in curve.plan.notes), curve.plan.notes
    if "logging_first_step" in fields:  # Trainer runs it: the oracle says which steps it logs
        real = real_trainer({**BASE, "max_steps": 5, **fields}, 20, tmp_path)
        assert curve.plan.logged_updates() == sorted(real.logged)


def test_the_schedules_own_warnings_reach_the_user() -> None:
    wsd = {
        "lr_scheduler_type": "warmup_stable_decay",
        "lr_scheduler_kwargs": {"num_decay_steps": 3, "num_stable_steps": 1},
    }
    assert any("lr stays at min_lr_ratio from step 4" in w for w in trainer_curve({**wsd, "max_steps": 20}).warnings)
    late = {
        "lr_scheduler_type": "warmup_stable_decay",
        "lr_scheduler_kwargs": {"num_decay_steps": 8},
        "warmup_steps": 1,
    }
    assert any("the decay starts 4 steps in" in w for w in trainer_curve({**late, "max_steps": 5}).warnings)


def test_a_late_decay_is_drawn_as_trainer_runs_it(tmp_path: Path) -> None:
    fields = {**BASE, "max_steps": 5, "warmup_steps": 1, "lr_scheduler_type": "warmup_stable_decay",
              "lr_scheduler_kwargs": {"num_decay_steps": 8}}  # fmt: skip
    assert_same_run(fields, 20, tmp_path)


def test_fields_that_change_the_run_unmodelled_are_named() -> None:
    fields = {"auto_find_batch_size": True, "train_sampling_strategy": "batch_rebalance", "deepspeed": "ds.json",
              "optim": "galore_adamw_layerwise"}  # fmt: skip
    notes = "\n".join(trainer_curve(fields, 100).plan.notes)
    for name in fields:
        assert f"{name}: not modelled" in notes
    assert "not modelled" not in "\n".join(
        trainer_curve({"train_sampling_strategy": "group_by_length"}, 100).plan.notes
    )


def test_split_batches_needs_a_batch_the_processes_divide() -> None:
    fields = {"per_device_train_batch_size": 6, "accelerator_config": {"split_batches": True}}
    with pytest.raises(UsageError, match="split_batches needs a batch size"):
        trainer_curve(fields, 100, world_size=4)


# A real run's log ------------------------------------------------------------------------


def test_logged_checks_a_real_run_and_finds_the_first_difference(tmp_path: Path) -> None:
    fields = {**BASE, "num_train_epochs": 2, "warmup_steps": 3, "lr_scheduler_type": "linear", "logging_steps": 1}
    real = real_trainer(fields, 37, tmp_path / "run")
    args = tmp_path / "args.json"
    args.write_text(json.dumps(fields))
    out = tmp_path / "out"
    ok = runner.invoke(app, ["trainer", str(args), "--dataset-size", "37", "--logged", str(real.state_file),
                             "--out", str(out)])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert f"its {len(real.logged)} logged lr values match the prediction" in ok.stdout
    # A run that restarted its schedule at step 11 (a resume that lost the scheduler's state).
    state = json.loads(real.state_file.read_text())
    restarted = [e for e in state["log_history"] if "learning_rate" in e]
    for entry, again in zip(restarted[10:], restarted, strict=False):
        entry["learning_rate"] = again["learning_rate"]
    bad = tmp_path / "trainer_state.json"
    bad.write_text(json.dumps(state))
    result = runner.invoke(app, ["trainer", str(args), "--dataset-size", "37", "--logged", str(bad),
                                 "--out", str(out)])  # fmt: skip
    assert result.exit_code == 1
    assert f"mismatch: {bad}: at step 11 the run logged lr {real.lrs[0]!r}" in result.stderr
    assert (out / "trainer.png").exists()  # the overlay is drawn: it shows where


def test_a_run_longer_than_predicted_is_a_mismatch(tmp_path: Path) -> None:
    curve = trainer_curve({"max_steps": 4})
    assert str(first_mismatch(curve, {2: float(curve.trace.lr[1]), 9: 0.0})) == (
        "the run logged step 9, outside the predicted updates 1..4 (lr 0.0)"
    )
    assert first_mismatch(curve, {0: 0.0}) is not None


# Input files -------------------------------------------------------------------------------


def test_to_json_string_yaml_and_the_pickle_read_the_same(tmp_path: Path) -> None:
    import torch
    from transformers import TrainingArguments

    args = TrainingArguments(
        output_dir=str(tmp_path / "o"), learning_rate=3e-5, lr_scheduler_type="cosine_with_restarts",
        lr_scheduler_kwargs={"num_cycles": 2}, warmup_steps=0.1, num_train_epochs=1.5,
        per_device_train_batch_size=16, gradient_accumulation_steps=2, report_to="none",
    )  # fmt: skip
    (tmp_path / "args.json").write_text(args.to_json_string())
    torch.save(args, tmp_path / "training_args.bin")
    (tmp_path / "args.yaml").write_text(
        "### model\nmodel_name_or_path: x\n### train\nlearning_rate: 3e-5\nlr_scheduler_type: cosine_with_restarts\n"
        "lr_scheduler_kwargs: {num_cycles: 2}\nwarmup_steps: 0.1\nnum_train_epochs: 1.5\n"
        "per_device_train_batch_size: 16\ngradient_accumulation_steps: 2\n"
    )
    csvs = []
    for name, extra in (("args.json", []), ("args.yaml", []), ("training_args.bin", ["--trust-pickle"])):
        out = tmp_path / name.replace(".", "_")
        result = runner.invoke(app, ["trainer", str(tmp_path / name), "--dataset-size", "1000", "--out", str(out),
                                     "--format", "csv", *extra])  # fmt: skip
        assert result.exit_code == 0, result.output
        csvs.append((out / "trainer.csv").read_text())
        if name == "args.yaml":
            assert "args.yaml: not TrainingArguments fields of transformers 5.24.0, ignored: model_name_or_path" in (
                result.stderr
            )
            assert "learning_rate: the text '3e-5', read as 3e-05 (transformers would keep it and fail; YAML reads" in (
                result.stderr
            )
        else:
            assert "not TrainingArguments fields" not in result.stderr
    assert csvs[0] == csvs[1] == csvs[2]
    real = real_trainer(args.to_dict() | {"output_dir": str(tmp_path / "r")}, 1000, tmp_path / "r")
    assert read_csv(tmp_path / "args_json" / "trainer.csv")[2][3] == real.lrs


def test_the_csv_has_one_row_per_update_and_its_command_regenerates_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["trainer", "--lr-scheduler-type", "cosine", "--warmup-steps", "0.1",
                                 "--num-train-epochs", "2.5", "--dataset-size", "1000", "--world-size", "3",
                                 "--lr-scheduler-kwargs", '{"num_cycles": 0.5}', "--gradient-accumulation-steps", "3",
                                 "--format", "csv,json", "--out", str(tmp_path / "a")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "updates: 35 in all, 14 an epoch (42 batches per process)",
        "warmup: 4 updates",
        f"lr: peak 5e-05, final {trainer_curve({'lr_scheduler_type': 'cosine', 'warmup_steps': 0.1, 'num_train_epochs': 2.5, 'gradient_accumulation_steps': 3}, 1000, world_size=3).trace.lr[-1]:.6g} (update 35)",  # noqa: E501
    ]
    metadata, header, columns = read_csv(tmp_path / "a" / "trainer.csv")
    assert header == ["update", "epoch", "step", "lr"]
    assert columns[0] == list(range(1, 36)) and columns[2] == list(range(35))
    assert metadata["plan"]["warmup_updates"] == 4  # type: ignore[index]
    words = shlex.split(metadata["command"])  # type: ignore[arg-type]
    assert "--world-size" in words and "--dataset-size" in words
    again = runner.invoke(app, [*words[1:], "--format", "csv,json", "--out", str(tmp_path / "b")])
    assert again.exit_code == 0, again.output
    for name in ("trainer.csv", "trainer.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_numpy_engine_gives_the_same_values(tmp_path: Path) -> None:
    fields = {"lr_scheduler_type": "warmup_stable_decay", "lr_scheduler_kwargs": {"num_decay_steps": 30}}
    torch_curve = trainer_curve(fields, 5000)
    assert trainer_curve(fields, 5000, engine="numpy").trace.lr.tolist() == pytest.approx(
        torch_curve.trace.lr.tolist(), rel=1e-12, abs=0
    )


@pytest.mark.parametrize(
    ("fields", "data", "warning"),
    [
        ({"warmup_steps": 5000}, {"dataset_size": 1000}, "warmup (5000 updates) reaches the total (375)"),
        ({"warmup_steps": 0.001}, {"dataset_size": 1000}, "warmup_steps 0.001 is a ratio: 0.001 * 375 updates rounds up to 1"),  # noqa: E501
        ({"warmup_steps": 10.5}, {"dataset_size": 1000}, "warmup_steps 10.5 is at least 1, so a count: Trainer takes int() of it, 10"),  # noqa: E501
        ({"lr_scheduler_type": "cosine_with_restarts", "lr_scheduler_kwargs": {"num_cycles": 3}}, {"dataset_size": 1000},  # noqa: E501
         "num_cycles 3: the lr jumps back to its peak 2 times"),
        ({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": '{"num_cycles": 1}'}, {"dataset_size": 1000},
         "num_cycles 1: the cosine passes its floor and rises again"),
        ({"num_train_epochs": 2.5}, {"dataset_size": 1000}, "2.5 epochs of 125 updates make 312.5, rounded up to 313"),
        ({"max_steps": 200}, {"dataset_size": 1000}, "max_steps 200 is 1.6 epochs of 125 updates: the last epoch stops"),  # noqa: E501
        ({"warmup_ratio": 0.1, "warmup_steps": 0}, {"dataset_size": 1000}, "warmup_ratio: transformers 4's field"),
        ({"lr_scheduler_type": "constant", "lr_scheduler_kwargs": {"num_cycles": 2}}, {"dataset_size": 1000},
         "lr_scheduler_kwargs: Trainer drops them for constant: num_cycles"),
        ({"per_device_train_batch_size": 4}, {"dataset_size": 37, "world_size": 3}, "10 batches over 3 processes: 2 of them take one batch from the start again"),  # noqa: E501
        ({"logging_steps": 1000}, {"dataset_size": 1000}, "logging_steps 1000 > the 375 updates: Trainer logs no lr"),
        ({"logging_steps": 1000, "logging_first_step": True}, {"dataset_size": 1000}, "Trainer logs the lr of update 1 only"),  # noqa: E501
        ({"logging_strategy": "epoch", "max_steps": 9}, {}, "logging_strategy epoch: which updates end an epoch is unknown"),  # noqa: E501
        ({"dataloader_drop_last": True, "per_device_train_batch_size": 4}, {"dataset_size": 37, "world_size": 4}, "9 batches over 4 processes, with dataloader_drop_last: the last 1 go to none"),  # noqa: E501
        ({"accelerator_config": {"split_batches": True, "even_batches": False}, "per_device_train_batch_size": 4}, {"dataset_size": 37, "world_size": 2}, "split_batches without even_batches"),  # noqa: E501
        ({"num_train_epochs": 2.2, "per_device_train_batch_size": 4}, {"dataset_size": 100}, "make 55.00000000000001, rounded up to 56 updates"),  # noqa: E501
    ],
)  # fmt: skip
def test_pitfalls_are_warned_in_lrplots_words(fields: dict[str, object], data: dict[str, int], warning: str) -> None:
    assert any(warning in note for note in trainer_curve(fields, **data).plan.notes), trainer_curve(
        fields, **data
    ).plan.notes


def test_the_python_api_is_exported() -> None:
    curve = lrplot.trainer_curve({"max_steps": 10, "warmup_steps": 2}, dataset_size=64, world_size=2)
    assert curve.plan.updates_per_epoch == 4 and len(curve.trace.lr) == 10


# Bad input ---------------------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}"], "{missing}: no such file"),
        (["{dir}"], "not a file"),
        (["{bad.json}"], "bad.json: line 2: not valid JSON: Expecting"),
        (["{bad.yaml}"], "bad.yaml: line 2: not valid YAML"),
        (["{list.json}"], "list.json: expected a mapping of TrainingArguments fields, got list"),
        (["{args.txt}"], "args.txt: expected a .json, .yaml or .yml file"),
        (["{training_args.bin}"], "a pickle: loading one can run any code in it; pass --trust-pickle"),
        (["--max-steps", "-1"], "--dataset-size: needed, since --max-steps is not above 0 and Trainer counts the updates from the data"),  # noqa: E501
        (["--per-device-train-batch-size", "0", "--dataset-size", "9"], "--per-device-train-batch-size: expected a whole number >= 1, got 0"),  # noqa: E501
        (["{zero_batch.json}", "--dataset-size", "9"], "zero_batch.json: field 'per_device_train_batch_size': expected a whole number >= 1"),  # noqa: E501
        (["--lr-scheduler-type", "cosin", "--max-steps", "5"], "--lr-scheduler-type: expected one of linear, cosine"),
        (["--lr-scheduler-type", "cosine", "--lr-scheduler-kwargs", '{"power": 2}', "--max-steps", "5"],
         "--lr-scheduler-kwargs: cosine takes no argument 'power' (it takes: num_cycles)"),
        (["--lr-scheduler-kwargs", "{nope", "--max-steps", "5"], "--lr-scheduler-kwargs: not valid JSON"),
        (["--lr-scheduler-type", "cosine", "--lr-scheduler-kwargs", '{"num_cycles": -1}', "--max-steps", "5"],
         "--lr-scheduler-kwargs: num_cycles: expected a finite number > 0, got -1"),
        (["--lr-scheduler-type", "reduce_lr_on_plateau", "--max-steps", "5"], "'lrplot reduce_lr_on_plateau --metrics FILE'"),  # noqa: E501
        (["--lr-scheduler-type", "greedy", "--max-steps", "5"], "greedy steps on a metric after each evaluation"),
        (["--dataset-size", "3", "--dataloader-drop-last"], "--dataset-size: 3 examples make no batch of 8"),
        (["--dataset-size", "3", "--batches-per-epoch", "3"], "--batches-per-epoch: give it or --dataset-size, not both"),  # noqa: E501
        (["--num-train-epochs", "0", "--dataset-size", "30"], "--num-train-epochs: 0 epochs give no update"),
        (["--warmup-ratio", "0.1", "--warmup-steps", "5", "--max-steps", "9"], "--warmup-ratio: give warmup_steps or warmup_ratio, not both"),  # noqa: E501
        (["--logging-steps", "2.5", "--max-steps", "9"], "--logging-steps: expected a whole number when above 1"),
        (["--max-steps", "5", "--logged", "{missing}"], "no such file"),
        (["--max-steps", "5", "--logged", "{list.json}"], "no log_history list: not a trainer_state.json"),
        (["--max-steps", "9" * 20], "--max-steps: 99999999999999999999 is beyond the largest value"),
        (["--max-steps", "0"], "--max-steps: 0 makes Trainer take one update and stop: give a count above 0, or -1"),
        (["--max-steps", "5", "--world-size", "0"], "--world-size: expected a whole number >= 1, got 0"),
        (["--learning-rate", "0", "--max-steps", "5"], "--learning-rate: expected a finite number > 0, got 0"),
        (["--lr-scheduler-type", "polynomial", "--max-steps", "10", "--warmup-steps", "10"], "--warmup-steps: 10 of the 10 updates: the total must differ from the warmup (10)"),  # noqa: E501
        (["--dataset-size", "999999999999", "--per-device-train-batch-size", "1"], "--dataset-size: 2999999999997 updates: "),  # noqa: E501
        (["--lr-scheduler-type", "warmup_stable_decay", "--max-steps", "10"], "--lr-scheduler-kwargs: num_decay_steps: warmup_stable_decay needs it: a whole number of updates"),  # noqa: E501
        (["{kwargs.yaml}", "--max-steps", "10"], "kwargs.yaml: field 'lr_scheduler_kwargs': min_lr: expected a finite number >= 0, got the text '1e-6' (YAML reads"),  # noqa: E501
        (["{steps.yaml}"], "steps.yaml: field 'max_steps': expected a whole number, got '1e1' (YAML reads"),
        (["{config.json}", "--max-steps", "5"], "config.json: field 'accelerator_config': expected a mapping, got list"),  # noqa: E501
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_writes_nothing(args: list[str], message: str, tmp_path: Path) -> None:
    files = {
        "missing": str(tmp_path / "missing.json"),
        "dir": str(tmp_path),
        "bad.json": _write(tmp_path, "bad.json", '{"learning_rate": 1e-3,\n  "max_steps": }'),
        "bad.yaml": _write(tmp_path, "bad.yaml", "max_steps: 5\n  learning_rate: [\n"),
        "list.json": _write(tmp_path, "list.json", "[1, 2]"),
        "args.txt": _write(tmp_path, "args.txt", "{}"),
        "training_args.bin": _write(tmp_path, "training_args.bin", "x"),
        "zero_batch.json": _write(tmp_path, "zero_batch.json", '{"per_device_train_batch_size": 0}'),
        "kwargs.yaml": _write(
            tmp_path, "kwargs.yaml", "lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs: {min_lr: 1e-6}\n"
        ),  # noqa: E501
        "steps.yaml": _write(tmp_path, "steps.yaml", "max_steps: 1e1\n"),
        "config.json": _write(tmp_path, "config.json", '{"accelerator_config": [1]}'),
    }
    out = tmp_path / "out"
    words = [files.get(a[1:-1], a) if a.startswith("{") and a.endswith("}") and a[1:-1] in files else a for a in args]
    message = message.replace("{missing}", files["missing"])
    result = runner.invoke(app, ["trainer", "--out", str(out), *words])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert not out.exists()


def test_no_output_replaces_an_input(tmp_path: Path) -> None:
    args = tmp_path / "trainer.json"
    args.write_text('{"max_steps": 5}')
    result = runner.invoke(app, ["trainer", str(args), "--out", str(tmp_path), "--format", "json,csv"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: --out: {args} would replace {args}, an input: choose another, or another --name"
    )
    assert args.read_text() == '{"max_steps": 5}' and sorted(p.name for p in tmp_path.iterdir()) == ["trainer.json"]


def test_a_yaml_bomb_of_aliases_is_refused_in_one_short_line(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join([*lines, "learning_rate: *a8", ""]))  # 9**9 strings, if written out
    result = runner.invoke(app, ["trainer", str(bomb), "--max-steps", "5", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith(f"Error: {bomb}: field 'learning_rate': expected a finite number > 0, got [[")
    assert len(line) < 600  # a bounded repr; 9**8 lists, were they written out
