"""--format html in a real browser: the page loads offline, draws every curve, reads out the CSV's
exact text, and its legend, log-y switch, zoom, pan and reset work (Debian's Chromium, via playwright)."""

from __future__ import annotations

import base64
import json
import math
import os
import random
import re
import shutil
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrplot.cli.app import app

try:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, ViewportSize, sync_playwright
except ImportError as e:
    MISSING = f"playwright cannot be imported ({e})"
else:
    MISSING = "" if shutil.which("chromium") else "no chromium on PATH"
if MISSING:
    if os.environ.get("LRPLOT_BROWSER_TESTS") == "required":
        pytest.fail(f"LRPLOT_BROWSER_TESTS=required, but {MISSING}", pytrace=False)
    pytest.skip(MISSING, allow_module_level=True)

cli = CliRunner()
# Debian's Chromium, offline: without the background-networking flags it tries connections this machine refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
VIEWPORT: ViewportSize = {"width": 1200, "height": 900}
READY = "window.lrplot && window.lrplot.ready"
HOSTILE = "</script><img src=x onerror=alert(1)>"
BOLD = '<b>bold</b> & "q"'
SCREENS = Path("/tmp/lrplot_screens")
PAGES = ["single", "compare", "cycle", "logy"]


@dataclass
class Built:
    html: Path
    csv: Path

    def columns(self) -> dict[str, dict[str, str]]:
        """The CSV's raw text: {column: {step: value text}}, read as lines split on commas."""
        lines = [line for line in self.csv.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        header = lines[0].split(",")
        rows = [line.split(",") for line in lines[1:]]
        assert all(len(row) == len(header) for row in rows), f"{self.csv}: a row is not {len(header)} fields"
        return {name: {row[0]: row[k] for row in rows} for k, name in enumerate(header) if k > 0}


@dataclass
class Visit:
    page: Page
    url: str
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self, allowed: tuple[str, ...] = ()) -> None:
        assert not self.errors, f"{self.url}: page errors {self.errors}"
        assert not self.console, f"{self.url}: console errors or warnings {self.console}"
        assert not self.dialogs, f"{self.url}: dialogs opened {self.dialogs}"
        others = [u for u in self.requests if u != self.url and not u.startswith("data:") and u not in allowed]
        assert not others, f"{self.url}: requested {others}"

    def evaluate(self, script: str, arg: object = None) -> object:
        return self.page.evaluate(script, arg)

    def point(self, chart: int, step: float) -> tuple[float, float]:
        """Where on the page (CSS px) a chart draws a step, at mid-height of its plot area."""
        seen = self.evaluate(
            "([i, v]) => { const u = window.lrplot.charts[i].u, r = u.over.getBoundingClientRect();"
            " return {x: u.valToPos(v, 'x'), box: [r.x, r.y, r.width, r.height]}; }",
            [chart, step],
        )
        assert isinstance(seen, dict), f"chart {chart}: {seen}"
        left, top, width, height = seen["box"]
        assert width > 100 and 0 <= seen["x"] <= width, f"chart {chart}: step {step} is at {seen}"
        return left + min(seen["x"], width - 0.5), top + height / 2  # the last step is on the right edge: inside it

    def hover(self, chart: int, step: float) -> None:
        self.page.mouse.move(*self.point(chart, step), steps=2)

    def readout(self, chart: int) -> tuple[str, list[str]]:
        shown = self.evaluate(
            "(i) => { const c = window.lrplot.charts[i];"
            " return [c.xValue.textContent, c.entries.map((e) => e.querySelector('.value').textContent)]; }",
            chart,
        )
        assert isinstance(shown, list)
        return shown[0], shown[1]

    def x_range(self, chart: int = 0) -> tuple[float, float]:
        seen = self.evaluate("(i) => { const s = window.lrplot.charts[i].u.scales.x; return [s.min, s.max]; }", chart)
        assert isinstance(seen, list), f"chart {chart}: x scale {seen}"
        return seen[0], seen[1]

    def drag(self, chart: int, start: float, end: float, shift: bool = False) -> None:
        """Press at step ``start``, move to step ``end`` in small moves, release (with shift held: pan)."""
        (x0, y), (x1, _) = self.point(chart, start), self.point(chart, end)
        mouse = self.page.mouse
        mouse.move(x0, y)
        if shift:
            self.page.keyboard.down("Shift")
        mouse.down()
        mouse.move(x1, y, steps=12)
        mouse.up()
        if shift:
            self.page.keyboard.up("Shift")


