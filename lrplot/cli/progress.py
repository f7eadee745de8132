"""A progress bar for long torch runs, drawn with rich on a terminal only."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from ..steppers import Progress

if TYPE_CHECKING:
    from rich.progress import Progress as Bar
    from rich.progress import TaskID


@contextmanager
def progress_bar(
    stream: IO[str] | None = None, delay: float = 1.0, clock: Callable[[], float] = time.monotonic
) -> Iterator[Progress | None]:
    """A progress callback that shows a bar once a run has taken ``delay`` seconds.

    Silent (``None``) when ``stream`` (stderr by default) is not a terminal.
    """
    out = stream if stream is not None else sys.stderr
    if not out.isatty():
        yield None
        return
    started = clock()
    shown: list[tuple[Bar, TaskID]] = []  # (bar, task), once the bar is up

    def report(done: int, total: int) -> None:
        if not shown:
            if clock() - started < delay:
                return
            from rich.console import Console
            from rich.progress import Progress as Bar

            bar = Bar(console=Console(file=out, force_terminal=True), transient=True)
            bar.start()
            shown.append((bar, bar.add_task("stepping the scheduler", total=total)))
        bar, task = shown[0]
        bar.update(task, completed=done)

    try:
        yield report
    finally:
        if shown:
            shown[0][0].stop()
