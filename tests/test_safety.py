"""Nothing lost, nothing escapes: confined figure sets, protected inputs, all-or-nothing runs."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrplot
from lrplot import configs, engines, figure_model, limits, plot
from lrplot.cli.app import app

runner = CliRunner()
FIGURE = '[[figure]]\nname = "{name}"\nsteps = 5\ncurve = [{{ schedule = "constant" }}]\n'


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def one_error(result, code: int = 2) -> str:
    """The single ``Error:`` line of a failed run."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder (it holds a pyproject.toml), with a configs folder."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "configs").mkdir()
    return tmp_path


def write_set(path: Path, head: str = "", names: tuple[str, ...] = ("a",)) -> Path:
    path.write_text(head + "".join(FIGURE.format(name=n) for n in names))
    return path


# A set never overwrites what it reads ---------------------------------------------


def test_a_page_naming_its_own_config_is_refused_and_the_config_kept(project: Path) -> None:
    config = write_set(project / "configs" / "set.toml", 'page = "set.toml"\n')
    before = config.read_bytes()
    assert "key 'page': expected a markdown file ending in .md" in one_error(invoke("render", config))
    assert config.read_bytes() == before and files_in(project) == ["configs/set.toml", "pyproject.toml"]


def test_no_output_may_replace_a_config_of_the_run(project: Path) -> None:
    config = write_set(project / "configs" / "set.md", 'page = "set.md"\n')  # a TOML file named .md
    before = config.read_bytes()
    assert "would replace the config" in one_error(invoke("render", config))
    assert config.read_bytes() == before


# Names are plain file stems ----------------------------------------------------------


@pytest.mark.parametrize("name", ["../escaped", "/tmp/abs", "", ".hidden", "a\\u0000b", "two\\nlines", ".."])
def test_a_figure_name_that_is_not_a_plain_stem_is_refused(project: Path, name: str) -> None:
    config = write_set(project / "configs" / "set.toml", names=(name,))
    message = one_error(invoke("render", config, "--out", project / "out"))
    assert "figure 1: key 'name': expected" in message and "\n" not in message
    assert files_in(project) == ["configs/set.toml", "pyproject.toml"]


@pytest.mark.parametrize("name", ["../x", "/tmp/x", "a/b", ".x", ""])
def test_compare_name_that_is_not_a_plain_stem_is_refused(tmp_path: Path, name: str) -> None:
    message = one_error(invoke("compare", "constant", "linear", "--steps", "5", "--name", name, "--out", tmp_path))
    assert message.startswith("Error: --name: expected")
    assert files_in(tmp_path.parent / tmp_path.name) == [] and not (tmp_path.parent / "x.png").exists()


def test_the_python_api_refuses_a_stem_with_a_folder(tmp_path: Path) -> None:
    trace = lrplot.curve("constant", 3)
    with pytest.raises(lrplot.ParameterError, match="^stem: "):
        lrplot.write_curve(trace, tmp_path, stem="../x")


# out and page stay inside the set's folder tree -------------------------------------


@pytest.mark.parametrize(
    ("head", "key"),
    [('out = "/tmp/lrplot-elsewhere"\n', "out"), ('out = "../../.."\n', "out"), ('page = "../../../x.md"\n', "page")],
)
def test_out_and_page_outside_the_project_are_refused(project: Path, head: str, key: str) -> None:
    config = write_set(project / "configs" / "set.toml", head)
    message = one_error(invoke("render", config))
    assert f"key '{key}':" in message and "is outside" in message and "(--allow-outside permits it)" in message
    assert files_in(project) == ["configs/set.toml", "pyproject.toml"] and not Path("/tmp/lrplot-elsewhere").exists()


def test_a_second_name_of_the_config_is_still_the_config(project: Path) -> None:
    config = write_set(project / "configs" / "set.toml", 'page = "alias.md"\n')
    os.link(config, project / "configs" / "alias.md")  # as a case-blind disk gives one file two names
    before = config.read_bytes()
    assert "alias.md would replace the config" in one_error(invoke("render", config))
    assert config.read_bytes() == before


