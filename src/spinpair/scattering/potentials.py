"""Singlet and triplet Born–Oppenheimer potentials of a ground-state alkali pair.

The Rb2 X¹Σg⁺ (singlet) and a³Σu⁺ (triplet) curves of Strauss et al., PRA 82, 052514
(2010), in the analytic form of that paper (Tiemann's three-region form):

* short range, R < R_SR:        U = A_SR + B_SR / R^N_SR
* intermediate, R_SR ≤ R ≤ R_LR: U = Σ_i a_i ξ^i,  ξ = (R − R_m)/(R + b R_m)
* long range, R > R_LR:          U = −C6/R⁶ − C8/R⁸ − C10/R¹⁰ − C26/R²⁶ ∓ A_ex R^γ e^{−βR}

with − for the singlet and + for the triplet exchange term, γ = 7/β − 1 (β in inverse bohr),
and the continuity conditions of the paper: a_0 is adjusted so that U is continuous at
R_LR, and A_SR, B_SR so that U and dU/dR are continuous at R_SR. Units of the published
coefficients: cm⁻¹ and ångström. The numbers below are the published data of Strauss et al.
(the copy reachable here is MOLSCAT's data file ``Hdata-Rb2-2010.f``); the functional form
and everything else in this module are written here from the paper's equations.

Functions return energies in hartree for distances in bohr (atomic units, CODATA via
``scipy.constants``), the units of the coupled-channel solver.

Examples
--------
>>> import numpy as np
>>> p = RB2_STRAUSS_2010
>>> round(float(p.singlet.energy_cm(np.array([4.2099]))[0]), 1)   # well bottom near R_m
-3993.6
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import constants

#: ångström per bohr (CODATA via scipy.constants).
ANGSTROM_PER_BOHR: float = constants.physical_constants["Bohr radius"][0] * 1e10
#: hartree per cm⁻¹ (CODATA: E_h / (h c) in m⁻¹).
HARTREE_PER_CM: float = (
    100.0 / constants.physical_constants["hartree-inverse meter relationship"][0]
)


@dataclass(frozen=True)
class TiemannPotential:
    """One molecular potential curve in the three-region form (cm⁻¹, Å).

    Attributes
    ----------
    name : label (``"X1Sigma_g+"``).
    a : power-series coefficients a_0 … a_n of the intermediate region (cm⁻¹); a_0 is
        replaced by the value that makes U continuous at R_LR.
    r_m, b : R_m (Å) and b of ξ = (R − R_m)/(R + b R_m).
    r_sr, r_lr : inner and outer matching points (Å).
    n_sr : exponent of the short-range wall A_SR + B_SR/R^N_SR.
    c6, c8, c10, c26 : dispersion coefficients (cm⁻¹ Å^n).
    a_ex, beta : exchange term A_ex R^γ e^{−βR} (cm⁻¹ Å^−γ, Å⁻¹); γ = 7/β − 1 with β in
        inverse bohr.
    exchange_sign : −1 for the singlet, +1 for the triplet.
    """

    name: str
    a: tuple[float, ...]
    r_m: float
    b: float
    r_sr: float
    r_lr: float
    n_sr: float
    c6: float
    c8: float
    c10: float
    c26: float
    a_ex: float
    beta: float
    exchange_sign: float

    @property
    def gamma(self) -> float:
        """Exponent γ = 7/β − 1 of the exchange term, β in inverse bohr."""
        return 7.0 / (self.beta * ANGSTROM_PER_BOHR) - 1.0

    def _xi(self, r: NDArray) -> NDArray:
        return (r - self.r_m) / (r + self.b * self.r_m)

    def _series(self, r: NDArray, a0: float) -> NDArray:
        coeffs = np.array((a0, *self.a[1:]))
        return np.polynomial.polynomial.polyval(self._xi(r), coeffs)

    def _long_range(self, r: NDArray) -> NDArray:
        disp = -self.c6 / r**6 - self.c8 / r**8 - self.c10 / r**10 - self.c26 / r**26
        exch = self.a_ex * r**self.gamma * np.exp(-self.beta * r)
        return disp + self.exchange_sign * exch

    @cached_property
    def matched(self) -> tuple[float, float, float]:
        """(a_0, A_SR, B_SR) from the continuity conditions (cm⁻¹, cm⁻¹, cm⁻¹ Å^N_SR)."""
        rl = np.array([self.r_lr])
        a0 = float(self._long_range(rl)[0] - self._series(rl, 0.0)[0])
        rs = self.r_sr
        u = float(self._series(np.array([rs]), a0)[0])
        coeffs = np.array((a0, *self.a[1:]))
        dxi_dr = self.r_m * (1.0 + self.b) / (rs + self.b * self.r_m) ** 2
        dcoeffs = np.polynomial.polynomial.polyder(coeffs)
        du = float(np.polynomial.polynomial.polyval(self._xi(np.array([rs])), dcoeffs)[0]) * dxi_dr
        # d/dR (A + B R^-N) = -N B R^-(N+1) = du
        b_sr = -du * rs ** (self.n_sr + 1) / self.n_sr
        a_sr = u - b_sr / rs**self.n_sr
        return a0, a_sr, b_sr

    def energy_cm(self, r_angstrom: ArrayLike) -> NDArray[np.float64]:
        """U(R) in cm⁻¹ for R in ångström (any shape)."""
        r = np.asarray(r_angstrom, dtype=float)
        a0, a_sr, b_sr = self.matched
        out = np.empty_like(r)
        inner = r < self.r_sr
        outer = r > self.r_lr
        mid = ~(inner | outer)
        out[inner] = a_sr + b_sr / r[inner] ** self.n_sr
        out[mid] = self._series(r[mid], a0)
        out[outer] = self._long_range(r[outer])
        return out

    def energy_hartree(self, r_bohr: ArrayLike) -> NDArray[np.float64]:
        """U(R) in hartree for R in bohr."""
        r = np.asarray(r_bohr, dtype=float) * ANGSTROM_PER_BOHR
        return self.energy_cm(r) * HARTREE_PER_CM


@dataclass(frozen=True)
class PairPotentials:
    """Singlet and triplet curves of one alkali dimer, with their source."""

    name: str
    singlet: TiemannPotential
    triplet: TiemannPotential
    source: str

    def hartree(self, r_bohr: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(V_S, V_T) in hartree at R in bohr."""
        return self.singlet.energy_hartree(r_bohr), self.triplet.energy_hartree(r_bohr)


