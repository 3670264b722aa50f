"""The one parameter schema: validation, docs table, TOML comments and CLI limits all come
from :data:`spinpair.params.SCHEMA` (issue 24)."""

from __future__ import annotations

import argparse
import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pytest

from spinpair.analysis.model import params_with
from spinpair.cli import build_parser, run
from spinpair.dynamics import CollisionSetup
from spinpair.errors import InputError
from spinpair.imperfections import Imperfections, detection_from_false_rates
from spinpair.paper import PAPER_VALUES
from spinpair.params import (
    PARAM_DOCS,
    SCHEMA,
    CollisionParams,
    Params,
    RamanParams,
    TrapParams,
)
from spinpair.provenance import STATUSES
from spinpair.schema import DOC_BEGIN, DOC_END, markdown_table, specs
from spinpair.trap import PairTrap

ROOT = Path(__file__).resolve().parents[1]
TABLES = {"trap": TrapParams, "collisions": CollisionParams, "raman": RamanParams}
TABLES["imperfections"] = Imperfections


# ----------------------------------------------------------------------------- one declaration


def test_every_table_field_is_declared_in_the_schema():
    """Each field of each table has a Spec, and the schema holds nothing else but the
    top-level keys and the scattering-length table (no key is declared twice)."""
    declared = {}
    for name, klass in TABLES.items():
        for f in dataclasses.fields(klass):
            key = f"{name}.{f.name}"
            assert key in SCHEMA, key
            declared[key] = f.default if f.default is not dataclasses.MISSING else None
    others = set(SCHEMA) - set(declared)
    assert others == {"schema_version", "species", "f", "scattering_lengths_bohr"}


@pytest.mark.parametrize("klass", list(TABLES.values()))
def test_defaults_of_the_schema_are_the_dataclass_defaults(klass):
    obj = klass()
    for key, spec in specs(klass).items():
        value = getattr(obj, key.split(".")[1])
        assert value == spec.default, key
        assert spec.check(spec.default, key) == value  # a default passes its own check


def test_statuses_are_the_contract_ones_and_paper_values_come_from_them():
    assert all(s.status in (None, *STATUSES) for s in SCHEMA.values())
    # the dict paper.py held before the schema (spec §7)
    assert PAPER_VALUES == {
        "species": "rb85",
        "f": 2,
        "trap.depth_hz": 22e6,
        "trap.waist_m": 1.0e-6,
        "trap.wavelength_m": 1064e-9,
        "trap.temperature_k": 40e-6,
        "collisions.hold_time_s": 0.1,
        "collisions.field_gauss": 0.5,
        "collisions.populations.chi1": 0.37,
        "raman.field_gauss": 8.5,
        "imperfections.prep_efficiency": 0.93,
        "imperfections.destroy_coherence": 0.0,
    }


# ----------------------------------------------------------------------------- validation


REAL_KEYS = [k for k, s in SCHEMA.items() if s.kind == "real"]
ARRAY_KEYS = [k for k, s in SCHEMA.items() if s.kind == "reals"]


def _bad_values(spec):
    """NaN, ±inf, and values just outside each finite end (the end itself when open)."""
    out = [math.nan, math.inf, -math.inf]
    r = spec.range
    if r.lo is not None:
        out.append(r.lo if r.lo_open else math.nextafter(r.lo, -math.inf))
        out.append(r.lo - max(1.0, abs(r.lo)))
    if r.hi is not None:
        out.append(r.hi if r.hi_open else math.nextafter(r.hi, math.inf))
        out.append(r.hi + max(1.0, abs(r.hi)))
    return out


def _file(key, value):
    table, leaf = key.split(".")
    return {table: {leaf: value}}


@pytest.mark.parametrize("key", REAL_KEYS)
def test_every_real_field_rejects_nan_inf_and_out_of_range(key):
    spec = SCHEMA[key]
    for bad in _bad_values(spec):
        with pytest.raises(InputError) as e:
            Params.from_dict(_file(key, bad))
        assert e.value.field == key
        assert key in str(e.value)
        assert e.value.allowed == spec.allowed
        assert str(spec.range) in str(e.value) and spec.unit in str(e.value)


