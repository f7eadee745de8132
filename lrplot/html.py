"""The HTML renderer of a figure model: one self-contained, interactive page.

The page inlines uPlot (``assets/uPlot.iife.min.js``, MIT, its licence in
``assets/uPlot.LICENSE``): 51 KB that draws thousands of points at once, where
Chart.js is 210 KB and bokeh or plotly inline 1.3-4.9 MB. lrplot's own script
(``assets/page.js``) adds the hover readout, legend, pan, reset and log-y switch.
Nothing is fetched: the page works offline from ``file://``. Each drawn point
is a real (step, value) pair of the run (the model's decimation keeps every
extreme), so the readout gives the CSV's values at the nearest kept step.
Everything a user wrote reaches the page as escaped text or as JSON set with
``textContent``, never as markup.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .figure_model import DECIMATE_BINS, X_LABELS, FigureModel, Line, Note, Panel, Points, VLine, colors
from .trace import QUANTITY_LABELS
from .version import __version__

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

ASSETS = Path(__file__).with_name("assets")
PIXELS_PER_POINT = 96 / 72  # the model's sizes are in points, as matplotlib's
# matplotlib's dash patterns, in multiples of the line width (lines.scale_dashes).
DASHES = {"-": (), "--": (3.7, 1.6), "-.": (6.4, 1.6, 1.0, 1.6), ":": (1.0, 1.65)}
HELP = "drag to zoom · shift-drag or wheel to pan and zoom · double-click or Reset to see all · click a legend entry"


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def page(model: FigureModel, metadata: Mapping[str, object], convention: str) -> str:
    """The page of one figure: its charts, then the commands that regenerate it and its metadata."""
    data = _model_data(model)
    title = model.suptitle or next((p.title for p in model.panels if p.visible and p.title), "lrplot")
    commands = "".join(
        f'<div class="command">{html.escape(label)}<pre>{html.escape(command)}</pre></div>'
        for label, command in _commands(metadata)
    )
    heading = f"<h1>{html.escape(model.suptitle)}</h1>" if model.suptitle else ""
    caption = f'<p class="caption">{html.escape(model.caption)}</p>' if model.caption else ""
    return f"""{_head(title, _asset("uPlot.min.css"))}
{heading}
<div class="toolbar"><button type="button" id="reset">Reset zoom</button>
<label><input type="checkbox" id="log-y"> log y</label><span>{html.escape(HELP)}</span></div>
<div id="charts"></div>
{caption}
<h2>Regenerate</h2>
{commands or "<p>(no command recorded)</p>"}
<h2>Step convention</h2>
<p>{html.escape(convention)}</p>
<details open><summary><h2>Metadata</h2></summary>
<pre class="meta">{html.escape(json.dumps(metadata, indent=1, ensure_ascii=False))}</pre></details>
<footer>Made by lrplot {html.escape(__version__)}. Charts: uPlot (MIT licence), inlined.</footer>
<script type="application/json" id="lrplot-data">{_script_json(data)}</script>
<script>{_asset("uPlot.iife.min.js")}</script>
<script>{_asset("page.js")}</script>
</body>
</html>
"""


def gallery(title: str, figures: Sequence[tuple[str, str, bool]]) -> str:
    """``index.html`` of a figure set: a card for each (name, title, has a PNG) linking ``NAME.html``."""
    cards = []
    for name, caption, has_png in figures:
        address = quote(name)  # a file name, not a URL: '#', '%' and '?' are the name's own
        link = html.escape(f"{address}.html", quote=True)
        image = f'<img src="{html.escape(address, quote=True)}.png" alt="">' if has_png else ""
        cards.append(
            f'<a href="{link}">{image}<div>{html.escape(caption)}</div><div class="name">{html.escape(name)}</div></a>'
        )
    return f"""{_head(title)}
<h1>{html.escape(title)}</h1>
<div class="gallery">
{chr(10).join(cards)}
</div>
<footer>Made by lrplot {html.escape(__version__)}.</footer>
</body>
</html>
"""


def _head(title: str, styles: str = "") -> str:
    """A page's start, to its ``<body>``: lrplot's styles after ``styles``; an empty icon, so
    the browser asks for no favicon."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{html.escape(" ".join(title.split()))}</title>
