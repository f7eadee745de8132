"""Figures of several curves: specs, rendering, TOML figure sets and checking.

A :class:`FigureSpec` describes one figure (its curves, steps, lr, look). It is
built from a ``configs/*.toml`` figure set or from ``lrplot compare``; either way
:func:`render` runs every curve through the real torch scheduler, and
:func:`check` compares a fresh rendering with the committed CSVs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import engines
from .curve import RECORD_MODES, Curve
from .errors import (
    ConfigError,
    CurveSyntaxError,
    LrplotError,
    ParameterError,
    UnknownScheduleError,
    in_context,
)
from .registry import get_spec, list_specs, resolve
from .writers import Writer, curve_columns, output_writers, prepare_dir, read_csv, table_writer, text_writer

DEFAULT_TOLERANCE = 1e-9


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
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str | None = None
    lr: tuple[float, ...] | None = None
    resume_steps: int | None = None

    def auto_label(self, keys: Iterable[str]) -> str:
        """The schedule's name and its own values of ``keys``."""
        own = ", ".join(f"{k}={_text(v)}" for k, v in self.params.items() if k in keys)
        return f"{self.schedule} ({own})" if own else self.schedule


@dataclass(frozen=True)
class FigureSpec:
    """One figure: curves on a shared step axis, and how it looks."""

    name: str
    curves: tuple[CurveSpec, ...]
    steps: int = 1000
    lr: tuple[float, ...] = (1.0,)
    shared: Mapping[str, Any] = field(default_factory=dict)  # parameters for every curve that takes them
    optimizer: str = "sgd"
    record: str = "before"
    engine: str = "torch"
    title: str | None = None
    figsize: tuple[float, float] | None = None
    legend_fontsize: float = 10.0
    log_y: bool = False
    grid: bool = False
    note: str = ""

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
    curves: dict[str, Curve]
    resumed: Curve | None = None

    @property
    def skipped_epoch(self) -> int | None:
        """The ``last_epoch`` a resume from the saved value never shows."""
        if self.resumed is None:
            return None
        return int(next(iter(self.curves.values())).steps[-1]) + 1

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"figure": self.spec.name, "curves": {k: c.metadata() for k, c in self.curves.items()}}
        if self.resumed is not None:
            meta["resumed"] = {
                **self.resumed.metadata(),
                "saved_last_epoch": self.spec.steps,
                "skipped_last_epoch": self.skipped_epoch,
            }
        return meta

    def table(self) -> tuple[list[str], list[Any]]:
        """CSV header and columns: one column per curve, or ``step,lr,run`` for a splice."""
        import numpy as np

        if self.resumed is None:
            return curve_columns(self.curves)
        (first,) = self.curves.values()
        steps = np.concatenate([first.steps, self.resumed.steps])
        lrs = np.concatenate([first.lrs[0], self.resumed.lrs[0]])
        runs = np.repeat([1, 2], [len(first.steps), len(self.resumed.steps)])
        return ["step", "lr", "run"], [steps, lrs, runs]

    def csv_writer(self) -> Writer:
        header, columns = self.table()
        return table_writer(self.metadata(), RECORD_MODES[self.spec.record], header, columns)


def render(spec: FigureSpec) -> RenderedFigure:
    """Run every curve of ``spec``; errors name the curve."""
    engines.check_run_options(spec.optimizer, spec.record, spec.engine)
    curves: dict[str, Curve] = {}
    resumed = None
    for label, curve_spec in zip(spec.labels(), spec.curves, strict=True):
        try:
            schedule_spec = get_spec(curve_spec.schedule)
            shared = {k: v for k, v in spec.shared.items() if schedule_spec.param(k) is not None}
            schedule = resolve(
                curve_spec.schedule, spec.steps, curve_spec.lr or spec.lr, {**shared, **curve_spec.params}
            )
            curves[label] = engines.run(schedule, spec.engine, spec.optimizer, spec.record)
            curves[label] = replace(curves[label], label=label)
            if curve_spec.resume_steps:
                again = resolve(curve_spec.schedule, curve_spec.resume_steps, curve_spec.lr or spec.lr, schedule.values)
                resumed = engines.run(again, spec.engine, spec.optimizer, spec.record, last_epoch=spec.steps)
        except LrplotError as e:
            e.curve = label  # type: ignore[attr-defined]  # for callers that reword it
            raise in_context(e, f"curve '{label}'") from None
    return RenderedFigure(spec, curves, resumed)


def figure_writers(rendered: RenderedFigure, directory: Path, formats: Sequence[str]) -> dict[Path, Writer]:
    """Writers for ``DIR/NAME.FORMAT`` (png, svg, pdf, csv); the figure is drawn once."""

    def figure() -> Any:
        from . import plot

        return plot.figure_of(rendered)

    return output_writers(directory, rendered.spec.name, formats, figure, {"csv": rendered.csv_writer})


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
    try:
        _, header, committed = read_csv(path)
    except (OSError, ValueError) as e:
        return Drift(name, f"committed CSV {path} cannot be read: {e}")
    new_header, columns = fresh.table()
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


# TOML figure sets ----------------------------------------------------------------

