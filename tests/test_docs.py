"""The docs follow the registry: a schedule without docs fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import lrplot

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("spec", lrplot.list_specs(), ids=lambda s: s.name)
def test_readme_lists_every_schedule(spec: lrplot.ScheduleSpec) -> None:
    assert f"| `{spec.name}` |" in (ROOT / "README.md").read_text()


def test_readme_starts_with_the_two_setup_commands() -> None:
    head = (ROOT / "README.md").read_text().split("## ")[0]
    assert "lrplot cosine --warmup 300 --steps 3000" in head
    assert "python -m pytest -q" in head
    assert "python -m pytest -q" in (ROOT / ".ci" / "run").read_text()


def test_readme_shows_a_figure_and_links_the_gallery() -> None:
    readme = (ROOT / "README.md").read_text()
    for target in ("docs/figures/readme_cosine.png", "docs/schedules.md", "docs/article.md"):
        assert f"]({target})" in readme
        assert (ROOT / target).exists()


def test_the_readme_figure_is_what_its_first_command_draws() -> None:
    from lrplot import configs

    command = "lrplot cosine --warmup 300 --steps 3000"
    readme = (ROOT / "README.md").read_text()
    assert command in readme.split("\n## ")[0] and "](docs/figures/readme_cosine.png)" in readme
    (figure,) = configs.load(ROOT / "configs" / "readme.toml").figures
    (curve,) = figure.curves
    assert (curve.schedule, dict(curve.params), figure.steps, figure.lr) == ("cosine", {"warmup": 300}, 3000, (1.0,))
    assert figure.options == lrplot.RunOptions()  # the command's optimizer, record, engine and interval


def test_ci_checks_the_committed_figures() -> None:
    assert "lrplot render configs/*.toml --check" in (ROOT / ".ci" / "run").read_text()


def test_readme_names_every_output_format() -> None:
    from lrplot.formats import FORMATS

    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `--format FMT`"))
    assert all(f"`{name}`" in row for name in FORMATS)


def test_readme_development_says_where_to_add_things() -> None:
    readme = (ROOT / "README.md").read_text()
    development = readme[readme.index("## Development") :]
    for words in ("**Add a schedule family:**", "**Add an output format:**", "**Add a recorded quantity:**"):
        assert words in development
    for path in ("lrplot/schedules/__init__.py", "lrplot/formats.py", "tests/example_family.py"):
        assert f"`{path}`" in development and (ROOT / path).exists()


def test_every_link_from_the_article_to_the_gallery_reaches_a_section() -> None:
    article = (ROOT / "docs" / "article.md").read_text()
    gallery = (ROOT / "docs" / "schedules.md").read_text()
    anchors = re.findall(r'<a id="([^"]+)"></a>', gallery)
    assert len(anchors) == len(set(anchors)), "an id appears twice on the page"
    links = re.findall(r"\]\(schedules\.md#([^)]*)\)", article)
    assert links and set(links) <= set(anchors)
    shown = set(re.findall(r"^\*\*`(\w+)`\*\*", article, re.MULTILINE))  # each schedule section of the article
    assert {link.split("-", 1)[1] for link in links} == shown
    assert "| option | default |" not in article  # the options are the gallery's


def test_a_resumed_figures_data_line_says_what_its_csv_holds() -> None:
    _, header, columns = lrplot.read_csv(ROOT / "docs" / "figures" / "fig10_cosine_resumed.csv")
    steps, runs = [int(s) for s in columns[0]], columns[header.index("run")]
    first = [s for s, r in zip(steps, runs, strict=True) if r == 1]
    second = [s for s, r in zip(steps, runs, strict=True) if r == 2]
    article = (ROOT / "docs" / "article.md").read_text()
    data = next(line for line in article.splitlines() if line.startswith("Data: [`fig10_cosine_resumed.csv`]"))
    assert f"columns {', '.join(header)};" in data
    assert f"run 1 (the first run): last_epoch {first[0]}..{first[-1]};" in data
    assert f": {second[0]}..{second[-1]}, so {first[-1] + 1} has no row" in data and second[0] == first[-1] + 2
    assert "resume_steps=2814 |" in article
