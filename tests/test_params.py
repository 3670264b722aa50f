"""Parameter set: defaults, value semantics, strict typing, physical ranges, files, TOML."""

import concurrent.futures
import copy
import dataclasses
import math
import pickle
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import constants

from spinpair.cli import run
from spinpair.errors import InputError
from spinpair.imperfections import (
    Imperfections,
    check_raman_scan,
    detection_from_false_rates,
    max_raman_area_rad,
    raman_duration_range_s,
)
from spinpair.paper import preset_path
from spinpair.params import (
    COLLISION_MODELS,
    CollisionParams,
    Params,
    RamanParams,
    TrapParams,
)
from spinpair.trap import max_temperature_k
from spinpair.validation import FrozenMap

# examples: the Hypothesis profile's number (tests/conftest.py: "dev" few, "ci" many)
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------- defaults


def test_defaults_are_the_paper():
    p = Params()
    assert p.species == "rb85" and p.f == 2
    assert p.trap.depth_hz == 22e6 and p.trap.temperature_k == 40e-6
    assert p.collisions.hold_time_s == 0.1 and p.collisions.field_gauss == 0.5
    assert p.raman.field_gauss == 8.5
    assert p.imperfections.prep_efficiency == 0.93
    assert sum(p.collisions.populations.values()) == pytest.approx(1.0)


def test_toml_round_trip():
    p = Params.from_toml_string(
        """
        species = "rb87"
        f = 2
        [trap]
        frequencies_hz = [100e3, 110e3, 25e3]
        [collisions]
        model = "given"
        populations = { "00" = 0.5, chi1 = 0.5 }
        chi1_coherence = 0.6
        [scattering_lengths_bohr]
        a0 = 90.0
        [imperfections]
        p_false_neg = 0.1
        state_prep_error = 0.05
        """
    )
    assert p.trap.frequencies_hz == (100e3, 110e3, 25e3)
    assert p.species_data().scattering_lengths_bohr[0] == 90.0
    assert p.imperfections.prep_efficiency == pytest.approx(0.95)
    assert Params.from_toml_string(p.to_toml()) == p
    assert Params.from_dict(p.to_dict()) == p


@pytest.mark.parametrize("name", ["paper-like", "paper-calibrated"])
def test_presets_load_and_round_trip(name):
    p = Params.from_toml(preset_path(name))
    assert Params.from_toml_string(p.to_toml()) == p
    assert p.imperfections.p_spont_per_pi > 0


def test_detection_from_false_rates_is_row_stochastic():
    m = np.array(detection_from_false_rates(0.02, 0.1))
    assert np.allclose(m.sum(axis=1), 1.0)
    assert m[2, 2] == pytest.approx(0.81)  # both atoms seen: (1 - 0.1)^2


def test_imperfections_ideal():
    imp = Imperfections.ideal()
    assert imp.prep_efficiency == 1.0 and imp.state_prep_error == 0.0
    assert imp.p_false_pos == 0.0 and imp.p_false_neg == 0.0


def test_spam_aliases_read_back():
    p = Params.from_toml_string(
        "[imperfections]\nstate_prep_error = 0.07\np_false_pos = 0.02\np_false_neg = 0.1"
    )
    imp = p.imperfections
    assert imp.state_prep_error == pytest.approx(0.07)
    assert imp.p_false_pos == pytest.approx(0.02) and imp.p_false_neg == pytest.approx(0.1)
    # the written file uses the canonical keys and reads back to the same object
    assert "state_prep_error" not in p.to_toml().split("#")[0]
    assert Params.from_toml_string(p.to_toml()) == p


@pytest.mark.parametrize(
    "toml",
    [
        "[imperfections]\nstate_prep_error = 0.1\nprep_efficiency = 0.9",
        "[imperfections]\np_false_neg = 0.1\ndetection = [[1,0,0],[0,1,0],[0,0,1]]",
        "[imperfections]\np_false_neg = true",
        "[imperfections]\nstate_prep_error = 1.5",
    ],
)
def test_spam_alias_conflicts_and_types_rejected(toml):
    with pytest.raises(InputError, match="imperfections"):
        Params.from_toml_string(toml)


# ----------------------------------------------------------------------------- value semantics


def _custom() -> Params:
    return Params.from_toml(preset_path("paper-calibrated"))


