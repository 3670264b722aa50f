"""The measurement sequence: an ordered, inspectable list of steps and one vectorised ``run``.

Why one file of ~650 lines: the steps and :class:`MeasurementSequence` share one contract
(``apply`` on batches of (n, D², D²) level-space states, ``setting_free``,
``population_rows``, ``population_map``), and the fast count path is correct only for the
steps defined beside it; split, that contract would live in several places.

Order (spec §4): prepare → collide → [destroy] → Raman pulse → eject |1⟩ (transfer,
inelastic pair loss (a fixed probability, or computed from hyperfine-changing rate
coefficients: :mod:`.pair_loss`), push-out) → background loss → detect. Each step is a
frozen dataclass with ``apply(rho, area)``; ``area`` is the batch of Raman pulse areas Ωτ
(rad) of the scan, used by the Raman step only.

Examples
--------
>>> from spinpair.params import Params
>>> seq = MeasurementSequence.from_params(Params(), state="chi1", ideal=True)
>>> [s.name for s in seq.steps]
['prepare', 'collide', 'raman', 'transfer', 'inelastic', 'push', 'loss']
>>> p = seq.run(area=[0.0, np.pi / 2])
>>> [round(float(x), 6) for x in p.P1]
[1.0, 0.0]
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._threads import single_thread
from ..errors import InputError, check_range
from ..imperfections import Imperfections
from ..params import Params
from ..provenance import Provenance
from ..raman import CountProbabilities
from ..spin import _check_f, named_ket, named_state, rho_family
from ..validation import finite_array, instance, mapping, switch
from . import channels as ch
from .levels import Levels

Array = NDArray[np.complex128]


#: Settings per block of the fast count path (bounds memory to ~ 50 MB for f = 2; a
#: progress bar on a terminal counts these blocks).
SETTING_CHUNK = 4096

#: Settings per inner block of the fast count path: the coordinates and products of a
#: block live in per-thread buffers of this many settings (~ 1.4 MB for f = 2) reused
#: between calls. Measured (CPU time, 200 durations, f = 2): fresh arrays at every call
#: cost ~ 580 page faults and 1.46 ms, the reused buffers 0 and 0.46 ms; blocks of 64
#: settings 0.61 ms (the pulse's rows have a fixed cost per block).
CACHE_CHUNK = 256

_WORK = threading.local()


def _workspace(name: str, shape: tuple[int, ...]) -> NDArray[np.float64]:
    """A float64 scratch array of ``shape``, kept per thread between calls (grown when a
    larger one is asked for; the contents are undefined)."""
    bufs = getattr(_WORK, "bufs", None)
    if bufs is None:
        bufs = _WORK.bufs = {}
    size = math.prod(shape)
    buf = bufs.get(name)
    if buf is None or buf.size < size:
        buf = bufs[name] = np.empty(size)
    return buf[:size].reshape(shape)


def _progress(chunks: range, what: str) -> Iterable[int]:
    """``chunks`` wrapped in a tqdm bar on stderr when stderr is a terminal and there is
    more than one block (long scans); otherwise unchanged."""
    import sys

    if len(chunks) < 2 or not sys.stderr.isatty():
        return chunks
    from tqdm import tqdm

    return tqdm(chunks, desc=what, unit="block", file=sys.stderr, leave=False)


class Step(Protocol):
    """A CPTP map on the pair level space, possibly depending on the scanned setting.

    ``apply(rho, setting)`` receives the batch of scanned values: the Raman pulse areas
    (rad) for :meth:`MeasurementSequence.run`, or whatever a custom step reads for
    :meth:`MeasurementSequence.scan`. Steps that do not depend on the setting ignore it.
    """

    name: str

    def apply(self, rho: Array, setting: NDArray[np.float64]) -> Array: ...


@dataclass(frozen=True)
class Prepare:
    """Optical pumping to |0⟩ with ``prep_efficiency``; errors spread by ``weights``."""

    levels: Levels
    prep_efficiency: float
    weights: tuple[float, ...] = ()
    name: str = "prepare"
    setting_free = True  # class attribute: apply ignores the scanned setting

    def apply(self, rho: Array, area: NDArray[np.float64]) -> Array:
        return ch.prepare(rho, self.levels, self.prep_efficiency, self.weights)


@dataclass(frozen=True)
class CollideGiven:
    """Pairs in |0,0⟩ become ``spin_state``; pairs with a preparation error are kept."""

    levels: Levels
    spin_state: Array
    label: str = "given"
    name: str = "collide"
    setting_free = True  # class attribute: apply ignores the scanned setting

    def apply(self, rho: Array, area: NDArray[np.float64]) -> Array:
        return ch.replace_00(rho, self.levels, self.spin_state)


@dataclass(frozen=True)
class CollideDynamics:
    """A collision model acting on every pair spin state (all sectors) for the hold time.

    ``spin_map`` takes and returns a batch of pair spin density matrices."""

    levels: Levels
    spin_map: Callable[[Array], Array]
    label: str = "dynamics"
    name: str = "collide"
    setting_free = True  # class attribute: apply ignores the scanned setting

    def apply(self, rho: Array, area: NDArray[np.float64]) -> Array:
        return ch.apply_spin_map(rho, self.levels, self.spin_map)


@dataclass(frozen=True)
class Destroy:
    """Entanglement destruction (paper Fig. 3): exchange coherence × c, then per-atom loss."""

    levels: Levels
    coherence: float = 0.0
    loss: float = 0.0
    name: str = "destroy"
    setting_free = True  # class attribute: apply ignores the scanned setting

    def apply(self, rho: Array, area: NDArray[np.float64]) -> Array:
        out = ch.dephase_exchange(rho, self.levels, self.coherence)
        if self.loss > 0:
            out = ch.apply_local_kraus(
                out, ch.loss_kraus(self.levels, self.loss, "destroy_loss"), self.levels
            )
        return out


@dataclass(frozen=True)
class RamanPulse:
    """Raman pulse of area Ωτ on each atom (|1⟩ ↔ |-1⟩), detuning δ/Ω, with emission."""

    levels: Levels
    detuning_over_rabi: float = 0.0
    p_spont_per_pi: float = 0.0
    name: str = "raman"

    def apply(self, rho: Array, area: NDArray[np.float64]) -> Array:
        K = ch.raman_kraus(self.levels, area, self.detuning_over_rabi, self.p_spont_per_pi)
        return ch.apply_local_kraus(rho, K, self.levels)

    def population_rows(self, area: NDArray[np.float64]) -> tuple[Array, Array]:
        """Per atom, the rows of the channel that give output populations (n, D, D, D)
        (:func:`~.channels.raman_population_rows`); the same on both atoms."""
        S = ch.raman_population_rows(
            self.levels, area, self.detuning_over_rabi, self.p_spont_per_pi
        )
        return S, S


@dataclass(frozen=True)
class LocalChannel:
    """A per-atom channel given by fixed Kraus operators (transfer, push-out, loss)."""

    levels: Levels
    kraus: Array
    name: str

    def apply(self, rho: Array, area: NDArray[np.float64]) -> Array:
        return ch.apply_local_kraus(rho, self.kraus, self.levels)

    def population_map(self) -> NDArray[np.float64] | None:
        """The (D², D²) matrix of pair populations out ← in, or None if coherences can
        feed populations (then the sequence takes the density-matrix path)."""
        T = ch.local_population_transfer(self.kraus)
        return None if T is None else np.asarray(np.kron(T, T), dtype=np.float64)


@dataclass(frozen=True)
class InelasticPairLoss:
    """Both atoms lost with probability p when one is in ``up`` and the other in manifold f."""

    levels: Levels
    p_inelastic_pair: float
    name: str = "inelastic"

    def apply(self, rho: Array, area: NDArray[np.float64]) -> Array:
        return ch.inelastic_pair_loss(rho, self.levels, self.p_inelastic_pair)

    def population_map(self) -> NDArray[np.float64]:
        """The (D², D²) matrix of pair populations out ← in (coherences never feed them)."""
        return ch.inelastic_population_map(self.levels, self.p_inelastic_pair)


def given_spin_state(
    f: int, populations: Mapping[str, float], chi1_coherence: float = 1.0
) -> Array:
    """ρ = p00 |00⟩⟨00| + p_chi1 ρ(c) + Σ_{k≥2} p_chik |chik⟩⟨chik| (``given`` mode).

    Examples
    --------
    >>> rho = given_spin_state(2, {"00": 0.4, "chi1": 0.37, "chi2": 0.23}, 1.0)
    >>> round(float(np.real(np.trace(rho))), 6)
    1.0
    """
    f = _check_f(f)
    chi1_coherence = check_range("chi1_coherence", chi1_coherence, -1.0, 1.0)
    allowed = ["00", *[f"chi{k}" for k in range(1, f + 1)]]
    d2 = (2 * f + 1) ** 2
    rho = np.zeros((d2, d2), dtype=complex)
    for name, p in mapping("populations", populations).items():
        if name not in allowed:
            raise InputError(f"collisions.populations.{name}", p, f"keys among {allowed}")
        p = check_range(f"collisions.populations.{name}", p, 0.0, 1.0)
        if name == "chi1":
            rho += p * rho_family(chi1_coherence, f)
        else:
            v = named_ket(name, f)
            rho += p * np.outer(v, v.conj())
    return rho


def sequence_inputs(
    params: Params,
    *,
    state: str | None = None,
    destroy: bool = False,
    ideal: bool = False,
    override: bool = False,
) -> tuple[str, ...]:
    """The parameter keys (dotted prefixes) that :meth:`MeasurementSequence.from_params`
    uses for these options: what its numbers rest on."""
    used = ["species", "f", "raman.rabi_frequency_hz", "raman.detuning_hz"]
    col = params.collisions
    if state is None and col.model == "given":
        used.append("collisions.populations")
        if not override:
            used.append("collisions.chi1_coherence")
    elif state is None:
        used += ["trap", "collisions.field_gauss", "collisions.hold_time_s"]
        used += ["scattering_lengths_bohr"] + (["collisions.rate_scale"] * (col.rate_scale != 1))
    if not ideal:
        imp = params.imperfections
        used += [
            f"imperfections.{k}"
            for k in (
                "prep_efficiency",
                "prep_error_weights",
                "transfer_efficiency",
                "push_efficiency",
                "p_loss",
                "p_spont_per_pi",
                "detection",
            )
        ]
        if destroy:
            used += ["imperfections.destroy_loss"]
            used += [] if override else ["imperfections.destroy_coherence"]
        if imp.pair_loss == "computed":
            used += ["imperfections.upper_dwell_s", "trap", "raman.field_gauss"]
        else:
            used += ["imperfections.p_inelastic_pair"]
    return tuple(dict.fromkeys(used))


@dataclass(frozen=True)
class MeasurementSequence:
    """The measurement sequence: an ordered list of steps and the detection matrix.

    Each step is a channel on the pair's level space (preparation, collisions, entanglement
    destruction, Raman or Ramsey pulses, transfer, push-out, losses); :meth:`run` gives the
    probabilities P0, P1, P2 of reporting 0, 1 or 2 atoms. Build it with
    :meth:`from_params` (the paper's sequence for a parameter set).

    Frozen; the steps are fixed, the scanned setting (pulse area or duration) is the
    argument of :meth:`run`, so one sequence serves a whole scan.

    Parameters
    ----------
    levels : Levels
        The per-atom level space (m states of f, the upper manifold, lost).
    steps : tuple
        The steps in order (channels of :mod:`spinpair.sequence.channels`).
    detection : numpy.ndarray, optional
        3 × 3 confusion matrix [1]: row the true atom number 0, 1, 2, column the reported
        one; rows sum to 1 (default the identity).
    rabi_frequency_hz : float, optional
        Raman Rabi frequency Ω/2π [Hz], which converts durations τ [s] into areas Ωτ [rad]
        (default 156e3).
    provenance : Provenance or None, optional
        What the sequence's numbers rest on (set by :meth:`from_params`; every
        :meth:`run` result carries it); default None.

    Examples
    --------
    >>> from spinpair import MeasurementSequence, Params
    >>> seq = MeasurementSequence.from_params(Params(), state="chi1", ideal=True)
    >>> p = seq.run(area=[0.0, np.pi / 2])
    >>> [round(float(x), 6) for x in p.P1]
    [1.0, 0.0]
    >>> seq.rabi_frequency_hz, seq.detection.shape, seq.describe()[0]
    (156000.0, (3, 3), '1. prepare: Prepare')
    >>> p = seq.run(tau_s=[0.0, 1 / (4 * 156e3)])   # a π/2 pulse: the same areas
    >>> [round(float(x), 6) for x in p.P1]
    [1.0, 0.0]
    """

    levels: Levels
    steps: tuple[Any, ...]
    detection: NDArray[np.float64] = field(default_factory=lambda: np.eye(3))
    rabi_frequency_hz: float = 156e3
    #: What the sequence's numbers rest on (set by :meth:`from_params`; every
    #: :meth:`run` result carries it).
    provenance: Provenance | None = None

    def describe(self) -> list[str]:
        """One line per step, for inspection."""
        return [f"{i + 1}. {s.name}: {s.__class__.__name__}" for i, s in enumerate(self.steps)]

    def _areas(
        self, area: ArrayLike | None, tau_s: ArrayLike | None
    ) -> tuple[NDArray[np.float64], str, NDArray[np.float64]]:
        if (area is None) == (tau_s is None):
            raise InputError("setting", None, "exactly one of area or tau_s")
        if area is not None:
            a = finite_array("area", area)
            return a, "area", a
        t = finite_array("tau_s", tau_s)
        if np.any(t < 0):
            raise InputError("tau_s", float(t[t < 0][0]), ">= 0 (seconds)")
        return 2 * np.pi * self.rabi_frequency_hz * t, "tau_s", t

    def final_states(self, area: ArrayLike | None = None, tau_s: ArrayLike | None = None) -> Array:
        """Pair level-space density matrices (n, D², D²) before detection."""
        a, _, _ = self._areas(area, tau_s)
        return self._propagate(a)

    @single_thread
    def _propagate(self, setting: NDArray[np.float64]) -> Array:
        D2 = self.levels.D**2
        rho = np.zeros((1, D2, D2), dtype=complex)
        rho[0, 0, 0] = 1.0  # any normalised input: the first step is a preparation
        for step in self.steps:
            rho = step.apply(rho, setting)
        if rho.shape[0] == 1 and setting.size > 1:
            rho = np.broadcast_to(rho, (setting.size, D2, D2))
        return rho

    def _count(
        self, name: str, setting: NDArray[np.float64], scan: NDArray[np.float64]
    ) -> CountProbabilities:
        true_n = self._fast_atom_numbers(scan)
        if true_n is None:
            true_n = self.levels.atom_number_distribution(self._propagate(scan))
        p = np.clip(ch.detect(true_n, self.detection), 0.0, 1.0)
        return CountProbabilities(name, setting, p[:, 0], p[:, 1], p[:, 2], self.provenance)

    @functools.cached_property
    def _population_plan(self) -> tuple[int, NDArray[np.float64], NDArray[np.float64]] | None:
        """What the fast count path needs besides the scanned step, computed once per
        sequence (the steps are fixed): the index k of the scanned step, the detection in
        the Heisenberg picture (D², 3) and the real form Q (D², D²) of the state before the
        pulse (:func:`~.channels.pair_population_form`); None when the sequence does not
        have the shape the fast path needs (see :meth:`_fast_atom_numbers`)."""
        steps = list(self.steps)
        k = next((i for i, st in enumerate(steps) if hasattr(st, "population_rows")), None)
        if k is None or not all(getattr(st, "setting_free", False) for st in steps[:k]):
            return None
        D = self.levels.D
        M = np.eye(D * D)
        for st in steps[k + 1 :]:
            pm = st.population_map() if hasattr(st, "population_map") else None
            if pm is None:
                return None
            M = pm @ M
        counts = M.T @ ch.atom_number_indicator(self.levels)  # (D², 3), Heisenberg picture
        rho = np.zeros((1, D * D, D * D), dtype=complex)
        rho[0, 0, 0] = 1.0  # any normalised input: the first step is a preparation
        no_setting = np.zeros(1)  # the steps before the pulse ignore the setting
        for st in steps[:k]:
            rho = st.apply(rho, no_setting)
        Q = ch.pair_population_form(rho[0], D)
        for a in (counts, Q):
            a.setflags(write=False)
        return k, counts, Q

    @single_thread
    def _fast_atom_numbers(self, setting: NDArray[np.float64]) -> NDArray[np.float64] | None:
        """True atom-number distribution (n, 3) without propagating ρ per setting, or None
        when the sequence does not have the shape this needs.

        Shape: steps that ignore the setting (class attribute ``setting_free``), then one
        step with ``population_rows`` (the scanned pulse, a product of per-atom channels),
        then steps with a ``population_map``. Then (i) the steps before the pulse are
        applied once to one state; (ii) the steps after it map pair populations to
        populations and coherences never feed populations (checked per step), so the
        detection becomes one (D², 3) matrix applied in the Heisenberg picture; both are
        kept with the sequence (:attr:`_population_plan`); (iii) of the pulse only the
        output populations are needed: pop_n[a, b] = Σ S¹_n[a, i, k] S²_n[b, j, l]
        ρ[(i, j), (k, l)], in real coordinates of the Hermitian rows
        (:func:`~.channels.hermitian_coordinates`) h¹_n[a] · Q · h²_n[b]: one real
        (n·D × D²) @ (D² × D²) product and one batched (D × D²) @ (D² × D) per setting, a
        quarter of the FLOPs of the complex form, in cache-sized blocks."""
        plan = self._population_plan
        if plan is None:
            return None
        k, counts, Q = plan
        pulse = self.steps[k]
        D = self.levels.D
        out = np.empty((setting.size, 3))
        chunks = range(0, setting.size, SETTING_CHUNK)
        for s in _progress(chunks, "sequence"):
            for c in range(s, min(s + SETTING_CHUNK, setting.size), CACHE_CHUNK):
                stop = min(c + CACHE_CHUNK, s + SETTING_CHUNK, setting.size)
                S1, S2 = pulse.population_rows(setting[c:stop])
                n = S1.shape[0]
                h1 = ch.hermitian_coordinates(S1, out=_workspace("h1", (n, D, D * D)))
                h2 = h1
                if S2 is not S1:
                    h2 = ch.hermitian_coordinates(S2, out=_workspace("h2", (n, D, D * D)))
                X = _workspace("X", (n * D, D * D))
                np.matmul(h1.reshape(n * D, D * D), Q, out=X)  # atom 1 done
                # pop[n, a, b] = Σ_x X[n, a, x] h²[n, b, x]: a batched BLAS product
                pop = _workspace("pop", (n, D, D))
                np.matmul(X.reshape(n, D, D * D), h2.transpose(0, 2, 1), out=pop)
                out[c:stop] = pop.reshape(n, D * D) @ counts
        return out

    def run(
        self, area: ArrayLike | None = None, tau_s: ArrayLike | None = None
    ) -> CountProbabilities:
        """P0, P1, P2 (reported atom numbers) for every pulse area or duration.

        Parameters
        ----------
        area : array_like, optional
            Pulse areas Ωτ [rad]; exactly one of ``area`` and ``tau_s``.
        tau_s : array_like, optional
            Pulse durations τ [s], ≥ 0.

        Returns
        -------
        spinpair.raman.CountProbabilities
            One entry of ``P0``, ``P1``, ``P2`` per setting.

        Raises
        ------
        spinpair.errors.InputError
            For both or neither of ``area`` and ``tau_s``, or non-finite values.
        """
        a, name, setting = self._areas(area, tau_s)
        return self._count(name, setting, a)

    def scan(self, name: str, values: ArrayLike) -> CountProbabilities:
        """P0, P1, P2 for a scan of any setting that a step reads (for example a Ramsey
        step reading the detuning in Hz): ``values`` is passed to every step's ``apply``."""
        v = finite_array(name, values)
        return self._count(name, v, v)

    def with_step(self, name: str, new_step: Any) -> MeasurementSequence:
        """A copy with the step called ``name`` replaced."""
        steps = tuple(new_step if s.name == name else s for s in self.steps)
        return replace(self, steps=steps)

    @classmethod
    def from_params(
        cls,
        params: Params,
        *,
        state: str | None = None,
        ideal: bool = False,
        destroy: bool = False,
        chi1_coherence: float | None = None,
        spin_map: Callable[[Array], Array] | None = None,
    ) -> MeasurementSequence:
        """Build the paper's sequence from a parameter set.

        Parameters
        ----------
        params : spinpair.params.Params
            Species, collisions, Raman pulse and imperfections.
        state : str, optional
            Replace the collision step by this named pair state (spec §1) for the pairs
            prepared in |0,0⟩.
        ideal : bool, optional
            Turn every imperfection off.
        destroy : bool, optional
            Insert the entanglement-destruction step.
        chi1_coherence : float, optional
            Set the chi1 coherence c ∈ [−1, 1] that reaches the Raman pulse (1: entangled, 0:
            unentangled), by an exchange dephasing after the collision (and after destruction,
            which then contributes only its atom loss).
        spin_map : callable, optional
            The collision step as a map on batches of pair spin density matrices (default: the
            dynamics model of ``params``).

        Returns
        -------
        MeasurementSequence

        Raises
        ------
        spinpair.errors.InputError
            For a bad state name or coherence.
        """
        from ..params import Params

        instance("params", params, Params, "a Params (spinpair.Params)")
        destroy, ideal = switch("destroy", destroy), switch("ideal", ideal)
        lv = Levels(params.f)
        override = chi1_coherence is not None
        if override:
            chi1_coherence = check_range("chi1_coherence", chi1_coherence, -1.0, 1.0)
        imp = Imperfections.ideal() if ideal else params.imperfections
        col = params.collisions
        steps: list[Any] = [Prepare(lv, imp.prep_efficiency, imp.prep_error_weights)]
        if state is not None:
            steps.append(CollideGiven(lv, named_state(state, params.f), label=state))
        elif col.model == "given":
            c = col.chi1_coherence if chi1_coherence is None else chi1_coherence
            steps.append(CollideGiven(lv, given_spin_state(params.f, col.populations, c)))
            chi1_coherence = None  # already applied
        else:
            if spin_map is None:
                from ..dynamics import collision_spin_map

                spin_map = collision_spin_map(params)
            steps.append(CollideDynamics(lv, spin_map, label=col.model))
        if destroy:
            # with a coherence override, destruction contributes only its atom loss
            kept = 1.0 if override else imp.destroy_coherence
            steps.append(Destroy(lv, kept, imp.destroy_loss))
        if chi1_coherence is not None:
            steps.append(Destroy(lv, coherence=chi1_coherence, loss=0.0, name="coherence"))
        steps.append(
            RamanPulse(
                lv, params.raman.detuning_hz / params.raman.rabi_frequency_hz, imp.p_spont_per_pi
            )
        )
        if imp.pair_loss == "computed" and not ideal:
            from .pair_loss import ComputedPairLoss

            # a coherent transfer keeps the exchange symmetry the computed loss depends on
            kraus = ch.coherent_transfer_kraus(lv, imp.transfer_efficiency)
            steps.append(LocalChannel(lv, kraus, "transfer"))
            steps.append(ComputedPairLoss.from_params(params))
        else:
            kraus = ch.transfer_kraus(lv, imp.transfer_efficiency)
            steps.append(LocalChannel(lv, kraus, "transfer"))
            steps.append(InelasticPairLoss(lv, imp.p_inelastic_pair))
        steps.append(LocalChannel(lv, ch.push_kraus(lv, imp.push_efficiency), "push"))
        steps.append(LocalChannel(lv, ch.loss_kraus(lv, imp.p_loss), "loss"))
        prov = Provenance.from_params(
            params,
            used=sequence_inputs(
                params, state=state, destroy=destroy, ideal=ideal, override=override
            ),
            method="measurement sequence"
            + (f", state {state}" if state is not None else f", collisions {col.model}")
            + (", ideal apparatus" if ideal else f", pair loss {imp.pair_loss}"),
        )
        return cls(lv, tuple(steps), imp.detection_matrix, params.raman.rabi_frequency_hz, prov)


