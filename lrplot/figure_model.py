"""What to draw, decided without matplotlib: panels, lines, marks, legends, titles.

A :class:`FigureModel` is plain data. The builders here turn traces into one
(which curves, decimated to their extremes, which marks, where the legend goes,
what the titles say); a renderer draws it: :mod:`lrplot.plot` with matplotlib,
and later terminal and HTML renderers from the same model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from .errors import UsageError
from .params import text_of
from .trace import QUANTITY_LABELS, Column, Trace

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

FIGSIZE = (7.0, 4.0)
DECIMATE_BINS = 2048  # more runs than a 7-inch figure at 150 dpi has pixel columns (1050)
LINESTYLES = ("-", "--", "-.", ":")
# matplotlib's default colour cycle (tab10): "C0".."C9" in a model, drawn the same by every renderer.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
LINEWIDTH = 1.6
TITLE_WIDTH = 70  # characters that fit at 7 inches
MAX_EPOCH_MARKS = 50  # more epoch boundaries than this would grey the panel: the top axis alone shows them


@dataclass(frozen=True, eq=False)  # arrays have no single truth value to compare by
class Line:
    """A curve. ``color``/``linestyle`` of ``None`` take the renderer's cycle."""

    x: ArrayLike
    y: ArrayLike
    label: str | None = None
    color: str | None = None
    linestyle: str | None = None
    linewidth: float = LINEWIDTH
    thinned_from: int | None = None  # the points ``decimate`` kept these from, when it kept fewer


@dataclass(frozen=True, eq=False)
class Points:
    """Markers at points, with no line between them (values read at a few steps)."""

    x: ArrayLike
    y: ArrayLike
    label: str | None = None
    color: str | None = None
    marker: str = "o"
    size: float = 4


@dataclass(frozen=True)
class VLine:
    """A vertical mark across the panel."""

    x: float
    color: str
    linestyle: str
    linewidth: float


@dataclass(frozen=True)
class Note:
    """Text at a data point; ``y_in_axes`` puts y in axes fraction (1 = the top),
    ``offset`` shifts it by points."""

    text: str
    x: float
    y: float
    y_in_axes: bool = False
    offset: tuple[float, float] | None = None
    ha: str = "left"
    va: str = "top"
    fontsize: float = 9
    color: str = "0.3"


Artist = Line | Points | VLine | Note


@dataclass(frozen=True)
class Legend:
    """A legend in a band of headroom above the curves, so it hides none of them.

    ``headroom`` is added to the top of a linear y range, as a fraction of it.
    """

    fontsize: float
    headroom: float
    loc: Literal["upper right", "upper left"] = "upper right"  # warmup, marked at the top, is usually on the left


@dataclass(frozen=True)
class Panel:
    """One axes: its artists in drawing order, labels, title, scale, legend."""

    artists: tuple[Artist, ...] = ()
    title: str = ""
    title_fontsize: float | None = None
    xlabel: str | None = None
    ylabel: str | None = None
    log_y: bool = False
    legend: Legend | None = None
    visible: bool = True
    epoch_length: int | None = None  # x units (optimizer updates) per epoch: a second x axis on top, in epochs
    integer_x: bool = False  # x counts things (updates): ticks on whole numbers only
    x_range: tuple[float, float] | None = None  # the x axis's limits, where the data's own would mislead
    quantity: str = "lr"  # what the y axis shows: a log-y switch applies to the lr only


@dataclass(frozen=True)
class FigureModel:
    """A whole figure: panels on a grid of ``shape`` (rows, cols), or one plain axes."""

    panels: tuple[Panel, ...]
    figsize: tuple[float, float] = FIGSIZE
    shape: tuple[int, int] | None = None
    sharex: bool = False
    sharey: bool = False
    suptitle: str | None = None
    supxlabel: str | None = None
    supylabel: str | None = None


