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
    if y0 is None:
        Y = np.broadcast_to(Y_START * eye, (n_energies, n, n)).copy()
    else:
        Y = np.array(y0, dtype=float, copy=True)
    a_all, b_all = edges[:-1], edges[1:]
    for start in range(0, a_all.size, block):
        a = a_all[start : start + block]
        b = b_all[start : start + block]
        h = 0.5 * (b - a)
        c = a + h
        Qa = q_of_r(a)
        Qc = q_of_r(c)
        Qb = q_of_r(b)
        h2 = (h * h)[:, None, None, None]
        Uc = np.linalg.solve(eye + h2 * Qc / 6.0, Qc)  # Q (1 + h²Q/6)⁻¹ (Q, U commute)
        for k in range(a.size):
            hk = h[k]
            Y -= (hk / 3.0) * Qa[k]
            Y = eye / hk - np.linalg.inv(Y + eye / hk) / (hk * hk)
            Y -= (4.0 * hk / 3.0) * Uc[k]
            Y = eye / hk - np.linalg.inv(Y + eye / hk) / (hk * hk)
            Y -= (hk / 3.0) * Qb[k]
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


__all__ = ["Y_START", "QFunction", "log_derivative", "numerov_reference"]
