"""Documents: a schedule's trace, and figures of several curves; rendering and checking.

A :class:`FigureSpec` describes one figure (its curves, steps, lr, look). It is
built from a ``configs/*.toml`` figure set (:mod:`lrplot.configs`) or from
``lrplot compare``; either way :func:`render` runs every curve, and
:func:`compare_table` compares a fresh rendering with a committed CSV, and
:func:`compare_text` with its committed text sidecar.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import engines, figure_model, schedules
from .errors import LrplotError, LrplotWarning, ParameterError
from .figure_model import FigureModel
from .files import check_stem
from .limits import (
    FIGSIZE_INCHES,
    FONT_SIZE,
    MAX_CONFIG_BYTES,
    MAX_CURVES,
    MAX_GRID_PANELS,
    check_magnitude,
    check_range,
    check_run_size,
    check_text,
)
from .look import Look
from .options import DEFAULT_STEPS, DEFAULT_TOLERANCE, RunOptions
from .params import Value
from .registry import Schedule, check_steps
from .schedules import custom
from .spelling import PLAIN, Spelling
from .trace import Trace, table
from .writers import Table, read_csv

__all__ = ["DEFAULT_TOLERANCE", "CurveSpec", "Drift", "FigureSpec", "RenderedFigure", "TraceDocument", "render"]


@dataclass(frozen=True)
class TraceDocument:
    """One schedule's trace as files: ``NAME.csv`` of every (``every``-th) value, its figure."""

    trace: Trace
    stem: str | None = None
    title: str | None = None
    log_y: bool = False
    every: int = 1
    spelling: Spelling = PLAIN
    look: Look = Look()
    columns_key = None  # JSON: the columns beside the metadata, as lrplot 0.1 wrote them

    def __post_init__(self) -> None:
        self.check_every(self.every)
        if self.stem is not None:
            check_stem(self.stem, "stem")
        if self.title is not None:
            check_text("title", self.title)

    @staticmethod
    def check_every(every: int) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ParameterError("every", f"expected a whole number >= 1, got {every!r}")
        check_magnitude("every", every)

    @property
    def name(self) -> str:
        return self.stem or self.trace.schedule.name

    @property
    def convention(self) -> str:
        return self.trace.options.convention

    def metadata(self) -> dict[str, object]:
        meta = self.spelling.provenance(self.trace)
        if self.every > 1 and isinstance(meta.get("command"), str):  # the rows kept are the document's choice
            meta["command"] = f"{meta['command']} --every {self.every}"
        return meta

    def table(self) -> Table:
        return table({"": self.trace}, self.every)

    def figure(self) -> FigureModel:
        return figure_model.single(self.trace, self.title, self.log_y, self.look)


@dataclass(frozen=True)
class CurveSpec:
    """One curve of a figure.

    Attributes:
        schedule: a registered schedule name.
        params: this curve's own schedule parameters (they override shared ones).
        label: the legend entry; by default the name and its own parameters.
        lr: this curve's lr (one per param group), overriding the figure's.
        resume_steps: after the run, build a new scheduler from the saved
            ``last_epoch`` (``initial_lr`` in the param groups, as torch needs)
            and run it for this many more steps; the two runs are drawn as one
            splice.
    """

    schedule: str
    params: Mapping[str, Value] = field(default_factory=dict)
    label: str | None = None
    lr: tuple[float, ...] | None = None
    resume_steps: int | None = None

    def __post_init__(self) -> None:
        if self.label is not None:
            check_text("label", self.label)
        if self.resume_steps is not None:
            if isinstance(self.resume_steps, bool) or not isinstance(self.resume_steps, int) or self.resume_steps < 1:
                raise ParameterError("resume_steps", f"expected a whole number >= 1, got {self.resume_steps!r}")
            check_magnitude("resume_steps", self.resume_steps)

    def auto_label(self, keys: Iterable[str]) -> str:
        """The schedule's name and its own values of ``keys`` (a composition's children by name)."""
        own = ", ".join(f"{k}={self._short(k, v)}" for k, v in self.params.items() if k in keys)
        return f"{self.schedule} ({own})" if own else self.schedule

    def _short(self, key: str, value: Value) -> str:
        param = schedules.REGISTRY.get(self.schedule).param(key)
        if param is not None and param.kind == "schedules":
            try:
                return "+".join(child.name for child in param.check(value))  # type: ignore[attr-defined]
            except LrplotError:  # reported where the curve is resolved
                pass
        return _text(value)