FIGURE_KEYS: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "title": (str,),
    "note": (str,),
    "steps": (int,),
    "lr": (int, float, list),
    "optimizer": (str,),
    "record": (str,),
    "engine": (str,),
    "figsize": (list,),
    "legend_fontsize": (int, float),
    "log_y": (bool,),
    "grid": (bool,),
    "curve": (list,),
}
CURVE_KEYS: dict[str, tuple[type, ...]] = {
    "schedule": (str,),
    "label": (str,),
    "lr": (int, float, list),
    "resume_steps": (int,),
}
TYPE_NAMES = {int: "integer", float: "number", str: "text", list: "list", bool: "true/false"}
TOP_KEYS = {"title", "description", "out", "page", "defaults", "figure"}


@dataclass(frozen=True)
class FigureSet:
    """A parsed figure-set file."""

    path: Path
    figures: tuple[FigureSpec, ...]
    out: Path
    title: str = ""
    description: str = ""
    page: Path | None = None

    def select(self, only: str | None) -> tuple[FigureSpec, ...]:
        if only is None:
            return self.figures
        chosen = tuple(f for f in self.figures if f.name == only)
        if not chosen:
            names = ", ".join(f.name for f in self.figures)
            raise ConfigError(f"{self.path}: no figure named {only!r} (figures: {names})")
        return chosen


