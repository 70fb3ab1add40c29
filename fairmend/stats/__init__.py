"""Statistical validation of fairness metrics: bootstrap intervals, permutation tests, cross-validation.

Everything is vectorized with numpy and seeded through ``numpy.random.default_rng(seed)``.
"""

from fairmend.stats._audit import audit
from fairmend.stats._bootstrap import paired_bootstrap_ci, stratified_bootstrap_ci
from fairmend.stats._compare import benjamini_hochberg, compare
from fairmend.stats._crossval import cross_validate_intervention
from fairmend.stats._permutation import (
    PermutationResult,
    group_permutation_test,
    group_permutation_tests,
    paired_permutation_test,
)

__all__ = [
    "PermutationResult",
    "audit",
    "benjamini_hochberg",
    "compare",
    "cross_validate_intervention",
    "group_permutation_test",
    "group_permutation_tests",
    "paired_bootstrap_ci",
    "paired_permutation_test",
    "stratified_bootstrap_ci",
]
