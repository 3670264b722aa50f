"""Two-atom spin-f algebra: pair basis, Clebsch–Gordan coefficients, total-spin projectors,
exchange symmetry, the named states of the paper, and entanglement measures.

Why one file of ~860 lines: every function here works on the same (2f+1)² pair basis
and shares its validation layer (:func:`check_state`); half the length is numpydoc
docstrings with runnable examples.

Conventions
-----------
* Single-atom index ``i`` ↔ ``m = f - i`` (the order of ``qutip.jmat``).
* Pair index ``i1 * (2f+1) + i2`` (atom 1 is the left tensor factor, as in ``qutip.tensor``).
* Clebsch–Gordan coefficients follow the Condon–Shortley phase convention.
* Pair states are numpy arrays: kets of shape ``(d²,)`` or density matrices ``(d², d²)``,
  with ``d = 2f + 1``.

Examples
--------
>>> rho = named_state("chi1", f=2)
>>> round(negativity(rho), 6), round(purity(rho), 6)
(0.5, 1.0)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InputError, check_range
from .validation import switch

if TYPE_CHECKING:  # pragma: no cover
    import qutip

Array = NDArray[np.complex128]


# --------------------------------------------------------------------------- basis


@dataclass(frozen=True)
class PairBasis:
    """The (2f+1)² product basis |m1, m2⟩ of two spin-f atoms.

    Examples
    --------
    >>> b = PairBasis(2)
    >>> b.dim, b.index(0, 0), b.labels[12]
    (25, 12, '0,0')
    """

    f: int

    def __post_init__(self) -> None:
        _check_f(self.f)

    @property
    def d(self) -> int:
        """Single-atom dimension 2f + 1."""
        return 2 * self.f + 1

    @property
    def dim(self) -> int:
        """Pair dimension (2f + 1)²."""
        return self.d**2

    @property
    def ms(self) -> NDArray[np.int64]:
        """Single-atom m values in index order (f, f-1, …, -f)."""
        return np.arange(self.f, -self.f - 1, -1)

    def single_index(self, m: int) -> int:
        """Index of |m⟩ for one atom."""
        if abs(int(m)) > self.f or int(m) != m:
            raise InputError("m", m, f"an integer with |m| <= {self.f}")
        return self.f - int(m)

    def index(self, m1: int, m2: int) -> int:
        """Index of |m1, m2⟩ in the pair basis."""
        return self.single_index(m1) * self.d + self.single_index(m2)

    def ket(self, m1: int, m2: int) -> Array:
        """The product ket |m1, m2⟩."""
        v = np.zeros(self.dim, dtype=complex)
        v[self.index(m1, m2)] = 1.0
        return v

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels ``"m1,m2"`` in index order."""
        return tuple(f"{m1},{m2}" for m1 in self.ms for m2 in self.ms)

    @property
    def total_m(self) -> NDArray[np.int64]:
        """M = m1 + m2 for every pair basis state."""
        return (self.ms[:, None] + self.ms[None, :]).ravel()


#: The largest atomic spin f accepted: a pair density matrix has (2f+1)⁴ entries
#: (f = 12: 6 MB), and no atom used in tweezers has a hyperfine level above it.
MAX_F = 12


def _check_f(f: Any) -> int:
    allowed = f"an integer in [1, {MAX_F}]"
    if isinstance(f, (bool, np.bool_)) or not isinstance(f, (int, float, np.integer, np.floating)):
        raise InputError("f", f, allowed)
    try:
        fi = int(f)
    except (TypeError, ValueError, OverflowError):
        raise InputError("f", f, allowed) from None
    if fi != f or not 1 <= fi <= MAX_F:
        raise InputError("f", f, allowed)
    return fi


def _whole(name: str, value: Any, lo: int, hi: int, allowed: str) -> int:
    """``value`` as an int in [lo, hi] (an integral float such as 2.0 is accepted; a bool,
    an array or None is not)."""
    ok = isinstance(value, (int, float, np.integer, np.floating))
    if not ok or isinstance(value, (bool, np.bool_)) or not math.isfinite(value):
        raise InputError(name, value, allowed)
    if int(value) != value or not lo <= value <= hi:
        raise InputError(name, value, allowed)
    return int(value)


