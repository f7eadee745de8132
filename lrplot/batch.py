"""Many figures at once, for ``render`` and ``--check``: spread over worker processes,
and each run made once.

A :class:`Job` is one figure to render and, in a worker, to encode in the
formats it writes (for ``render``) or to compare with its committed files (for
``--check``). :func:`run` works in two rounds, each spread over the workers
(:mod:`lrplot.workers`): first every distinct run the figures need
(:func:`lrplot.figures.runs_of`), each made once however many figures show it;
then the figures, which find their runs made. Each figure's :class:`Outcome`
(its figure, warnings, error, files and drifts) comes back to this process,
where :func:`settle` tells its warnings and raises its error in the order of
the figures: what a run prints does not depend on which worker finished
first, and the files are committed here, all or none (:mod:`lrplot.files`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from . import engines, workers
from .errors import ConfigError, LrplotError, LrplotWarning, ParameterError, plain
from .figures import Drift, FigureSpec, RenderedFigure, RunRequest, Runs, render, runs_of
from .formats import draws, encode
from .spelling import PLAIN, Spelling
from .trace import Trace

# What work costs, roughly, in seconds, to share it out evenly: a step of a run
# on each engine (torch steps the real scheduler; numpy evaluates whole
# arrays), drawing a figure, and writing a value of its CSV.
STEP_COST = {"torch": 4e-6, "numpy": 1e-7}
FIGURE_COST = 0.1
VALUE_COST = 1e-6
# A table of more values than this is written by this process, streamed as one
# process writes it: its text is not held in memory and sent through a pipe.
WORKER_TABLE_VALUES = 2_000_000
TABLE_FORMATS = ("csv", "json")


@dataclass(frozen=True)
class Job:
    """One figure: ``where`` locates its warnings and errors (``FILE: figure 'NAME'``);
    a worker encodes it in ``formats`` and compares it with ``check``, which gives its drifts."""

    spec: FigureSpec
    where: str
    spelling: Spelling = PLAIN
    formats: tuple[str, ...] = ()
    check: Callable[[RenderedFigure], list[Drift]] | None = None

    @property
    def cost(self) -> float:
        steps = self.spec.steps + max((c.resume_steps or 0 for c in self.spec.curves), default=0)
        return FIGURE_COST + VALUE_COST * steps * len(self.spec.curves)


@dataclass(frozen=True)
class Outcome:
    """What a job made: the figure, or the error that stopped it (located, in one line);
    the warnings it raised, as (category, message); its files' bytes by format, when a
    worker made them; its drifts, when checked."""

    figure: RenderedFigure | None
    warnings: tuple[tuple[type[Warning], str], ...] = ()
    error: str | None = None
    files: dict[str, bytes] | None = None
    drifts: tuple[Drift, ...] = ()


def run(jobs: Sequence[Job], processes: int) -> list[Outcome]:
    """Every job's outcome, in order: its runs, then its figure, in up to ``processes`` workers."""
    requests = _shared_requests(jobs)
    forked = workers.will_fork(processes, len(jobs))
    if forked or workers.will_fork(processes, len(requests)):  # imported once here, for every worker to inherit
        for engine in dict.fromkeys(job.spec.options.engine for job in jobs):
            engines.preload(engine, any(draws(job.formats) for job in jobs))
    runs = _made(requests, processes)
    outcomes = workers.map_tasks(lambda job: _attempt(job, runs, forked), jobs, processes, lambda job: job.cost)
    return [_with_figure(outcome, job, runs) for outcome, job in zip(outcomes, jobs, strict=True)]


def _with_figure(outcome: Outcome, job: Job, runs: Runs) -> Outcome:
    """``outcome`` with its figure: a worker sends none back when this process holds
    every run it shows (rendering it again from them copies nothing; what it warned
    of, the worker told)."""
    if outcome.figure is not None or outcome.error is not None:
        return outcome
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return replace(outcome, figure=render(job.spec, job.spelling, runs))


def settle(outcome: Outcome, where: str) -> RenderedFigure:
    """The outcome's figure, once its warnings are told (lrplot's located at ``where``);
    its error, as a ConfigError."""
    for category, message in outcome.warnings:
        own = issubclass(category, LrplotWarning)
        warnings.warn(LrplotWarning(f"{where}: {message}") if own else message, category, stacklevel=2)
    if outcome.error is not None:
        raise ConfigError(outcome.error)
    assert outcome.figure is not None
    return outcome.figure


def _shared_requests(jobs: Sequence[Job]) -> dict[object, RunRequest]:
    """Every run the jobs need that may be shared, by key, once each."""
    requests: dict[object, RunRequest] = {}
    for job in jobs:
        for request in runs_of(job.spec):
            if (key := request.key) is not None:
                requests.setdefault(key, request)
    return requests


def _made(requests: dict[object, RunRequest], processes: int) -> Runs:
    """The requested runs, each made once (workers forked after this hold them all). One
    that fails is left out: its figure makes it again and tells why."""
    made = workers.map_tasks(_try, list(requests.values()), processes, _run_cost)
    return {key: trace for key, trace in zip(requests, made, strict=True) if trace is not None}


def _run_cost(request: RunRequest) -> float:
    return STEP_COST.get(request.options.engine, 0.0) * request.schedule.steps * len(request.schedule.lrs)


def _try(request: RunRequest) -> Trace | None:
    try:
        return request.run()
    except LrplotError:
        return None


def _attempt(job: Job, runs: Runs, encoded: bool) -> Outcome:
    """Render ``job``'s figure from ``runs`` (made ahead), then encode or check it; its errors as text."""
    figure, error, files = None, None, None
    drifts: tuple[Drift, ...] = ()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            figure = render(job.spec, job.spelling, runs)
            files = encode(figure, _encoded_formats(job, figure)) if encoded and job.formats else None
            drifts = tuple(job.check(figure)) if job.check is not None else ()
        except ParameterError as e:
            error = ": ".join([job.where, *e.context, f"key '{e.param}'", e.reason_as(plain)])
        except LrplotError as e:
            error = f"{job.where}: {e}"
    told = tuple((w.category, str(w.message)) for w in caught)
    sent = figure if error is None and (not encoded or not _all_made(job.spec, runs)) else None
    return Outcome(sent, told, error, files, drifts)


def _encoded_formats(job: Job, figure: RenderedFigure) -> tuple[str, ...]:
    """The formats a worker encodes: all of the job's, but a big table's (see :data:`WORKER_TABLE_VALUES`)."""
    header, columns = figure.table()
    if len(header) * len(columns[0]) <= WORKER_TABLE_VALUES:
        return job.formats
    return tuple(fmt for fmt in job.formats if fmt not in TABLE_FORMATS)


def _all_made(spec: FigureSpec, runs: Runs) -> bool:
    """Whether ``runs`` holds every run ``spec`` shows (never so for the user's code)."""
    return all(request.key in runs for request in runs_of(spec))
