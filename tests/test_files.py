"""Writing files: all or nothing, temporaries that the next run cleans, signals, plain stems."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lrplot import files
from lrplot.errors import OutputError, ParameterError
from lrplot.writers import text_writer


@pytest.fixture
def ctrl_c() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt here, as in a terminal (a background job ignores it)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _as_in_a_terminal() -> None:
    """A child's SIGINT as a terminal's foreground job has it (a background job's is ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _outputs(folder: Path, *names: str) -> dict[Path, files.Writer]:
    return {folder / name: text_writer(f"new {name}\n") for name in names}


def _old_files(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_text(f"old {name}\n")


def test_a_failed_last_swap_puts_every_earlier_file_back(tmp_path: Path, monkeypatch) -> None:
    _old_files(tmp_path, "a.png", "b.csv")  # c.json is new
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name == "c.json":
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(OutputError, match=r"cannot write '.*c\.json': Permission denied; no file was changed"):
        files.write_atomically(_outputs(tmp_path, "a.png", "b.csv", "c.json"))
    assert sorted(os.listdir(tmp_path)) == ["a.png", "b.csv"]  # no temporary, no kept copy
    assert (tmp_path / "a.png").read_text() == "old a.png\n" and (tmp_path / "b.csv").read_text() == "old b.csv\n"


def test_a_failed_swap_removes_the_files_it_created(tmp_path: Path, monkeypatch) -> None:
    real_replace = os.replace
    monkeypatch.setattr(files.os, "replace", lambda s, d: real_replace(s, d) if not d.name.startswith("b") else 1 / 0)
    with pytest.raises(ZeroDivisionError):
        files.write_atomically(_outputs(tmp_path, "a.png", "b.csv"))
    assert os.listdir(tmp_path) == []


def test_a_failed_put_back_keeps_the_older_file_under_a_backup_name_and_says_so(tmp_path: Path, monkeypatch) -> None:
    _old_files(tmp_path, "a.csv", "b.csv")
    real_replace, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) in (2, 3):  # b.csv's swap, then a.csv's put-back (b.csv itself is untouched)
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(OutputError, match=r"b\.csv': Input/output error; could not put back .*a\.csv \(its older"):
        files.write_atomically(_outputs(tmp_path, "a.csv", "b.csv"))
    monkeypatch.undo()
    assert (tmp_path / "a.csv.lrplot-backup").read_text() == "old a.csv\n"
    files.write_atomically(_outputs(tmp_path, "c.csv"))  # the next run keeps the backup
    assert (tmp_path / "a.csv.lrplot-backup").exists()


def test_without_hard_links_the_older_file_is_moved_aside_and_put_back(tmp_path: Path, monkeypatch) -> None:
    _old_files(tmp_path, "a.csv", "b.csv")
    real_replace = os.replace
    monkeypatch.setattr(files.os, "link", lambda *a, **k: (_ for _ in ()).throw(PermissionError(1, "no links")))
    monkeypatch.setattr(
        files.os, "replace", lambda s, d: 1 / 0 if str(s).endswith(".tmp") and d.name == "b.csv" else real_replace(s, d)
    )
    with pytest.raises(ZeroDivisionError):
        files.write_atomically(_outputs(tmp_path, "a.csv", "b.csv"))
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "b.csv"]
    assert [(tmp_path / n).read_text() for n in ("a.csv", "b.csv")] == ["old a.csv\n", "old b.csv\n"]


def test_a_signal_held_during_the_swap_is_raised_after_it_with_the_paths(tmp_path: Path, monkeypatch, ctrl_c) -> None:
    real_replace = os.replace

    def replace(src, dst):
        os.kill(os.getpid(), signal.SIGINT)  # arrives mid-swap: held until the swap is done
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(files.Written) as raised:
        files.write_atomically(_outputs(tmp_path, "a.csv", "b.csv"))
    assert raised.value.paths == [tmp_path / "a.csv", tmp_path / "b.csv"]
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "b.csv"] and (tmp_path / "b.csv").read_text() == "new b.csv\n"


