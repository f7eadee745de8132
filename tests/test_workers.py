"""render and --check in worker processes: the same files, messages and errors as in one process."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from lrplot import api, batch, engines, workers
from lrplot.cli.commandline import CLI_SPELLING
from lrplot.configs import load
from lrplot.errors import ConfigError, LrplotWarning, ParameterError, UsageError
from lrplot.registry import ScheduleSpec, registered
from lrplot.schedules import REGISTRY

from .helpers import invoke

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))
needs_fork = pytest.mark.skipif(not workers.can_fork(), reason="workers are forked; this system has no safe fork")


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """A copy of the project's configs and committed figures and pages, the working folder
    (a command in a CSV names its files from there); its configs."""
    for part in ("configs", "docs"):
        shutil.copytree(ROOT / part, tmp_path / part)
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    return sorted(Path("configs").glob("*.toml"))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@needs_fork
def test_workers_render_every_committed_file_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configs = _project(tmp_path, monkeypatch)
    for path in (tmp_path / "docs" / "figures").iterdir():
        path.write_bytes(b"stale")  # each must be written again, by a worker
    written = api.render_sets(configs, spelling=CLI_SPELLING, jobs=3)
    assert len(written) == 3 * 40 + 2  # PNG, CSV and text of each figure; the two pages
    assert _files(tmp_path / "docs") == _files(ROOT / "docs")


@needs_fork
def test_check_in_workers_tells_the_drifts_one_process_tells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configs = _project(tmp_path, monkeypatch)
    assert api.check_sets(configs, spelling=CLI_SPELLING, jobs=2) == ([], 40)
    figures = tmp_path / "docs" / "figures"
    csv = figures / "fig06_cosine.csv"
    csv.write_text(csv.read_text().replace("\n299,", "\n299,1", 1))
    text = figures / "schedule_step_lr.txt"
    text.write_text(text.read_text().replace("step_lr", "step_LR"))
    (figures / "schedule_cosine.csv").unlink()
    here, there = (api.check_sets(configs, spelling=CLI_SPELLING, jobs=jobs) for jobs in (1, 2))
    assert here == there and len(here[0]) == 3 and here[1] == 40


BROKEN = """out = "../figs"
[[figure]]
name = "first"
steps = 30
curve = [{ schedule = "cosine_annealing_lr", eta_min = 2 }]

[[figure]]
name = "second"
steps = 30
curve = [{ schedule = "cosine", warmup = -5 }]

[[figure]]
name = "third"
steps = 30
curve = [{ schedule = "warmup_stable_decay", warmup = 20, decay_steps = 20 }]

[[figure]]
name = "fourth"
steps = 30
curve = [{ schedule = "step_lr", step_size = 0 }]
"""


def _told(config: Path, jobs: int) -> tuple[list[str], str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ConfigError) as error:
            api.render_sets([config], jobs=jobs)
    return [str(w.message) for w in caught], str(error.value)


@needs_fork
def test_workers_tell_the_same_warnings_in_order_and_raise_the_first_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    config = tmp_path / "configs" / "set.toml"
    config.parent.mkdir()
    config.write_text(BROKEN)
    told, error = _told(config, 1)
    assert (told, error) == _told(config, 4)
    assert error.startswith(f"{config}: figure 'second': curve 'cosine': key 'warmup': expected")
    assert told == [f"{config}: figure 'first': curve 'cosine_annealing_lr': eta_min (2) is above the lr (1): "
                    "the cosine rises to eta_min instead of falling"]  # fmt: skip
    assert not (tmp_path / "figs").exists()  # nothing written, not even the folder


def _counting_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    run = engines.run
    monkeypatch.setattr(engines, "run", lambda schedule, *a, **k: made.append(schedule.name) or run(schedule, *a, **k))
    return made


SHARED = """out = "../figs"
[[figure]]
name = "whole"
steps = 400
curve = [{ schedule = "cosine", warmup = 40 }, { schedule = "factory", target = "mine.py:halving" }]

[[figure]]
name = "zoom"
steps = 400
xlim = [30, 60]
curve = [{ schedule = "cosine", warmup = 40 }, { schedule = "factory", target = "mine.py:halving" }]

[[figure]]
name = "other"
steps = 400
curve = [{ schedule = "linear" }]
"""


def _shared_project(tmp_path: Path) -> Path:
    """A project with the SHARED set and the user code it names; the config's path."""
    (tmp_path / "pyproject.toml").write_text("")
    config = tmp_path / "configs" / "set.toml"
    config.parent.mkdir()
    config.write_text(SHARED)
    (config.parent / "mine.py").write_text("def halving(every=50):\n    return lambda step: 0.5 ** (step // every)\n")
    return config


def test_a_run_two_figures_make_is_made_once_but_user_code_runs_for_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _shared_project(tmp_path)
    made = _counting_runs(monkeypatch)
    whole, zoom, _ = api.render_set(load(config))
    assert sorted(made) == ["cosine", "factory", "factory", "linear"]
    (cosine, factory), (cosine_zoomed, factory_zoomed) = whole.curves.values(), zoom.curves.values()
    assert cosine.lr is cosine_zoomed.lr  # the one run's values
    assert factory.lr is not factory_zoomed.lr


def test_figure_ten_shares_figure_nine_s_first_run(monkeypatch: pytest.MonkeyPatch) -> None:
    made = _counting_runs(monkeypatch)
    article = load(ROOT / "configs" / "article.toml")
    nine, ten = (f for f in article.figures if f.name.startswith(("fig09", "fig10")))
    first, resumed = api.render_set(dataclasses.replace(article, figures=(nine, ten)))
    assert made == ["cosine", "cosine"]  # the first run once, and the resumed run
    assert first.curves["cosine"].lr is resumed.curves["cosine"].lr


