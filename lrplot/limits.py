"""How big a request may be: every limit lrplot enforces, in one place.

A request that cannot complete is refused before any work starts, with a
message that names the option and the largest value that fits. The limits are
listed in the README ("Limits").
"""

from __future__ import annotations

import math
import os
import reprlib
from collections.abc import Iterable
from typing import TypeGuard

from .errors import ParameterError

MAX_MAGNITUDE = 10**15  # any number a parameter takes: beyond it, int64 arithmetic and float steps lose exactness
MAX_TEXT = 500  # characters in a title or label
MAX_CONFIG_BYTES = 1 << 20  # a figure-set file
FIGSIZE_INCHES = (1.0, 50.0)  # each side; 50 inches at 150 dpi is 7500 pixels
FONT_SIZE = (1.0, 100.0)  # points
DPI = (10, 1200)  # dots per inch of a PNG
MAX_PIXELS = 50_000_000  # a PNG canvas: 200 MB of RGBA (7 x 4 inches at 1200 dpi is 40 million)
MAX_CURVES = 100  # in one figure
MAX_NESTING = 10  # schedules inside schedules (compositions of compositions): deeper would exhaust the stack
MAX_GRID_PANELS = 36  # small multiples: 6 by 6 (a 64-panel grid takes 7 s to draw, 300 take 30 s)

# Bytes a run holds per recorded value, measured (benchmarks/limits.py): the
# step axis and each track are float64/int64 arrays; a JSON column becomes
# Python floats, then text, then bytes.
ARRAY_BYTES = 8
JSON_BYTES = 160
WORKING_FACTOR = 2  # temporaries: decimation, chunked evaluation, per-epoch repeats
BASE_BYTES = 400 << 20  # torch, numpy and matplotlib imported


def is_number(value: object) -> TypeGuard[int | float]:
    """An int or a finite float, not a bool (an int, however big, is finite: it may have no float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 2, 80, 80, 40
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = _SHORT.maxfrozenset = 6


def shown(value: object) -> str:
    """A value for a message: its repr, with long, deep or huge parts cut (so a YAML bomb of aliases,
    one object reached a billion ways, costs nothing to show)."""
    try:
        return _SHORT.repr(value)
    except (ValueError, RecursionError):  # an int of more than 4300 digits has no repr
        return f"a {type(value).__name__}"


def check_magnitude(name: str, value: float) -> None:
    """A ParameterError if ``|value|`` is beyond :data:`MAX_MAGNITUDE`."""
    if abs(value) > MAX_MAGNITUDE:
        raise ParameterError(name, f"{_number(value)} is beyond the largest value lrplot takes (1e15)")


def check_text(key: str, value: object, limit: int = MAX_TEXT) -> str:
    """``value`` if it is text of at most ``limit`` characters with no control
    characters but newline and tab."""
    if not isinstance(value, str):
        raise ParameterError(key, f"expected text, got {value!r}")
    if len(value) > limit:
        raise ParameterError(key, f"expected at most {limit} characters, got {len(value)}")
    bad = next((c for c in value if (ord(c) < 32 and c not in "\n\t") or ord(c) == 127), None)
    if bad is not None:
        raise ParameterError(key, f"expected text without control characters, got {bad!r} in {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ParameterError(key, f"expected valid text, got {value!r}") from None
    return value


def check_range(key: str, value: float, bounds: tuple[float, float], unit: str) -> float:
    low, high = bounds
    if not (isinstance(value, (int, float)) and not isinstance(value, bool)) or not low <= value <= high:
        raise ParameterError(key, f"expected a number of {unit} from {low:g} to {high:g}, got {value!r}")
    return float(value)


def bytes_per_step(groups: int, axes: int = 1, json_every: int | None = None) -> float:
    """What one recorded step costs a run of ``groups`` param groups with ``axes``
    x axes, and a JSON file of every ``json_every``-th row."""
    columns = groups + axes
    return WORKING_FACTOR * ARRAY_BYTES * columns + (JSON_BYTES * columns / json_every if json_every else 0)


def check_run_size(
    steps: int,
    groups: int,
    curves: int = 1,
    per_epoch: bool = False,
    formats: Iterable[str] = (),
    every: int = 1,
    key: str = "steps",
) -> None:
    """A ParameterError naming ``key`` if the run cannot fit in the memory there is.

    The estimate is :func:`bytes_per_step` times the steps of every curve; the
    message gives the most steps that fit.
    """
    check_magnitude(key, steps)
    json = "json" in formats
    per_step = curves * bytes_per_step(groups, 3 if per_epoch else 1, every if json else None)
    available = available_memory()
    if steps * per_step + BASE_BYTES <= available:
        return
    fits = max(0, int((available - BASE_BYTES) // per_step))
    what = f"{steps} steps" + (f" of {curves} curves" if curves > 1 else "")
    hint = "; csv needs much less than json, and --every thins it" if json else ""
    raise ParameterError(
        key,
        f"{what} need about {_size(steps * per_step)} of memory and {_size(available)} is available: "
        f"at most {fits} steps fit{hint}",
    )


def available_memory() -> int:
    """Bytes this process may still allocate: the kernel's estimate, within the
    container's limit (cgroup v2 or v1) and the process's own (``ulimit -v``)."""
    candidates = [kib * 1024 for kib in _read_numbers("/proc/meminfo", "MemAvailable:")]
    for folder, limit, used, cache in (
        ("/sys/fs/cgroup", "memory.max", "memory.current", "inactive_file "),
        ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file "),
    ):
        caps, now = _read_numbers(f"{folder}/{limit}"), _read_numbers(f"{folder}/{used}")
        reclaimable = _read_numbers(f"{folder}/memory.stat", cache)  # page cache the kernel gives back
        if caps and caps[0] < 1 << 60:  # v2 writes "no limit" as "max", v1 as a huge number
            candidates.append(caps[0] - sum(now[:1]) + sum(reclaimable[:1]))
    try:
        import resource

        for kind, status in ((resource.RLIMIT_AS, "VmSize:"), (resource.RLIMIT_DATA, "VmData:")):
            soft, _ = resource.getrlimit(kind)
            if soft != resource.RLIM_INFINITY:
                candidates.append(soft - sum(kib * 1024 for kib in _read_numbers("/proc/self/status", status)))
    except (ImportError, OSError, ValueError):
        pass
    if not candidates:
        try:
            candidates.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
        except (AttributeError, OSError, ValueError):
            candidates.append(8 << 30)  # nothing to read: assume a small machine
    return max(0, min(candidates))


def _read_numbers(path: str, prefix: str = "") -> list[int]:
    """The first number on each line of ``path`` that starts with ``prefix`` (none if unreadable)."""
    try:
        with open(path) as f:
            return [int(line[len(prefix) :].split()[0]) for line in f if line.startswith(prefix)]
    except (OSError, ValueError, IndexError):
        return []


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.3g} {unit}" if unit != "bytes" else f"{int(n)} bytes"
        n /= 1000
    raise AssertionError  # pragma: no cover


def _number(value: float) -> str:
    if isinstance(value, int) and abs(value) >= 10**20:
        exact = value.bit_length() < 14_000  # str() of an int over 4300 digits raises
        digits = len(str(abs(value))) if exact else f"about {int(value.bit_length() * math.log10(2)) + 1}"
        return f"a number of {digits} digits"
    return f"{value:g}" if isinstance(value, float) else str(value)
