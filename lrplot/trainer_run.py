"""A Trainer run's curve: the lr of every optimizer update, its files, and a check against a real run.

:func:`trainer_curve` turns TrainingArguments into a :class:`~lrplot.trainer.TrainerPlan`
and runs its schedule (the same registry schedule a schedule command runs, so
the values are exactly lrplot's), one value per update. :class:`TrainerDocument`
writes it; :func:`read_logged` and :func:`first_mismatch` compare it with the
``log_history`` of a ``trainer_state.json``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from . import engines, figure_model
from .errors import ConfigError, LrplotError, ParameterError
from .figure_model import Artist, FigureModel, Legend, Line, Panel, Points, VLine
from .hf_args import read_json_file
from .limits import MAX_MAGNITUDE, is_number, shown
from .look import DEFAULT_DPI, Look
from .options import RunOptions
from .params import text_of
from .schedules import REGISTRY
from .trace import Trace
from .trainer import TRAINER_NAMES, TRANSFORMERS_VERSION, TrainerPlan, counted, plan
from .trainer_fields import Where
from .writers import Table

RELATIVE_TOLERANCE = 1e-12  # a logged lr matches the prediction within this
CONVENTION = (
    "one row per optimizer update: update k is Trainer's global step k, lr the lr that update used "
    "(get_last_lr() before its scheduler.step(), what Trainer logs at step k); step = scheduler.last_epoch "
    "then (k - 1); epoch = state.epoch after the update"
)


@dataclass(frozen=True)
class TrainerCurve:
    """A Trainer run's plan and the lr of each of its updates.

    ``trace`` has the axes ``update`` (1..total), ``epoch`` (``state.epoch``
    after each update, when the data size is known) and ``step`` (the
    scheduler's ``last_epoch`` when the update's lr was read).
    """

    plan: TrainerPlan
    trace: Trace

    @property
    def warnings(self) -> tuple[str, ...]:
        """The plan's notes, then what the schedule and its values show (the plan says warmup's own)."""
        schedule = tuple(w for w in self.trace.schedule.warnings if not w.startswith("warmup ("))
        return self.plan.notes + schedule + self.trace.warnings

    def summary(self) -> list[str]:
        """What the run will do, in a few lines."""
        p, lr = self.plan, self.trace.lr
        per_epoch = (
            f", {p.updates_per_epoch} an epoch"
            if p.updates_per_epoch is not None
            else " (epochs unknown: no data size)"
        )
        batches = ""
        if p.batches_per_epoch is not None:
            partial = p.batches_per_epoch % p.accumulation
            last = f"; each epoch's last update takes {partial} of {p.accumulation}" if partial else ""
            batches = f" ({counted(p.batches_per_epoch, 'batch')} per process{last})"
        lines = [
            f"updates: {p.total} in all{per_epoch}{batches}",
            f"warmup: {counted(p.warmup, 'update')}"
            if "warmup" in p.params
            else f"warmup: none ({p.schedule} has none)",
            f"lr: peak {float(lr.max()):.6g}, final {float(lr[-1]):.6g} (update {p.total})",
        ]
        logged = p.logged_updates()
        if logged:
            where = f"update{'s' if len(logged) > 1 else ''} {_ranges(logged)}"
            lines.append(f"logged: {counted(len(logged), 'value')}, at {where}")
        return lines


def trainer_curve(
    args: Mapping[str, object],
    dataset_size: int | None = None,
    batches_per_epoch: int | None = None,
    world_size: int | None = None,
    *,
    even_batches: bool | None = None,
    split_batches: bool | None = None,
    engine: str = "torch",
    origin: Mapping[str, str] | None = None,
) -> TrainerCurve:
    """The lr of every optimizer update of a ``Trainer`` run with TrainingArguments ``args``.

    Args:
        args: TrainingArguments fields (names as Trainer spells them); the
            scheduling ones are read, the rest ignored.
        dataset_size: training examples (needed unless ``max_steps`` > 0).
        batches_per_epoch: instead of ``dataset_size``, the batches each process takes an epoch.
        world_size: data-parallel processes (default 1).
        even_batches, split_batches: accelerate's settings (default:
            ``accelerator_config``'s, else true and false).
        engine: ``torch`` (the real LambdaLR) or ``numpy``.
        origin: the file each field was read from, for messages.
    """
    data = {
        "dataset_size": dataset_size, "batches_per_epoch": batches_per_epoch, "world_size": world_size,
        "even_batches": even_batches, "split_batches": split_batches,
    }  # fmt: skip
    the_plan = plan(args, data, origin)
    where = Where(origin or {})
    options = RunOptions.check(engine=engine)
    try:
        schedule = REGISTRY.resolve(the_plan.schedule, the_plan.total, [the_plan.learning_rate], the_plan.params)
        trace = engines.run(schedule, options)
    except ParameterError as e:
        raise _in_trainers_words(e, the_plan, where) from None
    return TrainerCurve(the_plan, _per_update(trace, the_plan))


def _in_trainers_words(e: ParameterError, the_plan: TrainerPlan, where: Where) -> LrplotError:
    """An error of the schedule or the run, named by the field it comes from, in Trainer's words."""
    reason = e.reason_as(lambda name: TRAINER_NAMES.get(name, name))
    if e.param == "lr":
        return where.error("learning_rate", reason)
    if e.param == "warmup":
        return where.error("warmup_steps", f"{the_plan.warmup} warmup updates of {the_plan.total}: {reason}")
    if e.param == "training_steps" and "warmup" in reason:  # warmup_steps is what decides it
        return where.error("warmup_steps", f"{the_plan.warmup} of the {the_plan.total} updates: the total {reason}")
    if e.param in ("training_steps", "steps"):
        source = "max_steps" if _positive(the_plan.fields["max_steps"]) else "dataset_size"
        return where.error(source, f"{the_plan.total} updates: {reason}")
    key = TRAINER_NAMES.get(e.param, e.param)
    if key == "num_decay_steps" and "needs it" in reason:
        reason = f"{the_plan.schedule} needs it: a whole number of updates"
    return where.error("lr_scheduler_kwargs", f"{key}: {reason}")


