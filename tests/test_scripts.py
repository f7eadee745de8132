"""--format py: every emitted script rebuilds lrplot's CSV byte for byte, with and without transformers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrplot
from lrplot import api, engines
from lrplot.cli.app import app
from lrplot.cli.commandline import CLI_SPELLING
from lrplot.expression import compile_formula
from lrplot.figures import TraceDocument
from lrplot.options import RunOptions

from .helpers import FACTORIES, example_params
from .test_vector import GRID_CASES

cli = CliRunner()
ROOT = Path(__file__).resolve().parent.parent

# Each: (file stem, schedule, its parameters, steps, lrs, run options, every)
NEEDED = {"min_lr_rate": 0.1, "decay_steps": 10}  # required, or one of a pair, where no example gives them
CASES: list[tuple[str, str, dict, int, list[float], RunOptions, int]] = [
    (f"every_{spec.name}", spec.name, {**{k: v for k, v in NEEDED.items() if spec.param(k)}, **example_params(spec)},
     30, [0.5], RunOptions(), 1)
    for spec in lrplot.list_specs()
]  # fmt: skip
CASES += [
    ("groups_cosine", "cosine", {"warmup": 4}, 25, [0.5, 0.01], RunOptions(record="after"), 1),
    ("groups_polynomial", "polynomial", {"warmup": 3, "power": 2.0, "lr_end": 1e-4}, 25, [0.3, 0.1], RunOptions(), 1),
    ("min_lr", "cosine_with_min_lr", {"warmup": 3, "min_lr": 0.01}, 25, [0.5], RunOptions(), 1),
    ("warmup_rate", "cosine_warmup_with_min_lr", {"warmup": 4, "min_lr_rate": 0.1, "warmup_lr_rate": 0.2},
     25, [1.0], RunOptions(), 1),
    ("wsd_shapes", "warmup_stable_decay", {"warmup": 3, "decay_steps": 0.4, "warmup_type": "1-sqrt",
     "decay_type": "cosine", "min_lr_ratio": 0.1, "num_cycles": 1.5}, 30, [1.0], RunOptions(), 1),
    ("restarts", "cosine_with_restarts", {"warmup": 2, "num_cycles": 3}, 40, [1.0], RunOptions(), 1),
    ("inverse", "inverse_sqrt", {"warmup": 5, "timescale": 3}, 30, [1.0], RunOptions(), 1),
    ("epochs_cosine", "cosine", {"warmup": 1}, 23, [1.0], RunOptions(interval="epoch", steps_per_epoch=4), 1),
    ("every_third", "linear", {"warmup": 2}, 31, [1.0], RunOptions(), 3),
    ("adam_one_cycle", "one_cycle_lr", {}, 30, [0.1, 0.2], RunOptions(optimizer="adam"), 1),
    ("cyclic_momentum", "cyclic_lr", {"max_lr": "2.0,3.0", "step_size_up": 3}, 20, [0.5, 1.0], RunOptions(), 1),
    ("multiplicative_groups", "multiplicative_lr", {"factor": "0.9,0.8"}, 10, [1.0, 0.5], RunOptions(), 1),
    ("nested", "sequential_lr", {"schedulers": "(chained_scheduler:schedulers=((constant_lr:factor=0.5,"
     "total_iters=3),(exponential_lr:gamma=0.9))),(cosine:warmup=2),(lambda_lr:expr=0.5 ** s)",
     "milestones": "6,14"}, 24, [1.0], RunOptions(), 1),
    ("formula", "lambda_lr", {"expr": "floor(s / W) * pi / 10 + min(1, s / T) ** 2 if s != 7 else e",
     "var": {"W": 4, "T": 9}}, 20, [1.0], RunOptions(), 1),
    ("plateau_after", "reduce_lr_on_plateau", example_params(lrplot.get_spec("reduce_lr_on_plateau")),
     20, [1.0], RunOptions(record="after"), 1),
    ("factory_plain", "factory", {"target": f"{FACTORIES}:halving", "kw": {"every": 2}}, 12, [1.0], RunOptions(), 1),
    ("script_names", "lambda_lr", {"expr": "min(1, s / optimizer) + lr_scheduler * multiplier * cosine_multiplier",
     "var": {"optimizer": 4, "lr_scheduler": 0.5, "multiplier": 2, "cosine_multiplier": 0.1}},
     8, [1.0], RunOptions(), 1),  # variables named as the script's own names
]  # fmt: skip
INJECTED = 'x"""; __import__(\'os\').system(\'touch PWNED\'); """y\\'  # a label that would end a docstring


def written(tmp_path: Path) -> list[Path]:
    """Each case's CSV and script, as the CLI writes them; the compare and the module-factory ones too."""
    folders = []
    for stem, name, params, steps, lrs, options, every in CASES:
        schedule = lrplot.resolve(name, steps, lrs, params, options.updates_per_step)
        trace = engines.run(schedule, options)
        api.write(TraceDocument(trace, stem, every=every, spelling=CLI_SPELLING), tmp_path / stem, ["csv", "py"])
        folders.append(tmp_path / stem)
    compare = ["compare", "cosine", "polynomial:power=2,label=(poly, a label)", "step_lr:step_size=3",
               "lambda_lr:expr=s / 10,lr=0.5", "--warmup", "3", "--steps", "20", "--format", "csv,py",
               "--out", str(tmp_path / "compare"), "--lr", "1.0"]  # fmt: skip
    assert cli.invoke(app, compare).exit_code == 0
    mixed = ["compare", f"cosine:label=({INJECTED})", "one_cycle_lr", "--optimizer", "adam", "--steps", "15",
             "--format", "csv,py", "--out", str(tmp_path / "mixed"), "--name", "mixed"]  # fmt: skip
    assert cli.invoke(app, mixed).exit_code == 0  # a momentum curve beside one without
    module = ["factory", "tests.data.factories:step_decay", "--kw", "step_size=3", "--steps", "10",
              "--format", "csv,py", "--out", str(tmp_path / "module")]  # fmt: skip
    assert cli.invoke(app, module).exit_code == 0, "run from the repository"
    return [*folders, tmp_path / "compare", tmp_path / "mixed", tmp_path / "module"]


DRIVER = """
import json, runpy, sys
if sys.argv[1] == "without":
    sys.modules["transformers"] = None  # an ImportError: the torch-only fallback
for script, out in json.loads(sys.argv[2]):
    sys.argv = [script, out]
    runpy.run_path(script, run_name="__main__")
"""


def run_scripts(jobs: list[tuple[Path, Path]], transformers: str, folder: Path) -> None:
    """Run every script in one fresh Python (torch is imported once) in ``folder``, each writing its CSV."""
    payload = json.dumps([[str(script), str(out)] for script, out in jobs])
    subprocess.run([sys.executable, "-c", DRIVER, transformers, payload], check=True, cwd=folder, timeout=600)


def test_every_emitted_script_rebuilds_the_csv_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the module factory is imported from the current folder
    folders = written(tmp_path / "made")
    jobs = []
    for folder in folders:
        (csv,) = folder.glob("*.csv")
        jobs.append((folder / f"{csv.stem}.py", csv))
    elsewhere = tmp_path / "elsewhere"  # not where lrplot ran: a module factory is found where it was
    elsewhere.mkdir()
    for transformers in ("with", "without"):
        run_scripts(
            [(script, script.with_suffix(f".{transformers}.out")) for script, _ in jobs], transformers, elsewhere
        )
        for script, csv in jobs:
            rebuilt = script.with_suffix(f".{transformers}.out").read_bytes()
            assert rebuilt == csv.read_bytes(), f"{script.name} ({transformers} transformers)"
    cosine = (tmp_path / "made" / "every_cosine" / "every_cosine.py").read_text()
    assert "get_scheduler('cosine', optimizer, num_warmup_steps=100" not in cosine  # the example warmup is 0
    assert "return get_scheduler('cosine', optimizer, num_warmup_steps=0, num_training_steps=30" in cosine
    assert "def every_cosine_multiplier(step):" not in cosine and "def cosine_multiplier(step):" in cosine
    assert "import lrplot" not in cosine
    assert not (elsewhere / "PWNED").exists() and not (ROOT / "PWNED").exists()
    assert "touch PWNED" in (tmp_path / "made" / "mixed" / "mixed.py").read_text()  # as a literal's text


@pytest.mark.parametrize(("name", "params"), GRID_CASES, ids=lambda x: str(x))
def test_every_closed_form_formula_equals_its_multiplier_to_the_bit(name: str, params: dict) -> None:
    spec = lrplot.get_spec(name)
    assert spec.expression is not None
    for lr in (1.0, 0.37):
        schedule = lrplot.resolve(name, 90, [lr], params)
        text, variables = spec.expression(schedule.values, lr)
        formula, multiplier = compile_formula(text, variables), schedule.lr_lambda()
        assert [formula.at(s) for s in range(95)] == [multiplier(s) for s in range(95)], text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cosine", "--engine", "numpy"], "--format: py: the script steps torch"),
        (["trainer", "--max-steps", "10", "--logging-steps", "1"], "--format: py: only schedule commands, compare"),
        (["render", "configs/article.toml", "--only", "fig10_cosine_resumed"], "a resumed run (resume_steps)"),
    ],
)
def test_what_has_no_script_yet_is_one_line_and_writes_nothing(args: list[str], message: str, tmp_path: Path) -> None:
    result = cli.invoke(app, [*args, "--format", "csv,py", "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
