"""Measure lrplot's speed and memory goals against baselines, in one run.

    python benchmarks/run.py [--runs 5] [--markdown] [--only GROUP ...]

Every line times lrplot and its baseline alternately, ``--runs`` times each
(the order flips every round), and prints the medians, their ratio and the
target. Whole-process lines start a fresh Python each time; peak memory is the
child's own maximum resident set size, read by a fresh ``benchmarks/peak.py``.
This is run by hand, never by pytest: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


GROUPS = (
    "main_job", "start_up", "engines", "composed", "trainer", "memory_1m", "big_runs", "formula_10m", "refusals",
    "views", "render", "csv", "typer",
)  # fmt: skip


def lrplot_command() -> list[str]:
    script = Path(PYTHON).parent / "lrplot"
    return [str(script)] if script.exists() else [PYTHON, "-m", "lrplot"]


def process(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one whole process, measured by a fresh
    ``benchmarks/peak.py`` (see there why not from this process)."""
    measured = subprocess.run(
        [PYTHON, str(HERE / "peak.py"), *cmd], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )
    if measured.returncode != 0:
        raise SystemExit(f"benchmarks/peak.py failed: {measured.stderr}")
    result = json.loads(measured.stdout)
    if result["status"] != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{result['stderr']}")
    return result["seconds"], result["peak_mib"]


def alternate(runs: int, *jobs: Callable[[], object]) -> list[list[object]]:
    """Run the jobs in turn, ``runs`` rounds, flipping the order each round."""
    results: list[list[object]] = [[] for _ in jobs]
    for r in range(runs):
        order = list(range(len(jobs)))
        if r % 2:
            order.reverse()
        for i in order:
            results[i].append(jobs[i]())
    return results


def median(values: list[object], index: int | None = None) -> float:
    return statistics.median(v[index] if index is not None else v for v in values)  # type: ignore[index]


@dataclass
class Row:
    what: str
    lrplot: str
    baseline: str
    ratio: str
    target: str
    ok: bool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="alternating runs per measurement (at least 5)")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table for docs/benchmarks.md")
    parser.add_argument("--only", action="append", choices=GROUPS, help="run just these groups (repeatable)")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs: at least 5")
    lrplot = lrplot_command()
    rows: list[Row] = []
    out = Path(tempfile.mkdtemp(prefix="lrplot-bench-"))
    groups: dict[str, Callable[[], list[Row]]] = {
        "main_job": lambda: main_job(lrplot, out, args.runs),
        "start_up": lambda: start_up(lrplot, args.runs),
        "engines": lambda: engines_in_process(args.runs),
        "composed": lambda: composed_in_process(args.runs),
        "trainer": lambda: trainer_curve(lrplot, out, args.runs),
        "memory_1m": lambda: memory_1m(lrplot, out, args.runs),
        "big_runs": lambda: big_runs(lrplot, out, args.runs),
        "formula_10m": lambda: formula_10m(lrplot, out, args.runs),
        "refusals": lambda: refusals(args.runs),
        "views": lambda: views(lrplot, out, args.runs),
        "render": lambda: render_sets(out, args.runs),
        "csv": lambda: csv_rows(out, args.runs),
        "typer": lambda: typer_share(lrplot, out, args.runs),
    }
    try:
        for name in args.only or GROUPS:
            rows += groups[name]()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    report(rows, args.runs, args.markdown)
    if not all(row.ok for row in rows):
        sys.exit(1)


def main_job(lrplot: list[str], out: Path, runs: int) -> list[Row]:
    ours, theirs = alternate(
        runs,
        lambda: process([*lrplot, "cosine", "--warmup", "300", "--steps", "3000", "--out", str(out / "a")]),
        lambda: process([PYTHON, str(HERE / "article_way.py"), "--steps", "3000", "--out", str(out / "b")]),
    )
    a, b = median(ours, 0), median(theirs, 0)
    return [
        Row(
            "`lrplot cosine --warmup 300 --steps 3000` (torch engine, PNG + CSV) vs the article's way, whole process",
            f"{a:.2f} s",
            f"{b:.2f} s",
            f"{b / a:.2f}x faster",
            ">= 2x faster",
            b / a >= 2,
        )
    ]