Opener = Callable[[Path], Visit]


def invoke(*args: str) -> None:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, f"lrplot {' '.join(args)}: exit {result.exit_code}\n{result.output}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def single(folder: Path) -> Built:
    invoke("cosine", "--steps", "300", "--warmup", "30", "--engine", "numpy", "--format", "html,csv",
           "--out", str(folder / "single"))  # fmt: skip
    return Built(folder / "single" / "cosine.html", folder / "single" / "cosine.csv")


@pytest.fixture(scope="module")
def compare(folder: Path) -> Built:
    invoke("compare", "cosine", "linear", "polynomial:power=3", "--steps", "300", "--warmup", "30",
           "--engine", "numpy", "--format", "html,csv", "--out", str(folder / "compare"))  # fmt: skip
    return Built(folder / "compare" / "compare.html", folder / "compare" / "compare.csv")


@pytest.fixture(scope="module")
def cycle(folder: Path) -> Built:  # one_cycle_lr is stepped by torch only: no --engine numpy
    invoke("one_cycle_lr", "--steps", "200", "--training-steps", "200", "--format", "html,csv",
           "--out", str(folder / "cycle"))  # fmt: skip
    return Built(folder / "cycle" / "one_cycle_lr.html", folder / "cycle" / "one_cycle_lr.csv")


@pytest.fixture(scope="module")
def logy(folder: Path) -> Built:
    invoke("cosine", "--steps", "300", "--warmup", "30", "--log-y", "--engine", "numpy", "--format", "html,csv",
           "--out", str(folder / "logy"))  # fmt: skip
    return Built(folder / "logy" / "cosine.html", folder / "logy" / "cosine.csv")


@pytest.fixture(scope="module")
def resumed(folder: Path) -> Built:
    """A splice: the first run's steps 0..199, a resumed run's 201..400 (its saved last_epoch is skipped)."""
    config = folder / "resumed.toml"
    config.write_text('[[figure]]\nname = "resumed"\nsteps = 200\nengine = "torch"\n'
                      'curve = [{ schedule = "cosine", warmup = 20, resume_steps = 200 }]\n')  # fmt: skip
    invoke("render", str(config), "--format", "html,csv", "--out", str(folder / "resumed"))
    return Built(folder / "resumed" / "resumed.html", folder / "resumed" / "resumed.csv")


@pytest.fixture(scope="module")
def hostile(folder: Path) -> Built:
    invoke("compare", f"cosine:label={HOSTILE}", f"linear:label={BOLD}", "--steps", "50", "--engine", "numpy",
           "--format", "html,csv", "--out", str(folder / "hostile"))  # fmt: skip
    return Built(folder / "hostile" / "compare.html", folder / "hostile" / "compare.csv")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Opener]:
    contexts: list[BrowserContext] = []

    def opener(path: Path) -> Visit:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5_000)  # a missing element fails in seconds, not playwright's 30
        visit = Visit(page, path.as_uri())

        def console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                visit.console.append(f"{message.type}: {message.text}")

        def dialog(opened: Dialog) -> None:
            visit.dialogs.append(f"{opened.type}: {opened.message}")
            opened.dismiss()

        page.on("console", console)
        page.on("pageerror", lambda e: visit.errors.append(str(e)))
        page.on("request", lambda r: visit.requests.append(r.url))
        page.on("dialog", dialog)
        page.goto(visit.url)  # waits for the load event: the inline scripts have run by then
        if path.name != "index.html":
            assert page.evaluate(READY), f"{visit.url}: window.lrplot is not ready; page errors {visit.errors}"
        return visit

    yield opener
    for context in contexts:
        context.close()


