"""How the CLI spells a parameter (``--lr-end``) and the command that regenerates a trace.

No Typer here: the Python API writes the same ``command`` into its CSVs.
"""

from __future__ import annotations

import shlex

from ..params import file_path, text_of
from ..spelling import Spelling
from ..trace import Trace

ARGUMENTS = {"schedulers": "SPEC"}  # parameters given as a command's arguments: a composition's children


def option_name(param: str) -> str:
    """The command-line spelling of a parameter: ``lr_end`` -> ``--lr-end``."""
    return ARGUMENTS.get(param) or "--" + param.replace("_", "-")


def command_line(trace: Trace) -> str:
    """The ``lrplot`` command line that makes the same values."""
    schedule = trace.schedule
    words = ["lrplot", schedule.name]
    kinds = {p.name: p.kind for p in schedule.spec.params}
    for key, value in schedule.values.items():
        if kinds[key] == "schedules" and isinstance(value, tuple):  # the children: the command's arguments
            words += [child.text() for child in value]
    words += ["--steps", str(schedule.steps)]
    for lr in schedule.lrs:
        words += ["--lr", repr(lr)]
    for key, value in schedule.values.items():
        if value is None or kinds[key] == "schedules":
            continue
        if isinstance(value, bool):
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
    return " ".join(map(shlex.quote, words))


CLI_SPELLING = Spelling(option=option_name, command=command_line)
