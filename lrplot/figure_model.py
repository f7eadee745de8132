"""What to draw, decided without matplotlib: panels, lines, marks, legends, titles.

A :class:`FigureModel` is plain data. The builders here turn traces into one
(which curves, decimated to their extremes, which marks, where the legend goes,
what the titles say); a renderer draws it: :mod:`lrplot.plot` with matplotlib,
and later terminal and HTML renderers from the same model.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .errors import LrplotWarning, ParameterError, UsageError
from .look import DEFAULT_DPI, Look
from .params import text_of
from .trace import QUANTITY_LABELS, Column, Trace

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

FIGSIZE = (7.0, 4.0)
DECIMATE_BINS = 2048  # more runs than a 7-inch figure at 150 dpi has pixel columns (1050)
# Okabe and Ito's colours, told apart by the three common kinds of colour blindness; black
# and yellow last (yellow is faint on white). "C0".."C7" in a model, drawn the same by every renderer.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
# Dash patterns in multiples of the line width (as matplotlib scales them): eight that differ at a
# glance, so eight curves stay apart in greyscale and for any reader. The first four are matplotlib's.
DASHES: dict[str, tuple[float, ...]] = {
    "-": (),
    "--": (3.7, 1.6),
    ":": (1.0, 1.65),
    "-.": (6.4, 1.6, 1.0, 1.6),
    "long": (10.0, 3.0),
    "-..": (6.4, 1.6, 1.0, 1.6, 1.0, 1.6),
    "sparse": (1.0, 4.0),
    "long-short": (10.0, 2.0, 3.0, 2.0),  # with the faint yellow: the most ink
}
LINESTYLES = tuple(DASHES)
LINEWIDTH = 1.6
TITLE_SIZE = 12.0  # points: matplotlib's "large" title
CAPTION_SIZE = 8.0  # points: small print under the panels
CHAR_EM = 0.58  # a DejaVu Sans character's mean width, in ems, for wrapping before drawing
MAX_EPOCH_MARKS = 50  # more epoch boundaries than this would grey the panel: the top axis alone shows them
MAX_RESTART_TICKS = 50  # restarts ticked on the step axis; more would be a solid bar
ZOOM_HALF_WIDTH = 12  # steps either side of a resume splice in its zoomed panel
NARROW = 5.0  # inches: a narrower figure (a paper's column) has no room for a splice's zoom or a third grid column


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
    steps: bool = False  # each value holds until the next step's: drawn as steps, not ramps
    breaks: tuple[int, ...] = ()  # indices ``i`` where the line does not join point ``i - 1`` (a restart)


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


@dataclass(frozen=True)
class Span:
    """A shaded band of steps: a phase of the schedule (warmup, decay)."""

    x0: float
    x1: float
    color: str = "0.5"
    alpha: float = 0.08


@dataclass(frozen=True, eq=False)
class Highlight:
    """Points of note on a curve (its peak, its final value): small dots where a renderer has
    room for them; the figure's caption says what they are."""

    x: ArrayLike
    y: ArrayLike


Artist = Line | Points | VLine | Note | Span | Highlight


@dataclass(frozen=True)
class Legend:
    """A legend of the panel's labelled lines, drawn below the axes, where it hides none of them."""

    fontsize: float = 10.0


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
    quantity: str = "lr"  # what the y axis shows: a log-y switch applies to the lr only; an lr axis shows 0
    log_x: bool = False
    restarts: tuple[float, ...] = ()  # steps where the schedule restarts: ticked on the x axis
    xticks: tuple[float, ...] | None = None  # where the x axis is ticked, when its own choice would crowd
    zoomed: bool = False  # a close-up: its y axis fits its values, not 0


@dataclass(frozen=True)
class FigureModel:
    """A whole figure: panels on a grid of ``shape`` (rows, cols), or one plain axes.

    A legend goes below the panels, inside ``figsize``. ``caption`` is small print under the
    panels (peak and final lr).
    """

    panels: tuple[Panel, ...]
    figsize: tuple[float, float] = FIGSIZE
    shape: tuple[int, int] | None = None
    sharex: bool = False
    sharey: bool = False
    suptitle: str | None = None
    supxlabel: str | None = None
    supylabel: str | None = None
    dpi: int = DEFAULT_DPI
    font_size: float | None = None  # every text, when set (a paper's 8 pt)
    caption: str | None = None
    width_ratios: tuple[float, ...] | None = None


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
        resolved.append(hex_color(color or "0.3"))
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


