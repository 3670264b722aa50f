"""Log-derivative propagation of the coupled radial equations (atomic units).

The s-wave radial equations ψ''(R) = −Q(R) ψ(R), Q = 2μ(E − W(R)) (μ in electron masses,
energies in hartree, R in bohr), are propagated as the log-derivative matrix
Y = ψ′ψ⁻¹, which obeys the Riccati equation Y′ = −Q − Y² and stays stable through
classically forbidden regions where ψ itself would overflow.

Method: B. R. Johnson, J. Comput. Phys. 13, 445 (1973). The radial range is cut into
panels [a, b] of width 2h with midpoint c. Over each half-panel Y is carried by the exact
propagator of Q = 0 (Y → Y (1 + hY)⁻¹ = 1/h − h⁻²(Y + 1/h)⁻¹) and the potential enters by
Simpson's rule, −(h/3)(Q_a + 4U_c + Q_b), with Johnson's midpoint correction
U_c = Q_c (1 + h²Q_c/6)⁻¹ that makes the method fourth order in h. Panels may have
different widths, so the step follows the local wavenumber.

Everything is vectorised over a batch of energies: Y has shape (n_E, n, n).

:func:`numerov_reference` is an independent check: Numerov's method for the wavefunction
matrix itself, renormalised every step (Johnson, J. Chem. Phys. 69, 4678 (1978)), on a
uniform grid; it is slower and is used in tests and benchmarks only.

Examples
--------
>>> import numpy as np
>>> k = 0.5   # free particle, ψ = sin(k(R − 1)) from R = 1: Y(R) = k cot(k(R − 1))
>>> edges = np.linspace(1.0, 3.0, 201)
>>> Y = log_derivative(edges, lambda r: np.full((r.size, 1, 1, 1), k**2), n=1, n_energies=1)
>>> round(float(Y[0, 0, 0]), 6), round(float(k / np.tan(k * 2.0)), 6)
(0.321046, 0.321046)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

#: Q(R) for an array of radii: returns shape (n_R, n_E, n, n).
QFunction = Callable[[NDArray[np.float64]], NDArray[np.float64]]

#: Y at the first radius: a large multiple of the identity (ψ = 0 inside the wall).
Y_START = 1e30


#: Energies from which :func:`log_derivative_shifted` takes Johnson's midpoint correction
#: of every energy from one eigendecomposition per radius; below it a batched solve per
#: radius and energy (the arithmetic of :func:`log_derivative`, equal to it bit for bit).
EIGH_MIN_ENERGIES = 8


def _start(y0: NDArray[np.float64] | None, n: int, n_energies: int) -> NDArray[np.float64]:
    if y0 is None:
        return np.broadcast_to(Y_START * np.eye(n), (n_energies, n, n)).copy()
    return np.array(y0, dtype=float, copy=True)


def _sweep(
    Y: NDArray, h: NDArray, Qa: NDArray, Uc: NDArray, Qb: NDArray, n: int
) -> NDArray[np.float64]:
    """Johnson's panels of one block, in place on Y (n_E, n, n). ``Qa``, ``Uc``, ``Qb``
    (B, n_E, n, n) are overwritten: scaled by h/3, 4h/3 and h/3 for the whole block at once.
    The arithmetic of every step is that of the step-by-step form (the same operations on
    the same numbers, in the same order), without its temporaries: per panel two batched
    inversions and nine element-wise operations into preallocated arrays."""
    scale = h[:, None, None, None]
    np.multiply(Qa, scale / 3.0, out=Qa)
    np.multiply(Uc, 4.0 * scale / 3.0, out=Uc)
    np.multiply(Qb, scale / 3.0, out=Qb)
    eye_h = np.eye(n)[None] / h[:, None, None]  # 1/h_k, (B, n, n)
    hh = h * h
    T = np.empty_like(Y)
    for k in range(h.size):
        Y -= Qa[k]
        np.add(Y, eye_h[k], out=T)
        W = np.linalg.inv(T)
        np.divide(W, hh[k], out=W)
        np.subtract(eye_h[k], W, out=Y)
        Y -= Uc[k]
        np.add(Y, eye_h[k], out=T)
        W = np.linalg.inv(T)
        np.divide(W, hh[k], out=W)
        np.subtract(eye_h[k], W, out=Y)
        Y -= Qb[k]
    return Y


def log_derivative(
    edges: NDArray[np.float64],
    q_of_r: QFunction,
    n: int,
    n_energies: int,
    y0: NDArray[np.float64] | None = None,
    block: int = 256,
) -> NDArray[np.float64]:
    """Propagate Y from ``edges[0]`` to ``edges[-1]`` over the panels between ``edges``.

    ``q_of_r(r)`` gives Q at radii r (shape (len(r), n_E, n, n)); it is called on blocks
    of ``block`` panels at once, so its cost is vectorised. ``y0`` (n_E, n, n) is Y at
    ``edges[0]`` (default: Y_START × identity, a wavefunction that vanishes there).
    Returns Y at ``edges[-1]``, shape (n_E, n, n).
    """
    eye = np.eye(n)
    Y = _start(y0, n, n_energies)
    a_all, b_all = edges[:-1], edges[1:]
    for start in range(0, a_all.size, block):
        a = a_all[start : start + block]
        b = b_all[start : start + block]
        h = 0.5 * (b - a)
        c = a + h
        Qa = np.array(q_of_r(a), dtype=float)
        Qc = q_of_r(c)
        Qb = np.array(q_of_r(b), dtype=float)
        h2 = (h * h)[:, None, None, None]
        Uc = np.linalg.solve(eye + h2 * Qc / 6.0, Qc)  # Q (1 + h²Q/6)⁻¹ (Q, U commute)
        Y = _sweep(Y, h, Qa, Uc, Qb, n)
    return 0.5 * (Y + np.swapaxes(Y, -1, -2))


def _shifted(W: NDArray, mu2: float, energies: NDArray, centrifugal: NDArray | None) -> NDArray:
    """Q_e = 2μ(E_e·1 − W) − L(L+1)/R²·1 for every energy, (n_R, n_E, n, n), from W
    (n_R, n, n) with the rounding of the direct form: off the diagonal −2μW (exactly
    2μ(0 − W)), on it 2μ(E − W_ii) − L(L+1)/R²."""
    nR, n = W.shape[0], W.shape[-1]
    Q = np.empty((nR, energies.size, n, n))
    np.multiply(W[:, None], -mu2, out=Q)
    i = np.arange(n)
    d = mu2 * (energies[None, :, None] - W[:, None, i, i])
    if centrifugal is not None:
        d = d - centrifugal[:, None, None]
    Q[:, :, i, i] = d
    return Q


def log_derivative_shifted(
    edges: NDArray[np.float64],
    w_of_r: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    mu2: float,
    energies: NDArray[np.float64],
    centrifugal: Callable[[NDArray[np.float64]], NDArray[np.float64]] | None = None,
    y0: NDArray[np.float64] | None = None,
    block: int = 256,
) -> NDArray[np.float64]:
    """:func:`log_derivative` for Q_e(R) = 2μ(E_e − W(R)) − L(L+1)/R² at a batch of
    energies E_e (hartree), with the symmetric W(R) (hartree) independent of the energy.

    ``w_of_r(r)`` gives W at radii r, shape (len(r), n, n); ``centrifugal(r)`` the
    L(L+1)/R² (bohr⁻²) or None. The potential is evaluated once for all energies (Q is
    assembled from it with the rounding of the direct form); from
    :data:`EIGH_MIN_ENERGIES` energies on, Johnson's midpoint correction
    U = Q(1 + h²Q/6)⁻¹ of every energy comes from one eigendecomposition per radius
    (Q_e = Q₀ + 2μE_e·1 with Q₀ = VΛVᵀ: U_e = V diag(u(λ + 2μE_e)) Vᵀ) instead of a linear
    solve per radius and energy (equal to rounding; below it the same solve as
    :func:`log_derivative`, equal bit for bit). Returns Y at ``edges[-1]``, (n_E, n, n).

    Examples
    --------
    >>> k = np.array([0.5, 0.7])     # two free energies at once: Y = k cot(k(R − 1))
    >>> edges = np.linspace(1.0, 3.0, 201)
    >>> Y = log_derivative_shifted(edges, lambda r: np.zeros((r.size, 1, 1)), 2.0, k**2 / 2)
    >>> bool(np.allclose(Y[:, 0, 0], k / np.tan(2 * k), rtol=1e-6))
    True
    """
    energies = np.asarray(energies, dtype=float)
    nE = energies.size
    Y: NDArray[np.float64] | None = None
    a_all, b_all = edges[:-1], edges[1:]
    for start in range(0, a_all.size, block):
        a = a_all[start : start + block]
        b = b_all[start : start + block]
        h = 0.5 * (b - a)
        c = a + h
        cen = (lambda r: None) if centrifugal is None else centrifugal
        Qa = _shifted(w_of_r(a), mu2, energies, cen(a))
        Qb = _shifted(w_of_r(b), mu2, energies, cen(b))
        Wc = w_of_r(c)
        n = Wc.shape[-1]
        if Y is None:
            Y = _start(y0, n, nE)
        hh = (h * h)[:, None, None]
        if nE < EIGH_MIN_ENERGIES:
            Qc = _shifted(Wc, mu2, energies, cen(c))
            Uc = np.linalg.solve(np.eye(n) + hh[..., None] * Qc / 6.0, Qc)
        else:
            q0 = -mu2 * Wc
            if centrifugal is not None:
                q0 = q0 - centrifugal(c)[:, None, None] * np.eye(n)
            lam, V = np.linalg.eigh(q0)  # (B, n), (B, n, n)
            q = lam[:, None, :] + (mu2 * energies)[None, :, None]  # eigenvalues of Q_e
            u = q / (1.0 + hh * q / 6.0)
            # U_e = V diag(u_e) Vᵀ for every energy: one (n_E·n × n) @ (n × n) per radius
            VU = (V[:, None, :, :] * u[:, :, None, :]).reshape(h.size, nE * n, n)
            Uc = np.matmul(VU, V.transpose(0, 2, 1)).reshape(h.size, nE, n, n)
        Y = _sweep(Y, h, Qa, Uc, Qb, n)
    assert Y is not None
    return 0.5 * (Y + np.swapaxes(Y, -1, -2))


def numerov_reference(
    r_start: float, r_end: float, steps: int, q_of_r: QFunction, n: int, n_energies: int
) -> NDArray[np.float64]:
    """Y at ``r_end`` by renormalised Numerov on a uniform grid (an independent method).

    Numerov for ψ'' = −Qψ: with T = −h²Q/12, W = 1 − T and F = Wψ,
    F_{k+1} − U_k F_k + F_{k−1} = 0, U = 12 W⁻¹ − 10; the ratio R_k = F_{k+1}F_k⁻¹ obeys
    R_k = U_k − R_{k−1}⁻¹ (Johnson, J. Chem. Phys. 69, 4678 (1978)), from ψ = 0 at
    ``r_start``. Y at the end from the fourth-order centred derivative
    ψ′_N = [(1 + h²Q_{N+1}/6)ψ_{N+1} − (1 + h²Q_{N−1}/6)ψ_{N−1}]/(2h).
    Slower than :func:`log_derivative` (uniform grid); used in tests and benchmarks.
    """
    eye = np.eye(n)
    r = np.linspace(r_start, r_end, steps + 1)
    h = float(r[1] - r[0])
    R_prev: NDArray | None = None  # R_{k-1}
    R_cur: NDArray | None = None  # R_k
    r_ext = np.append(r, r_end + h)
    for lo in range(0, r_ext.size - 1, 512):
        rr = r_ext[lo : min(lo + 512, r_ext.size - 1)]
        Q = q_of_r(rr)
        U = 12.0 * np.linalg.inv(eye + (h * h / 12.0) * Q) - 10.0 * eye
        for k in range(rr.size):
            R_prev = R_cur
            if R_cur is None:
                R_cur = np.broadcast_to(Y_START * eye, (n_energies, n, n)).copy()  # F_0 = 0
            else:
                R_cur = U[k] - np.linalg.inv(R_cur)
    assert R_cur is not None and R_prev is not None
    q3: NDArray[np.float64] = q_of_r(np.array([r_end - h, r_end, r_end + h]))
    W = eye + (h * h / 12.0) * q3  # (3, nE, n, n): W_{N-1}, W_N, W_{N+1}
    # ψ_{N+1} ψ_N⁻¹ = W_{N+1}⁻¹ R_N W_N ;  ψ_{N−1} ψ_N⁻¹ = W_{N−1}⁻¹ R_{N−1}⁻¹ W_N
    plus = np.linalg.solve(W[2], R_cur @ W[1])
    minus = np.linalg.solve(W[0], np.linalg.solve(R_prev, W[1]))
    c_plus = eye + (h * h / 6.0) * q3[2]
    c_minus = eye + (h * h / 6.0) * q3[0]
    Y = (c_plus @ plus - c_minus @ minus) / (2 * h)
    return 0.5 * (Y + np.swapaxes(Y, -1, -2))


__all__ = ["Y_START", "QFunction", "log_derivative", "log_derivative_shifted", "numerov_reference"]
