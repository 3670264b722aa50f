"""The studies' old import paths (spinpair.dynamics.implied, spinpair.dynamics.prediction)
still work during the deprecation period, with a DeprecationWarning, and hand on the new
modules' objects (the same objects, not copies)."""

from __future__ import annotations

import importlib
import sys

import pytest


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        (
            "spinpair.dynamics.implied",
            "spinpair.studies.implied",
            ("implied_map", "A4_BOHR", "_paper_setup"),
        ),
        (
            "spinpair.dynamics.prediction",
            "spinpair.studies.prediction",
            ("predict_populations", "RATE_MODELS"),
        ),
    ],
)
def test_old_path_warns_and_gives_the_new_objects(old, new, names):
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        mod = importlib.import_module(old)
    target = importlib.import_module(new)
    for name in names:  # public names and, through the module __getattr__, private ones
        assert getattr(mod, name) is getattr(target, name)


def test_the_package_itself_imports_no_old_path():
    import subprocess

    code = (
        "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
        "import spinpair.paper, spinpair.cli.main, spinpair.report.sections, spinpair.plots\n"
        "from spinpair.studies import implied, prediction\n"
        "import sys; print(sorted(m for m in sys.modules if m in "
        "('spinpair.dynamics.implied', 'spinpair.dynamics.prediction')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
