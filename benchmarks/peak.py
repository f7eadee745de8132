"""Run a command; print its wall seconds and its own peak resident memory.

    python benchmarks/peak.py COMMAND [ARG ...]

prints ``{"seconds": S, "peak_mib": M, "status": N, "stderr": "..."}`` on one
line. benchmarks/run.py starts this small, fresh process for every
measurement. Linux starts a child's maximum resident set size (``ru_maxrss``,
what ``os.wait4`` reports) at its parent's peak: measured from run.py itself,
once that had grown to 447 MiB, even ``python -c pass`` reported 447 MiB. From
this process, which imports nothing heavy, the floor is its own size (about
10 MiB; ``python -c pass`` reports that), and a child's peak is its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main() -> None:
    start = time.perf_counter()
    child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    err = child.stderr.read().decode(errors="replace") if child.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"seconds": seconds, "peak_mib": usage.ru_maxrss / 1024, "status": code, "stderr": err}))


if __name__ == "__main__":
    main()
