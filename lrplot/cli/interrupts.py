"""Signals as Ctrl-C: SIGTERM and SIGHUP unwind the program the way SIGINT does.

No Typer here: the handlers are installed first thing, before the commands are
built, so a signal at any moment gets the same clean end.
"""

from __future__ import annotations

import signal
from typing import NoReturn


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is, so that it unwinds as for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def interrupt(signum: int, frame: object) -> NoReturn:
    """A signal handler: unwind as Ctrl-C does (temporaries removed, older files kept).

    Further signals are ignored from here on: the program is already ending,
    and a second interrupt in the middle of the clean-up would spoil it.
    """
    for other in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)):
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


def install() -> None:
    """SIGTERM (CI cancelling, ``timeout``, ``docker stop``) and SIGHUP (a closed terminal) as
    Ctrl-C, and Ctrl-C itself, so that a second signal waits for the first's clean-up."""
    for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None and signal.getsignal(signum) != signal.SIG_IGN:  # nohup ignores SIGHUP: keep that
            signal.signal(signum, interrupt)