@dataclass(frozen=True)
class EntanglementCurves:
    """The same sequence with chi1 coherence c = 1 (entangled) and c = 0 (unentangled)."""

    entangled: CountProbabilities
    unentangled: CountProbabilities


def entangled_vs_unentangled(
    params: Params,
    area: ArrayLike | None = None,
    tau_s: ArrayLike | None = None,
    *,
    destroy: bool = False,
    spin_map: Callable[[Array], Array] | None = None,
) -> EntanglementCurves:
    """Paper Fig. 2b/3: model curves for a fully entangled and a fully mixed chi1 part.

    Parameters
    ----------
    params : spinpair.params.Params
        The parameter set of the sequence.
    area : array_like, optional
        Pulse areas Ωτ [rad]; exactly one of ``area`` and ``tau_s``.
    tau_s : array_like, optional
        Pulse durations τ [s].
    destroy : bool, optional
        Insert the entanglement-destruction step.
    spin_map : callable, optional
        The collision step (default: the dynamics model of ``params``).

    Returns
    -------
    EntanglementCurves
        ``entangled`` (chi1 coherence c = 1) and ``unentangled`` (c = 0) count
        probabilities.

    Examples
    --------
    >>> from spinpair.params import CollisionParams
    >>> p = Params(collisions=CollisionParams(model="given"))
    >>> c = entangled_vs_unentangled(p, area=[0.0, np.pi / 2])
    >>> bool(abs(c.entangled.P1[0] - c.unentangled.P1[0]) < 1e-12)
    True
    """
    out = []
    for c in (1.0, 0.0):
        seq = MeasurementSequence.from_params(
            params, destroy=destroy, chi1_coherence=c, spin_map=spin_map
        )
        out.append(seq.run(area=area, tau_s=tau_s))
    return EntanglementCurves(*out)


__all__ = [
    "CollideDynamics",
    "CollideGiven",
    "Destroy",
    "EntanglementCurves",
    "InelasticPairLoss",
    "LocalChannel",
    "MeasurementSequence",
    "Prepare",
    "RamanPulse",
    "Step",
    "entangled_vs_unentangled",
    "given_spin_state",
]