def start_up(lrplot: list[str], runs: int) -> list[Row]:
    rows = []
    for words in (["--help"], ["list"]):
        ours, imports = alternate(
            runs,
            lambda words=words: process([*lrplot, *words]),
            lambda: process([PYTHON, "-c", "import torch, matplotlib.pyplot"]),
        )
        a, b = median(ours, 0), median(imports, 0)
        rows.append(
            Row(
                f"`lrplot {' '.join(words)}`, whole process (baseline: importing torch and matplotlib)",
                f"{a:.3f} s",
                f"{b:.3f} s",
                f"{b / a:.1f}x faster",
                "<= 0.3 s",
                a <= 0.3,
            )
        )
    return rows


def engines_in_process(runs: int) -> list[Row]:
    import lrplot
    from lrplot import runner, vector

    n = 1_000_000
    schedule = lrplot.resolve("cosine", n, 1.0, {"warmup": 300})
    bare_s, torch_s, numpy_s = alternate(
        runs, lambda: bare_loop(schedule), lambda: timed(lambda: runner.run(schedule)),
        lambda: timed(lambda: vector.run(schedule)),
    )  # fmt: skip
    b, t, v = median(bare_s), median(torch_s), median(numpy_s)
    return [
        added_per_step("torch runner at 1M steps: time added per step to the bare `LambdaLR.step()` loop", t, b, n),
        Row(
            "`--engine numpy` vs the torch runner at 1M steps, in-process",
            f"{v:.3f} s",
            f"{t:.2f} s",
            f"{t / v:.0f}x faster",
            ">= 25x faster",
            t / v >= 25,
        ),
    ]


def composed_in_process(runs: int) -> list[Row]:
    """A composition: SequentialLR of a LinearLR warmup and a CosineAnnealingLR, 1M steps."""
    import lrplot
    from lrplot import runner

    n = 1_000_000
    children = "(linear_lr:start_factor=0.01,total_iters=1000),(cosine_annealing_lr:training_steps=999000)"
    schedule = lrplot.resolve("sequential_lr", n, 1.0, {"schedulers": children, "milestones": 1000})
    bare_s, torch_s = alternate(runs, lambda: bare_loop(schedule), lambda: timed(lambda: runner.run(schedule)))
    what = "sequential_lr (linear_lr, then cosine_annealing_lr) at 1M steps: time added to the bare `step()` loop"
    return [added_per_step(what, median(torch_s), median(bare_s), n)]


def trainer_curve(lrplot: list[str], out: Path, runs: int) -> list[Row]:
    """``lrplot trainer`` for 100k updates vs the schedule command that draws the same values."""
    trainer = [
        "trainer", "--lr-scheduler-type", "cosine", "--warmup-steps", "0.1", "--learning-rate", "5e-5",
        "--num-train-epochs", "2", "--dataset-size", "1600000", "--per-device-train-batch-size", "32",
    ]  # fmt: skip  # 50,000 batches an epoch: 100,000 updates
    direct = ["cosine", "--steps", "100000", "--warmup", "10000", "--lr", "5e-5"]
    ours, theirs = alternate(
        runs,
        lambda: process([*lrplot, *trainer, "--out", str(out / "trainer")]),
        lambda: process([*lrplot, *direct, "--out", str(out / "direct")]),
    )
    a, b = median(ours, 0), median(theirs, 0)
    return [
        Row(
            "`lrplot trainer` (2 epochs of 50,000 updates, cosine, PNG + CSV) vs `lrplot cosine --steps 100000` "
            "with the same values, whole process",
            f"{a:.2f} s",
            f"{b:.2f} s",
            f"{a / b:.2f}x the direct command",
            "<= 1.5x",
            a / b <= 1.5,
        )
    ]


def bare_loop(schedule: object) -> float:
    """Seconds for ``steps - 1`` plain ``scheduler.step()`` calls on the same real scheduler."""
    import warnings

    from lrplot import runner

    _, scheduler = runner.build(schedule)  # type: ignore[arg-type]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(schedule.steps - 1):  # type: ignore[attr-defined]
            scheduler.step()
    return time.perf_counter() - start


def timed(engine: Callable[[], object]) -> float:
    start = time.perf_counter()
    engine()
    return time.perf_counter() - start


def added_per_step(what: str, total: float, bare: float, n: int) -> Row:
    added = (total - bare) / n * 1e6
    return Row(
        f"{what}, in-process",
        f"{total / n * 1e6:.2f} µs/step (+{added:.2f})",
        f"{bare / n * 1e6:.2f} µs/step",
        f"{total / bare:.2f}x the bare loop",
        "<= 4 µs/step added",
        added <= 4,
    )


