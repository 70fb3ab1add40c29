"""Pre-processing techniques (contract ``preprocessor``): repair, reweight or resample training data.

Every class follows :mod:`fairmend.catalog.contracts`: ``fit(X, y, *, sensitive_features)``,
``fit_resample(...) -> Resampled`` and ``transform(X, *, sensitive_features=None)``.
"""
