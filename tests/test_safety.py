"""Nothing lost, nothing escapes: confined figure sets, protected inputs, all-or-nothing runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lrplot
from lrplot.cli.app import app

runner = CliRunner()
FIGURE = '[[figure]]\nname = "{name}"\nsteps = 5\ncurve = [{{ schedule = "constant" }}]\n'


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def one_error(result, code: int = 2) -> str:
    """The single ``Error:`` line of a failed run."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder (it holds a pyproject.toml), with a configs folder."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "configs").mkdir()
    return tmp_path


def write_set(path: Path, head: str = "", names: tuple[str, ...] = ("a",)) -> Path:
    path.write_text(head + "".join(FIGURE.format(name=n) for n in names))
    return path


# A set never overwrites what it reads ---------------------------------------------


def test_a_page_naming_its_own_config_is_refused_and_the_config_kept(project: Path) -> None:
    config = write_set(project / "configs" / "set.toml", 'page = "set.toml"\n')
    before = config.read_bytes()
    assert "key 'page': expected a markdown file ending in .md" in one_error(invoke("render", config))
    assert config.read_bytes() == before and files_in(project) == ["configs/set.toml", "pyproject.toml"]


def test_no_output_may_replace_a_config_of_the_run(project: Path) -> None:
    config = write_set(project / "configs" / "set.md", 'page = "set.md"\n')  # a TOML file named .md
    before = config.read_bytes()
    assert "would replace the config" in one_error(invoke("render", config))
    assert config.read_bytes() == before


# Names are plain file stems ----------------------------------------------------------


@pytest.mark.parametrize("name", ["../escaped", "/tmp/abs", "", ".hidden", "a\\u0000b", "two\\nlines", ".."])
def test_a_figure_name_that_is_not_a_plain_stem_is_refused(project: Path, name: str) -> None:
    config = write_set(project / "configs" / "set.toml", names=(name,))
    message = one_error(invoke("render", config, "--out", project / "out"))
    assert "figure 1: key 'name': expected" in message and "\n" not in message
    assert files_in(project) == ["configs/set.toml", "pyproject.toml"]


@pytest.mark.parametrize("name", ["../x", "/tmp/x", "a/b", ".x", ""])
def test_compare_name_that_is_not_a_plain_stem_is_refused(tmp_path: Path, name: str) -> None:
    message = one_error(invoke("compare", "constant", "linear", "--steps", "5", "--name", name, "--out", tmp_path))
    assert message.startswith("Error: --name: expected")
    assert files_in(tmp_path.parent / tmp_path.name) == [] and not (tmp_path.parent / "x.png").exists()


def test_the_python_api_refuses_a_stem_with_a_folder(tmp_path: Path) -> None:
    trace = lrplot.curve("constant", 3)
    with pytest.raises(lrplot.ParameterError, match="^stem: "):
        lrplot.write_curve(trace, tmp_path, stem="../x")


# out and page stay inside the set's folder tree -------------------------------------


@pytest.mark.parametrize(
    ("head", "key"),
    [('out = "/tmp/lrplot-elsewhere"\n', "out"), ('out = "../../.."\n', "out"), ('page = "../../../x.md"\n', "page")],
)
def test_out_and_page_outside_the_project_are_refused(project: Path, head: str, key: str) -> None:
    config = write_set(project / "configs" / "set.toml", head)
    message = one_error(invoke("render", config))
    assert f"key '{key}':" in message and "is outside" in message and "(--allow-outside permits it)" in message
    assert files_in(project) == ["configs/set.toml", "pyproject.toml"] and not Path("/tmp/lrplot-elsewhere").exists()


def test_allow_outside_lifts_the_confinement(tmp_path: Path, project: Path) -> None:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    config = write_set(project / "configs" / "set.toml", f'out = "{elsewhere}"\n')
    try:
        result = invoke("render", config, "--allow-outside", "--format", "csv")
        assert result.exit_code == 0, result.output
        assert (elsewhere / "a.csv").exists()
    finally:
        for path in elsewhere.glob("*"):
            path.unlink()
        elsewhere.rmdir()


def test_a_set_outside_any_project_may_write_only_in_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    config = write_set(tmp_path / "sub" / "set.toml", 'out = "../figs"\n')
    assert "is outside" in one_error(invoke("render", config))
    write_set(config, 'out = "figs"\n')
    assert invoke("render", config, "--format", "csv").exit_code == 0
    assert files_in(tmp_path) == ["sub/figs/a.csv", "sub/set.toml"]