def f_from_dim(dim: int) -> int:
    """Spin f of a pair operator of dimension ``dim`` = (2f+1)²."""
    d = math.isqrt(dim)
    if d * d != dim or d % 2 == 0 or d < 3:
        raise InputError("state dimension", dim, "(2f+1)² for integer f >= 1")
    return (d - 1) // 2


# --------------------------------------------------------------------------- Clebsch–Gordan


@cache
def clebsch_gordan(j1: float, m1: float, j2: float, m2: float, j: float, m: float) -> float:
    """Clebsch–Gordan coefficient ⟨j1 m1; j2 m2 | j m⟩ (Condon–Shortley), by Racah's formula.

    Examples
    --------
    >>> round(clebsch_gordan(2, 1, 2, -1, 0, 0), 6)  # -1/√5
    -0.447214
    """
    if abs(m1 + m2 - m) > 1e-9:
        return 0.0
    if not (abs(j1 - j2) - 1e-9 <= j <= j1 + j2 + 1e-9):
        return 0.0
    if abs(m1) > j1 + 1e-9 or abs(m2) > j2 + 1e-9 or abs(m) > j + 1e-9:
        return 0.0

    def fac(x: float) -> int:
        n = round(x)
        if abs(n - x) > 1e-9 or n < 0:
            raise ValueError("non-integer factorial argument")
        return math.factorial(n)

    pref = (
        (2 * j + 1) * fac(j1 + j2 - j) * fac(j1 - j2 + j) * fac(-j1 + j2 + j) / fac(j1 + j2 + j + 1)
    )
    pref *= fac(j1 + m1) * fac(j1 - m1) * fac(j2 + m2) * fac(j2 - m2) * fac(j + m) * fac(j - m)
    total = 0.0
    kmin = max(0, round(j2 - j - m1), round(j1 + m2 - j))
    kmax = min(round(j1 + j2 - j), round(j1 - m1), round(j2 + m2))
    for k in range(kmin, kmax + 1):
        den = (
            fac(k)
            * fac(j1 + j2 - j - k)
            * fac(j1 - m1 - k)
            * fac(j2 + m2 - k)
            * fac(j - j2 + m1 + k)
            * fac(j - j1 - m2 + k)
        )
        total += (-1) ** k / den
    return float(math.sqrt(pref) * total)


@cache
def _total_spin_state_cached(f: int, F: int, M: int) -> Array:
    basis = PairBasis(f)
    v = np.zeros(basis.dim, dtype=complex)
    for m1 in basis.ms:
        m2 = M - m1
        if abs(m2) <= f:
            v[basis.index(m1, m2)] = clebsch_gordan(f, m1, f, m2, F, M)
    v.setflags(write=False)
    return v


def total_spin_state(f: int, F: int, M: int) -> Array:
    """The coupled ket |F, M⟩ = Σ ⟨f m1; f m2|F M⟩ |m1, m2⟩ in the pair basis.

    Examples
    --------
    >>> np.round(total_spin_state(1, 0, 0).real, 4)[[2, 4, 6]]
    array([ 0.5774, -0.5774,  0.5774])
    """
    f = _check_f(f)
    F = _whole("F", F, 0, 2 * f, f"an integer in [0, {2 * f}]")
    M = _whole("M", M, -F, F, f"an integer with |M| <= F = {F}")
    return _total_spin_state_cached(f, F, M).copy()


@cache
def _projector_cached(f: int, F: int) -> Array:
    P = np.zeros((PairBasis(f).dim,) * 2, dtype=complex)
    for M in range(-F, F + 1):
        v = _total_spin_state_cached(f, F, M)
        P += np.outer(v, v.conj())
    P.setflags(write=False)
    return P


