"""Fringe fits: period recovery from noisy multinomial counts, starting guesses, two-harmonic
model, flat signals and bad input."""

import numpy as np
import pytest

from spinpair.analysis.fringes import (
    fit_fringe,
    fit_fringe_counts,
    fringe_model,
    fringe_period_rows,
    periodogram,
)
from spinpair.errors import InputError
from spinpair.sequence.ramsey_scan import RamseySignals

T_EFF = 7.04e-6  # s


def chi1_probs(d, contrast=0.8, offset=0.0):
    """P0, P1, P2 of a chi1-like pair with reduced contrast: P1 = 1 - c sin²(2π δ T)."""
    s2 = np.sin(2 * np.pi * d * T_EFF + offset) ** 2
    p1 = 1 - contrast * s2
    return np.stack([(1 - p1) / 2, p1, (1 - p1) / 2], axis=1)


def test_recovers_period_from_noisy_multinomial_counts():
    d = np.linspace(-140e3, 140e3, 41)
    true = 1 / (2 * T_EFF)
    pulls = []
    for seed in range(30):
        rng = np.random.default_rng(seed)
        counts = np.array([rng.multinomial(150, p) for p in chi1_probs(d, offset=0.4)])
        fit = fit_fringe_counts(d, counts[:, 1], 150)
        assert fit.has_fringe
        assert fit.errors["period_hz"] < 0.01 * true
        pulls.append((fit.period_hz - true) / fit.errors["period_hz"])
        assert fit.contrast == pytest.approx(0.4, abs=0.05)  # amplitude = c/2
    pulls = np.array(pulls)
    assert abs(pulls.mean()) < 0.6
    assert 0.6 < pulls.std() < 1.5  # intervals neither far too wide nor too narrow
    lo_hi = fit.intervals_68["period_hz"]
    assert lo_hi[0] < fit.period_hz < lo_hi[1]


def test_chi2_and_dof_with_sigma():
    rng = np.random.default_rng(11)
    d = np.linspace(-100e3, 100e3, 60)
    y0 = 0.3 + 0.2 * np.cos(2 * np.pi * d / 50e3 - 1.0)
    sigma = 0.01
    y = y0 + rng.normal(0, sigma, d.size)
    fit = fit_fringe(d, y, sigma)
    assert fit.dof == 56
    assert 30 < fit.chi2 < 90
    assert fit.absolute_sigma
    assert abs(fit.phase + 1.0) < 5 * fit.errors["phase"]


@pytest.mark.parametrize("period", [20e3, 71e3, 142e3, 250e3])
def test_periodogram_start_finds_period_far_from_any_guess(period):
    d = np.linspace(-300e3, 300e3, 151)
    y = 0.5 - 0.3 * np.cos(2 * np.pi * d / period + 2.5)
    fit = fit_fringe(d, y)
    assert fit.period_hz == pytest.approx(period, rel=1e-6)
    assert fit.contrast == pytest.approx(0.3, rel=1e-6)  # canonical: positive amplitude
    assert -np.pi < fit.phase <= np.pi
    np.testing.assert_allclose(fit(d), y, atol=1e-9)


def test_periodogram_peak():
    d = np.sort(np.random.default_rng(3).uniform(-2e5, 2e5, 120))  # irregular grid
    f, p = periodogram(d, np.cos(2 * np.pi * d / 40e3))
    assert 1 / f[np.argmax(p)] == pytest.approx(40e3, rel=0.02)


def test_two_harmonic_model_for_unentangled_pair_signal():
    d = np.linspace(-150e3, 150e3, 121)
    q = np.cos(np.pi * d * T_EFF) ** 2  # single-atom survival, period 1/T_EFF
    p1 = 2 * q * (1 - q) + 0.02 * (q - 0.5)  # pair P1 plus an imperfection term
    one = fit_fringe(d, p1)  # a single cosine sees the doubled frequency
    assert one.period_hz == pytest.approx(1 / (2 * T_EFF), rel=5e-3)
    two = fit_fringe(d, p1, harmonics=2)
    assert two.period_hz == pytest.approx(1 / T_EFF, rel=1e-6)
    assert two.values["contrast2"] == pytest.approx(0.25, rel=1e-6)
    assert two.contrast == pytest.approx(0.01, rel=1e-6)
    pure = fit_fringe(d, 2 * q * (1 - q), harmonics=2)  # no first harmonic: the short one
    assert pure.period_hz == pytest.approx(1 / (2 * T_EFF), rel=1e-6)
    pinned = fit_fringe(d, 2 * q * (1 - q), harmonics=2, period_guess_hz=1 / T_EFF)
    assert pinned.period_hz == pytest.approx(1 / T_EFF, rel=1e-6)
    assert pinned.contrast < 1e-6