# Loading offline and quietly, and drawing every series ----------------------------------------

COUNT_PIXELS = """async ([png, box, colors, tolerance]) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(bitmap, 0, 0);
  const d = ctx.getImageData(box.left, box.top, box.width, box.height).data;
  const rgb = colors.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
  const counts = colors.map(() => 0);
  let ink = 0;
  for (let p = 0; p < d.length; p += 4) {
    if (d[p + 3] === 0 || (d[p] >= 230 && d[p + 1] >= 230 && d[p + 2] >= 230)) continue;
    ink++;
    rgb.forEach((c, k) => {
      if (Math.abs(d[p] - c[0]) + Math.abs(d[p + 1] - c[1]) + Math.abs(d[p + 2] - c[2]) <= tolerance) counts[k]++;
    });
  }
  return { ink, counts };
}"""


def ink(visit: Visit, chart: int, saved: Path) -> tuple[int, dict[str, int]]:
    """Pixels of a screenshot of a chart's canvas in its plot area: not white, and of each series' colour."""
    seen = visit.evaluate(
        "(i) => { const c = window.lrplot.charts[i]; return {box: c.u.bbox, ratio: devicePixelRatio,"
        " colors: c.panel.series.map((s) => s.color), labels: c.panel.series.map((s) => s.label || s.color)}; }",
        chart,
    )
    assert isinstance(seen, dict), f"chart {chart}: {seen}"
    png = visit.page.locator("figure .chart canvas").nth(chart).screenshot()
    saved.write_bytes(png)
    box = {k: round(v / seen["ratio"]) for k, v in seen["box"].items()}  # the screenshot is in CSS px
    found = visit.evaluate(COUNT_PIXELS, [base64.b64encode(png).decode(), box, seen["colors"], 60])
    assert isinstance(found, dict), f"chart {chart}: {found}"
    labels = [f"{label} {color}" for label, color in zip(seen["labels"], seen["colors"], strict=True)]
    return found["ink"], dict(zip(labels, found["counts"], strict=True))


@pytest.mark.parametrize("which", PAGES)
def test_page_loads_offline_and_draws_every_series(
    open_page: Opener, request: pytest.FixtureRequest, folder: Path, which: str
) -> None:
    built: Built = request.getfixturevalue(which)
    visit = open_page(built.html)
    panels = visit.evaluate("() => window.lrplot.charts.map((c) => c.panel.quantity)")
    expected = ["lr", "momentum"] if which == "cycle" else ["lr"]
    assert panels == expected, f"{which}: panels {panels}"
    distr = visit.evaluate("() => window.lrplot.charts.map((c) => c.u.scales.y.distr)")
    assert distr == [3 if which == "logy" else 1] + [1] * (len(expected) - 1), f"{which}: y distributions {distr}"
    assert visit.evaluate("() => document.getElementById('log-y').checked") == (which == "logy"), "the log-y box"
    assert visit.requests == [visit.url], f"{which}: requests {visit.requests}"
    visit.assert_clean()  # before the screenshots: a chart that threw while building has no canvas to take
    for chart in range(len(panels)):
        drawn, colors = ink(visit, chart, folder / f"canvas_{which}_{chart}.png")
        assert drawn > 200, f"{which} chart {chart}: {drawn} non-white pixels in the plot area"
        assert all(n > 100 for n in colors.values()), f"{which} chart {chart}: pixels of each series' colour {colors}"
    visit.assert_clean()


# The readout: the CSV's own text at the hovered step ------------------------------------------


