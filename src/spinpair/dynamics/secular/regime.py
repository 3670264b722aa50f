"""Run-time regime check of the secular model (thresholds in :mod:`spinpair.dynamics.regime`).

The second-order error estimate (:mod:`~.error`) at the longest requested time decides:
≤ 0.01 ok; refused above 0.1, or above half of the interacting (bright) weight, which is
all the model can move (then the estimate says nothing the model computes is reliable);
warn between. Convergence in the cluster options is checked through
the same estimate one step up (κ × 3, ``max_levels`` 16; the levels only, no propagation):
if that is small the message says to raise them, otherwise the secular picture itself fails
and the message names the ergodic and relaxation models.

Examples
--------
>>> from spinpair.params import Params
>>> from spinpair.dynamics import CollisionSetup
>>> r = secular_regime(CollisionSetup.from_params(Params()), 0.1)   # the paper
>>> r.status, r.alternative
('refuse', 'relaxation')
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ...errors import check_range
from ...validation import instance
from ..options import SecularOptions
from ..regime import SECULAR_OK, SECULAR_REFUSE, SECULAR_REFUSE_SHARE, Regime
from ..setup import CollisionSetup
from .clusters import SecularNodes, secular_nodes
from .error import secular_error


def secular_regime(
    setup: CollisionSetup,
    t_s: float,
    nodes: SecularNodes | None = None,
    options: SecularOptions | None = None,
    **values: Any,
) -> Regime:
    """The secular model's regime for hold times up to ``t_s`` (s); ``nodes`` the model's
    levels if already built, ``options`` (or its fields as keywords ``values``) as for
    :func:`secular_nodes`."""
    opts = SecularOptions.from_values(values, options)
    instance("setup", setup, CollisionSetup, "a CollisionSetup (CollisionSetup.from_params)")
    t_s = check_range("t_s", t_s, 0.0, None, unit="s")
    if nodes is not None:
        instance("nodes", nodes, SecularNodes, "SecularNodes (secular_nodes(setup)) or None")
    if nodes is None:
        nodes = secular_nodes(setup, opts)
    t = float(t_s) if t_s > 0 else opts.hold_time_s
    parts = secular_error(setup, nodes).parts(t)
    est = parts["estimate"]
    kappa = float(nodes.info["cluster_factor"])
    up_opts = dataclasses.replace(opts, cluster_factor=max(3.0 * kappa, 1.0), max_levels=16)
    up = secular_error(setup, secular_nodes(setup, up_opts)).estimate(t)
    numbers = {
        "error_estimate": est,
        "error_admixture": parts["admixture"],
        "error_dephasing": parts["dephasing"],
        "error_merged_levels": parts["merged_levels"],
        "error_estimate_step_up": up,
        "unresolved_weight": float(nodes.info["unresolved_weight"]),
        "time_s": t,
    }
    bright = float(np.sum(nodes.levels.bright_weight)) if nodes.levels is not None else 1.0
    share = est / bright if bright > 0 else 0.0
    numbers["interacting_weight"] = bright
    numbers["error_share_of_interacting"] = share
    if est <= SECULAR_OK:
        status = "ok"
    elif est > SECULAR_REFUSE or share > SECULAR_REFUSE_SHARE:
        status = "refuse"
    else:
        status = "warn"
    reasons: tuple[str, ...] = ()
    alternative = None
    if status != "ok":
        why = (
            f"second-order error estimate {est:.3g} at t = {t:g} s (admixture "
            f"{parts['admixture']:.2g}, dephasing ~C²t/(ħΔE) {parts['dephasing']:.2g}, merged "
            f"levels {parts['merged_levels']:.2g}, before capping each level at 1), "
            f"{share:.2g} of the interacting weight {bright:.2g} (ok <= {SECULAR_OK} absolute; "
            f"refused above {SECULAR_REFUSE} absolute or {SECULAR_REFUSE_SHARE} of the "
            "interacting weight): the contact interaction is not small against the level "
            "spacings the model keeps apart"
        )
        if up <= SECULAR_OK < est:
            why += (
                f"; with cluster_factor={up_opts.cluster_factor:g}, max_levels=16 it is "
                f"{up:.2g}: raise them"
            )
        else:
            why += (
                f" (still {up:.2g} with cluster_factor×3, max_levels=16); the ergodic "
                "model assumes mixed motion"
            )
            alternative = "relaxation"
        reasons = (why,)
    return Regime("secular", status, reasons, numbers, alternative)


__all__ = ["secular_regime"]
