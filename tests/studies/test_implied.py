"""What the paper implies: chi1(100 ms) over (a0 − a4, a2 − a4) and the 0.37 ± 0.05 band."""

import numpy as np
import pytest

from spinpair.dynamics import evolve_params
from spinpair.errors import InputError
from spinpair.params import Params
from spinpair.studies.implied import (
    A4_BOHR,
    PAPER_CHI1,
    THERMAL_MODELS,
    builtin_differences,
    chi1_at,
    implied_map,
)


@pytest.fixture(scope="module")
def setup():
    """The map's setup: the paper's conditions with zero-range rates (the a_F enter them)."""
    from spinpair.studies.implied import _paper_setup

    s, _ = _paper_setup(None)
    assert s.rates == "zero-range" and s.rate_scale == 1.0
    return s


def test_a4_is_the_builtin_computed_value():
    from spinpair.species import get_species

    a = get_species("rb85").scattering_lengths_bohr
    assert A4_BOHR == a[4] == pytest.approx(-469.95)
    assert builtin_differences() == pytest.approx((a[0] - a[4], a[2] - a[4]))


@pytest.mark.parametrize("model", THERMAL_MODELS)
def test_equal_scattering_lengths_change_no_spin(model):
    """a0 = a2 = a4: Σ a_F P_F is a multiple of the identity in the M = 0 sector, so |0,0⟩
    never changes (coherently or by relaxation): chi1 = 0."""
    m = implied_map(model, [0.0], [0.0])
    assert m.chi1[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert not m.inside[0, 0]


@pytest.mark.parametrize("model", THERMAL_MODELS)
def test_builtin_point_agrees_with_the_direct_model_call(model):
    """The map's value at the built-in a_F is the model's own first-principles chi1 with
    zero-range rates (rate_scale 1), and region membership follows from it."""
    from spinpair.params import CollisionParams

    p = Params(collisions=CollisionParams(rates="zero-range"))
    direct = float(evolve_params(p, [0.1], model=model).populations()["chi1"][0])
    d0, d2 = builtin_differences()
    m = implied_map(model, [d0, 300.0], [d2])
    assert m.chi1_builtin == pytest.approx(direct, rel=1e-12, abs=1e-15)
    assert m.chi1[0, 0] == pytest.approx(direct, rel=1e-12, abs=1e-15)
    inside = abs(direct - PAPER_CHI1) <= m.tolerance
    assert m.summary()["builtin_inside"] is inside
    assert bool(m.inside[0, 0]) is inside
    # the coupled-channel a_F put the relaxation models in the band; the coherent ergodic
    # model alone stays far below it (0.07)
    assert inside is (model != "ergodic")


def test_common_shift_of_all_scattering_lengths_is_invisible_in_the_born_limit(setup):
    """Born amplitudes: a common shift of every a_F adds a multiple of the identity to each
    node's Hamiltonian (a global phase), so chi1 depends on the differences only."""
    a = chi1_at(setup, "ergodic", 200.0, -150.0, -443.0, 0.1, born=True, nodes=64)
    b = chi1_at(setup, "ergodic", 200.0, -150.0, -100.0, 0.1, born=True, nodes=64)
    assert a > 1e-3
    assert a == pytest.approx(b, rel=1e-9)
    # with the energy-dependent amplitudes ã_F = a_F/(1 + k²a_F²) it is not invisible
    c = chi1_at(setup, "ergodic", 200.0, -150.0, -100.0, 0.1, nodes=64)
    d = chi1_at(setup, "ergodic", 200.0, -150.0, -443.0, 0.1, nodes=64)
    assert abs(c - d) > 1e-4


def test_relaxation_equilibrates_to_equal_populations_for_large_differences(setup):
    """Detailed balance with k_B T ≫ ΔE: fast rates give equal occupation, chi1 → 1/3
    (which lies inside the paper's band: equilibration alone reaches 0.37 ± 0.05)."""
    x = chi1_at(setup, "relaxation", 1200.0, -900.0, A4_BOHR, 0.1)
    assert x == pytest.approx(1 / 3, abs=2e-3)
    assert abs(x - PAPER_CHI1) <= 0.05


def test_region_points_lie_in_the_band():
    m = implied_map("relaxation", [-600.0, 0.0, 600.0], [-600.0, 0.0, 600.0])
    pts = m.region_points()
    for x, y in pts:
        i, j = list(m.d0_bohr).index(x), list(m.d2_bohr).index(y)
        assert abs(m.chi1[i, j] - 0.37) <= 0.05
    assert pts.shape[0] == int(m.inside.sum()) >= 1
    s = m.summary()
    assert s["smallest_difference_scale_bohr"] == 600.0
    d = m.as_dict()
    assert d["rate_scale"] == 1.0 and d["a4_bohr"] == A4_BOHR
    assert np.array(d["chi1"]).shape == (3, 3)


def test_bad_input():
    with pytest.raises(InputError):
        implied_map("secular", [0.0], [0.0])
    with pytest.raises(InputError):
        implied_map("relaxation", [], [0.0])
    with pytest.raises(InputError):
        implied_map("relaxation", [0.0], [0.0], Params(species="rb87", f=2))


def test_plot_marks_builtin_a_f_and_labels_units():
    from spinpair.plots.implied import plot_implied_maps

    m = implied_map("relaxation", [-600.0, 0.0, 600.0], [-600.0, 0.0, 600.0])
    fig = plot_implied_maps([{"relaxation": m}])
    ax = fig.axes[0]
    assert "a_B" in ax.get_xlabel() and "a_B" in ax.get_ylabel()
    labels = [line.get_label() for line in ax.get_lines()]
    assert any("built-in" in lab for lab in labels)
    star = next(line for line in ax.get_lines() if "built-in" in line.get_label())
    assert tuple(star.get_xydata()[0]) == builtin_differences()
    # one legend for all panels, outside them (none inside a panel covers the map)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "built-in a0, a2 (coupled channels, status computed)",
        "a0 = a2 = a4",
    ]
    assert all(a.get_legend() is None for a in fig.axes)
    assert "µK" in fig.axes[-1].get_ylabel()  # colour bar names the conditions


def test_save_writes_png_and_pdf(tmp_path):
    from spinpair.plots.implied import plot_implied_maps, save_implied_figure

    m = implied_map("relaxation", [-300.0, 300.0], [-300.0, 300.0])
    paths = save_implied_figure(plot_implied_maps([{"relaxation": m}]), tmp_path / "map")
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    assert all(p.stat().st_size > 0 for p in paths)


def test_shipped_maps_round_trip_and_match_a_direct_call():
    """The maps the package ships read back as ImpliedMap objects, and their value at the
    built-in a_F is what the model gives there now (the data are not stale)."""
    from spinpair.studies.implied import (
        ImpliedMap,
        _paper_setup,
        chi1_at,
        shipped_implied_maps,
    )

    maps, prov = shipped_implied_maps()
    assert prov["script"] == "docs/figures/make_implied_figure.py"
    r = maps["zoom"]["relaxation"]
    back = ImpliedMap.from_dict(r.as_dict())
    assert np.array_equal(back.chi1, r.chi1) and back.summary() == r.summary()
    assert r.chi1.shape == (r.d0_bohr.size, r.d2_bohr.size)
    assert np.all((r.chi1 >= -1e-12) & (r.chi1 <= 1 + 1e-12))
    d0, d2 = r.builtin
    setup, _ = _paper_setup(None)
    now = chi1_at(setup, "relaxation", d0, d2, r.a4_bohr, r.hold_time_s)
    assert now == pytest.approx(r.chi1_builtin, rel=1e-6, abs=1e-9)