def total_spin_projector(f: int, F: int) -> Array:
    """Projector P_F = Σ_M |F, M⟩⟨F, M| onto total pair spin F.

    Parameters
    ----------
    f : int
        Spin f of each atom.
    F : int
        Total spin, 0 ≤ F ≤ 2f.

    Returns
    -------
    numpy.ndarray
        Real symmetric projector, shape ((2f+1)², (2f+1)²), of rank 2F + 1.

    Raises
    ------
    spinpair.errors.InputError
        For F outside 0 … 2f or an invalid f.

    Examples
    --------
    >>> round(np.trace(total_spin_projector(2, 4)).real)
    9
    """
    total_spin_state(f, F, 0)  # validates
    return _projector_cached(int(f), int(F)).copy()


def exchange_operator(f: int) -> Array:
    """The swap operator |m1, m2⟩ → |m2, m1⟩ (eigenvalue +1 on even F, -1 on odd F)."""
    basis = PairBasis(f)
    S = np.zeros((basis.dim, basis.dim), dtype=complex)
    for m1 in basis.ms:
        for m2 in basis.ms:
            S[basis.index(m2, m1), basis.index(m1, m2)] = 1.0
    return S


def channel_operator(f: int, a_by_channel: dict[int, float]) -> Array:
    """Σ_F a_F P_F on the full pair space (for example the contact interaction in a_B).

    Examples
    --------
    >>> V = channel_operator(2, {0: 1.0, 2: 1.0, 4: 1.0})
    >>> bool(np.allclose(V, (exchange_operator(2) + np.eye(25)) / 2))
    True
    """
    basis = PairBasis(f)
    V = np.zeros((basis.dim, basis.dim), dtype=complex)
    for F, a in a_by_channel.items():
        V += float(a) * _projector_cached(basis.f, int(F))
    return V


# --------------------------------------------------------------------------- sectors


@dataclass(frozen=True)
class Sector:
    """Orthonormal basis of the exchange-symmetric (or antisymmetric) states with M = m1 + m2.

    ``vectors`` has shape ``(d², n)``; columns are the sector states in the order of
    ``labels``. For M = 0 and symmetric: ``("00", "chi1", …, "chi{f}")``.

    Examples
    --------
    >>> symmetric_sector(2, 0).labels
    ('00', 'chi1', 'chi2')
    """

    f: int
    M: int
    symmetric: bool
    vectors: Array
    labels: tuple[str, ...]

    @property
    def size(self) -> int:
        """Number of states in the sector."""
        return self.vectors.shape[1]

    def restrict(self, op: ArrayLike) -> Array:
        """B† op B: an operator on the pair space restricted to the sector."""
        B = self.vectors
        return B.conj().T @ np.asarray(op, dtype=complex) @ B

    def embed(self, op: ArrayLike) -> Array:
        """B op B†: a sector operator (… , n, n) lifted to the pair space."""
        B = self.vectors
        return B @ np.asarray(op, dtype=complex) @ B.conj().T


def _sector_label(m1: int, m2: int, symmetric: bool) -> str:
    if m1 == m2:
        return f"{m1}{m2}" if m1 == 0 else f"{m1},{m2}"
    if m1 == -m2:
        return f"chi{abs(m1)}" if symmetric else f"chi{abs(m1)}_minus"
    sign = "+" if symmetric else "-"
    return f"{{{m1},{m2}}}{sign}"


@cache
def _sector_cached(f: int, M: int, symmetric: bool) -> Sector:
    basis = PairBasis(f)
    cols: list[Array] = []
    labels: list[str] = []
    # order: m1 = m2 first (if any), then growing m1 - m2
    pairs = sorted(
        {(max(m1, M - m1), min(m1, M - m1)) for m1 in basis.ms if abs(M - m1) <= f},
        key=lambda p: p[0] - p[1],
    )
    for m1, m2 in pairs:
        if m1 == m2:
            if not symmetric:
                continue
            cols.append(basis.ket(m1, m2))
        else:
            s = 1.0 if symmetric else -1.0
            cols.append((basis.ket(m1, m2) + s * basis.ket(m2, m1)) / math.sqrt(2))
        labels.append(_sector_label(int(m1), int(m2), symmetric))
    vecs = np.array(cols).T if cols else np.zeros((basis.dim, 0), dtype=complex)
    vecs.setflags(write=False)
    return Sector(f=f, M=M, symmetric=symmetric, vectors=vecs, labels=tuple(labels))


