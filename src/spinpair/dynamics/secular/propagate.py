"""Exact propagation of the secular model: single-level nodes through the batched engine,
multi-level clusters by exact diagonalisation of their motion ⊗ spin Hamiltonian.

Examples
--------
>>> from spinpair.params import Params
>>> from spinpair.dynamics import CollisionSetup
>>> from spinpair.spin import named_state
>>> model = secular_ensemble(CollisionSetup.from_params(Params()))
>>> rho = model.propagate(named_state("00"), [0.0, 0.1])
>>> rho.shape, round(float(np.trace(rho[1]).real), 12)
((2, 25, 25), 1.0)
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ...errors import InputError
from ...spin import f_from_dim
from ..engine import (
    Ensemble,
    _blocks,
    _cos_sin_sums,
    _hermitian_from_vec,
    _hermitian_vec,
    _uniform_grid,
    check_times,
    evolve_ensemble,
)
from ..hamiltonian import contact_coupling_hz_m2, interaction_operator_m
from ..setup import CollisionSetup
from .clusters import (
    DEFAULT_HOLD_TIME_S,
    LEVEL_RESOLUTION,
    SecularClusters,
    SecularNodes,
    secular_nodes,
)

Array = NDArray[np.complex128]

#: Largest change of any density-matrix element from dropping negligible oscillating
#: terms of the exact cluster solutions (per group of clusters with the same size).
PRUNE_BUDGET = 1e-9
# ---------------------------------------------------------------- exact cluster dynamics

#: Uniform time grids with at least this many times sum the oscillating cluster terms with
#: a type-1 non-uniform FFT (:func:`_nufft_phase_sums`) when ``finufft`` is installed;
#: shorter or non-uniform grids use the engine's exact phase tables.
NUFFT_MIN_TIMES = 128
#: Requested relative precision of the non-uniform FFT (FINUFFT's ``eps``): the error of
#: every matrix element is ≲ NUFFT_EPS·Σ_p|C_p| (Σ_p|C_p| ≲ the cluster weight, ≤ 1).
NUFFT_EPS = 1e-14
#: Memory (bytes) a :class:`SecularModel` may keep for cluster eigenpairs reused across
#: states, blocks and calls.
EIG_CACHE_BYTES = 256 * 2**20
#: Multiply-adds of one chunk of clusters (bounds the memory of the term tables).
_CLUSTER_CHUNK = 3_000_000


def _herm_vec(A: NDArray[np.complex128], k: int) -> NDArray[np.float64]:
    """k² reals of Hermitian (…, k, k) (the engine's packing)."""
    return _hermitian_vec(A, np.triu_indices(k), np.triu_indices(k, 1))


def _herm_from_vec(h: NDArray[np.float64], k: int) -> NDArray[np.complex128]:
    return _hermitian_from_vec(h, k, np.triu_indices(k), np.triu_indices(k, 1))


def _finufft() -> ModuleType | None:
    """The ``finufft`` module, or None if it is not installed."""
    try:
        import finufft
    except ImportError:  # pragma: no cover - finufft is a dependency
        return None
    return finufft


def _nufft_phase_sums(omega: NDArray[np.float64], C: Array, t: NDArray[np.float64]) -> Array:
    """S(t_j) = Σ_p C_p e^{−2πiω_p t_j} (nt, k, k) on a uniform grid t_j = t_0 + jΔt.

    With φ_p = ω_pΔt reduced to [−½, ½) (e^{−2πiω_p jΔt} = e^{−2πiφ_p j} for integer j),
    S is FINUFFT's type-1 transform f_k = Σ_p c_p e^{−ik x_p}, x_p = 2πφ_p, at the modes
    k = j − ⌊nt/2⌋, with c_p = C_p e^{−2πiω_p t_0} e^{−i⌊nt/2⌋x_p}."""
    finufft = _finufft()
    assert finufft is not None  # callers check _use_nufft first
    nt, k = t.size, C.shape[-1]
    dt = (t[-1] - t[0]) / (nt - 1)
    phi = omega * dt
    phi = phi - np.floor(phi + 0.5)
    x = 2 * np.pi * phi
    half = nt // 2
    c = np.empty((k * k, omega.size), dtype=complex)
    np.multiply(C.reshape(-1, k * k).T, np.exp(-2j * np.pi * omega * t[0] - 1j * half * x), out=c)
    f = finufft.nufft1d1(x, c, nt, eps=NUFFT_EPS, isign=-1, nthreads=1)
    return f.T.reshape(nt, k, k)


def _use_nufft(t: NDArray[np.float64]) -> bool:
    return t.size >= NUFFT_MIN_TIMES and _uniform_grid(t) and _finufft() is not None


def _cluster_eigh(
    E: NDArray[np.float64],
    beta: NDArray[np.float64],
    V: Array,
    Z: Array,
    g_hz_m2: float,
) -> tuple[NDArray[np.float64], NDArray]:
    """Eigenvalues (m, D) and eigenvectors (m, D, D) of m clusters' motion ⊗ spin
    Hamiltonians (D = L·k), one stacked ``eigh``; real symmetric when V and Z are real."""
    k = V.shape[0]
    m, L = E.shape
    D = L * k
    real = not (np.iscomplexobj(V) and np.any(V.imag)) and not (
        np.iscomplexobj(Z) and np.any(Z.imag)
    )
    Vr, Zr = (V.real, Z.real) if real else (V, Z)
    bb = g_hz_m2 * beta[:, :, None] * beta[:, None, :]  # (m, L, L) Hz/m
    H = bb[:, :, None, :, None] * Vr[None, None, :, None, :]  # (m, L, k, L, k)
    for ell in range(L):
        H[:, ell, :, ell, :] += Zr
    H = H.reshape(m, D, D)
    diag = np.arange(D)
    H[:, diag, diag] += np.repeat(E, k, axis=1)
    return np.linalg.eigh(H)


def _cluster_terms(
    rho: Array,
    lam: NDArray[np.float64],
    W: NDArray,
    w: NDArray[np.float64],
    threshold: float,
) -> tuple[Array, NDArray[np.float64], Array]:
    """Exact solution of m clusters with L levels each (eigenpairs from
    :func:`_cluster_eigh`, thermal level weights w (m, L)), as (constant part (k, k),
    frequencies ω_p (Hz), coefficients C_p (P, k, k)): Σ_clusters ρ_spin(t) = const +
    Σ_p C_p e^{−2πiω_p t} + h.c. Terms with max|C_p| < ``threshold`` are dropped."""
    k = rho.shape[0]
    m, L = w.shape
    D = L * k
    if not np.iscomplexobj(W) and not np.any(rho.imag):
        rho = rho.real  # type: ignore[assignment]  # then every coefficient is real too
    Wr = W.reshape(m, L, k, D)
    A = np.matmul(rho.T, Wr.conj())  # Σ_s W*_{ℓsa} ρ_{st}: (m, L, k, D)
    A *= w[:, :, None, None]
    M = np.matmul(A.reshape(m, D, D).transpose(0, 2, 1), W)  # ⟨a|X|b⟩, X = Σ w_ℓ|ℓ⟩⟨ℓ|⊗ρ
    # G[a, s, b, t] = Σ_ℓ W_{ℓsa} W*_{ℓtb} = ⟨s|Tr_motion|a⟩⟨b|·|t⟩, one batched product
    Wt = Wr.transpose(0, 3, 2, 1).reshape(m, D * k, L)
    G = np.matmul(Wt, Wt.conj().transpose(0, 2, 1)).reshape(m, D, k, D, k)
    const = np.einsum("maa,masat->st", M, G)
    au, bu = np.triu_indices(D, 1)
    Mp = M[:, au, bu]
    # drop terms below PRUNE_BUDGET / (number of terms): every matrix element then
    # changes by at most PRUNE_BUDGET (most terms of a weakly mixed cluster are ~0).
    # |G_ab[s, t]| ≤ 1 (Cauchy–Schwarz), so only pairs with |M_ab| ≥ threshold can stay
    ci, cp = np.nonzero(np.abs(Mp) >= threshold)
    Gp = G[ci, au[cp], :, bu[cp], :]  # (candidates, k, k)
    Mc = Mp[ci, cp]
    keep = np.abs(Mc) * np.max(np.abs(Gp), axis=(1, 2)) >= threshold
    C = Gp[keep] * Mc[keep][:, None, None]
    omega = (lam[ci, au[cp]] - lam[ci, bu[cp]])[keep]
    return const, omega, C


def cluster_spin_states(
    rho: Array,
    times_s: NDArray[np.float64],
    cl: SecularClusters,
    V: Array,
    Z: Array,
    g_hz_m2: float,
    *,
    method: str = "auto",
    prune: bool = True,
    eig_cache: dict | None = None,
) -> Array:
    """Σ over the clusters of Σ_ℓ w_ℓ Tr_motion[U(t) (|ℓ⟩⟨ℓ| ⊗ ρ) U(t)†]: (nt, k, k).

    Exact diagonalisation of each cluster's motion ⊗ spin Hamiltonian (Hz)

        H = Σ_ℓ E_ℓ |ℓ⟩⟨ℓ| ⊗ 1 + 1 ⊗ Z + g |β⟩⟨β| ⊗ V,   |β⟩ = Σ_ℓ β_ℓ |ℓ⟩,

    (Z, V: Zeeman Hamiltonian (Hz) and Σ_F a_F P_F (m) on the k-dimensional spin support,
    g = 2ħ/m in Hz·m², β_ℓ in m^{-3/2}), batched over clusters (one stacked ``eigh`` per
    chunk; real symmetric when V and Z are real). ``rho`` (k, k) Hermitian.

    ``method`` sums the oscillating terms: ``"table"`` with the engine's exact phase tables
    (every time, cost ∝ times × terms), ``"nufft"`` with a type-1 non-uniform FFT on a
    uniform grid (FINUFFT, relative precision :data:`NUFFT_EPS`, cost ∝ terms + times·log),
    ``"auto"`` the latter on uniform grids of at least :data:`NUFFT_MIN_TIMES` times.
    ``prune``: drop terms below :data:`PRUNE_BUDGET` / (number of terms) (False keeps all).
    ``eig_cache``: a dict for these clusters, V and Z, filled with (and then reused for) the
    eigenpairs of each chunk of clusters, so that other states reuse the diagonalisation.
    """
    if method not in ("auto", "table", "nufft"):
        raise InputError("method", method, "'auto', 'table' or 'nufft'")
    k = rho.shape[0]
    n, L = cl.energy_hz.shape
    D = L * k
    t = np.asarray(times_s, dtype=float)
    nufft = _use_nufft(t) if method == "auto" else method == "nufft"
    if nufft and _finufft() is None:  # pragma: no cover - finufft is a dependency
        raise InputError("method", method, "'table' or 'auto' (finufft is not installed)")
    if nufft and not _uniform_grid(t):
        raise InputError("times", t.size, "a uniform grid of >= 3 times for method='nufft'")
    threshold = PRUNE_BUDGET / (2 * n * max(1, D * (D - 1) // 2)) if prune else 0.0
    const = np.zeros((k, k), dtype=complex)
    acc = np.zeros((t.size, k * k))
    osc = np.zeros((t.size, k, k), dtype=complex)
    step = max(1, _CLUSTER_CHUNK // (D * D * k * k))
    for i in range(0, n, step):
        sl = slice(i, i + step)
        if eig_cache is not None and i in eig_cache:
            lam, W = eig_cache[i]
        else:
            lam, W = _cluster_eigh(cl.energy_hz[sl], cl.amplitude[sl], V, Z, g_hz_m2)
            if eig_cache is not None:
                eig_cache[i] = (lam, W)
        c0, omega, C = _cluster_terms(rho, lam, W, cl.weights[sl], threshold)
        const += c0
        if omega.size == 0:
            continue
        if nufft:
            osc += _nufft_phase_sums(omega, C, t)
        else:
            # C e^{−iθ} + C† e^{iθ} = P cos θ + Q sin θ, P = C + C†, Q = −i(C − C†) Hermitian
            Ch = C.conj().transpose(0, 2, 1)
            acc += _cos_sin_sums(omega, _herm_vec(C + Ch, k), _herm_vec(-1j * (C - Ch), k), t)
    out = _herm_from_vec(acc, k) + const[None]
    if nufft:
        out += osc + osc.conj().transpose(0, 2, 1)
    return out


class SecularModel:
    """The secular model's propagator: engine nodes plus exactly solved clusters.

    Calling it with a support basis returns the :class:`~.engine.Ensemble` of the
    single-level nodes (the engine's interface); :meth:`propagate` evolves a pair spin
    state under the whole model (nodes and clusters) and is what :func:`spinpair.dynamics.
    evolve` uses. Calling it while the model has multi-level clusters is an error, since
    the engine alone would leave them out.
    """

    def __init__(self, setup: CollisionSetup, nodes: SecularNodes) -> None:
        self.setup = setup
        self.nodes = nodes
        self.g_hz_m2 = contact_coupling_hz_m2(setup.species)
        self.V = interaction_operator_m(setup.species)
        # the single-level nodes as one-level clusters (E = 0, β² = density)
        n = nodes.density_m3.size
        self._node_clusters = SecularClusters(
            np.zeros((n, 1)), np.sqrt(nodes.density_m3)[:, None], nodes.weights[:, None]
        )
        self._eig_cache: dict[bytes, list[dict | None]] = {}
        self._eig_bytes = 0

    def _node_ensemble(self, basis: Array) -> Ensemble:
        Vk = basis.conj().T @ self.V @ basis
        Hz = basis.conj().T @ self.setup.zeeman_hz @ basis
        g = self.g_hz_m2 * self.nodes.density_m3
        return Ensemble(g[:, None, None] * Vk[None] + Hz[None], self.nodes.weights)

    def __call__(self, basis: Array) -> Ensemble:
        if self.nodes.clusters:
            raise InputError(
                "secular clusters",
                self.nodes.info["clusters"],
                "0 for the bare engine interface",
                "use spinpair.dynamics.evolve('secular', …) or SecularModel.propagate",
            )
        return self._node_ensemble(basis)

    def _caches(self, basis: Array, Vk: Array, Zk: Array) -> list[dict | None]:
        """Eigenpair caches of one support basis (nodes, then each cluster size), or Nones
        once :data:`EIG_CACHE_BYTES` are used: later states and calls (the measurement
        sequence propagates many states) reuse the diagonalisations."""
        groups = (self._node_clusters, *self.nodes.clusters)
        key = basis.tobytes()
        if key in self._eig_cache:
            return self._eig_cache[key]
        item = 16 if np.any(Vk.imag) or np.any(Zk.imag) else 8
        k = basis.shape[1]
        need = sum(cl.energy_hz.size * k * (cl.energy_hz.shape[1] * k + 1) for cl in groups)
        if self._eig_bytes + item * need > EIG_CACHE_BYTES:
            return [None] * len(groups)
        self._eig_bytes += item * need
        self._eig_cache[key] = [{} for _ in groups]
        return self._eig_cache[key]

    def propagate(self, rho0: ArrayLike, times_s: ArrayLike) -> Array:
        """Pair spin density matrices (nt, d², d²) at ``times_s`` (s) from ``rho0`` (d², d²);
        linear in ``rho0``."""
        rho = np.asarray(rho0, dtype=complex)
        if rho.ndim != 2 or rho.shape[0] != rho.shape[1]:
            raise InputError("rho0", rho.shape, "a square pair density matrix")
        t = check_times(times_s)
        # without clusters the nodes' exact phase tables are cheaper (measured: 204 nodes,
        # 200-10^4 times, 1.6-3x faster); with clusters the FFT pays (paper tweezer 2.3x)
        nufft = bool(self.nodes.clusters) and _use_nufft(t)
        if nufft:  # nodes and clusters together, all oscillating terms by one NUFFT each
            out = np.zeros((t.size, *rho.shape), dtype=complex)
        else:
            out = evolve_ensemble(rho, t, self._node_ensemble)
            if not self.nodes.clusters:
                return out
        f = f_from_dim(rho.shape[0])
        herm = 0.5 * (rho + rho.conj().T)
        anti = -0.5j * (rho - rho.conj().T)  # rho = herm + i·anti, both Hermitian
        for sign, part_rho in ((1.0, herm), (1j, anti)):
            if np.max(np.abs(part_rho)) == 0:
                continue
            for basis, part in _blocks(part_rho, f):
                Vk = basis.conj().T @ self.V @ basis
                Zk = basis.conj().T @ self.setup.zeeman_hz @ basis
                caches = self._caches(basis, Vk, Zk)
                sub = np.zeros((t.size, *part.shape), dtype=complex)
                opts: dict[str, Any] = dict(eig_cache=caches[0], prune=False)
                if nufft:  # the single-level nodes, unpruned, as the engine has them
                    sub += cluster_spin_states(
                        part, t, self._node_clusters, Vk, Zk, self.g_hz_m2, **opts
                    )
                for cl, cache in zip(self.nodes.clusters, caches[1:], strict=True):
                    sub += cluster_spin_states(part, t, cl, Vk, Zk, self.g_hz_m2, eig_cache=cache)
                if nufft:
                    sub = 0.5 * (sub + sub.conj().transpose(0, 2, 1))
                out += sign * ((basis[None] @ sub) @ basis.conj().T)
        return out


def secular_ensemble(
    setup: CollisionSetup,
    *,
    weight_tolerance: float = 1e-6,
    max_states: int = 2_000_000,
    hold_time_s: float = DEFAULT_HOLD_TIME_S,
    cluster_factor: float = 1.0,
    max_levels: int = 8,
    level_resolution: float = LEVEL_RESOLUTION,
) -> SecularModel:
    """The secular model (options as for :func:`secular_nodes`).

    Single-level clusters are nodes of the batched engine: one node per distinct contact
    density ρ (plus the g = 0 node of the dark weight), H = g V_k + H_Z,k (Hz) with
    g = (2ħ/m)ρ and V_k, H_Z,k the interaction Σ_F a_F P_F (m) and the Zeeman Hamiltonian
    restricted to the support basis. Multi-level clusters are diagonalised exactly
    (:func:`cluster_spin_states`). Use :meth:`SecularModel.propagate`.

    Examples
    --------
    >>> from spinpair.params import Params
    >>> from spinpair.spin import named_state
    >>> model = secular_ensemble(CollisionSetup.from_params(Params()))
    >>> rho = model.propagate(named_state("00"), [0.0, 0.1])
    >>> rho.shape, round(float(np.trace(rho[1]).real), 12)
    ((2, 25, 25), 1.0)
    """
    nodes = secular_nodes(
        setup,
        weight_tolerance=weight_tolerance,
        max_states=max_states,
        hold_time_s=hold_time_s,
        cluster_factor=cluster_factor,
        max_levels=max_levels,
        level_resolution=level_resolution,
    )
    return SecularModel(setup, nodes)
