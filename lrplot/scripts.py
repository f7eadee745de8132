"""The code behind a curve: ``--format py`` writes a short script that rebuilds it with torch.

The script builds each schedule's real scheduler on a dummy model's optimizer
(``transformers.get_scheduler`` for transformers' schedules when it is installed,
else ``LambdaLR`` over the same multiplier written out), steps it with lrplot's
step convention and writes the CSV lrplot wrote, byte for byte
(tests/test_scripts.py runs every kind). It imports nothing of lrplot: the
metadata is copied in as lrplot wrote it, every value is computed anew.

Every text that comes from the user (a label, a path, a formula) reaches the
script as a Python literal or as source generated from a checked tree, never as
code of its own.
"""

from __future__ import annotations

import os
import pprint
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import ParameterError
from .expression import compile_formula
from .laws import Composition, Law, Multipliers, Plateau, TorchScheduler, UserFactory, cycles_momentum
from .options import OPTIMIZER_CLASSES
from .params import file_path
from .registry import Schedule
from .trace import Trace

if TYPE_CHECKING:
    from .formats import Document

INDENT = "    "


def script(document: Document) -> str:
    """The script of a schedule's document or of a figure's (``compare``, ``render``)."""
    from .figures import RenderedFigure, TraceDocument

    if isinstance(document, TraceDocument):
        return _script(document, {"": document.trace}, document.every)
    if isinstance(document, RenderedFigure):
        if document.resumed is not None:
            raise ParameterError("format", "py: a resumed run (resume_steps) is not written as a script yet")
        return _script(document, document.curves, 1)
    raise ParameterError("format", "py: only schedule commands, compare and render write a script yet")


@dataclass
class _Source:
    """What the builders wrote, and what the rest of the script then needs."""

    functions: list[str] = field(default_factory=list)
    transformers: bool = False  # a builder calls get_scheduler
    formulas: bool = False  # a multiplier uses math


