"""The figure's text: every text field of the model in the sidecar, and render --check catching its changes."""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lrplot import figure_model
from lrplot.cli.app import app
from lrplot.figure_model import FigureModel, Highlight, Legend, Line, Note, Panel, Points, Span, VLine
from lrplot.figure_text import HEADER, NOT_TEXT, TEXT_FIELDS, figure_text, first_difference, sidecar

from .helpers import modules_imported_by_cli

runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


# Every text field of the model, read or named as no text ---------------------------------------


def model_dataclasses() -> list[type]:
    return [
        cls
        for cls in vars(figure_model).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == figure_model.__name__
    ]


def holds_text(annotation: object) -> bool:
    """``str``, a ``Literal`` of strings, or a type built of them (``str | None``, ``tuple[str, ...]``)."""
    if annotation is str:
        return True
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return any(isinstance(arg, str) for arg in args)
    return any(holds_text(arg) for arg in args)


def text_fields(cls: type) -> list[str]:
    """The fields of ``cls`` that can hold text, by their resolved types and by their written ones
    (a name only the type checker sees cannot be resolved: the written form still says ``str``)."""
    try:
        hints = typing.get_type_hints(cls, localns={"ArrayLike": object})
    except NameError:
        hints = {}
    found = []
    for f in dataclasses.fields(cls):
        written = f.type if isinstance(f.type, str) else repr(f.type)
        if holds_text(hints.get(f.name)) or re.search(r"\bstr\b|Literal\[\s*['\"]", written):
            found.append(f.name)
    return found


@pytest.mark.parametrize("cls", model_dataclasses(), ids=lambda cls: cls.__name__)
def test_every_text_field_of_the_model_is_read_or_named_as_no_text(cls: type) -> None:
    read, not_text = set(TEXT_FIELDS.get(cls, {})), set(NOT_TEXT.get(cls, ()))
    for name in text_fields(cls):
        assert name in read | not_text, (
            f"figure_model.{cls.__name__}.{name} can hold text: have lrplot/figure_text.py read it (TEXT_FIELDS, "
            "and figure_text's walk must reach it) or, if the figure never shows it as text, list it in NOT_TEXT"
        )
    assert not read & not_text, f"{cls.__name__}: {read & not_text} both read and named as no text"
    names = {f.name for f in dataclasses.fields(cls)}
    assert read | not_text <= names, f"{cls.__name__} has no field {(read | not_text) - names}"


def test_the_field_lists_name_only_the_models_classes() -> None:
    assert set(TEXT_FIELDS) | set(NOT_TEXT) <= set(model_dataclasses())


def sample() -> FigureModel:
    """A model with one of each dataclass of figure_model, every text field set."""
    panel = Panel(
        (
            Span(0, 1),
            VLine(1, color="0.45", linestyle="--", linewidth=1),
            Highlight([1], [2]),
            Line([0, 1], [1, 2], "a line", color="C0", linestyle="-"),
            Points([0, 1], [1, 2], "some points", color="C1"),
            Note(" a note", 1, 1, y_in_axes=True),
        ),
        title="a title",
        xlabel="x",
        ylabel="y",
        legend=Legend(10),
    )
    return FigureModel((panel, Panel(visible=False)), suptitle="sup", supxlabel="supx", supylabel="supy", caption="cap")


def swapped(item: object, cls: type, name: str, value: str, found: list[object]) -> object:
    """``item`` with ``name`` of every ``cls`` in it set to ``value`` (each such instance added to ``found``)."""
    if isinstance(item, tuple):
        return tuple(swapped(part, cls, name, value, found) for part in item)
    if not dataclasses.is_dataclass(item) or isinstance(item, type):
        return item
    changes = {f.name: swapped(getattr(item, f.name), cls, name, value, found) for f in dataclasses.fields(item)}
    if type(item) is cls:
        changes[name] = value
        found.append(item)
    return dataclasses.replace(item, **changes)


FIELDS = [(cls, name) for cls, names in TEXT_FIELDS.items() for name in names]
NOT_TEXT_FIELDS = [(cls, name) for cls, names in NOT_TEXT.items() for name in names]


