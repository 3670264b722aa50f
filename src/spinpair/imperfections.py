"""Experimental imperfections of the measurement sequence, with the paper's defaults.

Each field is a probability or efficiency in [0, 1]; ``detection`` is the 3×3 confusion
matrix (row: true number of atoms N = 0, 1, 2; column: reported number), row-stochastic.
Validation happens in one place (``__post_init__``), as in Pulser's ``NoiseModel``.

Defaults and where they come from:

* ``prep_efficiency`` = 0.93: paper, appendix ("achieving an efficiency of 93 %").
* everything else off (1.0 efficiencies, 0.0 probabilities, identity detection): the paper
  names these effects but its supplement with their values is not public; set them from
  your own calibration.
* ``pair_loss`` = ``"fixed"``: the inelastic pair loss is the single probability
  ``p_inelastic_pair`` (the paper's rudimentary model). ``"computed"`` takes it instead
  from the coupled-channel hyperfine-changing rate coefficients
  (:mod:`spinpair.scattering.inelastic`), the pair's contact density in the trap and
  ``upper_dwell_s``, the time the pair spends with one atom in F = f+1 before the push-out
  (the paper gives no such time: a setting, default 1 ms);
  see :mod:`spinpair.sequence.pair_loss`.

Pulser-style aliases: ``state_prep_error`` = 1 - ``prep_efficiency``; ``p_false_pos``
(an empty trap reported as an atom) and ``p_false_neg`` (an atom missed) build the
detection matrix with independent per-atom errors. All three are accepted as TOML keys
(instead of ``prep_efficiency`` / ``detection``) and read back as properties.

Spontaneous emission during a Raman pulse (the π/area rule)
-----------------------------------------------------------
``p_spont_per_pi`` is the per-atom probability of one spontaneous emission during a pulse
of area π. The sequence models emission during a pulse of area θ = Ωτ (Ω = 2π ×
``raman.rabi_frequency_hz``, τ the duration) to first order in the scattering rate,

    p(θ) = p_spont_per_pi · |θ| / π,

which is a probability only while p(θ) ≤ 1, i.e.

    |θ| ≤ π / p_spont_per_pi,      τ ≤ 1 / (2 · rabi_frequency_hz · p_spont_per_pi).

Longer pulses are outside the model (the linear law would also overestimate emission well
before that: the exact probability is 1 − exp(−Γτ)). :func:`max_raman_area_rad`,
:func:`raman_duration_range_s` and :func:`check_raman_scan` compute and check this range;
the error names the pulse duration or area, which is what is too large, not
``p_spont_per_pi``.

Examples
--------
>>> imp = Imperfections(p_loss=0.02)
>>> imp.state_prep_error
0.07...
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError
from .schema import Spec, Table, field_spec, param, specs
from .validation import Interval, array, fmt, fmt_down, known_keys, real, table

_IDENTITY3 = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))

PROBABILITY = Interval(0.0, 1.0)
COHERENCE = Interval(-1.0, 1.0)
#: Tolerance on the row sums of the detection matrix and on the sum of given populations.
SUM_TOLERANCE = 1e-9


def detection_from_false_rates(p_false_pos: float, p_false_neg: float) -> tuple:
    """Detection matrix for a counter with false-positive and false-negative rates.

    Model (Pulser's SPAM names): each present atom is missed with probability
    ``p_false_neg``; an empty trap (N = 0) is reported as one atom with probability
    ``p_false_pos``. Rows: true N = 0, 1, 2.

    Examples
    --------
    >>> detection_from_false_rates(0.0, 0.1)[2]
    (0.010000000000000002, 0.18000000000000002, 0.81)
    """
    fp = real("imperfections.p_false_pos", p_false_pos, PROBABILITY)
    fn = real("imperfections.p_false_neg", p_false_neg, PROBABILITY)
    return (
        (1.0 - fp, fp, 0.0),
        (fn, 1.0 - fn, 0.0),
        (fn * fn, 2 * fn * (1 - fn), (1 - fn) ** 2),
    )


#: Inelastic pair-loss models (``pair_loss``).
PAIR_LOSS_MODELS: tuple[str, ...] = ("fixed", "computed")

#: Pulser-style alias keys accepted by :meth:`Imperfections.from_dict`.
SPAM_ALIASES = ("state_prep_error", "p_false_pos", "p_false_neg")


def _detection(value: Any, spec: Spec) -> tuple[tuple[float, ...], ...]:
    name = spec.key
    rows = array(name, value, 3)
    det = tuple(
        tuple(
            spec.check_entry(x, f"{name}[{i}][{j}]")
            for j, x in enumerate(array(f"{name}[{i}]", r, 3))
        )
        for i, r in enumerate(rows)
    )
    sums = [math.fsum(r) for r in det]
    if any(abs(x - 1.0) > SUM_TOLERANCE for x in sums):
        raise InputError(
            name,
            [list(r) for r in det],
            "rows summing to 1 (row-stochastic; rows: true N = 0,1,2)",
            f"row sums {sums}",
        )
    return det


@dataclass(frozen=True)
class Imperfections(Table):
    """Imperfection parameters of the measurement sequence (spec §4; ``[imperfections]``).

    The errors of each step of the sequence besides the collisions: state preparation,
    transfer to the upper manifold F = f+1 and push-out, pair and background losses,
    spontaneous emission in the Raman pulses, the entanglement-destruction step and atom
    counting. The defaults are the paper's 93 % preparation efficiency with every other
    effect off (:meth:`ideal` turns that one off too). Frozen, hashable and picklable
    (tuples only). Every value is checked strictly from its declaration
    (:func:`spinpair.schema.param`: numbers, not bools or strings; probabilities in
    [0, 1]); errors name the field as ``imperfections.<name>``. The Pulser-style aliases
    ``state_prep_error``, ``p_false_pos`` and ``p_false_neg`` are read-only properties.

    Attributes
    ----------
    prep_efficiency : float
        Probability that one atom is prepared in |0⟩ [1], in [0, 1] (default 0.93).
    prep_error_weights : tuple of float
        Relative weights [1], ≥ 0, of the 2f wrong m states (m ≠ 0, from m = f down)
        after a failed preparation; empty (default): equal weights.
    transfer_efficiency : float
        Probability that an atom in |1⟩ is transferred to F = f+1 [1], in [0, 1]
        (default 1).
    push_efficiency : float
        Probability that an atom in F = f+1 is pushed out [1], in [0, 1] (default 1).
    p_inelastic_pair : float
        Probability that a pair with one atom in F = f+1 and one in F = f is lost [1], in
        [0, 1] (default 0; used by ``pair_loss = "fixed"``).
    p_loss : float
        Per-atom background loss probability [1], in [0, 1] (default 0).
    p_spont_per_pi : float
        Per-atom spontaneous-emission probability per π of Raman pulse area [1], in
        [0, 1] (default 0); pulse areas must stay ≤ π/p_spont_per_pi [rad].
    destroy_coherence : float
        chi1 coherence kept by the entanglement-destruction step (paper Fig. 3) [1], in
        [−1, 1] (default 0).
    destroy_loss : float
        Per-atom loss probability in the destruction step [1], in [0, 1] (default 0).
    detection : tuple of tuple of float
        3 × 3 confusion matrix [1], row: true atom number N = 0, 1, 2; column: reported
        number; rows sum to 1 (default the identity).
    pair_loss : str
        Inelastic pair-loss model, one of :data:`PAIR_LOSS_MODELS`: ``fixed``
        (``p_inelastic_pair``, the default) or ``computed`` (coupled-channel rate
        coefficients × contact density × ``upper_dwell_s``).
    upper_dwell_s : float
        Time with one atom in F = f+1 before the push-out [s], in [0, 1] (default 1e-3;
        used by ``pair_loss = "computed"``; not given in the paper).

    Examples
    --------
    >>> imp = Imperfections(p_loss=0.02, detection=detection_from_false_rates(0.01, 0.05))
    >>> imp.prep_efficiency, imp.p_loss, imp.p_false_pos, imp.p_false_neg
    (0.93, 0.02, 0.01, 0.05)
    >>> Imperfections.ideal().prep_efficiency
    1.0
    >>> Imperfections(prep_efficiency=1.5)
    Traceback (most recent call last):
    ...
    spinpair.errors.InputError: imperfections.prep_efficiency = 1.5 is invalid: ...
    """

    TABLE = "imperfections"

    prep_efficiency: float = param(
        0.93,
        range=PROBABILITY,
        doc="probability that one atom is prepared in |0>",
        note="alias: state_prep_error = 1 - prep_efficiency",
        reason="paper, appendix: 93 %",
        status="paper",
    )
    prep_error_weights: tuple[float, ...] = param(
        (),
        kind="reals",
        range=Interval(0.0, None),
        doc="relative weights of the 2f wrong m states after a failed preparation",
        note="2f entries, not all zero; empty: equal among m != 0",
        status="setting",
    )
    transfer_efficiency: float = param(
        1.0,
        range=PROBABILITY,
        doc="probability that an atom in |1> is transferred to F=f+1",
        status="setting",
    )
    push_efficiency: float = param(
        1.0,
        range=PROBABILITY,
        doc="probability that an atom in F=f+1 is pushed out",
        status="setting",
    )
    p_inelastic_pair: float = param(
        0.0,
        range=PROBABILITY,
        doc="probability that a pair with one atom in F=f+1 and one in F=f is lost",
        status="setting",
    )
    p_loss: float = param(
        0.0, range=PROBABILITY, doc="per-atom background loss probability", status="setting"
    )
    p_spont_per_pi: float = param(
        0.0,
        range=PROBABILITY,
        doc="per-atom spontaneous-emission probability per pi of Raman pulse area",
        note="needs pulse area <= pi/p_spont_per_pi",
        status="setting",
    )
    destroy_coherence: float = param(
        0.0,
        range=COHERENCE,
        doc="chi1 coherence kept by the entanglement-destruction step (paper Fig. 3)",
        status="paper",
    )
    destroy_loss: float = param(
        0.0, range=PROBABILITY, doc="per-atom loss in the destruction step", status="setting"
    )
    detection: tuple[tuple[float, ...], ...] = param(
        _IDENTITY3,
        kind="custom",
        range=PROBABILITY,
        doc="3x3 confusion matrix, row: true N = 0,1,2; column: reported 0,1,2",
        note="rows sum to 1 (aliases: p_false_pos, p_false_neg)",
        status="setting",
    )
    #: ``"fixed"`` (``p_inelastic_pair``) or ``"computed"`` (rate coefficients, module doc).
    pair_loss: str = param(
        "fixed",
        kind="choice",
        choices=PAIR_LOSS_MODELS,
        doc="inelastic pair-loss model (fixed: p_inelastic_pair; computed: coupled-channel "
        "hyperfine-changing rate coefficients x contact density x upper_dwell_s)",
        status="setting",
    )
    #: Time (s) with one atom in F = f+1 before the push-out (``pair_loss = "computed"``).
    upper_dwell_s: float = param(
        1e-3,
        unit="s",
        range=Interval(0.0, 1.0),
        doc="time with one atom in F=f+1 before the push-out (used by pair_loss = computed; "
        "not given in the paper)",
        status="setting",
    )

    def _check(self) -> None:
        w = self.prep_error_weights
        if w and sum(w) <= 0:
            raise InputError(
                "imperfections.prep_error_weights", list(w), "non-negative weights, not all zero"
            )
        spec = field_spec(Imperfections, "detection")
        object.__setattr__(self, "detection", _detection(self.detection, spec))

    @property
    def state_prep_error(self) -> float:
        """Pulser alias: 1 - prep_efficiency."""
        return 1.0 - self.prep_efficiency

    @property
    def p_false_pos(self) -> float:
        """Pulser alias: probability that an empty trap is reported as one atom (row N = 0)."""
        return self.detection[0][1]

    @property
    def p_false_neg(self) -> float:
        """Pulser alias: probability that a single atom is reported as none (row N = 1)."""
        return self.detection[1][0]

    @property
    def detection_matrix(self) -> np.ndarray:
        """The detection confusion matrix as a numpy array (3, 3)."""
        return np.array(self.detection, dtype=float)

    @classmethod
    def ideal(cls) -> Imperfections:
        """Every imperfection off (perfect preparation, transfer, push-out and counting)."""
        return cls(prep_efficiency=1.0)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Imperfections:
        """Build from a TOML table; accepts Pulser aliases ``state_prep_error``,
        ``p_false_pos`` and ``p_false_neg``. Unknown keys raise :class:`InputError`."""
        d = dict(table("imperfections", data))
        known = [f.name for f in dataclasses.fields(cls)]
        known_keys("imperfections", d, [*known, *SPAM_ALIASES])
        if "state_prep_error" in d:
            if "prep_efficiency" in d:
                raise InputError(
                    "imperfections.state_prep_error",
                    d["state_prep_error"],
                    "either state_prep_error or prep_efficiency, not both",
                )
            d["prep_efficiency"] = 1.0 - real(
                "imperfections.state_prep_error", d.pop("state_prep_error"), PROBABILITY
            )
        if "p_false_pos" in d or "p_false_neg" in d:
            if "detection" in d:
                raise InputError(
                    "imperfections.detection",
                    d["detection"],
                    "either detection or p_false_pos/p_false_neg, not both",
                )
            d["detection"] = detection_from_false_rates(
                d.pop("p_false_pos", 0.0), d.pop("p_false_neg", 0.0)
            )
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        """JSON/TOML-ready dictionary (lists, not tuples)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["prep_error_weights"] = list(self.prep_error_weights)
        d["detection"] = [list(r) for r in self.detection]
        return d


_SPECS = specs(Imperfections)

#: The imperfection parameters that are probabilities in [0, 1] (from the declarations).
PROBABILITY_FIELDS: tuple[str, ...] = tuple(
    k.removeprefix("imperfections.")
    for k, v in _SPECS.items()
    if v.kind == "real" and v.range == PROBABILITY and not v.unit
)
#: Allowed ``upper_dwell_s`` (s).
UPPER_DWELL_S = _SPECS["imperfections.upper_dwell_s"].range
#: Units, allowed range and one-line meaning of every field, for ``spinpair params --show``.
IMPERFECTION_DOCS: dict[str, str] = {
    k.removeprefix("imperfections."): v.help() for k, v in _SPECS.items()
}


# ----------------------------------------------------------------------------- the π/area rule


def max_raman_area_rad(p_spont_per_pi: float) -> float:
    """Largest Raman pulse area |Ωτ| (rad) whose emission probability
    ``p_spont_per_pi``·|θ|/π stays ≤ 1: π/p_spont_per_pi (infinite without emission).

    Examples
    --------
    >>> max_raman_area_rad(0.01) / np.pi
    100.0
    """
    p = real("imperfections.p_spont_per_pi", p_spont_per_pi, PROBABILITY)
    return math.inf if p == 0.0 else math.pi / p


def raman_duration_range_s(p_spont_per_pi: float, rabi_frequency_hz: float) -> tuple[float, float]:
    """Allowed Raman pulse durations τ (s): [0, 1/(2·rabi_frequency_hz·p_spont_per_pi)].

    ``rabi_frequency_hz`` is Ω/2π (Hz). The upper end is infinite without emission.

    Examples
    --------
    >>> raman_duration_range_s(0.01, 156e3)[1]
    0.00032051282051282...
    """
    nu = real("raman.rabi_frequency_hz", rabi_frequency_hz, Interval(0.0, None, lo_open=True))
    return 0.0, max_raman_area_rad(p_spont_per_pi) / (2 * math.pi * nu)


def check_raman_scan(
    *,
    area: ArrayLike | None = None,
    tau_s: ArrayLike | None = None,
    p_spont_per_pi: float,
    rabi_frequency_hz: float | None = None,
    field: str | None = None,
) -> None:
    """Raise :class:`InputError` naming the pulse area or duration when spontaneous emission
    ``p_spont_per_pi``·|Ωτ|/π would exceed probability 1 (the π/area rule, module docstring).

    Give either ``area`` (rad) or ``tau_s`` (s, then also ``rabi_frequency_hz``, Ω/2π in
    Hz); ``field`` is the name used in the message (default ``area`` / ``tau_s``).

    Examples
    --------
    >>> check_raman_scan(tau_s=[1e-6, 1e3], p_spont_per_pi=0.01, rabi_frequency_hz=156e3)
    Traceback (most recent call last):
    ...
    spinpair.errors.InputError: tau_s = 1000.0 is invalid: allowed [0, 0.000320512] s ...
    """
    if (area is None) == (tau_s is None):
        raise InputError("setting", None, "exactly one of area or tau_s")
    amax = max_raman_area_rad(p_spont_per_pi)
    if math.isinf(amax):
        return
    if area is not None:
        raw = np.atleast_1d(np.asarray(area, dtype=float)).ravel()
        limit, unit, name, symmetric = amax, "rad", field or "area", True
    else:
        raw = np.atleast_1d(np.asarray(tau_s, dtype=float)).ravel()
        limit = raman_duration_range_s(p_spont_per_pi, rabi_frequency_hz)[1]  # type: ignore[arg-type]
        unit, name, symmetric = "s", field or "tau_s", False
    x = np.abs(raw)
    if np.any(x > limit):
        worst = float(raw[int(np.argmax(x))])
        shown = fmt_down(limit)
        rng = f"[-{shown}, {shown}]" if symmetric else f"[0, {shown}]"
        ctx = f"p_spont_per_pi = {fmt(float(p_spont_per_pi))}"
        if area is None:
            ctx += f", rabi_frequency_hz = {fmt(float(rabi_frequency_hz))}"  # type: ignore[arg-type]
        raise InputError(
            name,
            worst,
            f"{rng} {unit}",
            f"spontaneous emission p_spont_per_pi*|area|/pi would exceed probability 1 at "
            f"{ctx}: use shorter pulses or a smaller p_spont_per_pi",
        )


__all__ = [
    "IMPERFECTION_DOCS",
    "PAIR_LOSS_MODELS",
    "PROBABILITY_FIELDS",
    "SPAM_ALIASES",
    "Imperfections",
    "check_raman_scan",
    "detection_from_false_rates",
    "max_raman_area_rad",
    "raman_duration_range_s",
]