def symmetric_sector(f: int, M: int = 0, symmetric: bool = True) -> Sector:
    """The exchange-symmetric (``symmetric=True``) or antisymmetric sector with total M.

    Collisions conserve both M and exchange symmetry, so dynamics can run in a sector.

    Parameters
    ----------
    f : int
        Spin f of each atom.
    M : int, optional
        Total magnetic quantum number m1 + m2, in −2f … 2f (default 0).
    symmetric : bool, optional
        Exchange-symmetric (default) or antisymmetric sector.

    Returns
    -------
    Sector
        The sector's orthonormal basis in the pair space and its labels.

    Examples
    --------
    >>> symmetric_sector(2, 1).labels
    ('{1,0}+', '{2,-1}+')
    """
    f = _check_f(f)
    M = _whole("M", M, -2 * f, 2 * f, f"an integer with |M| <= {2 * f}")
    return _sector_cached(f, M, switch("symmetric", symmetric))


# --------------------------------------------------------------------------- named states

_PRODUCT_RE = re.compile(r"^\s*(-?\d+)\s*,\s*(-?\d+)\s*$")


def named_state_names(f: int = 2) -> tuple[str, ...]:
    """Names accepted by :func:`named_state` for spin f (product states ``m1,m2`` too)."""
    chis = tuple(f"chi{k}" for k in range(1, f + 1))
    return ("00", *chis, "chi_minus", "phi_plus", "mixed")


def named_ket(name: str, f: int = 2) -> Array:
    """Ket of a pure named pair state.

    Parameters
    ----------
    name : str
        ``00``, ``chi1`` … ``chi{f}`` ((|k,−k⟩ + |−k,k⟩)/√2), ``chi_minus``, ``phi_plus``, or
        a product ``m1,m2``.
    f : int, optional
        Spin f of each atom, 1 … 8 (default 2).

    Returns
    -------
    numpy.ndarray
        Complex unit vector of length (2f+1)² in the basis of :class:`PairBasis`.

    Raises
    ------
    spinpair.errors.InputError
        For an unknown name (``mixed`` has no ket) or an m outside −f … f.

    Examples
    --------
    >>> v = named_ket("chi1")
    >>> round(float(abs(v[PairBasis(2).index(1, -1)])) ** 2, 3)
    0.5
    """
    f = _check_f(f)
    b = PairBasis(f)
    key = str(name).strip().lower()
    r2 = math.sqrt(2)
    if key == "00":
        return b.ket(0, 0)
    m = re.fullmatch(r"chi(\d+)", key)
    if m:
        k = int(m.group(1))
        if not 1 <= k <= f:
            raise InputError("state", name, f"chi1..chi{f} for f = {f}")
        return (b.ket(k, -k) + b.ket(-k, k)) / r2
    if key in ("chi_minus", "chi1_minus"):
        return (b.ket(1, -1) - b.ket(-1, 1)) / r2
    if key == "phi_plus":
        return (b.ket(1, 1) + b.ket(-1, -1)) / r2
    pm = _PRODUCT_RE.match(key)
    if pm:
        m1, m2 = int(pm.group(1)), int(pm.group(2))
        if abs(m1) > f or abs(m2) > f:
            raise InputError("state", name, f"product m1,m2 with |m| <= {f}")
        return b.ket(m1, m2)
    raise InputError(
        "state",
        str(name)[:80],
        f"00, chi1..chi{f}, chi_minus, phi_plus, mixed or a product 'm1,m2' with |m| <= {f}",
    )


