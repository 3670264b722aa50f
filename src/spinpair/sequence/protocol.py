"""The Ramsey protocol: π/2 – T – π/2 on each atom, the scan and the sequence switches, as one
frozen value.

A :class:`RamseyProtocol` is what a Ramsey experiment sets (wait T, pulse duration τ, the
detunings scanned, and the switches ``ideal``, ``instantaneous``, ``postselect``);
the parameter set supplies the rest (Ω/2π, imperfections, the collision step).
:func:`~spinpair.sequence.ramsey_scan.ramsey_signals`, the fringe analysis, the Fisher
information of :mod:`spinpair.metrology`, ``spinpair ramsey`` and the report take one
(``protocol=``); their loose keyword arguments (``wait_s``, ``half_pi_s``, ``detuning_hz``,
``ideal``, ``instantaneous``, ``postselect``) still work and are turned into one here
(:meth:`RamseyProtocol.from_arguments`).

Examples
--------
>>> pr = RamseyProtocol(wait_s=5e-6, ideal=True).resolved(156e3)   # τ: the π/2 time
>>> round(pr.half_pi_s * 1e6, 4), round(pr.effective_time_s * 1e6, 4)   # µs
(1.6026, 7.0405)
>>> [round(float(x) / 1e3, 1) for x in pr.detunings(points=5)]   # kHz, ±1/T_eff
[-142.0, -71.0, 0.0, 71.0, 142.0]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, check_range
from ..validation import finite_array
from .ramsey import effective_time_s, half_pi_duration_s


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(field, value, "True or False")
    return bool(value)


#: The longest wait or pulse (s) of a Ramsey sequence (a day): beyond, the phases of any
#: detuning have lost all precision.
MAX_RAMSEY_TIME_S = 86400.0


@dataclass(frozen=True)
class RamseyProtocol:
    """π/2 – T – π/2 on each atom, scanned over the Raman detuning (validated, frozen).

    Parameters
    ----------
    wait_s : float, optional
        Free time T between the two π/2 pulses [s], >= 0 (default 5 µs, the paper's).
    half_pi_s : float or None, optional
        Pulse duration τ [s], >= 0; None: the π/2 time 1/(4 Ω/2π) of the parameter set's
        Rabi frequency (:meth:`resolved` fills it in).
    detuning_hz : sequence of float or None, optional
        The detunings δ/2π scanned [Hz] (kept as a tuple); None: :meth:`detunings`' default,
        two single-atom fringes ±1/T_eff.
    ideal : bool, optional
        Turn every imperfection of the parameter set off.
    instantaneous : bool, optional
        No detuning during the pulses (τ → 0 at fixed area): T_eff = T.
    postselect : bool, optional
        Keep only runs with both atoms in m = ±1 before the pulses (eject |0⟩ and |±2⟩
        first); the signals are then conditional on acceptance.

    Raises
    ------
    spinpair.errors.InputError
        For a negative or non-finite time, non-finite detunings or a switch that is not a
        bool.

    Examples
    --------
    >>> RamseyProtocol(5e-6, 1e-6, instantaneous=True).effective_time_s
    5e-06
    >>> RamseyProtocol(wait_s=-1.0)
    Traceback (most recent call last):
    ...
    spinpair.errors.InputError: wait_s = -1.0 is invalid: allowed [0, 8.64e+04] (s)
    """

    wait_s: float = 5e-6
    half_pi_s: float | None = None
    detuning_hz: tuple[float, ...] | None = None
    ideal: bool = False
    instantaneous: bool = False
    postselect: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "wait_s", check_range("wait_s", self.wait_s, 0.0, MAX_RAMSEY_TIME_S, unit="s"))
        if self.half_pi_s is not None:
            set_(
                self,
                "half_pi_s",
                check_range("half_pi_s", self.half_pi_s, 0.0, MAX_RAMSEY_TIME_S, unit="s"),
            )
        if self.detuning_hz is not None:
            det = np.atleast_1d(finite_array("detuning_hz", self.detuning_hz)).ravel()
            set_(self, "detuning_hz", tuple(float(x) for x in det))
        for name in ("ideal", "instantaneous", "postselect"):
            set_(self, name, _flag(name, getattr(self, name)))

    @classmethod
    def from_arguments(cls, protocol: RamseyProtocol | None = None, **loose: Any) -> RamseyProtocol:
        """``protocol``, or one made of the loose keyword arguments of the functions that
        took them before (``wait_s``, ``half_pi_s``, ``detuning_hz``, ``ideal``,
        ``instantaneous``, ``postselect``).

        Raises
        ------
        spinpair.errors.InputError
            If ``protocol`` is not a :class:`RamseyProtocol`, or if it is given together
            with a loose argument that is not at its default (which one would win is not
            clear).

        Examples
        --------
        >>> RamseyProtocol.from_arguments(None, wait_s=1e-5, ideal=True).ideal
        True
        >>> RamseyProtocol.from_arguments(RamseyProtocol(1e-5), wait_s=2e-5)
        Traceback (most recent call last):
        ...
        spinpair.errors.InputError: protocol = ['wait_s'] is invalid: ...
        """
        if protocol is None:
            return cls(**loose)
        if not isinstance(protocol, RamseyProtocol):
            raise InputError("protocol", protocol, "a RamseyProtocol")
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        clash = [k for k, v in loose.items() if not _is_default(v, defaults[k])]
        if clash:
            raise InputError(
                "protocol",
                clash,
                "a RamseyProtocol or these arguments, not both (put them into the protocol: "
                "dataclasses.replace(protocol, ...))",
            )
        return protocol

    def resolved(self, rabi_frequency_hz: float) -> RamseyProtocol:
        """This protocol with τ set: ``half_pi_s``, or the π/2 time 1/(4 Ω/2π) [s] at the
        Rabi frequency Ω/2π [Hz] where it is None.

        Examples
        --------
        >>> round(RamseyProtocol().resolved(100e3).half_pi_s * 1e6, 6)
        2.5
        """
        if self.half_pi_s is not None:
            return self
        return dataclasses.replace(self, half_pi_s=half_pi_duration_s(rabi_frequency_hz))

    def with_detunings(self, detuning_hz: ArrayLike | None) -> RamseyProtocol:
        """This protocol scanning ``detuning_hz`` [Hz] (None: the default scan).

        Examples
        --------
        >>> RamseyProtocol().with_detunings([0.0, 1e3]).detuning_hz
        (0.0, 1000.0)
        """
        det = None if detuning_hz is None else tuple(np.ravel(np.asarray(detuning_hz, float)))
        return dataclasses.replace(self, detuning_hz=det)

    def _tau(self) -> float:
        if self.half_pi_s is None:
            if self.instantaneous:
                return 0.0
            raise InputError(
                "half_pi_s",
                None,
                "a pulse duration in s (RamseyProtocol.resolved(rabi_frequency_hz) sets the "
                "π/2 time)",
            )
        return self.half_pi_s

    @property
    def effective_time_s(self) -> float:
        """T_eff = T + 4τ/π [s] (first order in δ/Ω), or T for instantaneous pulses."""
        if self.instantaneous:
            return self.wait_s
        return effective_time_s(self.wait_s, self._tau())

    def detunings(self, span_hz: float | None = None, points: int = 201) -> NDArray[np.float64]:
        """The scanned detunings [Hz]: ``detuning_hz``, else ``points`` (>= 5) centred on 0
        over ``span_hz`` (default 2/T_eff: two single-atom fringes, four chi1 fringes)."""
        if self.detuning_hz is not None:
            return np.array(self.detuning_hz, dtype=float)
        return default_detunings(
            self.wait_s, self._tau(), span_hz, points, instantaneous=self.instantaneous
        )

    @property
    def expected_periods(self) -> dict[str, float]:
        """First-order fringe periods [Hz] (:func:`expected_periods`)."""
        return expected_periods(self.wait_s, self._tau(), instantaneous=self.instantaneous)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: every field (``detuning_hz`` as a list or None).

        Examples
        --------
        >>> RamseyProtocol(1e-5, 2e-6).as_dict()["half_pi_s"]
        2e-06
        """
        out = dataclasses.asdict(self)
        if self.detuning_hz is not None:
            out["detuning_hz"] = list(self.detuning_hz)
        return out


def _is_default(value: Any, default: Any) -> bool:
    if default is None:
        return value is None
    return isinstance(value, (bool, int, float, np.bool_, np.number)) and bool(value == default)


def default_detunings(
    wait_s: float,
    half_pi_s: float,
    span_hz: float | None = None,
    points: int = 201,
    *,
    instantaneous: bool = False,
) -> NDArray[np.float64]:
    """Detunings (Hz) centred on 0; default span 2/T_eff (two single-atom fringes, four chi1
    fringes). ``points`` ≥ 5.

    Examples
    --------
    >>> d = default_detunings(5e-6, 0.25 / 156e3, points=5)
    >>> [round(float(x) / 1e3, 1) for x in d]
    [-142.0, -71.0, 0.0, 71.0, 142.0]
    """
    T_eff = wait_s if instantaneous else effective_time_s(wait_s, half_pi_s)
    if int(points) != points or points < 5:
        raise InputError("points", points, "an integer >= 5")
    if span_hz is None:
        if T_eff <= 0:
            raise InputError("wait_s", wait_s, "> 0 (or give the detuning span)")
        span_hz = 2.0 / T_eff
    span = check_range("detuning_span_hz", span_hz, 0.0, None, lo_open=True)
    return np.linspace(-span / 2, span / 2, int(points))


def expected_periods(
    wait_s: float, half_pi_s: float, *, instantaneous: bool = False
) -> dict[str, float]:
    """Fringe periods (Hz) to first order in δ/Ω: ``pair`` 1/(2 T_eff) (chi1's P1, and the
    second harmonic of P1 for independent atoms) and ``single_atom`` 1/T_eff (per-atom signals
    of unentangled atoms).

    Examples
    --------
    >>> p = expected_periods(5e-6, 0.25 / 156e3)
    >>> round(p["pair"] / 1e3, 2), round(p["single_atom"] / 1e3, 2)
    (71.02, 142.04)
    """
    T_eff = wait_s if instantaneous else effective_time_s(wait_s, half_pi_s)
    if T_eff <= 0:
        raise InputError("wait_s", wait_s, "> 0 (no phase time, no fringe)")
    return {"pair": 1.0 / (2 * T_eff), "single_atom": 1.0 / T_eff}


__all__ = ["RamseyProtocol", "default_detunings", "expected_periods"]
