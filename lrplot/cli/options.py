"""The options the commands share, each declared once.

A command takes one as ``steps: Steps = None``. ``None`` means "not given":
the core's default applies, or, for ``render``, the figure set's own value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..formats import DEFAULT_FORMATS, FORMATS
from ..look import PRESETS
from ..options import DEFAULT_STEPS, ENGINES, INTERVALS, OPTIMIZERS

OWN = "with render: each figure's own"  # render's options override a figure set's values

Steps = Annotated[
    int | None,
    typer.Option(
        "--steps",
        metavar="N",
        help=f"how many values to record per curve (CSV rows) [default: {DEFAULT_STEPS}; {OWN}]",
        show_default=False,
    ),
]
Lr = Annotated[
    list[float] | None,
    typer.Option(
        "--lr",
        metavar="LR",
        help=f"initial lr; repeat it for more param groups [default: 1.0, so the plot shows the multiplier; {OWN}]",
        show_default=False,
    ),
]
Optimizer = Annotated[
    str | None,
    typer.Option(
        "--optimizer",
        metavar="NAME",
        help=f"{', '.join(OPTIMIZERS)}: the optimizer the torch engine steps the scheduler with; the lr does not "
        "depend on it, the momentum a scheduler cycles is SGD's momentum or Adam's betas[0] (adagrad has none), "
        f"and --engine numpy builds none (its files say optimizer 'none') [default: sgd; {OWN}]",
        show_default=False,
    ),
]
Record = Annotated[
    str | None,
    typer.Option(
        "--record",
        metavar="WHEN",
        help="read get_last_lr() 'before' scheduler.step() (last_epoch 0..N-1) or 'after' it (1..N) "
        f"[default: before; {OWN}]",
        show_default=False,
    ),
]
Engine = Annotated[
    str | None,
    typer.Option(
        "--engine",
        metavar="NAME",
        help=f"{' or '.join(ENGINES)}: 'torch' steps the real scheduler; 'numpy' evaluates the same formulas "
        f"on arrays, much faster for long runs [default: torch; {OWN}]",
        show_default=False,
    ),
]
Interval = Annotated[
    str | None,
    typer.Option(
        "--interval",
        metavar="WHEN",
        help=f"{' or '.join(INTERVALS)}: step the scheduler every optimizer update (Lightning's 'step' too), or "
        "once an epoch of --steps-per-epoch updates; the curve has one value per update either way [default: update]",
        show_default=False,
    ),
]
StepsPerEpoch = Annotated[
    int | None,
    typer.Option(
        "--steps-per-epoch", metavar="K", help="optimizer updates per epoch (with --interval epoch)", show_default=False
    ),
]
Out = Annotated[
    Path | None,
    typer.Option(
        "--out", metavar="DIR", help="output folder [default: .; render: each set's 'out']", show_default=False
    ),
]
Formats = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        metavar="FMT",
        help="outputs, repeated or comma-separated: "
        + ", ".join(f"{f.name} ({f.help})" for f in FORMATS.values())
        + f" [default: {','.join(DEFAULT_FORMATS)}]",
        show_default=False,
    ),
]
Title = Annotated[
    str | None,
    typer.Option(
        "--title", metavar="TEXT", help="figure title [default: the schedules and parameters]", show_default=False
    ),
]
LogY = Annotated[
    bool | None,
    typer.Option(
        "--log-y/--linear-y", help=f"logarithmic (or linear) lr axis [default: linear; {OWN}]", show_default=False
    ),
]
Name = Annotated[str, typer.Option("--name", metavar="NAME", help="output file name, without extension")]
Every = Annotated[int, typer.Option("--every", metavar="K", help="keep one CSV/JSON row in K")]
Warmup = Annotated[
    float | None,
    typer.Option("--warmup", metavar="STEPS", help="warmup for every curve whose schedule has one", show_default=False),
]
TrainingSteps = Annotated[
    int | None,
    typer.Option(
        "--training-steps", metavar="N", help="training steps for every curve that takes them", show_default=False
    ),
]
Width = Annotated[
    int | None,
    typer.Option(
        "--width",
        metavar="COLS",
        help="--format term: characters a line [default: the terminal's width; 80 when not a terminal]",
        show_default=False,
    ),
]
Height = Annotated[
    int | None,
    typer.Option(
        "--height",
        metavar="ROWS",
        help="--format term: lines a chart, its title and axes included (a long title is cut to leave 3 rows "
        "of plot; momentum or a metric is a chart of its own); a legend adds a line a curve "
        "[default: 20, fewer on a shorter terminal]",
        show_default=False,
    ),
]
Preset = Annotated[
    str | None,
    typer.Option(
        "--preset",
        metavar="NAME",
        help="a figure look: "
        + "; ".join(f"{name} ({p.help})" for name, p in PRESETS.items())
        + "; the options below override it",
        show_default=False,
    ),
]
Figsize = Annotated[
    str | None,
    typer.Option(
        "--figsize",
        metavar="W,H",
        help="the figure's size in inches; a legend taller than a quarter of it adds the excess height "
        "[default: 7,4 a panel; 9,4 with figure 10's zoom]",
        show_default=False,
    ),
]
Dpi = Annotated[
    int | None, typer.Option("--dpi", metavar="N", help="a PNG's dots per inch [default: 150]", show_default=False)
]
FontSize = Annotated[
    float | None,
    typer.Option(
        "--font-size",
        metavar="PT",
        help="every text of the figure in PT points [default: titles 12, labels 10]",
        show_default=False,
    ),
]
LogX = Annotated[
    bool | None,
    typer.Option(
        "--log-x/--linear-x", help="a logarithmic step axis (step 0 is not on it) [default: linear]", show_default=False
    ),
]
Xlim = Annotated[
    str | None,
    typer.Option(
        "--xlim",
        metavar="FIRST:LAST",
        help="draw steps FIRST..LAST only, thinned anew to that span, so a zoom shows detail the whole "
        "run hides (the CSV and JSON keep every step)",
        show_default=False,
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        help="worker processes that render the figures [default: one per core; 1: all in this process]",
        show_default=False,
    ),
]
