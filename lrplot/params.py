"""Schedule parameters: their kinds, ranges, defaults and checks.

A :class:`Param` checks one value and says in words what would be valid. The
kinds cover what schedulers take: numbers, named choices, switches, step counts
that may be given as a fraction of training, lists of steps (milestones), one
number per param group (``max_lr``), a file (a metrics log) or a name in it, and
nested schedules (the children of a composition), given as ``NAME:key=value,...``.
"""

from __future__ import annotations

import keyword
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .errors import CurveSyntaxError, LrplotWarning, ParameterError
from .limits import MAX_NESTING, check_magnitude, check_text, is_number, shown

Kind = Literal[
    "int", "float", "count", "choice", "bool", "ints", "floats", "text", "file", "schedule", "schedules",
    "expression", "variables", "assignments", "factory",
]  # fmt: skip
Value = object  # once checked: int, float, bool, str, a tuple of int or float, a ScheduleRequest or a tuple
# of them, Assignments
TRUE, FALSE = ("true", "True"), ("false", "False")  # a switch as text (the curve syntax)
KIND_WORDS = {  # what is valid, for kinds without bounds
    "count": "a whole step count >= 0, or a fraction in [0, 1) of the training steps",
    "schedule": "a schedule: NAME, or (NAME:key=value,...)",
    "schedules": "one or more schedules: (NAME:key=value,...),(NAME:...)",
    "bool": "true or false",
    "text": "a name",
    "file": "a file path",
    "expression": "a formula of the step s",
    "variables": "NAME=NUMBER, repeated (a table in a figure set)",
    "assignments": "KEY=VALUE, repeated (a table in a figure set)",
    "factory": "FILE.py:NAME or package.module:NAME",
}
NUMBER_WORDS = {
    "int": "a whole number",
    "float": "a finite number",
    "ints": "a comma-separated list of whole numbers",
    "floats": "a number",
}


class InputFile(str):
    """A file parameter's path as written in a figure set, relative to the set's folder.

    It reads, prints and compares as written (so pages and CSVs are the same
    from any working folder); :attr:`path` is where the file is.
    """

    folder: str

    def __new__(cls, text: str, folder: str) -> InputFile:
        self = super().__new__(cls, text)
        self.folder = folder
        return self

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # pickled with its folder
        return str(self), self.folder

    @property
    def path(self) -> str:
        return os.path.join(self.folder, self)


def file_path(value: object) -> str:
    """Where a file parameter's file is: an :class:`InputFile`'s path, or the text itself."""
    return value.path if isinstance(value, InputFile) else str(value)


class Assignments(dict[str, object]):
    """``NAME=VALUE`` pairs: a formula's variables, or the keywords passed to a user's factory.

    It reads back from its :meth:`text`, ``NAME=VALUE,NAME=VALUE``.
    """

    def text(self) -> str:
        return ",".join(f"{k}={text_of(v)}" for k, v in self.items())