def _positive(value: object) -> bool:
    return isinstance(value, int) and value > 0


def _per_update(trace: Trace, the_plan: TrainerPlan) -> Trace:
    """The trace on Trainer's axes: update k (1-based) read the lr at last_epoch k - 1."""
    import numpy as np

    steps = trace.steps
    axes = {"update": steps + 1}
    if the_plan.batches_per_epoch is not None and the_plan.updates_per_epoch is not None:
        epoch, within = np.divmod(steps, the_plan.updates_per_epoch)
        batches = np.minimum((within + 1) * the_plan.accumulation, the_plan.batches_per_epoch)
        axes["epoch"] = epoch + batches / the_plan.batches_per_epoch  # the same float operations as Trainer's
    axes["step"] = steps
    return replace(trace, axes=axes)


# Files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainerDocument:
    """A Trainer curve as files: ``trainer.csv`` (one row per update) and its figure."""

    curve: TrainerCurve
    stem: str = "trainer"
    title: str | None = None
    log_y: bool = False
    logged: Mapping[int, float] | None = None  # a real run's logged lr, overlaid
    command: str | None = None  # the command line that regenerates the files
    look: Look = Look()
    columns_key = None

    @property
    def name(self) -> str:
        return self.stem

    @property
    def convention(self) -> str:
        return CONVENTION

    def metadata(self) -> dict[str, object]:
        p = self.curve.plan
        meta: dict[str, object] = {
            "trainer": {"transformers_arithmetic": TRANSFORMERS_VERSION, **p.fields, **p.data},
            "plan": {
                "total_updates": p.total,
                "updates_per_epoch": p.updates_per_epoch,
                "batches_per_epoch": p.batches_per_epoch,
                "epochs": p.epochs,
                "warmup_updates": p.warmup,
                "logging_steps": p.logging_steps,
            },
            **self.curve.trace.metadata(),
        }
        meta.pop("record", None)  # the convention says it
        meta["step_convention"] = CONVENTION
        if self.command is not None:
            meta["command"] = self.command
        return meta

    def table(self) -> Table:
        trace = self.curve.trace
        return [*trace.axes, "lr"], [*trace.axes.values(), trace.lr]

    def figure(self) -> FigureModel:
        return trainer_figure(self.curve, self.title, self.log_y, self.logged, self.look)


