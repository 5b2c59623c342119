"""Writing files safely: atomic replacement, one writer at a time, special files opened, stdout as ``-``.

Every file pmfit writes goes through :func:`write_file`:

* a regular file (or a new one) is written to a hidden temporary file beside it, flushed to disk and
  renamed over the target, so a crash leaves the old file or the new one, never half of one; it keeps
  the old file's permission bits;
* while it is written the target's lock is held (an ``fcntl`` lock on ``.<name>.pmfit-lock`` beside
  it, removed again when the write is done), so writers queue instead of losing each other's work;
  :func:`locked` holds the same lock around a read-modify-write such as adding a baseline;
* temporary files left beside the target by a writer that was killed are removed by the next write
  (under the lock no live writer can own them);
* a FIFO, a character or block device, or a symlink to one is opened and written, never replaced
  (renaming over ``/dev/null`` would replace the device with a file);
* ``-`` is standard output.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from pmfit.model.diagnostics import Diagnostic, PlanError

STDOUT = "-"
TEMP_SUFFIX = ".pmfit-tmp"
LOCK_SUFFIX = ".pmfit-lock"

_held: dict[str, int] = {}          # locks this process holds, by lock path, with their depth
_held_files: dict[str, int] = {}    # the open lock file descriptors
_guard = threading.RLock()


def is_stdout(path: str | os.PathLike[str]) -> bool:
    return str(path) == STDOUT


def cannot_write(exc: OSError, target: Path) -> PlanError:
    """A write that failed, named by the path the user gave (not the temporary file beside it)."""
    missing = f"the folder '{target.parent}' does not exist" if not target.parent.exists() else (
        f"files cannot be created in '{target.parent}'")
    why = {errno.ENOENT: missing,
           errno.ENOTDIR: f"'{target.parent}' is not a folder",
           errno.EISDIR: f"'{target}' is a folder, not a file; name a file in it",
           errno.EACCES: "permission denied", errno.EPERM: "permission denied",
           errno.EROFS: "the file system is read-only",
           errno.ENOSPC: "the disk is full",
           errno.ENXIO: "nothing is reading from this pipe"}.get(exc.errno or 0, exc.strerror or str(exc))
    return PlanError(Diagnostic("bad_file", f"cannot write the file: {why}", file=str(target)))


def resolve(path: str | os.PathLike[str]) -> Path:
    """The file a path names: a symlink is followed (writing replaces what it points to, not the link)."""
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    return target


def _lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}{LOCK_SUFFIX}")


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the write lock of ``path`` (re-entrant within a process): other pmfit writers wait.

    A folder where no lock file can be made (read-only, missing) is not locked: the write itself
    then fails with the usual located message.
    """
    if is_stdout(path):
        yield
        return
    target = resolve(path)
    if target.exists() and not target.is_file():  # pipes and devices: opened, not replaced; no lock file
        yield
        return
    key = str(_lock_path(target).absolute())
    with _guard:
        depth = _held.get(key, 0)
        if depth == 0:
            _held_files[key] = _acquire(key)
        _held[key] = depth + 1
    try:
        yield
    finally:
        with _guard:
            _held[key] -= 1
            if _held[key] == 0:
                del _held[key]
                fd = _held_files.pop(key)
                if fd >= 0:
                    if os.name == "posix":  # no lock file left behind; the next writer checks the inode
                        with contextlib.suppress(OSError):
                            os.unlink(key)
                    _unlock_fd(fd)
                    os.close(fd)


def _acquire(key: str) -> int:
    """Open and lock the lock file; -1 when none can be made (the write then fails on its own).

    The holder removes the lock file when it is done, so a writer that was waiting on the removed
    file tries again with the new one (the lock is the file the path names now, by its inode).
    """
    while True:
        try:
            fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            return -1
        _lock_fd(fd)
        try:
            same = os.name != "posix" or os.fstat(fd).st_ino == os.stat(key).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        _unlock_fd(fd)
        os.close(fd)


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ModuleNotFoundError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _unlock_fd(fd: int) -> None:
    try:
        import fcntl
    except ModuleNotFoundError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def stale_temporaries(target: Path) -> list[Path]:
    """Temporary files of earlier writes of ``target`` (this module's, and the ``mkstemp`` names of old)."""
    folder = target.parent if str(target.parent) else Path(".")
    pattern = re.compile(re.escape(f".{target.name}.") + r"(?:[a-z0-9_]{8}|[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX)
                         + ")")
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [folder / n for n in names if pattern.fullmatch(n)]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_file(data: str | bytes, path: str | os.PathLike[str], *, newline: str | None = None) -> None:
    """Write ``data`` to ``path`` safely (see the module docstring); ``-`` is standard output."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if newline is None and isinstance(data, str) and os.linesep != "\n":  # pragma: no cover - Windows text mode
        raw = data.replace("\n", os.linesep).encode("utf-8")
    if is_stdout(path):
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:  # a text-only stdout (a test's capture)
            sys.stdout.write(raw.decode("utf-8"))
        else:
            sys.stdout.flush()
            stream.write(raw)
        sys.stdout.flush()
        return
    target = resolve(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise cannot_write(exc, target) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise cannot_write(IsADirectoryError(errno.EISDIR, "Is a directory"), target)
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_special(raw, target, info)
        return
    with locked(target):
        for stale in stale_temporaries(target):
            with contextlib.suppress(OSError):
                stale.unlink()
        _replace(raw, target)


def _write_special(raw: bytes, target: Path, info: os.stat_result) -> None:
    """A FIFO or device: opened and written like the shell's ``>`` does, never renamed over."""
    if stat.S_ISSOCK(info.st_mode):
        raise PlanError(Diagnostic("bad_file", "cannot write the file: it is a socket", file=str(target)))
    try:
        fd = os.open(target, os.O_WRONLY | (os.O_NOCTTY if hasattr(os, "O_NOCTTY") else 0))
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
    except BrokenPipeError:  # the reader went away: what it read, it read
        return
    except OSError as exc:
        raise cannot_write(exc, target) from None


def _replace(raw: bytes, target: Path) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent or ".")
    except OSError as exc:
        raise cannot_write(exc, target) from None
    try:
        # mkstemp makes owner-only files; keep the old file's mode, else the usual umask default.
        try:
            mode_bits = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode_bits = 0o666 & ~_umask()
        os.chmod(tmp, mode_bits)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise cannot_write(exc, target) from None
        raise
