"""The code behind a curve: ``--format py`` writes a short script that rebuilds it with torch.

The script builds each schedule's real scheduler on a dummy model's optimizer
(``transformers.get_scheduler`` for transformers' schedules when it is installed,
else ``LambdaLR`` over the same multiplier written out), steps it with lrplot's
step convention and writes the CSV lrplot wrote, byte for byte
(tests/test_scripts.py runs every kind). It imports nothing of lrplot: the
metadata lines are copied in as lrplot wrote them, every value is computed anew.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .errors import ParameterError
from .expression import compile_formula
from .laws import Composition, Law, Multipliers, Plateau, TorchScheduler, UserFactory, cycles_momentum
from .params import file_path
from .registry import Schedule
from .trace import Trace
from .writers import METADATA_PREFIX

INDENT = "    "


def script(document: object) -> str:
    """The script of a schedule's document or of a figure's (``compare``, ``render``)."""
    from .figures import RenderedFigure, TraceDocument

    if isinstance(document, TraceDocument):
        return _script(document.name, {"": document.trace}, document.every, _head(document))
    if isinstance(document, RenderedFigure):
        if document.resumed is not None:
            raise ParameterError("format", "py: a resumed run (resume_steps) is not written as a script yet")
        return _script(document.name, document.curves, 1, _head(document))
    raise ParameterError("format", "py: only schedule commands, compare and render write a script yet")


def _head(document: object) -> str:
    """The CSV's first two lines, as lrplot's writer makes them."""
    metadata = document.metadata()  # type: ignore[attr-defined]
    return f"{METADATA_PREFIX}{json.dumps(metadata)}\n# {document.convention}\n"  # type: ignore[attr-defined]


def _script(name: str, traces: Mapping[str, Trace], every: int, head: str) -> str:
    first = next(iter(traces.values()))
    options = first.options
    if options.engine != "torch":
        raise ParameterError(
            "format", "py: the script steps torch, whose values may differ in the last bit from the numpy "
            "engine's: use engine torch", mentions=("engine",),
        )  # fmt: skip
    builders: list[str] = []
    curves = []
    for i, (label, trace) in enumerate(traces.items(), 1):
        schedule = trace.schedule
        function = _identifier(schedule.spec.name if len(traces) == 1 else f"curve_{i}")
        _builder(schedule, function, builders, f"{label}: " if label else "")
        law = schedule.law()
        metrics = (
            list(law.metrics[: -(-schedule.steps // options.updates_per_step)]) if isinstance(law, Plateau) else None
        )
        curves.append(f"    {label!r}: ({function}, {list(schedule.lrs)!r}, {metrics!r}, {cycles_momentum(law)!r}),")
    command = first.metadata().get("command") or ""
    transformers = any(
        "get_scheduler is not None" in b for b in builders
    )  # the import check, only where transformers builds a schedule
    parts = [
        _docstring(name, traces, command) + "\n" + IMPORTS + (f"\n{TRANSFORMERS_IMPORT}" if transformers else ""),
        _constants(first, every, head),
        *builders,
        "# label -> (what builds its scheduler, the lr of each param group, the metrics fed, momentum read)\n"
        "CURVES = {\n" + "\n".join(curves) + "\n}",
        RUNTIME.strip("\n"),
    ]
    return "\n\n\n".join(part.strip("\n") for part in parts) + "\n"


def _docstring(name: str, traces: Mapping[str, Trace], command: object) -> str:
    what = f"`{command}`" if command and len(traces) == 1 else ", ".join(t.schedule.text() for t in traces.values())
    return (
        f'"""Rebuilds {name}.csv with torch: {what}.\n\n'
        f"    python {name}.py            prints the CSV\n"
        f"    python {name}.py OUT.csv    writes it to OUT.csv\n\n"
        "Each scheduler is built on a dummy model's optimizer and read with get_last_lr(), as lrplot\n"
        'reads it; the rows equal lrplot\'s CSV byte for byte (its first two lines are copied in as HEAD).\n"""\n'
    )


