"""The chunk store ``OUT.parts/`` of a sweep writing ``OUT``: a lock, a manifest, one JSON
file per finished chunk and their checksums, so that an interrupted sweep resumes from
its intact chunks and never mixes chunks of two sweeps.

Layout (version :data:`~spinpair.sweep.spec.SCHEMA_VERSION`): ``lock`` (the pid of the run
holding it, ``flock``-ed), ``manifest.json`` (``format``, ``sweep_sha256``, ``n_points``,
``chunk_size``, ``sweep_file``; JSON Schema ``spinpair/schemas/sweep_manifest.schema.json``),
``chunk-NNNNNNNN.json`` (``start``, ``stop``, ``rows``) and ``chunks.sha256`` (in the
format of ``sha256sum``).

Examples
--------
>>> parts_folder("results/sweep.nc").as_posix()
'results/sweep.nc.parts'
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fileio import atomic_write_bytes, atomic_write_text, fitting_name, remove_temporaries
from ..validation import instance
from . import evaluate as _evaluate
from .spec import SCHEMA_VERSION, SweepSpec, chunk_ranges

_MANIFEST = "manifest.json"
_SUMS = "chunks.sha256"
_LOCK = "lock"
_CHUNK = re.compile(r"chunk-\d{8}\.json\Z")
_SUM_LINE = re.compile(r"([0-9a-f]{64})  (chunk-\d{8}\.json)\Z")
#: Hidden temporaries of atomic writes into ``OUT.parts/`` (a kill while writing).
_OWN_TEMP = re.compile(r"\.(chunk-\d{8}\.json|manifest\.json)\.[a-z0-9_]{8}\.json\Z")
_OWN_NAME = re.compile(
    rf"({_CHUNK.pattern}|{re.escape(_MANIFEST)}\Z|{re.escape(_SUMS)}\Z|{_LOCK}\Z|{_OWN_TEMP.pattern})"
)


def parts_folder(out: str | Path) -> Path:
    """The folder of finished chunks of a sweep writing ``out``: ``OUT.parts`` beside it."""
    if not isinstance(out, (str, Path)) or not Path(out).name:
        raise InputError("--out", out, "a file name (the sweep's output)")
    p = Path(out)
    return p.with_name(fitting_name(p.name, len(".parts")) + ".parts")


def manifest(spec: SweepSpec, chunk_size: int) -> dict[str, Any]:
    """The manifest of ``spec`` cut into chunks of ``chunk_size`` points (what
    ``OUT.parts/manifest.json`` holds)."""
    instance("spec", spec, SweepSpec, "a SweepSpec (SweepSpec.from_toml)")
    return {
        "format": SCHEMA_VERSION,
        "sweep_sha256": spec.fingerprint(),
        "n_points": spec.n_points,
        "chunk_size": chunk_size,
        "sweep_file": spec.source,
    }


def _fault_point(name: str) -> None:
    """Named places of :func:`sweep_to_file` where a crash leaves the most to repair
    (``chunk-written``: a chunk file renamed into place, its checksum not yet recorded;
    ``chunk-recorded``; ``manifest``: before the manifest is written; ``published``: the
    output renamed into place, ``OUT.parts/`` not yet removed; ``removing``: the manifest
    removed, the chunk files not yet). Does nothing; the fault-injection tests replace it,
    for example with a ``kill -9`` of the process."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} in a chunk file")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_own(path: Path, limit: int | None = None) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a symbolic link); else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read() if limit is None else f.read(limit)
    except OSError:
        return None
    finally:
        os.close(fd)