@dataclass(frozen=True)
class FigureSpec:
    """One figure: curves on a shared step axis, and how it looks."""

    name: str
    curves: tuple[CurveSpec, ...]
    steps: int = DEFAULT_STEPS
    lr: tuple[float, ...] = (1.0,)
    shared: Mapping[str, Value] = field(default_factory=dict)  # parameters for every curve that takes them
    options: RunOptions = RunOptions()
    title: str | None = None
    figsize: tuple[float, float] | None = None
    legend_fontsize: float = 10.0
    log_y: bool = False
    grid: bool = False
    note: str = ""
    look: Look = Look()  # its dpi, fonts, x scale and range (``figsize`` above wins over its figsize)

    def __post_init__(self) -> None:
        check_stem(self.name, "name")
        if not self.curves or len(self.curves) > MAX_CURVES:
            raise ParameterError("curve", f"expected 1 to {MAX_CURVES} curves in a figure, got {len(self.curves)}")
        if self.grid and len(self.curves) > MAX_GRID_PANELS:
            raise ParameterError(
                "grid", f"a grid draws at most {MAX_GRID_PANELS} panels, got {len(self.curves)} curves (use an overlay)"
            )
        if self.title is not None:
            check_text("title", self.title)
        check_text("note", self.note, MAX_CONFIG_BYTES)
        check_range("legend_fontsize", self.legend_fontsize, FONT_SIZE, "points")
        if self.figsize is not None:  # checked before it is made float: a huge int has no float
            sides = tuple(check_range("figsize", side, FIGSIZE_INCHES, "inches") for side in self.figsize)
            object.__setattr__(self, "figsize", sides)
        check_steps(self.steps)

    def labels(self) -> list[str]:
        """One distinct legend label per curve: its name and the parameters that differ."""
        own = [c.params for c in self.curves]
        differ = {k for p in own for k in p if any(q.get(k) != p[k] for q in own)}
        labels = [c.label or c.auto_label(differ) for c in self.curves]
        return [f"{label} #{i + 1}" if labels.count(label) > 1 else label for i, label in enumerate(labels)]


@dataclass(frozen=True)
class RenderedFigure:
    """The curves of a figure, computed; ``resumed`` holds a splice's second run."""

    spec: FigureSpec
    curves: dict[str, Trace]
    resumed: Trace | None = None
    spelling: Spelling = PLAIN
    columns_key = "columns"  # JSON: apart from the metadata, whose keys a curve's label may take

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def convention(self) -> str:
        return self.spec.options.convention

    @property
    def heading(self) -> str:
        """What the figure is called on pages: its title, else its one schedule, else its name."""
        first = next(iter(self.curves.values()))
        return self.spec.title or (first.schedule.name if len(self.curves) == 1 else self.spec.name)

    @property
    def skipped_epoch(self) -> int | None:
        """The ``last_epoch`` a resume from the saved value never shows."""
        if self.resumed is None:
            return None
        return int(next(iter(self.curves.values())).steps[-1]) + 1

    def metadata(self) -> dict[str, object]:
        curves = {k: self.spelling.provenance(c) for k, c in self.curves.items()}
        meta: dict[str, object] = {"figure": self.spec.name, "curves": curves}
        if self.resumed is not None:
            meta["resumed"] = {
                **self.spelling.provenance(self.resumed),
                "saved_last_epoch": self.spec.steps,
                "skipped_last_epoch": self.skipped_epoch,
            }
        return meta

    def table(self) -> Table:
        """One column per curve; a splice's two runs one after the other, and a ``run`` column (1, 2)."""
        import numpy as np

        if self.resumed is None:
            return table(self.curves)
        (first,) = self.curves.values()
        header, before = table({"": first})
        _, after = table({"": self.resumed})
        runs = np.repeat([1, 2], [len(before[0]), len(after[0])])
        return [*header, "run"], [*map(np.concatenate, zip(before, after, strict=True)), runs]

    def figure(self) -> FigureModel:
        spec = self.spec
        if spec.grid and len(self.curves) > 1:
            return figure_model.grid(self.curves, spec.title or spec.name, spec.log_y, self.look)
        return figure_model.overlay(
            self.curves, spec.title, spec.name, spec.log_y, self.look, spec.legend_fontsize, self.resumed, spec.steps
        )

    @property
    def look(self) -> Look:
        return replace(self.spec.look, figsize=self.spec.figsize or self.spec.look.figsize)


