"""The ``[collisions]`` and ``[raman]`` tables of a parameter file, declared with the
parameter schema (:mod:`spinpair.schema`): each field once, with its default, unit, range,
status and meaning. :class:`~spinpair.params.Params` holds them; ``[trap]`` is
:class:`spinpair.trap.TrapParams` and ``[imperfections]``
:class:`spinpair.imperfections.Imperfections`. Import them from :mod:`spinpair.params`.

Examples
--------
>>> RamanParams(detuning_hz=-5e3).detuning_hz
-5000.0
>>> CollisionParams(field_gauss=5e4)
Traceback (most recent call last):
...
spinpair.errors.InputError: collisions.field_gauss = 50000.0 is invalid: allowed ... [0, 10000] G
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import InputError
from .schema import Spec, Table, field_spec, param, specs
from .validation import FrozenMap, Interval, table

#: The collision dynamics models: the keys of the registry ``spinpair.dynamics.MODELS`` (tested).
DYNAMICS_MODELS = ("ground-state", "secular", "ergodic", "relaxation", "ergodic+relaxation")
#: Values of ``collisions.model``: a dynamics model, or ``given`` populations.
COLLISION_MODELS = (*DYNAMICS_MODELS, "given")
#: Where the relaxation rates come from: the coupled-channel S-matrix (shipped tables of
#: :mod:`spinpair.scattering.tables`), the zero-range form f_F(k) = −a_F/(1 + i k a_F), or
#: ``auto`` (the default): the S-matrix where spinpair ships tables for the species and
#: the hold field (85Rb f=2, 87Rb f=1 and f=2, 0–10 G), else zero-range.
COLLISION_RATES = ("auto", "s-matrix", "zero-range")

#: Tolerance on the sum of the given-mode populations.
POPULATION_SUM_TOLERANCE = 1e-6

_POPULATION_KEY = re.compile(r"^(00|chi[1-9][0-9]*)$")

_PROBABILITY = Interval(0.0, 1.0)

#: The table ``scattering_lengths_bohr`` (keys ``a0``, ``a2`` …; each entry in range).
SCATTERING_LENGTH_SPEC = Spec(
    kind="custom",
    unit="Bohr radii",
    range=Interval(-1e4, 1e4),
    doc="overrides of the scattering lengths a_F, keys a0, a2, ... (one per channel F)",
    reason="~5x the largest background alkali values (Cs ≈ 2000 a0)",
    default={},
    key="scattering_lengths_bohr",
)


@dataclass(frozen=True)
class CollisionParams(Table):
    """The hold step in which spin-changing collisions act (spec §3; ``[collisions]``).

    The pair, prepared in |0, 0⟩, is held for ``hold_time_s`` at the bias field
    ``field_gauss`` while collisions populate chi1, chi2, …; ``model`` chooses how this is
    computed (a dynamics model of :mod:`spinpair.dynamics`), or ``given`` replaces the
    dynamics by fixed ``populations`` and ``chi1_coherence``. ``rates`` says where the
    relaxation rates come from (the coupled-channel S-matrix, the zero-range amplitudes in
    the a_F, which ``calibrate`` fits, or ``auto``: the S-matrix wherever tables exist);
    ``rate_scale`` multiplies them. Each field is checked against its range when the table
    is made; errors name ``collisions.<field>``.

    Attributes
    ----------
    model : str
        Collision model, one of :data:`COLLISION_MODELS` (default ``relaxation``).
    hold_time_s : float
        Hold time with collisions [s], in [0, 1e3] (default 0.1, the paper's 100 ms).
    field_gauss : float
        Bias field during the hold [G], in [0, 1e4] (default 0.5).
    rate_scale : float
        Factor on the relaxation rates [1], in [0, 1e6] (default 1).
    populations : Mapping[str, float]
        ``given`` mode: populations of ``00``, ``chi1`` … ``chi<f>`` [1], each in [0, 1],
        summing to 1 (an immutable mapping; default 0.4, 0.37, 0.23).
    chi1_coherence : float
        ``given`` mode: chi1 coherence c [1], in [−1, 1]; the chi1 part has fidelity
        (1 + c)/2 with chi1 (default 1).
    rates : str
        Where the relaxation rates come from, one of :data:`COLLISION_RATES`
        (default ``auto``).

    Examples
    --------
    >>> c = CollisionParams(hold_time_s=0.05, field_gauss=1.0)
    >>> c.model, c.hold_time_s, c.field_gauss, c.rates
    ('relaxation', 0.05, 1.0, 'auto')
    >>> CollisionParams(model="given", populations={"00": 0.5, "chi1": 0.5}).populations
    FrozenMap({'00': 0.5, 'chi1': 0.5})
    """

    TABLE = "collisions"

    model: str = param(
        "relaxation",
        kind="choice",
        choices=COLLISION_MODELS,
        doc="collision model",
        status="setting",
    )
    hold_time_s: float = param(
        0.1,
        unit="s",
        range=Interval(0.0, 1e3),
        doc="hold time with collisions",
        reason="beyond any vacuum-limited tweezer lifetime",
        status="paper",
        options=("dynamics --times",),
    )
    field_gauss: float = param(
        0.5,
        unit="G",
        range=Interval(0.0, 1e4),
        doc="bias field during the hold",
        reason="up to 1 T, beyond laboratory bias coils",
        status="paper",
        options=("dynamics --field", "calibrate --field"),
    )
    rate_scale: float = param(
        1.0,
        range=Interval(0.0, 1e6),
        doc="scale of the relaxation rates",
        reason="fits use up to ~1e4",
        status="setting",
        options=("dynamics --rate-scale", "calibrate --rate-scale"),
    )
    populations: Mapping[str, float] = param(
        kind="custom",
        default_factory=lambda: FrozenMap({"00": 0.4, "chi1": 0.37, "chi2": 0.23}),
        range=_PROBABILITY,
        doc="given-mode populations of 00, chi1, ..., chi<f> (in given mode)",
        note="summing to 1",
        status="illustrative",
    )
    chi1_coherence: float = param(
        1.0,
        range=Interval(-1.0, 1.0),
        doc="given-mode chi1 coherence c; fidelity with chi1 (1+c)/2",
        reason="a coherence",
        status="setting",
        options=("raman --coherence",),
    )
    rates: str = param(
        "auto",
        kind="choice",
        choices=COLLISION_RATES,
        doc="where the relaxation rates come from",
        status="setting",
        options=("dynamics --rates",),
    )

    def _check(self) -> None:
        spec = field_spec(CollisionParams, "populations")
        pops = {}
        for k, v in table("collisions.populations", self.populations).items():
            if not _POPULATION_KEY.match(k):
                raise InputError(
                    f"collisions.populations.{k}", v, "keys 00, chi1, chi2, ... (up to chi<f>)"
                )
            pops[k] = spec.check_entry(v, f"collisions.populations.{k}")
        total = sum(pops.values())
        if abs(total - 1.0) > POPULATION_SUM_TOLERANCE:
            raise InputError(
                "collisions.populations", pops, "values summing to 1", f"sum = {total!r}"
            )
        _set(self, "populations", FrozenMap(pops))


@dataclass(frozen=True)
class RamanParams(Table):
    """Raman pulses between |1⟩ and |-1⟩: Ω/2π (Hz), δ/2π (Hz), bias field during them (G).

    The two-photon Raman coupling that rotates each atom between m = 1 and m = −1 after the
    hold (the entanglement witness of the sequence). Pulse durations and areas are not
    parameters but scan settings (``tau_s`` in s, ``area`` = Ωτ in rad). Each field is
    checked against its range when the table is made; errors name ``raman.<field>``.

    Attributes
    ----------
    rabi_frequency_hz : float
        Raman Rabi frequency Ω/2π [Hz], in [1, 1e8] (default 156e3, this package's
        choice: the paper does not state it).
    detuning_hz : float
        Raman detuning δ/2π [Hz], in [−1e9, 1e9] (default 0).
    field_gauss : float
        Bias field during the Raman pulses [G], in [0, 1e4] (default 8.5, the paper's).

    Examples
    --------
    >>> r = RamanParams(detuning_hz=2e3)
    >>> r.rabi_frequency_hz, r.detuning_hz, r.field_gauss
    (156000.0, 2000.0, 8.5)
    >>> round(1 / (2 * r.rabi_frequency_hz) * 1e6, 3)   # π-pulse duration (µs)
    3.205
    """

    TABLE = "raman"

    rabi_frequency_hz: float = param(
        156e3,
        unit="Hz",
        range=Interval(1.0, 1e8),
        doc="Raman Rabi frequency Omega/2pi",
        reason="Raman Rabi frequencies are <~ MHz",
        status="setting",
    )
    detuning_hz: float = param(
        0.0,
        unit="Hz",
        range=Interval(-1e9, 1e9),
        doc="Raman detuning delta/2pi",
        reason="below the GHz hyperfine splittings",
        status="setting",
        options=("raman --detuning",),
    )
    field_gauss: float = param(
        8.5,
        unit="G",
        range=Interval(0.0, 1e4),
        doc="bias field during the Raman pulses",
        reason="up to 1 T, beyond laboratory bias coils",
        status="paper",
    )


_COL = specs(CollisionParams)
_RAMAN = specs(RamanParams)


def _range(spec: Spec) -> Interval:
    assert spec.range is not None
    return spec.range


#: Allowed hold time (s), from :class:`CollisionParams`.
HOLD_TIME_S_RANGE = _range(_COL["collisions.hold_time_s"])
#: Allowed bias field (G) of the hold.
FIELD_GAUSS_RANGE = _range(_COL["collisions.field_gauss"])
#: Allowed scale of the first-principles relaxation rates (dimensionless).
RATE_SCALE_RANGE = _range(_COL["collisions.rate_scale"])
#: Allowed populations and probabilities.
PROBABILITY_RANGE = _PROBABILITY
#: Allowed coherence c.
COHERENCE_RANGE = _range(_COL["collisions.chi1_coherence"])
#: Allowed scattering length (Bohr radii).
SCATTERING_LENGTH_BOHR_RANGE = _range(SCATTERING_LENGTH_SPEC)
#: Allowed Raman Rabi frequency Ω/2π (Hz).
RABI_FREQUENCY_HZ_RANGE = _range(_RAMAN["raman.rabi_frequency_hz"])
#: Allowed Raman detuning δ/2π (Hz).
DETUNING_HZ_RANGE = _range(_RAMAN["raman.detuning_hz"])


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


__all__ = [
    "COLLISION_MODELS",
    "COLLISION_RATES",
    "DYNAMICS_MODELS",
    "SCATTERING_LENGTH_SPEC",
    "CollisionParams",
    "RamanParams",
]