def hex_color(color: str) -> str:
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
    """The schedule and its parameters (wrapped to the figure by :func:`wrap`)."""
    params = describe_params(trace)
    return trace.schedule.name + (f" ({params})" if params else "")


def wrap(text: str, width_inches: float, font_size: float) -> str:
    """``text`` broken into lines that fit ``width_inches`` at ``font_size``: between
    parameters (after ", ") where it can, else between words; a word longer than a line
    is cut. Line breaks already in ``text`` stay."""
    chars = max(8, int((width_inches * 72 - 16) / (CHAR_EM * font_size)))
    lines: list[str] = []
    for given in text.split("\n"):
        line = ""
        for part in _pieces(given, chars):
            if line and _chars(line) + _chars(part) > chars:
                lines.append(line.rstrip())
                line = part.lstrip()
            else:
                line += part
            while _chars(line) > chars:  # one word wider than the figure
                cut = next(i for i in range(len(line), 0, -1) if _chars(line[:i]) <= chars)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    return "\n".join(lines)


def _chars(text: str) -> int:
    """How many mean characters ``text`` is wide: a CJK character counts two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pieces(text: str, chars: int) -> list[str]:
    """``text`` cut after each ", " and before " (" (between parameters, and after a name); a piece
    wider than ``chars`` is cut after each space too."""
    pieces = []
    for chunk in re.split(r"(?<=, )|(?= \()", text):
        if _chars(chunk) <= chars:
            pieces.append(chunk)
            continue
        words = chunk.split(" ")
        pieces += [w + " " for w in words[:-1]] + [words[-1]]
    return [p for p in pieces if p]


X_LABELS = {"step": "step (scheduler.last_epoch)", "update": "optimizer update"}


def x_label(trace: Trace) -> str:
    return X_LABELS.get(trace.x_name, trace.x_name)


def y_label(quantity: str) -> str:
    return QUANTITY_LABELS.get(quantity, quantity)


def shape_of(y: Column) -> tuple[bool, list[int]]:
    """How per-step values are drawn: ``(steps, breaks)``.

    A curve that holds its value over most steps is piecewise constant (step_lr):
    drawn as steps. Otherwise a jump across most of the curve's range, far bigger
    than the changes either side of it, is a restart: the line breaks there
    (``breaks`` lists the index after each jump). A one-step spike, which comes
    back, is not a jump.
    """
    import numpy as np

    values = np.asarray(y, dtype=np.float64)
    if len(values) < 4:
        return False, []
    low, high = float(values.min()), float(values.max())  # NaN or inf in them: drawn as given
    if not (math.isfinite(low) and math.isfinite(high)):
        return False, []
    change = np.diff(values)
    np.abs(change, out=change)  # few passes over 10M values: this runs for every figure
    if np.count_nonzero(change == 0) * 2 >= len(change):
        return True, []
    big = np.flatnonzero(change > 0.2 * (high - low))
    big = big[(big >= 1) & (big <= len(values) - 3)]  # each side keeps two points
    jumps = big[(change[big] > 8 * change[big - 1]) & (change[big] > 8 * change[big + 1])]
    return False, [int(i) + 1 for i in jumps]


def cut(trace: Trace, xlim: tuple[float, float] | None) -> tuple[Column, dict[tuple[str, int], Column]]:
    """The trace's x and tracks within ``xlim`` (all of them without one)."""
    if xlim is None:
        return trace.x, dict(trace.tracks)
    import numpy as np

    x = np.asarray(trace.x)
    inside = (x >= xlim[0]) & (x <= xlim[1])
    if np.count_nonzero(inside) < 2:  # a line needs two
        held = "no step" if not inside.any() else f"only step {x[inside][0]:g}"
        raise ParameterError(
            "xlim", f"{xlim[0]:g}:{xlim[1]:g} holds {held} of the run, which has {x[0]:g}..{x[-1]:g}; give two or more"
        )
    tracks: dict[tuple[str, int], Column] = {key: np.asarray(v)[inside] for key, v in trace.tracks.items()}
    return x[inside], tracks


