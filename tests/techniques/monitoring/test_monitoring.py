"""Drift, fairness-drift and streaming monitors on Adult: silent on random halves, alerting on shifts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from fairmend.catalog.techniques.monitoring.drift import ChiSquareDriftTest, KSDriftTest, MMDDriftTest, psi
from fairmend.catalog.techniques.monitoring.fairness import FairnessMetricMonitoring
from fairmend.catalog.techniques.monitoring.sequential import (
    ADWIN,
    ADWINMonitoring,
    ChangePointDetection,
    SPRTMonitoring,
    cusum,
    page_hinkley,
    sprt,
)

from fairmend.errors import ColumnNotFoundError, DataError, InvalidParameterError


@pytest.fixture(scope="module")
def halves(adult_sample):
    shuffled = adult_sample.frame.sample(frac=1, random_state=1).reset_index(drop=True)
    return shuffled.iloc[:4000], shuffled.iloc[4000:]


def test_no_alert_on_random_halves(halves):
    ref, cur = halves
    for cls in (KSDriftTest, ChiSquareDriftTest):
        r = cls(reference=ref).run(cur)
        assert not r.summary["any_alert"], r.tables["drift"]
        assert (r.tables["drift"]["psi"] < 0.1).all()
    assert not MMDDriftTest(reference=ref, max_rows=300, n_permutations=100).run(cur).summary["alert"]
    fair = FairnessMetricMonitoring(reference=ref, n_boot=100).run(cur, protected="sex", outcome="income")
    assert not fair.summary["any_alert"]


def test_alert_on_older_subset(adult_sample, halves):
    ref, _ = halves
    old = adult_sample.frame[adult_sample.frame["age"] > 50]
    ks = KSDriftTest(reference=ref).run(old)
    assert "age" in ks.summary["alerts"]
    assert ks.tables["drift"].set_index("column").loc["age", "psi"] > 0.25
    assert "marital_status" in ChiSquareDriftTest(reference=ref).run(old).summary["alerts"]
    assert MMDDriftTest(reference=ref, max_rows=300, n_permutations=100).run(old).summary["alert"]


def test_fairness_alert_on_flipped_predictions(halves):
    ref, cur = halves
    ref = ref.assign(pred=ref["income"])
    cur = cur.assign(pred=np.where(cur["sex"] == "Female", 0, cur["income"]))  # women never selected
    r = FairnessMetricMonitoring(reference=ref, n_boot=100).run(
        cur, protected="sex", outcome="income", predictions="pred"
    )
    assert set(r.summary["alerts"]) == {"dp_gap", "eo_gap"}
    assert r.summary["metrics"]["eo_gap"]["current"] == pytest.approx(1.0)


def test_psi_identity_and_shift():
    s = pd.Series(np.random.default_rng(0).normal(size=5000))
    assert psi(s, s) == pytest.approx(0.0, abs=1e-9)
    assert psi(s, s + 1) > 0.25


def test_sprt_wald_boundaries():
    rng = np.random.default_rng(0)
    assert sprt(rng.random(3000) < 0.30, 0.2, 0.3)["decision"] == "H1"
    res = sprt(rng.random(3000) < 0.20, 0.2, 0.3)
    assert not res["alert"] and res["decision"] == "H0"
    # with alpha=beta=0.05 and p1/p0 = 0.9/0.1 the upper boundary ln(19) is crossed after 2 ones
    assert sprt(np.array([1, 1, 1]), 0.1, 0.9, 0.05, 0.05)["alert_at"] == 1


def test_cusum_and_adwin_locate_change():
    rng = np.random.default_rng(1)
    x = np.r_[rng.normal(0, 1, 300), rng.normal(1.5, 1, 300)]
    c = cusum(x, 0.0, 1.0)
    assert c["alert"] and 290 <= c["change_point"] <= 320 and c["direction"] == "increase"
    false = sum(
        cusum(np.random.default_rng(s).normal(0, 1, 600), 0.0, 1.0, h=8.0)["alert"] for s in range(20)
    )
    assert false <= 3  # in-control runs rarely alarm
    det = ADWIN(delta=0.002)
    stream = np.r_[rng.random(2000) < 0.2, rng.random(2000) < 0.6].astype(float)
    for v in stream:
        det.update(v)
    assert det.changes_ and 2000 <= det.changes_[0] <= 2300
    assert det.mean == pytest.approx(0.6, abs=0.05)
    quiet = ADWIN()
    for v in rng.random(4000) < 0.3:
        quiet.update(v)
    assert not quiet.changes_


def test_streaming_monitors_on_adult(adult_sample):
    frame = adult_sample.frame.sample(frac=1, random_state=2).reset_index(drop=True)
    women = (frame["sex"] == "Female").to_numpy()
    rank = np.cumsum(women)  # position within the women's stream
    late = rank > int(0.3 * women.sum())  # the shift starts where the reference window ends
    frame["pred"] = np.where(women & late, 0, frame["income"])  # women's positive rate collapses
    for mon in (SPRTMonitoring(), ChangePointDetection(), ADWINMonitoring()):
        s = mon.run(frame, protected="sex", predictions="pred").summary
        assert "Female" in s["alerts"], (mon.technique, s)
        assert s["groups"]["Female"].get("direction", "decrease") in ("decrease", None)
    calm = frame.assign(pred=frame["income"])
    assert not ChangePointDetection().run(calm, protected="sex", predictions="pred").summary["any_alert"]
    assert not ADWINMonitoring().run(calm, protected="sex", predictions="pred").summary["any_alert"]


def test_bad_input(halves):
    ref, cur = halves
    with pytest.raises(ColumnNotFoundError):
        FairnessMetricMonitoring(reference=ref).run(cur, protected="gender", outcome="income")
    with pytest.raises(DataError):
        KSDriftTest(reference_fraction=1.5).run(cur)


def test_cli_monitor(adult_sample, halves, tmp_path):
    from fairmend.cli import cli

    ref, cur = halves
    ref.to_csv(tmp_path / "ref.csv", index=False)
    cur.to_csv(tmp_path / "cur.csv", index=False)
    adult_sample.frame[adult_sample.frame["age"] > 50].to_csv(tmp_path / "old.csv", index=False)
    runner = CliRunner()
    quiet = runner.invoke(
        cli,
        [
            "monitor",
            "--reference",
            str(tmp_path / "ref.csv"),
            "--current",
            str(tmp_path / "cur.csv"),
            "--protected",
            "sex",
            "--outcome",
            "income",
            "--json",
        ],
    )
    assert quiet.exit_code == 0, quiet.output
    assert json.loads(quiet.output)["alerts"] == []
    loud = runner.invoke(
        cli,
        [
            "monitor",
            "--reference",
            str(tmp_path / "ref.csv"),
            "--current",
            str(tmp_path / "old.csv"),
            "--protected",
            "sex",
            "--outcome",
            "income",
        ],
    )
    assert loud.exit_code == 0 and "drift:age" in loud.output


def test_item8_page_hinkley_locates_a_shift_without_reference_mean(adult_sample):
    """The registry promised Page-Hinkley (Page 1954; Hinkley 1971); it is now a ``method``. On the
    Adult sample, women's positive rate collapses after 60 % of their rows: both detectors alert with
    a decrease, and Page-Hinkley's change point is within 10 % of the women's rows of the truth."""
    frame = adult_sample.frame.sample(frac=1, random_state=3).reset_index(drop=True)
    women = (frame["sex"] == "Female").to_numpy()
    rank = np.cumsum(women)
    shift = int(0.6 * women.sum())
    frame["pred"] = np.where(women & (rank > shift), 0, frame["income"])
    for method in ("cusum", "page_hinkley"):
        s = ChangePointDetection(method=method).run(frame, protected="sex", predictions="pred").summary
        assert s["alerts"] == ["Female"] and s["method"] == method, s
        assert s["groups"]["Female"]["direction"] == "decrease"
    ph = ChangePointDetection(method="page_hinkley").run(frame, protected="sex", predictions="pred").summary
    assert abs(ph["groups"]["Female"]["change_point_row_of_group"] - shift) < 0.1 * women.sum()
    calm = frame.assign(pred=frame["income"])
    assert (
        not ChangePointDetection(method="page_hinkley")
        .run(calm, protected="sex", predictions="pred")
        .summary["any_alert"]
    )
    x = np.r_[np.zeros(100), np.ones(100)] + np.random.default_rng(0).normal(0, 0.3, 200)
    res = page_hinkley(x, 0.3, h=8.0)
    assert res["alert"] and res["direction"] == "increase" and 95 <= res["change_point"] <= 105
    with pytest.raises(InvalidParameterError):
        ChangePointDetection(method="pelt").run(frame, protected="sex", predictions="pred")
