"""Two copies of the project side by side, for a benchmark that compares revisions.

``copy_tree(into)`` copies this working tree's package, configs and docs;
``baseline_tree(REV, into)`` takes the same from a git revision. Either runs
with ``python -m lrplot`` (or ``-c``) from inside it, under :func:`env_for`
(``PYTHONPATH`` set to it: Python puts the working folder first, so the
checkout's own package must not be there), in the same interpreter and with
the same installed packages, so the revisions alone differ. Renders write into
the copy, never into the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("lrplot", "configs", "docs", "pyproject.toml")  # what a render of configs/*.toml reads and writes

# main before issue 14 ("render in parallel, faster CSV, honest memory figures"): its speed goals are
# measured against this revision.
BASELINE_REVISION = "95f4b40"


def copy_tree(into: Path) -> Path:
    into.mkdir(parents=True)
    for part in PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, into / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, into / part)
    return into


def baseline_tree(revision: str, into: Path) -> Path:
    """The files of ``revision`` (git must know it); a SystemExit that says so if it does not."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, *PARTS], capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"cannot take revision {revision} from git: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def env_for(tree: Path) -> dict[str, str]:
    """The environment that imports ``tree``'s lrplot before the installed one."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    found = subprocess.run(
        [sys.executable, "-c", "import lrplot; print(lrplot.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tree,
    )
    if not found.stdout.strip().startswith(str(tree)):
        raise SystemExit(f"lrplot does not import from {tree} with PYTHONPATH set: {found.stdout or found.stderr}")
    return env
