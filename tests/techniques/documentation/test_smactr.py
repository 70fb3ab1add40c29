"""SMACTR internal audit document (Raji et al. 2020)."""

from __future__ import annotations

import json

import pytest
from fairmend.catalog.techniques.documentation.smactr import SMACTRAudit

from fairmend.errors import ColumnNotFoundError, DataFileError

STAGES = ("Scoping", "Mapping", "Artifact collection", "Testing", "Reflection")


def test_five_stages_with_real_numbers(adult_sample):
    frame = adult_sample.frame
    res = SMACTRAudit(intended_use="Screening income for a credit pre-approval.").run(
        frame, protected=["sex"], outcome="income"
    )
    md, html = res.summary["markdown"], res.summary["html"]
    positions = [md.index(f"## {s}") for s in STAGES]
    assert positions == sorted(positions)  # in SMACTR order
    for s in STAGES:
        assert f"<h2>{s}</h2>" in html
    female_rate = frame.loc[frame["sex"] == "Female", "income"].mean()
    assert f"{female_rate:.4f}" in md
    assert f"| sex | Female | {int((frame['sex'] == 'Female').sum())} |" in md
    assert "Screening income for a credit pre-approval." in md
    # Adult's sex disparity trips the automated checks of the Reflection stage
    di = res.summary["disparate_impact"]["sex"]
    assert di < 0.8
    assert any("disparate-impact ratio of the outcome for sex" in r for r in res.summary["risks"])
    assert any(r in md for r in res.summary["risks"])


def test_reports_and_files(adult_sample, tmp_path):
    report = {
        "technique": "reweighing_kamiran_calders",
        "stage": "pre_processing",
        "target_metric": "demographic_parity_difference",
        "before": {"demographic_parity_difference": 0.18},
        "after": {"demographic_parity_difference": 0.07},
        "gate": {"passed": True, "reasons": []},
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    out = tmp_path / "audit"
    res = SMACTRAudit(reports=str(path), output_dir=str(out)).run(
        adult_sample.frame, protected="sex", outcome="income"
    )
    assert res.summary["mitigations_passed"] == ["reweighing_kamiran_calders"]
    md = (out / "smactr_audit.md").read_text()
    assert (
        "| reweighing_kamiran_calders | pre_processing | demographic_parity_difference | 0.18 | 0.07 | passed |"
        in md
    )
    assert (out / "smactr_audit.html").read_text().count("<h2>") == 5


def test_predictions_column_and_bad_input(adult_sample, tmp_path):
    frame = adult_sample.frame.copy()
    frame["pred"] = frame["income"]
    res = SMACTRAudit().run(frame, protected="sex", outcome="income", predictions="pred")
    assert res.summary["accuracy"] == pytest.approx(1.0)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DataFileError):
        SMACTRAudit(reports=str(bad)).run(frame, protected="sex", outcome="income")
    with pytest.raises(DataFileError):
        SMACTRAudit(reports=str(tmp_path / "missing.json")).run(frame, protected="sex", outcome="income")
    with pytest.raises(ColumnNotFoundError):
        SMACTRAudit().run(frame, protected="sex", outcome="income", predictions="nope")
