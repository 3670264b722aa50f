"""Harmonic relative-motion states of the secular model: contact densities, the
even-parity partition function and the energy grid of states below a cut (spec §3a).

Examples
--------
>>> contact_factor([0, 1, 2, 4]).tolist()
[1.0, 0.0, 0.5, 0.375]
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import constants, special

from ...errors import InputError
from ...trap import PairTrap
from ...validation import Interval, instance, real_values

#: Grid cells (n_a, n_b) processed at once when counting or enumerating states.
_CELLS_PER_CHUNK = 1 << 20


def _quanta(n: ArrayLike) -> NDArray[np.float64]:
    """Oscillator quantum numbers: integers in [0, 2**53] (InputError otherwise)."""
    a = real_values("n", n, Interval(0.0, 2.0**53))
    if np.any(a % 1):
        raise InputError("n", float(a[a % 1 != 0].ravel()[0]), "integer quantum numbers >= 0")
    return a


def contact_factor(n: ArrayLike) -> NDArray[np.float64]:
    """C(n, n/2)/2^n for even n, 0 for odd n: the 1-D oscillator's |φ_n(0)|² in units of
    √(μω/(πħ)). Log-gamma, so n may be large.

    Examples
    --------
    >>> contact_factor([0, 1, 2, 4]).tolist()
    [1.0, 0.0, 0.5, 0.375]
    """
    n = _quanta(n)
    val = np.exp(special.gammaln(n + 1) - 2 * special.gammaln(n / 2 + 1) - n * math.log(2))
    return np.where(n % 2 == 0, val, 0.0)


def density_scale_m3(trap: PairTrap) -> float:
    """Π_j √(μω_j/(πħ)) (m⁻³): the contact density of the relative ground state."""
    instance("trap", trap, PairTrap, "a PairTrap (spinpair.trap.PairTrap.from_params)")
    mu = trap.reduced_mass_kg
    return float(np.prod(np.sqrt(mu * trap.omega / (math.pi * constants.hbar))))


def contact_density_m3(trap: PairTrap, n: ArrayLike) -> NDArray[np.float64]:
    """|ψ_n(0)|² (m⁻³) of relative-motion states n (…, 3) of ``trap`` (x, y, z order)."""
    n = _quanta(n)
    return density_scale_m3(trap) * np.prod(contact_factor(n), axis=-1)


def even_parity_partition(x: ArrayLike) -> float:
    """Z_even = ½(Π 1/(1−e^{−x_j}) + Π 1/(1+e^{−x_j})), x_j = ħω_j/k_BT, energies from
    the zero point.

    Examples
    --------
    >>> round(even_parity_partition([50.0, 50.0, 50.0]), 12)    # only n = 0
    1.0
    """
    x = real_values("x", x, Interval(0.0, None, lo_open=True), "(ħω/k_BT)")
    return 0.5 * float(np.prod(-1 / np.expm1(-x)) + np.prod(1 / (1 + np.exp(-x))))


class _Grid:
    """Even-parity states below an energy cut, by (n_a, n_b) cells and geometric sums
    along the axis c with the most levels (axes reordered so that x_c is smallest)."""

    def __init__(self, x: NDArray[np.float64]) -> None:
        self.x = np.sort(x)[::-1]  # a, b: the largest spacings; c: the smallest

    def _cells(
        self, e_cut: float, step: int = 1
    ) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]]:
        """Yield (n_a, n_b, e_ab) chunks of cells with e_ab ≤ e_cut, n_a, n_b multiples
        of ``step``."""
        xa, xb = self.x[0], self.x[1]
        na_max = math.floor(e_cut / xa) + 1  # one spare: the mask decides
        nb_all = np.arange(0, math.floor(e_cut / xb) + 2, step)
        rows = max(1, _CELLS_PER_CHUNK // nb_all.size)
        na_all = np.arange(0, na_max + 1, step)
        for s in range(0, na_all.size, rows):
            na = na_all[s : s + rows, None]
            e_ab = xa * na + xb * nb_all[None, :]
            ok = e_ab <= e_cut
            na_ok = np.broadcast_to(na, e_ab.shape)[ok]
            yield na_ok, np.broadcast_to(nb_all, e_ab.shape)[ok], e_ab[ok]

    def _kmax(self, e_ab: NDArray, e_cut: float) -> NDArray[np.int64]:
        return np.floor((e_cut - e_ab) / self.x[2] + 1e-12).astype(np.int64)

    def count_and_weight(self, e_cut: float) -> tuple[int, float]:
        """(number, Σ e^{−(E−E_0)/k_BT}) of even-parity states with E − E_0 ≤ e_cut (k_BT)."""
        xc = self.x[2]
        count, weight = 0, 0.0
        for na, nb, e_ab in self._cells(e_cut):
            K = self._kmax(e_ab, e_cut)
            p = (na + nb) % 2  # n_c ≡ p (mod 2): n_c = p, p + 2, …, ≤ K
            m = np.where(K >= p, (K - p) // 2 + 1, 0)
            count += int(m.sum())
            weight += float(
                np.sum(np.exp(-e_ab - xc * p) * np.expm1(-2 * xc * m) / np.expm1(-2 * xc))
            )
        return count, weight

    def bright_states(self, e_cut: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Energies (k_BT, from the zero point) and contact factors Π C(n_j, n_j/2)/2^{n_j}
        of every state with all n_j even below the cut."""
        xc = self.x[2]
        n_c_max = math.floor(e_cut / xc + 1e-9) + 2  # ≥ every K below
        fc = contact_factor(np.arange(0, n_c_max + 1, 2))
        es, cs = [], []
        for na, nb, e_ab in self._cells(e_cut, step=2):
            m = self._kmax(e_ab, e_cut) // 2 + 1  # n_c = 0, 2, …, 2(m − 1)
            cell = np.repeat(np.arange(m.size), m)
            half = np.arange(cell.size) - np.repeat(np.cumsum(m) - m, m)  # n_c / 2
            es.append(e_ab[cell] + xc * (2 * half))
            cs.append((contact_factor(na) * contact_factor(nb))[cell] * fc[half])
        return np.concatenate(es), np.concatenate(cs)


def _runs(sorted_values: NDArray[np.float64], rtol: float, floor: float = 0.0) -> NDArray:
    """Start indices of runs of equal values (consecutive differences ≤ rtol·(|v| + floor))."""
    v = sorted_values
    new = np.diff(v) > rtol * (np.abs(v[1:]) + floor)
    return np.concatenate([[0], np.flatnonzero(new) + 1])


__all__ = [
    "contact_density_m3",
    "contact_factor",
    "density_scale_m3",
    "even_parity_partition",
]
