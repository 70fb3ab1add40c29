"""Dataset representation audit on Adult and German."""

from __future__ import annotations

import json

import pytest

from fairmend.catalog.techniques.evaluation.representation import DatasetRepresentationAudit
from fairmend.errors import InvalidParameterError, SingleGroupError


def test_parity_reference_on_adult(adult_frame):
    res = DatasetRepresentationAudit().run(adult_frame, protected=["sex", "race"], outcome="income")
    table = res.tables["groups"]
    sex = table[table["attribute"] == "sex"].set_index("group")
    assert sex["share"].sum() == pytest.approx(1.0)
    assert sex.loc["Female", "representation_ratio"] == pytest.approx(sex.loc["Female", "share"] / 0.5)
    assert sex.loc["Female", "base_rate"] == pytest.approx(
        adult_frame.loc[adult_frame.sex == "Female", "income"].mean()
    )
    assert "sex=Female" in res.summary["underrepresented_groups"]
    assert res.summary["max_base_rate_gap"]["sex"] > 0.15
    small = table[table["n"] < 30]
    assert {f"{r.attribute}={r.group}" for r in small.itertuples()} == set(res.summary["small_groups"])


def test_reference_population_and_kl(german, tmp_path):
    ref = {"sex": {"female": 0.5, "male": 0.5}}
    path = tmp_path / "ref.json"
    path.write_text(json.dumps(ref))
    res = DatasetRepresentationAudit(reference=str(path)).run(german.frame, protected="sex", outcome="credit")
    table = res.tables["groups"].set_index("group")
    share_f = (german.frame["sex"] == "female").mean()
    assert table.loc["female", "expected_share"] == 0.5
    assert res.summary["kl_divergence"]["sex"] > 0
    matching = {"sex": {"female": share_f, "male": 1 - share_f}}
    same = DatasetRepresentationAudit(reference=json.dumps(matching)).run(
        german.frame, protected="sex", outcome="credit"
    )
    assert same.summary["kl_divergence"]["sex"] == pytest.approx(0.0, abs=1e-12)


def test_bad_input(german):
    with pytest.raises(InvalidParameterError):
        DatasetRepresentationAudit(reference='{"religion": {"a": 1}}').run(
            german.frame, protected="sex", outcome="credit"
        )
    with pytest.raises(InvalidParameterError):
        DatasetRepresentationAudit(reference="{not json").run(german.frame, protected="sex", outcome="credit")
    with pytest.raises(SingleGroupError):
        DatasetRepresentationAudit().run(german.frame.assign(sex="x"), protected="sex", outcome="credit")
