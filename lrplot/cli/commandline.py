"""How the CLI spells a parameter (``--lr-end``) and the command that regenerates a trace.

No Typer here: the Python API writes the same ``command`` into its CSVs.
"""

from __future__ import annotations

import shlex

from ..params import text_of
from ..spelling import Spelling
from ..trace import Trace


def option_name(param: str) -> str:
    """The command-line spelling of a parameter: ``lr_end`` -> ``--lr-end``."""
    return "--" + param.replace("_", "-")


def command_line(trace: Trace) -> str:
    """The ``lrplot`` command line that makes the same values."""
    schedule = trace.schedule
    words = ["lrplot", schedule.name, "--steps", str(schedule.steps)]
    for lr in schedule.lrs:
        words += ["--lr", repr(lr)]
    for key, value in schedule.values.items():
        if value is not None:
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