def load(path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None) -> FigureSet:
    """Read and check a figure-set TOML file.

    Args:
        path: the file.
        overrides: figure keys given on the command line (steps, lr, optimizer,
            record, log_y); they replace the file's values in every figure.
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read it: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    where = str(path)
    _no_unknown(data, TOP_KEYS, where)
    defaults = _table(data.get("defaults", {}), f"{where}: [defaults]")
    figures = data.get("figure", [])
    if not isinstance(figures, list) or not figures:
        raise ConfigError(f"{where}: key 'figure': expected one or more [[figure]] tables")
    specs = []
    for i, raw in enumerate(figures, start=1):
        raw = {**defaults, **_table(raw, f"{where}: figure {i}"), **(overrides or {})}
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}: figure {i}: key 'name': expected a text name (it names the files)")
        specs.append(_figure(raw, f"{where}: figure '{name}'"))
    names = [s.name for s in specs]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{where}: figure '{name}': key 'name': two figures share it")
    base = path.parent
    page = data.get("page")
    out = data.get("out", ".")
    for key, value in (("out", out), ("page", page)):
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}: key '{key}': expected a path, got {value!r}")
    for key in ("title", "description"):
        if not isinstance(data.get(key, ""), str):
            raise ConfigError(f"{where}: key '{key}': expected text")
    return FigureSet(
        path=path,
        figures=tuple(specs),
        out=Path(os.path.normpath(base / out)),
        title=data.get("title", ""),
        description=data.get("description", ""),
        page=Path(os.path.normpath(base / page)) if page else None,
    )


def _figure(raw: dict[str, Any], where: str) -> FigureSpec:
    shared_names = {p.name for s in list_specs() for p in s.params}
    shared = {}
    for key, value in raw.items():
        if key in FIGURE_KEYS:
            _type(value, FIGURE_KEYS[key], f"{where}: key '{key}'")
        elif key in shared_names:
            shared[key] = value
        else:
            raise ConfigError(f"{where}: key '{key}': unknown key (figure keys: {', '.join(FIGURE_KEYS)})")
    curves_raw = raw.get("curve", [])
    if not curves_raw:
        raise ConfigError(f"{where}: key 'curve': expected one or more [[figure.curve]] tables")
    curves = tuple(_curve(_table(c, f"{where}: curve {i}"), f"{where}: curve {i}") for i, c in enumerate(curves_raw, 1))
    if any(c.resume_steps for c in curves) and len(curves) > 1:
        raise ConfigError(f"{where}: key 'resume_steps': a resumed curve must be the figure's only curve")
    figsize = raw.get("figsize")
    if figsize is not None and (len(figsize) != 2 or not all(_is_number(v) and v > 0 for v in figsize)):
        raise ConfigError(f"{where}: key 'figsize': expected [width, height] in inches, got {figsize!r}")
    return FigureSpec(
        name=raw["name"],
        curves=curves,
        steps=raw.get("steps", 1000),
        lr=_lrs(raw.get("lr", 1.0)),
        shared=shared,
        optimizer=raw.get("optimizer", "sgd"),
        record=raw.get("record", "before"),
        engine=raw.get("engine", "torch"),
        title=raw.get("title"),
        figsize=(float(figsize[0]), float(figsize[1])) if figsize else None,
        legend_fontsize=float(raw.get("legend_fontsize", 10)),
        log_y=raw.get("log_y", False),
        grid=raw.get("grid", False),
        note=raw.get("note", ""),
    )


def _curve(raw: dict[str, Any], where: str) -> CurveSpec:
    if "schedule" not in raw:
        raise ConfigError(f"{where}: key 'schedule': missing (see 'lrplot list')")
    for key, kinds in CURVE_KEYS.items():
        if key in raw:
            _type(raw[key], kinds, f"{where}: key '{key}'")
    try:
        spec = get_spec(raw["schedule"])
    except LrplotError as e:
        raise ConfigError(f"{where}: key 'schedule': {e}") from None
    params = {k: v for k, v in raw.items() if k not in CURVE_KEYS}
    for key in params:
        if spec.param(key) is None:
            valid = ", ".join([*CURVE_KEYS, *(p.name for p in spec.params)])
            raise ConfigError(f"{where}: key '{key}': unknown key for {spec.name} (valid: {valid})")
    return CurveSpec(
        schedule=spec.name,
        params=params,
        label=raw.get("label"),
        lr=_lrs(raw["lr"]) if "lr" in raw else None,
        resume_steps=raw.get("resume_steps"),
    )


def _lrs(value: Any) -> tuple[float, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {value!r}")
    return value


def _type(value: Any, kinds: tuple[type, ...], where: str) -> None:
    if isinstance(value, bool) and bool not in kinds:
        ok = False
    else:
        ok = isinstance(value, kinds)
    if not ok:
        names = " or ".join(TYPE_NAMES[k] for k in kinds)
        raise ConfigError(f"{where}: expected {names}, got {value!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _no_unknown(data: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{where}: key '{key}': unknown key (top-level keys: {', '.join(sorted(allowed))})")


# Rendering, writing and checking a whole set ----------------------------------------


def render_set(figure_set: FigureSet, only: str | None = None) -> list[RenderedFigure]:
    """Render the chosen figures; errors name the file, the figure and the key."""
    rendered = []
    for spec in figure_set.select(only):
        where = f"{figure_set.path}: figure '{spec.name}'"
        try:
            rendered.append(render(spec))
        except ParameterError as e:
            curve = getattr(e, "curve", None)
            inside = f"curve '{curve}': " if curve else ""
            raise ConfigError(f"{where}: {inside}key '{e.param}': {e.reason}") from None
        except LrplotError as e:
            raise ConfigError(f"{where}: {e}") from None
    return rendered


def set_outputs(
    figure_set: FigureSet,
    rendered: Sequence[RenderedFigure],
    out: Path,
    formats: Sequence[str] = ("png", "csv"),
    with_page: bool = True,
) -> dict[Path, Writer]:
    """Every file a set writes: each figure's files, and its page when it has one
    (only for the whole set in its own folder, which the page links to)."""
    from .pages import page_text

    outputs: dict[Path, Writer] = {}
    for figure in rendered:
        outputs.update(figure_writers(figure, out, formats))
    if with_page and figure_set.page is not None:
        prepare_dir(figure_set.page.parent)
        outputs[figure_set.page] = text_writer(page_text(figure_set, rendered, out))
    return outputs


def check_set(
    figure_set: FigureSet,
    rendered: Sequence[RenderedFigure],
    out: Path,
    tolerance: float = DEFAULT_TOLERANCE,
    with_page: bool = True,
) -> list[Drift]:
    """Each figure whose committed CSV has drifted, and a stale page."""
    from .pages import page_text

    drifts = [d for f in rendered if (d := compare_table(f.spec.name, f, out / f"{f.spec.name}.csv", tolerance))]
    page = figure_set.page
    if with_page and page is not None:
        fresh = page_text(figure_set, rendered, out)
        if not page.exists() or page.read_text(encoding="utf-8") != fresh:
            drifts.append(Drift(str(page), "the page differs from what the config and registry give"))
    return drifts


# The compare command's curve syntax ---------------------------------------------------


def parse_curve(text: str) -> CurveSpec:
    """``NAME`` or ``NAME:key=value,key=value`` (keys may be hyphenated; ``label``
    and ``lr`` are allowed besides the schedule's parameters)."""
    name, _, rest = text.partition(":")
    where = f"curve '{text}'"
    try:
        spec = get_spec(name.strip())
    except LrplotError as e:
        raise UnknownScheduleError(f"{where}: {e}") from None
    items = parse_assignments(rest, where) if rest.strip() else {}
    label = items.pop("label", None)
    lr = items.pop("lr", None)
    for key in items:
        if spec.param(key) is None:
            valid = ", ".join(["label", "lr", *(p.name for p in spec.params)])
            error = ParameterError(key, f"{spec.name} takes no such parameter (valid: {valid})")
            raise in_context(error, where)
    if lr is not None and not _is_number(lr):
        raise in_context(ParameterError("lr", f"expected a number, got {lr!r}"), where)
    return CurveSpec(spec.name, items, str(label) if label is not None else None, (lr,) if lr is not None else None)


def parse_assignments(text: str, where: str) -> dict[str, Any]:
    """``a=1,b-c=x`` -> ``{"a": 1, "b_c": "x"}``; numbers become int or float."""
    out: dict[str, Any] = {}
    for item in text.split(","):
        key, eq, value = item.partition("=")
        key = key.strip().lstrip("-").replace("-", "_")
        if not eq or not key or not value.strip():
            raise CurveSyntaxError(
                f"{where}: expected key=value, got {item.strip()!r} (syntax: NAME:key=value,key=value)"
            )
        out[key] = _number_or_text(value.strip())
    return out


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _number_or_text(value: str) -> Any:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value
