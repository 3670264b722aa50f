"""A Ramsey scan and its analysis in one call: what ``spinpair ramsey`` prints.

:func:`ramsey_analysis` simulates the π/2 – T – π/2 sequence over the Raman detuning
(:func:`~spinpair.sequence.ramsey_scan.ramsey_signals`), fits every signal's fringe
(:func:`~spinpair.analysis.fringes.fringe_fits`), states the first-order periods
1/(2 T_eff) and 1/T_eff, the field slope of the detuning, and optionally the Fisher
information per run of each readout (:func:`~spinpair.metrology.ramsey_fisher`).
``RamseyAnalysis.as_dict()`` is the command's JSON (docs/cli.md keys ``detuning_hz``, ``P0``,
``P1``, ``P2``, ``survival``, ``fringe_period_hz``).

Examples
--------
>>> from spinpair.params import Params
>>> res = ramsey_analysis(Params(), "chi1", 5e-6, points=101, ideal=True)
>>> round(res.fringe_period_hz["P1"] / res.expected_period_hz["pair"], 2)
1.01
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from numpy.typing import ArrayLike

from ..params import Params
from ..provenance import Provenance
from ..sequence.protocol import RamseyProtocol
from .fringes import FringeFit, fringe_fits

if TYPE_CHECKING:  # pragma: no cover
    from ..metrology.readout import RamseyFisher
    from ..sequence.ramsey_scan import RamseySignals


@dataclass(frozen=True)
class RamseyAnalysis:
    """One Ramsey scan: the signals versus detuning (Hz), each signal's fringe fit, the
    first-order periods (Hz), the field slope of the detuning (Hz/G) and, if asked for,
    the Fisher information per run (Hz⁻²).

    ``state`` is the state asked for; ``collision_model`` names the collision model when
    the state is the collision step of the parameters (``"collisions"`` or None)."""

    state: str
    signals: RamseySignals
    fits: dict[str, FringeFit]
    expected_period_hz: dict[str, float]
    field_slope_hz_per_gauss: float
    collision_model: str | None = None
    fisher: RamseyFisher | None = None
    #: What the signals rest on (:func:`ramsey_provenance`).
    provenance: Provenance | None = None

    @property
    def fringe_period_hz(self) -> dict[str, float | None]:
        """Fitted period (Hz) of every signal; None where the signal has no fringe."""
        return {k: (f.period_hz if f.has_fringe else None) for k, f in self.fits.items()}

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``spinpair ramsey`` (numbers as numpy or float; pass through
        :func:`spinpair.fileio.to_jsonable` to write it)."""
        out: dict[str, Any] = self.signals.as_dict()
        if self.collision_model is not None:
            out["state"] = "collisions"
            out["collision_model"] = self.collision_model
        out["fringe_period_hz"] = self.fringe_period_hz
        out["fringe_fits"] = {k: f.as_dict() for k, f in self.fits.items()}
        out["expected_period_hz"] = dict(self.expected_period_hz)
        out["field_slope_hz_per_gauss"] = self.field_slope_hz_per_gauss
        if self.fisher is not None:
            fisher = self.fisher.as_dict()
            fisher.pop("detuning_hz")  # the scan's own detunings, listed once above
            out["fisher"] = fisher
        if self.provenance is not None:
            out["provenance"] = self.provenance.as_dict()
        return out


def ramsey_provenance(params: Params, state: str | None, ideal: bool) -> Provenance:
    """What Ramsey signals rest on: the sequence's inputs (the collision step's when the
    state comes from the parameters) and the Raman pulses (Rabi frequency, detuning)."""
    from ..sequence.core import sequence_inputs

    named = None if state in (None, "collisions") else str(state)
    used = (*sequence_inputs(params, state=named, ideal=ideal), "raman")
    return Provenance.from_params(params, used=used, method="Ramsey sequence π/2 − T − π/2")


def ramsey_analysis(
    params: Params,
    state: str | None = "chi1",
    wait_s: float = 5e-6,
    half_pi_s: float | None = None,
    detuning_hz: ArrayLike | None = None,
    *,
    span_hz: float | None = None,
    points: int = 201,
    ideal: bool = False,
    instantaneous: bool = False,
    postselect: bool = False,
    fisher: bool = False,
    protocol: RamseyProtocol | None = None,
) -> RamseyAnalysis:
    """Simulate a Ramsey scan and analyse it (see the module docstring).

    ``state``: a named pair state, ``"single"`` or ``"collisions"``/None (the collision
    step of ``params``); ``wait_s`` T (s); ``half_pi_s`` τ (s; default the π/2 time
    1/(4 Ω/2π) of ``params``); ``detuning_hz`` the scan (Hz; default ``points`` detunings
    over ``span_hz``, default 2/T_eff); the flags as in
    :func:`~spinpair.sequence.ramsey_scan.ramsey_signals`; ``protocol``: all of these as one
    :class:`~spinpair.sequence.protocol.RamseyProtocol` (then leave them at their defaults);
    ``fisher`` adds the Fisher information per run.
    """
    from ..metrology import detuning_per_gauss, ramsey_fisher
    from ..sequence.ramsey_scan import ramsey_signals

    pr = RamseyProtocol.from_arguments(
        protocol,
        wait_s=wait_s,
        half_pi_s=half_pi_s,
        detuning_hz=detuning_hz,
        ideal=ideal,
        instantaneous=instantaneous,
        postselect=postselect,
    ).resolved(params.raman.rabi_frequency_hz)
    pr = pr.with_detunings(pr.detunings(span_hz, points))
    signals = ramsey_signals(params, state, protocol=pr)
    collisions = state in (None, "collisions")
    return RamseyAnalysis(
        state="collisions" if collisions else str(state),
        signals=signals,
        fits=fringe_fits(signals),
        expected_period_hz=pr.expected_periods,
        field_slope_hz_per_gauss=detuning_per_gauss(
            params.species_data(), params.raman.field_gauss
        ),
        collision_model=params.collisions.model if collisions else None,
        fisher=(ramsey_fisher(params, state, protocol=pr) if fisher else None),
        provenance=ramsey_provenance(params, state, pr.ideal),
    )


__all__ = ["RamseyAnalysis", "ramsey_analysis", "ramsey_provenance"]
