"""Grid points that share their hold step: bit-for-bit the numbers of points computed one by
one, with one propagation per distinct prepared state."""

from __future__ import annotations

import pytest

from spinpair.sequence import MeasurementSequence
from spinpair.sweep import SweepSpec
from spinpair.sweep import evaluate as ev

GRID = """compute = "raman"
tau_s = [0.0, 0.8e-6, 1.6e-6]
{extra}
[axes]
"imperfections.prep_efficiency" = [0.85, 0.93]
"imperfections.p_loss" = [0.0, 0.05]
"collisions.chi1_coherence" = [0.0, 1.0]
"""


def _alone(spec: SweepSpec, point: dict) -> dict:
    """One grid point computed from nothing: its own parameters, its own sequence."""
    params = spec.params_at(point)
    seq = MeasurementSequence.from_params(
        params, chi1_coherence=spec.settings.get("chi1_coherence")
    )
    return {**point, **seq.run(tau_s=spec.settings["tau_s"]).as_dict()}


@pytest.mark.parametrize(
    "extra",
    [
        "",  # the default collision model: relaxation dynamics during the hold
        'params = "'
        + str(ev.__file__).replace("sweep/evaluate.py", "presets/paper-like.toml")
        + '"',
    ],
    ids=["relaxation", "given"],
)
def test_shared_points_equal_points_computed_alone(extra):
    ev._MAPS.clear()
    spec = SweepSpec.from_toml_string(GRID.format(extra=extra))
    rows = ev.evaluate_chunk(spec, 0, spec.n_points)
    assert len(rows) == spec.n_points == 8
    for row, point in zip(rows, spec.iter_points(), strict=True):
        assert row == _alone(spec, point)  # exact: same floats, not approximately


def test_one_propagation_per_prepared_state():
    """Only the preparation efficiency changes what enters the hold: 2 propagations for the
    8 points (and one collision map for all of them)."""
    ev._MAPS.clear()
    spec = SweepSpec.from_toml_string(GRID.format(extra=""))
    ev.evaluate_chunk(spec, 0, spec.n_points)
    assert len(ev._MAPS) == 1
    (memo,) = ev._MAPS.values()
    assert memo.calls == 2


def test_a_different_hold_gets_its_own_map():
    ev._MAPS.clear()
    text = GRID.format(extra="").replace(
        '"collisions.chi1_coherence" = [0.0, 1.0]', '"collisions.hold_time_s" = [0.05, 0.1]'
    )
    spec = SweepSpec.from_toml_string(text)
    rows = ev.evaluate_chunk(spec, 0, spec.n_points)
    assert len(ev._MAPS) == 2
    for row, point in zip(rows, spec.iter_points(), strict=True):
        assert row == _alone(spec, point)
    # the hold time matters: the two holds give different counts
    assert rows[0]["P1"] != rows[1]["P1"]
