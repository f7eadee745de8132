"""The ``lrplot`` command: thin Typer commands over the importable core.

It imports neither torch nor matplotlib at start-up, so ``lrplot --help`` and
``lrplot list`` stay fast. Every error becomes one line on stderr and an exit
code: 2 for bad input, 1 for an output that cannot be written.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ..formats import Document, draws, parse_formats
from ..limits import check_run_size, check_text
from ..look import Look
from ..notation import KEY, where
from ..options import DEFAULT_STEPS, DEFAULT_TOLERANCE, RunOptions
from ..params import Param, parse_assignments
from ..registry import ScheduleSpec
from ..schedules import REGISTRY
from . import interrupts
from .commandline import ARGUMENTS, CLI_SPELLING, option_name, trainer_command_line
from .messages import interrupted, one_line, one_line_errors, own_warnings
from .options import (
    Dpi,
    Engine,
    Every,
    Figsize,
    FontSize,
    Formats,
    Height,
    Interval,
    Jobs,
    LogX,
    LogY,
    Lr,
    Name,
    Optimizer,
    Out,
    Preset,
    Record,
    Steps,
    StepsPerEpoch,
    Title,
    TrainingSteps,
    Warmup,
    Width,
    Xlim,
)
from .progress import progress_bar

PARAM_TYPES: dict[str, Any] = {  # types, as Typer reads them
    "int": int,
    "float": float,
    "count": float,
    "choice": str,
    "bool": bool,
    "ints": str,
    "floats": list[float],  # repeated: one value per param group
    "text": str,
    "file": str,
    "schedule": str,
    "schedules": list[str],  # the command's arguments: SPEC SPEC ...
    "expression": str,  # the command's argument: EXPR
    "variables": list[str],  # repeated: --var NAME=X
    "assignments": list[str],  # repeated: --kw KEY=VALUE
    "factory": str,  # the command's argument: FILE.py:NAME
}


class LrplotGroup(TyperGroup):
    """Resolves aliases, suggests close names, and prints every error as one line."""

    # typer.Context is the public name of the Context these receive (Typer vendors Click).
    def get_command(self, ctx: typer.Context, cmd_name: str) -> object:  # type: ignore[override]
        command = super().get_command(ctx, cmd_name)
        if command is None:  # an alias or FAMILY.NAME; an unknown name raises, listing the close ones
            command = super().get_command(ctx, REGISTRY.command_name(REGISTRY.get(cmd_name)))
        return command

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if not args:  # bare 'lrplot': the help, as usage text
            typer.echo(ctx.get_help(), err=True)
            raise typer.Exit(2)
        with one_line_errors():
            return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        with one_line_errors(), own_warnings():
            return super().invoke(ctx)


app = typer.Typer(
    cls=LrplotGroup,
    name="lrplot",
    help="See the learning rate a PyTorch / HuggingFace run will use at every step.\n\n"
    "Run 'lrplot SCHEDULE --help' for a schedule's options, 'lrplot list' for all schedules.",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def warn(warnings: tuple[str, ...], where: str = "") -> None:
    for warning in warnings:
        typer.echo(f"warning: {one_line(where + warning)}", err=True)


def echo_paths(paths: Iterable[Path]) -> None:
    for path in paths:
        typer.echo(one_line(str(path)))  # one path a line, whatever the folder is called


def figure_look(
    format: list[str] | None,
    preset: str | None,
    figsize: str | None,
    dpi: int | None,
    font_size: float | None,
    log_x: bool | None,
    xlim: str | None,
) -> tuple[tuple[str, ...], Look]:
    """The formats to write (a preset's when --format is not given) and the figure's look, checked before any run."""
    from ..look import choose, preset_formats

    formats = parse_formats(preset_formats(preset, format))
    look = choose(preset, figsize, dpi, font_size, log_x, xlim)
    if dpi is not None and "png" not in formats:
        warn(("--dpi: only a PNG has dots per inch; ignored",))
    if not draws(formats):  # the page and the terminal fit their own width and scale
        given = [option for option, value in (("--figsize", figsize), ("--font-size", font_size), ("--log-x", log_x))
                 if value is not None]  # fmt: skip
        warn(tuple(f"{option}: only PNG, SVG and PDF take it; ignored" for option in given))
    return formats, look


def screen_size(formats: tuple[str, ...], width: int | None, height: int | None) -> tuple[int, int] | None:
    """The terminal view's size, checked before any run; ``None`` when no format draws on screen."""
    from ..formats import screen_formats
    from ..terminal import check_size

    check_size(width, height)
    if not screen_formats(formats):
        given = [option_name(key) for key, value in (("width", width), ("height", height)) if value is not None]
        warn(tuple(f"{option}: only --format term draws to a size; ignored" for option in given))
        return None
    from ..terminal import screen_size as fitted

    return fitted(width, height, sys.stdout)


def show(document: Document, size: tuple[int, int] | None) -> None:
    """Draw ``document`` on standard output, when a size was planned for it (``--format term``)."""
    if size is None:
        return
    from ..formats import screen_text
    from ..terminal import wants_color

    typer.echo(screen_text(document, *size, wants_color(sys.stdout)), nl=False)


@app.command("list")
def list_command() -> None:
    """List every schedule: names, aliases, description, lr multiplier and parameters."""
    typer.echo(f"Key: {KEY}.\n")
    for spec in REGISTRY.specs():
        name = REGISTRY.command_name(spec)
        aliases = [n for n in spec.all_names if n != spec.name]
        typer.echo(name + (f"  (aliases: {', '.join(aliases)})" if aliases else ""))
        typer.echo(f"    {spec.description}")
        typer.echo(f"    lr multiplier: {spec.formula}")
        for i, definition in enumerate(spec.where):
            typer.echo(f"      {'where' if i == 0 else '     '} {definition.shown()}")
        for p in spec.params:
            typer.echo(f"    {option_name(p.name):<18} default {p.default_text:<10} {p.help}")
        typer.echo("")


def write_schedule(
    name: str,
    params: dict[str, object],
    *,
    steps: Steps = None,
    lr: Lr = None,
    optimizer: Optimizer = None,
    record: Record = None,
    engine: Engine = None,
    interval: Interval = None,
    steps_per_epoch: StepsPerEpoch = None,
    out: Out = None,
    format: Formats = None,
    title: Title = None,
    log_y: LogY = None,
    every: Every = 1,
    width: Width = None,
    height: Height = None,
    preset: Preset = None,
    figsize: Figsize = None,
    dpi: Dpi = None,
    font_size: FontSize = None,
    log_x: LogX = None,
    xlim: Xlim = None,
) -> None:
    """Run one schedule and write its files (a schedule command's body)."""
    from .. import api, engines  # the core loads when a command runs, not for --help
    from ..figures import TraceDocument

    formats, look = figure_look(format, preset, figsize, dpi, font_size, log_x, xlim)
    options = RunOptions.check(optimizer, record, engine, interval, steps_per_epoch)
    TraceDocument.check_every(every)  # before the run, which may be long
    if title is not None:
        check_text("title", title)
    size = screen_size(formats, width, height)
    steps = DEFAULT_STEPS if steps is None else steps
    schedule = REGISTRY.resolve(name, steps, lr or [1.0], params, options.updates_per_step)
    engines.preload(options.engine, draws(formats))
    per_epoch = options.interval == "epoch"
    check_run_size(schedule.steps, len(schedule.lrs), per_epoch=per_epoch, formats=formats, every=every)
    warn(schedule.warnings)
    with progress_bar() as progress:
        trace = engines.run(schedule, options, progress=progress)
    warn(trace.warnings)
    document = TraceDocument(trace, title=title, log_y=bool(log_y), every=every, spelling=CLI_SPELLING, look=look)
    paths = api.write(document, out or ".", formats)
    show(document, size)
    echo_paths(paths)


@functools.cache  # evaluating the annotations once, not once per schedule command
def shared_options() -> list[inspect.Parameter]:
    """``write_schedule``'s keyword-only options: the ones every schedule command takes."""
    signature = inspect.signature(write_schedule, eval_str=True)
    return [p for p in signature.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]


def schedule_command(spec: ScheduleSpec) -> Callable[..., None]:
    """A command for ``spec``: one option per parameter, then the shared ones."""

    def command(**options: object) -> None:
        params = {p.name: options.pop(p.name) for p in spec.params}
        params = {k: None if v == [] else v for k, v in params.items()}  # an option never repeated: not given
        write_schedule(spec.qualified_name, params, **options)  # type: ignore[arg-type]

    shared = shared_options()
    own = [
        inspect.Parameter(
            p.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[PARAM_TYPES[p.kind] | None, _declared(p)],
        )
        for p in spec.params
    ]
    command.__signature__ = inspect.Signature([*own, *shared])  # type: ignore[attr-defined]
    command.__name__ = spec.name
    defined = f", {where(spec.where)}" if spec.where else ""
    command.__doc__ = f"{spec.description}.\n\nlr multiplier: {spec.formula}{defined}\n\nKey: {KEY}."
    return command


def _declared(p: Param) -> object:
    """The Typer option (or, for a composition's children, argument) of parameter ``p``."""
    if p.name in ARGUMENTS:
        return typer.Argument(metavar=ARGUMENTS[p.name], help=_option_help(p), show_default=False)
    flag = f"{option_name(p.name)}/--no-{option_name(p.name)[2:]}" if p.kind == "bool" else option_name(p.name)
    return typer.Option(flag, metavar=_metavar(p), help=_option_help(p), show_default=False)


def _metavar(p: Param) -> str:
    if p.kind == "choice":
        return "|".join(p.choices) if len(p.choices) <= 6 else "NAME"  # more: the help lists them
    if p.metavar:
        return p.metavar
    metavars = {"int": "INT", "float": "X", "count": "STEPS", "ints": "N,N...", "floats": "X", "bool": ""}
    return {**metavars, "text": "NAME", "file": "FILE", "schedule": "NAME:K=V,..."}[p.kind]


def _option_help(p: Param) -> str:
    default = "required" if p.required else f"default: {p.default_text}" if p.default is not None else "optional"
    return f"{p.help} [{default}; {p.valid_range()}]"


@app.command("compare")
def compare_command(
    curves: Annotated[
        list[str],
        typer.Argument(
            metavar="CURVE...",
            help="schedules to compare: NAME or NAME:key=value,key=value (e.g. 'polynomial:power=3,lr_end=1e-7'); "
            "label=TEXT and lr=X are allowed too",
            show_default=False,
        ),
    ],
    steps: Steps = None,
    warmup: Warmup = None,
    training_steps: TrainingSteps = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", metavar="KEY=VALUE", help="any other shared parameter, for every curve that takes it"),
    ] = None,
    lr: Lr = None,
    grid: Annotated[
        bool, typer.Option("--grid", help="small multiples with shared axes instead of an overlay")
    ] = False,
    name: Name = "compare",
    optimizer: Optimizer = None,
    record: Record = None,
    engine: Engine = None,
    interval: Interval = None,
    steps_per_epoch: StepsPerEpoch = None,
    out: Out = None,
    format: Formats = None,
    title: Title = None,
    log_y: LogY = None,
    width: Width = None,
    height: Height = None,
    preset: Preset = None,
    figsize: Figsize = None,
    dpi: Dpi = None,
    font_size: FontSize = None,
    log_x: LogX = None,
    xlim: Xlim = None,
) -> None:
    """Compare schedules on one step axis: an overlay (or --grid) and one CSV column per curve."""
    from .. import api, engines

    formats, look = figure_look(format, preset, figsize, dpi, font_size, log_x, xlim)
    size = screen_size(formats, width, height)
    shared = parse_assignments(",".join(param), "--param") if param else {}
    shared.update({k: v for k, v in (("warmup", warmup), ("training_steps", training_steps)) if v is not None})
    options = RunOptions.check(optimizer, record, engine, interval, steps_per_epoch)
    if isinstance(steps, int) and "json" in formats:  # JSON costs far more memory a value than the run
        check_run_size(steps, len(lr or [1.0]), len(curves), options.interval == "epoch", formats)
    engines.preload(options.engine, draws(formats))
    rendered = api.compare(
        curves, DEFAULT_STEPS if steps is None else steps, tuple(lr or [1.0]), shared, options, name=name,
        title=title, log_y=bool(log_y), grid=grid, spelling=CLI_SPELLING, look=look,
    )  # fmt: skip
    paths = api.write(rendered, out or ".", formats)
    show(rendered, size)
    echo_paths(paths)


