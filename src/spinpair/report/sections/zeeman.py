"""Report section "Pair Zeeman shifts" (a table, no figure): E(chi_k) − E(|0,0⟩) of 85Rb
f = 2 at the hold and the Raman fields (:func:`spinpair.paper.zeeman_table`)."""

from __future__ import annotations

from ... import paper
from ..context import Context, Section


def build(ctx: Context) -> Section:
    """Compute the shifts into ``res["pair_zeeman_shift_hz"]``; return the section."""
    res = ctx.res
    zee = paper.zeeman_table(ctx.p_paper)
    res["pair_zeeman_shift_hz"] = zee
    res["params"]["zeeman"] = paper.figure_params(ctx.p_paper, None, used=("species", "f"))
    ks = list(next(iter(zee.values())))
    return Section(
        "zeeman",
        "Pair Zeeman shifts of 85Rb f = 2 (Breit–Rabi)",
        "E(chi_k) − E(|0,0⟩) at the hold field (collisions) and at the Raman field, from "
        "the Breit–Rabi formula with Steck's atomic data.",
        None,
        tables=[
            {
                "caption": "Pair shifts in Hz (results.json → pair_zeeman_shift_hz)",
                "header": ["field", *[f"{k} (Hz)" for k in ks]],
                "rows": [[b, *[f"{v[k]:.2f}" for k in ks]] for b, v in zee.items()],
            }
        ],
        params=["zeeman"],
    )
