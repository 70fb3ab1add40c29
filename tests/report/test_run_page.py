"""The HTML page of one technique's run (what ``GET /runs/{id}/report`` serves), rendered from the
``report.json`` of a real run: reweighing on German credit with two protected attributes."""

from __future__ import annotations

import copy
import json
import re
from html import escape, unescape
from pathlib import Path
from typing import Any

import pytest

import fairmend
from fairmend.report.run_page import render_run_html, write_run_report
from fairmend.report.text import metric_name, num

REPR = re.compile(r"\{'|\['|\{\"|\[\"|\bNone\b|\bTrue\b|\bFalse\b|\bnull\b")


def _text(page: str) -> str:
    """What a reader sees: the body without tags and without the style sheet."""
    body = page.split("</style>", 1)[1]
    return unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("run") / "out"
    fairmend.run(
        "reweighing_kamiran_calders",
        "german",
        protected=["sex", "age_group"],
        outcome="credit",
        n_boot=50,
        output=str(out),
    )
    return out, json.loads((out / "report.json").read_text("utf-8"))


def test_the_page_says_what_the_run_json_says(run: tuple[Path, dict[str, Any]]) -> None:
    out, report = run
    page = write_run_report(out).read_text("utf-8")
    assert "<script" not in page.lower() and "http" not in page  # self-contained, nothing fetched
    verdict = re.search(r'<p class="decision( deploy)?">(.*?)</p>', page)
    assert verdict is not None and bool(verdict.group(1)) == report["gate"]["passed"]
    target = report["change"][report["target_metric"]]
    assert f"from {num(target['before'])} to {num(target['after'])}" in verdict.group(2)
    rows = re.findall(r"<tr><td title=[^>]*>([^<]+)</td>", page)
    assert rows == [metric_name(m) for m in report["change"]]
    for group in report["groups_before"]:
        assert f'<td>{escape(group["group"])}</td><td class="num">{group["n"]}</td>' in page
    text = _text(page)
    assert not REPR.search(text), REPR.search(text)
    assert str(out) not in page  # file names only, never the folder they sit in
    for name in ("report.json", "predictions.parquet", "transformed_train.csv"):
        assert f"<code>{name}</code>" in page


def test_missing_values_no_gate_and_hostile_names(run: tuple[Path, dict[str, Any]]) -> None:
    report = copy.deepcopy(run[1])
    report["gate"] = None
    report["change"][report["target_metric"]]["ci95"] = [float("nan"), 0.1]
    report["change"][report["target_metric"]]["p_value"] = None
    report["dataset"]["source"] = "/srv/data/x<b>.csv"
    report["groups_before"][0]["group"] = "<img src=x onerror=alert(1)>"
    page = render_run_html(report)
    assert "No gate verdict" in page and "This run has no gate." in page
    assert "n/a" in re.search(r"<tr><td title=[^>]*>[^<]+</td>.*?</tr>", page).group(0)
    assert "<img" not in page and "&lt;img src=x" in page
    assert "/srv/data" not in page and "x&lt;b&gt;.csv" in page


def test_run_output_holds_the_page_in_its_manifest(run: tuple[Path, dict[str, Any]]) -> None:
    """``fairmend run --output`` writes report.html itself, inside the folder's manifest."""
    out, report = run
    assert (out / "report.html").is_file()
    assert report["artifacts"]["report_html"] == str(out / "report.html")
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "report.html" in {f["path"] for f in manifest["files"]}
    assert (out / "report.html").read_text("utf-8") == render_run_html(report)


def test_an_analysis_run_shows_its_findings_not_an_empty_gate(tmp_path: Path) -> None:
    out = tmp_path / "analysis"
    fairmend.run("fairness_metric_monitoring", "german", protected="sex", outcome="credit", output=str(out))
    text = _text((out / "report.html").read_text("utf-8"))
    assert "Findings" in text and "no gate" in text
    assert "What changed" not in text and "held-out test rows" not in text
    assert not REPR.search(text)
