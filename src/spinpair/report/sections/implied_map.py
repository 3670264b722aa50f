"""Report section "What the paper implies for the 85Rb scattering lengths" (issue 10): the
shipped maps of chi1 after 100 ms over a0 − a4 and a2 − a4
(:func:`spinpair.studies.implied.shipped_implied_maps`)."""

from __future__ import annotations

from typing import Any

from ..context import Context, Section, num

_PAPER = "Ruksasakchai et al. 2026"


def build(ctx: Context) -> Section:
    """Read the shipped maps into ``res["implied_map"]``, queue the figure, return the
    section."""
    from ...plots.implied import plot_implied_maps
    from ...studies.implied import shipped_implied_maps

    res = ctx.res
    maps, prov = shipped_implied_maps()
    ctx.figs.draw(
        "implied_map",
        plot_implied_maps,
        [maps["wide"], maps["zoom"]],
        row_titles=["±1500 $a_B$", "±400 $a_B$"],
    )
    res["implied_map"] = {
        "provenance": prov,
        "summary": {g: {m: r.summary() for m, r in ms.items()} for g, ms in maps.items()},
    }
    any_map = maps["zoom"]["relaxation"]
    res["params"]["implied_map"] = _params(any_map)
    rows_tab = []
    for g, ms in res["implied_map"]["summary"].items():
        for m, sm in ms.items():
            small = sm["smallest_difference_scale_bohr"]
            rows_tab.append(
                [
                    g,
                    m,
                    f"{sm['chi1_at_builtin']:.2e}",
                    f"{sm['points_inside']}/{sm['grid_points']}",
                    "none" if small is None else f"{small:g}",
                ]
            )
    return Section(
        "implied_map",
        "What the paper implies for the 85Rb scattering lengths",
        "chi1 after 100 ms at 0.5 G and 40 µK (paper trap, rate_scale 1, zero-range "
        "amplitudes in the a_F) over the differences a0 − a4 and a2 − a4, with a4 at its "
        "coupled-channel value. White contours: chi1 = 0.32 and 0.42, a band of ±0.05 "
        "(this figure's setting: the paper quotes no uncertainty) around the paper's "
        "0.37; white dots: grid points inside that band; star: the built-in coupled-"
        "channel a_F (status computed), inside the band for both relaxation models. The "
        "band contains 1/3, the equal-population steady state, so it bounds the "
        "differences from below rather than fixing them. Precomputed by "
        f"{prov.get('script', 'docs/figures/make_implied_figure.py')} (spinpair "
        f"{prov.get('spinpair_version', '?')}); rerun it to refresh.",
        "implied_map.png",
        tables=[
            {
                "caption": "Per grid and model (results.json → implied_map.summary): chi1 "
                "at the built-in a_F, grid points inside the band, and the smallest "
                "max(|a0 − a4|, |a2 − a4|) inside it (a_B)",
                "header": [
                    "grid",
                    "model",
                    "chi1 at built-in a_F",
                    "inside band",
                    "smallest difference (a_B)",
                ],
                "rows": rows_tab,
            }
        ],
        params=["implied_map"],
    )


def _params(any_map: Any) -> dict[str, Any]:
    """The parameter rows of the map (``res["params"]["implied_map"]``)."""
    return {
        "preset": "paper trap and conditions, rate_scale 1, zero-range rates, a4 computed",
        "values": {
            "hold_time_s": any_map.hold_time_s,
            "field_gauss": any_map.field_gauss,
            "temperature_k": any_map.temperature_k,
            "a4_bohr": any_map.a4_bohr,
        },
        "rows": [
            {
                "key": "collisions.hold_time_s",
                "value": num(any_map.hold_time_s),
                "unit": "s",
                "status": "paper",
                "source": _PAPER,
            },
            {
                "key": "collisions.field_gauss",
                "value": num(any_map.field_gauss),
                "unit": "G",
                "status": "paper",
                "source": _PAPER,
            },
            {
                "key": "trap.temperature_k",
                "value": num(any_map.temperature_k),
                "unit": "K",
                "status": "paper",
                "source": _PAPER,
            },
            {
                "key": "a4",
                "value": num(any_map.a4_bohr),
                "unit": "a_B",
                "status": "computed",
                "source": "spinpair.scattering (coupled channels, Strauss et al. 2010 potentials)",
            },
            {
                "key": "collisions.rates",
                "value": "zero-range",
                "unit": "",
                "status": "setting",
                "source": "the map asks which zero-range a_F reproduce the paper",
            },
            {
                "key": "a0 − a4, a2 − a4",
                "value": "grid axes",
                "unit": "a_B",
                "status": "setting",
                "source": "this figure",
            },
            {
                "key": "built-in a_F (star)",
                "value": ", ".join(num(v) for v in any_map.builtin),
                "unit": "a_B",
                "status": "computed",
                "source": "spinpair.scattering (coupled channels)",
            },
            {
                "key": "collisions.rate_scale",
                "value": "1",
                "unit": "",
                "status": "setting",
                "source": "first principles (no calibration)",
            },
            {
                "key": "target chi1",
                "value": num(any_map.target),
                "unit": "1",
                "status": "paper",
                "source": "chi1 ≈ 0.37 after 100 ms (paper; no uncertainty given)",
            },
            {
                "key": "band half-width around the target",
                "value": num(any_map.tolerance),
                "unit": "1",
                "status": "setting",
                "source": "this figure (the paper quotes no uncertainty)",
            },
        ],
    }
