"""Studies: questions asked of the collision models, beside the models rather than among them.

The models (:mod:`spinpair.dynamics`: ground-state, secular, ergodic, relaxation and their
engine, setup, Hamiltonians and regime checks) compute populations for given inputs. A
study runs them many times to answer a question about the paper:

* :mod:`~spinpair.studies.implied` — which effective zero-range a_F would reproduce the
  paper's chi1 ≈ 0.37 (a map over the a_F differences for each thermal model);
* :mod:`~spinpair.studies.prediction` — the populations the S-matrix relaxation models
  predict, with the band that the potentials and the temperature leave open.

Their old paths, ``spinpair.dynamics.implied`` and ``spinpair.dynamics.prediction``, still
import with a :class:`DeprecationWarning` (CHANGELOG: removed in a later release).
"""

__all__ = ["implied", "prediction"]
