"""``fairmend demo`` prints what its report says: the same decision sentence, numbers and grouping names.

The demo runs on the bundled Adult sample with a fast policy (the real demo uses all 45,222 rows)."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.pipeline import Policy
from fairmend.report.text import metric_name, num


def test_demo_console_matches_its_report(adult_sample, tmp_path, monkeypatch):
    fast = Policy.from_dict({
        "n_boot": 100, "candidates_per_stage": 1, "max_iterations": 1,
        "candidates": {"pre": ["reweighing_kamiran_calders"], "in": ["exponentiated_gradient_reduction"],
                       "post": ["threshold_optimizer_equalized_odds_hardt"]},
        "params": {"exponentiated_gradient_reduction": {"max_iter": 5}},
    })
    monkeypatch.setattr("fairmend.datasets.load_adult", lambda: adult_sample)
    monkeypatch.setattr("fairmend.cli.demo.demo_policy", lambda: fast)
    out = tmp_path / "demo"
    res = CliRunner().invoke(cli, ["demo", "--output", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    html = (out / "report.html").read_text()
    lines = res.output.splitlines()
    sentence = report["summary"]["decision"]
    assert sentence in lines and sentence.split(":")[0] in ("Ready to deploy", "Not ready to deploy")
    assert sentence in html
    for attr in ("sex", "race"):
        for metric in ("disparate_impact_ratio", "equalized_odds_difference"):
            claim = report["significance"][attr][metric]
            line = next(x for x in lines if x.strip().startswith(f"{attr}: {metric_name(metric)} "))
            assert f"{num(claim['before'])} -> {num(claim['after'])}" in line
            lo = claim["ci95"][0]
            assert re.search(rf"95% CI {re.escape(f'{lo:+.3f}'.replace('-', '−'))} to", line)
            assert f"{num(claim['before'])} → {num(claim['after'])}" in html
    assert any(x.startswith("next step: ") for x in lines)
    for name in ("validation report", "model card", "implementation guide"):
        assert any(x.startswith(f"{name}: ") for x in lines), name
