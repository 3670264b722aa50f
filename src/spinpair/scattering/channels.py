"""Channels of two ground-state alkali atoms: hyperfine–Zeeman states and pair channels.

Each atom (electron spin s = 1/2, nuclear spin I) has the internal Hamiltonian

    H_atom/h = A_hfs i·s + (μ_B B/h)(g_J s_z + g_I i_z),   A_hfs = ΔE_hfs/(I + 1/2),

in Steck's convention (``spinpair.species``). Its eigenstates are labelled (f, m) by
adiabatic continuity with the zero-field states |f, m⟩ (in each block of fixed
m = m_s + m_i the lower state is f = I − 1/2 for A_hfs > 0, at every field) and their
phases are fixed by a positive overlap with |f, m⟩ built with Clebsch–Gordan coefficients
(Condon–Shortley, coupling order I ⊗ s), so that the spin algebra of ``spinpair.spin``
applies to them unchanged.

A channel of two identical bosons in partial wave L is an internal state of exchange
symmetry (−1)^L times the radial function (the total state is then symmetric): for even L
(s, d, …) |αβ⟩_S = (|α⟩|β⟩ + |β⟩|α⟩)/√2 (|α⟩|α⟩ for α = β), for odd L (p, f, …)
|αβ⟩_A = (|α⟩|β⟩ − |β⟩|α⟩)/√2 (α ≠ β only), with fixed M = m_α + m_β (``exchange`` = ±1
in :func:`pair_channels`; M is conserved when the magnetic dipole–dipole coupling, which
alone couples different L, is neglected). In that basis the interaction is

    W(R) = V_S(R) P_S + V_T(R) P_T + diag(E_α + E_β),

with P_S = 1/4 − s₁·s₂ and P_T = 3/4 + s₁·s₂ the singlet and triplet projectors of the two
electron spins. Energies in this module are in hertz (E/h).

Examples
--------
>>> from spinpair.species import get_species
>>> ch = pair_channels(get_species("rb85"), 0.5, M=0)
>>> ch.size, ch.labels[ch.index((2, 0, 2, 0))]
(12, (2, 0, 2, 0))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from .. import _constants as constants
from ..errors import InputError
from ..species import BOHR_MAGNETON_J_PER_T, GAUSS_T, Species

Label = tuple[int, int, int, int]


def _spin_ops(j: float) -> tuple[NDArray, NDArray, NDArray]:
    """(j_z, j_+, j_−) for spin j in the basis m = j, j−1, …, −j."""
    m = np.arange(j, -j - 1, -1)
    jz = np.diag(m)
    jp = np.zeros((m.size, m.size))
    for k in range(1, m.size):  # <m+1|j+|m> = sqrt(j(j+1) − m(m+1)), m = m[k]
        jp[k - 1, k] = np.sqrt(j * (j + 1) - m[k] * (m[k] + 1))
    return jz, jp, jp.T.copy()


@dataclass(frozen=True)
class AtomStates:
    """Hyperfine–Zeeman eigenstates of one atom at one field.

    Attributes
    ----------
    labels : (f, m) of each eigenstate (2f take the values I ± 1/2 as integers).
    energies_hz : eigenvalues E/h in Hz (from the hyperfine centroid).
    vectors : columns in the uncoupled basis |m_s, m_i⟩ (m_s = +½, −½ outer; m_i = I…−I).
    s_ops : (s_z, s_+, s_−) of the electron on that basis (for the pair operators).
    """

    labels: tuple[tuple[int, int], ...]
    energies_hz: NDArray[np.float64]
    vectors: NDArray[np.float64]
    s_ops: tuple[NDArray, NDArray, NDArray]


def atom_states(species: Species, field_gauss: float) -> AtomStates:
    """Eigenstates of H_atom (both manifolds f = I ± 1/2) at ``field_gauss`` (G).

    Examples
    --------
    >>> from spinpair.species import get_species, zeeman_shift_from_m0_hz
    >>> a = atom_states(get_species("rb85"), 0.5)
    >>> e = dict(zip(a.labels, a.energies_hz))
    >>> round(float(e[(2, 1)] - e[(2, 0)]), 3)   # Breit–Rabi E(2,1) − E(2,0), Hz
    -233764.388
    """
    I = species.nuclear_spin
    sz, sp, sm = _spin_ops(0.5)
    iz, ip, im = _spin_ops(I)
    one_s, one_i = np.eye(2), np.eye(round(2 * I + 1))
    a_hfs = species.hyperfine_splitting_hz / (I + 0.5)
    Sz, Sp, Sm = (np.kron(o, one_i) for o in (sz, sp, sm))
    Iz, Ip, Im = (np.kron(one_s, o) for o in (iz, ip, im))
    i_dot_s = Iz @ Sz + 0.5 * (Ip @ Sm + Im @ Sp)
    zeeman = BOHR_MAGNETON_J_PER_T * field_gauss * GAUSS_T / constants.h
    H = a_hfs * i_dot_s + zeeman * (species.g_j * Sz + species.g_i * Iz)
    ms = np.repeat([0.5, -0.5], one_i.shape[0])
    mi = np.tile(np.arange(I, -I - 1, -1), 2)
    m_tot = ms + mi
    labels: list[tuple[int, int]] = []
    energies: list[float] = []
    vectors: list[NDArray] = []
    n_i = one_i.shape[0]
    for m in np.arange(I + 0.5, -I - 1.5, -1):
        idx = np.flatnonzero(np.isclose(m_tot, m))
        w, v = np.linalg.eigh(H[np.ix_(idx, idx)])
        fs = [round(I + 0.5)] if idx.size == 1 else [round(I - 0.5), round(I + 0.5)]
        if a_hfs < 0:
            fs = fs[::-1]
        for col, f in enumerate(fs):
            vec = np.zeros(2 * n_i)
            vec[idx] = v[:, col]
            ref = _coupled_state(I, f, m, n_i)
            if vec @ ref < 0:
                vec = -vec
            labels.append((f, round(m)))
            energies.append(float(w[col]))
            vectors.append(vec)
    return AtomStates(tuple(labels), np.array(energies), np.array(vectors).T, (Sz, Sp, Sm))


def _coupled_state(I: float, f: int, m: float, n_i: int) -> NDArray[np.float64]:
    """|f, m⟩ = Σ ⟨I m_i; ½ m_s | f m⟩ |m_s, m_i⟩ (Condon–Shortley) on the uncoupled basis."""
    vec = np.zeros(2 * n_i)
    up = round(I - (m - 0.5))  # index of m_i = m − ½ (with m_s = +½)
    dn = n_i + round(I - (m + 0.5))  # index of m_i = m + ½ (with m_s = −½)
    den = 2 * I + 1
    if f == round(I + 0.5):
        c_up, c_dn = np.sqrt((I + m + 0.5) / den), np.sqrt((I - m + 0.5) / den)
    else:
        c_up, c_dn = -np.sqrt((I - m + 0.5) / den), np.sqrt((I + m + 0.5) / den)
    if 0 <= up < n_i:
        vec[up] = c_up
    if n_i <= dn < 2 * n_i:
        vec[dn] = c_dn
    return vec


@dataclass(frozen=True)
class PairChannels:
    """The s-wave channels of fixed M at one field.

    Attributes
    ----------
    labels : (f1, m1, f2, m2) of each channel (α ≤ β in the atomic order).
    thresholds_hz : E_α + E_β in Hz.
    singlet, triplet : P_S and P_T on the channels (real symmetric, n × n).
    field_gauss, M : the field (G) and total projection.
    exchange : +1 for exchange-symmetric channels (even L), −1 for antisymmetric (odd L).
    """

    labels: tuple[Label, ...]
    thresholds_hz: NDArray[np.float64]
    singlet: NDArray[np.float64]
    triplet: NDArray[np.float64]
    field_gauss: float
    M: int
    exchange: int = 1

    @property
    def size(self) -> int:
        """Number of channels."""
        return len(self.labels)

    def index(self, label: Label) -> int:
        """Position of channel ``(f1, m1, f2, m2)`` (either order of the two atoms)."""
        f1, m1, f2, m2 = label
        for k, lab in enumerate(self.labels):
            if lab in ((f1, m1, f2, m2), (f2, m2, f1, m1)):
                return k
        raise InputError("channel", label, f"one of {list(self.labels)}")

    @cached_property
    def singlet_fraction(self) -> NDArray[np.float64]:
        """⟨c|P_S|c⟩ for every channel."""
        return np.diag(self.singlet).copy()


def pair_channels(
    species: Species, field_gauss: float, M: int = 0, exchange: int = 1
) -> PairChannels:
    """Channels of total projection ``M`` at ``field_gauss`` (G): exchange-symmetric
    (``exchange`` = +1, even partial waves) or antisymmetric (−1, odd partial waves,
    (|α⟩|β⟩ − |β⟩|α⟩)/√2 with α before β in the atomic order).

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> ch = pair_channels(get_species("rb87", f=1), 0.0, M=0)
    >>> ch.size, bool(np.allclose(ch.singlet + ch.triplet, np.eye(ch.size)))
    (8, True)
    """
    atoms = atom_states(species, field_gauss)
    n = len(atoms.labels)
    if exchange not in (1, -1):
        raise InputError("exchange", exchange, "+1 (even L) or -1 (odd L)")
    ms = np.array([lab[1] for lab in atoms.labels])
    first = 0 if exchange == 1 else 1
    pairs = [(a, b) for a in range(n) for b in range(a + first, n) if ms[a] + ms[b] == M]
    if not pairs:
        raise InputError("M", M, f"|M| <= {2 * round(species.nuclear_spin + 0.5)}")
    U = atoms.vectors
    d = U.shape[0]
    C = np.zeros((d * d, len(pairs)))
    for k, (a, b) in enumerate(pairs):
        ab = np.kron(U[:, a], U[:, b])
        if a == b:
            C[:, k] = ab
        else:
            C[:, k] = (ab + exchange * np.kron(U[:, b], U[:, a])) / np.sqrt(2)
    Sz, Sp, Sm = atoms.s_ops
    s1s2 = np.kron(Sz, Sz) + 0.5 * (np.kron(Sp, Sm) + np.kron(Sm, Sp))
    s1s2_ch = C.T @ s1s2 @ C
    eye = np.eye(len(pairs))
    singlet = 0.25 * eye - s1s2_ch
    triplet = 0.75 * eye + s1s2_ch
    labels = tuple((*atoms.labels[a], *atoms.labels[b]) for a, b in pairs)
    thr = np.array([atoms.energies_hz[a] + atoms.energies_hz[b] for a, b in pairs])
    return PairChannels(labels, thr, singlet, triplet, float(field_gauss), int(M), int(exchange))


__all__ = ["AtomStates", "PairChannels", "atom_states", "pair_channels"]
