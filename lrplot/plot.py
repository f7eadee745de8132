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


def draw_curve(ax: Any, curve: Curve, label: str | None = None, **style: Any) -> None:
    """Draw every param group of ``curve`` on ``ax``."""
    groups = len(curve.lrs)
    for g in range(groups):
        name = label if label is not None else curve.name
        if groups > 1:
            name = f"{name} (group {g}, lr {curve.schedule.lrs[g]:g})"
        ax.plot(curve.steps, curve.lrs[g], label=name, linewidth=1.6, **style)


def mark_warmup(ax: Any, curve: Curve) -> None:
    """A dashed vertical line where warmup ends, if it ends inside the plot."""
    warmup = curve.schedule.values.get("warmup")
    if warmup and curve.steps[0] < warmup <= curve.steps[-1]:
        ax.axvline(warmup, color="0.45", linestyle="--", linewidth=1)
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
        ax.legend()
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