def line(
    x: Column,
    y: Column,
    label: str | None = None,
    color: str | None = None,
    linestyle: str | None = None,
    log_x: bool = False,
) -> Line:
    """A line of per-step values, drawn as what they are (:func:`shape_of`) and thinned
    (:func:`decimate`) segment by segment, so no thinning run spans a restart. On a log
    step axis each decade is thinned on its own, so the first steps keep every point."""
    import numpy as np

    steps, breaks = shape_of(y)
    bounds = [0, *breaks, len(y)]
    decades = _decades(x) if log_x else []
    cuts = sorted({*bounds, *decades})
    xs: list[Column] = []
    ys: list[Column] = []
    kept: dict[int, int] = {}  # a break's index in ``y`` -> its index in the thinned line
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        share = 1 / (len(decades) + 1) if log_x else (hi - lo) / len(y)
        part_x, part_y = decimate(x[lo:hi], y[lo:hi], max(2, round(DECIMATE_BINS * share)))
        kept[lo] = sum(len(part) for part in xs)
        xs.append(np.asarray(part_x))
        ys.append(np.asarray(part_y))
    x_out, y_out = (np.concatenate(xs), np.concatenate(ys)) if len(xs) > 1 else (xs[0], ys[0])
    thinned = len(x) if len(x_out) < len(x) else None
    return Line(
        x_out, y_out, label, color, linestyle, thinned_from=thinned, steps=steps, breaks=tuple(kept[b] for b in breaks)
    )


def _decades(x: Column) -> list[int]:
    """The indices where ``x`` (rising) reaches each power of ten."""
    import numpy as np

    values = np.asarray(x)
    top = float(values[-1]) if len(values) else 0.0
    powers = [10.0**k for k in range(1, int(math.log10(top)) + 1)] if top >= 10 else []
    return [int(i) for i in np.searchsorted(values, powers) if 0 < i < len(values)]


def trace_lines(
    trace: Trace,
    quantity: str,
    label: str | None = None,
    color: str | None = None,
    linestyle: str | None = None,
    xlim: tuple[float, float] | None = None,
    first_style: int = 0,
    log_x: bool = False,
) -> list[Line]:
    """One line per param group of ``quantity`` within ``xlim``; groups after the first
    take the next line styles (from ``first_style``), so they differ without colour."""
    import numpy as np

    keys = [key for key in trace.tracks if key[0] == quantity]
    x, tracks = cut(trace, xlim)
    if log_x and np.count_nonzero(np.asarray(x, dtype=np.float64) > 0) < 2:
        raise ParameterError(
            "log_x",
            f"a log step axis shows steps above 0, and the steps drawn, {x[0]:g}..{x[-1]:g}, "
            "hold fewer than two; draw it linear or widen --xlim",
        )
    lines = []
    for i, key in enumerate(keys):
        name = label if label is not None else trace.name
        style = linestyle
        if len(keys) > 1:
            name = f"{name} (group {key[1]}, lr {trace.schedule.lrs[key[1]]:g})"
            style = LINESTYLES[(first_style + i) % len(LINESTYLES)]
        lines.append(line(x, tracks[key], name, color, style, log_x))
    return lines


def warmup_marks(trace: Trace, text: bool = True) -> list[Artist]:
    """Warmup shaded, and a dashed vertical line where it ends, if it ends inside the plot."""
    warmup = trace.schedule.values.get("warmup")
    if not isinstance(warmup, int) or not warmup or not trace.steps[0] < warmup <= trace.steps[-1]:
        return []
    # Warmup counts scheduler steps: mark the first x at which last_epoch reaches it.
    x = warmup if trace.x_name == "step" else int(trace.x[trace.steps.searchsorted(warmup)])
    marks: list[Artist] = [Span(float(trace.x[0]), x), VLine(x, color="0.45", linestyle="--", linewidth=1)]
    if text:
        marks.append(Note(f" warmup end ({warmup})", x, 1, y_in_axes=True, va="bottom"))
    return marks