@pytest.mark.parametrize("make", [Params, _custom])
def test_pickle_deepcopy_hash_and_dict_key(make):
    p = make()
    q = pickle.loads(pickle.dumps(p))
    assert q == p and hash(q) == hash(p)
    r = copy.deepcopy(p)
    assert r == p and hash(r) == hash(p)
    assert hash(make()) == hash(p)
    cache = {p: "result"}
    assert cache[make()] == "result"
    assert len({p, q, r, make()}) == 1


def test_equality_is_by_value():
    a = Params(collisions=CollisionParams(populations={"00": 0.4, "chi1": 0.37, "chi2": 0.23}))
    b = Params(collisions=CollisionParams(populations={"chi2": 0.23, "chi1": 0.37, "00": 0.4}))
    assert a == b and hash(a) == hash(b)
    c = dataclasses.replace(a, raman=RamanParams(detuning_hz=1.0))
    assert c != a
    assert a.collisions.populations == {"00": 0.4, "chi1": 0.37, "chi2": 0.23}


def test_frozen():
    p = Params()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.f = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.trap.depth_hz = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        p.collisions.populations["chi1"] = 1.0  # type: ignore[index]
    assert isinstance(p.collisions.populations, FrozenMap)
    assert isinstance(p.imperfections.detection, tuple)


def test_replace_revalidates():
    with pytest.raises(InputError, match=r"imperfections\.p_loss"):
        dataclasses.replace(Imperfections(), p_loss=2.0)
    with pytest.raises(InputError, match=r"trap\.temperature_k"):
        dataclasses.replace(Params(), trap=TrapParams(temperature_k=1.0))


def test_send_to_worker_processes():
    ps = [Params(), _custom(), Params(raman=RamanParams(detuning_hz=-5e3))]
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        copies = list(pool.map(copy.deepcopy, ps))
        texts = list(pool.map(Params.to_toml, ps))
    assert copies == ps
    assert texts == [p.to_toml() for p in ps]


# ----------------------------------------------------------------------------- strict types

NUMERIC_KEYS = [
    ("trap", "depth_hz"),
    ("trap", "waist_m"),
    ("trap", "wavelength_m"),
    ("trap", "temperature_k"),
    ("collisions", "hold_time_s"),
    ("collisions", "field_gauss"),
    ("collisions", "rate_scale"),
    ("collisions", "chi1_coherence"),
    ("raman", "rabi_frequency_hz"),
    ("raman", "detuning_hz"),
    ("raman", "field_gauss"),
    ("imperfections", "prep_efficiency"),
    ("imperfections", "transfer_efficiency"),
    ("imperfections", "push_efficiency"),
    ("imperfections", "p_inelastic_pair"),
    ("imperfections", "p_loss"),
    ("imperfections", "p_spont_per_pi"),
    ("imperfections", "destroy_coherence"),
    ("imperfections", "destroy_loss"),
    ("imperfections", "state_prep_error"),
    ("imperfections", "p_false_pos"),
    ("imperfections", "p_false_neg"),
    ("scattering_lengths_bohr", "a0"),
]


@pytest.mark.parametrize(("table", "key"), NUMERIC_KEYS)
@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("true", "bool"),
        ("false", "bool"),
        ('"0.5"', "string"),
        ("[0.5]", "list"),
        ("{ x = 1 }", "dict"),
        ("1979-05-27", "date"),
        ("nan", "not finite"),
        ("inf", "not finite"),
    ],
)
def test_numbers_are_strict(table, key, value, hint):
    with pytest.raises(InputError) as e:
        Params.from_toml_string(f"[{table}]\n{key} = {value}")
    assert e.value.field == f"{table}.{key}"
    assert "real number" in e.value.allowed and "[" in e.value.allowed  # names the range
    assert hint in str(e.value)


