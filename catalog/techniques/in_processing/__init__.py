"""In-processing techniques (contract ``estimator``): fair learners trained on ``(X, y, A)``.

Each class follows :mod:`fairmend.catalog.contracts`: ``fit(X, y, *, sensitive_features,
sample_weight=None)``, ``predict(X)`` and, where probabilistic, ``predict_proba(X)``. Modules are
imported lazily by the registry (``"module:Class"``), so importing this package costs nothing.
"""
