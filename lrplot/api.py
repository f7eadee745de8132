"""The core's entry points: run, write, compare, render and check.

The CLI's commands are thin calls into these, and a program can call them the
same way. Nothing here prints; problems are :class:`~lrplot.errors.LrplotError`.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import batch, schedules
from .errors import ConfigError, LrplotWarning, OutsideError, ParameterError, UsageError
from .figures import DEFAULT_TOLERANCE, Drift, FigureSpec, RenderedFigure, compare_table, compare_text, render
from .files import Writer, write_files
from .formats import Document, outputs, parse_formats, screen_formats
from .limits import MAX_CURVES, is_number
from .look import Look
from .options import RunOptions
from .params import Value
from .spelling import PLAIN, Spelling
from .writers import text_writer

if TYPE_CHECKING:
    from .configs import FigureSet

PathLike = str | os.PathLike[str]


def write(
    document: Document, out: PathLike, formats: Iterable[str] | None = None, inputs: Iterable[PathLike] = ()
) -> list[Path]:
    """Write ``document`` as ``OUT/NAME.FORMAT`` for each format, all or nothing; none may replace
    one of ``inputs``, the files the document was made from."""
    planned = outputs(document, Path(out), formats)
    read = _inputs(list(inputs))
    for path in planned:
        source = read.get(os.path.realpath(path)) or read.get(_file_id(path))
        if source is not None:
            raise ParameterError(
                "out", f"{path} would replace {source}, an input: choose another, or another name", ("name",)
            )
    return write_files(planned)


# compare -------------------------------------------------------------------------------


def compare(
    curves: Sequence[str],
    steps: int,
    lr: Sequence[float] = (1.0,),
    shared: Mapping[str, Value] | None = None,
    options: RunOptions | None = None,
    *,
    name: str = "compare",
    title: str | None = None,
    log_y: bool = False,
    grid: bool = False,
    spelling: Spelling = PLAIN,
    look: Look | None = None,
) -> RenderedFigure:
    """Run curves written ``NAME[:key=value,...]`` on one step axis.

    ``shared`` parameters apply to every curve whose schedule takes them; a
    curve's own values win.
    """
    from .configs import parse_curve  # loaded when needed: writing one trace needs no configs

    shared = dict(shared or {})
    specs = tuple(parse_curve(text) for text in curves)
    known = {p.name for spec in schedules.REGISTRY.specs() for p in spec.params}
    for key in shared:
        if key not in known:
            raise ParameterError(key, "no schedule takes it (see 'lrplot list')")
        if not any(schedules.REGISTRY.get(c.schedule).param(key) for c in specs):
            warnings.warn(LrplotWarning(f"{spelling.option(key)}: none of the curves takes it; ignored"), stacklevel=2)
    if not specs or len(specs) > MAX_CURVES:
        raise UsageError(f"expected 1 to {MAX_CURVES} curves to compare, got {len(specs)}")
    figure = FigureSpec(
        name=name,
        curves=specs,
        steps=steps,
        lr=tuple(lr),
        shared=shared,
        options=options or RunOptions(),
        title=title or compare_title([c.schedule for c in specs], shared, steps),
        log_y=log_y,
        grid=grid,
        look=look or Look(),
    )
    return render(figure, spelling)


def compare_title(names: Sequence[str], shared: Mapping[str, Value], steps: int) -> str:
    """``a vs b (warmup 300, steps 3000)``; ``5 schedules (...)`` for more than three names or long
    ones (the legend names them)."""
    unique = list(dict.fromkeys(names))
    joined = " vs ".join(unique)
    if len(unique) > 3 or len(joined) > 50:
        joined = (
            f"{len(names)} curves of {len(unique)} schedules"
            if len(unique) < len(names)
            else f"{len(unique)} schedules"
        )
    values = {**shared, "steps": steps}
    common = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items())
    return f"{joined} ({common})"


# Figure sets: render and check ---------------------------------------------------------


def render_sets(
    configs: Sequence[PathLike],
    overrides: Mapping[str, object] | None = None,
    only: str | None = None,
    out: PathLike | None = None,
    formats: Iterable[str] | None = None,
    spelling: Spelling = PLAIN,
    allow_outside: bool = False,
    show: Callable[[Document], None] | None = None,
    jobs: int | None = None,
) -> list[Path]:
    """Render figure sets into their ``out`` folders (or ``out``), with their
    pages when the whole set is rendered as the file says; the paths written.
    With ``html`` among the formats, each folder of whole sets gets an
    ``index.html`` linking its figures. ``show`` is given each rendered figure
    once everything is written (the CLI draws them for ``--format term``).
    Wherever a figure's CSV is written, its text (``NAME.txt``) is too (:func:`_set_formats`).

    The figures are rendered and encoded in up to ``jobs`` worker processes
    (default: one per core; see :mod:`lrplot.batch`), and the files are the
    same whatever the number. Everything is rendered before anything is
    written, and then every file of every set is written or none is. A set
    writes only within its folder tree (:func:`lrplot.configs.write_root`)
    unless ``allow_outside``; ``out``, the caller's choice, may be anywhere. No
    output may replace a config read.
    """
    files: dict[Path, Writer] = {}
    inputs: dict[object, Path] = {}
    galleries: dict[Path, list[tuple[FigureSet, RenderedFigure]]] = {}
    everything: list[RenderedFigure] = []
    writes_files = len(screen_formats(formats)) < len(parse_formats(formats))  # term alone: no file
    made = _set_formats(formats)

    def job(figure_set: FigureSet, spec: FigureSpec) -> batch.Job:
        return batch.Job(spec, _where(figure_set, spec), spelling, formats=made)

    for figure_set, done, whole in _rendered(configs, overrides, only, out, job, jobs):
        rendered = [figure for figure, _ in done]
        everything += rendered
        inputs = inputs or _inputs(configs)  # all loaded by now
        directory = Path(out) if out is not None else _confined(figure_set, figure_set.out, "out", allow_outside)
        planned = {}
        for figure, outcome in done:
            planned.update(outputs(figure, directory, made, outcome.files))
        if only is None and "html" in parse_formats(formats):
            galleries.setdefault(directory, []).extend((figure_set, figure) for figure in rendered)
        if whole and figure_set.page is not None and writes_files:
            from .pages import page_text

            page = _confined(figure_set, figure_set.page, "page", allow_outside)
            planned[page] = text_writer(page_text(figure_set, rendered, directory, spelling.option))
        for path in planned:
            config = inputs.get(os.path.realpath(path)) or inputs.get(_file_id(path))  # by name, or same file
            if config is not None:
                raise ConfigError(f"{figure_set.path}: {path} would replace the config {config}, an input")
            if path in files:
                raise ConfigError(f"{figure_set.path}: {path} is written by another figure of this run too")
        files.update(planned)
    for directory, figures in galleries.items():
        index = directory / "index.html"
        if index in files:
            raise ConfigError(f"{figures[0][0].path}: {index} is the gallery of the HTML pages: rename that figure")
        files[index] = text_writer(_gallery(figures, png="png" in parse_formats(formats)))
    paths = write_files(files)
    if show is not None:
        for figure in everything:
            show(figure)
    return paths


def _set_formats(formats: Iterable[str] | None) -> tuple[str, ...]:
    """The formats a figure set writes: those asked for, and its text (``txt``) wherever its
    CSV goes, since ``--check`` compares both."""
    chosen = parse_formats(formats)
    if "csv" not in chosen or "txt" in chosen:
        return chosen
    at = chosen.index("csv") + 1
    return (*chosen[:at], "txt", *chosen[at:])


def _gallery(figures: Sequence[tuple[FigureSet, RenderedFigure]], png: bool) -> str:
    from .html import gallery

    sets = list({id(figure_set): figure_set for figure_set, _ in figures}.values())
    title = " · ".join(s.title or s.path.stem for s in sets)
    return gallery(title, [(figure.name, figure.heading, png) for _, figure in figures])


def check_sets(
    configs: Sequence[PathLike],
    overrides: Mapping[str, object] | None = None,
    only: str | None = None,
    out: PathLike | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    spelling: Spelling = PLAIN,
    allow_outside: bool = False,
    jobs: int | None = None,
) -> tuple[list[Drift], int]:
    """Regenerate in memory and compare with the committed CSVs, text sidecars (``NAME.txt``)
    and pages; the drifts and how many figures were checked. Writes nothing, and reads
    nothing outside the set's folder tree (or ``out``) unless ``allow_outside``. The
    figures are rendered and compared in up to ``jobs`` worker processes (default: one per core)."""
    check_tolerance(tolerance)
    drifts: list[Drift] = []
    checked = 0

    def tree(figure_set: FigureSet) -> Path:  # where --check may read
        return Path(os.path.realpath(out)) if out is not None else figure_set.root

    def job(figure_set: FigureSet, spec: FigureSpec) -> batch.Job:
        directory = Path(out or figure_set.out)
        check = functools.partial(
            _drifts, directory=directory, tree=tree(figure_set), tolerance=tolerance, outside=allow_outside
        )
        return batch.Job(spec, _where(figure_set, spec), spelling, check=check)

    for figure_set, done, whole in _rendered(configs, overrides, only, out, job, jobs):
        rendered = [figure for figure, _ in done]
        for _, outcome in done:
            drifts += outcome.drifts
        checked += len(rendered)
        page = figure_set.page
        if whole and page is not None:
            from .pages import page_text

            if not allow_outside and not _within(page, tree(figure_set)):
                drifts.append(Drift(str(page), f"the page leads outside {tree(figure_set)}; not read"))
                continue
            fresh = page_text(figure_set, rendered, Path(out or figure_set.out), spelling.option)
            if not page.is_file() or _read_text(page) != fresh:
                drifts.append(Drift(str(page), "the page differs from what the config and registry give"))
    return drifts, checked


def _drifts(figure: RenderedFigure, directory: Path, tree: Path, tolerance: float, outside: bool) -> list[Drift]:
    """How ``figure`` differs from its committed CSV and text in ``directory``: both are told."""
    csv, text = directory / f"{figure.name}.csv", directory / f"{figure.name}.txt"
    found = [
        _outside(figure.name, csv, tree, outside) or compare_table(figure.name, figure, csv, tolerance),
        _outside(figure.name, text, tree, outside) or compare_text(figure.name, figure, text),
    ]
    return [drift for drift in found if drift is not None]


def check_tolerance(tolerance: object) -> float:
    """``tolerance`` if it is a finite number >= 0."""
    if is_number(tolerance) and tolerance >= 0:
        return float(tolerance)
    raise ParameterError("tolerance", f"expected a finite number >= 0, got {tolerance!r}")


def _outside(name: str, path: Path, tree: Path, allow_outside: bool) -> Drift | None:
    """A Drift if ``path`` leads out of ``tree``, where ``--check`` does not read."""
    if allow_outside or _within(path, tree):
        return None
    return Drift(name, f"{path} leads outside {tree}; not read")


def _confined(figure_set: FigureSet, path: Path, key: str, allow_outside: bool) -> Path:
    if allow_outside:
        return path
    tree = figure_set.root
    if not _within(path, tree):
        raise OutsideError(f"{figure_set.path}: key '{key}': {path} is outside {tree}, the set's folder tree")
    if ".git" in Path(os.path.realpath(path)).relative_to(tree).parts:
        raise OutsideError(f"{figure_set.path}: key '{key}': {path} is inside .git, which is git's own")
    return path


def _inputs(configs: Sequence[PathLike]) -> dict[object, Path]:
    """Each config by its resolved name and by its file identity (a case-blind
    disk or a second link gives one file two names)."""
    found: dict[object, Path] = {}
    for config in configs:
        found[os.path.realpath(config)] = Path(config)
        found[_file_id(Path(config))] = Path(config)
    return found


def _file_id(path: Path) -> object:
    """(device, inode) of an existing file; for one that is not there, a key nothing else has."""
    try:
        stat = path.stat()
    except OSError:
        return object()
    return (stat.st_dev, stat.st_ino)


def _within(path: Path, tree: Path) -> bool:
    """Whether ``path``, links resolved, lies in ``tree``."""
    return Path(os.path.realpath(path)).is_relative_to(tree)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _rendered(
    configs: Sequence[PathLike],
    overrides: Mapping[str, object] | None,
    only: str | None,
    out: PathLike | None,
    job: Callable[[FigureSet, FigureSpec], batch.Job],
    jobs: int | None,
) -> Iterator[tuple[FigureSet, list[tuple[RenderedFigure, batch.Outcome]], bool]]:
    """Each set that has the chosen figures, its figures rendered as ``job`` says (each
    with its outcome), and whether its page belongs (the whole set, unmodified, in its
    own folder). Every figure of every set is rendered first, in ``jobs`` processes;
    each set's warnings are told, and its first error raised, as it is reached."""
    from .configs import load

    sets = [load(path, overrides) for path in configs]
    if only is not None and not any(f.name == only for s in sets for f in s.figures):
        sets[0].select(only)  # raises, listing the figure names
    whole = only is None and out is None and not overrides
    planned = [
        (s, [job(s, spec) for spec in s.select(only)])
        for s in sets
        if only is None or any(f.name == only for f in s.figures)
    ]
    outcomes = iter(batch.run([one for _, set_jobs in planned for one in set_jobs], _jobs(jobs)))
    for figure_set, set_jobs in planned:
        done = [(one, next(outcomes)) for one in set_jobs]
        yield figure_set, [(batch.settle(outcome, one.where), outcome) for one, outcome in done], whole


def render_set(figure_set: FigureSet, only: str | None = None, spelling: Spelling = PLAIN) -> list[RenderedFigure]:
    """Render the chosen figures, here; errors name the file, the figure and the key."""
    jobs = [batch.Job(spec, _where(figure_set, spec), spelling) for spec in figure_set.select(only)]
    return [batch.settle(outcome, one.where) for one, outcome in zip(jobs, batch.run(jobs, 1), strict=True)]


def _where(figure_set: FigureSet, spec: FigureSpec) -> str:
    return f"{figure_set.path}: figure '{spec.name}'"


def _jobs(jobs: int | None) -> int:
    from .workers import check_jobs, cores

    return cores() if jobs is None else check_jobs(jobs)
