"""Tweezer ranges, the k_B T <= U0/10 rule and its stated reason, overflow-free checks."""

import math
import warnings

import numpy as np
import pytest
from scipy import constants, stats

from spinpair.errors import InputError
from spinpair.params import Params, TrapParams
from spinpair.species import get_species
from spinpair.trap import (
    DEPTH_HZ_RANGE,
    FREQUENCY_HZ_RANGE,
    MIN_DEPTH_OVER_KT,
    TEMPERATURE_K_RANGE,
    WAIST_M_RANGE,
    WAVELENGTH_M_RANGE,
    PairTrap,
    check_temperature_against_depth,
    max_temperature_k,
    tweezer_frequencies_hz,
)

RB85 = get_species("rb85")


def test_documented_reason_for_eta_10():
    """At U0/k_BT = 10 the thermal harmonic energy distribution (Gamma(3, k_BT) in 3D) has
    0.3 % of its weight above the trap rim, as the trap module says."""
    eta = MIN_DEPTH_OVER_KT
    tail = stats.gamma(a=3).sf(eta)
    assert tail == pytest.approx(math.exp(-eta) * (1 + eta + eta**2 / 2), rel=1e-12)
    assert 0.0025 < tail < 0.0035
    # the paper's conditions sit well inside: eta = 22 MHz h / (40 uK k_B) = 26
    eta_paper = constants.h * 22e6 / (constants.k * 40e-6)
    assert 26 < eta_paper < 27


def test_max_temperature_closed_form():
    for depth in (1e3, 22e6, 1e9):
        t = max_temperature_k(depth)
        assert constants.k * t * MIN_DEPTH_OVER_KT == pytest.approx(constants.h * depth)
        check_temperature_against_depth(t, depth)
        with pytest.raises(InputError, match="U0"):
            check_temperature_against_depth(math.nextafter(t, math.inf), depth)


def test_harmonic_frequencies_scale_as_sqrt_depth():
    """ω ∝ √U0 at fixed geometry; ω_r/ω_z = √2 z_R/w0 (closed form)."""
    a = np.array(tweezer_frequencies_hz(RB85.mass_kg, 22e6, 1e-6, 1064e-9))
    b = np.array(tweezer_frequencies_hz(RB85.mass_kg, 4 * 22e6, 1e-6, 1064e-9))
    assert np.allclose(b / a, 2.0)
    z_r = math.pi * 1e-6**2 / 1064e-9
    assert a[0] / a[2] == pytest.approx(math.sqrt(2) * z_r / 1e-6)


@pytest.mark.parametrize(
    ("depth_hz", "waist_m", "wavelength_m"),
    [(22e6, 1e-6, 1064e-9), (3e6, 2.5e-6, 850e-9), (1e8, 0.8e-6, 780e-9)],
)
def test_harmonic_frequencies_are_the_curvature_of_the_gaussian_beam_potential(
    depth_hz, waist_m, wavelength_m
):
    """ν = √(U''(0)/m)/2π with U'' by central differences of the focused Gaussian beam's
    potential U(r, z) = −U0 (w0/w(z))² exp(−2r²/w(z)²), w(z) = w0 √(1 + (z/z_R)²)."""
    m = RB85.mass_kg
    u0 = constants.h * depth_hz
    z_r = math.pi * waist_m**2 / wavelength_m

    def potential(r: float, z: float) -> float:
        w2 = waist_m**2 * (1 + (z / z_r) ** 2)
        return -u0 * waist_m**2 / w2 * math.exp(-2 * r**2 / w2)

    def curvature(f, h: float) -> float:
        return (f(h) - 2 * f(0.0) + f(-h)) / h**2

    k_r = curvature(lambda x: potential(x, 0.0), 1e-4 * waist_m)
    k_z = curvature(lambda x: potential(0.0, x), 1e-4 * z_r)
    nu = tweezer_frequencies_hz(m, depth_hz, waist_m, wavelength_m)
    expected = [math.sqrt(k / m) / (2 * math.pi) for k in (k_r, k_r, k_z)]
    assert nu == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("name", "interval"),
    [
        ("depth_hz", DEPTH_HZ_RANGE),
        ("waist_m", WAIST_M_RANGE),
        ("wavelength_m", WAVELENGTH_M_RANGE),
    ],
)
def test_tweezer_range_edges(name, interval):
    base = {"depth_hz": 1e6, "waist_m": 1e-5, "wavelength_m": 1e-6}
    for edge, outside in ((interval.lo, -math.inf), (interval.hi, math.inf)):
        args = {**base, name: edge}
        if name == "waist_m" and edge == interval.lo:
            args["wavelength_m"] = 2e-7  # keep w0 >= lambda/pi
        nu = tweezer_frequencies_hz(RB85.mass_kg, **args)
        assert all(np.isfinite(nu)) and all(x > 0 for x in nu)
        with pytest.raises(InputError, match=name):
            tweezer_frequencies_hz(RB85.mass_kg, **{**args, name: math.nextafter(edge, outside)})


@pytest.mark.parametrize("value", [1e300, -1e300, 1e-300, 0.0, math.inf, math.nan, True, "1e6"])
@pytest.mark.parametrize("name", ["depth_hz", "waist_m", "wavelength_m"])
def test_no_overflow_only_input_errors(name, value):
    args = {"depth_hz": 22e6, "waist_m": 1e-6, "wavelength_m": 1064e-9, name: value}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match=name):
            PairTrap.from_tweezer(RB85, temperature_k=40e-6, **args)
        with pytest.raises(InputError, match=name):
            Params(trap=TrapParams(**args))


def test_extreme_allowed_traps_give_finite_thermal_quantities():
    """Corners of the allowed box: every thermal quantity is finite and positive."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for depth in (DEPTH_HZ_RANGE.lo, DEPTH_HZ_RANGE.hi):
            for waist in (WAIST_M_RANGE.lo * 4, WAIST_M_RANGE.hi):
                t = max_temperature_k(depth)
                for temp in (TEMPERATURE_K_RANGE.lo, t):
                    trap = PairTrap.from_tweezer(RB85, depth, waist, 1064e-9, temp)
                    s = trap.summary(-443.0)
                    for v in s.values():
                        assert np.all(np.isfinite(v))
                    assert trap.contact_density_m3 > 0


def test_explicit_frequencies_ranges():
    for edge in (FREQUENCY_HZ_RANGE.lo, FREQUENCY_HZ_RANGE.hi):
        Params(trap=TrapParams(frequencies_hz=(edge,) * 3))
        PairTrap((edge,) * 3, RB85.mass_kg, 1e-6)
    for bad in ((0.5, 1e5, 1e5), (1e5, 1e5, 2e7), (1e5, 1e5), (1e5, True, 1e5)):
        with pytest.raises(InputError, match="frequencies_hz"):
            Params(trap=TrapParams(frequencies_hz=bad))
    for bad in ((0.0, 1e5, 1e5), (1e5, 1e5, 1e300), (1e5, 1e5), (1e5, True, 1e5)):
        with pytest.raises(InputError, match="frequencies_hz"):
            PairTrap(bad, RB85.mass_kg, 1e-6)


def test_from_tweezer_rejects_hot_atoms():
    with pytest.raises(InputError) as e:
        PairTrap.from_tweezer(RB85, 22e6, 1e-6, 1064e-9, 1.0)
    assert e.value.field == "trap.temperature_k" and "depth_hz" in e.value.allowed


def test_waist_below_wavelength_over_pi_rejected():
    with pytest.raises(InputError, match="waist_m"):
        tweezer_frequencies_hz(RB85.mass_kg, 22e6, 2e-7, 1064e-9)
