"""The data formats scripts build on: the JSON Schemas of ``results.json`` and of every
``--json`` output (src/spinpair/schemas/), validated against real outputs of small runs,
and the command-line contract page docs/cli.md, which must name every option and every
JSON key the sample runs print."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from spinpair.cli.main import build_parser, run
from spinpair.paper import preset_path
from spinpair.schemas import ID_PREFIX, SCHEMA_VERSIONS, load_schema, schema_path, schema_version

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
PRESET = str(preset_path("paper-like"))


def _population_csv(path: Path) -> Path:
    """Populations versus hold time (the calibrate input) at rate_scale 0.3."""
    from spinpair.dynamics import CollisionSetup
    from spinpair.montecarlo import simulate_populations
    from spinpair.params import CollisionParams, Params

    truth = CollisionSetup.from_params(Params(collisions=CollisionParams(rate_scale=0.3)))
    d = simulate_populations(truth, "relaxation", [0.01, 0.03, 0.1], 2000, seed=4)
    rows = ["time_s,runs,00,chi1,chi2"] + [
        f"{t},{n},{x},{y},{z}"
        for t, n, x, y, z in zip(
            d.time_s, d.runs, d.counts["00"], d.counts["chi1"], d.counts["chi2"], strict=True
        )
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


def _samples(tmp: Path) -> dict[str, list[str]]:
    """Sample runs: every subcommand with --json, and every form of its output."""
    csv = str(tmp / "data.csv")
    sweep = tmp / "sw.toml"
    sweep.write_text(
        'compute = "raman"\ntau_s = [0.0, 1e-6]\n[axes]\n"imperfections.p_loss" = [0.0, 0.1]\n'
    )
    # simulate first: fit and plan --data read its file
    return {
        "simulate": ["simulate", "--params", PRESET, "--tau", "0", "8e-7", "1.6e-6", "--runs",
                     "200", "--seed", "1", "--out", csv, "--json"],
        "params": ["params", "--json"],
        "state": ["state", "chi1", "--json"],
        "state product": ["state", "-1,1", "--f", "1", "--json"],
        "zeeman": ["zeeman", "--field", "0.5", "--json"],
        "raman area": ["raman", "--ideal", "--state", "chi1", "--area", "0", "1.5", "--json"],
        "raman compare": ["raman", "--params", PRESET, "--compare", "--tau", "0", "8e-7",
                          "--json"],
        "dynamics relaxation": ["dynamics", "--model", "relaxation", "--times", "0", "0.05",
                                "--json"],
        "dynamics ergodic": ["dynamics", "--model", "ergodic", "--nodes", "32", "--times", "0",
                             "0.05", "--json"],
        "scattering": ["scattering", "--json"],
        "scattering energies": ["scattering", "--energies-uk", "1", "--json"],
        "scattering inelastic": ["scattering", "--field", "0.5", "--inelastic",
                                 "--temperature", "40e-6", "--json"],
        "fit": ["fit", csv, "--params", PRESET, "--json"],
        "plan": ["plan", "--params", PRESET, "--area", "1.5708", "--fidelity", "0.9",
                 "--trials", "20", "--json"],
        "plan design": ["plan", "--design", "--params", PRESET, "--shots", "500", "--json"],
        "plan next": ["plan", "--design", "--params", PRESET, "--shots", "300", "--data", csv,
                      "--json"],
        "plan calibration": ["plan", "--design", "--calibration", "a0", "a2", "--shots", "500",
                             "--json"],
        "ramsey": ["ramsey", "--state", "chi1", "--wait", "5e-6", "--points", "21", "--json"],
        "ramsey fisher": ["ramsey", "--state", "chi1", "--wait", "5e-6", "--points", "21",
                          "--fisher", "--postselect", "--json"],
        "optimise": ["optimise", "--knobs", "hold_time_s", "--max-evaluations", "60",
                     "--landscape-points", "0", "--json"],
        "calibrate": ["calibrate", str(_population_csv(tmp / "pops.csv")), "--model",
                      "relaxation", "--free", "rate_scale", "--grid", "21", "--json"],
        "sweep": ["sweep", str(sweep), "--out", str(tmp / "sw.csv"), "--json"],
    }  # fmt: skip


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict]]:
    """label → (schema name, the printed JSON object) of every sample run."""
    tmp = tmp_path_factory.mktemp("schemas")
    got = {}
    for label, argv in _samples(tmp).items():
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = run(argv)
        assert code == 0, label
        got[label] = (argv[0], json.loads(buf.getvalue()))
    return got


@pytest.fixture(scope="module")
def reproduce_run(outputs, tmp_path_factory) -> dict:
    """``spinpair reproduce --json`` with the report itself replaced (it runs in
    test_results_json_matches_its_schema)."""
    import spinpair.report

    def fake(out_dir, **kwargs):
        (Path(out_dir) / "results.json").write_text("{}")
        return Path(out_dir)

    tmp = tmp_path_factory.mktemp("rep")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spinpair.report, "reproduce", fake)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert run(["reproduce", "--out", str(tmp / "r"), "--json"]) == 0
    return json.loads(buf.getvalue())


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema(name))


def json_commands() -> set[str]:
    """Subcommands that take --json, read from the parser."""
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return {
        name
        for name, p in sub.choices.items()
        if any("--json" in a.option_strings for a in p._actions)
    }


# ------------------------------------------------------------------ the schema files


def test_every_json_subcommand_has_a_schema_and_every_file_a_version():
    files = {
        p.name.removesuffix(".schema.json") for p in schema_path("raman").parent.glob("*.json")
    }
    assert json_commands() | {"results"} <= set(SCHEMA_VERSIONS)
    # h-sweep's sweep_manifest schema may sit in the same folder: every file is loadable
    assert set(SCHEMA_VERSIONS) <= files


@pytest.mark.parametrize("name", sorted(SCHEMA_VERSIONS))
def test_schema_files_are_valid_draft_2020_12_with_versioned_ids(name):
    s = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(s)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["$id"] == f"{ID_PREFIX}/{name}/{schema_version(name)}.json"
    if name in ("sweep_manifest", "provenance_sidecar"):  # files with their own version keys
        return
    assert s["properties"]["schema_version"] == {
        "const": schema_version(name),
        "description": s["properties"]["schema_version"]["description"],
    }
    assert "schema_version" in s["required"]
    # a schema names its keys: every required key is a declared property (or a oneOf form's)
    forms = [s, *(s["$defs"][r["$ref"].split("/")[-1]] for r in s.get("oneOf", []))]
    for form in forms:
        assert set(form.get("required", [])) <= set(form.get("properties", {})), form["description"]


def test_unknown_schema_name_is_an_input_error():
    from spinpair.errors import InputError

    with pytest.raises(InputError, match="schema"):
        schema_version("raman2")


# ------------------------------------------------------------------ real outputs


def test_sample_runs_cover_every_json_subcommand(outputs, reproduce_run):
    assert {name for name, _ in outputs.values()} | {"reproduce"} == json_commands()


def test_every_output_carries_its_schema_version_first(outputs, reproduce_run):
    for label, (name, d) in [*outputs.items(), ("reproduce", ("reproduce", reproduce_run))]:
        assert next(iter(d)) == "schema_version", label
        assert d["schema_version"] == SCHEMA_VERSIONS[name], label


def test_outputs_validate_against_their_schemas(outputs, reproduce_run):
    for label, (name, d) in [*outputs.items(), ("reproduce", ("reproduce", reproduce_run))]:
        errors = [f"{e.json_path}: {e.message}" for e in _validator(name).iter_errors(d)]
        assert not errors, (label, errors[:5])


def test_plan_forms_are_told_apart(outputs):
    """plan prints one of four objects; each sample matches exactly one form (oneOf)."""
    s = load_schema("plan")
    forms = {
        "plan": "power",
        "plan design": "design",
        "plan next": "next_shots",
        "plan calibration": "calibration_design",
    }
    for label, form in forms.items():
        d = outputs[label][1]
        matches = [
            f
            for f in forms.values()
            if jsonschema.Draft202012Validator({**s, "oneOf": [{"$ref": f"#/$defs/{f}"}]}).is_valid(
                d
            )
        ]
        assert matches == [form], label


def _renamed(d: dict, key: str) -> dict:
    out = {(k + "_renamed" if k == key else k): v for k, v in d.items()}
    return out


def test_a_renamed_required_key_fails_validation(outputs):
    """Strict enough to catch a renamed key: renaming any required top-level key (and the
    nested keys scripts read most) makes the output invalid."""
    for label, (name, d) in outputs.items():
        s = load_schema(name)
        v = _validator(name)
        required = set(s["required"])
        for form in s.get("oneOf", []):
            sub = s["$defs"][form["$ref"].split("/")[-1]]
            if jsonschema.Draft202012Validator({**s, "oneOf": [form]}).is_valid(d):
                required |= set(sub["required"])
        for key in required:
            assert not v.is_valid(_renamed(d, key)), (label, key)
    fit = copy.deepcopy(outputs["fit"][1])
    fit["chi2_table"]["entangled"]["all"] = {"chi2": 1.0, "ndof": 2, "p_value": 0.5}
    assert not _validator("fit").is_valid(fit)
    cal = copy.deepcopy(outputs["calibrate"][1])
    cal["minima"][0] = _renamed(cal["minima"][0], "intervals_68")
    assert not _validator("calibrate").is_valid(cal)
    bad = copy.deepcopy(outputs["raman area"][1])
    bad["P1"] = [0.5, "0.5"]  # numbers are numbers (or null for NaN), never strings
    assert not _validator("raman").is_valid(bad)
    bad = copy.deepcopy(outputs["dynamics relaxation"][1])
    bad["scattering_lengths"]["a0"]["status"] = "guessed"  # the status vocabulary is closed
    assert not _validator("dynamics").is_valid(bad)


def test_nan_is_null_and_null_is_valid_where_a_number_can_be_nan(outputs):
    d = copy.deepcopy(outputs["fit"][1])
    d["unentangled_rejection_sigma"] = None
    assert _validator("fit").is_valid(d)


def test_results_json_matches_its_schema(report_dir):
    res = json.loads((report_dir / "results.json").read_text())
    assert res["schema_version"] == SCHEMA_VERSIONS["results"]
    errors = [f"{e.json_path}: {e.message}" for e in _validator("results").iter_errors(res)]
    assert not errors, errors[:5]
    # every number the report shows names its key path in results.json: the paths resolve
    for fig in res["figures"].values():
        for n in fig["numbers"]:
            node: Any = res
            for part in n["path"].split("."):
                node = node[int(part)] if isinstance(node, list) else node[part]


# ------------------------------------------------------------------ docs/cli.md


def _resolve(node: dict, root: dict) -> dict:
    while "$ref" in node:
        node = root["$defs"][node["$ref"].split("/")[-1]]
    return node


def _in_doc(key: str) -> bool:
    """``key`` is named in docs/cli.md, alone or as the last part of a dotted key."""
    return f"`{key}`" in CLI_DOC or f".{key}`" in CLI_DOC


def _undocumented(x: Any, node: dict, root: dict, path: str) -> list[str]:
    """Keys of ``x`` that neither the schema node declares (as a property, or as a map
    with data keys) nor docs/cli.md names in backticks."""
    node = _resolve(node, root)
    if isinstance(x, list):
        items = _resolve(node.get("items", {}), root) if isinstance(node, dict) else {}
        return [k for i in x for k in _undocumented(i, items, root, path + "[]")]
    if not isinstance(x, dict):
        return []
    forms = [node] + [_resolve(f, root) for f in node.get("oneOf", []) + node.get("anyOf", [])]
    props: dict = {}
    maps = []
    for f in forms:
        props.update(f.get("properties", {}))
        if isinstance(f.get("additionalProperties"), dict):
            maps.append(f["additionalProperties"])
    bad = []
    for k, v in x.items():
        if k in props:
            bad += _undocumented(v, props[k], root, f"{path}.{k}")
        elif maps:
            bad += _undocumented(v, maps[0], root, f"{path}.{k}")
        elif not _in_doc(k):  # named in docs/cli.md: the page documents it and its content
            bad.append(f"{path}.{k}")
    return bad


def test_every_json_key_of_the_sample_runs_is_documented(outputs, reproduce_run):
    """Every key printed is declared by its schema or named in docs/cli.md, and every
    top-level key is named in docs/cli.md (where users read the contract)."""
    bad = []
    for _label, (name, d) in [*outputs.items(), ("reproduce", ("reproduce", reproduce_run))]:
        s = load_schema(name)
        bad += _undocumented(d, s, s, name)
        bad += [f"{name}.{k} (top level)" for k in d if not _in_doc(k)]
    assert not bad, sorted(set(bad))


def test_every_subcommand_and_option_is_in_the_contract_page():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    missing = []
    for name, p in sub.choices.items():
        if f"### `spinpair {name}`" not in CLI_DOC:
            missing.append(name)
        section = CLI_DOC.split(f"### `spinpair {name}`", 1)[-1].split("\n### ", 1)[0]
        for a in p._actions:
            for opt in a.option_strings:
                if opt.startswith("--") and opt != "--help" and f"`{opt}" not in section:
                    missing.append(f"{name} {opt}")
    assert not missing, missing


def test_help_and_docstrings_point_at_the_shipped_contract():
    """CLI.md lives outside the repository: nothing in it may send users there."""
    hits = []
    for path in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "src").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?<![\w/])CLI\.md", text):
            hits.append(str(path.relative_to(ROOT)))
    assert not hits, hits
    from spinpair.cli.common import COMMON_HELP

    assert "docs/cli.md" in COMMON_HELP["json"]


def _sidecars(tmp_path_factory) -> dict[str, dict]:
    """The provenance sidecars the sample runs wrote (simulate's CSV, the CSV sweep's)."""
    found = sorted(tmp_path_factory.getbasetemp().glob("schemas*/*.provenance.json"))
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in found}


def test_provenance_sidecars_validate_against_their_schema(outputs, tmp_path_factory):
    sidecars = _sidecars(tmp_path_factory)
    assert set(sidecars) == {"data.csv.provenance.json", "sw.csv.provenance.json"}
    schema = load_schema("provenance_sidecar")
    for name, doc in sidecars.items():
        jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
        assert name == doc["data_file"] + ".provenance.json"
    # the two forms are told apart: each validates against its own form only
    forms = {k: {**schema, "oneOf": [{"$ref": f"#/$defs/{k}"}]} for k in ("simulate", "sweep")}
    v = jsonschema.Draft202012Validator
    assert v(forms["simulate"]).is_valid(sidecars["data.csv.provenance.json"])
    assert not v(forms["sweep"]).is_valid(sidecars["data.csv.provenance.json"])
    assert v(forms["sweep"]).is_valid(sidecars["sw.csv.provenance.json"])
    assert not v(forms["simulate"]).is_valid(sidecars["sw.csv.provenance.json"])


@pytest.mark.parametrize("key", ["data_file", "provenance"])
def test_a_sidecar_without_a_required_key_fails_validation(outputs, tmp_path_factory, key):
    schema = load_schema("provenance_sidecar")
    for doc in _sidecars(tmp_path_factory).values():
        broken = {k: v for k, v in doc.items() if k != key}
        assert not jsonschema.Draft202012Validator(schema).is_valid(broken)
    bad_status = copy.deepcopy(doc)
    bad_status["provenance"]["status"] = "guessed"
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad_status)