@app.command("render")
def render_command(
    configs: Annotated[
        list[str], typer.Argument(metavar="CONFIG...", help="figure-set TOML files (see configs/)", show_default=False)
    ],
    out: Out = None,
    only: Annotated[str | None, typer.Option("--only", metavar="NAME", help="render just this figure")] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="regenerate in memory and compare with the committed CSVs and texts (NAME.txt); write nothing",
        ),
    ] = False,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance", metavar="X", help="--check: a value drifts when |new - old| > X * (|old| + column peak)"
        ),
    ] = DEFAULT_TOLERANCE,
    allow_outside: Annotated[
        bool,
        typer.Option(
            "--allow-outside",
            help="let a set's 'out' and 'page' (and --check's reads) lie outside its project folder "
            "(the closest folder above the config with .git or pyproject.toml, else the config's own)",
        ),
    ] = False,
    steps: Steps = None,
    lr: Lr = None,
    optimizer: Optimizer = None,
    record: Record = None,
    engine: Engine = None,
    log_y: LogY = None,
    format: Formats = None,
    width: Width = None,
    height: Height = None,
    preset: Preset = None,
    figsize: Figsize = None,
    dpi: Dpi = None,
    font_size: FontSize = None,
    log_x: LogX = None,
    xlim: Xlim = None,
    jobs: Jobs = None,
) -> None:
    """Render figure sets (PNG, CSV and text per figure, and the set's docs page), or --check them.

    --steps, --lr, --optimizer, --record, --engine, --log-y and the look (--preset, --figsize, --dpi,
    --font-size, --log-x, --xlim) override every figure's; --format html
    adds an index.html gallery of each folder's figures, and --format term draws each figure here.
    Wherever a figure's CSV goes, its text (NAME.txt) goes too: --check compares both.
    """
    from .. import api, engines
    from ..workers import check_jobs

    formats, look = figure_look(format, preset, figsize, dpi, font_size, log_x, xlim)
    size = screen_size(formats, width, height)  # checked with --check too
    if check and format is not None:
        warn(("--format: --check writes and draws nothing; ignored",))
    api.check_tolerance(tolerance)
    if jobs is not None:
        check_jobs(jobs)
    engines.preload(engine or "torch", draws(formats) and not check)
    given = {"steps": steps, "lr": lr, "optimizer": optimizer, "record": record, "engine": engine, "log_y": log_y}
    overrides: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    if preset is not None or figsize or dpi or font_size or log_x is not None or xlim:
        overrides["look"] = look  # over each figure's own
    if not check:
        shown: list[Document] = []
        paths = api.render_sets(configs, overrides, only, out, formats, CLI_SPELLING, allow_outside, shown.append, jobs)
        for document in shown if size is not None else ():
            if len(shown) > 1:
                typer.echo(f"== {one_line(document.name)}")
            show(document, size)
        echo_paths(paths)
        return
    drifts, checked = api.check_sets(configs, overrides, only, out, tolerance, CLI_SPELLING, allow_outside, jobs)
    for drift in drifts:
        typer.echo(f"drift: {one_line(str(drift))}", err=True)
    if drifts:
        raise typer.Exit(1)
    typer.echo(f"{checked} figures match their committed CSVs and texts (tolerance {tolerance:g})")


