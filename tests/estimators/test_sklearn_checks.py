"""scikit-learn's own estimator checks (``parametrize_with_checks``) over every pre-, in- and
post-processing technique as ``fairmend.estimator(key)`` returns it.

scikit-learn's checks call ``fit(X, y)`` with no sensitive features, so each estimator runs inside
:class:`SensitiveFromFeatures`, a small adapter that derives a binary group from each row of X
(:func:`derived_groups`) and passes it on as ``sensitive_features``; everything else -
validation, parameters, cloning, pickling, predictions - is the wrapped estimator's own. The
adapter is itself a plain scikit-learn meta-estimator, so the checks hold it to the same contract.

Expected failures are declared per check, with the reason, in :data:`EXPECTED` and
:data:`WEIGHT_REASONS`; an expected failure
that passes fails the suite (``xfail_strict``), so the list cannot go stale.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from fairmend.catalog.types import Contract
from fairmend.plugins import get_catalog
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

import fairmend

STAGES = (Contract.PREPROCESSOR, Contract.ESTIMATOR, Contract.POSTPROCESSOR)
KEYS = sorted(t.key for t in get_catalog() if t.executable and t.contract in STAGES)


def derived_groups(X):
    """A binary group per row, a deterministic function of the row alone (so predictions stay invariant to
    row order and subsets) that is close to independent of the label in the checks' data: the parity of
    the row sum's integer part plus its first three decimals. None where X is not a 2-D numeric table -
    the wrapped estimator's own validation then rejects X, as the checks expect."""
    try:
        arr = X.toarray() if sp.issparse(X) else np.asarray(X)
        if np.iscomplexobj(arr):
            return None
        arr = arr.astype(float)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0 or not np.isfinite(arr).all():
        return None
    s = arr.sum(axis=1)
    parity = (np.floor(s) + np.floor((s - np.floor(s)) * 1e3)) % 2
    return np.where(parity == 1, "odd", "even")


