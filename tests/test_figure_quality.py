"""The figures as a person sees them: no text cut off, nothing hiding the curves, curves
told apart in greyscale, fonts a journal accepts.

Every check reads matplotlib's own geometry after a real draw on the Agg canvas. The
helpers at the top each return a list of human-readable problems (empty when the figure
is fine); the tests assert that list is empty, so a failure names the figure and the
text, line or font at fault. The last tests show that each helper does report a figure
that is plainly wrong, so a passing run means something.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import matplotlib
import matplotlib.colors
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox
from typer.testing import CliRunner

import lrplot
from lrplot import api, configs, figures, look, plot
from lrplot.cli.app import app
from lrplot.figure_model import FigureModel, Line, Panel

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = tuple(sorted((ROOT / "configs").glob("*.toml")))  # every committed set
SLACK_PX = 1.0  # antialiasing and rounding: a text may touch the edge by a pixel
# How far apart in grey (0 black, 1 white) two lines of one dash pattern must be to be told
# apart in a greyscale print: 0.12, about 31 of 255 grey levels. A difference that shows
# between two large patches side by side is not enough here: the lines are 1.6 pt wide, far
# apart on the page, matched to a small legend swatch, and printing compresses the mid greys.
# tab10's blue (C0) and purple (C4), 0.06 apart, read as one grey; black and a 0.6 grey pass.
MIN_GREY_STEP = 0.12


# Drawing, and what was drawn ------------------------------------------------------------


@dataclasses.dataclass
class Drawn:
    """A figure after a draw: its renderer and every text actually drawn, with its extent."""

    name: str
    fig: Figure
    renderer: object
    texts: list[tuple[Text, Bbox]]


@contextmanager
def _quiet_fonts() -> Iterator[None]:
    fonts_log = logging.getLogger("matplotlib.font_manager")  # font-weight guesses for fallback fonts
    level = fonts_log.level
    fonts_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        fonts_log.setLevel(level)


def draw(fig: Figure, name: str = "figure") -> Drawn:
    """Draw ``fig`` on an Agg canvas and record the texts matplotlib drew (visible, non-empty).

    Recording at draw time leaves out what a figure holds but does not draw: tick labels
    outside the view limits, the texts of hidden axes, annotations clipped away.
    """
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    drawn: dict[int, Text] = {}
    original = Text.draw

    def recording(self: Text, renderer: object) -> None:
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn[id(self)] = self

    with _quiet_fonts(), mock.patch.object(Text, "draw", recording):
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    with _quiet_fonts():
        texts = [(text, text.get_window_extent(renderer)) for text in drawn.values()]
    return Drawn(name, fig, renderer, texts)


def role(text: Text, fig: Figure) -> str:
    """What a text is, in a reader's words: ``x tick label``, ``legend entry``, ``title``..."""
    for attr, what in (("_suptitle", "suptitle"), ("_supxlabel", "supxlabel"), ("_supylabel", "supylabel")):
        if getattr(fig, attr, None) is text:
            return what
    for legend in fig.legends:
        if text in legend.get_texts():
            return "figure legend entry"
    for ax in _all_axes(fig):
        if text in (ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)):
            return "axes title"
        for axis, letter in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if text is axis.label:
                return f"{letter} label"
            if text is axis.get_offset_text():
                return f"{letter} offset text"
            ticks = axis.get_major_ticks() + axis.get_minor_ticks()
            if any(text in (tick.label1, tick.label2) for tick in ticks):
                return f"{letter} tick label"
        legend = ax.get_legend()
        if legend is not None and text in legend.get_texts():
            return "legend entry"
        if text in ax.texts:
            return "note" if isinstance(text, Annotation) else "text"
    return "text"


def _all_axes(fig: Figure) -> list[Axes]:
    """The figure's axes and their child axes (a secondary epoch axis on top)."""
    found: list[Axes] = []
    for ax in fig.axes:
        found += [ax, *getattr(ax, "child_axes", [])]
    return found


def _visible(ax: Axes) -> bool:
    return ax.get_visible() and ax.axison


def _where(ax: Axes, fig: Figure) -> str:
    index = fig.axes.index(ax) if ax in fig.axes else -1
    title = ax.get_title()
    return f"axes {index}" + (f" ({title!r})" if title else "")


# 1. Texts inside the figure; legends and notes clear of the data ---------------------------


