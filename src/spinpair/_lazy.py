"""Deferred imports of heavy modules (scipy.stats, scipy.optimize, scipy.signal …).

``stats = lazy_module("scipy.stats")`` gives a stand-in that imports the real module on
first attribute access, so a module can keep ``stats.norm`` in its functions while
``import spinpair`` and commands that never reach those functions do not pay for the
import (scipy.stats alone takes ~0.5 s). Nothing is put into ``sys.modules`` before the
real import happens.

Examples
--------
>>> m = lazy_module("json")
>>> m.dumps([1])
'[1]'
"""

from __future__ import annotations

import importlib
import types
from typing import Any


class _LazyModule(types.ModuleType):
    """A module stand-in that imports ``name`` on first attribute access."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_lazy_target"] = None

    def _load(self) -> types.ModuleType:
        mod = self.__dict__["_lazy_target"]
        if mod is None:
            mod = importlib.import_module(self.__name__)
            self.__dict__["_lazy_target"] = mod
        return mod

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __dir__(self) -> list[str]:
        return dir(self._load())


def lazy_module(name: str) -> Any:
    """A stand-in for module ``name`` that imports it when first used."""
    return _LazyModule(name)


__all__ = ["lazy_module"]
