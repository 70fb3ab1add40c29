"""LAFTR (Madras et al. 2018): adversarially fair representations on the Adult sample.

The runner's logistic regression refitted on ``z`` is compared with the same model on the original
features (the fixture's baseline), and a fresh logistic-regression adversary predicting sex from
``z`` with one predicting it from ``X``.
"""

from __future__ import annotations

import numpy as np
import pytest
from _pre_metrics import downstream_predictions, dp_diff, rate_diff
from fairmend.catalog.techniques.in_processing._common import FeatureEncoder
from fairmend.catalog.techniques.pre_processing.laftr import LAFTR
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fairmend.errors import InvalidParameterError, LabelError, NotExecutableError, SingleGroupError

torch = pytest.importorskip("torch")



def _sex_auc(train, test, split) -> float:
    """AUC of a logistic-regression adversary predicting sex on the test rows."""
    a_tr = (split.A_train["sex"] == "Male").to_numpy()
    a_te = (split.A_test["sex"] == "Male").to_numpy()
    adv = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(train, a_tr)
    return float(roc_auc_score(a_te, adv.predict_proba(test)[:, 1]))


@pytest.fixture(scope="module")
def dp_run(adult_split):
    pre = LAFTR(random_state=0)
    pred, res = downstream_predictions(pre, adult_split)
    return pre, pred, res


def test_laftr_reduces_dp_and_hides_sex(adult_split, dp_run):
    s = adult_split
    pre, pred, res = dp_run
    assert list(res.X.columns) == [f"z{k}" for k in range(8)]
    base, after = dp_diff(s.baseline_pred, s.A_test), dp_diff(pred, s.A_test)
    acc_base, acc = np.mean(s.baseline_pred == s.y_test), np.mean(pred == s.y_test)
    # measured: DP 0.179 -> 0.083, accuracy 0.842 -> 0.838
    assert after < 0.6 * base, (base, after)
    assert acc > acc_base - 0.03, (acc_base, acc)
    # the adversary is what does it: gamma = 0 trains the same networks without it (DP 0.172)
    unfair_pred, _ = downstream_predictions(LAFTR(gamma=0.0, random_state=0), s)
    assert after < 0.7 * dp_diff(unfair_pred, s.A_test)
    # sex is much harder to recover from z than from X (measured AUC 0.93 -> 0.57; gamma = 0: 0.76)
    enc = FeatureEncoder().fit(s.X_train)
    auc_x = _sex_auc(enc.transform(s.X_train), enc.transform(s.X_test), s)
    auc_z = _sex_auc(res.X, pre.transform(s.X_test), s)
    assert auc_z < auc_x - 0.15, (auc_x, auc_z)


def test_laftr_equalized_odds_narrows_error_rate_gaps(adult_split):
    s = adult_split
    pred, _ = downstream_predictions(LAFTR(constraint="equalized_odds", gamma=3.0, random_state=0), s)
    gaps = [rate_diff(p, s.y_test, s.A_test, label) for p in (s.baseline_pred, pred) for label in (1, 0)]
    # measured: TPR gap 0.073 -> 0.021, FPR gap 0.081 -> 0.029 (accuracy 0.820)
    assert max(gaps[2:]) < 0.6 * max(gaps[:2]), gaps
    assert np.mean(pred == s.y_test) > 0.8


def test_laftr_seeded_and_skops_round_trip(adult_split, dp_run, tmp_path):
    sio = pytest.importorskip("skops.io")
    s = adult_split
    pre = dp_run[0]
    again = LAFTR(random_state=0).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    np.testing.assert_allclose(again.transform(s.X_test), pre.transform(s.X_test), atol=1e-5)
    path = tmp_path / "laftr.skops"
    sio.dump(pre, path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    np.testing.assert_array_equal(loaded.transform(s.X_test).to_numpy(), pre.transform(s.X_test).to_numpy())


def test_laftr_bad_input(adult_split):
    s = adult_split
    X, y, A = s.X_train.iloc[:200], s.y_train[:200], s.A_train.iloc[:200]
    with pytest.raises(InvalidParameterError, match="calibration"):
        LAFTR(constraint="calibration").fit(X, y, sensitive_features=A)
    with pytest.raises(InvalidParameterError, match="hinge"):
        LAFTR(adversary_loss="hinge").fit(X, y, sensitive_features=A)
    with pytest.raises(InvalidParameterError, match="latent_dim"):
        LAFTR(latent_dim=0).fit(X, y, sensitive_features=A)
    with pytest.raises(SingleGroupError, match="'a'"):
        LAFTR().fit(X, y, sensitive_features=np.full(len(y), "a"))
    with pytest.raises(NotExecutableError, match="3"):
        LAFTR().fit(X, y, sensitive_features=np.arange(len(y)) % 3)
    with pytest.raises(LabelError):
        LAFTR().fit(X, y + 1, sensitive_features=A)


def test_item9_laftr_representation_serves_any_downstream_model(adult_split, dp_run):
    """LAFTR is flagged model-agnostic like LFR: its representation is plain features, and a
    non-linear downstream model (a tree) trained on it also has a smaller DP gap than on X."""
    from fairmend.plugins import get_catalog
    from sklearn.tree import DecisionTreeClassifier

    assert get_catalog().get("adversarial_fair_representations_laftr").model_agnostic
    s = adult_split
    pre, _, res = dp_run
    enc = FeatureEncoder().fit(s.X_train)
    tree_x = DecisionTreeClassifier(max_depth=5, random_state=0).fit(enc.transform(s.X_train), s.y_train)
    tree_z = DecisionTreeClassifier(max_depth=5, random_state=0).fit(res.X, res.y)
    gap_x = dp_diff(tree_x.predict(enc.transform(s.X_test)), s.A_test)
    gap_z = dp_diff(tree_z.predict(pre.transform(s.X_test)), s.A_test)
    assert gap_z < 0.5 * gap_x, (gap_x, gap_z)