def texts_outside(drawn: Drawn) -> list[str]:
    """Each drawn text whose extent leaves the figure, by how many pixels and on which side."""
    box = drawn.fig.bbox
    problems = []
    for text, extent in drawn.texts:
        over = {
            "left": box.x0 - extent.x0,
            "right": extent.x1 - box.x1,
            "bottom": box.y0 - extent.y0,
            "top": extent.y1 - box.y1,
        }
        sides = [f"{px:.0f} px past the {side}" for side, px in over.items() if px > SLACK_PX]
        if sides:
            problems.append(
                f"{drawn.name}: {role(text, drawn.fig)} {text.get_text()!r} leaves the figure: {', '.join(sides)} "
                f"(figure {box.width:.0f}x{box.height:.0f} px)"
            )
    return problems


def drawn_points(line: Line2D, ax: Axes) -> np.ndarray:
    """The line's points in display pixels, those inside its axes only (the ones drawn)."""
    xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
    xy = xy[np.isfinite(xy).all(axis=1)]
    box = ax.get_window_extent()
    inside = (xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1) & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1)
    return xy[inside]


def is_mark(line: Line2D, ax: Axes) -> bool:
    """A vertical mark across the axes (``axvline``: x in data, y in axes fraction), not data."""
    return tuple(line.get_transform().contains_branch_seperately(ax.transData)) != (True, True)


def _inside(points: np.ndarray, box: Bbox) -> np.ndarray:
    return points[(points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)]


def _data_at(line: Line2D, pixel: np.ndarray) -> str:
    x, y = line.get_transform().inverted().transform(pixel)
    return f"x {x:.6g}, y {y:.3g}"


def _entry_at(legend: Legend, pixel: np.ndarray, renderer: object) -> str:
    """The legend entry whose row holds ``pixel`` (the nearest row)."""
    texts = [t for t in legend.get_texts() if t.get_text()]
    if not texts:
        return "?"

    def distance(text: Text) -> float:
        box = text.get_window_extent(renderer)
        return max(box.y0 - pixel[1], pixel[1] - box.y1, 0.0)

    return min(texts, key=distance).get_text()


def legend_overlaps(drawn: Drawn) -> list[str]:
    """Each line with drawn points under a legend (its axes' legend, or a figure legend), and
    each note (an annotation inside an axes) with data points under it or on a legend."""
    fig, renderer = drawn.fig, drawn.renderer
    problems = []
    axes = [ax for ax in fig.axes if _visible(ax)]
    legends = [(ax.get_legend(), [ax]) for ax in axes if ax.get_legend() is not None]
    legends += [(legend, axes) for legend in fig.legends]  # a figure legend may cover any axes
    legends = [(legend, covered) for legend, covered in legends if legend.get_visible()]
    drawn_ids = {id(text) for text, _ in drawn.texts}
    for legend, covered in legends:
        box = legend.get_window_extent(renderer)
        for ax in covered:
            for line in ax.get_lines():
                if not line.get_visible():
                    continue
                under = _inside(drawn_points(line, ax), box)
                if len(under):
                    problems.append(
                        f"{drawn.name}: {_where(ax, fig)}: the legend covers {len(under)} points of line "
                        f"{line.get_label()!r} (first at {_data_at(line, under[0])}), at legend entry "
                        f"{_entry_at(legend, under[0], renderer)!r}"
                    )
    for ax in axes:
        for note in ax.texts:
            if id(note) not in drawn_ids:
                continue
            box = note.get_window_extent(renderer)
            for line in ax.get_lines():
                if not line.get_visible() or is_mark(line, ax):  # a note sits beside its own mark
                    continue
                under = _inside(drawn_points(line, ax), box)
                if len(under):
                    problems.append(
                        f"{drawn.name}: {_where(ax, fig)}: note {note.get_text()!r} covers {len(under)} points of "
                        f"line {line.get_label()!r} (first at {_data_at(line, under[0])})"
                    )
            for legend, covered in legends:
                if ax in covered and box.overlaps(legend.get_window_extent(renderer)):
                    problems.append(f"{drawn.name}: {_where(ax, fig)}: note {note.get_text()!r} overlaps the legend")
    return problems


