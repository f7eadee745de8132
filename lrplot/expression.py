"""A user's formula of the step: ``lambda_lr``'s multiplier, read safely.

The text is parsed once with :mod:`ast` and every node is checked against a
whitelist (numbers, ``s``, ``pi``, ``e``, the given variables, arithmetic,
comparisons, ``and/or/not``, ``x if c else y`` and a few functions); nothing of
it is ever ``eval``'d. The checked tree is compiled into the two evaluators every
closed-form formula has (:class:`~lrplot.piecewise.Piecewise`): closures on one
Python float, for ``LambdaLR``, and closures on numpy arrays, for the numpy engine.

Semantics are Python's on floats: ``s``, numbers and variables are floats, a
comparison or ``not`` is 1.0 or 0.0 (so no exact int arithmetic creeps in through
``True + True``), and an operation Python refuses (a division by zero, ``**`` or
``exp`` overflowing, the log of 0, a negative number to a fractional power) is an
error that names the step and the part of the formula. The array closures check
for the same conditions and evaluate a branch only where it is taken, as Python
does, so both engines accept and refuse the same steps. Constant parts are
computed once, when the formula is read: one that always runs and fails
(``9**9**9``) is refused before any step; one in a branch (``1 / W if W else 1``)
fails only at a step that takes it, as in Python. With floats no operation costs
more than one machine operation, and the length and depth limits bound the work
per step.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .errors import ParameterError
from .limits import check_magnitude, is_number, shown
from .piecewise import Piecewise

MAX_LENGTH = 1000  # characters of a formula
MAX_DEPTH = 100  # nested operations (a chain of 100 additions nests 100 deep)
MAX_VARIABLES = 50
STEP = "s"
CONSTANTS = {"pi": math.pi, "e": math.e}
PARAM = "expr"  # the parameter errors name


def _floor(x: float) -> float:
    return float(math.floor(x))  # a float, as numpy's: an int would change later arithmetic


def _ceil(x: float) -> float:
    return float(math.ceil(x))


# name -> (the scalar function, how many arguments: least, most (None: any))
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "min": (min, 2, None),
    "max": (max, 2, None),
    "abs": (abs, 1, 1),
    "floor": (_floor, 1, 1),
    "ceil": (_ceil, 1, 1),
    "sqrt": (math.sqrt, 1, 1),
    "exp": (math.exp, 1, 1),
    "log": (math.log, 1, 1),
    "log2": (math.log2, 1, 1),
    "log10": (math.log10, 1, 1),
    "cos": (math.cos, 1, 1),
    "sin": (math.sin, 1, 1),
    "tan": (math.tan, 1, 1),
    "tanh": (math.tanh, 1, 1),
}
# Names a variable may not take: the language's own, and the script's (lrplot.scripts).
RESERVED = {STEP, *CONSTANTS, *FUNCTIONS, "math", "float", "step"}

BINARY: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod),
    ast.Pow: ("**", operator.pow),
}
COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
REFUSED = {  # what a node that is not in the language is called, for the message
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "subscripts ('[...]')",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.NamedExpr: "assignment (':=')",
    ast.Starred: "'*' unpacking",
    ast.Tuple: "tuples (a comma outside a call)",
    ast.List: "lists",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}
SYMBOLS: dict[type[ast.AST], str] = {  # operators Python has and the language has not
    ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
    ast.Invert: "~", ast.In: "in", ast.NotIn: "not in", ast.IsNot: "is not",
}  # fmt: skip
WORDS = (
    "numbers, s (the step), pi, e, your --var names, + - * / // % **, comparisons, and/or/not, "
    f"x if c else y, and the functions {' '.join(FUNCTIONS)}"
)


class _Failed(Exception):
    """A step Python would refuse; ``what`` names the part of the formula and why."""

    def __init__(self, what: str = "") -> None:
        super().__init__(what)
        self.what = what


Scalar = Callable[[float], Any]  # a compiled node on one step (float, or bool for a comparison)
Vector = Callable[[Any], Any]  # the same node on a float64 array of steps (an array, or a float constant)


def _refuse(reason: str) -> ParameterError:
    return ParameterError(PARAM, reason)


def check_formula_text(text: object) -> str:
    """``text`` as a formula's text: a number or text of at most MAX_LENGTH printable ASCII characters,
    parsed and made only of the language (names are checked against the variables later)."""
    if is_number(text):
        check_magnitude(PARAM, text)
        text = repr(float(text)) if isinstance(text, float) else str(text)
    if not isinstance(text, str) or not text.strip():
        raise _refuse(f"expected a formula of the step s (e.g. 'min(1, s / 300)'), got {shown(text)}")
    text = text.strip()
    if len(text) > MAX_LENGTH:
        raise _refuse(f"expected at most {MAX_LENGTH} characters, got {len(text)}")
    for column, char in enumerate(text, 1):
        if not (" " <= char <= "~"):  # look-alike letters, NUL, control characters: Python would normalise or choke
            raise _refuse(f"expected plain ASCII, got {char!r} (U+{ord(char):04X}) at column {column}")
    _Reader(text, None).read()
    return text


def _parse(text: str) -> ast.expr:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        where = f" at column {e.offset}" if e.offset else ""
        raise _refuse(f"not a formula: {e.msg}{where} (the language: {WORDS})") from None
    except (ValueError, RecursionError, MemoryError):
        raise _refuse(f"not a formula (the language: {WORDS})") from None
    return tree.body


class _Reader:
    """Checks a formula's tree node by node and compiles it (``variables`` None: check only).

    ``vector``: build the array closures too (numpy is imported only then).
    """

    def __init__(self, text: str, variables: Mapping[str, int | float] | None, vector: bool = False) -> None:
        self.text = text
        self.variables = variables
        self.vector = vector
        self.used: set[str] = set()

    def read(self) -> tuple[Scalar | float, Vector | float | None]:
        return self._node(_parse(self.text), 0, False)

    def _segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or self.text

    def _node(self, node: ast.AST, depth: int, branch: bool) -> tuple[Scalar | float, Vector | float | None]:
        """The node's scalar and vector closures, or its value twice when it is constant.

        ``branch``: the node runs only at the steps that take a branch (``x if c else y``,
        a later operand of ``and``/``or`` or of a chained comparison).
        """
        if depth > MAX_DEPTH:
            raise _refuse(f"nested more than {MAX_DEPTH} deep")
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        operands = _operands(node, self)
        later = _later_operands(node)
        children = [self._node(child, depth + 1, branch or i >= later) for i, child in enumerate(operands)]
        if all(isinstance(s, int | float) for s, _ in children):
            return self._folded(node, [s for s, _ in children], branch)
        return self._compiled(node, children)

    def _constant(self, node: ast.Constant) -> tuple[float, float]:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _refuse(f"{shown(value)} is not a number; the language: {WORDS}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise _refuse(f"the number {self._segment(node)[:40]} is too large for a float")
        return number, number

    def _name(self, node: ast.Name) -> tuple[Scalar | float, Vector | float]:
        name = node.id
        if name == STEP:
            return _identity, _identity
        if name in CONSTANTS:
            return CONSTANTS[name], CONSTANTS[name]
        if name in FUNCTIONS:
            raise _refuse(f"{name} is a function: call it, as {name}(x)")
        if self.variables is None:  # checking the text alone: variables come later
            return _identity, _identity
        if name not in self.variables:
            given = f"the variables given: {', '.join(self.variables)}" if self.variables else "no variables given"
            raise ParameterError(
                PARAM, f"unknown name {name!r} ({given}; the step is s): give it with var {name}=VALUE", ("var",)
            )
        self.used.add(name)
        value = float(self.variables[name])
        return value, value

    def _folded(self, node: ast.AST, values: list[Any], branch: bool) -> tuple[Any, Any]:
        """A constant part, computed now with the scalar closure (Python's arithmetic); one that
        fails is refused now, or, in a branch, fails at the steps that take it."""
        scalar, _ = self._compiled(node, [(v, v) for v in values], vector=False)
        try:
            value = scalar(0.0)
        except _Failed as e:
            if not branch:
                raise _refuse(f"cannot be computed: {e.what}") from None
            return _failing(e.what), _failing_vector(e.what) if self.vector else None
        return value, value

    def _compiled(
        self, node: ast.AST, children: list[tuple[Any, Any]], vector: bool | None = None
    ) -> tuple[Scalar, Vector | None]:
        """The node's scalar closure, and its array closure when ``vector`` (default: the reader's)."""
        scalars = [s for s, _ in children]
        vectors = [v for _, v in children]
        what = self._segment(node)
        arrays = self.vector if vector is None else vector
        if isinstance(node, ast.BinOp):
            binary = type(node.op)
            return _binary(binary, scalars, what), _binary_vector(binary, vectors, what) if arrays else None
        if isinstance(node, ast.UnaryOp):
            unary = type(node.op)
            return _unary(unary, scalars[0]), _unary_vector(unary, vectors[0]) if arrays else None
        if isinstance(node, ast.Compare):
            ops = [COMPARE[type(op)] for op in node.ops]
            return _compare(ops, scalars), _compare_vector(ops, vectors) if arrays else None
        if isinstance(node, ast.BoolOp):
            both = isinstance(node.op, ast.And)
            return _bool_op(both, scalars), _bool_op_vector(both, vectors) if arrays else None
        if isinstance(node, ast.IfExp):  # children: test, body, orelse
            return _if(*scalars), _if_vector(*vectors) if arrays else None
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        name = node.func.id
        return _call(name, scalars, what), _call_vector(name, vectors, what) if arrays else None


def _later_operands(node: ast.AST) -> int:
    """The index of the first operand that runs only at some steps (Python's short-circuits)."""
    if isinstance(node, ast.IfExp):
        return 1  # body and orelse
    if isinstance(node, ast.BoolOp):
        return 1
    if isinstance(node, ast.Compare):
        return 2  # a < b < c: c runs where a < b
    return 1 << 30


def _failing(what: str) -> Scalar:
    def fail(s: float) -> Any:
        raise _Failed(what)

    return fail


def _failing_vector(what: str) -> Vector:
    def fail(s: Any) -> Any:
        if _np().size(s):
            raise _Failed(what)
        return _np().zeros(_np().shape(s))

    return fail


def _operands(node: ast.AST, reader: _Reader) -> list[ast.AST]:
    """The operands of a node of the language, in evaluation order; anything else is refused."""
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
        return [node.operand]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.Compare) and all(type(op) in COMPARE for op in node.ops):
        return [node.left, *node.comparators]
    if isinstance(node, ast.IfExp):
        return [node.test, node.body, node.orelse]
    if isinstance(node, ast.Call):
        return _arguments(node, reader)
    if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Compare):
        op: ast.AST = node.ops[0] if isinstance(node, ast.Compare) else node.op
        raise _refuse(f"the operator {SYMBOLS.get(type(op), 'is')!r} is not in the language ({WORDS})")
    kind = REFUSED.get(type(node), type(node).__name__)
    raise _refuse(f"{kind} not allowed in {reader._segment(node)[:40]!r}; the language: {WORDS}")


