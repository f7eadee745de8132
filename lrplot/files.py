"""Writing a run's files: all of them or none, and only where they belong.

Every output is first written to a temporary beside its target. Only when all
are complete are they swapped into place, each older file kept as a hard link
until the last swap succeeds; if any swap fails, every file already swapped is
put back, so a failed run leaves every earlier output as it was. Signals are
held during the swap (microseconds), so Ctrl-C or SIGTERM cannot split it.

Temporaries are named ``.NAME.lrplot-PID.XXXX.tmp`` (``.old`` for a kept older
file). A run killed outright (SIGKILL) leaves them; the next run in that folder
removes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

from .errors import OutputError, ParameterError

Writer = Callable[[IO[bytes]], None]

TEMPORARY = re.compile(r"^\..+\.lrplot-(\d+)\.[^.]+\.(tmp|old)$")
MAX_STEM_BYTES = 200  # a stem plus ".lrplot-PID.XXXXXXXX.tmp" stays within the usual 255-byte name limit


def check_stem(name: object, key: str) -> str:
    """``name`` if it is a plain file stem: no folder, not hidden, no control characters."""
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(key, f"expected a file name without extension, got {name!r}")
    problem = (
        "it holds a folder separator" if "/" in name or "\\" in name or os.sep in name
        else "it starts with '.' (a hidden file, or a parent folder)" if name.startswith(".")
        else "it holds a control character" if any(ord(c) < 32 or ord(c) == 127 for c in name)
        else f"it is longer than {MAX_STEM_BYTES} bytes" if len(name.encode("utf-8", "replace")) > MAX_STEM_BYTES
        else "it has a character that is not valid text" if not _encodes(name)
        else None
    )  # fmt: skip
    if problem:
        raise ParameterError(key, f"expected a plain file name without extension, got {name!r}: {problem}")
    return name


def _encodes(text: str) -> bool:
    try:
        os.fsencode(text)
        text.encode("utf-8")
    except UnicodeError:
        return False
    return True


def prepare_dir(out_dir: str | os.PathLike[str]) -> Path:
    """The output folder, created if needed, or an OutputError naming it."""
    path = Path(out_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as e:
        raise OutputError(f"cannot create output folder {str(path)!r}: {_reason(e)}") from None
    if not path.is_dir():
        raise OutputError(f"cannot create output folder {str(path)!r}: a file is in the way")
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to output folder {str(path)!r}: permission denied")
    return path


def write_atomically(outputs: Mapping[Path, Writer]) -> list[Path]:
    """Write every file to a temporary beside it, then swap all into place, or none.

    If a writer fails, the run is interrupted, or a swap fails, no target is
    left changed and no temporary is left behind.
    """
    targets = list(outputs)
    _check_targets(targets)
    for folder in dict.fromkeys(t.parent for t in targets):
        remove_stale_temporaries(folder)
    staged: dict[Path, str] = {}
    try:
        for target, writer in outputs.items():
            staged[target] = _stage(target, writer)
        with signals_held():
            _swap(staged)
    finally:
        for tmp in staged.values():
            _remove(tmp)
    return targets


def _check_targets(targets: Iterable[Path]) -> None:
    seen: set[str] = set()
    for target in targets:
        key = os.path.realpath(target)
        if key in seen:
            raise OutputError(f"cannot write {str(target)!r}: two outputs of this run have that path")
        seen.add(key)
        if target.is_dir():
            raise OutputError(f"cannot write {str(target)!r}: a folder has that name")


def _stage(target: Path, writer: Writer) -> str:
    """``writer``'s bytes in a new temporary beside ``target``, synced to disk."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.lrplot-{os.getpid()}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise OutputError(f"cannot write {str(target)!r}: {_reason(e)}") from None
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give what open() would
        with os.fdopen(fd, "wb") as f:
            writer(f)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        _remove(tmp)
        raise OutputError(f"cannot write {str(target)!r}: {_reason(e)}") from None
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _swap(staged: Mapping[Path, str]) -> None:
    """Rename each temporary onto its target; if one fails, put every earlier target back."""
    swapped: list[tuple[Path, str | None]] = []  # target, the kept older file (None: it was new)
    target = Path()
    try:
        for target, tmp in staged.items():
            kept = _keep_older(target)
            try:
                os.replace(tmp, target)
            except BaseException:
                if kept is not None:
                    _remove(kept)
                raise
            swapped.append((target, kept))
    except OSError as e:
        _roll_back(swapped)
        raise OutputError(f"cannot write {str(target)!r}: {_reason(e)}; no file was changed") from None
    except BaseException:
        _roll_back(swapped)
        raise
    for _, kept in swapped:
        if kept is not None:
            _remove(kept)


def _keep_older(target: Path) -> str | None:
    """A hard link to ``target``'s current file under a temporary name, or None if it has none."""
    if not os.path.lexists(target):
        return None
    while True:
        kept = str(target.parent / f".{target.name}.lrplot-{os.getpid()}.{secrets.token_hex(4)}.old")
        try:
            os.link(target, kept, follow_symlinks=False)
            return kept
        except FileExistsError:
            continue
        except OSError:  # no hard links here (some network and FUSE file systems): keep a copy
            import shutil

            shutil.copy2(target, kept, follow_symlinks=False)
            return kept


def _roll_back(swapped: list[tuple[Path, str | None]]) -> None:
    for target, kept in reversed(swapped):
        with contextlib.suppress(OSError):
            if kept is None:
                os.unlink(target)
            else:
                os.replace(kept, target)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporaries of lrplot runs in ``folder`` whose process has ended."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            match = TEMPORARY.match(entry.name)
            if match and entry.is_file(follow_symlinks=False) and not _alive(int(match.group(1))):
                _remove(entry.path)
                removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # EPERM: it exists, another user's
        return True
    return True


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends (main thread, POSIX only)."""
    held = {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = mask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _reason(e: Exception) -> str:
    return (e.strerror if isinstance(e, OSError) and e.strerror else str(e)) or type(e).__name__


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
