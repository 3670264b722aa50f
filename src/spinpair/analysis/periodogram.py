"""Lomb–Scargle periodogram of a fringe y(δ): the start of every fringe fit.

P(ω) = ½[(Σ w y cos ω(x−τ))² / Σ w cos² ω(x−τ) + (Σ w y sin ω(x−τ))² / Σ w sin² ω(x−τ)],
tan 2ωτ = Σ w sin 2ωx / Σ w cos 2ωx (weights normalised to mean 1), as
``scipy.signal.lombscargle``. Two ways to the same numbers:

* any grid: the direct sums, O(points × frequencies) (:func:`lombscargle_direct`);
* a uniform grid x_j = x_0 + j h (``numpy.linspace`` detunings, what ``spinpair ramsey``
  scans): every sum is a chirp-z transform Σ_j a_j e^{iθjk} over the uniform frequency grid,
  evaluated with FFTs by Bluestein's identity jk = (j² + k² − (k−j)²)/2 in
  O((points + frequencies) log) (:func:`lombscargle_uniform`). Only the two complex sums
  Z₁ = Σ w y e^{iωx} and Z₂ = Σ w e^{2iωx} are needed: with 2ωτ = arg Z₂,
  Σ w cos² = (W + |Z₂|)/2 and Σ w sin² = (W − |Z₂|)/2.

Both equal ``scipy.signal.lombscargle`` (tests: 1e-10 relative where the power exceeds
1e-12 of its maximum; below that the FFT's absolute rounding, ~1e-16 of the largest sum,
dominates). Where a sine (or cosine) column vanishes identically — at the Nyquist
frequency of a uniform grid every sin ω(x−τ) is zero — its term is 0 (the column fits
nothing), in both ways, instead of the 0/0 rounding noise of the bare formula.

The FFT is written here with ``numpy.fft`` (a dozen lines) rather than taken from
``scipy.signal.czt``: importing ``scipy.signal`` costs ~0.7 s on every ``spinpair ramsey``;
the tests check it against ``scipy.signal``.

Examples
--------
>>> import numpy as np
>>> d = np.linspace(0, 1e6, 201)
>>> f, p = periodogram(d, np.cos(2 * np.pi * d / 1e5))
>>> round(1 / f[np.argmax(p)] / 1e3)
100
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError

#: Largest (frequency × detuning) table :func:`lombscargle_direct` builds at once (8 bytes
#: each; a few such tables live at a time).
LOMBSCARGLE_BLOCK = 1 << 21

#: A column whose Σ w (sin or cos)² is at most this fraction of Σ w is identically zero on
#: the grid (only the Nyquist frequency of a uniform grid and ω = 0; the frequencies next to
#: the Nyquist one of an oversampled grid stay above 1e-6).
DEGENERATE_COLUMN = 1e-10

#: A grid is uniform when every x_j is within this many units of the last place of
#: max|x| of x_0 + j h (``numpy.linspace`` grids are within one).
UNIFORM_ULPS = 8.0


def periodogram(
    detuning_hz: ArrayLike,
    y: ArrayLike,
    sigma: ArrayLike | None = None,
    *,
    oversample: int = 10,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lomb–Scargle periodogram of y(δ): frequencies (1/Hz of detuning) and power.

    Frequencies run from 0.5/span to the Nyquist frequency 0.5/median(Δδ), oversampled
    (about 5·oversample frequencies per detuning); Δδ are the steps between *distinct*
    detunings, so repeated scans (concatenated in any order) are simply more points.
    Uniform detuning grids use the FFT (:func:`lombscargle_uniform`), others the direct
    sums.

    Examples
    --------
    >>> d = np.linspace(0, 1e6, 201)
    >>> f, p = periodogram(d, np.cos(2 * np.pi * d / 1e5))
    >>> round(1 / f[np.argmax(p)] / 1e3)
    100
    """
    x = np.asarray(detuning_hz, dtype=float)
    yy = np.asarray(y, dtype=float)
    distinct = np.unique(x)  # repeated scans (the same detunings again) are more points
    if distinct.size < 2:
        raise InputError("detuning_hz", x.tolist()[:3], "at least two distinct detunings")
    span = float(np.ptp(x))
    step = float(np.median(np.diff(distinct)))
    f_lo, f_hi = 0.5 / span, 0.5 / step
    n = max(64, int(oversample * span * (f_hi - f_lo)) + 1)
    freqs = np.linspace(f_lo, f_hi, n)
    w = None if sigma is None else 1.0 / np.asarray(sigma, dtype=float) ** 2
    yc = yy - (np.average(yy, weights=w) if w is not None else yy.mean())
    omega = 2 * np.pi * freqs
    if uniform_grid(x):
        return freqs, lombscargle_uniform(x, yc, omega, w)
    return freqs, lombscargle_direct(x, yc, omega, w)


def uniform_grid(x: NDArray[np.float64]) -> bool:
    """True if the sorted or reversed ``x`` is x_0 + j h (h ≠ 0) to rounding
    (:data:`UNIFORM_ULPS` units in the last place of max|x|), with at least 3 points."""
    if x.ndim != 1 or x.size < 3:
        return False
    h = (x[-1] - x[0]) / (x.size - 1)
    if h == 0 or not np.isfinite(h):
        return False
    dev = np.max(np.abs(x - (x[0] + h * np.arange(x.size))))
    return bool(dev <= UNIFORM_ULPS * np.spacing(np.max(np.abs(x))))


