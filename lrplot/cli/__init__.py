"""The ``lrplot`` command line: the only package that imports Typer.

``app`` holds the Typer commands, ``options`` the options they share (each
declared once), ``commandline`` how the CLI spells parameters and the command
that regenerates a file (no Typer, so the API and the CSVs can use it), and
``progress`` the progress bar.
"""

from __future__ import annotations


def main() -> None:
    """The console script (and ``python -m lrplot``)."""
    from . import interrupts

    interrupts.install()  # before Typer and the commands load: a signal then ends cleanly too
    try:
        from .app import main as run
    except KeyboardInterrupt as e:  # while the app was still being imported
        import signal
        import sys

        signum = e.signum if isinstance(e, interrupts.Interrupted) else signal.SIGINT
        print(f"Error: interrupted by {signal.Signals(signum).name}", file=sys.stderr)
        raise SystemExit(128 + signum) from None
    run()
