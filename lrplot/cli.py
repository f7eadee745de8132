"""The ``lrplot`` command: thin Typer commands over the importable core.

This is the only module that imports Typer. It imports neither torch nor
matplotlib at start-up, so ``lrplot --help`` and ``lrplot list`` stay fast.
Every error becomes one line on stderr and an exit code: 2 for bad input, 1 for
an output that cannot be written.
"""

from __future__ import annotations

import inspect
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError  # the Click Typer vendors
from typer.core import TyperGroup

from .errors import LrplotError, ParameterError, UnknownScheduleError, option_name
from .figures import DEFAULT_TOLERANCE
from .registry import Param, ScheduleSpec, get_spec, list_specs, resolve
from .writers import FORMATS, check_formats

PARAM_TYPES = {"int": int, "float": float, "count": float, "choice": str}


class LrplotGroup(TyperGroup):
    """Resolves aliases, suggests close names, and prints every error as one line."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            try:
                command = super().get_command(ctx, get_spec(cmd_name).name)
            except UnknownScheduleError:
                return None
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and not args[0].startswith("-") and self.get_command(ctx, args[0]) is None:
            get_spec(args[0])  # raises UnknownScheduleError with the close matches
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,  # always handled here, whatever is asked
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name or "lrplot", complete_var, False, windows_expand_args, **extra)
        except LrplotError as e:
            _fail(str(e), e.exit_code)
        except NoArgsIsHelpError as e:  # bare 'lrplot': the help, as usage text
            typer.echo(e.format_message(), err=True)
            sys.exit(e.exit_code)
        except ClickException as e:
            ctx = getattr(e, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            _fail(e.format_message() + hint, e.exit_code)
        except typer.Abort:
            _fail("aborted", 1)
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    typer.echo(f"Error: {message}", err=True)
    sys.exit(code)


app = typer.Typer(
    cls=LrplotGroup,
    name="lrplot",
    help="See the learning rate a PyTorch / HuggingFace run will use at every step.\n\n"
    "Run 'lrplot SCHEDULE --help' for a schedule's options, 'lrplot list' for all schedules.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.command("list")
def list_command() -> None:
    """List every schedule: names, aliases, description and parameters."""
    for spec in list_specs():
        aliases = [n for n in spec.all_names if n != spec.name]
        typer.echo(spec.name + (f"  (aliases: {', '.join(aliases)})" if aliases else ""))
        typer.echo(f"    {spec.description}")
        typer.echo(f"    lr multiplier: {spec.formula}")
        for p in spec.params:
            typer.echo(f"    {option_name(p.name):<18} default {p.default_text:<10} {p.help}")
        typer.echo("")


def _schedule_command(spec: ScheduleSpec) -> Any:
    """A command function for ``spec`` with one option per parameter."""

    def command(**options: Any) -> None:
        params = {p.name: options[p.name] for p in spec.params}
        _plot(spec.name, params, **{k: v for k, v in options.items() if k not in params})

    common = inspect.signature(_common_options, eval_str=True).parameters.values()
    own = [
        inspect.Parameter(
            p.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                PARAM_TYPES[p.kind] | None,
                typer.Option(option_name(p.name), metavar=_metavar(p), help=_option_help(p), show_default=False),
            ],
        )
        for p in spec.params
    ]
    command.__signature__ = inspect.Signature([*own, *common])  # type: ignore[attr-defined]
    command.__name__ = spec.name
    command.__doc__ = f"{spec.description}.\n\nlr multiplier: {spec.formula}"
    return command


def _metavar(p: Param) -> str:
    return "|".join(p.choices) if p.kind == "choice" else {"int": "INT", "float": "X", "count": "STEPS"}[p.kind]


def _option_help(p: Param) -> str:
    default = "required" if p.required else f"default: {p.default}" if p.default is not None else "optional"
    return f"{p.help} [{default}; {p.valid_range()}]"


def _common_options(
    *,
    steps: Annotated[int, typer.Option("--steps", metavar="N", help="how many values to record (CSV rows)")] = 1000,
    lr: Annotated[
        list[float] | None,
        typer.Option(
            "--lr",
            metavar="LR",
            help="initial lr; repeat it for more param groups [default: 1.0, so the plot shows the multiplier]",
        ),
    ] = None,
    optimizer: Annotated[str, typer.Option("--optimizer", metavar="NAME", help="sgd, adam or adamw")] = "sgd",
    record: Annotated[
        str,
        typer.Option(
            "--record",
            metavar="WHEN",
            help="read get_last_lr() 'before' scheduler.step() (last_epoch 0..N-1) or 'after' it (1..N)",
        ),
    ] = "before",
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="output folder")] = Path("."),
    format: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            metavar="FMT",
            help=f"outputs, repeated or comma-separated: {', '.join(FORMATS)} [default: png,csv]",
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="figure title [default: schedule and parameters]")
    ] = None,
    log_y: Annotated[bool, typer.Option("--log-y", help="logarithmic lr axis")] = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            metavar="NAME",
            help="'torch': the real scheduler; 'numpy': the same formulas on arrays, much faster for long runs",
        ),
    ] = "torch",
    every: Annotated[int, typer.Option("--every", metavar="K", help="keep one CSV/JSON row in K")] = 1,
) -> None:
    """The options every schedule command takes (its signature is what counts)."""


def _plot(
    name: str,
    params: dict[str, Any],
    *,
    steps: int,
    lr: list[float] | None,
    optimizer: str,
    record: str,
    out: Path,
    format: list[str] | None,
    title: str | None,
    log_y: bool,
    engine: str,
    every: int,
) -> None:
    from . import engines
    from .writers import write_curve

    formats = _formats(format)
    engines.check_run_options(optimizer, record, engine)
    if every < 1:
        raise ParameterError("every", f"expected a whole number >= 1, got {every}")
    schedule = resolve(name, steps, lr or [1.0], params)
    for warning in schedule.warnings:
        typer.echo(f"warning: {warning}", err=True)
    with progress_bar() as progress:
        curve = engines.run(schedule, engine, optimizer=optimizer, record=record, progress=progress)
    for path in write_curve(curve, out, formats, title=title, log_y=log_y, every=every):
        typer.echo(str(path))


@contextmanager
def progress_bar(
    stream: Any = None, delay: float = 1.0, clock: Callable[[], float] = time.monotonic
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback that shows a bar once a run has taken ``delay`` seconds.

    Silent (``None``) when ``stream`` (stderr by default) is not a terminal.
    """
    stream = stream if stream is not None else sys.stderr
    if not stream.isatty():
        yield None
        return
    started = clock()
    shown: list[tuple[Any, Any]] = []  # (bar, task), once the bar is up

    def report(done: int, total: int) -> None:
        if not shown:
            if clock() - started < delay:
                return
            from rich.console import Console
            from rich.progress import Progress

            bar = Progress(console=Console(file=stream, force_terminal=True), transient=True)
            bar.start()
            shown.append((bar, bar.add_task("stepping the scheduler", total=total)))
        bar, task = shown[0]
        bar.update(task, completed=done)

    try:
        yield report
    finally:
        if shown:
            shown[0][0].stop()


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
    steps: Annotated[
        int, typer.Option("--steps", metavar="N", help="values per curve, on one shared step axis")
    ] = 1000,
    warmup: Annotated[
        float | None,
        typer.Option("--warmup", metavar="STEPS", help="warmup for every curve whose schedule has one"),
    ] = None,
    training_steps: Annotated[
        int | None,
        typer.Option("--training-steps", metavar="N", help="training steps for every curve that takes them"),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", metavar="KEY=VALUE", help="any other shared parameter, for every curve that takes it"),
    ] = None,
    lr: Annotated[
        list[float] | None,
        typer.Option(
            "--lr", metavar="LR", help="initial lr of every curve; repeat for more param groups [default: 1.0]"
        ),
    ] = None,
    grid: Annotated[
        bool, typer.Option("--grid", help="small multiples with shared axes instead of an overlay")
    ] = False,
    name: Annotated[
        str, typer.Option("--name", metavar="NAME", help="output file name, without extension")
    ] = "compare",
    optimizer: Annotated[str, typer.Option("--optimizer", metavar="NAME", help="sgd, adam or adamw")] = "sgd",
    record: Annotated[
        str, typer.Option("--record", metavar="WHEN", help="'before' or 'after' scheduler.step()")
    ] = "before",
    engine: Annotated[str, typer.Option("--engine", metavar="NAME", help="torch (default) or numpy")] = "torch",
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="output folder")] = Path("."),
    format: Annotated[
        list[str] | None,
        typer.Option(
            "--format", metavar="FMT", help="png, csv, svg, pdf; repeated or comma-separated [default: png,csv]"
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="figure title")] = None,
    log_y: Annotated[bool, typer.Option("--log-y", help="logarithmic lr axis")] = False,
) -> None:
    """Compare schedules on one step axis: an overlay (or --grid) and one CSV column per curve."""
    from . import figures
    from .writers import prepare_dir, write_atomically

    formats = _formats(format)
    shared: dict[str, Any] = figures.parse_assignments(",".join(param), "--param") if param else {}
    shared.update({k: v for k, v in (("warmup", warmup), ("training_steps", training_steps)) if v is not None})
    specs = tuple(figures.parse_curve(text) for text in curves)
    for key in shared:
        if not any(get_spec(c.schedule).param(key) for c in specs):
            raise ParameterError(key, "none of the curves' schedules takes it")
    spec = figures.FigureSpec(
        name=name,
        curves=specs,
        steps=steps,
        lr=tuple(lr or [1.0]),
        shared=shared,
        optimizer=optimizer,
        record=record,
        engine=engine,
        title=title or _compare_title(specs, shared, steps),
        log_y=log_y,
        grid=grid,
    )
    rendered = figures.render(spec)
    for label, curve in rendered.curves.items():
        for warning in curve.schedule.warnings:
            typer.echo(f"warning: curve '{label}': {warning}", err=True)
    outputs = figures.figure_writers(rendered, prepare_dir(out), formats)
    for path in write_atomically(outputs):
        typer.echo(str(path))