def test_nothing_is_written_inside_git_s_own_folder(project: Path) -> None:
    (project / ".git").mkdir()
    config = write_set(project / "configs" / "set.toml", 'out = "../.git/figs"\n')
    assert "is inside .git, which is git's own" in one_error(invoke("render", config))
    assert not (project / ".git" / "figs").exists()


def test_a_marker_in_a_folder_others_may_write_in_does_not_widen_the_tree(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "me").mkdir(parents=True)
    (shared / "pyproject.toml").write_text("")  # planted by anyone who may write in shared/
    shared.chmod(0o1777)
    config = write_set(shared / "me" / "set.toml", 'out = "../figs"\n')
    assert configs.write_root(config) == shared / "me"
    assert "is outside" in one_error(invoke("render", config))


@pytest.mark.parametrize("key", ["out", "page"])
def test_out_and_page_may_not_hold_control_characters(project: Path, key: str) -> None:
    config = write_set(project / "configs" / "set.toml", f'{key} = "x\\ny.md"\n')
    assert f"key '{key}': expected a path without control characters, got 'x\\ny.md'" in one_error(
        invoke("render", config)
    )


def test_check_shows_no_header_of_a_csv_that_is_not_lrplots(project: Path) -> None:
    config = write_set(project / "configs" / "set.toml", 'out = "../figs"\n')
    (project / "figs").mkdir()
    (project / "figs" / "a.csv").write_text("password=hunter2,x\n1,2\n")
    result = invoke("render", config, "--check")
    assert result.exit_code == 1 and "a.csv has no lrplot metadata line; not compared" in result.stderr
    assert "hunter2" not in result.output


def test_a_compare_label_error_names_the_curve_and_its_label(tmp_path: Path) -> None:
    message = one_error(invoke("compare", "constant:label=" + "x" * 501, "--steps", "3", "--out", tmp_path))
    assert message.startswith("Error: curve 'constant:label=xxx") and "': label: expected at most 500" in message


def test_allow_outside_lifts_the_confinement(tmp_path: Path, project: Path) -> None:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    config = write_set(project / "configs" / "set.toml", f'out = "{elsewhere}"\n')
    try:
        result = invoke("render", config, "--allow-outside", "--format", "csv")
        assert result.exit_code == 0, result.output
        assert (elsewhere / "a.csv").exists()
    finally:
        for path in elsewhere.glob("*"):
            path.unlink()
        elsewhere.rmdir()


def test_a_set_outside_any_project_may_write_only_in_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    config = write_set(tmp_path / "sub" / "set.toml", 'out = "../figs"\n')
    assert "is outside" in one_error(invoke("render", config))
    write_set(config, 'out = "figs"\n')
    assert invoke("render", config, "--format", "csv").exit_code == 0
    assert files_in(tmp_path) == ["sub/figs/a.csv", "sub/figs/a.txt", "sub/set.toml"]


