"""Shared test fixtures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def reproduce_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run ``spinpair reproduce`` once per session: the result is cached in the session's
    base temporary folder, which tests/test_report*.py and tests/test_docs.py share."""
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
