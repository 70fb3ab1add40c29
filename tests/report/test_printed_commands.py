"""Commands the reports print carry the data the run read, its columns and favourable label, and run as printed."""

from __future__ import annotations

import shlex

from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.report.text import data_options


def test_a_bundled_source_is_named_and_the_command_runs():
    options = data_options({"source": "german", "protected": ["sex"], "outcome": "credit", "favourable_label": 1})
    assert options == "--data german --protected sex --outcome credit --favourable-label 1"
    res = CliRunner().invoke(cli, ["run", "reweighing_kamiran_calders", *shlex.split(options), "--n-boot", "0"])
    assert res.exit_code == 0, res.output


def test_an_in_memory_table_asks_for_the_file_and_paths_are_quoted():
    assert data_options({"source": "DataFrame", "protected": ["a", "b"], "outcome": "y"}).startswith("--data FILE ")
    quoted = data_options({"source": "/data/my file.csv", "protected": ["sex"], "outcome": "y", "favourable_label": "good"})
    assert shlex.split(quoted)[:2] == ["--data", "/data/my file.csv"]
    assert shlex.split(quoted)[-2:] == ["--favourable-label", "good"]
