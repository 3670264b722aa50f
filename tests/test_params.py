"""Parameter set: defaults, TOML round trip, validation naming the field."""

import pytest

from spinpair.errors import InputError
from spinpair.imperfections import Imperfections, detection_from_false_rates
from spinpair.params import Params


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
    text = p.to_toml()
    assert Params.from_toml_string(text) == p


def test_detection_from_false_rates_is_row_stochastic():
    import numpy as np

    m = np.array(detection_from_false_rates(0.02, 0.1))
    assert np.allclose(m.sum(axis=1), 1.0)
    assert m[2, 2] == pytest.approx(0.81)


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ("species = 'k39'", "species"),
        ("[trap]\ntemperature_k = -1e-6", "trap.temperature_k"),
        ("[trap]\ndepth_hz = 0", "trap.depth_hz"),
        ("[trap]\ncolour = 'red'", "trap.colour"),
        ("[collisions]\nmodel = 'magic'", "collisions.model"),
        ("[collisions]\nhold_time_s = nan", "collisions.hold_time_s"),
        ("[collisions]\npopulations = { '00' = 0.5, chi1 = 0.2 }", "collisions.populations"),
        ("[collisions]\nchi1_coherence = 2.0", "collisions.chi1_coherence"),
        ("[raman]\nrabi_frequency_hz = -5.0", "raman.rabi_frequency_hz"),
        ("[imperfections]\nprep_efficiency = 1.2", "imperfections.prep_efficiency"),
        ("[imperfections]\ndetection = [[1,0,0],[0.5,0.6,0],[0,0,1]]", "imperfections.detection"),
        ("[imperfections]\ndetection = [[1,0],[0,1]]", "imperfections.detection"),
        ("[scattering_lengths_bohr]\na1 = 3.0", "scattering_lengths_bohr.a1"),
        ("[trap\n", "params"),
        ("unknown = 1", "unknown"),
    ],
)
def test_bad_files_name_the_field(toml, field):
    with pytest.raises(InputError) as e:
        Params.from_toml_string(toml)
    assert e.value.field == field
    assert field in str(e.value)


def test_imperfections_ideal():
    imp = Imperfections.ideal()
    assert imp.prep_efficiency == 1.0 and imp.state_prep_error == 0.0


def test_missing_file():
    with pytest.raises(InputError, match="--params"):
        Params.from_toml("/nonexistent/file.toml")