def test_flat_signal_has_no_fringe():
    d = np.linspace(-1e5, 1e5, 21)
    fit = fit_fringe(d, np.full(d.size, 0.5))
    assert not fit.has_fringe
    assert np.isnan(fit.period_hz)
    nearly = fit_fringe(d, 0.5 + 1e-15 * np.cos(d / 1e4))
    assert not nearly.has_fringe


def test_model_and_as_dict():
    assert fringe_model(0.0, 0.1, 0.2, 1e3, 0.0, 0.3, np.pi) == pytest.approx(0.0)
    d = np.linspace(-1e5, 1e5, 31)
    out = fit_fringe(d, np.cos(2 * np.pi * d / 7e4)).as_dict()
    assert {"offset", "contrast", "period_hz", "phase", "errors", "intervals_68"} <= set(out)


def test_bad_input():
    d = np.linspace(0, 1, 4)
    with pytest.raises(InputError):
        fit_fringe(d, d)
    with pytest.raises(InputError):
        fit_fringe([0, 1, 2, 3, np.nan, 5], np.zeros(6))
    with pytest.raises(InputError):
        fit_fringe(np.arange(8.0), np.cos(np.arange(8.0)), sigma=0.0)
    with pytest.raises(InputError):
        fit_fringe(np.arange(8.0), np.cos(np.arange(8.0)), harmonics=3)
    with pytest.raises(InputError):
        fit_fringe_counts(np.arange(8.0), np.full(8, 5), 4)


def test_period_rows_on_closed_form_signals():
    """The period table of hand-made signals (instantaneous ideal pulses, closed forms; no
    sequence): chi1's P1 at 1/(2T), per-atom signals of unentangled atoms at 1/T, chi1's
    per-atom signal flat."""
    T = 5e-6
    d = np.linspace(-200e3, 200e3, 161)
    phi = 2 * np.pi * d * T
    q = np.cos(phi / 2) ** 2  # one atom survives

    def signals(state, n_atoms, P0, P1, P2):
        return RamseySignals(state, n_atoms, d, P0, P1, P2, T, 0.0, 156e3, instantaneous=True)

    refs = {
        "chi1": signals("chi1", 2, np.sin(phi) ** 2 / 2, np.cos(phi) ** 2, np.sin(phi) ** 2 / 2),
        "1,1": signals("1,1", 2, (1 - q) ** 2, 2 * q * (1 - q), q**2),
        "single": signals("single", 1, 1 - q, q, 0 * q),
    }
    rows = {(r["state"], r["signal"]): r for r in fringe_period_rows(refs)}
    for key in (("chi1", "P1"), ("chi1", "P2"), ("1,1", "P1")):
        assert rows[key]["expected_period_hz"] == pytest.approx(1 / (2 * T))
        assert rows[key]["period_hz"] == pytest.approx(1 / (2 * T), rel=1e-6)
    for key in (("1,1", "survival"), ("single", "survival"), ("single", "P1")):
        assert rows[key]["expected_period_hz"] == pytest.approx(1 / T)
        assert rows[key]["period_hz"] == pytest.approx(1 / T, rel=1e-6)
    two = rows[("1,1", "P1 (two-harmonic)")]
    assert two["period_hz"] == pytest.approx(1 / T, rel=1e-6)
    for key in (("chi1", "survival"), ("chi1", "mean_number")):
        assert rows[key]["expected_period_hz"] is None
        assert rows[key]["period_hz"] is None