def _decay_start(trace: Trace) -> int | None:
    """The step where warmup_stable_decay's decay starts, when it is inside the run."""
    values = trace.schedule.values
    stable, warmup = values.get("stable_steps"), values.get("warmup")
    if not isinstance(stable, int) or not isinstance(warmup, int) or trace.x_name != "step":
        return None
    start = warmup + stable
    return start if trace.steps[0] < start < trace.steps[-1] else None


def phase_marks(trace: Trace) -> list[Artist]:
    """Where warmup_stable_decay's decay starts: shaded to the end, and marked."""
    start = _decay_start(trace)
    if start is None:
        return []
    return [
        Span(start, float(trace.x[-1]), color="0.5", alpha=0.05),
        VLine(start, color="0.45", linestyle="-.", linewidth=1),
        Note(f" decay start ({start})", start, 1, y_in_axes=True, va="bottom"),
    ]


def restarts(lines: Sequence[Line]) -> tuple[float, ...]:
    """The steps where a line jumps back up (a hard restart), when there are few enough to tick."""
    import numpy as np

    found: set[float] = set()
    for drawn in lines:
        x, y = np.asarray(drawn.x), np.asarray(drawn.y, dtype=np.float64)
        found.update(float(x[i]) for i in drawn.breaks if y[i] > y[i - 1])
    return tuple(sorted(found)) if len(found) <= MAX_RESTART_TICKS else ()


def epoch_marks(trace: Trace) -> list[Artist]:
    """A dotted line at each epoch boundary of a scheduler stepped once an epoch (when there are few)."""
    k = trace.options.updates_per_step
    if trace.options.interval != "epoch" or len(trace.x) // k > MAX_EPOCH_MARKS:
        return []
    first, last = int(trace.x[0]), int(trace.x[-1])
    return [VLine(x, color="0.6", linestyle=":", linewidth=0.8) for x in range(first - first % k + k, last + 1, k)]


def epoch_length(trace: Trace) -> int | None:
    return trace.options.updates_per_step if trace.options.interval == "epoch" else None


def summary(trace: Trace, xlim: tuple[float, float] | None, width_inches: float) -> str:
    """The caption of one schedule: its peak, lowest after the peak, and final lr (first param
    group), and a warning when its cycles are denser than the figure's pixels."""
    import numpy as np

    x, tracks = cut(trace, xlim)
    y = np.asarray(tracks[("lr", 0)], dtype=np.float64)
    if not len(y) or not np.isfinite(y).all():
        return ""
    peak = int(np.argmax(y))
    unit = "update" if trace.x_name == "update" else "step"
    parts = [f"peak {y[peak]:.6g} at {_x(unit, x[peak])}"]
    low = peak + int(np.argmin(y[peak:]))
    if y[low] < y[-1]:
        parts.append(f"lowest {y[low]:.6g} at {_x(unit, x[low])}")
    parts.append(f"final {y[-1]:.6g} at {_x(unit, x[-1])}")
    if len(trace.schedule.lrs) > 1:
        parts[0] = "group 0: " + parts[0]
    if xlim is not None:  # the numbers are the window's, not the run's
        parts[0] = f"{unit}s {_x('', x[0]).strip()}..{_x('', x[-1]).strip()} drawn: " + parts[0]
    floor = _floor(trace)
    if floor is not None:
        parts.append(f"floor {floor[0]:.6g} ({floor[1]})")
    dense = width_inches * 12  # cycles: under about 6 pixels a cycle at 150 dpi draws as a solid band
    # The thinned curve keeps every bin's extremes, so it turns as often as the run up to
    # ~1000 cycles: counting there first spares a long run's passes when it is not dense.
    thinned = np.asarray(decimate(x, y)[1], dtype=np.float64)
    turns = _turns(thinned)
    if turns / 2 > dense and len(thinned) < len(y):
        turns = _turns(y)
    if turns / 2 > dense:
        parts.append(f"{turns // 2 + 1} cycles: denser than the figure can show; zoom in with --xlim FIRST:LAST")
    return " · ".join(parts)


