"""Regime of validity of every collision model, checked on the user's parameters.

Each model rests on assumptions that the parameters can break. :func:`check_regime` returns
a :class:`Regime`: ``status`` ``"ok"``, ``"warn"`` (an assumption is stretched: the numbers
are what the model defines, read them with care) or ``"refuse"`` (the model's numbers are
not converged or not meaningful there), with the reasons, the numbers behind them and the
model to use instead. :func:`spinpair.dynamics.evolve` runs the check: a refusal raises
:class:`RegimeError` (an :class:`~spinpair.errors.InputError`, CLI exit 2) unless
``outside_regime="warn"``; a warning emits a :class:`RegimeWarning`; the result carries the
regime in ``info["regime"]`` and ``info["warnings"]``.

Thresholds (docs/dynamics.md, "Regime of validity"):

* ``ground-state`` — the pair must be in the relative motional ground state: thermal
  occupation p₀ = Π_j(1 − e^{−hν_j/k_BT}) ≥ 0.9 (warn below), and first order in the
  interaction: |U_F|/(hν_min) ≤ 0.3 for every channel (warn above; not checked with the
  exact Busch energies). Never refused: by construction it is the answer for a
  ground-state pair, the reference the other models are compared with.
* ``relaxation`` — classical thermal contact density: the exact harmonic value
  Π_j √(μω_j/πħ)·√tanh(x_j/2) (x_j = hν_j/k_BT) differs from the classical one by
  1 − Π_j √(tanh(x_j/2)/(x_j/2)) ≤ 0.05 (warn above, refuse above 0.5); separate collisions
  (Markov): the largest total rate out of a state Γ_max ≤ 0.01·ν_min (warn above, refuse
  above ν_min: collisions faster than a trap period).
* ``ergodic`` — classical microcanonical ρ_c(E), capped at the ground-state density below
  E ≈ ħω: the thermal weight of the capped energies ≤ 0.01 (warn above, refuse above 0.5).
  Ergodic mixing itself is a property of the real (anharmonic) trap, not checked.
* ``ergodic+relaxation`` — both.
* ``secular`` — the second-order error estimate (:mod:`spinpair.dynamics.secular.error`) at
  the longest time: ≤ 0.01 ok; refused above 0.1 or above half of the interacting weight
  (the estimate caps each level's error at 1, so it cannot exceed the interacting weight:
  at half of it, the model vouches for nothing it moves); warn between.

Examples
--------
>>> from spinpair.params import Params
>>> from spinpair.dynamics import CollisionSetup
>>> s = CollisionSetup.from_params(Params())                 # the paper: 40 µK, 0.5 G
>>> check_regime("relaxation", s, [0.1]).status, check_regime("ground-state", s, [0.1]).status
('ok', 'warn')
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _constants as constants
from .setup import CollisionSetup
from .verdict import OUTSIDE_REGIME as OUTSIDE_REGIME
from .verdict import STATUSES as STATUSES
from .verdict import Regime as Regime
from .verdict import RegimeError as RegimeError
from .verdict import RegimeWarning as RegimeWarning
from .verdict import _grade, _worst
from .verdict import enforce as enforce

if TYPE_CHECKING:
    from .options import GroundStateOptions, ModelOptions

#: ground-state: least relative ground-state occupation for "ok".
GROUND_OCCUPATION_OK = 0.9
#: ground-state: largest |U_F|/(hν_min) for first order to be "ok".
GROUND_FIRST_ORDER_OK = 0.3
#: relaxation: largest relative error of the classical contact density (ok, refuse).
CONTACT_DENSITY_OK, CONTACT_DENSITY_REFUSE = 0.05, 0.5
#: relaxation: largest Γ_max/ν_min (ok, refuse).
RATE_OK, RATE_REFUSE = 0.01, 1.0
#: ergodic: largest thermal weight at capped contact densities (ok, refuse).
CAPPED_OK, CAPPED_REFUSE = 0.01, 0.5
#: secular: largest error estimate (ok, refuse), and largest share of the interacting
#: weight (refuse).
SECULAR_OK, SECULAR_REFUSE, SECULAR_REFUSE_SHARE = 0.01, 0.1, 0.5


def _x(setup: CollisionSetup) -> np.ndarray:
    """hν_j/k_BT of the three trap axes."""
    return constants.hbar * setup.trap.omega / setup.trap.kt_j


def ground_state_regime(
    setup: CollisionSetup, busch: bool = False, *, options: GroundStateOptions | None = None
) -> Regime:
    """Regime of the ground-state model (see the module docstring); ``busch`` (or
    ``options.busch``): the exact Busch energies, where first order is not checked."""
    from .ground_state import ground_state_contact_density_m3
    from .hamiltonian import contact_coupling_hz_m2

    busch = busch or (options is not None and options.busch)
    x = _x(setup)
    p0 = float(np.prod(-np.expm1(-x)))
    nu_min = float(np.min(setup.trap.omega)) / (2 * math.pi)
    g = contact_coupling_hz_m2(setup.species) * ground_state_contact_density_m3(setup.trap)
    u_max = g * max(abs(setup.species.scattering_length_m(F)) for F in setup.species.channels)
    ratio = u_max / nu_min
    reasons, statuses = [], []
    s = "ok" if p0 >= GROUND_OCCUPATION_OK else "warn"
    statuses.append(s)
    if s != "ok":
        reasons.append(
            f"only {p0:.3g} of the pairs are in the relative motional ground state at "
            f"T = {setup.trap.temperature_k:g} K (needs >= {GROUND_OCCUPATION_OK}): the result "
            "is that of a ground-state pair, not of this thermal pair"
        )
    if not busch:
        s = "ok" if ratio <= GROUND_FIRST_ORDER_OK else "warn"
        statuses.append(s)
        if s != "ok":
            reasons.append(
                f"interaction |U|/h = {u_max:.3g} Hz is {ratio:.2g} of the lowest trap "
                f"frequency {nu_min:.3g} Hz (first order needs <= {GROUND_FIRST_ORDER_OK})"
            )
    return Regime(
        "ground-state",
        _worst(*statuses),
        tuple(reasons),
        {"ground_occupation": p0, "interaction_over_trap": ratio},
        "relaxation" if p0 < GROUND_OCCUPATION_OK else None,
    )


def contact_density_error(setup: CollisionSetup) -> float:
    """1 − Π_j √(tanh(x_j/2)/(x_j/2)): relative error of the classical thermal contact
    density against the exact harmonic one (x_j = hν_j/k_BT).

    Examples
    --------
    >>> from spinpair.params import Params
    >>> round(contact_density_error(CollisionSetup.from_params(Params())), 4)  # 40 µK
    0.0013
    """
    h = _x(setup) / 2
    return float(1 - np.prod(np.sqrt(np.tanh(h) / h)))


def relaxation_regime(setup: CollisionSetup) -> Regime:
    """Regime of the relaxation model (see the module docstring).

    Cached per setup (a frozen dataclass: its own key; :func:`~spinpair.dynamics.evolve`
    checks it at every call); each call returns its own copy of the numbers."""
    r = _relaxation_regime(setup)
    return Regime(r.model, r.status, r.reasons, dict(r.numbers), r.alternative)


@functools.lru_cache(maxsize=64)
def _relaxation_regime(setup: CollisionSetup) -> Regime:
    from .relaxation import max_escape_rate_per_s

    err = contact_density_error(setup)
    # total rate out of each state: Σ_j ⟨s|L_j†L_j|s⟩ ≤ ‖Σ_j L_j†L_j‖ (cached per setup)
    gamma = max_escape_rate_per_s(setup)
    nu_min = float(np.min(setup.trap.omega)) / (2 * math.pi)
    rate = gamma / nu_min
    s1 = _grade(err, CONTACT_DENSITY_OK, CONTACT_DENSITY_REFUSE)
    s2 = _grade(rate, RATE_OK, RATE_REFUSE)
    reasons = []
    if s1 != "ok":
        reasons.append(
            f"k_BT is not large against the level spacing (T = {setup.trap.temperature_k:g} K): "
            f"the classical contact density is off by {err:.2g} (ok <= {CONTACT_DENSITY_OK}, "
            f"refused above {CONTACT_DENSITY_REFUSE})"
        )
    if s2 != "ok":
        reasons.append(
            f"collision rate {gamma:.3g}/s is {rate:.2g} of the lowest trap frequency "
            f"{nu_min:.3g} Hz: collisions are not separate events (ok <= {RATE_OK}, "
            f"refused above {RATE_REFUSE})"
        )
    status = _worst(s1, s2)
    return Regime(
        "relaxation",
        status,
        tuple(reasons),
        {"contact_density_error": err, "rate_over_trap": rate, "max_rate_per_s": gamma},
        "ground-state" if s1 != "ok" else None,
    )


def capped_weight(setup: CollisionSetup) -> float:
    """Thermal weight of the energies at which the ergodic model caps ρ_c(E) at the
    ground-state contact density (there the classical ρ_c(E) does not hold).

    Examples
    --------
    >>> from spinpair.params import Params
    >>> capped_weight(CollisionSetup.from_params(Params())) < 1e-3      # 40 µK
    True
    """
    from scipy import special

    from .ground_state import ground_state_contact_density_m3

    trap = setup.trap
    # 2ρ_c^cl(E) = ρ_0 at E* = (2√2 μ^{3/2} ω³/(π² ρ_0))^{2/3}; p(E) ∝ E² e^{−E/k_BT}
    mu = trap.reduced_mass_kg
    rho0 = ground_state_contact_density_m3(trap)
    e_star = (2 * math.sqrt(2) * mu**1.5 * float(np.prod(trap.omega)) / (math.pi**2 * rho0)) ** (
        2 / 3
    )
    return float(special.gammainc(3, e_star / trap.kt_j))


def ergodic_regime(setup: CollisionSetup, model: str = "ergodic") -> Regime:
    """Regime of the ergodic model (see the module docstring).

    Cached per (setup, model); each call returns its own copy of the numbers."""
    r = _ergodic_regime(setup, model)
    return Regime(r.model, r.status, r.reasons, dict(r.numbers), r.alternative)


@functools.lru_cache(maxsize=64)
def _ergodic_regime(setup: CollisionSetup, model: str) -> Regime:
    w = capped_weight(setup)
    status = _grade(w, CAPPED_OK, CAPPED_REFUSE)
    reasons: tuple[str, ...] = ()
    if status != "ok":
        reasons = (
            f"{w:.2g} of the thermal weight lies below E ≈ ħω, where the classical contact "
            f"density is capped (T = {setup.trap.temperature_k:g} K; ok <= {CAPPED_OK}, "
            f"refused above {CAPPED_REFUSE})",
        )
    return Regime(model, status, reasons, {"capped_weight": w}, "ground-state" if reasons else None)


def ergodic_relaxation_regime(setup: CollisionSetup) -> Regime:
    """Regime of the ergodic+relaxation model: both checks, the worse status.

    Examples
    --------
    >>> from spinpair.params import Params
    >>> ergodic_relaxation_regime(CollisionSetup.from_params(Params())).status
    'ok'
    """
    a, b = ergodic_regime(setup, "ergodic+relaxation"), relaxation_regime(setup)
    return Regime(
        "ergodic+relaxation",
        _worst(a.status, b.status),
        a.reasons + b.reasons,
        {**a.numbers, **b.numbers},
        a.alternative or b.alternative,
    )


def check_regime(
    model: str,
    setup: CollisionSetup,
    times_s: ArrayLike,
    build: Any = None,
    options: ModelOptions | None = None,
    **option_values: Any,
) -> Regime:
    """The regime of ``model`` at ``setup`` for hold times up to max(``times_s``) (s).

    The check is the model's own (:attr:`~spinpair.dynamics.models.ModelSpec.regime_path`
    in :data:`~spinpair.dynamics.models.MODELS`). ``build``: the model's ensemble builder if
    already made (the secular model reuses its levels); ``options`` (or the same as
    keywords, ``option_values``): the model's options (``busch``; the secular cluster
    options).

    Raises
    ------
    spinpair.errors.InputError
        For an unknown model or option.
    """
    from .models import model_spec

    spec = model_spec(model, "collisions.model")
    opts = spec.resolve_options(options, option_values)
    t_max = float(np.max(np.asarray(times_s, dtype=float), initial=0.0))
    return spec.check_regime(setup, t_max, opts, build)


__all__ = [
    "OUTSIDE_REGIME",
    "Regime",
    "RegimeError",
    "RegimeWarning",
    "capped_weight",
    "check_regime",
    "contact_density_error",
    "enforce",
    "ergodic_regime",
    "ergodic_relaxation_regime",
    "ground_state_regime",
    "relaxation_regime",
]
