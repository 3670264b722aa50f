"""Sweep files: the NetCDF layout follows the CF conventions it claims (checked rule by rule,
and by the CF checker where it runs), the in-memory Dataset is the file read back, the
chunk-store manifest follows its JSON Schema, and the refactored point path
(``Params.replace``) gives the parameters the old override code gave."""

import copy
import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from spinpair.cli import run
from spinpair.errors import InputError
from spinpair.params import Params
from spinpair.sweep import (
    SCHEMA_VERSION,
    SweepSpec,
    holds_sweep,
    parts_folder,
    run_sweep,
    sweep_to_file,
)
from spinpair.sweep.netcdf import (
    NETCDF_SCHEMA_VERSION,
    parameter_long_name,
    parameter_units,
)

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

RAMAN = (
    'compute = "raman"\ntau_s = [0.0, 0.4e-6, 0.8e-6]\n[axes]\n'
    '"collisions.model" = ["given"]\n'
    '"imperfections.p_loss" = [0.1, 0.0, 0.05]\n'  # out of order: not a coordinate variable
    '"raman.field_gauss" = [0.5, 1.0]\n'
)
DYNAMICS = (
    'compute = "dynamics"\ntimes_s = [0.0, 0.01, 0.02]\nmodel = "relaxation"\n[axes]\n'
    '"trap.temperature_k" = [2e-5, 4e-5]\n"collisions.rate_scale" = [1.0, 3.0]\n'
)


@pytest.fixture(scope="module")
def nc_files(tmp_path_factory):
    pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    folder = tmp_path_factory.mktemp("nc")
    out = {}
    for name, text in (("raman", RAMAN), ("dynamics", DYNAMICS)):
        spec = SweepSpec.from_toml_string(text)
        path = folder / f"{name}.nc"
        sweep_to_file(spec, path, chunk_size=2, log=lambda m: None)
        out[name] = (spec, path)
    return out


@pytest.mark.parametrize("name", ["raman", "dynamics"])
def test_netcdf_follows_the_cf_rules_it_claims(nc_files, name):
    import h5netcdf

    spec, path = nc_files[name]
    with h5netcdf.File(path, "r") as f:
        assert f.attrs["Conventions"] == "CF-1.8"
        assert f.attrs["schema_version"] == NETCDF_SCHEMA_VERSION
        for dim in f.dimensions:
            assert NAME.match(dim), dim
        variables = dict(f.variables)
        assert variables
        for vname, var in variables.items():
            assert NAME.match(vname), vname
            assert isinstance(var.attrs["units"], str) and var.attrs["units"], vname
            assert isinstance(var.attrs["long_name"], str) and var.attrs["long_name"], vname
            if var.dimensions == (vname,):  # a coordinate variable: numeric and monotonic
                step = np.diff(np.asarray(var[...], dtype=float))
                assert np.all(step > 0) or np.all(step < 0), vname
        # every auxiliary coordinate is named where the data variables point to them
        auxiliary = {n for n, v in variables.items() if v.dimensions and v.dimensions[0] != n} - {
            "P0",
            "P1",
            "P2",
            "population",
        }
        for data in ("P0", "P1", "P2", "population"):
            if data in variables:
                listed = set(variables[data].attrs.get("coordinates", "").split())
                assert listed == auxiliary
        # the grid axes: plain names, the dotted key kept, units from the parameter docs
        keys = {
            v.attrs["parameter_key"]: (n, v.attrs["units"])
            for n, v in variables.items()
            if "parameter_key" in v.attrs
        }
        assert list(keys) == list(spec.axes)
        for key, (vname, units) in keys.items():
            assert vname.startswith(key.replace(".", "_"))
            assert units == parameter_units(key)
        # every base parameter, also where the sweep file gave none
        assert spec.base == {}
        assert json.loads(f.attrs["base_params_json"]) == json.loads(
            json.dumps(Params().to_dict(), sort_keys=True)
        )


def test_units_and_names_come_from_the_parameter_docs():
    assert parameter_units("trap.temperature_k") == "K"
    assert parameter_units("trap.depth_hz") == "Hz"
    assert parameter_units("collisions.hold_time_s") == "s"
    assert parameter_units("collisions.field_gauss") == "gauss"
    assert parameter_units("imperfections.upper_dwell_s") == "s"
    assert parameter_units("imperfections.p_loss") == "1"
    assert parameter_units("collisions.model") == "1"
    bohr = float(parameter_units("scattering_lengths_bohr.a2").split()[0])
    assert bohr == pytest.approx(5.29177e-11, rel=1e-5)
    assert parameter_long_name("trap.temperature_k") == "temperature of the relative motion"
    assert parameter_long_name("collisions.chi1_coherence") == "given-mode chi1 coherence c"
    assert parameter_long_name("no.such.key") == "parameter no.such.key"


