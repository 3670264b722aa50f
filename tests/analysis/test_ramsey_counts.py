"""Fringe fits of measured Ramsey counts (issue 23 item 4): repeated scans are more data,
the fit recovers simulated parameters within its intervals, and the command line fits a
detuning_hz CSV (``spinpair fit`` and ``spinpair ramsey --data``)."""

import json

import numpy as np
import pytest

from spinpair.analysis.data import CountData, write_csv
from spinpair.analysis.fringes import fit_fringe, fringe_model
from spinpair.analysis.ramsey_counts import count_signals, fit_ramsey_counts
from spinpair.cli import run
from spinpair.errors import InputError
from spinpair.montecarlo import sample_counts

TRUTH = {"offset": 0.5, "contrast": 0.4, "period_hz": 71e3, "phase": 0.3}
SCAN = np.linspace(-100e3, 100e3, 41)


def cosine_counts(detuning, runs=300, seed=2):
    """Counts whose P1 is an exact cosine (TRUTH) and P0 = P2 = (1 − P1)/2."""
    p1 = fringe_model(detuning, **TRUTH)
    probs = np.stack([(1 - p1) / 2, p1, (1 - p1) / 2], axis=1)
    return sample_counts(probs, "detuning_hz", detuning, runs, seed=seed)


def test_two_identical_scans_are_twice_the_data():
    """Concatenating a scan with itself (the same values at the same detunings) leaves the
    least-squares values unchanged and halves the covariance: repeated detunings are just
    more points (they used to be refused: "at least two distinct detunings")."""
    y = fringe_model(SCAN, **TRUTH) + 0.01 * np.cos(7.7 * np.arange(SCAN.size))
    s = np.full(SCAN.size, 0.02)
    one = fit_fringe(SCAN, y, s)
    two = fit_fringe(np.tile(SCAN, 2), np.tile(y, 2), np.tile(s, 2))
    for k in one.values:
        assert two.values[k] == pytest.approx(one.values[k], rel=1e-7, abs=1e-9)
    np.testing.assert_allclose(two.covariance, one.covariance / 2, rtol=1e-6, atol=1e-16)
    assert two.dof == 2 * SCAN.size - 4


def test_scans_in_any_order_fit_alike():
    y = fringe_model(SCAN, **TRUTH)
    order = np.random.default_rng(0).permutation(2 * SCAN.size)
    x2, y2 = np.tile(SCAN, 2)[order], np.tile(y, 2)[order]
    fit = fit_fringe(x2, y2, 0.01)
    assert fit.period_hz == pytest.approx(TRUTH["period_hz"], rel=1e-9)


def test_one_distinct_detuning_is_still_an_error():
    with pytest.raises(InputError, match="two distinct detunings"):
        fit_fringe(np.full(10, 5e3), np.linspace(0, 1, 10), 0.1)


def test_fit_recovers_simulated_cosine_within_its_intervals():
    """Two seeded scans concatenated; every parameter of P1 within 2σ of the truth, and
    χ²/dof consistent with 1 (the binomial errors are right)."""
    d = np.concatenate([SCAN, SCAN])
    data = cosine_counts(d)
    fit = fit_ramsey_counts(data).fits["P1"]
    assert fit.has_fringe
    for k, v in TRUTH.items():
        assert abs(fit.values[k] - v) < 2 * fit.errors[k], (k, fit.values[k], fit.errors[k])
    assert 0.7 < fit.chi2 / fit.dof < 1.3
    # P0 = P2 = (1 − P1)/2: half the contrast, the opposite phase, the same period
    p0 = fit_ramsey_counts(data).fits["P0"]
    assert abs(p0.contrast - 0.2) < 3 * p0.errors["contrast"]
    assert abs(abs(p0.phase - TRUTH["phase"]) - np.pi) < 3 * p0.errors["phase"]


def test_coverage_of_the_period_interval_over_seeds():
    """The ±1σ interval of the period covers the truth in about 68 % of seeded experiments
    (40 experiments: between 18 and 36 covered, a 99.9 % binomial band)."""
    covered = 0
    for seed in range(40):
        fit = fit_ramsey_counts(cosine_counts(SCAN, 200, seed), signals=("P1",)).fits["P1"]
        lo, hi = fit.intervals_68["period_hz"]
        covered += lo <= TRUTH["period_hz"] <= hi
    assert 18 <= covered <= 36


