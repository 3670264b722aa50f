"""Count data (validation, CSV in and out) and per-point binomial intervals."""

import numpy as np
import pytest
from scipy import stats

from spinpair.analysis.data import CountData, parse_csv, read_csv, write_csv
from spinpair.analysis.intervals import clopper_pearson, interval, wilson
from spinpair.errors import InputError

GOOD = "tau_s,runs,n0,n1,n2\n0.0,10,1,2,7\n1e-6,10,3,3,4\n2e-6,10,0,10,0\n"


# ----------------------------------------------------------------------------- data


def test_csv_round_trip_is_exact_and_atomic(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 3e-6, 7)
    counts = rng.multinomial(123, [0.2, 0.3, 0.5], size=7)
    d = CountData("tau_s", x, np.full(7, 123), *counts.T)
    path = tmp_path / "d.csv"
    write_csv(d, path)
    back = read_csv(path)
    assert back.setting_name == "tau_s" and len(back) == 7
    assert np.array_equal(back.setting, x)  # full float precision
    assert np.array_equal(back.counts, counts) and np.array_equal(back.runs, d.runs)
    assert [p.name for p in tmp_path.iterdir()] == ["d.csv"]  # no temporary left behind


def test_columns_in_any_order_and_area_setting():
    d = parse_csv("n2,n1,n0,runs,area\n7,2,1,10,1.5707963\n")
    assert d.setting_name == "area" and d.counts.tolist() == [[1, 2, 7]]
    assert np.allclose(d.fractions().sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "text, field",
    [
        ("", "data"),
        ("\n\n", "data"),
        ("tau_s,runs,n0,n1,n2\n", "data"),
        ("tau_s,runs,n0,n1\n0,10,1,9\n", "n2"),
        ("runs,n0,n1,n2\n10,1,1,8\n", "header"),
        ("tau_s,area,runs,n0,n1,n2\n0,0,10,1,1,8\n", "header"),
        ("tau_s,runs,n0,n1,n2,extra\n0,10,1,1,8,3\n", "header"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,-1,10\n", "row 1, column n1"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,1,7\n", "row 1, column runs"),
        ("tau_s,runs,n0,n1,n2\nnan,10,1,1,8\n", "row 1, column tau_s"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,1,nan\n", "row 1, column n2"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,1,8\n1e-6,10,1.5,1,7.5\n", "row 2, column n0"),
        ("tau_s,runs,n0,n1,n2\n0,10,x,1,8\n", "row 1, column n0"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,1,8\n0,10,1,1,8\n-1e-6,10,1,1,8\n", "row 3, column tau_s"),
        ("tau_s,runs,n0,n1,n2\n0,0,0,0,0\n", "row 1, column runs"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,1\n", "row 1"),
        # numbers are ASCII: Arabic-Indic, Devanagari and full-width digits, underscores
        ("tau_s,runs,n0,n1,n2\n0,١٠,1,1,8\n", "row 1, column runs"),
        ("tau_s,runs,n0,n1,n2\n0,10,१,1,8\n", "row 1, column n0"),
        ("tau_s,runs,n0,n1,n2\n０,10,1,1,8\n", "row 1, column tau_s"),
        ("tau_s,runs,n0,n1,n2\n0,1_0,1,1,8\n", "row 1, column runs"),
        # counts beyond 2**53 are not exact in float64 (and 1e30 overflows int64)
        ("tau_s,runs,n0,n1,n2\n0,1e30,1e30,0,0\n", "row 1, column runs"),
        ("tau_s,runs,n0,n1,n2\n0,9007199254740993,9007199254740993,0,0\n", "column runs"),
        # malformed CSV (an unclosed or stray quote)
        ('tau_s,runs,n0,n1,n2\n0,10,"1"x,1,8\n', "well-formed CSV"),
    ],
)
def test_malformed_csv_is_rejected_naming_row_and_column(text, field):
    with pytest.raises(InputError, match=field):
        parse_csv(text)


def test_largest_exact_count_is_accepted():
    d = parse_csv(f"tau_s,runs,n0,n1,n2\n0,{2**53},{2**53},0,0\n")
    assert int(d.runs[0]) == 2**53 and d.fractions()[0].tolist() == [1.0, 0.0, 0.0]


def test_read_csv_errors(tmp_path):
    with pytest.raises(InputError, match="data"):
        read_csv(tmp_path / "missing.csv")
    bad = tmp_path / "bin.csv"
    bad.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="UTF-8"):
        read_csv(bad)
    ok = tmp_path / "bom.csv"
    ok.write_text("\ufeff" + GOOD, encoding="utf-8")
    assert len(read_csv(ok)) == 3


def test_count_data_validates_in_python():
    with pytest.raises(InputError, match="row 2, column runs"):
        CountData("tau_s", [0, 1e-6], [10, 10], [1, 1], [1, 1], [8, 7])
    with pytest.raises(InputError, match="setting"):
        CountData("time", [0], [1], [1], [0], [0])
    with pytest.raises(InputError, match="at least one row"):
        CountData("area", [], [], [], [], [])
    with pytest.raises(InputError, match="column n0"):
        CountData("area", [0, 1], [10, 10], [1], [1, 1], [8, 8])


# ----------------------------------------------------------------------------- intervals


@pytest.mark.parametrize("k, n", [(0, 20), (1, 20), (5, 20), (19, 20), (20, 20), (137, 400)])
@pytest.mark.parametrize("cl", [0.682689492, 0.95])
def test_intervals_match_scipy_binomtest(k, n, cl):
    ref = stats.binomtest(k, n)
    w = ref.proportion_ci(confidence_level=cl, method="wilson")
    cp = ref.proportion_ci(confidence_level=cl, method="exact")
    assert wilson(k, n, cl) == pytest.approx((w.low, w.high), abs=1e-9)
    assert clopper_pearson(k, n, cl) == pytest.approx((cp.low, cp.high), abs=1e-9)


def test_interval_limits_and_vectorisation():
    n = np.array([10, 10, 50])
    k = np.array([0, 10, 25])
    for method in ("wilson", "clopper-pearson"):
        lo, hi = interval(k, n, method)
        assert lo.shape == (3,) and lo[0] == 0.0 and hi[1] == pytest.approx(1.0)
        assert np.all(lo <= k / n) and np.all(k / n <= hi)
        lo95, hi95 = interval(k, n, method, cl=0.95)
        assert np.all(lo95 <= lo + 1e-15) and np.all(hi95 >= hi - 1e-15)  # wider
    # Clopper–Pearson k = 0: upper = 1 − (α/2)^(1/n) in closed form
    assert clopper_pearson(0, 10, 0.9)[1] == pytest.approx(1 - 0.05 ** (1 / 10))
    # Clopper–Pearson is conservative: never narrower than Wilson for these counts
    lo_w, hi_w = wilson(k, n)
    lo_c, hi_c = clopper_pearson(k, n)
    assert np.all(hi_c - lo_c >= hi_w - lo_w - 1e-12)


def test_interval_bad_input():
    with pytest.raises(InputError):
        wilson(5, 4)
    with pytest.raises(InputError):
        clopper_pearson(1, 0)
    with pytest.raises(InputError, match="confidence"):
        wilson(1, 2, cl=1.5)
    with pytest.raises(InputError, match="method"):
        interval(1, 2, "bayes")


def test_data_files_are_read_with_caps(tmp_path, monkeypatch):
    """Devices, FIFOs and folders are refused without reading; more rows than
    MAX_DATA_ROWS are refused with the number named; the cap on bytes holds."""
    import os

    from spinpair.analysis import data as data_module

    for bad in ("/dev/zero", str(tmp_path)):
        with pytest.raises(InputError, match=r"regular file|folder"):
            data_module.read_csv(bad)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        data_module.read_csv(fifo)
    f = tmp_path / "four.csv"
    f.write_text("tau_s,runs,n0,n1,n2\n" + "0,10,1,2,7\n" * 4)
    assert len(data_module.read_csv(f)) == 4
    monkeypatch.setattr(data_module, "MAX_DATA_ROWS", 3)
    with pytest.raises(InputError, match="at most 3 data rows"):
        data_module.read_csv(f)
    monkeypatch.setattr(data_module, "MAX_DATA_BYTES", 50)
    with pytest.raises(InputError, match="data"):
        data_module.read_csv(f)
