"""A metric log (a validation loss per epoch) read from a text or CSV file.

``ReduceLROnPlateau`` needs one metric value per scheduler step. The file holds
one number per line, or CSV with a header row naming its columns (``--metric-column``
picks one). Blank lines and ``#`` comments are skipped. Every error names the
file and the line.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from .errors import ParameterError
from .limits import MAX_MAGNITUDE

MAX_METRICS_BYTES = 1 << 28  # 256 MiB: some 20 million values
SHOWN = 40  # characters of a bad cell an error shows


def read_metrics(path: str, column: str | None = None) -> tuple[float, ...]:
    """The values of ``path``'s metric column, in order."""
    text = _read(path)
    # Any line ends (\n, \r\n, a lone \r); comments blanked before csv reads them (a quote in
    # one would open a field), keeping the line numbers.
    lines = ("\n" if line.lstrip().startswith("#") else line for line in io.StringIO(text, newline=None))
    reader = csv.reader(lines)
    try:
        rows = [(reader.line_num, row) for row in reader if row and any(cell.strip() for cell in row)]
    except csv.Error as e:  # a NUL byte, a field past csv's size limit
        raise _error(path, f"line {reader.line_num}: not CSV: {e}") from None
    if not rows:
        raise _error(path, "holds no values")
    first_line, first = rows[0]
    header = [cell.strip() for cell in first] if all(map(_is_name, first)) else None
    if header is not None:
        rows = rows[1:]
    index = _column(path, header, column, len(first), first_line)
    values = []
    for number, row in rows:
        if index >= len(row):
            raise _error(path, f"line {number}: has {len(row)} cells, no column {index + 1}")
        values.append(_value(path, number, row[index]))
    if not values:
        raise _error(path, "holds a header and no values")
    return tuple(values)


def _read(path: str) -> str:
    file = Path(path)
    try:
        if not file.is_file():
            raise _error(path, "no such file" if not file.exists() else "not a file")
        with open(file, "rb") as f:
            content = f.read(MAX_METRICS_BYTES + 1)
    except OSError as e:
        raise _error(path, f"cannot read it: {e.strerror or e}") from None
    if len(content) > MAX_METRICS_BYTES:
        raise _error(path, f"larger than {MAX_METRICS_BYTES >> 20} MiB, the most a metrics file may be")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _error(path, f"not UTF-8 text (byte {e.start + 1} is not)") from None


def _column(path: str, header: list[str] | None, column: str | None, width: int, line: int) -> int:
    """The index of the metric column."""
    if header is None:
        if column is not None:
            raise _error(path, f"has no header row naming its columns, so no column {column!r}", "metric_column")
        if width > 1:
            raise _error(path, f"line {line}: {width} values and no header: put one value a line, or name the columns")
        return 0
    if column is not None:
        if header.count(column) > 1:
            raise _error(path, f"has two columns named {column!r}", "metric_column")
        if column not in header:
            raise _error(path, f"has no column {column!r} (columns: {', '.join(header)})", "metric_column")
        return header.index(column)
    if len(header) > 1:
        raise _error(path, f"has columns {', '.join(header)}: choose one with metric_column", "metric_column")
    return 0


def _value(path: str, line: int, cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        shown = cell.strip()[:SHOWN] + ("..." if len(cell.strip()) > SHOWN else "")
        raise _error(path, f"line {line}: {shown!r} is not a number") from None
    if not math.isfinite(value):
        raise _error(path, f"line {line}: {cell.strip()} is not a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise _error(path, f"line {line}: {cell.strip()} is beyond the largest value lrplot takes (1e15)")
    return value


def _is_name(cell: str) -> bool:
    """A column name: not empty, and not starting as a number does (a typo in the first value,
    ``0.9x``, is an error, not a header)."""
    text = cell.strip()
    return bool(text) and not (text[0].isdigit() or text[0] in "+-." or text.lower() in ("nan", "inf", "infinity"))


def _error(path: str, reason: str, *mentions: str) -> ParameterError:
    return ParameterError("metrics", f"{path}: {reason}", mentions=mentions)
