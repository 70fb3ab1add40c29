"""Bad input through the CLI: one line on stderr, exit code 2, no traceback."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from fairmend.cli import cli

RUN = ["run", "reweighing_kamiran_calders"]


def invoke(args):
    return CliRunner().invoke(cli, args)


def assert_one_line_error(result, *needles):
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    err = result.stderr.strip().splitlines()
    errors = [line for line in err if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for n in needles:
        assert n in errors[0], errors[0]


@pytest.fixture
def small_csv(adult_sample, tmp_path):
    def write(frame, name="data.csv"):
        path = tmp_path / name
        frame.to_csv(path, index=False)
        return str(path)

    return write


def test_missing_file(tmp_path):
    missing = str(tmp_path / "nope.csv")
    assert_one_line_error(invoke(RUN + ["--data", missing, "--protected", "sex", "--outcome", "income"]), "nope.csv")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert_one_line_error(invoke(RUN + ["--data", str(empty), "--protected", "sex", "--outcome", "income"]), "empty.csv")


def test_missing_protected_column_names_near_match(adult_sample, small_csv):
    path = small_csv(adult_sample.frame)
    assert_one_line_error(invoke(RUN + ["--data", path, "--protected", "Sex ", "--outcome", "income"]), "sex")
    assert_one_line_error(invoke(RUN + ["--data", path, "--protected", "gender", "--outcome", "income"]), "gender")


def test_missing_outcome_column(adult_sample, small_csv):
    path = small_csv(adult_sample.frame)
    assert_one_line_error(invoke(RUN + ["--data", path, "--protected", "sex", "--outcome", "incme"]), "incme", "income")


def test_only_one_group(adult_sample, small_csv):
    frame = adult_sample.frame[adult_sample.frame["sex"] == "Male"]
    assert_one_line_error(invoke(RUN + ["--data", small_csv(frame), "--protected", "sex", "--outcome", "income"]),
                          "sex", "Male")


def test_nan_labels(adult_sample, small_csv):
    frame = adult_sample.frame.copy()
    frame["income"] = frame["income"].astype(float)
    frame.loc[frame.index[:3], "income"] = np.nan
    assert_one_line_error(invoke(RUN + ["--data", small_csv(frame), "--protected", "sex", "--outcome", "income"]), "NaN")


def test_non_binary_labels(adult_sample, small_csv):
    frame = adult_sample.frame.copy()
    frame["income"] = frame["age"] % 3
    assert_one_line_error(invoke(RUN + ["--data", small_csv(frame), "--protected", "sex", "--outcome", "income"]),
                          "income")


def test_unknown_technique(adult_sample, small_csv):
    path = small_csv(adult_sample.frame)
    assert_one_line_error(invoke(["run", "reweighting", "--data", path, "--protected", "sex", "--outcome", "income"]),
                          "reweighting")


def test_bad_param_syntax(adult_sample, small_csv):
    path = small_csv(adult_sample.frame)
    assert_one_line_error(invoke(RUN + ["--data", path, "--protected", "sex", "--outcome", "income", "--param", "x"]),
                          "NAME=VALUE")


def test_small_group_warns(adult_sample, small_csv):
    frame = pd.concat([adult_sample.frame[adult_sample.frame["sex"] == "Male"].head(600),
                       adult_sample.frame[adult_sample.frame["sex"] == "Female"].head(20)])
    result = invoke(["audit", "--data", small_csv(frame), "--protected", "sex", "--outcome", "income",
                     "--predictions", "income", "--json"])
    assert result.exit_code == 0, result.output
    assert "Female" in result.stderr and "20" in result.stderr, result.stderr


def test_run_json_contract(adult_sample, small_csv, tmp_path):
    path = small_csv(adult_sample.frame)
    out = tmp_path / "out"
    result = invoke(RUN + ["--data", path, "--protected", "sex", "--outcome", "income", "--output", str(out),
                           "--n-boot", "100", "--n-permutations", "100", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["change"]["demographic_parity_difference"]["delta"] < 0
    assert (out / "report.json").is_file()
    again = invoke(RUN + ["--data", path, "--protected", "sex", "--outcome", "income", "--output", str(out)])
    assert_one_line_error(again, "--overwrite")
