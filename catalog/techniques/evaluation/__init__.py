"""Evaluation-stage analyses (contract ``analysis``): fairness audits, statistical tests and proxy detection.

Modules: :mod:`.parity` (four-fifths rule, error-rate and predictive parity), :mod:`.intersectional`
(Gender-Shades-style disaggregation), :mod:`.subgroup` (subgroup scan), :mod:`.differential`
(differential fairness), :mod:`.conditional` (conditional demographic disparity), :mod:`.calibration`
(per-group ECE), :mod:`.individual` (generalized entropy index, consistency), :mod:`.proxy` (proxy
detection), :mod:`.representation` (dataset representation), :mod:`.pareto` (fairness-accuracy frontier)
and :mod:`.stats_tests` (bootstrap intervals, permutation tests, multiple-comparison correction). What is
audited when no predictions column is given is described in :mod:`._common`.
"""
