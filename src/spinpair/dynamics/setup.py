"""The physical situation of the hold step: species, trap, temperature, field, rate scale.

Examples
--------
>>> from spinpair.params import Params
>>> s = CollisionSetup.from_params(Params())
>>> round(s.trap.temperature_k * 1e6), s.field_gauss
(40, 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..provenance import Provenance
from ..species import Species
from ..trap import PairTrap
from .hamiltonian import zeeman_hamiltonian_hz

if TYPE_CHECKING:
    from ..params import Params


@dataclass(frozen=True)
class CollisionSetup:
    """Species (with its a_F), pair trap at temperature T, hold field (G), rate scale, and
    where the relaxation rates come from (``"s-matrix"`` or ``"zero-range"``).

    The physical situation of the hold step that every dynamics model of
    :mod:`spinpair.dynamics` takes: build it from a parameter set with
    :meth:`from_params` (which also resolves ``collisions.rates = "auto"``). Frozen;
    ``field_gauss`` and ``rate_scale`` are checked against the parameter schema's ranges
    and errors name ``collisions.<field>``.

    Attributes
    ----------
    species : Species
        The atomic species and manifold f, with its scattering lengths a_F [Bohr radii].
    trap : PairTrap
        The harmonic pair trap (frequencies [Hz]) at temperature T [K].
    field_gauss : float
        Bias field during the hold [G], in [0, 1e4] (default 0.5).
    rate_scale : float
        Factor on the relaxation rates [1], in [0, 1e6] (default 1).
    rates : str
        Where the relaxation rates come from: ``"s-matrix"`` or ``"zero-range"`` (default;
        already resolved, no ``"auto"``).
    potential_variant : str or None
        None, or a potential-knob variant of the S-matrix tables (``"singlet+"`` …).

    Examples
    --------
    >>> from spinpair.params import Params
    >>> s = CollisionSetup.from_params(Params())
    >>> s.species.name, s.f, s.field_gauss, s.rate_scale, s.rates
    ('rb85', 2, 0.5, 1.0, 's-matrix')
    >>> round(s.trap.temperature_k * 1e6), s.zeeman_hz.shape
    (40, (25, 25))
    """

    species: Species
    trap: PairTrap
    field_gauss: float = 0.5
    rate_scale: float = 1.0
    rates: str = "zero-range"
    #: None, or a potential-knob variant of the S-matrix tables (``"singlet+"`` …) used by
    #: :mod:`spinpair.studies.prediction` for the band (M = 0 sector only).
    potential_variant: str | None = None

    def __post_init__(self) -> None:
        # the ranges are the parameter schema's (one definition, the same messages as a
        # parameter file); ``rates`` here is already resolved (no ``auto``)
        from ..params import SCHEMA

        for name in ("field_gauss", "rate_scale"):
            key = f"collisions.{name}"
            object.__setattr__(self, name, SCHEMA[key].check(getattr(self, name), key))
        if self.rates not in ("s-matrix", "zero-range"):
            raise InputError("collisions.rates", self.rates, "one of ['s-matrix', 'zero-range']")

    @classmethod
    def from_params(cls, params: Params) -> CollisionSetup:
        """From a :class:`spinpair.params.Params` (species overrides, trap, hold field)."""
        return cls(
            params.species_data(),
            PairTrap.from_params(params),
            params.collisions.field_gauss,
            params.collisions.rate_scale,
            resolve_rates(
                params.collisions.rates, params.species, params.f, params.collisions.field_gauss
            ),
        )

    @property
    def f(self) -> int:
        """Hyperfine manifold f."""
        return self.species.f

    @cached_property
    def zeeman_hz(self) -> NDArray[np.complex128]:
        """Pair Zeeman Hamiltonian (d², d²) in Hz at the hold field."""
        return zeeman_hamiltonian_hz(self.species, self.field_gauss)

    def provenance(self, method: str = "") -> Provenance:
        """Statuses of what a result of this setup rests on: each a_F with its species
        record (a user's value is a ``setting``), the trap, temperature, field and a rate
        scale ≠ 1 as the exact settings they are here (:meth:`Provenance.from_params` knows
        more: which of them the paper quotes)."""
        inputs: dict[str, str] = {}
        sources: dict[str, str] = {}
        for ch, info in sorted(self.species.scattering_length_data.items()):
            key = f"scattering_lengths_bohr.a{ch}"
            inputs[key] = "setting" if info.status == "user" else info.status
            sources[key] = info.source
        for key in ("trap", "collisions.field_gauss"):
            inputs[key] = "setting"
        if self.rate_scale != 1:
            inputs["collisions.rate_scale"] = "setting"
        return Provenance.build(inputs, sources, method=method or f"{self.rates} rates")

    def with_scattering_lengths(self, values_bohr: dict[int, float]) -> CollisionSetup:
        """A copy with some a_F replaced (Bohr radii)."""
        return replace(self, species=self.species.with_scattering_lengths(values_bohr, "user"))


def resolve_rates(rates: str, species: str, f: int, field_gauss: float) -> str:
    """``auto`` → ``s-matrix`` where spinpair ships coupled-channel tables for (species, f)
    of a lower hyperfine manifold and ``field_gauss`` lies in them, else ``zero-range``;
    other values are returned. The upper manifold (87Rb f=2) is left to zero-range: its
    collisions also change the hyperfine state and lose the pair at nearly the spin-exchange
    rate, which the relaxation model does not describe (an explicit ``s-matrix`` is
    refused there, see :func:`spinpair.scattering.tables.check_rates_species`).

    Examples
    --------
    >>> resolve_rates("auto", "rb85", 2, 0.5), resolve_rates("auto", "na23", 1, 0.5)
    ('s-matrix', 'zero-range')
    >>> resolve_rates("auto", "rb87", 2, 0.5)
    'zero-range'
    """
    if rates != "auto":
        return rates
    from ..scattering.tables import LOSSY_MANIFOLDS, TABLE_FIELDS_G, has_table

    inside = float(TABLE_FIELDS_G[0]) <= field_gauss <= float(TABLE_FIELDS_G[-1])
    ok = has_table(species, f) and (species, int(f)) not in LOSSY_MANIFOLDS
    return "s-matrix" if ok and inside else "zero-range"


__all__ = ["CollisionSetup", "resolve_rates"]
