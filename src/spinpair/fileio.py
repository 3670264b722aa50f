"""File output in one place: atomic writes and the JSON policy.

Why one file of ~520 lines: every write of the package goes through it (one atomic-write
and one JSON policy), with the bounded readers of input files beside them.

Atomic writes: write to a temporary file in the same folder, then rename.

A crash, an exception or a signal (SIGINT/SIGTERM, turned into ``KeyboardInterrupt`` by the
command line) leaves either the old file or the new one, never half of one, and no
temporary file. No folders are created: the target's folder must exist (``docs/cli.md``).
Errors name the user's path, never the hidden temporary file.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
>>> check_output_path("--out", p)
PosixPath('...x.txt')
>>> atomic_write_text(p, "hello")
>>> p.read_text()
'hello'
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import InputError


def _usual_mode(path: Path, mode: int) -> None:
    """``mkstemp``/``mkdtemp`` make 0600/0700: give the umask's usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, mode & ~umask)


_PERMISSION_ERRNOS = {
    getattr(errno, n) for n in ("EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT") if hasattr(errno, n)
}


def _folder_writable(field: str, target: Path, shown: str) -> None:
    parent = target.parent
    # name the folder as the user wrote it (a relative path stays relative)
    user_parent = os.path.dirname(shown.rstrip("/" + os.sep)) or "."
    if not parent.exists():
        raise InputError(
            field,
            shown,
            f"a path in an existing folder ({user_parent} does not exist; no folders are created)",
        )
    if not parent.is_dir():
        raise InputError(field, shown, f"a path in a folder ({user_parent} is not a folder)")
    # os.access says yes to root on read-only file systems such as /proc: probe instead,
    # with an unnamed temporary file where the system supports it (nothing to clean up).
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as e:
        reason = e.strerror if e.errno in _PERMISSION_ERRNOS else "not writable"
        raise InputError(
            field,
            shown,
            f"a path in a writable folder (cannot create a file in {user_parent}: {reason})",
        ) from None


def check_output_path(field: str, path: str | Path, *, folder: bool = False) -> Path:
    """Check, before any computation, that ``path`` can be written; return it as a Path.

    ``folder=False`` (an output file): the parent folder exists and is writable, and
    ``path`` is not an existing folder. ``folder=True`` (an output folder such as
    ``reproduce --out``): the parent exists and is writable, and ``path`` is not an
    existing file. Nothing is created. Raises :class:`~spinpair.errors.InputError`
    naming ``field`` and the user's ``path``.
    """
    shown = str(path)
    if not shown or (shown.endswith(("/", os.sep)) and not folder):
        raise InputError(field, shown, "a file name")
    target = Path(os.path.abspath(os.path.expanduser(shown)))
    if folder:
        if target.exists() and not target.is_dir():
            raise InputError(field, shown, "a folder name (this is an existing file)")
    elif target.is_dir():
        raise InputError(field, shown, "a file name (this is an existing folder)")
    _folder_writable(field, target, shown)
    return Path(shown)


#: The longest file name (bytes) of the usual file systems (ext4, XFS, Btrfs, APFS, tmpfs).
NAME_MAX = 255
#: Characters ``tempfile`` draws its 8 random name characters from.
_RANDOM = "[a-z0-9_]{8}"


def fitting_name(name: str, reserve: int) -> str:
    """``name``, or a shortened form of it, such that ``reserve`` more bytes still fit in
    :data:`NAME_MAX`: a name too long keeps its start and gets ``~`` and 10 hex digits of
    its SHA-256 (the same name always gives the same short form).

    >>> fitting_name("a.csv", 20)
    'a.csv'
    >>> len(fitting_name("x" * 254, 20).encode())
    235
    """
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) + reserve <= NAME_MAX:
        return name
    tag = "~" + hashlib.sha256(raw).hexdigest()[:10]
    keep = raw[: max(0, NAME_MAX - reserve - len(tag))]
    return keep.decode("utf-8", "ignore") + tag