@app.command("render")
def render_command(
    configs: Annotated[
        list[Path], typer.Argument(metavar="CONFIG...", help="figure-set TOML files (see configs/)", show_default=False)
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="output folder [default: the config's 'out']"),
    ] = None,
    only: Annotated[str | None, typer.Option("--only", metavar="NAME", help="render just this figure")] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="regenerate in memory and compare with the committed CSVs; write nothing"),
    ] = False,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance", metavar="X", help="--check: a value drifts when |new - old| > X * (|old| + column peak)"
        ),
    ] = DEFAULT_TOLERANCE,
    steps: Annotated[int | None, typer.Option("--steps", metavar="N", help="override every figure's steps")] = None,
    lr: Annotated[
        list[float] | None,
        typer.Option("--lr", metavar="LR", help="override every figure's lr (repeat for param groups)"),
    ] = None,
    optimizer: Annotated[str | None, typer.Option("--optimizer", metavar="NAME", help="override the optimizer")] = None,
    record: Annotated[str | None, typer.Option("--record", metavar="WHEN", help="override before/after")] = None,
    engine: Annotated[str | None, typer.Option("--engine", metavar="NAME", help="override the engine")] = None,
    log_y: Annotated[
        bool | None,
        typer.Option("--log-y/--linear-y", help="override the lr axis scale", show_default=False),
    ] = None,
    format: Annotated[
        list[str] | None,
        typer.Option("--format", metavar="FMT", help="png, csv, svg, pdf [default: png,csv]"),
    ] = None,
) -> None:
    """Render figure sets (PNG + CSV per figure, and the set's docs page), or --check them."""
    from . import figures
    from .writers import prepare_dir, write_atomically

    formats = _formats(format)
    overrides = {
        k: v
        for k, v in {
            "steps": steps,
            "lr": lr,
            "optimizer": optimizer,
            "record": record,
            "engine": engine,
            "log_y": log_y,
        }.items()
        if v is not None
    }
    sets = [figures.load(path, overrides) for path in configs]
    if only is not None and not any(f.name == only for s in sets for f in s.figures):
        sets[0].select(only)  # raises, listing the figure names
    # The page belongs to the set's own folder and its unmodified figures.
    whole = only is None and out is None and not overrides
    drifts, written, checked = [], [], 0
    for figure_set in sets:
        if only is not None and not any(f.name == only for f in figure_set.figures):
            continue
        rendered = figures.render_set(figure_set, only)
        directory = out or figure_set.out
        if check:
            drifts += figures.check_set(figure_set, rendered, directory, tolerance, with_page=whole)
            checked += len(rendered)
        else:
            outputs = figures.set_outputs(figure_set, rendered, prepare_dir(directory), formats, with_page=whole)
            written += write_atomically(outputs)
    for path in written:
        typer.echo(str(path))
    if check:
        for drift in drifts:
            typer.echo(f"drift: {drift}", err=True)
        if drifts:
            raise typer.Exit(1)
        typer.echo(f"{checked} figures match their committed CSVs (tolerance {tolerance:g})")


def _compare_title(curves: tuple[Any, ...], shared: dict[str, Any], steps: int) -> str:
    names = " vs ".join(dict.fromkeys(c.schedule for c in curves))
    values = {**shared, "steps": steps}
    common = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items())
    return f"{names} ({common})"


def _formats(format: list[str] | None) -> tuple[str, ...]:
    formats = tuple(f.strip() for item in (format or ["png,csv"]) for f in item.split(",") if f.strip())
    check_formats(formats)
    return formats


for _spec in list_specs():
    app.command(_spec.name, help=None)(_schedule_command(_spec))


def main() -> None:
    """The console script (and ``python -m lrplot``).

    Once the command is done (its files written and synced), the process ends
    with ``os._exit``: tearing down torch at interpreter exit costs about 0.4 s
    and does nothing for a process that is about to end.
    """
    try:
        app()
        code = 0
    except SystemExit as e:
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        code = code or 1
    os._exit(code)
