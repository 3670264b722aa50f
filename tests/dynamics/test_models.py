"""The registry of collision models (spinpair.dynamics.models) and their typed options
(spinpair.dynamics.options): one list of models, options checked before any computation."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from spinpair.dynamics import (
    MODELS,
    CollisionSetup,
    ErgodicOptions,
    GroundStateOptions,
    ModelSpec,
    SecularOptions,
    evolve,
    evolve_params,
    model_ensemble,
)
from spinpair.dynamics.options import ModelOptions
from spinpair.dynamics.regime import Regime, check_regime
from spinpair.errors import InputError
from spinpair.param_tables import DYNAMICS_MODELS
from spinpair.params import Params

SETUP = CollisionSetup.from_params(Params())


def test_parameter_file_choices_equal_the_registry():
    assert tuple(MODELS) == DYNAMICS_MODELS
    assert "secular" in MODELS and "given" not in MODELS
    assert list(MODELS) == list(DYNAMICS_MODELS)


@pytest.mark.parametrize("name", list(MODELS))
def test_every_entry_resolves_and_checks_its_regime(name):
    spec = MODELS[name]
    assert isinstance(spec, ModelSpec) and spec.name == name and spec.description
    assert issubclass(spec.options, ModelOptions)
    assert callable(spec.builder) and callable(spec.regime)
    # 4 µK: few motional states, so that the secular check is quick
    s = CollisionSetup.from_params(Params().replace({"trap.temperature_k": 4e-6}))
    r = spec.check_regime(s, 0.1, spec.options())
    assert isinstance(r, Regime) and r.model == name and r.status in ("ok", "warn", "refuse")
    assert r.as_dict() == check_regime(name, s, [0.0, 0.1]).as_dict()


def test_reading_the_registry_loads_no_model():
    code = (
        "import sys; from spinpair.dynamics import MODELS, SecularOptions; "
        "MODELS['secular'].options(max_levels=4); "
        "print(sorted(m for m in sys.modules if m.startswith('spinpair.dynamics.') and "
        "m.split('.')[2] in ('ground_state', 'secular', 'ergodic', 'relaxation')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_options_object_and_keywords_give_the_same_populations():
    t = [0.0, 0.05, 0.1]
    a = evolve("ergodic", SETUP, t, options=ErgodicOptions(nodes=64)).populations()
    b = evolve("ergodic", SETUP, t, nodes=64).populations()
    c = evolve("ergodic", SETUP, t, nodes=128).populations()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert max(float(np.max(np.abs(a[k] - c[k]))) for k in a) > 0  # the option is used
    # keywords are applied on top of an options object
    d = evolve("ergodic", SETUP, t, options=ErgodicOptions(nodes=128), nodes=64).populations()
    np.testing.assert_array_equal(d["chi1"], a["chi1"])


def test_unknown_option_names_the_allowed_ones():
    with pytest.raises(InputError) as err:
        evolve("ergodic", SETUP, [0.1], node=64)
    assert err.value.field == "options" and err.value.value == "node"
    assert "nodes" in err.value.allowed and "born" in err.value.allowed
    assert "ergodic" in err.value.allowed
    with pytest.raises(InputError, match="busch"):
        model_ensemble("relaxation", SETUP, busch=True)  # relaxation takes no option
    with pytest.raises(InputError, match="SecularOptions"):
        evolve("secular", SETUP, [0.1], options=ErgodicOptions())
    with pytest.raises(InputError, match=r"collisions\.model"):
        evolve("thermal", SETUP, [0.1])


@pytest.mark.parametrize(
    ("cls", "bad"),
    [
        (GroundStateOptions, {"busch": "yes"}),
        (ErgodicOptions, {"nodes": 4}),
        (ErgodicOptions, {"nodes": 2.5}),
        (ErgodicOptions, {"nodes": 16385}),
        (ErgodicOptions, {"born": 1}),
        (SecularOptions, {"weight_tolerance": 0.0}),
        (SecularOptions, {"max_states": 0}),
        (SecularOptions, {"hold_time_s": 0.0}),
        (SecularOptions, {"cluster_factor": -1.0}),
        (SecularOptions, {"max_levels": 17}),
        (SecularOptions, {"level_resolution": float("nan")}),
    ],
)
def test_bad_option_values_name_the_option(cls, bad):
    with pytest.raises(InputError) as err:
        cls(**bad)
    assert err.value.field == next(iter(bad))


def test_integral_floats_are_whole_numbers_and_options_are_frozen():
    o = SecularOptions(max_levels=4.0, max_states=np.int64(10))
    assert o.max_levels == 4 and isinstance(o.max_levels, int) and o.max_states == 10
    with pytest.raises(AttributeError):
        o.max_levels = 5  # type: ignore[misc]


def test_the_parameter_file_sets_the_secular_hold_time_unless_given():
    p = Params().replace({"collisions.hold_time_s": 0.3})
    assert SecularOptions().with_params(p).hold_time_s == 0.3
    assert SecularOptions().with_params(p, {"hold_time_s": 0.2}).hold_time_s == 0.1
    assert ErgodicOptions().with_params(p) == ErgodicOptions()


def test_evolve_params_passes_options():
    p = Params()
    a = evolve_params(p, [0.1], model="ergodic", options=ErgodicOptions(nodes=64))
    b = evolve("ergodic", SETUP, [0.1], nodes=64)
    np.testing.assert_array_equal(a.populations()["chi1"], b.populations()["chi1"])
