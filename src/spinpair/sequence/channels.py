"""Channels of the measurement sequence, as functions ρ → ρ on the pair level space.

Why one file of ~530 lines: it is the catalogue of the sequence's channels, one short
function each, tested together for complete positivity and trace preservation.

Every function takes a batch of pair density matrices of shape (n, D², D²) (D = 2f + 3,
see :class:`~spinpair.sequence.levels.Levels`) and returns a new batch; none modifies its
input. Each is completely positive and trace preserving (the tests check the Choi matrix
of every one). Local channels are given by Kraus operators acting on each atom.

Examples
--------
>>> from spinpair.sequence.levels import Levels
>>> lv = Levels(1)
>>> rho = prepare(np.eye(25)[None] / 25, lv, 0.9)
>>> i = index_00(lv)
>>> round(float(np.real(rho[0, i, i])), 6)  # both atoms in |0>: 0.9²
0.81
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, check_probability
from ..raman import raman_unitary
from .levels import Levels

Array = NDArray[np.complex128]


def _batch(rho: ArrayLike) -> Array:
    r = np.asarray(rho, dtype=complex)
    return r[None] if r.ndim == 2 else r


def apply_local_kraus(
    rho: ArrayLike, kraus: ArrayLike, levels: Levels, atoms: str = "both"
) -> Array:
    """ρ → Σ_k (K_k ⊗ 1) ρ (K_k ⊗ 1)† on atom 1, then the same on atom 2.

    ``kraus`` has shape (k, D, D) or, for setting-dependent operators, (k, n, D, D).
    ``atoms`` is ``"both"``, ``"first"`` or ``"second"``.
    """
    r = _batch(rho)
    n, D = r.shape[0], levels.D
    K = np.asarray(kraus, dtype=complex)
    if K.ndim == 3:
        K = K[:, None]
    K = np.broadcast_to(K, (K.shape[0], max(n, K.shape[1]), D, D))
    if r.shape[0] == 1 and K.shape[1] > 1:
        r = np.broadcast_to(r, (K.shape[1], *r.shape[1:]))
    r4 = r.reshape(-1, D, D, D, D)
    Kc = K.conj()
    if atoms in ("both", "first"):
        r4 = np.einsum("knia,nabce,knlc->nible", K, r4, Kc, optimize=True)
    if atoms in ("both", "second"):
        r4 = np.einsum("knib,nabce,knle->naicl", K, r4, Kc, optimize=True)
    return r4.reshape(-1, D * D, D * D)


# ----------------------------------------------------------------------------- prepare


def prep_distribution(
    levels: Levels, prep_efficiency: float, weights: Sequence[float] = ()
) -> NDArray[np.float64]:
    """Single-atom populations after optical pumping: |0⟩ with ``prep_efficiency``, the rest
    spread over m ≠ 0 by ``weights`` (one per m ≠ 0 in index order; default equal)."""
    eta = check_probability("prep_efficiency", prep_efficiency)
    others = [i for i in range(levels.d) if i != levels.index(0)]
    w = np.ones(len(others)) if len(weights) == 0 else np.asarray(weights, dtype=float)
    if w.shape != (len(others),):
        raise InputError(
            "prep_error_weights", list(weights), f"{len(others)} weights, one per m != 0"
        )
    p = np.zeros(levels.D)
    p[levels.index(0)] = eta
    p[others] = (1.0 - eta) * w / w.sum()
    return p


def prepare(
    rho: ArrayLike, levels: Levels, prep_efficiency: float, weights: Sequence[float] = ()
) -> Array:
    """Reset both atoms to the prepared mixture (a replacement channel, CPTP on any input)."""
    r = _batch(rho)
    p = prep_distribution(levels, prep_efficiency, weights)
    tr = np.real(np.trace(r, axis1=1, axis2=2))
    single = np.diag(p).astype(complex)
    pair = np.kron(single, single)
    return tr[:, None, None] * pair[None]


# ----------------------------------------------------------------------------- collide


def index_00(levels: Levels) -> int:
    """Level-space index of |0, 0⟩."""
    i0 = levels.index(0)
    return i0 * levels.D + i0


def replace_00(rho: ArrayLike, levels: Levels, spin_state: ArrayLike) -> Array:
    """Pairs in |0,0⟩ are replaced by ``spin_state`` (a pair spin density matrix); all other
    pairs are kept (their coherences with |0,0⟩ dropped). ``given`` collision mode."""
    r = _batch(rho)
    target = levels.embed_spin_state(spin_state)
    i = index_00(levels)
    w = r[:, i, i].real.copy()
    out = r.copy()
    out[:, i, :] = 0.0
    out[:, :, i] = 0.0
    return out + w[:, None, None] * target[None]


def apply_spin_map(rho: ArrayLike, levels: Levels, spin_map: Callable[[Array], ArrayLike]) -> Array:
    """Apply a map on pair spin states (both atoms in manifold f) to that block; the rest of
    ρ is kept and coherences between the two parts are dropped (a CPTP map if
    ``spin_map`` is one). ``spin_map`` takes and returns (n, (2f+1)², (2f+1)²) arrays."""
    r = _batch(rho)
    d, D = levels.d, levels.D
    mask4 = np.zeros((D, D), dtype=bool)
    mask4[:d, :d] = True
    inside = mask4.ravel()
    block = levels.spin_block(r)
    new_block = np.asarray(spin_map(block), dtype=complex)
    out = r.copy()
    out[:, inside, :] = 0.0
    out[:, :, inside] = 0.0
    emb = np.zeros_like(out)
    emb.reshape(-1, D, D, D, D)[:, :d, :d, :d, :d] = new_block.reshape(-1, d, d, d, d)
    return out + emb


# ----------------------------------------------------------------------------- destroy


def exchange_dephasing_sign(levels: Levels) -> NDArray[np.float64]:
    """Diagonal of A: -1 on |m1, m2⟩ with m1 < m2 (both in manifold f), +1 elsewhere.

    A maps chi_k ↔ chi_k^- (exchange-symmetric ↔ antisymmetric)."""
    D, f = levels.D, levels.f
    s = np.ones((D, D))
    ms = np.arange(f, -f - 1, -1)
    s[: levels.d, : levels.d] = np.where(ms[:, None] < ms[None, :], -1.0, 1.0)
    return s.ravel()


def dephase_exchange(rho: ArrayLike, levels: Levels, coherence: float) -> Array:
    """ρ → (1+c)/2 ρ + (1-c)/2 A ρ A: multiplies the coherence between |k,-k⟩ and |-k,k⟩ by
    c, so chi1 → (1+c)/2 chi1 + (1-c)/2 chi_minus (paper Fig. 3, c = 0: no entanglement)."""
    from ..errors import check_range

    c = check_range("destroy_coherence", coherence, -1.0, 1.0)
    r = _batch(rho)
    s = exchange_dephasing_sign(levels)
    return 0.5 * (1 + c) * r + 0.5 * (1 - c) * (s[:, None] * r * s[None, :])


# ----------------------------------------------------------------------------- Raman pulse


def raman_kraus(
    levels: Levels,
    area: ArrayLike,
    detuning_over_rabi: float = 0.0,
    p_spont_per_pi: float = 0.0,
) -> Array:
    """Kraus operators (k, n, D, D) of one atom's Raman pulse with spontaneous emission.

    K0 = √(1-p) U ⊕ 1_(up, lost); K_(m,m') = √(p/(2f+1)) |m⟩⟨m'| for m, m' in manifold f,
    with p = p_spont_per_pi · area/π (emission sends the atom to a uniformly random m;
    modelled at the end of the pulse).
    """
    U = raman_unitary(levels.f, area, detuning_over_rabi)
    theta = np.atleast_1d(np.asarray(area, dtype=float))
    ps = check_probability("p_spont_per_pi", p_spont_per_pi)
    p = ps * np.abs(theta) / np.pi
    if np.any(p > 1.0):
        raise InputError(
            "p_spont_per_pi", ps, f"<= pi/area = {np.pi / np.abs(theta).max():.3g} for this scan"
        )
    n, d, D = theta.size, levels.d, levels.D
    K0 = np.zeros((n, D, D), dtype=complex)
    K0[:, :d, :d] = np.sqrt(1.0 - p)[:, None, None] * U
    K0[:, d:, d:] = np.eye(2)
    if ps == 0.0:
        return K0[None]
    Ks = np.zeros((d * d, n, D, D), dtype=complex)
    amp = np.sqrt(p / d)
    for a in range(d):
        for b in range(d):
            Ks[a * d + b, :, a, b] = amp
    return np.concatenate([K0[None], Ks], axis=0)


def raman_population_rows(
    levels: Levels,
    area: ArrayLike,
    detuning_over_rabi: float = 0.0,
    p_spont_per_pi: float = 0.0,
) -> Array:
    """The channel of :func:`raman_kraus` as far as output populations go: S (n, D, D, D)
    with S[n, a, i, k] = Σ_κ K_κ[a, i] K_κ[a, k]*, so that the population of level a after
    the pulse is Σ_ik S[n, a, i, k] ρ[i, k]. In closed form: the K0 term plus, for
    spontaneous emission (a replacement of a manifold state by the maximally mixed state of
    the manifold), (p/(2f+1)) δ_ik for a and i in manifold f.
    """
    K0 = raman_kraus(levels, area, detuning_over_rabi, 0.0)[0]
    theta = np.atleast_1d(np.asarray(area, dtype=float))
    p = check_probability("p_spont_per_pi", p_spont_per_pi) * np.abs(theta) / np.pi
    if np.any(p > 1.0):
        raise InputError(
            "p_spont_per_pi",
            p_spont_per_pi,
            f"<= pi/area = {np.pi / np.abs(theta).max():.3g} for this scan",
        )
    d = levels.d
    K0[:, :d, :d] *= np.sqrt(1.0 - p)[:, None, None]
    S = K0[:, :, :, None] * K0.conj()[:, :, None, :]
    if np.any(p > 0):
        idx = np.arange(d)
        S[:, :d, idx, idx] += (p / d)[:, None, None]
    return S


@functools.cache
def _hermitian_frame(D: int) -> tuple[Array, NDArray[np.intp]]:
    """Real coordinates of Hermitian D × D matrices: the basis B (D², D²) with
    vec(X) = B h (row-major vec), h = (X_ii and Re X_ik for i < k, in the order of the upper
    triangle; then Im X_ik for i < k), and the columns of h in the float64 view of vec(X)
    (cached per D, read-only)."""
    iu, su = np.triu_indices(D), np.triu_indices(D, 1)
    B = np.zeros((D * D, D * D), dtype=complex)
    m = np.arange(iu[0].size)
    B[iu[0] * D + iu[1], m] = 1.0
    B[iu[1] * D + iu[0], m] = 1.0
    m = iu[0].size + np.arange(su[0].size)
    B[su[0] * D + su[1], m] = 1j
    B[su[1] * D + su[0], m] = -1j
    cols = np.concatenate([2 * (iu[0] * D + iu[1]), 2 * (su[0] * D + su[1]) + 1])
    B.setflags(write=False)
    cols.setflags(write=False)
    return B, cols


def hermitian_coordinates(
    rows: ArrayLike, out: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Population rows S[..., a, i, k] (Hermitian in i, k) as D² real numbers per row:
    (..., D, D²), h = (S_ii and Re S_ik (i < k) along the upper triangle, Im S_ik (i < k)).

    With :func:`pair_population_form` the output populations of a product of two per-atom
    channels are a real bilinear form, pop[a, b] = h¹[a] · Q · h²[b]: a quarter of the
    real FLOPs of the complex contraction Σ S¹[a, i, k] S²[b, j, l] ρ[(i, j), (k, l)].

    Parameters
    ----------
    rows : array_like
        Complex (..., D, D, D), each S[..., a, :, :] Hermitian (the rows of a
        Hermiticity-preserving channel: the population of level a ← ρ[i, k]).
    out : numpy.ndarray, optional
        A C-contiguous float64 array of the result's shape to write into (a buffer
        reused between calls).

    Returns
    -------
    numpy.ndarray
        Real (..., D, D²); only the upper triangle of each row is read.

    Examples
    --------
    >>> S = np.zeros((1, 2, 2, 2), dtype=complex)
    >>> S[0, 0] = [[1.0, 0.5j], [-0.5j, 0.0]]
    >>> hermitian_coordinates(S)[0, 0].tolist()
    [1.0, 0.0, 0.0, 0.5]
    """
    S = np.ascontiguousarray(rows, dtype=complex)
    D = S.shape[-1]
    _, cols = _hermitian_frame(D)
    flat = S.reshape(-1, D * D).view(np.float64)  # (rows, 2D²): Re, Im interleaved
    shape = (*S.shape[:-2], D * D)
    if out is None:
        return flat[:, cols].reshape(shape)
    if out.shape != shape or out.dtype != np.float64 or not out.flags.c_contiguous:
        raise InputError("out", out.shape, f"a C-contiguous float64 array of shape {shape}")
    np.take(flat, cols, axis=1, out=out.reshape(-1, D * D))
    return out


def pair_population_form(rho: ArrayLike, D: int) -> NDArray[np.float64]:
    """The real (D², D²) matrix Q of ρ (a Hermitian pair operator (D², D²) on the level
    space) with pop[a, b] = h¹[a] · Q · h²[b] for per-atom population rows in the
    coordinates of :func:`hermitian_coordinates`: Q = Bᵀ R B, R[(i, k), (j, l)] =
    ρ[(i, j), (k, l)]; real for Hermitian ρ (the imaginary part, rounding, is dropped).

    Examples
    --------
    >>> D = 2
    >>> rho = np.diag([0.25, 0.25, 0.25, 0.25]).astype(complex)   # both atoms mixed
    >>> S = np.zeros((D, D, D), dtype=complex)                     # identity channel
    >>> S[0, 0, 0] = S[1, 1, 1] = 1.0
    >>> h = hermitian_coordinates(S)
    >>> (h @ pair_population_form(rho, D) @ h.T).tolist()
    [[0.25, 0.25], [0.25, 0.25]]
    """
    r = np.asarray(rho, dtype=complex)
    B, _ = _hermitian_frame(D)
    R = r.reshape(D, D, D, D).transpose(0, 2, 1, 3).reshape(D * D, D * D)
    return np.ascontiguousarray((B.T @ R @ B).real)


def local_population_transfer(kraus: ArrayLike) -> NDArray[np.float64] | None:
    """T[a, i] = Σ_κ |K_κ[a, i]|² (one atom's populations out ← in), or None when some
    Kraus operator has two non-zero entries in a row (then coherences feed populations and
    T does not describe the channel's action on populations)."""
    K = np.asarray(kraus, dtype=complex)
    if K.ndim != 3 or np.any(np.count_nonzero(K, axis=2) > 1):
        return None
    return np.sum(np.abs(K) ** 2, axis=0)


def atom_number_indicator(levels: Levels) -> NDArray[np.float64]:
    """(D², 3): 1 where pair level state s has N = 0, 1, 2 atoms present."""
    pres = levels.present.astype(int)
    n = (pres[:, None] + pres[None, :]).ravel()
    return (n[:, None] == np.arange(3)[None, :]).astype(float)


# ----------------------------------------------------------------------------- eject |1>


def transfer_kraus(levels: Levels, efficiency: float) -> Array:
    """|1⟩ → ``up`` with probability ``efficiency`` (incoherent transfer)."""
    eta = check_probability("transfer_efficiency", efficiency)
    D, i1 = levels.D, levels.index(1)
    K0 = np.eye(D, dtype=complex)
    K0[i1, i1] = np.sqrt(1.0 - eta)
    K1 = np.zeros((D, D), dtype=complex)
    K1[levels.UP, i1] = np.sqrt(eta)
    return np.stack([K0, K1])


def coherent_transfer_kraus(levels: Levels, efficiency: float) -> Array:
    """|1⟩ → √η |up⟩ + √(1−η) |1⟩ by one unitary (a Raman π pulse of efficiency η): the
    same populations as :func:`transfer_kraus` for states with ``up`` empty, but the
    exchange coherence of a pair (|up, m⟩ ± |m, up⟩) is kept, which the computed pair loss
    (:mod:`.pair_loss`) needs."""
    eta = check_probability("transfer_efficiency", efficiency)
    D, i1, up = levels.D, levels.index(1), levels.UP
    U = np.eye(D, dtype=complex)
    c, s = np.sqrt(1.0 - eta), np.sqrt(eta)
    U[i1, i1], U[up, i1] = c, s
    U[i1, up], U[up, up] = -s, c
    return U[None]


def push_kraus(levels: Levels, efficiency: float) -> Array:
    """``up`` → ``lost`` with probability ``efficiency``; otherwise the atom falls back to |1⟩
    (it stays in the trap and is counted)."""
    eta = check_probability("push_efficiency", efficiency)
    D, i1 = levels.D, levels.index(1)
    K0 = np.eye(D, dtype=complex)
    K0[levels.UP, levels.UP] = 0.0
    K1 = np.zeros((D, D), dtype=complex)
    K1[levels.LOST, levels.UP] = np.sqrt(eta)
    K2 = np.zeros((D, D), dtype=complex)
    K2[i1, levels.UP] = np.sqrt(1.0 - eta)
    return np.stack([K0, K1, K2])


def loss_kraus(levels: Levels, p_loss: float, name: str = "p_loss") -> Array:
    """Each present atom is lost with probability ``p_loss``."""
    p = check_probability(name, p_loss)
    D, L = levels.D, levels.LOST
    K0 = np.sqrt(1.0 - p) * np.eye(D, dtype=complex)
    K0[L, L] = 1.0
    Ks = np.zeros((D - 1, D, D), dtype=complex)
    for j, a in enumerate(i for i in range(D) if i != L):
        Ks[j, L, a] = np.sqrt(p)
    return np.concatenate([K0[None], Ks], axis=0)


def inelastic_pair_mask(levels: Levels) -> NDArray[np.bool_]:
    """Pair states with one atom in ``up`` and the other present in manifold f."""
    D, d, up = levels.D, levels.d, levels.UP
    m = np.zeros((D, D), dtype=bool)
    m[up, :d] = True
    m[:d, up] = True
    return m.ravel()


def inelastic_pair_loss(rho: ArrayLike, levels: Levels, p_inelastic_pair: float) -> Array:
    """Pairs with one atom in ``up`` and the other in manifold f are both lost with
    probability p. Kraus: 1 - (1-√(1-p))Q and √p |lost,lost⟩⟨s| for every s in Q."""
    p = check_probability("p_inelastic_pair", p_inelastic_pair)
    r = _batch(rho)
    q = inelastic_pair_mask(levels)
    keep = np.where(q, np.sqrt(1.0 - p), 1.0)
    out = keep[:, None] * r * keep[None, :]
    lost_pair = levels.LOST * levels.D + levels.LOST
    w = np.real(np.einsum("nii->ni", r))[:, q].sum(axis=1)
    out[:, lost_pair, lost_pair] += p * w
    return out


def inelastic_population_map(levels: Levels, p_inelastic_pair: float) -> NDArray[np.float64]:
    """:func:`inelastic_pair_loss` on pair populations: (D², D²) matrix out ← in."""
    p = check_probability("p_inelastic_pair", p_inelastic_pair)
    q = inelastic_pair_mask(levels)
    M = np.diag(np.where(q, 1.0 - p, 1.0))
    M[levels.LOST * levels.D + levels.LOST, q] += p
    return M


def pair_loss_projectors(levels: Levels) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """P_S[i], P_A[i] (d, D², D²): projectors on (|up, i⟩ ± |i, up⟩)/√2 for every manifold
    state i (exchange-symmetric and antisymmetric pairs with one atom in ``up``)."""
    D, d, up = levels.D, levels.d, levels.UP
    PS = np.zeros((d, D * D, D * D))
    PA = np.zeros((d, D * D, D * D))
    for i in range(d):
        a, b = up * D + i, i * D + up
        for P, sgn in ((PS, 1.0), (PA, -1.0)):
            v = np.zeros(D * D)
            v[a], v[b] = 1 / np.sqrt(2), sgn / np.sqrt(2)
            P[i] = np.outer(v, v)
    return PS, PA


def computed_pair_loss_probabilities(
    symmetric_rate_per_s: ArrayLike, antisymmetric_rate_per_s: ArrayLike, dwell_s: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Loss probabilities 1 − exp(−Γ t) of the symmetric and antisymmetric pairs."""
    gs = np.asarray(symmetric_rate_per_s, dtype=float)
    ga = np.asarray(antisymmetric_rate_per_s, dtype=float)
    if np.any(~np.isfinite(gs)) or np.any(gs < 0) or np.any(~np.isfinite(ga)) or np.any(ga < 0):
        raise InputError("pair loss rates", [gs.tolist(), ga.tolist()], "finite rates >= 0 (1/s)")
    t = float(dwell_s)
    if not np.isfinite(t) or t < 0:
        raise InputError("imperfections.upper_dwell_s", dwell_s, ">= 0 (seconds)")
    return -np.expm1(-gs * t), -np.expm1(-ga * t)


def computed_pair_loss(
    rho: ArrayLike,
    levels: Levels,
    symmetric_rate_per_s: ArrayLike,
    antisymmetric_rate_per_s: ArrayLike,
    dwell_s: float,
) -> Array:
    """Pair loss from rates: a pair with one atom in ``up`` and the other in manifold state
    i is lost (both atoms) at rate Γ_S[i] in the exchange-symmetric combination and Γ_A[i]
    in the antisymmetric one, for ``dwell_s`` seconds.

    Kraus operators: A = 1 − Σ_i [(1 − e^{−Γ_S t/2}) P_S[i] + (1 − e^{−Γ_A t/2}) P_A[i]]
    (survival) and √(1 − e^{−Γ t}) |lost,lost⟩⟨X_i| for X = S, A. With Γ_S = Γ_A = Γ for
    every i this is :func:`inelastic_pair_loss` with p = 1 − e^{−Γ t}.
    """
    r = _batch(rho)
    pS, pA = computed_pair_loss_probabilities(
        symmetric_rate_per_s, antisymmetric_rate_per_s, dwell_s
    )
    if pS.shape != (levels.d,) or pA.shape != (levels.d,):
        raise InputError("pair loss rates", pS.shape, f"one rate per manifold state ({levels.d})")
    PS, PA = pair_loss_projectors(levels)
    D2 = levels.D**2
    A = np.eye(D2) - np.einsum("i,ijk->jk", 1 - np.sqrt(1 - pS), PS)
    A -= np.einsum("i,ijk->jk", 1 - np.sqrt(1 - pA), PA)
    G = np.einsum("i,ijk->jk", pS, PS) + np.einsum("i,ijk->jk", pA, PA)
    out = A @ r @ A.T  # A ρ A† (A is real): two batched matrix products
    lost_pair = levels.LOST * levels.D + levels.LOST
    out[:, lost_pair, lost_pair] += np.real(np.einsum("ab,nba->n", G, r))
    return out


def computed_pair_loss_population_map(
    levels: Levels,
    symmetric_rate_per_s: ArrayLike,
    antisymmetric_rate_per_s: ArrayLike,
    dwell_s: float,
) -> NDArray[np.float64] | None:
    """:func:`computed_pair_loss` on pair populations, or None when Γ_S ≠ Γ_A for some
    state (then the exchange coherence between |up, i⟩ and |i, up⟩ feeds populations)."""
    pS, pA = computed_pair_loss_probabilities(
        symmetric_rate_per_s, antisymmetric_rate_per_s, dwell_s
    )
    if not np.allclose(pS, pA, rtol=0.0, atol=1e-15):
        return None
    D, up = levels.D, levels.UP
    p = np.zeros(D * D)
    for i in range(levels.d):
        p[up * D + i] = pS[i]
        p[i * D + up] = pS[i]
    M = np.diag(1.0 - p)
    M[levels.LOST * D + levels.LOST] += p
    return M


# ----------------------------------------------------------------------------- detection


def detect(atom_number: ArrayLike, detection: ArrayLike) -> NDArray[np.float64]:
    """Reported-count probabilities: true P(N) (…, 3) times the confusion matrix (3, 3)."""
    return np.asarray(atom_number, dtype=float) @ np.asarray(detection, dtype=float)


__all__ = [
    "apply_local_kraus",
    "apply_spin_map",
    "atom_number_indicator",
    "coherent_transfer_kraus",
    "computed_pair_loss",
    "computed_pair_loss_population_map",
    "computed_pair_loss_probabilities",
    "dephase_exchange",
    "detect",
    "hermitian_coordinates",
    "inelastic_pair_loss",
    "inelastic_population_map",
    "local_population_transfer",
    "loss_kraus",
    "pair_loss_projectors",
    "pair_population_form",
    "prep_distribution",
    "prepare",
    "push_kraus",
    "raman_kraus",
    "raman_population_rows",
    "replace_00",
    "transfer_kraus",
]