def test_an_out_folder_that_links_outside_is_refused(project: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (project / "figs").symlink_to(outside)
    config = write_set(project / "configs" / "set.toml", 'out = "../figs"\n')
    assert "key 'out':" in one_error(invoke("render", config))
    assert list(outside.iterdir()) == []


def test_the_out_option_may_be_anywhere(project: Path, tmp_path_factory) -> None:
    out = tmp_path_factory.mktemp("chosen")
    config = write_set(project / "configs" / "set.toml", 'out = "/nowhere"\n')
    assert invoke("render", config, "--out", out, "--format", "csv").exit_code == 0
    assert files_in(out) == ["a.csv", "a.txt"]


# render --check reads only inside the tree, and never echoes a file ---------------------


@pytest.mark.parametrize("committed", ["a.csv", "a.txt"])
def test_check_does_not_follow_a_committed_file_linked_outside(project: Path, tmp_path_factory, committed) -> None:
    secret = tmp_path_factory.mktemp("secret") / "key.txt"
    secret.write_text("# lrplot figure text\nTOP-SECRET-VALUE\n")
    config = write_set(project / "configs" / "set.toml", 'out = "../figs"\n')
    assert invoke("render", config, "--format", "csv").exit_code == 0
    (project / "figs" / committed).unlink()
    (project / "figs" / committed).symlink_to(secret)
    result = invoke("render", config, "--check")
    assert result.exit_code == 1 and "leads outside" in result.stderr and "not read" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "TOP-SECRET" not in result.output


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("step,lr\nroot:x:0:0:TOP-SECRET\n", "line 2: expected 2 numbers"),
        ("step,lr\n0,1.0\n1,1.0,7\n", "line 3: 3 values, but the header names 2 columns"),
        ("step,lr\n0\n", "line 2: 1 values, but the header names 2 columns"),
        ("# lrplot: {not json TOP-SECRET\nstep,lr\n", "line 1: the metadata is not valid JSON"),
    ],
)
def test_check_reports_a_malformed_csv_by_line_without_quoting_it(project: Path, content: str, reason: str) -> None:
    config = write_set(project / "configs" / "set.toml", 'out = "../figs"\n')
    (project / "figs").mkdir()
    (project / "figs" / "a.csv").write_text(content)
    result = invoke("render", config, "--check")
    assert result.exit_code == 1 and reason in result.stderr, result.output
    assert "TOP-SECRET" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("tolerance", ["nan", "-1", "inf", "-inf"])
def test_check_tolerance_must_be_finite_and_not_negative(tolerance: str) -> None:
    message = one_error(invoke("render", "configs/article.toml", "--check", "--tolerance", tolerance))
    assert message.startswith("Error: --tolerance: expected a finite number >= 0")


# All or nothing across figures and sets ---------------------------------------------------


def test_a_failing_set_leaves_every_earlier_sets_files_unchanged(project: Path) -> None:
    first = write_set(project / "configs" / "first.toml", 'out = "../figs"\n', names=("a", "b"))
    bad = project / "configs" / "second.toml"
    bad.write_text('out = "../figs"\n[[figure]]\nname = "c"\ncurve = [{ schedule = "linear", warmup = -1 }]\n')
    (project / "figs").mkdir()
    (project / "figs" / "a.csv").write_text("old\n")
    assert "warmup" in one_error(invoke("render", first, bad, "--format", "csv"))
    assert files_in(project / "figs") == ["a.csv"] and (project / "figs" / "a.csv").read_text() == "old\n"


def test_two_sets_writing_one_file_is_an_error(project: Path) -> None:
    first = write_set(project / "configs" / "first.toml", 'out = "../figs"\n')
    second = write_set(project / "configs" / "second.toml", 'out = "../figs"\n')
    assert "is written by another figure of this run too" in one_error(invoke("render", first, second))
    assert not (project / "figs").exists()


# Labels round-trip through the CSV ------------------------------------------------------------


def test_a_label_with_newline_comma_and_quotes_round_trips_and_checks(project: Path) -> None:
    label = 'warm, "up"\nand down'
    config = project / "configs" / "set.toml"
    config.write_text(
        'out = "../figs"\n[[figure]]\nname = "a"\nsteps = 5\n'
        f'curve = [{{ schedule = "constant", label = {json.dumps(label)} }}, {{ schedule = "linear" }}]\n'
    )  # a JSON string is a TOML basic string
    assert invoke("render", config, "--format", "csv").exit_code == 0
    _, header, _ = lrplot.read_csv(project / "figs" / "a.csv")
    assert header == ["step", label, "linear"]
    result = invoke("render", config, "--check")
    assert result.exit_code == 0, result.output


