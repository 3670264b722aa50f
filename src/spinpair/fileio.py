"""File output in one place: atomic writes and the JSON policy.

Atomic writes: write to a temporary file in the same folder, then rename.

A crash, an exception or a signal (SIGINT/SIGTERM, turned into ``KeyboardInterrupt`` by the
command line) leaves either the old file or the new one, never half of one, and no
temporary file. No folders are created: the target's folder must exist (``CLI.md``).
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

import errno
import json
import os
import shutil
import signal
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


def atomic_write(path: str | Path, writer: Callable[[Path], object]) -> None:
    """Call ``writer(tmp_path)`` then atomically move ``tmp_path`` onto ``path``.

    The temporary file keeps the target's suffix, so writers that infer the format from
    the name (matplotlib's ``savefig``) work. On any exception (and on
    ``KeyboardInterrupt``) the temporary file is removed and the target is untouched. The
    target's folder must exist (no folders are created); a missing or unwritable folder or
    a folder in place of the file raises :class:`~spinpair.errors.InputError` naming
    ``path``.
    """
    target = Path(path)
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
                    dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix
                )
            except OSError as e:
                raise InputError(
                    "output", str(path), "a path in an existing, writable folder", e.strerror or ""
                ) from None
            tmp_path = Path(tmp)
        os.close(fd)
        _usual_mode(tmp_path, 0o666)
        writer(tmp_path)
        os.replace(tmp_path, target)
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


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    atomic_write(path, lambda p: p.write_bytes(data))


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


@contextmanager
def atomic_folder(path: str | Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``path``; on success it replaces ``path`` at once.

    On any exception or interrupt the temporary folder is removed and ``path`` is left as
    it was, so a run leaves either the whole new set or the old state, never a part. An
    existing ``path`` (checked with :func:`check_output_folder`) is replaced as a whole.
    """
    target = Path(os.path.abspath(os.path.expanduser(str(path))))
    parent = target.parent
    try:
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.partial-"))
    except OSError as e:
        raise InputError(
            "output", str(path), "a path in a writable folder", e.strerror or ""
        ) from None
    try:
        _usual_mode(tmp, 0o777)
        yield tmp
        with _signals_blocked():  # the swap is not interrupted half-way
            if target.is_dir() and any(target.iterdir()):
                old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.old-"))
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
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def to_jsonable(x: Any) -> Any:
    """JSON-ready copy of ``x``, the package's one JSON policy (``CLI.md``).

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