def test_hover_shows_the_csv_text(open_page: Opener, single: Built) -> None:
    visit = open_page(single.html)
    column = single.columns()["lr"]
    for step in ("150", "30", "0", "299", "31"):  # 30: the warmup's end, where a mark is drawn
        visit.hover(0, int(step))
        assert visit.readout(0) == (step, [column[step]]), f"hovering step {step}: the CSV says {column[step]}"
    visit.assert_clean()


def test_hover_shows_each_compared_curve(open_page: Opener, compare: Built) -> None:
    visit = open_page(compare.html)
    columns = compare.columns()
    assert list(columns) == ["cosine", "linear", "polynomial (power=3)"], f"CSV columns {list(columns)}"
    for step in ("150", "30", "77", "250"):
        visit.hover(0, int(step))
        expected = [columns[name][step] for name in columns]
        assert visit.readout(0) == (step, expected), f"hovering step {step}: the CSV says {expected}"
    visit.assert_clean()


def test_hover_reads_out_lr_and_momentum_in_both_charts(open_page: Opener, cycle: Built) -> None:
    visit = open_page(cycle.html)
    columns = cycle.columns()
    for chart, step in ((0, "150"), (1, "60"), (1, "199"), (0, "1")):  # the cursor is synced: either shows both
        visit.hover(chart, int(step))
        assert visit.readout(0) == (step, [columns["lr"][step]]), f"lr chart, hovering chart {chart} at step {step}"
        assert visit.readout(1) == (step, [columns["momentum"][step]]), f"momentum chart, hovering chart {chart}"
    visit.assert_clean()


# pyRepr is Python's repr ----------------------------------------------------------------------