def missing_x_ticks(drawn: Drawn) -> list[str]:
    """Each visible panel at the bottom of its column (no visible panel below it) that draws
    no x tick label: a reader cannot tell its steps."""
    fig = drawn.fig
    drawn_ids = {id(text) for text, _ in drawn.texts}
    placed = [(ax, ax.get_subplotspec()) for ax in fig.axes if _visible(ax) and ax.get_subplotspec() is not None]
    problems = []
    for ax, spec in placed:
        below = [
            other
            for other, where in placed
            if other is not ax
            and where.get_gridspec() is spec.get_gridspec()
            and set(where.colspan) & set(spec.colspan)
            and where.rowspan.start >= spec.rowspan.stop
        ]
        if below:
            continue
        labels = ax.xaxis.get_majorticklabels() + ax.xaxis.get_minorticklabels()
        if not any(id(label) in drawn_ids for label in labels):
            row, col = spec.rowspan.start, spec.colspan.start
            problems.append(
                f"{drawn.name}: {_where(ax, fig)} at row {row}, column {col} has no panel below it "
                "but draws no x tick labels"
            )
    return problems


# 2. Curves told apart in greyscale ---------------------------------------------------------


def grey(color: object) -> float:
    """The grey a colour becomes in greyscale (0 black, 1 white): Rec. 709 luma of its sRGB values.

    Luma weighs the gamma-encoded values, as a conversion of the image to greyscale does; it
    follows perceived lightness more closely than linear luminance, which crowds the mid greys.
    """
    r, g, b = matplotlib.colors.to_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def dash_pattern(line: Line2D) -> tuple[object, ...]:
    """The line's dash pattern, normalized: ``"--"`` and ``"dashed"`` are one pattern, and so are
    ``"-"`` and ``(0, None)``; a line with no line style has none."""
    if line.get_linestyle() in ("None", " ", ""):
        return ("none",)
    offset, dashes = line._unscaled_dash_pattern  # what matplotlib draws, before scaling by the width
    return (round(float(offset), 3), tuple(round(float(d), 3) for d in dashes) if dashes else None)


def _marker(line: Line2D) -> str:
    marker = line.get_marker()
    return "none" if marker in (None, "None", " ", "", "none") else str(marker)


def indistinguishable(lines: Sequence[Line2D], name: str = "figure") -> list[str]:
    """Each pair of lines that differ neither in dash pattern, nor in marker, nor in grey by
    :data:`MIN_GREY_STEP`: in greyscale a reader cannot tell which is which."""
    problems = []
    for a, b in itertools.combinations(lines, 2):
        same_dash = dash_pattern(a) == dash_pattern(b)
        same_marker = _marker(a) == _marker(b)
        greys = grey(a.get_color()), grey(b.get_color())
        if same_dash and same_marker and abs(greys[0] - greys[1]) < MIN_GREY_STEP:
            problems.append(
                f"{name}: {a.get_label()!r} and {b.get_label()!r} look alike in greyscale: the same dash "
                f"pattern {a.get_linestyle()!r}, greys {greys[0]:.2f} and {greys[1]:.2f} "
                f"(colours {a.get_color()}, {b.get_color()}; they should differ by {MIN_GREY_STEP})"
            )
    return problems


def labelled_lines(fig: Figure) -> list[list[Line2D]]:
    """Per visible axes, its visible lines that carry a legend label."""
    return [
        [line for line in ax.get_lines() if line.get_visible() and not line.get_label().startswith("_")]
        for ax in fig.axes
        if _visible(ax)
    ]


# 3. Fonts in PDFs -------------------------------------------------------------------------


def type3_fonts(pdf: bytes, name: str = "pdf") -> list[str]:
    """Each Type 3 font of ``pdf``, found in its bytes: matplotlib writes font dictionaries uncompressed."""
    problems = []
    for obj in re.findall(rb"obj\s*<<\s*/Type\s*/Font\b.*?endobj", pdf, re.DOTALL):
        if re.search(rb"/Subtype\s*/Type3\b", obj):
            base = re.search(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", obj)
            font = base.group(1).decode("latin-1") if base else "?"
            problems.append(f"{name}: font {font!r} is a Type 3 font (/Subtype /Type3)")
    if not problems and re.search(rb"/Subtype\s*/Type3\b", pdf):  # a font dictionary written otherwise
        problems.append(f"{name}: a Type 3 font (/Subtype /Type3)")
    return problems


def pdffonts_type3(path: Path) -> list[str]:
    """Each font ``pdffonts`` (poppler) lists as Type 3; nothing when it is not installed."""
    exe = shutil.which("pdffonts")
    if exe is None:
        return []
    out = subprocess.run([exe, str(path)], capture_output=True, text=True, timeout=60, check=True).stdout
    lines = out.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]  # the columns' widths: names may hold spaces
    rows = [[line[a:b].strip() for a, b in spans] for line in lines[rule + 1 :] if line.strip()]
    header = [lines[rule - 1][a:b].strip() for a, b in spans]
    name, kind = header.index("name"), header.index("type")
    return [f"{path.name}: pdffonts lists {row[name]!r} as {row[kind]!r}" for row in rows if "Type 3" in row[kind]]


