"""How the CLI spells a parameter (``--lr-end``) and the command that regenerates a trace.

No Typer here: the Python API writes the same ``command`` into its CSVs.
"""

from __future__ import annotations

from ..schedules import REGISTRY
from ..spelling import Spelling
from ..trace import Trace


def option_name(param: str) -> str:
    """The command-line spelling of a parameter: ``lr_end`` -> ``--lr-end``."""
    return "--" + param.replace("_", "-")


def command_line(trace: Trace) -> str:
    """The ``lrplot`` command line that makes the same values."""
    values = trace.schedule.describe()
    del values["schedule"]
    words = ["lrplot", REGISTRY.command_name(trace.schedule.spec), "--steps", str(values.pop("steps"))]
    for lr in trace.schedule.lrs:
        words += ["--lr", repr(lr)]
    del values["lr"]
    for key, value in values.items():
        if value is not None:
            words += [option_name(key), repr(value) if isinstance(value, float) else str(value)]
    options = trace.options
    if options.optimizer != "sgd":
        words += ["--optimizer", options.optimizer]
    if options.record != "before":
        words += ["--record", options.record]
    if options.engine != "torch":
        words += ["--engine", options.engine]
    return " ".join(words)


CLI_SPELLING = Spelling(option=option_name, command=command_line)
