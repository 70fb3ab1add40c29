"""Output folders are complete or absent: locked, staged, manifested, swapped atomically."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.outputs import MANIFEST, FolderLock, verify_manifest

FAST = ["--n-boot", "0", "--n-permutations", "0"]


@pytest.fixture
def german_csv(german, tmp_path):
    path = tmp_path / "german.csv"
    german.frame.to_csv(path, index=False)
    return path


def run_args(data, out, *extra):
    return ["run", "reweighing_kamiran_calders", "--data", str(data), "--protected", "sex", "--outcome", "credit",
            "--output", str(out), *FAST, *extra]


def one_line_error(result, needle):
    assert result.exit_code == 2, (result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], result.stderr


def test_manifest_lists_every_file_with_its_hash(german_csv, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, run_args(german_csv, out, "--json"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / MANIFEST).read_text())
    listed = {f["path"] for f in manifest["files"]}
    assert listed == {p.name for p in out.iterdir() if p.name != MANIFEST}
    assert "report.json" in listed and verify_manifest(out) == []
    report = json.loads(result.stdout)
    assert all(str(out) in path for path in report["artifacts"].values())  # final paths, not the staging folder
    assert not list(tmp_path.glob(".out.staging-*"))
    (out / "report.json").write_text("{}")
    assert verify_manifest(out) == ["report.json"]


def test_locked_folder_is_refused(german_csv, tmp_path):
    out = tmp_path / "out"
    with FolderLock(out):
        one_line_error(CliRunner().invoke(cli, run_args(german_csv, out)), "another fairmend process")
    assert not out.exists()


def test_two_concurrent_runs_one_succeeds(german_csv, tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "fairmend", *run_args(german_csv, out)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    refused = next(err for code, err in results if code == 2)
    assert "another fairmend process" in refused or "already holds" in refused
    assert verify_manifest(out) == []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_overwrite_leaves_old_or_new_complete_folder(german_csv, tmp_path, sig):
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, run_args(german_csv, out)).exit_code == 0
    old = json.loads((out / MANIFEST).read_text())["files"]
    cmd = [sys.executable, "-m", "fairmend", *run_args(german_csv, out, "--overwrite", "--seed", "1")]
    for delay in (0.5, 2.0, 4.0):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(sig)
        proc.wait(timeout=120)
        assert out.is_dir() and verify_manifest(out) == []  # complete: every listed file matches its hash
        files = json.loads((out / MANIFEST).read_text())["files"]
        assert files == old or {f["path"] for f in files} == {f["path"] for f in old}
        if sig == signal.SIGINT:
            assert not list(tmp_path.glob(".out.staging-*"))
    # A later run cleans what a killed one left behind.
    assert CliRunner().invoke(cli, run_args(german_csv, out, "--overwrite")).exit_code == 0
    assert not list(tmp_path.glob(".out.staging-*"))


def test_output_holding_an_input_is_refused(german_csv, tmp_path):
    before = german_csv.read_bytes()
    one_line_error(CliRunner().invoke(cli, run_args(german_csv, tmp_path, "--overwrite")), "contains the input")
    assert german_csv.read_bytes() == before


def test_output_below_a_file_or_over_foreign_files(german_csv, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    one_line_error(CliRunner().invoke(cli, run_args(german_csv, blocker / "out")), "below the file")
    one_line_error(CliRunner().invoke(cli, run_args(german_csv, blocker)), "is a file")
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me")
    one_line_error(CliRunner().invoke(cli, run_args(german_csv, foreign, "--overwrite")), "did not write")
    assert (foreign / "mine.txt").read_text() == "keep me"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_output(german_csv, tmp_path):
    locked = tmp_path / "ro"
    locked.mkdir(mode=0o500)
    one_line_error(CliRunner().invoke(cli, run_args(german_csv, locked / "out")), "not writable")