def memory_1m(lrplot: list[str], out: Path, runs: int) -> list[Row]:
    ours, torch_only, nothing = alternate(
        runs,
        lambda: process([*lrplot, "cosine", "--warmup", "300", "--steps", "1000000", "--out", str(out / "m")]),
        lambda: process([PYTHON, "-c", "import torch"]),
        lambda: process([PYTHON, "-c", "pass"]),
    )
    a, b, floor = median(ours, 1), median(torch_only, 1), median(nothing, 1)
    return [
        Row(
            "peak memory of `python -c pass`: the floor of every peak measured here (benchmarks/peak.py)",
            f"{floor:.0f} MiB",
            "-",
            "-",
            "< 20 MiB",
            floor < 20,
        ),
        Row(
            "peak memory, `lrplot cosine --steps 1000000` (torch engine, PNG + CSV), whole process "
            "(baseline: importing torch)",
            f"{a:.0f} MiB",
            f"{b:.0f} MiB",
            f"+{a - b:.0f} MiB",
            "< 400 MiB",
            a < 400,
        ),
    ]


def big_runs(lrplot: list[str], out: Path, runs: int) -> list[Row]:
    n = "10000000"
    ours, naive = alternate(
        runs,
        lambda: process(
            [
                *lrplot,
                "cosine",
                "--warmup",
                "0.1",
                "--steps",
                n,
                "--engine",
                "numpy",
                "--format",
                "png",
                "--out",
                str(out / "big"),
            ]
        ),  # fmt: skip
        lambda: process([PYTHON, str(HERE / "naive_plot.py"), n, str(out / "naive")]),
    )
    draw_ours, draw_all = alternate(runs, lambda: draw(True), lambda: draw(False))
    a, b = median(ours, 0), median(naive, 0)
    ma, mb = median(ours, 1), median(naive, 1)
    d, f = median(draw_ours), median(draw_all)
    return [
        Row(
            "10M steps to a PNG, `--engine numpy`, whole process (baseline: the same values, every point plotted)",
            f"{a:.2f} s",
            f"{b:.2f} s",
            f"{b / a:.1f}x faster",
            "<= 2 s",
            a <= 2,
        ),
        Row("peak memory of that run", f"{ma:.0f} MiB", f"{mb:.0f} MiB", f"{mb / ma:.1f}x less", "< 600 MiB", ma < 600),
        Row(
            "drawing a 10M-step curve to PNG, decimated vs every point, in-process",
            f"{d:.2f} s",
            f"{f:.2f} s",
            f"{f / d:.1f}x faster",
            "<= 0.5 s",
            d <= 0.5,
        ),
    ]


# transformers' cosine (warmup 10%, one half-cosine), written as a lambda_lr formula.
COSINE_FORMULA = "s / W if s < W else max(0.0, 0.5 * (1.0 + cos(pi * 0.5 * 2.0 * ((s - W) / max(1, T - W)))))"


def formula_10m(lrplot: list[str], out: Path, runs: int) -> list[Row]:
    """``lambda_lr`` with the cosine written as a formula vs the built-in ``cosine``: 10M numpy steps to a PNG."""
    n = "10000000"
    common = ["--steps", n, "--engine", "numpy", "--format", "png", "--out", str(out / "formula")]
    formula = [*lrplot, "lambda_lr", COSINE_FORMULA, "--var", "W=1000000", "--var", f"T={n}", *common]
    builtin = [*lrplot, "cosine", "--warmup", "0.1", *common]
    ours, theirs = alternate(runs, lambda: process(formula), lambda: process(builtin))
    a, b = median(ours, 0), median(theirs, 0)
    what = "`lambda_lr` (the cosine as a formula) vs the built-in `cosine`: 10M numpy steps to a PNG, whole process"
    return [Row(what, f"{a:.2f} s", f"{b:.2f} s", f"{a / b:.2f}x the time", "<= 2x the time", a <= 2 * b)]


