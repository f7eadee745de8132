"""The numpy engine equals the torch engine; big-N plotting keeps every extreme."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from typer.testing import CliRunner

import lrplot
from lrplot import engines, figure_model, plot, runner, vector
from lrplot.cli.app import app
from lrplot.cli.progress import progress_bar
from lrplot.errors import NoClosedFormError, ParameterError
from lrplot.options import RunOptions

from .helpers import example_params, packages_imported_by_cli
from .oracles import assert_close
from .test_schedules import GRID, schedule_cases

CLOSED_FORM = [s.name for s in lrplot.list_specs() if s.closed_form]
GRID_CASES = [(name, p) for name, grid in GRID.items() for p in grid if lrplot.get_spec(name).closed_form]
GRID_CASES += [("transformer", {"warmup": w, "d_model": d}) for w in (1, 7, 40) for d in (1, 64, 512)]


def check_engines_agree(name: str, steps: int, lrs: list[float], params: dict, record: str = "before") -> None:
    schedule = lrplot.resolve(name, steps, lrs, params)
    torch_curve = runner.run(schedule, RunOptions(record=record))
    numpy_curve = vector.run(schedule, RunOptions(record=record, engine="numpy"))
    assert numpy_curve.steps.tolist() == torch_curve.steps.tolist()
    for g in range(len(lrs)):
        assert_close(numpy_curve.lrs[g], torch_curve.lrs[g], what=f"{name} {params} group {g}")


def test_every_closed_form_entry_is_in_the_grid() -> None:
    assert {name for name, _ in GRID_CASES} == set(CLOSED_FORM)


@pytest.mark.parametrize(("name", "params"), GRID_CASES, ids=lambda x: str(x))
def test_grid_numpy_equals_torch(name: str, params: dict) -> None:
    for lrs in ([1.0], [0.5, 3e-4]):
        check_engines_agree(name, 90, lrs, params)
    check_engines_agree(name, 90, [1.0], params, record="after")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule_cases(CLOSED_FORM))
def test_hypothesis_numpy_equals_torch(case: tuple) -> None:
    name, steps, lrs, params = case
    try:
        lrplot.resolve(name, steps, lrs, params)
    except ParameterError:
        assume(False)
    check_engines_agree(name, steps, lrs, params)


@pytest.mark.parametrize("spec", [s for s in lrplot.list_specs() if not s.closed_form], ids=lambda s: s.name)
def test_schedules_without_closed_form_say_so(spec: lrplot.ScheduleSpec) -> None:
    with pytest.raises(NoClosedFormError, match=f"{spec.name} is stepped by torch only.*use engine torch"):
        engines.run(lrplot.resolve(spec.name, 10, params=example_params(spec)), RunOptions(engine="numpy"))


def test_resume_steps_match_torch() -> None:
    schedule = lrplot.resolve("cosine", 50, 0.01, {"warmup": 30, "training_steps": 100, "num_cycles": 2})
    for record in ("before", "after"):
        a = runner.run(schedule, RunOptions(record=record), last_epoch=100)
        b = vector.run(schedule, RunOptions(record=record, engine="numpy"), last_epoch=100)
        assert a.steps.tolist() == b.steps.tolist()
        assert_close(b.lrs[0], a.lrs[0], what=record)


def test_big_runs_are_evaluated_in_chunks_with_the_same_values() -> None:
    schedule = lrplot.resolve("cosine_with_restarts", 3_000_000, 1.0, {"warmup": 1000, "num_cycles": 7})
    whole = schedule.lr_lambda().evaluate(np.arange(3_000_000), chunk=1 << 30)
    chunked = vector.run(schedule).lrs[0]
    assert np.array_equal(whole, chunked)
    probe = [0, 999, 1000, 428_714, 1_500_000, 2_999_999]
    assert_close(chunked[probe], [schedule.lr_lambda()(s) for s in probe])


def test_numpy_engine_never_imports_torch(tmp_path: Path) -> None:
    imported = packages_imported_by_cli("cosine", "--steps", "1000", "--engine", "numpy", "--out", str(tmp_path))
    assert "torch" not in imported and "numpy" in imported
    meta, _, _ = lrplot.read_csv(tmp_path / "cosine.csv")
    assert meta["engine"] == "numpy" and "torch" not in meta["versions"]


def test_cli_engine_and_every(tmp_path: Path) -> None:
    cli = CliRunner()
    result = cli.invoke(app, ["linear", "--steps", "100", "--engine", "numpy", "--every", "10", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    _, _, columns = lrplot.read_csv(tmp_path / "linear.csv")
    assert columns[0] == list(range(0, 100, 10))
    assert columns[1] == lrplot.curve("linear", 100).lrs[0][::10].tolist()
    for args, message in [
        (
            ["step_lr", "--engine", "numpy"],
            "--engine: step_lr is stepped by torch only (no formula lrplot can evaluate on arrays); use --engine torch",
        ),
        (["linear", "--engine", "jax"], "--engine: expected one of torch, numpy, got 'jax'"),
        (["linear", "--every", "0"], "--every: expected a whole number >= 1, got 0"),
    ]:
        result = cli.invoke(app, [*args, "--out", str(tmp_path / "x")])
        assert result.exit_code == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1


# Big-N plotting ------------------------------------------------------------------------


def test_decimation_keeps_every_peak_and_trough() -> None:
    n = 1_000_003
    schedule = lrplot.resolve("cosine_with_restarts", n, 1.0, {"warmup": 0.01, "num_cycles": 50})
    curve = vector.run(schedule)
    x, y = figure_model.decimate(curve.steps, curve.lrs[0])
    assert len(x) <= 2 * figure_model.DECIMATE_BINS + 2 < n
    assert (x[0], y[0], x[-1], y[-1]) == (curve.steps[0], curve.lr[0], curve.steps[-1], curve.lr[-1])
    assert np.all(np.diff(x) >= 0)
    # Each of the 50 restarts peaks at 1 and falls to near 0 just before the next:
    # every cycle's maximum and minimum are among the kept points.
    cycle = (n - schedule.warmup) / 50
    for k in range(50):
        lo, hi = schedule.warmup + math.ceil(k * cycle), schedule.warmup + math.ceil((k + 1) * cycle)
        kept = (x >= lo) & (x < hi)
        assert y[kept].max() == curve.lr[lo:hi].max() and y[kept].min() == curve.lr[lo:hi].min()


def test_decimation_keeps_the_extremes_of_each_run_of_points() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=100_000)
    x = np.arange(len(y))
    dx, dy = figure_model.decimate(x, y, bins=100)
    width = 1000
    for start in range(0, len(y), width):
        kept = dy[(dx >= start) & (dx < start + width)]
        assert kept.max() == y[start : start + width].max() and kept.min() == y[start : start + width].min()
    small = y[:50]
    assert figure_model.decimate(x[:50], small, bins=100)[1] is small  # small curves are drawn whole


def _pixels(fig) -> np.ndarray:
    buffer = io.BytesIO()
    plot.save(fig, buffer, "png")
    buffer.seek(0)
    import matplotlib.image

    return matplotlib.image.imread(buffer, format="png")


def test_decimated_plot_looks_like_the_full_plot(monkeypatch) -> None:
    curve = lrplot.curve("cosine_with_restarts", 300_000, warmup=0.05, num_cycles=7, engine="numpy")
    decimated = _pixels(plot.render(figure_model.single(curve)))
    monkeypatch.setattr(figure_model, "decimate", lambda x, y, bins=0: (x, y))
    full = _pixels(plot.render(figure_model.single(curve)))
    differ = np.any(np.abs(decimated - full) > 0.25, axis=-1).mean()
    assert decimated.shape == full.shape and differ < 0.002, differ


# The progress bar ----------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_when_not_a_terminal() -> None:
    with progress_bar(io.StringIO()) as report:
        assert report is None


def test_progress_shows_only_after_a_second() -> None:
    now = [0.0]
    stream = FakeTerminal()
    with progress_bar(stream, delay=1.0, clock=lambda: now[0]) as report:
        assert report is not None
        report(65536, 1_000_000)
        assert stream.getvalue() == ""  # a short run shows nothing
        now[0] = 1.5
        report(131072, 1_000_000)
        report(1_000_000, 1_000_000)
    assert "stepping the scheduler" in stream.getvalue()


def test_runner_reports_progress() -> None:
    calls = []
    runner.run(lrplot.resolve("linear", 200_000), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(65536, 200_000), (131072, 200_000), (196608, 200_000), (200_000, 200_000)]
