"""``fairmend datasets list|show`` and the CLI's one-line error contract."""

from __future__ import annotations

import json

from click.testing import CliRunner

from fairmend.cli import cli


def test_list_text_and_json() -> None:
    result = CliRunner().invoke(cli, ["datasets", "list"])
    assert result.exit_code == 0, result.output
    assert "adult" in result.stdout and "45,222" in result.stdout and "Becker & Kohavi 1996" in result.stdout
    assert "2 dataset(s)" in result.stderr
    result = CliRunner().invoke(cli, ["datasets", "list", "--json"])
    rows = json.loads(result.stdout)
    assert {r["name"]: r["n_rows"] for r in rows} == {"adult": 45_222, "german": 1_000}
    assert rows[1]["citation"]["doi"] == "10.24432/C5NC77"


def test_show_text_and_json() -> None:
    result = CliRunner().invoke(cli, ["datasets", "show", "german", "--rows", "3"])
    assert result.exit_code == 0, result.output
    assert "1,000 rows" in result.stdout and "female=310, male=690" in result.stdout
    assert "checking_status" in result.stdout
    result = CliRunner().invoke(cli, ["datasets", "show", "adult", "--json", "--rows", "2"])
    meta = json.loads(result.stdout)
    assert meta["label_counts"] == {"0": 34_014, "1": 11_208}
    assert len(meta["head"]) == 2 and meta["head"][0]["workclass"] == "State-gov"
    assert meta["source_md5"]["adult.test"] == "35238206dfdf7f1fe215bbb874adecdc"


def test_unknown_dataset_is_one_line_on_stderr_exit_2() -> None:
    result = CliRunner().invoke(cli, ["datasets", "show", "NOSUCH"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == ["Error: no bundled dataset named 'NOSUCH'; available: adult, german."]
    assert "Traceback" not in result.output


def test_export_writes_the_bundled_table(german, tmp_path):
    import pandas as pd
    from click.testing import CliRunner

    from fairmend.cli import cli

    for name in ("german.csv", "german.parquet"):
        target = tmp_path / name
        res = CliRunner().invoke(cli, ["datasets", "export", "german", str(target)])
        assert res.exit_code == 0, res.output
        back = pd.read_csv(target) if name.endswith(".csv") else pd.read_parquet(target)
        assert back.shape == german.frame.shape and list(back.columns) == list(german.frame.columns)
        again = CliRunner().invoke(cli, ["datasets", "export", "german", str(target)])
        assert again.exit_code == 2 and "--overwrite" in again.stderr
    res = CliRunner().invoke(cli, ["datasets", "export", "nope", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "german" in res.stderr


def test_data_takes_a_bundled_name(german, tmp_path, monkeypatch):
    import pytest

    from fairmend.errors import DataFileError
    from fairmend.io import read_table

    monkeypatch.chdir(tmp_path)
    assert read_table("german").equals(german.frame)
    with pytest.raises(DataFileError, match="bundled dataset"):
        read_table("germn")