@pytest.mark.parametrize(
    "toml",
    [
        "[imperfections]\nprep_efficiency = 1",
        "[imperfections]\nprep_efficiency = 0",
        "[trap]\ndepth_hz = 22000000",
        "[raman]\ndetuning_hz = -5000",
        "[collisions]\npopulations = { '00' = 1 }",
        "[imperfections]\ndetection = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]",
        "[trap]\nfrequencies_hz = [100000, 100000, 25000]",
    ],
)
def test_integers_accepted_where_floats_expected(toml):
    p = Params.from_toml_string(toml)
    for table in (p.trap, p.raman, p.imperfections):
        for fld in dataclasses.fields(table):
            v = getattr(table, fld.name)
            if isinstance(v, (int, float)):
                assert type(v) is float
    assert all(type(x) is float for x in p.collisions.populations.values())


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ("species = 'k39'", "species"),
        ("species = 85", "species"),
        ("f = 2.0", "f"),
        ("f = true", "f"),
        ("f = '2'", "f"),
        ("f = 3", "f"),
        ("schema_version = true", "schema_version"),
        ("schema_version = 2", "schema_version"),
        ("trap = 1", "trap"),
        ("trap = [1, 2]", "trap"),
        ("imperfections = 'none'", "imperfections"),
        ("scattering_lengths_bohr = [1.0]", "scattering_lengths_bohr"),
        ("[trap]\nfrequencies_hz = 1e5", "trap.frequencies_hz"),
        ("[trap]\nfrequencies_hz = [1e5, 1e5]", "trap.frequencies_hz"),
        ("[trap]\nfrequencies_hz = [1e5, 1e5, true]", "trap.frequencies_hz[2]"),
        ("[trap]\nfrequencies_hz = [1e5, 1e5, '2e4']", "trap.frequencies_hz[2]"),
        ("[collisions]\nmodel = 1", "collisions.model"),
        ("[collisions]\nmodel = 'magic'", "collisions.model"),
        ("[collisions]\npopulations = [0.5, 0.5]", "collisions.populations"),
        ("[collisions]\npopulations = { '00' = true }", "collisions.populations.00"),
        ("[collisions]\npopulations = { '00' = 0.5, chi = 0.5 }", "collisions.populations.chi"),
        ("[imperfections]\ndetection = 'identity'", "imperfections.detection"),
        ("[imperfections]\ndetection = [1, 0, 0]", "imperfections.detection[0]"),
        (
            "[imperfections]\ndetection = [[true,0,0],[0,1,0],[0,0,1]]",
            "imperfections.detection[0][0]",
        ),
        ("[imperfections]\nprep_error_weights = 1.0", "imperfections.prep_error_weights"),
        (
            "[imperfections]\nprep_error_weights = [1, true, 1, 1]",
            "imperfections.prep_error_weights[1]",
        ),
    ],
)
def test_wrong_types_name_the_field(toml, field):
    with pytest.raises(InputError) as e:
        Params.from_toml_string(toml)
    assert e.value.field == field
    assert field in str(e.value)


@pytest.mark.parametrize(
    ("toml", "field", "allowed"),
    [
        ("unknown = 1", "unknown", "species"),
        ("[trap]\ncolour = 'red'", "trap.colour", "depth_hz"),
        ("[collisions]\nhold = 0.1", "collisions.hold", "hold_time_s"),
        ("[raman]\nrabi_hz = 1e5", "raman.rabi_hz", "rabi_frequency_hz"),
        ("[imperfections]\nprep = 0.9", "imperfections.prep", "state_prep_error"),
    ],
)
def test_unknown_keys_list_the_allowed_ones(toml, field, allowed):
    with pytest.raises(InputError) as e:
        Params.from_toml_string(toml)
    assert e.value.field == field
    assert allowed in e.value.allowed


def test_python_constructors_are_strict_too():
    with pytest.raises(InputError, match=r"imperfections\.prep_efficiency"):
        Imperfections(prep_efficiency=True)
    with pytest.raises(InputError, match=r"trap\.depth_hz"):
        TrapParams(depth_hz="22e6")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"raman\.detuning_hz"):
        RamanParams(detuning_hz=np.bool_(True))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="trap"):
        Params(trap={"depth_hz": 22e6})  # type: ignore[arg-type]
    # numpy scalars are numbers
    assert RamanParams(detuning_hz=np.float32(2.5)).detuning_hz == 2.5
    assert Params(f=np.int64(2)).f == 2


