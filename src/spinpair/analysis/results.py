"""What fit results share, so that every fit object speaks the same language to a script:
a covariance matrix that takes parameter names (the ``iminuit.util.Matrix`` that
``Minuit.covariance`` returns, for fits not made with Minuit too) and tables as
``pandas.DataFrame`` (pandas is optional: ``pip install 'spinpair[pandas]'``).

Examples
--------
>>> import numpy as np
>>> cov = named_covariance(("a", "b"), np.array([[1.0, 0.5], [0.5, 4.0]]))
>>> float(cov["a", "b"]), cov.shape
(0.5, (2, 2))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError


def named_covariance(names: Sequence[str], values: ArrayLike) -> NDArray[np.float64]:
    """A covariance matrix (n, n) whose rows and columns also go by ``names``: an
    ``iminuit.util.Matrix``, the class of ``Minuit.covariance``, so that
    ``cov["period_hz", "period_hz"]`` works as for a Minuit fit."""
    from iminuit.util import Matrix

    a = np.asarray(values, dtype=float)
    names = tuple(str(n) for n in names)
    if a.shape != (len(names), len(names)):
        raise InputError("covariance", a.shape, f"a ({len(names)}, {len(names)}) matrix")
    out = Matrix(names)
    out[:] = a
    return out


def dataframe(rows: Sequence[dict[str, Any]], index: str | None = None) -> Any:
    """``pandas.DataFrame(rows)`` (indexed by column ``index`` if given); a missing pandas
    is a :class:`~spinpair._extras.MissingExtraError` naming ``pip install
    'spinpair[pandas]'``."""
    from .._extras import require

    require("pandas", "to_dataframe")
    import pandas as pd

    df = pd.DataFrame(list(rows))
    return df.set_index(index) if index is not None else df


__all__ = ["dataframe", "named_covariance"]