@pytest.mark.parametrize("key", REAL_KEYS)
def test_every_real_field_accepts_its_closed_ends(key):
    """The ends of a range are allowed (checked on the table, before rules across fields
    such as k_B T <= U0/10)."""
    spec = SCHEMA[key]
    table, leaf = key.split(".")
    r = spec.range
    for end, is_open in ((r.lo, r.lo_open), (r.hi, r.hi_open)):
        if end is None or is_open:
            continue
        obj = TABLES[table](**{leaf: end})
        assert getattr(obj, leaf) == end and type(getattr(obj, leaf)) is float


@pytest.mark.parametrize("key", ARRAY_KEYS)
def test_every_array_field_names_the_bad_entry(key):
    spec = SCHEMA[key]
    n = spec.length or 4
    good = [spec.default[0] if spec.default else 1.0] * n
    if key == "trap.frequencies_hz":
        good = [1e5] * n
    for bad in _bad_values(spec):
        value = [*good[:-1], bad]
        with pytest.raises(InputError) as e:
            Params.from_dict(_file(key, value))
        assert e.value.field == f"{key}[{n - 1}]"
        assert str(spec.range) in e.value.allowed


@pytest.mark.parametrize(
    ("key", "entry", "make"),
    [
        ("collisions.populations", "collisions.populations.chi1", lambda x: {"00": 0.5, "chi1": x}),
        ("imperfections.detection", "imperfections.detection[1][1]", None),
        ("scattering_lengths_bohr", "scattering_lengths_bohr.a2", lambda x: {"a2": x}),
    ],
)
def test_table_valued_fields_reject_bad_entries_by_name(key, entry, make):
    spec = SCHEMA[key]
    for bad in _bad_values(spec):
        if key == "imperfections.detection":
            value = [[1.0, 0.0, 0.0], [0.0, bad, 0.0], [0.0, 0.0, 1.0]]
            data = {"imperfections": {"detection": value}}
        elif key == "scattering_lengths_bohr":
            data = {key: make(bad)}
        else:
            data = _file(key, make(bad))
        with pytest.raises(InputError) as e:
            Params.from_dict(data)
        assert e.value.field == entry
        assert str(spec.range) in e.value.allowed


@pytest.mark.parametrize("key", [k for k, s in SCHEMA.items() if s.kind == "choice" and "." in k])
def test_choice_fields_list_their_choices(key):
    with pytest.raises(InputError) as e:
        Params.from_dict(_file(key, "nonsense"))
    assert e.value.field == key and e.value.allowed == SCHEMA[key].allowed
    for c in SCHEMA[key].choices:
        assert c in e.value.allowed


# ----------------------------------------------------------------------------- generated text


def test_docs_table_is_generated_from_the_schema():
    """docs/reference/params.md holds exactly the table of the schema (regenerate with
    docs/scripts/params_table.py)."""
    text = (ROOT / "docs" / "reference" / "params.md").read_text(encoding="utf-8")
    between = text.split(DOC_BEGIN, 1)[1].split(DOC_END, 1)[0]
    assert between.strip() == markdown_table(SCHEMA).strip()
    for key, spec in SCHEMA.items():
        row = next(line for line in between.splitlines() if line.startswith(f"| `{key}` |"))
        if spec.range is not None:
            assert str(spec.range) in row, key


def test_toml_comments_are_the_schema_help():
    """Every key of ``spinpair params --show`` carries the schema's unit and range."""
    text = Params().to_toml()
    table = ""
    seen = set()
    for line in text.splitlines():
        if m := re.match(r"^\[(\w+)\]", line):
            table = m.group(1) + "."
            continue
        if m := re.match(r"^(\w+) = .* # (.*)$", line):
            key = table + m.group(1)
            assert m.group(2) == PARAM_DOCS[key] == SCHEMA[key].help(), key
            seen.add(key)
    assert seen >= {k for k in SCHEMA if k != "trap.frequencies_hz"} - {"scattering_lengths_bohr"}
    for key, spec in SCHEMA.items():
        if spec.range is not None:
            assert str(spec.range) in PARAM_DOCS[key]
            assert f"[{spec.unit or '1'}]" in PARAM_DOCS[key]