# ----------------------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ("[trap]\ntemperature_k = -1e-6", "trap.temperature_k"),
        ("[trap]\ndepth_hz = 0", "trap.depth_hz"),
        ("[trap]\ndepth_hz = 1e300", "trap.depth_hz"),
        ("[trap]\ndepth_hz = 1e-300", "trap.depth_hz"),
        ("[trap]\nwaist_m = 1e300", "trap.waist_m"),
        ("[trap]\nwavelength_m = 1e-300", "trap.wavelength_m"),
        ("[trap]\nfrequencies_hz = [1e300, 1e5, 1e5]", "trap.frequencies_hz[0]"),
        ("[collisions]\nhold_time_s = nan", "collisions.hold_time_s"),
        ("[collisions]\nhold_time_s = 1e300", "collisions.hold_time_s"),
        ("[collisions]\nrate_scale = -1", "collisions.rate_scale"),
        ("[collisions]\nfield_gauss = -0.1", "collisions.field_gauss"),
        ("[collisions]\npopulations = { '00' = 0.5, chi1 = 0.2 }", "collisions.populations"),
        ("[collisions]\nchi1_coherence = 2.0", "collisions.chi1_coherence"),
        ("[raman]\nrabi_frequency_hz = -5.0", "raman.rabi_frequency_hz"),
        ("[raman]\nrabi_frequency_hz = 1e-300", "raman.rabi_frequency_hz"),
        ("[raman]\ndetuning_hz = 1e300", "raman.detuning_hz"),
        ("[imperfections]\nprep_efficiency = 1.2", "imperfections.prep_efficiency"),
        ("[imperfections]\ndetection = [[1,0,0],[0.5,0.6,0],[0,0,1]]", "imperfections.detection"),
        ("[imperfections]\ndetection = [[1,0],[0,1]]", "imperfections.detection"),
        ("[imperfections]\nprep_error_weights = [0, 0, 0, 0]", "imperfections.prep_error_weights"),
        ("[scattering_lengths_bohr]\na1 = 3.0", "scattering_lengths_bohr.a1"),
        ("[scattering_lengths_bohr]\na2 = 1e300", "scattering_lengths_bohr.a2"),
        ("[trap\n", "params"),
    ],
)
def test_out_of_range_names_the_field(toml, field):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy overflow warning on the way
        with pytest.raises(InputError) as e:
            Params.from_toml_string(toml)
    assert e.value.field == field
    assert field in str(e.value)


def test_huge_integer_is_an_input_error():
    with pytest.raises(InputError, match=r"trap\.depth_hz"):
        Params.from_dict({"trap": {"depth_hz": 10**400}})


def test_bounds_are_printed_exactly():
    """A rejected value never looks allowed: the printed bound is the one checked."""
    with pytest.raises(InputError) as e:
        Params.from_toml_string("[trap]\ndepth_hz = 1000000001.0")
    assert "1e9" in e.value.allowed and float(e.value.value) > 1e9


# ----------------------------------------------------------------------------- across fields


def test_temperature_against_depth():
    """k_B T <= U0/10: 1 K in the paper's 22 MHz (1.06 mK) trap is rejected by that rule."""
    with pytest.raises(InputError) as e:
        Params.from_toml_string("[trap]\ntemperature_k = 1.0")
    assert e.value.field == "trap.temperature_k"
    assert "U0" in e.value.allowed and "depth_hz" in e.value.allowed
    t_max = constants.h * 22e6 / (10 * constants.k)
    assert max_temperature_k(22e6) == pytest.approx(t_max, rel=1e-15)
    shown = re.search(r"k_B\) = ([0-9.e+-]+) K", e.value.allowed)
    assert shown is not None and float(shown.group(1)) <= t_max  # never rounded up
    Params(trap=TrapParams(temperature_k=t_max))  # at the bound: accepted
    with pytest.raises(InputError, match=r"trap\.temperature_k"):
        Params(trap=TrapParams(temperature_k=math.nextafter(t_max, 1.0)))
    # a deeper trap allows the same temperature
    Params(trap=TrapParams(depth_hz=4e8, temperature_k=1e-3))  # allows up to 1.92 mK


def test_waist_against_wavelength():
    with pytest.raises(InputError, match=r"trap\.waist_m"):
        Params.from_toml_string("[trap]\nwaist_m = 3e-7\nwavelength_m = 1064e-9")
    Params.from_toml_string("[trap]\nwaist_m = 3.4e-7\nwavelength_m = 1064e-9")


def test_given_populations_against_f():
    with pytest.raises(InputError) as e:
        Params.from_toml_string(
            "[collisions]\nmodel = 'given'\npopulations = { '00' = 0.5, chi3 = 0.5 }"
        )
    assert e.value.field == "collisions.populations.chi3"
    # other models do not use the populations: only their form is checked
    Params.from_toml_string("[collisions]\npopulations = { '00' = 0.5, chi3 = 0.5 }")


def test_prep_error_weights_against_f():
    Params.from_toml_string("[imperfections]\nprep_error_weights = [1, 2, 3, 4]")
    with pytest.raises(InputError, match=r"imperfections\.prep_error_weights"):
        Params.from_toml_string("[imperfections]\nprep_error_weights = [1, 2]")
    Params.from_toml_string("species = 'na23'\n[imperfections]\nprep_error_weights = [1, 2]")