def test_fit_of_simulated_chi1_counts_finds_the_model_period():
    """Counts drawn from the sequence model (chi1, T = 5 µs) give the P1 period of the
    noise-free model curve within 3σ, twice the frequency of one atom (1/(2 T_eff))."""
    from spinpair.params import Params
    from spinpair.sequence.ramsey_scan import ramsey_signals

    p = Params()
    tau = 0.25 / p.raman.rabi_frequency_hz
    det = np.linspace(-150e3, 150e3, 61)
    sig = ramsey_signals(p, "chi1", 5e-6, tau, det, ideal=True)
    model_period = fit_fringe(det, sig.P1).period_hz
    runs = np.concatenate([det, det])
    data = sample_counts(np.tile(sig.probabilities, (2, 1)), "detuning_hz", runs, 200, seed=9)
    res = fit_ramsey_counts(data, wait_s=5e-6, half_pi_s=tau)
    fit = res.fits["P1"]
    assert abs(fit.period_hz - model_period) < 3 * fit.errors["period_hz"]
    assert fit.period_hz == pytest.approx(res.expected_period_hz["pair"], rel=0.03)
    assert res.fringe_period_hz["survival"] is None  # chi1's per-atom signal is flat


def test_signal_errors_are_binomial_and_multinomial():
    d = CountData("detuning_hz", [0.0, 1.0], [100, 400], [20, 100], [30, 100], [50, 200])
    y, s = count_signals(d)
    np.testing.assert_allclose(y["P1"], [0.3, 0.25])
    q = (np.array([30, 100]) + 0.5) / (np.array([100, 400]) + 1)
    np.testing.assert_allclose(s["P1"], np.sqrt(q * (1 - q) / [100, 400]))
    np.testing.assert_allclose(y["survival"], (d.n1 + 2 * d.n2) / (2 * d.runs))
    np.testing.assert_allclose(s["survival"], s["mean_number"] / 2)


def test_raman_data_is_refused_by_the_fringe_fit():
    d = CountData("tau_s", [0.0, 1e-6], [10, 10], [1, 2], [4, 4], [5, 4])
    with pytest.raises(InputError, match="detuning_hz"):
        fit_ramsey_counts(d)


def test_fringe_fit_dataframe_and_named_covariance():
    pytest.importorskip("pandas")
    fit = fit_ramsey_counts(cosine_counts(SCAN), signals=("P1",))
    f = fit.fits["P1"]
    assert f.covariance["period_hz", "period_hz"] == pytest.approx(f.errors["period_hz"] ** 2)
    df = fit.to_dataframe()
    assert df.loc[("P1", "period_hz"), "value"] == f.period_hz
    assert f.to_dataframe().loc["phase", "error"] == f.errors["phase"]


# ----------------------------------------------------------------------------- command line


def test_cli_fit_of_ramsey_counts(tmp_path, capsys):
    """`spinpair fit ramsey.csv` used to say "allowed a tau_s or area column"."""
    f = tmp_path / "ramsey.csv"
    write_csv(cosine_counts(np.concatenate([SCAN, SCAN])), f)
    assert run(["fit", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["setting_name"] == "detuning_hz" and len(out["detuning_hz"]) == 2 * SCAN.size
    for key in ("P0", "P1", "P2", "survival", "mean_number", "runs", "sigma", "fringe_fits"):
        assert key in out
    p1 = out["fringe_fits"]["P1"]
    assert abs(p1["period_hz"] - TRUTH["period_hz"]) < 2 * p1["errors"]["period_hz"]
    assert out["fringe_period_hz"]["P1"] == p1["period_hz"]
    assert out["fringe_period_hz"]["survival"] is None


def test_cli_ramsey_data_adds_the_first_order_periods(tmp_path, capsys):
    f = tmp_path / "ramsey.csv"
    write_csv(cosine_counts(SCAN), f)
    assert run(["ramsey", "--data", str(f), "--wait", "5e-6", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["wait_s"] == 5e-6 and out["expected_period_hz"]["pair"] == pytest.approx(
        71.02e3, rel=1e-3
    )
    assert run(["ramsey", "--data", str(f), "--wait", "5e-6", "--fisher"]) == 2
    assert "--fisher" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra", [["--nuisance", "p_loss=0.02,0.01"], ["--destroy"], ["--harmonics", "3"]]
)
def test_cli_fit_of_ramsey_counts_refuses_raman_options(tmp_path, capsys, extra):
    f = tmp_path / "ramsey.csv"
    write_csv(cosine_counts(SCAN), f)
    assert run(["fit", str(f), *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and extra[0] in err
