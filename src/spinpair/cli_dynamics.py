"""The ``spinpair`` subcommands of the dynamics module (registered by :mod:`spinpair.cli`)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``spinpair`` parser (none yet)."""
