"""Deprecated path: the study moved to :mod:`spinpair.studies.prediction` (issue 24: the studies
stand beside the models). Importing this module warns (DeprecationWarning) and hands every
name of the new module on; it will be removed in a later release (CHANGELOG).
"""

from __future__ import annotations

import warnings
from typing import Any

from ..studies import prediction as _new
from ..studies.prediction import *  # noqa: F403  (the old path's public names)

warnings.warn(
    "spinpair.dynamics.prediction is deprecated: import spinpair.studies.prediction instead",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = list(_new.__all__)


def __getattr__(name: str) -> Any:
    """Names beyond ``__all__`` (module constants, private helpers) from the new module."""
    return getattr(_new, name)
