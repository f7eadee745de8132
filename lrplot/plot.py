"""Drawing curves with matplotlib: the only module that imports it.

Helpers draw on an Axes they are handed, so the same code serves one curve, an
overlay or a grid. Figures are built with the object API on the Agg canvas: no
pyplot state, nothing to close.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from .curve import Curve

FIGSIZE = (7.0, 4.0)
DECIMATE_BINS = 2048  # more runs than a 7-inch figure at 150 dpi has pixel columns (1050)
KEY_PARAMS_SKIP = ("training_steps",)


def describe_params(curve: Curve, skip: Sequence[str] = ()) -> str:
    """The schedule's parameters as ``warmup 300, T 3000, num_cycles 0.5``."""
    parts = []
    for key, value in curve.schedule.values.items():
        if value is None or key in skip:
            continue
        name = {"training_steps": "T", "warmup": "warmup"}.get(key, key)
        parts.append(f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}")
    return ", ".join(parts)


def default_title(curve: Curve) -> str:
    params = describe_params(curve)
    title = f"{curve.schedule.name}" + (f" ({params})" if params else "")
    if len(title) > 70:  # keep it readable at 7 inches: break after the name
        title = f"{curve.schedule.name}\n{params}"
    return title


def decimate(x: Any, y: Any, bins: int = DECIMATE_BINS) -> tuple[Any, Any]:
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


def draw_curve(ax: Any, curve: Curve, label: str | None = None, **style: Any) -> None:
    """Draw every param group of ``curve`` on ``ax``, decimated to the extremes."""
    groups = len(curve.lrs)
    for g in range(groups):
        name = label if label is not None else curve.name
        if groups > 1:
            name = f"{name} (group {g}, lr {curve.schedule.lrs[g]:g})"
        ax.plot(*decimate(curve.steps, curve.lrs[g]), label=name, linewidth=1.6, **style)


def mark_warmup(ax: Any, curve: Curve, text: bool = True) -> None:
    """A dashed vertical line where warmup ends, if it ends inside the plot."""
    warmup = curve.schedule.values.get("warmup")
    if warmup and curve.steps[0] < warmup <= curve.steps[-1]:
        ax.axvline(warmup, color="0.45", linestyle="--", linewidth=1)
        if not text:
            return
        ax.annotate(
            f" warmup end ({warmup})",
            xy=(warmup, 1),
            xycoords=("data", "axes fraction"),
            va="top",
            fontsize=9,
            color="0.3",
        )


def style_axes(ax: Any, title: str, log_y: bool = False) -> None:
    ax.set_xlabel("step (scheduler.last_epoch)")
    ax.set_ylabel("learning rate")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if log_y:
        ax.set_yscale("log")


def new_figure(figsize: Sequence[float] = FIGSIZE) -> Any:
    from matplotlib.figure import Figure

    width, height = figsize
    return Figure(figsize=(width, height), layout="constrained")


def curve_figure(
    curve: Curve, title: str | None = None, log_y: bool = False, figsize: Sequence[float] = FIGSIZE
) -> Any:
    """A figure of one curve: labelled axes, a titled schedule, the warmup end marked."""
    fig = new_figure(figsize)
    ax = fig.add_subplot()
    draw_curve(ax, curve)
    mark_warmup(ax, curve)
    style_axes(ax, title or default_title(curve), log_y)
    if len(curve.lrs) > 1:
        add_legend(ax, log_y=log_y)
    return fig


def save(fig: Any, file: IO[bytes], fmt: str, dpi: int = 150) -> None:
    """Write ``fig`` to an open binary file in ``fmt`` (png, svg or pdf)."""
    fig.savefig(file, format=fmt, dpi=dpi, metadata=_metadata(fmt))


def _metadata(fmt: str) -> dict[str, Any] | None:
    # Fixed metadata keeps the files byte-stable from run to run.
    if fmt == "png":
        return {"Software": None}
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return None