def _arguments(node: ast.Call, reader: _Reader) -> list[ast.AST]:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name not in FUNCTIONS:
        called = name or reader._segment(node.func)[:40]
        if isinstance(node.func, ast.Attribute):
            raise _refuse(f"attribute access ('.') not allowed in {called!r}; the language: {WORDS}")
        raise _refuse(f"unknown function {called!r}; valid: {', '.join(FUNCTIONS)}")
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise _refuse(f"{name}() takes plain arguments only (no keywords, no '*')")
    _, least, most = FUNCTIONS[name]
    if len(node.args) < least or (most is not None and len(node.args) > most):
        count = f"{least}" if least == most else f"{least} or more"
        raise _refuse(f"{name}() takes {count} argument{'s' if count != '1' else ''}, got {len(node.args)}")
    return list(node.args)


def _identity(s: Any) -> Any:
    return s


# Scalar closures: Python's own operations on floats -------------------------------------


def _binary(op: type[ast.operator], scalars: list[Any], what: str) -> Scalar:
    symbol, function = BINARY[op]
    left, right = scalars
    if op is ast.Pow:
        function = _power
    risky = op in (ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
    if callable(left) and callable(right):
        scalar: Scalar = lambda s: function(left(s), right(s))  # noqa: E731
    elif callable(left):
        scalar = lambda s: function(left(s), right)  # noqa: E731
    elif callable(right):
        scalar = lambda s: function(left, right(s))  # noqa: E731
    else:
        scalar = lambda s: function(left, right)  # noqa: E731
    return _guarded(scalar, what) if risky else scalar


def _power(a: Any, b: Any) -> Any:
    # In floats, as numpy computes it: comparisons are ints (True + True is 2), and an exact
    # int power of a power (2 ** 2048) ** (2 ** 2048) would never finish; as floats it overflows.
    value = float(a) ** float(b)
    if isinstance(value, complex):  # Python's answer for a negative number to a fractional power
        raise ValueError("a negative number to a fractional power")
    return value


def _guarded(scalar: Scalar, what: str) -> Scalar:
    """``scalar``, with Python's refusal turned into a failure that names ``what``."""

    def guarded(s: float) -> Any:
        try:
            return scalar(s)
        except ZeroDivisionError:
            raise _Failed(f"{what} divides by zero") from None
        except OverflowError:
            raise _Failed(f"{what} overflows") from None
        except ValueError:
            raise _Failed(f"{what} is outside its domain") from None

    return guarded


def _unary(op: type[ast.unaryop], scalar: Any) -> Scalar:
    if op is ast.USub:
        return lambda s: -_value(scalar, s)
    if op is ast.UAdd:
        return lambda s: +_value(scalar, s)
    return lambda s: 0.0 if _value(scalar, s) else 1.0  # not, as a float


def _value(closure: Any, s: Any) -> Any:
    return closure(s) if callable(closure) else closure


def _compare(ops: list[Callable[[Any, Any], Any]], scalars: list[Any]) -> Scalar:
    def compare(s: float) -> Any:
        left = _value(scalars[0], s)
        for op, right_closure in zip(ops, scalars[1:], strict=True):
            right = _value(right_closure, s)
            if not op(left, right):
                return 0.0
            left = right
        return 1.0

    if len(ops) == 1:
        first, second = scalars
        op = ops[0]
        return lambda s: 1.0 if op(_value(first, s), _value(second, s)) else 0.0
    return compare


def _bool_op(both: bool, scalars: list[Any]) -> Scalar:
    def combined(s: float) -> Any:
        value = None
        for closure in scalars:
            value = _value(closure, s)
            if bool(value) != both:  # and: stop at a false one; or: at a true one
                return value
        return value

    return combined


def _if(test: Any, body: Any, orelse: Any) -> Scalar:
    return lambda s: _value(body, s) if _value(test, s) else _value(orelse, s)


def _call(name: str, scalars: list[Any], what: str) -> Scalar:
    function = FUNCTIONS[name][0]
    if len(scalars) == 1:
        (only,) = scalars
        scalar: Scalar = (lambda s: function(only(s))) if callable(only) else (lambda s: function(only))
    else:
        scalar = lambda s: function(*(_value(c, s) for c in scalars))  # noqa: E731
    risky = name in ("floor", "ceil", "sqrt", "exp", "log", "log2", "log10", "cos", "sin", "tan")
    return _guarded(scalar, what) if risky else scalar


# Vector closures: numpy's operations, refusing what Python refuses ----------------------


def _np() -> Any:
    import numpy as np  # only the numpy engine pays for it

    return np


def _fail_if(condition: Any, what: str, s: Any) -> None:
    """Fail if ``condition`` holds at any of the steps ``s`` (a constant condition: if ``s`` has any)."""
    np = _np()
    if np.any(np.broadcast_to(condition, np.shape(s))):
        raise _Failed(what)


def _binary_vector(op: type[ast.operator], vectors: list[Any], what: str) -> Vector:
    np = _np()
    left, right = vectors
    if op in (ast.Add, ast.Sub, ast.Mult):
        function = BINARY[op][1]
        return lambda s: function(_value(left, s), _value(right, s))

    def divide(s: Any) -> Any:
        a, b = _value(left, s), _value(right, s)
        _fail_if(b == 0, f"{what} divides by zero", s)
        return {ast.Div: np.true_divide, ast.FloorDiv: np.floor_divide, ast.Mod: np.remainder}[op](a, b)

    def power(s: Any) -> Any:
        a, b = _value(left, s), _value(right, s)
        finite_a, finite_b = np.isfinite(a), np.isfinite(b)
        _fail_if((a == 0) & (b < 0) & finite_b, f"{what} divides by zero", s)
        _fail_if((a < 0) & finite_a & finite_b & (b != np.floor(b)), f"{what} is outside its domain", s)
        value = np.power(a, b)
        _fail_if(np.isinf(value) & finite_a & finite_b, f"{what} overflows", s)
        return value

    return power if op is ast.Pow else divide


def _unary_vector(op: type[ast.unaryop], vector: Any) -> Vector:
    np = _np()
    if op is ast.USub:
        return lambda s: -vector(s)
    if op is ast.UAdd:
        return lambda s: +vector(s)
    return lambda s: (vector(s) == 0).astype(np.float64)


def _compare_vector(ops: list[Callable[[Any, Any], Any]], vectors: list[Any]) -> Vector:
    np = _np()

    def compare(s: Any) -> Any:
        # Python stops at the first false comparison: later operands are computed only where it has not.
        live = np.arange(len(s))
        out = np.zeros(len(s), dtype=np.float64)
        left = np.broadcast_to(_value(vectors[0], s), s.shape)
        for i, (op, right_closure) in enumerate(zip(ops, vectors[1:], strict=True)):
            right = np.broadcast_to(_value(right_closure, s[live]), live.shape)
            holds = op(left, right)
            if i == len(ops) - 1:
                out[live] = holds
            live, left = live[holds], right[holds]
        return out

    if len(ops) == 1:
        op = ops[0]
        first, second = vectors
        return lambda s: op(_value(first, s), _value(second, s)).astype(np.float64)
    return compare


def _bool_op_vector(both: bool, vectors: list[Any]) -> Vector:
    np = _np()

    def combined(s: Any) -> Any:
        out = np.array(np.broadcast_to(_value(vectors[0], s), s.shape), dtype=np.float64)
        live = np.flatnonzero((out != 0) == both)  # the steps where Python goes on to the next operand
        for closure in vectors[1:]:
            value = np.broadcast_to(_value(closure, s[live]), live.shape)
            out[live] = value
            live = live[(value != 0) == both]
        return out

    return combined


def _if_vector(test: Any, body: Any, orelse: Any) -> Vector:
    np = _np()

    def choose(s: Any) -> Any:
        taken = np.broadcast_to(_value(test, s) != 0, s.shape)
        out = np.empty(len(s), dtype=np.float64)
        if taken.any():  # each branch computed only where it is taken, as Python does
            out[taken] = _value(body, s[taken])
        if not taken.all():
            out[~taken] = _value(orelse, s[~taken])
        return out

    return choose


def _call_vector(name: str, vectors: list[Any], what: str) -> Vector:
    np = _np()
    if name in ("min", "max"):
        # Python keeps the earlier value unless a later one is strictly smaller (larger).
        better = np.less if name == "min" else np.greater

        def extreme(s: Any) -> Any:
            best = _value(vectors[0], s)
            for closure in vectors[1:]:
                value = _value(closure, s)
                best = np.where(better(value, best), value, best)
            return best

        return extreme
    (only,) = vectors
    functions = {"abs": np.abs, "floor": np.floor, "ceil": np.ceil, "sqrt": np.sqrt, "exp": np.exp}
    functions.update({"log": np.log, "log2": np.log2, "log10": np.log10, "tanh": np.tanh})
    functions.update({"cos": np.cos, "sin": np.sin, "tan": np.tan})
    function = functions[name]
    refused: dict[str, Callable[[Any], Any]] = {  # the arguments Python's math refuses
        "floor": lambda x: ~np.isfinite(x),
        "ceil": lambda x: ~np.isfinite(x),
        "sqrt": lambda x: x < 0,
        "log": lambda x: x <= 0,
        "log2": lambda x: x <= 0,
        "log10": lambda x: x <= 0,
        "cos": np.isinf,
        "sin": np.isinf,
        "tan": np.isinf,
    }

    def call(s: Any) -> Any:
        x = _value(only, s)
        if name in refused:
            _fail_if(refused[name](x), f"{what} is outside its domain", s)
        value = function(x)
        if name == "exp":
            _fail_if(np.isinf(value) & np.isfinite(x), f"{what} overflows", s)
        return value

    return call


# The formula -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A checked formula with its variables, compiled.

    Attributes:
        text: the formula as given.
        variables: name -> value, each used by the formula.
    """

    text: str
    variables: Mapping[str, int | float]
    scalar: Scalar | float

    @cached_property
    def vector(self) -> Vector | float:
        """The array closures, built the first time the numpy engine asks."""
        vector = _Reader(self.text, self.variables, vector=True).read()[1]
        assert vector is not None
        return vector

    def at(self, step: int) -> float:
        """The value at one step; a ParameterError names a step Python would refuse."""
        try:
            return float(_value(self.scalar, float(step)))
        except _Failed as e:
            raise _refuse(f"cannot be computed at step {step}: {e.what}") from None
        except (ArithmeticError, ValueError) as e:  # a value too large for a float at the end
            raise _refuse(f"cannot be computed at step {step}: {e}") from None

    def on(self, steps: Any) -> Any:
        """The values at an int64 array of steps, as :meth:`at` gives them one by one."""
        np = _np()
        with np.errstate(all="ignore"):
            try:
                values = _value(self.vector, steps.astype(np.float64))
            except _Failed:
                for step in steps.tolist():  # the first refused step, in the scalar's own words
                    self.at(step)
                raise _refuse(f"cannot be computed between steps {steps[0]} and {steps[-1]}") from None
        return np.broadcast_to(np.asarray(values, dtype=np.float64), steps.shape)

    def multiplier(self) -> Piecewise:
        """The formula as a closed-form multiplier, for either engine."""
        return Piecewise([(None, lambda s, o: self.on(s) if o.vector else self.at(s))])

    def python(self) -> str:
        """The formula as Python source on the float ``s``, with ``math`` for the functions."""
        return ast.unparse(_AsPython().visit(_parse(self.text)))


class _AsPython(ast.NodeTransformer):
    """A checked tree as plain Python: numbers as floats, ``pi`` as ``math.pi``, floor as a float."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        assert isinstance(node.value, int | float)  # checked when read
        return ast.Constant(float(node.value))

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in CONSTANTS:
            return ast.Attribute(ast.Name("math", ast.Load()), node.id, ast.Load())
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        return _as_float(self.generic_visit(node))

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        # A test is read for its truth alone: a comparison there needs no float().
        test = self.generic_visit(node.test) if isinstance(node.test, ast.Compare) else self.visit(node.test)
        assert isinstance(test, ast.expr)
        body, orelse = self.visit(node.body), self.visit(node.orelse)
        assert isinstance(body, ast.expr) and isinstance(orelse, ast.expr)
        return ast.IfExp(test, body, orelse)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        visited = self.generic_visit(node)
        return _as_float(visited) if isinstance(node.op, ast.Not) else visited

    def visit_Call(self, node: ast.Call) -> ast.AST:
        args = [self.visit(a) for a in node.args]
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        if name in ("min", "max", "abs"):
            return ast.Call(node.func, args, [])
        call = ast.Call(ast.Attribute(ast.Name("math", ast.Load()), name, ast.Load()), args, [])
        return ast.Call(ast.Name("float", ast.Load()), [call], []) if name in ("floor", "ceil") else call


def _as_float(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.expr)
    return ast.Call(ast.Name("float", ast.Load()), [node], [])


def compile_formula(text: str, variables: Mapping[str, object] | None = None) -> Formula:
    """``text`` checked and compiled with ``variables``; a ParameterError says what is wrong."""
    text = check_formula_text(text)
    values = check_variables(variables or {})
    reader = _Reader(text, values)
    scalar, _ = reader.read()
    return Formula(text, {k: v for k, v in values.items() if k in reader.used}, scalar)


def unused(text: str, variables: Mapping[str, object]) -> list[str]:
    """The variables ``text`` does not use."""
    used = compile_formula(text, variables).variables
    return [name for name in variables if name not in used]


def check_variables(variables: Mapping[str, object], param: str = "var") -> dict[str, int | float]:
    """Each name a plain identifier the language does not use, each value a finite number."""
    if len(variables) > MAX_VARIABLES:
        raise ParameterError(param, f"expected at most {MAX_VARIABLES} variables, got {len(variables)}")
    checked = {}
    for name, value in variables.items():
        plain = isinstance(name, str) and name.isascii() and name.isidentifier() and not name.startswith("_")
        if not plain or keyword.iskeyword(name) or name in RESERVED:
            taken = f" ({name} is the language's own)" if name in RESERVED else ""
            raise ParameterError(
                param, f"expected NAME=NUMBER, NAME a plain ASCII name (letters, digits, _){taken}, got {shown(name)}"
            )
        if not is_number(value):
            raise ParameterError(param, f"{name}: expected a finite number, got {shown(value)}")
        check_magnitude(param, value)
        checked[name] = value  # as given (300 stays 300 in commands); the formula reads it as a float
    return checked
