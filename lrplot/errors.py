"""The errors lrplot raises.

The core never prints: it raises one of these, and only the CLI turns them into
a one-line message and an exit code. Errors name parameters as the Python API
does (``lr_end``); the caller spells them for its reader (the CLI writes
``--lr-end``, a figure set ``key 'lr_end'``), so the core never speaks CLI.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Spell = Callable[[str], str]  # a parameter's name -> how the reader writes it


def plain(name: str) -> str:
    """The API's own spelling: the name itself."""
    return name


class LrplotError(Exception):
    """Base of every error lrplot raises on purpose.

    ``context`` holds where it happened (a file, a figure, a curve), outermost
    first; :meth:`message` puts it in front of the text.
    """

    exit_code = 1

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.context: list[str] = []

    def located(self, where: str) -> LrplotError:
        """This error, with ``where`` put in front of its context."""
        self.context.insert(0, where)
        return self

    def text(self, spell: Spell = plain) -> str:
        """The message without its context."""
        return str(self.args[0])

    def message(self, spell: Spell = plain) -> str:
        """The whole one-line message, parameter names spelled by ``spell``."""
        return ": ".join([*self.context, self.text(spell)])

    def __str__(self) -> str:
        return self.message()


class UsageError(LrplotError):
    """The request itself is wrong: a name, a parameter, a config."""

    exit_code = 2


class UnknownScheduleError(UsageError):
    """No schedule of that name; the message lists the close matches."""


class ParameterError(UsageError):
    """A missing, contradictory or out-of-range parameter.

    Args:
        param: the parameter's name in the API (``lr_end``).
        reason: what is wrong and what would be valid.
        mentions: other parameter names the reason uses, spelled like ``param``.
    """

    def __init__(self, param: str, reason: str, mentions: tuple[str, ...] = ()) -> None:
        self.param = param
        self.reason = reason
        self.mentions = mentions
        super().__init__(f"{param}: {reason}")

    def reason_as(self, spell: Spell) -> str:
        """The reason with every mentioned parameter spelled by ``spell``."""
        if not self.mentions:
            return self.reason
        names = "|".join(re.escape(m) for m in sorted(self.mentions, key=len, reverse=True))
        return re.sub(rf"(?<![\w-])({names})(?![\w-])", lambda m: spell(m.group(1)), self.reason)

    def text(self, spell: Spell = plain) -> str:
        return f"{spell(self.param)}: {self.reason_as(spell)}"


class NoClosedFormError(ParameterError):
    """The schedule cannot be evaluated by the numpy engine."""

    def __init__(self, schedule: str) -> None:
        super().__init__(
            "engine",
            f"{schedule} is stepped by torch only (no formula lrplot can evaluate on arrays); use engine torch",
            mentions=("engine",),
        )


class ConfigError(UsageError):
    """A figure-set file is malformed; the message names file, figure and key."""


class OutsideError(ConfigError):
    """A figure set would write (or ``--check`` would read) outside its folder tree."""

    def text(self, spell: Spell = plain) -> str:
        return f"{self.args[0]} ({spell('allow_outside')} permits it)"


class CurveSyntaxError(UsageError):
    """A curve that does not read as ``NAME:key=value,...``."""


class LrplotWarning(UserWarning):
    """Legal but suspicious: the CLI prints it as one ``warning:`` line."""


class OutputError(LrplotError):
    """An output path cannot be written."""