# ----------------------------------------------------------------------------- the command line


def _param_options():
    """(subcommand, option, key, action) of every option that sets a parameter."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = []
    for name, sp in sub.choices.items():
        table = sp.get_default("param_options") or {}
        actions = {a.dest: a for a in sp._actions}
        for dest, (option, key, _override) in table.items():
            out.append((name, option, key, actions[dest]))
    return out


def test_cli_parameter_options_are_the_schema_options():
    """The options the schema names are exactly the options that take a schema range."""
    found = {f"{name} {option}": key for name, option, key, _ in _param_options()}
    declared = {opt: key for key, s in SCHEMA.items() for opt in s.options if s.kind == "real"}
    assert found == declared
    assert {"dynamics --field", "dynamics --temperature", "raman --detuning"} <= set(found)


@pytest.mark.parametrize(("name", "option", "key", "action"), _param_options())
def test_cli_limits_and_help_are_the_schema(capsys, name, option, key, action):
    spec = SCHEMA[key]
    assert str(spec.range) in action.help and f"[{spec.unit or '1'}]" in action.help
    assert key in action.help
    argv = {
        "dynamics": ["dynamics", "--model", "ergodic", "--times", "0.1"],
        "calibrate": ["calibrate", str(ROOT / "nonexistent.csv")],
        "raman": ["raman", "--ideal", "--area", "1"],
    }[name]
    for bad in _bad_values(spec)[3:]:  # finite values outside (argparse refuses nan/inf)
        if option == "--times":
            argv_bad = [*argv[:-1], repr(bad)]
        else:
            argv_bad = [*argv, option, repr(bad)]
        assert run(argv_bad) == 2
        out, err = capsys.readouterr()
        assert out == ""
        message = err.strip().removeprefix("spinpair: error: ")
        assert message.startswith(f"{option} = ")
        assert f"allowed {spec.allowed} (" in message  # the same words as a parameter file


def test_field_option_and_parameter_file_state_the_same_range(capsys, tmp_path):
    path = tmp_path / "field.toml"
    path.write_text("[collisions]\nfield_gauss = 5e4\n")
    assert run(["dynamics", "--model", "ergodic", "--params", str(path), "--times", "0.1"]) == 2
    from_file = capsys.readouterr().err
    assert run(["dynamics", "--model", "ergodic", "--field", "5e4", "--times", "0.1"]) == 2
    from_option = capsys.readouterr().err
    allowed = re.compile(r"is invalid: allowed (.*?G)")
    assert "collisions.field_gauss = 50000.0" in from_file and "--field = 50000.0" in from_option
    assert allowed.search(from_file)[1] == allowed.search(from_option)[1]
    assert allowed.search(from_file)[1] == "a real number in [0, 10000] G"


def test_temperature_option_follows_the_schema_not_a_cli_constant(capsys):
    """5 K is inside the schema's [1e-9, 10] K: the depth rule rejects it, named after the
    option (before: a separate 1 K command-line limit with its own message)."""
    assert run(["dynamics", "--model", "ergodic", "--temperature", "5", "--times", "0.1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("spinpair: error: --temperature = 5.0 is invalid: allowed <= U0/(10")
    assert "sets trap.temperature_k" in err


# ----------------------------------------------------------------------------- one override path


def _dynamics_args(*argv):
    parser = build_parser()
    return parser.parse_args(["dynamics", "--times", "0.1", *argv])


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--field", "2", "--temperature", "2e-5", "--rate-scale", "3"],
        ["--species", "rb87"],
        ["--species", "rb87", "--f", "2"],
        ["--f", "2", "--rates", "zero-range"],
    ],
)
def test_dynamics_overrides_equal_the_old_dict_path(argv):
    """cli.dynamics._params (now Params.replace) equals the dictionary edits it replaced."""
    from spinpair.cli.dynamics import _params
    from spinpair.species import get_species

    a = _dynamics_args(*argv)
    d = Params().to_dict()
    if a.species is not None:
        d["species"] = a.species
        if a.f is None:
            d.pop("scattering_lengths_bohr")
            d["f"] = get_species(a.species).f
    if a.f is not None:
        d["f"] = a.f
    for opt, table, leaf in [
        ("field", "collisions", "field_gauss"),
        ("temperature", "trap", "temperature_k"),
        ("rate_scale", "collisions", "rate_scale"),
        ("rates", "collisions", "rates"),
    ]:
        if getattr(a, opt) is not None:
            d[table][leaf] = getattr(a, opt)
    assert _params(a) == Params.from_dict(d)


def test_params_with_equals_dataclasses_replace():
    """analysis.model.params_with (now Params.replace) equals the direct construction."""
    p = Params()
    values = {"p_loss": 0.03, "prep_efficiency": 0.9, "p_false_neg": 0.02}
    imp = dataclasses.replace(
        p.imperfections,
        p_loss=0.03,
        prep_efficiency=0.9,
        detection=detection_from_false_rates(0.0, 0.02),
    )
    expected = dataclasses.replace(p, imperfections=imp)
    got = params_with(p, values)
    assert got == expected and hash(got) == hash(expected)
    assert got.imperfections.detection == expected.imperfections.detection  # exact


def test_replace_aliases():
    p = Params()
    assert p.replace({"imperfections.state_prep_error": 0.25}).imperfections.prep_efficiency == 0.75
    q = p.replace({"imperfections.p_false_pos": 0.1})
    assert q.imperfections.p_false_pos == 0.1 and q.imperfections.p_false_neg == 0.0
    odd = p.replace({"imperfections.detection": [[0.9, 0.1, 0], [0, 1, 0], [0, 0.5, 0.5]]})
    with pytest.raises(InputError, match="false-rate"):
        odd.replace({"imperfections.p_false_neg": 0.01})
    with pytest.raises(InputError, match="not both"):
        p.replace({"imperfections.state_prep_error": 0.1, "imperfections.prep_efficiency": 0.9})
    with pytest.raises(InputError) as e:
        p.replace({"trap.colour": 1.0})
    assert e.value.field == "trap.colour"


def test_replace_rebuilds_only_what_it_names_and_equals_from_dict():
    p = Params(raman=RamanParams(detuning_hz=-5e3))
    for values in (
        {"trap.depth_hz": 3e7},
        {"collisions.field_gauss": 2.0, "raman.rabi_frequency_hz": 1e5},
        {"species": "rb87", "f": 1},
        {"imperfections.p_loss": 0.1},
    ):
        d = p.to_dict()
        for k, v in values.items():
            *tables, leaf = k.split(".")
            node = d
            for t in tables:
                node = node[t]
            node[leaf] = v
        assert p.replace(values) == Params.from_dict(d)
    assert p.replace({"trap.depth_hz": 3e7}).raman is p.raman  # untouched tables kept


# ----------------------------------------------------------------------------- no second limits


def test_collision_setup_uses_the_schema_ranges():
    setup = CollisionSetup.from_params(Params())
    for key in ("collisions.field_gauss", "collisions.rate_scale"):
        leaf = key.split(".")[1]
        bad = SCHEMA[key].range.hi * 2
        with pytest.raises(InputError) as e:
            dataclasses.replace(setup, **{leaf: bad})
        assert e.value.field == key and e.value.allowed == SCHEMA[key].allowed


def test_pair_trap_from_params_equals_from_tweezer():
    """from_params no longer re-checks the validated trap; the frequencies are identical."""
    p = Params()
    t = p.trap
    a = PairTrap.from_params(p)
    b = PairTrap.from_tweezer(
        p.species_data(), t.depth_hz, t.waist_m, t.wavelength_m, t.temperature_k
    )
    assert a == b
    with pytest.raises(InputError) as e:
        PairTrap(a.frequencies_hz, a.mass_kg, 20.0)
    assert e.value.allowed == SCHEMA["trap.temperature_k"].allowed
    assert np.all(np.isfinite(a.omega))


def test_params_json_carries_the_schema(capsys):
    import json

    assert run(["params", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert list(d["schema"]) == list(SCHEMA)
    for key, spec in SCHEMA.items():
        got = d["schema"][key]
        assert got["unit"] == spec.unit and got["kind"] == spec.kind
        if spec.range is not None:
            assert (got["range"]["lo"], got["range"]["hi"]) == (spec.range.lo, spec.range.hi)