def _power(z1: NDArray, z2: NDArray, total: float) -> NDArray[np.float64]:
    """P from Z₁ = Σ w y e^{iωx}, Z₂ = Σ w e^{2iωx} and W = Σ w (see the module)."""
    r = np.abs(z2)
    zz = z1 * np.exp(-0.5j * np.angle(z2))  # Σ w y e^{iω(x−τ)}
    cc, ss = 0.5 * (total + r), 0.5 * (total - r)
    return _terms(zz.real, cc, zz.imag, ss, total)


def _terms(yc: NDArray, cc: NDArray, ys: NDArray, ss: NDArray, total: float) -> NDArray:
    """½(yc²/cc + ys²/ss), a term 0 where its column vanishes (cc or ss ≤ 1e-10 W)."""
    floor = DEGENERATE_COLUMN * total
    c_ok, s_ok = cc > floor, ss > floor
    with np.errstate(divide="ignore", invalid="ignore"):
        return 0.5 * (
            np.where(c_ok, yc**2 / np.where(c_ok, cc, 1.0), 0.0)
            + np.where(s_ok, ys**2 / np.where(s_ok, ss, 1.0), 0.0)
        )


def _normalised(x: NDArray, w: NDArray | None) -> NDArray[np.float64]:
    return np.ones_like(x) if w is None else w * (x.size / np.sum(w))


def lombscargle_direct(
    x: NDArray, y: NDArray, omega: NDArray, w: NDArray | None = None
) -> NDArray[np.float64]:
    """The periodogram of ``y`` (centred by the caller) at angular frequencies ``omega``
    (rad per unit of x) on any grid ``x``, by the direct sums, frequencies in blocks of at
    most :data:`LOMBSCARGLE_BLOCK` entries (memory stays bounded)."""
    w = _normalised(x, w)
    wy = w * y
    total = float(np.sum(w))
    out = np.empty(omega.size)
    step = max(1, LOMBSCARGLE_BLOCK // max(x.size, 1))
    for i in range(0, omega.size, step):
        wx = np.outer(omega[i : i + step], x)
        tau = np.arctan2(np.sin(2 * wx) @ w, np.cos(2 * wx) @ w) / 2
        phase = wx - tau[:, None]
        c, s = np.cos(phase), np.sin(phase)
        out[i : i + step] = _terms(c @ wy, c * c @ w, s @ wy, s * s @ w, total)
    return out


@functools.lru_cache(maxsize=4)
def _bluestein_kernel(n: int, m: int, theta: float) -> tuple[NDArray, NDArray]:
    """The chirp e^{iθq²/2} (q < max(n, m)) and the FFT of the convolution kernel, cached:
    the signals of one scan share them (read-only arrays)."""
    size = 1 << int(np.ceil(np.log2(n + m - 1)))
    q = np.arange(max(n, m), dtype=float)
    chirp = np.exp(0.5j * theta * q * q)
    v = np.zeros(size, dtype=complex)
    v[:m] = chirp[:m].conj()
    if n > 1:
        v[size - n + 1 :] = chirp[1:n][::-1].conj()
    kernel = np.fft.fft(v)
    chirp.setflags(write=False)
    kernel.setflags(write=False)
    return chirp, kernel


def chirp_sums(a: NDArray[np.complex128], theta: float, m: int) -> NDArray[np.complex128]:
    """Σ_j a_j e^{iθjk} for k = 0 … m−1 (a chirp-z transform on the unit circle) by
    Bluestein's identity: one circular convolution of length ≥ len(a) + m − 1 by FFT.

    Examples
    --------
    >>> a = np.array([1.0, 2.0, 3.0], dtype=complex)
    >>> direct = [np.sum(a * np.exp(0.3j * np.arange(3) * k)) for k in range(4)]
    >>> bool(np.allclose(chirp_sums(a, 0.3, 4), direct))
    True
    """
    n = a.size
    chirp, kernel = _bluestein_kernel(n, m, float(theta))
    u = np.zeros(kernel.size, dtype=complex)
    u[:n] = a * chirp[:n]
    conv = np.fft.ifft(np.fft.fft(u) * kernel)[:m]
    return chirp[:m] * conv


def lombscargle_uniform(
    x: NDArray, y: NDArray, omega: NDArray, w: NDArray | None = None
) -> NDArray[np.float64]:
    """:func:`lombscargle_direct` for a uniform grid ``x`` (:func:`uniform_grid`) and
    uniform ``omega`` (≥ 2 frequencies, as :func:`periodogram` makes), by FFT."""
    w = _normalised(x, w)
    m = omega.size
    h = (x[-1] - x[0]) / (x.size - 1)
    d_omega = (omega[-1] - omega[0]) / (m - 1)
    jh = h * np.arange(x.size)
    z1 = chirp_sums(w * y * np.exp(1j * omega[0] * jh), d_omega * h, m)
    z2 = chirp_sums(w * np.exp(2j * omega[0] * jh), 2 * d_omega * h, m)
    z1 *= np.exp(1j * omega * x[0])
    z2 *= np.exp(2j * omega * x[0])
    return _power(z1, z2, float(np.sum(w)))


__all__ = [
    "LOMBSCARGLE_BLOCK",
    "chirp_sums",
    "lombscargle_direct",
    "lombscargle_uniform",
    "periodogram",
    "uniform_grid",
]
