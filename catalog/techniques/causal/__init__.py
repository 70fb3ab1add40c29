"""Causal-analysis techniques (contract ``analysis``): DAG construction and discovery, back-door
identification and intervention points, sensitivity to unmeasured confounding (robustness value,
E-value), mediation (natural direct / indirect effects), proxy detection and counterfactual fairness."""
