"""--format term: the chart in braille on standard output, checked by its text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrplot import terminal
from lrplot.cli.app import app
from lrplot.figure_model import FigureModel, Line, Panel

BRAILLE = range(0x2801, 0x2900)  # a cell with at least one dot


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def dotted(line: str) -> list[int]:
    """The columns of ``line`` that hold braille dots."""
    return [i for i, ch in enumerate(line) if ord(ch) in BRAILLE]


def layout(lines: list[str]) -> tuple[int, int, list[str]]:
    """(first plot column, plot width, plot rows) of one chart, found from its axis."""
    rows = [line for line in lines if "┤" in line or ("│" in line and line.lstrip().startswith("│"))]
    axis = next(line for line in lines if "└" in line)
    start = axis.index("└") + 1
    return start, len(axis) - start, rows


def column_of(step: float, first: float, last: float, start: int, width: int) -> int:
    """The documented mapping: step x lies in dot column round((x - first) / (last - first) * (2W - 1))."""
    return start + round((step - first) / (last - first) * (2 * width - 1)) // 2


def test_a_schedule_is_80_by_20_off_a_terminal_with_labelled_axes(tmp_path: Path) -> None:
    out = run("cosine", "--steps", "3000", "--warmup", "300", "--format", "term", "--out", str(tmp_path))
    lines = out.splitlines()
    assert not list(tmp_path.iterdir()), "term alone writes no file"
    chart, key = lines[:20], lines[20:]
    assert max(len(line) for line in lines) == 80
    assert chart[0] == "cosine (warmup 300, T 3000, num_cycles 0.5)"
    assert chart[-1] == "x: step (scheduler.last_epoch)   y: learning rate"
    start, width, rows = layout(chart)
    assert len(rows) == 16 and width == 80 - start
    assert rows[0].split()[0] == "1" and rows[-1].split()[0] == "0"  # the lr axis, from 0 to the peak
    ticks = chart[-2]
    assert ticks.split() == ["0", "500", "1k", "1.5k", "2k", "2.5k"]
    axis = next(line for line in chart if "└" in line)
    for label in ("1k", "2k"):
        centre = ticks.index(label) + len(label) // 2
        assert axis[centre] in "┬┼", (label, axis)
        assert abs(centre - column_of(float(label[0]) * 1000, 0, 2999, start, width)) <= 1
    warmup = column_of(300, 0, 2999, start, width)
    assert axis[warmup] == "┴" and any(row[warmup] == "┆" for row in rows)
    assert key == ["  ┆ warmup end (300)"]
    assert "\x1b[" not in out  # no colour off a terminal


def test_a_known_peak_and_trough_are_at_their_columns() -> None:
    # A one-step spike and dip: the curve's extremes, nowhere near any other point of it.
    expr = "1 if s == 1234 else (0 if s == 2500 else 0.5)"
    out = run("lambda_lr", expr, "--steps", "3000", "--engine", "numpy", "--format", "term")
    start, width, rows = layout(out.splitlines())
    assert dotted(rows[0]) == [column_of(1234, 0, 2999, start, width)]
    assert dotted(rows[-1]) == [column_of(2500, 0, 2999, start, width)]


def test_every_peak_and_trough_of_10m_steps_survives() -> None:
    expr = "1 if s == 7777777 else (0 if s == 2222222 else 0.5)"
    out = run("lambda_lr", expr, "--steps", "10000000", "--engine", "numpy", "--format", "term", "--width", "120")
    lines = out.splitlines()
    start, width, rows = layout(lines)
    assert max(len(line) for line in lines) == 120
    assert dotted(rows[0]) == [column_of(7777777, 0, 9999999, start, width)]
    assert dotted(rows[-1]) == [column_of(2222222, 0, 9999999, start, width)]
    assert lines[-2].split()[:3] == ["0", "2M", "4M"]  # engineering tick labels


def test_every_restart_peak_over_10m_steps_reaches_the_top() -> None:
    out = run("cosine_with_restarts", "--steps", "10000000", "--num-cycles", "7", "--engine", "numpy",
              "--format", "term", "--width", "100")  # fmt: skip
    start, width, rows = layout(out.splitlines())
    top = dotted(rows[0])
    runs = [c for i, c in enumerate(top) if i == 0 or top[i - 1] != c - 1]
    assert len(runs) == 7, rows[0]  # one run of dots at the top per cycle
    assert all(dotted(rows[-1])), "each cycle ends at the floor"


def test_width_and_height_size_the_chart() -> None:
    out = run("linear", "--steps", "500", "--format", "term", "--width", "120", "--height", "30")
    lines = out.splitlines()
    assert len(lines) == 30 and max(len(line) for line in lines) == 120
    assert len(layout(lines)[2]) == 26


def test_compare_has_a_legend_and_a_colour_per_curve() -> None:
    model = _compare_model()
    plain = terminal.draw(model, 80, 20, color=False)
    assert plain.splitlines()[-3:] == ["  ⣿⣿ cosine", "  ⣿⣿ linear", "  ┆ warmup end (30)"]
    coloured = terminal.draw(model, 80, 20, color=True)
    inks = {line.split("m", 1)[0] for line in coloured.splitlines()[-3:-1]}
    assert len(inks) == 2 and all("\x1b[38;5;" in ink for ink in inks)
    assert _strip(coloured) == plain


def test_compare_and_render_only_draw_on_stdout(tmp_path: Path) -> None:
    out = run("compare", "cosine", "linear", "--steps", "100", "--format", "term,csv", "--out", str(tmp_path))
    assert out.splitlines()[0] == "cosine vs linear (steps 100)"
    assert out.splitlines()[-1] == str(tmp_path / "compare.csv")  # the files after the chart
    assert [p.name for p in tmp_path.iterdir()] == ["compare.csv"]
    figures = tmp_path / "figures"
    out = run("render", "configs/gallery.toml", "--only", "schedule_linear", "--format", "term", "--out", str(figures))
    assert out.splitlines()[0].startswith("linear (warmup 100, T 1000")
    assert not figures.exists()


def test_a_whole_set_in_the_terminal_writes_no_file_and_no_page(tmp_path: Path) -> None:
    config = tmp_path / "set.toml"
    config.write_text(
        'out = "figures"\npage = "page.md"\n[defaults]\nsteps = 50\n'
        '[[figure]]\nname = "a"\ncurve = [{ schedule = "linear" }]\n'
        '[[figure]]\nname = "b"\ncurve = [{ schedule = "cosine" }, { schedule = "constant" }]\n'
    )
    out = run("render", str(config), "--format", "term")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set.toml"]
    headings = [line for line in out.splitlines() if line.startswith("== ")]
    assert headings == ["== a", "== b"]


def test_momentum_gets_its_own_panel() -> None:
    out = run("one_cycle_lr", "--steps", "200", "--training-steps", "200", "--format", "term")
    assert "y: learning rate" in out and "y: momentum" in out
    assert out.count("└") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--width", "3"], "Error: --width: expected a whole number of characters from 40 to 1000, got 3"),
        (["--height", "201"], "Error: --height: expected a whole number of characters from 8 to 200, got 201"),
        (["--width", "wide"], "--width"),
    ],
)
def test_a_bad_size_is_one_line_and_nothing_is_written(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["cosine", "--format", "term,csv", "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not list(tmp_path.iterdir())


def test_a_size_without_term_is_ignored_with_a_warning(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["cosine", "--steps", "5", "--format", "csv", "--out", str(tmp_path),
                                      "--width", "90"])  # fmt: skip
    assert result.exit_code == 0
    assert "warning: --width: only --format term draws to a size; ignored" in result.stderr


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # no-color.org: set and not empty
        (True, {"TERM": "dumb"}, False),
    ],
)
def test_colour_only_on_a_colour_terminal(
    monkeypatch: pytest.MonkeyPatch, tty: bool, env: dict[str, str], expected: bool
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert terminal.wants_color(_Stream(tty)) is expected


def test_off_a_terminal_the_size_is_80_by_20() -> None:
    assert terminal.screen_size(None, None, _Stream(False)) == (80, 20)
    assert terminal.screen_size(100, None, _Stream(False)) == (100, 20)


def test_a_constant_and_an_empty_panel_draw() -> None:
    constant = FigureModel((Panel((Line([0, 1, 2], [0.5, 0.5, 0.5]),), title="flat"),))
    text = terminal.draw(constant)
    _, _, rows = layout(text.splitlines())
    assert rows[0].split()[0] == "0.5" and rows[-1].split()[0] == "0"  # an lr axis from 0
    assert dotted(rows[0]) and not any(dotted(row) for row in rows[1:])
    assert "(nothing to draw)" in terminal.draw(FigureModel((Panel(title="none"),)))


def _compare_model() -> FigureModel:
    from lrplot import api
    from lrplot.options import RunOptions

    return api.compare(["cosine", "linear"], 100, shared={"warmup": 30}, options=RunOptions(engine="numpy")).figure()


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_the_api_gives_the_chart_the_cli_prints() -> None:
    import lrplot

    trace = lrplot.curve("linear", 300, warmup=30, engine="numpy")
    text = lrplot.terminal_chart(trace, width=90, height=15)
    assert text == run("linear", "--steps", "300", "--warmup", "30", "--engine", "numpy", "--format", "term",
                       "--width", "90", "--height", "15")  # fmt: skip


def test_wide_characters_count_two_columns() -> None:
    import unicodedata

    title = "学习率调度比较：余弦与线性两种常见的调度方式在三千步训练中的表现 and English words, warmup 300"
    out = run("compare", "cosine:label=" + "余弦" * 40, "linear", "--steps", "100", "--title", title,
              "--format", "term", "--width", "50")  # fmt: skip
    for line in out.splitlines():
        assert sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) <= 50, line
    lines = out.splitlines()
    heading = lines[: next(i for i, line in enumerate(lines) if "┤" in line)]
    assert len(heading) == 2 and "".join(heading).replace(" ", "") == title.replace(" ", "")  # wrapped, none lost
    assert lines[-2].startswith("  ⣿⣿ 余弦") and lines[-2].endswith("…")  # a legend entry is cut to the width


def test_one_step_two_steps_and_a_tiny_lr_draw() -> None:
    one = run("constant", "--steps", "1", "--format", "term").splitlines()
    assert one[0] == "constant" and sum(len(dotted(line)) for line in one) == 1
    two = run("cosine", "--steps", "2", "--format", "term").splitlines()
    assert two[-2].split() == ["0", "1"]  # whole steps only
    tiny = run("constant", "--lr", "5e-324", "--steps", "5", "--format", "term").splitlines()
    assert tiny[1].split()[0] == "4.94e-324"


def test_values_no_axis_can_span_are_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["lambda_lr", "--steps", "20", "--format", "term,png,csv", "--out", str(tmp_path),
                                      "--", "1e308 * (s - 5)"])  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: cannot draw lr: its values run from -1e+308 to 1e+308, a span beyond a float's range; "
        "the CSV and JSON hold them"
    )
    assert not list(tmp_path.iterdir())  # the PNG's matplotlib would fail the same way: nothing is written


@pytest.mark.parametrize("width", [40, 41, 57, 80])
def test_titles_fit_the_width_and_the_height_holds(width: int) -> None:
    out = run("cyclic_lr", "--base-lr", "0.1", "--max-lr", "1", "--step-size-up", "100", "--steps", "500",
              "--format", "term", "--width", str(width), "--height", "8")  # fmt: skip
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    assert len(lines) == 16 and len(layout(lines[:8])[2]) == 3  # lr and momentum, 8 lines each: the title gives way
    assert lines[1].endswith("…") or width == 80


def test_render_prints_headings_only_with_term(tmp_path: Path) -> None:
    out = run("render", "configs/article.toml", "--only", "fig02_constant", "--out", str(tmp_path))
    assert not [line for line in out.splitlines() if line.startswith("==")]