def repr_cases(extra: list[float]) -> list[float]:
    rng = random.Random(20240617)
    values = [0.0, -0.0, 1.0, -1.0, 1e16, 1e15, 9999999999999998.0, 1.5e16, 0.0001, 0.00001, 0.00012345,
              123456789.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 0.3, 2 / 3,
              1e-320, 1e300, 1e22, 1e21, 123.456, 0.000123, 100.0, 1e-05, 9.999999999999999e-05]  # fmt: skip
    values += [rng.choice((1, -1)) * rng.random() * 10.0 ** rng.randint(-320, 300) for _ in range(120)]
    while len(values) < 190:  # arbitrary bit patterns: subnormals and 17-digit values
        (v,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if math.isfinite(v):
            values.append(v)
    return values + extra


def test_py_repr_is_pythons_repr(open_page: Opener, single: Built, cycle: Built) -> None:
    visit = open_page(single.html)
    from_csv = [float(v) for built in (single, cycle) for column in built.columns().values() for v in column.values()]
    values = repr_cases(random.Random(7).sample(from_csv, 40))
    assert len(values) >= 200, f"{len(values)} values"
    shown = visit.evaluate("(text) => JSON.parse(text).map(window.lrplot.pyRepr)", json.dumps(values))
    assert isinstance(shown, list) and len(shown) == len(values), f"pyRepr gave {shown!r}"
    wrong = [(repr(v), s) for v, s in zip(values, shown, strict=True) if s != repr(v)]
    assert not wrong, f"pyRepr differs from repr on {len(wrong)} values (repr, pyRepr): {wrong[:10]}"


# Legend, log y, zoom, pan, reset --------------------------------------------------------------


def test_legend_click_hides_and_shows_a_curve(open_page: Opener, compare: Built, folder: Path) -> None:
    visit = open_page(compare.html)
    state = "() => { const c = window.lrplot.charts[0]; return [c.u.series[2].show, c.entries[1].className]; }"
    assert visit.evaluate(state) == [True, "entry"], "before any click"
    visit.page.locator("figure .legend button.entry").nth(1).click()
    assert visit.evaluate(state) == [False, "entry off"], "after one click on the second entry (linear)"
    shown = visit.evaluate("() => window.lrplot.charts[0].u.series.map((s) => s.show)")
    assert shown == [True, True, False, True], f"only linear is hidden: {shown}"
    _, colors = ink(visit, 0, folder / "canvas_compare_hidden.png")
    assert list(colors.values())[1] == 0, f"linear is no longer drawn: {colors}"
    visit.page.locator("figure .legend button.entry").nth(1).click()
    assert visit.evaluate(state) == [True, "entry"], "after a second click"
    _, colors = ink(visit, 0, folder / "canvas_compare_shown.png")
    assert min(colors.values()) > 100, f"linear is drawn again: {colors}"
    visit.assert_clean()


def test_log_y_switches_the_lr_axis_only(open_page: Opener, cycle: Built) -> None:
    visit = open_page(cycle.html)
    distr = "() => window.lrplot.charts.map((c) => c.u.scales.y.distr)"
    assert visit.evaluate(distr) == [1, 1], "a linear y axis first"
    visit.page.check("#log-y")
    assert visit.evaluate(distr) == [3, 1], "log y: the lr chart only"
    columns = cycle.columns()
    visit.hover(0, 150)  # the rebuilt chart still reads out, and still syncs the cursor
    assert visit.readout(0) == ("150", [columns["lr"]["150"]]), "log y, hovering step 150"
    assert visit.readout(1) == ("150", [columns["momentum"]["150"]]), "log y, the momentum chart"
    visit.page.uncheck("#log-y")
    assert visit.evaluate(distr) == [1, 1], "after unchecking"
    visit.assert_clean()


def test_log_y_keeps_zoom_and_hidden_curves(open_page: Opener, compare: Built) -> None:
    visit = open_page(compare.html)
    visit.drag(0, 50, 150)
    zoomed = visit.x_range()
    visit.page.locator("figure .legend button.entry").nth(1).click()
    visit.page.check("#log-y")
    assert visit.evaluate("() => window.lrplot.charts[0].u.scales.y.distr") == 3, "log y on"
    assert visit.x_range() == zoomed, f"log y kept the zoom {zoomed}: now {visit.x_range()}"
    shown = visit.evaluate("() => window.lrplot.charts[0].u.series.map((s) => s.show)")
    assert shown == [True, True, False, True], f"log y kept linear hidden: {shown}"
    visit.page.uncheck("#log-y")
    visit.assert_clean()


def assert_range(seen: tuple[float, float], lo: float, hi: float, what: str, slack: float = 1.5) -> None:
    assert abs(seen[0] - lo) <= slack and abs(seen[1] - hi) <= slack, f"{what}: x is {seen}, expected ~{lo}..{hi}"


def test_drag_zooms_and_reset_restores(open_page: Opener, single: Built) -> None:
    visit = open_page(single.html)
    assert visit.x_range() == (0, 299), f"the full range first: {visit.x_range()}"
    visit.drag(0, 50, 150)
    assert_range(visit.x_range(), 50, 150, "after dragging from step 50 to 150")
    visit.page.click("#reset")
    assert visit.x_range() == (0, 299), f"after Reset: {visit.x_range()}"
    visit.drag(0, 100, 200)
    visit.page.dblclick("figure .chart .u-over")
    assert_range(visit.x_range(), 0, 299, "after a double-click", slack=0)
    visit.assert_clean()


def test_shift_drag_pans(open_page: Opener, single: Built) -> None:
    visit = open_page(single.html)
    visit.drag(0, 50, 150)
    lo, hi = visit.x_range()
    visit.drag(0, 120, 90, shift=True)  # the data follow the pointer: 30 steps of the zoomed view to the left
    moved = visit.x_range()
    assert moved[0] > lo + 5, f"shift-drag moved x from {lo}..{hi} to {moved}"
    assert abs((moved[1] - moved[0]) - (hi - lo)) <= 0.01 * (hi - lo), f"pan kept the width: {lo}..{hi} -> {moved}"
    assert visit.evaluate("() => window.lrplot.charts[0].u.select.width") == 0, "a pan selects nothing"
    visit.assert_clean()


def test_zoom_and_reset_reach_every_chart(open_page: Opener, cycle: Built) -> None:
    visit = open_page(cycle.html)
    visit.drag(1, 40, 120)  # on the momentum chart
    assert_range(visit.x_range(1), 40, 120, "the dragged momentum chart")
    assert visit.x_range(0) == visit.x_range(1), f"the lr chart follows: {visit.x_range(0)} vs {visit.x_range(1)}"
    visit.page.click("#reset")
    assert [visit.x_range(0), visit.x_range(1)] == [(0, 199), (0, 199)], "after Reset"
    visit.assert_clean()


def test_wheel_zooms_around_the_pointer(open_page: Opener, single: Built) -> None:
    visit = open_page(single.html)
    visit.hover(0, 150)
    visit.page.mouse.wheel(0, -100)
    lo, hi = visit.x_range()
    assert hi - lo < 299 * 0.85, f"wheel up zooms in: {lo}..{hi}"
    assert abs((150 - lo) / (hi - lo) - 150 / 299) < 0.02, f"around step 150: {lo}..{hi}"
    visit.assert_clean()


def test_wheel_and_pan_stay_within_the_data(open_page: Opener, single: Built) -> None:
    visit = open_page(single.html)
    visit.hover(0, 150)
    for _ in range(30):
        visit.page.mouse.wheel(0, 100)  # out, far past all of it
    assert visit.x_range() == (0, 299), f"zoomed out to all of the data at most: {visit.x_range()}"
    visit.page.mouse.wheel(0, -300)
    lo, hi = visit.x_range()
    assert lo > 0, f"zoomed in around step 150: {lo}..{hi}"
    visit.drag(0, lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), shift=True)  # towards step 0, past it
    lo, hi = visit.x_range()
    assert lo == 0 and hi < 299, f"panned no further than the first step: {lo}..{hi}"
    visit.assert_clean()