def test_signals_held_restores_the_handlers_even_when_a_signal_comes_on_entry(monkeypatch) -> None:
    real_signal = signal.signal
    before = {s: signal.getsignal(s) for s in files.HELD_SIGNALS}
    calls = []

    def install(signum, handler):  # a signal arrives between two installs
        calls.append(signum)
        old = real_signal(signum, handler)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return old

    monkeypatch.setattr(signal, "signal", install)
    with pytest.raises(KeyboardInterrupt), files.signals_held():
        pass
    monkeypatch.undo()
    assert {s: signal.getsignal(s) for s in files.HELD_SIGNALS} == before


def test_a_signal_during_a_failed_swap_leaves_the_error_to_speak(tmp_path: Path, monkeypatch, ctrl_c) -> None:
    _old_files(tmp_path, "a.csv")

    def replace(src, dst):
        os.kill(os.getpid(), signal.SIGINT)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(OutputError, match="Input/output error; no file was changed"):
        files.write_atomically(_outputs(tmp_path, "a.csv"))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_signal_from_another_thread_is_held_too(tmp_path: Path, monkeypatch, ctrl_c) -> None:
    import threading

    real_replace = os.replace

    def replace(src, dst):  # the kernel may hand the signal to any thread: send it from one
        sender = threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGINT))
        sender.start()
        sender.join()
        time.sleep(0.01)
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(files.Written):
        files.write_atomically(_outputs(tmp_path, "a.csv", "b.csv"))
    assert [(tmp_path / n).read_text() for n in ("a.csv", "b.csv")] == ["new a.csv\n", "new b.csv\n"]


def test_write_files_removes_the_folders_it_made_when_the_run_fails(tmp_path: Path) -> None:
    def broken(f) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError):
        files.write_files({tmp_path / "new" / "deeper" / "a.csv": broken})
    assert os.listdir(tmp_path) == []


def test_a_folder_in_a_targets_place_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    _old_files(tmp_path, "a.png")
    (tmp_path / "b.csv").mkdir()
    with pytest.raises(OutputError, match="b.csv': a folder has that name"):
        files.write_atomically(_outputs(tmp_path, "a.png", "b.csv"))
    assert (tmp_path / "a.png").read_text() == "old a.png\n" and sorted(os.listdir(tmp_path)) == ["a.png", "b.csv"]


def test_a_successful_write_replaces_every_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    _old_files(tmp_path, "a.png")
    files.write_atomically(_outputs(tmp_path, "a.png", "b.csv"))
    assert sorted(os.listdir(tmp_path)) == ["a.png", "b.csv"]
    assert (tmp_path / "a.png").read_text() == "new a.png\n"


