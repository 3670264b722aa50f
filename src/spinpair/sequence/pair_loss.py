"""The readout's inelastic pair loss from computed hyperfine-changing collision rates.

After the transfer |1⟩ → |f+1, 1⟩ (paper: |F = 3, m_F = 1⟩) and before the push-out, a pair
with one atom in F = f+1 and the other in |f, m⟩ can undergo a hyperfine-changing
collision; the 3 GHz released ejects both atoms. The paper modelled this by one fixed
probability (``imperfections.p_inelastic_pair``, ``pair_loss = "fixed"``); with
``pair_loss = "computed"`` the sequence takes, for every pair state,

    p = 1 − exp(−Γ t),   Γ_S(m) = 2 ρ_c K_even(1, m),   Γ_A(m) = 2 ρ_c K_odd(1, m),

with t = ``imperfections.upper_dwell_s`` (the time with one atom in F = f+1 before the
push-out; the paper gives none, so it is a setting), ρ_c the classical thermal pair
density at contact of the tweezer (:attr:`spinpair.trap.PairTrap.contact_density_m3`),
and K_even, K_odd the thermally averaged loss rate coefficients (m³/s) of
:mod:`spinpair.scattering.inelastic` over even and odd partial waves, at the Raman field
(``raman.field_gauss``: the transfer and push-out follow the Raman pulse) and the trap
temperature.

Why two rates: the atoms are identical bosons, so the exchange symmetry of the internal
state fixes the parity of the relative motion. The exchange-symmetric pair
(|up, m⟩ + |m, up⟩)/√2 moves in even partial waves (s, d), the antisymmetric one in odd
waves (p); restricting the thermal ensemble to one parity doubles its density at contact
(2ρ_c, as for the even-parity pairs of the collision models, spec §3a). A pair without
exchange coherence (a product |up⟩|m⟩) is half of each and is lost at ρ_c (K_even + K_odd)
= ρ_c K, the gas-phase rate. The entangled chi1 stays symmetric through the Raman pulse and
the transfer (both act identically on both atoms); the unentangled mixture
½(|1,−1⟩⟨1,−1| + |−1,1⟩⟨−1,1|) is half chi_minus, antisymmetric: with s-wave loss ≫ p-wave
loss, the computed pair loss tells the two states apart in P0.

Limits: no three-body loss (two atoms), no light-assisted loss during the push-out, no
loss while both atoms are in F = f+1, classical contact density (harmonic, k_B T ≫ ħω).

Examples
--------
>>> from spinpair.params import Params
>>> r = pair_loss_rates(Params())
>>> r.up_m, len(r.symmetric_per_s)
(1, 5)
>>> r.symmetric_per_s[3] > 20 * r.antisymmetric_per_s[3]     # |up>|-1>: s-wave >> p-wave
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..params import Params
from . import channels as ch
from .levels import Levels

Array = NDArray[np.complex128]


@dataclass(frozen=True)
class PairLossRates:
    """Loss rates (1/s) of the pair |up⟩|m⟩ per manifold state (index order m = f … −f).

    Attributes
    ----------
    up_m : m of the upper-manifold atom (the transfer target, paper: 1).
    m_values : m of the other atom per index.
    symmetric_per_s, antisymmetric_per_s : Γ_S, Γ_A (1/s).
    symmetric_uncertainty_per_s, antisymmetric_uncertainty_per_s : from the potentials.
    rate_coefficients_m3_s : per m, (K_even, K_odd) in m³/s.
    contact_density_m3 : classical ρ_c (m⁻³) (the parity-restricted pairs use 2ρ_c).
    field_gauss, temperature_k : where the rate coefficients were taken.
    source : provenance of the rate coefficients.
    """

    up_m: int
    m_values: tuple[int, ...]
    symmetric_per_s: tuple[float, ...]
    antisymmetric_per_s: tuple[float, ...]
    symmetric_uncertainty_per_s: tuple[float | None, ...]
    antisymmetric_uncertainty_per_s: tuple[float | None, ...]
    rate_coefficients_m3_s: tuple[tuple[float, float], ...]
    contact_density_m3: float
    field_gauss: float
    temperature_k: float
    source: str

    def probabilities(self, dwell_s: float) -> dict[str, dict[int, float]]:
        """Loss probabilities after ``dwell_s`` (s) of the symmetric, antisymmetric and
        product (half of each) pairs: ``{"symmetric": {m: p}, ...}``."""
        pS, pA = ch.computed_pair_loss_probabilities(
            self.symmetric_per_s, self.antisymmetric_per_s, dwell_s
        )
        return {
            "symmetric": dict(zip(self.m_values, pS.tolist(), strict=True)),
            "antisymmetric": dict(zip(self.m_values, pA.tolist(), strict=True)),
            "product": dict(zip(self.m_values, (0.5 * (pS + pA)).tolist(), strict=True)),
        }


@cache
def _rates_cached(
    species: str, f: int, field_gauss: float, temperature_k: float, up_m: int
) -> dict[int, tuple[float, float, float | None, float | None, str]]:
    from ..scattering.inelastic import inelastic_rates
    from ..species import get_species

    rates = inelastic_rates(get_species(species, f), field_gauss, temperature_k, up_m=up_m)
    return {
        m2: (r.even, r.odd, r.even_uncertainty, r.odd_uncertainty, r.method)
        for (_, m2), r in rates.items()
    }


def pair_loss_rates(params: Params, up_m: int = 1) -> PairLossRates:
    """Γ_S, Γ_A (1/s) of every pair |f+1, ``up_m``⟩ + |f, m⟩ in the trap of ``params``, from
    the computed rate coefficients at ``raman.field_gauss`` and ``trap.temperature_k``."""
    from ..trap import PairTrap

    trap = PairTrap.from_params(params)
    rho = trap.contact_density_m3
    f = params.f
    data = _rates_cached(
        params.species, f, float(params.raman.field_gauss), float(trap.temperature_k), up_m
    )
    ms = tuple(range(f, -f - 1, -1))
    gs, ga, us, ua, ks = [], [], [], [], []
    for m in ms:
        ke, ko, ue, uo, _ = data[m]
        gs.append(2 * rho * ke)
        ga.append(2 * rho * ko)
        us.append(None if ue is None else 2 * rho * ue)
        ua.append(None if uo is None else 2 * rho * uo)
        ks.append((ke, ko))
    method = next(iter(data.values()))[4]
    return PairLossRates(
        int(up_m),
        ms,
        tuple(gs),
        tuple(ga),
        tuple(us),
        tuple(ua),
        tuple(ks),
        float(rho),
        float(params.raman.field_gauss),
        float(trap.temperature_k),
        f"spinpair.scattering.inelastic ({method}); rho_c = {rho:.3g} m^-3 "
        "(spinpair.trap, classical), Gamma = 2 rho_c K_even|odd",
    )


@dataclass(frozen=True)
class ComputedPairLoss:
    """Sequence step: pair loss from the rates Γ_S, Γ_A (1/s) over ``dwell_s`` (s)."""

    levels: Levels
    symmetric_per_s: tuple[float, ...]
    antisymmetric_per_s: tuple[float, ...]
    dwell_s: float
    name: str = "inelastic"

    def apply(self, rho: Array, area: NDArray[np.float64]) -> Array:
        return ch.computed_pair_loss(
            rho, self.levels, self.symmetric_per_s, self.antisymmetric_per_s, self.dwell_s
        )

    def population_map(self) -> NDArray[np.float64] | None:
        """Populations out ← in, or None when exchange coherences feed them (Γ_S ≠ Γ_A)."""
        return ch.computed_pair_loss_population_map(
            self.levels, self.symmetric_per_s, self.antisymmetric_per_s, self.dwell_s
        )

    @classmethod
    def from_params(cls, params: Params, up_m: int = 1) -> ComputedPairLoss:
        """The step for ``params`` (rates of :func:`pair_loss_rates`, dwell
        ``imperfections.upper_dwell_s``)."""
        r = pair_loss_rates(params, up_m)
        return cls(
            Levels(params.f),
            r.symmetric_per_s,
            r.antisymmetric_per_s,
            float(params.imperfections.upper_dwell_s),
        )


def with_pair_loss(params: Params, model: str, **imperfections: Any) -> Params:
    """A copy of ``params`` with ``imperfections.pair_loss = model`` (and other
    imperfection fields, e.g. ``upper_dwell_s``), through :meth:`Params.replace`."""
    values = {f"imperfections.{k}": v for k, v in imperfections.items()}
    return params.replace({"imperfections.pair_loss": model, **values})


def equivalent_dwell_s(params: Params, m: int = -1, up_m: int = 1) -> float:
    """Dwell (s) at which the exchange-symmetric pair |f+1, up_m⟩|f, m⟩ is lost with the
    fixed model's probability ``imperfections.p_inelastic_pair``: the computed m_F and
    symmetry dependence at the rudiment's strength. The default pair, |3,1⟩|2,−1⟩
    symmetric, is the one chi1 becomes after the Raman transfer.

    Examples
    --------
    >>> from spinpair.paper import paper_like_params
    >>> round(equivalent_dwell_s(paper_like_params()) * 1e3)   # ms, for p = 0.3
    50
    """
    r = pair_loss_rates(params, up_m)
    if m not in r.m_values:
        raise ValueError(f"m = {m} is not a magnetic quantum number of f = {params.f}")
    p = float(params.imperfections.p_inelastic_pair)
    if not 0.0 < p < 1.0:
        raise ValueError(
            f"imperfections.p_inelastic_pair = {p} has no equivalent dwell: allowed (0, 1)"
        )
    g = r.symmetric_per_s[r.m_values.index(m)]
    return float(-np.log1p(-p) / g)


__all__ = [
    "ComputedPairLoss",
    "PairLossRates",
    "equivalent_dwell_s",
    "pair_loss_rates",
    "with_pair_loss",
]
