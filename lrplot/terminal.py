"""The terminal renderer of a figure model: curves in Unicode braille, for standard output.

Each character cell holds 2 x 4 dots. In every dot column a curve fills each
dot between its lowest and its highest value there, and the segments to its
neighbours, so a peak or trough narrower than a column still shows: with the
model's decimation (which keeps every run's extremes) a 10M-step curve keeps
them all. Colour is ANSI 256-colour, drawn only when asked for (the CLI asks on
a colour terminal where ``NO_COLOR`` is unset).
"""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from .errors import ParameterError
from .figure_model import FigureModel, Line, Note, Panel, Points, VLine, check_span, colors

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

DEFAULT_SIZE = (80, 20)  # when standard output is no terminal
WIDTH_RANGE = (40, 1000)
HEIGHT_RANGE = (8, 200)
# Braille dot bits by (dot column 0-1, dot row 0-3 from the top of the cell).
DOT_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
MARK_GLYPHS = {"-": "│", "--": "┆", "-.": "┆", ":": "┊"}
POINT_GLYPH = "•"
MIN_ROWS = 3  # plot rows a chart keeps, whatever its title
AXIS_COLOR = 244  # a mid grey of the 256 colours


def check_size(width: int | None, height: int | None) -> None:
    """A ParameterError naming ``width`` or ``height`` if it is outside the range drawn."""
    for key, value, (low, high) in (("width", width, WIDTH_RANGE), ("height", height, HEIGHT_RANGE)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            raise ParameterError(key, f"expected a whole number of characters from {low} to {high}, got {value!r}")


def screen_size(width: int | None, height: int | None, stream: IO[str]) -> tuple[int, int]:
    """``width`` and ``height`` where given; else fitted to ``stream``'s terminal, 80 x 20 when it is none."""
    check_size(width, height)
    fitted = DEFAULT_SIZE
    if stream.isatty():
        try:
            columns, lines = os.get_terminal_size(stream.fileno())
            fitted = (min(max(columns, WIDTH_RANGE[0]), WIDTH_RANGE[1]), max(HEIGHT_RANGE[0], min(20, lines - 4)))
        except (OSError, ValueError):
            pass
    return width or fitted[0], height or fitted[1]


def wants_color(stream: IO[str]) -> bool:
    """Colour for a terminal that draws it, unless ``NO_COLOR`` (https://no-color.org) is set."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def draw(model: FigureModel, width: int = DEFAULT_SIZE[0], height: int = DEFAULT_SIZE[1], color: bool = False) -> str:
    """The figure as text: each visible panel ``width`` characters wide and ``height`` lines
    high (title and axes included), then its key: the legend and the marks' notes."""
    check_size(width, height)
    check_span(model)
    panels = [p for p in model.panels if p.visible and not p.zoomed]  # a close-up needs finer ticks than cells
    x_ranges = [_x_range(p) for p in panels]
    y_ranges = [_y_range(p) for p in panels]
    if model.sharex:
        x_ranges = [_union(x_ranges)] * len(panels)
    if model.sharey:
        y_ranges = [_union(y_ranges)] * len(panels)
    out: list[str] = []
    if model.suptitle:
        out += _wrap(model.suptitle, width)
    for panel, x_range, y_range in zip(panels, x_ranges, y_ranges, strict=True):
        chart = _Chart(panel, width, height, x_range, y_range, color)
        xlabel = panel.xlabel or model.supxlabel
        ylabel = panel.ylabel or model.supylabel
        out += chart.lines(xlabel, ylabel)
    return "\n".join(line.rstrip() for line in out) + "\n"


@dataclass
class _Chart:
    """One panel laid out on a grid of character cells."""

    panel: Panel
    width: int
    height: int
    x_range: tuple[float, float] | None
    y_range: tuple[float, float] | None
    color: bool

    def lines(self, xlabel: str | None, ylabel: str | None) -> list[str]:
        title = _wrap(self.panel.title, self.width) if self.panel.title else []
        labels = [f"x: {xlabel}" if xlabel else "", f"y: {ylabel}" if ylabel else ""]
        label_line = "   ".join(t for t in labels if t)
        axes = 2 + (1 if label_line else 0)
        room = self.height - axes - MIN_ROWS  # the title may not take the plot's rows
        if len(title) > room:
            title = [*title[: room - 1], _fit(title[room - 1] + " …", self.width)] if room > 0 else []
        rows = self.height - len(title) - axes
        if self.x_range is None or self.y_range is None:
            return [*title, "(nothing to draw)"]
        y_ticks = self._y_ticks(rows)
        margin = max(len(text) for _, text in y_ticks) + 1
        columns = self.width - margin - 1
        cells = _Cells(rows, columns, self.color)
        self._plot(cells)
        tick_rows = {row: text for row, text in y_ticks}
        body = []
        for row in range(rows):
            axis = "┤" if row in tick_rows else "│"
            body.append(tick_rows.get(row, "").rjust(margin - 1) + " " + self._paint(axis, AXIS_COLOR) + cells.row(row))
        axis_line, tick_line = self._x_axis(columns, margin)
        return [
            *title,
            *body,
            axis_line,
            tick_line,
            *([_fit(label_line, self.width)] if label_line else []),
            *self._key(),
        ]

    # Scales -------------------------------------------------------------------------

    def _y(self, values: NDArray[np.float64], rows: int) -> NDArray[np.float64]:
        """Dot rows (0 at the bottom) of ``values``."""
        import numpy as np

        assert self.y_range is not None
        low, high = self.y_range
        if self.panel.log_y:
            values, low, high = np.log10(values), math.log10(low), math.log10(high)
        return (values - low) / (high - low) * (4 * rows - 1)

    def _x(self, values: NDArray[np.float64], columns: int) -> NDArray[np.float64]:
        assert self.x_range is not None
        low, high = self.x_range
        return (values - low) / (high - low) * (2 * columns - 1)

    def _column(self, x: float, columns: int) -> int:
        """The character column (from the plot's left) that step ``x`` is drawn in."""
        assert self.x_range is not None
        low, high = self.x_range
        return round((float(x) - low) / (high - low) * (2 * columns - 1)) // 2

    def _y_ticks(self, rows: int) -> list[tuple[int, str]]:
        import numpy as np

        assert self.y_range is not None
        low, high = self.y_range
        if self.panel.log_y:
            values = [10.0**k for k in range(math.ceil(math.log10(low)), math.floor(math.log10(high)) + 1)]
            values = values if len(values) >= 2 else [low, high]
        else:
            values = _nice_ticks(low, high, max(2, rows // 3))
        ticks: dict[int, str] = {}
        for value in values:
            dot = int(np.round(self._y(np.array([value]), rows)[0]))
            row = rows - 1 - dot // 4
            if 0 <= row < rows and row not in ticks and row - 1 not in ticks:
                ticks[row] = _number(value)
        return sorted(ticks.items())

    def _x_axis(self, columns: int, margin: int) -> tuple[str, str]:

        assert self.x_range is not None
        low, high = self.x_range
        axis = ["─"] * columns
        labels = [" "] * (columns + margin + 8)
        for mark in (a for a in self.panel.artists if isinstance(a, VLine)):
            column = self._column(mark.x, columns)
            if 0 <= column < columns:
                axis[column] = "┴"
        end = -1
        for value in _nice_ticks(low, high, max(2, columns // 12), whole=True):
            column = self._column(value, columns)
            text = _steps(value)
            start = margin + 1 + column - len(text) // 2
            if column < 0 or column >= columns or start <= end + 1 or start + len(text) > self.width:
                continue
            axis[column] = "┼" if axis[column] == "┴" else "┬"
            labels[start : start + len(text)] = text
            end = start + len(text)
        corner = " " * (margin - 1) + " " + self._paint("└" + "".join(axis), AXIS_COLOR)
        return corner, "".join(labels)[: self.width]

    # Drawing --------------------------------------------------------------------------

    def _plot(self, cells: _Cells) -> None:

        palette = colors(self.panel)
        for artist, color in zip(self.panel.artists, palette, strict=True):
            ink = _ansi(color)
            if isinstance(artist, VLine):
                cells.mark(self._column(artist.x, cells.columns), MARK_GLYPHS.get(artist.linestyle, "│"), ink)
                continue
            if not isinstance(artist, Line | Points):
                continue
            x, y = self._visible(artist)
            dx, dy = self._x(x, cells.columns), self._y(y, cells.rows)
            if isinstance(artist, Points):
                cells.points(dx, dy, ink)
            else:
                cells.curve(dx, dy, ink)

    def _visible(self, artist: Line | Points) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The points inside the x range with a value the scale can place."""
        import numpy as np

        assert self.x_range is not None
        x, y = np.asarray(artist.x, dtype=float), np.asarray(artist.y, dtype=float)
        keep = np.isfinite(y) & (x >= self.x_range[0]) & (x <= self.x_range[1])
        if self.panel.log_y:
            keep &= y > 0
        return x[keep], y[keep]

    def _key(self) -> list[str]:
        """The legend (when there are labelled curves) and the notes of the marks."""
        key = []
        artists = self.panel.artists
        labelled = [
            (a, c) for a, c in zip(artists, colors(self.panel), strict=True) if isinstance(a, Line | Points) and a.label
        ]
        if len(labelled) > 1 or (labelled and self.panel.legend is not None):
            for artist, color in labelled:
                glyph = POINT_GLYPH if isinstance(artist, Points) else "⣿⣿"
                label = _fit(" ".join(str(artist.label).split()), self.width - 3 - len(glyph))  # one line each
                key.append(f"  {self._paint(glyph, _ansi(color))} {label}")
        for note in (a for a in artists if isinstance(a, Note)):
            mark = next((m for m in artists if isinstance(m, VLine) and m.x == note.x), None)
            glyph = MARK_GLYPHS.get(mark.linestyle, "│") if mark is not None else "·"
            key.append(f"  {self._paint(glyph, AXIS_COLOR)} {_fit(note.text.strip(), self.width - 4)}")
        return key

    def _paint(self, text: str, ink: int | None) -> str:
        return f"\x1b[38;5;{ink}m{text}\x1b[0m" if self.color and ink is not None else text


class _Cells:
    """A grid of braille cells; a cell's ink is that of the last artist drawn into it."""

    def __init__(self, rows: int, columns: int, color: bool) -> None:
        import numpy as np

        self.rows, self.columns, self.color = rows, columns, color
        self.dots = np.zeros((rows, columns), dtype=np.uint8)
        self.ink = np.full((rows, columns), -1, dtype=np.int16)
        self.glyphs: dict[tuple[int, int], tuple[str, int]] = {}  # marks and points, where no curve is

    def curve(self, dx: NDArray[np.float64], dy: NDArray[np.float64], ink: int) -> None:
        """Every dot between consecutive points, column by column."""
        import numpy as np

        if len(dx) == 0:
            return
        columns, lows, highs = [int(round(dx[0]))], [dy[0]], [dy[0]]
        for i in range(len(dx) - 1):
            x0, x1, y0, y1 = dx[i], dx[i + 1], dy[i], dy[i + 1]
            c0, c1 = int(round(x0)), int(round(x1))
            if c0 == c1:
                columns.append(c0)
                lows.append(min(y0, y1))
                highs.append(max(y0, y1))
                continue
            for c in range(c0, c1 + 1):  # the segment's part in each dot column it crosses
                t = np.clip([(c - 0.5 - x0) / (x1 - x0), (c + 0.5 - x0) / (x1 - x0)], 0, 1)
                ya, yb = y0 + t * (y1 - y0)
                columns.append(c)
                lows.append(min(ya, yb))
                highs.append(max(ya, yb))
        top = 4 * self.rows - 1
        column = np.array(columns)
        low = np.clip(np.round(lows), 0, top).astype(int)
        high = np.clip(np.round(highs), 0, top).astype(int)
        inside = (column >= 0) & (column < 2 * self.columns)
        column, low, high = column[inside], low[inside], high[inside]
        counts = high - low + 1
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        dot_y = np.repeat(low, counts) + np.arange(counts.sum()) - starts
        dot_x = np.repeat(column, counts)
        self._set(dot_x, dot_y, ink)

    def points(self, dx: NDArray[np.float64], dy: NDArray[np.float64], ink: int) -> None:
        import numpy as np

        top = 4 * self.rows - 1
        for x, y in zip(np.round(dx).astype(int), np.clip(np.round(dy), 0, top).astype(int), strict=True):
            if 0 <= x < 2 * self.columns:
                self.glyphs[(self.rows - 1 - y // 4, x // 2)] = (POINT_GLYPH, ink)

    def mark(self, column: int, glyph: str, ink: int) -> None:
        if 0 <= column < self.columns:
            for row in range(self.rows):
                if not self.dots[row, column]:  # under the curves
                    self.glyphs.setdefault((row, column), (glyph, ink))

    def _set(self, dot_x: NDArray[np.int64], dot_y: NDArray[np.int64], ink: int) -> None:
        import numpy as np

        rows = self.rows - 1 - dot_y // 4
        cols = dot_x // 2
        bits = np.array(DOT_BITS, dtype=np.uint8)[dot_x % 2, 3 - dot_y % 4]
        np.bitwise_or.at(self.dots, (rows, cols), bits)
        self.ink[rows, cols] = ink
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):  # a curve draws over a mark
            glyph = self.glyphs.get((row, col))
            if glyph is not None and glyph[0] != POINT_GLYPH:
                del self.glyphs[(row, col)]

    def row(self, row: int) -> str:
        """One line of cells; with colour, one escape for each run of cells of one ink."""
        runs: list[tuple[int, list[str]]] = []
        for col in range(self.columns):
            text, ink = self._cell(row, col)
            if runs and runs[-1][0] == ink:
                runs[-1][1].append(text)
            else:
                runs.append((ink, [text]))
        return "".join(
            f"\x1b[38;5;{ink}m{''.join(texts)}\x1b[0m" if self.color and ink >= 0 else "".join(texts)
            for ink, texts in runs
        )

    def _cell(self, row: int, col: int) -> tuple[str, int]:
        glyph = self.glyphs.get((row, col))
        if glyph is not None:
            return glyph
        dots = int(self.dots[row, col])
        return (chr(0x2800 + dots), int(self.ink[row, col])) if dots else (" ", -1)


# Ranges, ticks and numbers ---------------------------------------------------------------


def _x_range(panel: Panel) -> tuple[float, float] | None:
    if panel.x_range is not None:
        return panel.x_range
    extent = _extent([a.x for a in panel.artists if isinstance(a, Line | Points)], positive=False)
    if extent is not None and extent[0] == extent[1]:  # one step: room on either side
        return extent[0] - 1, extent[1] + 1
    return extent


def _y_range(panel: Panel) -> tuple[float, float] | None:
    """The data's range; a linear lr axis from 0, so a floor reads as one."""
    extent = _extent([a.y for a in panel.artists if isinstance(a, Line | Points)], panel.log_y)
    if extent is None:
        return None
    low, high = extent
    if not panel.log_y and panel.quantity == "lr" and low > 0:
        low = 0.0
    if low == high:  # a constant: room around it
        pad = abs(low) * 0.1 or 1.0
        return (low / 10, high * 10) if panel.log_y else (low - pad * (low != 0), high + pad)
    return low, high


def _extent(arrays: Sequence[object], positive: bool) -> tuple[float, float] | None:
    import numpy as np

    lows, highs = [], []
    for values in arrays:
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v) & (v > 0)] if positive else v[np.isfinite(v)]
        if len(v):
            lows.append(float(v.min()))
            highs.append(float(v.max()))
    return (min(lows), max(highs)) if lows else None


def _union(ranges: Sequence[tuple[float, float] | None]) -> tuple[float, float] | None:
    found = [r for r in ranges if r is not None]
    return (min(r[0] for r in found), max(r[1] for r in found)) if found else None


def _nice_ticks(low: float, high: float, count: int, whole: bool = False) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) from ``low`` to ``high``, about ``count`` of them;
    ``whole``: at least 1 apart (steps)."""
    raw = (high - low) / count
    if not raw > 0 or not math.isfinite(raw):  # one value, or a span too small to divide
        return [low, high] if high > low else [low]
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0) if whole else step
    first = math.ceil(low / step - 1e-9)
    return [k * step for k in range(first, math.floor(high / step + 1e-9) + 1)]


def _number(value: float) -> str:
    """A tick's value, short: ``0``, ``0.5``, ``2e-05``."""
    text = f"{value:.3g}"
    return "0" if text in ("0", "-0") else text


def _steps(value: float) -> str:
    """A step count in engineering form: ``300``, ``1.5k``, ``200k``, ``10M``."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.4g}"


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns, broken between parameters (``a 1, b 2``) where one fits."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for part in paragraph.split(", "):
            joined = f"{line}, {part}" if line else part
            if _columns(joined) < width:  # room for the comma a broken line ends with
                line = joined
                continue
            if line:
                lines.append(line + ",")
            pieces = _chop(part, width)
            lines += pieces[:-1]
            line = pieces[-1]
        lines.append(line)
    return lines


def _chop(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at a space where there is one."""
    lines, line = [], ""
    for char in text:
        if _columns(line + char) > width:
            cut = line.rfind(" ")
            head, line = (line[:cut], line[cut + 1 :]) if cut > 0 else (line, "")
            lines.append(head)
        line += char
    return [*lines, line]


def _columns(text: str) -> int:
    """Terminal columns ``text`` takes: two for a wide (CJK) character, none for a combining mark."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    """``text``, cut with an ellipsis where it takes more than ``width`` columns."""
    if _columns(text) <= width:
        return text
    while text and _columns(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _ansi(color: str) -> int:
    """The xterm 256-colour index nearest ``#rrggbb``: the 6x6x6 cube or the grey ramp."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    levels = (0, 95, 135, 175, 215, 255)

    def nearest(v: int) -> int:
        return min(range(6), key=lambda i: abs(levels[i] - v))

    cube = 16 + 36 * nearest(r) + 6 * nearest(g) + nearest(b)
    cube_rgb = (levels[nearest(r)], levels[nearest(g)], levels[nearest(b)])
    grey_level = min(range(24), key=lambda i: abs(8 + 10 * i - (r + g + b) / 3))
    grey = 232 + grey_level
    grey_rgb = (8 + 10 * grey_level,) * 3

    def distance(rgb: tuple[int, ...]) -> int:
        return sum((a - b) ** 2 for a, b in zip(rgb, (r, g, b), strict=True))

    return cube if distance(cube_rgb) <= distance(grey_rgb) else grey
