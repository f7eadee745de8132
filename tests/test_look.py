"""The figure's look: --figsize, --dpi, --font-size, --log-x, --xlim and the presets, from the CLI,
figure sets and the API; and the model's drawing of per-step values (steps, restarts, thinning)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from matplotlib.text import Text
from typer.testing import CliRunner

import lrplot
from lrplot import configs, figure_model, plot
from lrplot.cli.app import app
from lrplot.errors import ParameterError
from lrplot.look import PRESETS, Look, choose, parse_xlim

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    return result.output.strip()


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])  # the IHDR chunk
    return width, height


def test_figsize_and_dpi_size_the_png(tmp_path: Path) -> None:
    invoke("cosine", "--steps", "50", "--figsize", "5,3", "--dpi", "100", "--out", str(tmp_path))
    assert png_size(tmp_path / "cosine.png") == (500, 300)
    invoke("cosine", "--steps", "50", "--figsize", "4x2", "--out", str(tmp_path / "x"))
    assert png_size(tmp_path / "x" / "cosine.png") == (600, 300)  # 150 dpi by default


def test_the_readme_preset_is_sharp_and_the_paper_preset_prints(tmp_path: Path) -> None:
    invoke("cosine", "--steps", "50", "--preset", "readme", "--out", str(tmp_path / "readme"))
    assert png_size(tmp_path / "readme" / "cosine.png") == (2100, 1200)
    assert sorted(p.name for p in (tmp_path / "readme").iterdir()) == ["cosine.csv", "cosine.png"]
    invoke("cosine", "--steps", "50", "--preset", "paper", "--out", str(tmp_path / "paper"))
    assert sorted(p.name for p in (tmp_path / "paper").iterdir()) == ["cosine.pdf", "cosine.png"]  # PDF + PNG
    assert png_size(tmp_path / "paper" / "cosine.png") == (1020, 720)  # 3.4 x 2.4 inches at 300 dpi
    pdf = (tmp_path / "paper" / "cosine.pdf").read_bytes()
    assert b"/Type3" not in pdf and b"/FontFile2" in pdf  # TrueType, embedded
    invoke("cosine", "--steps", "50", "--preset", "paper", "--format", "svg", "--dpi", "200", "--out", str(tmp_path))
    assert (tmp_path / "cosine.svg").exists()  # --format wins over the preset's formats


def test_the_paper_preset_sets_every_text_to_8_points() -> None:
    trace = lrplot.curve("cosine_with_restarts", steps=200, warmup=20, num_cycles=2, lr=[1.0, 0.5])
    model = figure_model.single(trace, look=choose("paper"))
    assert model.figsize == (3.4, 2.4) and model.font_size == 8 and model.dpi == 300
    fig = plot.render(model)
    fig.canvas.draw()
    sizes = {t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()}
    assert sizes == {8.0}, sizes


def test_options_over_a_preset() -> None:
    assert choose("paper", figsize="5,3") == Look((5.0, 3.0), 300, 8.0)
    assert choose("readme", dpi=100, log_x=True, xlim="10:20") == Look((7.0, 4.0), 100, None, True, (10.0, 20.0))
    assert set(PRESETS) == {"readme", "paper"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--dpi", "5"), "--dpi: expected a number of dots per inch from 10 to 1200, got 5"),
        (("--figsize", "7"), "--figsize: expected WIDTH,HEIGHT in inches (e.g. 7,4), got '7'"),
        (("--figsize", "0,4"), "--figsize: expected a number of inches from 1 to 50, got 0.0"),
        (("--xlim", "10:5"), "--xlim: expected FIRST < LAST, got 10:5"),
        (("--xlim", "a:b"), "--xlim: expected FIRST:LAST steps (e.g. 1000:2000), got 'a:b'"),
        (("--xlim", "5000:6000"), "--xlim: 5000:6000 holds no step of the run, which has 0..49"),
        (("--preset", "poster"), "--preset: expected one of readme, paper, got 'poster'"),
        (("--dpi", "1200", "--figsize", "40,40"), "--dpi: a 40 x 40 inch figure at 1200 dpi is 2304 megapixels"),
        (("--font-size", "0"), "--font-size: expected a number of points from 1 to 100, got 0.0"),
    ],
)
def test_a_bad_look_is_one_line_and_writes_nothing(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = refused("cosine", "--steps", "50", *args, "--out", str(tmp_path))
    assert out.startswith(f"Error: {message}"), out
    assert not any(tmp_path.iterdir())


def test_dpi_without_a_png_is_a_warning(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cosine", "--steps", "50", "--dpi", "300", "--format", "csv", "--out", str(tmp_path)])
    assert result.exit_code == 0 and "warning: --dpi: only a PNG has dots per inch; ignored" in result.output


def test_xlim_cuts_the_curves_before_thinning() -> None:
    trace = lrplot.curve("cosine_with_restarts", steps=1_000_000, warmup=1000, num_cycles=200, engine="numpy")
    whole = figure_model.single(trace).panels[0]
    (full,) = [a for a in whole.artists if isinstance(a, figure_model.Line)]
    assert full.thinned_from == 1_000_000
    zoom = figure_model.single(trace, look=Look(xlim=parse_xlim("100000:102000"))).panels[0]
    (line,) = [a for a in zoom.artists if isinstance(a, figure_model.Line)]
    assert line.thinned_from is None and np.asarray(line.x).tolist() == list(range(100_000, 102_001))
    assert np.array_equal(np.asarray(line.y), trace.lr[100_000:102_001])  # every step of the zoom, exactly
    assert zoom.x_range == (100_000.0, 102_000.0)
    assert not [a for a in zoom.artists if isinstance(a, figure_model.VLine | figure_model.Note)]  # warmup is outside


def test_log_x_keeps_the_first_steps() -> None:
    trace = lrplot.curve("cosine", steps=100_000, engine="numpy")
    model = figure_model.single(trace, look=Look(log_x=True))
    (line,) = [a for a in model.panels[0].artists if isinstance(a, figure_model.Line)]
    assert np.asarray(line.x)[:100].tolist() == list(range(100))  # each decade thinned on its own
    assert len(np.asarray(line.x)) < 10_000
    assert plot.render(model).axes[0].get_xscale() == "log"


def test_a_figure_set_takes_the_look_keys_and_render_overrides_them(tmp_path: Path) -> None:
    config = tmp_path / "set.toml"
    config.write_text(
        'out = "figs"\n[[figure]]\nname = "a"\ndpi = 100\nfigsize = [5, 3]\nlog_x = true\nxlim = [10, 40]\n'
        'font_size = 9\ncurve = [{ schedule = "cosine" }]\n'
        '[[figure]]\nname = "b"\npreset = "paper"\nsteps = 50\ncurve = [{ schedule = "linear" }]\n'
    )
    a, b = configs.load(config).figures
    assert a.look == Look((5.0, 3.0), 100, 9.0, True, (10.0, 40.0)) and a.figsize == (5.0, 3.0)
    assert b.look == PRESETS["paper"].look
    invoke("render", str(config))
    assert png_size(tmp_path / "figs" / "a.png") == (500, 300)
    invoke("render", str(config), "--preset", "readme", "--only", "b", "--out", str(tmp_path / "r"))
    assert png_size(tmp_path / "r" / "b.png") == (2100, 1200)  # the command line's look over the figure's
    invoke("render", str(config), "--preset", "paper", "--only", "a", "--out", str(tmp_path / "p"))
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["a.pdf", "a.png"]
    assert png_size(tmp_path / "p" / "a.png") == (1020, 720)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("dpi", "5", "key 'dpi': expected a number of dots per inch from 10 to 1200, got 5"),
        ("xlim", "[1]", "key 'xlim': expected [first, last] steps, got [1]"),
        ("preset", '"big"', "key 'preset': expected one of readme, paper, got 'big'"),
        ("log_x", '"yes"', "key 'log_x'"),
    ],
)
def test_a_bad_look_key_names_it(tmp_path: Path, key: str, value: str, message: str) -> None:
    config = tmp_path / "set.toml"
    config.write_text(f'[[figure]]\nname = "a"\n{key} = {value}\ncurve = [{{ schedule = "cosine" }}]\n')
    with pytest.raises(lrplot.ConfigError, match=message.replace("[", r"\[")):
        configs.load(config)


def test_the_api_takes_a_look(tmp_path: Path) -> None:
    trace = lrplot.curve("linear", steps=30)
    lrplot.write_curve(trace, tmp_path, ["png"], look=Look(figsize=(3.0, 2.0), dpi=50))
    assert png_size(tmp_path / "linear.png") == (150, 100)
    with pytest.raises(ParameterError, match="figsize"):
        Look(figsize=(100.0, 1.0))


# How per-step values are drawn ----------------------------------------------------------------


def test_a_piecewise_constant_curve_draws_as_steps_and_a_restart_breaks_the_line() -> None:
    step = lrplot.curve("step_lr", steps=100, step_size=30)
    (line,) = [a for a in figure_model.single(step).panels[0].artists if isinstance(a, figure_model.Line)]
    assert line.steps and not line.breaks
    restarts = lrplot.curve("cosine_with_restarts", steps=300, num_cycles=3)
    panel = figure_model.single(restarts).panels[0]
    (line,) = [a for a in panel.artists if isinstance(a, figure_model.Line)]
    assert not line.steps and list(line.breaks) == [100, 200] and panel.restarts == (100.0, 200.0)
    drawn = [ln for ln in plot.render(figure_model.single(restarts)).axes[0].lines if ln.get_label() == line.label]
    assert np.isnan(drawn[0].get_ydata()).sum() == 2  # no vertical line drawn at a restart


def test_a_one_step_spike_is_not_a_restart() -> None:
    y = np.full(100, 0.5)
    y[40] = 1.0
    assert figure_model.shape_of(y) == (True, [])  # constant around it: steps, unbroken
    smooth = np.cos(np.linspace(0, 3, 100))
    smooth[40] += 1.0
    assert figure_model.shape_of(smooth) == (False, [])


def test_warmup_stable_decay_marks_its_decay_start() -> None:
    trace = lrplot.curve("warmup_stable_decay", steps=1000, warmup=100, decay_steps=300)
    notes = [a.text for a in figure_model.single(trace).panels[0].artists if isinstance(a, figure_model.Note)]
    assert notes == [" warmup end (100)", " decay start (700)"]


def test_the_caption_gives_peak_lowest_and_final() -> None:
    trace = lrplot.curve("cyclic_lr", steps=300, max_lr=2.0, step_size_up=100)
    assert figure_model.single(trace).caption == (
        f"peak 2 at step 100 · lowest 1 at step 200 · final {trace.lr[-1]:.6g} at step 299"
    )
    dense = lrplot.curve("cosine_with_restarts", steps=100_000, num_cycles=300, engine="numpy")
    caption = figure_model.single(dense).caption
    assert caption is not None and "300 cycles: denser than the figure can show" in caption.replace("\n", " ")


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (950, "950"), (1500, "1.5k"), (20_000, "20k"), (999_999, "1M"), (1_000_000, "1M"), (2.5e9, "2.5G")],
)
def test_engineering_step_labels(value: float, text: str) -> None:
    assert figure_model.engineering(value) == text


def test_wrap_breaks_between_parameters_and_fits() -> None:
    text = "one_cycle_lr (T 1000, pct_start 0.3, anneal_strategy cos, div_factor 25, final_div_factor 10000)"
    lines = figure_model.wrap(text, 4.0, 12).split("\n")
    assert len(lines) > 1 and any("final_div_factor 10000" in line for line in lines)  # a parameter stays whole
    assert all(len(line) <= (4 * 72 - 16) / (figure_model.CHAR_EM * 12) for line in lines)
    assert figure_model.wrap("x" * 200, 2.0, 12).count("\n") > 3  # a word wider than the figure is cut


def test_the_caption_names_a_floor_the_parameters_set() -> None:
    relative = lrplot.curve("cosine_with_min_lr", steps=100, lr=[2.0], warmup=10, min_lr_rate=0.1)
    assert figure_model.single(relative).caption.endswith("· floor 0.2 (min_lr_rate 0.1)")  # type: ignore[union-attr]
    absolute = lrplot.curve("cosine_annealing_lr", steps=100, lr=[2.0], eta_min=0.05)
    assert figure_model.single(absolute).caption.endswith("· floor 0.05 (eta_min 0.05)")  # type: ignore[union-attr]
    none = lrplot.curve("cosine", steps=100)
    assert "floor" not in (figure_model.single(none).caption or "")


# Found by review: a caption over a legend, a cramped legend, zooms that hold too little --------


EIGHT = (
    "cosine", "linear", "polynomial:power=3", "constant_with_warmup", "inverse_sqrt",
    "cosine_with_restarts:num_cycles=3", "warmup_stable_decay:decay_steps=0.2", "cosine_with_min_lr:min_lr_rate=0.1",
)  # fmt: skip


def test_a_caption_heads_the_legend_rather_than_overprinting_it() -> None:
    trace = lrplot.curve("cosine", steps=200, warmup=20, lr=[1.0, 0.5])
    fig = plot.render(figure_model.single(trace))
    (legend,) = fig.legends
    assert legend.get_title().get_text().startswith("group 0: peak 1 at step 20")
    assert fig._supxlabel is None  # type: ignore[attr-defined]  # the caption's slot when there is no legend


def test_a_tall_legend_adds_height_and_keeps_the_panel(tmp_path: Path) -> None:
    invoke("compare", *EIGHT, "--warmup", "100", "--steps", "300", "--preset", "paper", "--format", "png",
           "--out", str(tmp_path))  # fmt: skip
    width, height = png_size(tmp_path / "compare.png")
    assert width == 1020 and height > 720  # 3.4 inches wide, as asked; taller, for the 8 entries
    model = lrplot.api.compare(EIGHT, 300, shared={"warmup": 100}, look=choose("paper")).figure()
    fig = plot.render(model)
    fig.canvas.draw()
    assert fig.axes[0].get_window_extent().height > 0.3 * 2.4 * fig.dpi  # the panel keeps room for the curves


def test_warmup_end_is_labelled_above_the_axes() -> None:
    fig = plot.render(figure_model.single(lrplot.curve("cosine", steps=100, warmup=10)))
    (top,) = fig.axes[0].child_axes
    assert [t.get_text() for t in top.get_xticklabels()] == ["warmup end (10)"]


def test_more_than_eight_curves_warn_that_styles_repeat(tmp_path: Path) -> None:
    curves = [f"cosine:num_cycles={i}" for i in range(1, 10)]
    result = runner.invoke(app, ["compare", *curves, "--steps", "50", "--format", "png", "--out", str(tmp_path)])
    assert result.exit_code == 0 and "warning: 9 lines: colours and dash patterns repeat after 8" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--xlim", "99:200"), "--xlim: 99:200 holds only step 99 of the run, which has 0..99; give two or more"),
        (("--log-x", "--xlim", "0:0.5"), "--xlim: 0:0.5 holds only step 0"),
        (("--log-x", "--steps", "1"), "--log-x: a log step axis shows steps above 0"),
    ],
)
def test_a_zoom_that_holds_too_little_is_refused(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = refused("cosine", "--steps", "100", *args, "--out", str(tmp_path))
    assert out.startswith(f"Error: {message}"), out
    assert not any(tmp_path.iterdir())


def test_trainer_zooms_like_the_schedules(tmp_path: Path) -> None:
    out = refused("trainer", "--max-steps", "100", "--logging-steps", "10", "--xlim", "101:200", "--out", str(tmp_path))
    assert out.startswith("Error: --xlim: 101:200 holds no step of the run, which has 1..100") and not any(
        tmp_path.iterdir()
    )
    invoke("trainer", "--max-steps", "1000", "--lr-scheduler-type", "cosine", "--xlim", "100:400", "--format",
           "png", "--out", str(tmp_path))  # fmt: skip
    assert (tmp_path / "trainer.png").exists()


def test_linear_x_on_the_command_line_overrides_a_figures_log_x(tmp_path: Path) -> None:
    config = tmp_path / "set.toml"
    config.write_text('out = "f"\n[[figure]]\nname = "a"\nlog_x = true\ncurve = [{ schedule = "cosine" }]\n')
    (figure,) = configs.load(config).figures
    assert figure.look.log_x is True
    assert Look(log_x=False).over(figure.look).log_x is False
    (figure,) = configs.load(config, {"look": choose(log_x=False)}).figures
    assert figure.look.log_x is False


def test_look_options_without_a_figure_format_are_a_warning(tmp_path: Path) -> None:
    args = ["cosine", "--steps", "50", "--figsize", "5,3", "--log-x", "--format", "html", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and (tmp_path / "cosine.html").exists()
    assert "warning: --figsize: only PNG, SVG and PDF take it; ignored" in result.output
    assert "warning: --log-x: only PNG, SVG and PDF take it; ignored" in result.output
