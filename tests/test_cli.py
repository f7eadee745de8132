"""The real Typer app: exit codes, one-line errors, files written, fast help."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrplot
from lrplot.cli.app import app
from lrplot.cli.commandline import ARGUMENTS, option_name
from lrplot.notation import KEY

from .helpers import example_args, modules_imported_by_cli
from .oracles import assert_close, transformers_values

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_main_job_writes_png_and_csv_equal_to_transformers(tmp_path: Path) -> None:
    result = invoke("cosine", "--warmup", "300", "--steps", "3000", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(tmp_path / "cosine.png"), str(tmp_path / "cosine.csv")]
    assert (tmp_path / "cosine.png").read_bytes().startswith(b"\x89PNG")
    meta, header, columns = lrplot.read_csv(tmp_path / "cosine.csv")
    assert header == ["step", "lr"] and columns[0] == list(range(3000))
    expected = transformers_values("cosine", {"warmup": 300, "training_steps": 3000, "num_cycles": 0.5}, [1.0], 3000)
    assert_close(columns[1], expected[0], what="cosine csv")
    assert meta["command"].startswith("lrplot cosine --steps 3000 --lr 1.0 --warmup 300")


@pytest.mark.parametrize(
    "args",
    [
        ["wsd", "--decay-steps", "0.3", "--warmup", "0.1", "--steps", "50", "--lr", "0.5", "--lr", "0.05"],
        ["cosine", "--warmup", "2", "--training-steps", "8", "--steps", "40", "--interval", "epoch",
         "--steps-per-epoch", "5", "--engine", "numpy"],
    ],
    ids=["groups", "per-epoch"],
)  # fmt: skip
def test_regenerate_command_in_the_csv_reproduces_it(args: list[str], tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    invoke(*args, "--format", "csv", "--out", str(first))
    (path,) = first.iterdir()
    meta, *_ = lrplot.read_csv(path)
    result = invoke(*meta["command"].split()[1:], "--format", "csv", "--out", str(second))
    assert result.exit_code == 0, result.output
    assert (second / path.name).read_text() == path.read_text()


REQUIRED_VALUES = {"decay_steps": "0.2", "min_lr_rate": "0.1"}  # what the schedules that need them get here


def _schedule_engines() -> list[tuple[str, str]]:
    return [
        (lrplot.REGISTRY.command_name(s), engine)
        for s in lrplot.REGISTRY.specs()
        for engine in (("torch", "numpy") if s.closed_form else ("torch",))
    ]


@pytest.mark.parametrize(("name", "engine"), _schedule_engines())
def test_every_schedules_command_regenerates_its_csv_and_json_byte_for_byte(
    name: str, engine: str, tmp_path: Path
) -> None:
    spec = lrplot.REGISTRY.get(name)
    own = [a for p in spec.params if p.name in REQUIRED_VALUES for a in (option_name(p.name), REQUIRED_VALUES[p.name])]
    args = [name, *example_args(spec), *own, "--steps", "30", "--lr", "0.5", "--engine", engine, "--optimizer", "adam"]
    if "training_steps" in {p.name for p in spec.params}:
        args += ["--training-steps", "40"]
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke(*args, "--format", "csv,json", "--out", str(first)).exit_code == 0
    meta, *_ = lrplot.read_csv(first / f"{name}.csv")
    assert "none" not in shlex.split(meta["command"])  # every word of it is an option the CLI takes
    result = invoke(*shlex.split(meta["command"])[1:], "--format", "csv,json", "--out", str(second))
    assert result.exit_code == 0, result.output
    for fmt in ("csv", "json"):
        assert (second / f"{name}.{fmt}").read_bytes() == (first / f"{name}.{fmt}").read_bytes()


def test_a_thinned_csv_regenerates_from_its_command(tmp_path: Path) -> None:
    args = ["one_cycle_lr", "--steps", "20", "--every", "3", "--format", "csv"]
    assert invoke(*args, "--out", str(tmp_path / "a")).exit_code == 0
    meta, *_ = lrplot.read_csv(tmp_path / "a" / "one_cycle_lr.csv")
    assert meta["command"].endswith(" --every 3")
    assert invoke(*shlex.split(meta["command"])[1:], "--format", "csv", "--out", str(tmp_path / "b")).exit_code == 0
    assert (tmp_path / "b" / "one_cycle_lr.csv").read_bytes() == (tmp_path / "a" / "one_cycle_lr.csv").read_bytes()


def test_multiple_param_groups_get_columns(tmp_path: Path) -> None:
    invoke("linear", "--steps", "10", "--lr", "1", "--lr", "0.1", "--format", "csv", "--out", str(tmp_path))
    _, header, columns = lrplot.read_csv(tmp_path / "linear.csv")
    assert header == ["step", "lr", "lr_group1"]
    assert columns[2] == [v * 0.1 for v in columns[1]]


def test_formats_repeated_or_comma_separated(tmp_path: Path) -> None:
    result = invoke("constant", "--steps", "3", "--format", "svg,json", "--format", "pdf", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["constant.json", "constant.pdf", "constant.svg"]
    assert json.loads((tmp_path / "constant.json").read_text())["lr"] == [1.0, 1.0, 1.0]


def test_aliases_work_as_commands(tmp_path: Path) -> None:
    result = invoke("cosine-with-restarts", "--steps", "5", "--format", "csv", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cosine_with_restarts.csv").exists()


@pytest.mark.parametrize("spec", lrplot.list_specs(), ids=lambda s: s.name)
def test_schedule_help_lists_exactly_its_options(spec: lrplot.ScheduleSpec) -> None:
    result = invoke(spec.name, "--help")
    assert result.exit_code == 0
    common = {"--steps", "--lr", "--optimizer", "--record", "--out", "--format", "--title", "--log-y", "--help"}
    common |= {"--engine", "--every"}
    own = {option_name(p.name) for p in spec.params if p.name not in ARGUMENTS}
    own |= {f"--no-{p.name.replace('_', '-')}" for p in spec.params if p.kind == "bool"}
    shown = {word for word in result.stdout.split() if word.startswith("--") and word[2:3].isalpha()}
    shown = {w.rstrip(")],;.") for w in shown}
    for word in list(shown):  # a switch shows as --flag/--no-flag
        shown |= set(word.replace("/--", " --").split())
    assert own | common <= shown
    others = {"--" + p.name.replace("_", "-") for s in lrplot.list_specs() for p in s.params} - own
    assert not (shown - common - own) & others
    for p in spec.params:
        if p.default is not None and not p.required:
            assert f"default: {p.default_text}" in " ".join(result.stdout.split())
    if any(p.kind == "schedules" for p in spec.params):
        assert "[SPEC]..." in result.stdout  # the children are the command's arguments


def test_list_shows_names_aliases_descriptions_and_parameters() -> None:
    result = invoke("list")
    assert result.exit_code == 0
    for spec in lrplot.list_specs():
        assert spec.name in result.stdout and spec.description in result.stdout
        for p in spec.params:
            assert option_name(p.name) in result.stdout
    assert "aliases: wsd" in result.stdout


def test_list_shows_the_key_once_and_every_formula_with_its_definitions() -> None:
    result = invoke("list")
    assert result.stdout.startswith(f"Key: {KEY}.\n") and result.stdout.count(KEY) == 1
    for spec in lrplot.list_specs():
        assert f"    lr multiplier: {spec.formula}\n" in result.stdout
        for definition in spec.where:
            assert f" {definition.shown()}\n" in result.stdout


@pytest.mark.parametrize("spec", lrplot.list_specs(), ids=lambda s: s.name)
def test_schedule_help_shows_its_formula_its_definitions_and_the_key(spec: lrplot.ScheduleSpec) -> None:
    shown = " ".join(invoke(spec.name, "--help").stdout.split())  # as one line, however Typer wraps it
    assert f"lr multiplier: {spec.formula}" in shown and f"Key: {KEY}." in shown
    assert all(definition.shown() in shown for definition in spec.where)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["cosin"], 2, "unknown schedule 'cosin'; did you mean cosine?"),
        (["cosine", "--steps", "0"], 2, "--steps: expected a whole number >= 1, got 0"),
        (["cosine", "--steps", "abc"], 2, "'--steps'"),
        (["cosine", "--warmup", "-5"], 2, "--warmup: expected a whole step count >= 0"),
        (["cosine", "--num-cycles", "nan"], 2, "--num-cycles: expected a finite number > 0, got nan"),
        (["cosine", "--lr", "inf"], 2, "--lr: expected a finite number > 0, got inf"),
        (["cosine", "--warmpu", "3"], 2, "no such option: --warmpu; did you mean --warmup?"),
        (["cosine", "--lr-end", "3"], 2, "cosine takes no --lr-end; polynomial does"),
        (["cosine", "--bogus"], 2, "Error: no such option: --bogus (see 'lrplot cosine --help')"),
        (["cosine", "--warmup"], 2, "Error: --warmup: expected a value after it, and none was given"),
        (["constant", "--warmup", "5"], 2, "Error: constant takes no --warmup; constant_with_warmup does"),
        (["step_lr", "--warmup", "5"], 2, "step_lr takes no --warmup; 10 other schedules do (see 'lrplot step_lr"),
        (["compare", "cosine", "--num-cycles", "2"], 2, "no such option: --num-cycles; give it to every curve that"),
        (["cosine", "--title", "a\nb\x00c\x1b[31m"], 2, r"got '\x00' in 'a\nb\x00c\x1b[31m'"),
        (["cosine", "--title", "x" * 501], 2, "--title: expected at most 500 characters, got 501"),
        (["cosine", "--steps", "9" * 400], 2, "--steps: a number of 400 digits is beyond the largest value"),
        (["cosine", "--num-cycles", "1e308"], 2, "--num-cycles: 1e+308 is beyond the largest value lrplot takes"),
        (["cosine", "--num-cycles", "1e308", "--engine", "numpy"], 2, "--num-cycles: 1e+308 is beyond"),
        (["inverse_sqrt", "--timescale", "9" * 30, "--engine", "numpy"], 2, "--timescale: a number of 30 digits"),
        (["linear", "--training-steps", "9" * 30, "--engine", "numpy"], 2, "--training-steps: a number of 30 digits"),
        (["cosine", "--interval", "epoch", "--steps-per-epoch", "9" * 300], 2, "--steps-per-epoch: a number of 300"),
        (["cosine", "--every", "9" * 300], 2, "--every: a number of 300 digits"),
        (["cosine", "--lr", "1e300"], 2, "--lr: 1e+300 is beyond the largest value lrplot takes (1e15)"),
        (["polynomial", "--lr-end", "1"], 2, "--lr-end: expected a value below the lr (1.0), got 1.0"),
        (
            ["cosine-with-min-lr", "--min-lr", "0.1", "--min-lr-rate", "0.1"],
            2,
            "exactly one of --min-lr and --min-lr-rate",
        ),
        (["cosine-with-min-lr"], 2, "exactly one of --min-lr and --min-lr-rate"),
        (["wsd"], 2, "--decay-steps: warmup_stable_decay needs it"),
        (["cosine", "--format", "gif"], 2, "--format: expected one of png, csv, svg, pdf, json"),
        (["cosine", "--optimizer", "lion"], 2, "--optimizer: expected one of sgd, adam, adamw"),
        (["cosine", "--every", "0", "--steps", "0"], 2, "--every: expected a whole number >= 1, got 0"),
        (["cosine", "--interval", "epoch"], 2, "--steps-per-epoch: --interval epoch needs it: a whole number >= 1"),
        (["cosine", "--steps-per-epoch", "4"], 2, "--steps-per-epoch: only with --interval epoch"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], code: int, message: str, tmp_path: Path) -> None:
    result = invoke(*args[:1], "--out", str(tmp_path), *args[1:])  # the args last: an option may lack its value
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_unwritable_output_exits_1_and_names_it(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    result = invoke("cosine", "--steps", "5", "--out", str(blocker / "out"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: cannot create output folder '{blocker / 'out'}': Not a directory"


def test_suspicious_input_warns_and_still_plots(tmp_path: Path) -> None:
    result = invoke("linear", "--warmup", "20", "--steps", "20", "--format", "csv", "--out", str(tmp_path))
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: warmup (20) >= training steps (20)")
    assert (tmp_path / "linear.csv").exists()


@pytest.mark.parametrize("args", [["--help"], ["list"], ["cosine", "--help"]])
def test_help_and_list_import_neither_torch_nor_matplotlib(args: list[str]) -> None:
    modules = modules_imported_by_cli(*args)
    assert {name.split(".")[0] for name in modules} & {"torch", "matplotlib", "numpy", "playwright"} == set()
    assert modules & {"lrplot.terminal", "lrplot.html", "lrplot.plot"} == set()  # nor the renderers


def test_python_dash_m_runs_the_app(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lrplot", "constant", "--steps", "2", "--format", "csv", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "constant.csv")


def test_python_dash_m_reports_errors_with_the_exit_code() -> None:
    result = subprocess.run([sys.executable, "-m", "lrplot", "cosin"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == "Error: unknown schedule 'cosin'; did you mean cosine? (see 'lrplot list')\n"
    result = subprocess.run([sys.executable, "-m", "lrplot", "cosine", "--bad"], capture_output=True, text=True)
    assert result.returncode == 2  # usage text says lrplot, as the console script does
    assert result.stderr == "Error: no such option: --bad (see 'lrplot cosine --help')\n"


def test_bare_lrplot_shows_usage() -> None:
    result = invoke()
    assert result.exit_code == 2 and "Usage: lrplot" in result.output