def views(lrplot: list[str], out: Path, runs: int) -> list[Row]:
    """What ``--format term`` adds to the main job, and a 10M-step curve's HTML page against its PNG."""
    main = [*lrplot, "cosine", "--warmup", "300", "--steps", "3000", "--out", str(out / "views")]
    with_term, without = alternate(
        runs, lambda: process([*main, "--format", "png,csv,term"]), lambda: process([*main, "--format", "png,csv"])
    )
    added = median(with_term, 0) - median(without, 0)
    big = [*lrplot, "cosine", "--warmup", "0.1", "--steps", "10000000", "--engine", "numpy", "--out", str(out / "big")]
    page, png = alternate(runs, lambda: process([*big, "--format", "html"]), lambda: process([*big, "--format", "png"]))
    a, b = median(page, 0), median(png, 0)
    size = (out / "big" / "cosine.html").stat().st_size / 1e6
    return [
        Row(
            "`--format term` added to the main job (png,csv vs png,csv,term), whole process",
            f"{median(with_term, 0):.2f} s",
            f"{median(without, 0):.2f} s",
            f"{added:+.2f} s",
            "<= +0.2 s",
            added <= 0.2,
        ),
        Row(
            f"10M numpy steps: `--format html` ({size:.2f} MB page) vs `--format png`, whole process",
            f"{a:.2f} s",
            f"{b:.2f} s",
            f"{a - b:+.2f} s",
            "<= +1 s, page <= 5 MB",
            a - b <= 1 and size <= 5,
        ),
    ]


def refusals(runs: int) -> list[Row]:
    """The slowest refusal of tests/injections.py's hostile formulas, against reading a plain one."""
    sys.path.insert(0, str(HERE.parent))
    import lrplot
    from lrplot.errors import ParameterError
    from tests.injections import INJECTIONS

    def slowest() -> float:
        worst = 0.0
        for text in INJECTIONS:
            start = time.perf_counter()
            try:
                lrplot.resolve("lambda_lr", 10, params={"expr": text})
            except ParameterError:
                pass
            worst = max(worst, time.perf_counter() - start)
        return worst

    def plain() -> float:
        start = time.perf_counter()
        lrplot.resolve("lambda_lr", 10, params={"expr": COSINE_FORMULA, "var": {"W": 1, "T": 9}})
        return time.perf_counter() - start

    worst, baseline = alternate(runs, slowest, plain)
    a, b = median(worst), median(baseline)
    what = (
        f"the slowest refusal of {len(INJECTIONS)} hostile formulas (baseline: reading the cosine formula), in-process"
    )
    return [Row(what, f"{a * 1000:.1f} ms", f"{b * 1000:.1f} ms", f"{a / b:.1f}x", "< 100 ms each", a < 0.1)]


