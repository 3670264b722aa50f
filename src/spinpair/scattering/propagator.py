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
>>> round(float(Y[0, 0, 0]), 6), round(k / np.tan(k * 2.0), 6)
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
    """Y at ``r_end`` by renormalised Numerov on a uniform grid (independent check).

    Ratio form: with T = −(h²/12) Q, F = (1 − T) ψ and R_k = F_{k+1} F_k⁻¹,
    R_k = U_k − R_{k−1}⁻¹, U = (12 − 10(1 − T))(1 − T)⁻¹ … the standard recurrence of
    Johnson (1978). Y at the end comes from the three-point derivative of ψ.
    """
    eye = np.eye(n)
    r = np.linspace(r_start, r_end, steps + 1)
    h = r[1] - r[0]
    Rk = None
    W_prev = None
    for lo in range(0, r.size, 512):
        rr = r[lo : lo + 512]
        Q = q_of_r(rr)  # (m, nE, n, n)
        T = -(h * h / 12.0) * Q
        W = eye - T  # (1 − T)
        U = 12.0 * np.linalg.inv(W) - 10.0 * eye
        for k in range(rr.size):
            if Rk is None:
                Rk = np.broadcast_to(Y_START * eye, (n_energies, n, n)).copy()  # F1 F0⁻¹ huge
            else:
                Rk = U[k] - np.linalg.inv(Rk)
            W_last = W[k]
        W_prev = W_last
    # Rk = F_N F_{N−1}⁻¹ at the last point; recover ψ ratio and the derivative
    # Use one extra Numerov step to get F_{N+1} F_N⁻¹ and a centred derivative.
    assert W_prev is not None and Rk is not None
    Q_next = q_of_r(np.array([r_end + h]))[0]
    Q_last = q_of_r(np.array([r_end]))[0]
    Q_prev = q_of_r(np.array([r_end - h]))[0]
    W_n = eye + (h * h / 12.0) * Q_last
    W_p = eye + (h * h / 12.0) * Q_prev
    W_x = eye + (h * h / 12.0) * Q_next
    U_n = 12.0 * np.linalg.inv(W_n) - 10.0 * eye
    R_next = U_n - np.linalg.inv(Rk)  # F_{N+1} F_N⁻¹
    # ψ = W⁻¹ F: ψ_{N±1} ψ_N⁻¹
    inv_Wn = np.linalg.inv(W_n)
    plus = np.linalg.inv(W_x) @ R_next @ W_n
    minus = np.linalg.inv(W_p) @ np.linalg.inv(Rk) @ W_n
    del inv_Wn
    # centred difference with Numerov-consistent correction: ψ' ≈ (ψ+ − ψ−)/(2h) − (h²/6)(Qψ)'
    Y = (plus - minus) / (2 * h)
    return 0.5 * (Y + np.swapaxes(Y, -1, -2))


__all__ = ["Y_START", "QFunction", "log_derivative", "numerov_reference"]
