"""The count-probability model versus the fidelity, and its nuisance parameters (spec §5).

Why one file of ~550 lines: the fidelity model and its nuisance parameters are one
object (the nuisances change the two curves the model interpolates between).

The sequence model is linear in the chi1 coherence c, and the fidelity of the chi1 part
with chi1 is F = (1 + c)/2, so for any parameter set

    P_k(setting; F) = P_k(setting; c = 0) + (2F − 1) [P_k(setting; c = 1) − P_k(setting; c = 0)]

(:class:`FidelityModel`; two sequence runs give every F).

Nuisance models are exact and fast: every imperfection enters the pair model as a
per-atom channel (or one pair channel, or the detection matrix) that is linear in its
parameter, so P_k is a polynomial of degree ≤ 2 in each nuisance; :class:`NuisanceModel`
evaluates the sequence on a 3-point grid per nuisance, interpolates exactly, verifies the
interpolation at an independent point and falls back to direct (cached) evaluation if it
does not hold. :func:`params_with` substitutes imperfection values into a parameter set;
:func:`model_factory` gives ``values → FidelityModel`` for a fit.

Examples
--------
>>> from spinpair.paper import preset_path
>>> p = Params.from_toml(preset_path("paper-like"))
>>> m = FidelityModel.from_params(p, "area", [0.0, 1.5707963])
>>> bool(np.allclose(m.probs(0.5), m.p_unentangled))
True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..imperfections import PROBABILITY_FIELDS
from ..params import Params
from ..provenance import Provenance
from ..validation import instance, switch
from .data import CountData

#: The curves a fit may use: one outcome (0, 1 or 2 atoms; binomial) or ``all``
#: (multinomial); the value is the outcome's column, None for all. These are the canonical
#: names; :func:`normalise_curve` also takes the command line's ``0``, ``1``, ``2``.
CURVES = {"P0": 0, "P1": 1, "P2": 2, "all": None}
#: Every spelling :func:`normalise_curve` accepts (the CLI's ``--curve 2``, the integer 2,
#: the column name ``P2``) and the canonical name it stands for.
CURVE_ALIASES = {
    **{k: k for k in CURVES},
    **{str(i): f"P{i}" for i in range(3)},
    **{f"p{i}": f"P{i}" for i in range(3)},
    "ALL": "all",
}
#: Δχ² (= 2 ΔNLL) of a one-sided 95 % bound: 1.645² (= scipy.special.ndtri(0.95) ** 2).
ONE_SIDED_95 = 2.705543454095413
#: Probabilities are clipped to [EPS, 1 − EPS] so that logarithms stay finite.
EPS = 1e-12

#: Imperfection keys that may be nuisance parameters (all probabilities in [0, 1]).
NUISANCE_KEYS = (*PROBABILITY_FIELDS, "p_false_pos", "p_false_neg")


def normalise_curve(curve: str | int, field: str = "curve") -> str:
    """The canonical name (``P0``, ``P1``, ``P2`` or ``all``) of a curve written as on the
    command line (``0``, ``1``, ``2``, ``all``), as an integer outcome (0, 1, 2) or as a
    column name (``P2``); anything else is an :class:`~spinpair.errors.InputError` naming
    ``field`` and the accepted names.

    Examples
    --------
    >>> [normalise_curve(c) for c in (2, "2", "P2", "all")]
    ['P2', 'P2', 'P2', 'all']
    """
    allowed = "0, 1, 2 (the number of atoms; also written P0, P1, P2) or all"
    if isinstance(curve, (bool, np.bool_)):
        raise InputError(field, curve, allowed)
    if isinstance(curve, (int, np.integer)):
        key = str(int(curve))
    elif isinstance(curve, str):
        key = curve.strip()
    else:
        raise InputError(field, curve, allowed)
    if key not in CURVE_ALIASES:
        raise InputError(field, curve, allowed)
    return CURVE_ALIASES[key]


def check_fit_inputs(data: Any, model: Any) -> None:
    """InputError unless ``data`` is a :class:`CountData` and ``model`` a
    :class:`FidelityModel` built at its settings (:meth:`FidelityModel.check_data`)."""
    instance("data", data, CountData, "a CountData (spinpair.read_csv, simulate_counts)")
    instance("model", model, FidelityModel, "a FidelityModel (FidelityModel.from_data)")
    model.check_data(data)


def check_curve(curve: str | int) -> int | None:
    """The outcome column of ``curve`` (None for ``all``; any spelling of
    :func:`normalise_curve`); InputError if unknown."""
    return CURVES[normalise_curve(curve)]


def json_float(x: float) -> float | None:
    """A JSON-ready float: None (JSON null) for NaN or ±inf, never a made-up number."""
    x = float(x)
    return x if math.isfinite(x) else None


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True, eq=False)
class FidelityModel:
    """Model count probabilities (rows, 3) for c = 0 (``p_unentangled``) and c = 1
    (``p_entangled``) at the data's settings; :meth:`probs` gives any F.

    ``setting_name`` and ``setting`` record where the model was evaluated (``tau_s`` in
    s or ``area`` in rad; None for a model built from bare probabilities); a fit checks
    them against the data's (:meth:`check_data`) and refuses a mismatch instead of fitting
    the wrong settings. Build a model at the data's own settings with :meth:`from_data`.

    The sequence is linear in the chi1 coherence c, and the fidelity of the chi1 part with
    chi1 is F = (1 + c)/2, so two sequence runs give every F:
    P(F) = P(c = 0) + (2F − 1) [P(c = 1) − P(c = 0)]. This is what a fidelity fit
    evaluates (:func:`~spinpair.analysis.likelihood.fidelity_likelihood`). Frozen.

    Attributes
    ----------
    p_unentangled : numpy.ndarray
        Probabilities (rows, 3) [1] of counting 0, 1, 2 atoms at each setting for c = 0
        (F = 1/2).
    p_entangled : numpy.ndarray
        The same (rows, 3) [1] for c = 1 (F = 1, pure chi1).
    setting_name : str or None
        The setting column the model was evaluated at, ``tau_s`` or ``area``; None for a
        model built from bare probabilities.
    setting : numpy.ndarray or None
        The settings (rows,): durations [s] for ``tau_s``, areas Ωτ [rad] for ``area``;
        None for a model built from bare probabilities.
    provenance : Provenance or None
        What the probabilities rest on (set by :meth:`from_params`); not compared.

    Examples
    --------
    >>> pu = np.array([[0.1, 0.3, 0.6], [0.1, 0.3, 0.6]])
    >>> pe = np.array([[0.1, 0.3, 0.6], [0.2, 0.1, 0.7]])
    >>> m = FidelityModel(pu, pe, "area", [0.0, np.pi / 2])
    >>> len(m), m.setting_name
    (2, 'area')
    >>> m.probs(0.75).round(3).tolist()   # F = 0.75: halfway between c = 0 and c = 1
    [[0.1, 0.3, 0.6], [0.15, 0.2, 0.65]]
    >>> m.probs([0.5, 1.0]).shape
    (2, 2, 3)
    """

    p_unentangled: NDArray[np.float64]
    p_entangled: NDArray[np.float64]
    setting_name: str | None = None
    setting: NDArray[np.float64] | None = field(default=None, repr=False)
    #: What the model's probabilities rest on (set by :meth:`from_params`): the
    #: sequence's inputs; a fidelity fitted with it is ``calibrated`` at best.
    provenance: Provenance | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        pu = np.asarray(self.p_unentangled, dtype=float)
        pe = np.asarray(self.p_entangled, dtype=float)
        if pu.ndim != 2 or pu.shape[-1] != 3 or pe.shape != pu.shape:
            raise InputError(
                "model", (pu.shape, pe.shape), "two arrays (rows, 3) of P0, P1, P2 of one shape"
            )
        if self.setting is not None:
            x = np.atleast_1d(np.asarray(self.setting, dtype=float))
            if x.shape != (pu.shape[0],):
                raise InputError("setting", x.size, f"{pu.shape[0]} settings, one per row")
            object.__setattr__(self, "setting", x)

    def __len__(self) -> int:
        """Number of settings (rows)."""
        return int(np.shape(self.p_unentangled)[0])

    def check_data(self, data: CountData) -> None:
        """Raise :class:`~spinpair.errors.InputError` unless this model is for ``data``: the
        same number of rows and, when the model records its settings, the same setting
        column and values (relative tolerance 1e-9); the error names both settings.

        Examples
        --------
        >>> m = FidelityModel(np.full((1, 3), 1 / 3), np.full((1, 3), 1 / 3), "tau_s", [1e-6])
        >>> d = CountData("tau_s", [1.1e-6], [10], [3], [3], [4])
        >>> try:
        ...     m.check_data(d)
        ... except InputError as e:
        ...     print(e.field)
        model settings
        """
        n = len(self)
        if len(data) != n:
            raise InputError(
                "model settings",
                f"{n} model rows for {len(data)} data rows",
                "a model built at the data's settings: FidelityModel.from_data(params, data)",
            )
        if self.setting is None or self.setting_name is None:
            return
        if self.setting_name != data.setting_name:
            raise InputError(
                "model settings",
                f"model {self.setting_name}, data {data.setting_name}",
                "the data's setting column: FidelityModel.from_data(params, data)",
            )
        bad = ~np.isclose(self.setting, data.setting, rtol=1e-9, atol=0.0)
        if np.any(bad):
            i = int(np.argmax(bad))
            raise InputError(
                "model settings",
                f"model {self.setting_name} = {self.setting.tolist()}, "
                f"data {data.setting_name} = {data.setting.tolist()}",
                f"the data's values (row {i + 1} differs): FidelityModel.from_data(params, "
                "data), or the data's own settings",
            )

    @classmethod
    def from_data(cls, params: Params, data: CountData, *, destroy: bool = False) -> FidelityModel:
        """The model at the settings of ``data`` (its ``tau_s`` or ``area`` column): the
        sequence of ``params`` run at c = 0 and c = 1.

        Examples
        --------
        >>> from spinpair.paper import preset_path
        >>> p = Params.from_toml(preset_path("paper-like"))
        >>> d = CountData("area", [0.0, 1.5707963], [100, 100], [10, 10], [20, 20], [70, 70])
        >>> FidelityModel.from_data(p, d).setting.tolist()
        [0.0, 1.5707963]
        """
        instance("data", data, CountData, "a CountData (spinpair.read_csv, simulate_counts)")
        return cls.from_params(params, data.setting_name, data.setting, destroy=destroy)

    def probs(self, fidelity: ArrayLike) -> NDArray[np.float64]:
        """P_k at fidelity F (scalar → (rows, 3); array (m,) → (m, rows, 3)), clipped to
        [1e-12, 1 − 1e-12] so that logarithms stay finite."""
        F = np.asarray(fidelity, dtype=float)
        c = 2 * F - 1
        d = self.p_entangled - self.p_unentangled
        out = self.p_unentangled + (c[..., None, None] * d if F.ndim else c * d)
        return np.clip(out, EPS, 1 - EPS)

    @classmethod
    def from_params(
        cls, params: Params, setting_name: str, setting: ArrayLike, *, destroy: bool = False
    ) -> FidelityModel:
        """Run the measurement sequence of ``params`` at c = 0 and c = 1 (``setting_name``
        ``tau_s``: durations in s; ``area``: Ωτ in rad)."""
        from ..sequence import MeasurementSequence

        instance("params", params, Params, "a Params (spinpair.Params)")
        destroy = switch("destroy", destroy)
        if setting_name not in ("tau_s", "area"):
            raise InputError("setting", setting_name, "tau_s or area for a Raman-scan fit")
        out = []
        for c in (0.0, 1.0):
            seq = MeasurementSequence.from_params(params, destroy=destroy, chi1_coherence=c)
            r = seq.run(**{setting_name: setting})
            out.append(np.stack([r.P0, r.P1, r.P2], axis=1))
        return cls(
            out[0],
            out[1],
            setting_name,
            np.asarray(setting, dtype=float),
            seq.provenance,
        )


#: Most model probabilities held at once when a function is mapped over many fidelities
#: (values, 8 bytes each: 16 MB): memory stays linear in the rows, whatever the grid.
MAX_PROBABILITY_VALUES = 1 << 21


def over_fidelities(
    model: FidelityModel, fidelity: ArrayLike, fn: Callable[[NDArray[np.float64]], ArrayLike]
) -> NDArray[np.float64]:
    """``fn(model.probs(F_chunk))`` over a 1-D array of fidelities in chunks, concatenated:
    the same values as ``fn(model.probs(F))`` without an (F, rows, 3) array larger than
    :data:`MAX_PROBABILITY_VALUES` values. ``fn`` maps (m, rows, 3) to (m,).

    Examples
    --------
    >>> import numpy as np
    >>> m = FidelityModel(np.full((4, 3), 1 / 3), np.eye(3)[[0, 1, 2, 0]])
    >>> over_fidelities(m, [0.5, 1.0], lambda p: p[..., 0].sum(axis=-1)).round(3).tolist()
    [1.333, 2.0]
    """
    F = np.asarray(fidelity, dtype=float).ravel()
    per = max(1, MAX_PROBABILITY_VALUES // max(1, model.p_entangled.size))
    parts = [
        np.asarray(fn(model.probs(F[i : i + per])), dtype=float) for i in range(0, F.size, per)
    ]
    return np.concatenate(parts) if parts else np.empty(0)


# ----------------------------------------------------------------------------- nuisances


@dataclass(frozen=True)
class Nuisance:
    """A free imperfection in a likelihood fit.

    ``name``: one of :data:`NUISANCE_KEYS`. Either a Gaussian prior (``mean``, ``sigma``;
    the parameter is then confined to mean ± 5σ within its physical range) or a flat prior
    on [``lower``, ``upper``] (``mean`` and ``sigma`` None; the start value is the
    midpoint unless ``mean`` is given).

    Examples
    --------
    >>> Nuisance("p_loss", mean=0.02, sigma=0.01).bounds
    (0.0, 0.07)
    >>> Nuisance("push_efficiency", lower=0.9, upper=1.0).start
    0.95
    """

    name: str
    mean: float | None = None
    sigma: float | None = None
    lower: float = 0.0
    upper: float = 1.0

    def __post_init__(self) -> None:
        if self.name not in NUISANCE_KEYS:
            raise InputError("nuisance", self.name, f"one of {list(NUISANCE_KEYS)}")
        lo, hi = float(self.lower), float(self.upper)
        if not (0.0 <= lo < hi <= 1.0):
            raise InputError(f"nuisance {self.name}", (lo, hi), "0 <= lower < upper <= 1")
        if self.sigma is not None:
            if self.mean is None or not (float(self.sigma) > 0 and math.isfinite(self.sigma)):
                raise InputError(f"nuisance {self.name}", self.sigma, "a mean and sigma > 0")
        if self.mean is not None and not (lo <= float(self.mean) <= hi):
            raise InputError(f"nuisance {self.name}", self.mean, f"a mean in [{lo}, {hi}]")

    @property
    def gaussian(self) -> bool:
        """True for a Gaussian prior, False for a flat bounded range."""
        return self.sigma is not None

    @property
    def bounds(self) -> tuple[float, float]:
        """The range the fit may explore."""
        if self.gaussian:
            m, s = float(self.mean), float(self.sigma)  # type: ignore[arg-type]
            return (round(max(self.lower, m - 5 * s), 12), round(min(self.upper, m + 5 * s), 12))
        return (float(self.lower), float(self.upper))

    @property
    def start(self) -> float:
        """Start value of the fit."""
        if self.mean is not None:
            return float(self.mean)
        return 0.5 * (self.lower + self.upper)

    def penalty(self, x: float) -> float:
        """−log prior (up to a constant): ½((x − mean)/sigma)² or 0."""
        if not self.gaussian:
            return 0.0
        return 0.5 * ((x - float(self.mean)) / float(self.sigma)) ** 2  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {
            "name": self.name,
            "mean": self.mean,
            "sigma": self.sigma,
            "bounds": list(self.bounds),
        }


def as_nuisances(
    nuisance: Mapping[str, tuple[float, float]] | Sequence[Nuisance] | None,
) -> list[Nuisance]:
    """Normalise ``{"p_loss": (mean, sigma)}`` or a list of :class:`Nuisance`."""
    if not nuisance:
        return []
    if isinstance(nuisance, Mapping):
        out = []
        for k, v in nuisance.items():
            if isinstance(v, Nuisance):
                out.append(v)
            else:
                mean, sigma = v
                out.append(Nuisance(k, mean=float(mean), sigma=float(sigma)))
        return out
    out = list(nuisance)
    names = [n.name for n in out]
    if len(set(names)) != len(names):
        raise InputError("nuisance", names, "each parameter at most once")
    return out


def params_with(params: Params, values: Mapping[str, float]) -> Params:
    """``params`` with imperfections replaced (keys of :data:`NUISANCE_KEYS`), through
    :meth:`~spinpair.params.Params.replace`; ``p_false_pos``/``p_false_neg`` rebuild the
    detection matrix (which must then have the false-rate form of
    :func:`spinpair.imperfections.detection_from_false_rates`)."""
    for k in values:
        if k not in NUISANCE_KEYS:
            raise InputError("nuisance", k, f"one of {list(NUISANCE_KEYS)}")
    return params.replace({f"imperfections.{k}": float(v) for k, v in values.items()})


def _lagrange3(nodes: NDArray, x: float) -> NDArray:
    """Quadratic Lagrange basis at ``x`` for three nodes."""
    a, b, c = nodes
    return np.array(
        [
            (x - b) * (x - c) / ((a - b) * (a - c)),
            (x - a) * (x - c) / ((b - a) * (b - c)),
            (x - a) * (x - b) / ((c - a) * (c - b)),
        ]
    )


class NuisanceModel:
    """``values → FidelityModel`` for a parameter set with some imperfections free.

    Exact quadratic interpolation on a 3^k grid (k nuisances), verified at an independent
    point against a direct sequence run; direct cached evaluation if the check fails.

    Examples
    --------
    >>> from spinpair.paper import preset_path
    >>> p = Params.from_toml(preset_path("paper-like"))
    >>> nm = NuisanceModel(p, "area", [0.0, 1.57], [Nuisance("p_loss", 0.02, 0.01)])
    >>> nm.exact_interpolation
    True
    """

    def __init__(
        self,
        params: Params,
        setting_name: str,
        setting: ArrayLike,
        nuisances: Sequence[Nuisance],
        *,
        destroy: bool = False,
    ) -> None:
        self.params = params
        self.setting_name = setting_name
        self.setting = np.asarray(setting, dtype=float)
        self.nuisances = list(nuisances)
        self.names = [n.name for n in self.nuisances]
        self.destroy = destroy
        self._cache: dict[tuple, FidelityModel] = {}
        params_with(params, {n.name: n.start for n in self.nuisances})  # validate early
        self.nodes = [np.linspace(*n.bounds, 3) for n in self.nuisances]
        k = len(self.nuisances)
        grid = np.empty((2,) + (3,) * k + (self.setting.size, 3))
        for idx in itertools.product(range(3), repeat=k):
            m = self.direct(
                {
                    nm: float(self.nodes[i][j])
                    for i, (nm, j) in enumerate(zip(self.names, idx, strict=True))
                }
            )
            grid[(0, *idx)] = m.p_unentangled
            grid[(1, *idx)] = m.p_entangled
        self._grid = grid
        # verify at an independent interior point (golden-ratio fractions of each range)
        probe = {
            nm: float(lo + (hi - lo) * ((0.618034 * (i + 1)) % 1.0))
            for i, (nm, (lo, hi)) in enumerate(
                zip(self.names, (n.bounds for n in nuisances), strict=True)
            )
        }
        a, b = self._interpolate(probe), self.direct(probe)
        err = max(
            np.abs(a.p_entangled - b.p_entangled).max(),
            np.abs(a.p_unentangled - b.p_unentangled).max(),
        )
        self.exact_interpolation = bool(err < 1e-9)

    def direct(self, values: Mapping[str, float]) -> FidelityModel:
        """Run the sequence (cached) with ``values`` substituted."""
        key = tuple(sorted((k, round(float(v), 13)) for k, v in values.items()))
        if key not in self._cache:
            self._cache[key] = FidelityModel.from_params(
                params_with(self.params, values),
                self.setting_name,
                self.setting,
                destroy=self.destroy,
            )
        return self._cache[key]

    def _interpolate(self, values: Mapping[str, float]) -> FidelityModel:
        g = self._grid
        for i, nm in enumerate(self.names):
            w = _lagrange3(self.nodes[i], float(values[nm]))
            g = np.tensordot(g, w, axes=([1], [0]))  # contract the next nuisance axis
        return FidelityModel(np.asarray(g[0]), np.asarray(g[1]), self.setting_name, self.setting)

    def __call__(self, values: Mapping[str, float]) -> FidelityModel:
        if self.exact_interpolation:
            return self._interpolate(values)
        return self.direct(values)


def model_factory(
    params: Params,
    data: CountData,
    nuisance: Mapping[str, tuple[float, float]] | Sequence[Nuisance] | None = None,
    *,
    destroy: bool = False,
) -> Callable[[Mapping[str, float]], FidelityModel]:
    """``values → FidelityModel`` with imperfections replaced (for nuisance fits). With
    ``nuisance`` given, a fast exact :class:`NuisanceModel`; else direct cached runs."""
    nus = as_nuisances(nuisance)
    if nus:
        return NuisanceModel(params, data.setting_name, data.setting, nus, destroy=destroy)
    cache: dict[tuple, FidelityModel] = {}

    def build(values: Mapping[str, float]) -> FidelityModel:
        key = tuple(sorted((k, round(float(v), 13)) for k, v in values.items()))
        if key not in cache:
            cache[key] = FidelityModel.from_params(
                params_with(params, values), data.setting_name, data.setting, destroy=destroy
            )
        return cache[key]

    return build


__all__ = [
    "CURVES",
    "CURVE_ALIASES",
    "EPS",
    "NUISANCE_KEYS",
    "ONE_SIDED_95",
    "FidelityModel",
    "Nuisance",
    "NuisanceModel",
    "as_nuisances",
    "check_curve",
    "json_float",
    "model_factory",
    "normalise_curve",
    "params_with",
]
