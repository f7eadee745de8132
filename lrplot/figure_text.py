"""Every text a figure shows, one per line: the ``txt`` format, and what ``render --check`` compares.

The text is read from the figure model (:mod:`lrplot.figure_model`), not from a
drawing, so it needs no matplotlib. Each line is a role and the text as drawn::

    suptitle: polynomial: power 1, 2 and 3
    caption: peak lr 1 at step 100, final lr 0.001
    panel 1 title: cosine
    panel 1 title, line 2: warmup 300, T 3000, num_cycles 0.5
    panel 1 xlabel: step (scheduler.last_epoch)
    panel 1 legend: cosine (num_cycles=2)
    panel 1 label (no legend): linear
    panel 1 note:  warmup end (300)

Panels are numbered from 1 in the model's order (a grid reads row by row); a
hidden panel shows nothing and has no lines. Figure texts come first, then each
panel's title and axis labels, then its artists' texts in drawing order. A curve's
label is a ``legend`` entry when the panel has a legend, else a ``label (no
legend)`` (the PNG does not show it; the terminal and HTML views may). A text of
several lines gives a line per row, the second marked ``, line 2`` and so on. A
text is written as it is, but for control characters other than a tab (which no
config may hold): those are written as escapes (``\\x1b``).

:data:`TEXT_FIELDS` and :data:`NOT_TEXT` between them name every text-typed field
of the model's dataclasses; a test fails on one that neither names.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from .figure_model import FigureModel, Line, Note, Panel, Points, Span, VLine

HEADER = (
    "# lrplot figure text: every text the figure shows, one per line (role: text). "
    "lrplot render CONFIG writes it beside the CSV; lrplot render CONFIG --check compares it."
)
MARKER = "# lrplot figure text"  # how a committed file shows it is one of these
# Each text field, by class, and the role its line is given.
TEXT_FIELDS: Mapping[type, Mapping[str, str]] = {
    FigureModel: {"suptitle": "suptitle", "supxlabel": "supxlabel", "supylabel": "supylabel", "caption": "caption"},
    Panel: {"title": "title", "xlabel": "xlabel", "ylabel": "ylabel"},
    Line: {"label": "legend"},
    Points: {"label": "legend"},
    Note: {"text": "note"},
}
# Text-typed fields that are no text the figure shows: how it is drawn, or what a panel holds.
NOT_TEXT: Mapping[type, tuple[str, ...]] = {
    Line: ("color", "linestyle"),
    Points: ("color", "marker"),
    VLine: ("color", "linestyle"),
    Note: ("ha", "va", "color"),
    Span: ("color",),
    Panel: ("quantity",),  # which track the y axis shows: its ylabel says so in words
}


def figure_text(model: FigureModel) -> list[str]:
    """Every text ``model`` shows, one line each, as the module describes."""
    lines = _texts(model, "")
    for number, panel in enumerate(model.panels, start=1):
        if not panel.visible:
            continue
        where = f"panel {number} "
        lines += _texts(panel, where)
        roles = {} if panel.legend is not None else {"legend": "label (no legend)"}
        for artist in panel.artists:
            lines += _texts(artist, where, roles)
    return lines


def sidecar(model: FigureModel) -> str:
    """The ``NAME.txt`` file: :data:`HEADER`, then :func:`figure_text`'s lines."""
    return "\n".join([HEADER, *figure_text(model)]) + "\n"


def committed_lines(text: str) -> list[str] | None:
    """The text lines of a committed sidecar, or ``None`` if it has no :data:`MARKER` line first."""
    head, _, rest = text.partition("\n")
    if not head.startswith(MARKER):
        return None
    return rest.splitlines()


def first_difference(old: Sequence[str], new: Sequence[str]) -> str | None:
    """The first place where ``old`` and ``new`` differ, said in words (a line changed, gone
    or new, as a diff sees it); ``None`` when they are equal."""
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "delete":
            return f"{old[i1]!r} is gone" + _more(i2 - i1 - 1)
        if tag == "insert":
            return f"{new[j1]!r} is new" + _more(j2 - j1 - 1)
        if tag == "replace":
            role, sep, text = old[i1].partition(": ")
            new_role, new_sep, new_text = new[j1].partition(": ")
            if sep and new_sep and role == new_role:
                return f"{role}: {text!r} is now {new_text!r}"
            return f"{old[i1]!r} is now {new[j1]!r}"
    return None


def _more(count: int) -> str:
    return f" (and {count} more line{'s' if count > 1 else ''})" if count else ""


def _texts(item: object, where: str, roles: Mapping[str, str] | None = None) -> list[str]:
    """The lines of ``item``'s text fields, each role renamed by ``roles`` where it says."""
    lines = []
    for name, role in TEXT_FIELDS.get(type(item), {}).items():
        text = getattr(item, name)
        if not text:  # None or "": nothing drawn
            continue
        role = (roles or {}).get(role, role)
        for i, row in enumerate(text.split("\n")):
            lines.append(f"{where}{role}{f', line {i + 1}' if i else ''}: {_escaped(row)}")
    return lines


def _escaped(row: str) -> str:
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in row)