IMPORTS = """import csv
import io
import math  # noqa: F401  (the formulas use it)
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


def _constants(trace: Trace, every: int, head: str) -> str:
    options = trace.options
    optimizer = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad"}
    steps = trace.schedule.steps
    lines = [
        f"STEPS = {steps}  # values recorded (CSV rows, before EVERY)",
        f"OPTIMIZER = torch.optim.{optimizer[options.optimizer]}",
        f"RECORD = {options.record!r}  # read get_last_lr() before each scheduler.step(), or after it",
        f"UPDATES_PER_STEP = {options.updates_per_step}  # optimizer updates per scheduler step (once an epoch: K)",
        f"EVERY = {every}  # keep one row in EVERY",
        f"HEAD = {head!r}",
    ]
    return "\n".join(lines) + "\n"


def _identifier(name: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "_" for c in name)


def _builder(schedule: Schedule, function: str, out: list[str], label: str) -> None:
    """Append ``def FUNCTION(optimizer)``, which builds ``schedule``'s scheduler (children first)."""
    law = schedule.law()
    body = _body(schedule, law, function, out)
    doc = f'{INDENT}"""{label}{schedule.text()}"""'.replace("\\", "\\\\")
    out.append(f"def {function}(optimizer):\n{doc}\n" + "\n".join(INDENT + line if line else "" for line in body))


def _body(schedule: Schedule, law: Law, function: str, out: list[str]) -> list[str]:
    spec = schedule.spec
    if isinstance(law, Multipliers):
        return _multiplier(schedule)
    if isinstance(law, TorchScheduler):
        kwargs = dict(law.kwargs)
        if law.class_name == "MultiplicativeLR":  # its lr_lambda: a constant factor, one per group or shared
            factors = schedule.values["factor"]
            assert isinstance(factors, tuple)
            lambdas = [f"lambda step: {f!r}" for f in factors]
            lr_lambda = lambdas[0] if len(lambdas) == 1 else "[" + ", ".join(lambdas) + "]"
            return [f"return lr_scheduler.MultiplicativeLR(optimizer, lr_lambda={lr_lambda})"]
        return [f"return lr_scheduler.{law.class_name}(optimizer{_kwargs(kwargs)})"]
    if isinstance(law, Plateau):
        return [f"return lr_scheduler.ReduceLROnPlateau(optimizer{_kwargs(dict(law.kwargs))})"]
    if isinstance(law, UserFactory):
        return _users(law)
    assert isinstance(law, Composition)
    children = schedule.values["schedulers"]
    assert isinstance(children, tuple)
    names = []
    for i, child in enumerate(children, 1):
        assert isinstance(child, Schedule)
        names.append(f"{function}_{i}")
        _builder(child, names[-1], out, "")
    built = "[" + ", ".join(f"{n}(optimizer)" for n in names) + "]"
    if law.class_name == "SequentialLR":
        return [f"return lr_scheduler.SequentialLR(optimizer, {built}{_kwargs(dict(law.kwargs))})"]
    assert spec.name == "chained_scheduler"
    return [f"return lr_scheduler.ChainedScheduler({built}, optimizer=optimizer)"]


def _kwargs(kwargs: Mapping[str, object]) -> str:
    return "".join(f", {k}={_literal(v)}" for k, v in kwargs.items())


def _literal(value: object) -> str:
    if isinstance(value, tuple):
        return repr([_plain(v) for v in value])
    return repr(_plain(value))


def _plain(value: object) -> object:
    """A value as a plain Python literal: lists for tuples, dicts for mappings, str for paths."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, str):
        return str(value)
    return value


def _multiplier(schedule: Schedule) -> list[str]:
    """transformers' get_scheduler where it builds it, else LambdaLR over the formula written out."""
    spec = schedule.spec
    if spec.expression is None:  # a family that gives no formula for its multiplier
        raise ParameterError("format", f"py: {schedule.name} has no formula to write out (its spec's expression)")
    text, variables = spec.expression(schedule.values, schedule.lrs[0])
    formula = compile_formula(text, variables)
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
        arguments += f", scheduler_specific_kwargs={_literal(extra)}" if extra else ""
        lines += [
            "if get_scheduler is not None:",
            f"{INDENT}return get_scheduler({spec.get_scheduler!r}, optimizer{arguments})",
        ]
    names = [f"{k} = {float(v)!r}" for k, v in formula.variables.items()]
    lines += [
        "",
        *names,
        "",
        "def multiplier(step):",
        f"{INDENT}s = float(step)",
        f"{INDENT}return {formula.python()}",
        "",
        "return lr_scheduler.LambdaLR(optimizer, multiplier)",
    ]
    return lines if spec.get_scheduler else lines[1:]


