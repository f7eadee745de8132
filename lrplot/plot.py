"""The matplotlib renderer of a figure model: the only module that imports matplotlib.

Figures are built with the object API on the Agg canvas: no pyplot state,
nothing to close.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from .figure_model import Artist, FigureModel, Line, Note, Panel, VLine

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def render(model: FigureModel) -> Figure:
    """Draw ``model`` on a new matplotlib figure."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=model.figsize, layout="constrained")
    if model.shape is None:
        axes = [fig.add_subplot()]
    else:
        rows, cols = model.shape
        grid = fig.subplots(rows, cols, sharex=model.sharex, sharey=model.sharey, squeeze=False)
        axes = list(grid.ravel())
    for ax, panel in zip(axes, model.panels, strict=True):
        draw_panel(ax, panel)
    if model.supxlabel:
        fig.supxlabel(model.supxlabel)
    if model.supylabel:
        fig.supylabel(model.supylabel)
    if model.suptitle:
        fig.suptitle(model.suptitle)
    return fig


def draw_panel(ax: Axes, panel: Panel) -> None:
    """Draw one panel's artists, in order, then its labels, scale and legend."""
    if not panel.visible:
        ax.set_visible(False)
        return
    for artist in panel.artists:
        draw(ax, artist)
    if panel.xlabel is not None:
        ax.set_xlabel(panel.xlabel)
    if panel.ylabel is not None:
        ax.set_ylabel(panel.ylabel)
    if panel.title_fontsize is None:  # matplotlib's title size, not the text default
        ax.set_title(panel.title)
    else:
        ax.set_title(panel.title, fontsize=panel.title_fontsize)
    ax.grid(True, alpha=0.3)
    if panel.log_y:
        ax.set_yscale("log")
    if panel.legend is not None:
        if not panel.log_y:
            low, high = ax.get_ylim()
            ax.set_ylim(low, high + panel.legend.headroom * (high - low))
        ax.legend(fontsize=panel.legend.fontsize, loc=panel.legend.loc)


def draw(ax: Axes, artist: Artist) -> None:
    """Draw one line, mark or note."""
    if isinstance(artist, Line):
        # None takes the colour cycle and the default line style, as when left out.
        ax.plot(
            artist.x, artist.y, label=artist.label, linewidth=artist.linewidth, color=artist.color,
            linestyle=artist.linestyle,
        )  # fmt: skip
    elif isinstance(artist, VLine):
        ax.axvline(artist.x, color=artist.color, linestyle=artist.linestyle, linewidth=artist.linewidth)
    elif isinstance(artist, Note):
        offset = {"xytext": artist.offset, "textcoords": "offset points"} if artist.offset else {}
        ax.annotate(
            artist.text,
            xy=(artist.x, artist.y),
            xycoords=("data", "axes fraction") if artist.y_in_axes else "data",
            ha=artist.ha,
            va=artist.va,
            fontsize=artist.fontsize,
            color=artist.color,
            **offset,  # type: ignore[arg-type]
        )


def save(fig: Figure, file: IO[bytes], fmt: str, dpi: int = 150) -> None:
    """Write ``fig`` to an open binary file in ``fmt`` (png, svg or pdf)."""
    fig.savefig(file, format=fmt, dpi=dpi, metadata=_METADATA.get(fmt))


# Fixed metadata keeps the files byte-stable from run to run.
_METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}