def temp_prefix(target: str | Path) -> tuple[str, str]:
    """(prefix, suffix) of the hidden temporary files :func:`atomic_write` makes for
    ``target``: ``.NAME.`` + 8 random characters + NAME's suffix, shortened
    (:func:`fitting_name`) where the whole would not fit in :data:`NAME_MAX` bytes."""
    t = Path(target)
    suffix = t.suffix if len(t.suffix.encode("utf-8", "surrogateescape")) <= 16 else ""
    name = fitting_name(t.name, 2 + 8 + len(suffix.encode("utf-8", "surrogateescape")))
    return f".{name}.", suffix


def remove_temporaries(target: str | Path) -> list[Path]:
    """Remove the hidden temporary files that :func:`atomic_write` left beside ``target``
    (a process killed while writing it); return them. Call it only where no other process
    may be writing ``target`` (the sweep does, holding its lock)."""
    t = Path(target)
    prefix, suffix = temp_prefix(t)
    pattern = re.compile(re.escape(prefix) + _RANDOM + re.escape(suffix) + r"\Z")
    removed = []
    try:
        entries = list(os.scandir(t.parent if str(t.parent) else "."))
    except OSError:
        return []
    for e in entries:
        if pattern.match(e.name) and e.is_file(follow_symlinks=False):
            try:
                os.unlink(e.path)
                removed.append(Path(e.path))
            except OSError:
                pass
    return removed


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk, where the system allows."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - not a POSIX folder
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on a folder
        pass
    finally:
        os.close(fd)


def atomic_write(
    path: str | Path, writer: Callable[[Path], object], *, durable: bool = False
) -> None:
    """Call ``writer(tmp_path)`` then atomically move ``tmp_path`` onto ``path``.

    The temporary file keeps the target's suffix, so writers that infer the format from
    the name (matplotlib's ``savefig``) work. On any exception (and on
    ``KeyboardInterrupt``) the temporary file is removed and the target is untouched. The
    target's folder must exist (no folders are created); a missing or unwritable folder or
    a folder in place of the file raises :class:`~spinpair.errors.InputError` naming
    ``path``. The temporary file's name fits any legal ``path`` (:func:`temp_prefix`).

    ``durable=True`` also flushes the new file to disk before the rename and the folder
    after it (``fsync``), so that after a power loss ``path`` holds the old file or the
    whole new one; without it a crash of the process is covered, a power loss may leave
    the new file empty or partial on some file systems.
    """
    target = Path(path)
    prefix, suffix = temp_prefix(target)
    if target.is_dir():
        raise InputError("output", str(path), "a file name (this is an existing folder)")
    tmp_path: Path | None = None
    try:
        # SIGINT/SIGTERM are deferred until the temporary file's name is known, so that an
        # interrupt arriving right after mkstemp is raised inside this try and the file is
        # removed (a kill test of the sweep found such a leftover)
        with _signals_blocked():
            try:
                fd, tmp = tempfile.mkstemp(
                    dir=target.parent if str(target.parent) else ".", prefix=prefix, suffix=suffix
                )
            except OSError as e:
                raise InputError(
                    "output", str(path), "a path in an existing, writable folder", e.strerror or ""
                ) from None
            tmp_path = Path(tmp)
        os.close(fd)
        _usual_mode(tmp_path, 0o666)
        writer(tmp_path)
        if durable:
            fd = os.open(tmp_path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp_path, target)
        if durable:
            _fsync_folder(target.parent if str(target.parent) else Path("."))
    except InputError:
        if tmp_path is not None:
            tmp_path.unlink(missing_ok=True)
        raise
    except OSError as e:
        if tmp_path is not None:
            tmp_path.unlink(missing_ok=True)
        raise InputError("output", str(path), "a writable file", e.strerror or str(e)) from None
    except BaseException:
        if tmp_path is not None:
            tmp_path.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes, *, durable: bool = False) -> None:
    """Write ``data`` to ``path`` atomically."""
    atomic_write(path, lambda p: p.write_bytes(data), durable=durable)