def test_written_files_are_readable_by_others_as_before(tmp_path: Path) -> None:
    assert invoke("constant", "--steps", "3", "--format", "csv", "--out", tmp_path).exit_code == 0
    assert os.stat(tmp_path / "constant.csv").st_mode & 0o644 == 0o644


# Hostile figure sets: one error line naming the key -----------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'title = "caf\xe9"\n', "not UTF-8 text (byte 13 is not)"),
        (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "not valid TOML"),
        (b'title = "a\\u0000b"\n' + FIGURE.format(name="a").encode(), "key 'title': expected text without control"),
        (FIGURE.format(name="a").encode() + b"figsize = [inf, 4]\n", "key 'figsize': expected a number of inches"),
        (FIGURE.format(name="a").encode() + b"figsize = [1000, 1000]\n", "from 1 to 50, got 1000"),
        (FIGURE.format(name="a").encode() + b"legend_fontsize = nan\n", "key 'legend_fontsize': expected a number"),
        (FIGURE.format(name="a").encode() + b"legend_fontsize = 1e6\n", "of points from 1 to 100, got 1000000.0"),
        (FIGURE.format(name="a").encode() + b'title = "' + b"x" * 600 + b'"\n', "expected at most 500 characters"),
        (b"# " + b"x" * (1 << 20) + b"\n", "larger than 1024 KiB, the most a figure set may be"),
        (FIGURE.format(name="a").replace('"constant"', '"one_cycle_lr", resume_steps = 0').encode(), "resume_steps"),
    ],
    ids=["latin-1", "deep", "nul", "inf-figsize", "huge-figsize", "nan-font", "huge-font", "long-title", "2mb",
         "resume-0"],
)  # fmt: skip
def test_hostile_figure_sets_get_one_error_line(tmp_path: Path, content: bytes, message: str) -> None:
    config = tmp_path / "set.toml"
    config.write_bytes(content)
    assert message in one_error(invoke("render", config, "--out", tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_a_config_that_is_a_pipe_or_a_folder_is_refused_without_reading(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.toml")  # opening it would wait for a writer forever
    assert one_error(invoke("render", tmp_path / "pipe.toml")).endswith("pipe.toml: not a file")
    assert one_error(invoke("render", tmp_path)).endswith(": not a file")


def test_resume_steps_errors_name_resume_steps(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "available_memory", lambda: 1 << 30)
    config = tmp_path / "set.toml"
    config.write_text(FIGURE.format(name="a").replace('"constant"', '"linear", resume_steps = 100000000000'))
    assert "curve 'linear': key 'resume_steps': 100000000000 steps need about" in one_error(invoke("render", config))


def test_one_cycle_resumes_in_a_figure_set(tmp_path: Path) -> None:
    config = tmp_path / "set.toml"
    config.write_text(
        '[[figure]]\nname = "a"\nsteps = 10\ncurve = [{ schedule = "one_cycle_lr", training_steps = 20, '
        "resume_steps = 5 }]\n"
    )
    result = invoke("render", config, "--format", "csv")
    assert result.exit_code == 0, result.output
    _, header, columns = lrplot.read_csv(tmp_path / "a.csv")
    assert header == ["step", "lr", "momentum", "run"] and columns[0][-5:] == [11, 12, 13, 14, 15]


# Sizes: refused before the run, with the largest value that fits ---------------------------------


def test_a_run_too_big_for_memory_is_refused_with_what_fits(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "available_memory", lambda: 2 << 30)
    fits = (2 << 30) // 32 - limits.BASE_BYTES // 32  # 2 arrays of 8 bytes a step, twice over
    message = one_error(invoke("cosine", "--steps", "100000000", "--out", tmp_path))
    assert message == (
        "Error: --steps: 100000000 steps need about 3.2 GB of memory and 2.15 GB is available: "
        f"at most {fits} steps fit"
    )
    message = one_error(invoke("cosine", "--steps", "10000000", "--format", "json", "--out", tmp_path))
    assert "; csv needs much less than json, and --every thins it" in message
    assert list(tmp_path.iterdir()) == []


def test_a_50_million_step_numpy_run_fits_in_4_gb(monkeypatch) -> None:
    monkeypatch.setattr(limits, "available_memory", lambda: 4 << 30)
    limits.check_run_size(50_000_000, 1, formats=("png", "csv"))  # measured: 1.0 GB (benchmarks/limits.py)


def test_compare_limits_curves_and_grid_panels(tmp_path: Path) -> None:
    curves = [f"constant:label=c{i}" for i in range(37)]
    assert "--grid: a grid draws at most 36 panels, got 37 curves" in one_error(
        invoke("compare", *curves, "--grid", "--steps", "3", "--out", tmp_path)
    )
    many = [f"constant:label=c{i}" for i in range(101)]
    assert "Error: expected 1 to 100 curves to compare, got 101" in one_error(
        invoke("compare", *many, "--steps", "3", "--out", tmp_path)
    )


def test_a_bad_format_is_refused_before_any_curve_is_computed(tmp_path: Path) -> None:
    message = one_error(invoke("compare", "cosine", "linear", "--steps", "999999999999", "--format", "gif"))
    assert message.startswith("Error: --format: expected one of")


# Text is drawn as written -----------------------------------------------------------------------


def test_mathtext_in_titles_and_labels_is_drawn_literally(tmp_path: Path) -> None:
    result = invoke(
        "compare", r"constant:label=$\frac$", "linear", "--title", r"$\frac{", "--steps", "5", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    fig = plot.render(figure_model.single(lrplot.curve("constant", 3), title=r"$\frac$ 50% $"))
    assert fig.axes[0].title.get_text() == r"$\frac$ 50% $" and not fig.axes[0].title.get_parse_math()


@pytest.mark.skipif(not plot.font_family(), reason="no CJK font installed (.ci/run installs one)")
def test_a_chinese_title_is_drawn_with_the_cjk_font(tmp_path: Path) -> None:
    result = invoke("constant", "--title", "学习率", "--steps", "5", "--format", "png", "--out", tmp_path)
    assert result.exit_code == 0 and result.stderr == "", result.output
    with warnings.catch_warnings(record=True) as caught:  # matplotlib warns of every glyph no font has
        warnings.simplefilter("always")
        fig = plot.render(figure_model.single(lrplot.curve("constant", 3), title="学习率"))
        plot.save(fig, io.BytesIO(), "png")
    assert [str(w.message) for w in caught] == []


def test_without_a_cjk_font_a_chinese_title_warns_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(plot, "font_family", lambda: ())
    result = invoke("constant", "--title", "学习率", "--steps", "5", "--format", "png,svg", "--out", tmp_path)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: no installed font can draw '学习率': they show as boxes; install a CJK font "
        "(Debian and Ubuntu: apt install fonts-noto-cjk)"
    ]


# Legal but suspicious: one warning in lrplot's words ----------------------------------------------


def test_an_lr_overflowing_to_infinity_warns_once_and_still_draws(tmp_path: Path) -> None:
    result = invoke("exponential_lr", "--gamma", "2", "--steps", "1100", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["warning: lr overflows to inf from step 1024 on (figures leave it out)"]


def test_nan_values_are_an_error_naming_the_step() -> None:
    import numpy as np

    trace = lrplot.curve("constant", 4)
    broken = dataclasses.replace(trace, tracks={("lr", 0): np.array([1.0, 1.0, np.nan, 1.0])})
    with pytest.raises(lrplot.UsageError, match=r"^constant: lr is not a number \(NaN\) from step 2 on$"):
        engines.non_finite(broken)


@pytest.mark.parametrize(
    ("args", "warning"),
    [
        (["cosine_annealing_lr", "--eta-min", "5"], "eta_min (5) is above the lr (1): the cosine rises to eta_min"),
        (["compare", "cosine:warmup=3,warmup=5", "linear"], "cosine:warmup=3,warmup=5': warmup is given twice"),
        (["compare", "constant", "linear", "--param", "num_cycles=2"], "--num-cycles: none of the curves takes it"),
    ],
)
def test_suspicious_input_warns_once_in_lrplots_words(tmp_path: Path, args: list[str], warning: str) -> None:
    result = invoke(*args, "--steps", "20", "--format", "csv", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and warning in lines[0], result.stderr


def test_a_figure_key_no_curve_takes_warns_unless_it_is_a_default_some_figure_uses(tmp_path: Path) -> None:
    config = tmp_path / "set.toml"
    config.write_text(
        "[defaults]\nwarmup = 2\n"
        + FIGURE.format(name="a")
        + FIGURE.format(name="b").replace('"constant"', '"linear"')
        + FIGURE.format(name="c") + "num_cycles = 2\n"
    )  # fmt: skip
    result = invoke("render", config, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {config}: figure 'c': key 'num_cycles': no curve of the figure takes it; ignored"
    ]


def test_an_error_echoing_a_huge_argument_keeps_its_start_and_its_reason(tmp_path: Path) -> None:
    curve = "cosine" + ":warmup=1" * 20000  # warmup's value is the rest: "1:warmup=1:..."
    message = one_error(invoke("compare", curve, "--steps", "3", "--out", tmp_path))
    assert len(message) < 1100 and message.startswith("Error: curve 'cosine': --warmup: expected a whole step count")
    assert "..." in message and message.endswith(":warmup=1'")  # its middle cut out


def test_a_log_axis_with_nothing_above_zero_warns_in_lrplots_words(tmp_path: Path) -> None:
    result = invoke("constant_with_warmup", "--warmup", "5", "--steps", "1", "--log-y", "--out", tmp_path)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        "warning: log y axis: no value is above 0, so it shows nothing; draw it linear"
    )


def test_the_memory_estimate_sees_a_ulimit(tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1500 << 20, resource.RLIM_INFINITY))

    result = subprocess.run(
        [sys.executable, "-m", "lrplot", "cosine", "--steps", "100000000", "--engine", "numpy", "--format", "csv",
         "--out", str(tmp_path)],
        capture_output=True, text=True, preexec_fn=limit, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and result.stderr.startswith("Error: --steps: 100000000 steps need about 3.2 GB")
    assert "at most" in result.stderr and list(tmp_path.iterdir()) == []


def test_running_out_of_memory_anyway_is_one_line(tmp_path: Path, monkeypatch) -> None:
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(engines, "run", exhausted)
    message = one_error(invoke("constant", "--steps", "3", "--out", tmp_path))
    assert message.startswith("Error: out of memory: ask for fewer --steps")


def test_render_shows_the_curves_warnings_located_in_the_file_and_figure(tmp_path: Path) -> None:
    config = tmp_path / "set.toml"
    config.write_text(FIGURE.format(name="a").replace('"constant"', '"linear", warmup = 50'))
    result = invoke("render", config, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {config}: figure 'a': curve 'linear': warmup (50) >= training steps (5): "
        "the schedule never gets past warmup"
    ]
    result = invoke("compare", "linear:warmup=50", "constant", "--steps", "5", "--format", "csv", "--out", tmp_path)
    assert result.stderr.splitlines() == [
        "warning: curve 'linear (warmup=50)': warmup (50) >= training steps (5): the schedule never gets past warmup"
    ]


def test_check_does_not_read_a_committed_csv_that_is_a_pipe(project: Path) -> None:
    config = write_set(project / "configs" / "set.toml", 'out = "../figs"\n')
    (project / "figs").mkdir()
    os.mkfifo(project / "figs" / "a.csv")
    result = invoke("render", config, "--check")
    assert result.exit_code == 1 and "a.csv is not a file; not read" in result.stderr