def named_state(name: str, f: int = 2) -> Array:
    """Density matrix of a named pair state (spec §1), including ``mixed``.

    Parameters
    ----------
    name : str
        ``00``, ``chi1`` … ``chi{f}``, ``chi_minus``, ``phi_plus``, ``mixed`` (the equal
        mixture of |1,−1⟩ and |−1,1⟩) or a product ``m1,m2`` (for example ``-1,1``).
    f : int, optional
        Spin f of each atom, 1 … 8 (default 2).

    Returns
    -------
    numpy.ndarray
        Complex density matrix, shape ((2f+1)², (2f+1)²), in the basis of :class:`PairBasis`.

    Raises
    ------
    spinpair.errors.InputError
        For an unknown name or an m outside −f … f.

    Examples
    --------
    >>> round(fidelity(named_state("mixed"), named_ket("chi1")), 3)
    0.5
    """
    if str(name).strip().lower() == "mixed":
        return rho_family(0.0, f)
    v = named_ket(name, f)
    return np.outer(v, v.conj())


def rho_family(c: float, f: int = 2) -> Array:
    """The family ρ(c) = ½(|1,−1⟩⟨1,−1| + |−1,1⟩⟨−1,1|) + (c/2)(|1,−1⟩⟨−1,1| + h.c.).

    Fidelity with chi1 is (1 + c)/2; ρ(c) is entangled iff c ≠ 0.

    Parameters
    ----------
    c : float
        chi1 coherence, in [−1, 1] (dimensionless).
    f : int, optional
        Spin f of each atom (default 2).

    Returns
    -------
    numpy.ndarray
        Density matrix, shape ((2f+1)², (2f+1)²).

    Raises
    ------
    spinpair.errors.InputError
        If ``c`` is not a finite number in [−1, 1].

    Examples
    --------
    >>> round(fidelity(rho_family(0.8), named_ket("chi1")), 3)
    0.9
    """
    c = check_range("chi1_coherence", c, -1.0, 1.0)
    b = PairBasis(_check_f(f))
    i, j = b.index(1, -1), b.index(-1, 1)
    rho = np.zeros((b.dim, b.dim), dtype=complex)
    rho[i, i] = rho[j, j] = 0.5
    rho[i, j] = rho[j, i] = 0.5 * c
    return rho


# --------------------------------------------------------------------------- measures


#: Tolerance of the state checks (absolute, on a state of unit trace): Hermiticity,
#: trace 1, no eigenvalue below −STATE_TOL, a ket's norm 1.
STATE_TOL = 1e-8


def _as_array(state: Any, name: str) -> np.ndarray:
    """A numpy array from an array-like or a ``qutip.Qobj`` (anything with ``.full()``)."""
    if hasattr(state, "full") and callable(state.full):
        a = np.asarray(state.full(), dtype=complex)
        if a.ndim == 2 and a.shape[1] == 1 and a.shape[0] > 1:
            a = a[:, 0]  # a Qobj ket
        return a
    if isinstance(state, (str, bytes)):
        raise InputError(name, state, "a ket, a density matrix or a qutip.Qobj", "got a string")
    try:
        return np.asarray(state, dtype=complex)
    except (TypeError, ValueError):
        raise InputError(
            name, type(state).__name__, "a ket, a density matrix or a qutip.Qobj"
        ) from None