@needs_fork
@pytest.mark.parametrize(("sig", "group", "code"), [(signal.SIGINT, True, 130), (signal.SIGTERM, False, 143)])
def test_a_signal_stops_the_workers_and_writes_nothing(
    tmp_path: Path, sig: signal.Signals, group: bool, code: int
) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    config = tmp_path / "set.toml"
    slow = "\n".join(
        f'[[figure]]\nname = "f{i}"\nsteps = 400000\ncurve = [{{ schedule = "cosine", warmup = {i} }}]\n'
        for i in range(4)
    )  # four runs of seconds of torch steps each
    config.write_text(f'out = "figs"\n{slow}')
    process = subprocess.Popen(
        [sys.executable, "-m", "lrplot", "render", str(config), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(children := _children(process.pid)) < 2:
        assert process.poll() is None and time.monotonic() < deadline, "no workers started"
        time.sleep(0.01)
    if group:
        os.killpg(process.pid, sig)  # Ctrl-C: the terminal signals the whole process group
    else:
        process.send_signal(sig)  # timeout, CI: the command alone
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code and stderr == f"Error: interrupted by {sig.name}\n"
    assert not (tmp_path / "figs").exists()
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _die(task: int) -> int:
    if task == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel ends a process out of memory
    return task * task


def _fail(task: int) -> int:
    if task == 2:
        raise ValueError("a task's error")
    return task


@needs_fork
def test_map_tasks_keeps_order_and_reports_a_worker_that_died_or_failed() -> None:
    assert workers.map_tasks(lambda t: t * t, list(range(9)), 3, cost=lambda t: t % 4) == [t * t for t in range(9)]
    with pytest.raises(UsageError, match=r"^a worker process ended before its work was done \(out of memory\?\)$"):
        workers.map_tasks(_die, list(range(6)), 2)
    with pytest.raises(ValueError, match="a task's error"):
        workers.map_tasks(_fail, list(range(6)), 2)
    assert workers.map_tasks(lambda t: os.getpid(), [1, 2], 1) == [os.getpid()] * 2  # one job: here
    assert len(set(workers.map_tasks(lambda t: os.getpid(), [1, 2], 2)) - {os.getpid()}) == 2
    assert workers.map_tasks(lambda t: workers.will_fork(2, 5), [1, 2], 2) == [False, False]  # no nested workers


def test_tasks_are_shared_out_costliest_first_to_the_least_loaded() -> None:
    assert workers._share_out([5, 1, 4, 3, 3], 2) == [[0, 4], [2, 3, 1]]
    assert workers._share_out([1.0], 4) == [[0]]


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2", workers.MAX_JOBS + 1])
def test_jobs_must_be_a_whole_number_of_processes(jobs: object) -> None:
    with pytest.raises(ParameterError, match="jobs: expected a whole number of processes, 1 to 256"):
        workers.check_jobs(jobs)


def test_a_bad_jobs_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    result = invoke("render", CONFIGS[0], "--jobs", "0", "--out", tmp_path)
    assert result.exit_code == 2
    assert result.output == "Error: --jobs: expected a whole number of processes, 1 to 256, got 0\n"
    assert list(tmp_path.iterdir()) == []


def test_a_schedule_crosses_processes_by_its_registered_name() -> None:
    spec = REGISTRY.get("cosine")
    assert pickle.loads(pickle.dumps(spec)) is spec is registered("transformers.cosine")
    stray = ScheduleSpec("stray", "nowhere", "not registered", "1", (), lambda values, lrs: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(pickle.PicklingError, match="nowhere.stray is not registered"):
        pickle.dumps(stray)


def test_check_does_not_draw_in_its_workers_either() -> None:
    jobs = [batch.Job(spec, spec.name, check=lambda figure: []) for spec in load(CONFIGS[0]).figures[:2]]
    assert all(outcome.files is None for outcome in batch.run(jobs, 2))


def test_an_outcome_tells_its_warnings_located_in_its_figure_then_raises_its_error() -> None:
    told = ((LrplotWarning, "curve 'x': careful"), (RuntimeWarning, "numpy's"))
    outcome = batch.Outcome(None, told, error="set.toml: figure 'f': broken")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ConfigError, match="^set.toml: figure 'f': broken$"):
            batch.settle(outcome, "set.toml: figure 'f'")
    assert [(w.category, str(w.message)) for w in caught] == [
        (LrplotWarning, "set.toml: figure 'f': curve 'x': careful"),
        (RuntimeWarning, "numpy's"),
    ]


@needs_fork
def test_a_big_table_is_written_here_and_workers_send_back_no_run_this_process_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _shared_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(batch, "WORKER_TABLE_VALUES", 1000)  # "other" (400 rows of 2) is small, the rest big
    jobs = [batch.Job(spec, spec.name, formats=("png", "csv", "txt")) for spec in load(config).figures]
    outcomes = batch.run(jobs, 2)
    assert [sorted(o.files or ()) for o in outcomes] == [["png", "txt"], ["png", "txt"], ["csv", "png", "txt"]]
    assert all(o.figure is not None for o in outcomes)  # back here, every figure
    runs = batch._made(batch._shared_requests(jobs), 1)
    as_sent = [batch._attempt(job, runs, encoded=True).figure for job in jobs]
    assert [figure is not None for figure in as_sent] == [True, True, False]  # user code's runs are not here
    written = api.render_sets([Path("configs/set.toml")], jobs=2)
    assert len(written) == 9
    from_workers = {p.name: p.read_bytes() for p in written}
    api.render_sets([Path("configs/set.toml")], jobs=1)
    assert {p.name: p.read_bytes() for p in written} == from_workers