@pytest.mark.parametrize(("cls", "name"), FIELDS, ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_every_text_field_reaches_the_text(cls: type, name: str) -> None:
    found: list[object] = []
    model = swapped(sample(), cls, name, "SENTINEL\nsecond row", found)
    assert found, f"the sample model has no {cls.__name__}: add one"
    lines = figure_text(model)  # type: ignore[arg-type]
    shown = [item for item in found if getattr(item, "visible", True)]  # a hidden panel shows nothing
    assert sum(line.endswith(": SENTINEL") for line in lines) == len(shown), lines
    assert sum(line.endswith(", line 2: second row") for line in lines) == len(shown), lines


@pytest.mark.parametrize(("cls", "name"), NOT_TEXT_FIELDS, ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_no_text_field_changes_the_text(cls: type, name: str) -> None:
    found: list[object] = []
    model = swapped(sample(), cls, name, "SENTINEL", found)
    assert found, f"the sample model has no {cls.__name__}: add one"
    assert figure_text(model) == figure_text(sample())  # type: ignore[arg-type]


def test_the_lines_roles_and_order() -> None:
    model = sample()
    plain = Panel((Line([0], [1], "no legend here"), Note("a\ttab and \x1b escape", 0, 1)), title="", xlabel="x")
    model = dataclasses.replace(model, panels=(*model.panels, plain))
    assert figure_text(model) == [
        "suptitle: sup",
        "supxlabel: supx",
        "supylabel: supy",
        "caption: cap",
        "panel 1 title: a title",
        "panel 1 xlabel: x",
        "panel 1 ylabel: y",
        "panel 1 legend: a line",
        "panel 1 legend: some points",
        "panel 1 note:  a note",
        # panel 2 is hidden: it shows nothing
        "panel 3 xlabel: x",
        "panel 3 label (no legend): no legend here",
        "panel 3 note: a\ttab and \\x1b escape",
    ]
    assert sidecar(model) == "\n".join([HEADER, *figure_text(model)]) + "\n"


def test_a_wrapped_title_gives_a_line_per_row() -> None:
    model = FigureModel((Panel(title="cosine_with_min_lr\nwarmup 100, T 1000\nmin_lr_rate 0.1"),))
    assert figure_text(model) == [
        "panel 1 title: cosine_with_min_lr",
        "panel 1 title, line 2: warmup 100, T 1000",
        "panel 1 title, line 3: min_lr_rate 0.1",
    ]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (["a: x", "b: y"], ["a: x", "b: y"], None),
        (["panel 1 title: cosine"], ["panel 1 title: cosine (x)"], "panel 1 title: 'cosine' is now 'cosine (x)'"),
        (["panel 1 note: n"], ["panel 1 legend: l"], "'panel 1 note: n' is now 'panel 1 legend: l'"),
        (["a: x", "b: y", "c: z"], ["a: x"], "'b: y' is gone (and 1 more line)"),
        (["a: x"], ["a: x", "b: y"], "'b: y' is new"),
        (["t: a", "x: s", "y: l"], ["t: a", "t, line 2: b", "x: s", "y: l"], "'t, line 2: b' is new"),
        (["t: a", "n: 1", "n: 2"], ["t: b", "n: 1"], "t: 'a' is now 'b'"),
    ],
)
def test_the_first_difference_in_words(old: list[str], new: list[str], said: str | None) -> None:
    assert first_difference(old, new) == said


# lrplot render --check -------------------------------------------------------------------------

SET = """out = "../figs"
[[figure]]
name = "warm"
title = "Figure 1: two warmups"
steps = 20
curve = [{ schedule = "linear", warmup = 5, label = "slow" }, { schedule = "linear", warmup = 5, label = "fast" }]

[[figure]]
name = "flat"
steps = 20
curve = [{ schedule = "constant" }]
"""


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    """A project with a small figure set, rendered (``figs/warm.*``, ``figs/flat.*``); the config's path."""
    (tmp_path / "pyproject.toml").write_text("")
    config = tmp_path / "configs" / "set.toml"
    config.parent.mkdir()
    config.write_text(SET)
    result = invoke("render", config)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
        f"{name}.{ext}" for name in ("flat", "warm") for ext in ("csv", "png", "txt")
    ]
    return config


def drifts(config: Path) -> list[str]:
    result = invoke("render", config, "--check")
    assert result.exit_code == (1 if result.stderr else 0), result.output
    assert "Traceback" not in result.output
    return result.stderr.splitlines()


def test_a_rendered_set_passes_the_check(rendered: Path) -> None:
    result = invoke("render", rendered, "--check")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 figures match their committed CSVs and texts (tolerance 1e-09)\n"
    text = (rendered.parent.parent / "figs" / "warm.txt").read_text()
    assert text.splitlines() == [
        HEADER,
        "panel 1 title: Figure 1: two warmups",
        "panel 1 xlabel: step (scheduler.last_epoch)",
        "panel 1 ylabel: learning rate",
        "panel 1 note:  warmup end (5)",
        "panel 1 legend: slow",
        "panel 1 legend: fast",
    ]


def test_a_changed_title_fails_the_check_naming_it(rendered: Path) -> None:
    rendered.write_text(SET.replace("Figure 1: two warmups", "Figure 1: two warmups (5 steps)"))
    assert drifts(rendered) == [
        "drift: warm: text changed: panel 1 title: 'Figure 1: two warmups' is now 'Figure 1: two warmups (5 steps)'"
    ]