def test_an_out_folder_that_links_outside_is_refused(project: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (project / "figs").symlink_to(outside)
    config = write_set(project / "configs" / "set.toml", 'out = "../figs"\n')
    assert "key 'out':" in one_error(invoke("render", config))
    assert list(outside.iterdir()) == []


def test_the_out_option_may_be_anywhere(project: Path, tmp_path_factory) -> None:
    out = tmp_path_factory.mktemp("chosen")
    config = write_set(project / "configs" / "set.toml", 'out = "/nowhere"\n')
    assert invoke("render", config, "--out", out, "--format", "csv").exit_code == 0
    assert files_in(out) == ["a.csv"]


# render --check reads only inside the tree, and never echoes a file ---------------------


def test_check_does_not_follow_a_committed_csv_linked_outside(project: Path, tmp_path_factory) -> None:
    secret = tmp_path_factory.mktemp("secret") / "key.txt"
    secret.write_text("TOP-SECRET-VALUE\n")
    config = write_set(project / "configs" / "set.toml", 'out = "../figs"\n')
    assert invoke("render", config, "--format", "csv").exit_code == 0
    (project / "figs" / "a.csv").unlink()
    (project / "figs" / "a.csv").symlink_to(secret)
    result = invoke("render", config, "--check")
    assert result.exit_code == 1 and "leads outside" in result.stderr and "not read" in result.stderr
    assert "TOP-SECRET" not in result.output


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("step,lr\nroot:x:0:0:TOP-SECRET\n", "line 2: expected 2 numbers"),
        ("step,lr\n0,1.0\n1,1.0,7\n", "line 3: 3 values, but the header names 2 columns"),
        ("step,lr\n0\n", "line 2: 1 values, but the header names 2 columns"),
        ("# lrplot: {not json TOP-SECRET\nstep,lr\n", "line 1: the metadata is not valid JSON"),
    ],
)
def test_check_reports_a_malformed_csv_by_line_without_quoting_it(project: Path, content: str, reason: str) -> None:
    config = write_set(project / "configs" / "set.toml", 'out = "../figs"\n')
    (project / "figs").mkdir()
    (project / "figs" / "a.csv").write_text(content)
    result = invoke("render", config, "--check")
    assert result.exit_code == 1 and reason in result.stderr, result.output
    assert "TOP-SECRET" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("tolerance", ["nan", "-1", "inf", "-inf"])
def test_check_tolerance_must_be_finite_and_not_negative(tolerance: str) -> None:
    message = one_error(invoke("render", "configs/article.toml", "--check", "--tolerance", tolerance))
    assert message.startswith("Error: --tolerance: expected a finite number >= 0")


# All or nothing across figures and sets ---------------------------------------------------


def test_a_failing_set_leaves_every_earlier_sets_files_unchanged(project: Path) -> None:
    first = write_set(project / "configs" / "first.toml", 'out = "../figs"\n', names=("a", "b"))
    bad = project / "configs" / "second.toml"
    bad.write_text('out = "../figs"\n[[figure]]\nname = "c"\ncurve = [{ schedule = "linear", warmup = -1 }]\n')
    (project / "figs").mkdir()
    (project / "figs" / "a.csv").write_text("old\n")
    assert "warmup" in one_error(invoke("render", first, bad, "--format", "csv"))
    assert files_in(project / "figs") == ["a.csv"] and (project / "figs" / "a.csv").read_text() == "old\n"


def test_two_sets_writing_one_file_is_an_error(project: Path) -> None:
    first = write_set(project / "configs" / "first.toml", 'out = "../figs"\n')
    second = write_set(project / "configs" / "second.toml", 'out = "../figs"\n')
    assert "is written by another figure of this run too" in one_error(invoke("render", first, second))
    assert not (project / "figs").exists()


# Labels round-trip through the CSV ------------------------------------------------------------


def test_a_label_with_newline_comma_and_quotes_round_trips_and_checks(project: Path) -> None:
    label = 'warm, "up"\nand down'
    config = project / "configs" / "set.toml"
    config.write_text(
        'out = "../figs"\n[[figure]]\nname = "a"\nsteps = 5\n'
        f'curve = [{{ schedule = "constant", label = {json.dumps(label)} }}, {{ schedule = "linear" }}]\n'
    )  # a JSON string is a TOML basic string
    assert invoke("render", config, "--format", "csv").exit_code == 0
    _, header, _ = lrplot.read_csv(project / "figs" / "a.csv")
    assert header == ["step", label, "linear"]
    result = invoke("render", config, "--check")
    assert result.exit_code == 0, result.output


def test_written_files_are_readable_by_others_as_before(tmp_path: Path) -> None:
    assert invoke("constant", "--steps", "3", "--format", "csv", "--out", tmp_path).exit_code == 0
    assert os.stat(tmp_path / "constant.csv").st_mode & 0o644 == 0o644