def test_a_symlinked_output_is_replaced_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.csv").symlink_to(outside)
    files.write_atomically(_outputs(tmp_path / "out", "a.csv"))
    assert outside.read_text() == "keep me\n" and (tmp_path / "out" / "a.csv").read_text() == "new a.csv\n"


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_temporaries_of_killed_runs_are_removed_by_the_next_run(tmp_path: Path) -> None:
    dead, alive, host = _dead_pid(), os.getppid(), files._host()
    stale = [tmp_path / f".a.png.lrplot-{dead}-{host}.x1y2.tmp", tmp_path / f".b.csv.lrplot-{dead}-{host}.abcd.old"]
    running = tmp_path / f".a.png.lrplot-{alive}-{host}.zzzz.tmp"  # another run, still going
    elsewhere = tmp_path / f".a.png.lrplot-{dead}-0badf00d.zzzz.tmp"  # another machine's: its PID means nothing here
    mine = tmp_path / ".notes.tmp"  # not lrplot's
    moved_aside = tmp_path / f".c.csv.lrplot-{dead}-{host}.efgh.old"  # the only copy: c.csv is missing
    for path in [*stale, running, elsewhere, mine, tmp_path / "b.csv"]:
        path.write_text("")
    moved_aside.write_text("old c\n")
    files.write_atomically(_outputs(tmp_path, "a.png"))
    assert sorted(os.listdir(tmp_path)) == sorted(["a.png", "b.csv", "c.csv", running.name, elsewhere.name, mine.name])
    assert (tmp_path / "c.csv").read_text() == "old c\n"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_the_write_keeps_old_files_and_removes_temporaries(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    (tmp_path / "cosine.csv").write_text("old csv\n")
    # 5M rows of CSV take seconds to write: long enough to be caught in the middle.
    process = subprocess.Popen(
        [sys.executable, "-m", "lrplot", "cosine", "--engine", "numpy", "--steps", "5000000", "--format", "csv",
         "--out", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_in_a_terminal,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(name.endswith(".tmp") for name in os.listdir(tmp_path)):
        assert process.poll() is None and time.monotonic() < deadline, "no temporary appeared"
        time.sleep(0.01)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert stderr.strip() == f"Error: interrupted by {sig.name}"
    assert os.listdir(tmp_path) == ["cosine.csv"] and (tmp_path / "cosine.csv").read_text() == "old csv\n"


def _catches(pid: int, sig: signal.Signals) -> bool:
    """Whether process ``pid`` has a handler for ``sig`` (Linux: the SigCgt mask in /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught >> (sig - 1) & 1)


def test_a_signal_while_the_commands_load_is_one_line_too(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "lrplot", "cosine", "--out", str(tmp_path)], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while not _catches(process.pid, signal.SIGTERM):  # the handler is installed first thing; not before
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGTERM)  # while importing Typer or torch, or building the commands
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143 and stderr == "Error: interrupted by SIGTERM\n"
    assert os.listdir(tmp_path) in ([], ["cosine.png", "cosine.csv"], ["cosine.csv", "cosine.png"])


def test_a_closed_stdout_still_writes_and_a_full_one_is_one_error(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "lrplot", "constant", "--steps", "3", "--format", "csv", "--out", str(tmp_path)]
    closed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, close_fds=True,
                            preexec_fn=lambda: os.close(1))  # fmt: skip
    assert closed.returncode == 0 and closed.stderr == "" and os.listdir(tmp_path) == ["constant.csv"]
    with open("/dev/full", "w") as full:
        result = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1
    assert result.stderr == "Error: cannot print to standard output: No space left on device\n"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../escaped", "folder separator"),
        ("/etc/passwd", "folder separator"),
        ("a\\b", "folder separator"),
        ("..", "starts with '.'"),
        (".hidden", "starts with '.'"),
        ("a\x00b", "control character"),
        ("two\nlines", "control character"),
        ("x" * 201, "longer than 200 bytes"),
        ("bad\udcff", "not valid text"),
    ],
)
def test_stems_that_are_not_a_plain_file_name_are_refused(name: str, problem: str) -> None:
    with pytest.raises(ParameterError, match=f"^name: expected a plain file name .*: .*{re.escape(problem)}"):
        files.check_stem(name, "name")


@pytest.mark.parametrize("name", ["", "  ", None])
def test_an_empty_stem_is_refused(name: object) -> None:
    with pytest.raises(ParameterError, match="^name: expected a file name without extension"):
        files.check_stem(name, "name")


def test_plain_stems_pass() -> None:
    assert [files.check_stem(n, "name") for n in ("cosine", "fig 1 (a)", "学习率", "a.b")] == [
        "cosine", "fig 1 (a)", "学习率", "a.b",
    ]  # fmt: skip


@pytest.fixture
def full_disk(tmp_path: Path):
    """A folder on a 200 KB file system (a tmpfs: needs the right to mount, else the test skips)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_is_one_error_and_keeps_the_old_file(full_disk: Path) -> None:
    (full_disk / "cosine.csv").write_text("old\n")
    result = subprocess.run(
        [sys.executable, "-m", "lrplot", "cosine", "--steps", "100000", "--engine", "numpy", "--format", "csv",
         "--out", str(full_disk)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"Error: cannot write '{full_disk / 'cosine.csv'}': No space left on device\n"
    assert os.listdir(full_disk) == ["cosine.csv"] and (full_disk / "cosine.csv").read_text() == "old\n"
