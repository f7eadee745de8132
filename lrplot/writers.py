"""CSV and JSON tables, and writing every output of a run atomically.

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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

from .errors import OutputError
from .trace import Column

METADATA_PREFIX = "# lrplot: "
CSV_CHUNK = 1 << 16  # rows formatted at a time

Writer = Callable[[IO[bytes]], None]
Table = tuple[list[str], list[Column]]  # header, columns


def table_writer(metadata: Mapping[str, object], convention: str, table: Table) -> Writer:
    """A CSV: the metadata and step convention as comments, a header, the rows.

    Values are written with ``repr``: the shortest text that reads back as the
    same float. The header is quoted as CSV needs (labels may hold commas). Rows
    are formatted a chunk at a time, so ten million of them need no more memory
    than the arrays themselves.
    """
    header, columns = table

    def write(f: IO[bytes]) -> None:
        head = io.StringIO()
        csv.writer(head, lineterminator="\n").writerow(header)
        f.write(f"{METADATA_PREFIX}{json.dumps(metadata)}\n# {convention}\n{head.getvalue()}".encode())
        for start in range(0, len(columns[0]), CSV_CHUNK):
            rows = zip(*(column[start : start + CSV_CHUNK].tolist() for column in columns), strict=True)
            f.write("".join(",".join(map(repr, row)) + "\n" for row in rows).encode())

    return write


def json_writer(metadata: Mapping[str, object], table: Table, columns_key: str | None = None) -> Writer:
    """The metadata and every column as one JSON document; the columns beside the
    metadata, or under ``columns_key``."""
    header, columns = table
    named = {name: column.tolist() for name, column in zip(header, columns, strict=True)}
    data = {**metadata, **named} if columns_key is None else {**metadata, columns_key: named}
    return text_writer(json.dumps(data, indent=1) + "\n")


def text_writer(text: str) -> Writer:
    data = text.encode("utf-8")

    def write(f: IO[bytes]) -> None:
        f.write(data)

    return write


def read_csv(path: str | os.PathLike[str]) -> tuple[dict[str, object], list[str], list[list[float]]]:
    """A CSV written by lrplot: (metadata, column names, columns of numbers)."""
    metadata: dict[str, object] = {}
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


def write_atomically(outputs: Mapping[Path, Writer]) -> list[Path]:
    """Write every file to a temporary sibling, then rename all into place.

    If any writer fails (or the run is interrupted), the temporaries are
    removed and no target is touched.
    """
    done: list[tuple[str, Path]] = []
    target = Path()
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