def as_density_matrix(
    state: ArrayLike, *, check: bool = False, name: str = "state", f: int | None = None
) -> Array:
    """A ket (n,) as its density matrix |ψ⟩⟨ψ|; a density matrix (n, n) unchanged; a
    ``qutip.Qobj`` converted. With ``check=True`` the state must be physical (see
    :func:`check_state`), else shapes only are checked (for unnormalised intermediate
    states inside the sequence).

    >>> as_density_matrix([1, 0]).real.tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    if switch("check", check):
        return check_state(state, name, f=f)
    a = _as_array(state, name)
    if a.ndim == 1:
        return np.outer(a, a.conj())
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InputError(name, a.shape, "a ket (n,) or a density matrix (n, n)")
    return a


def check_state(
    state: Any, name: str = "rho", *, f: int | None = None, tol: float = STATE_TOL
) -> Array:
    """The density matrix of a physical pair state, or InputError naming ``name``.

    Accepts a ket (n,), a density matrix (n, n) or a ``qutip.Qobj``; n = (2f + 1)² for a
    pair of spin-f atoms (``f`` given: exactly that f). Checks: finite entries, a
    normalised ket (‖ψ‖ = 1 ± tol) or a Hermitian matrix (‖ρ − ρ†‖ ≤ tol) of unit trace
    (± tol) with no eigenvalue below −tol. Pass ``check=False`` to the measures to skip
    this in inner loops.

    Examples
    --------
    >>> check_state(named_ket("chi1")).shape
    (25, 25)
    >>> try:
    ...     check_state(2 * named_state("chi1"))
    ... except InputError as e:
    ...     print(e.value)
    trace 2
    """
    a = _as_array(state, name)
    if a.ndim not in (1, 2) or (a.ndim == 2 and a.shape[0] != a.shape[1]) or a.size == 0:
        raise InputError(name, list(a.shape), "a ket (n,) or a square density matrix (n, n)")
    n = a.shape[0]
    if f is not None:
        d2 = (2 * int(f) + 1) ** 2
        if n != d2:
            raise InputError(name, list(a.shape), f"dimension {d2} (a pair of spin-{f} atoms)")
    else:
        try:
            f_from_dim(n)
        except InputError:
            raise InputError(
                name, list(a.shape), "dimension (2f + 1)^2 of a pair of spin-f atoms (9, 25, ...)"
            ) from None
    if not np.all(np.isfinite(a)):
        raise InputError(name, "non-finite entries", "finite numbers")
    if a.ndim == 1:
        norm = float(np.linalg.norm(a))
        if abs(norm - 1.0) > tol:
            raise InputError(name, f"norm {norm:.6g}", f"a normalised ket (within {tol:g})")
        return np.outer(a, a.conj())
    herm = float(np.max(np.abs(a - a.conj().T)))
    if herm > tol:
        raise InputError(
            name, f"|rho - rho^dagger| = {herm:.3g}", f"a Hermitian matrix (within {tol:g})"
        )
    tr = float(np.real(np.trace(a)))
    if abs(tr - 1.0) > tol:
        raise InputError(
            name, f"trace {tr:.6g}", f"a density matrix of unit trace (within {tol:g})"
        )
    low = float(np.linalg.eigvalsh(0.5 * (a + a.conj().T))[0])
    if low < -tol:
        raise InputError(
            name, f"eigenvalue {low:.3g}", f"a positive semidefinite matrix (within {tol:g})"
        )
    return a


def _psd_sqrt(rho: Array) -> Array:
    w, v = np.linalg.eigh(0.5 * (rho + rho.conj().T))
    w = np.clip(w, 0.0, None)
    return (v * np.sqrt(w)) @ v.conj().T


def fidelity(rho: ArrayLike, target: ArrayLike, *, check: bool = True) -> float:
    """Fidelity of ``rho`` with ``target`` in the squared convention (paper's F with chi1).

    Uhlmann's F = (tr √(√ρ σ √ρ))², which for a pure target is F = ⟨ψ|ρ|ψ⟩.
    ``qutip.fidelity`` returns the square root, tr √(√ρ σ √ρ): ``qutip.fidelity(a, b) ** 2``
    equals this.

    Parameters
    ----------
    rho, target : array_like or qutip.Qobj
        Pair states of the same spin f: kets (length (2f+1)²) or density matrices
        ((2f+1)² × (2f+1)²), in the basis of :class:`PairBasis`.
    check : bool, optional
        Check that both are physical states (normalised, Hermitian, positive) within
        :data:`~spinpair.validation.STATE_TOL`; ``False`` skips the check in inner loops.

    Returns
    -------
    float
        F in [0, 1] (dimensionless).

    Raises
    ------
    spinpair.errors.InputError
        If a state has the wrong shape or is not physical (with ``check=True``).

    Examples
    --------
    >>> round(fidelity(named_state("chi1"), named_ket("chi_minus")), 6)
    0.0
    >>> round(fidelity(rho_family(0.8), named_ket("chi1")), 6)
    0.9
    """
    r = as_density_matrix(rho, check=check, name="rho")
    t = _as_array(target, "target")
    if t.ndim == 1:
        if check:
            check_state(t, "target", f=f_from_dim(r.shape[0]))
        elif t.shape[0] != r.shape[0]:
            raise InputError("target", list(t.shape), f"dimension {r.shape[0]}, as rho")
        return float(np.real(t.conj() @ r @ t))
    s = as_density_matrix(
        t, check=check, name="target", f=f_from_dim(r.shape[0]) if check else None
    )
    if s.shape != r.shape:
        raise InputError("target", list(s.shape), f"shape {list(r.shape)}, as rho")
    sr = _psd_sqrt(r)
    w = np.linalg.eigvalsh(sr @ s @ sr)
    return float(np.sum(np.sqrt(np.clip(w, 0.0, None))) ** 2)


def partial_transpose(rho: ArrayLike, *, check: bool = True) -> Array:
    """Partial transpose on atom 2 of a pair density matrix (checked unless
    ``check=False``)."""
    r = as_density_matrix(rho, check=check, name="rho")
    f = f_from_dim(r.shape[0])
    d = 2 * f + 1
    return r.reshape(d, d, d, d).transpose(0, 3, 2, 1).reshape(d * d, d * d)


def negativity(rho: ArrayLike, *, check: bool = True) -> float:
    """Negativity N = (‖ρ^{T_B}‖₁ − tr ρ)/2 of a pair state (any f).

    0 for separable states, ½ for chi1 and the other maximally entangled two-level states;
    N > 0 proves entanglement.

    Parameters
    ----------
    rho : array_like or qutip.Qobj
        Pair state: ket or density matrix of dimension (2f+1)².
    check : bool, optional
        Check that ``rho`` is a physical state (see :func:`fidelity`).

    Returns
    -------
    float
        N ≥ 0 (dimensionless).

    Raises
    ------
    spinpair.errors.InputError
        If ``rho`` has the wrong shape or is not physical (with ``check=True``).

    Examples
    --------
    >>> round(negativity(named_state("chi2")), 6)
    0.5
    """
    r = as_density_matrix(rho, check=check, name="rho")
    w = np.linalg.eigvalsh(partial_transpose(r, check=False))
    return float(-np.sum(w[w < 0])) + 0.0  # + 0.0 turns -0.0 into 0.0


def purity(rho: ArrayLike, *, check: bool = True) -> float:
    """Purity tr ρ² of a pair state.

    Parameters
    ----------
    rho : array_like or qutip.Qobj
        Pair state: ket or density matrix of dimension (2f+1)².
    check : bool, optional
        Check that ``rho`` is a physical state (see :func:`fidelity`).

    Returns
    -------
    float
        tr ρ² in [1/n, 1] (dimensionless): 1 for a pure state, 1/n for the maximally mixed
        one of dimension n.

    Raises
    ------
    spinpair.errors.InputError
        If ``rho`` has the wrong shape or is not physical (with ``check=True``).

    Examples
    --------
    >>> round(purity(named_state("mixed")), 6)
    0.5
    >>> round(purity(named_ket("chi1")), 6)
    1.0
    """
    r = as_density_matrix(rho, check=check, name="rho")
    return float(np.real(np.trace(r @ r)))


_SY2 = np.array([[0, 0, 0, -1], [0, 0, 1, 0], [0, 1, 0, 0], [-1, 0, 0, 0]], dtype=complex)


def qubit_block(rho: ArrayLike, *, check: bool = True) -> Array:
    """The (unnormalised) 4×4 block of ρ on span{|1⟩, |-1⟩}⊗span{|1⟩, |-1⟩}.

    Order: |1,1⟩, |1,-1⟩, |-1,1⟩, |-1,-1⟩ (qubit |0⟩ ≡ m = +1).
    """
    r = as_density_matrix(rho, check=check, name="rho")
    b = PairBasis(f_from_dim(r.shape[0]))
    idx = [b.index(1, 1), b.index(1, -1), b.index(-1, 1), b.index(-1, -1)]
    return r[np.ix_(idx, idx)]


def concurrence_pm1(rho: ArrayLike, *, check: bool = True) -> float:
    """Wootters concurrence of ρ conditioned on both atoms in span{|1⟩, |−1⟩}.

    The 4×4 block on that subspace is renormalised first (0 if it carries no weight).
    For ρ(c) of :func:`rho_family`, the concurrence is |c|.

    Parameters
    ----------
    rho : array_like or qutip.Qobj
        Pair state: ket or density matrix of dimension (2f+1)².
    check : bool, optional
        Check that ``rho`` is a physical state (see :func:`fidelity`).

    Returns
    -------
    float
        Concurrence in [0, 1] (dimensionless).

    Raises
    ------
    spinpair.errors.InputError
        If ``rho`` has the wrong shape or is not physical (with ``check=True``).

    Examples
    --------
    >>> round(concurrence_pm1(rho_family(-0.6)), 6)
    0.6
    """
    q = qubit_block(rho, check=check)
    w = float(np.real(np.trace(q)))
    if w <= 1e-14:
        return 0.0
    q = q / w
    R = q @ _SY2 @ q.conj() @ _SY2
    lam = np.sqrt(np.clip(np.sort(np.real(np.linalg.eigvals(R)))[::-1], 0.0, None))
    return float(max(0.0, lam[0] - lam[1] - lam[2] - lam[3]))


def populations(
    rho: ArrayLike, names: tuple[str, ...] | None = None, *, check: bool = True
) -> dict[str, float]:
    """Populations ⟨ψ|ρ|ψ⟩ of named states (default: ``00``, ``chi1``…, ``chi_minus``)."""
    r = as_density_matrix(rho, check=check, name="rho")
    f = f_from_dim(r.shape[0])
    if names is None:
        names = ("00", *tuple(f"chi{k}" for k in range(1, f + 1)), "chi_minus")
    return {n: fidelity(r, named_ket(n, f), check=False) for n in names}


# --------------------------------------------------------------------------- QuTiP interop


def to_qutip(state: ArrayLike) -> qutip.Qobj:
    """Convert a pair ket or density matrix to a ``qutip.Qobj`` with dims [[d, d], …].

    Examples
    --------
    >>> to_qutip(named_state("chi1")).dims
    [[5, 5], [5, 5]]
    """
    from ._extras import require

    require("qutip", "to_qutip")
    import qutip

    a = np.asarray(state, dtype=complex)
    n = a.shape[0]
    d = 2 * f_from_dim(n) + 1
    if a.ndim == 1:
        return qutip.Qobj(a.reshape(n, 1), dims=[[d, d], [1]])
    return qutip.Qobj(a, dims=[[d, d], [d, d]])


def from_qutip(obj: qutip.Qobj) -> Array:
    """Convert a ``qutip.Qobj`` (ket or operator on the pair space) to a numpy array."""
    if not (hasattr(obj, "full") and callable(obj.full)):
        raise InputError(
            "obj", type(obj).__name__, "a qutip.Qobj (numpy arrays need no conversion)"
        )
    a = np.asarray(obj.full(), dtype=complex)
    if a.shape[1] == 1:
        a = a[:, 0]
    f_from_dim(a.shape[0])
    return a


__all__ = [
    "STATE_TOL",
    "PairBasis",
    "Sector",
    "as_density_matrix",
    "channel_operator",
    "check_state",
    "clebsch_gordan",
    "concurrence_pm1",
    "exchange_operator",
    "f_from_dim",
    "fidelity",
    "from_qutip",
    "named_ket",
    "named_state",
    "named_state_names",
    "negativity",
    "partial_transpose",
    "populations",
    "purity",
    "qubit_block",
    "rho_family",
    "symmetric_sector",
    "to_qutip",
    "total_spin_projector",
    "total_spin_state",
]