#: The most bytes an input file of settings (a parameter or sweep file) may hold.
MAX_INPUT_BYTES = 1 << 20


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_input_bytes(field: str, path: str | Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the input file ``path``, read with a cap: a regular file of at most
    ``limit`` bytes. Devices (``/dev/zero``), FIFOs, sockets and folders are refused at
    once, without reading (a FIFO is opened without waiting for a writer), and a file
    that grows past ``limit`` while read is refused after ``limit + 1`` bytes. Raises
    :class:`~spinpair.errors.InputError` naming ``field`` and the user's ``path``."""
    shown = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(field, shown, "an existing file") from None
    except OSError as e:
        raise InputError(field, shown, "a readable file", e.strerror or str(e)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(field, shown, "a file (this is a folder)")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(field, shown, f"a regular file (this is {_kind(st.st_mode)})")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise InputError(field, shown, "a readable file", e.strerror or str(e)) from None
    try:
        st = os.fstat(fd)  # what was opened (the name may have been swapped meanwhile)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(field, shown, f"a regular file (this is {_kind(st.st_mode)})")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            try:
                b = os.read(fd, min(1 << 16, limit + 1 - size))
            except OSError as e:
                raise InputError(field, shown, "a readable file", e.strerror or str(e)) from None
            if not b:
                break
            chunks.append(b)
            size += len(b)
    finally:
        os.close(fd)
    if size > limit:
        raise InputError(field, shown, f"a file of at most {limit} bytes")
    return b"".join(chunks)


_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM) if s is not None)


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """Defer SIGINT/SIGTERM (main thread, POSIX) for a few system calls."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


#: The file whose presence marks a folder as a previous ``spinpair reproduce`` result.
RESULT_MARKER = "results.json"


def _result_files(folder: Path, marker: str) -> set[str]:
    """The names of the files a previous result in ``folder`` consists of, from its
    ``marker`` (``results.json``: itself, ``report.html`` and each figure's PNG and PDF);
    empty if the marker cannot be read as such."""
    try:
        listed = json.loads((folder / marker).read_text(encoding="utf-8"))["figures"]
        images = [str(v["image"]) for v in listed.values() if v.get("image")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    names = {marker, "report.html"}
    for image in images:
        stem = Path(image).stem
        names |= {f"{stem}.png", f"{stem}.pdf"}
    return names


def check_output_folder(field: str, path: str | Path, marker: str = RESULT_MARKER) -> Path:
    """Check an output folder that :func:`atomic_folder` will replace as a whole.

    Allowed: a new name in an existing writable folder, an empty folder, or a folder that
    holds a previous result and nothing else (its ``marker`` lists the result's files).
    Any other existing folder is refused rather than replaced: ``--out .`` or a result
    folder with the user's own notes added must not delete the user's files.
    """
    full = Path(os.path.abspath(os.path.expanduser(str(path))))
    if not full.name or Path.cwd().is_relative_to(full):
        raise InputError(
            field, str(path), "a folder that does not hold the current folder (it is replaced)"
        )
    check_output_path(field, path, folder=True)
    p = Path(path)
    if p.is_dir() and any(p.iterdir()):
        if not (p / marker).is_file():
            raise InputError(
                field,
                str(path),
                f"a new folder name, an empty folder or a previous result folder (with "
                f"{marker}); this folder holds other files",
            )
        own = _result_files(p, marker)
        foreign = sorted(e.name for e in p.iterdir() if not e.is_file() or e.name not in own)
        if foreign:
            raise InputError(
                field,
                str(path),
                "a previous result folder holding only its own files (it is replaced as a "
                f"whole); this one also holds {', '.join(foreign[:3])}"
                + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""),
            )
    return p


def _exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` in one atomic step (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``); False where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _folder_temporaries(target: Path) -> tuple[str, re.Pattern[str]]:
    """Prefix of :func:`atomic_folder`'s hidden folders for ``target`` and the pattern of
    their names (kind, creator's pid; older versions wrote no pid)."""
    prefix = "." + fitting_name(target.name, 1 + 9 + 21 + 8) + "."
    pattern = re.compile(re.escape(prefix) + r"(partial|old)-(?:(\d+)-)?" + _RANDOM + r"\Z")
    return prefix, pattern


def remove_stale_folders(path: str | Path) -> list[Path]:
    """Remove the hidden folders that an :func:`atomic_folder` run killed half-way left
    beside ``path`` (``.NAME.partial-PID-…``, ``.NAME.old-PID-…``) whose process is gone;
    return them. Should ``path`` itself be missing and a stale ``old`` folder hold the
    previous result (a kill between the two renames of the fallback swap), that result is
    moved back first."""
    target = Path(os.path.abspath(os.path.expanduser(str(path))))
    _, pattern = _folder_temporaries(target)
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return []
    for e in entries:
        m = pattern.match(e.name)
        if not m or not e.is_dir(follow_symlinks=False):
            continue
        if m.group(2) is not None and _pid_alive(int(m.group(2))):
            continue
        saved = Path(e.path) / target.name
        if m.group(1) == "old" and not os.path.lexists(target) and saved.is_dir():
            with contextlib.suppress(OSError):
                os.rename(saved, target)
        shutil.rmtree(e.path, ignore_errors=True)
        removed.append(Path(e.path))
    return removed


@contextmanager
def atomic_folder(path: str | Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``path``; on success it replaces ``path`` at once.

    On any exception or interrupt the temporary folder is removed and ``path`` is left as
    it was, so a run leaves either the whole new set or the old state, never a part. An
    existing ``path`` (checked with :func:`check_output_folder`) is replaced as a whole:
    on Linux the new and the old folder swap names in one step (``renameat2`` with
    ``RENAME_EXCHANGE``), so that ``path`` names a complete result at every instant, even
    if the process is killed (``kill -9``) during the swap; elsewhere the old folder is
    moved aside first, and a kill between the two renames is repaired by the next run.
    Hidden folders left by an earlier run that was killed (:func:`remove_stale_folders`)
    are removed first.
    """
    target = Path(os.path.abspath(os.path.expanduser(str(path))))
    parent = target.parent
    remove_stale_folders(target)
    prefix, _ = _folder_temporaries(target)
    pid = os.getpid()
    try:
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f"{prefix}partial-{pid}-"))
    except OSError as e:
        raise InputError(
            "output", str(path), "a path in a writable folder", e.strerror or ""
        ) from None
    try:
        _usual_mode(tmp, 0o777)
        yield tmp
        with _signals_blocked():  # the swap is not interrupted half-way
            if target.is_dir() and any(target.iterdir()):
                if _exchange(tmp, target):  # tmp now holds the old result
                    _fsync_folder(parent)
                    shutil.rmtree(tmp, ignore_errors=True)
                    return
                old = Path(tempfile.mkdtemp(dir=parent, prefix=f"{prefix}old-{pid}-"))
                os.rename(target, old / target.name)
                try:
                    os.replace(tmp, target)
                except OSError:
                    os.rename(old / target.name, target)
                    raise
                finally:
                    shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)  # an empty folder or none: one atomic rename
            _fsync_folder(parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def to_jsonable(x: Any) -> Any:
    """JSON-ready copy of ``x``, the package's one JSON policy (``docs/cli.md``).

    Mappings → dicts with string keys, arrays and tuples → lists, numpy scalars → Python
    numbers, and NaN or ±inf → ``None`` (JSON ``null``, never 0: a failed fit must not read
    as a perfect one).

    >>> import numpy as np
    >>> to_jsonable({"chi2": np.float64("nan"), "n": (np.int64(3), 1.5)})
    {'chi2': None, 'n': [3, 1.5]}
    """
    import math

    import numpy as np

    if isinstance(x, Mapping):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return to_jsonable(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
