"""``recommend --evaluate K``: candidates measured on the user's data (chosen on selection rows, reported on
test rows), and every printed run command runs as printed."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fairmend.cli import cli

TEXT = "Our credit model can be retrained. Approval rates differ between men and women; we want equal opportunity."


@pytest.fixture(scope="module")
def german_csv(german, tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "german.csv"
    german.frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_evaluate_measures_three_candidates_and_picks(german_csv):
    res = CliRunner().invoke(cli, ["recommend", TEXT, "--retraining", "--protected-at-inference",
                                   "--criterion", "equal_opportunity", "--data", str(german_csv), "--protected", "sex",
                                   "--outcome", "credit", "--favourable-label", "1", "--evaluate", "3", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    entries = out["evaluation"]
    assert len(entries) == 3
    measured = [e for e in entries if "error" not in e]
    assert measured, entries
    for e in measured:
        assert e["measured_on"] == "test" and e["target_metric"] == "equal_opportunity_difference"
        change = e["change"]["equal_opportunity_difference"]
        assert set(change) >= {"delta", "ci95", "p_value"}
        assert (change["p_value"] < 0.05) == (change["ci95"][0] > 0 or change["ci95"][1] < 0)
        assert isinstance(e["pareto"], bool) and set(e["gate"]) >= {"passed", "reasons"}
        assert e["before"]["equal_opportunity_difference"] is not None
    assert set(out["pick"]) >= {"key", "reason"}
    assert out["pick"]["key"] is None or out["pick"]["key"] in {e["key"] for e in measured}


def test_printed_run_commands_carry_the_users_choices_and_run(german_csv, tmp_path):
    res = CliRunner().invoke(cli, ["recommend", TEXT, "--retraining", "--criterion", "equal_opportunity", "--data",
                                   str(german_csv), "--protected", "sex", "--outcome", "credit",
                                   "--favourable-label", "1", "--top", "8", "--json"])
    assert res.exit_code == 0, res.output
    commands = [r["run_command"] for r in json.loads(res.stdout)["recommendations"]
                if not r["run_command"].startswith("#")]
    assert commands
    assert all(f"--data {german_csv}" in c and "--favourable-label 1" in c for c in commands)
    with_param = [c for c in commands if "--param" in c]
    fairmend = str(Path(sys.executable).with_name("fairmend"))
    for command in (with_param[:1] + [c for c in commands if c not in with_param][:1]):
        argv = shlex.split(command)
        proc = subprocess.run([fairmend, *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, (command, proc.stderr[-1500:])