def _turns(y: Column) -> int:
    """How often ``y`` changes direction (flat stretches aside)."""
    import numpy as np

    change = np.diff(np.asarray(y, dtype=np.float64))
    return int(np.count_nonzero(np.diff(np.sign(change[change != 0])) != 0))


# The parameters that set a schedule's floor: absolute, or a fraction of the first group's lr.
FLOORS = {"eta_min": False, "min_lr": False, "lr_end": False, "min_lr_rate": True, "min_lr_ratio": True}


def _floor(trace: Trace) -> tuple[float, str] | None:
    """The lowest lr the schedule's own parameters set (first param group), and which one sets it."""
    for key, relative in FLOORS.items():
        value = trace.schedule.values.get(key)
        value = value[0] if isinstance(value, tuple) and value else value
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return (value * trace.schedule.lrs[0] if relative else float(value)), f"{key} {value:g}"
    return None


def _x(unit: str, value: object) -> str:
    step = float(value)  # type: ignore[arg-type]
    return f"{unit} {int(step):,}" if step.is_integer() else f"{unit} {step:g}"


def engineering(value: float) -> str:
    """A step count as an axis shows it: ``950``, ``20k``, ``1.5M``."""
    for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale * 0.9995:  # 999,999 is 1M, not 1000k
            return f"{value / scale:.4g}{suffix}"
    return f"{value:g}"


def _markers(trace: Trace, xlim: tuple[float, float] | None) -> list[Artist]:
    """Small marks at the peak and the final value of the first param group's lr."""
    import numpy as np

    x, tracks = cut(trace, xlim)
    y = np.asarray(tracks[("lr", 0)], dtype=np.float64)
    if len(y) < 2 or not np.isfinite(y).all():
        return []
    picks = sorted({int(np.argmax(y)), len(y) - 1})
    return [Highlight(np.asarray(x)[picks], y[picks])]


def within(artists: Sequence[Artist], xlim: tuple[float, float] | None) -> tuple[Artist, ...]:
    """The marks and notes inside ``xlim`` (a note outside it would pull the layout after it),
    bands cut to it; lines are cut already."""
    if xlim is None:
        return tuple(artists)
    low, high = xlim
    kept: list[Artist] = []
    for a in artists:
        if isinstance(a, VLine | Note) and not low <= a.x <= high:
            continue
        if isinstance(a, Span):
            if a.x1 < low or a.x0 > high:
                continue
            a = replace(a, x0=max(a.x0, low), x1=min(a.x1, high))
        kept.append(a)
    return tuple(kept)


def _finish(panels: list[Panel], look: Look, figsize: tuple[float, float], caption: str | None = None) -> FigureModel:
    """Panels of one x axis stacked, the look applied."""
    size = look.figsize or figsize
    panels = [replace(p, log_x=bool(look.log_x), artists=within(p.artists, look.xlim)) for p in panels]
    common = {"dpi": look.dpi or DEFAULT_DPI, "font_size": look.font_size, "caption": caption}
    if len(panels) == 1:
        return FigureModel(tuple(panels), size, **common)  # type: ignore[arg-type]
    bottom = len(panels) - 1
    stacked = tuple(
        replace(
            p,
            title=p.title if i == 0 else "",
            xlabel=p.xlabel if i == bottom else None,
            epoch_length=p.epoch_length if i == 0 else None,  # the epoch axis on top of the figure only
        )
        for i, p in enumerate(panels)
    )
    height = size[1] if look.figsize else size[1] * len(panels) * 0.6
    return FigureModel(stacked, (size[0], height), (len(panels), 1), sharex=True, **common)  # type: ignore[arg-type]


# The builders -----------------------------------------------------------------------------


