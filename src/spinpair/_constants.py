"""The few physical constants spinpair needs, without importing ``scipy.constants``.

``scipy.constants`` costs ~90 ms of import time (it pulls numpy.f2py and numpy.testing
through scipy's array-API layer), a third of ``import spinpair``. The values here are the
SI exact constants (h, k_B; ħ = h/2π) and the CODATA 2022 recommended values (Mohr,
Tiesinga, Newell and Taylor, Rev. Mod. Phys. 97, 025002 (2025)), the set that
``scipy.constants`` ships; ``tests/dynamics/test_dynamics.py`` checks every one against it.
The interface mirrors ``scipy.constants`` (``h``, ``hbar``, ``k``, ``physical_constants``).

Examples
--------
>>> round(hbar * 2 * 3.141592653589793 / h, 15)
1.0
"""

from __future__ import annotations

import math

#: Planck constant (J s), exact.
h = 6.62607015e-34
#: Reduced Planck constant (J s), exact.
hbar = h / (2 * math.pi)
#: Boltzmann constant (J/K), exact.
k = 1.380649e-23

#: name → (value, unit, standard uncertainty), CODATA 2022.
physical_constants: dict[str, tuple[float, str, float]] = {
    "atomic mass constant": (1.66053906892e-27, "kg", 5.2e-37),
    "Bohr radius": (5.29177210544e-11, "m", 8.2e-21),
    "Bohr magneton": (9.2740100657e-24, "J T^-1", 2.9e-33),
}

__all__ = ["h", "hbar", "k", "physical_constants"]