def write_trainer(
    args_file: str | None,
    given: dict[str, object],
    *,
    logged: Annotated[
        str | None,
        typer.Option(
            "--logged",
            metavar="FILE",
            help="a trainer_state.json: overlay the lr the run logged and report the first step that differs "
            "from the prediction (exit 1)",
            show_default=False,
        ),
    ] = None,
    trust_pickle: Annotated[
        bool, typer.Option("--trust-pickle", help="allow ARGS_FILE to be Trainer's pickled training_args.bin")
    ] = False,
    name: Name = "trainer",
    engine: Engine = None,
    out: Out = None,
    format: Formats = None,
    title: Title = None,
    log_y: LogY = None,
    width: Width = None,
    height: Height = None,
    preset: Preset = None,
    figsize: Figsize = None,
    dpi: Dpi = None,
    font_size: FontSize = None,
    log_x: LogX = None,
    xlim: Xlim = None,
) -> None:
    """Run the trainer command: read the arguments, plan, run, write, print the summary and check the log."""
    from .. import api, engines
    from ..files import check_stem
    from ..hf_args import read_args_file
    from ..trainer_run import TrainerDocument, first_mismatch, read_logged, trainer_curve

    formats, look = figure_look(format, preset, figsize, dpi, font_size, log_x, xlim)
    check_stem(name, "name")
    if title is not None:
        check_text("title", title)
    size = screen_size(formats, width, height)
    fields: dict[str, object] = {}
    origin: dict[str, str] = {}
    if args_file is not None:
        fields = read_args_file(args_file, trust_pickle)
        origin = dict.fromkeys(fields, args_file)
    data = {
        k: given.pop(k) for k in ("dataset_size", "batches_per_epoch", "world_size", "even_batches", "split_batches")
    }
    fields.update({k: v for k, v in given.items() if v is not None})
    for key in given:
        if given[key] is not None:
            origin.pop(key, None)  # an option overrides the file
    run_log = read_logged(logged) if logged is not None else None
    engines.preload(engine or "torch", draws(formats))
    curve = trainer_curve(fields, **data, engine=engine or "torch", origin=origin)  # type: ignore[arg-type]
    warn(curve.warnings)
    document = TrainerDocument(curve, name, title, bool(log_y), run_log, trainer_command_line(curve), look)
    inputs = [path for path in (args_file, logged) if path is not None]
    paths = api.write(document, out or ".", formats, inputs)
    show(document, size)
    for line in curve.summary():
        typer.echo(line)
    echo_paths(paths)
    if run_log is not None:
        mismatch = first_mismatch(curve, run_log)
        if mismatch is not None:
            typer.echo(f"mismatch: {one_line(f'{logged}: {mismatch}')}", err=True)
            raise typer.Exit(1)
        typer.echo(one_line(f"{logged}: its {len(run_log)} logged lr values match the prediction (relative 1e-12)"))


