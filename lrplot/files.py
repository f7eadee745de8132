"""Writing a run's files: all of them or none, and only where they belong.

Every output is first written to a temporary beside its target. Only when all
are complete are they swapped into place, each older file kept (a hard link,
or moved aside) until the last swap succeeds; if any swap fails, every file already swapped is
put back, so a failed run leaves every earlier output as it was. Signals are
held during the swap (microseconds), so Ctrl-C or SIGTERM cannot split it.

Temporaries are named ``.NAME.lrplot-PID-HOST.XXXX.tmp`` (``.old`` for a kept
older file; HOST is a hash of this machine, boot and PID namespace). A run
killed outright (SIGKILL) leaves them; the next run on this machine in that
folder removes those whose process is gone, and puts back a moved-aside older
file whose target is missing.
"""

from __future__ import annotations

# hashlib, secrets, socket, tempfile and threading load when a file is written:
# this module is imported at start-up (names are checked early), and they cost 10 ms.
import contextlib
import functools
import os
import re
import signal
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .errors import OutputError, ParameterError

Writer = Callable[[IO[bytes]], None]

if TYPE_CHECKING:  # a union of these costs 2 ms at import, and --help imports this module
    from types import FrameType

    Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None

HELD_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.lrplot-(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\.[^.]+\.(?P<kind>tmp|old)$")
MAX_STEM_BYTES = 200  # a stem plus ".EXT.lrplot-PID-HOST.XXXXXXXX.tmp" stays within the usual 255-byte limit


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


class Written(KeyboardInterrupt):
    """Ctrl-C or a signal that arrived during the final swap: every file was written."""

    def __init__(self, cause: KeyboardInterrupt, paths: list[Path]) -> None:
        super().__init__(*cause.args)
        self.cause = cause
        self.paths = paths


def write_files(outputs: Mapping[Path, Writer]) -> list[Path]:
    """Create the targets' folders, then :func:`write_atomically`; a folder this
    made is removed again if the run fails and leaves it empty."""
    created: list[Path] = []
    try:
        for folder in dict.fromkeys(target.parent for target in outputs):
            missing = [p for p in (folder, *folder.parents) if not p.exists()]
            created += reversed(missing)  # noted before mkdir, which may fail half-way up
            prepare_dir(folder)
        return write_atomically(outputs)
    except BaseException as e:
        if not isinstance(e, Written):
            for folder in reversed(created):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only if still empty
        raise


def write_atomically(outputs: Mapping[Path, Writer]) -> list[Path]:
    """Write every file to a temporary beside it, then swap all into place, or none.

    If a writer fails, the run is interrupted, or a swap fails, no target is
    left changed and no temporary is left behind. A signal held during the
    swap is raised after it as :class:`Written`, which carries the paths.
    """
    targets = list(outputs)
    _check_targets(targets)
    for folder in dict.fromkeys(t.parent for t in targets):
        remove_stale_temporaries(folder)
    staged: dict[Path, str] = {}
    swapped = False
    try:
        for target, writer in outputs.items():
            staged[target] = _stage(target, writer)
        with signals_held():
            _swap(staged)
            swapped = True
    except KeyboardInterrupt as e:
        if swapped:  # delivered as the signals were let through again: the files are in place
            raise Written(e, targets) from None
        raise
    finally:
        for tmp in staged.values():
            _remove(tmp)
    return targets


def _check_targets(targets: Iterable[Path]) -> None:
    seen: dict[object, Path] = {}
    for target in targets:
        if target.is_dir():
            raise OutputError(f"cannot write {str(target)!r}: a folder has that name")
        keys: list[object] = [os.path.normcase(os.path.realpath(target))]
        with contextlib.suppress(OSError):
            stat = target.stat()
            keys.append((stat.st_dev, stat.st_ino))  # one file by two names (a case-blind disk, a link)
        for key in keys:
            if key in seen:
                raise OutputError(f"cannot write {str(target)!r}: another output of this run is that file")
            seen[key] = target


def _stage(target: Path, writer: Writer) -> str:
    """``writer``'s bytes in a new temporary beside ``target``, synced to disk."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{_tag()}.", suffix=".tmp", dir=target.parent)
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
    swapped: list[tuple[Path, str | None]] = []  # target, its older file (None: it was new)
    target = Path()
    try:
        for target, tmp in staged.items():
            kept = _keep_older(target)
            try:
                os.replace(tmp, target)
            except BaseException:
                if kept is not None and os.path.lexists(target):  # a hard link: the target is untouched
                    _remove(kept)
                elif kept is not None:  # moved aside: move it back
                    swapped.append((target, kept))  # the roll-back puts it back, and says if it cannot
                raise
            swapped.append((target, kept))
    except OSError as e:
        lost = _roll_back(swapped)
        failed = f"cannot write {str(target)!r}: {_reason(e)}"
        if lost:
            raise OutputError(f"{failed}; could not put back {lost}") from None
        raise OutputError(f"{failed}; no file was changed") from None
    except BaseException:
        _roll_back(swapped)
        raise
    for _, kept in swapped:
        if kept is not None:
            _remove(kept)


def _keep_older(target: Path) -> str | None:
    """``target``'s current file under a temporary name (a hard link, or the file
    itself moved aside), or None if it has none."""
    import secrets

    if not os.path.lexists(target):
        return None
    while True:
        kept = str(target.parent / f".{target.name}.{_tag()}.{secrets.token_hex(4)}.old")
        try:
            os.link(target, kept, follow_symlinks=False)
            return kept
        except FileExistsError:
            continue
        except OSError:  # no hard links here (some network and FUSE file systems): move it aside
            os.replace(target, kept)
            return kept


def _put_back(target: Path, kept: str | None) -> str | None:
    """Undo one swap: ``target`` as it was. If that fails, the older file is kept
    as ``NAME.lrplot-backup`` (which no later run removes); what was lost, in words."""
    try:
        if kept is None:
            os.unlink(target)
        else:
            os.replace(kept, target)
        return None
    except OSError:
        if kept is None:
            return f"{target} (it is new)"
        backup = target.with_name(f"{target.name}.lrplot-backup")
        try:
            os.replace(kept, backup)
        except OSError:
            return f"{target} (its older version is {kept})"
        return f"{target} (its older version is {backup})"


def _roll_back(swapped: list[tuple[Path, str | None]]) -> str:
    """Put each swapped target's older file back; what could not be, in words."""
    lost = [_put_back(target, kept) for target, kept in reversed(swapped)]
    return ", ".join(text for text in lost if text)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporaries of lrplot runs in ``folder`` whose process has ended
    (only this machine's: another host's process cannot be asked). An older file
    whose target is missing (moved aside, then the run was killed) is put back."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            match = TEMPORARY.match(entry.name)
            if not match or match["host"] != _host() or not entry.is_file(follow_symlinks=False):
                continue
            if _alive(int(match["pid"])):
                continue
            target = folder / match["name"]
            if match["kind"] == "old" and not os.path.lexists(target):
                with contextlib.suppress(OSError):
                    os.replace(entry.path, target)
                continue
            _remove(entry.path)
            removed.append(Path(entry.path))
    return removed


