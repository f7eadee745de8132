"""How the CLI spells a parameter (``--lr-end``) and the command that regenerates a trace.

No Typer here: the Python API writes the same ``command`` into its CSVs.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING

from ..params import file_path, text_of
from ..spelling import Spelling
from ..trace import Trace

if TYPE_CHECKING:
    from ..trainer_run import TrainerCurve

# Parameters given as a command's arguments: a composition's children, a formula, a factory.
ARGUMENTS = {"schedulers": "SPEC", "expr": "EXPR", "target": "FACTORY"}


def option_name(param: str) -> str:
    """The command-line spelling of a parameter: ``lr_end`` -> ``--lr-end``."""
    return ARGUMENTS.get(param) or "--" + param.replace("_", "-")


def command_line(trace: Trace) -> str:
    """The ``lrplot`` command line that makes the same values."""
    schedule = trace.schedule
    words = ["lrplot", schedule.name]
    kinds = {p.name: p.kind for p in schedule.spec.params}
    arguments: list[str] = []
    for key, value in schedule.values.items():
        if kinds[key] == "schedules" and isinstance(value, tuple):  # the children: the command's arguments
            arguments += [child.text() for child in value]
        elif key in ARGUMENTS and value is not None:
            arguments.append(str(value))
    leading_dash = any(word.startswith("-") for word in arguments)  # '-s / T': after '--', or read as an option
    words += [] if leading_dash else arguments
    words += ["--steps", str(schedule.steps)]
    for lr in schedule.lrs:
        words += ["--lr", repr(lr)]
    for key, value in schedule.values.items():
        if value is None or kinds[key] == "schedules" or key in ARGUMENTS:
            continue
        if kinds[key] in ("variables", "assignments") and isinstance(value, dict):
            words += [word for k, v in value.items() for word in (option_name(key), f"{k}={text_of(v)}")]
        elif isinstance(value, bool):
            words.append(option_name(key) if value else f"--no-{option_name(key)[2:]}")
        elif kinds[key] == "floats" and isinstance(value, tuple):
            words += [word for v in value for word in (option_name(key), text_of(v))]
        elif kinds[key] == "file":  # a figure set's path is relative to the set: the command's, to here
            words += [option_name(key), file_path(value)]
        else:
            words += [option_name(key), text_of(value)]
    options = trace.options
    if options.optimizer != "sgd":
        words += ["--optimizer", options.optimizer]
    if options.record != "before":
        words += ["--record", options.record]
    if options.engine != "torch":
        words += ["--engine", options.engine]
    if options.interval != "update":
        words += ["--interval", options.interval, "--steps-per-epoch", str(options.steps_per_epoch)]
    words += ["--", *arguments] if leading_dash else []
    return " ".join(map(shlex.quote, words))


def trainer_command_line(curve: TrainerCurve) -> str:
    """The ``lrplot trainer`` command line that makes the same values, every field an option (no file)."""
    words = ["lrplot", "trainer"]
    for key, value in {**curve.plan.fields, **curve.plan.data}.items():
        if value is None or (key == "lr_scheduler_kwargs" and not value):
            continue
        if isinstance(value, bool):
            words.append(option_name(key) if value else f"--no-{option_name(key)[2:]}")
        elif isinstance(value, dict):
            words += [option_name(key), json.dumps(value)]
        else:
            words += [option_name(key), text_of(value)]
    if curve.trace.options.engine != "torch":
        words += ["--engine", curve.trace.options.engine]
    return " ".join(map(shlex.quote, words))


CLI_SPELLING = Spelling(option=option_name, command=command_line)
