"""RamseyProtocol (spinpair.sequence.protocol): one frozen, validated value for the Ramsey
arguments, equal in effect to the loose keyword arguments it replaces."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from spinpair.errors import InputError
from spinpair.metrology import ramsey_fisher
from spinpair.params import Params
from spinpair.sequence import RamseyProtocol
from spinpair.sequence.ramsey_scan import ramsey_references, ramsey_signals

RABI_HZ = Params().raman.rabi_frequency_hz


@pytest.mark.parametrize(
    "bad",
    [
        {"wait_s": -1e-6},
        {"wait_s": math.inf},
        {"half_pi_s": -1e-7},
        {"detuning_hz": [0.0, math.nan]},
        {"ideal": 1},
        {"instantaneous": "yes"},
        {"postselect": None},
    ],
)
def test_bad_fields_are_refused_by_name(bad):
    with pytest.raises(InputError) as err:
        RamseyProtocol(**bad)
    assert err.value.field == next(iter(bad))


def test_frozen_hashable_and_detunings_kept_as_a_tuple():
    pr = RamseyProtocol(detuning_hz=np.array([1.0, 2.0]))
    assert pr.detuning_hz == (1.0, 2.0) and hash(pr) == hash(RamseyProtocol(detuning_hz=(1, 2)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        pr.wait_s = 1.0  # type: ignore[misc]


def test_pulse_time_and_effective_time_from_the_rabi_frequency():
    pr = RamseyProtocol(wait_s=5e-6).resolved(RABI_HZ)
    # Ωτ = π/2 with Ω = 2π·RABI_HZ, and T_eff = T + 4τ/π
    assert 2 * math.pi * RABI_HZ * pr.half_pi_s == pytest.approx(math.pi / 2, rel=1e-14)
    assert pr.effective_time_s == pytest.approx(5e-6 + 1 / (math.pi * RABI_HZ), rel=1e-14)
    assert RamseyProtocol(5e-6, instantaneous=True).effective_time_s == 5e-6
    with pytest.raises(InputError, match="half_pi_s"):
        _ = RamseyProtocol(5e-6).effective_time_s  # τ unknown until resolved
    d = pr.detunings(points=7)
    assert d[0] == pytest.approx(-1 / pr.effective_time_s) and d[-1] == -d[0]


@pytest.mark.parametrize("postselect", [False, True])
def test_protocol_and_loose_arguments_give_the_same_signals(postselect):
    det = np.linspace(-80e3, 80e3, 9)
    loose = ramsey_signals(Params(), "chi1", 4e-6, None, det, postselect=postselect)
    pr = RamseyProtocol(4e-6, detuning_hz=det, postselect=postselect)
    packed = ramsey_signals(Params(), "chi1", protocol=pr)
    for name in ("P0", "P1", "P2"):
        np.testing.assert_array_equal(getattr(loose, name), getattr(packed, name))
    assert packed.half_pi_s == pytest.approx(0.25 / RABI_HZ)
    # the protocol is used: another wait gives other signals
    other = ramsey_signals(Params(), "chi1", protocol=dataclasses.replace(pr, wait_s=6e-6))
    assert np.max(np.abs(other.P1 - packed.P1)) > 1e-3


def test_references_and_fisher_take_the_protocol():
    pr = RamseyProtocol(5e-6, detuning_hz=(2e4,), ideal=True, instantaneous=True)
    refs = ramsey_references(Params(), protocol=pr)
    assert sorted(refs) == ["1,1", "chi1", "single"]
    fr = ramsey_fisher(Params(), "1,1", protocol=pr)
    fl = ramsey_fisher(Params(), "1,1", 5e-6, None, [2e4], ideal=True, instantaneous=True)
    np.testing.assert_array_equal(fr.counts, fl.counts)
    assert fr.counts[0] / fr.sql == pytest.approx(1.0, abs=1e-6)  # independent atoms: SQL


def test_a_protocol_and_a_changed_loose_argument_are_refused():
    pr = RamseyProtocol(5e-6)
    with pytest.raises(InputError) as err:
        ramsey_signals(Params(), "chi1", 6e-6, protocol=pr)
    assert err.value.field == "protocol" and err.value.value == ["wait_s"]
    with pytest.raises(InputError, match="protocol"):
        ramsey_signals(Params(), "chi1", protocol={"wait_s": 5e-6})  # type: ignore[arg-type]