def test_a_default_title_that_changes_with_a_parameter_fails_the_check(rendered: Path) -> None:
    rendered.write_text(SET.replace('{ schedule = "constant" }', '{ schedule = "constant", lr = [1.0] }'))
    assert drifts(rendered) == []  # the same figure
    rendered.write_text(SET.replace('"constant" }', '"constant_with_warmup", warmup = 0 }'))
    found = "drift: flat: text changed: panel 1 title: 'constant' is now 'constant_with_warmup (warmup 0)'"
    assert found in drifts(rendered)


def test_a_changed_legend_label_fails_the_check(rendered: Path) -> None:
    rendered.write_text(SET.replace('label = "fast"', 'label = "quick"'))
    found = drifts(rendered)
    assert "drift: warm: text changed: panel 1 legend: 'fast' is now 'quick'" in found
    assert any(line.startswith("drift: warm: columns [") for line in found)  # the CSV's header names it too


def test_a_missing_or_unreadable_text_fails_the_check(rendered: Path) -> None:
    figs = rendered.parent.parent / "figs"
    (figs / "warm.txt").unlink()
    (figs / "flat.txt").write_bytes(b"# lrplot figure text\npanel 1 title: \xff\n")
    assert drifts(rendered) == [
        f"drift: warm: no committed figure text at {figs / 'warm.txt'} (render writes it beside the CSV)",
        f"drift: flat: committed text {figs / 'flat.txt'} cannot be read: not UTF-8 text (byte 37 is not)",
    ]
    (figs / "warm.txt").mkdir()
    (figs / "flat.txt").write_text("panel 1 title: SECRET\n")
    assert drifts(rendered) == [
        f"drift: warm: {figs / 'warm.txt'} is not a file; not read",
        f"drift: flat: {figs / 'flat.txt'} has no lrplot figure-text header line; not compared",
    ]


def test_a_text_with_a_line_more_or_less_fails_the_check(rendered: Path) -> None:
    path = rendered.parent.parent / "figs" / "flat.txt"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")
    assert drifts(rendered) == ["drift: flat: text changed: 'panel 1 label (no legend): constant' is new"]
    path.write_text("\n".join([*lines, "panel 1 note: stale"]) + "\n")
    assert drifts(rendered) == ["drift: flat: text changed: 'panel 1 note: stale' is gone"]
    path.write_text("\r\n".join(lines) + "\r\n")  # a checkout with Windows line ends
    assert drifts(rendered) == []


def test_a_pure_value_change_is_reported_as_before(rendered: Path) -> None:
    path = rendered.parent.parent / "figs" / "flat.csv"
    lines = path.read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("7,"))
    lines[row] = "7,0.5"
    path.write_text("\n".join(lines) + "\n")
    assert drifts(rendered) == ["drift: flat: values drifted: largest deviation 0.5 at step 7 (constant)"]


def test_a_value_and_a_text_change_are_both_reported(rendered: Path) -> None:
    rendered.write_text(SET.replace('title = "Figure 1: two warmups"', 'title = "Figure 1"').replace("= 5", "= 6"))
    found = drifts(rendered)
    assert found[0].startswith("drift: warm: values drifted: largest deviation")
    assert found[1:] == ["drift: warm: text changed: panel 1 title: 'Figure 1: two warmups' is now 'Figure 1'"]


def test_check_draws_nothing(rendered: Path) -> None:
    modules = modules_imported_by_cli("render", str(rendered), "--check", "--jobs", "1")  # all in one process
    assert "lrplot.figure_text" in modules
    assert {name.split(".")[0] for name in modules} & {"matplotlib", "playwright"} == set()
    assert modules & {"lrplot.plot", "lrplot.html"} == set()  # the renderers (the CLI checks --width with terminal's)


def test_formats_choose_whether_a_set_writes_its_text(rendered: Path, tmp_path: Path) -> None:
    for fmt, written in [("png", ["png"]), ("txt", ["txt"]), ("json,csv", ["json", "csv", "txt"])]:
        out = tmp_path / fmt
        result = invoke("render", rendered, "--only", "flat", "--out", out, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert result.stdout.split() == [str(out / f"flat.{ext}") for ext in written]


def test_any_run_writes_its_text(tmp_path: Path) -> None:
    result = invoke("cosine", "--warmup", "3", "--steps", "10", "--format", "txt", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["cosine.txt"]
    assert (tmp_path / "cosine.txt").read_text().splitlines()[1:] == [
        "caption: peak 1 at step 3 \u00b7 final 0.0495156 at step 9",
        "panel 1 title: cosine (warmup 3, T 10, num_cycles 0.5)",
        "panel 1 xlabel: step (scheduler.last_epoch)",
        "panel 1 ylabel: learning rate",
        "panel 1 note:  warmup end (3)",
        "panel 1 label (no legend): cosine",
    ]
