"""lrplot: see the learning rate a PyTorch / HuggingFace run will use, step by step.

The public API. Nothing heavy is imported here: torch, numpy and matplotlib load
only when a trace is computed or drawn.

>>> import lrplot
>>> c = lrplot.curve("cosine", steps=3000, warmup=300)   # doctest: +SKIP
>>> lrplot.write_curve(c, "out")                          # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import (
    ConfigError,
    LrplotError,
    NoClosedFormError,
    OutputError,
    ParameterError,
    UnknownScheduleError,
    UsageError,
)
from .look import PRESETS, Look
from .options import RunOptions
from .params import REQUIRED, Param
from .registry import Registry, Schedule, ScheduleSpec
from .schedules import REGISTRY
from .trace import Trace
from .version import __version__
from .writers import read_csv

if TYPE_CHECKING:
    from .trainer_run import TrainerCurve

Curve = Trace  # the name of lrplot 0.1

__all__ = [
    "PRESETS",
    "REGISTRY",
    "REQUIRED",
    "ConfigError",
    "Curve",
    "Look",
    "LrplotError",
    "NoClosedFormError",
    "OutputError",
    "Param",
    "ParameterError",
    "Registry",
    "RunOptions",
    "Schedule",
    "ScheduleSpec",
    "Trace",
    "UnknownScheduleError",
    "UsageError",
    "__version__",
    "curve",
    "get_spec",
    "list_specs",
    "read_csv",
    "register",
    "resolve",
    "terminal_chart",
    "trainer_curve",
    "write_curve",
]

get_spec = REGISTRY.get
list_specs = REGISTRY.specs
register = REGISTRY.register
resolve = REGISTRY.resolve


def curve(
    schedule: str,
    steps: int,
    lr: float | Iterable[float] = 1.0,
    *,
    optimizer: str = "sgd",
    record: str = "before",
    engine: str = "torch",
    interval: str = "update",
    steps_per_epoch: int | None = None,
    **params: object,
) -> Trace:
    """Compute the trace of ``schedule``, by default through the real torch scheduler.

    Args:
        schedule: a name from ``lrplot list`` (or an alias).
        steps: how many values to record.
        lr: the initial lr, or one per param group.
        optimizer: ``sgd``, ``adam``, ``adamw``, ``rmsprop`` or ``adagrad``.
        record: ``before`` (last_epoch 0..N-1) or ``after`` each scheduler.step()
            (last_epoch 1..N).
        engine: ``torch`` (the real scheduler) or ``numpy`` (the same formulas on
            arrays, for closed-form schedules; no torch import).
        interval: ``update`` (step the scheduler every optimizer update) or
            ``epoch`` (once every ``steps_per_epoch`` updates).
        **params: the schedule's own parameters, e.g. ``warmup=300``.
    """
    from . import engines

    options = RunOptions.check(optimizer, record, engine, interval, steps_per_epoch)
    return engines.run(REGISTRY.resolve(schedule, steps, lr, params, options.updates_per_step), options)


def trainer_curve(
    args: Mapping[str, object],
    dataset_size: int | None = None,
    batches_per_epoch: int | None = None,
    world_size: int | None = None,
    *,
    even_batches: bool | None = None,
    split_batches: bool | None = None,
    engine: str = "torch",
) -> TrainerCurve:
    """The lr of every optimizer update an HF ``Trainer`` run with TrainingArguments ``args`` will take.

    ``args`` maps field names to values, as ``TrainingArguments.to_dict()`` gives them; ``dataset_size``
    (training examples) or ``batches_per_epoch`` is needed unless ``max_steps`` > 0; ``world_size``
    processes (default 1) share the batches as accelerate does (``even_batches``, ``split_batches``:
    default ``accelerator_config``'s, else true and false). The result has the plan (``.plan``: total,
    warmup and per-epoch updates, notes) and the values (``.trace``).
    """
    from .trainer_run import trainer_curve as curve_of

    return curve_of(
        args, dataset_size, batches_per_epoch, world_size, even_batches=even_batches, split_batches=split_batches,
        engine=engine,
    )  # fmt: skip


def write_curve(
    trace: Trace,
    out_dir: str | os.PathLike[str] = ".",
    formats: Iterable[str] | None = None,
    stem: str | None = None,
    title: str | None = None,
    log_y: bool = False,
    every: int = 1,
    look: Look | None = None,
) -> list[Path]:
    """Write ``trace`` as ``OUT_DIR/STEM.FORMAT`` for each format; the paths written.

    Args:
        formats: any of png, csv, svg, pdf, json, py, html (default: png and csv); ``term``
            writes no file: :func:`terminal_chart` gives its text.
        stem: the file name without extension (default: the schedule's name).
        title: the figure's title (default: the schedule and its parameters).
        every: keep one row in ``every`` in the CSV and JSON.
        look: the figure's size, dpi, fonts, x scale and range (:class:`lrplot.look.Look`).
    """
    from .api import write
    from .cli.commandline import CLI_SPELLING  # the command in the CSV is a command line
    from .figures import TraceDocument

    document = TraceDocument(trace, stem, title, log_y, every, CLI_SPELLING, look or Look())
    return write(document, out_dir, formats)


def terminal_chart(
    trace: Trace, width: int = 80, height: int = 20, color: bool = False, title: str | None = None, log_y: bool = False
) -> str:
    """``trace``'s figure as ``--format term`` draws it: braille text ``width`` characters wide,
    each chart ``height`` lines (a legend adds a line a curve); ``color`` adds ANSI colours."""
    from .figures import TraceDocument
    from .formats import screen_text

    return screen_text(TraceDocument(trace, title=title, log_y=log_y), width, height, color)
