"""The pipeline report as its reader meets it: the decision first, no Python reprs, a plot for every
protected attribute, small groups greyed and kept out of every claim, the console saying the same.

One fast pipeline run on the bundled Adult sample with two protected attributes (sex, race); on its
2,400 test rows several race and sex x race groups have fewer than 30 rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html import escape, unescape

import pytest

from fairmend.cli.pipeline import summary_lines
from fairmend.pipeline import Policy, run_pipeline
from fairmend.pipeline.feasibility import Feasibility
from fairmend.report.facts import ALL_ROWS, LABEL_METRICS, MIN_CLASS, MIN_ROWS, gather
from fairmend.report.html import FIGURES, PER_ATTRIBUTE_FIGURES, SECTIONS, figure_id, write_report
from fairmend.report.sections import DOCUMENTS
from fairmend.report.summary import decision_sentence, headline, next_steps
from fairmend.report.text import metric_name, num

PROTECTED = ["sex", "race"]
REPR = re.compile(r"\{'|\['|\{\"|\[\"|\bNone\b|\bTrue\b|\bFalse\b")


@pytest.fixture(scope="module")
def run(adult_sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "run"
    policy = Policy.from_dict({
        "n_boot": 100, "candidates_per_stage": 1, "max_iterations": 1,
        "candidates": {"pre": ["reweighing_kamiran_calders"], "in": ["exponentiated_gradient_reduction"],
                       "post": ["threshold_optimizer_equalized_odds_hardt"]},
        "params": {"exponentiated_gradient_reduction": {"max_iter": 5}},
    })
    result = run_pipeline(adult_sample.frame, protected=PROTECTED, outcome="income", policy=policy, output=out)
    write_report(result, out)
    return result, out, (out / "report.html").read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    """What a reader sees: no style block, no tags, entities decoded."""
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.DOTALL)
    html = re.sub(r"<title>.*?</title>", " ", html, flags=re.DOTALL)  # SVG tooltips are shown on hover
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_summary_comes_first_with_the_decision_headline_failures_and_next_step(run):
    result, _, html = run
    sections = re.findall(r'<section id="([a-z-]+)">', html)
    assert sections == list(SECTIONS) and sections[0] == "summary"
    summary = html[html.index('<section id="summary">'):html.index("</section>")]
    text = visible_text(summary)
    sentence = decision_sentence(result)
    assert sentence.startswith("Ready to deploy:" if result.decision == "deploy" else "Not ready to deploy:")
    assert sentence in text
    assert text.index(sentence) < text.index("Headline") < text.index("What failed") < text.index("Next step")
    assert f"{result.fitted['y_test'].shape[0]:,} held-out test rows" in text
    facts = gather(result)
    for attr in PROTECTED:  # before -> after with the interval of the change, for every protected attribute
        c = facts.claim(attr, "disparate_impact_ratio")
        assert re.search(rf"{attr}\s+groups judged", text)
        assert f"{num(c.before)} → {num(c.after)}" in text
        assert re.search(r"\(\s*[+−]\d\.\d{3} to [+−]\d\.\d{3}\s*\)", text)
    assert next_steps(result)[0].text.split(":")[0] in text


def test_no_python_reprs_in_html_markdown_or_console(run):
    result, out, html = run
    shown = {"report.html": visible_text(html)}
    for name, _ in DOCUMENTS[:3]:
        shown[name] = (out / name).read_text(encoding="utf-8")
    shown["console"] = "\n".join(summary_lines(result))
    for where, text in shown.items():
        found = [text[max(0, m.start() - 40):m.end() + 40] for m in REPR.finditer(text)]
        assert not found, (where, found[:3])


def test_every_protected_attribute_has_its_plots(run):
    _, _, html = run
    for attr in PROTECTED:
        for kind in PER_ATTRIBUTE_FIGURES:
            assert re.search(rf'<svg class="figure" id="{figure_id(kind, attr)}"', html), (kind, attr)
    for fig in FIGURES:
        assert f'<svg class="figure" id="{fig}"' in html
    assert not re.search(r"<(script|link|img|iframe)\b", html)  # self-contained, nothing fetched
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_small_groups_are_greyed_and_left_out_of_every_claim(run):
    result, _, html = run
    facts = gather(result)
    small = [(g, r) for g in facts.groupings for r in g.rows if r.n < MIN_ROWS]
    few_pos = [(g, r) for g in facts.groupings for r in g.rows if r.n >= MIN_ROWS and r.positives < MIN_CLASS]
    assert small, "the fixture must have small groups, or this test checks nothing"
    for g, r in small:
        assert f'<tr class="small"><td>{escape(r.label)} <span class="tag">too small to judge' in html
        for c in facts.claims:
            if c.grouping == g.name:
                assert r.label not in c.groups and any(x.startswith(r.label + " (") for x in c.left_out)
    for g, r in few_pos:
        for m in LABEL_METRICS:
            assert r.label not in facts.claim(g.name, m).groups
    # the headline says what it left out
    left = {x for c in headline(facts, PROTECTED) for x in c.left_out}
    summary = visible_text(html[:html.index("</section>")])
    assert all(x in summary for x in left) and left


def test_claims_agree_with_the_gates_and_their_intervals(run):
    result, out, _ = run
    facts = gather(result)
    for attr in PROTECTED:  # same groups as the gates: the test-row numbers the final check reads
        for m in ("disparate_impact_ratio", "demographic_parity_difference"):
            c = facts.claim(attr, m)
            assert c.before == pytest.approx(result.baseline.per_attribute[attr][m])
            assert c.after == pytest.approx(result.final.per_attribute[attr][m])
    assert facts.claim(ALL_ROWS, "accuracy").after == pytest.approx(result.final.accuracy)
    for c in facts.claims:
        assert (c.p_value < 0.05) == (c.low > 0 or c.high < 0), c
        assert c.p_value_bh >= c.p_value
    report = json.loads((out / "report.json").read_text())
    assert set(report["significance"]) == {"sex", "race", "sex × race", ALL_ROWS}
    assert report["significance"]["sex"]["disparate_impact_ratio"]["measured_on"] == "test"
    assert report["summary"]["decision"] == decision_sentence(result)


def test_console_says_what_the_report_says(run):
    result, _, html = run
    lines = summary_lines(result)
    text = visible_text(html)
    assert lines[0] == decision_sentence(result)
    facts = gather(result)
    for c in headline(facts, PROTECTED):
        where = "all test rows" if c.grouping == ALL_ROWS else c.grouping
        line = next(x for x in lines if x.strip().startswith(f"{where}: {metric_name(c.metric)} "))
        assert f"{num(c.before)} -> {num(c.after)}" in line
        assert f"{num(c.before)} → {num(c.after)}" in text


def test_links_to_the_generated_documents(run):
    _, out, html = run
    for name, _ in DOCUMENTS:
        assert f'href="{name}"' in html
        assert (out / name).is_file(), name


def test_next_step_follows_the_feasibility_result(run):
    result, _, _ = run
    if result.decision == "deploy":
        pytest.skip("the fast run deployed; the advice for an escalation is not reached")
    failed_targets = replace(result, final_gate=replace(result.final_gate, checks=[
        replace(c, passed=c.name not in ("dp_target", "eo_target")) for c in result.final_gate.checks]))
    infeasible = Feasibility({}, {"unconstrained": 0.85, "disparate_impact": 0.84, "equalized_odds": 0.70,
                                  "both": 0.65}, 0.10, False, "equalized_odds", "cannot both hold")
    relax = next_steps(replace(failed_targets, feasibility=infeasible))[0].text
    assert relax.startswith("Relax the equalized-odds gap < 0.1 target") and "23.5%" in relax
    feasible = replace(infeasible, feasible=True, binding=None, accuracy={**infeasible.accuracy, "both": 0.83})
    first = next_steps(replace(failed_targets, feasibility=feasible))[0]
    assert "constraint" in first.text and first.command is not None and "--param constraint=" in first.command


def test_an_attribute_without_two_judged_groups_is_said_not_judged(run):
    from fairmend.report.html import render_html

    result, _, _ = run
    facts = gather(result)
    thin = replace(facts, claims=[c for c in facts.claims if c.grouping != "race"])
    summary = visible_text(render_html(result, thin).split("</section>")[0])
    assert "Not judged for race: disparate impact ratio, fewer than two of its groups are large enough" in summary
    assert not re.search(r"race\s+groups judged", summary)