def decimate(x: Column, y: Column, bins: int = DECIMATE_BINS) -> tuple[Column, Column]:
    """At most ``2 * bins + 2`` points that draw like all of them.

    The steps are cut into ``bins`` runs (more runs than the figure has pixel
    columns); each run keeps its lowest and its highest point, in their order,
    so every peak and trough survives. The first and last points are kept too.
    """
    import numpy as np

    n = len(y)
    if n <= 2 * bins + 2:
        return x, y
    width = -(-n // bins)  # points per run
    full = n // width * width  # runs of exactly ``width`` points, then a shorter tail
    xs, ys = [x[:1]], [y[:1]]
    for lo, hi in ((0, full), (full, n)):
        if hi <= lo:
            continue
        block = np.asarray(y[lo:hi]).reshape(-1, min(width, hi - lo))
        low, high = block.argmin(axis=1), block.argmax(axis=1)
        picks = np.sort(np.stack([low, high], axis=1), axis=1)
        index = (lo + np.arange(len(block))[:, None] * block.shape[1] + picks).ravel()
        xs.append(np.asarray(x)[index])
        ys.append(np.asarray(y)[index])
    xs.append(x[-1:])
    ys.append(y[-1:])
    return np.concatenate(xs), np.concatenate(ys)


def colors(panel: Panel) -> list[str]:
    """The colour of each artist of ``panel`` as ``#rrggbb``, as matplotlib draws it: ``"C3"`` from
    :data:`PALETTE`, ``"0.45"`` a grey, and ``None`` the next colour of the cycle (lines and points)."""
    resolved, cycle = [], 0
    for artist in panel.artists:
        color = getattr(artist, "color", None)
        if color is None and isinstance(artist, Line | Points):
            color, cycle = PALETTE[cycle % len(PALETTE)], cycle + 1
        resolved.append(_hex(color or "0.3"))
    return resolved


def check_span(model: FigureModel) -> None:
    """A UsageError when a panel's values span more than a float holds: no axis can show them."""
    import numpy as np

    for panel in model.panels:
        values = [np.asarray(a.y, dtype=float) for a in panel.artists if isinstance(a, Line | Points)]
        finite = [v[np.isfinite(v)] for v in values]
        finite = [v for v in finite if len(v)]
        if not finite:
            continue
        low, high = min(float(v.min()) for v in finite), max(float(v.max()) for v in finite)
        if not math.isfinite(high - low):
            raise UsageError(
                f"cannot draw {panel.quantity}: its values run from {low:g} to {high:g}, a span beyond "
                "a float's range; the CSV and JSON hold them"
            )


def _hex(color: str) -> str:
    if color.startswith("#"):
        return color
    if color.startswith("C") and color[1:].isdigit():
        return PALETTE[int(color[1:]) % len(PALETTE)]
    level = round(float(color) * 255)  # matplotlib's greys: a fraction of white
    return f"#{level:02x}{level:02x}{level:02x}"


# Pieces shared by the builders ---------------------------------------------------------


def describe_params(trace: Trace) -> str:
    """The schedule's parameters as ``warmup 300, T 3000, num_cycles 0.5``."""
    parts = []
    for key, value in trace.schedule.values.items():
        if value is None:
            continue
        name = {"training_steps": "T"}.get(key, key)
        parts.append(f"{name} {value:g}" if isinstance(value, float) else f"{name} {text_of(value)}")
    return ", ".join(parts)


def default_title(trace: Trace) -> str:
    """The schedule and its parameters, broken after the name, and the parameters
    wrapped to the figure's width (between parameters, never inside one), when too long."""
    params = describe_params(trace)
    title = trace.schedule.name + (f" ({params})" if params else "")
    if len(title) <= TITLE_WIDTH:
        return title
    lines = [""]
    for part in params.split(", "):
        if lines[-1] and len(lines[-1]) + 2 + len(part) > TITLE_WIDTH:
            lines.append("")
        lines[-1] += f", {part}" if lines[-1] else part
    return "\n".join([trace.schedule.name, *lines])


X_LABELS = {"step": "step (scheduler.last_epoch)", "update": "optimizer update"}


def x_label(trace: Trace) -> str:
    return X_LABELS.get(trace.x_name, trace.x_name)


def y_label(quantity: str) -> str:
    return QUANTITY_LABELS.get(quantity, quantity)


def trace_lines(
    trace: Trace, quantity: str, label: str | None = None, color: str | None = None, linestyle: str | None = None
) -> list[Line]:
    """One line per param group of ``quantity``, decimated to the extremes."""
    keys = [key for key in trace.tracks if key[0] == quantity]
    lines = []
    for key in keys:
        name = label if label is not None else trace.name
        if len(keys) > 1:
            name = f"{name} (group {key[1]}, lr {trace.schedule.lrs[key[1]]:g})"
        x, y = decimate(trace.x, trace.tracks[key])
        thinned = len(trace.x) if len(x) < len(trace.x) else None
        lines.append(Line(x, y, name, color, linestyle, thinned_from=thinned))
    return lines


def warmup_marks(trace: Trace, text: bool = True) -> list[Artist]:
    """A dashed vertical line where warmup ends, if it ends inside the plot."""
    warmup = trace.schedule.values.get("warmup")
    if not isinstance(warmup, int) or not warmup or not trace.steps[0] < warmup <= trace.steps[-1]:
        return []
    # Warmup counts scheduler steps: mark the first x at which last_epoch reaches it.
    x = warmup if trace.x_name == "step" else int(trace.x[trace.steps.searchsorted(warmup)])
    marks: list[Artist] = [VLine(x, color="0.45", linestyle="--", linewidth=1)]
    if text:
        marks.append(Note(f" warmup end ({warmup})", x, 1, y_in_axes=True))
    return marks


def epoch_marks(trace: Trace) -> list[Artist]:
    """A dotted line at each epoch boundary of a scheduler stepped once an epoch (when there are few)."""
    k = trace.options.updates_per_step
    if trace.options.interval != "epoch" or len(trace.x) // k > MAX_EPOCH_MARKS:
        return []
    first, last = int(trace.x[0]), int(trace.x[-1])
    return [VLine(x, color="0.6", linestyle=":", linewidth=0.8) for x in range(first - first % k + k, last + 1, k)]


def epoch_length(trace: Trace) -> int | None:
    return trace.options.updates_per_step if trace.options.interval == "epoch" else None


def legend(lines: Sequence[Artist], fontsize: float = 10.0, extra: float = 0.0) -> Legend:
    """Room for one entry per labelled line; ``extra`` more headroom (a fraction of the y range)."""
    entries = sum(1 for line in lines if isinstance(line, Line) and line.label)
    return Legend(fontsize, 0.04 + extra + 0.085 * entries * fontsize / 10)


def _stack(trace_panels: list[Panel], figsize: tuple[float, float]) -> FigureModel:
    """Panels of one x axis, one quantity each, stacked; x labelled at the bottom only."""
    if len(trace_panels) == 1:
        return FigureModel(tuple(trace_panels), figsize)
    bottom = len(trace_panels) - 1
    panels = tuple(
        replace(
            p,
            title=p.title if i == 0 else "",
            xlabel=p.xlabel if i == bottom else None,
            epoch_length=p.epoch_length if i == 0 else None,  # the epoch axis on top of the figure only
        )
        for i, p in enumerate(trace_panels)
    )
    return FigureModel(panels, (figsize[0], figsize[1] * len(panels) * 0.6), (len(panels), 1), sharex=True)


# The builders -----------------------------------------------------------------------------


def single(
    trace: Trace, title: str | None = None, log_y: bool = False, figsize: tuple[float, float] = FIGSIZE
) -> FigureModel:
    """One trace: labelled axes, a titled schedule, the warmup end marked; a panel per quantity."""
    panels = []
    for quantity in trace.quantities:
        lines = trace_lines(trace, quantity)
        artists: list[Artist] = [*epoch_marks(trace), *lines, *warmup_marks(trace)]
        panels.append(
            Panel(
                tuple(artists),
                title=title or default_title(trace),
                xlabel=x_label(trace),
                ylabel=y_label(quantity),
                log_y=log_y and quantity == "lr",
                legend=legend(lines) if len(lines) > 1 else None,
                epoch_length=epoch_length(trace),
                quantity=quantity,
            )
        )
    return _stack(panels, figsize)


def overlay(
    traces: Mapping[str, Trace],
    title: str | None = None,
    name: str = "",
    log_y: bool = False,
    figsize: tuple[float, float] | None = None,
    legend_fontsize: float = 10.0,
    resumed: Trace | None = None,
    saved_epoch: int | None = None,
) -> FigureModel:
    """Curves on one axes, each with its own colour and line style.

    Without a ``title``, one curve is titled by its schedule and several by the
    figure's ``name``. A resumed run (``resumed``, started from ``saved_epoch``)
    is drawn as a splice with its boundary and the skipped step marked.
    """
    first = next(iter(traces.values()))
    quantities = list(dict.fromkeys(q for trace in traces.values() for q in trace.quantities))
    panels = []
    for quantity in quantities:
        artists: list[Artist] = epoch_marks(first)
        for i, (label, trace) in enumerate(traces.items()):
            if resumed is not None:
                label = f"first run (last_epoch {trace.steps[0]}..{trace.steps[-1]})"
            style = {"color": f"C{i}", "linestyle": LINESTYLES[i % len(LINESTYLES)]}
            artists += trace_lines(trace, quantity, label, **style) if quantity in trace.quantities else []
        if resumed is not None:
            artists += _resume_marks(first, resumed, quantity, saved_epoch)
        if len({trace.schedule.values.get("warmup") for trace in traces.values()}) == 1:  # one warmup: mark it once
            artists += warmup_marks(first, text=resumed is None)  # a splice's legend sits there
        # A splice's note on the skipped step sits between the curves and the legend.
        extra = 0.12 if resumed is not None else 0.0
        panels.append(
            Panel(
                tuple(artists),
                title=title or (default_title(first) if len(traces) == 1 else name),
                xlabel=x_label(first),
                ylabel=y_label(quantity),
                log_y=log_y and quantity == "lr",
                legend=legend(artists, legend_fontsize, extra) if quantity == quantities[0] else None,
                epoch_length=epoch_length(first),
                quantity=quantity,
            )
        )
    return _stack(panels, figsize or FIGSIZE)


def _resume_marks(first: Trace, resumed: Trace, quantity: str, saved_epoch: int | None) -> list[Artist]:
    skipped = int(first.steps[-1]) + 1
    values = resumed.track(quantity)
    x, y = decimate(resumed.steps, values)
    label = f"resumed with last_epoch={saved_epoch} ({resumed.steps[0]}..{resumed.steps[-1]})"
    top = max(float(first.track(quantity).max()), float(values.max()))
    return [
        Line(x, y, label, color="C1"),
        VLine(skipped, color="0.3", linestyle=":", linewidth=1.2),
        Note(f" resume: last_epoch {skipped} skipped", skipped, top, offset=(0, 6), va="bottom", color="0.15"),
    ]


def grid(
    traces: Mapping[str, Trace], title: str, log_y: bool = False, figsize: tuple[float, float] | None = None
) -> FigureModel:
    """Small multiples with shared axes: one panel per curve (its lr), up to three a row."""
    first = next(iter(traces.values()))
    cols = min(3, len(traces))
    rows = -(-len(traces) // cols)
    panels = [
        Panel(
            (*trace_lines(trace, "lr", label, color=f"C{i}"), *warmup_marks(trace, text=False)),
            title=label,
            title_fontsize=9,
            log_y=log_y,
        )
        for i, (label, trace) in enumerate(traces.items())
    ]
    panels += [Panel(visible=False)] * (rows * cols - len(panels))
    return FigureModel(
        tuple(panels),
        figsize or (3.4 * cols, 2.4 * rows + 0.6),
        (rows, cols),
        sharex=True,
        sharey=True,
        suptitle=title,
        supxlabel=x_label(first),
        supylabel=y_label("lr"),
    )
