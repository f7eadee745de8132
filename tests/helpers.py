"""Helpers shared by several test files."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import json, sys
sys.argv = ['lrplot', *json.loads(sys.argv[1])]
from lrplot.cli.app import app
try:
    app()
except SystemExit as e:
    assert e.code == 0, e.code
print('MODULES', json.dumps(sorted({m.split('.')[0] for m in sys.modules})))
"""


def packages_imported_by_cli(*args: str) -> set[str]:
    """The top-level packages a fresh process has imported after ``lrplot ARGS`` succeeds."""
    import json

    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(list(args))], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("MODULES "))
    return set(json.loads(line[len("MODULES ") :]))
