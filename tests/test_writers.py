"""Outputs: full-precision CSV with metadata, JSON, figures, and atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrplot
from lrplot import figure_model, plot
from lrplot.errors import OutputError, ParameterError
from lrplot.figures import TraceDocument

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def curve() -> lrplot.Curve:
    return lrplot.curve("cosine", 40, lr=[0.1, 0.01], warmup=4)


def test_csv_round_trips_every_value_and_metadata(curve: lrplot.Curve, tmp_path: Path) -> None:
    (path,) = lrplot.write_curve(curve, tmp_path, formats=("csv",))
    meta, header, columns = lrplot.read_csv(path)
    assert header == ["step", "lr", "lr_group1"]
    assert columns[0] == list(range(40))
    assert columns[1] == curve.lrs[0].tolist() and columns[2] == curve.lrs[1].tolist()  # exact
    assert meta == json.loads(json.dumps({**curve.metadata(), "command": meta["command"]}))
    assert meta["command"].startswith("lrplot cosine --steps 40 --lr 0.1 --lr 0.01 --warmup 4")
    assert meta["params"]["warmup"] == 4 and meta["versions"]["torch"]


def test_csv_every_keeps_one_row_in_k(curve: lrplot.Curve) -> None:
    header, columns = TraceDocument(curve, every=10).table()
    lines = [",".join(map(str, row)) for row in [header, *zip(*(c.tolist() for c in columns), strict=True)]]
    assert [line.split(",")[0] for line in lines] == ["step", "0", "10", "20", "30"]


def _rows_as_today(columns: list[list[object]]) -> bytes:
    """The rows as lrplot 0.1 formatted them, row by row: the reference the fast writer is held to."""
    return "".join(",".join(map(repr, row)) + "\n" for row in zip(*columns, strict=True)).encode()


COMMITTED_CSVS = sorted((Path(__file__).parents[1] / "docs" / "figures").glob("*.csv"))
AXES = ("step", "update", "epoch", "run")  # whole-number columns; the rest are floats


@pytest.mark.parametrize("path", COMMITTED_CSVS, ids=[p.stem for p in COMMITTED_CSVS])
def test_csv_rows_are_every_committed_csv_byte_for_byte(path: Path) -> None:
    import numpy as np

    from lrplot.writers import csv_rows

    _, header, values = lrplot.read_csv(path)
    rows = path.read_bytes().split(b"\n", 3)[3]  # after the metadata, the convention and the header
    kinds = [np.int64 if name in AXES else np.float64 for name in header]
    columns = [np.array(c, dtype=kind) for kind, c in zip(kinds, values, strict=True)]
    assert _rows_as_today([c.tolist() for c in columns]) == rows  # the committed file is today's writer's
    assert b"".join(csv_rows(columns, start, start + 7) for start in range(0, len(columns[0]), 7)) == rows


def test_there_are_committed_csvs_to_compare() -> None:
    assert len(COMMITTED_CSVS) >= 40


FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from(
    [0.0, -0.0, 5e-324, -5e-324, 1e16, 9999999999999998.0, 1e-4, 9.999999999999999e-5, 1e-5, 1.7976931348623157e308]
)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 40).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n),
            st.lists(st.lists(FLOATS, min_size=n, max_size=n), min_size=1, max_size=3),
        )
    ),
    st.integers(1, 9),
)
def test_csv_rows_format_any_values_as_today(table: tuple[list[int], list[list[float]]], chunk: int) -> None:
    import numpy as np

    from lrplot.writers import csv_rows

    ints, floats = table
    columns = [np.array(ints, dtype=np.int64), *(np.array(c, dtype=np.float64) for c in floats)]
    fast = b"".join(csv_rows(columns, start, start + chunk) for start in range(0, len(ints), chunk))
    assert fast == _rows_as_today([c.tolist() for c in columns])


def test_a_long_table_is_formatted_by_workers_to_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import numpy as np

    from lrplot import writers

    rng = np.random.default_rng(0)
    columns = [np.arange(5000), rng.standard_normal(5000) * 10.0 ** rng.integers(-8, 8, 5000), np.full(5000, np.nan)]
    write = writers.table_writer({"k": 1}, "the convention", (["step", "a", "b"], columns))
    alone = io.BytesIO()
    write(alone)
    monkeypatch.setattr(writers, "CSV_CHUNK", 128)
    monkeypatch.setattr(writers, "PARALLEL_ROWS", 1000)  # 40 chunks, in batches for 1 or more workers
    together = io.BytesIO()
    write(together)
    assert together.getvalue() == alone.getvalue()
    assert alone.getvalue().endswith(b"4999," + repr(float(columns[1][-1])).encode() + b",nan\n")


def test_json_holds_data_and_metadata(curve: lrplot.Curve, tmp_path: Path) -> None:
    (path,) = lrplot.write_curve(curve, tmp_path, formats=("json",), stem="x")
    data = json.loads(path.read_text())
    assert path.name == "x.json"
    assert data["step"] == list(range(40)) and data["lr_group1"] == curve.lrs[1].tolist()
    assert data["params"]["schedule"] == "cosine"


@pytest.mark.parametrize(("fmt", "magic"), [("png", PNG_SIGNATURE), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_figures_have_their_signature(curve: lrplot.Curve, tmp_path: Path, fmt: str, magic: bytes) -> None:
    (path,) = lrplot.write_curve(curve, tmp_path, formats=(fmt,))
    data = path.read_bytes()
    assert data.startswith(magic) and len(data) > 5000


def test_png_is_7_by_4_inches(curve: lrplot.Curve, tmp_path: Path) -> None:
    (path,) = lrplot.write_curve(curve, tmp_path, formats=("png",))
    header = path.read_bytes()[16:24]
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
    assert (width, height) == (7 * 150, 4 * 150)


def test_a_figure_is_laid_out_once_and_each_save_draws_it_once(
    curve: lrplot.Curve, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from matplotlib.figure import Figure

    fig = plot.render(figure_model.single(curve, title="a title"))
    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or original(self, renderer))
    for fmt in ("pdf", "png", "svg"):
        plot.save(fig, io.BytesIO(), fmt)
    assert len(draws) == 3  # a layout engine would make each save draw twice


def test_a_png_is_the_same_whether_or_not_other_formats_were_saved_first(tmp_path: Path) -> None:
    # At paper size the layout of the PDF saved first used to be laid out again for the PNG.
    curve = lrplot.curve("one_cycle_lr", 100)
    alone = lrplot.write_curve(curve, tmp_path / "a", formats=("png",), look=lrplot.PRESETS["paper"].look)
    after = lrplot.write_curve(curve, tmp_path / "b", formats=("pdf", "svg", "png"), look=lrplot.PRESETS["paper"].look)
    assert alone[0].read_bytes() == after[-1].read_bytes()


def test_figure_is_labelled_titled_and_marks_the_warmup(curve: lrplot.Curve) -> None:
    fig = plot.render(figure_model.single(curve))
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("step") and ax.get_ylabel() == "learning rate"
    assert ax.get_title() == "cosine (warmup 4, T 40, num_cycles 0.5)"
    marks = [line for line in ax.lines if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]]
    assert [(m.get_xdata()[0], m.get_linestyle()) for m in marks] == [(4, "--")]
    groups = [line for line in ax.lines if "group" in str(line.get_label())]
    assert len(groups) == 2 and groups[0].get_linestyle() != groups[1].get_linestyle()  # apart without colour
    assert plot.render(figure_model.single(curve, title="mine", log_y=True)).axes[0].get_yscale() == "log"


def test_unknown_format_is_a_parameter_error(curve: lrplot.Curve, tmp_path: Path) -> None:
    expected = "format: expected one of png, csv, svg, pdf, json, py, txt, html, term, got 'gif'"
    with pytest.raises(ParameterError, match=expected):
        lrplot.write_curve(curve, tmp_path, formats=("gif",))


def test_failed_run_leaves_no_partial_file_and_keeps_old_outputs(
    curve: lrplot.Curve, tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "cosine.csv").write_text("old csv\n")

    def broken(fig, file, fmt, dpi=150):
        file.write(b"half a png")
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-write

    monkeypatch.setattr(plot, "save", broken)
    with pytest.raises(KeyboardInterrupt):
        lrplot.write_curve(curve, tmp_path, formats=("csv", "png"))
    assert sorted(os.listdir(tmp_path)) == ["cosine.csv"]
    assert (tmp_path / "cosine.csv").read_text() == "old csv\n"


def test_unwritable_folder_is_an_output_error_naming_it(curve: lrplot.Curve, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match=f"'{blocker / 'sub'}'"):
        lrplot.write_curve(curve, blocker / "sub")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_folder_is_an_output_error(curve: lrplot.Curve, tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="cannot write"):
            lrplot.write_curve(curve, tmp_path)
    finally:
        tmp_path.chmod(0o700)


def test_written_files_get_ordinary_permissions(curve: lrplot.Curve, tmp_path: Path) -> None:
    (path,) = lrplot.write_curve(curve, tmp_path, formats=("csv",))
    assert path.stat().st_mode & 0o644 == 0o644