Runs = dict[object, Trace]  # runs already made, by :func:`run_key`, for any figure to use


@dataclass(frozen=True)
class RunRequest:
    """A run a figure needs: ``engines.run(schedule, options, last_epoch)``."""

    schedule: Schedule
    options: RunOptions
    last_epoch: int = -1

    @property
    def key(self) -> object:
        return run_key(self.schedule, self.options, self.last_epoch)

    def run(self) -> Trace:
        return engines.run(self.schedule, self.options, last_epoch=self.last_epoch)


def render(spec: FigureSpec, spelling: Spelling = PLAIN, runs: Runs | None = None) -> RenderedFigure:
    """Run every curve of ``spec``; errors are located in the curve. A run that ``runs``
    holds (made for an earlier figure, or ahead: :func:`runs_of`) is not made again."""
    curves: dict[str, Trace] = {}
    resumed = None
    groups = max(len(c.lr or spec.lr) for c in spec.curves)
    check_run_size(spec.steps, groups, len(spec.curves), per_epoch=spec.options.interval == "epoch")
    for label, curve in zip(spec.labels(), spec.curves, strict=True):
        try:
            first, again = _requests(spec, curve)
            curves[label] = trace = replace(_run(first, runs), label=label)
            if again is not None:
                with _as_resume_steps():
                    resumed = _run(again, runs)
            for warning in dict.fromkeys(
                trace.schedule.warnings + trace.warnings + (resumed.warnings if resumed else ())
            ):
                warnings.warn(LrplotWarning(f"curve '{label}': {warning}"), stacklevel=2)
        except LrplotError as e:
            raise e.located(f"curve '{label}'") from None
    return RenderedFigure(spec, curves, resumed, spelling)


def runs_of(spec: FigureSpec) -> list[RunRequest]:
    """The runs :func:`render` makes for ``spec``, as far as its curves resolve (one that
    does not is left to rendering, which tells why)."""
    found = []
    for curve in spec.curves:
        try:
            found += [request for request in _requests(spec, curve) if request is not None]
        except LrplotError:
            continue
    return found


def _requests(spec: FigureSpec, curve: CurveSpec) -> tuple[RunRequest, RunRequest | None]:
    """``curve``'s run, and its resumed run (a splice's second) if it has one."""
    takes = schedules.REGISTRY.get(curve.schedule).param
    shared = {k: v for k, v in spec.shared.items() if takes(k) is not None}
    lrs = curve.lr or spec.lr
    first = schedules.REGISTRY.resolve(
        curve.schedule, spec.steps, lrs, {**shared, **curve.params}, spec.options.updates_per_step
    )
    if not curve.resume_steps:
        return RunRequest(first, spec.options), None
    if spec.options.interval == "epoch":  # the splice's axes and saved last_epoch count updates
        raise ParameterError(
            "resume_steps", "a resumed curve steps its scheduler every update: not with interval epoch"
        )
    with _as_resume_steps():
        again = schedules.REGISTRY.resolve(curve.schedule, curve.resume_steps, lrs, first.values)
    return RunRequest(first, spec.options), RunRequest(again, spec.options, last_epoch=spec.steps)


@contextmanager
def _as_resume_steps() -> Iterator[None]:
    """A resumed run's ``steps`` error as the key that sets them, ``resume_steps``."""
    try:
        yield
    except ParameterError as e:
        if e.param != "steps":
            raise
        raise ParameterError("resume_steps", e.reason) from None


def _run(request: RunRequest, runs: Runs | None) -> Trace:
    """The request's trace: the one ``runs`` holds, or a new run (kept in ``runs``)."""
    key = request.key
    if runs is None or key is None:
        return request.run()
    if key not in runs:
        runs[key] = request.run()
    return runs[key]


def run_key(schedule: Schedule, options: RunOptions, last_epoch: int = -1) -> object:
    """What a run's values follow from: its schedule, resolved, and how it is run. ``None``
    for a schedule that runs the user's code, which runs once for each curve that names it."""
    if _runs_user_code(schedule):
        return None
    return (repr(schedule.describe()), options, last_epoch)


