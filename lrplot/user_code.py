"""A user's own scheduler factory: found by name, imported and called (this runs their code).

``FILE.py:NAME`` or ``package.module:NAME`` names a callable. It either takes the
optimizer and returns a torch scheduler on it, or takes nothing but keywords and
returns a ``step -> factor`` callable (which the torch engine runs through
``LambdaLR``). Keywords come from ``kw``. Whatever the user's code raises, prints
or exits with becomes one :class:`~lrplot.errors.ParameterError` naming the
factory; what it prints goes to standard error, so lrplot's own output stays
clean. torch is not imported here: the runner checks what the call returned.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType

from .errors import ParameterError
from .limits import shown
from .params import file_path

PARAM = "target"
_modules: dict[str, ModuleType] = {}  # each file or module imported once a process


def is_file(where: str) -> bool:
    """Whether ``where`` names a file (else a module to import)."""
    return where.endswith(".py") or "/" in where or os.sep in where


def load(target: object) -> Callable[..., object]:
    """The callable ``target`` names, its module imported (once)."""
    where, _, name = str(target).strip().rpartition(":")
    path = file_path(target).strip().rpartition(":")[0] if is_file(where) else where
    module = _modules.get(path) or _import(path, is_file(where))
    _modules[path] = module
    found = getattr(module, name, None)
    if found is None:
        defined = sorted(k for k, v in vars(module).items() if callable(v) and not k.startswith("_"))
        listed = ", ".join(defined[:12]) or "none"
        raise ParameterError(PARAM, f"{where} has no {name!r} (its callables: {listed})")
    if not callable(found):
        raise ParameterError(PARAM, f"{where}:{name} is {shown(found)}, not a callable")
    return found  # type: ignore[no-any-return]  # callable() checked it


def _import(path: str, from_file: bool) -> ModuleType:
    if from_file and not os.path.isfile(path):
        raise ParameterError(PARAM, f"no file {path}")
    folder = os.path.dirname(os.path.abspath(path)) if from_file else os.getcwd()
    with users_code(f"importing {path}"), _on_path(folder), _no_bytecode():
        if not from_file:
            return importlib.import_module(path)
        name = "lrplot_factory_" + hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:12]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ParameterError(PARAM, f"{path} cannot be imported as Python")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def takes_optimizer(factory: Callable[..., object]) -> bool:
    """Whether ``factory`` takes the optimizer: a first positional parameter without a default."""
    try:
        parameters = list(inspect.signature(factory).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature: pass it the optimizer
        return True
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return bool(parameters) and parameters[0].kind in positional and parameters[0].default is inspect.Parameter.empty


def call(target: object, kwargs: Mapping[str, object], optimizer: object) -> object:
    """What ``target`` returns, called with the optimizer (if it takes one) and ``kwargs``."""
    factory = load(target)
    with users_code(f"{target}(...)"):
        return factory(optimizer, **kwargs) if takes_optimizer(factory) else factory(**kwargs)


@contextlib.contextmanager
def users_code(what: str | Callable[[], str]) -> Iterator[None]:
    """Run the user's code: its output to stderr, anything it raises or exits with as one error
    that says ``what`` raised it (a callable: read when it fails)."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    except (ParameterError, KeyboardInterrupt):  # lrplot's own, and Ctrl-C (or a signal), which stays one
        raise
    except BaseException as e:  # their code: any failure at all (SystemExit, GeneratorExit...) is theirs to read
        reason = str(e).strip().splitlines()[0] if str(e).strip() else ""
        who = what() if callable(what) else what
        raise ParameterError(PARAM, f"{who} raised {type(e).__name__}{': ' + reason if reason else ''}") from None


def guarded(function: Callable[..., object], what: Callable[..., str]) -> Callable[..., object]:
    """``function`` (the user's), run under :func:`users_code`; ``what(*args)`` says who failed."""

    def run(*args: object) -> object:
        with users_code(lambda: what(*args)):
            return function(*args)

    return run


@contextlib.contextmanager
def _no_bytecode() -> Iterator[None]:
    """Import without leaving a __pycache__ folder in the user's tree."""
    before, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        yield
    finally:
        sys.dont_write_bytecode = before


@contextlib.contextmanager
def _on_path(folder: str) -> Iterator[None]:
    """``folder`` first on ``sys.path`` while the user's module imports (it may import its neighbours)."""
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(folder)
