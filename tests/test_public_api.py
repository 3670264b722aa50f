"""The top-level API: every name in ``spinpair.__all__`` resolves, lazily where it is heavy."""

from __future__ import annotations

import subprocess
import sys

import spinpair


def test_every_public_name_resolves() -> None:
    for name in spinpair.__all__:
        assert getattr(spinpair, name) is not None, name


def test_main_objects_are_the_modules_own() -> None:
    from spinpair.analysis import fidelity_likelihood
    from spinpair.dynamics import evolve
    from spinpair.montecarlo import simulate_counts
    from spinpair.sequence import MeasurementSequence

    assert spinpair.evolve is evolve
    assert spinpair.MeasurementSequence is MeasurementSequence
    assert not hasattr(spinpair, "Sequence")  # would shadow collections.abc.Sequence
    assert spinpair.simulate_counts is simulate_counts
    assert spinpair.fidelity_likelihood is fidelity_likelihood


def test_import_spinpair_does_not_load_the_fit_libraries() -> None:
    code = (
        "import sys, spinpair; "
        "print(sorted(m for m in ('scipy.optimize', 'scipy.stats', 'iminuit', 'matplotlib') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
