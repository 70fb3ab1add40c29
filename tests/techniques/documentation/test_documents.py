"""Generated datasheet, model card, factsheet and checklist contain the data's real numbers."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest
from fairmend.catalog.techniques.documentation.documents import (
    AIFactsheet,
    Datasheet,
    FairnessChecklist,
    ModelCard,
)

from fairmend.errors import ColumnNotFoundError, SingleGroupError

VOID = {"meta", "br", "hr", "img", "input", "link"}


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def _balanced(html: str) -> bool:
    p = _Balance()
    p.feed(html)
    return p.ok and not p.stack and html.startswith("<!DOCTYPE html>")


def test_datasheet_numbers_and_files(german, tmp_path):
    r = Datasheet(output_dir=str(tmp_path)).run(
        german.frame, protected=["sex", "age_group"], outcome="credit"
    )
    md, html = r.summary["markdown"], r.summary["html"]
    female = german.frame[german.frame["sex"] == "female"]
    assert f"| sex | female | {len(female)} |" in md
    assert f"{female['credit'].mean():.4f}".rstrip("0") in md
    assert "1000 instances" in md and "0.795" in md  # age_group disparate impact
    assert _balanced(html) and "<table>" in html
    assert (tmp_path / "datasheet.md").read_text() == md and (tmp_path / "datasheet.html").exists()


def test_html_is_escaped(german):
    frame = german.frame.copy()
    frame["sex"] = frame["sex"].replace({"female": "<script>alert(1)</script>"})
    html = Datasheet(title="A & B").run(frame, protected="sex", outcome="credit").summary["html"]
    assert "<script>" not in html and "&lt;script&gt;" in html and "A &amp; B" in html


def test_model_card_disaggregated(adult_sample):
    frame = adult_sample.frame.assign(pred=adult_sample.frame["income"])
    s = ModelCard().run(frame, protected="sex", outcome="income", predictions="pred").summary
    perf = pd.DataFrame(s["performance"]).set_index("group")
    assert s["accuracy"] == 1.0 and (perf["tpr"] == 1.0).all()
    women = frame[frame["sex"] == "Female"]
    assert perf.loc["Female", "rows"] == len(women)
    assert perf.loc["Female", "selection_rate"] == pytest.approx(women["income"].mean())
    base = ModelCard().run(adult_sample.frame, protected="sex", outcome="income").summary
    assert base["evaluated"].startswith("baseline") and 0.75 < base["accuracy"] < 0.9
    assert _balanced(base["html"])


def test_factsheet_and_checklist(german):
    f = AIFactsheet().run(german.frame, protected="sex", outcome="credit").summary
    assert 0 <= f["selection_rate_gap"]["sex"] < 1 and "Selection-rate gap (sex)" in f["markdown"]
    c = FairnessChecklist().run(german.frame, protected=["sex", "age_group"], outcome="credit").summary
    assert c["failed"] == ["Disparate-impact ratio is at least 0.80 for every attribute"]
    assert any(i["status"] == "open" for i in c["items"])


def test_bad_input(german):
    with pytest.raises(SingleGroupError):
        Datasheet().run(german.frame[german.frame["sex"] == "male"], protected="sex", outcome="credit")
    with pytest.raises(ColumnNotFoundError):
        ModelCard().run(german.frame, protected="sex", outcome="credit", predictions="nope")