@pytest.mark.parametrize("block", [None, 1000])
def test_lombscargle_equals_scipy_with_and_without_weights(block, monkeypatch):
    """The periodogram written with numpy (so that `spinpair ramsey` does not import
    scipy.signal) equals scipy.signal.lombscargle, uneven grid and weights included; also
    when the frequencies go in blocks (bounded memory: 1000 entries is 4 frequencies)."""
    from scipy import signal

    from spinpair.analysis import periodogram as pg

    if block is not None:
        monkeypatch.setattr(pg, "LOMBSCARGLE_BLOCK", block)

    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(0, 1e6, 201))
    y = np.cos(2 * np.pi * x / 1e5) + 0.3 * rng.normal(size=x.size)
    y -= y.mean()
    omega = 2 * np.pi * np.linspace(1e-6, 5e-4, 300)
    for w in (None, rng.uniform(0.5, 2.0, x.size)):
        want = signal.lombscargle(x, y, omega, weights=w)
        assert np.allclose(pg.lombscargle_direct(x, y, omega, w), want, rtol=1e-10, atol=0)


def _ls_case(n, weights, seed=3):
    rng = np.random.default_rng(seed)
    d = np.linspace(-150e3, 150e3, n)
    y = 0.5 + 0.4 * np.cos(2 * np.pi * d / 71e3 + 0.3) + 0.05 * rng.normal(size=n)
    w = rng.uniform(0.5, 2.0, n) if weights else None
    y = y - (np.average(y, weights=w) if w is not None else y.mean())
    return d, y, w


@pytest.mark.parametrize("n", [5, 64, 201, 2001])
@pytest.mark.parametrize("weights", [False, True])
def test_fft_periodogram_equals_direct_sums_on_uniform_grids(n, weights):
    """The FFT (chirp-z) periodogram of a uniform grid equals the direct sums at every
    frequency, Nyquist included: 1e-10 relative, plus an absolute 1e-12 of the peak (the
    FFT's rounding, ~1e-16 of the largest sum, is spread over all frequencies and is the
    relative error of powers 1e-8 below the peak)."""
    from spinpair.analysis import periodogram as pg

    d, y, w = _ls_case(n, weights)
    assert pg.uniform_grid(d)
    freqs, _ = pg.periodogram(d, y)
    omega = 2 * np.pi * freqs
    fast = pg.lombscargle_uniform(d, y, omega, w)
    slow = pg.lombscargle_direct(d, y, omega, w)
    assert np.all(np.isfinite(fast))
    assert np.allclose(fast, slow, rtol=1e-10, atol=1e-12 * slow.max())


def test_periodogram_takes_fft_path_only_on_uniform_grids(monkeypatch):
    """periodogram() on a uniform grid (ascending or descending) takes the FFT and gives the
    direct sums' numbers; a jittered grid is not uniform."""
    from spinpair.analysis import periodogram as pg

    d, y, _ = _ls_case(301, False)
    f, p = pg.periodogram(d, y)
    called = []
    monkeypatch.setattr(pg, "lombscargle_uniform", lambda *a: called.append(1))
    _, p2 = pg.periodogram(d[::-1].copy(), y[::-1].copy())  # descending: still uniform
    assert called and p2 is None
    monkeypatch.undo()
    jitter = d + np.random.default_rng(0).normal(scale=1.0, size=d.size)
    assert not pg.uniform_grid(jitter)
    want = pg.lombscargle_direct(d, y - y.mean(), 2 * np.pi * f)
    assert np.allclose(p, want, rtol=1e-10, atol=1e-12 * want.max())


def test_nyquist_sine_column_is_zero_in_both_paths():
    """At the Nyquist frequency of a uniform grid every sin ω(x−τ) vanishes: the sine term
    is 0 (not rounding noise), and the power is the cosine term alone, (Σ y (−1)^j)²/2N."""
    from spinpair.analysis import periodogram as pg

    d, y, _ = _ls_case(101, False)
    omega = np.array([np.pi / (d[1] - d[0]) / 2, np.pi / (d[1] - d[0])])
    want = np.sum(y * (-1.0) ** np.arange(d.size)) ** 2 / (2 * d.size)
    for fn in (pg.lombscargle_direct, pg.lombscargle_uniform):
        assert fn(d, y, omega)[-1] == pytest.approx(want, rel=1e-10)


def test_chirp_sums_equal_scipy_czt():
    from scipy import signal

    from spinpair.analysis.periodogram import chirp_sums

    rng = np.random.default_rng(5)
    a = rng.normal(size=37) + 1j * rng.normal(size=37)
    theta = 0.0123
    want = signal.czt(a, m=53, w=np.exp(1j * theta), a=1.0)  # Σ a_n W^{nk}
    assert np.allclose(chirp_sums(a, theta, 53), want, rtol=1e-12, atol=1e-12 * abs(want).max())
