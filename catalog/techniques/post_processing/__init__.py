"""Post-processing techniques (contracts ``postprocessor`` and ``ranker``).

Post-processors work on a trained model's positive-class scores, so they apply to deployed
models that cannot be retrained: ``fit(y_score, y_true, *, sensitive_features, X=None)``,
``predict(y_score, *, sensitive_features, X=None)`` and, for calibrators and score repairs,
``predict_proba(...)`` returning the adjusted P(y=1) as a 1-D array. Rankers implement
``rerank(scores, groups, *, k)``. Modules are imported lazily by the registry.
"""
