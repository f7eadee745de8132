"""Helpers shared by several test files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lrplot.cli.commandline import ARGUMENTS, option_name
from lrplot.registry import ScheduleSpec

if TYPE_CHECKING:
    from click.testing import Result

METRICS = Path(__file__).resolve().parent / "data" / "val_loss.csv"  # 30 epochs of a validation loss
FACTORIES = Path(__file__).resolve().parent / "data" / "factories.py"  # a user's own scheduler factories

# Parameters for the schedules that need some, valid with any --steps up to 30.
EXAMPLES: dict[str, dict[str, object]] = {
    "multi_step_lr": {"milestones": "5,9,9"},  # a repeated milestone drops twice
    "cyclic_lr": {"max_lr": "2.0", "step_size_up": 4},
    "reduce_lr_on_plateau": {"metrics": str(METRICS), "metric_column": "val_loss", "patience": 1},
    "sequential_lr": {
        "schedulers": "(linear_lr:start_factor=0.1,total_iters=5),(cosine_annealing_lr:training_steps=12)",
        "milestones": 5,
    },
    "chained_scheduler": {"schedulers": "(constant_lr:factor=0.5,total_iters=4),(exponential_lr:gamma=0.9)"},
    "lambda_lr": {"expr": "min(1, (s + 1) / W) * 0.5 ** (s // 7)", "var": "W=5"},
    "factory": {"target": f"{FACTORIES}:warmup_cosine", "kw": "warmup=3,total=40"},
}


def example_params(spec: ScheduleSpec) -> dict[str, object]:
    """What ``spec`` needs to run, as the API takes it (keys without the schedule's own defaults)."""
    return dict(EXAMPLES.get(spec.name, {}))


def example_args(spec: ScheduleSpec) -> list[str]:
    """The same, as command-line words: the children as arguments, every other value an option."""
    from lrplot.params import _split

    words: list[str] = []
    for key, value in example_params(spec).items():
        if key == "schedulers":
            words = [item.strip()[1:-1] for item in _split(str(value), key)] + words
        elif key in ARGUMENTS:
            words = [str(value), *words]
        else:
            words += [option_name(key), str(value)]
    return words


_SCRIPT = """
import json, sys
sys.argv = ['lrplot', *json.loads(sys.argv[1])]
from lrplot.cli.app import app
try:
    app()
except SystemExit as e:
    assert e.code == 0, e.code
print('MODULES', json.dumps(sorted(sys.modules)))
"""


def packages_imported_by_cli(*args: str) -> set[str]:
    """The top-level packages a fresh process has imported after ``lrplot ARGS`` succeeds."""
    return {name.split(".")[0] for name in modules_imported_by_cli(*args)}


def modules_imported_by_cli(*args: str) -> set[str]:
    """The modules a fresh process has imported after ``lrplot ARGS`` succeeds."""
    import json

    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(list(args))], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("MODULES "))
    return set(json.loads(line[len("MODULES ") :]))


def invoke(*args: object) -> Result:
    """``lrplot ARGS`` run in this process, as Typer's test runner runs it."""
    from typer.testing import CliRunner

    from lrplot.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args])
