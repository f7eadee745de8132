"""The matplotlib renderer of a figure model: the only module that imports matplotlib.

Figures are built with the object API on the Agg canvas: no pyplot state,
nothing to close. Every text is drawn as written (a ``$`` is a dollar sign,
not mathtext), and a CJK font, when one is installed, draws the characters
the default font lacks. matplotlib's own warnings do not reach the user: a
missing glyph becomes one :class:`~lrplot.errors.LrplotWarning`.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from typing import IO, TYPE_CHECKING, Any

from .errors import LrplotWarning
from .figure_model import (
    CAPTION_SIZE,
    DASHES,
    PALETTE,
    TITLE_SIZE,
    Artist,
    FigureModel,
    Highlight,
    Line,
    Note,
    Panel,
    Points,
    Span,
    VLine,
    check_span,
    engineering,
    hex_color,
    wrap,
)
from .look import DEFAULT_DPI

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Fonts that draw Chinese, Japanese and Korean text, in order of preference;
# the first installed one backs up the default font (DejaVu Sans) glyph by glyph.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
MISSING_GLYPH = re.compile(r"Glyph (\d+) .*missing from font")


@cache
def font_family() -> tuple[str, ...]:
    """The font matplotlib would use, then the installed CJK fonts of
    :data:`CJK_FONTS` (matplotlib falls back along a list of named fonts,
    not along a generic family); empty when none is installed."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    fallbacks = tuple(name for name in CJK_FONTS if name in installed)
    if not fallbacks:
        return ()
    default = font_manager.get_font(font_manager.findfont(font_manager.FontProperties())).family_name
    return (default, *fallbacks)


# Every PDF and PostScript font embedded as TrueType (Type 42): many venues refuse Type 3 fonts.
BASE_RC: dict[str, object] = {"pdf.fonttype": 42, "ps.fonttype": 42}
FONT_KEYS = (
    "font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize",
    "figure.titlesize", "figure.labelsize",
)  # fmt: skip
Y_MARGIN = 0.04  # of the y span, below and above the curves
LEGEND_SAMPLE = 4.0  # ems of line in a legend entry: enough to show a whole dash pattern at 8 pt


@contextmanager
def _drawing(rc: dict[str, object] | None = None) -> Iterator[None]:
    """matplotlib settings for drawing, and its warnings turned into lrplot's."""
    import matplotlib

    fonts_log = logging.getLogger("matplotlib.font_manager")  # it logs font-weight guesses to stderr
    level = fonts_log.level
    fonts_log.setLevel(logging.ERROR)
    settings = {**BASE_RC, **({"font.family": list(font_family())} if font_family() else {}), **(rc or {})}
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            matplotlib.rc_context(settings),  # type: ignore[arg-type]
        ):
            warnings.simplefilter("always")
            yield
    finally:
        fonts_log.setLevel(level)
    missing = dict.fromkeys(chr(int(m.group(1))) for w in caught if (m := MISSING_GLYPH.search(str(w.message))))
    if missing:
        shown = "".join(list(missing)[:8])
        warnings.warn(
            LrplotWarning(
                f"no installed font can draw {shown!r}: they show as boxes; install a CJK font "
                "(Debian and Ubuntu: apt install fonts-noto-cjk)"
            ),
            stacklevel=1,
        )
    if any("constrained_layout not applied" in str(w.message) for w in caught):
        cramped = "the figure is too small for its text: its panels got no room; give a larger --figsize or --font-size"
        warnings.warn(LrplotWarning(cramped), stacklevel=1)
    if any("no positive values" in str(w.message) for w in caught):
        empty = "log y axis: no value is above 0, so it shows nothing; draw it linear"
        warnings.warn(LrplotWarning(empty), stacklevel=1)