def test_species_without_f_takes_its_manifold():
    assert Params.from_toml_string("species = 'na23'").f == 1
    assert Params.from_toml_string("species = 'rb87'").f == 1


# ----------------------------------------------------------------------------- pi/area rule


def test_raman_duration_range_closed_form():
    p, nu = 0.01, 156e3
    lo, hi = raman_duration_range_s(p, nu)
    assert lo == 0.0 and hi == pytest.approx(1 / (2 * nu * p))
    # at the longest pulse the emission probability p * Omega tau / pi is exactly 1
    assert p * (2 * np.pi * nu * hi) / np.pi == pytest.approx(1.0)
    assert max_raman_area_rad(p) == pytest.approx(np.pi / p)
    assert math.isinf(raman_duration_range_s(0.0, nu)[1])
    assert Params.from_toml(preset_path("paper-like")).max_raman_duration_s == pytest.approx(hi)


def test_long_pulse_blames_the_duration_not_p_spont():
    with pytest.raises(InputError) as e:
        check_raman_scan(tau_s=[1e-6, 1e3], p_spont_per_pi=0.01, rabi_frequency_hz=156e3)
    assert e.value.field == "tau_s" and e.value.value == 1e3
    assert "s" in e.value.allowed and "p_spont_per_pi" in e.value.detail
    check_raman_scan(
        tau_s=[0.0, 1 / (2 * 156e3 * 0.01)], p_spont_per_pi=0.01, rabi_frequency_hz=156e3
    )
    with pytest.raises(InputError) as e:
        check_raman_scan(area=[0.0, -200 * np.pi], p_spont_per_pi=0.01)
    assert e.value.field == "area" and e.value.value == pytest.approx(-200 * np.pi)
    check_raman_scan(area=[100 * np.pi, -100 * np.pi], p_spont_per_pi=0.01)
    check_raman_scan(area=[1e9], p_spont_per_pi=0.0)


@given(
    p=st.floats(1e-6, 1.0),
    nu=st.floats(1.0, 1e8),
    over=st.floats(1.0 + 1e-9, 1e6),
)
@FUZZ
def test_rejected_duration_never_looks_allowed(p, nu, over):
    tau = raman_duration_range_s(p, nu)[1] * over
    try:
        check_raman_scan(tau_s=[tau], p_spont_per_pi=p, rabi_frequency_hz=nu)
    except InputError as e:
        shown = float(e.allowed.split(", ")[1].split("]")[0])
        assert tau > shown
    else:  # only a value equal to the bound after rounding in the multiplication
        assert p * 2 * nu * tau <= 1.0


# ----------------------------------------------------------------------------- files


def test_missing_file():
    with pytest.raises(InputError, match="--params") as e:
        Params.from_toml("/nonexistent/file.toml")
    assert "/nonexistent/file.toml" in str(e.value)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "UTF-8"),
        ("# température\n[trap]\n".encode("latin-1"), "UTF-8"),
        (b"[trap]\ndepth_hz = \x00", "valid TOML"),
        (b"[trap\n", "valid TOML"),
        (b"a = " + b"[" * 5000 + b"]" * 5000, "TOML"),
    ],
)
def test_bad_files_name_the_file(tmp_path, content, needle):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(InputError) as e:
        Params.from_toml(path)
    assert e.value.field == "--params" and str(path) in str(e.value)
    assert needle in str(e.value)


def test_folder_and_huge_file(tmp_path):
    with pytest.raises(InputError, match="folder"):
        Params.from_toml(tmp_path)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (2 << 20))
    with pytest.raises(InputError, match="at most"):
        Params.from_toml(big)