def test_a_curve_with_no_step_at_the_cursor_reads_a_dash(open_page: Opener, resumed: Built) -> None:
    visit = open_page(resumed.html)
    visit.hover(0, 100)
    step, values = visit.readout(0)
    text = resumed.columns()["lr"]
    assert step == "100" and values == [text["100"], "-"], f"before the resume: {step} {values}"
    visit.hover(0, 300)
    step, values = visit.readout(0)
    assert values[0] == "-" and values[1] == text[step], f"after it: {step} {values}"
    visit.assert_clean()


def test_a_thinned_curve_says_so(open_page: Opener, folder: Path) -> None:
    invoke("cosine", "--steps", "100000", "--engine", "numpy", "--format", "html", "--out", str(folder / "long"))
    visit = open_page(folder / "long" / "cosine.html")
    note = visit.page.locator("figure .note:not([hidden])").text_content()
    assert note is not None and re.match(r"Drawn from 4,\d{3} of 100,000 steps: each run of 49 keeps", note), note
    visit.assert_clean()


def test_a_log_axis_with_nothing_above_zero_says_so(open_page: Opener, folder: Path) -> None:
    invoke("lambda_lr", "--steps", "20", "--engine", "numpy", "--format", "html", "--out", str(folder / "zero"), "--",
           "0")  # fmt: skip
    visit = open_page(folder / "zero" / "lambda_lr.html")
    note = visit.page.locator("figure .note").first
    assert note.is_hidden(), "linear: the zeros are drawn"
    visit.page.locator("#log-y").check()
    assert note.is_visible() and (note.text_content() or "").startswith("No value above 0"), note.text_content()
    visit.page.locator("#log-y").uncheck()
    assert note.is_hidden()
    visit.assert_clean()


# Hostile labels stay text ---------------------------------------------------------------------