def _users(law: UserFactory) -> list[str]:
    """Import the user's module as lrplot did, and call it the same way."""
    from . import user_code

    where, _, name = str(law.target).strip().rpartition(":")
    factory = user_code.load(law.target)
    kwargs = _kwargs(law.kwargs)
    if user_code.is_file(where):
        import os

        path = os.path.abspath(file_path(law.target).strip().rpartition(":")[0])
        load = [
            "import importlib.util",
            "",
            f"spec = importlib.util.spec_from_file_location('users_factory', {path!r})",
            "module = importlib.util.module_from_spec(spec)",
            f"sys.path.insert(0, {os.path.dirname(path)!r})  # it may import its neighbours",
            "spec.loader.exec_module(module)",
        ]
    else:
        load = ["import importlib", "import os", "", "sys.path.insert(0, os.getcwd())",
                f"module = importlib.import_module({where!r})"]  # fmt: skip
    call = f"module.{name}(optimizer{kwargs})" if user_code.takes_optimizer(factory) else f"module.{name}({kwargs[2:]})"
    return [
        *load,
        f"made = {call}",
        "if isinstance(made, lr_scheduler.LRScheduler):",
        f"{INDENT}return made",
        "return lr_scheduler.LambdaLR(optimizer, made)  # a step -> factor callable",
    ]


RUNTIME = '''
def make_optimizer(lrs):
    """A dummy model's optimizer: one param group per lr."""
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    return OPTIMIZER([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=lrs[0])


def run(build, lrs, metrics, momentum):
    """Step the scheduler ceil(STEPS / UPDATES_PER_STEP) times: the last_epoch of each reading, and columns."""
    optimizer = make_optimizer(lrs)
    scheduler = build(optimizer)
    readings = -(-STEPS // UPDATES_PER_STEP)
    first = getattr(scheduler, "last_epoch", 0) + (1 if RECORD == "after" else 0)
    lr_columns = [[] for _ in lrs]
    momenta = [[] for _ in lrs]
    for i in range(readings):
        if i or RECORD == "after":
            if metrics:  # ReduceLROnPlateau: the k-th step is fed the k-th metric
                scheduler.step(metrics[i - (RECORD == "before")])
            else:
                scheduler.step()
        for column, value in zip(lr_columns, scheduler.get_last_lr()):
            column.append(value)
        if momentum:  # SGD's momentum, or Adam's betas[0], as the scheduler sets it
            for column, group in zip(momenta, optimizer.param_groups):
                column.append(float(group["betas"][0] if "betas" in optimizer.defaults else group["momentum"]))
    columns = {("lr" if g == 0 else f"lr_group{g}"): values for g, values in enumerate(lr_columns)}
    if momentum:
        momenta = momenta[:1] if all(m == momenta[0] for m in momenta) else momenta  # one unless they differ
        columns.update({("momentum" if g == 0 else f"momentum_group{g}"): m for g, m in enumerate(momenta)})
    if metrics:
        columns["metric"] = metrics[:readings]
    return list(range(first, first + readings)), columns


def table():
    """The CSV's header and columns: the step axes, then each curve's columns."""
    header, columns = [], []
    for label, (build, lrs, metrics, momentum) in CURVES.items():
        steps, tracks = run(build, lrs, metrics, momentum)
        if not header:
            if UPDATES_PER_STEP == 1:
                header, columns = ["step"], [steps]
            else:  # one row per optimizer update, each reading its epoch's value
                updates = list(range(STEPS))
                epochs = [u // UPDATES_PER_STEP for u in updates]
                header, columns = ["update", "epoch", "step"], [updates, epochs, [steps[e] for e in epochs]]
        for name, values in tracks.items():
            header.append(name if not label else label if name == "lr" else f"{label}:{name}")
            columns.append(values if UPDATES_PER_STEP == 1 else [values[e] for e in columns[1]])
    return header, [column[::EVERY] for column in columns]


def main(argv):
    warnings.simplefilter("ignore")  # no optimizer.step() is taken, and torch would warn about the order
    header, columns = table()
    text = io.StringIO()
    text.write(HEAD)
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
'''
