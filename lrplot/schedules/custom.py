"""Your own code as a schedule: a factory that builds the scheduler (this runs your code)."""

from __future__ import annotations

from ..laws import UserFactory
from ..params import REQUIRED, Param
from ..registry import ScheduleSpec

FAMILY = "custom"

SPECS = (
    ScheduleSpec(
        name="factory",
        family=FAMILY,
        description=(
            "your own scheduler, from FILE.py:NAME or package.module:NAME: NAME(optimizer, **kw) returns a torch "
            "scheduler on it, or NAME(**kw) returns a step -> factor callable (run through LambdaLR); "
            "THIS RUNS YOUR CODE (the file is imported and NAME called)"
        ),
        formula="whatever your code computes",
        params=(
            Param(
                "target",
                "factory",
                REQUIRED,
                "the callable: a .py file or an importable module (from the current folder), then :NAME",
            ),
            Param(
                "kw",
                "assignments",
                None,
                "a keyword argument for it, KEY=VALUE (repeat it): a number, true/false, or text",
                metavar="KEY=VALUE",
            ),
        ),
        build=lambda values, lrs: UserFactory(values["target"], dict(values["kw"] or {})),  # type: ignore[call-overload]
        source="your code",
        closed_form=False,
    ),
)