def trainer_figure(
    curve: TrainerCurve,
    title: str | None = None,
    log_y: bool = False,
    logged: Mapping[int, float] | None = None,
    look: Look | None = None,
) -> FigureModel:
    """The lr over updates, epoch boundaries and an epoch axis, warmup's end, and the logged values."""
    look = look or Look()
    size = look.figsize or figure_model.FIGSIZE
    import numpy as np

    p, trace = curve.plan, curve.trace
    updates, tracks = figure_model.cut(trace, look.xlim)  # a zoom is thinned anew, and refused off the run
    drawn = figure_model.line(updates, tracks[("lr", 0)], "lr of each update", color="C0")
    x, y = drawn.x, drawn.y
    artists: list[Artist] = []
    if p.updates_per_epoch is not None and p.total // p.updates_per_epoch <= figure_model.MAX_EPOCH_MARKS:
        marks = range(p.updates_per_epoch, p.total, p.updates_per_epoch)
        artists += [VLine(float(m), color="0.6", linestyle=":", linewidth=0.8) for m in marks]
    artists.append(drawn)
    if p.total <= 3:  # a line of so few points is hardly one: mark each
        artists.append(Points(x, y, None, color="C0", marker=".", size=6))
    steps = np.asarray(p.logged_updates(), dtype=np.int64)
    if len(steps):
        stride = -(-len(steps) // MAX_LOG_MARKS)  # more marks would hide the curve
        shown = f"; 1 in {stride} marked" if stride > 1 else ""
        label = f"Trainer logs the lr of that update\n({_every(p)}{shown})"
        marked = np.unique(np.append(steps[::stride], steps[-1]))  # the last one always
        artists.append(Points(marked, trace.lr[marked - 1], label, color="C1", marker="o", size=4))
    if logged:
        steps = np.array(sorted(logged), dtype=np.int64)
        values = np.array([logged[int(s)] for s in steps])
        artists.append(Points(steps, values, "the run logged (trainer_state.json)", color="C3", marker="x", size=6))
        mismatch = first_mismatch(curve, logged)
        if mismatch is not None:
            artists += [
                VLine(float(mismatch.step), color="C3", linestyle="-", linewidth=0.8),
                figure_model.Note(f" first difference: step {mismatch.step}", mismatch.step, 0.04, y_in_axes=True,
                                  va="bottom", color="C3"),
            ]  # fmt: skip
    warmup = trace.schedule.values.get("warmup")
    if isinstance(warmup, int) and 0 < warmup < p.total:
        artists += [
            VLine(warmup + 0.5, color="0.45", linestyle="--", linewidth=1),
            figure_model.Note(f" warmup end ({warmup})", warmup + 0.5, 1, y_in_axes=True, va="bottom"),
        ]
    entries = sum(a.label.count("\n") + 1 for a in artists if isinstance(a, (Line, Points)) and a.label)
    panel = Panel(
        figure_model.within(artists, look.xlim),
        title=title or _title(curve),
        xlabel="optimizer update (Trainer's global step)",
        ylabel="learning rate",
        log_y=log_y,
        legend=Legend(9) if entries > 1 else None,
        epoch_length=p.updates_per_epoch,
        integer_x=True,
        x_range=look.xlim or ((0.5, p.total + 0.5) if p.total <= 3 else None),  # not fractions of one update
        log_x=bool(look.log_x),
    )
    return FigureModel((panel,), size, dpi=look.dpi or DEFAULT_DPI, font_size=look.font_size)


MAX_LOG_MARKS = 50  # logged values marked at most; the legend says when only some are


def _every(p: TrainerPlan) -> str:
    strategy = p.fields["logging_strategy"]
    first = ", and update 1" if p.fields["logging_first_step"] else ""
    if strategy == "steps":
        return f"every {counted(p.logging_steps, 'update') if p.logging_steps > 1 else 'update'}{first}"
    return f"at each epoch's end{first}" if strategy == "epoch" else "update 1"


def _title(curve: TrainerCurve) -> str:
    """``Trainer: NAME, lr X`` over the updates, warmup and the schedule's own arguments, in Trainer's
    names (the figure wraps them to its width)."""
    p = curve.plan
    parts = [counted(p.total, "update") + (f" ({p.updates_per_epoch} an epoch)" if p.updates_per_epoch else "")]
    if "warmup" in p.params:
        parts.append(f"warmup {p.warmup}")
    own = [(k, v) for k, v in p.params.items() if k not in ("warmup", "training_steps")]
    parts += [f"{TRAINER_NAMES.get(k, k)} {text_of(v)}" for k, v in own]
    return f"Trainer: {p.schedule}, lr {p.learning_rate:g}\n" + ", ".join(parts)


def _ranges(steps: list[int]) -> str:
    if len(steps) <= 6:
        return ", ".join(map(str, steps))
    return f"{', '.join(map(str, steps[:3]))}, ..., {steps[-1]}"


# A real run's log ----------------------------------------------------------------------


def read_logged(path: str | Path) -> dict[int, float]:
    """``learning_rate`` by global step from a ``trainer_state.json``'s ``log_history``."""
    state = read_json_file(path)
    history = state.get("log_history") if isinstance(state, dict) else None
    if not isinstance(history, list):
        raise ConfigError(f"{path}: no log_history list: not a trainer_state.json")
    logged: dict[int, float] = {}
    for i, entry in enumerate(history):
        if not isinstance(entry, dict) or "learning_rate" not in entry:
            continue
        step, lr = entry.get("step"), entry["learning_rate"]
        if not (is_number(step) and isinstance(step, int) and abs(step) <= MAX_MAGNITUDE):
            raise ConfigError(f"{path}: log_history entry {i + 1}: step: expected a whole number, got {shown(step)}")
        if not (is_number(lr) and abs(lr) <= MAX_MAGNITUDE):
            raise ConfigError(
                f"{path}: log_history entry {i + 1}: learning_rate: expected a finite number, got {shown(lr)}"
            )
        logged[step] = float(lr)
    if not logged:
        raise ConfigError(f"{path}: log_history holds no learning_rate (was logging_strategy 'no'?)")
    return logged


@dataclass(frozen=True)
class Mismatch:
    """The first global step whose logged lr is not the predicted one."""

    step: int
    logged: float
    predicted: float | None  # None: the prediction has no such update
    total: int

    def __str__(self) -> str:
        if self.predicted is None:
            return (
                f"the run logged step {self.step}, outside the predicted updates 1..{self.total} (lr {self.logged!r})"
            )
        return f"at step {self.step} the run logged lr {self.logged!r}, the prediction is {self.predicted!r}"


def first_mismatch(curve: TrainerCurve, logged: Mapping[int, float]) -> Mismatch | None:
    """The first logged step that differs from the prediction (relative 1e-12), if any."""
    lr = curve.trace.lr
    for step in sorted(logged):
        value = logged[step]
        if not 1 <= step <= len(lr):
            return Mismatch(step, value, None, len(lr))
        predicted = float(lr[step - 1])
        if not math.isclose(value, predicted, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0):
            return Mismatch(step, value, predicted, len(lr))
    return None
