"""What the user reads when something goes wrong: one ``Error:`` line, ``warning:`` lines.

Every error, lrplot's or Typer's, becomes one line on stderr (control
characters escaped, so the user's own text cannot break it) and an exit code:
2 for bad input, 1 for an output that cannot be written, 128 + N for signal N.
"""

from __future__ import annotations

import difflib
import signal
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from ..errors import LrplotError, LrplotWarning
from ..files import Written
from ..schedules import REGISTRY
from .commandline import option_name
from .interrupts import Interrupted


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Every error as ``Error: ...`` on one line of stderr, and its exit code."""
    try:
        yield
    except LrplotError as e:
        fail(e.message(option_name), e.exit_code)
    except KeyboardInterrupt as e:  # Ctrl-C, or a signal main() turns into one: temporaries are gone by now
        interrupted(e)
    except MemoryError:  # the estimate (lrplot.limits) missed a limit: a ulimit, say
        fail("out of memory: ask for fewer --steps (CSV needs less than JSON; --every thins the files)", 2)
    except OSError as e:  # the terminal or pipe we print to: the files are written by now
        fail(f"cannot print to {e.filename or 'standard output'}: {e.strerror or e}", 1)
    except typer.TyperException as e:  # Typer's usage errors: a bad option or value
        ctx = getattr(e, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        fail(usage_message(e) + hint, getattr(e, "exit_code", 2))


def interrupted(e: KeyboardInterrupt) -> NoReturn:
    """One line for Ctrl-C or a signal, exit 128 + N; if it came as the files were
    swapped into place, they are listed first: they were written."""
    cause = e.cause if isinstance(e, Written) else e
    signum = cause.signum if isinstance(cause, Interrupted) else signal.SIGINT
    name = signal.Signals(signum).name
    if isinstance(e, Written):
        for path in e.paths:
            typer.echo(one_line(str(path)))
        fail(f"interrupted by {name} once the files above were written", 128 + signum)
    fail(f"interrupted by {name}", 128 + signum)


@contextmanager
def own_warnings() -> Iterator[None]:
    """lrplot's warnings as ``warning: ...`` lines, each once; other packages' are not shown."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            own = (str(w.message) for w in caught if issubclass(w.category, LrplotWarning))
            for message in dict.fromkeys(own):
                typer.echo(f"warning: {one_line(message)}", err=True)


def fail(message: str, code: int) -> NoReturn:
    typer.echo(f"Error: {one_line(message)}", err=True)
    raise typer.Exit(code)


MAX_MESSAGE = 1000  # characters: a message that echoes a huge argument keeps its start and its end


def one_line(text: str) -> str:
    """``text`` with every control character written as its escape (``\\n``, ``\\x00``),
    its middle cut out if it is too long to read."""
    line = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)
    if len(line) > MAX_MESSAGE:
        cut = len(line) - MAX_MESSAGE
        line = f"{line[: MAX_MESSAGE // 2]} ...({cut} characters)... {line[-MAX_MESSAGE // 2 :]}"
    return line


def usage_message(e: typer.TyperException) -> str:
    """Typer's (Click's) message, in lrplot's words where those say more."""
    name = getattr(e, "option_name", None)
    format_message = getattr(e, "format_message", None)
    text = format_message() if format_message else str(e)
    if isinstance(name, str) and hasattr(e, "possibilities"):  # an option the command does not have
        return unknown_option(name, getattr(e, "ctx", None))
    if isinstance(name, str) and "requires an argument" in text:  # the option ended the line
        return f"{name}: expected a value after it, and none was given"
    return text


def unknown_option(name: str, ctx: typer.Context | None) -> str:
    """``no such option``, with the command's close options, or else the schedules that take it."""
    command = ctx.command if ctx is not None else None
    own = [o for p in (command.params if command else []) for o in getattr(p, "opts", []) if o.startswith("--")]
    close = difflib.get_close_matches(name.lstrip("-"), [o[2:] for o in own], n=3, cutoff=0.7)
    if close:
        return f"no such option: {name}; did you mean {', '.join('--' + c for c in close)}?"
    command_name = ctx.info_name if ctx is not None and ctx.info_name else ""
    param = name.lstrip("-").replace("-", "_")
    takers = [REGISTRY.command_name(s) for s in REGISTRY.specs() if s.param(param) is not None]
    if not takers or option_name(param) != name:
        return f"no such option: {name}"
    if command_name == "compare":
        return f"no such option: {name}; give it to every curve that takes it as --param {param}=VALUE"
    if command_name not in REGISTRY:
        return f"no such option: {name}"
    likeness = {t: difflib.SequenceMatcher(None, command_name, t).ratio() for t in takers}
    best = max(takers, key=likeness.__getitem__)
    if likeness[best] >= 0.5 or len(takers) == 1:  # constant -> constant_with_warmup
        return f"{command_name} takes no {name}; {best} does"
    return f"{command_name} takes no {name}; {len(takers)} other schedules do"
