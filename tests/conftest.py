"""Shared test fixtures and the Hypothesis profiles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis profiles: property tests that do not fix ``max_examples`` themselves take it
# from the profile. "dev" (default, `make test` on a laptop) keeps the suite quick; "ci"
# (chosen when the CI variable is set, as .ci/run does) extends Hypothesis's own CI profile
# (derandomised, no deadline, no example database) with more examples. Choose one with
# HYPOTHESIS_PROFILE=dev|ci.
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("ci", settings.get_profile("ci"), max_examples=150)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def reproduce_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run ``spinpair reproduce`` once per session: the result is cached in the session's
    base temporary folder, which tests/report/, tests/cli/test_cli.py and
    tests/test_docs.py share."""
    out = tmp_path_factory.getbasetemp() / "spinpair-reproduce"
    if not (out / "report.html").is_file():
        r = subprocess.run(
            [sys.executable, "-m", "spinpair.cli", "reproduce", "--out", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of one ``spinpair reproduce`` run shared by the whole session."""
    return reproduce_once(tmp_path_factory)