def _tag() -> str:
    """``lrplot-PID-HOST``: whose temporary it is."""
    return f"lrplot-{os.getpid()}-{_host()}"


@functools.cache
def _host() -> str:
    """Eight hex digits for this machine, boot and PID namespace: a PID means something only there."""
    import hashlib
    import socket

    boot, namespace = "", ""
    with contextlib.suppress(OSError):
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    with contextlib.suppress(OSError):
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)  # containers and sandboxes on one host
    return hashlib.sha1(f"{socket.gethostname()} {boot} {namespace}".encode()).hexdigest()[:8]


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
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then act on the first.

    Python runs signal handlers in the main thread; during the block they only
    note the signal. (A thread's signal mask would not do: the kernel hands a
    process's signal to any thread that does not block it, and torch and
    numpy start threads of their own.) Outside the main thread, nothing is held.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[tuple[int, FrameType | None]] = []
    previous: dict[int, Handler] = {}
    failed = False
    try:
        for signum in HELD_SIGNALS:
            previous[signum] = signal.getsignal(signum)  # first: a signal during the install still finds it
            signal.signal(signum, lambda n, frame: pending.append((n, frame)))
        yield
    except BaseException:
        failed = True  # its error says what happened; the signal adds nothing to a run that is ending
        raise
    finally:
        try:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        except BaseException:  # a signal between two restores: restore them all, then let it go on
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            raise
        if pending and not failed:
            signum, frame = pending[0]
            handler = previous.get(signum)
            if callable(handler):
                handler(signum, frame)  # Python's raises KeyboardInterrupt; the CLI's, Interrupted
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)  # the default action, now that the files are in place


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _reason(e: Exception) -> str:
    return (e.strerror if isinstance(e, OSError) and e.strerror else str(e)) or type(e).__name__


def _umask() -> int:
    """The process's umask, read without changing it where Linux says it (another
    thread's files are never made under a umask of 0)."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        with open("/proc/self/status") as f:
            return int(next(line for line in f if line.startswith("Umask:")).split()[1], 8)
    mask = os.umask(0)
    os.umask(mask)
    return mask