def render_sets(out: Path, runs: int) -> list[Row]:
    """``lrplot render configs/*.toml`` and its ``--check``: this tree against the revision before issue 14."""
    from trees import BASELINE_REVISION, baseline_tree, copy_tree, env_for

    new, old = copy_tree(out / "tree_new"), baseline_tree(BASELINE_REVISION, out / "tree_old")
    configs = [f"configs/{p.name}" for p in sorted((new / "configs").glob("*.toml"))]
    render = [PYTHON, "-m", "lrplot", "render", *configs]

    envs = {new: env_for(new), old: env_for(old)}

    def both(ours: list[str], theirs: list[str]) -> tuple[float, float]:
        timed = alternate(
            runs,
            lambda: process([*render, *ours], cwd=new, env=envs[new]),
            lambda: process([*render, *theirs], cwd=old, env=envs[old]),
        )
        return median(timed[0], 0), median(timed[1], 0)

    a, b = both([], [])
    listed = subprocess.run(render, cwd=new, env=envs[new], capture_output=True, text=True, check=True).stdout
    written = [Path(line) for line in listed.splitlines()]  # render prints each path it wrote
    same = bool(written) and all((new / path).read_bytes() == (old / path).read_bytes() for path in written)
    c, d = both(["--check"], ["--check"])
    e, f = both(["--jobs", "1"], [])

    def after_imports(tree: Path, check: bool) -> float:
        done = subprocess.run(
            [PYTHON, "-c", AFTER_IMPORTS, "check" if check else "render", *configs],
            env=envs[tree], cwd=tree, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return float(done.stdout)

    timed = alternate(
        runs, lambda: after_imports(new, False), lambda: after_imports(old, False),
        lambda: after_imports(new, True), lambda: after_imports(old, True),
    )  # fmt: skip
    g, h, i, j = (median(t) for t in timed)
    cores = os.cpu_count()
    return [
        Row(
            f"`lrplot render configs/*.toml` ({cores} workers) vs {BASELINE_REVISION}, whole process; "
            f"all {len(written)} files the same: {'yes' if same else 'NO'}",
            f"{a:.2f} s",
            f"{b:.2f} s",
            f"{b / a:.2f}x faster",
            ">= 2x faster, the same files",
            b / a >= 2 and same,
        ),
        Row(
            f"`lrplot render configs/*.toml --check` vs {BASELINE_REVISION}, whole process",
            f"{c:.2f} s",
            f"{d:.2f} s",
            f"{d / c:.2f}x faster",
            ">= 2x faster",
            d / c >= 2,
        ),
        Row(
            f"the same two after the imports (torch, matplotlib), in-process: render vs {BASELINE_REVISION}",
            f"{g:.2f} s",
            f"{h:.2f} s",
            f"{h / g:.2f}x faster",
            "none: the share past the imports",
            True,
        ),
        Row(
            f"... and --check vs {BASELINE_REVISION}",
            f"{i:.2f} s",
            f"{j:.2f} s",
            f"{j / i:.2f}x faster",
            "none: the share past the imports",
            True,
        ),
        Row(
            f"`lrplot render configs/*.toml --jobs 1` (no workers) vs {BASELINE_REVISION}, whole process",
            f"{e:.2f} s",
            f"{f:.2f} s",
            f"{f / e:.2f}x faster",
            "none: the share that is not the workers'",
            True,
        ),
    ]


# Times render_sets or check_sets of the configs in argv[2:], in-process, once torch and matplotlib are imported.
AFTER_IMPORTS = """
import sys, time
import torch.optim.lr_scheduler, matplotlib.figure, matplotlib.backends.backend_agg
from lrplot import api
from lrplot.cli.commandline import CLI_SPELLING
start = time.perf_counter()
if sys.argv[1] == "check":
    api.check_sets(sys.argv[2:], spelling=CLI_SPELLING)
else:
    api.render_sets(sys.argv[2:], spelling=CLI_SPELLING)
print(time.perf_counter() - start)
"""


# Times formatting a 1M-row (step, lr) table in a fresh process, the output discarded: with
# ``table_writer`` (argv[1] "writer"), or this tree's one-core ``csv_rows`` chunk by chunk ("rows").
CSV_TIMING = """
import sys, time, numpy as np
from lrplot import writers
n = 1_000_000
columns = [np.arange(n), np.cos(np.arange(n) / n * 3.0) * 1e-3]
class Discard:
    def write(self, data): pass
    def writelines(self, lines): pass
start = time.perf_counter()
if sys.argv[1] == "writer":
    writers.table_writer({}, "", (["step", "lr"], columns))(Discard())
else:
    for at in range(0, n, writers.CSV_CHUNK):
        writers.csv_rows(columns, at, at + writers.CSV_CHUNK)
print(time.perf_counter() - start)
"""


def csv_rows(out: Path, runs: int) -> list[Row]:
    """CSV rows a second, against the revision before issue 14's writer: on one core, with
    the writer's workers, and a whole 1M-row run."""
    from trees import BASELINE_REVISION, baseline_tree, copy_tree, env_for

    new, old = copy_tree(out / "csv_new"), baseline_tree(BASELINE_REVISION, out / "csv_old")
    envs = {new: env_for(new), old: env_for(old)}

    def formatting(tree: Path, how: str) -> float:
        done = subprocess.run(
            [PYTHON, "-c", CSV_TIMING, how], env=envs[tree], cwd=tree, capture_output=True, text=True, check=True
        )
        return float(done.stdout)

    one_core, theirs, writer = alternate(
        runs, lambda: formatting(new, "rows"), lambda: formatting(old, "writer"), lambda: formatting(new, "writer")
    )
    a, b, w = median(one_core), median(theirs), median(writer)
    run = ["-m", "lrplot", "cosine", "--warmup", "0.1", "--steps", "1000000", "--engine", "numpy", "--format", "csv"]
    whole_new, whole_old = alternate(
        runs,
        lambda: process([PYTHON, *run, "--out", str(out / "csv_a")], cwd=new, env=envs[new]),
        lambda: process([PYTHON, *run, "--out", str(out / "csv_b")], cwd=old, env=envs[old]),
    )
    c, d = median(whole_new, 0), median(whole_old, 0)
    same = (out / "csv_a" / "cosine.csv").read_bytes() == (out / "csv_b" / "cosine.csv").read_bytes()
    return [
        Row(
            f"CSV rows formatted, 1M rows of (step, lr), one core (`csv_rows`), vs {BASELINE_REVISION}'s writer",
            f"{1 / a:.2f} M rows/s",
            f"{1 / b:.2f} M rows/s",
            f"{b / a:.2f}x faster",
            ">= 1.4x faster",
            b / a >= 1.4,
        ),
        Row(
            f"the same through `table_writer`, its chunks formatted by {os.cpu_count()} workers",
            f"{1 / w:.2f} M rows/s",
            f"{1 / b:.2f} M rows/s",
            f"{b / w:.2f}x faster",
            ">= 1.4x faster",
            b / w >= 1.4,
        ),
        Row(
            f"`lrplot cosine --steps 1000000 --engine numpy --format csv` vs {BASELINE_REVISION}, whole process; "
            f"the same bytes: {'yes' if same else 'NO'}",
            f"{c:.2f} s",
            f"{d:.2f} s",
            f"{d / c:.2f}x faster",
            "the same bytes",
            same,
        ),
    ]


# The main job through the Python API: what the CLI does, without Typer.
API_MAIN_JOB = """
import os, sys, lrplot
from lrplot import api, engines
from lrplot.figures import TraceDocument
engines.preload("torch", True)
api.write(TraceDocument(lrplot.curve("cosine", 3000, warmup=300)), sys.argv[1], ("png", "csv"))
os._exit(0)  # as the CLI ends: no interpreter teardown after torch
"""
TYPER_IMPORTS = """
import time
start = time.perf_counter()
import typer
imported = time.perf_counter()
import typer._adapters  # what Typer imports when it runs a command: pydantic
print(imported - start, time.perf_counter() - imported)
"""


def typer_share(lrplot: list[str], out: Path, runs: int) -> list[Row]:
    """Typer's share of the main job: the CLI against the same job through the API, and its imports."""
    cli, direct = alternate(
        runs,
        lambda: process([*lrplot, "cosine", "--warmup", "300", "--steps", "3000", "--out", str(out / "cli")]),
        lambda: process([PYTHON, "-c", API_MAIN_JOB, str(out / "api")]),
    )
    imports = [
        tuple(map(float, subprocess.run([PYTHON, "-c", TYPER_IMPORTS], capture_output=True, text=True).stdout.split()))
        for _ in range(runs)
    ]
    a, b = median(cli, 0), median(direct, 0)
    typer_s, adapters_s = median(imports, 0), median(imports, 1)  # type: ignore[arg-type]
    return [
        Row(
            "`lrplot cosine --warmup 300 --steps 3000` vs the same job through the Python API, whole process "
            f"(importing typer: {typer_s:.3f} s; its pydantic adapters, when a command runs: {adapters_s:.3f} s)",
            f"{a:.2f} s",
            f"{b:.2f} s",
            f"{a - b:+.2f} s: Typer's share",
            "none: measured",
            True,
        )
    ]


_BIG: list[object] = []


def draw(decimated: bool) -> float:
    import lrplot
    from lrplot import figure_model, plot, vector

    if not _BIG:
        _BIG.append(
            vector.run(lrplot.resolve("cosine_with_restarts", 10_000_000, 1.0, {"warmup": 0.05, "num_cycles": 5}))
        )
    curve = _BIG[0]
    keep = figure_model.decimate
    if not decimated:
        figure_model.decimate = lambda x, y, bins=0: (x, y)  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        plot.save(plot.render(figure_model.single(curve)), io.BytesIO(), "png")  # type: ignore[arg-type]
        return time.perf_counter() - start
    finally:
        figure_model.decimate = keep


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import matplotlib
    import numpy
    import torch

    import lrplot

    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}; Python {platform.python_version()}, "
        f"lrplot {lrplot.__version__}, torch {torch.__version__}, numpy {numpy.__version__}, "
        f"matplotlib {matplotlib.__version__}"
    )


def report(rows: list[Row], runs: int, markdown: bool) -> None:
    print(f"machine: {machine()}")
    print(f"medians of {runs} alternating runs each\n")
    header = ("measurement", "lrplot", "baseline", "ratio", "target", "met")
    table = [header] + [(r.what, r.lrplot, r.baseline, r.ratio, r.target, "yes" if r.ok else "NO") for r in rows]
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in table[1:]:
            print("| " + " | ".join(line) + " |")
        return
    widths = [min(60, max(len(line[i]) for line in table)) for i in range(len(header))]
    for line in table:
        print("  ".join(cell[: widths[i]].ljust(widths[i]) for i, cell in enumerate(line)))


if __name__ == "__main__":
    main()