def test_a_hostile_label_is_shown_as_text(open_page: Opener, hostile: Built) -> None:
    visit = open_page(hostile.html)
    visit.assert_clean()  # goto waited for the load event: an injected <img src=x> has failed and fired by then
    assert not [u for u in visit.requests if u.endswith("/x")], f"requests {visit.requests}"
    labels = visit.page.locator("figure .legend .label").all_text_contents()
    assert labels == [HOSTILE, BOLD], f"legend labels {labels}"
    made = visit.evaluate("() => [document.querySelectorAll('img').length, document.querySelectorAll('b').length]")
    assert made == [0, 1], f"[img, b] elements: {made}; the only <b> is the step readout"
    meta = visit.evaluate("() => document.querySelector('pre.meta').textContent")
    quoted = [json.dumps(label, ensure_ascii=False) for label in (HOSTILE, BOLD)]  # the metadata is JSON, as text
    assert isinstance(meta, str) and all(q in meta for q in quoted), f"the metadata shows {quoted}: {meta!r}"


# The gallery of a figure set ------------------------------------------------------------------

FIGURE_SET = """title = "Two <i>figures</i>"

[defaults]
steps = 100
lr = 1.0
warmup = 10
engine = "numpy"

[[figure]]
name = "fig_cosine"
title = "cosine & linear"
curve = [{ schedule = "cosine" }, { schedule = "linear" }]

[[figure]]
name = "fig_poly"
curve = [{ schedule = "polynomial", power = 2 }]
"""
NAMES = ["fig_cosine", "fig_poly"]


def test_render_writes_a_gallery_linking_each_figure(open_page: Opener, folder: Path) -> None:
    config, directory = folder / "set.toml", folder / "set"
    config.write_text(FIGURE_SET, encoding="utf-8")
    result = cli.invoke(app, ["render", str(config), "--format", "html,png", "--out", str(directory)])
    assert result.exit_code == 0, f"render: exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    visit = open_page(directory / "index.html")
    visit.assert_clean(allowed=tuple((directory / f"{name}.png").as_uri() for name in NAMES))
    links = visit.evaluate("() => Array.from(document.querySelectorAll('a[href]'), (a) => a.getAttribute('href'))")
    assert links == [f"{name}.html" for name in NAMES], f"gallery links {links}"
    assert all((directory / link).is_file() for link in links), f"{sorted(p.name for p in directory.iterdir())}"
    loaded = visit.evaluate("() => Array.from(document.images, (i) => i.complete && i.naturalWidth > 0)")
    assert loaded == [True, True], f"gallery images loaded: {loaded}"
    title = visit.evaluate("() => [document.querySelector('h1').textContent, document.querySelectorAll('i').length]")
    assert title == ["Two <i>figures</i>", 0], f"the set's title is text: {title}"
    visit.page.click("a[href='fig_poly.html']")
    visit.page.wait_for_function(READY)
    assert visit.page.url == (directory / "fig_poly.html").as_uri(), f"followed the link to {visit.page.url}"
    assert not visit.errors and not visit.console, f"after following: {visit.errors} {visit.console}"


# Screenshots for a person to look at ----------------------------------------------------------


def test_screenshots(open_page: Opener, folder: Path, single: Built, compare: Built) -> None:
    shots = []
    for name, built in (("single", single), ("compare", compare)):
        visit = open_page(built.html)
        visit.hover(0, 150)
        assert visit.readout(0)[0] == "150", f"{name}: the readout before the screenshot {visit.readout(0)}"
        path = folder / f"{name}.png"
        visit.page.screenshot(path=str(path), full_page=True)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is no PNG"
        shots.append(path)
        visit.assert_clean()
    if os.environ.get("LRPLOT_SCREENSHOTS"):
        SCREENS.mkdir(parents=True, exist_ok=True)
        shots = [Path(shutil.copy(path, SCREENS / path.name)) for path in shots]
    print("screenshots:", *shots)
