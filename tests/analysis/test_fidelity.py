"""The one-call fidelity analysis behind ``spinpair fit``."""

import json

import numpy as np
import pytest

from spinpair.analysis.data import write_csv
from spinpair.analysis.fidelity import MIN_CONTRAST, fidelity_analysis
from spinpair.cli import run
from spinpair.fileio import to_jsonable
from spinpair.montecarlo import simulate_counts
from spinpair.paper import preset_path
from spinpair.params import Params


@pytest.fixture(scope="module")
def paper_like():
    return Params.from_toml(preset_path("paper-like"))


def test_cli_fit_prints_exactly_the_library_result(paper_like, tmp_path, capsys):
    data = simulate_counts(paper_like, tau_s=np.linspace(0, 1.6e-6, 5), runs=300, seed=3)
    path = tmp_path / "d.csv"
    write_csv(data, path)
    code = run(["fit", str(path), "--params", str(preset_path("paper-like")), "--json"])
    assert code == 0
    cli = json.loads(capsys.readouterr().out)
    lib = to_jsonable(fidelity_analysis(data, paper_like, curve="P2").as_dict())
    cli.pop("placeholders", None), cli.pop("warnings", None)
    assert cli.pop("schema_version") == 1  # the CLI adds its schema's version (docs/cli.md)
    assert cli == lib
    for key in ("fidelity", "fidelity_interval_68", "fidelity_lower_95", "chi2_table"):
        assert key in lib  # keys fixed by docs/cli.md


def test_fit_is_consistent_with_its_own_interval_and_scan(paper_like):
    data = simulate_counts(
        paper_like, tau_s=np.linspace(0, 1.6e-6, 7), runs=2000, seed=11, fidelity=0.9
    )
    res = fidelity_analysis(data, paper_like, curve="all")
    lo, hi = res.fit.interval_68
    assert lo <= res.fit.best <= hi
    assert res.informative and res.contrast > 0.05  # paper-like: P1 0.098 vs 0.188 at pi/2
    # the likelihood and chi2-scan estimates agree within the 68 % width
    assert abs(res.scan.best - res.fit.best) < hi - lo
    # per-point intervals bracket the observed fractions
    f = data.fractions()
    assert np.all(res.lower <= f + 1e-12) and np.all(f <= res.upper + 1e-12)


def test_a_scan_without_contrast_is_flagged(paper_like):
    data = simulate_counts(paper_like, tau_s=[0.0, 0.0], runs=100, seed=2)
    res = fidelity_analysis(data, paper_like)
    assert res.contrast < MIN_CONTRAST and not res.informative
