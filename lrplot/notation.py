"""How the documented formulas read: the key of their symbols, and names defined once.

A schedule's ``formula`` is its lr multiplier, ``lr / lr0``, in the language of
:mod:`lrplot.expression` (Python's notation) over the symbols of :data:`KEY` and
the schedule's own option names. A name that keeps a formula readable (``p``,
the progress after warmup) is a :class:`Definition`, shown as "where p = ...".
tests/test_formulas.py evaluates every such formula against the real scheduler,
so the text shown is the text tested. A schedule whose lr is no function of the
step alone (a metric, a composition, your code) has a formula in words instead,
and that test exempts it by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

KEY = (
    "lr multiplier = lr / lr0; s = the step (last_epoch), lr0 = the initial lr (--lr), W = warmup, "
    "T = training_steps, other names: the schedule's options; in Python's notation"
)
SYMBOLS = {"W": "warmup", "T": "training_steps"}  # the symbols of KEY that stand for an option
STEP, LR0 = "s", "lr0"

Code = Callable[[str], str]  # how a piece of formula is set: as is, or in backticks on a page


def as_is(text: str) -> str:
    return text


@dataclass(frozen=True)
class Definition:
    """A name a documented formula uses: ``name = text``, or one text per value of a choice.

    Attributes:
        name: the name, a plain identifier.
        text: what it stands for (empty with ``cases``).
        by: with ``cases``, the choice option that picks one of them.
        cases: (the option's value, the text) for each of its values.
        unset: ``name`` is an option of the schedule, and ``text`` is its value
            when it is not given (``min_lr_rate`` from ``min_lr``).
        meaning: what it is, in words, shown after it.
    """

    name: str
    text: str = ""
    by: str = ""
    cases: tuple[tuple[str, str], ...] = ()
    unset: bool = False
    meaning: str = ""

    def shown(self, code: Code = as_is) -> str:
        """``p = ..., what it is``, as ``lrplot list``, ``--help`` and the pages show it."""
        if self.cases:
            (value, text), *others = self.cases
            shown = f"{code(f'{self.name} = {text}')} for {self.by} {value}"
            shown += "".join(f", {code(text)} for {value}" for value, text in others)
        else:
            shown = code(f"{self.name} = {self.text}") + (" when not given" if self.unset else "")
        return f"{shown}, {self.meaning}" if self.meaning else shown


def where(definitions: Iterable[Definition], code: Code = as_is) -> str:
    """``where p = ...; m = ...``, or nothing without definitions."""
    shown = [d.shown(code) for d in definitions]
    return f"where {'; '.join(shown)}" if shown else ""