def test_utf8_with_bom_and_comments(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text("\ufeff# température µK\n[trap]\ntemperature_k = 20e-6\n", encoding="utf-8")
    assert Params.from_toml(path).trap.temperature_k == 20e-6


def test_cli_params_show_reads_back(capsys, tmp_path):
    assert run(["params", "--show"]) == 0
    text = capsys.readouterr().out
    assert "[Hz]" in text and "k_B T <= U0/10" in text
    assert Params.from_toml_string(text) == Params()
    path = tmp_path / "bad.toml"
    path.write_text("[imperfections]\nprep_efficiency = true\n")
    assert run(["params", "--params", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "imperfections.prep_efficiency" in err


# ----------------------------------------------------------------------------- hypothesis


def _floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def valid_params(draw):
    species, f = draw(st.sampled_from([("rb85", 2), ("rb87", 1), ("rb87", 2), ("na23", 1)]))
    depth = 10 ** draw(_floats(3.0, 9.0))
    lam = draw(_floats(2e-7, 2e-5))
    waist = draw(_floats(max(1e-7, lam / math.pi), 1e-3))
    temp = draw(_floats(1e-9, min(10.0, max_temperature_k(depth))))
    freqs = draw(st.none() | st.tuples(*[_floats(1.0, 1e7)] * 3))
    trap = TrapParams(depth, waist, lam, temp, freqs)
    names = ["00", *[f"chi{k}" for k in range(1, f + 1)]]
    w = draw(st.lists(_floats(0.0, 1.0), min_size=len(names), max_size=len(names)))
    if sum(w) == 0:
        w[0] = 1.0
    pops = {n: x / math.fsum(w) for n, x in zip(names, w, strict=True)}
    col = CollisionParams(
        draw(st.sampled_from(COLLISION_MODELS)),
        draw(_floats(0.0, 1e3)),
        draw(_floats(0.0, 1e4)),
        draw(_floats(0.0, 1e6)),
        pops,
        draw(_floats(-1.0, 1.0)),
    )
    channels = [f"a{c}" for c in range(0, 2 * f + 1, 2)]
    a = draw(st.dictionaries(st.sampled_from(channels), _floats(-1e4, 1e4)))
    raman = RamanParams(draw(_floats(1.0, 1e8)), draw(_floats(-1e9, 1e9)), draw(_floats(0, 1e4)))
    rows = []
    for _ in range(3):
        r = draw(st.lists(_floats(0.0, 1.0), min_size=3, max_size=3))
        s = math.fsum(r) or 1.0
        rows.append([x / s for x in r] if math.fsum(r) else [1.0, 0.0, 0.0])
    weights = draw(st.just([]) | st.lists(_floats(0.01, 10.0), min_size=2 * f, max_size=2 * f))
    prob = _floats(0.0, 1.0)
    imp = Imperfections(
        draw(prob),
        tuple(weights),
        draw(prob),
        draw(prob),
        draw(prob),
        draw(prob),
        draw(prob),
        draw(_floats(-1.0, 1.0)),
        draw(prob),
        tuple(tuple(r) for r in rows),
    )
    return Params(species, f, trap, col, a, raman, imp)


@given(valid_params())
@FUZZ
def test_valid_params_round_trip(p):
    assert Params.from_toml_string(p.to_toml()) == p
    assert Params.from_dict(p.to_dict()) == p
    q = pickle.loads(pickle.dumps(p))
    assert q == p and hash(q) == hash(p) and copy.deepcopy(p) == p


TOML_VALUES = st.recursive(
    st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**500), max_value=10**500)
    | st.floats()
    | st.text(max_size=8)
    | st.dates()
    | st.datetimes()
    | st.times(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)

KEYS = [
    *[("",), ("species",), ("f",), ("schema_version",)],
    *[(t,) for t in ("trap", "collisions", "raman", "imperfections", "scattering_lengths_bohr")],
    *[(t, k) for t, k in NUMERIC_KEYS],
    ("trap", "frequencies_hz"),
    ("collisions", "model"),
    ("collisions", "populations"),
    ("collisions", "populations", "chi1"),
    ("imperfections", "detection"),
    ("imperfections", "prep_error_weights"),
]


@given(st.lists(st.tuples(st.sampled_from(KEYS), TOML_VALUES), max_size=4))
@FUZZ
def test_arbitrary_values_only_raise_input_error(assignments):
    data: dict = {}
    for path, value in assignments:
        if path == ("",):
            data = value if isinstance(value, dict) else {"x": value}
            continue
        node = data
        for t in path[:-1]:
            nxt = node.get(t)
            if not isinstance(nxt, dict):
                nxt = node[t] = {}
            node = nxt
        node[path[-1]] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            p = Params.from_dict(data)
        except InputError:
            return
    assert Params.from_toml_string(p.to_toml()) == p


@given(st.text(max_size=200))
@FUZZ
def test_arbitrary_text_only_raises_input_error(text):
    try:
        Params.from_toml_string(text)
    except InputError:
        pass


@given(st.binary(max_size=200))
@settings(max_examples=60, deadline=None)
def test_arbitrary_bytes_only_raise_input_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "p.toml"
    path.write_bytes(data)
    try:
        Params.from_toml(path)
    except InputError:
        pass