class Required:
    """The default of a parameter the user must give."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = Required()


@dataclass(frozen=True)
class ScheduleRequest:
    """A schedule named by the user, not yet resolved: a child of a composition."""

    name: str
    params: Mapping[str, Value] = field(default_factory=dict)

    def text(self) -> str:
        """``NAME`` or ``NAME:key=value,...``."""
        given = ",".join(f"{k}={text_of(v)}" for k, v in self.params.items())
        return f"{self.name}:{given}" if given else self.name


@dataclass(frozen=True)
class Param:
    """One parameter of a schedule.

    ``kind`` is one of :data:`Kind`: ``count`` is a whole step count, or a
    fraction below 1 of the training steps (as transformers' ``warmup_steps``);
    ``ints`` a list of whole numbers (``100,200``); ``floats`` one number, or
    one per param group (the registry checks the count); ``bool`` a switch;
    ``text`` a short name; ``file`` a path (read when the schedule is built);
    ``schedule`` a nested schedule (``NAME:key=value,...``) and ``schedules`` a
    list of them (``(NAME:...),(NAME:...)``). A default of ``None`` means optional and
    unset; :data:`REQUIRED` means the user must give it. ``low``/``high`` bound
    numbers and each element of a list.
    """

    name: str
    kind: Kind
    default: Value
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # True: the value must be strictly above ``low``
    high_open: bool = False
    choices: tuple[str, ...] = ()
    valid: str = ""  # words for what is valid, where the kind's own do not fit (JSON text)
    metavar: str = ""  # the value's name in help, where the kind's own does not fit

    def __post_init__(self) -> None:
        # The default is checked where it is declared, so it is in checked form
        # (a list as a tuple, a schedule as a request) like any given value.
        if self.default is not None and not self.required:
            try:
                object.__setattr__(self, "default", self.check(self.default))
            except ParameterError as e:
                raise ValueError(f"the default of parameter {self.name!r} is not valid: {e.reason}") from None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def default_text(self) -> str:
        """The default for docs: a value, ``required``, or ``-`` (optional, unset)."""
        if self.required:
            return "required"
        return "-" if self.default is None else text_of(self.default)

    def valid_range(self) -> str:
        """Words for what is valid, for help text and error messages."""
        if self.valid:
            return self.valid
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind in KIND_WORDS:
            return KIND_WORDS[self.kind]
        per_group = ", or one per param group" if self.kind == "floats" else ""
        return NUMBER_WORDS[self.kind] + self._bounds() + per_group

    def _bounds(self) -> str:
        bounds = []
        if self.low is not None:
            bounds.append(f"{'>' if self.low_open else '>='} {_fmt(self.low)}")
        if self.high is not None:
            bounds.append(f"{'<' if self.high_open else '<='} {_fmt(self.high)}")
        return " " + " and ".join(bounds) if bounds else ""

    def check(self, value: object) -> Value:
        """The value converted to this kind, or a ParameterError."""
        if self.kind == "choice":
            if value not in self.choices:
                raise self._bad(shown(value))
            return value
        if self.kind == "bool":
            return self._check_bool(value)
        if self.kind in ("ints", "floats"):
            return self._check_list(value)
        if self.kind in ("text", "file"):
            return self._check_text(value)
        if self.kind == "schedule":
            return self._check_schedule(value)
        if self.kind == "schedules":
            return self._check_schedules(value)
        if self.kind == "expression":
            from .expression import check_formula_text

            return check_formula_text(value)
        if self.kind in ("variables", "assignments"):
            return self._check_assignments(value)
        if self.kind == "factory":
            where, _, name = str(value).strip().rpartition(":") if isinstance(value, str) else ("", "", "")
            if not where.strip() or not name.isidentifier():
                raise self._bad(shown(value))
            return self._check_text(value)
        return self._check_number(value)

    def _bad(self, got: str) -> ParameterError:
        return ParameterError(self.name, f"expected {self.valid_range()}, got {got}")

    def _check_number(self, value: object) -> int | float:
        if not is_number(value):
            raise self._bad(str(value) if isinstance(value, float) else shown(value))
        check_magnitude(self.name, value)
        fractional = value != int(value)
        if (self.kind in ("int", "ints") and fractional) or (self.kind == "count" and value >= 1 and fractional):
            raise self._bad(str(value))
        number: int | float = float(value) if self.kind in ("float", "floats") else value
        if self.kind in ("int", "ints"):
            number = int(value)
        too_low = self.low is not None and (number <= self.low if self.low_open else number < self.low)
        too_high = self.high is not None and (number >= self.high if self.high_open else number > self.high)
        if self.kind == "count":
            too_low, too_high = number < 0, False
        if too_low or too_high:
            raise self._bad(_fmt(number))
        return number

    def _check_list(self, value: object) -> tuple[int | float, ...]:
        items: object = value
        if isinstance(value, str):
            items = [parse_value(v.strip()) for v in value.split(",")] if value.strip() else []
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            items = [value]
        if not isinstance(items, (list, tuple)) or not items:
            raise self._bad(shown(value))
        return tuple(self._check_number(item) for item in items)

    def _check_bool(self, value: object) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in TRUE + FALSE:
            return value in TRUE
        raise self._bad(shown(value))

    def _check_text(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self._bad(shown(value))
        check_text(self.name, value)
        return value

    def _check_assignments(self, value: object) -> Assignments:
        """From a table, ``NAME=VALUE,...`` text, or a list of ``NAME=VALUE`` texts (a repeated option)."""
        items: dict[str, object] = {}
        if isinstance(value, Mapping):
            items = dict(value)
        elif isinstance(value, str | list | tuple):
            texts = [value] if isinstance(value, str) else list(value)
            for text in texts:
                if not isinstance(text, str):
                    raise self._bad(shown(value))
                for entry in _split(text, self.name) if text.strip() else []:
                    name, eq, given = entry.partition("=")
                    if not eq or not name.strip() or not given.strip():
                        raise self._bad(shown(entry.strip()))
                    items[name.strip()] = _boolean(parse_value(_unwrap(given.strip())))
        else:
            raise self._bad(shown(value))
        if self.kind == "variables":
            from .expression import check_variables

            return Assignments(check_variables(items, self.name))
        for key, item in items.items():
            plain = isinstance(key, str) and key.isascii() and key.isidentifier() and not keyword.iskeyword(key)
            if not plain:  # a keyword or a letter Python would normalise cannot be passed as written
                raise ParameterError(self.name, f"expected KEY=VALUE, KEY a plain ASCII Python name, got {shown(key)}")
            if isinstance(item, float) and not is_number(item):
                raise ParameterError(self.name, f"{key}: expected a finite number, got {item}")
            if not isinstance(item, str | int | float):  # a bool is an int
                raise ParameterError(self.name, f"{key}: expected a number, true/false or text, got {shown(item)}")
            if isinstance(item, str):
                check_text(self.name, item)
        return Assignments(items)

    def _check_schedules(self, value: object) -> tuple[ScheduleRequest, ...]:
        items: object = value
        if isinstance(value, str):
            items = _split(value.strip(), self.name) if value.strip() else []
            inner = _unwrap(items[0].strip()) if len(items) == 1 else ""
            if inner.startswith("("):  # the whole list in parentheses: ((NAME:...),(NAME))
                items = _split(inner, self.name)
            items = _rejoin(items)
        elif isinstance(value, (ScheduleRequest, Mapping)):
            items = [value]
        if not isinstance(items, (list, tuple)) or not items:
            raise self._bad(shown(value))
        return tuple(self._check_schedule(item) for item in items)

    def _check_schedule(self, value: object) -> ScheduleRequest:
        if isinstance(value, ScheduleRequest):
            return value
        if isinstance(value, str) and value.strip():
            return parse_request(value)
        if isinstance(value, Mapping) and isinstance(value.get("schedule"), str):
            return ScheduleRequest(value["schedule"], {k: v for k, v in value.items() if k != "schedule"})
        raise self._bad(shown(value))


def _rejoin(items: list[str]) -> list[str]:
    """Children split at every comma, each ``key=value`` put back on the child it follows: a
    schedule name holds no ``=``, so ``NAME:a=1``, ``b=2`` is one child (its parentheses were
    taken off as the curve syntax read it)."""
    children: list[str] = []
    for item in items:
        text = item.strip()
        is_param = "=" in text and ":" not in text.split("=", 1)[0] and not text.startswith("(")
        if children and is_param:
            children[-1] += f",{text}"
        else:
            children.append(text)
    return children


def text_of(value: Value) -> str:
    """A value as text its parameter takes back: a list as ``2,4``, a schedule
    (anything with a ``text()``) as ``NAME`` or ``(NAME:key=value,...)``, a
    list of schedules as ``((NAME:...),(NAME))``, a switch as ``true``."""
    if isinstance(value, tuple) and value and all(callable(getattr(v, "text", None)) for v in value):
        return "(" + ",".join(f"({v.text()})" for v in value) + ")"
    if isinstance(value, tuple):
        return ",".join(map(text_of, value))
    if isinstance(value, bool):
        return str(value).lower()
    text = getattr(value, "text", None)
    if callable(text):
        words = str(text())
        return f"({words})" if ":" in words or "," in words else words
    return repr(value) if isinstance(value, float) else str(value)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


# The text form of a schedule and its parameters: NAME:key=value,key=value ----------
#
# A list continues over commas (``milestones=100,200``); a nested schedule with
# parameters of its own goes in parentheses (``then=(cosine:warmup=0,num_cycles=1)``).


def parse_request(text: str) -> ScheduleRequest:
    """``NAME`` or ``NAME:key=value,key=value`` (keys may be hyphenated), maybe in parentheses."""
    inner = _unwrap(text.strip())
    name, _, rest = inner.partition(":")
    items = parse_assignments(rest, f"curve '{text}'") if rest.strip() else {}
    return ScheduleRequest(name.strip(), items)


def parse_assignments(text: str, where: str) -> dict[str, Value]:
    """``a=1,b-c=x,l=1,2`` -> ``{"a": 1, "b_c": "x", "l": "1,2"}``; single numbers
    become int or float, lists (of numbers, or of parenthesized schedules) stay
    text for their parameter to check."""
    out: dict[str, Value] = {}
    raw: dict[str, str] = {}  # each value as written, for a list to continue
    key = ""
    for item in _split(text, where):
        # The next element of a list: a number, or a schedule in parentheses (which may hold '=').
        if key and (_is_number(item.strip()) or item.strip().startswith("(")):
            out[key] = raw[key] = f"{raw[key]},{item.strip()}"
            continue
        name, eq, value = item.partition("=")
        key = name.strip().lstrip("-").replace("-", "_")
        if not eq or not key or not value.strip():
            raise CurveSyntaxError(
                f"{where}: expected key=value, got {item.strip()!r} (syntax: NAME:key=value,key=value)"
            )
        if key in out:
            warnings.warn(LrplotWarning(f"{where}: {key} is given twice; the last value is used"), stacklevel=2)
        raw[key] = value.strip()
        out[key] = parse_value(_unwrap(value.strip()))
    return out


def _split(text: str, where: str) -> list[str]:
    """``text`` cut at the commas outside parentheses."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
        if depth > 2 * MAX_NESTING:  # two per level: schedulers=((NAME:...),(NAME))
            raise CurveSyntaxError(f"{where}: schedules nested more than {MAX_NESTING} deep")
        if char == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    if depth != 0:
        raise CurveSyntaxError(f"{where}: unbalanced parentheses in {text!r}")
    return [*items, text[start:]]


def _unwrap(text: str) -> str:
    """``text`` without one pair of parentheses around the whole of it."""
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and 0 < i < len(text) - 1:
            return text  # "(a),(b)": not one pair around the whole
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def _is_number(text: str) -> bool:
    return not isinstance(parse_value(text), str)


def _boolean(value: object) -> object:
    """``true``/``false`` as a switch; anything else as it is."""
    return value in TRUE if value in TRUE + FALSE else value


def parse_value(text: str) -> int | float | str:
    """An int, else a float, else the text itself."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text