# --- published data: Strauss et al., PRA 82, 052514 (2010), Tables (cm^-1, angstrom) ----------
_DISPERSION: dict = dict(c6=0.2270032e8, c8=0.7782886e9, c10=0.2868869e11, c26=0.2819810e26)
_EXCHANGE: dict = dict(a_ex=0.1317786e5, beta=2.093816)

_X_SINGLET = TiemannPotential(
    name="X1Sigma_g+",
    a=(
        -3993.592873,
        0.0,
        0.282069372972346137e5,
        0.560425000209256905e4,
        -0.423962138510562945e5,
        -0.598558066508841584e5,
        -0.162613532034769596e5,
        -0.405142102246254944e5,
        0.195237415352729586e6,
        0.413823663033582852e6,
        -0.425543284828921501e7,
        0.546674790157210198e6,
        0.663194778861331940e8,
        -0.558341849704095051e8,
        -0.573987344918535471e9,
        0.102010964189156187e10,
        0.300040150506311035e10,
        -0.893187252759830856e10,
        -0.736002541483347511e10,
        0.423130460980355225e11,
        -0.786351477693491840e10,
        -0.102470557344862152e12,
        0.895155811349267578e11,
        0.830355322355692902e11,
        -0.150102297761234375e12,
        0.586778574293387070e11,
    ),
    r_m=4.209912760,
    b=-0.13,
    r_sr=3.126,
    r_lr=11.00,
    n_sr=4.533895,
    exchange_sign=-1.0,
    **_DISPERSION,
    **_EXCHANGE,
)

_A_TRIPLET = TiemannPotential(
    name="a3Sigma_u+",
    a=(
        -241.503352,
        -0.672503402304666542,
        0.195494577140503543e4,
        -0.141544168453406223e4,
        -0.221166468149940465e4,
        0.165443726445793004e4,
        -0.596412188910614259e4,
        0.654481694231538040e4,
        0.261413416681972012e5,
        -0.349701859112702878e5,
        -0.328185277155018630e5,
        0.790208849885562522e5,
        -0.398783520249289213e5,
    ),
    r_m=6.0933451,
    b=-0.33,
    r_sr=5.07,
    r_lr=11.00,
    n_sr=4.533895,
    exchange_sign=+1.0,
    **_DISPERSION,
    **_EXCHANGE,
)

#: The Rb2 potentials of Strauss et al. 2010 (used for 85Rb and 87Rb: mass-independent).
RB2_STRAUSS_2010 = PairPotentials(
    name="rb2-strauss-2010",
    singlet=_X_SINGLET,
    triplet=_A_TRIPLET,
    source="Rb2 X1Sigma_g+ and a3Sigma_u+ potentials of C. Strauss et al., PRA 82, 052514 "
    "(2010) (coefficients as published; functional form and continuity conditions of the "
    "paper, implemented in spinpair.scattering.potentials)",
)

__all__ = [
    "ANGSTROM_PER_BOHR",
    "HARTREE_PER_CM",
    "RB2_STRAUSS_2010",
    "PairPotentials",
    "TiemannPotential",
]