def _script(document: Document, traces: Mapping[str, Trace], every: int) -> str:
    first = next(iter(traces.values()))
    options = first.options
    if options.engine != "torch":
        raise ParameterError(
            "format", "py: the script steps torch, whose values may differ in the last bit from the numpy "
            "engine's: use engine torch", mentions=("engine",),
        )  # fmt: skip
    source = _Source()
    curves: list[tuple[str, str, list[float], list[float] | None, bool]] = []
    for i, (label, trace) in enumerate(traces.items(), 1):
        schedule = trace.schedule
        function = schedule.spec.name if len(traces) == 1 else f"curve_{i}"
        _builder(schedule, function, source, label)
        law = schedule.law()
        readings = -(-schedule.steps // options.updates_per_step)
        metrics = list(law.metrics[:readings]) if isinstance(law, Plateau) else None
        curves.append((label, function, list(schedule.lrs), metrics, cycles_momentum(law)))
    momentum = any(curve[-1] for curve in curves)
    entries = [f"{INDENT}{c[0]!r}: ({', '.join(map(str, c[1:] if momentum else c[1:-1]))})," for c in curves]
    plateau = any(metrics is not None for _, _, _, metrics, _ in curves)
    metadata = document.metadata()
    imports = IMPORTS.replace("import math\n", "import math\n" if source.formulas else "")
    docstring, made_by = _docstring(document.name, traces, metadata.get("command"))
    convention = document.convention
    parts = [
        docstring + imports,
        TRANSFORMERS_IMPORT if source.transformers else "",
        f"MADE_BY = {made_by!r}\n" + _constants(first, every, metadata, convention),
        *source.functions,
        f"# label -> (what builds its scheduler, the lr of each param group, the metrics it is fed"
        f"{', whether it sets the momentum' if momentum else ''})\n" + "CURVES = {\n" + "\n".join(entries) + "\n}",
        _runtime(momentum, plateau, options.updates_per_step > 1, every > 1),
    ]
    return "\n\n\n".join(part.strip("\n") for part in parts if part) + "\n"


def _docstring(name: str, traces: Mapping[str, Trace], command: object) -> tuple[str, str]:
    """The module docstring, and what made the CSV (a literal for MADE_BY: no text of it ends the docstring)."""
    what = f"`{command}`" if isinstance(command, str) else ", ".join(t.schedule.text() for t in traces.values())
    return (
        f'"""Rebuilds {name}.csv with torch, as lrplot drew it.\n\n'
        f"    python {name}.py            prints the CSV\n"
        f"    python {name}.py OUT.csv    writes it to OUT.csv\n\n"
        "Each scheduler is built on a dummy model's optimizer and read with get_last_lr(), as lrplot\n"
        'reads it; the rows equal lrplot\'s CSV byte for byte (its metadata lines are copied in).\n"""\n\n'
    ), what


IMPORTS = """import csv
import io
import json
import math
import sys
import warnings

import torch
from torch.optim import lr_scheduler
"""
TRANSFORMERS_IMPORT = """try:  # transformers' own schedule, where it is installed
    from transformers import get_scheduler
except ImportError:  # else the same multiplier, written out below (torch only)
    get_scheduler = None
"""


def _constants(trace: Trace, every: int, metadata: Mapping[str, object], convention: str) -> str:
    options = trace.options
    lines = [
        f"STEPS = {trace.schedule.steps}  # values recorded (CSV rows, before EVERY)",
        f"OPTIMIZER = torch.optim.{OPTIMIZER_CLASSES[options.optimizer]}",
        f"RECORD = {options.record!r}  # read get_last_lr() before each scheduler.step(), or after it",
    ]
    if options.updates_per_step > 1:
        lines.append(f"UPDATES_PER_STEP = {options.updates_per_step}  # the scheduler steps once an epoch of these")
    if every > 1:
        lines.append(f"EVERY = {every}  # keep one row in EVERY")
    lines += [
        "# lrplot's metadata and step convention, the CSV's first two lines",
        f"METADATA = {pprint.pformat(_plain(metadata), sort_dicts=False, width=110)}",
        f"CONVENTION = {convention!r}",
    ]
    return "\n".join(lines) + "\n"


def _builder(schedule: Schedule, function: str, source: _Source, label: str = "") -> None:
    """Add ``def FUNCTION(optimizer)``, which builds ``schedule``'s scheduler (children first)."""
    law = schedule.law()
    body = _body(schedule, law, function, source)
    what = f"{label}: {schedule.text()}" if label else schedule.text()
    lines = [f"def {function}(optimizer):", INDENT + _doc(what), *(INDENT + line if line else "" for line in body)]
    source.functions.append("\n".join(lines))


def _doc(text: str) -> str:
    """A one-line docstring of ``text``: triple-quoted where that is safe, else a plain literal."""
    safe = '"""' not in text and "\\" not in text and "\n" not in text and not text.endswith('"')
    return f'"""{text}"""' if safe else repr(text)


def _body(schedule: Schedule, law: Law, function: str, source: _Source) -> list[str]:
    if isinstance(law, Multipliers):
        return _multiplier(schedule, function, source)
    if isinstance(law, TorchScheduler):
        if law.class_name == "MultiplicativeLR":  # its lr_lambda: a constant factor, one per group or shared
            factors = schedule.values["factor"]
            assert isinstance(factors, tuple)
            lambdas = [f"lambda step: {f!r}" for f in factors]
            lr_lambda = lambdas[0] if len(lambdas) == 1 else "[" + ", ".join(lambdas) + "]"
            return [f"return lr_scheduler.MultiplicativeLR(optimizer, lr_lambda={lr_lambda})"]
        return [f"return lr_scheduler.{law.class_name}(optimizer{_kwargs(law.kwargs)})"]
    if isinstance(law, Plateau):
        return [f"return lr_scheduler.ReduceLROnPlateau(optimizer{_kwargs(law.kwargs)})"]
    if isinstance(law, UserFactory):
        return _users(law)
    assert isinstance(law, Composition)
    children = schedule.values["schedulers"]
    assert isinstance(children, tuple)
    names = []
    for i, child in enumerate(children, 1):
        assert isinstance(child, Schedule)
        names.append(f"{function}_{i}")
        _builder(child, names[-1], source)
    built = "[" + ", ".join(f"{n}(optimizer)" for n in names) + "]"
    if law.class_name == "SequentialLR":
        return [f"return lr_scheduler.SequentialLR(optimizer, {built}{_kwargs(law.kwargs)})"]
    return [f"return lr_scheduler.ChainedScheduler({built}, optimizer=optimizer)"]


def _kwargs(kwargs: Mapping[str, object]) -> str:
    """``, key=value...``; keys are parameter names of torch's, or checked ASCII names (a factory's kw)."""
    return "".join(f", {k}={_plain(v)!r}" for k, v in kwargs.items())


def _plain(value: object) -> object:
    """A value as a plain Python literal: lists for tuples, dicts for mappings, str for paths."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str):
        return str(value)
    return value


def _multiplier(schedule: Schedule, function: str, source: _Source) -> list[str]:
    """transformers' get_scheduler where it builds it, else LambdaLR over the formula written out."""
    spec = schedule.spec
    if spec.expression is None:  # a family that gives no formula for its multiplier
        raise ParameterError("format", f"py: {schedule.name} has no formula to write out (its spec's expression)")
    text, variables = spec.expression(schedule.values, schedule.lrs[0])
    formula = compile_formula(text, variables)
    # The multiplier is a function of its own: its variables are its locals, apart from the builder's names.
    names = [f"{INDENT}{k} = {float(v)!r}" for k, v in formula.variables.items()]
    source.functions.append(
        "\n".join(
            [
                f"def {function}_multiplier(step):",
                *names,
                f"{INDENT}s = float(step)",
                f"{INDENT}return {formula.python()}",
            ]
        )  # fmt: skip
    )
    source.formulas = True
    lines = []
    if spec.get_scheduler:
        from .schedules.transformers import GET_SCHEDULER_KWARGS

        values = schedule.values
        given = {"num_warmup_steps": values["warmup"]} if "warmup" in values else {}
        if "training_steps" in values:
            given["num_training_steps"] = values["training_steps"]
        extra = {
            GET_SCHEDULER_KWARGS.get(k, k): v
            for k, v in values.items()
            if k not in ("warmup", "training_steps") and v is not None
        }
        arguments = "".join(f", {k}={v!r}" for k, v in given.items())
        arguments += f", scheduler_specific_kwargs={_plain(extra)!r}" if extra else ""
        lines = [
            "if get_scheduler is not None:",
            f"{INDENT}return get_scheduler({spec.get_scheduler!r}, optimizer{arguments})",
        ]
        source.transformers = True
    return [*lines, f"return lr_scheduler.LambdaLR(optimizer, {function}_multiplier)"]


def _users(law: UserFactory) -> list[str]:
    """Import the user's module as lrplot did, and call it the same way."""
    from . import user_code

    where, _, name = str(law.target).strip().rpartition(":")
    factory = user_code.load(law.target)
    if user_code.is_file(where):
        path = os.path.abspath(file_path(law.target).strip().rpartition(":")[0])
        load = [
            "import importlib.util",
            "",
            f"sys.path.insert(0, {os.path.dirname(path)!r})  # the file may import its neighbours",
            f"spec = importlib.util.spec_from_file_location('users_factory', {path!r})",
            "module = importlib.util.module_from_spec(spec)",
            "spec.loader.exec_module(module)",
        ]
    else:
        load = ["import importlib", "", f"sys.path.insert(0, {os.getcwd()!r})  # where lrplot imported it from",
                f"module = importlib.import_module({where!r})"]  # fmt: skip
    kwargs = _kwargs(law.kwargs)
    call = f"module.{name}(optimizer{kwargs})" if user_code.takes_optimizer(factory) else f"module.{name}({kwargs[2:]})"
    return [
        *load,
        f"made = {call}",
        "if isinstance(made, lr_scheduler.LRScheduler):",
        f"{INDENT}return made",
        "return lr_scheduler.LambdaLR(optimizer, made)  # a step -> factor callable",
    ]


def _runtime(momentum: bool, plateau: bool, per_epoch: bool, every: bool) -> str:
    """The stepping and writing, with only the parts this script's curves use."""
    lines = RUN_HEAD.format(momentum=", momentum" if momentum else "")
    lines += "    readings = -(-STEPS // UPDATES_PER_STEP)\n" if per_epoch else "    readings = STEPS\n"
    lines += RUN_LOOP.format(momenta="    momenta = [[] for _ in lrs]\n" if momentum else "")
    lines += RUN_STEP_PLATEAU if plateau else "            scheduler.step()\n"
    lines += RUN_READ
    lines += RUN_MOMENTUM if momentum else ""
    lines += '    columns = {("lr" if g == 0 else f"lr_group{g}"): v for g, v in enumerate(lr_columns)}\n'
    lines += RUN_MOMENTUM_COLUMNS if momentum else ""
    lines += '    if metrics:\n        columns["metric"] = metrics[:readings]\n' if plateau else ""
    lines += "    return list(range(first, first + readings)), columns\n"
    table = TABLE.format(
        unpack="build, lrs, metrics, momentum" if momentum else "build, lrs, metrics",
        run="build, lrs, metrics, momentum" if momentum else "build, lrs, metrics",
        axes=TABLE_EPOCH_AXES if per_epoch else '            header, columns = ["step"], [steps]\n',
        values="[values[e] for e in columns[1]]" if per_epoch else "values",
        kept="[column[::EVERY] for column in columns]" if every else "columns",
    )
    return MAKE_OPTIMIZER + "\n\n" + lines + "\n\n" + table + "\n\n" + MAIN


MAKE_OPTIMIZER = '''def make_optimizer(lrs):
    """A dummy model's optimizer: one param group per lr."""
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    return OPTIMIZER([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=lrs[0])
'''
RUN_HEAD = '''def run(build, lrs, metrics{momentum}):
    """Step the scheduler and read it: the last_epoch of each reading, and the columns read."""
    optimizer = make_optimizer(lrs)
    scheduler = build(optimizer)
'''
RUN_LOOP = """    first = getattr(scheduler, "last_epoch", 0) + (1 if RECORD == "after" else 0)
    lr_columns = [[] for _ in lrs]
{momenta}    for i in range(readings):
        if i or RECORD == "after":
"""
RUN_STEP_PLATEAU = """            if metrics:  # ReduceLROnPlateau: the k-th step is fed the k-th metric
                scheduler.step(metrics[i - (RECORD == "before")])
            else:
                scheduler.step()
"""
RUN_READ = """        for column, value in zip(lr_columns, scheduler.get_last_lr()):
            column.append(value)
"""
RUN_MOMENTUM = """        if momentum:  # SGD's momentum, or Adam's betas[0], as the scheduler sets it
            for column, group in zip(momenta, optimizer.param_groups):
                column.append(float(group["betas"][0] if "betas" in optimizer.defaults else group["momentum"]))
"""
RUN_MOMENTUM_COLUMNS = """    if momentum:  # one column unless the groups differ
        momenta = momenta[:1] if all(m == momenta[0] for m in momenta) else momenta
        columns.update({("momentum" if g == 0 else f"momentum_group{g}"): m for g, m in enumerate(momenta)})
"""
TABLE_EPOCH_AXES = """            updates = list(range(STEPS))  # a row per update, each reading its epoch's value
            epochs = [u // UPDATES_PER_STEP for u in updates]
            header, columns = ["update", "epoch", "step"], [updates, epochs, [steps[e] for e in epochs]]
"""
TABLE = '''def table():
    """The CSV's header and columns: the step axes, then each curve's columns."""
    header, columns = [], []
    for label, ({unpack}) in CURVES.items():
        steps, tracks = run({run})
        if not header:
{axes}        for name, values in tracks.items():
            header.append(name if not label else label if name == "lr" else f"{{label}}:{{name}}")
            columns.append({values})
    return header, {kept}
'''
MAIN = """def main(argv):
    # No optimizer.step() is taken (torch would warn of the order), and SequentialLR passes its
    # children an epoch (torch would warn it is deprecated).
    warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler.step\\(\\)`|The epoch parameter")
    header, columns = table()
    text = io.StringIO()
    text.write(f"# lrplot: {json.dumps(METADATA)}\\n# {CONVENTION}\\n")
    csv.writer(text, lineterminator="\\n").writerow(header)
    for row in zip(*columns):
        text.write(",".join(map(repr, row)) + "\\n")
    if argv:
        with open(argv[0], "w", encoding="utf-8", newline="") as f:
            f.write(text.getvalue())
    else:
        sys.stdout.write(text.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
"""