# The figures ------------------------------------------------------------------------------

EIGHT = (
    "constant",
    "constant_with_warmup",
    "linear",
    "cosine",
    "cosine_with_restarts:num_cycles=3",
    "polynomial",
    "inverse_sqrt",
    "cosine_with_min_lr:min_lr_rate=0.1",
)
LONG_NAMES = (
    "cosine_warmup_with_min_lr:min_lr_rate=0.1",
    "cosine_annealing_warm_restarts:t_0=300",
    "warmup_stable_decay:decay_steps=300",
    "cosine_with_restarts:num_cycles=2",
    "constant_with_warmup",
)
NON_ASCII_TITLE = "Cosinus: décroissance → 0 après l'échauffement"


def _config_specs() -> dict[str, figures.FigureSpec]:
    return {spec.name: spec for path in CONFIGS for spec in configs.load(path).figures}


def _model(name: str) -> FigureModel:
    """The figure model of ``name``: a figure of the configs, or a stress figure of this file."""
    if name in CONFIG_SPECS:
        return figures.render(CONFIG_SPECS[name]).figure()
    return STRESS[name]().figure()


STRESS: dict[str, Callable[[], figures.RenderedFigure | figures.TraceDocument]] = {
    "stress_eight_curves": lambda: api.compare(
        EIGHT, 1000, shared={"warmup": 100}, name="stress_eight_curves", title="eight schedules, warmup 100"
    ),
    "stress_long_names": lambda: api.compare(LONG_NAMES, 1000, shared={"warmup": 100}, name="stress_long_names"),
    "stress_long_title": lambda: api.compare(
        LONG_NAMES[:2], 1000, shared={"warmup": 100}, name="stress_long_title", title=" vs ".join(LONG_NAMES) * 2
    ),
    "stress_fig01_log_y": lambda: figures.render(dataclasses.replace(CONFIG_SPECS["fig01_transformer"], log_y=True)),
    "stress_grid_2x3_of_5": lambda: api.compare(EIGHT[1:6], 1000, shared={"warmup": 100}, name="grid", grid=True),
    "stress_one_cycle_two_curves": lambda: api.compare(
        ("one_cycle_lr", "one_cycle_lr:pct_start=0.1"), 1000, name="one_cycle"
    ),
    "stress_param_groups": lambda: api.compare(("cosine:warmup=100",), 1000, lr=(1.0, 0.5), name="param_groups"),
    "stress_param_groups_single": lambda: figures.TraceDocument(
        figures.render(
            figures.FigureSpec("single", (figures.CurveSpec("cosine", {"warmup": 100}),), lr=(1.0, 0.5))
        ).curves["cosine"]
    ),
    "stress_non_ascii_title": lambda: api.compare(("cosine:warmup=100",), 1000, title=NON_ASCII_TITLE),
    "stress_epoch_warmup": lambda: figures.TraceDocument(
        lrplot.curve("cosine", steps=400, warmup=4, interval="epoch", steps_per_epoch=40)
    ),
    "stress_cjk_title": lambda: api.compare(
        ("cosine:warmup=100",), 1000, title="余弦学习率调度" * 12
    ),  # 2 columns each
    # The look's options: a paper column holds an 8-curve legend; a zoom, a log axis, a dense curve's caption.
    "stress_paper_eight": lambda: api.compare(
        EIGHT, 1000, shared={"warmup": 100}, name="paper_eight", look=look.choose("paper")
    ),
    "stress_paper_splice": lambda: figures.render(
        dataclasses.replace(CONFIG_SPECS["fig10_cosine_resumed"], figsize=None, look=look.choose("paper"))
    ),
    "stress_xlim_log_x": lambda: api.compare(
        ("cosine_with_restarts:num_cycles=20", "linear"),
        2000,
        shared={"warmup": 30},
        name="zoom",
        look=look.Look(log_x=True, xlim=(5.0, 900.0)),
    ),
    "stress_dense_caption": lambda: figures.TraceDocument(
        lrplot.curve("cosine_with_restarts", steps=200_000, num_cycles=300, warmup=1000, engine="numpy"),
        look=look.Look(figsize=(4.0, 3.0)),
    ),
}
CONFIG_SPECS = _config_specs()
NAMES = [*CONFIG_SPECS, *STRESS]