def _cf_tables(folder: Path) -> list[str]:
    """Empty standard-name, area-type and region tables (the files use none), so that the
    checker needs no network."""
    tables = {
        "-s": "<standard_name_table><version_number>0</version_number>"
        "<last_modified>2024-01-01T00:00:00Z</last_modified></standard_name_table>",
        "-a": "<area_type_table><version_number>0</version_number><date>2024-01-01</date>"
        "</area_type_table>",
        "-r": "<standard_region_list><version_number>0</version_number><date>2024-01-01</date>"
        "</standard_region_list>",
    }
    args = []
    for flag, xml in tables.items():
        p = folder / f"table{flag}.xml"
        p.write_text('<?xml version="1.0"?>\n' + xml)
        args += [flag, str(p)]
    return args


@pytest.mark.parametrize("name", ["raman", "dynamics"])
def test_cf_checker_finds_nothing(nc_files, name, tmp_path):
    """The CF checker (PyPI cfchecker; needs the UDUNITS-2 C library, so not in CI's
    extras) reports no error and no warning."""
    try:
        import cfchecker.cfchecks  # noqa: F401 - raises without UDUNITS-2
    except Exception as e:
        pytest.skip(f"cfchecker not usable here: {e}")
    _, path = nc_files[name]
    code = "from cfchecker.cfchecks import main; main()"
    args = [sys.executable, "-c", code, "-v", "1.8", *_cf_tables(tmp_path), str(path)]
    res = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert "ERRORS detected: 0" in res.stdout, res.stdout[-3000:]
    assert "WARNINGS given: 0" in res.stdout, res.stdout[-3000:]


@pytest.mark.parametrize("name", ["raman", "dynamics"])
def test_to_xarray_is_the_file_read_back(nc_files, name):
    import xarray as xr

    spec, path = nc_files[name]
    with xr.open_dataset(path) as ds:
        xr.testing.assert_identical(ds.load(), run_sweep(spec).to_xarray())


def test_labels_and_unordered_axes_select_by_value(nc_files):
    import xarray as xr

    spec, path = nc_files["raman"]
    rows = run_sweep(spec)
    with xr.open_dataset(path) as ds:
        assert "imperfections_p_loss" not in ds.indexes  # out of order: no index
        np.testing.assert_array_equal(ds["imperfections_p_loss_value"], [0.1, 0.0, 0.05])
        assert list(ds["collisions_model_label"].values) == ["given"]
        ds = ds.set_xindex("imperfections_p_loss_value")
        got = ds["P1"].sel(imperfections_p_loss_value=0.05, raman_field_gauss=1.0)
        row = next(
            r for r in rows if r["imperfections.p_loss"] == 0.05 and r["raman.field_gauss"] == 1.0
        )
        np.testing.assert_array_equal(got.squeeze("collisions_model"), row["P1"])
    dyn_spec, dyn_path = nc_files["dynamics"]
    last = run_sweep(dyn_spec)[-1]  # the last grid point
    with xr.open_dataset(dyn_path) as ds:
        pops = ds.set_xindex("state_label")["population"].sel(state_label="chi1")
        np.testing.assert_array_equal(pops[-1, -1], last["populations"]["chi1"])
        assert float(pops[-1, -1, -1]) > 0.01  # relaxation has filled chi1


def test_a_netcdf_of_the_old_layout_is_recomputed(nc_files, tmp_path):
    import h5netcdf

    spec, path = nc_files["raman"]
    copy_ = tmp_path / "r.nc"
    copy_.write_bytes(path.read_bytes())
    assert holds_sweep(copy_, spec)
    with h5netcdf.File(copy_, "a") as f:
        f.attrs["schema_version"] = NETCDF_SCHEMA_VERSION - 1
    assert not holds_sweep(copy_, spec)


def test_without_xarray_to_xarray_and_nc_output_name_the_extra(tmp_path, monkeypatch, capsys):
    import builtins

    spec = SweepSpec.from_toml_string('compute = "raman"\narea = [0.0]')
    rows = run_sweep(spec)
    real_import = builtins.__import__

    def no_xarray(name, *args, **kwargs):
        if name.split(".")[0] in ("xarray", "h5netcdf", "h5py"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_xarray)
    with pytest.raises(InputError, match=r"pip install 'spinpair\[netcdf\]'"):
        rows.to_xarray()
    f = tmp_path / "s.toml"
    f.write_text('compute = "raman"\narea = [0.0]\n')
    out = tmp_path / "r.nc"
    assert run(["sweep", str(f), "--out", str(out)]) == 2
    assert "spinpair[netcdf]" in capsys.readouterr().err
    assert not out.exists() and not parts_folder(out).exists()