def load() -> None:
    """Import matplotlib's figure and raster canvas (see :func:`lrplot.engines.preload`)."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401


def render(model: FigureModel) -> Figure:
    """Draw ``model`` on a new matplotlib figure."""
    from cycler import cycler

    check_span(model)  # matplotlib cannot place such an axis
    rc: dict[str, object] = {"axes.prop_cycle": cycler(color=PALETTE)}
    if model.font_size is not None:
        rc.update(dict.fromkeys(FONT_KEYS, model.font_size))
    with _drawing(rc):
        return _render(model)


def _render(model: FigureModel) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=model.figsize, layout="constrained", dpi=model.dpi)
    FigureCanvasAgg(fig)  # a renderer to measure the legend with
    rows, cols = model.shape or (1, 1)
    ratios = {"width_ratios": model.width_ratios} if model.width_ratios else {}
    grid = fig.subplots(rows, cols, sharex=model.sharex, sharey=model.sharey, squeeze=False, gridspec_kw=ratios)
    axes = list(grid.ravel())
    size = _sizer(model.font_size)
    shares = model.width_ratios or (1.0,) * cols
    widths = [model.figsize[0] * share / sum(shares) for share in shares]  # each column's inches, for titles
    for i, (ax, panel) in enumerate(zip(axes, model.panels, strict=True)):
        draw_panel(ax, panel, model.font_size, widths[i % cols])
    _show_lowest_ticks(grid, [p.visible for p in model.panels], cols)
    lr_panels = [p for p in model.panels if p.visible and p.quantity == "lr" and not p.log_y and not p.zoomed]
    if model.sharey and lr_panels:  # one y axis: the range of them all, not the last panel's
        axes[0].set_ylim(*lr_range(lr_panels))
    if model.supxlabel:
        fig.supxlabel(model.supxlabel, parse_math=False)
    if model.supylabel:
        fig.supylabel(model.supylabel, parse_math=False)
    if model.suptitle:
        fig.suptitle(wrap(model.suptitle, model.figsize[0], size(TITLE_SIZE)), parse_math=False)
    caption = wrap(model.caption, model.figsize[0], size(CAPTION_SIZE)) if model.caption else None
    legends = [(ax, p) for ax, p in zip(axes, model.panels, strict=True) if p.legend is not None and p.visible]
    for ax, panel in legends:
        assert panel.legend is not None
        _legend(fig, ax, size(panel.legend.fontsize), model.figsize[0], caption, size(CAPTION_SIZE))
    if caption and not legends:
        # Laid out with the axes, under them, by the figure's x label slot (a single axes leaves it free).
        fig.supxlabel(caption, fontsize=size(CAPTION_SIZE), color="0.35", parse_math=False)
    return fig


def _sizer(font_size: float | None) -> Callable[[float], float]:
    """A text's size: its own, or the model's one size for every text."""
    return lambda own: font_size if font_size is not None else own


def _legend(
    fig: Figure, ax: Axes, fontsize: float, width_inches: float, caption: str | None, caption_size: float
) -> None:
    """The panel's labelled lines in a legend below the panels (the layout makes room for it), in as
    many columns as fit the figure's width, at most four; the caption, if any, heads it (two texts
    in one slot would overprint). A legend taller than a quarter of the figure adds the excess to its
    height, so the panels keep room to show the curves."""
    handles, labels = ax.get_legend_handles_labels()
    labels = [wrap(label, width_inches - 0.8, fontsize) for label in labels]  # the line sample takes the rest
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ncols in range(min(4, len(labels)), 0, -1):
        legend = fig.legend(
            handles, labels, loc="outside lower center", ncols=ncols, fontsize=fontsize, frameon=False,
            handlelength=LEGEND_SAMPLE, title=caption, title_fontproperties={"size": caption_size},
        )  # fmt: skip
        if caption:
            legend.get_title().set_color("0.35")
        for text in [*legend.get_texts(), legend.get_title()]:
            text.set_parse_math(False)
        box = legend.get_window_extent(renderer)
        if box.width <= fig.bbox.width * 0.98 or ncols == 1:
            break
        legend.remove()
    width, height = fig.get_size_inches()
    excess = box.height / fig.dpi - height / 4
    if excess > 0:
        fig.set_size_inches(width, height + excess)


def _show_lowest_ticks(grid: Any, visible: list[bool], cols: int) -> None:
    """Tick labels under a panel that has no visible panel below it (sharex hides inner ones)."""
    rows = len(visible) // cols
    for i, shown in enumerate(visible):
        row, col = divmod(i, cols)
        below = [visible[r * cols + col] for r in range(row + 1, rows)]
        if shown and not any(below):
            grid[row, col].xaxis.set_tick_params(labelbottom=True)


def draw_panel(ax: Axes, panel: Panel, font_size: float | None = None, width_inches: float = 7.0) -> None:
    """Draw one panel's artists, in order, then its labels, scales and ticks; its title wrapped
    to ``width_inches``."""
    if not panel.visible:
        ax.set_visible(False)
        return
    size = _sizer(font_size)
    above: list[Note] = []
    for artist in panel.artists:
        if isinstance(artist, Note) and _above(artist):
            if not panel.epoch_length:
                above.append(artist)
                continue
            artist = replace(artist, va="top")  # the epoch axis holds the top: just inside it instead
        draw(ax, artist, size)
    if above:
        _top_labels(ax, above, size)
    if panel.xlabel is not None:
        ax.set_xlabel(panel.xlabel, parse_math=False)
    if panel.ylabel is not None:
        ax.set_ylabel(panel.ylabel, parse_math=False)
    title_size = size(panel.title_fontsize or TITLE_SIZE)
    title = wrap(panel.title, width_inches, title_size)
    if panel.title_fontsize is None:  # matplotlib's title size, not the text default
        ax.set_title(title, parse_math=False)
    else:
        ax.set_title(title, fontsize=title_size, parse_math=False)
    ax.grid(True, alpha=0.3)
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if panel.integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if panel.log_x:
        ax.set_xscale("log", nonpositive="mask")  # step 0 has no place on it
    if panel.log_x or _largest_x(panel) >= 10_000:  # 200k, 1M: not 0.2..1.0 under a "1e6" in the corner
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: engineering(value)))
    if panel.x_range is not None:
        ax.set_xlim(*panel.x_range)
    if panel.xticks is not None:
        ax.set_xticks(panel.xticks)
    if panel.restarts:
        ax.set_xticks(panel.restarts, minor=True)
        ax.xaxis.remove_overlapping_locs = False  # a restart on a major tick is ticked too
        ax.tick_params(axis="x", which="minor", length=5, width=1.2, color="0.25")
    if panel.epoch_length:
        k = float(panel.epoch_length)

        def to_epochs(x: Any) -> Any:  # matplotlib passes arrays
            return x / k

        def to_updates(epoch: Any) -> Any:
            return epoch * k

        if not panel.log_y:  # each tick's own value (2e-05), not a "1e-5" in the corner the epoch axis takes
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        top = ax.secondary_xaxis("top", functions=(to_epochs, to_updates))
        top.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
        top.set_xlabel("epoch", parse_math=False)
    if panel.log_y:
        ax.set_yscale("log")
    elif panel.quantity == "lr" and not panel.zoomed:
        ax.set_ylim(*lr_range([panel]))


def _above(artist: Artist) -> bool:
    """A note meant to stand above the axes at its step (warmup's end, a decay's start)."""
    return isinstance(artist, Note) and artist.y_in_axes and artist.y >= 1 and artist.va == "bottom"


def _top_labels(ax: Axes, notes: list[Note], size: Callable[[float], float]) -> None:
    """Notes as labels of ticks on a top axis: the layout makes room for them, so none covers a
    curve however short the panel."""
    top = ax.secondary_xaxis("top")
    top.set_xticks([n.x for n in notes], labels=[n.text.strip() for n in notes])
    top.tick_params(axis="x", length=3, color="0.45", labelsize=size(notes[0].fontsize), labelcolor=notes[0].color)
    top.spines["top"].set_visible(False)
    for label in top.get_xticklabels():
        label.set_parse_math(False)


def _largest_x(panel: Panel) -> float:
    import numpy as np

    xs = [np.abs(np.asarray(a.x, dtype=np.float64)) for a in panel.artists if isinstance(a, Line | Points)]
    return max((float(x.max()) for x in xs if len(x)), default=0.0)


def lr_range(panels: list[Panel]) -> tuple[float, float]:
    """A linear lr axis for ``panels``: from 0 (or the lowest value, when below it) with a margin,
    so a floor shows as what it is; more room on top for notes written there."""
    import numpy as np

    values, notes = [], []
    for panel in panels:
        above = not panel.epoch_length  # top-axis labels then, taking no room inside
        notes += [a for a in panel.artists if isinstance(a, Note) and not (above and _above(a))]
        for a in panel.artists:
            if isinstance(a, Line | Points):
                x, y = np.asarray(a.x, dtype=np.float64), np.asarray(a.y, dtype=np.float64)
                keep = np.isfinite(y)
                if panel.x_range is not None:
                    keep &= (x >= panel.x_range[0]) & (x <= panel.x_range[1])
                values.append(y[keep])
    values = [v for v in values if len(v)]
    low = min([0.0, *(float(v.min()) for v in values)])
    high = max([0.0, *(float(v.max()) for v in values)])
    span = high - low or 1.0
    # A note at the top of the axes hangs into them (one above them is a top tick label instead).
    top = Y_MARGIN + (0.1 if any(n.y_in_axes and n.y >= 0.9 for n in notes) else 0)
    top += 0.1 if any(not n.y_in_axes for n in notes) else 0
    return low - Y_MARGIN * span, high + top * span


def draw(ax: Axes, artist: Artist, size: Callable[[float], float] = lambda own: own) -> None:
    """Draw one line, mark, band or note."""
    if isinstance(artist, Line):
        x, y = artist.x, artist.y
        if artist.breaks:  # a gap (NaN) before each point the line does not join
            import numpy as np

            x = np.insert(np.asarray(x, dtype=np.float64), artist.breaks, np.nan)
            y = np.insert(np.asarray(y, dtype=np.float64), artist.breaks, np.nan)
        # None takes the colour cycle and the default line style, as when left out.
        ax.plot(
            x, y, label=artist.label, linewidth=artist.linewidth, color=_color(artist.color),
            linestyle=_dashes(artist.linestyle), drawstyle="steps-post" if artist.steps else "default",
            marker="o" if _size(x) == 1 else None,  # one step: a line of one point would not show
        )  # fmt: skip
    elif isinstance(artist, Points):
        ax.plot(
            artist.x, artist.y, label=artist.label, color=_color(artist.color), linestyle="none", marker=artist.marker,
            markersize=artist.size,
        )  # fmt: skip
    elif isinstance(artist, VLine):
        ax.axvline(
            artist.x, color=_color(artist.color), linestyle=_dashes(artist.linestyle), linewidth=artist.linewidth
        )
    elif isinstance(artist, Highlight):
        ax.plot(artist.x, artist.y, linestyle="none", marker="o", markersize=3.5, color="0.2", zorder=3)
    elif isinstance(artist, Span):
        ax.axvspan(artist.x0, artist.x1, color=artist.color, alpha=artist.alpha, linewidth=0, zorder=0)
    elif isinstance(artist, Note):
        offset = {"xytext": artist.offset, "textcoords": "offset points"} if artist.offset else {}
        ax.annotate(
            artist.text,
            xy=(artist.x, artist.y),
            xycoords=("data", "axes fraction") if artist.y_in_axes else "data",
            ha=artist.ha,
            va=artist.va,
            fontsize=size(artist.fontsize),
            color=_color(artist.color),
            parse_math=False,
            **offset,  # type: ignore[arg-type]
        )


def _size(values: Any) -> int:
    import numpy as np

    return int(np.size(values))


def _color(color: str | None) -> str | None:
    """``"C3"`` as the model's palette has it: matplotlib would read its own cycle when drawing."""
    return hex_color(color) if color is not None else None


def _dashes(linestyle: str | None) -> Any:
    """A model's line style as matplotlib takes it: a name of :data:`DASHES`, or its own."""
    if linestyle is None:
        return None
    pattern = DASHES.get(linestyle)
    if pattern is None:
        return linestyle
    return (0, pattern) if pattern else "-"


def save(fig: Figure, file: IO[bytes], fmt: str, dpi: int = DEFAULT_DPI) -> None:
    """Write ``fig`` to an open binary file in ``fmt`` (png, svg or pdf)."""
    with _drawing():
        fix_layout(fig)
        fig.savefig(file, format=fmt, dpi=dpi, metadata=_METADATA.get(fmt))


def fix_layout(fig: Figure) -> None:
    """Lay ``fig`` out once, on its raster canvas, and keep that layout.

    With a layout engine set, every ``savefig`` first draws the whole figure
    without output only to run the engine, then draws it again: a third of the
    time of a save, and again for each format. Laid out here and the engine
    removed, each save draws once, the PNG is byte for byte what it was, and
    the SVG and PDF have the PNG's layout rather than their own (within a
    fraction of a point of it).
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine(None)


# Fixed metadata keeps the files byte-stable from run to run.
_METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}