def trainer_command() -> Callable[..., None]:
    """``lrplot trainer``: an option per TrainingArguments field (Trainer's spelling), then the data's."""
    from ..trainer_fields import ACCELERATE, DATA, FIELDS

    def command(args_file: str | None = None, **options: object) -> None:
        given = {p.name: options.pop(p.name) for p in (*FIELDS, *DATA, *ACCELERATE)}
        write_trainer(args_file, given, **options)  # type: ignore[arg-type]

    argument = inspect.Parameter(
        "args_file",
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        default=None,
        annotation=Annotated[
            str | None,
            typer.Argument(
                metavar="ARGS_FILE",
                help="TrainingArguments fields: JSON (to_json_string(), HfArgumentParser), YAML (TRL, "
                "LLaMA-Factory), or training_args.bin with --trust-pickle; options override it",
                show_default=False,
            ),
        ],
    )
    own = [
        inspect.Parameter(
            p.name, inspect.Parameter.KEYWORD_ONLY, default=None,
            annotation=Annotated[PARAM_TYPES[p.kind] | None, _declared(p)],
        )
        for p in (*FIELDS, *DATA, *ACCELERATE)
    ]  # fmt: skip
    signature = inspect.signature(write_trainer, eval_str=True)
    shared = [p for p in signature.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    command.__signature__ = inspect.Signature([argument, *own, *shared])  # type: ignore[attr-defined]
    command.__doc__ = (
        "The lr of every optimizer update of an HF Trainer run, from its TrainingArguments.\n\n"
        "Reproduces the arithmetic of transformers 5.24's Trainer (batches, accumulation, epochs, warmup, "
        "logging) without importing it; --dataset-size (or --batches-per-epoch) is needed unless --max-steps "
        "is above 0."
    )
    return command


app.command("trainer")(trainer_command())

for _spec in REGISTRY.specs():
    app.command(REGISTRY.command_name(_spec), help=None)(schedule_command(_spec))


def main() -> None:
    """Run the app, then end the process at once.

    SIGTERM and SIGHUP unwind the program as Ctrl-C does (temporaries removed,
    older files kept) and exit with 128 + the signal's number (143 for SIGTERM).
    Once the command is done (its files written and synced), the process ends
    with ``os._exit``: tearing down torch at interpreter exit costs about 0.4 s
    and does nothing for a process that is about to end.
    """
    interrupts.install()  # again, for a caller that runs this main() directly
    for stream in ("stdout", "stderr"):  # closed by the caller (">&-"): print nowhere rather than fail
        if getattr(sys, stream) is None:
            setattr(sys, stream, open(os.devnull, "w"))  # noqa: SIM115 (open for the process's life)
    try:
        try:
            app(prog_name="lrplot")  # also under "python -m lrplot", whose usage text says lrplot
            code = 0
        except KeyboardInterrupt as e:  # a signal before a command runs (while Typer builds them)
            interrupted(e)  # one line, then typer.Exit
    except SystemExit as e:  # how app() ends
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except typer.Exit as e:
        code = e.exit_code
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a broken pipe, a full disk behind stdout
        code = code or 1
    os._exit(code)