def single(trace: Trace, title: str | None = None, log_y: bool = False, look: Look | None = None) -> FigureModel:
    """One trace: labelled axes, a titled schedule, warmup and phases marked, peak and final
    lr in the caption; a panel per quantity."""
    look = look or Look()
    panels = []
    for quantity in trace.quantities:
        lines = trace_lines(trace, quantity, xlim=look.xlim, log_x=bool(look.log_x))
        marks = [*warmup_marks(trace), *phase_marks(trace)] if quantity == "lr" else warmup_marks(trace, text=False)
        extra = _markers(trace, look.xlim) if quantity == "lr" else []
        panels.append(
            Panel(
                (*epoch_marks(trace), *marks, *lines, *extra),
                title=title or default_title(trace),
                xlabel=x_label(trace),
                ylabel=y_label(quantity),
                log_y=log_y and quantity == "lr",
                legend=Legend() if len(lines) > 1 else None,
                epoch_length=epoch_length(trace),
                x_range=look.xlim,
                quantity=quantity,
                restarts=restarts(lines),
            )
        )
    width = (look.figsize or FIGSIZE)[0]
    return _finish(panels, look, FIGSIZE, summary(trace, look.xlim, width))


def overlay(
    traces: Mapping[str, Trace],
    title: str | None = None,
    name: str = "",
    log_y: bool = False,
    look: Look | None = None,
    legend_fontsize: float = 10.0,
    resumed: Trace | None = None,
    saved_epoch: int | None = None,
) -> FigureModel:
    """Curves on one axes, each with its own colour and line style.

    Without a ``title``, one curve is titled by its schedule and several by the
    figure's ``name``. A resumed run (``resumed``, started from ``saved_epoch``)
    is drawn as a splice with its boundary and the skipped step marked, and a
    panel beside it zoomed on the splice.
    """
    look = look or Look()
    first = next(iter(traces.values()))
    quantities = list(dict.fromkeys(q for trace in traces.values() for q in trace.quantities))
    panels = []
    for quantity in quantities:
        artists: list[Artist] = epoch_marks(first)
        if len({trace.schedule.values.get("warmup") for trace in traces.values()}) == 1:  # one warmup: mark it once
            artists += warmup_marks(first, text=resumed is None and quantity == "lr")  # a splice has notes of its own
        if quantity == "lr" and len({_decay_start(trace) for trace in traces.values()}) == 1:  # one for all
            artists += phase_marks(first)
        lines: list[Line] = []
        for i, (label, trace) in enumerate(traces.items()):
            if resumed is not None:
                label = f"first run (last_epoch {trace.steps[0]}..{trace.steps[-1]})"
            style = LINESTYLES[len(lines) % len(LINESTYLES)]
            if quantity in trace.quantities:
                lines += trace_lines(trace, quantity, label, f"C{i}", style, look.xlim, len(lines), bool(look.log_x))
        artists += lines
        if len(lines) > len(LINESTYLES) and quantity == quantities[0]:
            warnings.warn(
                LrplotWarning(
                    f"{len(lines)} lines: colours and dash patterns repeat after {len(LINESTYLES)}, so some "
                    "curves differ by their legend entry only; a --grid or fewer curves keeps them apart"
                ),
                stacklevel=2,
            )
        if resumed is not None:
            artists += _resume_marks(first, resumed, quantity, saved_epoch, look.xlim)
        if len(traces) == 1 and resumed is None and quantity == "lr":
            artists += _markers(first, look.xlim)
        panels.append(
            Panel(
                tuple(artists),
                title=title or (default_title(first) if len(traces) == 1 else name),
                xlabel=x_label(first),
                ylabel=y_label(quantity),
                log_y=log_y and quantity == "lr",
                legend=Legend(legend_fontsize) if quantity == quantities[0] and _labelled(artists) > 1 else None,
                epoch_length=epoch_length(first),
                x_range=look.xlim,
                quantity=quantity,
                restarts=restarts(lines),
            )
        )
    width = (look.figsize or FIGSIZE)[0]
    caption = summary(first, look.xlim, width) if len(traces) == 1 and resumed is None else None
    wide = (look.figsize or FIGSIZE)[0] >= NARROW
    if resumed is not None and look.xlim is None and len(panels) == 1 and wide:
        return _spliced(panels[0], _zoom(first, resumed), look)
    return _finish(panels, look, FIGSIZE, caption)