<style>{styles}
{_asset("page.css")}</style>
</head>
<body>"""


def _model_data(model: FigureModel) -> dict[str, object]:
    # A close-up panel (a resume splice's) is for fixed figures: the page zooms anywhere itself.
    shown = [p for p in model.panels if p.visible and not p.zoomed]
    panels = [_panel_data(p, p.xlabel or model.supxlabel) for p in shown]
    return {
        "panels": panels,
        "grid": model.shape is not None and model.shape[1] > 1 and len(shown) > 1,
        "supxlabel": model.supxlabel,
        "supylabel": model.supylabel,
        "quantityNames": QUANTITY_LABELS,
    }


def _panel_data(panel: Panel, xlabel: str | None) -> dict[str, object]:
    series, marks, notes = [], [], []
    for artist, color in zip(panel.artists, colors(panel), strict=True):
        if isinstance(artist, Line):
            width = artist.linewidth * PIXELS_PER_POINT
            dash = [round(d * width, 2) for d in DASHES.get(artist.linestyle or "-", ())]
            of = artist.thinned_from
            run = -(-of // DECIMATE_BINS) if of else None  # steps a kept low-high pair stands for
            series.append({**_series(artist.x, artist.y, artist.label, color, width, dash), "of": of, "run": run})
        elif isinstance(artist, Points):
            size = max(4.0, artist.size * PIXELS_PER_POINT)
            series.append({**_series(artist.x, artist.y, artist.label, color, 1, []), "points": True, "size": size})
        elif isinstance(artist, VLine):
            width = artist.linewidth * PIXELS_PER_POINT
            dash = [round(d * width, 2) for d in DASHES.get(artist.linestyle, ())]
            marks.append({"x": float(artist.x), "color": color, "width": width, "dash": dash})
        elif isinstance(artist, Note):
            dx, dy = artist.offset or (0, 0)
            notes.append(
                {"text": artist.text, "x": float(artist.x), "y": float(artist.y), "y_in_axes": artist.y_in_axes,
                 "ha": artist.ha, "va": "top" if artist.y_in_axes and artist.y >= 1 else artist.va,
                 "color": color, "dx": dx, "dy": dy}
            )  # fmt: skip
    if len(series) == 1 and panel.quantity != "lr":  # one trace's momentum or metric: named by what it is
        series[0]["label"] = QUANTITY_LABELS.get(panel.quantity, panel.quantity)
    return {
        "title": panel.title,
        "x_name": "update" if (xlabel or "").startswith(X_LABELS["update"]) else "step",  # the readout's x
        "xlabel": panel.xlabel,
        "ylabel": panel.ylabel,
        "log_y": panel.log_y,
        "quantity": panel.quantity,
        "epoch_length": panel.epoch_length,
        "x_range": list(panel.x_range) if panel.x_range else None,
        "series": series,
        "marks": marks,
        "notes": notes,
    }


def _series(
    x: ArrayLike, y: ArrayLike, label: str | None, color: str, width: float, dash: list[float]
) -> dict[str, object]:
    import math

    import numpy as np

    xs, ys = np.asarray(x), np.asarray(y, dtype=np.float64)
    if len(xs) > 1 and not np.all(np.diff(xs) > 0):  # decimation may keep a point twice (a run's min is its max)
        xs, first = np.unique(xs, return_index=True)
        ys = ys[first]
    values: list[float | str] = ys.tolist()
    if not np.isfinite(ys).all():  # JSON has no inf or nan: they travel as the CSV's text
        values = [v if math.isfinite(v) else repr(v) for v in ys.tolist()]
    return {"label": label, "color": color, "width": width, "dash": dash, "x": xs.tolist(), "y": values}


def _commands(metadata: Mapping[str, object], where: str = "") -> list[tuple[str, str]]:
    """Every ``command`` in the metadata, with the curve it regenerates (a resumed run's own
    command would start from step 0, so it is left out)."""
    found = []
    for key, value in metadata.items():
        if key == "command" and isinstance(value, str):
            found.append((where, value))
        elif isinstance(value, Mapping) and key != "resumed":
            found += _commands(value, key if key not in ("curves",) else where)
    return found


def _script_json(data: object) -> str:
    """JSON that cannot end its ``<script>`` element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
