"""The ``lrplot`` command line: the only package that imports Typer.

``app`` holds the Typer commands, ``options`` the options they share (each
declared once), ``commandline`` how the CLI spells parameters and the command
that regenerates a file (no Typer, so the API and the CSVs can use it), and
``progress`` the progress bar.
"""

from __future__ import annotations


def main() -> None:
    """The console script (and ``python -m lrplot``)."""
    from .app import main as run

    run()