def _resume_marks(
    first: Trace, resumed: Trace, quantity: str, saved_epoch: int | None, xlim: tuple[float, float] | None
) -> list[Artist]:
    skipped = int(first.steps[-1]) + 1
    label = f"resumed with last_epoch={saved_epoch} ({resumed.steps[0]}..{resumed.steps[-1]})"
    x, tracks = cut(resumed, xlim)
    return [
        line(x, tracks[(quantity, 0)], label, color="C1", linestyle="--"),
        VLine(skipped, color="0.3", linestyle=":", linewidth=1.2),
        Note(f" resume ({skipped} skipped)", skipped, 1, y_in_axes=True, va="bottom", color="0.15"),
    ]


def _zoom(first: Trace, resumed: Trace) -> Panel:
    """The steps either side of a splice, each marked, so the skipped one shows as a gap."""
    import numpy as np

    skipped = int(first.steps[-1]) + 1
    xlim = (skipped - ZOOM_HALF_WIDTH, skipped + ZOOM_HALF_WIDTH)
    artists: list[Artist] = [VLine(skipped, color="0.3", linestyle=":", linewidth=1.2)]
    for trace, color, style in ((first, "C0", "-"), (resumed, "C1", "--")):
        x, tracks = cut(trace, xlim)
        y = np.asarray(tracks[("lr", 0)])
        artists += [Line(x, y, None, color, style), Points(x, y, None, color, marker="o", size=3)]
    return Panel(
        tuple(artists),
        title=f"the splice, zoomed:\n{skipped} never read",
        title_fontsize=9,
        xlabel="step",
        x_range=(xlim[0] - 0.5, xlim[1] + 0.5),
        xticks=(skipped - ZOOM_HALF_WIDTH + 2, skipped, skipped + ZOOM_HALF_WIDTH - 2),
        zoomed=True,
    )


def _spliced(main: Panel, zoom: Panel, look: Look) -> FigureModel:
    size = look.figsize or (FIGSIZE[0] + 2, FIGSIZE[1])
    main = replace(main, log_x=bool(look.log_x))
    return FigureModel(
        (main, zoom), size, (1, 2), dpi=look.dpi or DEFAULT_DPI, font_size=look.font_size, width_ratios=(4, 1)
    )


def _labelled(artists: Sequence[Artist]) -> int:
    return sum(1 for a in artists if isinstance(a, Line | Points) and a.label)


def grid(traces: Mapping[str, Trace], title: str, log_y: bool = False, look: Look | None = None) -> FigureModel:
    """Small multiples with shared axes: one panel per curve (its lr), up to three a row (two in
    a figure under 5 inches wide); a figure too short for its rows grows to keep each panel's
    height about three quarters of its width."""
    look = look or Look()
    first = next(iter(traces.values()))
    narrow = look.figsize is not None and look.figsize[0] < NARROW
    cols = min(2 if narrow else 3, len(traces))
    rows = -(-len(traces) // cols)
    panels = []
    for i, (label, trace) in enumerate(traces.items()):
        lines = trace_lines(trace, "lr", label, color=f"C{i}", xlim=look.xlim, log_x=bool(look.log_x))
        panels.append(
            Panel(
                within((*warmup_marks(trace, text=False), *lines), look.xlim),
                title=label,
                title_fontsize=9,
                log_y=log_y,
                x_range=look.xlim,
                log_x=bool(look.log_x),
                restarts=restarts(lines),
            )
        )
    panels += [Panel(visible=False)] * (rows * cols - len(panels))
    size = look.figsize or (3.4 * cols, 2.4 * rows + 0.6)
    size = (size[0], max(size[1], rows * 0.7 * size[0] / cols + 0.6))  # rows of legible panels
    return FigureModel(
        tuple(panels),
        size,
        (rows, cols),
        sharex=True,
        sharey=True,
        suptitle=title,
        supxlabel=x_label(first),
        supylabel=y_label("lr"),
        dpi=look.dpi or DEFAULT_DPI,
        font_size=look.font_size,
    )
