"""Per-atom level space of the measurement sequence: manifold f, ``up`` and ``lost``.

Index order per atom: the 2f+1 states of manifold f (i ↔ m = f - i, as in
:class:`spinpair.spin.PairBasis`), then ``up`` (the upper hyperfine manifold F = f+1, where
|1⟩ is transferred before push-out), then ``lost``. The pair lives on the product
(D² states, D = 2f + 3; 49 for f = 2); losses are ordinary channels and the atom count is
a projective measurement.

Examples
--------
>>> lv = Levels(2)
>>> lv.D, lv.index(1), lv.UP, lv.LOST
(7, 1, 5, 6)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..spin import PairBasis, as_density_matrix, f_from_dim


@dataclass(frozen=True)
class Levels:
    """Level space of one atom: manifold f (2f+1 states), ``up`` and ``lost``."""

    f: int

    def __post_init__(self) -> None:
        PairBasis(self.f)  # validates f

    @property
    def d(self) -> int:
        """Number of manifold states, 2f + 1."""
        return 2 * self.f + 1

    @property
    def D(self) -> int:
        """Number of levels per atom, 2f + 3."""
        return 2 * self.f + 3

    @property
    def UP(self) -> int:
        """Index of the upper-manifold level."""
        return self.d

    @property
    def LOST(self) -> int:
        """Index of the lost level."""
        return self.d + 1

    def index(self, m: int) -> int:
        """Index of manifold state |m⟩."""
        return PairBasis(self.f).single_index(m)

    @property
    def labels(self) -> tuple[str, ...]:
        """Per-atom level labels in index order."""
        return (*(str(m) for m in range(self.f, -self.f - 1, -1)), "up", "lost")

    @property
    def present(self) -> NDArray[np.bool_]:
        """Mask of levels in which the atom is present in the trap (manifold and ``up``)."""
        mask = np.ones(self.D, dtype=bool)
        mask[self.LOST] = False
        return mask

    def embed_spin_state(self, rho_spin: ArrayLike) -> NDArray[np.complex128]:
        """Lift a pair spin density matrix ((2f+1)², (2f+1)²) into the (D², D²) level space."""
        r = as_density_matrix(rho_spin)
        if f_from_dim(r.shape[0]) != self.f:
            raise InputError("state dimension", r.shape[0], f"(2f+1)² = {self.d**2}")
        d, D = self.d, self.D
        out = np.zeros((D, D, D, D), dtype=complex)
        out[:d, :d, :d, :d] = r.reshape(d, d, d, d)
        return out.reshape(D * D, D * D)

    def spin_block(self, rho: ArrayLike) -> NDArray[np.complex128]:
        """The (unnormalised) block of a level-space ρ with both atoms in manifold f."""
        r = np.asarray(rho, dtype=complex)
        d, D = self.d, self.D
        r4 = r.reshape((*r.shape[:-2], D, D, D, D))
        return r4[..., :d, :d, :d, :d].reshape((*r.shape[:-2], d * d, d * d))

    def atom_number_distribution(self, rho: ArrayLike) -> NDArray[np.float64]:
        """P(N = 0, 1, 2 atoms present) for ρ of shape (..., D², D²); returns (..., 3)."""
        r = np.asarray(rho, dtype=complex)
        D = self.D
        pops = np.real(np.diagonal(r, axis1=-2, axis2=-1)).reshape((*r.shape[:-2], D, D))
        pres = self.present.astype(int)
        n_present = pres[:, None] + pres[None, :]
        return np.stack([pops[..., n_present == k].sum(axis=-1) for k in (0, 1, 2)], axis=-1)


__all__ = ["Levels"]
