"""Batched propagation of a thermal ensemble of pair spin Hamiltonians (and jumps).

Why one file of ~600 lines: the unitary and the Lindblad paths share the sector blocks,
the eigendecomposition caches, the e^{λt} tables and their chunking; every collision model
calls this one engine, so it is one room.

Every collision model reduces to the same job: a weighted set of "nodes" n (motional
states, energy-quadrature points, or a single ground state), each with its own spin
Hamiltonian H_n (Hz) and, for the relaxation models, Lindblad jump operators L_{n,j}
(√(1/s)); the pair spin state is the weighted average

    ρ(t) = Σ_n w_n ρ_n(t),   dρ_n/dt = −2πi[H_n, ρ_n] + Σ_j (L ρ L† − ½{L†L, ρ}).

Collisions conserve M = m1 + m2 and exchange symmetry, so every H_n and L_{n,j} is block
diagonal in the sectors of :func:`~.hamiltonian.conserved_sectors`, and each block
ρ_AB = P_A ρ P_B evolves on its own. The engine splits ρ(0) into its non-zero blocks and
evolves each in the span of its two sectors (3 states for |0,0⟩ with f = 2), so the cost is
set by the state, not by the (2f+1)² pair space.

Coherent nodes use one batched ``eigh`` per block and write all times at once as a matrix
product (phases e^{−2πi(E_k−E_l)t} times coefficients), chunked over nodes to bound memory.
Nodes with jumps use the Liouvillian: one batched eigendecomposition per Liouvillian
(cached), all times from one matrix product (``scipy.linalg.expm`` per time where the
eigenvectors are ill-conditioned, and as the reference path ``method="expm"``).

Examples
--------
>>> import numpy as np
>>> from spinpair.spin import named_state
>>> H = np.diag(np.arange(25.0))           # a diagonal Hamiltonian (Hz): nothing moves
>>> build = lambda B: Ensemble(B.conj().T @ H @ B, np.ones(1))
>>> rho = evolve_ensemble(named_state("00"), [0.0, 1.0], build)
>>> bool(np.allclose(rho[1], named_state("00")))
True
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._threads import blas_threads, single_thread
from ..errors import InputError
from ..spin import _as_array, f_from_dim
from ..validation import function, real_values
from .hamiltonian import conserved_sectors

Array = NDArray[np.complex128]


@dataclass(frozen=True)
class Ensemble:
    """Nodes of a model restricted to a k-dimensional support.

    ``hamiltonians_hz``: (n, k, k) or (k, k), Hz. ``weights``: (n,), summing to 1.
    ``jumps``: None, or (n or 1, J, k, k) jump operators in √(1/s).
    """

    hamiltonians_hz: Array
    weights: NDArray[np.float64]
    jumps: Array | None = None


#: Longest evolution time accepted [s] (11.6 days; atoms live seconds to minutes in a
#: tweezer). Beyond it the phases ω t (ω up to ~1e6 rad/s) lose double precision: at 1e12 s
#: the ground-state model returns a population of −0.04.
MAX_TIME_S = 1e6


def check_times(times_s: ArrayLike) -> NDArray[np.float64]:
    """Times (s): finite, in [0, :data:`MAX_TIME_S`] and non-decreasing; a clear error
    otherwise."""
    t = np.atleast_1d(real_values("times", times_s))
    if t.ndim == 1 and t.size:
        # fast path for valid input (every engine call): NaN fails both comparisons
        if t.min() >= 0 and t.max() <= MAX_TIME_S and not (t[1:] < t[:-1]).any():
            return t
    if t.ndim != 1 or t.size == 0:
        raise InputError("times", t.shape, "a non-empty 1-D list of times (s)")
    if np.any(~np.isfinite(t)):
        raise InputError("times", t.tolist(), "finite times (s)")
    if np.any(t < 0):
        raise InputError("times", float(t[t < 0][0]), "times >= 0 (s)")
    if np.any(t > MAX_TIME_S):
        raise InputError(
            "times",
            float(t[t > MAX_TIME_S][0]),
            f"times <= {MAX_TIME_S:g} s",
            "beyond it the phases lose double precision (atoms live minutes in a tweezer)",
        )
    if np.any(np.diff(t) < 0):
        raise InputError("times", t.tolist(), "non-decreasing times (s)")
    return t


@functools.cache
def _sector_frame(f: int) -> tuple[Array, NDArray[np.intp], NDArray[np.intp]]:
    """All conserved sectors side by side: basis (d², d²), sector label of every column and
    the column edges of the sectors (cached per f, read-only)."""
    sectors = conserved_sectors(f)
    B = np.hstack([s.vectors for s in sectors])
    sizes = [s.size for s in sectors]
    labels = np.repeat(np.arange(len(sectors)), sizes)
    edges = np.cumsum([0, *sizes])
    for a in (B, labels, edges):
        a.setflags(write=False)
    return B, labels, edges


#: Initial operators whose block decomposition :func:`_blocks` keeps (least recently used
#: dropped first; the key is the operator's bytes, so only bit-identical input hits).
BLOCK_CACHE_SIZE = 32
_BLOCK_CACHE: OrderedDict[tuple, tuple[tuple[Array, Array], ...]] = OrderedDict()


def _blocks(rho0: Array, f: int, tol: float = 1e-14) -> tuple[tuple[Array, Array], ...]:
    """(support basis (d², k), ρ part in support coordinates (k, k)) per block pair
    (a ≤ b) whose block ρ_ab has an entry above ``tol``, in the order of (a, b).

    Cached on the bytes of ``rho0`` (the same initial state at every call of a session);
    the arrays returned are read-only."""
    rho0 = np.ascontiguousarray(rho0, dtype=complex)
    key = (f, tol, rho0.shape, rho0.tobytes())
    hit = _BLOCK_CACHE.get(key)
    if hit is not None:
        _BLOCK_CACHE.move_to_end(key)
        return hit
    parts = tuple(_split_blocks(rho0, f, tol))
    for basis, part in parts:
        basis.setflags(write=False)
        part.setflags(write=False)
    _BLOCK_CACHE[key] = parts
    if len(_BLOCK_CACHE) > BLOCK_CACHE_SIZE:
        _BLOCK_CACHE.popitem(last=False)
    return parts


def _split_blocks(rho0: Array, f: int, tol: float) -> Iterator[tuple[Array, Array]]:
    """The generator behind :func:`_blocks` (uncached)."""
    sectors = conserved_sectors(f)
    B, labels, edges = _sector_frame(f)
    r = B.conj().T @ rho0 @ B
    i, j = np.nonzero(np.abs(r) > tol)
    la, lb = labels[i], labels[j]
    upper = la <= lb
    # the block pairs (a, b), a ≤ b, with a non-zero entry in r[a-block, b-block], sorted
    pairs = np.unique(la[upper] * len(sectors) + lb[upper])
    for code in pairs.tolist():
        a, b = divmod(code, len(sectors))
        sa = slice(edges[a], edges[a + 1])
        sb = slice(edges[b], edges[b + 1])
        blk = r[sa, sb].copy()
        if a == b:
            yield sectors[a].vectors, blk
        else:
            ka, kb = edges[a + 1] - edges[a], edges[b + 1] - edges[b]
            part = np.zeros((ka + kb, ka + kb), dtype=complex)
            part[:ka, ka:] = blk
            part[ka:, :ka] = r[sb, sa]
            yield np.hstack([sectors[a].vectors, sectors[b].vectors]), part


#: Nodes diagonalised at once (bounds the coefficient memory to ~ 100 MB for k = 3).
MAX_NODES = 200_000


#: Frequencies (node eigenvalue differences) handled per matrix product in :func:`_coherent`.
FREQ_CHUNK = 2048


#: Multiply-adds (rows·N·cols·blocks) from which the phase-table product of
#: :func:`_cos_sin_sums` runs with the process's default number of BLAS threads.
THREADED_PRODUCT_SIZE = 20_000_000


def _hermitian_vec(A: Array, iu: tuple, su: tuple) -> NDArray[np.float64]:
    """k² real numbers of Hermitian matrices (…, k, k): Re of the upper triangle with the
    diagonal, then Im of the strict upper triangle."""
    return np.concatenate([A[..., iu[0], iu[1]].real, A[..., su[0], su[1]].imag], axis=-1)


def _hermitian_from_vec(h: NDArray[np.float64], k: int, iu: tuple, su: tuple) -> Array:
    """Inverse of :func:`_hermitian_vec`: (…, k²) → Hermitian (…, k, k)."""
    out = np.zeros((*h.shape[:-1], k, k), dtype=complex)
    n_iu = iu[0].size
    out[..., iu[0], iu[1]] = h[..., :n_iu]
    out[..., su[0], su[1]] += 1j * h[..., n_iu:]
    out[..., su[1], su[0]] = out[..., su[0], su[1]].conj()
    return out


def _uniform_grid(t: NDArray) -> bool:
    """True if t_j = t_0 + j·Δt to within 10⁻⁹ Δt (Δt > 0)."""
    if t.size < 3:
        return False
    dt = (t[-1] - t[0]) / (t.size - 1)
    if dt <= 0:
        return False
    return bool(np.max(np.abs(t - (t[0] + dt * np.arange(t.size)))) <= 1e-9 * dt)


def _cos_sin_sums(
    omega: NDArray[np.float64], P: NDArray[np.float64], Q: NDArray[np.float64], t: NDArray
) -> NDArray[np.float64]:
    """Σ_p P_p cos(2πω_p t) + Q_p sin(2πω_p t) for every time: (nt, cols), real.

    On a uniform grid t = t_0 + (b·r + j)Δt (r ≈ √nt rows j, blocks b) the phases factor
    into a table e^{−2πiω jΔt} (r × N) and block phases e^{−2πiω(t_0 + b r Δt)} (blocks × N),
    both evaluated exactly; the block phases are folded into the coefficients, so all times
    come from one real matrix product (r × 2N) @ (2N × blocks·cols) per frequency chunk,
    with no recurrence and no rounding drift. Otherwise cos/sin are evaluated per time."""
    nt, cols = t.size, P.shape[1]
    out = np.zeros((nt, cols))
    if _uniform_grid(t):
        dt = (t[-1] - t[0]) / (nt - 1)
        rows = int(np.ceil(np.sqrt(nt)))
        nb = -(-nt // rows)
        j = np.arange(rows) * dt
        tb = t[0] + np.arange(nb) * rows * dt
        # per frequency p: [α, β] @ [[P, −Q], [−Q, −P]] = [αP − βQ, −(αQ + βP)], the
        # coefficients of cos and −sin of the table phase after the block phase α + iβ
        for s in range(0, omega.size, FREQ_CHUNK):
            w = 2 * np.pi * omega[s : s + FREQ_CHUNK]
            n = w.size
            PQ = np.empty((n, 2, cols, 2))  # contiguous: batched matmul is fast
            PQ[:, 0, :, 0], PQ[:, 0, :, 1] = P[s : s + n], -Q[s : s + n]
            PQ[:, 1, :, 0], PQ[:, 1, :, 1] = -Q[s : s + n], -P[s : s + n]
            table = np.empty((rows, n, 2))  # interleaved (cos, −sin) of ω·jΔt
            theta = j[:, None] * w[None, :]
            np.cos(theta, out=table[:, :, 0])
            np.sin(theta, out=table[:, :, 1])
            np.negative(table[:, :, 1], out=table[:, :, 1])
            theta = tb[None, :] * w[:, None]  # (n, nb)
            ab = np.empty((n, 2, nb))  # block phase e^{−iθ_b} = α + iβ
            np.cos(theta, out=ab[:, 0])
            np.sin(theta, out=ab[:, 1])
            np.negative(ab[:, 1], out=ab[:, 1])
            R = np.matmul(PQ.reshape(n, 2 * cols, 2), ab)  # (n, 2, cols, nb)
            # the one product big enough to gain from BLAS threads (1.9x idle at 10^4 times)
            big = rows * n * cols * nb >= THREADED_PRODUCT_SIZE
            with blas_threads(None if big else 1):
                block = table.reshape(rows, 2 * n) @ R.reshape(2 * n, cols * nb)
            out += block.reshape(rows, cols, nb).transpose(2, 0, 1).reshape(-1, cols)[:nt]
        return out
    rows = max(1, 4_000_000 // max(1, min(omega.size, FREQ_CHUNK)))
    for s in range(0, omega.size, FREQ_CHUNK):
        w = 2 * np.pi * omega[s : s + FREQ_CHUNK]
        for r in range(0, nt, rows):
            theta = t[r : r + rows, None] * w[None, :]
            out[r : r + rows] += np.cos(theta) @ P[s : s + w.size]
            out[r : r + rows] += np.sin(theta) @ Q[s : s + w.size]
    return out


def _coherent(rho: Array, t: NDArray, H: Array, w: NDArray) -> Array:
    """Σ_n w_n U_n(t) ρ U_n(t)† for all times: (nt, k, k).

    In the eigenbasis of each node, ρ_n(t) = Σ_{kl} C_{n,kl} e^{−2πi(E_k−E_l)t} with
    C_{n,kl} = w_n V|k⟩⟨k|V†ρV|l⟩⟨l|V†. The k = l terms are constant; each k < l term and
    its Hermitian conjugate (the k > l term) together give P cos + Q sin with the Hermitian
    P = C + C†, Q = −i(C − C†), stored as k² reals. So only k(k−1)/2 frequencies per node
    enter, all in real arithmetic (:func:`_cos_sin_sums`), chunked over nodes and
    frequencies so memory stays bounded (≈ 100 MB) for any number of nodes and times."""
    k = rho.shape[0]
    nt = t.size
    ku, lu = np.triu_indices(k, 1)
    iu, su = np.triu_indices(k), (ku, lu)
    acc = np.zeros((nt, k * k))
    const = np.zeros((k, k), dtype=complex)
    step = max(1, MAX_NODES // max(1, k * k))
    for i in range(0, H.shape[0], step):
        E, V = np.linalg.eigh(H[i : i + step])  # (n, k), (n, k, k)
        wi = w[i : i + step]
        X = np.einsum("nak,ab,nbl->nkl", V.conj(), rho, V)
        const += np.einsum("n,nak,nkk,nbk->ab", wi, V, X, V.conj())
        if ku.size == 0:
            continue
        C = np.einsum(
            "n,nap,np,nbp->npab", wi, V[:, :, ku], X[:, ku, lu], V[:, :, lu].conj()
        ).reshape(-1, k, k)
        Ch = C.conj().transpose(0, 2, 1)
        P = _hermitian_vec(C + Ch, iu, su)
        Q = _hermitian_vec(-1j * (C - Ch), iu, su)
        del C, Ch
        omega = (E[:, ku] - E[:, lu]).reshape(-1)
        acc += _cos_sin_sums(omega, P, Q, t)
    out = _hermitian_from_vec(acc, k, iu, su)
    out += const[None]
    return out


def liouvillian(H: Array, jumps: Array | None) -> Array:
    """Row-major Liouvillian (…, k², k²) of dρ/dt = −2πi[H, ρ] + Σ_j D[L_j]ρ (H in Hz)."""
    k = H.shape[-1]
    eye = np.eye(k)
    L = (
        -2j
        * np.pi
        * (np.einsum("...ab,cd->...acbd", H, eye) - np.einsum("ab,...dc->...acbd", eye, H))
    )
    if jumps is not None:
        LdL = np.einsum("...jba,...jbc->...ac", jumps.conj(), jumps)
        L = L + np.einsum("...jab,...jcd->...acbd", jumps, jumps.conj())
        L = L - 0.5 * np.einsum("...ab,cd->...acbd", LdL, eye)
        L = L - 0.5 * np.einsum("ab,...dc->...acbd", eye, LdL)
    return L.reshape(*L.shape[:-4], k * k, k * k)


#: Largest condition number κ(R) of a Liouvillian's eigenvector matrix R for which the
#: eigendecomposition path is used. The propagator R e^{Λt} R⁻¹ then carries a relative
#: error of order κ(R)·ε·max(1, ‖L‖t) (ε = 2.2e-16), below 1e-12 for the Liouvillians of
#: the relaxation models (κ ≈ 1–10); a node above it (a defective or nearly defective
#: Liouvillian) is propagated with ``scipy.linalg.expm`` at every time instead.
MAX_EIGVEC_CONDITION = 1e4

#: Largest number of times per block in :func:`_dissipative` (the (times × nodes·k²)
#: exponential table is also kept below 4·10⁶ entries).
TIME_CHUNK = 4096


#: Node sets whose Liouvillians and eigendecomposition :func:`liouvillian_eig` keeps (least
#: recently used dropped first); the key is the bytes of H and the jumps, so a cached entry
#: is only ever returned for bit-identical input.
EIG_CACHE_SIZE = 16
_EIG_CACHE: OrderedDict[tuple, tuple[Array, Array, Array, NDArray[np.bool_], Array]] = OrderedDict()


def liouvillian_eig(
    H: Array, jumps: Array | None, nodes: int | None = None
) -> tuple[Array, Array, Array, NDArray[np.bool_]]:
    """Liouvillians of nodes (H (n, k, k) in Hz; jumps (n or 1, J, k, k) or (J, k, k)
    shared) and their batched eigendecomposition: Liouvillians (nodes, k², k²),
    eigenvalues (nodes, k²), right eigenvectors (nodes, k², k²) and the mask of nodes
    whose eigenvector matrix has κ(R) ≤ :data:`MAX_EIGVEC_CONDITION`.

    Cached on the bytes of ``H`` and ``jumps`` (an immutable key: the same setup asked
    again — a fit, a scan over times, a plot — pays the Liouvillians and their
    eigendecomposition once); the arrays returned are read-only.

    Examples
    --------
    >>> H = np.diag([0.0, 1.0]).astype(complex)[None]
    >>> Ls, lam, R, good = liouvillian_eig(H, None)
    >>> sorted(np.round(lam[0].imag / (2 * np.pi), 6).tolist()), bool(good[0])
    ([-1.0, 0.0, 0.0, 1.0], True)
    """
    Ls, lam, R, good, _ = _eig_entry(H, jumps, nodes)
    return Ls, lam, R, good


def _eig_entry(
    H: Array, jumps: Array | None, nodes: int | None = None
) -> tuple[Array, Array, Array, NDArray[np.bool_], Array]:
    """:func:`liouvillian_eig` and the inverse eigenvector matrices of its well-conditioned
    nodes (good nodes, k², k²), cached together (the inverse replaces a batched solve at
    every call: c = R⁻¹ v0)."""
    H = np.ascontiguousarray(H, dtype=complex)
    n = H.shape[0] if nodes is None else nodes
    J = None if jumps is None else np.ascontiguousarray(jumps, dtype=complex)
    key = (H.shape, H.tobytes(), None if J is None else (J.shape, J.tobytes()), n)
    hit = _EIG_CACHE.get(key)
    if hit is not None:
        _EIG_CACHE.move_to_end(key)
        return hit
    Ls = liouvillian(H, J)
    if Ls.ndim == 2:
        Ls = Ls[None]
    Ls = np.ascontiguousarray(np.broadcast_to(Ls, (n, *Ls.shape[1:])))
    lam, R = np.linalg.eig(Ls)  # (n, k²), (n, k², k²)
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(R)
    good = np.isfinite(cond) & (cond <= MAX_EIGVEC_CONDITION)
    Rinv = np.linalg.inv(R[good]) if np.any(good) else R[:0]
    for a in (Ls, lam, R, good, Rinv):
        a.setflags(write=False)
    _EIG_CACHE[key] = (Ls, lam, R, good, Rinv)
    if len(_EIG_CACHE) > EIG_CACHE_SIZE:
        _EIG_CACHE.popitem(last=False)
    return Ls, lam, R, good, Rinv


#: Largest number of (time or row) × eigenvalue exponentials :func:`exp_sums` tabulates at
#: once (complex, 16 bytes each: 64 MB).
EXP_TABLE_SIZE = 4_000_000


def exp_sums(lam: Array, coef: Array, t: NDArray) -> Array:
    """Σ_p coef[p, :] e^{λ_p t} for every time: (nt, cols).

    On a uniform grid t = t_0 + (b·r + j)Δt (r ≈ √nt rows j, blocks b) the exponentials
    factor into a table e^{λ jΔt} (r × N) and block factors e^{λ(t_0 + b r Δt)}
    (blocks × N), both evaluated directly (no recurrence, no drift); the block factors are
    folded into the coefficients, so (r + blocks)·N exponentials instead of nt·N, and one
    (r × N) @ (N × blocks·cols) product. Otherwise the (times × N) table is built in
    chunks. Equal to the direct table to rounding (1e-15 relative; tested to 1e-12).

    Examples
    --------
    >>> t = np.linspace(0.0, 1.0, 50)
    >>> lam = np.array([-1.0 + 2j, -0.5])
    >>> coef = np.array([[1.0, 0.0], [0.0, 2.0]], dtype=complex)
    >>> want = np.exp(np.outer(t, lam)) @ coef
    >>> bool(np.allclose(exp_sums(lam, coef, t), want, rtol=1e-13, atol=0))
    True
    """
    nt, cols = t.size, coef.shape[1]
    out = np.zeros((nt, cols), dtype=complex)
    if lam.size == 0:
        return out
    if not _uniform_grid(t) or nt < 16:
        step = max(1, min(TIME_CHUNK, EXP_TABLE_SIZE // lam.size))
        for s in range(0, nt, step):
            out[s : s + step] = np.exp(np.outer(t[s : s + step], lam)) @ coef
        return out
    dt = (t[-1] - t[0]) / (nt - 1)
    rows = int(np.ceil(np.sqrt(nt)))
    nb = -(-nt // rows)
    j = np.arange(rows) * dt
    tb = t[0] + np.arange(nb) * rows * dt
    chunk = max(1, EXP_TABLE_SIZE // (rows + nb * cols))
    for s in range(0, lam.size, chunk):
        lm, cf = lam[s : s + chunk], coef[s : s + chunk]
        table = np.exp(np.outer(j, lm))  # (rows, n)
        folded = np.exp(np.outer(lm, tb))[:, :, None] * cf[:, None, :]  # (n, nb, cols)
        block = table @ folded.reshape(lm.size, nb * cols)  # (rows, nb·cols)
        out += block.reshape(rows, nb, cols).transpose(1, 0, 2).reshape(-1, cols)[:nt]
    return out


def _dissipative_expm(v0: Array, t: NDArray, Ls: Array, w: NDArray) -> Array:
    """Reference path: Σ_n w_n expm(L_n t) v0 for every time, (nt, k²)."""
    from scipy.linalg import expm  # here only: importing scipy.linalg takes ~0.3 s

    out = np.zeros((t.size, v0.size), dtype=complex)
    for j, tj in enumerate(t):
        P = expm(Ls * tj)  # batched over nodes
        out[j] = np.einsum("n,nab,b->a", w, P, v0)
    return out


def _dissipative(
    rho: Array,
    t: NDArray,
    H: Array,
    w: NDArray,
    jumps: Array,
    *,
    method: str = "eig",
    proj: Array | None = None,
) -> Array:
    """Σ_n w_n e^{L_n t} ρ for all times: (nt, k, k); with ``proj`` (k, K) only
    ⟨ψ_K|ρ(t)|ψ_K⟩ (nt, K), taken on the coefficients before the time table (K columns
    instead of k²).

    ``method="eig"``: one batched eigendecomposition L_n = R_n Λ_n R_n⁻¹ (cached per
    Liouvillian, :func:`liouvillian_eig`), then e^{L_n t} v0 = R_n e^{Λ_n t} (R_n⁻¹ v0), so
    all times and nodes come from one exponential-table product (:func:`exp_sums`). Nodes whose
    eigenvector matrix has κ(R) > :data:`MAX_EIGVEC_CONDITION` use ``expm`` (the
    ``method="expm"`` path, kept as the reference)."""
    k = rho.shape[0]
    v0 = rho.reshape(-1)
    Ls, lam, R, good, Rinv = _eig_entry(
        H, jumps if jumps.shape[0] == H.shape[0] else jumps[0], w.size
    )
    if method == "expm":
        return _dissipative_expm(v0, t, Ls, w).reshape(t.size, k, k)
    # functional of the row-major vector: ⟨ψ|X|ψ⟩ = Σ_ab conj(ψ_a) X_ab ψ_b
    F = None if proj is None else (proj.conj()[:, None, :] * proj[None, :, :]).reshape(k * k, -1)
    all_good = bool(good.all())
    if all_good:
        lam_g, R_g, w_g = lam, R, w
    else:
        lam_g, R_g, w_g = lam[good], R[good], w[good]
    if lam_g.size:
        c = Rinv @ v0  # (good, k²): R_n⁻¹ v0
        # coefficient of e^{λ_{n,j} t} in the output vector: w_n c_{n,j} R_n[:, j]
        if F is None:
            coef = (w_g[:, None, None] * c[:, None, :] * R_g).transpose(0, 2, 1)
            coef = coef.reshape(-1, k * k)
        else:  # (Rᵀ F) per node first: K columns instead of k²
            coef = ((w_g[:, None] * c)[:, :, None] * (R_g.transpose(0, 2, 1) @ F)).reshape(
                -1, F.shape[1]
            )
        out = exp_sums(lam_g.reshape(-1), coef, t)
    else:
        out = np.zeros((t.size, k * k if F is None else F.shape[1]), dtype=complex)
    if not all_good:
        ref = _dissipative_expm(v0, t, Ls[~good], w[~good])
        out += ref if F is None else ref @ F
    return out.reshape(t.size, k, k) if F is None else out


def _evolve_hermitian(
    rho: Array,
    f: int,
    t: NDArray[np.float64],
    build: Callable[[Array], Ensemble],
    method: str,
    kets: Array | None = None,
) -> Array:
    """Evolve a Hermitian ρ block by block; the result is Hermitian (each block's result
    is symmetrised in its k-dimensional support, before the embedding into the pair
    space, so no (times × d² × d²) temporaries are made beyond the output).

    With ``kets`` (d², K): only ⟨ψ_K|ρ(t)|ψ_K⟩ (nt, K), from each block in its own
    k-dimensional support (the (times × d² × d²) states are never made)."""
    d2 = rho.shape[0]
    out: Array | None = None
    for basis, part in _blocks(rho, f):
        ens = build(basis)
        H = np.asarray(ens.hamiltonians_hz, dtype=complex)
        if H.ndim == 2:
            H = H[None]
        w = np.asarray(ens.weights, dtype=float)
        proj = None if kets is None else basis.conj().T @ kets  # (k, K)
        if ens.jumps is not None and proj is not None:
            # populations straight from the coefficients; the Hermitian part of ρ(t) has
            # the real part of these expectation values
            jumps = np.asarray(ens.jumps, dtype=complex)
            value = _dissipative(part, t, H, w, jumps, method=method, proj=proj).real
            out = value.astype(complex) if out is None else out + value
            continue
        if ens.jumps is None:
            sub = _coherent(part, t, H, w)
        else:
            jumps = np.asarray(ens.jumps, dtype=complex)
            sub = _dissipative(part, t, H, w, jumps, method=method)
        sub = 0.5 * (sub + sub.conj().transpose(0, 2, 1))
        if proj is not None:
            value = np.einsum("ak,tab,bk->tk", proj.conj(), sub, proj)
        else:
            right = sub @ basis.conj().T  # (nt, k, d²)
            value = np.matmul(basis, right)
        if out is None:
            out = value
        else:
            out += value
    if out is None:
        shape = (t.size, d2, d2) if kets is None else (t.size, kets.shape[1])
        out = np.zeros(shape, dtype=complex)
    return out


@single_thread
def evolve_ensemble(
    rho0: ArrayLike,
    times_s: ArrayLike,
    build: Callable[[Array], Ensemble],
    *,
    method: str = "eig",
    kets: ArrayLike | None = None,
) -> Array:
    """Evolve a pair spin operator (d², d²) under an ensemble; returns (nt, d², d²), or
    with ``kets`` (d², K) only the expectation values ⟨ψ_K|ρ(t)|ψ_K⟩ (nt, K) (complex;
    real populations for a Hermitian ``rho0``), without the (nt, d², d²) states.

    ``build(basis)`` receives an orthonormal support basis (d², k) made of conserved
    sectors and returns the :class:`Ensemble` restricted to it. The map is linear in
    ``rho0`` (non-Hermitian operators too). ``method`` selects the propagation of nodes
    with jumps: ``"eig"`` (batched eigendecomposition, expm fallback) or ``"expm"``
    (``scipy.linalg.expm`` per time, the reference).
    """
    if not isinstance(method, str) or method not in ("eig", "expm"):
        raise InputError("method", method, "'eig' or 'expm'")
    function("build", build)
    rho = _as_array(rho0, "rho0")
    if not np.all(np.isfinite(rho)):
        raise InputError("rho0", "non-finite entries", "finite numbers")
    if rho.ndim != 2 or rho.shape[0] != rho.shape[1]:
        raise InputError("rho0", rho.shape, "a square pair density matrix")
    f = f_from_dim(rho.shape[0])
    t = check_times(times_s)
    K = None
    if kets is not None:
        K = _as_array(kets, "kets")
        if K.ndim != 2 or K.shape[0] != rho.shape[0]:
            raise InputError("kets", K.shape, f"kets as columns, shape ({rho.shape[0]}, K)")
    # every model is a Hermiticity-preserving linear map Φ: evolve the Hermitian parts
    # A = (ρ + ρ†)/2 and B = (ρ − ρ†)/2i and return Φ(A) + iΦ(B), linear for any input
    return evolve_checked(rho, f, t, build, method, K)


def evolve_checked(
    rho: Array,
    f: int,
    t: NDArray[np.float64],
    build: Callable[[Array], Ensemble],
    method: str = "eig",
    K: Array | None = None,
) -> Array:
    """:func:`evolve_ensemble` on inputs already checked (a (d², d²) complex ``rho`` of spin
    ``f``, times from :func:`check_times`, kets (d², K) or None): the path
    :func:`spinpair.dynamics.evolve` takes after its own checks, at every call."""
    herm = 0.5 * (rho + rho.conj().T)
    anti = -0.5j * (rho - rho.conj().T)
    try:
        out = _evolve_hermitian(herm, f, t, build, method, K)
        if np.any(anti != 0):
            out = out + 1j * _evolve_hermitian(anti, f, t, build, method, K)
    except ValueError as e:  # a builder of another spin f: its operators do not fit rho0
        if "mismatch" not in str(e) and "shapes" not in str(e):
            raise
        raise InputError(
            "rho0", rho.shape, "a state of the spin f the ensemble builder was made for"
        ) from None
    return out


__all__ = [
    "Ensemble",
    "check_times",
    "evolve_checked",
    "evolve_ensemble",
    "exp_sums",
    "liouvillian",
    "liouvillian_eig",
]
