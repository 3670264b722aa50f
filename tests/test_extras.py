"""Optional extras: a feature used without its extra is bad input (exit 2) naming the pip
command, checked before any work; every extra named exists in pyproject.toml."""

import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from spinpair._extras import EXTRAS, MissingExtraError, available, missing, require
from spinpair.cli import run
from spinpair.errors import InputError

REPO = Path(__file__).resolve().parents[1]


def block(monkeypatch, module: str, *first: str) -> None:
    """Make ``import module`` fail for this test. The packages in ``first`` are imported
    before: a package imported while ``module`` is blocked would remember it as missing
    for the rest of the session (h5netcdf records at import whether h5py is there)."""
    for name in first:
        pytest.importorskip(name)
    monkeypatch.setitem(sys.modules, module, None)


def test_every_extra_named_exists_in_pyproject_and_lists_its_modules():
    """The pip command printed must work: the extra exists, and it lists a distribution
    for every module the check imports (module names as the distributions are spelled)."""
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    dist_of = {"dask": "dask", "distributed": "dask", "dask_jobqueue": "dask-jobqueue"}
    for feature, (extra, modules, _) in EXTRAS.items():
        assert extra in extras, feature
        listed = " ".join(extras[extra])
        for m in modules:
            assert dist_of.get(m, m) in listed, (feature, m)


def test_missing_module_names_the_extra_and_pip_command(monkeypatch):
    block(monkeypatch, "h5py", "xarray", "h5netcdf")
    assert missing("netcdf") == "h5py" and not available("netcdf")
    with pytest.raises(MissingExtraError) as e:
        require("netcdf", "--out")
    assert isinstance(e.value, InputError)
    msg = str(e.value)
    assert msg.startswith("--out = ") and "h5py" in msg
    assert "pip install 'spinpair[netcdf]'" in msg


def test_installed_extra_passes_and_unknown_feature_is_a_bug():
    require("qutip")  # the test extra installs QuTiP
    with pytest.raises(KeyError):
        require("no-such-feature")


def test_sweep_to_netcdf_without_h5py_exits_2_before_running(tmp_path, capsys, monkeypatch):
    """Issue 23 item 8: was `internal error: ModuleNotFoundError: No module named 'h5py'`,
    exit 1. Now exit 2 with the extra to install, and nothing written."""
    block(monkeypatch, "h5py", "xarray", "h5netcdf")
    f = tmp_path / "s.toml"
    f.write_text(
        'compute = "raman"\narea = [0.0, 1.5707963]\n[axes]\n"raman.detuning_hz" = [0.0]\n'
    )
    out = tmp_path / "s.nc"
    assert run(["sweep", str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'spinpair[netcdf]'" in err and "h5py" in err
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == [f]  # no output, no parts folder


def test_sweep_with_scheduler_without_dask_exits_2(tmp_path, capsys, monkeypatch):
    block(monkeypatch, "distributed", "dask")
    f = tmp_path / "s.toml"
    f.write_text('compute = "raman"\narea = [0.0]\n[axes]\n"raman.detuning_hz" = [0.0]\n')
    code = run(
        ["sweep", str(f), "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "o.csv")]
    )
    assert code == 2
    assert "pip install 'spinpair[dask]'" in capsys.readouterr().err


def test_to_qutip_without_qutip_names_the_extra(monkeypatch):
    from spinpair.spin import named_state, to_qutip

    block(monkeypatch, "qutip")
    with pytest.raises(MissingExtraError, match=r"spinpair\[qutip\]"):
        to_qutip(named_state("chi1"))
    assert np.asarray(named_state("chi1")).ndim in (1, 2)  # the numpy path needs nothing