LINESTYLES = ("-", "--", "-.", ":")


def figure_of(rendered: Any) -> Any:
    """The figure of a :class:`~lrplot.figures.RenderedFigure`.

    Curves overlay on one axes with a distinct colour and line style each, or
    (``grid``) get one small panel each with shared axes; a resumed run is drawn
    as a splice with its boundary and the skipped step marked.
    """
    spec = rendered.spec
    curves = list(rendered.curves.items())
    if spec.grid and len(curves) > 1:
        return _grid_figure(rendered)
    fig = new_figure(spec.figsize or FIGSIZE)
    ax = fig.add_subplot()
    for i, (label, curve) in enumerate(curves):
        style = {"linestyle": LINESTYLES[i % len(LINESTYLES)], "color": f"C{i}"}
        if rendered.resumed is not None:
            label = f"first run (last_epoch {curve.steps[0]}..{curve.steps[-1]})"
        draw_curve(ax, curve, label=label, **style)
    if rendered.resumed is not None:
        _draw_resume(ax, rendered)
    warmups = {c.schedule.values.get("warmup") for _, c in curves}
    if len(warmups) == 1:  # one warmup for every curve: mark it once
        mark_warmup(ax, curves[0][1], text=rendered.resumed is None)  # a splice's legend sits there
    title = spec.title or (default_title(curves[0][1]) if len(curves) == 1 else spec.name)
    style_axes(ax, title, spec.log_y)
    # A splice's note on the skipped step sits between the curves and the legend.
    add_legend(ax, spec.legend_fontsize, spec.log_y, extra=0.12 if rendered.resumed is not None else 0.0)
    return fig


def add_legend(ax: Any, fontsize: float = 10.0, log_y: bool = False, extra: float = 0.0) -> None:
    """A legend in a band of headroom above the curves, so it hides none of them.

    Args:
        extra: more headroom, as a fraction of the y range.
    """
    entries = len(ax.get_legend_handles_labels()[1])
    if not log_y:
        low, high = ax.get_ylim()
        ax.set_ylim(low, high + (0.04 + extra + 0.085 * entries * fontsize / 10) * (high - low))
    ax.legend(fontsize=fontsize, loc="upper right")  # warmup, marked at the top, is usually on the left


def _draw_resume(ax: Any, rendered: Any) -> None:
    resumed, skipped = rendered.resumed, rendered.skipped_epoch
    ax.plot(
        *decimate(resumed.steps, resumed.lrs[0]),
        color="C1",
        linewidth=1.6,
        label=f"resumed with last_epoch={rendered.spec.steps} ({resumed.steps[0]}..{resumed.steps[-1]})",
    )
    ax.axvline(skipped, color="0.3", linestyle=":", linewidth=1.2)
    first = next(iter(rendered.curves.values()))
    top = max(float(first.lrs[0].max()), float(resumed.lrs[0].max()))
    ax.annotate(
        f" resume: last_epoch {skipped} skipped",
        xy=(skipped, top),
        xytext=(0, 6),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=9,
        color="0.15",
    )


def _grid_figure(rendered: Any) -> Any:
    spec = rendered.spec
    curves = list(rendered.curves.items())
    cols = min(3, len(curves))
    rows = -(-len(curves) // cols)
    fig = new_figure(spec.figsize or (3.4 * cols, 2.4 * rows + 0.6))
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        if i >= len(curves):
            ax.set_visible(False)
            continue
        label, curve = curves[i]
        draw_curve(ax, curve, label=label, color=f"C{i}")
        mark_warmup(ax, curve, text=False)
        ax.set_title(label, fontsize=9)
        ax.grid(True, alpha=0.3)
        if spec.log_y:
            ax.set_yscale("log")
    fig.supxlabel("step (scheduler.last_epoch)")
    fig.supylabel("learning rate")
    fig.suptitle(spec.title or spec.name)
    return fig
