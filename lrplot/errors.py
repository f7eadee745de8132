"""The errors lrplot raises.

The core never prints: it raises one of these, and only the CLI turns them into
a one-line message and an exit code.
"""

from __future__ import annotations


class LrplotError(Exception):
    """Base of every error lrplot raises on purpose."""

    exit_code = 1


class UsageError(LrplotError):
    """The request itself is wrong: a name, a parameter, a config."""

    exit_code = 2


class UnknownScheduleError(UsageError):
    """No schedule of that name; the message lists the close matches."""


class ParameterError(UsageError):
    """A missing, contradictory or out-of-range parameter.

    Args:
        param: the parameter's name in the API (``lr_end``); the CLI shows it as
            an option (``--lr-end``).
        reason: what is wrong and what would be valid.
    """

    def __init__(self, param: str, reason: str) -> None:
        self.param = param
        self.reason = reason
        super().__init__(f"{option_name(param)}: {reason}")


class NoClosedFormError(UsageError):
    """The schedule cannot be evaluated by the vectorized engine."""


class ConfigError(UsageError):
    """A figure-set file is malformed; the message names file, figure and key."""


class CurveSyntaxError(UsageError):
    """A ``lrplot compare`` curve that does not read as ``NAME:key=value,...``."""


class OutputError(LrplotError):
    """An output path cannot be written."""


def option_name(param: str) -> str:
    """The command-line spelling of a parameter: ``lr_end`` -> ``--lr-end``."""
    return "--" + param.replace("_", "-")


def in_context(error: LrplotError, where: str) -> LrplotError:
    """``error`` with ``where`` (a curve, a file) put in front of its message."""
    error.args = (f"{where}: {error}",)
    return error
