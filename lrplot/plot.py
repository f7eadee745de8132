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
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import IO, TYPE_CHECKING, Any

from .errors import LrplotWarning
from .figure_model import Artist, FigureModel, Line, Note, Panel, Points, VLine, check_span

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


@contextmanager
def _drawing() -> Iterator[None]:
    """matplotlib settings for drawing, and its warnings turned into lrplot's."""
    import matplotlib

    fonts_log = logging.getLogger("matplotlib.font_manager")  # it logs font-weight guesses to stderr
    level = fonts_log.level
    fonts_log.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            matplotlib.rc_context({"font.family": list(font_family())} if font_family() else None),
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
    if any("no positive values" in str(w.message) for w in caught):
        empty = "log y axis: no value is above 0, so it shows nothing; draw it linear"
        warnings.warn(LrplotWarning(empty), stacklevel=1)


def load() -> None:
    """Import matplotlib's figure and raster canvas (see :func:`lrplot.engines.preload`)."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401


def render(model: FigureModel) -> Figure:
    """Draw ``model`` on a new matplotlib figure."""
    check_span(model)  # matplotlib cannot place such an axis
    with _drawing():
        return _render(model)


def _render(model: FigureModel) -> Figure:
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
        fig.supxlabel(model.supxlabel, parse_math=False)
    if model.supylabel:
        fig.supylabel(model.supylabel, parse_math=False)
    if model.suptitle:
        fig.suptitle(model.suptitle, parse_math=False)
    return fig


def draw_panel(ax: Axes, panel: Panel) -> None:
    """Draw one panel's artists, in order, then its labels, scale and legend."""
    if not panel.visible:
        ax.set_visible(False)
        return
    for artist in panel.artists:
        draw(ax, artist)
    if panel.xlabel is not None:
        ax.set_xlabel(panel.xlabel, parse_math=False)
    if panel.ylabel is not None:
        ax.set_ylabel(panel.ylabel, parse_math=False)
    if panel.title_fontsize is None:  # matplotlib's title size, not the text default
        ax.set_title(panel.title, parse_math=False)
    else:
        ax.set_title(panel.title, fontsize=panel.title_fontsize, parse_math=False)
    ax.grid(True, alpha=0.3)
    if panel.integer_x:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if panel.x_range is not None:
        ax.set_xlim(*panel.x_range)
    if panel.epoch_length:
        k = float(panel.epoch_length)

        def to_epochs(x: Any) -> Any:  # matplotlib passes arrays
            return x / k

        def to_updates(epoch: Any) -> Any:
            return epoch * k

        from matplotlib.ticker import MaxNLocator

        if not panel.log_y:  # each tick's own value (2e-05), not a "1e-5" in the corner the epoch axis takes
            from matplotlib.ticker import FuncFormatter

            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        top = ax.secondary_xaxis("top", functions=(to_epochs, to_updates))
        top.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
        top.set_xlabel("epoch", parse_math=False)
    if panel.log_y:
        ax.set_yscale("log")
    if panel.legend is not None:
        if not panel.log_y:
            low, high = ax.get_ylim()
            ax.set_ylim(low, high + panel.legend.headroom * (high - low))
        legend = ax.legend(fontsize=panel.legend.fontsize, loc=panel.legend.loc)
        for text in legend.get_texts():
            text.set_parse_math(False)


def draw(ax: Axes, artist: Artist) -> None:
    """Draw one line, mark or note."""
    if isinstance(artist, Line):
        # None takes the colour cycle and the default line style, as when left out.
        ax.plot(
            artist.x, artist.y, label=artist.label, linewidth=artist.linewidth, color=artist.color,
            linestyle=artist.linestyle,
        )  # fmt: skip
    elif isinstance(artist, Points):
        ax.plot(
            artist.x, artist.y, label=artist.label, color=artist.color, linestyle="none", marker=artist.marker,
            markersize=artist.size,
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
            parse_math=False,
            **offset,  # type: ignore[arg-type]
        )


def save(fig: Figure, file: IO[bytes], fmt: str, dpi: int = 150) -> None:
    """Write ``fig`` to an open binary file in ``fmt`` (png, svg or pdf)."""
    with _drawing():
        fig.savefig(file, format=fmt, dpi=dpi, metadata=_METADATA.get(fmt))


# Fixed metadata keeps the files byte-stable from run to run.
_METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}