# --------------------------------------------------------------------------- manifest


def _manifest_schema() -> dict:
    text = (resources.files("spinpair") / "schemas" / "sweep_manifest.schema.json").read_text()
    return json.loads(text)


def test_manifest_of_a_real_sweep_follows_its_schema(tmp_path, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema")
    import spinpair.sweep.store as store

    schema = _manifest_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "https://spinpair.invalid/schemas/sweep_manifest/1.json"
    assert schema["version"] == 1
    assert schema["properties"]["format"]["const"] == SCHEMA_VERSION
    # a real manifest, as a run stopped half-way leaves it
    f = tmp_path / "s.toml"
    f.write_text(
        'compute = "raman"\narea = [0.0]\n[axes]\n"imperfections.p_loss" = [0.0, 0.1, 0.2]\n'
    )
    out = tmp_path / "r.csv"

    class Stop(BaseException):
        pass

    def stop(name: str) -> None:
        if name == "chunk-recorded":
            raise Stop

    monkeypatch.setattr(store, "_fault_point", stop)
    with pytest.raises(Stop):
        sweep_to_file(SweepSpec.from_toml(f), out, chunk_size=1, log=lambda m: None)
    manifest = json.loads((parts_folder(out) / "manifest.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(manifest)
    assert manifest["n_points"] == 3 and manifest["chunk_size"] == 1
    # what the store refuses as damaged, the schema refuses too
    for bad in ({"chunk_size": 0}, {"sweep_sha256": "xyz"}, {"format": SCHEMA_VERSION + 1}):
        assert not validator.is_valid({**manifest, **bad}), bad
    without = dict(manifest)
    del without["n_points"]
    assert not validator.is_valid(without)


# --------------------------------------------------------------------------- budget


@pytest.mark.parametrize("text", [RAMAN, DYNAMICS])
def test_disk_estimate_matches_the_chunk_files_written(tmp_path, monkeypatch, text):
    """The estimate from one point's row is the size of the chunk files a run leaves (the
    rows of one sweep differ in length only by the digits of their numbers)."""
    import spinpair.sweep.store as store
    from spinpair.sweep import check_size

    spec = SweepSpec.from_toml_string(text)
    est = check_size(spec, spec.n_points, 1, yes=False)
    assert est is not None and est.bytes_per_point > 100

    class Stop(BaseException):
        pass

    def stop(name: str) -> None:
        if name == "published":  # every chunk written, the output in place
            raise Stop

    monkeypatch.setattr(store, "_fault_point", stop)
    with pytest.raises(Stop):
        sweep_to_file(spec, tmp_path / "r.json", chunk_size=2, log=lambda m: None)
    written = sum(p.stat().st_size for p in parts_folder(tmp_path / "r.json").glob("chunk-*"))
    assert written == pytest.approx(est.disk_bytes, rel=0.1)


# --------------------------------------------------------------------------- refactor


def _old_params_at(base: dict, point: dict) -> Params:
    """The per-point override code sweeps used before ``Params.replace``."""
    d = copy.deepcopy(dict(base))
    for key, value in point.items():
        *tables, leaf = key.split(".")
        node = d
        for t in tables:
            node = node.setdefault(t, {})
        node[leaf] = value
    return Params.from_dict(d)


@pytest.mark.parametrize("with_base", [False, True])
def test_points_through_params_replace_equal_the_old_override(tmp_path, with_base):
    head = 'compute = "raman"\narea = [0.0]\n'
    if with_base:
        (tmp_path / "p.toml").write_text(
            "[trap]\ntemperature_k = 3e-5\n[collisions]\nfield_gauss = 2.0\n"
        )
        head = 'params = "p.toml"\n' + head
    text = head + (
        "[axes]\n"
        '"trap.temperature_k" = [2e-5, 5e-5]\n'
        '"collisions.model" = ["given", "relaxation"]\n'
        '"collisions.chi1_coherence" = [0.0, 0.5]\n'
        '"imperfections.p_loss" = [0.0, 0.1]\n'
        '"raman.detuning_hz" = [0.0, 1e3]\n'
    )
    (tmp_path / "s.toml").write_text(text)
    spec = SweepSpec.from_toml(tmp_path / "s.toml")
    assert spec.n_points == 32
    for point in spec.iter_points():
        assert spec.params_at(point) == _old_params_at(dict(spec.base), point)
    # a species axis: its default manifold without a parameter file, the file's f with one
    species = SweepSpec.from_toml_string(
        head + '[axes]\n"species" = ["rb85", "rb87"]\n', folder=tmp_path
    )
    for point in species.iter_points():
        p = species.params_at(point)
        assert p == _old_params_at(dict(species.base), point)
    assert p.f == (2 if with_base else 1)
