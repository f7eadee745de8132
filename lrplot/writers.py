"""CSV, JSON and figure files, written atomically.

Every output is first written to a temporary file beside its target and only
renamed into place once *all* outputs of a run are complete, so a failed or
interrupted run leaves no partial file and keeps earlier outputs intact.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from .curve import RECORD_MODES, Curve
from .errors import OutputError, ParameterError

FIGURE_FORMATS = ("png", "svg", "pdf")
FORMATS = ("png", "csv", "svg", "pdf", "json")  # the defaults first, as help lists them
METADATA_PREFIX = "# lrplot: "
CSV_CHUNK = 1 << 16  # rows formatted at a time

Writer = Callable[[IO[bytes]], None]


def column_names(groups: int) -> list[str]:
    """``lr`` for the first param group, ``lr_group1``... for the others."""
    return ["lr"] + [f"lr_group{g}" for g in range(1, groups)]


def curve_columns(curves: Mapping[str, Curve], every: int = 1) -> tuple[list[str], list[Any]]:
    """Header and columns (numpy arrays) for curves sharing one step axis: ``step``,
    then one column per curve (``LABEL``) and per further param group (``LABEL:lr_group1``)."""
    first = next(iter(curves.values()))
    header, columns = ["step"], [first.steps[::every]]
    for label, curve in curves.items():
        for g, name in enumerate(column_names(len(curve.lrs))):
            header.append(f"{label}:{name}" if label and g else (label or name))
            columns.append(curve.lrs[g][::every])
    return header, columns


def table_writer(metadata: Mapping[str, Any], convention: str, header: list[str], columns: list[Any]) -> Writer:
    """A CSV: the metadata and step convention as comments, a header, the rows.

    Values are written with ``repr``: the shortest text that reads back as the
    same float. The header is quoted as CSV needs (labels may hold commas). Rows
    are formatted a chunk at a time, so ten million of them need no more memory
    than the arrays themselves.
    """

    def write(f: IO[bytes]) -> None:
        head = io.StringIO()
        csv.writer(head, lineterminator="\n").writerow(header)
        f.write(f"{METADATA_PREFIX}{json.dumps(metadata)}\n# {convention}\n{head.getvalue()}".encode())
        for start in range(0, len(columns[0]), CSV_CHUNK):
            rows = zip(*(column[start : start + CSV_CHUNK].tolist() for column in columns), strict=True)
            f.write("".join(",".join(map(repr, row)) + "\n" for row in rows).encode())

    return write


def csv_writer(curve: Curve, every: int = 1) -> Writer:
    """The CSV of one curve, its metadata in the header comments."""
    header, columns = curve_columns({"": curve}, every)
    return table_writer(curve.metadata(), RECORD_MODES[curve.record], header, columns)


def csv_text(curve: Curve, every: int = 1) -> str:
    """The CSV of one curve as text."""
    buffer = io.BytesIO()
    csv_writer(curve, every)(buffer)
    return buffer.getvalue().decode()


def json_text(curve: Curve, every: int = 1) -> str:
    """The curve and its metadata as one JSON document."""
    data = {
        **curve.metadata(),
        "step": curve.steps[::every].tolist(),
        **{name: curve.lrs[g][::every].tolist() for g, name in enumerate(column_names(len(curve.lrs)))},
    }
    return json.dumps(data, indent=1) + "\n"


def read_csv(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[str], list[list[float]]]:
    """A CSV written by lrplot: (metadata, column names, columns of numbers)."""
    metadata: dict[str, Any] = {}
    header: list[str] = []
    rows: list[list[float]] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(METADATA_PREFIX):
                metadata = json.loads(line[len(METADATA_PREFIX) :])
            elif line.startswith("#"):
                continue
            elif not header:
                header = next(csv.reader([line]))
            elif line.strip():
                rows.append([float(x) for x in line.split(",")])
    columns = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in header]
    return metadata, header, columns


def prepare_dir(out_dir: str | os.PathLike[str]) -> Path:
    """The output folder, created if needed, or an OutputError naming it."""
    path = Path(out_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create output folder {str(path)!r}: {e.strerror or e}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to output folder {str(path)!r}: permission denied")
    return path


def write_curve(
    curve: Curve,
    out_dir: str | os.PathLike[str] = ".",
    formats: tuple[str, ...] = ("png", "csv"),
    stem: str | None = None,
    title: str | None = None,
    log_y: bool = False,
    every: int = 1,
) -> list[Path]:
    """Write ``curve`` as ``OUT_DIR/STEM.FORMAT`` for each format; the paths written.

    Args:
        formats: any of png, csv, svg, pdf, json.
        stem: the file name without extension (default: the schedule's name).
        title: the figure's title (default: the schedule and its parameters).
        every: keep one row in ``every`` in the CSV and JSON.
    """
    check_formats(formats)
    directory = prepare_dir(out_dir)

    def figure() -> Any:
        from . import plot

        return plot.curve_figure(curve, title=title, log_y=log_y)

    data = {"csv": lambda: csv_writer(curve, every=every), "json": lambda: text_writer(json_text(curve, every=every))}
    outputs = output_writers(directory, stem or curve.schedule.name, formats, figure, data)
    return write_atomically(outputs)


def output_writers(
    directory: Path,
    stem: str,
    formats: Iterable[str],
    make_figure: Callable[[], Any],
    data: Mapping[str, Callable[[], Writer]],
) -> dict[Path, Writer]:
    """A writer for each ``DIRECTORY/STEM.FORMAT``.

    Figure formats share one figure, made by ``make_figure()`` on first use;
    the other formats come from ``data`` (format -> writer factory).
    """
    drawn: list[Any] = []

    def figure_writer(fmt: str) -> Writer:
        def write(f: IO[bytes]) -> None:
            from . import plot

            if not drawn:
                drawn.append(make_figure())
            plot.save(drawn[0], f, fmt)

        return write

    outputs: dict[Path, Writer] = {}
    for fmt in dict.fromkeys(formats):
        if fmt in FIGURE_FORMATS:
            outputs[directory / f"{stem}.{fmt}"] = figure_writer(fmt)
        elif fmt in data:
            outputs[directory / f"{stem}.{fmt}"] = data[fmt]()
        else:
            raise ParameterError("format", f"expected one of {', '.join([*FIGURE_FORMATS, *data])}, got {fmt!r}")
    return outputs


def check_formats(formats: tuple[str, ...]) -> None:
    """Raise ParameterError unless every format is one lrplot writes."""
    if not formats:
        raise ParameterError("format", f"expected at least one of {', '.join(FORMATS)}")
    for fmt in formats:
        if fmt not in FORMATS:
            raise ParameterError("format", f"expected one of {', '.join(FORMATS)}, got {fmt!r}")


def write_atomically(outputs: Mapping[Path, Writer]) -> list[Path]:
    """Write every file to a temporary sibling, then rename all into place.

    If any writer fails (or the run is interrupted), the temporaries are
    removed and no target is touched.
    """
    done: list[tuple[str, Path]] = []
    try:
        for target, writer in outputs.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            done.append((tmp, target))
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give what open() would
            with os.fdopen(fd, "wb") as f:
                writer(f)
                f.flush()
                os.fsync(f.fileno())
        for tmp, target in done:
            os.replace(tmp, target)
    except OSError as e:
        raise OutputError(f"cannot write {str(target)!r}: {e.strerror or e}") from None
    finally:
        for tmp, _ in done:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [target for _, target in done]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def text_writer(text: str) -> Writer:
    data = text.encode("utf-8")

    def write(f: IO[bytes]) -> None:
        f.write(data)

    return write
