"""Options shared by the commands that fit count data (``fit``, ``plan``, ``plan
--design``): the ``--curve`` name, ``--nuisance`` priors, the model parameters and figure
paths, each checked before any computation (contract: ``docs/cli.md``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis.model import Nuisance
    from ..params import Params


def curve_option(name: str) -> str:
    """The canonical curve of ``--curve`` (the one normaliser of the library)."""
    from ..analysis.model import normalise_curve

    return normalise_curve(name, "--curve")


#: Narrowest prior width accepted by ``--nuisance`` (sigma, or hi - lo of a flat range):
#: a narrower prior fixes the value, which belongs in --params.
MIN_NUISANCE_WIDTH = 1e-6


def nuisance_option(items: list[str] | None) -> list[Nuisance]:
    """``KEY=MEAN,SIGMA`` (Gaussian prior) or ``KEY=LO:HI`` (flat bounded range)."""
    import argparse as _argparse

    from ..analysis.model import NUISANCE_KEYS, Nuisance
    from .common import real

    out: list[Nuisance] = []
    for item in items or []:
        key, _, rest = item.partition("=")
        if key not in NUISANCE_KEYS:
            raise InputError("--nuisance", key, f"one of {list(NUISANCE_KEYS)}")
        sep = ":" if ":" in rest else ","
        parts = rest.split(sep)
        try:
            if len(parts) != 2:
                raise _argparse.ArgumentTypeError(rest)
            a, b = (real(x) for x in parts)
        except _argparse.ArgumentTypeError:
            raise InputError(
                "--nuisance", item, "KEY=MEAN,SIGMA or KEY=LO:HI, e.g. p_loss=0.02,0.01"
            ) from None
        width = b if sep == "," else b - a
        if width < MIN_NUISANCE_WIDTH:
            raise InputError(
                "--nuisance",
                item,
                f"{'sigma' if sep == ',' else 'HI - LO'} >= {MIN_NUISANCE_WIDTH:g}",
                "to fix a value, set it in --params",
            )
        nu = Nuisance(key, lower=a, upper=b) if sep == ":" else Nuisance(key, mean=a, sigma=b)
        out.append(nu)
    if len({n.name for n in out}) != len(out):
        raise InputError("--nuisance", [n.name for n in out], "each key at most once")
    return out


def fit_params(path: str | None) -> Params:
    """Model parameters for ``fit``/``plan``: ``--params``, else the package defaults; if
    the defaults need a collision-dynamics module that is not available, the paper-like
    preset (``model = "given"``) with a note on stderr."""
    from .common import load_params

    p = load_params(path)
    if path or p.collisions.model == "given":
        return p
    try:
        import spinpair.dynamics  # noqa: F401
    except ImportError:
        from ..presets import preset_path

        print(
            "spinpair: note: collision dynamics unavailable; using the paper-like preset",
            file=sys.stderr,
        )
        return load_params(str(preset_path("paper-like")))
    return p


def check_plot_path(option: str, path: str | None) -> None:
    """A figure path: .png, .pdf or .svg, in an existing writable folder (checked before
    any computation)."""
    from ..fileio import check_output_path

    if path is None:
        return
    if not path.endswith((".png", ".pdf", ".svg")):
        raise InputError(option, path, "a .png, .pdf or .svg file name")
    check_output_path(option, path)


__all__ = ["MIN_NUISANCE_WIDTH", "check_plot_path", "curve_option", "fit_params", "nuisance_option"]
