"""Experimental imperfections of the measurement sequence, with the paper's defaults.

Each field is a probability or efficiency in [0, 1]; ``detection`` is the 3×3 confusion
matrix (row: true number of atoms N = 0, 1, 2; column: reported number), row-stochastic.
Validation happens in one place (``__post_init__``), as in Pulser's ``NoiseModel``.

Defaults and where they come from:

* ``prep_efficiency`` = 0.93: paper, appendix ("achieving an efficiency of 93 %").
* everything else off (1.0 efficiencies, 0.0 probabilities, identity detection): the paper
  names these effects but its supplement with their values is not public; set them from
  your own calibration.

Pulser-style aliases: ``state_prep_error`` = 1 - ``prep_efficiency``; ``p_false_pos``
(an empty trap reported as an atom) and ``p_false_neg`` (an atom missed) build the
detection matrix with independent per-atom errors.

Example
-------
>>> imp = Imperfections(p_loss=0.02)
>>> imp.state_prep_error
0.07...
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InputError, check_probability, check_range

_IDENTITY3 = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))

#: Units and one-line meaning of every field, for ``spinpair params --show``.
IMPERFECTION_DOCS: dict[str, str] = {
    "prep_efficiency": "probability that one atom is prepared in |0> (paper: 0.93)",
    "prep_error_weights": "relative weights of the wrong m states after a failed preparation "
    "(empty: equal among m != 0)",
    "transfer_efficiency": "probability that an atom in |1> is transferred to F=f+1",
    "push_efficiency": "probability that an atom in F=f+1 is pushed out",
    "p_inelastic_pair": "probability that a pair with one atom in F=f+1 and one in F=f is lost",
    "p_loss": "per-atom background loss probability",
    "p_spont_per_pi": "per-atom spontaneous-emission probability per pi of Raman pulse area",
    "destroy_coherence": "chi1 coherence kept by the entanglement-destruction step (paper Fig. 3)",
    "destroy_loss": "per-atom loss in the destruction step",
    "detection": "3x3 confusion matrix, row: true N = 0,1,2; column: reported 0,1,2",
}


def detection_from_false_rates(p_false_pos: float, p_false_neg: float) -> tuple:
    """Detection matrix for a counter with false-positive and false-negative rates.

    Model (Pulser's SPAM names): each present atom is missed with probability
    ``p_false_neg``; an empty trap (N = 0) is reported as one atom with probability
    ``p_false_pos``. Rows: true N = 0, 1, 2.

    Example
    -------
    >>> detection_from_false_rates(0.0, 0.1)[2]
    (0.010000000000000002, 0.18000000000000002, 0.81)
    """
    fp = check_probability("p_false_pos", p_false_pos)
    fn = check_probability("p_false_neg", p_false_neg)
    return (
        (1.0 - fp, fp, 0.0),
        (fn, 1.0 - fn, 0.0),
        (fn * fn, 2 * fn * (1 - fn), (1 - fn) ** 2),
    )


#: The imperfection parameters that are probabilities in [0, 1].
PROBABILITY_FIELDS = (
    "prep_efficiency",
    "transfer_efficiency",
    "push_efficiency",
    "p_inelastic_pair",
    "p_loss",
    "p_spont_per_pi",
    "destroy_loss",
)


@dataclass(frozen=True)
class Imperfections:
    """Imperfection parameters of the measurement sequence (PHYSICS.md §4)."""

    prep_efficiency: float = 0.93
    prep_error_weights: tuple[float, ...] = ()
    transfer_efficiency: float = 1.0
    push_efficiency: float = 1.0
    p_inelastic_pair: float = 0.0
    p_loss: float = 0.0
    p_spont_per_pi: float = 0.0
    destroy_coherence: float = 0.0
    destroy_loss: float = 0.0
    detection: tuple[tuple[float, ...], ...] = field(default=_IDENTITY3)

    def __post_init__(self) -> None:
        for name in PROBABILITY_FIELDS:
            object.__setattr__(self, name, check_probability(name, getattr(self, name)))
        object.__setattr__(
            self,
            "destroy_coherence",
            check_range("destroy_coherence", self.destroy_coherence, -1.0, 1.0),
        )
        w = tuple(float(x) for x in self.prep_error_weights)
        if any((not np.isfinite(x)) or x < 0 for x in w) or (w and sum(w) <= 0):
            raise InputError(
                "prep_error_weights", list(w), "non-negative finite weights, not all zero"
            )
        object.__setattr__(self, "prep_error_weights", w)
        try:
            det = np.array(self.detection, dtype=float)
        except (TypeError, ValueError):
            raise InputError("detection", self.detection, "a 3x3 matrix of numbers") from None
        if det.shape != (3, 3):
            raise InputError("detection", self.detection, "a 3x3 matrix (rows: true N = 0,1,2)")
        if not np.all(np.isfinite(det)) or np.any(det < 0) or np.any(det > 1):
            raise InputError("detection", det.tolist(), "entries in [0, 1]")
        if not np.allclose(det.sum(axis=1), 1.0, atol=1e-9):
            raise InputError(
                "detection",
                det.tolist(),
                "rows summing to 1 (row-stochastic)",
                f"row sums {det.sum(axis=1).tolist()}",
            )
        object.__setattr__(self, "detection", tuple(tuple(float(x) for x in r) for r in det))

    @property
    def state_prep_error(self) -> float:
        """Pulser alias: 1 - prep_efficiency."""
        return 1.0 - self.prep_efficiency

    @property
    def detection_matrix(self) -> np.ndarray:
        """The detection confusion matrix as a numpy array (3, 3)."""
        return np.array(self.detection, dtype=float)

    @classmethod
    def ideal(cls) -> Imperfections:
        """Every imperfection off (perfect preparation, transfer, push-out and counting)."""
        return cls(prep_efficiency=1.0)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Imperfections:
        """Build from a TOML table; accepts Pulser aliases ``state_prep_error``,
        ``p_false_pos`` and ``p_false_neg``. Unknown keys raise :class:`InputError`."""
        d = dict(data)
        known = {f.name for f in dataclasses.fields(cls)}
        if "state_prep_error" in d:
            if "prep_efficiency" in d:
                raise InputError(
                    "imperfections.state_prep_error",
                    d["state_prep_error"],
                    "either state_prep_error or prep_efficiency, not both",
                )
            d["prep_efficiency"] = 1.0 - check_probability(
                "imperfections.state_prep_error", d.pop("state_prep_error")
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
        for k in d:
            if k not in known:
                raise InputError(f"imperfections.{k}", d[k], f"a key among {sorted(known)}")
        try:
            return cls(**d)
        except InputError as e:
            raise InputError(f"imperfections.{e.field}", e.value, e.allowed, e.detail) from None

    def to_dict(self) -> dict[str, Any]:
        """JSON/TOML-ready dictionary."""
        d = dataclasses.asdict(self)
        d["prep_error_weights"] = list(self.prep_error_weights)
        d["detection"] = [list(r) for r in self.detection]
        return d
