"""--format html: one self-contained page whose points are the run's exact values.

What a browser makes of the page is tested in tests/test_browser.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

import lrplot
from lrplot import html
from lrplot.cli.app import app
from lrplot.figure_model import FigureModel, Line, Panel

# The only addresses in the page: a comment in uPlot and the SVG namespace, neither fetched.
HARMLESS_ADDRESSES = {"https://github.com/leeoniya/uPlot", "http://www.w3.org/2000/svg"}


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def page_data(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="lrplot-data">(.*?)</script>', text, re.S)
    assert block is not None
    data: dict[str, object] = json.loads(block.group(1))
    return data


def series(path: Path, panel: int = 0) -> list[dict[str, list[float]]]:
    panels = page_data(path)["panels"]
    assert isinstance(panels, list)
    found: list[dict[str, list[float]]] = panels[panel]["series"]
    return found


def test_the_page_fetches_nothing(tmp_path: Path) -> None:
    run("cosine", "--steps", "300", "--format", "html", "--out", str(tmp_path))
    text = (tmp_path / "cosine.html").read_text(encoding="utf-8")
    assert set(re.findall(r"https?://[\w./-]*", text)) <= HARMLESS_ADDRESSES
    assert not re.search(r"<(script|img|iframe|link)[^>]*\s(src|href)=\"(?!data:)", text)
    assert "@import" not in text and "url(" not in text
    assert "uPlot" in text and "window.lrplot" in text  # the library and lrplot's script, inline


def test_every_point_is_the_csv_value_at_its_step(tmp_path: Path) -> None:
    run("cosine", "--steps", "3000", "--warmup", "300", "--format", "html,csv", "--out", str(tmp_path))
    _, header, columns = lrplot.read_csv(tmp_path / "cosine.csv")
    (line,) = series(tmp_path / "cosine.html")
    assert header == ["step", "lr"]
    assert line["x"] == columns[0] and line["y"] == columns[1]  # 3000 points: every one, exactly


def test_a_10m_step_curve_is_decimated_to_real_points_with_its_extremes(tmp_path: Path) -> None:
    expr = "1 if s == 7777777 else (0 if s == 2222222 else 0.5 + s / 1e8)"
    run("lambda_lr", expr, "--steps", "10000000", "--engine", "numpy", "--format", "html", "--out", str(tmp_path))
    page = tmp_path / "lambda_lr.html"
    assert page.stat().st_size <= 5_000_000
    (line,) = series(page)
    x, y = np.array(line["x"], dtype=np.int64), np.array(line["y"])
    assert 1000 < len(x) < 10_000 and np.all(np.diff(x) > 0)
    expected = np.where(x == 7777777, 1.0, np.where(x == 2222222, 0.0, 0.5 + x / 1e8))
    assert np.array_equal(y, expected)  # each kept point is the run's value at its step
    assert 7777777 in x and 2222222 in x and x[0] == 0 and x[-1] == 9999999


def test_a_3_curve_compare_of_3000_steps_fits_the_budget(tmp_path: Path) -> None:
    run("compare", "cosine", "linear", "polynomial:power=3", "--steps", "3000", "--warmup", "300",
        "--format", "html,csv", "--out", str(tmp_path))  # fmt: skip
    page = tmp_path / "compare.html"
    assert page.stat().st_size <= 1_500_000
    _, header, columns = lrplot.read_csv(tmp_path / "compare.csv")
    lines = series(page)
    assert [s["label"] for s in lines] == header[1:]
    for i, line in enumerate(lines, start=1):
        assert line["x"] == columns[0] and line["y"] == columns[i]


def test_the_page_shows_the_commands_and_metadata(tmp_path: Path) -> None:
    run("cosine", "--steps", "300", "--warmup", "30", "--format", "html,csv", "--out", str(tmp_path))
    text = (tmp_path / "cosine.html").read_text(encoding="utf-8")
    metadata, _, _ = lrplot.read_csv(tmp_path / "cosine.csv")
    command = str(metadata["command"])
    assert command.startswith("lrplot cosine --steps 300")
    assert f"<pre>{command}</pre>" in text
    shown = re.search(r'<pre class="meta">(.*?)</pre>', text, re.S)
    assert shown is not None and json.loads(_unescape(shown.group(1))) == metadata
    assert "step = scheduler.last_epoch when get_last_lr() was read" in text


def test_momentum_gets_its_own_chart_with_the_same_steps(tmp_path: Path) -> None:
    run("one_cycle_lr", "--steps", "200", "--training-steps", "200", "--format", "html,csv", "--out", str(tmp_path))
    _, header, columns = lrplot.read_csv(tmp_path / "one_cycle_lr.csv")
    panels = page_data(tmp_path / "one_cycle_lr.html")["panels"]
    assert isinstance(panels, list) and [p["quantity"] for p in panels] == ["lr", "momentum"]
    assert panels[1]["series"][0]["y"] == columns[header.index("momentum")]


def test_user_text_is_text_not_markup(tmp_path: Path) -> None:
    label = "</script><script>alert(1)</script><!--"
    run("compare", f"cosine:label={label}", "linear", "--steps", "20", "--title", "<b>bold</b> & co",
        "--format", "html", "--out", str(tmp_path))  # fmt: skip
    text = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert "<script>alert" not in text and "<!--" not in text and "<b>bold" not in text
    assert "<title>&lt;b&gt;bold&lt;/b&gt; &amp; co</title>" in text
    assert series(tmp_path / "compare.html")[0]["label"] == label  # the JSON reads back as written


def test_values_json_cannot_hold_travel_as_the_csv_text() -> None:
    model = FigureModel((Panel((Line([0, 1, 2, 3], [1.0, float("inf"), float("nan"), -float("inf")], "x"),)),))
    block = re.search(r'id="lrplot-data">(.*?)</script>', html.page(model, {}, ""), re.S)
    assert block is not None
    assert json.loads(block.group(1))["panels"][0]["series"][0]["y"] == [1.0, "inf", "nan", "-inf"]


def test_render_writes_a_gallery_of_every_figure(tmp_path: Path) -> None:
    config = _figure_set(tmp_path, ["a", "b"])
    out = tmp_path / "site"
    run("render", str(config), "--format", "html,png", "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["a.html", "a.png", "b.html", "b.png", "index.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)"', index) == ["data:,", "a.html", "b.html"]
    assert re.findall(r'<img src="([^"]+)"', index) == ["a.png", "b.png"]
    run("render", str(config), "--format", "html", "--only", "a", "--out", str(tmp_path / "one"))
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["a.html"]  # one figure: no gallery of it


def test_a_figure_called_index_is_refused_beside_the_gallery(tmp_path: Path) -> None:
    config = _figure_set(tmp_path, ["index"])
    result = CliRunner().invoke(app, ["render", str(config), "--format", "html", "--out", str(tmp_path / "site")])
    assert result.exit_code == 2
    assert "index.html is the gallery of the HTML pages: rename that figure" in result.stderr
    assert not (tmp_path / "site").exists()


def _figure_set(folder: Path, names: list[str]) -> Path:
    config = folder / "set.toml"
    figures = "".join(f'[[figure]]\nname = "{name}"\ncurve = [{{ schedule = "linear" }}]\n' for name in names)
    config.write_text(f'title = "Two"\nout = "figures"\n[defaults]\nsteps = 30\n{figures}')
    return config


def _unescape(text: str) -> str:
    import html as markup

    return markup.unescape(text)


def test_gallery_links_are_addresses_of_the_names(tmp_path: Path) -> None:
    config = _figure_set(tmp_path, ["a#b", "c%20d", "e?f"])
    out = tmp_path / "site"
    run("render", str(config), "--format", "html,png", "--out", str(out))
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', index)[1:]
    assert links == ["a%23b.html", "c%2520d.html", "e%3Ff.html"]
    assert all((out / _unquote(link)).is_file() for link in links)


def test_a_lone_momentum_is_named_and_a_thinned_curve_says_from_how_many(tmp_path: Path) -> None:
    run("one_cycle_lr", "--steps", "200", "--training-steps", "200", "--format", "html", "--out", str(tmp_path))
    panels = page_data(tmp_path / "one_cycle_lr.html")["panels"]
    assert isinstance(panels, list)
    assert [p["series"][0]["label"] for p in panels] == ["one_cycle_lr", "momentum"]
    assert panels[0]["series"][0]["of"] is None
    run("cosine", "--steps", "100000", "--engine", "numpy", "--format", "html", "--out", str(tmp_path))
    (line,) = series(tmp_path / "cosine.html")
    assert line["of"] == 100000 and line["run"] == 49  # 2048 runs of 49 steps


def test_a_resumed_figure_shows_only_the_command_that_makes_its_first_run(tmp_path: Path) -> None:
    run("render", "configs/article.toml", "--only", "fig10_cosine_resumed", "--format", "html", "--out", str(tmp_path))
    text = (tmp_path / "fig10_cosine_resumed.html").read_text(encoding="utf-8")
    assert text.count('<div class="command">') == 1


def _unquote(link: str) -> str:
    from urllib.parse import unquote

    return unquote(link)


def test_a_one_schedule_page_shows_the_figure_caption(tmp_path: Path) -> None:
    run("cosine", "--steps", "100", "--warmup", "10", "--format", "html", "--out", str(tmp_path))
    page = (tmp_path / "cosine.html").read_text()
    assert '<p class="caption">peak 1 at step 10 · final ' in page