@functools.cache
def drawn(name: str) -> Drawn:
    """Each figure rendered and drawn once for the whole module."""
    return draw(plot.render(_model(name)), name)


# 1. Tests: text and legends --------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_no_text_leaves_the_figure(name: str) -> None:
    problems = texts_outside(drawn(name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_no_legend_or_note_covers_a_data_point(name: str) -> None:
    problems = legend_overlaps(drawn(name))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_every_bottom_panel_of_a_column_shows_its_x_ticks(name: str) -> None:
    problems = missing_x_ticks(drawn(name))
    assert not problems, "\n".join(problems)


def test_the_stress_figures_are_what_they_claim() -> None:
    """The stress figures hold what the checks above are meant to see, or they prove nothing."""
    eight = drawn("stress_eight_curves").fig
    assert [len(lines) for lines in labelled_lines(eight)] == [8]
    assert max(max(line.get_ydata()) for line in labelled_lines(eight)[0]) == 1.0  # plateaus at lr 1
    assert eight.axes[0].get_legend() is not None or len(eight.legends) == 1
    grid = drawn("stress_grid_2x3_of_5").fig
    assert [ax.get_visible() for ax in grid.axes] == [True] * 5 + [False]
    # compare shortens its own long title (the legend names the curves); a long one given is wrapped
    assert len(api.compare_title([c.split(":")[0] for c in LONG_NAMES], {"warmup": 100}, 1000)) < 60
    assert len(drawn("stress_long_title").fig.axes[0].get_title()) > 300
    assert drawn("stress_fig01_log_y").fig.axes[0].get_yscale() == "log"
    assert len([ax for ax in drawn("stress_one_cycle_two_curves").fig.axes if _visible(ax)]) == 2
    # Warmup's end and the resume are labels above the axes (top ticks), where they cannot cover a
    # curve; the note check still sees notes inside an axes (an epoch axis holds the top).
    for name, label in (
        ("fig03_constant_with_warmup", "warmup end (300)"),
        ("fig10_cosine_resumed", "resume (2815 skipped)"),
    ):
        texts = [text.get_text() for text, _ in drawn(name).texts]
        assert label in texts, (name, texts)
    epoch = [
        text.get_text()
        for text, _ in drawn("stress_epoch_warmup").texts
        if role(text, drawn("stress_epoch_warmup").fig) == "note"
    ]
    assert any("warmup end" in text for text in epoch), epoch


# 2. Tests: greyscale -----------------------------------------------------------------------

SPECIFIC_LINES = {"stress_eight_curves": 8, "fig10_cosine_resumed": 2, "stress_param_groups": 2}


def test_eight_curves_stay_distinguishable_in_greyscale() -> None:
    (lines,) = labelled_lines(drawn("stress_eight_curves").fig)
    assert len(lines) == 8, [line.get_label() for line in lines]
    problems = indistinguishable(lines, "stress_eight_curves")
    assert not problems, "\n".join(problems)


def test_a_resumed_splice_draws_its_two_runs_apart() -> None:
    lines, zoom = labelled_lines(drawn("fig10_cosine_resumed").fig)  # the splice, and a close-up of it
    assert not zoom
    assert len(lines) == 2, [line.get_label() for line in lines]
    problems = indistinguishable(lines, "fig10_cosine_resumed")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", ["stress_param_groups", "stress_param_groups_single"])
def test_two_param_groups_are_drawn_apart(name: str) -> None:
    (lines,) = labelled_lines(drawn(name).fig)
    assert len(lines) == 2, [line.get_label() for line in lines]
    problems = indistinguishable(lines, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", [n for n in NAMES if n not in SPECIFIC_LINES])
def test_the_curves_of_any_figure_are_told_apart_in_greyscale(name: str) -> None:
    problems = [p for lines in labelled_lines(drawn(name).fig) for p in indistinguishable(lines, name)]
    assert not problems, "\n".join(problems)


# 3. Tests: PDF fonts -----------------------------------------------------------------------


def _pdf_problems(path: Path) -> list[str]:
    return type3_fonts(path.read_bytes(), path.name) + pdffonts_type3(path)


def test_a_pdf_written_by_save_has_no_type3_font(tmp_path: Path) -> None:
    path = tmp_path / "non_ascii.pdf"
    with open(path, "wb") as f:
        plot.save(plot.render(_model("stress_non_ascii_title")), f, "pdf")
    problems = _pdf_problems(path)
    assert not problems, "\n".join(problems)


def test_a_pdf_written_by_the_cli_has_no_type3_font(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["cosine", "--warmup", "100", "--format", "pdf", "--out", str(tmp_path), "--title", NON_ASCII_TITLE]
    )
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*.pdf")
    problems = _pdf_problems(path)
    assert not problems, "\n".join(problems)


# 4. Tests: each check can fail -------------------------------------------------------------


def _cloud_figure() -> Figure:
    """A figure of lrplot's renderer whose points fill its axes: anything inside covers some."""
    rng = np.random.default_rng(0)
    cloud = Line(np.arange(3000.0), rng.uniform(0, 1, 3000), label="cloud", linestyle="none", linewidth=0)
    flat = Line(np.arange(3000.0), np.full(3000, 0.5), label="flat")
    return plot.render(FigureModel((Panel((cloud, flat), title="cloud"),)))


def test_the_overlap_check_reports_a_legend_over_the_data() -> None:
    fig = _cloud_figure()
    fig.axes[0].legend(loc="center")  # placed here, whatever the renderer does with its legends
    problems = legend_overlaps(draw(fig, "cloud"))
    assert any("the legend covers" in p and "'flat'" in p for p in problems), problems
    assert any("at legend entry" in p for p in problems), problems


def test_the_overlap_check_reports_a_note_over_the_data() -> None:
    fig = _cloud_figure()
    fig.axes[0].annotate("a label on the curve", xy=(1500, 0.5), ha="center", va="center")
    problems = legend_overlaps(draw(fig, "cloud"))
    assert any("note 'a label on the curve' covers" in p for p in problems), problems


def test_the_overlap_check_passes_a_legend_clear_of_the_data() -> None:
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.plot([0, 10], [0, 0.1], label="low")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right")
    assert legend_overlaps(draw(fig, "clear")) == []


def test_the_outside_check_reports_a_text_out_of_the_figure() -> None:
    fig = plot.render(FigureModel((Panel((Line([0, 1], [1, 0]),), title="inside"),)))
    fig.text(2.0, 0.5, "far right")
    problems = texts_outside(draw(fig, "outside"))
    assert len(problems) == 1 and "'far right'" in problems[0] and "past the right" in problems[0], problems


def test_the_tick_check_reports_a_bottom_panel_without_tick_labels() -> None:
    fig = Figure(figsize=(7, 4))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot([0, 1], [0, 1])
    bottom.set_visible(False)  # matplotlib hid the top panel's tick labels for the one below it
    problems = missing_x_ticks(draw(fig, "ticks"))
    assert len(problems) == 1 and "row 0, column 0" in problems[0], problems
    bottom.set_visible(True)
    assert missing_x_ticks(draw(fig, "ticks")) == []


def test_the_greyscale_check_reports_lines_alike_and_passes_lines_apart() -> None:
    def line(color: str, style: str, label: str) -> Line2D:
        return Line2D([0, 1], [0, 1], color=color, linestyle=style, label=label)

    alike = [line("C0", "-", "a"), line("#1f77b4", "solid", "b"), line("C0", "--", "c"), line("C0", "dashed", "d")]
    problems = indistinguishable(alike)
    assert len(problems) == 2 and "'a' and 'b'" in problems[0] and "'c' and 'd'" in problems[1], problems
    assert indistinguishable([line("C0", "-", "blue"), line("C4", "-", "purple")])  # tab10: 0.06 apart
    apart = [line("black", "-", "k"), line("0.6", "-", "grey"), line("C0", ":", "dotted"), line("C0", "-.", "dashdot")]
    assert indistinguishable(apart) == []


def test_the_font_check_reports_type3_and_passes_truetype(tmp_path: Path) -> None:
    fig = plot.render(FigureModel((Panel((Line([0, 1], [1, 0]),), title=NON_ASCII_TITLE),)))
    for fonttype in (3, 42):
        path = tmp_path / f"fonttype{fonttype}.pdf"
        with matplotlib.rc_context({"pdf.fonttype": fonttype}), open(path, "wb") as f:
            fig.savefig(f, format="pdf")
        problems = type3_fonts(path.read_bytes(), path.name)
        assert bool(problems) == (fonttype == 3), problems
        if shutil.which("pdffonts"):
            assert bool(pdffonts_type3(path)) == (fonttype == 3)
