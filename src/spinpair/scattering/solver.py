"""Coupled-channel scattering of two ground-state alkali atoms, partial wave by partial wave.

Why one file of ~610 lines: matching, S and K matrices and the scattering-length
projection are one solve; the propagators live in :mod:`.propagator`.

The radial equations in the channel basis of :mod:`.channels`,

    ψ''(R) = [2μ (W(R) − E) + L(L+1)/R²] ψ(R),
    W(R) = V_S(R) P_S + V_T(R) P_T + diag(thresholds),

are solved for one partial wave L at a time (the magnetic dipole–dipole and second-order
spin–orbit couplings, which alone mix different L, are neglected: they are 10⁻⁴ or less
of the exchange coupling at the fields used here); even L use the exchange-symmetric
channels, odd L the antisymmetric ones (``channels.pair_channels(exchange=(−1)^L)``).
They are

are solved in three stages (atomic units: bohr, hartree, electron masses):

1. **Short range, all channels.** Johnson's log-derivative propagator (:mod:`.propagator`)
   from inside the repulsive wall (ψ = 0) to ``r_eliminate`` (150 bohr), with a step that
   follows the local wavenumber, h = ``step_fraction``/k_loc(R).
2. **Closed channels eliminated.** Beyond ``r_eliminate`` the exchange splitting
   V_S − V_T is below 10⁻⁶⁰ hartree, so W is diagonal and channels with κR ≫ 1 (the other
   hyperfine manifold) decay independently. Their log-derivative is the WKB value of the
   decaying solution, y_c = −p − p′/(2p), p = √(2μ(W_cc − E)), and they are folded into
   an effective open-channel Y: Y_eff = Y_oo + Y_oc (y_c − Y_cc)⁻¹ Y_co.
3. **Long range, open (and weakly closed) channels** to ``r_max`` (5000 bohr), matched to
   Riccati–Bessel functions J = k R j_L(kR)/√k → sin(kR − Lπ/2)/√k,
   N = −k R y_L(kR)/√k → cos(kR − Lπ/2)/√k (weakly closed channels to the modified
   Riccati–Bessel functions of κR, growing and decaying, through their log-derivatives):
   K = −(Y N − N′)⁻¹ (Y J − J′), open–open block; S = (1 + iK)(1 − iK)⁻¹. The open–open
   block of K is symmetric when the matching is right; its asymmetry before it is
   symmetrised is kept as a check (``SMatrixResult.k_asymmetry``).

At zero energy the open channels are matched to J = R, N = 1 (ψ = R − a), which gives the
scattering-length matrix A = −K directly. For the F-resolved a_F of a manifold f at field
B, the thresholds of that manifold's channels are made degenerate (their quadratic Zeeman
splitting, tens of hertz, is 10⁻⁸ of the hyperfine energy and irrelevant at short range,
but would close channels at zero energy); a_F = ⟨F, M|A|F, M⟩ with the Clebsch–Gordan
vectors of f ⊗ f.

Limits: L is conserved (no dipolar spin relaxation, no second-order spin–orbit term), the
Rb2 potentials of Strauss et al. 2010. The a_F (:func:`scattering_lengths`) are s-wave.

Examples
--------
>>> from spinpair.species import get_species
>>> res = scattering_lengths(get_species("rb87", f=1), 0.0)
>>> round(res.a_f_bohr[0]), round(res.a_f_bohr[2])
(101, 100)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import constants

from ..errors import InputError, check_range
from ..species import Species
from ..spin import clebsch_gordan
from .channels import Label, PairChannels, pair_channels
from .potentials import RB2_STRAUSS_2010, PairPotentials
from .propagator import log_derivative, log_derivative_shifted, numerov_reference

#: Hartree per hertz and per kelvin; electron masses per kg (CODATA via scipy.constants).
HARTREE_PER_HZ: float = constants.physical_constants["hertz-hartree relationship"][0]
HARTREE_PER_K: float = constants.physical_constants["kelvin-hartree relationship"][0]
ELECTRON_MASS_KG: float = constants.m_e

#: Largest partial wave :func:`s_matrix` accepts (the rate coefficients use L ≤ 3).
MAX_L = 6

#: Potentials per species name.
POTENTIALS: dict[str, PairPotentials] = {"rb85": RB2_STRAUSS_2010, "rb87": RB2_STRAUSS_2010}


@dataclass(frozen=True)
class Numerics:
    """Numerical settings of the propagation (bohr; the step is a fraction of 1/k_loc).

    Attributes
    ----------
    step_fraction : h·k_loc in the coupled region (Johnson's error scales as its 4th power).
    long_step_fraction : h·k_loc in the open-channel long-range region.
    max_relative_step : h ≤ this × R in the long range.
    r_eliminate : radius (bohr) where the strongly closed channels are folded in.
    r_max : matching radius (bohr).
    wall_hartree : the propagation starts where both potentials exceed this (hartree).
    """

    step_fraction: float = 0.025
    long_step_fraction: float = 0.2
    max_relative_step: float = 0.01
    r_eliminate: float = 150.0
    r_max: float = 5000.0
    wall_hartree: float = 0.04
    #: ``"johnson"`` (log-derivative, adaptive step) or ``"numerov"`` (renormalised Numerov
    #: on a uniform grid with the smallest Johnson step, for the short range: an
    #: independent reference, slower; used by tests and benchmarks).
    short_range: str = "johnson"

    def __post_init__(self) -> None:
        check_range("numerics.step_fraction", self.step_fraction, 0.0, 1.0, lo_open=True)
        check_range("numerics.long_step_fraction", self.long_step_fraction, 0.0, 1.0, lo_open=True)
        check_range("numerics.max_relative_step", self.max_relative_step, 0.0, 0.2, lo_open=True)
        check_range("numerics.r_eliminate", self.r_eliminate, 60.0, 1e4)
        check_range("numerics.r_max", self.r_max, self.r_eliminate, 1e6)
        check_range("numerics.wall_hartree", self.wall_hartree, 1e-3, 1.0)
        if self.short_range not in ("johnson", "numerov"):
            raise InputError("numerics.short_range", self.short_range, "'johnson' or 'numerov'")


@dataclass(frozen=True)
class CoupledProblem:
    """The coupled equations of one species at one field and one M.

    ``wall_shift_hartree`` = (δ_S, δ_T) adds a constant to each potential inside its
    minimum region (see :func:`_wall_shift`), the knob used to propagate the potentials'
    uncertainty; (0, 0) is the published potential.
    """

    species: Species
    field_gauss: float
    M: int = 0
    potentials: PairPotentials = RB2_STRAUSS_2010
    numerics: Numerics = field(default_factory=Numerics)
    wall_shift_hartree: tuple[float, float] = (0.0, 0.0)
    #: Partial wave L (conserved); the channels have exchange symmetry (−1)^L.
    L: int = 0

    @cached_property
    def channels(self) -> PairChannels:
        """The channels of partial wave L (labels, thresholds, P_S, P_T)."""
        return pair_channels(self.species, self.field_gauss, self.M, 1 if self.L % 2 == 0 else -1)

    def centrifugal(self, r: NDArray[np.float64]) -> NDArray[np.float64]:
        """L(L+1)/R² (bohr⁻²), the centrifugal term of Q at radii r (bohr)."""
        return self.L * (self.L + 1) / (r * r)

    @property
    def mu(self) -> float:
        """Reduced mass in electron masses."""
        return self.species.reduced_mass_kg / ELECTRON_MASS_KG

    def potential_hartree(self, r: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
        """(V_S, V_T) in hartree at r (bohr), with the wall shifts applied."""
        vs, vt = self.potentials.hartree(r)
        ds, dt = self.wall_shift_hartree
        if ds or dt:
            s = _wall_shift(r)
            vs = vs + ds * s
            vt = vt + dt * s
        return vs, vt

    def q_function(
        self, energies_h: NDArray[np.float64], thresholds_h: NDArray[np.float64]
    ) -> object:
        """Q(R) = 2μ(E − W(R)) as a function of radii (shape (n_R, n_E, n, n))."""
        ch = self.channels
        mu2 = 2 * self.mu
        E = energies_h[None, :, None, None]
        diag = np.diag(thresholds_h)[None, None]
        eye = np.eye(ch.size)[None, None]
        PS, PT = ch.singlet[None, None], ch.triplet[None, None]

        def q(r: NDArray[np.float64]) -> NDArray[np.float64]:
            vs, vt = self.potential_hartree(r)
            W = vs[:, None, None, None] * PS + vt[:, None, None, None] * PT + diag
            out = mu2 * (E * eye - W)
            if self.L:
                out = out - self.centrifugal(r)[:, None, None, None] * eye
            return out

        return q

    def w_function(
        self, thresholds_h: NDArray[np.float64]
    ) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
        """W(R) = V_S(R) P_S + V_T(R) P_T + diag(thresholds) (hartree) as a function of radii
        (shape (n_R, n, n)): Q = 2μ(E − W) − L(L+1)/R²
        (:func:`~.propagator.log_derivative_shifted`)."""
        ch = self.channels
        diag = np.diag(thresholds_h)[None]
        PS, PT = ch.singlet[None], ch.triplet[None]

        def w(r: NDArray[np.float64]) -> NDArray[np.float64]:
            vs, vt = self.potential_hartree(r)
            return vs[:, None, None] * PS + vt[:, None, None] * PT + diag

        return w

    def r_start(self) -> float:
        """Inner starting radius (bohr): both potentials above ``numerics.wall_hartree``."""
        lo, hi = 2.0, 12.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            vs, vt = self.potential_hartree(np.array([mid]))
            if min(vs[0], vt[0]) > self.numerics.wall_hartree:
                lo = mid
            else:
                hi = mid
        return lo

    def short_range_edges(self, e_max_h: float, thr_h: NDArray) -> NDArray[np.float64]:
        """Panel edges from the wall to ``r_eliminate``: h = step_fraction / k_loc(R)."""
        num = self.numerics
        r0 = self.r_start()
        grid = np.linspace(r0, num.r_eliminate, 200001)
        vs, vt = self.potential_hartree(grid)
        spread = e_max_h + np.max(np.abs(thr_h))
        k_loc = np.sqrt(
            2 * self.mu * np.maximum.reduce([np.abs(vs), np.abs(vt), np.full_like(vs, spread)])
        )
        return _edges(grid, num.step_fraction / k_loc, num.max_relative_step)

    def long_range_edges(self, e_max_h: float, thr_h: NDArray) -> NDArray[np.float64]:
        """Panel edges from ``r_eliminate`` to ``r_max`` for the open channels."""
        num = self.numerics
        grid = np.geomspace(num.r_eliminate, num.r_max, 20001)
        vs, _ = self.potential_hartree(grid)
        spread = e_max_h + (np.max(np.abs(thr_h)) if thr_h.size else 0.0)
        k_loc = np.sqrt(2 * self.mu * np.maximum(np.abs(vs), spread))
        return _edges(
            grid, num.long_step_fraction / np.maximum(k_loc, 1e-300), num.max_relative_step
        )


def _wall_shift(r: NDArray[np.float64]) -> NDArray[np.float64]:
    """Shape of the uncertainty knob: 1 for R ≤ 9 bohr, a cosine taper to 0 at 15 bohr.

    A constant added to the potential over the well changes the short-range phase (and so
    the scattering length) while the long-range dispersion and exchange stay as published.
    """
    x = np.clip((r - 9.0) / 6.0, 0.0, 1.0)
    return 0.5 * (1.0 + np.cos(np.pi * x))


def _edges(grid: NDArray, h_target: NDArray, max_rel: float) -> NDArray[np.float64]:
    """Panel edges along ``grid`` with panel width 2h, h = min(h_target(R), max_rel·R)."""
    h_target = np.minimum(h_target, max_rel * grid)
    edges = [float(grid[0])]
    r = edges[0]
    end = float(grid[-1])
    while r < end:
        h = float(np.interp(r, grid, h_target))
        r = min(r + 2 * h, end)
        edges.append(r)
    return np.array(edges)


@dataclass(frozen=True)
class SMatrixResult:
    """K and S matrices of the open channels at each energy.

    Attributes
    ----------
    energies_k : collision energies E/k_B (K) above the entrance channel's threshold.
    labels : channel labels (f1, m1, f2, m2) of the whole channel set.
    entrance : label of the entrance channel.
    open_channels : per energy, the indices (into ``labels``) of the open channels.
    K, S : per energy, the open-channel K and S matrices (K real symmetric, S unitary).
    L : the partial wave (channels of exchange symmetry (−1)^L).
    k_asymmetry : per energy, max |K − Kᵀ| / max |K| of the open–open K before it was
        symmetrised (a check of the matching; roundoff-small when it is right).
    """

    energies_k: NDArray[np.float64]
    labels: tuple[Label, ...]
    entrance: Label
    open_channels: tuple[NDArray[np.int64], ...]
    K: tuple[NDArray[np.float64], ...]
    S: tuple[NDArray[np.complex128], ...]
    L: int = 0
    k_asymmetry: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))

    def probability(self, final: Label, initial: Label | None = None) -> NDArray[np.float64]:
        """|S_fi|² per energy (0 where a channel is closed)."""
        initial = self.entrance if initial is None else initial
        out = np.zeros(self.energies_k.size)
        fi = _find(self.labels, final)
        ii = _find(self.labels, initial)
        for e, (op, S) in enumerate(zip(self.open_channels, self.S, strict=True)):
            pos = {int(c): k for k, c in enumerate(op)}
            if fi in pos and ii in pos:
                out[e] = abs(S[pos[fi], pos[ii]]) ** 2
        return out


def _find(labels: tuple[Label, ...], lab: Label) -> int:
    f1, m1, f2, m2 = lab
    for k, x in enumerate(labels):
        if x in ((f1, m1, f2, m2), (f2, m2, f1, m1)):
            return k
    raise InputError("channel", lab, f"one of {list(labels)}")


def riccati_bessel(L: int, k: float, r: float) -> tuple[float, float, float, float]:
    """(J, J′, N, N′) at r of the energy-normalised open-channel solutions of partial wave L:
    J = x j_L(x)/√k → sin(x − Lπ/2)/√k, N = −x y_L(x)/√k → cos(x − Lπ/2)/√k, x = kr
    (derivatives with respect to r)."""
    from scipy.special import spherical_jn, spherical_yn

    x = k * r
    j, jp = spherical_jn(L, x), spherical_jn(L, x, derivative=True)
    y, yp = spherical_yn(L, x), spherical_yn(L, x, derivative=True)
    sk = np.sqrt(k)
    J, Jp = x * j / sk, k * (j + x * jp) / sk
    N, Np = -x * y / sk, -k * (y + x * yp) / sk
    return float(J), float(Jp), float(N), float(Np)


def closed_log_derivatives(L: int, kappa: float, r: float) -> tuple[float, float]:
    """Log-derivatives (1/bohr) at r of the growing and decaying closed-channel solutions
    of partial wave L: √x I_{L+½}(x) and √x K_{L+½}(x), x = κr (exponentially scaled
    Bessel functions, so any κr works)."""
    from scipy.special import ive, kve

    x = kappa * r
    nu = L + 0.5
    grow = 0.5 / x + ive(nu - 1, x) / ive(nu, x) - nu / x
    decay = 0.5 / x - kve(nu - 1, x) / kve(nu, x) - nu / x
    return float(kappa * grow), float(kappa * decay)


def _match(
    Y: NDArray, r: float, kappa2: NDArray, zero_energy: NDArray[np.bool_], L: int = 0
) -> NDArray[np.float64]:
    """K over all remaining channels from Y at r. ``kappa2`` = 2μ(E − thr) per channel:
    > 0 open (Riccati–Bessel), < 0 closed (modified Riccati–Bessel, scaled to 1 at r),
    ``zero_energy`` channels exactly at threshold (s-wave only: J = R, N = 1)."""
    n = Y.shape[0]
    J = np.zeros(n)
    Jp = np.zeros(n)
    N = np.zeros(n)
    Np = np.zeros(n)
    for c in range(n):
        if zero_energy[c]:
            if L:
                raise InputError("L", L, "0 for zero-energy matching")
            J[c], Jp[c], N[c], Np[c] = r, 1.0, 1.0, 0.0
        elif kappa2[c] > 0:
            J[c], Jp[c], N[c], Np[c] = riccati_bessel(L, float(np.sqrt(kappa2[c])), r)
        else:
            grow, decay = closed_log_derivatives(L, float(np.sqrt(-kappa2[c])), r)
            J[c], Jp[c] = 1.0, grow
            N[c], Np[c] = 1.0, decay
    K = -np.linalg.solve(Y * N[None, :] - np.diag(Np), Y * J[None, :] - np.diag(Jp))
    return np.asarray(K, dtype=float)


def _solve(
    problem: CoupledProblem,
    energies_h: NDArray[np.float64],
    thr_h: NDArray[np.float64],
    zero_energy_channels: NDArray[np.bool_] | None = None,
    asymmetry: list[float] | None = None,
) -> list[tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """(open channel indices, open–open K) per energy. Energies and thresholds in hartree
    relative to the entrance threshold. ``asymmetry`` (a list) receives, per energy,
    max |K − Kᵀ| / max |K| before symmetrisation."""
    mu2 = 2 * problem.mu
    num = problem.numerics
    n = problem.channels.size
    e_max = float(np.max(np.abs(energies_h)))
    edges = problem.short_range_edges(e_max, thr_h)
    if num.short_range == "numerov":
        q = problem.q_function(energies_h, thr_h)
        h_min = float(np.min(np.diff(edges))) / 2
        steps = int(np.ceil((edges[-1] - edges[0]) / h_min))
        Y = numerov_reference(edges[0], edges[-1], steps, q, n, energies_h.size)  # type: ignore[arg-type]
    else:  # the potential once for every energy
        Y = log_derivative_shifted(
            edges,
            problem.w_function(thr_h),
            mu2,
            energies_h,
            problem.centrifugal if problem.L else None,
        )
    r_el = float(edges[-1])
    out: list[tuple[NDArray[np.int64], NDArray[np.float64]]] = []
    zero = np.zeros(n, bool) if zero_energy_channels is None else zero_energy_channels
    for e, E in enumerate(energies_h):
        kappa2_inf = mu2 * (E - thr_h)  # asymptotic
        vs, vt = problem.potential_hartree(np.array([r_el]))
        Wdiag = vs[0] * np.diag(problem.channels.singlet) + vt[0] * np.diag(
            problem.channels.triplet
        )
        p2 = mu2 * (thr_h + Wdiag - E) + problem.centrifugal(np.array([r_el]))[0]  # local κ²
        strongly = (kappa2_inf < 0) & (np.sqrt(np.abs(kappa2_inf)) * r_el > 30.0) & (p2 > 0) & ~zero
        keep = np.flatnonzero(~strongly)
        elim = np.flatnonzero(strongly)
        Ye = Y[e]
        if elim.size:
            p = np.sqrt(p2[elim])
            # p' = μ dW/dR / p ; W' from a centred difference of the diagonal potential
            dr = 1e-3 * r_el
            vs2, vt2 = problem.potential_hartree(np.array([r_el - dr, r_el + dr]))
            dW = (
                (vs2[1] - vs2[0]) * np.diag(problem.channels.singlet)[elim]
                + (vt2[1] - vt2[0]) * np.diag(problem.channels.triplet)[elim]
            ) / (2 * dr)
            dp = (0.5 * mu2 * dW - problem.L * (problem.L + 1) / r_el**3) / p
            yc = -p - dp / (2 * p)
            Yoo = Ye[np.ix_(keep, keep)]
            Yoc = Ye[np.ix_(keep, elim)]
            Ycc = Ye[np.ix_(elim, elim)]
            Ye = Yoo + Yoc @ np.linalg.solve(np.diag(yc) - Ycc, Yoc.T)
        sub_thr = thr_h[keep]
        edges_lr = problem.long_range_edges(abs(float(E)), sub_thr)
        sub = _SubProblem(problem, keep)
        q_lr = sub.q_function(np.array([E]), sub_thr)
        Y_lr = log_derivative(edges_lr, q_lr, keep.size, 1, y0=Ye[None])[0]
        K_all = _match(Y_lr, float(edges_lr[-1]), kappa2_inf[keep], zero[keep], problem.L)
        is_open = (kappa2_inf[keep] > 0) | zero[keep]
        o = np.flatnonzero(is_open)
        K = K_all[np.ix_(o, o)]
        if asymmetry is not None:
            scale = float(np.max(np.abs(K))) if K.size else 0.0
            asymmetry.append(float(np.max(np.abs(K - K.T))) / scale if scale > 0 else 0.0)
        out.append((keep[o], 0.5 * (K + K.T)))
    return out


@dataclass(frozen=True)
class _SubProblem:
    """The long-range equations restricted to the channels ``keep`` (diagonal W there)."""

    problem: CoupledProblem
    keep: NDArray[np.int64]

    def q_function(
        self, energies_h: NDArray, thr_h: NDArray
    ) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
        ch = self.problem.channels
        ps = np.diag(ch.singlet)[self.keep]
        pt = np.diag(ch.triplet)[self.keep]
        mu2 = 2 * self.problem.mu
        E = energies_h[None, :, None, None]
        n = self.keep.size
        eye = np.eye(n)[None, None]

        def q(r: NDArray[np.float64]) -> NDArray[np.float64]:
            vs, vt = self.problem.potential_hartree(r)
            w = vs[:, None] * ps[None] + vt[:, None] * pt[None] + thr_h[None]  # (nR, n)
            W = w[:, None, :, None] * eye
            out = mu2 * (E * eye - W)
            if self.problem.L:
                out = out - self.problem.centrifugal(r)[:, None, None, None] * eye
            return out

        return q


def s_matrix(
    species: Species,
    field_gauss: float,
    energies_k: ArrayLike,
    entrance: Label | None = None,
    *,
    potentials: PairPotentials | None = None,
    numerics: Numerics | None = None,
    wall_shift_hartree: tuple[float, float] = (0.0, 0.0),
    L: int = 0,
) -> SMatrixResult:
    """Open-channel K and S matrices at collision energies ``energies_k`` (K) above the
    threshold of ``entrance`` (default |f, 0⟩ + |f, 0⟩), in partial wave ``L`` (default
    s-wave; odd L need an entrance of two different atomic states), at ``field_gauss`` (G).

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> r = s_matrix(get_species("rb87", f=1), 0.5, [10e-6])
    >>> S = r.S[0]
    >>> bool(np.allclose(S @ S.conj().T, np.eye(S.shape[0]), atol=1e-8))
    True
    """
    if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or not 0 <= L <= MAX_L:
        raise InputError("L", L, f"an integer partial wave 0 .. {MAX_L}")
    problem = _problem(
        species, field_gauss, entrance, potentials, numerics, wall_shift_hartree, int(L)
    )
    E = np.atleast_1d(np.asarray(energies_k, dtype=float))
    if E.ndim != 1 or E.size == 0 or not np.all(np.isfinite(E)) or np.any(E <= 0):
        raise InputError("energies_k", energies_k, "finite collision energies > 0 (kelvin)")
    ent = entrance or (species.f, 0, species.f, 0)
    ch = problem.channels
    i0 = ch.index(ent)
    thr_h = (ch.thresholds_hz - ch.thresholds_hz[i0]) * HARTREE_PER_HZ
    asym: list[float] = []
    res = _solve(problem, E * HARTREE_PER_K, thr_h, asymmetry=asym)
    eye = [np.eye(K.shape[0]) for _, K in res]
    S: tuple[NDArray[np.complex128], ...] = tuple(
        np.asarray(np.linalg.solve((I - 1j * K).T, (I + 1j * K).T).T, dtype=np.complex128)
        for I, (_, K) in zip(eye, res, strict=True)
    )
    return SMatrixResult(
        E,
        ch.labels,
        ent,
        tuple(o for o, _ in res),
        tuple(K for _, K in res),
        S,
        int(L),
        np.array(asym),
    )


def _problem(
    species: Species,
    field_gauss: float,
    entrance: Label | None,
    potentials: PairPotentials | None,
    numerics: Numerics | None,
    wall_shift_hartree: tuple[float, float],
    L: int = 0,
) -> CoupledProblem:
    field_gauss = check_range("field_gauss", field_gauss, 0.0, 1000.0)
    pots = potentials or POTENTIALS.get(species.name)
    if pots is None:
        raise InputError(
            "species", species.name, f"one with coupled-channel potentials: {sorted(POTENTIALS)}"
        )
    M = 0 if entrance is None else entrance[1] + entrance[3]
    return CoupledProblem(
        species,
        float(field_gauss),
        M,
        pots,
        numerics or Numerics(),
        tuple(wall_shift_hartree),  # type: ignore[arg-type]
        L,
    )


@dataclass(frozen=True)
class ScatteringLengths:
    """Zero-energy scattering-length matrix of a manifold's channels and its F-resolution.

    Attributes
    ----------
    field_gauss : the field (G).
    labels : the manifold's channels (f, m, f, M − m) of total projection M.
    matrix_bohr : the scattering-length matrix A (bohr) on those channels.
    a_f_bohr : F → ⟨F, M|A|F, M⟩ (bohr) for the exchange-symmetric F.
    eigenvalues_bohr : eigenvalues of A (ascending).
    cg_overlap : F → max |⟨F, M|eigenvector⟩| (1 when the a_F are good quantum numbers).
    loss_bohr : F → β_F = −Im a_F (bohr), nonzero when a lower manifold is open (87Rb
        f = 2: hyperfine-changing collisions); the a_F are the real parts.
    """

    field_gauss: float
    labels: tuple[Label, ...]
    matrix_bohr: NDArray[np.float64]
    a_f_bohr: dict[int, float]
    eigenvalues_bohr: NDArray[np.float64]
    cg_overlap: dict[int, float]
    loss_bohr: dict[int, float] = field(default_factory=dict)


def scattering_lengths(
    species: Species,
    field_gauss: float = 0.0,
    M: int = 0,
    *,
    potentials: PairPotentials | None = None,
    numerics: Numerics | None = None,
    wall_shift_hartree: tuple[float, float] = (0.0, 0.0),
) -> ScatteringLengths:
    """The a_F (bohr) of ``species``' manifold f at ``field_gauss`` (G), zero energy.

    The channels of manifold f with projection M are put at a common threshold (see the
    module docstring) and matched at zero energy; every other channel is closed.

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> r = scattering_lengths(get_species("rb87", f=2), 0.0)
    >>> round(r.a_f_bohr[4] - r.a_f_bohr[2], 1) > 0
    True
    """
    from ..species import Species
    from ..validation import instance, size

    instance("species", species, Species, "a Species (spinpair.get_species)")
    f = species.f
    M = size("M", M, -2 * f, 2 * f)
    entrance = (f, max(-f, M - f), f, M - max(-f, M - f))
    problem = _problem(species, field_gauss, entrance, potentials, numerics, wall_shift_hartree)
    ch = problem.channels
    manifold = np.array([lab[0] == f and lab[2] == f for lab in ch.labels])
    thr = ch.thresholds_hz.copy()
    thr[manifold] = np.mean(thr[manifold])
    thr_h = (thr - thr[manifold][0]) * HARTREE_PER_HZ
    res = _solve(problem, np.array([0.0]), thr_h, zero_energy_channels=manifold)
    op, K = res[0]
    inside = manifold[op]
    m_idx, x_idx = np.flatnonzero(inside), np.flatnonzero(~inside)
    K_eff = K[np.ix_(m_idx, m_idx)].astype(complex)
    if x_idx.size:  # open exit channels (a lower manifold): outgoing waves only
        Kmx = K[np.ix_(m_idx, x_idx)]
        Kxx = K[np.ix_(x_idx, x_idx)]
        K_eff = K_eff + 1j * Kmx @ np.linalg.solve(np.eye(x_idx.size) - 1j * Kxx, Kmx.T)
    A_complex = -K_eff
    A = A_complex.real
    labels = tuple(ch.labels[op[i]] for i in m_idx)
    a_f: dict[int, float] = {}
    overlap: dict[int, float] = {}
    loss: dict[int, float] = {}
    w, v = np.linalg.eigh(A)
    for F in range(abs(M) + (abs(M) % 2), 2 * f + 1, 2):
        if F < abs(M):
            continue
        vec = np.zeros(len(labels))
        for k, (_, m1, _, m2) in enumerate(labels):
            cg = clebsch_gordan(f, m1, f, m2, F, M)
            vec[k] = cg if m1 == m2 else np.sqrt(2) * cg
        norm = np.linalg.norm(vec)
        if norm < 1e-12:
            continue
        vec /= norm
        a_f[F] = float(vec @ A @ vec)
        loss[F] = float(-(vec @ A_complex @ vec).imag)
        overlap[F] = float(np.max(np.abs(vec @ v)))
    return ScatteringLengths(float(field_gauss), labels, A, a_f, w, overlap, loss)


__all__ = [
    "POTENTIALS",
    "CoupledProblem",
    "Numerics",
    "SMatrixResult",
    "ScatteringLengths",
    "s_matrix",
    "scattering_lengths",
]