class SensitiveFromFeatures(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Test adapter: fit/predict ``estimator`` with the group :func:`derived_groups` reads from X."""

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y, sample_weight=None):
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        self.estimator_ = clone(self.estimator).fit(X, y, sensitive_features=derived_groups(X), **kwargs)
        self.classes_ = self.estimator_.classes_
        self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        return self

    def predict(self, X):
        check_is_fitted(self)
        return self.estimator_.predict(X, sensitive_features=derived_groups(X))

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X):
        check_is_fitted(self)
        return self.estimator_.predict_proba(X, sensitive_features=derived_groups(X))

    def __sklearn_tags__(self):
        return copy.deepcopy(get_tags(self.estimator))


# Parameters the checks' tiny tables (10 to 200 rows, 1 to 10 features) need; each says why.
CHECK_PARAMS: dict[str, dict] = {
    "fair_pca": {"n_components": 1},  # the default keeps 10 components; the checks' tables have 2 to 10 features
    "intersectional_isf_one_vs_one": {"min_group_size": 2},  # the default needs 20 rows per group
    "optimized_preprocessing_calmon": {"columns": "x0,x1"},  # it maps named columns and has no default
}


def checked(key):
    return SensitiveFromFeatures(fairmend.estimator(key, **CHECK_PARAMS.get(key, {})))


def key_of(adapter) -> str:
    return adapter.estimator._technique_spec.key


# -- expected failures, each with its reason ----------------------------------------------------------
WEIGHTS = "check_sample_weight_equivalence_on_dense_data"
SW = ("check_sample_weights_pandas_series", "check_sample_weights_not_an_array", "check_sample_weights_list",
      "check_sample_weights_shape", "check_sample_weights_not_overwritten")
WEIGHT_REASONS = {
    Contract.PREPROCESSOR: "the repair (group/label frequencies, a fitted transform, resampled rows) is estimated "
                           "from the unweighted rows; sample_weight reaches only the final model, so a weight is "
                           "not the same as repeating the row",
    Contract.ESTIMATOR: "the technique's fit does not treat a weight as a row count (its group statistics, "
                        "penalty or solver see weights differently from repeated rows; exponentiated gradient "
                        "resamples by weight because fairlearn's moments take none)",
    Contract.POSTPROCESSOR: "the post-processor is fitted on unweighted scores (the scores-only contract "
                            "fit(y_score, y_true) takes no weights); only the base model sees sample_weight",
}
# 16 rows with 4 distinct ones (check_sample_weights_shape/_not_overwritten) or 10 random rows
# (check_estimators_nan_inf): every group a row-wise rule can derive leaves one group with one outcome.
ONE_OUTCOME = ("the check's table (4 distinct rows, or 10 random rows) leaves a derived group with a single "
               "outcome, which this technique rejects: it needs both outcomes in every group")
NO_WEIGHTS = ("the technique takes no sample_weight; fairmend refuses the weights (InvalidParameterError) "
              "rather than dropping them silently")
RESAMPLES = ("a resampling pre-processor: its new rows carry no user weight, so sample_weight is refused "
             "(InvalidParameterError) wherever the row count changes rather than dropped silently")
RANDOMIZED = ("a randomized classifier: predict draws each decision from predict_proba with a seeded generator, "
              "so it differs from argmax(predict_proba) and depends on the row's position in the batch")
PER_BATCH = ("the output depends on the batch: {why}")
ACCURACY = ("training accuracy on the check's blob data stays under its 0.83 bar with the fairness term at its "
            "default strength ({why})")
DATAFRAME = ("on the check's 12-row table the pandas fit predicts differently from the array fit; the inputs are "
             "not mutated and each fit reproduces alone (several base-model scores sit at the 0.5 tie) - "
             "to investigate, not a contract gap we accept")
CDA = ("counterfactual augmentation swaps the protected attribute inside X, so X must hold it as a column named "
       "like sensitive_features; the checks' generated arrays have none (NotExecutableError). It is fitted on "
       "German credit in test_estimators.py")

EXPECTED: dict[str, dict[str, str]] = {
    "counterfactual_data_augmentation": dict.fromkeys((
        "check_fit_score_takes_y", "check_estimators_overwrite_params", "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self", "check_readonly_memmap_input", "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit", "check_estimators_dtypes", *SW, "check_dtype_object",
        "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimators_pickle",
        "check_f_contiguous_array_estimator", "check_classifier_data_not_an_array", "check_classifiers_classes",
        "check_classifiers_train", "check_supervised_y_2d", "check_methods_sample_order_invariance",
        "check_methods_subset_invariance", "check_fit2d_1feature", "check_dict_unchanged", "check_fit_idempotent",
        "check_fit_check_is_fitted", "check_n_features_in", "check_fit2d_predict1d"), CDA),
    "decaf_fair_synthetic_data": dict.fromkeys((
        "check_estimators_fit_returns_self", "check_estimators_overwrite_params", "check_readonly_memmap_input",
        "check_sample_weights_not_an_array", "check_sample_weights_pandas_series"),
        "DECAF's synthetic rows from the check's 20-30 rows come out with a single class, so the model trained "
        "on them cannot fit"),
    "deltr_fair_learning_to_rank": {**dict.fromkeys(SW, NO_WEIGHTS), "check_classifiers_train": ACCURACY.format(
        why="a learning-to-rank model: its scores are ranks, not a calibrated classifier")},
    "gerryfair_subgroup_fairness": dict.fromkeys(SW, NO_WEIGHTS),
    "grid_search_reduction": dict.fromkeys(SW, NO_WEIGHTS + " (fairlearn's GridSearch reweights internally)"),
    "smote_oversampling": {"check_sample_weights_list": RESAMPLES},
    "fair_smote_chakraborty": {"check_sample_weights_list": RESAMPLES,
                               **dict.fromkeys(("check_sample_weights_shape", "check_sample_weights_not_overwritten",
                                                "check_estimators_nan_inf"), ONE_OUTCOME)},
    "preferential_sampling_kamiran_calders": dict.fromkeys(
        ("check_sample_weights_shape", "check_sample_weights_not_overwritten"), RESAMPLES),
    "uniform_sampling_kamiran_calders": dict.fromkeys(
        ("check_sample_weights_shape", "check_sample_weights_not_overwritten"), RESAMPLES),
    "fairgbm": dict.fromkeys(("check_sample_weights_shape", "check_sample_weights_not_overwritten"), ONE_OUTCOME),
    "ferm_donini": dict.fromkeys(("check_sample_weights_shape", "check_sample_weights_not_overwritten"), ONE_OUTCOME),
    "threshold_optimizer_equalized_odds_hardt": dict.fromkeys(
        ("check_sample_weights_shape", "check_sample_weights_not_overwritten", "check_estimators_nan_inf"), ONE_OUTCOME),
    "relaxed_threshold_optimizer": dict.fromkeys(
        ("check_sample_weights_shape", "check_sample_weights_not_overwritten", "check_estimators_nan_inf"), ONE_OUTCOME),
    "lp_multiclass_postprocessing": {**dict.fromkeys(
        ("check_sample_weights_shape", "check_sample_weights_not_overwritten", "check_estimators_nan_inf"), ONE_OUTCOME),
        "check_classifiers_train": RANDOMIZED},
    # (its check_methods_sample_order_invariance passes: with the seeded draws the permuted batch happens to agree)
    "exponentiated_gradient_reduction": dict.fromkeys(("check_classifiers_train", "check_methods_subset_invariance"),
                                                      RANDOMIZED),
    "ml_debiaser_randomized_threshold": dict.fromkeys(
        ("check_classifiers_train", "check_methods_sample_order_invariance", "check_methods_subset_invariance"),
        RANDOMIZED),
    "calibrated_equalized_odds_pleiss": dict.fromkeys(
        ("check_methods_sample_order_invariance", "check_methods_subset_invariance"),
        "a randomized mix of the calibrated score and a group's base rate, drawn per row with a seeded generator, "
        "so a row's output depends on its position in the batch"),
    "fairadapt_causal_data_adaptation": dict.fromkeys(
        ("check_methods_sample_order_invariance", "check_methods_subset_invariance"),
        PER_BATCH.format(why="quantile ranks break ties at random with a generator seeded per call")),
    "wasserstein_barycenter_fair_regression": dict.fromkeys(
        ("check_methods_sample_order_invariance", "check_methods_subset_invariance"),
        PER_BATCH.format(why="scores get a seeded jitter per call before the quantile map")),
    "optimized_preprocessing_calmon": {**dict.fromkeys(
        ("check_methods_sample_order_invariance", "check_methods_subset_invariance"),
        PER_BATCH.format(why="a randomised mapping of the discretised features, sampled with a seeded generator")),
        "check_fit2d_1feature": "its columns parameter names x0,x1 and the 1-feature table has no x1"},
    "individual_fairness_postprocessing_glif": {"check_methods_subset_invariance": PER_BATCH.format(
        why="graph-Laplacian smoothing over the nearest neighbours within the batch")},
    "isotonic_calibration": {"check_classifiers_train": (
        "isotonic plateaus put calibrated probabilities at exactly 0.5; predict sends a tie to the favourable class "
        "(p >= threshold) while argmax(predict_proba) picks the first")},
    "adversarial_debiasing_zhang": {"check_classifiers_train": ACCURACY.format(why="0.77: the adversary's penalty")},
    "arl_fairness_without_demographics": {"check_classifiers_train": ACCURACY.format(
        why="0.82: the adversarial reweighting of hard rows")},
    "zafar_fairness_constraints_dp": {"check_classifiers_train": ACCURACY.format(
        why="the covariance constraint at 0")},
    "fair_pca": {"check_classifiers_train": ACCURACY.format(why="one fair component of the features is kept"),
                 "check_fit2d_1feature": "removing the group-mean direction from one feature leaves no component"},
    "fair_bayesian_hyperparameter_optimization": {"check_fit2d_1feature": (
        "its stratified validation split needs two rows per group x outcome cell; the 10-row table has single rows")},
    "zafar_disparate_mistreatment": {"check_classifier_data_not_an_array": DATAFRAME},
}
# Checks whose outcome depends on floating-point noise, so that neither passing nor failing can be declared: a
# base-model score sits on a 0.5 tie or a bin edge and lands either side with the summation order (BLAS
# blocking, the batch size, the worker), so the same commit passed on 2 December and failed on 3 December in a
# clean-clone run. They run; a failure is reported as an expected one with the reason, never hidden.
TIE_DEPENDENT = {
    "group_thresholds_demographic_parity": {"check_classifier_data_not_an_array": DATAFRAME},
    "histogram_binning": {"check_classifier_data_not_an_array": DATAFRAME},
    "bayesian_binning_into_quantiles": {
        "check_classifier_data_not_an_array": DATAFRAME,
        "check_methods_subset_invariance": (
            "a base-model probability on a quantile bin edge falls in one bin for the full batch and in the "
            "other for a one-row subset (float noise), moving its calibrated probability by a bin's width")},
}


def run_check(estimator, check):
    """``check(estimator)``; a tie-dependent check (:data:`TIE_DEPENDENT`) that fails is an expected failure."""
    np.random.seed(0)  # a few checks draw from numpy's global generator: same draws whatever ran before
    reason = TIE_DEPENDENT.get(key_of(estimator), {}).get(getattr(check, "func", check).__name__)
    if reason is None:
        check(estimator)
        return
    try:
        check(estimator)
    except AssertionError:
        pytest.xfail(reason)
# A weighted fit equals a fit on repeated rows only where nothing but the final model sees the weights.
WEIGHTS_EQUIVALENT = {"fair_selective_classification", "fair_trees_strong_dp", "menon_williamson_instance_thresholding"}
CONTRACT = {t.key: t.contract for t in get_catalog() if t.key in KEYS}


def expected_failed_checks(adapter) -> dict[str, str]:
    key = key_of(adapter)
    weights = {} if key in WEIGHTS_EQUIVALENT else {WEIGHTS: WEIGHT_REASONS[CONTRACT[key]]}
    return {**weights, **EXPECTED.get(key, {})}


# A fast representative set (a reweighing and a resampling pre-processor, a linear and a tree in-processor, a
# calibrator and a group-threshold post-processor) runs on every test run; the whole catalogue (~11 minutes
# of CPU) runs in the slow suite.
FAST = ("reweighing_kamiran_calders", "massaging_kamiran_calders", "zafar_fairness_constraints_dp",
        "fair_trees_strong_dp", "platt_scaling", "threshold_optimizer_equalized_odds_hardt")


@parametrize_with_checks([checked(key) for key in FAST], expected_failed_checks=expected_failed_checks,
                         xfail_strict=True)
def test_scikit_learn_checks(estimator, check):
    run_check(estimator, check)


@pytest.mark.slow
@parametrize_with_checks([checked(key) for key in KEYS if key not in FAST],
                         expected_failed_checks=expected_failed_checks, xfail_strict=True)
def test_scikit_learn_checks_whole_catalogue(estimator, check):
    run_check(estimator, check)


def test_every_expectation_names_a_known_technique_and_check():
    from sklearn.utils.estimator_checks import estimator_checks_generator

    names = {getattr(c, "func", c).__name__
             for _, c in estimator_checks_generator(checked("reweighing_kamiran_calders"), legacy=True, mark=None)}
    assert set(EXPECTED) <= set(KEYS) and WEIGHTS_EQUIVALENT <= set(KEYS) and set(TIE_DEPENDENT) <= set(KEYS)
    for key, checks in {**EXPECTED, **TIE_DEPENDENT}.items():
        assert set(checks) <= names, (key, set(checks) - names)
        assert all(reason.strip() for reason in checks.values())


def test_adapter_groups_are_a_function_of_the_row():
    X = np.random.default_rng(0).normal(size=(200, 3))
    groups = derived_groups(X)
    assert set(groups) == {"odd", "even"} and 0.35 < (groups == "odd").mean() < 0.65
    np.testing.assert_array_equal(derived_groups(X[::-1])[::-1], groups)  # order and subsets do not matter
    assert derived_groups(np.ones(3)) is None and derived_groups(np.full((2, 2), np.nan)) is None
