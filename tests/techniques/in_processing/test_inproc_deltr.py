"""DELTR (Zehlike & Castillo 2020), task ranking: position-based exposure gap drops versus gamma = 0."""

from __future__ import annotations

import numpy as np
import pytest
from fairmend.catalog.techniques.in_processing.deltr import DELTR

from fairmend.errors import DataError, InvalidParameterError, NotExecutableError, SingleGroupError

COLS = ["age", "education_num", "hours_per_week", "capital_gain", "occupation", "marital_status", "relationship"]


def _exposure_gap(scores, groups, qid):
    """Mean over queries of exposure(Male) - exposure(Female), exposure = 1 / log2(1 + rank)."""
    gaps = []
    for q in np.unique(qid):
        m = qid == q
        e = np.empty(m.sum())
        e[np.argsort(-scores[m], kind="stable")] = 1.0 / np.log2(2 + np.arange(m.sum()))
        g = groups[m]
        gaps.append(e[g == "Male"].mean() - e[g == "Female"].mean())
    return float(np.mean(gaps))


def _precision_at_10(scores, rel, qid):
    return float(np.mean([rel[qid == q][np.argsort(-scores[qid == q])[:10]].mean() for q in np.unique(qid)]))


@pytest.fixture(scope="module")
def queries(adult_sample):
    """Synthetic queries of 50 Adult rows each; relevance = income (1 = >50K)."""
    f = adult_sample.frame.sample(frac=1, random_state=0).reset_index(drop=True)
    tr, te = f.iloc[:2000], f.iloc[2000:3000]
    return tr, te, np.arange(len(tr)) // 50, np.arange(len(te)) // 50


def test_exposure_gap_drops(queries):
    tr, te, q_tr, q_te = queries
    rel_te, sex_te = te["income"].to_numpy(), te["sex"].to_numpy()
    plain = DELTR(gamma=0.0).fit(tr[COLS], tr["income"], sensitive_features=tr["sex"], query_ids=q_tr)
    fair = DELTR(gamma=1.0).fit(tr[COLS], tr["income"], sensitive_features=tr["sex"], query_ids=q_tr)
    s_plain, s_fair = plain.predict(te[COLS]), fair.predict(te[COLS])
    gap_plain, gap_fair = _exposure_gap(s_plain, sex_te, q_te), _exposure_gap(s_fair, sex_te, q_te)
    assert gap_plain > 0.03  # ListNet on Adult gives men more exposure
    assert abs(gap_fair) < gap_plain / 2, (gap_plain, gap_fair)
    # still ranks relevant items first (base rate of relevance is ~0.25)
    assert _precision_at_10(s_fair, rel_te, q_te) > 0.5
    assert _precision_at_10(s_plain, rel_te, q_te) - _precision_at_10(s_fair, rel_te, q_te) < 0.1


def test_bad_input(queries):
    tr, _, q_tr, _ = queries
    with pytest.raises(SingleGroupError):
        DELTR().fit(tr[COLS], tr["income"], sensitive_features=["x"] * len(tr))
    with pytest.raises(NotExecutableError):  # DELTR compares exactly two groups
        DELTR().fit(tr[COLS], tr["income"], sensitive_features=tr["race"])
    with pytest.raises(DataError):
        DELTR().fit(tr[COLS], tr["income"], sensitive_features=tr["sex"], query_ids=q_tr[:10])


def test_item3_deltr_one_sided_disparity_is_the_default_and_one_sided(queries):
    """Zehlike & Castillo penalise max(0, E_nonprotected - E_protected)²: naming the group that
    ListNet already favours (men) as protected leaves nothing to penalise, so the one-sided ranker
    is plain ListNet, while the symmetric ``"squared"`` disparity still pulls the two together."""
    tr, te, q_tr, q_te = queries
    sex_te = te["sex"].to_numpy()
    assert DELTR().disparity == "one_sided"

    def fit(**kw):
        return DELTR(**kw).fit(tr[COLS], tr["income"], sensitive_features=tr["sex"], query_ids=q_tr)

    plain = fit(gamma=0.0)
    gap_plain = _exposure_gap(plain.predict(te[COLS]), sex_te, q_te)  # measured 0.0587
    one_sided_men = fit(gamma=1.0, protected_group="Male")  # active only in the few queries women lead
    assert abs(_exposure_gap(one_sided_men.predict(te[COLS]), sex_te, q_te) - gap_plain) < 1e-3
    np.testing.assert_allclose(one_sided_men.coef_, plain.coef_, atol=0.02)
    squared_men = fit(gamma=1.0, protected_group="Male", disparity="squared")  # measured 0.0023
    assert abs(_exposure_gap(squared_men.predict(te[COLS]), sex_te, q_te)) < gap_plain / 2
    # the default protected group is the smaller one (women), and one-sided DELTR lowers their deficit
    women = fit(gamma=1.0)
    assert women.protected_group_ == "Female"
    assert abs(_exposure_gap(women.predict(te[COLS]), sex_te, q_te)) < gap_plain / 2
    with pytest.raises(InvalidParameterError):
        fit(disparity="absolute")
