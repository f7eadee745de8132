"""How a caller's reader writes parameters and regenerating commands.

The core produces text that names parameters (docs pages) and records how to
regenerate a trace (the ``command`` of every CSV). It does not decide how those
are spelled: the caller passes a :class:`Spelling`. The CLI's lives in
:mod:`lrplot.cli.commandline`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import Spell, plain
from .trace import Trace


@dataclass(frozen=True)
class Spelling:
    """``option(name)`` spells a parameter; ``command(trace)``, when given, is a
    command that regenerates ``trace``'s values."""

    option: Spell = plain
    command: Callable[[Trace], str] | None = None

    def provenance(self, trace: Trace) -> dict[str, object]:
        """``trace``'s metadata, with its regenerating command when there is one."""
        meta = trace.metadata()
        if self.command is not None:
            meta["command"] = self.command(trace)
        return meta


PLAIN = Spelling()
