"""Figure sets, render --check, the article's figures, and lrplot compare."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

import lrplot
from lrplot import api, configs, figures, plot
from lrplot.cli.app import app
from lrplot.cli.commandline import option_name
from lrplot.errors import ConfigError, CurveSyntaxError, ParameterError, UnknownScheduleError

from .oracles import assert_close, oracle_values, transformers_values

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "configs" / "article.toml"
GALLERY = ROOT / "configs" / "gallery.toml"
FIGURES = ROOT / "docs" / "figures"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


# The article's figures -------------------------------------------------------------

ARTICLE_TRANSFORMERS = {
    "fig02_constant": ("constant", {}),
    "fig03_constant_with_warmup": ("constant_with_warmup", {"warmup": 300}),
    "fig04_linear": ("linear", {"warmup": 300, "training_steps": 1000}),
    "fig05_polynomial": ("polynomial", {"warmup": 300, "training_steps": 1000, "lr_end": 1e-7, "power": 3}),
    "fig06_cosine": ("cosine", {"warmup": 300, "training_steps": 1000, "num_cycles": 2}),
    "fig07_cosine_with_restarts": ("cosine_with_restarts", {"warmup": 300, "training_steps": 1000, "num_cycles": 2}),
}


@pytest.mark.parametrize("name", ARTICLE_TRANSFORMERS)
def test_committed_article_figures_2_to_7_equal_transformers(name: str) -> None:
    schedule, params = ARTICLE_TRANSFORMERS[name]
    meta, header, columns = lrplot.read_csv(FIGURES / f"{name}.csv")
    assert columns[0] == list(range(1, 1001))  # last_epoch 1..1000: read after each step
    expected = transformers_values(schedule, params, [1.0], 1000, record="after")[0]
    assert_close(columns[1], expected, what=name)
    curve_meta = next(iter(meta["curves"].values()))
    assert curve_meta["optimizer"] == "adam" and curve_meta["record"] == "after"


def test_article_config_has_the_articles_look() -> None:
    article = configs.load(ARTICLE)
    assert [f.name[:5] for f in article.figures] == [f"fig{i:02d}" for i in range(1, 11)]
    for spec in article.figures:
        assert spec.figsize == (7.0, 4.0) and spec.legend_fontsize == 13 and spec.options.record == "after"
        assert spec.options.optimizer == "adam"


def test_figure_1_is_the_transformer_rule_by_hand() -> None:
    _, header, columns = lrplot.read_csv(FIGURES / "fig01_transformer.csv")
    assert header == ["step", "d_model=256, warmup=4000", "d_model=512, warmup=4000", "d_model=512, warmup=8000"]
    assert columns[0] == list(range(1, 20001))
    for column, d_model, warmup in zip(columns[1:], (256, 512, 512), (4000, 4000, 8000), strict=True):
        assert max(column) == pytest.approx((d_model * warmup) ** -0.5, rel=1e-15)
        assert column[warmup - 1] == max(column)  # row of last_epoch == warmup
        assert column[0] == pytest.approx(d_model**-0.5 * warmup**-1.5, rel=1e-15)


def test_figure_10_is_a_real_resume_that_skips_one_step() -> None:
    meta, header, (steps, lrs, runs) = lrplot.read_csv(FIGURES / "fig10_cosine_resumed.csv")
    assert header == ["step", "lr", "run"]
    first = [s for s, r in zip(steps, runs, strict=True) if r == 1]
    second = [s for s, r in zip(steps, runs, strict=True) if r == 2]
    assert first == list(range(1, 2815)) and second == list(range(2816, 5630))
    assert meta["resumed"]["skipped_last_epoch"] == 2815 and 2815 not in steps
    # The oracle: transformers, an optimizer with initial_lr, last_epoch=2814.
    from transformers import get_cosine_schedule_with_warmup

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([{"params": [param], "lr": 0.01, "initial_lr": 0.01}], lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = get_cosine_schedule_with_warmup(opt, 300, 2814, num_cycles=2, last_epoch=2814)
        expected = []
        for _ in range(2814):
            scheduler.step()
            expected.append(scheduler.get_last_lr()[0])
    assert_close(lrs[2814:], expected, what="resumed run")
    first_run = transformers_values(
        "cosine", {"warmup": 300, "training_steps": 2814, "num_cycles": 2}, [0.01], 2814, "after"
    )
    assert_close(lrs[:2814], first_run[0], what="first run")


# render and --check -------------------------------------------------------------------


def test_untouched_tree_passes_the_check() -> None:
    result = invoke("render", ARTICLE, GALLERY, "--check")
    assert result.exit_code == 0, result.output
    assert "figures match their committed CSVs and texts (tolerance 1e-09)" in result.stdout


def test_gallery_has_a_figure_for_every_schedule() -> None:
    gallery = configs.load(GALLERY)
    shown = {c.schedule for f in gallery.figures for c in f.curves}
    assert shown == {lrplot.REGISTRY.command_name(s) for s in lrplot.list_specs()}  # FAMILY.NAME when shadowed
    page = (ROOT / "docs" / "schedules.md").read_text()
    for spec in lrplot.list_specs():
        assert spec.formula in page and spec.description in page
        for p in spec.params:
            assert f"`{option_name(p.name)}`" in page


@pytest.fixture
def committed(tmp_path: Path) -> Path:
    copy = tmp_path / "figures"
    shutil.copytree(FIGURES, copy)
    return copy


def edit_value(path: Path, step: int, change) -> None:
    """Replace the value of ``step`` in a one-column CSV by ``change(value)``."""
    lines = path.read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(f"{step},"))
    lines[row] = f"{step},{change(float(lines[row].split(',')[1]))!r}"
    path.write_text("\n".join(lines) + "\n")


def test_editing_one_number_fails_the_check_and_names_the_figure(committed: Path) -> None:
    edit_value(committed / "fig05_polynomial.csv", 500, lambda v: v + 0.001)
    before = sorted(p.name for p in committed.iterdir())
    result = invoke("render", ARTICLE, "--check", "--out", committed)
    assert result.exit_code == 1
    drifts = [line for line in result.stderr.splitlines() if line.startswith("drift:")]
    assert drifts == ["drift: fig05_polynomial: values drifted: largest deviation 0.001 at step 500 (polynomial)"]
    assert sorted(p.name for p in committed.iterdir()) == before  # --check writes nothing


def test_tiny_differences_within_tolerance_pass(committed: Path) -> None:
    edit_value(committed / "fig06_cosine.csv", 500, lambda v: v * (1 + 1e-12))
    assert invoke("render", ARTICLE, "--check", "--out", committed, "--only", "fig06_cosine").exit_code == 0


def test_missing_or_reshaped_csv_is_a_drift(committed: Path) -> None:
    (committed / "fig02_constant.csv").unlink()
    path = committed / "fig03_constant_with_warmup.csv"
    path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n")
    result = invoke("render", ARTICLE, "--check", "--out", committed)
    assert result.exit_code == 1
    assert "drift: fig02_constant: no committed CSV at" in result.stderr
    assert "drift: fig03_constant_with_warmup: 999 rows are now 1000" in result.stderr


def test_stale_page_is_a_drift(tmp_path: Path) -> None:
    config = tmp_path / "configs" / "set.toml"
    config.parent.mkdir()
    (tmp_path / ".git").mkdir()  # a project: the set may write beside its configs folder
    config.write_text(
        'out = "../figs"\npage = "../docs/set.md"\n'
        '[[figure]]\nname = "a"\nsteps = 5\ncurve = [{ schedule = "constant" }]\n'
    )
    assert invoke("render", config).exit_code == 0
    assert invoke("render", config, "--check").exit_code == 0
    page = tmp_path / "docs" / "set.md"
    page.write_text(page.read_text() + "edited\n")
    result = invoke("render", config, "--check")
    assert result.exit_code == 1 and "the page differs" in result.stderr


def test_render_writes_png_csv_text_and_page_with_overrides(tmp_path: Path) -> None:
    result = invoke(
        "render", ARTICLE, "--only", "fig04_linear", "--steps", "50", "--record", "before", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(tmp_path / f"fig04_linear.{ext}") for ext in ("png", "csv", "txt")]
    _, _, columns = lrplot.read_csv(tmp_path / "fig04_linear.csv")
    assert columns[0] == list(range(50))  # the command line overrode steps and record
    assert (tmp_path / "fig04_linear.png").read_bytes().startswith(b"\x89PNG")


# Config errors: file, figure and key, one line, exit 2 ---------------------------------

ONE_FIGURE = "[[figure]]\nname='a'\ncurve=[{schedule='constant'}]"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("figure = 3", "key 'figure': expected one or more [[figure]] tables"),
        ("colour = 1\n[[figure]]\nname='a'\ncurve=[{schedule='constant'}]", "key 'colour': unknown key"),
        ("[[figure]]\ncurve=[{schedule='constant'}]", "figure 1: key 'name'"),
        ("[[figure]]\nname='a'\ncolour=1\ncurve=[{schedule='constant'}]", "figure 'a': key 'colour': unknown key"),
        (
            "[[figure]]\nname='a'\nsteps='many'\ncurve=[{schedule='constant'}]",
            "figure 'a': key 'steps': expected integer",
        ),
        (
            "[[figure]]\nname='a'\nlog_y=1\ncurve=[{schedule='constant'}]",
            "figure 'a': key 'log_y': expected true/false",
        ),
        ("[[figure]]\nname='a'\nfigsize=[7]\ncurve=[{schedule='constant'}]", "figure 'a': key 'figsize'"),
        ("[[figure]]\nname='a'", "figure 'a': key 'curve'"),
        ("[[figure]]\nname='a'\ncurve=[{warmup=3}]", "figure 'a': curve 1: key 'schedule': missing"),
        (
            "[[figure]]\nname='a'\ncurve=[{schedule='cosin'}]",
            "figure 'a': curve 1: key 'schedule': unknown schedule 'cosin'",
        ),
        (
            "[[figure]]\nname='a'\ncurve=[{schedule='cosine', power=2}]",
            "figure 'a': curve 1: key 'power': unknown key for cosine",
        ),
        (
            "[[figure]]\nname='a'\ncurve=[{schedule='polynomial', lr_end=2.0}]",
            "figure 'a': curve 'polynomial': key 'lr_end'",
        ),
        ("[[figure]]\nname='a'\nrecord='during'\ncurve=[{schedule='constant'}]", "figure 'a': key 'record'"),
        (
            "[[figure]]\nname='a'\ncurve=[{schedule='constant'}]\n[[figure]]\nname='a'\ncurve=[{schedule='constant'}]",
            "figure 'a': key 'name': two figures",
        ),
        ("[[figure]\n", "not valid TOML"),
        (f"reference = 'g.md'\n{ONE_FIGURE}", "key 'reference': only a set with a page links to it"),
        (
            f"page = 'p.md'\nreference = 'g.txt'\n{ONE_FIGURE}",
            "key 'reference': expected a markdown file ending in .md",
        ),
        (f"page = 'p.md'\nreference = './p.md'\n{ONE_FIGURE}", "key 'reference': the set's own page"),
        (f"page = 'p.md'\nreference = 3\n{ONE_FIGURE}", "key 'reference': expected a path"),
    ],
)
def test_config_errors_name_file_figure_and_key(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text)
    result = invoke("render", config, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {config}: ") and message in lines[0], lines
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_config_and_unknown_figure(tmp_path: Path) -> None:
    result = invoke("render", tmp_path / "nope.toml")
    assert result.exit_code == 2 and f"Error: {tmp_path / 'nope.toml'}: no such file" in result.stderr
    result = invoke("render", ARTICLE, "--only", "fig99", "--out", tmp_path)
    assert result.exit_code == 2 and "no figure named 'fig99' (figures: fig01_transformer," in result.stderr


def test_load_reports_config_errors_as_exceptions(tmp_path: Path) -> None:
    config = tmp_path / "x.toml"
    config.write_text("[[figure]]\nname='a'\ncurve=[{schedule='cosine', num_cycles='two'}]")
    with pytest.raises(ConfigError, match="figure 'a': curve 'cosine': key 'num_cycles'"):
        api.render_set(configs.load(config))


# lrplot compare ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "schedule", "params", "label", "lr"),
    [
        ("cosine", "cosine", {}, None, None),
        ("polynomial:power=3,lr_end=1e-7", "polynomial", {"power": 3, "lr_end": 1e-7}, None, None),
        ("cosine:num-cycles=2", "cosine", {"num_cycles": 2}, None, None),
        ("cosine: num_cycles = 1.5 , label = slow", "cosine", {"num_cycles": 1.5}, "slow", None),
        (
            "wsd:decay_steps=0.2,decay_type=1-sqrt",
            "warmup_stable_decay",
            {"decay_steps": 0.2, "decay_type": "1-sqrt"},
            None,
            None,
        ),
        ("cosine-with-restarts:lr=0.5", "cosine_with_restarts", {}, None, (0.5,)),
    ],
)
def test_parse_curve_forms(text, schedule, params, label, lr) -> None:
    spec = configs.parse_curve(text)
    assert (spec.schedule, dict(spec.params), spec.label, spec.lr) == (schedule, params, label, lr)


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("cosin", UnknownScheduleError, "curve 'cosin': unknown schedule 'cosin'; did you mean cosine"),
        ("polynomial:power", CurveSyntaxError, "curve 'polynomial:power': expected key=value, got 'power'"),
        ("polynomial:=3", CurveSyntaxError, "expected key=value"),
        ("polynomial:power=3,", CurveSyntaxError, "expected key=value, got ''"),
        ("cosine:power=3", ParameterError, "curve 'cosine:power=3': --power: cosine takes no such parameter"),
        ("cosine:lr=fast", ParameterError, "curve 'cosine:lr=fast': --lr: expected a number"),
    ],
)
def test_parse_curve_errors_name_the_curve(text: str, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        configs.parse_curve(text)
    assert message in info.value.message(option_name)  # as the CLI prints it


def test_compare_columns_equal_each_schedule(tmp_path: Path) -> None:
    args = ["compare", "cosine", "linear", "polynomial:power=3,lr_end=1e-7", "cosine:warmup=10,label=short warmup"]
    result = invoke(*args, "--warmup", "300", "--steps", "3000", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    meta, header, columns = lrplot.read_csv(tmp_path / "compare.csv")
    assert header == ["step", "cosine", "linear", "polynomial (power=3, lr_end=1e-07)", "short warmup"]
    assert columns[0] == list(range(3000))
    cases = [
        ("cosine", {"warmup": 300, "training_steps": 3000, "num_cycles": 0.5}),
        ("linear", {"warmup": 300, "training_steps": 3000}),
        ("polynomial", {"warmup": 300, "training_steps": 3000, "lr_end": 1e-7, "power": 3}),
        ("cosine", {"warmup": 10, "training_steps": 3000, "num_cycles": 0.5}),  # the curve's own warmup wins
    ]
    for column, (name, params) in zip(columns[1:], cases, strict=True):
        assert_close(column, transformers_values(name, params, [1.0], 3000)[0], what=name)
    assert meta["curves"]["short warmup"]["params"]["warmup"] == 10


def test_compare_shared_params_lr_and_torch_schedules(tmp_path: Path) -> None:
    result = invoke(
        "compare", "cosine", "step_lr:step_size=10", "constant:lr=0.5",
        "--param", "num_cycles=2", "--lr", "0.1", "--steps", "40", "--format", "csv", "--out", tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    _, header, columns = lrplot.read_csv(tmp_path / "compare.csv")
    assert header == ["step", "cosine", "step_lr (step_size=10)", "constant"]
    cosine = oracle_values("cosine", {"warmup": 0, "training_steps": 40, "num_cycles": 2}, [0.1], 40)[0]
    step = oracle_values("step_lr", {"step_size": 10, "gamma": 0.1}, [0.1], 40)[0]
    assert_close(columns[1], cosine, what="cosine")
    assert_close(columns[2], step, what="step_lr")
    assert columns[3] == [0.5] * 40


def test_compare_errors_name_the_curve_and_write_nothing(tmp_path: Path) -> None:
    for args, message in [
        (["cosine", "polynomial:lr_end=2"], "curve 'polynomial (lr_end=2)': --lr-end: expected a value below the lr"),
        (["cosine", "polynomial:power"], "curve 'polynomial:power': expected key=value"),
        (["cosine", "cosin"], "curve 'cosin': unknown schedule"),
        (["cosine", "--param", "gammma=2"], "--gammma: no schedule takes it (see 'lrplot list')"),
    ]:
        result = invoke("compare", *args, "--out", tmp_path)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.strip().splitlines() == [result.stderr.strip()] and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_compare_grid_draws_small_multiples_with_shared_axes() -> None:
    spec = figures.FigureSpec(
        "g",
        tuple(configs.parse_curve(t) for t in ("cosine", "linear", "constant", "wsd:decay_steps=3")),
        steps=20,
        grid=True,
    )
    fig = plot.render(figures.render(spec).figure())
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4
    assert all(ax.get_shared_x_axes().joined(visible[0], ax) for ax in visible)
    assert all(ax.get_shared_y_axes().joined(visible[0], ax) for ax in visible)
    assert [ax.get_title() for ax in visible] == ["cosine", "linear", "constant", "warmup_stable_decay (decay_steps=3)"]


def test_overlay_gives_each_curve_its_own_style() -> None:
    spec = figures.FigureSpec(
        "o",
        tuple(
            configs.parse_curve(t) for t in ("cosine", "linear", "constant", "cosine:num_cycles=2", "linear:warmup=3")
        ),
        steps=20,
    )
    fig = plot.render(figures.render(spec).figure())
    lines = [line for line in fig.axes[0].lines if line.get_label() and not line.get_label().startswith("_")]
    assert len({(line.get_color(), line.get_linestyle()) for line in lines}) == 5
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "cosine", "linear", "constant", "cosine (num_cycles=2)", "linear (warmup=3)",
    ]  # fmt: skip