class _Store:
    """``OUT.parts/``: a lock, a manifest (fingerprint, chunk size), one JSON file per
    finished chunk and ``chunks.sha256`` (the SHA-256 of each chunk file, appended as each
    is written, in the format of ``sha256sum``).

    One runner at a time: :meth:`open` takes an exclusive ``flock`` on ``OUT.parts/lock``
    (released by the system when the process ends, however it ends, so the lock of a dead
    run is taken over at once). A folder that is a symbolic link, belongs to another user
    or holds files that are not a sweep's is refused; one without a manifest (a run killed
    before writing it) or with a damaged one is started over; a chunk whose bytes do not
    match its recorded checksum is recomputed, with a note on stderr.
    """

    def __init__(self, spec: SweepSpec, out: Path, log: Callable[[str], None]) -> None:
        self.spec = spec
        self.out = out
        self.log = log
        self.folder = parts_folder(out)
        self.chunk_size = 0
        self.resumed = False
        self.chunks: list[tuple[int, int, int]] = []
        self.sums: dict[str, str] = {}
        self._lock_fd: int | None = None
        self._sums_fd: int | None = None
        self._manifest: dict[str, Any] | None = None

    # ---------------------------------------------------------------- folder and lock

    def _refuse(self, why: str) -> InputError:
        return InputError(
            "--out", str(self.out), f"an output whose folder {self.folder} is a sweep's own", why
        )

    def _check_folder(self) -> bool:
        """Whether the folder exists; refuse it if it is not one of ours."""
        try:
            st = os.lstat(self.folder)
        except FileNotFoundError:
            return False
        if stat.S_ISLNK(st.st_mode):
            raise self._refuse("it is a symbolic link: spinpair makes this folder itself")
        if not stat.S_ISDIR(st.st_mode):
            raise self._refuse("it is not a folder: remove it or choose another --out")
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            raise self._refuse("it belongs to another user")
        foreign = sorted(n for n in os.listdir(self.folder) if not _OWN_NAME.match(n))
        if foreign:
            raise self._refuse(
                f"it holds files that are not a sweep's ({', '.join(foreign[:3])}): remove "
                "the folder or choose another --out"
            )
        return True

    def open(self) -> None:
        """Check and lock the folder (creating it), remove what killed runs left, read the
        manifest. Refuses (InputError) a folder that is not ours, one another live run
        holds, and a manifest of another sweep."""
        for _ in range(10):
            if not self._check_folder():
                with contextlib.suppress(FileExistsError):
                    os.mkdir(self.folder)
                self._check_folder()
            if self._try_lock():
                break
        else:  # pragma: no cover - the folder kept vanishing under us
            raise self._refuse("another process keeps removing it")
        try:
            self._check_folder()  # nothing planted between the check and the lock
            for e in os.scandir(self.folder):
                if _OWN_TEMP.match(e.name):
                    with contextlib.suppress(OSError):
                        os.unlink(e.path)
            remove_temporaries(self.out)
            self._manifest = self._read_manifest()
        except BaseException:
            self.close()
            raise

    def _try_lock(self) -> bool:
        path = self.folder / _LOCK
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
        try:
            fd = os.open(path, flags, 0o666)
        except FileNotFoundError:
            return False  # the folder was removed meanwhile (a run finishing): again
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise self._refuse(f"{path} is a symbolic link") from None
            raise InputError(
                "--out", str(self.out), "a writable output folder", e.strerror or ""
            ) from None
        try:
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:  # pragma: no cover - not POSIX: no lock
                pass
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
                raise InputError(
                    "--out",
                    str(self.out),
                    "an output that no other sweep is writing now",
                    f"a running spinpair sweep (pid {holder or 'unknown'}) holds {path}: "
                    "wait for it to finish, or stop it and run again to resume",
                ) from None
            try:  # still the lock file of the folder (not one a finishing run removed)?
                same = os.path.samestat(os.stat(path, follow_symlinks=False), os.fstat(fd))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                return False
            before = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            if before and before != str(os.getpid()):
                self.log(
                    f"taking over {self.folder} from an earlier run (pid {before}) that is "
                    "no longer running"
                )
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise
        self._lock_fd = fd
        return True

    def close(self) -> None:
        """Release the lock (the folder stays)."""
        for name in ("_sums_fd", "_lock_fd"):
            fd = getattr(self, name)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, None)

    # ---------------------------------------------------------------- manifest

    def _read_manifest(self) -> dict[str, Any] | None:
        """The manifest if valid and of this sweep; None if absent or damaged (start
        over); refuses (InputError) the valid manifest of another sweep."""
        raw = _read_own(self.folder / _MANIFEST, 1 << 22)
        if raw is None:
            if any(_CHUNK.match(n) for n in os.listdir(self.folder)):
                self.log(
                    f"{self.folder} has no manifest (an earlier run was stopped before "
                    "writing it): starting over"
                )
            return None
        try:
            m = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
            ok = (
                isinstance(m, dict)
                and m.get("format") == SCHEMA_VERSION
                and isinstance(m.get("sweep_sha256"), str)
                and type(m.get("n_points")) is int
                and type(m.get("chunk_size")) is int
                and m["chunk_size"] >= 1
            )
        except (ValueError, UnicodeDecodeError):
            ok = False
        if not ok:
            self.log(
                f"{self.folder / _MANIFEST} is damaged or from another version of spinpair: "
                "starting over"
            )
            return None
        if m["sweep_sha256"] != self.spec.fingerprint():
            raise InputError(
                "--out",
                str(self.out),
                f"the sweep file of the unfinished run kept in {self.folder}",
                f"this sweep file differs (axes, their order, values, base parameters or "
                f"settings); delete {self.folder} to start over, or choose another --out",
            )
        if m["n_points"] != self.spec.n_points:
            self.log(f"{self.folder / _MANIFEST} does not match its sweep: starting over")
            return None
        return m

    def prepare(self, chunk_size: int) -> None:
        """Resume from the manifest read by :meth:`open`, or start over with ``chunk_size``:
        old chunk files removed, then a new manifest written."""
        if self._manifest is not None:
            self.chunk_size = int(self._manifest["chunk_size"])
            self.resumed = True
            self.sums = self._read_sums()
        else:
            for e in os.scandir(self.folder):
                if _CHUNK.match(e.name) or e.name in (_SUMS, _MANIFEST):
                    os.unlink(e.path)
            self.chunk_size = chunk_size
            _fault_point("manifest")
            atomic_write_text(
                self.folder / _MANIFEST, json.dumps(manifest(self.spec, chunk_size), indent=1)
            )
        self.chunks = chunk_ranges(self.spec.n_points, self.chunk_size)

    # ---------------------------------------------------------------- chunks

    def _read_sums(self) -> dict[str, str]:
        raw = _read_own(self.folder / _SUMS) or b""
        sums = {}
        for line in raw.split(b"\n")[:-1]:  # a last line without newline is torn
            m = _SUM_LINE.match(line.decode("ascii", "replace"))
            if m:
                sums[m.group(2)] = m.group(1)
        return sums

    def _record(self, name: str, digest: str) -> None:
        """Append ``digest  name`` to ``chunks.sha256`` (one write of one line)."""
        try:
            self._append(name, digest)
        except OSError as e:  # a full disk, a quota: named by the user's path
            raise InputError(
                "--out",
                str(self.out),
                f"an output whose folder {self.folder} can be written",
                e.strerror or str(e),
            ) from None

    def _append(self, name: str, digest: str) -> None:
        if self._sums_fd is None:
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
            self._sums_fd = os.open(self.folder / _SUMS, flags | os.O_CLOEXEC, 0o666)
            size = os.fstat(self._sums_fd).st_size
            if size and os.pread(self._sums_fd, 1, size - 1) != b"\n":
                os.write(self._sums_fd, b"\n")  # after a torn last line
        os.write(self._sums_fd, f"{digest}  {name}\n".encode())
        self.sums[name] = digest

    def path(self, k: int) -> Path:
        return self.folder / f"chunk-{k:08d}.json"

    def _load(self, k: int) -> list[dict[str, Any]] | None:
        """Rows of chunk ``k`` if its file matches its recorded checksum and its range."""
        _, a, b = self.chunks[k]
        p = self.path(k)
        raw = _read_own(p)
        if raw is None or self.sums.get(p.name) != _sha256(raw):
            return None
        try:
            d = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
            if d["start"] == a and d["stop"] == b and len(d["rows"]) == b - a:
                return list(d["rows"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            pass
        return None

    def finished(self) -> set[int]:
        """Indices of chunks already on disk and intact (their checksum recorded and
        matching); any other chunk file is removed (noted on stderr if it had a checksum:
        edited or damaged)."""
        present = {n for n in os.listdir(self.folder) if _CHUNK.match(n)}
        done = set()
        for k, _, _ in self.chunks:
            name = self.path(k).name
            if name not in present:
                continue
            present.discard(name)
            if self._load(k) is not None:
                done.add(k)
                continue
            if name in self.sums:
                self.log(
                    f"{self.path(k)} does not match its checksum or range (edited or "
                    "damaged): recomputing it"
                )
            self.path(k).unlink(missing_ok=True)
        for name in present:  # beyond the grid: not this sweep's
            (self.folder / name).unlink(missing_ok=True)
        return done

    def write(self, k: int, rows: list[dict[str, Any]]) -> None:
        """Write chunk ``k`` atomically, then record its checksum."""
        _, a, b = self.chunks[k]
        data = json.dumps({"start": a, "stop": b, "rows": rows}, allow_nan=False).encode()
        atomic_write_bytes(self.path(k), data)
        _fault_point("chunk-written")
        self._record(self.path(k).name, _sha256(data))
        _fault_point("chunk-recorded")

    def rows(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """(first grid index, rows) of every chunk in order, one chunk in memory at a
        time, each checked against its checksum again (a chunk changed since the resume
        check is recomputed here, with a note on stderr)."""
        for k, a, b in self.chunks:
            rows = self._load(k)
            if rows is None:
                self.log(f"{self.path(k)} changed after it was checked: recomputing it")
                rows = _evaluate.evaluate_chunk(self.spec, a, b)
                rows = json.loads(json.dumps(rows, allow_nan=False))
                self.write(k, rows)
            yield a, rows

    def remove(self) -> None:
        """Remove the folder: the manifest first (a kill half-way leaves a folder without
        one, which the next run starts over), then the chunks, the lock, the folder."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.folder / _MANIFEST)
        _fault_point("removing")
        for e in os.scandir(self.folder):
            if e.name != _LOCK:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(e.path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.folder / _LOCK)
        self.close()
        with contextlib.suppress(OSError):
            os.rmdir(self.folder)


__all__ = ["manifest", "parts_folder"]
