"""The built-in schedule families, one module each, and the default registry.

To add a family: write ``lrplot/schedules/NAME.py`` with a ``SPECS`` tuple of
:class:`~lrplot.registry.ScheduleSpec` (each with ``family="NAME"``), then list
the module in ``FAMILIES``. Nothing registers on import: :func:`builtin_registry`
registers each family's specs.
"""

from __future__ import annotations

from ..registry import Registry
from . import custom, paper, pytorch, transformers

# In this order: a bare name belongs to the first family that has it.
FAMILIES = (transformers, paper, pytorch, custom)


def builtin_registry() -> Registry:
    """A new registry holding every built-in family."""
    registry = Registry()
    for family in FAMILIES:
        registry.register_all(family.SPECS)
    return registry


REGISTRY = builtin_registry()  # the registry the CLI, the API and the docs read