def _runs_user_code(schedule: Schedule) -> bool:
    children = [v for value in schedule.values.values() for v in (value if isinstance(value, tuple) else (value,))]
    return schedule.spec.family == custom.FAMILY or any(
        _runs_user_code(child) for child in children if isinstance(child, Schedule)
    )


# Checking against committed CSVs -------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """How far a regenerated figure is from its committed CSV."""

    figure: str
    reason: str
    deviation: float = 0.0
    step: float | None = None
    column: str = ""

    def __str__(self) -> str:
        if self.step is None:
            return f"{self.figure}: {self.reason}"
        where = f"at step {self.step:g} ({self.column})"
        return f"{self.figure}: {self.reason}: largest deviation {self.deviation:.3g} {where}"


def compare_table(name: str, fresh: RenderedFigure, path: Path, tolerance: float) -> Drift | None:
    """A Drift if the committed CSV at ``path`` differs from ``fresh`` beyond ``tolerance``.

    A value drifts when ``|new - committed| > tolerance * (|committed| + peak)``,
    ``peak`` being the largest magnitude in its column: relative to the value,
    with a floor relative to the curve's scale, so near-zero values compare on
    the curve's scale rather than their own.
    """
    if not path.exists():
        return Drift(name, f"no committed CSV at {path}")
    if not path.is_file():  # a folder, or a pipe that would block the read forever
        return Drift(name, f"{path} is not a file; not read")
    try:
        metadata, header, committed = read_csv(path)
    except (OSError, ValueError) as e:
        return Drift(name, f"committed CSV {path} cannot be read: {e}")
    new_header, columns = fresh.table()
    if not metadata:  # not lrplot's: its header is not shown, it may be anything
        return Drift(name, f"{path} has no lrplot metadata line; not compared")
    if header != new_header:
        return Drift(name, f"columns {header} are now {new_header}")
    if len(committed[0]) != len(columns[0]):
        return Drift(name, f"{len(committed[0])} rows are now {len(columns[0])}")
    import numpy as np

    worst: Drift | None = None
    steps = np.asarray(committed[0])
    for column, old_values, new_values in zip(header, committed, columns, strict=True):
        old, new = np.asarray(old_values, dtype=np.float64), np.asarray(new_values, dtype=np.float64)
        peak = float(np.abs(old).max()) if len(old) else 0.0
        deviation = np.abs(new - old)
        bad = ~(deviation <= tolerance * (np.abs(old) + peak))  # NaN counts as drift
        if bad.any():
            row = int(np.flatnonzero(bad)[np.argmax(np.nan_to_num(deviation[bad], nan=np.inf))])
            if worst is None or not deviation[row] <= worst.deviation:
                worst = Drift(name, "values drifted", float(deviation[row]), float(steps[row]), column)
    return worst


def compare_text(name: str, fresh: RenderedFigure, path: Path) -> Drift | None:
    """A Drift if the committed text sidecar at ``path`` (see :mod:`lrplot.figure_text`) is not
    what ``fresh``'s figure shows, naming the first line that differs."""
    from .figure_text import committed_lines, figure_text, first_difference

    if not path.exists():
        return Drift(name, f"no committed figure text at {path} (render writes it beside the CSV)")
    if not path.is_file():  # a folder, or a pipe that would block the read forever
        return Drift(name, f"{path} is not a file; not read")
    new = figure_text(fresh.figure())
    limit = max(MAX_CONFIG_BYTES, 4 * sum(len(line) + 1 for line in new))  # a longer one differs anyway
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            return Drift(name, f"committed text {path} is larger than {limit} bytes; not read")
        old = committed_lines(data.decode("utf-8"))
    except OSError as e:
        return Drift(name, f"committed text {path} cannot be read: {e.strerror or e}")
    except UnicodeDecodeError as e:
        return Drift(name, f"committed text {path} cannot be read: not UTF-8 text (byte {e.start + 1} is not)")
    if old is None:
        return Drift(name, f"{path} has no lrplot figure-text header line; not compared")
    difference = first_difference(old, new)
    return Drift(name, f"text changed: {difference}") if difference is not None else None


def _text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
